// Rewind: the dock's scrubber brings back an earlier instant of the run exactly (health,
// figures, fingerprint), play goes on the same way, an edit there starts a new future that
// undo takes back, and a line of the event log takes the run to its instant.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { start, openDesign, play, waitClock, settledFingerprint } from "./harness.mjs";

let env;
before(async () => (env = await start()));
after(async () => env?.close());

const server = { workers: 8, queue_capacity: 100, service_time: { exponential: { mean_ms: 20 } }, call_timeout_ms: 1000 };
const edge = (from, to) => ({ from, to, latency_ms: 1, jitter_ms: 0.5 });
const design = {
  version: 4, name: "rewind test", seed: 3,
  nodes: [
    { id: "users-1", x: 0, y: 100, kind: { client: { rate_rps: 200, timeout_ms: 2000 } } },
    { id: "lb-1", x: 200, y: 100, kind: { load_balancer: { policy: "round_robin" } } },
    { id: "web-1", x: 400, y: 30, kind: { server: { ...server } } },
    { id: "web-2", x: 400, y: 170, kind: { server: { ...server } } },
  ],
  edges: [edge("users-1", "lb-1"), edge("lb-1", "web-1"), edge("lb-1", "web-2")],
  events: [{ at_s: 5, command: { kill: { id: "web-2" } } }],
};

const KPIS = ["kpi-rps", "kpi-p50", "kpi-p95", "kpi-p99", "kpi-errors", "kpi-inflight", "kpi-failed"];
const kpis = (page) => Promise.all(KPIS.map((k) => page.textContent(`[data-testid=${k}]`)));
const health = (page) => page.textContent("[data-testid=health-web-2]");
const clock = (page) => page.$eval("[data-testid=scrub]", (el) => el.value);
const head = async (page) => (await page.textContent("[data-testid=scrub-t]")).match(/of ([\d.]+) s/)[1];
const settled = (page) => page.waitForSelector("[data-testid=scrubber][data-seeking=false]");

/** Seeks with the scrubber to `t` (a string: the clock as the page printed it). */
async function scrubTo(page, t) {
  await page.$eval("[data-testid=scrub]", (el, t) => {
    el.value = t;
    el.dispatchEvent(new Event("input", { bubbles: true }));
  }, t);
  await settled(page);
  await page.waitForFunction((t) => document.querySelector("[data-testid=scrub]").value === t, t);
}

/** Thirty single steps (3 simulated seconds), played, not sought. */
async function steps(page) {
  await page.focus("body");
  for (let i = 0; i < 30; i++) await page.keyboard.press(".");
  // The page shows the last step at its next frames.
  await settledFingerprint(page);
}

/** Plays to about 3 s and pauses: the instant (as the page prints it) and what it showed. */
async function firstPass(page) {
  await play(page, "1");
  await waitClock(page, 3);
  await page.click("[data-testid=play]");
  const at = await clock(page);
  assert.ok(parseFloat(at) < 4.5, "paused before the kill");
  const seen = { kpis: await kpis(page), fp: await settledFingerprint(page), health: await health(page) };
  assert.ok(!seen.health.startsWith("down"), "web-2 is up before 5 s");
  await steps(page);
  const later = { at: await clock(page), fp: await settledFingerprint(page), health: await health(page) };
  assert.ok(parseFloat(later.at) > 5, "stepped past the kill");
  assert.ok(later.health.startsWith("down"), "web-2 is down after 5 s");
  return { at, seen, later };
}

test("rewind: back to before a scheduled kill, the node is up and the dock as it was; played on, the kill comes again alike", async () => {
  const page = await openDesign(env, design);
  const { at, seen, later } = await firstPass(page);
  await scrubTo(page, at);
  assert.ok(!(await health(page)).startsWith("down"), "web-2 is up again");
  assert.deepEqual(await kpis(page), seen.kpis, "the dock's figures are those of that instant");
  assert.equal(await settledFingerprint(page), seen.fp, "seeking reaches the fingerprint playing reached");
  assert.equal(await head(page), parseFloat(later.at).toFixed(1), "the run's end is kept");
  await steps(page);
  assert.equal(await clock(page), later.at);
  assert.ok((await health(page)).startsWith("down"), "the kill happened again");
  assert.equal(await settledFingerprint(page), later.fp, "the same run: the same fingerprint");
  // Back one window with the key, then a log line takes the run to its instant.
  await page.keyboard.press(",");
  await settled(page);
  assert.ok(parseFloat(await clock(page)) < parseFloat(later.at), "one window back");
  await page.click("[data-testid=more-toggle]");
  await page.locator("[data-testid=log-line]", { hasText: "web-2 killed" }).click();
  await settled(page);
  assert.equal(parseFloat(await clock(page)), 5, "the log line's instant");
  assert.ok((await health(page)).startsWith("down"), "at 5 s the kill has happened");
  assert.deepEqual(page.errors, []);
});

test("rewind: an edit at an earlier instant starts a new future; undo brings the old run back", async () => {
  const page = await openDesign(env, design);
  const { at, later } = await firstPass(page);
  await scrubTo(page, at);
  await page.click("[data-testid=node-web-1]");
  await page.fill("[data-testid=field-workers]", "1");
  await page.waitForFunction((t) => document.querySelector("[data-testid=scrub-t]").textContent.endsWith(`of ${t} s`),
    parseFloat(at).toFixed(1));
  await page.evaluate(() => document.activeElement?.blur());
  await steps(page);
  assert.notEqual(await settledFingerprint(page), later.fp, "another future");
  await scrubTo(page, at);
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.press("Control+z");
  await page.waitForFunction((t) => document.querySelector("[data-testid=scrub-t]").textContent.endsWith(`of ${t} s`),
    parseFloat(later.at).toFixed(1));
  await steps(page);
  assert.equal(await clock(page), later.at);
  assert.equal(await settledFingerprint(page), later.fp, "the old run is back");
  assert.deepEqual(page.errors, []);
});
