//! The engine: a simulation of a system design, event by event.
//!
//! This module holds the [`Sim`] itself, its construction and the event loop; the engine's
//! machinery and each node kind live in the child modules (see `ARCHITECTURE.md`, "Code
//! map"). Every child has `impl Sim` blocks of its own and sees the engine's private types.

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::metrics::*;
use crate::random::{self, KeySampler};
use crate::scenario::*;
use crate::time::{SimDuration, SimTime};

mod agenda;
mod autoscale;
mod balancer;
mod breaker;
mod bulkhead;
mod cache;
mod calls;
mod cdn;
mod client;
mod commands;
mod cost;
mod data;
mod database;
mod dispatch;
mod faults;
mod geodns;
mod machine;
mod message_queue;
mod pause;
mod rate_limiter;
mod regions;
mod server;
mod sessions;
mod shard_router;
mod shedding;
mod snapshot;
mod spans;
mod store;
mod topology;
mod types;
mod window;

use autoscale::GroupState;
use breaker::Breaker;
pub(crate) use cost::cheapest_answer_usd_month;
use data::{DataEv, Ext, KeyMeta, NO_WRITER};
use types::*;

pub use pause::Pause;

/// Lines kept in the event log.
const LOG_LEN: usize = 200;

/// How many zero-latency hops may run inside one another before the next one is queued as
/// an event instead (bounds the call depth on long chains and wide fan-outs).
const MAX_INLINE_DEPTH: u32 = 32;

/// Result of [`Sim::step_until`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepResult {
    /// Events processed by this call.
    pub events: u64,
    /// True when the simulation reached the target time (false: stopped at the event cap).
    pub reached: bool,
    /// Simulated time after the call.
    pub now: SimTime,
    /// True when the call stopped at a window where a pause condition started to hold.
    pub paused: bool,
}

/// A command applied live, with where in the run it was applied (for exact replay).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordedCommand {
    /// Simulated time of application.
    pub at: SimTime,
    /// Events processed before it was applied.
    pub after_events: u64,
    /// The command.
    pub command: Command,
}

/// A running simulation. A clone is a checkpoint: it continues exactly as the original.
#[derive(Clone)]
pub struct Sim {
    seed: u64,
    now: SimTime,
    events: u64,
    agenda: agenda::Agenda<Ev>,
    nodes: Vec<Node>,
    by_id: BTreeMap<String, NodeIx>,
    edges: Vec<Edge>,
    slab: Vec<Slot>,
    free_slots: Vec<u32>,
    global: GlobalStats,
    metrics_cfg: MetricsConfig,
    window: SimDuration,
    /// The timeline's commands; `Timer::Scheduled` indexes them.
    scheduled: Vec<Command>,
    /// Bumped when the timeline is replaced: older `Timer::Scheduled` events are stale.
    schedule_gen: u32,
    /// Scheduled commands that failed and have not been taken yet (time, why).
    schedule_failures: Vec<(SimTime, Error)>,
    recorded: Vec<RecordedCommand>,
    log: VecDeque<LogLine>,
    alerts: Vec<Alert>,
    hops: Ring<Hop>,
    scratch: Vec<EdgeIx>,
    /// Arrivals until the next traced one (every `metrics.trace_every`-th is traced; with
    /// `trace_every` 0 it stays at 1 and none is).
    trace_countdown: u32,
    /// Zero-latency hops now running inside one another (see [`MAX_INLINE_DEPTH`]).
    inline_depth: u32,
    /// Per-key truth of the data tier (latest committed versions).
    data: data::DataState,
    /// Spans of sampled requests, and where their time went.
    spans: spans::Spans,
    /// The pause conditions and the last pause.
    pause: pause::PauseState,
}

fn fmt_s(t: SimTime) -> String {
    format!("{:.1} s", t.as_secs_f64())
}

impl Sim {
    /// Builds a simulation from a scenario, seeded by the scenario's seed.
    pub fn new(scenario: &Scenario) -> Result<Sim, Error> {
        Sim::with_seed(scenario, scenario.seed)
    }

    /// Builds a simulation from a scenario with another root seed.
    pub fn with_seed(scenario: &Scenario, seed: u64) -> Result<Sim, Error> {
        scenario.validate()?;
        let cfg = scenario.metrics.clone();
        let mut sim = Sim {
            seed,
            now: SimTime::ZERO,
            events: 0,
            agenda: agenda::Agenda::default(),
            nodes: Vec::new(),
            by_id: BTreeMap::new(),
            edges: Vec::new(),
            slab: Vec::new(),
            free_slots: Vec::new(),
            global: GlobalStats {
                classes: Default::default(),
                arrived: 0,
                attempts: 0,
                retries: 0,
                completed: 0,
                failed: ErrorCounts::default(),
                in_flight: Area::default(),
                latency: Latency::new(),
                mark_completed: 0,
                mark_failed: 0,
                series: Ring::new(cfg.series_len as usize),
            },
            window: SimDuration::from_secs_f64(cfg.window_s),
            metrics_cfg: cfg,
            scheduled: Vec::new(),
            schedule_gen: 0,
            schedule_failures: Vec::new(),
            recorded: Vec::new(),
            log: VecDeque::new(),
            alerts: Vec::new(),
            hops: Ring::new(HOPS_LEN),
            scratch: Vec::new(),
            trace_countdown: u32::from(scenario.metrics.trace_every == 0),
            inline_depth: 0,
            data: data::DataState::new(&scenario.region_latency),
            spans: spans::Spans::default(),
            pause: pause::PauseState::new(&scenario.pause_on),
        };
        for n in &scenario.nodes {
            sim.add_node(n)?;
        }
        for e in &scenario.edges {
            // `validate` has refused scenarios whose edges close a cycle.
            sim.add_edge(e, false)?;
        }
        sim.schedule(SimTime::ZERO.after(sim.window), Timer::Window);
        sim.set_schedule(&scenario.events, true);
        Ok(sim)
    }

