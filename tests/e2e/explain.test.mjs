// A pause condition stops the page at the same window as the headless runner; the "Why is
// p99 high?" panel names the culprit, and a slow and a failed request show as waterfalls.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { start, openDesign, play, waitClock, DESKTOP, OUTPUT } from "./harness.mjs";

const PHONE = { width: 360, height: 740 };

let env;
before(async () => (env = await start()));
after(async () => env?.close());

// A server in front of a busy database with a small queue: the tail is spent at the
// database, and some requests are turned away by its full queue.
const design = {
  version: 4, name: "explain test", seed: 1,
  nodes: [
    { id: "users-1", x: 0, y: 100, kind: { client: { rate_rps: 190, timeout_ms: 2000 } } },
    { id: "web-1", x: 200, y: 100, kind: { server: { workers: 8, queue_capacity: 100, downstream: "forward",
      service_time: { exponential: { mean_ms: 5 } } } } },
    { id: "db-1", x: 400, y: 100, kind: { server: { workers: 2, queue_capacity: 4,
      service_time: { exponential: { mean_ms: 10 } } } } },
  ],
  edges: [{ from: "users-1", to: "web-1", latency_ms: 2 }, { from: "web-1", to: "db-1", latency_ms: 1 }],
  metrics: { trace_every: 1 },
  pause_on: [{ p99_ms_above: 91 }],
};

async function runnerPause() {
  const dir = await mkdtemp(join(tmpdir(), "explain-"));
  const file = join(dir, "design.json");
  await writeFile(file, JSON.stringify(design));
  const { stdout } = await promisify(execFile)(
    "cargo", ["run", "--quiet", "--profile", "fast-release", "-p", "sim-core", "--bin", "simulate", "--",
      file, "--stop-on-condition", "--duration-s", "60", "--json"],
    { maxBuffer: 1 << 24 },
  );
  return JSON.parse(stdout).paused;
}

test("explain: the page pauses at the runner's window and explains the tail", async () => {
  const expected = await runnerPause();
  assert.equal(expected.t_s, 3, "the runner pauses at the third window");
  const page = await openDesign(env, design);
  await page.click("[data-testid=more-toggle]");
  assert.deepEqual(await page.$$eval("[data-testid=pause-item]", (els) => els.map((e) => e.textContent.trim())),
    ["p99 above 91 ms ×"]);
  await play(page, "ff");
  await page.waitForFunction(() => document.querySelector("[data-testid=pause-message]").textContent !== "",
    null, { timeout: 30_000 });
  assert.equal(await page.textContent("[data-testid=pause-message]"), expected.message);
  assert.equal(await page.getAttribute("[data-testid=play]", "aria-label"), "Play", "the run paused");

  // The culprit in one sentence and the tail by node.
  assert.match(await page.textContent("[data-testid=culprit]"), /^\d+ % of the p99 is (waiting in db-1's queue|being served at db-1)$/);
  const nodes = await page.$$eval("[data-testid=tail-row] td:first-child", (els) => els.map((e) => e.textContent));
  assert.ok(nodes.includes("db-1") && nodes.includes("web-1"), nodes.join(","));
  assert.match(await page.textContent("[data-testid=failures]"), /db-1: queue full: [\d.]+\/s/);
  // On the canvas, the database carries the same words under its box; the web server, which
  // failed nothing itself, carries none.
  const listed = await page.$$eval("[data-testid=failures] li", (els) => els.map((e) => e.textContent));
  const db = listed.find((l) => l.startsWith("db-1: "));
  assert.equal(await page.textContent("[data-testid=failures-db-1]"), db.slice("db-1: ".length));
  assert.equal(await page.locator("[data-testid=failures-web-1]").count(), 0);
  assert.match(await page.textContent("[data-testid=state-db-1]"), /failing queue full: [\d.]+\/s/);

  // A slow request's waterfall goes users → web → db; a failed one ends at db's full queue.
  await page.click("[data-testid=trace-slow]");
  const rows = await page.$$eval("[data-testid=wf-row] .wf-node", (els) => els.map((e) => e.textContent.trim()));
  assert.deepEqual(rows.slice(0, 3), ["users-1", "web-1", "db-1"]);
  assert.match(await page.textContent("[data-testid=wf-head]"), /ms end to end/);
  await page.click("[data-testid=trace-failed]");
  assert.match(await page.textContent("[data-testid=wf-head]"), /failed at db-1: queue full/);

  // A condition added in the editor is part of the design.
  await page.selectOption("[data-testid=pause-kind]", { label: "a node is down" });
  await page.selectOption("[data-testid=pause-node]", "web-1");
  await page.click("[data-testid=pause-add]");
  assert.equal(await page.locator("[data-testid=pause-item]").count(), 2);
  assert.deepEqual(page.errors, []);
});

for (const [name, viewport] of [["desktop", DESKTOP], ["phone", PHONE]]) {
test(`explain: clicking a request dot shows that request's journey as a waterfall (${name})`, async () => {
  const page = await openDesign(env, { ...design, pause_on: [] }, viewport);
  assert.equal(await page.getAttribute("[data-testid=more-toggle]", "aria-expanded"), "false");
  await play(page);
  await waitClock(page, 1.5);
  await page.click("[data-testid=play]");
  // Paused, the dots stand still and the canvas lists where it drew them.
  await page.waitForFunction(() => JSON.parse(document.querySelector("#stage-canvas").dataset.dots || "[]").length > 0,
    null, { timeout: 10_000 });
  const dots = JSON.parse(await page.getAttribute("#stage-canvas", "data-dots"));
  const stage = await page.locator("[data-testid=stage]").boundingBox();
  // A dot on the link between the boxes, clear of their ports.
  const left = await page.locator("[data-node=users-1]").first().boundingBox();
  const right = await page.locator("[data-node=web-1]").first().boundingBox();
  const [x, y] = dots.find(([x]) => stage.x + x > left.x + left.width + 12 && stage.x + x < right.x - 12);
  await page.mouse.click(stage.x + x + 2, stage.y + y + 1);
  await page.waitForSelector("[data-testid=wf-title]", { timeout: 5_000 });
  assert.match(await page.textContent("[data-testid=wf-title]"), /^Request #\d+ \(clicked\)$/);
  assert.equal(await page.getAttribute("[data-testid=more-toggle]", "aria-expanded"), "true", "the fold opened");
  const rows = await page.$$eval("[data-testid=wf-row] .wf-node", (els) => els.map((e) => e.textContent.trim()));
  assert.equal(rows[0], "users-1", rows.join(","));
  assert.ok(rows.includes("web-1"), rows.join(","));
  assert.match(await page.textContent("[data-testid=wf-head]"), /ms (end to end|so far, still in flight)|failed at/);
  // On a phone too, the waterfall is brought into view (the charts' drawer opens).
  assert.ok(await page.isVisible("[data-testid=wf-title]"), "the waterfall is in view");
  await page.screenshot({ path: join(OUTPUT, `clicked-trace-${name}.png`) });
  assert.deepEqual(page.errors, []);
});
}
