// The Export menu: the design as PNG and SVG (decoded as images, painted, a <text> per
// component's name, in the page's colour scheme), the series as CSV (one row per closed
// window) and the run as a WebM clip (decoded, as long as the run at the chosen speed).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { start, OUTPUT, openDesign, play, waitClock } from "./harness.mjs";

const AXE = join(dirname(fileURLToPath(import.meta.url)), "..", "node_modules", "axe-core", "axe.min.js");

let env;
before(async () => (env = await start()));
after(async () => env?.close());

/** Clicks an export item and returns the download's name and bytes. */
async function exported(page, testid, timeout = 30_000) {
  if ((await page.getAttribute("[data-testid=export]", "aria-expanded")) !== "true") {
    await page.click("[data-testid=export]");
  }
  const [dl] = await Promise.all([page.waitForEvent("download", { timeout }), page.click(`[data-testid=${testid}]`)]);
  return { name: dl.suggestedFilename(), bytes: await readFile(await dl.path()) };
}

/** Pauses and returns the simulated clock, away from a window's end (the clock shows 0.1 s). */
async function pauseAt(page) {
  await page.click("[data-testid=play]");
  await page.waitForSelector("[data-testid=play][aria-label=Play]");
  for (;;) {
    await page.waitForTimeout(150);
    const t = parseFloat((await page.textContent("[data-testid=sim-clock]")).replace(/[^0-9.]/g, ""));
    const frac = t - Math.floor(t);
    if (frac > 0.15 && frac < 0.85) return t;
    await page.click("[data-testid=step]");
    await page.click("[data-testid=step]");
    await page.click("[data-testid=step]");
  }
}

/** Decodes an image in the page: its size and how many pixels differ from the corner's. */
function decodeImage(page, bytes, mime) {
  return page.evaluate(async ([b64, mime]) => {
    const img = new Image();
    img.src = `data:${mime};base64,${b64}`;
    await img.decode();
    const c = document.createElement("canvas");
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const g = c.getContext("2d");
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let painted = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (Math.abs(d[i] - d[0]) + Math.abs(d[i + 1] - d[1]) + Math.abs(d[i + 2] - d[2]) > 30) painted++;
    }
    return { width: img.naturalWidth, height: img.naturalHeight, painted, corner: [d[0], d[1], d[2]] };
  }, [bytes.toString("base64"), mime]);
}

