// Link faults from the link inspector while playing (packet loss shows in the dock's error
// rate and the errors chart), and a shedding server switched on in the inspector.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { deflateRawSync } from "node:zlib";
import { start, DESKTOP, num, play, waitClock } from "./harness.mjs";

let env;
before(async () => {
  env = await start();
});
after(async () => env?.close());

const pack = (data) => deflateRawSync(Buffer.from(JSON.stringify(data)), { level: 9 }).toString("base64url");
const node = (id, x, kind) => ({ id, label: id, x, y: 0, kind });
const server = (workers, queue, ms) => ({
  server: { workers, queue_capacity: queue, service_time: { constant: { ms } } },
});

/** client → web → db; no timeouts and no retries, so a lost request fails once, at once. */
function design(rate, web, priority) {
  return {
    version: 4, name: "links", seed: 7,
    nodes: [
      node("client", 0, { client: { rate_rps: rate, mix: { read: 1, write: 0, static_asset: 0, job: 0 }, priority } }),
      node("web", 220, web),
      node("db", 440, { database: { max_connections: 64, queue_capacity: 1000,
        read_service_time: { constant: { ms: 1 } }, write_service_time: { constant: { ms: 1 } } } }),
    ],
    edges: [
      { from: "client", to: "web", latency_ms: 1 },
      { from: "web", to: "db", latency_ms: 1 },
    ],
  };
}

async function open(d) {
  const page = await env.page({ viewport: DESKTOP });
  await page.goto(`${env.base}#s=${pack(d)}`);
  await page.waitForSelector("[data-testid=play]", { timeout: 20_000 });
  return page;
}

const chartAlt = (page) => page.getAttribute("[data-testid=chart-errors]", "aria-label");

test("10 % packet loss set in the link inspector while playing: about 10 % errors, by timeout", async () => {
  // 2000 req/s, one lossy hop per request: a 1 s window holds n ≈ 2000 requests, so the
  // window's error share has σ = √(0.1 · 0.9 / 2000) ≈ 0.67 %; 6.5 – 13.5 % is over 5 σ.
  const page = await open(design(2000, server(32, 1000, 2)));
  await play(page);
  await waitClock(page, 1);
  assert.equal(await num(page, "kpi-errors"), 0, "no errors before the fault");
  await page.locator("[data-testid=edge-client-web]").press("Enter");
  await page.waitForSelector("[data-testid=inspector-edge]");
  for (const f of ["bulkhead", "breaker_failure_rate"]) {
    assert.ok(await page.isVisible(`[data-testid=field-${f}]`), `a plain link offers ${f}`);
  }
  await page.fill("[data-testid=loss-pct]", "10");
  await page.click("[data-testid=loss]");
  await page.waitForFunction(
    () => /losing 10%/.test(document.querySelector("[data-testid=link-state]")?.textContent ?? ""),
    null, { timeout: 10_000 },
  );
  assert.equal(await page.$eval(".edge:has([data-edge-to=web])", (g) => g.dataset.fault), "lossy");
  const t = await num(page, "sim-clock");
  await waitClock(page, t + 2.5);
  const errors = await num(page, "kpi-errors");
  assert.ok(errors >= 6.5 && errors <= 13.5, `window error rate ${errors} % with 10 % loss`);
  const alt = await chartAlt(page);
  assert.match(alt, /timeout [1-9][\d.]* err\/s/, `the chart names the cause: ${alt}`);
  assert.doesNotMatch(alt, /shed|circuit open|bulkhead full/, "causes that never occurred stay off the chart");
  // Heal restores the link: the errors go back to none.
  await page.click("[data-testid=heal]");
  const healed = await num(page, "sim-clock");
  await waitClock(page, healed + 2.5);
  assert.equal(await num(page, "kpi-errors"), 0, "no errors once healed");
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("switching shedding on for an overloaded server in the inspector shows shed on the chart", async () => {
  // web serves 2 × 100 req/s; 400 req/s arrive, half of them sheddable.
  const mix = { critical: 0.2, standard: 0.3, sheddable: 0.5 };
  const page = await open(design(400, server(2, 200, 10), mix));
  await play(page);
  await waitClock(page, 1);
  assert.doesNotMatch(await chartAlt(page), /shed/);
  await page.click("[data-testid=node-web]");
  await page.waitForSelector("[data-testid=inspector-node]");
  await page.check("[data-testid=field-shedding]");
  await page.fill("[data-testid=field-shed_threshold]", "20");
  await page.waitForFunction(
    () => /shed [1-9]/.test(document.querySelector("[data-testid=chart-errors]")?.getAttribute("aria-label") ?? ""),
    null, { timeout: 15_000 },
  );
  assert.deepEqual(page.errors, []);
  await page.close();
});
