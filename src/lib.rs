//! The playground's web UI: a Leptos shell around `sim-core`. The UI holds no simulation
//! logic: edits become `Command`s (see `model::diff`), and the view draws snapshots.

use std::collections::BTreeSet;
use std::sync::Arc;

use leptos::html::Canvas;
use leptos::prelude::*;
use sim_core::{Command, Scenario, Snapshot};
use wasm_bindgen::JsCast;

mod canvas;
mod charts;
mod datatier;
mod dock;
pub mod embed;
pub mod engine;
pub mod fields;
mod files;
mod focus;
mod frame_loop;
mod gallery;
mod inspector;
pub mod model;
mod panels;
mod regions;
mod share;
mod storage;
mod timeline;

use engine::Engine;
use model::History;

/// Key of the autosaved design in local storage.
const DESIGN_KEY: &str = "playground.design.v1";
/// Where an autosave that could not be read is kept, so it is never lost.
const UNREADABLE_KEY: &str = "playground.design.unreadable";
/// Key of the colour-scheme choice.
const THEME_KEY: &str = "playground.theme";
/// How often (wall-clock ms) a running simulation publishes a snapshot to the view.
const SNAPSHOT_EVERY_MS: f64 = 100.0;
/// Time budget for stepping the core in one frame, ms.
const STEP_BUDGET_MS: f64 = 10.0;
/// Simulated seconds a single step advances.
pub const STEP_S: f64 = 0.1;

/// Pan and zoom of the canvas: screen = world × zoom + (px, py).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct View {
    pub px: f64,
    pub py: f64,
    pub zoom: f64,
}

/// What is selected on the canvas.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Selection {
    pub nodes: BTreeSet<String>,
    pub edge: Option<(String, String)>,
}

/// The page's shared state: signals for the view, stored values for what must stay out
/// of the reactive graph.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub design: RwSignal<Scenario>,
    history: StoredValue<History>,
    engine: StoredValue<Engine>,
    /// The newest published snapshot (about 10 Hz while running).
    pub snap: RwSignal<Arc<Snapshot>>,
    /// Simulated clock, s (every frame).
    pub clock: RwSignal<f64>,
    pub running: RwSignal<bool>,
    /// Speed factor; infinity means fast-forward.
    pub speed: RwSignal<f64>,
    pub seed: RwSignal<u64>,
    /// True while the core cannot keep up with the chosen speed.
    pub lagging: RwSignal<bool>,
    /// Simulated seconds per wall-clock second actually achieved (shown while lagging).
    pub achieved: RwSignal<f64>,
    pub selection: RwSignal<Selection>,
    pub view: RwSignal<View>,
    /// A plain message for the learner (refused connection, rejected value…).
    pub notice: RwSignal<Option<String>>,
    /// Why the design is not being saved, if it is not.
    pub storage_msg: RwSignal<Option<String>>,
    pub help_open: RwSignal<bool>,
    /// "auto", "light" or "dark".
    pub theme: RwSignal<String>,
    /// A node whose output port was clicked: the next node clicked becomes its callee.
    pub pending_connect: RwSignal<Option<String>>,
    /// Partition groups.
    pub group_a: RwSignal<BTreeSet<String>>,
    pub group_b: RwSignal<BTreeSet<String>>,
    /// Set when something changed that the next frame should publish.
    dirty: StoredValue<bool>,
    /// Structure edits (add, move, connect, delete) are refused (embed `readonly=1`).
    pub readonly: bool,
}

impl Ctx {
    fn new(design: Scenario, seed: u64) -> (Ctx, Option<String>) {
        let (engine, err) = Engine::new(&design, seed);
        let mut engine = engine;
        let snap = engine
            .snapshot()
            .map(Arc::new)
            .unwrap_or_else(|| Arc::new(empty_snapshot()));
        let ctx = Ctx {
            design: RwSignal::new(design),
            history: StoredValue::new(History::default()),
            engine: StoredValue::new(engine),
            snap: RwSignal::new(snap),
            clock: RwSignal::new(0.0),
            running: RwSignal::new(false),
            speed: RwSignal::new(1.0),
            seed: RwSignal::new(seed),
            lagging: RwSignal::new(false),
            achieved: RwSignal::new(0.0),
            selection: RwSignal::new(Selection::default()),
            view: RwSignal::new(View {
                px: 40.0,
                py: 40.0,
                zoom: 1.0,
            }),
            notice: RwSignal::new(None),
            storage_msg: RwSignal::new(None),
            help_open: RwSignal::new(false),
            theme: RwSignal::new("auto".to_string()),
            pending_connect: RwSignal::new(None),
            group_a: RwSignal::new(BTreeSet::new()),
            group_b: RwSignal::new(BTreeSet::new()),
            dirty: StoredValue::new(true),
            readonly: false,
        };
        (ctx, err)
    }

