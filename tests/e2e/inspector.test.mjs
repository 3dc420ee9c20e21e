// The inspector edits every parameter (with proper controls, live while running), region
// faults for any region of the design, the help dialog keeps the focus, and two fingers
// pinch-zoom the canvas.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { start, OUTPUT, DESKTOP, DESIGN_KEY, openDesign, play, waitClock } from "./harness.mjs";

let env;
before(async () => (env = await start()));
after(async () => env?.close());

const server = {
  workers: 8, queue_capacity: 100,
  service_time: { log_normal: { mean_ms: 20, sigma: 0.5 } },
  call_timeout_ms: 1000,
};
const node = (id, x, y, kind, region) => ({ id, x, y, kind, ...(region ? { region } : {}) });
const edge = (from, to, latency_ms) => ({ from, to, latency_ms, jitter_ms: latency_ms / 2 });

/** Client → LB → two servers → database. */
function design() {
  return {
    version: 1, name: "inspector test", seed: 1,
    nodes: [
      node("users-1", 0, 100, { client: { rate_rps: 100, timeout_ms: 2000 } }),
      node("lb-1", 200, 100, { load_balancer: { policy: "round_robin", health_check: { interval_ms: 1000, unhealthy_threshold: 2, healthy_threshold: 2 } } }),
      node("web-1", 400, 30, { server }),
      node("web-2", 400, 170, { server }),
      node("db-1", 600, 100, { database: {
        max_connections: 20, queue_capacity: 200,
        read_service_time: { exponential: { mean_ms: 5 } }, write_service_time: { exponential: { mean_ms: 15 } },
      } }),
    ],
    edges: [edge("users-1", "lb-1", 20), edge("lb-1", "web-1", 1), edge("lb-1", "web-2", 1), edge("web-1", "db-1", 1), edge("web-2", "db-1", 1)],
    metrics: { slo_p95_ms: 300, slo_error_rate: 0.01 },
  };
}

const saved = (page) => page.evaluate((k) => JSON.parse(localStorage.getItem(k)), DESIGN_KEY);
const saved_node = async (page, id) => (await saved(page)).nodes.find((n) => n.id === id);
const logHas = (page, re) => page.waitForFunction(
  (src) => new RegExp(src).test(document.querySelector("[data-testid=event-log]").textContent), re.source);

test("inspector: distributions, retries, enums as lists, switches as checkboxes, label and region; edits apply live", async () => {
  const page = await openDesign(env, design());
  await page.click("[data-testid=node-web-1]");
  // Service-time distribution: σ only for log-normal; the mean is kept.
  assert.ok(await page.isVisible("[data-testid=field-service_sigma]"), "log-normal shows σ");
  await page.selectOption("[data-testid=field-service_dist]", { label: "Constant" });
  assert.ok(!(await page.isVisible("[data-testid=field-service_sigma]")), "a constant time has no σ");
  assert.deepEqual((await saved_node(page, "web-1")).kind.server.service_time, { constant: { ms: 20 } });
  await page.selectOption("[data-testid=field-service_dist]", { label: "Log-normal" });
  await page.fill("[data-testid=field-service_sigma]", "9");
  assert.ok(await page.isVisible("[data-testid=error-service_sigma]"), "σ above 5 is flagged as typed");
  await page.fill("[data-testid=field-service_sigma]", "1.5");
  assert.deepEqual((await saved_node(page, "web-1")).kind.server.service_time, { log_normal: { mean_ms: 20, sigma: 1.5 } });
  // Label and region.
  await page.fill("[data-testid=field-label]", "Web A");
  assert.equal(await page.textContent("[data-testid=node-web-1] .node-title"), "Web A");
  await page.selectOption("[data-testid=field-region]", "eu-west");
  assert.equal((await saved_node(page, "web-1")).region, "eu-west");

  // Client: retries reveal backoff and jitter; the job share is a field.
  await page.click("[data-testid=node-users-1]");
  assert.ok(!(await page.isVisible("[data-testid=field-backoff_ms]")), "no backoff without retries");
  await page.fill("[data-testid=field-max_retries]", "3");
  await page.fill("[data-testid=field-backoff_ms]", "250");
  await page.selectOption("[data-testid=field-jitter]", { label: "Equal (½ + random ½)" });
  await page.fill("[data-testid=field-mix_job]", "0.2");
  const client = (await saved_node(page, "users-1")).kind.client;
  assert.equal(client.retry.max_retries, 3);
  assert.equal(client.retry.base_backoff_ms, 250);
  assert.equal(client.retry.jitter, "equal");
  assert.equal(client.mix.job, 0.2);

  // Database: on/off options are checkboxes.
  await page.click("[data-testid=node-db-1]");
  assert.equal(await page.getAttribute("[data-testid=field-read_from_replicas]", "type"), "checkbox");
  await page.check("[data-testid=field-read_from_replicas]");
  assert.equal((await saved_node(page, "db-1")).kind.database.read_from_replicas, true);
  assert.equal(await page.locator(".inspector input[type=text][data-testid=field-read_from_replicas]").count(), 0);

  // Live: change the balancer's policy while running; the core is told.
  await page.selectOption("[data-testid=speed]", "5");
  await play(page);
  await waitClock(page, 1);
  await page.click("[data-testid=node-lb-1]");
  await page.selectOption("[data-testid=field-policy]", { label: "Power of two choices" });
  await logHas(page, /lb-1 reconfigured at/);
  assert.equal((await saved_node(page, "lb-1")).kind.load_balancer.policy, "power_of_two");
  await page.screenshot({ path: join(OUTPUT, "inspector-desktop.png") });
  assert.deepEqual(page.errors, [], "no console errors");
  await page.context().close();
});

