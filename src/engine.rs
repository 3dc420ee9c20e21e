//! The running simulation as the page holds it: a `sim_core::Sim` plus the few things the
//! view needs that are not in a snapshot. No Leptos here; the app keeps it in a
//! `StoredValue`, outside the reactive graph.
//!
//! It also rewinds: checkpoints of the run (`sim_core::Checkpoints`) and the commands
//! recorded beyond the current instant let a seek bring back any earlier instant and let
//! play go on from there the same way; an edit at an earlier instant drops that future
//! (kept for undo).

use sim_core::{
    Checkpoints, Command, ErrorCounts, RecordedCommand, Scenario, Sim, SimDuration, SimTime,
    Snapshot,
};

use std::collections::{BTreeMap, VecDeque};

use crate::datatier;
use crate::model::{diff, empty_design};

/// Events per `step_until` call; the frame loop calls again while its time budget lasts.
const EVENT_CHUNK: u64 = 2_000;

/// Simulated seconds between checkpoints at first (the spacing doubles past the cap).
const CHECKPOINT_EVERY_S: f64 = 5.0;
/// Most checkpoints kept: about 5.3 MB each for the URL-shortener preset, so about 210 MB
/// at most for it (see ARCHITECTURE.md, "Rewind").
const CHECKPOINT_CAP: usize = 40;

/// The simulation, its error history and its data-tier gauge history, and what rewinding
/// needs: checkpoints, the commands of the run's future, the furthest instant reached.
pub struct Engine {
    sim: Option<Sim>,
    seed: u64,
    /// (window end, cumulative failed requests by cause, cumulative cache hits and lookups
    /// summed over the caches), once per new metrics window, so the dock can chart errors
    /// by cause and weigh the caches' hit ratios by their lookups.
    errors: Vec<(f64, ErrorCounts, (u64, u64))>,
    /// Per node, (window end, its data-tier gauge (see `datatier::gauge`)) once per new
    /// window. Both histories run to the furthest instant; the views show them up to now.
    gauges: BTreeMap<String, Vec<(f64, f64)>>,
    /// Why scheduled events could not be applied, for the learner.
    complaints: Vec<String>,
    checkpoints: Option<Checkpoints>,
    /// Commands recorded beyond the current instant (after a seek back): applied again as
    /// the run reaches them.
    pending: VecDeque<RecordedCommand>,
    /// The furthest instant the run has reached, s.
    head_s: f64,
    /// A seek under way: a copy of the run stepped towards the target over a few frames.
    seeking: Option<Seek>,
    /// The future that the last edit at an earlier instant dropped, for undo.
    dropped: Option<Box<Dropped>>,
}

/// A seek under way.
struct Seek {
    sim: Sim,
    pending: VecDeque<RecordedCommand>,
    target: SimTime,
}

/// A run as it was before an edit at an earlier instant dropped its future.
struct Dropped {
    /// The design before that edit: undoing back to it brings the run back.
    design: Scenario,
    sim: Sim,
    pending: VecDeque<RecordedCommand>,
    checkpoints: Option<Checkpoints>,
    head_s: f64,
    errors: Vec<(f64, ErrorCounts, (u64, u64))>,
    gauges: BTreeMap<String, Vec<(f64, f64)>>,
}

/// The causes `Engine::error_rates` gives a rate of, per window.
pub const ERROR_CAUSES: usize = 8;

/// Most error-history points kept.
const ERROR_HISTORY: usize = 600;

impl Engine {
    /// A fresh run of `design`; the error says why the design could not be simulated (an
    /// empty design is run instead).
    pub fn new(design: &Scenario, seed: u64) -> (Engine, Option<String>) {
        let (sim, err) = match Sim::with_seed(design, seed) {
            Ok(sim) => (Some(sim), None),
            Err(e) => (
                Sim::with_seed(&empty_design(), seed).ok(),
                Some(e.to_string()),
            ),
        };
        let every = SimDuration::from_secs_f64(CHECKPOINT_EVERY_S);
        let engine = Engine {
            checkpoints: sim
                .as_ref()
                .map(|s| Checkpoints::new(s, every, CHECKPOINT_CAP)),
            sim,
            seed,
            errors: Vec::new(),
            gauges: BTreeMap::new(),
            complaints: Vec::new(),
            pending: VecDeque::new(),
            head_s: 0.0,
            seeking: None,
            dropped: None,
        };
        (engine, err)
    }

