// The page at any size: screenshots of the demo and the URL-shortener preset while playing
// at 1280 × 800, 1440 × 900 and 360 × 740 (kept in tests/output/), embeds in lesson-page
// frames (800 × 500, 640 × 400, full width × 600) where the canvas keeps room and the design
// fits it, `view=` choosing what a short frame shows, and the phone used by touch (its run
// bar on two rows at most); node names never under 11 px on screen.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { start, play, waitClock, OUTPUT } from "./harness.mjs";

let env;
before(async () => (env = await start()));
after(async () => env?.close());

const PHONE = { width: 360, height: 740 };
const DESIGNS = [["demo", ""], ["url-shortener", "?preset=url-shortener"]];
const EMBED = "?embed=1&preset=cache&autoplay=1&hide=palette,inspector";

async function load(query, options) {
  const page = await env.page(options);
  await page.goto(env.base + query);
  await page.waitForSelector("[data-testid=play]", { timeout: 20_000 });
  await page.waitForTimeout(300);
  return page;
}

/** The canvas' visible box, and the nodes whose box is not wholly inside it. */
function designFit(page) {
  return page.evaluate(() => {
    const stage = document.querySelector(".stage").getBoundingClientRect();
    const vis = {
      left: Math.max(stage.left, 0), top: Math.max(stage.top, 0),
      right: Math.min(stage.right, window.innerWidth), bottom: Math.min(stage.bottom, window.innerHeight),
    };
    const out = [];
    const nodes = [...document.querySelectorAll(".stage .node")];
    for (const n of nodes) {
      const r = n.getBoundingClientRect();
      if (r.left < vis.left - 0.5 || r.top < vis.top - 0.5 || r.right > vis.right + 0.5 || r.bottom > vis.bottom + 0.5) {
        out.push(`${n.dataset.testid}: ${Math.round(r.left)},${Math.round(r.top)} – ${Math.round(r.right)},${Math.round(r.bottom)}`);
      }
    }
    return { height: vis.bottom - vis.top, width: vis.right - vis.left, nodes: nodes.length, out };
  });
}

/** Smallest on-screen font size (px) of the node names: the world's zoom × their size. */
const smallestName = (page) => page.evaluate(() => {
  const zoom = new DOMMatrix(getComputedStyle(document.querySelector(".world")).transform).a;
  return Math.min(...[...document.querySelectorAll(".stage .node-title")].map((e) => parseFloat(getComputedStyle(e).fontSize) * zoom));
});

/** The node names whose box is not wholly inside the canvas (far out a name sits on top of
 * its box and may be wider than it). */
const namesOut = (page) => page.evaluate(() => {
  const stage = document.querySelector(".stage").getBoundingClientRect();
  return [...document.querySelectorAll(".stage .node-title")].filter((e) => {
    const r = e.getBoundingClientRect();
    return r.left < stage.left - 0.5 || r.top < stage.top - 0.5 || r.right > stage.right + 0.5 || r.bottom > stage.bottom + 0.5;
  }).map((e) => e.textContent);
});

/** How many rows the run bar's visible controls sit on (a dismissable notice aside). */
const runbarRows = (page) => page.$$eval(".runbar :is(button, select, .clock):not(.banner *)", (els) => {
  const mids = els.filter((e) => e.getClientRects().length > 0)
    .map((e) => { const r = e.getBoundingClientRect(); return (r.top + r.bottom) / 2; }).sort((a, b) => a - b);
  return mids.filter((m, i) => i === 0 || m - mids[i - 1] > 12).length;
});