    /// Edits the design: `f` changes a copy; on success the change is recorded for undo
    /// and sent to the simulation. `coalesce` merges successive edits of one field into
    /// one undo step. A refusal is shown to the learner and changes nothing.
    pub fn edit(
        &self,
        coalesce: Option<String>,
        f: impl FnOnce(&mut Scenario) -> Result<(), String>,
    ) -> bool {
        let before = self.design.get_untracked();
        let mut after = before.clone();
        if let Err(why) = f(&mut after) {
            self.notice.set(Some(why));
            return false;
        }
        if after == before {
            return true;
        }
        if self.readonly && !embed::same_structure(&before, &after) {
            self.notice.set(Some(embed::READ_ONLY.to_string()));
            return false;
        }
        self.history
            .update_value(|h| h.record(before.clone(), coalesce));
        self.commit(&before, after);
        true
    }

    /// Replaces the design (after undo, redo, or a move) and syncs the simulation.
    fn commit(&self, before: &Scenario, after: Scenario) {
        let complaints = self
            .engine
            .try_update_value(|e| e.sync(before, &after))
            .unwrap_or_default();
        if let Some(first) = complaints.into_iter().next() {
            self.notice
                .set(Some(format!("The simulation refused the change: {first}")));
        }
        self.design.set(after);
        self.dirty.set_value(true);
    }

    /// Records a finished move (positions only: the simulation ignores them).
    pub fn record_move(&self, before: Scenario) {
        self.history.update_value(|h| {
            h.record(before, None);
        });
    }

    /// Moves without recording (during a drag).
    pub fn set_design_silently(&self, s: Scenario) {
        if !self.readonly {
            self.design.set(s);
        }
    }

    pub fn undo(&self) {
        self.travel(History::undo);
    }

    pub fn redo(&self) {
        self.travel(History::redo);
    }

    /// Moves through the history (undo or redo) from the current design.
    fn travel(&self, step: fn(&mut History, Scenario) -> Option<Scenario>) {
        let current = self.design.get_untracked();
        if let Some(other) = self
            .history
            .try_update_value(|h| step(h, current.clone()))
            .flatten()
        {
            self.commit(&current, other);
            self.prune_selection();
        }
    }

    /// Ends undo coalescing (a field lost focus).
    pub fn seal_history(&self) {
        self.history.update_value(|h| h.seal());
    }

    fn prune_selection(&self) {
        let d = self.design.get_untracked();
        self.selection.update(|s| {
            s.nodes.retain(|id| d.nodes.iter().any(|n| &n.id == id));
            if let Some((f, t)) = &s.edge {
                if !d.edges.iter().any(|e| &e.from == f && &e.to == t) {
                    s.edge = None;
                }
            }
        });
    }

    /// Sends a run-time command (traffic, faults) at the current instant.
    pub fn command(&self, c: Command) {
        let r = self
            .engine
            .try_update_value(|e| e.apply(c))
            .unwrap_or(Ok(()));
        if let Err(e) = r {
            self.notice.set(Some(e));
        }
        self.dirty.set_value(true);
    }

    /// Deletes the selected nodes or link.
    pub fn delete_selection(&self) {
        let sel = self.selection.get_untracked();
        if !sel.nodes.is_empty() {
            self.edit(None, |s| {
                model::remove_nodes(s, &sel.nodes);
                Ok(())
            });
        } else if let Some((f, t)) = &sel.edge {
            self.edit(None, |s| {
                model::remove_edge(s, f, t);
                Ok(())
            });
        }
        self.selection.set(Selection::default());
    }

    /// Connects two nodes, or says why not.
    pub fn connect(&self, from: &str, to: &str) -> bool {
        self.pending_connect.set(None);
        let ok = self.edit(None, |s| model::connect(s, from, to));
        if ok {
            self.notice.set(Some(format!("Connected {from} → {to}")));
        }
        ok
    }

    /// Rebuilds the run from the design at t = 0 with the current seed; paused.
    pub fn reset(&self) {
        let (engine, err) = Engine::new(&self.design.get_untracked(), self.seed.get_untracked());
        self.engine.set_value(engine);
        if let Some(e) = err {
            self.notice.set(Some(e));
        }
        self.running.set(false);
        self.clock.set(0.0);
        self.lagging.set(false);
        self.dirty.set_value(true);
    }

