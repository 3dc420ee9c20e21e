// The learner's loop, end to end in headless Chromium: build a design by drag and drop,
// run it, break it, spike it, undo, reload. Numbers are read from the page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { start, paintedPixels, OUTPUT, DESKTOP, DESIGN_KEY, openDesign, num, play, waitClock, mouseDrag } from "./harness.mjs";

let env;
before(async () => (env = await start()));
after(async () => env?.close());


/** Client → load balancer (health-checked) → two servers, as the app would save it. */
function lbDesign(rate = 200) {
  const server = {
    workers: 8, queue_capacity: 100,
    service_time: { log_normal: { mean_ms: 20, sigma: 0.5 } },
    call_timeout_ms: 1000,
  };
  const node = (id, x, y, kind) => ({ id, x, y, kind });
  const edge = (from, to, latency_ms) => ({ from, to, latency_ms, jitter_ms: latency_ms / 2 });
  return {
    version: 1, name: "lb test", seed: 1,
    nodes: [
      node("users-1", 0, 100, { client: { rate_rps: rate, timeout_ms: 2000 } }),
      node("lb-1", 200, 100, {
        load_balancer: {
          policy: "least_connections",
          health_check: { interval_ms: 1000, unhealthy_threshold: 2, healthy_threshold: 2 },
          backend_timeout_ms: 1500,
        },
      }),
      node("web-1", 400, 30, { server }),
      node("web-2", 400, 170, { server }),
    ],
    edges: [edge("users-1", "lb-1", 20), edge("lb-1", "web-1", 1), edge("lb-1", "web-2", 1)],
    metrics: { slo_p95_ms: 300, slo_error_rate: 0.01 },
  };
}

const open = (design, viewport = DESKTOP) => openDesign(env, design, viewport);

const clock = (page) => num(page, "sim-clock");

async function setSpeed(page, value) {
  await page.selectOption("[data-testid=speed]", value);
}


test("build client → LB → two servers by drag and connect; play: throughput reaches the offered rate and latency charts fill", async () => {
  const page = await open(null);
  await page.click("[data-testid=clear]");
  assert.equal(await page.locator(".node").count(), 0, "the canvas is empty after Clear");
  const drops = [
    ["client", 80, 160], ["load_balancer", 300, 160], ["server", 520, 80], ["server", 520, 260],
  ];
  for (const [kind, x, y] of drops) {
    await page.dragAndDrop(`[data-testid=palette-${kind}]`, "[data-testid=stage]", { targetPosition: { x, y } });
  }
  for (const id of ["users-1", "lb-1", "web-1", "web-2"]) {
    assert.ok(await page.isVisible(`[data-testid=node-${id}]`), `${id} was dropped on the canvas`);
  }
  const out = (id) => `[data-testid=node-${id}] [data-port=out]`;
  const node = (id) => `[data-testid=node-${id}]`;
  await mouseDrag(page, out("users-1"), node("lb-1"));
  await mouseDrag(page, out("lb-1"), node("web-1"));
  await mouseDrag(page, out("lb-1"), node("web-2"));
  for (const e of ["users-1-lb-1", "lb-1-web-1", "lb-1-web-2"]) {
    assert.equal(await page.locator(`[data-testid=edge-${e}]`).count(), 1, `edge ${e} exists`);
  }
  // An invalid connection is refused with a reason the learner can read.
  await mouseDrag(page, out("web-1"), node("users-1"));
  assert.match(await page.textContent("[data-testid=notice]"), /client/i);
  assert.equal(await page.locator("[data-testid=edge-web-1-users-1]").count(), 0);
  // A bad parameter value is marked and not applied.
  await page.click(node("web-1"));
  await page.fill("[data-testid=field-workers]", "0");
  assert.ok(await page.isVisible("[data-testid=error-workers]"), "workers = 0 is flagged");
  await page.fill("[data-testid=field-workers]", "8");
  assert.equal(await page.locator("[data-testid=error-workers]").count(), 0);

  const blank = await paintedPixels(page, "[data-testid=chart-latency]");
  await setSpeed(page, "10");
  await play(page);
  await waitClock(page, 12);
  const offered = await num(page, "kpi-offered");
  assert.equal(offered, 200);
  const rps = await num(page, "kpi-rps");
  assert.ok(rps > 150 && rps < 260, `throughput ${rps} req/s is near the offered 200 req/s`);
  const p99 = await num(page, "kpi-p99");
  assert.ok(p99 > 20 && p99 < 500, `p99 ${p99} ms is plausible`);
  const filled = await paintedPixels(page, "[data-testid=chart-latency]");
  assert.ok(filled > blank + 300, `latency chart filled (${blank} → ${filled} painted pixels)`);
  await page.screenshot({ path: join(OUTPUT, "build-and-run.png") });
  assert.deepEqual(page.errors, [], "no console errors");
  await page.context().close();
});

