// The host-page API (docs/host-api.md): a course page on another origin drives an embedded
// playground with postMessage — loads a preset, plays, receives a message per metrics
// window, reads a snapshot, seeks, loads its own scenario, and hears alerts, a breakpoint
// and the run finish; opens a challenge, submits it and hears the verdict; a malformed message gets an
// error reply and changes nothing; a page whose origin host= does not name is ignored.
// Also the example host page of the docs, served the same way.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { start, DESKTOP } from "./harness.mjs";
import { serve } from "./serve.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const DOCS = join(ROOT, "docs");

let env, dir, hostServer, otherServer, hostOrigin, otherOrigin;

/** A course page that frames `src` and records every message it receives. */
const hostPage = (src) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Course</title></head>
<body><iframe id="pg" title="Playground" src="${src}" width="1000" height="640"></iframe>
<script>
  window.got = [];
  addEventListener("message", (e) => window.got.push({ origin: e.origin, data: e.data }));
  const frame = () => document.getElementById("pg").contentWindow;
  window.send = (msg) => frame().postMessage(msg, "*");
  window.ask = (msg) => new Promise((ok, fail) => {
    const seen = (e) => {
      if (e.data && e.data.re === msg.id) { removeEventListener("message", seen); ok(e.data); }
    };
    addEventListener("message", seen);
    frame().postMessage(msg, "*");
    setTimeout(() => fail(new Error("no reply to " + JSON.stringify(msg))), 15000);
  });