    /// Advances a paused run by one step.
    pub fn step_once(&self) {
        self.running.set(false);
        self.engine.update_value(|e| e.step_by(STEP_S));
        self.dirty.set_value(true);
    }

    /// Errors per second by cause, per window (for the dock).
    pub fn error_rates(&self) -> Vec<(f64, [f64; 5])> {
        self.engine.with_value(|e| e.error_rates())
    }

    /// The caches' combined hit ratio in the newest window, weighted by lookups.
    pub fn hit_ratio(&self) -> Option<f64> {
        self.engine.with_value(|e| e.hit_ratio())
    }

    /// The data-tier gauge of a node, one value per window (for its inspector sparkline).
    pub fn gauge_series(&self, id: &str) -> Vec<f64> {
        self.engine.with_value(|e| e.gauge_series(id))
    }

    /// Centres and scales the view on the design, given the stage size in CSS px, never
    /// below `min_zoom`.
    pub fn fit(&self, w: f64, h: f64, min_zoom: f64) {
        let Some((x0, y0, x1, y1)) = self.design.with_untracked(model::bounds) else {
            self.view.set(View {
                px: 40.0,
                py: 40.0,
                zoom: 1.0,
            });
            return;
        };
        let pad = 40.0;
        let fit = ((w - 2.0 * pad) / (x1 - x0))
            .min((h - 2.0 * pad) / (y1 - y0))
            .clamp(0.2, 1.5);
        let zoom = fit.max(min_zoom);
        // Too wide to fit at a readable size: start from the left (where clients usually are).
        let px = if fit < min_zoom {
            pad / 2.0 - x0 * zoom
        } else {
            (w - (x1 - x0) * zoom) / 2.0 - x0 * zoom
        };
        self.view.set(View {
            px,
            py: (h - (y1 - y0) * zoom) / 2.0 - y0 * zoom,
            zoom,
        });
    }

    /// Frames a newly opened design: the view it was saved with, else fit (never below
    /// `min_zoom`).
    pub fn frame_design(&self, w: f64, h: f64, min_zoom: f64) {
        match self.design.with_untracked(|d| d.view) {
            Some(v) => self.view.set(View {
                px: v.x,
                py: v.y,
                zoom: v.zoom.clamp(0.2, 3.0),
            }),
            None => self.fit(w, h, min_zoom),
        }
    }

    /// Zooms by `factor` around the screen point (sx, sy).
    pub fn zoom_at(&self, factor: f64, sx: f64, sy: f64) {
        self.view.update(|v| {
            let z = (v.zoom * factor).clamp(0.2, 3.0);
            let k = z / v.zoom;
            v.px = sx - (sx - v.px) * k;
            v.py = sy - (sy - v.py) * k;
            v.zoom = z;
        });
    }

    /// One animation frame: step the core within the time budget, publish a snapshot
    /// about ten times a second, and redraw the moving dots.
    fn frame(&self, dt_ms: f64, wall_ms: f64, st: &mut FrameState) {
        let perf = gloo::utils::window().performance();
        let now = || perf.as_ref().map_or(0.0, |p| p.now());
        let start = now();
        let running = self.running.get_untracked();
        let t0 = self.engine.with_value(|e| e.now_s());
        if running {
            let speed = self.speed.get_untracked();
            let reached = self.engine.try_update_value(|e| {
                let target = if speed.is_finite() {
                    e.now_s() + dt_ms / 1000.0 * speed
                } else {
                    e.now_s() + 3600.0
                };
                e.advance(target, || now() - start > STEP_BUDGET_MS)
            });
            if speed.is_finite() {
                let behind = if reached == Some(false) { 1.0 } else { 0.0 };
                st.lag = 0.9 * st.lag + 0.1 * behind;
                let lagging = st.lag > 0.5;
                if self.lagging.get_untracked() != lagging {
                    self.lagging.set(lagging);
                }
            }
        }
        let t = self.engine.with_value(|e| e.now_s());
        let complaints = self
            .engine
            .try_update_value(|e| e.take_complaints())
            .unwrap_or_default();
        if let Some(last) = complaints.into_iter().last() {
            self.notice.set(Some(last));
        }
        if self.clock.get_untracked() != t {
            self.clock.set(t);
        }
        if running && dt_ms > 0.0 {
            st.achieved = 0.9 * st.achieved + 0.1 * (t - t0) / (dt_ms / 1000.0);
        }
        let dirty = self.dirty.get_value();
        if dirty || (running && wall_ms - st.last_pub >= SNAPSHOT_EVERY_MS) {
            self.dirty.set_value(false);
            st.last_pub = wall_ms;
            if self.lagging.get_untracked() {
                self.achieved.set(st.achieved);
            }
            if let Some(s) = self.engine.try_update_value(|e| e.snapshot()).flatten() {
                self.snap.set(Arc::new(s));
            }
        }
    }
}

