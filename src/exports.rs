//! The run bar's "Export" menu: the design as PNG or SVG in the current colour scheme, the
//! run's series as CSV (`sim_core::series`, the runner's `--series` format) and an animated
//! WebM clip of the run replayed from t = 0 (the design and seed a share link opens),
//! recorded from a `<canvas>` with `MediaRecorder`. The pictures are `export::scene`; this
//! module reads the page's colours, paints, records and downloads.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use leptos::ev;
use leptos::prelude::*;
use sim_core::series::Series;
use sim_core::{Scenario, Sim, SimTime};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, CanvasRenderingContext2d, HtmlCanvasElement};

use crate::export::{self, Extras, Palette, Scene, Shape, CLIP_FPS};
use crate::state::{ChromeCtx, DesignCtx, RunCtx};

/// PNG pixels per scene pixel (sharp on high-density screens).
pub const PNG_SCALE: f64 = 2.0;
/// The clip's speeds: simulated seconds per second of video.
const CLIP_SPEEDS: [f64; 4] = [1.0, 2.0, 5.0, 10.0];
/// Events per step of the replay between checks of the frame budget.
const EVENT_CHUNK: u64 = 2_000;
/// Wall-clock budget of one slice of the replay, ms (then the page gets a turn).
const SLICE_MS: f64 = 12.0;

fn fail(what: &str) -> impl Fn(JsValue) -> String + '_ {
    move |_| format!("The browser refused to create the {what}.")
}

/// Offers `blob` as a download named `name` (the object URL is freed a minute later).
fn download(name: &str, blob: &Blob) -> Result<(), String> {
    let url = web_sys::Url::create_object_url_with_blob(blob).map_err(fail("file"))?;
    let a = gloo::utils::document()
        .create_element("a")
        .map_err(fail("file"))?
        .unchecked_into::<web_sys::HtmlAnchorElement>();
    a.set_href(&url);
    a.set_download(name);
    a.click();
    let free = Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    let _ = gloo::utils::window()
        .set_timeout_with_callback_and_timeout_and_arguments_0(free.unchecked_ref(), 60_000);
    Ok(())
}

fn text_blob(text: &str, mime: &str) -> Result<Blob, String> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let opts = BlobPropertyBag::new();
    opts.set_type(mime);
    Blob::new_with_str_sequence_and_options(&parts, &opts).map_err(fail("file"))
}

/// The page's colours now (light or dark, whichever the page shows).
fn palette() -> Palette {
    let fallback = Palette::light();
    let Some(root) = gloo::utils::document().document_element() else {
        return fallback;
    };
    let Ok(Some(css)) = gloo::utils::window().get_computed_style(&root) else {
        return fallback;
    };
    let var = |name: &str, or: &str| {
        let v = css.get_property_value(name).unwrap_or_default();
        let v = v.trim();
        if v.is_empty() {
            or.to_string()
        } else {
            v.to_string()
        }
    };
    let pct = |name: &str, or: f64| {
        var(name, "")
            .trim_end_matches('%')
            .trim()
            .parse()
            .unwrap_or(or)
    };
    Palette {
        bg: var("--bg", &fallback.bg),
        ink: var("--ink", &fallback.ink),
        muted: var("--muted", &fallback.muted),
        line: var("--line", &fallback.line),
        node_bg: var("--node-bg", &fallback.node_bg),
        edge: var("--edge", &fallback.edge),
        warn: var("--warn", &fallback.warn),
        bad: var("--bad", &fallback.bad),
        node_s: pct("--node-s", fallback.node_s),
        node_l: pct("--node-l", fallback.node_l),
    }
}

