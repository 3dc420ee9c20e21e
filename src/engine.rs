//! The running simulation as the page holds it: a `sim_core::Sim` plus the few things the
//! view needs that are not in a snapshot. No Leptos here; the app keeps it in a
//! `StoredValue`, outside the reactive graph.

use sim_core::{Command, ErrorCounts, Scenario, ScheduledCommand, Sim, SimTime, Snapshot};

use std::collections::BTreeMap;

use crate::datatier;
use crate::model::{diff, empty_design};

/// Events per `step_until` call; the frame loop calls again while its time budget lasts.
const EVENT_CHUNK: u64 = 2_000;

/// The simulation, its error history and its data-tier gauge history.
pub struct Engine {
    sim: Option<Sim>,
    seed: u64,
    /// (window end, cumulative failed requests by cause, cumulative cache hits and lookups
    /// summed over the caches), once per new metrics window, so the dock can chart errors
    /// by cause and weigh the caches' hit ratios by their lookups.
    errors: Vec<(f64, ErrorCounts, (u64, u64))>,
    /// Per node, its data-tier gauge (see `datatier::gauge`) once per new window.
    gauges: BTreeMap<String, Vec<f64>>,
    /// The design's scheduled events, by time. The engine applies them itself (the `Sim`
    /// is built without them) so that events added, edited or deleted during a run take
    /// effect in that run.
    events: Vec<ScheduledCommand>,
    /// Scheduled events at or before this instant have been applied.
    fired_until: Option<SimTime>,
    /// Why scheduled events could not be applied, for the learner.
    complaints: Vec<String>,
}

/// Most error-history points kept.
const ERROR_HISTORY: usize = 600;

impl Engine {
    /// A fresh run of `design`; the error says why the design could not be simulated (an
    /// empty design is run instead).
    pub fn new(design: &Scenario, seed: u64) -> (Engine, Option<String>) {
        let mut unscheduled = design.clone();
        unscheduled.events.clear();
        let built = design
            .validate()
            .and_then(|()| Sim::with_seed(&unscheduled, seed));
        let (sim, err) = match built {
            Ok(sim) => (Some(sim), None),
            Err(e) => (
                Sim::with_seed(&empty_design(), seed).ok(),
                Some(e.to_string()),
            ),
        };
        let mut engine = Engine {
            sim,
            seed,
            errors: Vec::new(),
            gauges: BTreeMap::new(),
            events: Vec::new(),
            fired_until: None,
            complaints: Vec::new(),
        };
        if err.is_none() {
            engine.set_events(&design.events);
        }
        (engine, err)
    }

    /// Replaces the scheduled events; those at or before the instants already run stay
    /// unapplied.
    fn set_events(&mut self, events: &[ScheduledCommand]) {
        self.events = events.to_vec();
        self.events.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
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
        self.sim
            .as_ref()
            .is_none_or(|s| s.now() == SimTime::ZERO && s.recorded_commands().is_empty())
    }

    /// Brings the run in line with an edited design: a pristine run is rebuilt, a started
    /// one receives the edit as commands at the current instant. Returns the core's
    /// complaints, if any.
    pub fn sync(&mut self, before: &Scenario, after: &Scenario) -> Vec<String> {
        if self.pristine() {
            let (fresh, err) = Engine::new(after, self.seed);
            *self = fresh;
            return err.into_iter().collect();
        }
        self.set_events(&after.events);
        let commands: Vec<Command> = diff(before, after)
            .into_iter()
            .map(|c| self.keep_link_state(c))
            .collect();
        commands
            .into_iter()
            .filter_map(|c| self.apply(c).err())
            .collect()
    }

    /// A link edit carries the design's state (up); keep a fault (cut, slow) in place.
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

    /// Applies one command now.
    pub fn apply(&mut self, c: Command) -> Result<(), String> {
        match &mut self.sim {
            Some(sim) => sim.apply(c).map_err(|e| e.to_string()),
            None => Err("the simulation is not running".to_string()),
        }
    }

    /// Runs towards `target_s` until it is reached or `out_of_time()` says the frame's
    /// budget is spent, applying scheduled events on the way. Returns true when the
    /// target was reached.
    pub fn advance(&mut self, target_s: f64, out_of_time: impl Fn() -> bool) -> bool {
        let target = SimTime::from_secs_f64(target_s);
        loop {
            let stop = self.next_event(target);
            let Some(sim) = &mut self.sim else {
                return true;
            };
            loop {
                if sim.step_until(stop, EVENT_CHUNK).reached {
                    break;
                }
                if out_of_time() {
                    return false;
                }
            }
            self.fire(stop);
            if stop >= target {
                return true;
            }
        }
    }

    /// The first pending scheduled event's instant, if before `limit`, else `limit`.
    fn next_event(&self, limit: SimTime) -> SimTime {
        self.events
            .iter()
            .map(|e| SimTime::from_secs_f64(e.at_s))
            .find(|t| self.fired_until.is_none_or(|f| *t > f))
            .map_or(limit, |t| t.min(limit))
    }

    /// Applies the scheduled events due by `now` that have not been applied yet.
    fn fire(&mut self, now: SimTime) {
        let due: Vec<Command> = self
            .events
            .iter()
            .filter(|e| {
                let t = SimTime::from_secs_f64(e.at_s);
                t <= now && self.fired_until.is_none_or(|f| t > f)
            })
            .map(|e| e.command.clone())
            .collect();
        self.fired_until = Some(now);
        for c in due {
            if let Err(e) = self.apply(c) {
                self.complaints.push(format!(
                    "A scheduled event at {:.1} s failed: {e}",
                    now.as_secs_f64()
                ));
            }
        }
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
                    g.push(v);
                }
            }
        }
        Some(snap)
    }

    /// The data-tier gauge of node `id`, one value per recorded window, oldest first.
    pub fn gauge_series(&self, id: &str) -> Vec<f64> {
        self.gauges.get(id).cloned().unwrap_or_default()
    }

    /// Hits / lookups of all caches together since the previous recorded window: the caches'
    /// hit ratios weighted by their lookups. None when no lookup happened (or a cache was
    /// removed, which makes the sums go back).
    pub fn hit_ratio(&self) -> Option<f64> {
        let [.., (_, _, (h0, l0)), (_, _, (h1, l1))] = self.errors.as_slice() else {
            return None;
        };
        (l1 > l0 && h1 >= h0).then(|| (h1 - h0) as f64 / (l1 - l0) as f64)
    }

    /// Errors per second by cause between successive recorded windows:
    /// (t, timeout, queue full, rate limited, node down, partition).
    pub fn error_rates(&self) -> Vec<(f64, [f64; 5])> {
        self.errors
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
                    ],
                )
            })
            .collect()
    }
}