test("kill a server: errors during the health-check window, then none; throughput recovers; the log names it", async () => {
  const page = await open(lbDesign());
  await setSpeed(page, "5");
  await play(page);
  await waitClock(page, 6);
  await page.click("[data-testid=node-web-1]");
  await page.click("[data-testid=kill]");
  const killedAt = await clock(page);
  const failedBefore = await num(page, "kpi-failed");
  let maxErr = 0;
  while ((await clock(page)) < killedAt + 5) {
    maxErr = Math.max(maxErr, await num(page, "kpi-errors"));
    await page.waitForTimeout(50);
  }
  const failedWindow = (await num(page, "kpi-failed")) - failedBefore;
  assert.ok(failedWindow > 0, `requests fail after the kill (${failedWindow} failed; max window error rate ${maxErr}%)`);
  await page.screenshot({ path: join(OUTPUT, "kill-server.png") });
  assert.equal((await page.textContent("[data-testid=health-web-1]")).trim().startsWith("down"), true);
  assert.ok(await page.locator("[data-testid=node-web-1].down").count() === 1, "the dead node is drawn as down");
  await waitClock(page, killedAt + 6);
  const failedLater = await num(page, "kpi-failed");
  await waitClock(page, killedAt + 11);
  assert.equal(await num(page, "kpi-failed"), failedLater, "errors stop once the balancer marks the server unhealthy");
  assert.equal(await num(page, "kpi-errors"), 0, "the newest window has no errors");
  const rps = await num(page, "kpi-rps");
  assert.ok(rps > 150, `throughput recovers (${rps} req/s)`);
  const log = await page.textContent("[data-testid=event-log]");
  assert.match(log, /web-1 killed at \d+\.\d s/);
  assert.match(log, /web-1 marked unhealthy at \d+\.\d s/);
  assert.deepEqual(page.errors, [], "no console errors");
  await page.context().close();
});

test("spike ×5: p99 and queue badges rise, then fall back when the spike ends", async () => {
  const page = await open(lbDesign());
  await setSpeed(page, "5");
  await play(page);
  await waitClock(page, 6);
  const baseP99 = await num(page, "kpi-p99");
  await page.fill("[data-testid=spike-x]", "5");
  await page.fill("[data-testid=spike-s]", "10");
  await page.click("[data-testid=spike]");
  const spikeAt = await clock(page);
  let maxP99 = 0, maxQueue = 0, shot = false;
  while ((await clock(page)) < spikeAt + 10) {
    maxP99 = Math.max(maxP99, await num(page, "kpi-p99"));
    const q = Math.max(await num(page, "queue-web-1"), await num(page, "queue-web-2"));
    maxQueue = Math.max(maxQueue, q);
    if (!shot && q > 20) {
      await page.screenshot({ path: join(OUTPUT, "spike.png") });
      shot = true;
    }
    await page.waitForTimeout(100);
  }
  assert.ok(maxP99 > 3 * baseP99, `p99 rises during the spike (${baseP99} → ${maxP99} ms)`);
  assert.ok(maxQueue > 20, `queue badges grow (max ${maxQueue})`);
  await waitClock(page, spikeAt + 18);
  const p99 = await num(page, "kpi-p99");
  const q = Math.max(await num(page, "queue-web-1"), await num(page, "queue-web-2"));
  assert.ok(p99 < 2 * baseP99 + 20, `p99 falls back (${p99} ms, baseline ${baseP99} ms)`);
  assert.ok(q < 10, `queues drain (${q})`);
  assert.match(await page.textContent("[data-testid=event-log]"), /spike ×5 on users-1 for 10 s/);
  assert.deepEqual(page.errors, [], "no console errors");
  await page.context().close();
});

