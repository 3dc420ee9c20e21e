//! The page's shared state, as five contexts with one job each. `App` provides all five
//! (`provide_context`); a component takes only those it uses (`expect_context::<RunCtx>()`).
//! Each is a `Copy` bundle of signals and stored values.
//!
//! | context | its job |
//! |---|---|
//! | [`RunCtx`] | the simulation: engine, newest snapshot, clock, play/pause, speed, seed, lag |
//! | [`DesignCtx`] | the design, every edit of it, undo and redo, read-only mode |
//! | [`CameraCtx`] | pan and zoom of the canvas (maths in `camera`) |
//! | [`SelectionCtx`] | what is selected, and a connection waiting for its target |
//! | [`ChromeCtx`] | notices, the storage message, the help dialog, the colour scheme |
//!
//! `RunCtx` and `DesignCtx` report refusals through a copy of `ChromeCtx`'s notice signal,
//! and `DesignCtx` keeps a copy of `RunCtx` to hand every accepted edit to the engine.
//! What needs several contexts at once (undo then prune the selection, delete the
//! selection, connect) is a free function below taking what it needs.

use std::collections::BTreeSet;
use std::sync::Arc;

use leptos::prelude::*;
use sim_core::{Command, Scenario, Snapshot};

use crate::camera::View;
use crate::embed;
use crate::engine::Engine;
use crate::model::{self, History};
use crate::Selection;

/// How often (wall-clock ms) a running simulation publishes a snapshot to the view.
const SNAPSHOT_EVERY_MS: f64 = 100.0;
/// Time budget for stepping the core in one frame, ms.
const STEP_BUDGET_MS: f64 = 10.0;
/// Time budget for a seek in one frame, ms (the page is paused meanwhile; frames stay
/// under 50 ms).
const SEEK_BUDGET_MS: f64 = 30.0;
/// Simulated seconds a single step advances.
pub const STEP_S: f64 = 0.1;

/// A plain message for the learner (refused connection, rejected value…).
pub type Notice = RwSignal<Option<String>>;

/// The simulation as the page runs it.
#[derive(Clone, Copy)]
pub struct RunCtx {
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
    /// The furthest instant the run has reached, s (the scrubber's end).
    pub head: RwSignal<f64>,
    /// True while a seek is under way.
    pub seeking: RwSignal<bool>,
    /// Set when something changed that the next frame should publish.
    dirty: StoredValue<bool>,
    notice: Notice,
    /// Why the run last paused on one of the design's conditions.
    pub paused_on: RwSignal<Option<sim_core::Pause>>,
    /// The instant a seek beyond the run so far is heading for (see [`RunCtx::seek_to`]).
    until: StoredValue<Option<f64>>,
    /// The request whose dot was last clicked on the canvas, and its journey then.
    pub clicked: RwSignal<Option<(u64, sim_core::explain::Trace)>>,
}

impl RunCtx {
    /// A paused run of `design` at t = 0, and why the core refused it, if it did.
    fn new(design: &Scenario, seed: u64, notice: Notice) -> (RunCtx, Option<String>) {
        let (mut engine, err) = Engine::new(design, seed);
        let snap = engine
            .snapshot()
            .map(Arc::new)
            .unwrap_or_else(|| Arc::new(empty_snapshot()));
        let run = RunCtx {
            engine: StoredValue::new(engine),
            snap: RwSignal::new(snap),
            clock: RwSignal::new(0.0),
            running: RwSignal::new(false),
            speed: RwSignal::new(1.0),
            seed: RwSignal::new(seed),
            lagging: RwSignal::new(false),
            achieved: RwSignal::new(0.0),
            head: RwSignal::new(0.0),
            seeking: RwSignal::new(false),
            dirty: StoredValue::new(true),
            notice,
            paused_on: RwSignal::new(None),
            until: StoredValue::new(None),
            clicked: RwSignal::new(None),
        };
        (run, err)
    }