test("region faults: outage and recovery of any region of the design; cut and heal two regions", async () => {
  const d = design();
  d.nodes[2].region = "us-east";
  d.nodes[3].region = "eu-west";
  const page = await openDesign(env, d);
  assert.ok(await page.isVisible("[data-testid=region-faults]"), "regions present: the region faults show");
  await page.selectOption("[data-testid=speed]", "5");
  await play(page);
  await waitClock(page, 1);
  await page.selectOption("[data-testid=region-one]", "eu-west");
  await page.click("[data-testid=region-outage]");
  await page.waitForFunction(() => document.querySelector("[data-testid=health-web-2]").textContent.startsWith("down"));
  assert.ok(!(await page.textContent("[data-testid=health-web-1]")).startsWith("down"), "the other region keeps running");
  await page.click("[data-testid=region-recover]");
  await page.waitForFunction(() => !document.querySelector("[data-testid=health-web-2]").textContent.startsWith("down"));
  await page.selectOption("[data-testid=region-a]", "us-east");
  await page.selectOption("[data-testid=region-b]", "eu-west");
  await page.click("[data-testid=cut-regions]");
  await logHas(page, /regions us-east \| eu-west partitioned/);
  await page.click("[data-testid=heal-regions]");
  await logHas(page, /regions us-east \| eu-west healed/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("help dialog: Tab and Shift-Tab stay inside, Esc closes, focus returns to the opener", async () => {
  const page = await openDesign(env, design());
  await page.focus("[data-testid=help]");
  await page.keyboard.press("Enter");
  await page.waitForSelector("[data-testid=help-dialog]");
  const inside = () => page.evaluate(() => document.querySelector("[data-testid=help-dialog]").contains(document.activeElement));
  assert.ok(await inside(), "opening moves the focus into the dialog");
  for (const key of ["Tab", "Tab", "Shift+Tab", "Shift+Tab", "Shift+Tab", "Tab"]) {
    await page.keyboard.press(key);
    assert.ok(await inside(), `${key} keeps the focus inside`);
  }
  await page.keyboard.press("Escape");
  assert.equal(await page.locator("[data-testid=help-dialog]").count(), 0, "Esc closes");
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), "help", "focus is back on the opener");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("two-finger pinch zooms the canvas (touch through the DevTools protocol)", async () => {
  const page = await env.page({ viewport: DESKTOP, hasTouch: true });
  await page.goto(env.base);
  await page.waitForSelector("[data-testid=play]");
  const scale = () => page.$eval(".world", (el) => new DOMMatrix(getComputedStyle(el).transform).a);
  const box = await page.locator("[data-testid=stage]").boundingBox();
  // Two fingers on empty canvas near the bottom edge, moving apart.
  const cy = box.y + box.height - 60;
  const cx = box.x + box.width / 2;
  const cdp = await page.context().newCDPSession(page);
  const touch = (type, d) => cdp.send("Input.dispatchTouchEvent", {
    type,
    touchPoints: type === "touchEnd" ? [] : [
      { x: cx - d, y: cy, id: 1 },
      { x: cx + d, y: cy, id: 2 },
    ],
  });
  const z0 = await scale();
  await touch("touchStart", 40);
  for (let d = 50; d <= 120; d += 10) await touch("touchMove", d);
  await touch("touchEnd", 0);
  const z1 = await scale();
  assert.ok(z1 > z0 * 1.5, `spreading two fingers zooms in (${z0} → ${z1})`);
  await touch("touchStart", 120);
  for (let d = 110; d >= 60; d -= 10) await touch("touchMove", d);
  await touch("touchEnd", 0);
  const z2 = await scale();
  assert.ok(z2 < z1 * 0.7, `pinching zooms out (${z1} → ${z2})`);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