    /// Why scheduled events failed since the last call.
    pub fn take_complaints(&mut self) -> Vec<String> {
        std::mem::take(&mut self.complaints)
    }

    /// Simulated time now, s.
    pub fn now_s(&self) -> f64 {
        self.sim.as_ref().map_or(0.0, |s| s.now().as_secs_f64())
    }

    /// True before the run has moved or been touched by a command.
    fn pristine(&self) -> bool {
        self.head_s == 0.0
            && self
                .sim
                .as_ref()
                .is_none_or(|s| s.now() == SimTime::ZERO && s.recorded_commands().is_empty())
    }

    /// The furthest instant the run has reached, s (the scrubber's end).
    pub fn head_s(&self) -> f64 {
        self.head_s
    }

    /// True while a seek is under way.
    pub fn seeking(&self) -> bool {
        self.seeking.is_some()
    }

    /// True when the run stands before its furthest instant (after a seek back).
    fn behind(&self) -> bool {
        !self.pending.is_empty() || self.now_s() < self.head_s
    }

    /// Starts a seek to `target_s` (within the run so far); [`Engine::seek_step`] carries
    /// it out over a few frames. It starts from the latest checkpoint before the target,
    /// or from now when that is nearer.
    pub fn seek(&mut self, target_s: f64) {
        let (Some(sim), Some(ckpt)) = (&self.sim, &self.checkpoints) else {
            return;
        };
        let target = SimTime::from_secs_f64(target_s.clamp(0.0, self.head_s));
        let (sim, pending) = if sim.now() <= target && sim.now() >= ckpt.before(target) {
            (sim.clone(), self.pending.clone())
        } else {
            let mut all = sim.recorded_commands().to_vec();
            all.extend(self.pending.iter().cloned());
            ckpt.seek(target, &all)
        };
        self.seeking = Some(Seek {
            sim,
            pending,
            target,
        });
    }

    /// Carries on the seek under way until it is done or `out_of_time()`; true when no seek
    /// is left under way (the run then stands at the target).
    pub fn seek_step(&mut self, out_of_time: impl Fn() -> bool) -> bool {
        let Some(s) = &mut self.seeking else {
            return true;
        };
        while !s
            .sim
            .step_replaying(s.target, EVENT_CHUNK, &mut s.pending)
            .reached
        {
            if out_of_time() {
                return false;
            }
        }
        if let Some(mut s) = self.seeking.take() {
            // Reported when the run first went through them.
            s.sim.take_schedule_failures();
            s.sim.take_pause();
            self.sim = Some(s.sim);
            self.pending = s.pending;
        }
        true
    }

    /// Before a change at an earlier instant: the run's future is dropped (a change made
    /// from the design `design` is kept for undo, see [`Engine::sync`]).
    fn drop_future(&mut self, design: Option<&Scenario>) {
        self.seeking = None;
        if !self.behind() {
            return;
        }
        let Some(sim) = &self.sim else { return };
        let now = sim.now();
        let Some(design) = design.cloned() else {
            // A run command: nothing to undo.
            self.dropped = None;
            self.truncate_to(now);
            return;
        };
        let old = Dropped {
            design,
            sim: sim.clone(),
            pending: self.pending.clone(),
            checkpoints: self.checkpoints.clone(),
            head_s: self.head_s,
            errors: self.errors.clone(),
            gauges: self.gauges.clone(),
        };
        self.truncate_to(now);
        self.dropped = Some(Box::new(old));
    }

    /// Makes `now` the run's furthest instant: what lay beyond it is gone.
    fn truncate_to(&mut self, now: SimTime) {
        let now_s = now.as_secs_f64();
        self.pending.clear();
        if let Some(c) = &mut self.checkpoints {
            c.truncate_after(now);
        }
        self.errors.retain(|(t, ..)| *t <= now_s);
        for g in self.gauges.values_mut() {
            g.retain(|(t, _)| *t <= now_s);
        }
        self.head_s = now_s;
    }

