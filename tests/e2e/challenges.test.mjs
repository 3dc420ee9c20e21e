// Graded challenges in the page: `?challenge=ID` opens one (a wrong id keeps the design),
// Submit grades the design over the trial's seeds, the first failure replays the trial at
// the instant it broke, the learner edits the starting design into a solution through the
// canvas and the inspector, and the ✓ is kept in local storage across a reload.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { start, OUTPUT, DESKTOP, DESIGN_KEY, mouseDrag } from "./harness.mjs";

let env;
before(async () => (env = await start()));
after(async () => env?.close());

const PROGRESS_KEY = "playground.challenges.v1";
const saved = (page) => page.evaluate((k) => JSON.parse(localStorage.getItem(k)), DESIGN_KEY);
const verdict = async (page) => {
  await page.waitForSelector("[data-testid=verdict], [data-testid=challenge-error]", { timeout: 20_000 });
  return page.getAttribute("[data-testid=verdict]", "data-pass");
};
const submit = async (page) => {
  await page.click("[data-testid=challenge-submit]");
  return verdict(page);
};

test("a challenge: submit fails, the first failure replays the trial there, edit into a solution, pass, ✓ after reload", async () => {
  const page = await env.page({ viewport: DESKTOP });
  // A wrong id says so and keeps the design (the demo on a first visit).
  await page.goto(`${env.base}?challenge=no-such-thing`);
  await page.waitForSelector("[data-testid=play]", { timeout: 20_000 });
  assert.match(await page.textContent("[data-testid=link-banner]"), /no challenge called “no-such-thing”.*survive-a-crash/);
  assert.ok(await page.locator(".stage .node").count() > 0, "the demo design is kept");
  assert.equal(await page.locator("[data-testid=challenge]").count(), 0, "no challenge panel");

  await page.goto(`${env.base}?challenge=survive-a-crash`);
  await page.waitForSelector("[data-testid=challenge]", { timeout: 20_000 });
  assert.equal(await page.textContent("[data-testid=challenge-title]"), "Survive one server dying");
  const goal = await page.textContent("[data-testid=challenge-goal]");
  assert.match(goal, /p99 latency ≤ 500 ms/);
  assert.match(goal, /Errors ≤ 1 %/);
  for (const id of ["users", "lb", "web-1"]) assert.equal(await page.locator(`[data-testid=node-${id}]`).count(), 1);

  // The starting design has one server: killing it at 8 s fails most requests after.
  assert.equal(await submit(page), "false");
  assert.match(await page.textContent("[data-testid=verdict-head]"), /Not yet · score 50 of 100/);
  assert.equal(await page.getAttribute("[data-testid=crit-error_rate_pct]", "data-pass"), "false");
  assert.equal(await page.getAttribute("[data-testid=crit-p99_ms]", "data-pass"), "true");
  const crit = await page.textContent("[data-testid=crit-error_rate_pct]");
  assert.match(crit, /Errors \d+(\.\d+)? % \(95 % range [\d.]+–[\d.]+ %\), goal ≤ 1 %: held on 0 of 5 seeds/);
  assert.match(crit, /seed 1: [\d.]+ %, seed 2: /, "per-seed numbers");
  assert.match(await page.textContent(".first-failure"), /Failed first: Errors, at 9 s on seed 1/);
  await page.screenshot({ path: join(OUTPUT, "challenge-fail-desktop.png") });

  // The first failure: the trial of seed 1 on the canvas, sought to 9 s.
  await page.click("[data-testid=first-failure]");
  await page.waitForSelector("[data-testid=replay-badge]");
  await page.waitForFunction(() => document.querySelector("[data-testid=scrubber]").dataset.seeking === "false"
    && /^9\.0 s of 1\d\.0 s$/.test(document.querySelector("[data-testid=scrub-t]").textContent), null, { timeout: 10_000 });
  assert.match(await page.textContent("[data-testid=sim-clock]"), /9\.0/);
  assert.match(await page.textContent("[data-testid=replay-note]"), /trial replay: seed 1 at 9 s, where errors broke/);
  assert.equal((await saved(page)).challenge.id, "survive-a-crash", "the autosave still holds the learner's design");
  assert.deepEqual((await saved(page)).events ?? [], [], "not the trial's timeline");
  await page.screenshot({ path: join(OUTPUT, "challenge-replay-desktop.png") });
  await page.click("[data-testid=replay-badge-back]");
  await page.waitForSelector("[data-testid=replay-badge]", { state: "detached" });
  assert.match(await page.textContent("[data-testid=scrub-t]"), /^0\.0 s/, "back to editing: a fresh run of the design");

  // Edit into a solution as a learner would: a spare server, quick health checks, retries.
  await page.click("[data-testid=palette-server]");
  await page.waitForSelector("[data-testid=node-web-2]");
  await mouseDrag(page, "[data-testid=node-lb] [data-port=out]", "[data-testid=node-web-2]");
  assert.equal(await page.locator("[data-testid=edge-lb-web-2]").count(), 1, "lb → web-2 connected");
  await page.click("[data-testid=node-lb]");
  await page.fill("[data-testid=field-hc_interval_ms]", "250");
  await page.click("[data-testid=node-users]");
  await page.fill("[data-testid=field-max_retries]", "2");
  const d = await saved(page);
  assert.equal(d.nodes.find((n) => n.id === "users").kind.client.retry.max_retries, 2);
  assert.equal(d.nodes.find((n) => n.id === "lb").kind.load_balancer.health_check.interval_ms, 250);

  assert.equal(await submit(page), "true");
  assert.match(await page.textContent("[data-testid=verdict-head]"), /Passed · score 100 of 100/);
  assert.equal(await page.evaluate((k) => localStorage.getItem(k), PROGRESS_KEY), "survive-a-crash 100 1\n");

  // After a reload: the attempt and the ✓ are kept.
  await page.reload();
  await page.waitForSelector("[data-testid=challenge]", { timeout: 20_000 });
  assert.equal(await page.locator("[data-testid=node-web-2]").count(), 1);
  await page.click("[data-testid=challenge-all]");
  await page.waitForSelector("[data-testid=campaign]");
  assert.equal(await page.locator("[data-testid=campaign] .challenge-entry").count(), 12, "the campaign lists 12");
  assert.equal(await page.locator("[data-testid=solved-survive-a-crash]").count(), 1, "✓ on the solved one");
  assert.equal(await page.locator("[data-testid=campaign] .solved").count(), 1, "and only there");
  assert.deepEqual(page.errors, [], "no console errors");
  await page.context().close();
});

