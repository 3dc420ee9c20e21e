// A circuit breaker opening in the page, and availability in nines in the dock.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { deflateRawSync } from "node:zlib";
import { start, OUTPUT, DESKTOP } from "./harness.mjs";

let env;
before(async () => {
  env = await start();
});
after(async () => env?.close());

const pack = (data) => deflateRawSync(Buffer.from(JSON.stringify(data)), { level: 9 }).toString("base64url");

/** Readers call web, which calls recs over a link with a breaker; writers never call recs.
 * At 2 s recs becomes a thousand times slower, so web's calls to it time out after 1 s. */
function design() {
  const server = (workers, queue, ms, timeout) => ({
    server: { workers, queue_capacity: queue, service_time: { exponential: { mean_ms: ms } }, call_timeout_ms: timeout },
  });
  const client = (rate, read) => ({
    client: { rate_rps: rate, timeout_ms: 3000, mix: { read, write: 1 - read, static_asset: 0, job: 0 } },
  });
  const node = (id, x, y, kind) => ({ id, label: id, x, y, kind });
  return {
    version: 3, name: "breaker", seed: 1,
    metrics: { slo_error_rate: 0.01 },
    nodes: [
      node("readers", 0, 0, client(20, 1)),
      node("writers", 0, 160, client(200, 0)),
      node("web", 220, 80, server(8, 10000, 2, 1000)),
      node("recs", 440, 80, server(8, 50, 5, null)),
    ],
    edges: [
      { from: "readers", to: "web", latency_ms: 1 },
      { from: "writers", to: "web", latency_ms: 1 },
      { from: "web", to: "recs", latency_ms: 1, kinds: ["read"],
        breaker: { failure_rate: 0.5, window: 20, min_calls: 10, open_ms: 5000, trial_calls: 3 } },
    ],
    events: [{ at_s: 2, command: { slow: { id: "recs", factor: 1000 } } }],
  };
}

test("a breaker opens on a slow dependency, in the log and on the link; the dock gives availability in nines", async () => {
  const page = await env.page({ viewport: DESKTOP });
  await page.goto(`${env.base}#s=${pack(design())}`);
  await page.waitForSelector("[data-testid=play]", { timeout: 20_000 });
  await page.selectOption("[data-testid=speed]", "ff");
  await page.click("[data-testid=play]");
  // The log says the breaker opened, with the share of failed calls.
  await page.waitForFunction(
    () => /breaker web → recs opened at [\d.]+ s: \d+ % of the last \d+ calls failed/.test(
      document.querySelector("[data-testid=event-log]")?.textContent ?? ""),
    null, { timeout: 30_000 },
  );
  await page.click("[data-testid=play]");
  // The link is drawn with the breaker's state: open, or half-open while trial calls run.
  const state = await page.$eval(".edge:has([data-edge-to=recs])", (g) => g.dataset.breaker);
  assert.ok(["open", "half_open"].includes(state), `breaker state on the canvas: ${state}`);
  // The dock gives the availability as a percentage, in nines, with the yearly downtime.
  const availability = await page.textContent("[data-testid=availability]");
  assert.match(availability, /\d+(\.\d+)? % — (under one nine|one nine|two nines|three nines|\w+ nines)/, availability);
  assert.match(availability, /budget burnt/, availability);
  await page.screenshot({ path: join(OUTPUT, "breaker-open.png") });
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
