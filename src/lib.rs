//! The playground's web UI: a thin Leptos shell around `sim-core`.

use leptos::html::Canvas;
use leptos::prelude::*;
use sim_core::{demo_scenario, Sim, SimDuration, Snapshot};
use wasm_bindgen::JsCast;
use web_sys::CanvasRenderingContext2d;

mod frame_loop;

/// Most events one frame may process, so a frame never overruns.
const EVENTS_PER_FRAME: u64 = 50_000;

/// The whole page: run bar, palette, canvas, inspector and metrics dock.
#[component]
pub fn App() -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    // The demo design always validates; a failure would be a bug in sim-core's demo.
    let sim = StoredValue::new(Sim::new(&demo_scenario()).expect("the demo scenario is valid"));
    let (clock_s, set_clock_s) = signal(0.0_f64);

    Effect::new(move |_| {
        if let Some(el) = canvas.get() {
            start_frame_loop(el, sim, set_clock_s);
        }
    });

    view! {
        <div class="app" id="app">
            <header class="runbar" aria-label="Run bar">
                <span class="brand">"System-design playground"</span>
                <span class="clock" data-testid="sim-clock">{move || format!("t = {:.1} s", clock_s.get())}</span>
            </header>
            <nav class="palette" aria-label="Component palette">
                <h2>"Components"</h2>
            </nav>
            <main class="stage" aria-label="Design canvas">
                <canvas node_ref=canvas id="stage-canvas" aria-label="Simulation view"></canvas>
            </main>
            <aside class="inspector" aria-label="Inspector">
                <h2>"Inspector"</h2>
                <p class="hint">"Select a component to see its parameters."</p>
            </aside>
            <section class="dock" aria-label="Metrics dock">
                <h2>"Metrics"</h2>
            </section>
        </div>
    }
}

/// Drives the simulation from `requestAnimationFrame` and redraws the canvas each frame.
fn start_frame_loop(
    el: web_sys::HtmlCanvasElement,
    sim: StoredValue<Sim>,
    set_clock_s: WriteSignal<f64>,
) {
    let Some(ctx) = el
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    let mut last_ms: Option<f64> = None;
    frame_loop::every_frame(move |ms| {
        let dt_ms = (ms - last_ms.unwrap_or(ms)).clamp(0.0, 100.0);
        last_ms = Some(ms);
        let snapshot = sim.try_update_value(|s| {
            let until = s.now().after(SimDuration::from_millis_f64(dt_ms));
            s.step_until(until, EVENTS_PER_FRAME);
            s.snapshot()
        });
        if let Some(snap) = snapshot {
            set_clock_s.set(snap.now_s);
            draw(&el, &ctx, &snap);
        }
    });
}

fn draw(el: &web_sys::HtmlCanvasElement, ctx: &CanvasRenderingContext2d, snap: &Snapshot) {
    let (w, h) = (
        el.client_width().max(1) as u32,
        el.client_height().max(1) as u32,
    );
    if el.width() != w || el.height() != h {
        el.set_width(w);
        el.set_height(h);
    }
    let (w, h) = (f64::from(w), f64::from(h));
    ctx.clear_rect(0.0, 0.0, w, h);
    let pos = |x: Option<f64>, y: Option<f64>| {
        (40.0 + x.unwrap_or(0.0) * 0.8, 40.0 + y.unwrap_or(0.0) * 0.8)
    };
    ctx.set_stroke_style_str("#94a3b8");
    for e in &snap.edges {
        let from = snap.nodes.iter().find(|n| n.id == e.from);
        let to = snap.nodes.iter().find(|n| n.id == e.to);
        if let (Some(a), Some(b)) = (from, to) {
            let ((x0, y0), (x1, y1)) = (pos(a.x, a.y), pos(b.x, b.y));
            ctx.set_line_width(1.0 + (e.window_rps / 50.0).min(8.0));
            ctx.begin_path();
            ctx.move_to(x0, y0);
            ctx.line_to(x1, y1);
            ctx.stroke();
        }
    }
    for n in &snap.nodes {
        let (x, y) = pos(n.x, n.y);
        let hue = 120.0 * (1.0 - n.utilisation.clamp(0.0, 1.0));
        ctx.set_fill_style_str(&format!("hsl({hue:.0} 70% 45%)"));
        ctx.fill_rect(x - 14.0, y - 14.0, 28.0, 28.0);
    }
}
