// The data tier end to end in headless Chromium: a cache in front of a database is
// flushed; a primary is partitioned from its replica and healed. Numbers are read from
// the page (dock figures, node badges, inspector rows).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { start, OUTPUT, DESKTOP, openDesign, num, play, waitClock, mouseDrag } from "./harness.mjs";

let env;
before(async () => (env = await start()));
after(async () => env?.close());

const PHONE = { width: 360, height: 740 };

const open = (design, viewport = DESKTOP) => openDesign(env, design, viewport);

const clock = (page) => num(page, "sim-clock");


/** Clears the canvas, drops `kinds` in a row and connects them in a chain. */
async function buildChain(page, kinds, ids) {
  await page.click("[data-testid=clear]");
  for (const [i, kind] of kinds.entries()) {
    await page.dragAndDrop(`[data-testid=palette-${kind}]`, "[data-testid=stage]", {
      targetPosition: { x: 70 + 175 * i, y: 150 + (i % 2) * 70 },
    });
  }
  for (const id of ids) assert.ok(await page.isVisible(`[data-testid=node-${id}]`), `${id} was dropped`);
  for (let i = 1; i < ids.length; i++) {
    await mouseDrag(page, `[data-testid=node-${ids[i - 1]}] [data-port=out]`, `[data-testid=node-${ids[i]}]`);
    assert.equal(await page.locator(`[data-testid=edge-${ids[i - 1]}-${ids[i]}]`).count(), 1, `${ids[i - 1]} → ${ids[i]}`);
  }
}

/** Samples `read()` until the clock passes `until`; returns every sample. */
async function sampleUntil(page, until, read) {
  const out = [];
  while ((await clock(page)) < until) {
    out.push(await read());
    await page.waitForTimeout(40);
  }
  return out;
}

test("must-show 4: a cache in front of a database; flush it: the hit ratio drops and the database load jumps", async () => {
  const page = await open(null);
  await buildChain(page, ["client", "server", "cache", "database"], ["users-1", "web-1", "cache-1", "db-1"]);
  // A cache sits in front of exactly one node.
  await page.dragAndDrop("[data-testid=palette-database]", "[data-testid=stage]", { targetPosition: { x: 600, y: 380 } });
  await mouseDrag(page, "[data-testid=node-cache-1] [data-port=out]", "[data-testid=node-db-2]");
  assert.match(await page.textContent("[data-testid=notice]"), /exactly one/);
  await page.click("[data-testid=node-db-2]");
  await page.click("[data-testid=delete]");
  // Cache fields are validated as typed.
  await page.click("[data-testid=node-cache-1]");
  await page.fill("[data-testid=field-capacity_keys]", "0");
  assert.ok(await page.isVisible("[data-testid=error-capacity_keys]"), "capacity 0 is flagged");
  await page.fill("[data-testid=field-capacity_keys]", "2000");
  assert.equal(await page.locator("[data-testid=error-capacity_keys]").count(), 0);

  await play(page, "5");
  await waitClock(page, 18, 60_000);
  const hit = () => num(page, "kpi-hit-ratio");
  const dbLoad = () => num(page, "data-db-1");
  const warm = await sampleUntil(page, 20, async () => [await hit(), await dbLoad()]);
  const baseHit = Math.max(...warm.map((s) => s[0]));
  const baseDb = Math.min(...warm.map((s) => s[1]));
  assert.ok(baseHit >= 40, `the warm cache answers most reads (${baseHit}%)`);
  assert.ok(await num(page, "dr-hit-ratio") >= 0, "the inspector shows the cache's hit ratio");
  await page.click("[data-testid=flush]");
  const flushedAt = await clock(page);
  const after = await sampleUntil(page, flushedAt + 3, async () => [await hit(), await dbLoad()]);
  const minHit = Math.min(...after.map((s) => s[0]));
  const maxDb = Math.max(...after.map((s) => s[1]));
  assert.ok(minHit <= baseHit - 15, `hit ratio drops after the flush (${baseHit}% → ${minHit}%)`);
  assert.ok(maxDb >= baseDb * 1.3, `database load jumps after the flush (${baseDb} → ${maxDb} q/s)`);
  assert.ok(await num(page, "kpi-cost") > 0, "the dock shows a monthly cost");
  assert.match(await page.textContent("[data-testid=event-log]"), /cache-1/);
  await page.screenshot({ path: join(OUTPUT, "cache-flush.png") });
  assert.deepEqual(page.errors, [], "no console errors");
  await page.context().close();
});

