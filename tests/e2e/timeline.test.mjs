// Scheduled events on the timeline run on play and persist; the design goes to and comes
// from a JSON file, and a bad file changes nothing.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { start, OUTPUT, DESIGN_KEY, openDesign, play, waitClock, settledFingerprint } from "./harness.mjs";

let env;
before(async () => (env = await start()));
after(async () => env?.close());

const server = { workers: 8, queue_capacity: 100, service_time: { exponential: { mean_ms: 20 } }, call_timeout_ms: 1000 };
function design(name = "timeline test") {
  const edge = (from, to) => ({ from, to, latency_ms: 1, jitter_ms: 0.5 });
  return {
    version: 1, name, seed: 1,
    nodes: [
      { id: "users-1", x: 0, y: 100, kind: { client: { rate_rps: 100, timeout_ms: 2000 } } },
      { id: "lb-1", x: 200, y: 100, kind: { load_balancer: { policy: "round_robin" } } },
      { id: "web-1", x: 400, y: 30, kind: { server: { ...server } } },
      { id: "web-2", x: 400, y: 170, kind: { server: { ...server } } },
    ],
    edges: [edge("users-1", "lb-1"), edge("lb-1", "web-1"), edge("lb-1", "web-2")],
    metrics: { slo_p95_ms: 300, slo_error_rate: 0.01 },
  };
}

const items = (page) => page.$$eval("[data-testid^=tl-item-]", (els) => els.map((e) => e.textContent));
const saved = (page) => page.evaluate((k) => JSON.parse(localStorage.getItem(k)), DESIGN_KEY);