/// Each kind's accent colour as the style sheet gives it (`.kind-NAME { --kind-c }`).
fn kind_colours(design: &Scenario, or: &str) -> BTreeMap<&'static str, String> {
    let doc = gloo::utils::document();
    let mut out = BTreeMap::new();
    let Some(body) = doc.body() else {
        return out;
    };
    for n in &design.nodes {
        let kind = n.kind.name();
        if out.contains_key(kind) {
            continue;
        }
        let Ok(probe) = doc.create_element("span") else {
            continue;
        };
        probe.set_class_name(&format!("kind-{kind}"));
        let _ = body.append_child(&probe);
        let c = gloo::utils::window()
            .get_computed_style(&probe)
            .ok()
            .flatten()
            .and_then(|s| s.get_property_value("--kind-c").ok())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| or.to_string());
        probe.remove();
        out.insert(kind, c);
    }
    out
}

/// The picture of the design now, as the page shows it.
fn scene_now(design: &Scenario, run: RunCtx, extras_snap: bool) -> Scene {
    let p = palette();
    let kinds = kind_colours(design, &p.line);
    let snap = run.snap.get_untracked();
    let extras = Extras {
        snap: extras_snap.then_some(&*snap),
        ..Extras::default()
    };
    export::scene(
        design,
        &p,
        |k| kinds.get(k).cloned().unwrap_or_else(|| p.line.clone()),
        extras,
    )
}

fn set_dash(c2d: &CanvasRenderingContext2d, dash: Option<&str>) {
    let arr = js_sys::Array::new();
    for v in dash.unwrap_or("").split_whitespace() {
        if let Ok(v) = v.parse::<f64>() {
            arr.push(&JsValue::from_f64(v));
        }
    }
    let _ = c2d.set_line_dash(&arr);
}

/// Paints `s` on `c2d`, `scale` device pixels per scene pixel.
fn paint(c2d: &CanvasRenderingContext2d, s: &Scene, scale: f64) {
    let _ = c2d.set_transform(scale, 0.0, 0.0, scale, 0.0, 0.0);
    c2d.set_fill_style_str(&s.bg);
    c2d.fill_rect(0.0, 0.0, s.width, s.height);
    for sh in &s.shapes {
        match sh {
            Shape::Rect {
                x,
                y,
                w,
                h,
                r,
                fill,
                stroke,
                stroke_w,
                dash,
            } => {
                let r = r.min(w / 2.0).min(h / 2.0);
                c2d.begin_path();
                c2d.move_to(x + r, *y);
                let _ = c2d.arc_to(x + w, *y, x + w, y + h, r);
                let _ = c2d.arc_to(x + w, y + h, *x, y + h, r);
                let _ = c2d.arc_to(*x, y + h, *x, *y, r);
                let _ = c2d.arc_to(*x, *y, x + w, *y, r);
                c2d.close_path();
                if fill != "none" {
                    c2d.set_fill_style_str(fill);
                    c2d.fill();
                }
                if stroke != "none" && *stroke_w > 0.0 {
                    set_dash(c2d, *dash);
                    c2d.set_stroke_style_str(stroke);
                    c2d.set_line_width(*stroke_w);
                    c2d.stroke();
                }
            }
            Shape::Text {
                x,
                y,
                text,
                size,
                bold,
                fill,
            } => {
                let weight = if *bold { "600 " } else { "" };
                c2d.set_font(&format!("{weight}{size}px {}", export::FONT));
                c2d.set_fill_style_str(fill);
                let _ = c2d.fill_text(text, *x, *y);
            }
            Shape::Curve {
                c,
                stroke,
                width,
                dash,
            } => {
                c2d.begin_path();
                c2d.move_to(c[0].0, c[0].1);
                c2d.bezier_curve_to(c[1].0, c[1].1, c[2].0, c[2].1, c[3].0, c[3].1);
                set_dash(c2d, *dash);
                c2d.set_stroke_style_str(stroke);
                c2d.set_line_width(*width);
                c2d.set_line_cap("round");
                c2d.stroke();
            }
            Shape::Dot { x, y, r, fill } => {
                c2d.begin_path();
                let _ = c2d.arc(*x, *y, *r, 0.0, std::f64::consts::TAU);
                c2d.set_fill_style_str(fill);
                c2d.fill();
            }
        }
    }
    set_dash(c2d, None);
}

