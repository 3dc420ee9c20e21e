//! The running simulation as the page holds it: a `sim_core::Sim` plus the few things the
//! view needs that are not in a snapshot. No Leptos here; the app keeps it in a
//! `StoredValue`, outside the reactive graph.

use sim_core::{Command, ErrorCounts, Scenario, Sim, SimTime, Snapshot};

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
    /// Why scheduled events could not be applied, for the learner.
    complaints: Vec<String>,
}

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
        let engine = Engine {
            sim,
            seed,
            errors: Vec::new(),
            gauges: BTreeMap::new(),
            complaints: Vec::new(),
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
        self.sim
            .as_ref()
            .is_none_or(|s| s.now() == SimTime::ZERO && s.recorded_commands().is_empty())
    }

    /// Brings the run in line with an edited design: a pristine run is rebuilt, a started
    /// one receives the edit as commands at the current instant (an edited timeline as
    /// one `SetSchedule`: its events after this instant run in this run). Returns the
    /// core's complaints, if any.
    pub fn sync(&mut self, before: &Scenario, after: &Scenario) -> Vec<String> {
        if self.pristine() {
            let (fresh, err) = Engine::new(after, self.seed);
            *self = fresh;
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
    /// budget is spent; scheduled events that failed on the way become complaints.
    /// Returns true when the target was reached.
    pub fn advance(&mut self, target_s: f64, out_of_time: impl Fn() -> bool) -> bool {
        let target = SimTime::from_secs_f64(target_s);
        let Some(sim) = &mut self.sim else {
            return true;
        };
        let reached = loop {
            // A pause condition (`pause_on`) stops the run at the window where it held.
            if sim.step_until(target, EVENT_CHUNK).reached || sim.pause().is_some() {
                break true;
            }
            if out_of_time() {
                break false;
            }
        };
        for (t, e) in sim.take_schedule_failures() {
            self.complaints.push(format!(
                "A scheduled event at {:.1} s failed: {e}",
                t.as_secs_f64()
            ));
        }
        reached
    }

    /// Why the run paused on a condition since the last call ("paused at 31.0 s: …").
    pub fn take_pause(&mut self) -> Option<String> {
        self.sim.as_mut()?.take_pause().map(|p| p.message())
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