test("timeline: a kill scheduled at 5 s fires at 5 s on play, is kept on reload, can be edited and deleted", async () => {
  const page = await openDesign(env, design());
  // The timeline is in the dock's fold, closed at first; opened, it stays open on reload.
  await page.click("[data-testid=more-toggle]");
  await page.fill("[data-testid=tl-at]", "5");
  await page.selectOption("[data-testid=tl-kind]", { label: "Kill a component" });
  await page.selectOption("[data-testid=tl-target]", "web-2");
  await page.click("[data-testid=tl-add]");
  assert.deepEqual(await items(page), ["5.0 skill web-2"]);
  assert.equal(await page.locator("[data-testid=tl-marker-0]").count(), 1, "a marker on the axis");
  // A cut with a duration is the cut and its repair.
  await page.fill("[data-testid=tl-at]", "30");
  await page.selectOption("[data-testid=tl-kind]", { label: "Cut a link" });
  await page.selectOption("[data-testid=tl-target]", "lb-1 → web-1");
  await page.fill("[data-testid=tl-dur]", "15");
  await page.click("[data-testid=tl-add]");
  assert.deepEqual(await items(page), ["5.0 skill web-2", "30.0 scut lb-1 → web-1", "45.0 sheal lb-1 → web-1"]);
  // A bad time is refused with a message.
  await page.fill("[data-testid=tl-at]", "-3");
  await page.click("[data-testid=tl-add]");
  assert.match(await page.textContent("[data-testid=tl-error]"), /time must be a number/);
  assert.equal((await items(page)).length, 3);

  await page.selectOption("[data-testid=speed]", "2");
  await play(page);
  await waitClock(page, 4);
  assert.ok(!(await page.textContent("[data-testid=health-web-2]")).startsWith("down"), "alive before 5 s");
  await page.waitForFunction(() => /web-2 killed at 5\.0 s/.test(document.querySelector("[data-testid=event-log]").textContent));
  assert.ok((await page.textContent("[data-testid=health-web-2]")).startsWith("down"), "dead after 5 s");
  await page.screenshot({ path: join(OUTPUT, "timeline-desktop.png") });

  await page.reload();
  await page.waitForSelector("[data-testid=tl-item-0]");
  assert.deepEqual(await items(page), ["5.0 skill web-2", "30.0 scut lb-1 → web-1", "45.0 sheal lb-1 → web-1"], "kept on reload");
  // Edit: move the kill to 6 s; delete the heal.
  await page.click("[data-testid=tl-item-0]");
  await page.fill("[data-testid=tl-at]", "6");
  await page.click("[data-testid=tl-update]");
  await page.click("[data-testid=tl-item-2]");
  await page.click("[data-testid=tl-delete]");
  assert.deepEqual(await items(page), ["6.0 skill web-2", "30.0 scut lb-1 → web-1"]);
  assert.deepEqual((await saved(page)).events.map((e) => e.at_s), [6, 30]);
  // Added while running: fires in this run.
  await page.click("[data-testid=reset]");
  await page.selectOption("[data-testid=speed]", "1");
  await play(page);
  await waitClock(page, 1);
  await page.fill("[data-testid=tl-at]", "4");
  await page.selectOption("[data-testid=tl-kind]", { label: "Kill a component" });
  await page.selectOption("[data-testid=tl-target]", "web-1");
  await page.click("[data-testid=tl-add]");
  assert.ok((await page.textContent("[data-testid=sim-clock]")).match(/[\d.]+/)[0] < 4, "added before its time");
  await page.waitForFunction(() => /web-1 killed at 4\.0 s/.test(document.querySelector("[data-testid=event-log]").textContent));
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("export downloads the design as JSON; import loads a file; a bad file is refused naming the field and changes nothing", async () => {
  const page = await openDesign(env, design("My shop!"));
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=export-json]")]);
  assert.equal(download.suggestedFilename(), "my-shop.json");
  const exported = JSON.parse(await readFile(await download.path(), "utf8"));
  // The autosave holds the design as it was opened; the file is the full serialised form
  // of the same design (defaults written out).
  const opened = await saved(page);
  assert.equal(exported.name, opened.name);
  assert.equal(exported.version, 4);
  assert.deepEqual(exported.nodes.map((n) => [n.id, Object.keys(n.kind)[0]]), opened.nodes.map((n) => [n.id, Object.keys(n.kind)[0]]), "the file has the design's nodes");
  assert.deepEqual(exported.edges.map((e) => [e.from, e.to, e.latency_ms]), opened.edges.map((e) => [e.from, e.to, e.latency_ms]), "the file has the design's edges");

  const other = design("imported");
  other.nodes = other.nodes.slice(0, 3);
  other.edges = other.edges.slice(0, 2);
  other.nodes[2].id = "app-9";
  other.edges[1].to = "app-9";
  other.seed = 42;
  await page.setInputFiles("[data-testid=import-file]", { name: "other.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(other)) });
  await page.waitForSelector("[data-testid=node-app-9]");
  assert.equal(await page.locator(".node").count(), 3);
  assert.equal(await page.inputValue("[data-testid=seed]"), "42", "the file's seed is used");

  const bad = design("bad");
  bad.nodes[2].kind.server.workers = 0;
  await page.setInputFiles("[data-testid=import-file]", { name: "bad.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(bad)) });
  await page.waitForSelector("[data-testid=import-error]");
  const msg = await page.textContent("[data-testid=import-error]");
  assert.match(msg, /bad\.json/);
  assert.match(msg, /nodes\[2\]\.kind\.server\.workers/, `the message names the field (${msg})`);
  assert.equal(await page.locator(".node").count(), 3, "the canvas is unchanged");
  assert.equal(await page.locator("[data-testid=node-app-9]").count(), 1);

  await page.setInputFiles("[data-testid=import-file]", { name: "junk.json", mimeType: "application/json", buffer: Buffer.from("{ not json") });
  await page.waitForFunction(() => /junk\.json/.test(document.querySelector("[data-testid=import-error]").textContent));
  assert.equal(await page.locator(".node").count(), 3);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

/** The headless runner's digest of `file` run for `seconds` (sim-core's `simulate`). */
async function runnerDigest(file, seconds) {
  const { stdout } = await promisify(execFile)("cargo",
    ["run", "--quiet", "--profile", "fast-release", "-p", "sim-core", "--bin", "simulate", "--", file, "--duration-s", String(seconds)],
    { maxBuffer: 1 << 24 });
  const m = stdout.match(/^digest\s+([0-9a-f]{16})$/m);
  assert.ok(m, `the runner prints a digest:\n${stdout}`);
  return m[1];
}

test("timeline: events on window boundaries give the page the same run as the headless runner", async () => {
  const d = design("boundaries");
  // 1 s windows (the default): every event is on a window boundary.
  d.events = [
    { at_s: 1, command: { kill: { id: "web-2" } } },
    { at_s: 2, command: { set_rate: { client: "users-1", rate_rps: 300 } } },
    { at_s: 2, command: { revive: { id: "web-2" } } },
  ];
  const page = await openDesign(env, d);
  assert.deepEqual(await items(page), ["1.0 skill web-2", "2.0 susers-1 rate 300 req/s", "2.0 srevive web-2"]);
  // The runner gets the design exactly as the page holds it.
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=export-json]")]);
  const file = join(await mkdtemp(join(tmpdir(), "timeline-")), "boundaries.json");
  await writeFile(file, await readFile(await download.path()));
  for (let i = 0; i < 25; i++) await page.click("[data-testid=step]");
  await page.waitForFunction(() => document.querySelector("[data-testid=sim-clock]").textContent.includes("2.5"));
  await page.waitForFunction(() => /web-2 revived at 2\.0 s/.test(document.querySelector("[data-testid=event-log]").textContent));
  const fingerprint = await settledFingerprint(page);
  const digest = await runnerDigest(file, 2.5);
  assert.equal(fingerprint, `run #${digest.slice(0, 8)}`, "the page's run is the runner's, bit for bit");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
