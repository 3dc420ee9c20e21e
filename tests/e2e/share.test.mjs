// Scenarios a teacher can hand out: share links (same design, same run in a fresh browser),
// links that must not hurt the learner's autosave, embed mode (also in a sandboxed
// cross-origin iframe), the Embed dialog, and the preset gallery with its lessons.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { mkdtemp, writeFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { deflateRawSync } from "node:zlib";
import { start, OUTPUT, DESKTOP, DESIGN_KEY, num, settledFingerprint } from "./harness.mjs";
import { serve } from "./serve.mjs";

let env;
before(async () => (env = await start()));
after(async () => env?.close());

const PHONE = { width: 360, height: 740 };
const BACKUP_KEY = "playground.design.before-link";
/** The link payload of `data` (an object, a string or bytes), as sim-core packs it. */
const pack = (data) =>
  deflateRawSync(Buffer.isBuffer(data) ? data : Buffer.from(typeof data === "string" ? data : JSON.stringify(data)), { level: 9 })
    .toString("base64url");
/** The same limit as sim_core::MAX_LINK_CHARS. */
const MAX_LINK_CHARS = 32 * 1024;

/** Client → load balancer → two servers. */
function lbDesign(name = "lb design", rate = 150) {
  const server = { workers: 8, queue_capacity: 100, service_time: { log_normal: { mean_ms: 20, sigma: 0.5 } } };
  const node = (id, x, y, kind) => ({ id, label: id, x, y, kind });
  return {
    version: 2, name, seed: 1,
    nodes: [
      node("users-1", 0, 100, { client: { rate_rps: rate, timeout_ms: 2000 } }),
      node("lb-1", 200, 100, { load_balancer: { policy: "round_robin" } }),
      node("web-1", 400, 30, { server }),
      node("web-2", 400, 170, { server }),
    ],
    edges: [
      { from: "users-1", to: "lb-1", latency_ms: 20, jitter_ms: 5 },
      { from: "lb-1", to: "web-1", latency_ms: 1 },
      { from: "lb-1", to: "web-2", latency_ms: 1 },
    ],
  };
}

/** A single client → server design. */
function tinyDesign(name = "tiny") {
  return {
    version: 2, name, seed: 3,
    nodes: [
      { id: "c", x: 0, y: 0, kind: { client: { rate_rps: 50 } } },
      { id: "s", x: 250, y: 0, kind: { server: { workers: 2, queue_capacity: 10, service_time: { constant: { ms: 5 } } } } },
    ],
    edges: [{ from: "c", to: "s", latency_ms: 2 }],
  };
}

/** A page in a fresh context whose local storage holds `saved` (text) before the app runs. */
async function pageWithAutosave(saved, viewport = DESKTOP, options = {}) {
  const page = await env.page({ viewport, ...options });
  if (saved !== null) {
    await page.addInitScript(([key, json]) => {
      if (!sessionStorage.getItem("seeded")) {
        localStorage.setItem(key, json);
        sessionStorage.setItem("seeded", "1");
      }
    }, [DESIGN_KEY, saved]);
  }
  return page;
}

const ready = (page) => page.waitForSelector("[data-testid=play]", { timeout: 20_000 });
const nodeIds = (page) =>
  page.$$eval(".stage .node", (els) => els.map((e) => e.dataset.testid.replace(/^node-/, "")).sort());
const storageDump = (page) =>
  page.evaluate(() => Object.fromEntries(Object.keys(localStorage).map((k) => [k, localStorage.getItem(k)])));

/** Steps a paused run `n` times (0.1 s each); returns the clock, fingerprint and figures. */
async function stepAndRead(page, n) {
  for (let i = 0; i < n; i++) await page.click("[data-testid=step]");
  const t = (n * 0.1).toFixed(1);
  await page.waitForFunction((t) => document.querySelector("[data-testid=sim-clock]").textContent.includes(t), t);
  await settledFingerprint(page);
  const read = async (id) => page.textContent(`[data-testid=${id}]`);
  return {
    clock: await read("sim-clock"),
    fingerprint: await read("fingerprint"),
    rps: await read("kpi-rps"),
    p50: await read("kpi-p50"),
    p99: await read("kpi-p99"),
    failed: await read("kpi-failed"),
  };
}

