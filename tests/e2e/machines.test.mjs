// Vertical scaling from the inspector: the machine list and the Scale up / Scale down
// buttons move a running server to another size, and its monthly cost follows.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { start, openDesign, play, waitClock, num } from "./harness.mjs";

let env;
before(async () => (env = await start()));
after(async () => env?.close());

const edge = (from, to) => ({ from, to, latency_ms: 1, jitter_ms: 0 });

/** Client → server on the smallest machine. */
function design() {
  return {
    version: 3, name: "machines test", seed: 1,
    nodes: [
      { id: "users-1", x: 0, y: 100, kind: { client: { rate_rps: 50, timeout_ms: 2000 } } },
      { id: "web-1", x: 250, y: 100, kind: { server: {
        workers: 8, queue_capacity: 100, machine: "m.small",
        service_time: { exponential: { mean_ms: 10 } },
      } } },
    ],
    edges: [edge("users-1", "web-1")],
    metrics: { slo_p95_ms: 300, slo_error_rate: 0.01 },
  };
}

const shown = (page) => page.$eval("[data-testid=field-machine]", (s) => s.selectedOptions[0].textContent);

test("machines: Scale up moves a running server one size up and its monthly cost rises; Scale down stops at the smallest", async () => {
  const page = await openDesign(env, design());
  await page.click("[data-testid=node-web-1]");
  assert.match(await shown(page), /^m\.small — 1 vCPU · 2 GiB · \$37\/month$/);
  assert.equal(await page.locator("[data-testid=field-machine] option").count(), 9, "every size is listed");
  assert.ok(await page.isDisabled("[data-testid=scale-down]"), "nothing below the smallest");
  assert.ok(await page.isEnabled("[data-testid=scale-up]"));

  await play(page, "5");
  await waitClock(page, 1);
  const before = await num(page, "dr-cost");
  await page.click("[data-testid=scale-up]");
  await page.waitForFunction(() => /web-1 moved to m\.large/.test(document.querySelector("[data-testid=event-log]").textContent));
  assert.match(await shown(page), /^m\.large — 2 vCPU · 8 GiB · \$74\/month$/);
  await page.waitForFunction((b) => parseFloat(document.querySelector("[data-testid=dr-cost]").textContent.replace(/[^0-9.]/g, "")) > b, before);
  assert.ok(await page.isEnabled("[data-testid=scale-down]"), "one size up, Scale down is back");
  assert.deepEqual(page.errors, [], "no console errors");
  await page.context().close();
});
