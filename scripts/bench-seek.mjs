// Seek benchmark: the URL-shortener preset at its own rate, run to 10 simulated minutes
// (fast-forward), then 50 seeks to random instants of it with the dock's scrubber, in
// headless Chromium. A seek's time runs from the scrubber's input to the page standing at
// the instant; frame times (requestAnimationFrame deltas) are taken meanwhile.
// Prints p50 / p95 / max; it measures, it does not assert thresholds.
// Usage: node scripts/bench-seek.mjs [simulated seconds] [seeks]   (needs a built dist/)
import { start } from "../tests/e2e/harness.mjs";

const RUN_S = Number(process.argv[2] ?? 600);
const SEEKS = Number(process.argv[3] ?? 50);

const env = await start();
try {
  const page = await env.page({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${env.base}?preset=url-shortener`);
  await page.waitForSelector("[data-testid=play]", { timeout: 20_000 });
  await page.selectOption("[data-testid=speed]", "ff");
  const t0 = Date.now();
  await page.click("[data-testid=play]");
  await page.waitForFunction(
    (t) => parseFloat(document.querySelector("[data-testid=scrub]").max) >= t,
    RUN_S, { timeout: 600_000, polling: 500 },
  );
  await page.click("[data-testid=play]");
  const runWall = (Date.now() - t0) / 1000;
  const head = parseFloat(await page.$eval("[data-testid=scrub]", (el) => el.max));
  const { seeks, frames } = await page.evaluate(
    ([n, head]) =>
      new Promise((done) => {
        const scrub = document.querySelector("[data-testid=scrub]");
        const bar = document.querySelector("[data-testid=scrubber]");
        const seeks = [];
        const frames = [];
        let seed = 12345;
        const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
        let last = performance.now();
        let begun = null;
        let left = n;
        const tick = (t) => {
          frames.push(t - last);
          last = t;
          if (begun !== null && bar.dataset.seeking === "false") {
            seeks.push(performance.now() - begun);
            begun = null;
          }
          if (begun === null) {
            if (left === 0) return done({ seeks, frames });
            left--;
            begun = performance.now();
            scrub.value = String(random() * head);
            scrub.dispatchEvent(new Event("input", { bubbles: true }));
          }
          requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      }),
    [SEEKS, head],
  );
  const stats = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
    return `p50 ${q(0.5).toFixed(1)} ms, p95 ${q(0.95).toFixed(1)} ms, max ${s.at(-1).toFixed(1)} ms`;
  };
  console.log(`seek benchmark: url-shortener preset, ${head.toFixed(0)} simulated s (run in ${runWall.toFixed(0)} s of wall time), ${seeks.length} random seeks`);
  console.log(`  seek time ${stats(seeks)}`);
  console.log(`  frame time meanwhile ${stats(frames)}, frames over 50 ms: ${frames.filter((d) => d > 50).length} of ${frames.length}`);
  if (page.errors.length) {
    console.log(`  console errors: ${page.errors.join("; ")}`);
    process.exitCode = 1;
  }
} finally {
  await env.close();
}
