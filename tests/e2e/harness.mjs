// Shared set-up for the end-to-end tests: serve dist/ on 127.0.0.1, drive Debian's
// Chromium headless through playwright-core, and collect console errors.
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
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