test("a shared link opens the same design in a fresh browser and reproduces the same run", async () => {
  const a = await pageWithAutosave(JSON.stringify(lbDesign()), DESKTOP, { permissions: ["clipboard-read", "clipboard-write"] });
  await a.goto(env.base);
  await ready(a);
  // Change a server's workers, the rate and the seed; Reset starts the run with that seed.
  await a.click("[data-testid=node-web-2]");
  await a.fill("[data-testid=field-workers]", "3");
  await a.fill("[data-testid=rate-input]", "420");
  await a.fill("[data-testid=seed]", "987654321");
  await a.click("[data-testid=reset]");
  await a.click("[data-testid=share]");
  await a.waitForFunction(() => /copied/i.test(document.querySelector("[data-testid=share-status]")?.textContent ?? ""));
  const link = await a.inputValue("[data-testid=share-link]");
  assert.match(link, /#s=[A-Za-z0-9_-]+$/, "the link carries the design in its fragment");
  assert.equal(await a.evaluate(() => navigator.clipboard.readText()), link, "the link is on the clipboard");
  assert.equal(a.url(), link, "the address bar holds the link");
  await a.screenshot({ path: join(OUTPUT, "share-dialog.png") });
  await a.keyboard.press("Escape");
  assert.equal(await a.locator("[data-testid=share-dialog]").count(), 0, "Escape closes the dialog");
  const ra = await stepAndRead(a, 20);

  // A new browser context: no shared storage, nothing but the link.
  const b = await env.page({ viewport: DESKTOP });
  await b.goto(link);
  await ready(b);
  assert.deepEqual(await nodeIds(b), ["lb-1", "users-1", "web-1", "web-2"], "same topology");
  for (const e of ["users-1-lb-1", "lb-1-web-1", "lb-1-web-2"]) {
    assert.equal(await b.locator(`[data-testid=edge-${e}]`).count(), 1, `edge ${e}`);
  }
  await b.click("[data-testid=node-web-2]");
  assert.equal(await b.inputValue("[data-testid=field-workers]"), "3", "same workers");
  assert.equal(await b.inputValue("[data-testid=rate-input]"), "420", "same rate");
  assert.equal(await b.inputValue("[data-testid=seed]"), "987654321", "same seed");
  assert.match(await b.textContent("[data-testid=link-banner]"), /Opened .*from the link \(seed 987654321\)/);
  assert.equal(await b.locator("[data-testid=restore-previous]").count(), 0, "nothing to restore in a fresh browser");
  // The view travelled too.
  const transform = (p) => p.$eval(".world", (w) => w.style.transform);
  assert.equal(await transform(b), await transform(a), "same canvas view");
  const rb = await stepAndRead(b, 20);
  assert.deepEqual(rb, ra, "same simulated time, same seed ⇒ same figures and fingerprint");
  assert.match(ra.fingerprint, /^run #[0-9a-f]{8}$/);
  assert.ok(parseFloat(ra.rps) > 0, `the run served requests (${ra.rps})`);
  // The link was imported: the address is clean and the design is the autosave now.
  assert.ok(!b.url().includes("#s="), "the fragment is removed once opened");
  const saved = JSON.parse((await storageDump(b))[DESIGN_KEY]);
  assert.equal(saved.seed, 987654321);
  // Editing after sharing drops the now stale link from the address bar.
  await a.fill("[data-testid=rate-input]", "100");
  await a.waitForFunction(() => !location.href.includes("#s="));
  assert.deepEqual(a.errors, [], "no console errors (sharer)");
  assert.deepEqual(b.errors, [], "no console errors (receiver)");
  await a.context().close();
  await b.context().close();
});

test("without a clipboard the link is shown selected with a message; a design too big for a link says to export JSON", async () => {
  const page = await pageWithAutosave(JSON.stringify(tinyDesign()));
  await page.addInitScript(() => Object.defineProperty(Navigator.prototype, "clipboard", { get: () => undefined }));
  await page.goto(env.base);
  await ready(page);
  await page.click("[data-testid=share]");
  await page.waitForSelector("[data-testid=share-link]");
  assert.match(await page.textContent("[data-testid=share-status]"), /did not let the page copy/);
  await page.waitForFunction(() => document.activeElement?.dataset.testid === "share-link");
  const sel = await page.evaluate(() => {
    const el = document.activeElement;
    return { testid: el.dataset.testid, all: el.selectionStart === 0 && el.selectionEnd === el.value.length, ro: el.readOnly };
  });
  assert.deepEqual(sel, { testid: "share-link", all: true, ro: true }, "the link is focused, selected and read-only");
  await page.click("[data-testid=copy-link]");
  assert.match(await page.textContent("[data-testid=share-status]"), /did not let the page copy/);
  await page.keyboard.press("Escape");

  // Hundreds of components with incompressible labels: no link can hold them.
  const big = tinyDesign("big");
  let x = 1;
  const noise = () => Array.from({ length: 90 }, () => ((x = (x * 1103515245 + 12345) % 2 ** 31), String.fromCharCode(33 + (x % 90)))).join("");
  for (let i = 0; i < 400; i++) {
    big.nodes.push({ id: `s${i}`, label: noise().replace(/[<>&"]/g, "x").slice(0, 90), x: 300 + (i % 20) * 150, y: 100 + Math.floor(i / 20) * 80,
      kind: { server: { workers: 1, queue_capacity: 1, service_time: { constant: { ms: 1 } } } } });
  }
  await page.evaluate(([k, v]) => localStorage.setItem(k, v), [DESIGN_KEY, JSON.stringify(big)]);
  // (A reload would open the link Share left in the address.)
  await page.goto(env.base);
  await ready(page);
  assert.equal(await page.locator(".stage .node").count(), 402);
  await page.click("[data-testid=share]");
  const why = await page.textContent("[data-testid=share-status]");
  assert.match(why, /too big for a link/);
  assert.match(why, /Export JSON/);
  assert.equal(await page.locator("[data-testid=share-link]").count(), 0, "no link is offered");
  assert.ok(!page.url().includes("#s="), "nothing is put in the address bar");
  assert.deepEqual(page.errors, [], "no console errors");
  await page.context().close();
});

test("opening a link keeps the autosaved design: restore brings it back, a later link opens in place", async () => {
  const mine = JSON.stringify(lbDesign("my own work"));
  const page = await pageWithAutosave(mine);
  await page.goto(`${env.base}#s=${pack(tinyDesign("from the teacher"))}`);
  await ready(page);
  assert.deepEqual(await nodeIds(page), ["c", "s"], "the link's design is shown");
  assert.match(await page.textContent("[data-testid=link-banner]"), /Opened “from the teacher” from the link .*previous design was kept/);
  let store = await storageDump(page);
  assert.equal(store[BACKUP_KEY], mine, "the previous autosave is kept word for word");
  assert.equal(JSON.parse(store[DESIGN_KEY]).name, "from the teacher");
  await page.screenshot({ path: join(OUTPUT, "share-link-opened.png") });
  await page.click("[data-testid=restore-previous]");
  assert.deepEqual(await nodeIds(page), ["lb-1", "users-1", "web-1", "web-2"], "restored");
  assert.match(await page.textContent("[data-testid=link-banner]"), /previous design is back/);
  await page.click("[data-testid=undo]");
  assert.deepEqual(await nodeIds(page), ["c", "s"], "undo returns to the link's design");
  await page.click("[data-testid=redo]");
  // A link pasted into the same tab (hashchange) opens in place, undoably.
  await page.evaluate((h) => (location.hash = h), `s=${pack(tinyDesign("second"))}`);
  await page.waitForFunction(() => document.querySelectorAll(".stage .node").length === 2);
  await page.click("[data-testid=undo]");
  assert.deepEqual(await nodeIds(page), ["lb-1", "users-1", "web-1", "web-2"], "undo after a pasted link");
  // A reload keeps what the learner has now (the link was consumed).
  await page.reload();
  await ready(page);
  assert.deepEqual(await nodeIds(page), ["lb-1", "users-1", "web-1", "web-2"], "reload keeps the current design");
  store = await storageDump(page);
  assert.equal(JSON.parse(store[BACKUP_KEY]).name, "my own work", "the backup still holds the learner's design");
  assert.deepEqual(page.errors, [], "no console errors");
  await page.context().close();
});

test("bad links: a clear message, the autosaved design untouched, nothing written, no errors", async () => {
  const good = pack(tinyDesign());
  const withNode = (kind) => ({ ...tinyDesign(), nodes: [{ id: "c", kind }] , edges: [] });
  const many = { ...tinyDesign(), nodes: Array.from({ length: 200_000 }, (_, i) => ({ id: `n${i}`, kind: { client: { rate_rps: 1 } } })), edges: [] };
  const cases = [
    ["empty", "s=", /holds no scenario/],
    ["malformed", "s=%%%%not-base64%%", /characters/],
    ["truncated", `s=${good.slice(0, Math.floor(good.length / 2))}`, /cut short/],
    ["too long", `s=${"A".repeat(MAX_LINK_CHARS + 1)}`, /too long/],
    ["zip bomb", `s=${pack(Buffer.alloc(4 << 20, 32))}`, /larger than/],
    ["200 000 nodes", `s=${pack(many)}`, /too long|larger than/],
    ["not UTF-8", `s=${pack(Buffer.from([0xff, 0xfe, 0x00, 0xc3]))}`, /not text/],
    ["not JSON", `s=${pack("<script>alert(1)</script>")}`, /link/],
    ["wrong version", `s=${pack({ ...tinyDesign(), version: 99 })}`, /version/],
    ["NaN rate", `s=${pack('{"version":2,"nodes":[{"id":"c","kind":{"client":{"rate_rps":NaN}}}]}')}`, /link/],
    ["infinite rate", `s=${pack('{"version":2,"nodes":[{"id":"c","kind":{"client":{"rate_rps":1e999}}}]}')}`, /link/],
    ["negative rate", `s=${pack(withNode({ client: { rate_rps: -5 } }))}`, /rate_rps/],
    ["10⁹ workers", `s=${pack(withNode({ server: { workers: 1e9, queue_capacity: 1, service_time: { constant: { ms: 1 } } } }))}`, /workers/],
  ];
  const mine = JSON.stringify(lbDesign("my own work"));
  for (const [name, fragment, want] of cases) {
    const page = await pageWithAutosave(mine);
    await page.goto(`${env.base}#${fragment}`);
    await ready(page);
    const banner = await page.waitForSelector("[data-testid=link-banner].error", { timeout: 10_000 });
    const text = await banner.textContent();
    assert.match(text, /This link could not be opened/, name);
    assert.match(text, want, `${name}: ${text}`);
    assert.match(text, /Your own design is unchanged/, name);
    assert.deepEqual(await nodeIds(page), ["lb-1", "users-1", "web-1", "web-2"], `${name}: the canvas is as it was`);
    assert.deepEqual(await storageDump(page), { [DESIGN_KEY]: mine }, `${name}: nothing written to storage`);
    // The app still works afterwards.
    await page.click("[data-testid=step]");
    await page.waitForFunction(() => document.querySelector("[data-testid=sim-clock]").textContent.includes("0.1"));
    if (name === "malformed") await page.screenshot({ path: join(OUTPUT, "share-bad-link.png") });
    assert.deepEqual(page.errors, [], `${name}: no console errors`);
    await page.context().close();
  }
});

test("markup in a label is shown as text, never run", async () => {
  const hostile = tinyDesign("<img src=x onerror=window.__pwned=1>");
  hostile.nodes[0].label = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>`;
  hostile.lesson = { title: "<b onmouseover=window.__pwned=3>bold</b>", summary: "<script>window.__pwned=4</script>", steps: [{ try: "<i>x</i>", watch: "y" }] };
  const page = await env.page({ viewport: DESKTOP });
  await page.goto(`${env.base}#s=${pack(hostile)}`);
  await ready(page);
  assert.ok((await page.textContent("[data-testid=link-banner]")).includes(`Opened “${hostile.name}”`), "the name is shown as text");
  assert.equal(JSON.parse(await page.evaluate((k) => localStorage.getItem(k), DESIGN_KEY)).nodes[0].label, hostile.nodes[0].label, "the label is kept as it is");
  assert.equal(await page.textContent("[data-testid=lesson] .lesson-title"), hostile.lesson.title);
  assert.equal(await page.locator(".stage img, .stage script, .lesson img, .lesson script, .lesson-title b").count(), 0, "no element came from the link");
  await page.hover("[data-testid=lesson] .lesson-title");
  assert.equal(await page.evaluate(() => window.__pwned), undefined, "no script ran");
  assert.deepEqual(page.errors, [], "no console errors");
  await page.context().close();
});

test("embed mode: hidden panels, autoplay, read-only, no storage, and a link to the full playground", async () => {
  for (const [name, viewport] of [["desktop", DESKTOP], ["phone", PHONE]]) {
    const page = await env.page({ viewport });
    await page.goto(`${env.base}?embed=1&hide=palette,traffic,inspector,lesson&readonly=1&autoplay=1&preset=single-server`);
    await ready(page);
    for (const hidden of [".palette", ".traffic", ".inspector", ".lesson", ".menu"]) {
      assert.equal(await page.isVisible(hidden), false, `${name}: ${hidden} is hidden`);
    }
    for (const shown of [".stage", ".dock", "[data-testid=open-full]"]) {
      assert.ok(await page.isVisible(shown), `${name}: ${shown} is shown`);
    }
    assert.deepEqual(await nodeIds(page), ["users", "web"], "the preset is loaded");
    await page.waitForFunction(() => parseFloat(document.querySelector("[data-testid=kpi-rps]").textContent) > 0, null, { timeout: 20_000 });
    assert.ok((await num(page, "sim-clock")) > 0, "it plays without a click");
    // Read-only: deleting or dragging a component is refused, faults are allowed.
    await page.click("[data-testid=node-web]");
    await page.keyboard.press("Delete");
    assert.match(await page.textContent("[data-testid=notice]"), /read-only/);
    assert.equal(await page.locator("[data-testid=node-web]").count(), 1, "not deleted");
    const box = await page.locator("[data-testid=node-web]").boundingBox();
    await page.mouse.move(box.x + 30, box.y + 20);
    await page.mouse.down();
    await page.mouse.move(box.x + 130, box.y + 120, { steps: 5 });
    await page.mouse.up();
    const moved = await page.locator("[data-testid=node-web]").boundingBox();
    assert.deepEqual([moved.x, moved.y], [box.x, box.y], "not moved");
    assert.deepEqual(await storageDump(page), {}, "an embed writes nothing to storage");
    await page.screenshot({ path: join(OUTPUT, `embed-${name}.png`) });
    if (name === "desktop") {
      // "Open in the full playground" carries the design as it is now.
      const [full] = await Promise.all([page.context().waitForEvent("page"), page.click("[data-testid=open-full]")]);
      full.errors = [];
      full.on("console", (m) => m.type() === "error" && full.errors.push(m.text()));
      await ready(full);
      assert.deepEqual(await nodeIds(full), ["users", "web"]);
      assert.equal(await full.isVisible(".palette"), true, "the full playground shows every panel");
      assert.match(await full.textContent("[data-testid=lesson]"), /One server does everything/);
      assert.deepEqual(full.errors, []);
    }
    assert.deepEqual(page.errors, [], `${name}: no console errors`);
    await page.context().close();
  }
});

test("the Embed dialog writes an iframe that plays inside a sandboxed cross-origin page", async () => {
  const page = await env.page({ viewport: PHONE });
  await page.goto(env.base);
  await ready(page);
  // On a phone the menu (Embed among it) is the More tab's drawer.
  await page.click("[data-testid=tab-menu]");
  await page.click("[data-testid=embed]");
  await page.selectOption("[data-testid=embed-source]", "single-server");
  for (const p of ["traffic", "lesson"]) await page.check(`[data-testid=embed-hide-${p}]`);
  await page.uncheck("[data-testid=embed-readonly]");
  await page.check("[data-testid=embed-autoplay]");
  await page.fill("[data-testid=embed-height]", "560");
  const snippet = await page.inputValue("[data-testid=embed-snippet]");
  await page.screenshot({ path: join(OUTPUT, "embed-dialog-phone.png") });
  const src = snippet.match(/src="([^"]+)"/)[1].replaceAll("&amp;", "&");
  const url = new URL(src);
  assert.equal(url.origin + url.pathname, env.base, "the snippet points at this playground");
  assert.deepEqual(Object.fromEntries(url.searchParams), {
    embed: "1", hide: "palette,traffic,inspector,lesson", autoplay: "1", preset: "single-server",
  });
  assert.match(snippet, /height="560"/);
  assert.match(snippet, /title="System-design playground: One server does everything"/);
  // "This design" puts the current design in the fragment.
  await page.selectOption("[data-testid=embed-source]", "design");
  assert.match(await page.inputValue("[data-testid=embed-snippet]"), /#s=[A-Za-z0-9_-]+"/);
  await page.selectOption("[data-testid=embed-source]", "single-server");
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.click("[data-testid=copy-snippet]");
  await page.waitForFunction(() => /copied/.test(document.querySelector("[data-testid=embed-copied]").textContent));
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), await page.inputValue("[data-testid=embed-snippet]"));
  await page.context().close();

  // A host page on another origin embeds the snippet in a sandbox without same-origin rights:
  // local storage throws there.
  const dir = await mkdtemp(join(tmpdir(), "host-"));
  const sandboxed = snippet.replace("<iframe ", '<iframe sandbox="allow-scripts" ');
  await writeFile(join(dir, "index.html"), `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>Course page</title><h1>Lesson 1</h1>${sandboxed}`);
  const host = await serve(dir);
  try {
    const hostPage = await env.page({ viewport: DESKTOP });
    const hostUrl = `http://127.0.0.1:${host.address().port}/`;
    assert.notEqual(new URL(hostUrl).origin, new URL(env.base).origin, "the host is another origin");
    await hostPage.goto(hostUrl);
    const frame = await (await hostPage.waitForSelector("iframe")).contentFrame();
    await frame.waitForSelector("[data-testid=sim-clock]", { timeout: 20_000 });
    assert.equal(await frame.evaluate(() => { try { return localStorage.length >= 0 && "available"; } catch { return "throws"; } }), "throws");
    await frame.waitForFunction(() => parseFloat(document.querySelector("[data-testid=kpi-rps]").textContent) > 0, null, { timeout: 20_000 });
    assert.ok(parseFloat((await frame.textContent("[data-testid=sim-clock]")).replace(/[^0-9.]/g, "")) > 0, "the clock advances");
    for (const hidden of [".palette", ".traffic", ".inspector", ".lesson", ".menu"]) {
      assert.equal(await frame.isVisible(hidden), false, `${hidden} hidden`);
    }
    for (const shown of [".stage", ".dock", "[data-testid=open-full]"]) {
      assert.ok(await frame.isVisible(shown), `${shown} shown`);
    }
    assert.equal(await frame.locator("[data-testid=storage-msg]").count(), 0, "no storage complaint in an embed");
    await hostPage.screenshot({ path: join(OUTPUT, "embed-iframe.png") });
    assert.deepEqual(hostPage.errors, [], "no page errors");
    await hostPage.context().close();
  } finally {
    host.close();
    await rm(dir, { recursive: true });
  }
});

test("the preset gallery loads a preset with its lesson; undo restores the previous design", async () => {
  // Desktop only for now: on a phone the gallery, the lesson and undo sit in the tab bar's
  // drawers, which screens.test.mjs drives.
  for (const [name, viewport] of [["desktop", DESKTOP]]) {
    const page = await pageWithAutosave(JSON.stringify(lbDesign("mine")), viewport);
    await page.goto(env.base);
    await ready(page);
    assert.equal(await page.locator("[data-testid=lesson]").count(), 0, "no lesson for a design without one");
    await page.click("[data-testid=presets]");
    const entries = page.locator("[data-testid=gallery] .preset");
    assert.ok((await entries.count()) >= 1, "the gallery lists the presets");
    for (const e of await entries.all()) {
      assert.ok((await e.locator(".preset-title").textContent()).trim().length > 0, "every preset has a title");
    }
    await page.screenshot({ path: join(OUTPUT, `gallery-${name}.png`) });
    await page.click("[data-testid=preset-single-server]");
    assert.equal(await page.locator("[data-testid=gallery]").count(), 0, "the gallery closes");
    assert.deepEqual(await nodeIds(page), ["users", "web"], "the preset is loaded");
    const lesson = page.locator("[data-testid=lesson]");
    assert.ok(await lesson.isVisible(), "its lesson is shown");
    assert.match(await lesson.textContent(), /One server does everything/);
    assert.equal(await lesson.locator(".lesson-steps li").count(), 8);
    assert.match(await lesson.locator(".lesson-steps li").first().textContent(), /Try: .*Watch: /);
    assert.equal(await num(page, "sim-clock"), 0, "the run restarted");
    assert.equal(await page.inputValue("[data-testid=seed]"), "1", "with the preset's seed");
    // Beside the canvas on a desktop, below it on a phone.
    const stage = await page.locator(".stage").boundingBox();
    const box = await lesson.boundingBox();
    if (name === "desktop") assert.ok(box.x >= stage.x + stage.width - 1, "beside the canvas");
    else assert.ok(box.y >= stage.y + stage.height - 1, "below the canvas");
    await page.screenshot({ path: join(OUTPUT, `lesson-${name}.png`), fullPage: name === "phone" });
    await page.click("[data-testid=lesson-toggle]");
    assert.equal(await lesson.locator(".lesson-steps").count(), 0, "collapsed");
    await page.click("[data-testid=lesson-toggle]");
    assert.equal(await lesson.locator(".lesson-steps li").count(), 8, "expanded again");
    await page.click("[data-testid=undo]");
    assert.deepEqual(await nodeIds(page), ["lb-1", "users-1", "web-1", "web-2"], "undo restores the previous design");
    assert.equal(await page.locator("[data-testid=lesson]").count(), 0, "and its (absent) lesson");
    assert.deepEqual(page.errors, [], `${name}: no console errors`);
    await page.context().close();
  }
});
