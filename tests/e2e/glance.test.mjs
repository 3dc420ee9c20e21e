// The page at a glance: at 1280 × 800 and larger the whole design, the golden-signal charts,
// the run controls and the design's figures are in view together without scrolling; the
// run bar keeps its height between landing and playing; the timeline and the event log
// fold away and the fold is remembered; nothing in the inspector overflows its column; at
// 1024 × 768 the run bar holds its controls without overlap and the charts stay in view.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { start, play, waitClock, DESKTOP, OUTPUT } from "./harness.mjs";

let env;
before(async () => (env = await start()));
after(async () => env?.close());

const DESIGNS = [["demo", ""], ["url-shortener", "?preset=url-shortener"]];
const WIDE = { width: 1440, height: 900 };
const PHONE = { width: 360, height: 740 };

async function load(viewport, query) {
  const page = await env.page({ viewport });
  await page.goto(env.base + query);
  await page.waitForSelector("[data-testid=play]", { timeout: 20_000 });
  // The canvas frames the design after its first frame.
  await page.waitForTimeout(300);
  return page;
}

/** Elements (by selector) whose box is not wholly inside the viewport; also the page's scroll. */
function outOfView(page, selectors) {
  return page.evaluate((selectors) => {
    const out = [];
    const w = window.innerWidth, h = window.innerHeight;
    for (const sel of selectors) {
      const els = [...document.querySelectorAll(sel)];
      if (els.length === 0) out.push(`${sel}: none`);
      for (const el of els) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0 || r.left < -0.5 || r.top < -0.5 || r.right > w + 0.5 || r.bottom > h + 0.5) {
          const id = el.dataset.testid ?? el.className;
          out.push(`${sel} ${id}: ${Math.round(r.left)},${Math.round(r.top)} – ${Math.round(r.right)},${Math.round(r.bottom)}`);
        }
      }
    }
    const se = document.scrollingElement;
    if (se.scrollHeight > h || se.scrollWidth > w) out.push(`the page scrolls (${se.scrollWidth} × ${se.scrollHeight})`);
    return out;
  }, selectors);
}

const AT_A_GLANCE = [
  "[data-testid=chart-throughput]", "[data-testid=chart-latency]", "[data-testid=chart-errors]",
  ".stage .node", "[data-testid=play]", "[data-testid=step]", "[data-testid=reset]", "[data-testid=speed]",
  "[data-testid=sim-clock]", ".dock .kpi",
];

const runbarHeight = (page) => page.$eval(".runbar", (el) => el.getBoundingClientRect().height);

/** What in the inspector is wider than its column (the inspector, each field row, any box). */
function inspectorOverflow(page) {
  return page.evaluate(() => {
    const insp = document.querySelector(".inspector");
    const bad = [];
    if (insp.scrollWidth > insp.clientWidth) bad.push(`inspector scrollWidth ${insp.scrollWidth} > ${insp.clientWidth}`);
    const right = insp.getBoundingClientRect().left + insp.clientLeft + insp.clientWidth;
    for (const el of insp.querySelectorAll(".field, .input-unit, .buttons, .data-row")) {
      if (el.scrollWidth > el.clientWidth) bad.push(`${el.className} (${el.textContent.slice(0, 40)}) scrollWidth ${el.scrollWidth} > ${el.clientWidth}`);
    }
    for (const el of insp.querySelectorAll("*")) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > right + 0.5) bad.push(`${el.tagName.toLowerCase()}.${el.className} (${el.textContent.slice(0, 30)}) ends at ${r.right} > ${right}`);
    }
    return bad;
  });
}

for (const [name, query] of DESIGNS) {
  test(`at a glance (${name}, 1280 × 800): design, charts, run controls and figures in view, landing and playing`, async () => {
    const page = await load(DESKTOP, query);
    assert.deepEqual(await outOfView(page, AT_A_GLANCE), [], "in view on landing");
    assert.equal(await page.isVisible("[data-testid=timeline]"), false, "the timeline is folded away");
    assert.equal(await page.isVisible("[data-testid=event-log]"), false, "the event log is folded away");
    const before = await runbarHeight(page);
    const stageHeight = () => page.$eval(".stage", (el) => el.getBoundingClientRect().height);
    const stageBefore = await stageHeight();
    await play(page);
    await waitClock(page, 2);
    assert.equal(await page.getAttribute("[data-testid=play]", "aria-label"), "Pause");
    assert.equal(await runbarHeight(page), before, "the run bar keeps its height once playing");
    // The dock's lines (the availability line the longest) keep one height as the figures
    // come in, so the canvas above does not shrink under the learner.
    const [title, text] = await page.$eval("[data-testid=availability]", (el) => [el.title, el.textContent]);
    assert.equal(title, text, "the whole availability line is its tooltip");
    assert.equal(await stageHeight(), stageBefore, "the canvas keeps its height once playing");
    assert.deepEqual(await outOfView(page, AT_A_GLANCE), [], "in view while playing");
    // Every component's inspector fits its column.
    const ids = await page.$$eval(".stage .node", (els) => els.map((e) => e.dataset.testid));
    for (const id of ids) {
      await page.click(`[data-testid=${id}]`);
      await page.waitForSelector(".inspector .field");
      assert.deepEqual(await inspectorOverflow(page), [], `${id}: nothing overflows the inspector`);
    }
    assert.deepEqual(page.errors, [], "no console errors");
    await page.context().close();
  });
}