for (const [vname, viewport] of [["1280x800", { width: 1280, height: 800 }], ["1440x900", { width: 1440, height: 900 }], ["360x740", PHONE]]) {
  test(`screens while playing at ${vname}: the design fits the canvas and its names read`, async () => {
    for (const [name, query] of DESIGNS) {
      const page = await load(query, { viewport });
      const fit = await designFit(page);
      if (viewport === PHONE) {
        assert.deepEqual(fit.out, [], `${name}: the design fits the canvas when it opens`);
        assert.ok(fit.height >= 0.5 * viewport.height, `${name}: the canvas takes most of the screen (${fit.height} px)`);
      }
      const px = await smallestName(page);
      assert.ok(px >= 11 - 0.01, `${name}: names ${px.toFixed(1)} px on screen`);
      if (name === "url-shortener" && vname !== "1440x900") {
        assert.deepEqual(await namesOut(page), [], `${name}: every name inside the canvas`);
      }
      await play(page);
      await waitClock(page, 4);
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(OUTPUT, `screen-${name}-${vname}.png`) });
      const se = await page.evaluate(() => [document.scrollingElement.scrollWidth, document.scrollingElement.scrollHeight]);
      assert.ok(se[0] <= viewport.width && se[1] <= viewport.height, `${name}: the page does not scroll (${se})`);
      const KEY = ["[data-testid=play]", "[data-testid=speed]", "[data-testid=sim-clock]", "[data-testid=kpi-rps]", "[data-testid=kpi-p99]", "[data-testid=kpi-errors]"];
      for (const sel of KEY) {
        const r = await page.locator(sel).first().boundingBox();
        assert.ok(r && r.y >= 0 && r.y + r.height <= viewport.height, `${name}: ${sel} in view while playing`);
      }
      if (viewport === PHONE) assert.ok((await runbarRows(page)) <= 2, `${name}: the run bar takes at most two rows`);
      assert.deepEqual(page.errors, [], "no console errors");
      await page.context().close();
    }
  });
}

for (const [vname, viewport] of [["800x500", { width: 800, height: 500 }], ["640x400", { width: 640, height: 400 }], ["1200x600", { width: 1200, height: 600 }]]) {
  test(`embed at ${vname}: the canvas keeps room, the design fits it, the lesson and the charts are in view`, async () => {
    const page = await load(EMBED, { viewport });
    const fit = await designFit(page);
    assert.ok(fit.nodes > 0);
    assert.ok(fit.height >= 0.4 * viewport.height, `canvas ${fit.height} px of ${viewport.height}`);
    assert.deepEqual(fit.out, [], "every node inside the canvas");
    for (const sel of ["[data-testid=chart-throughput]", "[data-testid=lesson]", ".dock .kpi"]) {
      const r = await page.locator(sel).first().boundingBox();
      assert.ok(r && r.height > 10 && r.y >= 0 && r.y + r.height <= viewport.height + 0.5, `${sel} in view (${JSON.stringify(r)})`);
    }
    // A chart's compact form needs 40 px: a 15 px row for the y label and the legend, a 12 px
    // row for the time labels and 13 px of plot (its 10 px text); under 90 px it is compact.
    for (const c of await page.$$eval(".charts canvas", (els) => els.map((e) => [e.clientHeight, e.dataset.layout]))) {
      assert.ok(c[0] >= 40 && (c[0] >= 90 || c[1] === "compact"), `a chart ${c[0]} px high, drawn ${c[1]}`);
    }
    await waitClock(page, 2);
    await page.screenshot({ path: join(OUTPUT, `embed-${vname}.png`) });
    assert.deepEqual(page.errors, [], "no console errors");
    await page.context().close();
  });
}

test("embed view=canvas drops the charts for the canvas; view=metrics drops the canvas for the charts", async () => {
  const viewport = { width: 800, height: 500 };
  const both = await load(EMBED, { viewport });
  const bothHeight = (await designFit(both)).height;
  const chartBoth = (await both.locator("[data-testid=chart-throughput]").boundingBox()).height;
  await both.context().close();
  const canvas = await load(`${EMBED}&view=canvas`, { viewport });
  assert.equal(await canvas.isVisible("[data-testid=chart-throughput]"), false, "no charts");
  assert.ok(await canvas.isVisible(".dock .kpi"), "the figures stay");
  const fit = await designFit(canvas);
  assert.ok(fit.height > bothHeight, `a taller canvas (${fit.height} > ${bothHeight})`);
  assert.deepEqual(fit.out, []);
  await canvas.screenshot({ path: join(OUTPUT, "embed-800x500-view-canvas.png") });
  await canvas.context().close();
  const metrics = await load(`${EMBED}&view=metrics`, { viewport });
  assert.equal(await metrics.isVisible(".stage"), false, "no canvas");
  const chart = (await metrics.locator("[data-testid=chart-throughput]").boundingBox()).height;
  assert.ok(chart > chartBoth, `taller charts (${chart} > ${chartBoth})`);
  await waitClock(metrics, 2);
  await metrics.screenshot({ path: join(OUTPUT, "embed-800x500-view-metrics.png") });
  assert.deepEqual(metrics.errors, [], "no console errors");
  await metrics.context().close();
});

