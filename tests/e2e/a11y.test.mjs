// Accessibility end to end: a design built and broken with the keyboard alone, heard
// through the live region; axe-core finds no serious or critical violations in either
// colour scheme; reduced motion stops the request dots.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { start, DESKTOP, openDesign, play, waitClock } from "./harness.mjs";

const AXE = join(dirname(fileURLToPath(import.meta.url)), "..", "node_modules", "axe-core", "axe.min.js");

let env;
let axeSource;
before(async () => {
  env = await start();
  axeSource = await readFile(AXE, "utf8");
});
after(async () => env?.close());

/** Presses Tab until the element matching `selector` has the focus (keyboard only). */
async function tabTo(page, selector, limit = 120) {
  for (let i = 0; i < limit; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press("Tab");
  }
  assert.fail(`Tab never reached ${selector}`);
}

const focusedNode = (page) => page.evaluate(() => document.activeElement?.getAttribute("data-node"));
const liveText = (page) => page.textContent("[data-testid=live-region]");

test("keyboard only: build client → LB → two servers, connect, play, kill a server; the live region says so with the rate", async () => {
  const page = await openDesign(env, null);
  await tabTo(page, "[data-testid=clear]");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.querySelectorAll(".stage .node").length === 0);
  for (const kind of ["client", "load_balancer", "server", "server"]) {
    await tabTo(page, `[data-testid=palette-${kind}]`);
    await page.keyboard.press("Enter");
  }
  for (const id of ["users-1", "lb-1", "web-1", "web-2"]) {
    assert.equal(await page.locator(`[data-testid=node-${id}]`).count(), 1, `${id} was added`);
  }
  // Connect with `c`, arrows to the target, Enter.
  await tabTo(page, "[data-testid=node-users-1]");
  await page.keyboard.press("c");
  await page.keyboard.press("ArrowRight");
  assert.equal(await focusedNode(page), "lb-1", "the right arrow reaches the load balancer");
  await page.keyboard.press("Enter");
  await page.keyboard.press("c");
  await page.keyboard.press("ArrowRight");
  assert.equal(await focusedNode(page), "web-1");
  await page.keyboard.press("Enter");
  await page.keyboard.press("[");
  assert.equal(await focusedNode(page), "lb-1", "[ follows the link back to its caller");
  await page.keyboard.press("c");
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowRight");
  assert.equal(await focusedNode(page), "web-2");
  await page.keyboard.press("Enter");
  for (const e of ["users-1-lb-1", "lb-1-web-1", "lb-1-web-2"]) {
    assert.equal(await page.locator(`[data-testid=edge-${e}]`).count(), 1, `edge ${e} made by keyboard`);
  }
  await page.keyboard.press("d");
  assert.match(await liveText(page), /users-1 calls lb-1\. lb-1 calls web-1 and web-2\./);

  await tabTo(page, "[data-testid=play]");
  await page.keyboard.press("Enter");
  await waitClock(page, 3);
  await tabTo(page, "[data-testid=node-web-1]");
  await page.keyboard.press("x");
  await page.waitForFunction(() => document.activeElement?.dataset.testid === "kill");
  await page.keyboard.press("Enter");
  await page.waitForFunction(
    () => /web-1 went down/.test(document.querySelector("[data-testid=live-region]").textContent),
    null, { timeout: 20_000 },
  );
  assert.match(await liveText(page), /\d+ requests per second.*web-1 went down at \d+\.\d s/);
  assert.deepEqual(page.errors, [], "no console errors");
  await page.context().close();
});

/** Runs axe-core on the page; returns the serious and critical violations. */
async function seriousViolations(page) {
  // Evaluated through the debugging protocol: the page's Content-Security-Policy refuses
  // inline script tags.
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run());
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help}\n    ${v.nodes.slice(0, 4).map((n) => `${n.target.join(" ")} — ${n.failureSummary?.split("\n")[1]?.trim()}`).join("\n    ")}`);
}

for (const scheme of ["light", "dark"]) {
  test(`axe-core (${scheme}): landing page, the preset gallery, a playing preset with the inspector open, an embed`, async () => {
    const page = await env.page({ viewport: DESKTOP, colorScheme: scheme });
    const found = [];
    const check = async (where) => {
      for (const v of await seriousViolations(page)) found.push(`[${where}] ${v}`);
    };
    await page.goto(env.base);
    await page.waitForSelector("[data-testid=play]", { timeout: 20_000 });
    await check("landing");
    await page.click("[data-testid=presets]");
    await page.waitForSelector("[data-testid=gallery] [data-testid=preset-group-blueprints]");
    await check("gallery");
    await page.goto(`${env.base}?preset=cache`);
    await page.waitForSelector("[data-testid=play]", { timeout: 20_000 });
    await play(page, "5");
    await waitClock(page, 3);
    await check("playing");
    const first = await page.locator(".stage .node").first().getAttribute("data-testid");
    await page.click(`[data-testid=${first}]`);
    await page.waitForSelector("[data-testid=inspector-node]");
    await check("inspector");
    await page.goto(`${env.base}?embed=1&preset=cache`);
    await page.waitForSelector("[data-testid=play]", { timeout: 20_000 });
    await check("embed");
    assert.deepEqual(found, [], `no serious or critical violations:\n${found.join("\n")}`);
    await page.context().close();
  });
}

/** Pixels of the stage canvas near the request dots' blue (#3b82f6). */
function dotPixels(page) {
  return page.$eval("#stage-canvas", (canvas) => {
    const { width, height } = canvas;
    const data = canvas.getContext("2d").getImageData(0, 0, width, height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      const near = Math.abs(data[i] - 59) + Math.abs(data[i + 1] - 130) + Math.abs(data[i + 2] - 246) < 30;
      if (near && data[i + 3] > 200) n++;
    }
    return n;
  });
}

test("reduced motion: no request dots are drawn while playing (and some are without it)", async () => {
  const counts = {};
  for (const reducedMotion of ["no-preference", "reduce"]) {
    const page = await env.page({ viewport: DESKTOP, reducedMotion });
    await page.goto(`${env.base}?preset=cache`);
    await page.waitForSelector("[data-testid=play]", { timeout: 20_000 });
    await play(page, "5");
    await waitClock(page, 3);
    let most = 0;
    for (let i = 0; i < 5; i++) {
      most = Math.max(most, await dotPixels(page));
      await page.waitForTimeout(100);
    }
    counts[reducedMotion] = most;
    await page.context().close();
  }
  assert.ok(counts["no-preference"] > 0, `dots are drawn without reduced motion (${counts["no-preference"]} px)`);
  assert.equal(counts.reduce, 0, "no dots with reduced motion");
});
