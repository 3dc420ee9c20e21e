// The page at a glance: at 1280 × 800 and larger the whole design, the golden-signal charts,
// the run controls and the design's figures are in view together without scrolling; the
// run bar keeps its height between landing and playing; the timeline and the event log
// fold away and the fold is remembered; nothing in the inspector overflows its column.
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
    await play(page);
    await waitClock(page, 2);
    assert.equal(await page.getAttribute("[data-testid=play]", "aria-label"), "Pause");
    assert.equal(await runbarHeight(page), before, "the run bar keeps its height once playing");
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