/** A one-finger drag by touch (Chromium turns touch events into touch pointer events). */
async function touchDrag(page, from, to, steps = 8) {
  const cdp = await page.context().newCDPSession(page);
  const at = (x, y) => [{ x, y, id: 1, radiusX: 4, radiusY: 4, force: 1 }];
  await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: at(from.x, from.y) });
  for (let i = 1; i <= steps; i++) {
    const x = from.x + ((to.x - from.x) * i) / steps, y = from.y + ((to.y - from.y) * i) / steps;
    await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: at(x, y) });
  }
  await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
  await cdp.detach();
}

const centre = async (page, sel) => {
  const b = await page.locator(sel).boundingBox();
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
};

test("the phone by touch (360 × 740): add a component, connect it, select and move it, play", async () => {
  const page = await load("", { viewport: PHONE, hasTouch: true, isMobile: true });
  const tap = async (sel) => {
    const c = await centre(page, sel);
    await page.touchscreen.tap(c.x, c.y);
  };
  if (await page.isVisible("[data-testid=dismiss-hint]")) await tap("[data-testid=dismiss-hint]");
  const before = await page.$$eval(".stage .node", (els) => els.map((e) => e.dataset.node));
  // Add: the Add tab opens the palette in a drawer; a tap adds a server.
  assert.equal(await page.isVisible("[data-testid=palette-server]"), false, "the palette waits in its tab");
  await tap("[data-testid=tab-palette]");
  await tap("[data-testid=palette-server]");
  await page.waitForFunction((n) => document.querySelectorAll(".stage .node").length === n + 1, before.length);
  const added = (await page.$$eval(".stage .node", (els) => els.map((e) => e.dataset.node))).find((id) => !before.includes(id));
  await tap("[data-testid=tab-palette]");
  assert.equal(await page.isVisible("[data-testid=palette-server]"), false, "the tab closes its drawer");
  // Move: drag the new component by touch to an empty spot.
  const stage = await page.locator(".stage").boundingBox();
  const from = await centre(page, `[data-testid=node-${added}]`);
  const to = { x: stage.x + stage.width * 0.5, y: stage.y + stage.height * 0.8 };
  await touchDrag(page, from, to);
  const moved = await centre(page, `[data-testid=node-${added}]`);
  assert.ok(Math.hypot(moved.x - to.x, moved.y - to.y) < 6, `moved under the finger (${JSON.stringify(moved)} vs ${JSON.stringify(to)})`);
  // Connect: drag from the load balancer's output port onto the new component.
  await touchDrag(page, await centre(page, "[data-port=out][data-node=lb]"), moved);
  await page.waitForSelector(`[data-testid=edge-lb-${added}]`, { state: "attached", timeout: 3000 });
  // Select: a tap selects; the Inspect tab shows it.
  await tap(`[data-testid=node-${added}]`);
  await page.waitForSelector(`[data-testid=node-${added}].selected`);
  await tap("[data-testid=tab-inspector]");
  assert.ok(await page.isVisible(".inspector .field"), "the inspector opens in its drawer");
  await tap("[data-testid=tab-inspector]");
  // Play: the key figures stay in view while the run plays.
  await tap("[data-testid=play]");
  await waitClock(page, 3);
  const rps = await page.locator("[data-testid=kpi-rps]").boundingBox();
  assert.ok(rps && rps.y + rps.height <= PHONE.height, "throughput in view while playing");
  await page.screenshot({ path: join(OUTPUT, "screen-touch-360x740.png") });
  assert.deepEqual(page.errors, [], "no console errors");
  await page.context().close();
});