test("undo restores a deleted node with its edges without resetting the run; reload restores the autosave", async () => {
  const page = await open(lbDesign());
  await setSpeed(page, "10");
  await play(page);
  await waitClock(page, 3);
  await page.click("[data-testid=node-web-2]");
  await page.keyboard.press("Delete");
  assert.equal(await page.locator("[data-testid=node-web-2]").count(), 0, "web-2 deleted");
  assert.equal(await page.locator("[data-testid=edge-lb-1-web-2]").count(), 0, "its edge went with it");
  const before = await clock(page);
  await page.keyboard.press("Control+z");
  assert.equal(await page.locator("[data-testid=node-web-2]").count(), 1, "undo restores web-2");
  assert.equal(await page.locator("[data-testid=edge-lb-1-web-2]").count(), 1, "and its edge");
  assert.ok((await clock(page)) >= before, "the run was not reset by undo");
  await page.keyboard.press("Control+Shift+z");
  assert.equal(await page.locator("[data-testid=node-web-2]").count(), 0, "redo deletes it again");
  await page.keyboard.press("Control+z");
  // The restored server serves traffic again.
  await waitClock(page, before + 6);
  assert.ok((await num(page, "queue-web-2")) >= 0);
  const served = await page.evaluate(() => document.querySelector("[data-testid=state-web-2]").textContent);
  assert.match(served, /up/);

  // Add a database by click (touch/keyboard path), move it, then reload.
  await page.click("[data-testid=palette-database]");
  assert.equal(await page.locator("[data-testid=node-db-1]").count(), 1);
  await page.screenshot({ path: join(OUTPUT, "undo.png") });
  await page.reload();
  await page.waitForSelector("[data-testid=play]");
  for (const id of ["users-1", "lb-1", "web-1", "web-2", "db-1"]) {
    assert.equal(await page.locator(`[data-testid=node-${id}]`).count(), 1, `${id} restored after reload`);
  }
  assert.equal(await page.locator("[data-testid=edge-lb-1-web-2]").count(), 1, "edges restored after reload");
  assert.deepEqual(page.errors, [], "no console errors");
  await page.context().close();
});

test("partition a link: drawn dashed red and logged; heal restores it", async () => {
  const page = await open(lbDesign());
  await setSpeed(page, "5");
  await play(page);
  await waitClock(page, 3);
  await page.click("[data-testid=edge-lb-1-web-2]", { force: true });
  assert.ok(await page.isVisible("[data-testid=inspector-edge]"), "clicking a link selects it");
  await page.click("[data-testid=cut]");
  await page.waitForSelector(".edge.cut [data-testid=edge-lb-1-web-2]", { state: "attached" });
  const cutAt = await clock(page);
  // Editing the cut link's latency keeps it cut; a negative latency is refused.
  await page.fill("[data-testid=field-latency_ms]", "-1");
  assert.ok(await page.isVisible("[data-testid=error-latency_ms]"), "a negative latency is flagged");
  await page.fill("[data-testid=field-latency_ms]", "5");
  await waitClock(page, cutAt + 1);
  assert.equal(await page.locator(".edge.cut [data-testid=edge-lb-1-web-2]").count(), 1, "the link stays cut after an edit");
  await waitClock(page, cutAt + 4);
  await page.click("[data-testid=theme]");
  assert.equal(await page.getAttribute("html", "data-theme"), "dark", "the scheme switches to dark");
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(OUTPUT, "partition-dark.png") });
  assert.match(await page.textContent("[data-testid=event-log]"), /link lb-1 -> web-2 partitioned at/);
  await page.click("[data-testid=heal]");
  await page.waitForSelector(".edge.cut", { state: "detached" });
  assert.match(await page.textContent("[data-testid=event-log]"), /link lb-1 -> web-2 healed at/);
  // Two groups: {users-1, lb-1} | {web-1, web-2}: both balancer links are cut, then healed.
  await page.click("[data-testid=node-users-1]");
  await page.click("[data-testid=node-lb-1]", { modifiers: ["Shift"] });
  await page.click("[data-testid=group-a]");
  await page.click("[data-testid=node-web-1]");
  await page.click("[data-testid=node-web-2]", { modifiers: ["Shift"] });
  await page.click("[data-testid=group-b]");
  await page.click("[data-testid=cut-groups]");
  await page.waitForFunction(() => document.querySelectorAll(".edge.cut").length === 2);
  assert.equal(await page.locator(".edge.cut [data-testid=edge-users-1-lb-1]").count(), 0, "links inside a group stay up");
  await page.click("[data-testid=heal-all]");
  await page.waitForFunction(() => document.querySelectorAll(".edge.cut").length === 0);
  assert.deepEqual(page.errors, [], "no console errors");
  await page.context().close();
});