/// A detached canvas of `s`'s size × `scale`, and its 2-D context.
fn canvas_for(
    s: &Scene,
    scale: f64,
) -> Result<(HtmlCanvasElement, CanvasRenderingContext2d), String> {
    let el = gloo::utils::document()
        .create_element("canvas")
        .map_err(fail("picture"))?
        .unchecked_into::<HtmlCanvasElement>();
    // Video encoders want even sizes.
    let even = |v: f64| ((v * scale).ceil() as u32 + 1) & !1;
    el.set_width(even(s.width));
    el.set_height(even(s.height));
    let c2d = el
        .get_context("2d")
        .ok()
        .flatten()
        .ok_or("The browser has no 2-D canvas for the picture.")?
        .unchecked_into::<CanvasRenderingContext2d>();
    Ok((el, c2d))
}

async fn png(s: &Scene) -> Result<Blob, String> {
    let (el, c2d) = canvas_for(s, PNG_SCALE)?;
    paint(&c2d, s, PNG_SCALE);
    let p = js_sys::Promise::new(&mut |resolve, _| {
        let _ = el.to_blob(&resolve);
    });
    JsFuture::from(p)
        .await
        .ok()
        .and_then(|b| b.dyn_into::<Blob>().ok())
        .ok_or_else(|| "The browser refused to encode the PNG.".to_string())
}

async fn sleep_ms(ms: f64) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        let _ = gloo::utils::window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms.max(0.0) as i32);
    });
    let _ = JsFuture::from(p).await;
}

fn now_ms() -> f64 {
    gloo::utils::window().performance().map_or(0.0, |p| p.now())
}

