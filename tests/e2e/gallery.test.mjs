// The preset gallery's groups: the material's journey in order, then the blueprints and the challenges, each
// under its own heading, laid out without overflow on a desktop and on a phone; a blueprint
// loads with its lesson.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { start, OUTPUT, DESKTOP } from "./harness.mjs";

let env;
before(async () => (env = await start()));
after(async () => env?.close());

const PHONE = { width: 360, height: 740 };
const JOURNEY = [
  "single-server", "separate-database", "load-balancer", "read-replicas", "cache", "cdn", "stateless-tier",
  "multi-region", "message-queue", "sharding", "cap-partition", "url-shortener", "resilience",
];
const BLUEPRINTS = [
  "news-feed", "chat", "ride-hailing", "video-streaming", "checkout", "public-api", "autocomplete", "notifications",
];

/** The preset ids listed in a group, in order. */
const idsIn = (page, group) =>
  page.$$eval(`[data-testid=preset-group-${group}] .preset`, (els) => els.map((e) => e.dataset.testid.replace(/^preset-/, "")));

/** Opens the gallery (on a phone, from the "More" tab's drawer). */
async function openGallery(page, phone) {
  if (phone) await page.click("[data-testid=tab-menu]");
  await page.click("[data-testid=presets]");
  await page.waitForSelector("[data-testid=gallery]");
}

for (const [name, viewport] of [["desktop", DESKTOP], ["phone", PHONE]]) {
  test(`the gallery shows the journey, the blueprints and the challenges under their own headings (${name})`, async () => {
    const page = await env.page({ viewport });
    await page.goto(env.base);
    await page.waitForSelector("[data-testid=play]", { timeout: 20_000 });
    await openGallery(page, name === "phone");
    const headings = await page.$$eval("[data-testid=gallery] .preset-group h3", (hs) => hs.map((h) => h.textContent.trim()));
    assert.deepEqual(headings, ["The journey", "Blueprints", "Challenges"]);
    for (const group of ["journey", "blueprints", "challenges"]) {
      const labelled = await page.$eval(`[data-testid=preset-group-${group}]`, (s) =>
        document.getElementById(s.getAttribute("aria-labelledby"))?.textContent.trim());
      assert.ok(labelled, `the ${group} group is labelled by its heading`);
    }
    assert.deepEqual(await idsIn(page, "journey"), JOURNEY, "the journey, in order");
    assert.deepEqual(await idsIn(page, "blueprints"), BLUEPRINTS, "the blueprints, after it");
    for (const e of await page.locator("[data-testid=gallery] .preset").all()) {
      assert.ok((await e.locator(".preset-title").textContent()).trim().length > 0, "every entry has a title");
      assert.ok((await e.locator(".preset-summary").textContent()).trim().length > 0, "and a summary");
    }
    // Nothing is wider than the dialog, and the dialog fits the window.
    const fit = await page.$eval("[data-testid=gallery]", (g) => {
      const box = g.getBoundingClientRect();
      const wide = [...g.querySelectorAll(".preset")].filter((b) => b.getBoundingClientRect().right > box.right + 1).length;
      return { left: box.left, right: box.right, scroll: g.scrollWidth - g.clientWidth, wide };
    });
    assert.ok(fit.left >= 0 && fit.right <= viewport.width, `the dialog fits the window: ${JSON.stringify(fit)}`);
    assert.ok(fit.scroll <= 1 && fit.wide === 0, `no entry overflows the dialog: ${JSON.stringify(fit)}`);
    if (name === "desktop") {
      const cols = await page.$eval("[data-testid=preset-group-blueprints] .presets", (ol) =>
        getComputedStyle(ol).gridTemplateColumns.split(" ").length);
      assert.ok(cols >= 2, `the entries sit in columns at 1280 px (${cols})`);
    }
    await page.screenshot({ path: join(OUTPUT, `gallery-groups-${name}.png`) });
    await page.$eval("[data-testid=preset-group-blueprints]", (s) => s.scrollIntoView({ block: "start" }));
    await page.screenshot({ path: join(OUTPUT, `gallery-blueprints-${name}.png`) });

    await page.click("[data-testid=preset-checkout]");
    assert.equal(await page.locator("[data-testid=gallery]").count(), 0, "the gallery closes");
    assert.ok(await page.locator("[data-testid=node-payments]").count() === 1, "the blueprint is loaded");
    if (name === "phone") await page.click("[data-testid=tab-lesson]");
    const lesson = page.locator("[data-testid=lesson]");
    assert.match(await lesson.textContent(), /Checkout: payments on a queue, charged once/);
    assert.equal(await lesson.locator(".lesson-steps li").count(), 4);
    assert.deepEqual(page.errors, [], "no console errors");
    await page.context().close();
  });
}

test("a blueprint opens from ?preset= like any preset", async () => {
  const page = await env.page({ viewport: DESKTOP });
  await page.goto(`${env.base}?preset=news-feed`);
  await page.waitForSelector("[data-testid=lesson]", { timeout: 20_000 });
  assert.match(await page.textContent("[data-testid=lesson]"), /A news feed: fan-out on write or on read/);
  assert.equal(await page.locator("[data-testid=node-fanout]").count(), 1);
  assert.deepEqual(page.errors, [], "no console errors");
  await page.context().close();
});