test("an overload the core cannot simulate in real time says so and keeps the page responsive", async () => {
  const page = await open(lbDesign(200_000));
  await setSpeed(page, "100");
  await play(page);
  await page.waitForSelector("[data-testid=lagging]", { timeout: 15_000 });
  const t0 = await clock(page);
  const longest = await page.evaluate(() => new Promise((done) => {
    let last = performance.now(), worst = 0, n = 0;
    const tick = (t) => { worst = Math.max(worst, t - last); last = t; if (++n < 60) requestAnimationFrame(tick); else done(worst); };
    requestAnimationFrame(tick);
  }));
  assert.ok((await clock(page)) > t0, "the simulated clock still advances");
  assert.match(await page.textContent("[data-testid=lagging]"), /slower than real time: [0-9.]+×/);
  await page.screenshot({ path: join(OUTPUT, "overload.png") });
  assert.ok(longest < 500, `frames keep coming (longest ${longest.toFixed(0)} ms)`);
  await page.click("[data-testid=play]");
  assert.equal(await page.getAttribute("[data-testid=play]", "aria-label"), "Play", "pause answers at once");
  assert.deepEqual(page.errors, [], "no console errors");
  await page.context().close();
});

test("rubber band and shift-click select, Delete removes, wheel and buttons zoom, dragging the background pans, edits apply live", async () => {
  const page = await open(lbDesign());
  const scale = async () => page.$eval(".world", (el) => new DOMMatrix(getComputedStyle(el).transform).a);
  const shift = async () => page.$eval(".world", (el) => new DOMMatrix(getComputedStyle(el).transform).e);
  // Rubber band (shift-drag on the background) around both servers.
  const a = await page.locator("[data-testid=node-web-1]").boundingBox();
  const b = await page.locator("[data-testid=node-web-2]").boundingBox();
  await page.keyboard.down("Shift");
  await page.mouse.move(a.x - 20, a.y - 20);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width + 20, b.y + b.height + 20, { steps: 6 });
  await page.mouse.up();
  await page.keyboard.up("Shift");
  assert.match(await page.textContent(".inspector"), /2 components selected/);
  // Shift-click adds the balancer.
  await page.click("[data-testid=node-lb-1]", { modifiers: ["Shift"] });
  assert.match(await page.textContent(".inspector"), /3 components selected/);
  await page.keyboard.press("Delete");
  assert.equal(await page.locator(".node").count(), 1, "three nodes deleted");
  assert.equal(await page.locator(".edge").count(), 0, "with their links");
  await page.keyboard.press("Control+z");
  assert.equal(await page.locator(".node").count(), 4, "one undo brings all three back");
  assert.equal(await page.locator(".edge").count(), 3);
  // Zoom: wheel over the canvas, then the buttons.
  const z0 = await scale();
  const stage = await page.locator("[data-testid=stage]").boundingBox();
  await page.mouse.move(stage.x + 30, stage.y + stage.height - 30);
  await page.mouse.wheel(0, -400);
  await page.waitForFunction((z) => new DOMMatrix(getComputedStyle(document.querySelector(".world")).transform).a > z, z0);
  const z1 = await scale();
  await page.click("[aria-label='Zoom out']");
  assert.ok((await scale()) < z1, "the zoom-out button zooms out");
  // Pan by dragging an empty spot.
  const x0 = await shift();
  await page.mouse.move(stage.x + 20, stage.y + stage.height - 20);
  await page.mouse.down();
  await page.mouse.move(stage.x + 120, stage.y + stage.height - 20, { steps: 5 });
  await page.mouse.up();
  assert.ok(Math.abs((await shift()) - x0 - 100) < 2, "the view pans with the pointer");
  await page.click("[data-testid=fit]");
  // A parameter typed while running reaches the simulation.
  await setSpeed(page, "10");
  await play(page);
  await waitClock(page, 2);
  await page.click("[data-testid=node-web-1]");
  await page.fill("[data-testid=field-service_ms]", "abc");
  assert.ok(await page.isVisible("[data-testid=error-service_ms]"), "a non-number is flagged");
  await page.fill("[data-testid=field-service_ms]", "40");
  await page.waitForFunction(() => /web-1 reconfigured at/.test(document.querySelector("[data-testid=event-log]").textContent));
  assert.deepEqual(page.errors, [], "no console errors");
  await page.context().close();
});