    /// Brings the run in line with a design edit (see `Engine::sync`).
    fn sync(&self, before: &Scenario, after: &Scenario) {
        let complaints = self
            .engine
            .try_update_value(|e| e.sync(before, after))
            .unwrap_or_default();
        if let Some(first) = complaints.into_iter().next() {
            self.notice
                .set(Some(format!("The simulation refused the change: {first}")));
        }
        self.dirty.set_value(true);
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

    /// Rebuilds the run from `design` at t = 0 with the current seed; paused.
    pub fn reset(&self, design: &Scenario) {
        let (engine, err) = Engine::new(design, self.seed.get_untracked());
        self.engine.set_value(engine);
        if let Some(e) = err {
            self.notice.set(Some(e));
        }
        self.running.set(false);
        self.seeking.set(false);
        self.until.set_value(None);
        self.paused_on.set(None);
        self.clock.set(0.0);
        self.lagging.set(false);
        self.dirty.set_value(true);
    }

    /// Pauses and brings the run back (or forward) to the instant `t_s` of the run so far;
    /// the next frames carry the seek out.
    pub fn seek(&self, t_s: f64) {
        self.running.set(false);
        self.until.set_value(None);
        self.engine.update_value(|e| e.seek(t_s));
        self.seeking.set(true);
    }

    /// Pauses and brings the run to the instant `t_s`: a seek within the run so far, or a
    /// run as fast as the frames allow beyond it (a pause condition on the way stops it
    /// there). `seeking` is true until it stands there.
    pub fn seek_to(&self, t_s: f64) {
        let head = self.engine.with_value(|e| e.head_s());
        if t_s <= head + 1e-9 {
            self.seek(t_s.max(0.0));
        } else {
            self.running.set(false);
            self.until.set_value(Some(t_s));
            self.seeking.set(true);
        }
    }

    /// Stops a run towards a later instant ([`RunCtx::seek_to`]) where it stands.
    pub fn stop_seeking(&self) {
        if self.until.get_value().is_some() {
            self.until.set_value(None);
            self.seeking.set(false);
            self.dirty.set_value(true);
        }
    }

    /// A snapshot of the run as it stands now (the published one may be a frame old).
    pub fn snapshot_now(&self) -> Option<Snapshot> {
        self.engine.try_update_value(|e| e.snapshot()).flatten()
    }

    /// One metrics window back (`dir` -1) or forward (1): a seek within the run so far, a
    /// step beyond it.
    pub fn seek_by(&self, dir: f64, window_s: f64) {
        let (now, head) = self.engine.with_value(|e| (e.now_s(), e.head_s()));
        let target = ((now / window_s).round() + dir) * window_s;
        if target <= head + 1e-9 {
            self.seek(target.max(0.0));
        } else {
            self.running.set(false);
            self.engine.update_value(|e| e.step_by(target - now));
            self.dirty.set_value(true);
        }
    }

    /// Runs on at once (no frame budget) to `t_s`, paused, one metrics window of
    /// `window_s` at a time so the errors and gauges record every window: a trial replay
    /// reaches the instant it then seeks back to.
    pub fn run_to(&self, t_s: f64, window_s: f64) {
        self.running.set(false);
        self.engine.update_value(|e| {
            while e.now_s() < t_s - 1e-9 {
                let before = e.now_s();
                e.step_by(window_s.min(t_s - before));
                e.snapshot();
                if e.now_s() <= before {
                    break;
                }
            }
        });
        self.dirty.set_value(true);
    }

    /// Advances a paused run by one step.
    pub fn step_once(&self) {
        self.running.set(false);
        self.engine.update_value(|e| e.step_by(STEP_S));
        self.dirty.set_value(true);
    }

    /// The last window's explanation and traces (for the "Why is p99 high?" panel).
    pub fn explain(
        &self,
    ) -> Option<(
        sim_core::explain::Explanation,
        sim_core::explain::WindowTraces,
    )> {
        self.engine.with_value(|e| e.explain())
    }

    /// Shows the journey of the newest sampled request on the link `from` → `to` (the one a
    /// clicked dot on that link stands for); false when none crossed it lately.
    pub fn show_request_on(&self, from: &str, to: &str) -> bool {
        let request = self.snap.with_untracked(|s| {
            let on = |h: &&sim_core::HopView| {
                h.request != 0
                    && ((!h.response && h.from == from && h.to == to)
                        || (h.response && h.from == to && h.to == from))
            };
            s.hops
                .iter()
                .filter(on)
                .max_by(|a, b| a.depart_s.total_cmp(&b.depart_s))
                .map(|h| h.request)
        });
        let trace = request.and_then(|r| Some((r, self.engine.with_value(|e| e.trace_of(r))?)));
        let found = trace.is_some();
        if found {
            self.clicked.set(trace);
        }
        found
    }

    /// The nodes that failed requests in the last window, with their badges' words.
    pub fn failure_badges(&self) -> Vec<(String, String)> {
        self.engine.with_value(|e| e.failure_badges())
    }

    /// Errors per second by cause, per window (for the dock).
    pub fn error_rates(&self) -> Vec<(f64, [f64; crate::engine::ERROR_CAUSES])> {
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

    /// One animation frame: step the core within the time budget and publish a snapshot
    /// about ten times a second.
    pub fn frame(&self, dt_ms: f64, wall_ms: f64, st: &mut FrameState) {
        let perf = gloo::utils::window().performance();
        let now = || perf.as_ref().map_or(0.0, |p| p.now());
        let start = now();
        if self.seeking.get_untracked() {
            let until = self.until.get_value();
            let done = self
                .engine
                .try_update_value(|e| match until {
                    Some(t) => e.advance(t, || now() - start > SEEK_BUDGET_MS),
                    None => e.seek_step(|| now() - start > SEEK_BUDGET_MS),
                })
                .unwrap_or(true);
            if done {
                self.until.set_value(None);
                self.seeking.set(false);
                self.dirty.set_value(true);
            }
        }
        let running = self.running.get_untracked() && !self.seeking.get_untracked();
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
        if let Some(why) = self.engine.try_update_value(|e| e.take_pause()).flatten() {
            self.running.set(false);
            self.stop_seeking();
            self.paused_on.set(Some(why));
            self.dirty.set_value(true);
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
        let head = self.engine.with_value(|e| e.head_s());
        if self.head.get_untracked() != head {
            self.head.set(head);
        }
        if running && dt_ms > 0.0 {
            st.achieved = 0.9 * st.achieved + 0.1 * (t - t0) / (dt_ms / 1000.0);
        }
        // Paused: publish the instant it stopped at (the fingerprint is taken from it).
        let paused_now = st.was_running && !running;
        st.was_running = running;
        let dirty = self.dirty.get_value() || paused_now;
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
pub struct FrameState {
    /// Wall-clock ms of the last published snapshot.
    last_pub: f64,
    /// EWMA of frames that missed their simulated-time target.
    lag: f64,
    /// EWMA of simulated seconds per wall-clock second.
    achieved: f64,
    /// The run was playing on the previous frame.
    was_running: bool,
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

/// The design, its edits and their undo history.
#[derive(Clone, Copy)]
pub struct DesignCtx {
    pub design: RwSignal<Scenario>,
    history: StoredValue<History>,
    /// Structure edits (add, move, connect, delete) are refused (embed `readonly=1`).
    pub readonly: bool,
    /// Counts the designs opened whole (a link, a preset, a restored backup): widgets that
    /// hold choices about the design (the partition groups) drop them when it changes.
    pub opened: RwSignal<u32>,
    run: RunCtx,
    notice: Notice,
}

impl DesignCtx {
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
        self.run.sync(before, &after);
        self.design.set(after);
    }

    /// Records `before` as one undo step (a finished move, a design opened from a link:
    /// the design is already in place).
    pub fn record_step(&self, before: Scenario) {
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

    /// Goes one step back; false when there is nothing to undo.
    fn undo(&self) -> bool {
        self.travel(History::undo)
    }

    /// Goes one step forward; false when there is nothing to redo.
    fn redo(&self) -> bool {
        self.travel(History::redo)
    }

    /// Moves through the history (undo or redo) from the current design.
    fn travel(&self, step: fn(&mut History, Scenario) -> Option<Scenario>) -> bool {
        let current = self.design.get_untracked();
        match self
            .history
            .try_update_value(|h| step(h, current.clone()))
            .flatten()
        {
            Some(other) => {
                self.commit(&current, other);
                true
            }
            None => false,
        }
    }

    /// Ends undo coalescing (a field lost focus).
    pub fn seal_history(&self) {
        self.history.update_value(|h| h.seal());
    }
}

/// Pan and zoom of the canvas.
#[derive(Clone, Copy)]
pub struct CameraCtx {
    pub view: RwSignal<View>,
}

impl CameraCtx {
    /// Centres and scales the view on `design` in a stage `w` × `h` CSS px, never below
    /// `min_zoom`.
    pub fn fit(&self, design: &Scenario, w: f64, h: f64, min_zoom: f64) {
        self.view
            .set(View::fit(model::bounds(design), w, h, min_zoom));
    }

    /// Frames a newly opened design: the view it was saved with, else fit (never below
    /// `min_zoom`).
    pub fn frame_design(&self, design: &Scenario, w: f64, h: f64, min_zoom: f64) {
        match &design.view {
            Some(v) => self.view.set(View::from_saved(v)),
            None => self.fit(design, w, h, min_zoom),
        }
    }

    /// Zooms by `factor` around the stage-local screen point (sx, sy).
    pub fn zoom_at(&self, factor: f64, sx: f64, sy: f64) {
        self.view.update(|v| *v = v.zoomed_at(factor, sx, sy));
    }
}

/// What is selected, and a connection started from a port waiting for its target.
#[derive(Clone, Copy)]
pub struct SelectionCtx {
    pub selection: RwSignal<Selection>,
    /// A node whose output port was clicked: the next node clicked becomes its callee.
    pub pending_connect: RwSignal<Option<String>>,
}

impl SelectionCtx {
    /// Selects exactly `ids` (no link).
    pub fn select_nodes(&self, ids: BTreeSet<String>) {
        self.selection.set(Selection {
            nodes: ids,
            edge: None,
        });
    }

    /// Drops what no longer exists in `d` from the selection.
    fn prune(&self, d: &Scenario) {
        self.selection.update(|s| {
            s.nodes.retain(|id| d.nodes.iter().any(|n| &n.id == id));
            if let Some((f, t)) = &s.edge {
                if !d.edges.iter().any(|e| &e.from == f && &e.to == t) {
                    s.edge = None;
                }
            }
        });
    }

    /// Nothing selected, nothing waiting to connect.
    pub fn clear(&self) {
        self.selection.set(Selection::default());
        self.pending_connect.set(None);
    }
}

/// The page's furniture around the design: messages, the help dialog, the colour scheme.
#[derive(Clone, Copy)]
pub struct ChromeCtx {
    /// A plain message for the learner (refused connection, rejected value…).
    pub notice: Notice,
    /// Why the design is not being saved, if it is not.
    pub storage_msg: RwSignal<Option<String>>,
    pub help_open: RwSignal<bool>,
    /// "auto", "light" or "dark".
    pub theme: RwSignal<String>,
    /// The phone's open tab (`tabs::TABS`, "" for the canvas alone); on a wide screen it
    /// changes nothing.
    pub tab: RwSignal<&'static str>,
}

impl ChromeCtx {
    /// Shows `msg` as the notice.
    pub fn say(&self, msg: impl Into<String>) {
        self.notice.set(Some(msg.into()));
    }
}

/// Builds the five contexts for `design`, and says why the core refused it, if it did.
pub fn contexts(
    design: Scenario,
    readonly: bool,
) -> (
    RunCtx,
    DesignCtx,
    CameraCtx,
    SelectionCtx,
    ChromeCtx,
    Option<String>,
) {
    let chrome = ChromeCtx {
        notice: RwSignal::new(None),
        storage_msg: RwSignal::new(None),
        help_open: RwSignal::new(false),
        theme: RwSignal::new("auto".to_string()),
        tab: RwSignal::new(""),
    };
    let (run, err) = RunCtx::new(&design, design.seed, chrome.notice);
    let design = DesignCtx {
        design: RwSignal::new(design),
        history: StoredValue::new(History::default()),
        readonly,
        opened: RwSignal::new(0),
        run,
        notice: chrome.notice,
    };
    let camera = CameraCtx {
        view: RwSignal::new(View::HOME),
    };
    let selection = SelectionCtx {
        selection: RwSignal::new(Selection::default()),
        pending_connect: RwSignal::new(None),
    };
    (run, design, camera, selection, chrome, err)
}

/// Undoes the last edit; the selection keeps only what still exists.
pub fn undo(d: DesignCtx, sel: SelectionCtx) {
    if d.undo() {
        d.design.with_untracked(|s| sel.prune(s));
    }
}

/// Redoes the last undone edit; the selection keeps only what still exists.
pub fn redo(d: DesignCtx, sel: SelectionCtx) {
    if d.redo() {
        d.design.with_untracked(|s| sel.prune(s));
    }
}

/// Deletes the selected nodes or link.
pub fn delete_selection(d: DesignCtx, sel: SelectionCtx) {
    let s = sel.selection.get_untracked();
    if !s.nodes.is_empty() {
        d.edit(None, |x| {
            model::remove_nodes(x, &s.nodes);
            Ok(())
        });
    } else if let Some((f, t)) = &s.edge {
        d.edit(None, |x| {
            model::remove_edge(x, f, t);
            Ok(())
        });
    }
    sel.selection.set(Selection::default());
}

/// Connects two nodes, or says why not.
pub fn connect(d: DesignCtx, sel: SelectionCtx, chrome: ChromeCtx, from: &str, to: &str) -> bool {
    sel.pending_connect.set(None);
    let ok = d.edit(None, |s| model::connect(s, from, to));
    if ok {
        chrome.say(format!("Connected {from} → {to}"));
    }
    ok
}
