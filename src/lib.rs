//! The playground's web UI: a thin Leptos shell around `sim-core`.

use leptos::html::Canvas;
use leptos::prelude::*;
use sim_core::{Sim, SimTime};
use wasm_bindgen::JsCast;
use web_sys::CanvasRenderingContext2d;

mod frame_loop;

/// The whole page: run bar, palette, canvas, inspector and metrics dock.
#[component]
pub fn App() -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let sim = StoredValue::new(Sim::default());
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
        let dt_ms = ms - last_ms.unwrap_or(ms);
        last_ms = Some(ms);
        let now = sim.with_value(|s| s.now());
        let t = SimTime(now.0 + (dt_ms.clamp(0.0, 100.0) * 1e6) as u64);
        sim.update_value(|s| s.step_until(t));
        let now_s = t.0 as f64 / 1e9;
        set_clock_s.set(now_s);
        draw(&el, &ctx, now_s);
    });
}

fn draw(el: &web_sys::HtmlCanvasElement, ctx: &CanvasRenderingContext2d, now_s: f64) {
    let (w, h) = (
        el.client_width().max(1) as u32,
        el.client_height().max(1) as u32,
    );
    if el.width() != w || el.height() != h {
        el.set_width(w);
        el.set_height(h);
    }
    ctx.clear_rect(0.0, 0.0, w as f64, h as f64);
    ctx.set_fill_style_str("#3b82f6");
    let x = (now_s * 80.0) % w as f64;
    ctx.fill_rect(x, h as f64 / 2.0 - 5.0, 10.0, 10.0);
}
