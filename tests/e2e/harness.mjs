// Shared set-up for the end-to-end tests: serve dist/ on 127.0.0.1, drive Debian's
// Chromium headless through playwright-core, and collect console errors.
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { serve } from "./serve.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const OUTPUT = join(ROOT, "tests", "output");

const FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

/** Starts the server and the browser; returns helpers and a close(). */
export async function start() {
  await mkdir(OUTPUT, { recursive: true });
  const server = await serve(join(ROOT, "dist"));
  const base = `http://127.0.0.1:${server.address().port}/`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: FLAGS,
  });
  return {
    base,
    browser,
    /** A fresh page whose console errors and page errors are collected in `errors`. */
    async page(options = {}) {
      const context = await browser.newContext(options);
      const page = await context.newPage();
      page.errors = [];
      page.on("console", (m) => m.type() === "error" && page.errors.push(m.text()));
      page.on("pageerror", (e) => page.errors.push(String(e)));
      return page;
    },
    async close() {
      await browser.close();
      server.close();
    },
  };
}

/** Counts pixels of a canvas that differ from its first pixel (0 = blank). */
export function paintedPixels(page, selector) {
  return page.$eval(selector, (canvas) => {
    const { width, height } = canvas;
    const data = canvas.getContext("2d").getImageData(0, 0, width, height).data;
    let painted = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] !== 0) painted++;
    }
    return painted;
  });
}

export const DESKTOP = { width: 1280, height: 800 };
/** The localStorage key of the autosaved design. */
export const DESIGN_KEY = "playground.design.v1";

/** Opens the app in a fresh page, with `design` (if any) as the autosave of the first load. */
export async function openDesign(env, design, viewport = DESKTOP) {
  const page = await env.page({ viewport });
  if (design) {
    await page.addInitScript(([key, json]) => {
      if (!sessionStorage.getItem("seeded")) {
        localStorage.setItem(key, json);
        sessionStorage.setItem("seeded", "1");
      }
    }, [DESIGN_KEY, JSON.stringify(design)]);
  }
  await page.goto(env.base);
  await page.waitForSelector("[data-testid=play]", { timeout: 20_000 });
  return page;
}

/** The first number in an element's text ("t = 12.3 s" → 12.3). */
export async function num(page, testid) {
  const text = await page.textContent(`[data-testid=${testid}]`);
  const m = text.match(/-?\d+(\.\d+)?/);
  assert.ok(m, `${testid} shows a number (${text})`);
  return parseFloat(m[0]);
}

/** Sets the speed (if given) and presses Play unless the run is already playing. */
export async function play(page, speed) {
  if (speed) await page.selectOption("[data-testid=speed]", speed);
  const label = await page.getAttribute("[data-testid=play]", "aria-label");
  if (label === "Play") await page.click("[data-testid=play]");
}

/** Waits until the simulated clock reaches `t` seconds. */
export async function waitClock(page, t, timeout = 30_000) {
  await page.waitForFunction(
    (t) => parseFloat(document.querySelector("[data-testid=sim-clock]").textContent.replace(/[^0-9.]/g, "")) >= t,
    t, { timeout },
  );
}

/** Drags from the centre of `from` to the centre of `to` with the mouse. */
export async function mouseDrag(page, from, to) {
  const a = await page.locator(from).boundingBox();
  const b = await page.locator(to).boundingBox();
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 8 });
  await page.mouse.up();
}

/** The run fingerprint once it has settled (the snapshot is published on the next frame). */
export async function settledFingerprint(page) {
  let last = null;
  for (let i = 0; i < 20; i++) {
    await page.waitForTimeout(100);
    const fp = await page.textContent("[data-testid=fingerprint]");
    if (fp === last) break;
    last = fp;
  }
  return last;
}