test("a challenge at 360 px, a design the grader refuses, and storage that throws", async () => {
  const page = await env.page({ viewport: { width: 360, height: 740 } });
  await page.addInitScript(() => {
    Object.defineProperty(window, "localStorage", { get() { throw new Error("denied"); } });
  });
  await page.goto(`${env.base}?challenge=survive-a-crash`);
  await page.waitForSelector("[data-testid=challenge]", { timeout: 20_000 });
  assert.ok(await page.isVisible("[data-testid=challenge-submit]"), "the panel shows under the canvas");
  assert.match(await page.textContent("[data-testid=challenge]"), /progress cannot be kept/);
  await page.click("[data-testid=dismiss-hint]");
  await page.click("[data-testid=dismiss-banner]");
  assert.equal(await submit(page), "false");
  await page.waitForTimeout(100);
  await page.screenshot({ path: join(OUTPUT, "challenge-fail-phone.png") });
  const [width, height, y] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight, window.scrollY]);
  assert.ok(width <= 360 && height <= 740 && y === 0, `the page does not scroll (${width} × ${height} px, at ${y})`);
  assert.ok(await page.isVisible("[data-testid=node-web-1]"), "the canvas still shows the design");

  // A design whose client is not the challenge's: the grader refuses it, naming it.
  await page.setViewportSize(DESKTOP);
  await page.click("[data-testid=palette-client]");
  await page.waitForSelector("[data-testid=node-users-1]");
  await page.click("[data-testid=node-users]");
  await page.keyboard.press("Delete");
  await page.waitForSelector("[data-testid=node-users]", { state: "detached" });
  await page.click("[data-testid=challenge-submit]");
  await page.waitForSelector("[data-testid=challenge-error]");
  assert.match(await page.textContent("[data-testid=challenge-error]"), /cannot be graded: .*client "users-1" is not one of the challenge's/);
  assert.deepEqual(page.errors, [], "no console errors");
  await page.context().close();
});
