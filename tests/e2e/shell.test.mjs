// The built page loads, the wasm app mounts, the canvas is drawn, and the console is clean.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { start, paintedPixels, OUTPUT } from "./harness.mjs";

let env;
before(async () => (env = await start()));
after(async () => env?.close());

for (const [name, viewport] of [
  ["desktop", { width: 1280, height: 800 }],
  ["phone", { width: 360, height: 740 }],
]) {
  test(`app mounts and draws its canvas (${name})`, async () => {
    const page = await env.page({ viewport });
    await page.goto(env.base);
    await page.waitForSelector("#app", { timeout: 20_000 });
    // On a phone the palette and the inspector are drawers behind the tab bar.
    const regions = name === "phone" ? [".runbar", ".stage", ".dock", ".phone-tabs"] : [".runbar", ".palette", ".stage", ".inspector", ".dock"];
    for (const region of regions) {
      assert.ok(await page.isVisible(region), `${region} is visible`);
    }
    // The canvas is drawn on animation frames: wait until pixels appear.
    await page.waitForFunction(() => {
      const c = document.querySelector("#stage-canvas");
      return c && c.width > 0 && c.height > 0;
    });
    let painted = 0;
    for (let i = 0; i < 50 && painted === 0; i++) {
      painted = await paintedPixels(page, "#stage-canvas");
      if (painted === 0) await page.waitForTimeout(100);
    }
    assert.ok(painted > 0, "the canvas has painted pixels");
    // Press play: the simulated clock advances.
    await page.click("[data-testid=play]");
    const clock = () => page.textContent("[data-testid=sim-clock]");
    const first = await clock();
    await page.waitForFunction((t) => document.querySelector("[data-testid=sim-clock]").textContent !== t, first);
    await page.screenshot({ path: join(OUTPUT, `shell-${name}.png`) });
    assert.deepEqual(page.errors, [], "no console errors");
    await page.context().close();
  });
}