test("exports: PNG, SVG, CSV and a WebM clip of the run, all decodable and true to the run", async (ctx) => {
  const page = await openDesign(env, null);
  await page.click("[data-testid=dismiss-hint]").catch(() => {});
  const labels = await page.$$eval(".stage .node .node-title", (els) => els.map((e) => e.textContent));
  assert.ok(labels.length >= 3, `the demo has components (${labels})`);

  await play(page, "10");
  await waitClock(page, 4.6);
  const t = await pauseAt(page);

  // The Export button keeps the run bar to one row at 1280 × 800.
  const tops = await page.$$eval(".runbar button", (els) =>
    els.filter((e) => e.offsetParent).map((e) => Math.round(e.getBoundingClientRect().top)));
  assert.ok(Math.max(...tops) - Math.min(...tops) <= 4, `one row of buttons (tops ${[...new Set(tops)]})`);
  // The menu, opened, fits the window at 1280 × 800.
  await page.click("[data-testid=export]");
  const box = await page.locator("#export-list").boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 1280 && box.y + box.height <= 800, JSON.stringify(box));
  await page.screenshot({ path: join(OUTPUT, "exports-menu-1280.png") });
  // axe-core: the open menu adds no serious or critical violation.
  await page.evaluate(await readFile(AXE, "utf8"));
  const axe = await page.evaluate(() => window.axe.run("#export-list"));
  const bad = axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id);
  assert.deepEqual(bad, [], "axe-core on the open Export menu");

  // SVG: real elements, a <text> per component's name, the page's background.
  const svg = await exported(page, "export-svg");
  assert.match(svg.name, /^design(-[a-z0-9-]+)?\.svg$/);
  const text = svg.bytes.toString("utf8");
  assert.ok(text.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  assert.ok(!text.includes("<image"), "drawn, not an embedded bitmap");
  const texts = [...text.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
  for (const l of labels) assert.ok(texts.includes(l), `a <text> for ${l}`);
  assert.ok((text.match(/<rect /g) ?? []).length > labels.length, "boxes");
  assert.ok((text.match(/<path /g) ?? []).length >= labels.length - 1, "links");
  const svgW = Number(text.match(/width="([\d.]+)"/)[1]);
  const svgH = Number(text.match(/height="([\d.]+)"/)[1]);
  const svgImg = await decodeImage(page, svg.bytes, "image/svg+xml");
  assert.deepEqual([svgImg.width, svgImg.height], [svgW, svgH]);
  assert.ok(svgImg.painted > 2000, `the SVG draws something (${svgImg.painted} px)`);
  const bg = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue("--bg").trim());
  assert.ok(text.includes(`fill="${bg}"`), `the page's background ${bg}`);

  // PNG: twice the SVG's size, painted.
  const png = await exported(page, "export-png");
  assert.match(png.name, /\.png$/);
  await writeFile(join(OUTPUT, "exports-design.png"), png.bytes);
  assert.deepEqual([...png.bytes.subarray(1, 4)].map((c) => String.fromCharCode(c)).join(""), "PNG");
  const img = await decodeImage(page, png.bytes, "image/png");
  assert.ok(Math.abs(img.width - 2 * svgW) <= 2 && Math.abs(img.height - 2 * svgH) <= 2, `${img.width}×${img.height} vs ${svgW}×${svgH}`);
  assert.ok(img.painted > 4 * 2000, `the PNG is painted (${img.painted} px)`);

  // CSV: the runner's columns, one row per window closed by the instant shown.
  const csv = await exported(page, "export-csv");
  assert.match(csv.name, /\.csv$/);
  const lines = csv.bytes.toString("utf8").trimEnd().split("\n");
  assert.ok(lines[0].startsWith("t_s,completed,failed,availability,rps,error_rate,p50_ms,p95_ms,p99_ms,in_flight,"), lines[0]);
  const rows = lines.slice(1);
  assert.equal(rows.length, Math.floor(t), `one row per closed 1 s window at t = ${t}`);
  rows.forEach((r, i) => {
    assert.equal(r.split(",")[0], String(i + 1));
    assert.equal(r.split(",").length, lines[0].split(",").length);
  });

  // Cancel: a clip started and cancelled downloads nothing.
  await page.click("[data-testid=export-clip]");
  await page.waitForSelector("[data-testid=clip-progress]");
  let downloads = 0;
  page.on("download", () => downloads++);
  await page.click("[data-testid=clip-cancel]");
  await page.waitForSelector("[data-testid=clip-progress]", { state: "detached", timeout: 5_000 });
  await page.waitForTimeout(300);
  assert.equal(downloads, 0, "a cancelled clip is not downloaded");

  // The clip at ×1: decodes, and lasts the run's t seconds.
  await page.selectOption("[data-testid=clip-speed]", "1");
  const started = Date.now();
  const clipP = exported(page, "export-clip", 30_000);
  // The page stays live while it records: the menu still answers.
  await page.waitForSelector("[data-testid=clip-progress]");
  assert.equal(await page.getAttribute("[data-testid=export]", "aria-expanded"), "true");
  const clip = await clipP;
  assert.match(clip.name, /\.webm$/);
  assert.ok(Date.now() - started >= t * 1000 * 0.9, "recorded at real time");
  const video = await page.evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const v = document.createElement("video");
    v.muted = true;
    v.src = URL.createObjectURL(new Blob([bytes], { type: "video/webm" }));
    await new Promise((ok, no) => { v.onloadedmetadata = ok; v.onerror = () => no(new Error("the clip does not decode")); });
    // MediaRecorder writes no duration into the file: seeking past the end makes the
    // browser read it from the last frame's timestamp.
    if (!Number.isFinite(v.duration)) {
      await new Promise((ok) => { v.ondurationchange = () => Number.isFinite(v.duration) && ok(); v.currentTime = 1e9; });
    }
    return { duration: v.duration, width: v.videoWidth, height: v.videoHeight };
  }, clip.bytes.toString("base64"));
  // Frames are painted on a fixed wall-clock grid (start + k / 20 s), so lateness does not
  // add up; the end can be off by the lateness of the last frames on a busy machine and the
  // one-frame hold of the last picture: 0.35 s is seven frames.
  ctx.diagnostic(`run ${t} s; clip ${video.duration} s, ${video.width}×${video.height}; PNG ${img.width}×${img.height}; ${rows.length} CSV rows`);
  assert.ok(Math.abs(video.duration - t) <= 0.35, `clip ${video.duration} s for a ${t} s run at ×1`);
  assert.ok(Math.abs(video.width - svgW) <= 2 && Math.abs(video.height - (svgH + 26)) <= 2, `${video.width}×${video.height}`);

  // Dark scheme: the export follows the page's colours.
  await page.keyboard.press("Escape");
  while ((await page.textContent("[data-testid=theme]")) !== "◐ dark") await page.click("[data-testid=theme]");
  const dark = (await exported(page, "export-svg")).bytes.toString("utf8");
  await writeFile(join(OUTPUT, "exports-design-dark.png"), (await exported(page, "export-png")).bytes);
  const darkBg = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue("--bg").trim());
  assert.notEqual(darkBg, bg);
  assert.ok(dark.includes(`fill="${darkBg}"`), `the dark background ${darkBg}`);
  assert.deepEqual(page.errors, []);
});

test("exports: the Export menu fits a 360 px screen", async () => {
  const page = await openDesign(env, null, { width: 360, height: 740 });
  await page.click("[data-testid=dismiss-hint]").catch(() => {});
  await page.click("[data-testid=tab-menu]");
  await page.click("[data-testid=export]");
  const box = await page.locator("#export-list").boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 360, JSON.stringify(box));
  const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scroll <= 360, `no sideways scroll (${scroll})`);
  await page.screenshot({ path: join(OUTPUT, "exports-menu-360.png") });
  assert.deepEqual(page.errors, []);
});
