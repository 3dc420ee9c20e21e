// Offline and installable: once loaded, the page works without a network (the service
// worker caches what it loaded); the web-app manifest is linked; an embed registers no
// service worker.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { start, play, waitClock, DESKTOP } from "./harness.mjs";
import { serve } from "./serve.mjs";

const DIST = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "dist");

let env;
before(async () => (env = await start()));
after(async () => env?.close());

const ready = (page) => page.waitForSelector("[data-testid=play]", { timeout: 20_000 });

/** Serves a copy of dist/ (so a test may change it or stop serving it); `stop()` ends it. */
async function servedCopy() {
  const dir = await mkdtemp(join(tmpdir(), "playground-sw-"));
  await cp(DIST, dir, { recursive: true });
  const server = await serve(dir);
  return {
    dir,
    base: `http://127.0.0.1:${server.address().port}/`,
    stop() {
      server.close();
      server.closeAllConnections();
    },
    async remove() {
      this.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

test("once loaded, the page loads and runs offline", async () => {
  const site = await servedCopy();
  try {
    const page = await env.page({ viewport: DESKTOP });
    await page.goto(site.base);
    await ready(page);
    await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 20_000 });
    // No network at all: the browser is offline and the server is gone.
    await page.context().setOffline(true);
    site.stop();
    await page.reload();
    await ready(page);
    await play(page);
    await waitClock(page, 1);
    assert.ok(await page.locator(".stage .node").count() > 0, "the design is drawn");
    // A preset opens offline too (the page is cached whatever its query).
    await page.goto(`${site.base}?preset=url-shortener`);
    await ready(page);
    assert.ok(await page.locator("[data-testid=lesson]").count() > 0, "the preset's lesson is shown");
    await play(page);
    await waitClock(page, 1);
    assert.deepEqual(page.errors, [], "no console errors");
    await page.context().close();
  } finally {
    await site.remove();
  }
});

test("a new version is picked up on the next visit, and the page says so", async () => {
  // A copy of the bundle, so that a "new version" can be published without touching dist/.
  const site = await servedCopy();
  const { dir, base } = site;
  try {
    const page = await env.page({ viewport: DESKTOP });
    await page.goto(base);
    await ready(page);
    await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 20_000 });
    await page.reload();
    await ready(page);
    await page.waitForTimeout(1_000);
    assert.equal(await page.locator("[data-testid=sw-notice]").count(), 0, "the same version says nothing");
    // Publish a new version: the style sheet gets a new hashed name.
    const css = (await readdir(dir)).find((f) => /^style-.*\.css$/.test(f));
    const renamed = css.replace(/\.css$/, "-2.css");
    await cp(join(dir, css), join(dir, renamed));
    const html = await readFile(join(dir, "index.html"), "utf8");
    await writeFile(join(dir, "index.html"), html.replaceAll(css, renamed));
    await page.reload();
    await ready(page);
    await page.waitForSelector("[data-testid=sw-notice]", { timeout: 10_000 });
    assert.match(await page.textContent("[data-testid=sw-notice]"), /Updated to a new version/);
    assert.ok(await page.evaluate((f) => [...document.styleSheets].some((s) => s.href?.endsWith(f)), renamed), "the new version is in use");
    // And the new version works offline.
    await page.context().setOffline(true);
    await page.reload();
    await ready(page);
    assert.ok(await page.evaluate((f) => [...document.styleSheets].some((s) => s.href?.endsWith(f)), renamed));
    assert.equal(await page.locator("[data-testid=sw-notice]").count(), 0, "said once");
    await page.context().setOffline(false);
    assert.deepEqual(page.errors, [], "no console errors");
    await page.context().close();
  } finally {
    await site.remove();
  }
});

test("the web-app manifest is linked and names the app, its icon and its colour", async () => {
  const page = await env.page({ viewport: DESKTOP });
  await page.goto(env.base);
  await ready(page);
  const href = await page.$eval("link[rel=manifest]", (l) => l.href);
  const manifest = await page.evaluate(async (href) => (await fetch(href)).json(), href);
  assert.equal(manifest.name, "System-design playground");
  assert.equal(manifest.display, "standalone");
  assert.ok(manifest.theme_color);
  const icon = manifest.icons.find((i) => i.type === "image/svg+xml");
  assert.ok(icon, "an SVG icon");
  const status = await page.evaluate(async (url) => (await fetch(url)).status, new URL(icon.src, href).href);
  assert.equal(status, 200, "the icon is served");
  assert.deepEqual(page.errors, [], "no console errors");
  await page.context().close();
});

test("an embed registers no service worker", async () => {
  const page = await env.page({ viewport: DESKTOP });
  await page.goto(`${env.base}?embed=1&preset=single-server`);
  await ready(page);
  await page.waitForTimeout(1_000);
  assert.equal(await page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length), 0);
  assert.deepEqual(page.errors, [], "no console errors");
  await page.context().close();
});