    /// The current simulated time.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// The root seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Events processed since the start.
    pub fn events_processed(&self) -> u64 {
        self.events
    }

    /// Commands applied live so far, in order.
    pub fn recorded_commands(&self) -> &[RecordedCommand] {
        &self.recorded
    }

    /// Rebuilds a run with live edits: same scenario, seed and commands give the same state.
    pub fn replay(scenario: &Scenario, seed: u64, commands: &[RecordedCommand]) -> Result<Sim, Error> {
        let mut sim = Sim::with_seed(scenario, seed)?;
        for c in commands {
            while sim.events < c.after_events {
                let r = sim.step_until(c.at, c.after_events - sim.events);
                if r.events == 0 {
                    break;
                }
            }
            sim.now = sim.now.max(c.at);
            sim.apply(c.command.clone())?;
        }
        Ok(sim)
    }

    /// Runs events up to and including time `t`, at most `max_events` of them; stops early,
    /// right after the window that made a pause condition hold (see [`Sim::pause`]).
    pub fn step_until(&mut self, t: SimTime, max_events: u64) -> StepResult {
        let mut n = 0;
        let mut reached = true;
        let mut paused = false;
        while self.now <= t {
            if n >= max_events {
                reached = self.agenda.next_at(self.now).is_none_or(|at| at > t);
                break;
            }
            let Some((at, ev)) = self.agenda.pop_through(self.now, t) else { break };
            self.now = at;
            self.events += 1;
            n += 1;
            self.handle(ev);
            if self.pause.stop {
                // A pause condition started to hold at the window that just closed.
                self.pause.stop = false;
                paused = true;
                reached = self.now >= t;
                break;
            }
        }
        if reached {
            self.now = self.now.max(t);
        }
        StepResult { events: n, reached, now: self.now, paused }
    }

    /// Like [`Sim::step_until`], applying on the way the commands of `pending` (recorded by
    /// an earlier pass of this run, oldest first) at the very point each was recorded, so the
    /// run goes on as it went before. Applied commands leave `pending`.
    pub fn step_replaying(
        &mut self,
        t: SimTime,
        max_events: u64,
        pending: &mut VecDeque<RecordedCommand>,
    ) -> StepResult {
        let mut n = 0;
        loop {
            let Some(c) = pending.front().filter(|c| c.at <= t) else {
                let r = self.step_until(t, max_events - n);
                return StepResult { events: n + r.events, ..r };
            };
            if self.events < c.after_events {
                if n >= max_events {
                    return StepResult { events: n, reached: false, now: self.now, paused: false };
                }
                let r = self.step_until(c.at, (c.after_events - self.events).min(max_events - n));
                n += r.events;
                if r.paused {
                    return StepResult { events: n, reached: false, ..r };
                }
                if r.events > 0 {
                    continue;
                }
                // Nothing is left to run before it (not on a faithful record): apply it here.
            }
            self.now = self.now.max(c.at);
            if let Some(c) = pending.pop_front() {
                // It was applied once from this very state, so it applies again.
                let _ = self.apply(c.command);
            }
        }
    }

    #[inline]
    fn schedule(&mut self, at: SimTime, ev: impl Into<Ev>) {
        self.agenda.push(self.now, at, ev.into());
    }

    fn log(&mut self, text: String) {
        if self.log.len() == LOG_LEN {
            self.log.pop_front();
        }
        self.log.push_back(LogLine { t_s: self.now.as_secs_f64(), text });
    }

    /// Requests in flight counted directly from the live calls and pending retries, for
    /// checking the conservation law against the counters.
    #[doc(hidden)]
    pub fn debug_in_flight_recount(&self) -> u64 {
        let user_request = |c: &Call| c.parent.is_none() && matches!(self.nodes[c.node].kind, NodeKind::Client(_));
        let roots = self.slab.iter().filter(|s| s.call.as_ref().is_some_and(user_request)).count() as u64;
        let retries = self.agenda.count(|ev| matches!(ev, Ev::Retry { .. })) as u64;
        roots + retries
    }

    /// Smallest time of a pending event (for checking time never goes back).
    #[doc(hidden)]
    pub fn debug_next_event_at(&self) -> Option<SimTime> {
        self.agenda.next_at(self.now)
    }
}