/// What the frame loop carries from one frame to the next.
#[derive(Default)]
struct FrameState {
    /// Wall-clock ms of the last published snapshot.
    last_pub: f64,
    /// EWMA of frames that missed their simulated-time target.
    lag: f64,
    /// EWMA of simulated seconds per wall-clock second.
    achieved: f64,
}

/// A snapshot with nothing in it (only if the core could not build even an empty run).
fn empty_snapshot() -> Snapshot {
    Snapshot {
        now_s: 0.0,
        events_processed: 0,
        global: Default::default(),
        nodes: Vec::new(),
        edges: Vec::new(),
        series: Vec::new(),
        alerts: Vec::new(),
        log: Vec::new(),
        hops: Vec::new(),
    }
}

/// The design to start with: the autosave if there is a readable one, else the demo.
fn initial_design() -> (Scenario, Vec<String>) {
    let mut msgs = Vec::new();
    let design = match storage::load(DESIGN_KEY) {
        Ok(Some(json)) => match Scenario::from_json(&json) {
            Ok(s) => s,
            Err(e) => {
                let kept = storage::save(UNREADABLE_KEY, &json).is_ok();
                msgs.push(format!(
                    "Your saved design could not be read ({e}); {} The demo design was loaded instead.",
                    if kept { format!("it was kept in local storage under \"{UNREADABLE_KEY}\".") } else { "it was left untouched.".to_string() }
                ));
                sim_core::demo_scenario()
            }
        },
        Ok(None) => sim_core::demo_scenario(),
        Err(e) => {
            msgs.push(e);
            sim_core::demo_scenario()
        }
    };
    (design, msgs)
}

/// The whole page: run bar, palette, canvas, inspector and metrics dock.
#[component]
pub fn App() -> impl IntoView {
    let cfg = embed::Config::parse(
        &gloo::utils::window()
            .location()
            .search()
            .unwrap_or_default(),
    );
    if cfg.embed {
        // An embed never touches the visitor's storage (and a sandboxed one cannot).
        storage::disable();
    }
    let classes = cfg.classes();
    let (design, msgs) = initial_design();
    let seed = design.seed;
    let (mut ctx, err) = Ctx::new(design, seed);
    ctx.readonly = cfg.readonly;
    provide_context(ctx);
    let page = share::Page::new(cfg);
    provide_context(page);
    let storage_problem = msgs.first().cloned();
    if let Some(m) = storage_problem.clone() {
        ctx.storage_msg.set(Some(m));
    }
    if let Some(e) = err {
        ctx.notice.set(Some(format!(
            "The saved design could not be simulated: {e}"
        )));
    }
    if let Ok(Some(t)) = storage::load(THEME_KEY) {
        if ["light", "dark", "auto"].contains(&t.as_str()) {
            ctx.theme.set(t);
        }
    }

    share::start(ctx, page);

    // Autosave every change of the design (a failure is said once, plainly). The design
    // the page opened with is already saved, or must not be (a refused link writes nothing).
    Effect::new(move |opened: Option<()>| {
        let json = ctx.design.with(|d| d.to_json());
        if opened.is_some() {
            if let Err(e) = storage::save(DESIGN_KEY, &json) {
                ctx.storage_msg.set(Some(e));
            }
        }
    });
    // Notices fade after a few seconds.
    Effect::new(move |_| {
        if let Some(m) = ctx.notice.get() {
            set_timeout(
                move || {
                    if ctx.notice.get_untracked().as_deref() == Some(m.as_str()) {
                        ctx.notice.set(None);
                    }
                },
                std::time::Duration::from_secs(8),
            );
        }
    });
    // The colour scheme lives on <html data-theme>; it is saved when changed.
    Effect::new(move |opened: Option<()>| {
        let t = ctx.theme.get();
        if let Some(root) = gloo::utils::document().document_element() {
            let _ = root.set_attribute("data-theme", &t);
        }
        if opened.is_some() {
            let _ = storage::save(THEME_KEY, &t);
        }
    });

    let dots = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        if let Some(el) = dots.get() {
            start_frame_loop(ctx, el);
        }
    });
    install_shortcuts(ctx);

    view! {
        <div class=classes id="app">
            <panels::RunBar/>
            <div class="left">
                <panels::Palette/>
                <panels::Traffic/>
            </div>
            <canvas::Stage dots=dots/>
            <gallery::LessonPanel/>
            <inspector::Inspector/>
            <dock::Dock/>
            <panels::Help/>
            <gallery::Gallery/>
            <share::ShareDialog/>
            <share::EmbedDialog/>
        </div>
    }
}