    /// Brings back the run an edit at an earlier instant dropped.
    fn restore(&mut self, d: Dropped) {
        self.seeking = None;
        self.sim = Some(d.sim);
        self.pending = d.pending;
        self.checkpoints = d.checkpoints;
        self.head_s = d.head_s;
        self.errors = d.errors;
        self.gauges = d.gauges;
    }

    /// Brings the run in line with an edited design: a pristine run is rebuilt, a started
    /// one receives the edit as commands at the current instant (an edited timeline as
    /// one `SetSchedule`: its events after this instant run in this run). Returns the
    /// core's complaints, if any.
    /// An edit at an earlier instant starts a new future there; undoing it (back to the
    /// design it was made from) brings the old run back.
    pub fn sync(&mut self, before: &Scenario, after: &Scenario) -> Vec<String> {
        if let Some(d) = self.dropped.take() {
            if d.design == *after {
                self.restore(*d);
                return Vec::new();
            }
            self.dropped = Some(d);
        }
        self.drop_future(Some(before));
        if self.pristine() {
            let dropped = self.dropped.take();
            let (fresh, err) = Engine::new(after, self.seed);
            *self = fresh;
            self.dropped = dropped;
            return err.into_iter().collect();
        }
        let mut commands: Vec<Command> = diff(before, after)
            .into_iter()
            .map(|c| self.keep_link_state(c))
            .collect();
        if before.pause_on != after.pause_on {
            if let Some(sim) = &mut self.sim {
                sim.set_pause_conditions(&after.pause_on);
            }
        }
        if before.events != after.events {
            // The schedule command does not run events at its own instant: finish the
            // instant first (a frame out of time may have stopped inside it), so that no
            // event of the old timeline due now is dropped.
            if let Some(sim) = &mut self.sim {
                sim.step_until(sim.now(), u64::MAX);
            }
            commands.push(Command::SetSchedule {
                events: after.events.clone(),
            });
        }
        commands
            .into_iter()
            .filter_map(|c| self.apply(c).err())
            .collect()
    }

    /// A link edit carries the design's state (up); keep a fault (cut, slow, lossy, capped)
    /// in place.
    fn keep_link_state(&self, c: Command) -> Command {
        match (c, &self.sim) {
            (Command::ReconfigureEdge(mut spec), Some(sim)) => {
                if let Some(e) = sim
                    .snapshot()
                    .edges
                    .iter()
                    .find(|e| e.from == spec.from && e.to == spec.to)
                {
                    spec.state = e.state;
                }
                Command::ReconfigureEdge(spec)
            }
            (c, _) => c,
        }
    }

    /// Applies one command now (at an earlier instant: the run's future is dropped).
    pub fn apply(&mut self, c: Command) -> Result<(), String> {
        self.drop_future(None);
        match &mut self.sim {
            Some(sim) => sim.apply(c).map_err(|e| e.to_string()),
            None => Err("the simulation is not running".to_string()),
        }
    }

    /// Runs towards `target_s` until it is reached or `out_of_time()` says the frame's
    /// budget is spent; scheduled events that failed on the way become complaints.
    /// Returns true when the target was reached.
    pub fn advance(&mut self, target_s: f64, out_of_time: impl Fn() -> bool) -> bool {
        let target = SimTime::from_secs_f64(target_s);
        let Some(sim) = &mut self.sim else {
            return true;
        };
        let reached = loop {
            let r = sim.step_replaying(target, EVENT_CHUNK, &mut self.pending);
            if let Some(c) = &mut self.checkpoints {
                c.observe(sim);
            }
            // A pause condition (`pause_on`) stops the run at the window where it held.
            if r.reached || r.paused || sim.pause().is_some() {
                break true;
            }
            if out_of_time() {
                break false;
            }
        };
        self.head_s = self.head_s.max(sim.now().as_secs_f64());
        for (t, e) in sim.take_schedule_failures() {
            self.complaints.push(format!(
                "A scheduled event at {:.1} s failed: {e}",
                t.as_secs_f64()
            ));
        }
        reached
    }

    /// Why the run paused on a condition since the last call (`message()`: "paused at
    /// 31.0 s: …").
    pub fn take_pause(&mut self) -> Option<sim_core::Pause> {
        self.sim.as_mut()?.take_pause()
    }