/// The clip's progress: what is under way and how far (0..1).
type Progress = RwSignal<Option<(&'static str, f64)>>;

/// Replays `design` from t = 0 to `end_s` and records it as WebM at `speed` (simulated
/// seconds per second of video). `None`: cancelled.
async fn clip(
    design: Scenario,
    end_s: f64,
    speed: f64,
    progress: Progress,
    cancel: Arc<AtomicBool>,
) -> Result<Option<Blob>, String> {
    let mime = [
        "video/webm;codecs=vp9",
        "video/webm;codecs=vp8",
        "video/webm",
    ]
    .into_iter()
    .find(|m| web_sys::MediaRecorder::is_type_supported(m))
    .ok_or("This browser cannot record WebM video.")?;
    let p = palette();
    let kinds = kind_colours(&design, &p.line);
    let colour = |k: &str| kinds.get(k).cloned().unwrap_or_else(|| p.line.clone());
    let mut sim = Sim::with_seed(&design, design.seed).map_err(|e| e.to_string())?;
    let times = export::frame_times(end_s, speed);
    // 1. The replay: a picture per frame, stepping the core in slices so the page stays live.
    let mut frames = Vec::with_capacity(times.len());
    let mut slice = now_ms();
    for (k, &t) in times.iter().enumerate() {
        let target = SimTime::from_secs_f64(t);
        loop {
            if cancel.load(Ordering::Relaxed) {
                return Ok(None);
            }
            if now_ms() - slice > SLICE_MS {
                progress.set(Some(("Replaying the run", k as f64 / times.len() as f64)));
                sleep_ms(0.0).await;
                slice = now_ms();
            }
            if sim.step_until(target, EVENT_CHUNK).reached {
                break;
            }
        }
        let snap = sim.snapshot();
        let caption = export::caption(&snap, speed);
        let phase = (t / speed * 0.6).fract();
        frames.push(export::scene(
            &design,
            &p,
            colour,
            Extras {
                snap: Some(&snap),
                dots_phase: Some(phase),
                caption: Some(&caption),
            },
        ));
    }
    // 2. The recording: each picture painted at its instant of wall time.
    let Some(first) = frames.first() else {
        return Ok(None);
    };
    let (el, c2d) = canvas_for(first, 1.0)?;
    paint(&c2d, first, 1.0);
    let stream = el.capture_stream().map_err(fail("video"))?;
    let opts = web_sys::MediaRecorderOptions::new();
    opts.set_mime_type(mime);
    let rec =
        web_sys::MediaRecorder::new_with_media_stream_and_media_recorder_options(&stream, &opts)
            .map_err(fail("video"))?;
    let chunks = Rc::new(RefCell::new(js_sys::Array::new()));
    let on_data = {
        let chunks = chunks.clone();
        Closure::<dyn FnMut(web_sys::BlobEvent)>::new(move |e: web_sys::BlobEvent| {
            if let Some(b) = e.data() {
                chunks.borrow().push(&b);
            }
        })
    };
    rec.set_ondataavailable(Some(on_data.as_ref().unchecked_ref()));
    let stopped = js_sys::Promise::new(&mut |resolve, _| rec.set_onstop(Some(&resolve)));
    rec.start().map_err(fail("video"))?;
    let start = now_ms();
    let frame_ms = 1000.0 / CLIP_FPS;
    let mut cancelled = false;
    for (k, f) in frames.iter().enumerate() {
        if cancel.load(Ordering::Relaxed) {
            cancelled = true;
            break;
        }
        sleep_ms(start + k as f64 * frame_ms - now_ms()).await;
        paint(&c2d, f, 1.0);
        progress.set(Some(("Recording", k as f64 / frames.len() as f64)));
    }
    // The last picture stays for one frame, so the video lasts (frames − 1 + 1) / FPS.
    if !cancelled {
        sleep_ms(start + frames.len() as f64 * frame_ms - now_ms()).await;
    }
    let _ = rec.stop();
    let _ = JsFuture::from(stopped).await;
    rec.set_ondataavailable(None);
    drop(on_data);
    if cancelled {
        return Ok(None);
    }
    let opts = BlobPropertyBag::new();
    opts.set_type("video/webm");
    let parts = chunks.borrow().clone();
    Blob::new_with_blob_sequence_and_options(&parts, &opts)
        .map(Some)
        .map_err(fail("video"))
}

/// The run bar's "Export" button and its menu.
#[component]
pub fn ExportMenu() -> impl IntoView {
    let run = expect_context::<RunCtx>();
    let dsg = expect_context::<DesignCtx>();
    let chrome = expect_context::<ChromeCtx>();
    let open = RwSignal::new(false);
    let speed = RwSignal::new(1.0_f64);
    let progress: Progress = RwSignal::new(None);
    let cancel = StoredValue::new(Arc::new(AtomicBool::new(false)));
    let name = move |ext: &str| {
        dsg.design
            .with_untracked(|d| export::file_name(&d.name, ext))
    };
    let report = move |r: Result<(), String>, done: String| match r {
        Ok(()) => chrome.say(done),
        Err(e) => chrome.notice.set(Some(e)),
    };

    let on_png = move |_| {
        let s = dsg.design.with_untracked(|d| scene_now(d, run, true));
        let file = name("png");
        leptos::task::spawn_local(async move {
            let r = match png(&s).await {
                Ok(b) => download(&file, &b),
                Err(e) => Err(e),
            };
            report(r, format!("Downloaded {file}."));
        });
    };
    let on_svg = move |_| {
        let s = dsg.design.with_untracked(|d| scene_now(d, run, true));
        let file = name("svg");
        let r = text_blob(&export::svg(&s), "image/svg+xml").and_then(|b| download(&file, &b));
        report(r, format!("Downloaded {file}."));
    };
    let on_csv = move |_| {
        let snap = run.snap.get_untracked();
        let series = Series::of_snapshot(&snap);
        let file = name("csv");
        let window = dsg.design.with_untracked(|d| d.metrics.window_s);
        let first = snap.series.first().map_or(0.0, |g| g.t_s);
        let r = text_blob(&series.to_csv(), "text/csv").and_then(|b| download(&file, &b));
        let done = if first > window * 1.5 {
            format!(
                "Downloaded {file}: {} windows from t = {first:.0} s (older windows are no longer kept).",
                series.len()
            )
        } else {
            format!("Downloaded {file}: {} windows.", series.len())
        };
        report(r, done);
    };
    let on_clip = move |_| {
        if progress.get_untracked().is_some() {
            return;
        }
        let end_s = run.clock.get_untracked();
        if end_s <= 0.0 {
            chrome.notice.set(Some(
                "Play the run first: the clip replays it from 0 s to the instant shown.".into(),
            ));
            return;
        }
        let flag = Arc::new(AtomicBool::new(false));
        cancel.set_value(flag.clone());
        let design = dsg.design.get_untracked();
        let file = name("webm");
        let sp = speed.get_untracked();
        progress.set(Some(("Replaying the run", 0.0)));
        leptos::task::spawn_local(async move {
            let r = clip(design, end_s, sp, progress, flag).await;
            progress.set(None);
            match r {
                Ok(Some(b)) => report(
                    download(&file, &b),
                    format!("Downloaded {file}: {end_s:.1} s of the run at ×{sp}."),
                ),
                Ok(None) => chrome.say("Clip cancelled."),
                Err(e) => chrome.notice.set(Some(e)),
            }
        });
    };
    let on_key = move |e: ev::KeyboardEvent| {
        if e.key() == "Escape" && open.get_untracked() {
            e.stop_propagation();
            open.set(false);
        }
    };

    view! {
        <div class="export-menu" on:keydown=on_key>
            <button data-testid="export" aria-expanded=move || open.get().to_string() aria-controls="export-list"
                on:click=move |_| open.update(|o| *o = !*o) aria-label="Export"
                title="Export: the design as a picture, the series as CSV or the run as a clip">
                <svg class="export-icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
                    <path d="M8 2v8M4.5 6.5 8 10l3.5-3.5M3 13.5h10" fill="none" stroke="currentColor" stroke-width="1.7"
                        stroke-linecap="round" stroke-linejoin="round"></path>
                </svg>
                <span class="export-word">"Export"</span>
            </button>
            <div id="export-list" class="export-list" role="group" aria-label="Export" hidden=move || !open.get()>
                <button data-testid="export-png" on:click=on_png title="The design as drawn now, as a PNG image">"PNG image"</button>
                <button data-testid="export-svg" on:click=on_svg title="The design as drawn now, as an SVG drawing">"SVG drawing"</button>
                <button data-testid="export-csv" on:click=on_csv title="One row per closed metrics window (the runner's --series columns)">"Series CSV"</button>
                <div class="export-clip">
                    <button data-testid="export-clip" on:click=on_clip disabled=move || progress.with(|p| p.is_some())
                        title="Replay the run from 0 s (this design and seed, as a share link opens it) and record it as WebM">"Clip (WebM)"</button>
                    <label class="field-inline">"at "
                        <select data-testid="clip-speed" aria-label="Clip speed: simulated seconds per second of video"
                            on:change=move |e| speed.set(event_target_value(&e).parse().unwrap_or(1.0))>
                            {CLIP_SPEEDS.iter().map(|v| view! { <option value=v.to_string() selected=*v == 1.0>{format!("×{v}")}</option> }).collect_view()}
                        </select>
                    </label>
                </div>
                {move || progress.get().map(|(what, f)| view! {
                    <div class="export-progress" role="status" data-testid="clip-progress">
                        <progress max="1" value=f aria-label=what></progress>
                        <span>{format!("{what} {:.0} %", f * 100.0)}</span>
                        <button data-testid="clip-cancel" on:click=move |_| cancel.with_value(|c| c.store(true, Ordering::Relaxed))>"Cancel"</button>
                    </div>
                })}
            </div>
        </div>
    }
}
