// Frame-time benchmark: a 30-node design (client → load balancer → 20 servers → 8
// databases) at 20 000 simulated requests per second, played at 1× in headless Chromium.
// Frame times are requestAnimationFrame deltas (Performance API clock) over ~10 s.
// Prints p50 / p95 / max; it measures, it does not assert thresholds.
// Usage: node scripts/bench-frames.mjs [seconds]   (needs a built dist/)
import { start } from "../tests/e2e/harness.mjs";

const SECONDS = Number(process.argv[2] ?? 10);
const RATE = 20_000;

function design() {
  const nodes = [
    { id: "users", x: 0, y: 600, kind: { client: { rate_rps: RATE, timeout_ms: 2000 } } },
    { id: "lb", x: 200, y: 600, kind: { load_balancer: { policy: "least_connections" } } },
  ];
  const edges = [{ from: "users", to: "lb", latency_ms: 10, jitter_ms: 5 }];
  for (let d = 0; d < 8; d++) {
    nodes.push({
      id: `db-${d + 1}`, x: 700, y: d * 160,
      kind: { database: {
        max_connections: 16, queue_capacity: 200,
        read_service_time: { exponential: { mean_ms: 2 } },
        write_service_time: { exponential: { mean_ms: 5 } },
      } },
    });
  }
  for (let s = 0; s < 20; s++) {
    const id = `web-${s + 1}`;
    nodes.push({
      id, x: 450, y: s * 64,
      kind: { server: {
        workers: 32, queue_capacity: 200,
        service_time: { log_normal: { mean_ms: 10, sigma: 0.5 } }, call_timeout_ms: 1000,
      } },
    });
    edges.push({ from: "lb", to: id, latency_ms: 0.5, jitter_ms: 0.25 });
    edges.push({ from: id, to: `db-${(s % 8) + 1}`, latency_ms: 1, jitter_ms: 0.5 });
  }
  return { version: 1, name: "frame benchmark", seed: 7, nodes, edges };
}

const env = await start();
try {
  const page = await env.page({ viewport: { width: 1280, height: 800 } });
  await page.addInitScript((json) => localStorage.setItem("playground.design.v1", json), JSON.stringify(design()));
  await page.goto(env.base);
  await page.waitForSelector("[data-testid=play]", { timeout: 20_000 });
  const nodes = await page.locator(".node").count();
  await page.click("[data-testid=play]");
  await page.waitForTimeout(1000); // warm-up
  const { deltas, longTasks } = await page.evaluate(
    (ms) =>
      new Promise((done) => {
        const out = [];
        const longTasks = [];
        // Main-thread tasks over 50 ms (ours or the browser's), to tell a slow frame's cause.
        const obs = new PerformanceObserver((list) => list.getEntries().forEach((e) => longTasks.push(e.duration)));
        obs.observe({ type: "longtask", buffered: false });
        let last = performance.now();
        const end = last + ms;
        const tick = (t) => {
          out.push(t - last);
          last = t;
          if (t < end) requestAnimationFrame(tick);
          else {
            obs.disconnect();
            done({ deltas: out, longTasks });
          }
        };
        requestAnimationFrame(tick);
      }),
    SECONDS * 1000,
  );
  const clock = await page.textContent("[data-testid=sim-clock]");
  const lagging = await page.locator("[data-testid=lagging]").count();
  const rps = await page.textContent("[data-testid=kpi-rps]");
  deltas.sort((a, b) => a - b);
  const q = (p) => deltas[Math.min(deltas.length - 1, Math.floor(p * deltas.length))];
  const over50 = deltas.filter((d) => d > 50).length;
  console.log(`frame benchmark: ${nodes} nodes, ${RATE} req/s offered, ${deltas.length} frames in ${SECONDS} s`);
  console.log(`  frame time p50 ${q(0.5).toFixed(1)} ms, p95 ${q(0.95).toFixed(1)} ms, max ${deltas.at(-1).toFixed(1)} ms, frames over 50 ms: ${over50}`);
  const longest = longTasks.length ? Math.max(...longTasks).toFixed(1) : "0";
  console.log(`  main-thread long tasks (> 50 ms): ${longTasks.length}, longest ${longest} ms`);
  console.log(`  simulated clock ${clock.trim()} after ${SECONDS + 1} s of wall time; served ${rps.trim()}; ${lagging ? "slower than real time" : "keeping up with real time"}`);
  if (page.errors.length) {
    console.log(`  console errors: ${page.errors.join("; ")}`);
    process.exitCode = 1;
  }
} finally {
  await env.close();
}