test("an unreadable autosave is kept aside, explained, and the demo loads", async () => {
  const page = await env.page({ viewport: DESKTOP });
  const bad = '{"version": 1, "nodes": [{"id": "x", "kind": {"server": {"workers": 0}}}]';
  await page.addInitScript(([key, json]) => {
    if (!sessionStorage.getItem("seeded")) {
      localStorage.setItem(key, json);
      sessionStorage.setItem("seeded", "1");
    }
  }, [DESIGN_KEY, bad]);
  await page.goto(env.base);
  await page.waitForSelector("[data-testid=storage-msg]", { timeout: 20_000 });
  assert.match(await page.textContent("[data-testid=storage-msg]"), /could not be read/);
  assert.equal(await page.evaluate(() => localStorage.getItem("playground.design.unreadable")), bad, "the unreadable save is kept");
  assert.equal(await page.locator("[data-testid=node-web-1]").count(), 1, "the demo design is shown");
  assert.deepEqual(page.errors, [], "no console errors");
  await page.context().close();
});

test("storage that throws (sandboxed iframe) gives a plain message, never a crash", async () => {
  const page = await env.page({ viewport: DESKTOP });
  await page.addInitScript(() => {
    Object.defineProperty(window, "localStorage", {
      get() { throw new DOMException("The document is sandboxed", "SecurityError"); },
    });
  });
  await page.goto(env.base);
  await page.waitForSelector("[data-testid=storage-msg]", { timeout: 20_000 });
  assert.match(await page.textContent("[data-testid=storage-msg]"), /storage is unavailable/i);
  await page.click("[data-testid=palette-server]");
  await play(page);
  await waitClock(page, 1);
  assert.deepEqual(page.errors, [], "no console errors");
  await page.context().close();
});

test("keyboard: help dialog lists shortcuts; a node can be focused and selected; phone layout holds", async () => {
  const page = await open(lbDesign(), { width: 360, height: 740 });
  await page.click("[data-testid=step]");
  await waitClock(page, 0.1, 5_000);
  await page.waitForTimeout(200);
  assert.equal(await clock(page), 0.1, "Step advances a paused run by 0.1 s, and no further");
  // On a phone the help button sits in the More drawer; the ? key opens the dialog anywhere.
  await page.keyboard.press("?");
  assert.ok(await page.isVisible("[data-testid=help-dialog]"));
  assert.match(await page.textContent("[data-testid=help-dialog]"), /Undo/);
  await page.screenshot({ path: join(OUTPUT, "help-phone.png") });
  await page.keyboard.press("Escape");
  assert.equal(await page.locator("[data-testid=help-dialog]").count(), 0);
  const panX = () => page.$eval(".world", (el) => new DOMMatrix(getComputedStyle(el).transform).e);
  const x0 = await panX();
  await page.focus("[data-testid=stage]");
  await page.keyboard.press("ArrowRight");
  assert.ok(Math.abs((await panX()) - (x0 - 40)) < 0.5, "arrow keys pan the focused canvas");
  await page.focus("[data-testid=node-lb-1]");
  await page.keyboard.press("Enter");
  // On a phone the inspector is a drawer (the Inspect tab); the node shows it is selected.
  assert.equal(await page.getAttribute("[data-testid=node-lb-1]", "aria-pressed"), "true", "Enter selects the focused node");
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `no horizontal overflow at 360 px (scrollWidth ${width})`);
  await play(page);
  await waitClock(page, 2);
  await page.screenshot({ path: join(OUTPUT, "phone.png"), fullPage: true });
  assert.deepEqual(page.errors, [], "no console errors");
  await page.context().close();
});