</script></body></html>`;

before(async () => {
  env = await start();
  dir = await mkdtemp(join(tmpdir(), "playground-host-"));
  hostServer = await serve(dir);
  otherServer = await serve(dir);
  hostOrigin = `http://127.0.0.1:${hostServer.address().port}`;
  otherOrigin = `http://127.0.0.1:${otherServer.address().port}`;
  const src = `${env.base}?embed=1&hide=palette&host=${encodeURIComponent(hostOrigin)}`;
  await writeFile(join(dir, "course.html"), hostPage(src));
  await copyFile(join(DOCS, "host-example.html"), join(dir, "host-example.html"));
});
after(async () => {
  await env?.close();
  hostServer?.close();
  otherServer?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

let n = 0;
const req = (type, extra = {}) => ({ protocol: 1, id: `r${++n}`, type, ...extra });
const events = (page, name) =>
  page.evaluate((name) => window.got.filter((m) => m.data?.event === name).map((m) => m.data), name);
const playground = (page) => page.frames().find((f) => f.url().startsWith(env.base));

test("a course page on another origin drives the playground", async () => {
  const page = await env.page({ viewport: DESKTOP });
  await page.goto(`${hostOrigin}/course.html`);
  await page.waitForFunction(() => window.got.some((m) => m.data?.event === "ready"), null, { timeout: 20_000 });
  const [ready] = await events(page, "ready");
  assert.deepEqual(ready.protocol_versions, [1]);
  assert.ok(ready.presets.includes("load-balancer"));
  const ask = (type, extra) => page.evaluate((m) => window.ask(m), req(type, extra));

  const loaded = await ask("load_preset", { preset: "load-balancer" });
  assert.equal(loaded.ok, true, loaded.error);
  assert.equal(loaded.protocol, 1);
  assert.ok(loaded.nodes.length >= 3, "the preset's nodes");
  const sub = await ask("subscribe");
  assert.equal(sub.ok, true);
  assert.ok((await ask("set_speed", { speed: 10 })).ok);
  assert.ok((await ask("play")).ok);
  await page.waitForFunction(() => window.got.filter((m) => m.data?.event === "window").length >= 4, null, { timeout: 15_000 });
  const windows = await events(page, "window");
  for (const [i, w] of windows.entries()) {
    assert.equal(w.protocol, 1);
    assert.ok(Math.abs(w.t_s - (i + 1) * sub.window_s) < 1e-6, `one message per window, in order (${w.t_s})`);
    assert.ok(w.global.throughput_rps > 0, "throughput");
    assert.ok(w.global.p50_ms > 0 && w.global.p50_ms <= w.global.p99_ms, "latency percentiles");
    assert.ok(w.global.availability > 0.5 && w.global.availability <= 1, "availability");
    assert.deepEqual(w.nodes.map((x) => x.id), loaded.nodes, "every node's figures");
  }
  const snap = await ask("snapshot");
  assert.equal(snap.ok, true);
  assert.ok(snap.clock_s >= 4 * sub.window_s && snap.running === true && snap.speed === 10);
  assert.ok(snap.window.throughput_rps > 0 && snap.window.error_rate >= 0);
  assert.deepEqual(snap.nodes.map((x) => x.id), loaded.nodes);
  const origins = await page.evaluate(() => [...new Set(window.got.map((m) => m.origin))]);
  assert.deepEqual(origins, [new URL(env.base).origin], "everything came from the playground");

  // Malformed, unknown or absurd: an error reply each, and nothing changes (still paused).
  const paused = await ask("pause");
  assert.ok(paused.ok);
  const server = loaded.nodes.find((id) => /web|server|app/.test(id));
  const bad = [
    [req("play", { now: true }), /play: unknown field `now`/],
    [{ ...req("play"), protocol: 2 }, /speaks protocol 1, not 2/],
    [req("explode"), /unknown request "explode"/],
    [req("seek", { t_s: "soon" }), /seek: invalid type/],
    [req("set_param", { node: server, field: "workers", value: 1e9 }), /workers: between 1 and \d+, got 1000000000/],
    [req("load_preset", { preset: "nope" }), /There is no preset called “nope”/],
  ];
  for (const [msg, why] of bad) {
    const r = await page.evaluate((m) => window.ask(m), msg);
    assert.equal(r.ok, false, JSON.stringify(msg));
    assert.equal(r.re, msg.id);
    assert.match(r.error, why);
  }
  const before = (await page.evaluate(() => window.got.length));
  await page.evaluate(() => window.send("{not json"));
  await page.waitForFunction((k) => window.got.length > k, before);
  const last = await page.evaluate(() => window.got.at(-1).data);
  assert.deepEqual([last.ok, last.re], [false, null]);
  assert.match(last.error, /not JSON/);
  await page.waitForTimeout(400);
  const still = await ask("snapshot");
  assert.equal(still.running, false, "still paused");
  assert.equal(still.clock_s, paused.clock_s, "the clock did not move");

  // A good parameter goes through; a seek lands where asked, beyond the run so far too;
  // reaching the scenario's duration is an event.
  const set = await ask("set_param", { node: server, field: "workers", value: 4 });
  assert.deepEqual([set.ok, set.value], [true, 4]);
  const back = await ask("seek", { t_s: 1 });
  assert.ok(back.ok && Math.abs(back.clock_s - 1) < 0.05, `seek back (${back.clock_s})`);
  const ahead = await ask("seek", { t_s: 61 });
  assert.ok(ahead.ok && Math.abs(ahead.clock_s - 61) < 0.05, `seek ahead (${ahead.clock_s})`);
  await page.waitForFunction(() => window.got.some((m) => m.data?.event === "finished"), null, { timeout: 10_000 });
  const [finished] = await events(page, "finished");
  assert.equal(finished.duration_s, 60);
  const clock = await playground(page).textContent("[data-testid=sim-clock]");
  assert.match(clock, /t = 61\.0 s/);

  // A scenario of the host's own: a refused one names the field; one with a pause condition
  // and a tight SLO sends an alert and a breakpoint.
  const tiny = (rate) => ({
    version: 4, name: "tight", seed: 2, duration_s: 30,
    nodes: [
      { id: "c", x: 0, y: 0, kind: { client: { rate_rps: rate } } },
      { id: "s", x: 250, y: 0, kind: { server: { workers: 2, queue_capacity: 10, service_time: { constant: { ms: 5 } } } } },
    ],
    edges: [{ from: "c", to: "s", latency_ms: 2 }],
    metrics: { slo_p95_ms: 1 },
    pause_on: [{ p99_ms_above: 3 }],
  });
  const refusedLoad = await ask("load_scenario", { scenario: tiny(-5) });
  assert.equal(refusedLoad.ok, false);
  assert.match(refusedLoad.error, /^load_scenario: nodes\[0\]\.kind\.client\.rate_rps/);
  const own = await ask("load_scenario", { scenario: tiny(50) });
  assert.deepEqual([own.ok, own.name, own.nodes], [true, "tight", ["c", "s"]]);
  assert.ok((await ask("play")).ok);
  await page.waitForFunction(() => ["alert", "breakpoint"].every((e) => window.got.some((m) => m.data?.event === e)), null, { timeout: 10_000 });
  const [alert] = await events(page, "alert");
  assert.equal(alert.kind, "p95");
  const [stop] = await events(page, "breakpoint");
  assert.equal(stop.condition, 0);
  assert.match(stop.message, /^paused at \d+\.\d s: p99/);
  assert.equal((await ask("snapshot")).running, false, "the breakpoint paused the run");
  assert.deepEqual(page.errors, [], "no console errors (no CSP violation either)");
  await page.context().close();
});

test("a course page opens a challenge, submits, and hears it failed, then passed", async () => {
  const page = await env.page({ viewport: DESKTOP });
  await page.goto(`${hostOrigin}/course.html`);
  await page.waitForFunction(() => window.got.some((m) => m.data?.event === "ready"), null, { timeout: 20_000 });
  const ask = (type, extra) => page.evaluate((m) => window.ask(m), req(type, extra));
  const verdicts = (k) => page.waitForFunction((k) => window.got.filter((m) => m.data?.event === "challenge").length >= k, k, { timeout: 20_000 });

  const none = await ask("submit");
  assert.equal(none.ok, false);
  assert.match(none.error, /^submit: no challenge is open/);
  const unknown = await ask("load_challenge", { challenge: "nope" });
  assert.equal(unknown.ok, false);
  assert.match(unknown.error, /^load_challenge: There is no challenge called “nope”/);

  // The starting design fails; the reference solution, carrying the same challenge, passes.
  const opened = await ask("load_challenge", { challenge: "one-box" });
  assert.equal(opened.ok, true, opened.error);
  const first = await ask("submit");
  assert.deepEqual([first.ok, first.seeds], [true, 5]);
  await verdicts(1);
  const start = JSON.parse(await readFile(join(ROOT, "sim-core", "challenges", "one-box.json"), "utf8"));
  const solution = JSON.parse(await readFile(join(ROOT, "sim-core", "tests", "fixtures", "challenges", "one-box.json"), "utf8"));
  const own = await ask("load_scenario", { scenario: { ...solution, challenge: start.challenge } });
  assert.equal(own.ok, true, own.error);
  assert.ok((await ask("submit")).ok);
  await verdicts(2);
  const got = await events(page, "challenge");
  assert.deepEqual(got.map((e) => [e.id, e.pass]), [["one-box", false], ["one-box", true]]);
  assert.ok(got[0].score < 100 && got[1].score === 100, got.map((e) => e.score).join(","));
  assert.match(await playground(page).textContent("[data-testid=challenge]"), /Passed/);
  assert.deepEqual(page.errors, [], "no console errors");
  await page.context().close();
});

test("a page whose origin host= does not name gets no answer and changes nothing", async () => {
  const page = await env.page({ viewport: DESKTOP });
  // The same course page, served from a third origin: host= still names only the second.
  await page.goto(`${otherOrigin}/course.html`);
  for (let i = 0; i < 100 && !playground(page); i++) await page.waitForTimeout(100);
  const frame = playground(page);
  await frame.waitForSelector("[data-testid=play]", { timeout: 20_000 });
  await page.evaluate((msgs) => msgs.forEach((m) => window.send(m)), [req("hello"), req("play"), req("seek", { t_s: 20 }), "{not json"]);
  await page.waitForTimeout(1500);
  assert.deepEqual(await page.evaluate(() => window.got), [], "no reply, no ready, no event");
  assert.equal(await frame.getAttribute("[data-testid=play]", "aria-label"), "Play", "not playing");
  assert.match(await frame.textContent("[data-testid=sim-clock]"), /t = 0\.0 s/);
  assert.deepEqual(page.errors, [], "no console errors");
  await page.context().close();
});

test("the example host page of the docs shows windows and events", async () => {
  const page = await env.page({ viewport: DESKTOP });
  await page.goto(`${hostOrigin}/host-example.html?playground=${encodeURIComponent(env.base)}`);
  await page.waitForFunction(() => document.querySelectorAll("#windows tbody tr").length >= 2, null, { timeout: 20_000 });
  const status = await page.textContent("#status");
  assert.match(status, /playing/i);
  await page.screenshot({ path: join(dirname(fileURLToPath(import.meta.url)), "..", "output", "host-example.png") });
  assert.deepEqual(page.errors, [], "no console errors");
  await page.context().close();
});