    /// The last closed window's explanation and its slowest and failed sampled requests.
    pub fn explain(
        &self,
    ) -> Option<(
        sim_core::explain::Explanation,
        sim_core::explain::WindowTraces,
    )> {
        let sim = self.sim.as_ref()?;
        Some((sim.explain_window().clone(), sim.window_traces().clone()))
    }

    /// The journey of sampled request `request` (see `Sim::trace_of`).
    pub fn trace_of(&self, request: u64) -> Option<sim_core::explain::Trace> {
        self.sim.as_ref()?.trace_of(request)
    }

    /// The nodes that produced failures in the last closed window, each with its badge's
    /// words ("queue full: 41/s · timed out waiting on db: 3/s").
    pub fn failure_badges(&self) -> Vec<(String, String)> {
        self.sim.as_ref().map_or_else(Vec::new, |sim| {
            sim.explain_window()
                .failures
                .iter()
                .map(|f| (f.node.clone(), f.badge()))
                .collect()
        })
    }

    /// Advances by `s` seconds with no time budget (single step while paused).
    pub fn step_by(&mut self, s: f64) {
        let target = self.now_s() + s;
        self.advance(target, || false);
    }

    /// A snapshot of the run; also records errors by cause and the data-tier gauges for each
    /// new window.
    pub fn snapshot(&mut self) -> Option<Snapshot> {
        let snap = self.sim.as_ref()?.snapshot();
        let t = snap.global.window.t_s;
        if t > 0.0 && self.errors.last().is_none_or(|(last, ..)| *last < t) {
            if self.errors.len() == ERROR_HISTORY {
                self.errors.remove(0);
            }
            let lookups = datatier::cache_lookups(&snap);
            self.errors.push((t, snap.global.failed, lookups));
            self.gauges
                .retain(|id, _| snap.nodes.iter().any(|n| &n.id == id));
            for n in &snap.nodes {
                if let Some((_, v)) = datatier::gauge(n) {
                    let g = self.gauges.entry(n.id.clone()).or_default();
                    if g.len() == ERROR_HISTORY {
                        g.remove(0);
                    }
                    g.push((t, v));
                }
            }
        }
        Some(snap)
    }

    /// The data-tier gauge of node `id`, one value per recorded window, oldest first.
    pub fn gauge_series(&self, id: &str) -> Vec<f64> {
        let now = self.now_s();
        self.gauges.get(id).map_or_else(Vec::new, |g| {
            g.iter()
                .filter(|(t, _)| *t <= now)
                .map(|(_, v)| *v)
                .collect()
        })
    }

    /// The error history up to now (it runs further after a seek back).
    fn errors_now(&self) -> &[(f64, ErrorCounts, (u64, u64))] {
        let now = self.now_s();
        &self.errors[..self.errors.partition_point(|(t, ..)| *t <= now)]
    }

    /// Hits / lookups of all caches together since the previous recorded window: the caches'
    /// hit ratios weighted by their lookups. None when no lookup happened (or a cache was
    /// removed, which makes the sums go back).
    pub fn hit_ratio(&self) -> Option<f64> {
        let [.., (_, _, (h0, l0)), (_, _, (h1, l1))] = self.errors_now() else {
            return None;
        };
        (l1 > l0 && h1 >= h0).then(|| (h1 - h0) as f64 / (l1 - l0) as f64)
    }

    /// Errors per second by cause between successive recorded windows: (t, timeout, queue
    /// full, rate limited, node down, partition, shed, circuit open, bulkhead full).
    pub fn error_rates(&self) -> Vec<(f64, [f64; ERROR_CAUSES])> {
        self.errors_now()
            .windows(2)
            .map(|w| {
                let ((t0, a, _), (t1, b, _)) = (w[0], w[1]);
                let dt = (t1 - t0).max(1e-9);
                let r = |x: u64, y: u64| y.saturating_sub(x) as f64 / dt;
                (
                    t1,
                    [
                        r(a.timeout, b.timeout),
                        r(a.queue_full, b.queue_full),
                        r(a.rate_limited, b.rate_limited),
                        r(a.node_down, b.node_down),
                        r(a.partition, b.partition),
                        r(a.shed, b.shed),
                        r(a.circuit_open, b.circuit_open),
                        r(a.bulkhead_full, b.bulkhead_full),
                    ],
                )
            })
            .collect()
    }
}