fn start_frame_loop(ctx: Ctx, el: web_sys::HtmlCanvasElement) {
    let Some(c2d) = el
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    let mut last_ms: Option<f64> = None;
    let mut st = FrameState::default();
    frame_loop::every_frame(move |ms| {
        let dt_ms = (ms - last_ms.unwrap_or(ms)).clamp(0.0, 100.0);
        last_ms = Some(ms);
        ctx.frame(dt_ms, ms, &mut st);
        canvas::draw_dots(ctx, &el, &c2d, ms);
    });
}

/// True when keys typed go to a form control.
fn typing_in_field(ev: &web_sys::KeyboardEvent) -> bool {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .map(|el| {
            let tag = el.tag_name().to_ascii_lowercase();
            matches!(tag.as_str(), "input" | "select" | "textarea")
        })
        .unwrap_or(false)
}

/// The canvas's size in CSS px.
fn stage_size() -> (f64, f64) {
    gloo::utils::document()
        .query_selector(".stage")
        .ok()
        .flatten()
        .map(|el| (f64::from(el.client_width()), f64::from(el.client_height())))
        .unwrap_or((800.0, 600.0))
}

fn install_shortcuts(ctx: Ctx) {
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        let key = ev.key();
        if key == "Escape" {
            ctx.help_open.set(false);
            ctx.pending_connect.set(None);
            return;
        }
        if typing_in_field(&ev) {
            return;
        }
        let ctrl = ev.ctrl_key() || ev.meta_key();
        let on_button = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlButtonElement>().ok())
            .is_some();
        match key.as_str() {
            "z" | "Z" if ctrl && ev.shift_key() => ctx.redo(),
            "z" if ctrl => ctx.undo(),
            "y" if ctrl => ctx.redo(),
            "a" if ctrl => {
                let all = ctx
                    .design
                    .with_untracked(|d| d.nodes.iter().map(|n| n.id.clone()).collect());
                ctx.selection.set(Selection {
                    nodes: all,
                    edge: None,
                });
            }
            "Delete" | "Backspace" => ctx.delete_selection(),
            " " if !on_button => ctx.running.update(|r| *r = !*r),
            "." => ctx.step_once(),
            "?" => ctx.help_open.update(|h| *h = !*h),
            "+" | "=" | "-" | "f" | "F" if !ctrl => {
                let (w, h) = stage_size();
                match key.as_str() {
                    "f" | "F" => ctx.fit(w, h, 0.2),
                    "-" => ctx.zoom_at(0.8, w / 2.0, h / 2.0),
                    _ => ctx.zoom_at(1.25, w / 2.0, h / 2.0),
                }
            }
            "ArrowLeft" | "ArrowRight" | "ArrowUp" | "ArrowDown" => {
                let sel = ctx.selection.get_untracked().nodes;
                let step = if ev.shift_key() { 50.0 } else { 10.0 };
                let (dx, dy) = match key.as_str() {
                    "ArrowLeft" => (-step, 0.0),
                    "ArrowRight" => (step, 0.0),
                    "ArrowUp" => (0.0, -step),
                    _ => (0.0, step),
                };
                if sel.is_empty() {
                    // With nothing selected, arrows pan the canvas when it has the focus.
                    let in_stage = ev
                        .target()
                        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                        .and_then(|el| el.closest(".stage").ok().flatten())
                        .is_some();
                    if !in_stage {
                        return;
                    }
                    ctx.view.update(|v| {
                        v.px -= dx * 4.0;
                        v.py -= dy * 4.0;
                    });
                    ev.prevent_default();
                    return;
                }
                ctx.edit(Some("keyboard-move".to_string()), |s| {
                    model::move_nodes(s, &sel, dx, dy);
                    Ok(())
                });
            }
            _ => return,
        }
        ev.prevent_default();
    });
    // The listener lives as long as the page; dropping the handle keeps it installed.
    std::mem::forget(handle);
}