test("the inspector fits its column at 1440 × 900 too", async () => {
  const page = await load(WIDE, "?preset=url-shortener");
  const ids = await page.$$eval(".stage .node", (els) => els.map((e) => e.dataset.testid));
  assert.ok(ids.length > 0);
  for (const id of ids) {
    await page.click(`[data-testid=${id}]`);
    await page.waitForSelector(".inspector .field");
    assert.deepEqual(await inspectorOverflow(page), [], `${id}: nothing overflows the inspector`);
  }
  assert.deepEqual(await outOfView(page, AT_A_GLANCE), [], "in view at 1440 × 900");
  assert.deepEqual(page.errors, [], "no console errors");
  await page.context().close();
});

/** Run-bar controls that leave the bar or the viewport, are cut, or overlap one another. */
function runbarClashes(page) {
  return page.evaluate(() => {
    const bar = document.querySelector(".runbar").getBoundingClientRect();
    const w = window.innerWidth;
    const els = [...document.querySelectorAll(".runbar :is(button, select, input, .field-inline, .clock, .fingerprint)")]
      .filter((el) => el.getClientRects().length > 0);
    const name = (el) => el.dataset.testid ?? el.textContent.trim().slice(0, 16);
    const bad = [];
    for (const el of els) {
      const r = el.getBoundingClientRect();
      if (r.left < bar.left - 0.5 || r.right > Math.min(bar.right, w) + 0.5 || r.top < bar.top - 0.5 || r.bottom > bar.bottom + 0.5) {
        bad.push(`${name(el)} leaves the run bar`);
      }
      if (el.matches("button") && el.scrollWidth > el.clientWidth + 1) bad.push(`${name(el)} is cut`);
    }
    for (const [i, a] of els.entries()) {
      for (const b of els.slice(i + 1)) {
        if (a.contains(b) || b.contains(a)) continue;
        const p = a.getBoundingClientRect(), q = b.getBoundingClientRect();
        const dx = Math.min(p.right, q.right) - Math.max(p.left, q.left);
        const dy = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
        if (dx > 0.5 && dy > 0.5) bad.push(`${name(a)} overlaps ${name(b)}`);
      }
    }
    return bad;
  });
}

test("at 1024 × 768 the run bar holds its controls cleanly, the canvas keeps its room and the three charts are in view", async () => {
  const page = await load({ width: 1024, height: 768 }, "?preset=url-shortener");
  await play(page);
  await waitClock(page, 2);
  assert.deepEqual(await runbarClashes(page), [], "nothing in the run bar overflows or overlaps");
  const CHARTS = ["[data-testid=chart-throughput]", "[data-testid=chart-latency]", "[data-testid=chart-errors]"];
  assert.deepEqual(await outOfView(page, [...CHARTS, "[data-testid=play]", "[data-testid=speed]"]), [], "charts in view");
  const stage = (await page.locator(".stage").boundingBox()).height;
  assert.ok(stage >= 0.4 * 768, `the canvas keeps its room beside the figures (${stage} px)`);
  assert.deepEqual(page.errors, [], "no console errors");
  await page.context().close();
});

test("the timeline and event log fold open and closed, and the fold is remembered", async () => {
  const page = await load(DESKTOP, "");
  const toggle = "[data-testid=more-toggle]";
  assert.equal(await page.getAttribute(toggle, "aria-expanded"), "false");
  const stageBefore = (await page.locator(".stage").boundingBox()).height;
  await page.click(toggle);
  assert.equal(await page.getAttribute(toggle, "aria-expanded"), "true");
  assert.ok(await page.isVisible("[data-testid=timeline]"), "the timeline is shown");
  assert.ok(await page.isVisible("[data-testid=event-log]"), "the event log is shown");
  assert.ok((await page.locator(".stage").boundingBox()).height < stageBefore, "the canvas makes room");
  await page.reload();
  await page.waitForSelector("[data-testid=play]", { timeout: 20_000 });
  assert.equal(await page.getAttribute(toggle, "aria-expanded"), "true", "still open after a reload");
  assert.ok(await page.isVisible("[data-testid=timeline]"));
  await page.click(toggle);
  await page.reload();
  await page.waitForSelector("[data-testid=play]", { timeout: 20_000 });
  assert.equal(await page.getAttribute(toggle, "aria-expanded"), "false", "still closed after a reload");
  assert.equal(await page.isVisible("[data-testid=timeline]"), false);
  assert.deepEqual(page.errors, [], "no console errors");
  await page.context().close();
});

for (const [vname, viewport] of [["1280x800", DESKTOP], ["1440x900", WIDE], ["360x740", PHONE]]) {
  test(`screenshots while playing at ${vname}`, async () => {
    for (const [name, query] of DESIGNS) {
      const page = await load(viewport, query);
      await play(page);
      await waitClock(page, 4);
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(OUTPUT, `glance-${name}-${vname}.png`), fullPage: viewport === PHONE });
      if (viewport === PHONE) {
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= viewport.width, `${name}: no horizontal overflow at 360 px (scrollWidth ${width})`);
      }
      assert.deepEqual(page.errors, [], "no console errors");
      await page.context().close();
    }
  });
}