test("must-show 5: partition a primary from its replica: lag grows, stale reads are counted; heal: lag returns to normal", async () => {
  const page = await open(null);
  await buildChain(page, ["client", "server", "database", "database"], ["users-1", "web-1", "db-1", "db-2"]);
  await page.waitForFunction(() => /lag/.test(document.querySelector("[data-testid=data-db-2]")?.textContent ?? ""),
    null, { timeout: 5_000 });
  await play(page, "5");
  await waitClock(page, 6, 60_000);
  const lag = () => num(page, "kpi-lag");
  const stale = () => num(page, "kpi-stale");
  const normal = Math.max(...(await sampleUntil(page, 8, lag)));
  assert.ok(normal < 500, `replication lag is small while the link is up (${normal} ms)`);
  await page.click("[data-testid=edge-db-1-db-2]", { force: true });
  await page.click("[data-testid=cut]");
  const cutAt = await clock(page);
  const staleAtCut = await stale();
  await waitClock(page, cutAt + 5, 60_000);
  const grown = await lag();
  assert.ok(grown >= 3000, `replication lag grows while the replica is cut off (${grown} ms)`);
  await page.click("[data-testid=node-db-2]");
  assert.ok(await num(page, "dr-lag") >= 3000, "the replica's inspector shows the lag");
  await page.screenshot({ path: join(OUTPUT, "replica-partitioned.png") });
  await page.click("[data-testid=edge-db-1-db-2]", { force: true });
  await page.click("[data-testid=heal]");
  const healedAt = await clock(page);
  await waitClock(page, healedAt + 8, 60_000);
  const staleAfter = await stale();
  assert.ok(staleAfter > staleAtCut, `stale reads are counted while the replica catches up (${staleAtCut} → ${staleAfter})`);
  const settled = await lag();
  assert.ok(settled < 500, `lag returns to normal after the heal (${settled} ms)`);
  assert.ok(await num(page, "kpi-ryw") >= 0);
  assert.match(await page.textContent("[data-testid=event-log]"), /link db-1 -> db-2 healed at/);
  await page.screenshot({ path: join(OUTPUT, "replica-healed.png") });
  assert.deepEqual(page.errors, [], "no console errors");
  await page.context().close();
});

/** Client → LB → server → cache → primary → replica, and server → queue. */
function dataDesign() {
  const node = (id, x, y, kind) => ({ id, x, y, kind });
  const edge = (from, to, latency_ms) => ({ from, to, latency_ms });
  const db = { max_connections: 20, queue_capacity: 200,
    read_service_time: { exponential: { mean_ms: 5 } }, write_service_time: { exponential: { mean_ms: 15 } } };
  return {
    version: 1, name: "data tier", seed: 1,
    nodes: [
      node("users-1", 0, 120, { client: { rate_rps: 300, timeout_ms: 2000,
        mix: { read: 0.7, write: 0.2, static_asset: 0, job: 0.1 }, keys: { zipf: { key_count: 5000, s: 1.0 } } } }),
      node("lb-1", 180, 120, { load_balancer: { policy: "round_robin" } }),
      node("web-1", 360, 120, { server: { workers: 32, queue_capacity: 100,
        service_time: { log_normal: { mean_ms: 10, sigma: 0.5 } } } }),
      node("cache-1", 540, 40, { cache: { capacity_keys: 1000, ttl_s: 60 } }),
      node("db-1", 720, 40, { database: { ...db, read_from_replicas: true, failover_detection_ms: 3000 } }),
      node("db-2", 900, 40, { database: db }),
      node("queue-1", 540, 220, { message_queue: { capacity: 1000, workers: 16,
        service_time: { exponential: { mean_ms: 40 } }, visibility_timeout_ms: 5000 } }),
    ],
    edges: [edge("users-1", "lb-1", 20), edge("lb-1", "web-1", 1), edge("web-1", "cache-1", 1),
      edge("cache-1", "db-1", 1), edge("db-1", "db-2", 1), edge("web-1", "queue-1", 1)],
    metrics: { slo_p95_ms: 300, slo_error_rate: 0.01 },
  };
}

test("a data-tier design at 1280×800 and 360 px: every figure has its place, nothing overflows", async () => {
  for (const [name, viewport] of [["data-tier-desktop.png", DESKTOP], ["data-tier-phone.png", PHONE]]) {
    const page = await open(dataDesign(), viewport);
    await play(page, "5");
    await waitClock(page, 10, 60_000);
    for (const k of ["kpi-hit-ratio", "kpi-evictions", "kpi-lag", "kpi-stale", "kpi-ryw", "kpi-lost",
      "kpi-backlog", "kpi-oldest", "kpi-dlq", "kpi-duplicates", "kpi-cost"]) {
      assert.equal(await page.locator(`[data-testid=${k}]`).count(), 1, `${k} is in the dock`);
    }
    for (const id of ["cache-1", "db-1", "db-2", "queue-1"]) {
      assert.equal(await page.locator(`[data-testid=data-${id}]`).count(), 1, `${id} has a data badge`);
    }
    await page.click("[data-testid=node-queue-1]", { force: true });
    assert.ok(await num(page, "dr-backlog") >= 0, "the queue's inspector shows its backlog");
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= viewport.width, `no horizontal overflow (scrollWidth ${width})`);
    await page.screenshot({ path: join(OUTPUT, name), fullPage: viewport === PHONE });
    assert.deepEqual(page.errors, [], "no console errors");
    await page.context().close();
  }
});
