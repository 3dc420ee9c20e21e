// A first visit says what to do: a hint (Play, click a component, Presets) shown until
// dismissed, remembered after a reload, shown (without failing) where storage throws, and
// never in an embed.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { start, play, waitClock, DESKTOP, OUTPUT } from "./harness.mjs";

let env;
before(async () => (env = await start()));
after(async () => env?.close());

const HINT = "[data-testid=first-hint]";
const ready = (page) => page.waitForSelector("[data-testid=play]", { timeout: 20_000 });

test("the hint is shown on a first visit, covers no control, and stays dismissed after a reload", async () => {
  const page = await env.page({ viewport: DESKTOP });
  await page.goto(env.base);
  await ready(page);
  await page.waitForSelector(HINT, { timeout: 5_000 });
  const text = await page.textContent(HINT);
  for (const what of [/Play/, /click a component/, /Presets/]) assert.match(text, what);
  await page.screenshot({ path: join(OUTPUT, "first-visit-hint.png") });
  // Non-modal: a strip of its own under the canvas, covering none of it.
  const hint = await page.locator(HINT).boundingBox();
  const stage = await page.locator(".stage").boundingBox();
  assert.ok(hint.y >= stage.y + stage.height - 0.5, "under the canvas");
  await play(page);
  await waitClock(page, 0.5);
  await page.click("[data-testid=dismiss-hint]");
  assert.equal(await page.locator(HINT).count(), 0, "dismissed");
  await page.reload();
  await ready(page);
  await page.waitForTimeout(300);
  assert.equal(await page.locator(HINT).count(), 0, "still dismissed after a reload");
  assert.deepEqual(page.errors, [], "no console errors");
  await page.context().close();
});

test("the hint covers no component of the URL-shortener preset at 1280 × 800", async () => {
  const page = await env.page({ viewport: DESKTOP });
  await page.goto(env.base + "?preset=url-shortener");
  await ready(page);
  await page.waitForSelector(HINT, { timeout: 5_000 });
  const covered = await page.evaluate((sel) => {
    const h = document.querySelector(sel).getBoundingClientRect();
    return [...document.querySelectorAll(".stage .node")].filter((n) => {
      const r = n.getBoundingClientRect();
      return r.left < h.right && h.left < r.right && r.top < h.bottom && h.top < r.bottom;
    }).map((n) => n.dataset.testid);
  }, HINT);
  assert.ok((await page.locator(".stage .node").count()) > 0);
  assert.deepEqual(covered, [], "no node under the hint");
  assert.deepEqual(page.errors, [], "no console errors");
  await page.context().close();
});

test("where storage throws, the hint is shown and dismissing it does not fail", async () => {
  const page = await env.page({ viewport: DESKTOP });
  await page.addInitScript(() => {
    Object.defineProperty(window, "localStorage", {
      get() { throw new DOMException("The document is sandboxed", "SecurityError"); },
    });
  });
  await page.goto(env.base);
  await ready(page);
  await page.waitForSelector(HINT, { timeout: 5_000 });
  await page.click("[data-testid=dismiss-hint]");
  assert.equal(await page.locator(HINT).count(), 0);
  assert.deepEqual(page.errors, [], "no console errors");
  await page.context().close();
});

test("an embed shows no hint", async () => {
  const page = await env.page({ viewport: DESKTOP });
  await page.goto(`${env.base}?embed=1&preset=single-server`);
  await ready(page);
  await page.waitForTimeout(500);
  assert.equal(await page.locator(HINT).count(), 0);
  assert.deepEqual(page.errors, [], "no console errors");
  await page.context().close();
});
