//! `sim-core`: a deterministic, per-request discrete-event simulation of system designs.
//!
//! Pure Rust with no web crates, no wall clock and no OS entropy, so the same scenario and
//! seed give bit-identical results natively and in wasm. The UI drives a [`Sim`] through
//! three calls: [`Sim::apply`] (live edits and faults), [`Sim::step_until`] (advance
//! simulated time with a cap on events per call) and [`Sim::snapshot`] (plain data).
#![warn(missing_docs, unreachable_pub)]

mod availability;
mod causes;
pub mod challenge;
mod checkpoint;
mod data_params;
mod error;
pub mod explain;
pub mod limits;
mod link;
pub mod machines;
mod metrics;
pub mod presets;
mod random;
mod scenario;
pub mod seeds;
pub mod series;
mod sim;
mod time;
pub mod topology;

pub use availability::{downtime_words, Availability};
pub use checkpoint::Checkpoints;
pub use data_params::*;
pub use error::Error;
pub use link::{decode_link, encode_link, LINK_KEY, MAX_LINK_CHARS, MAX_LINK_JSON_BYTES};
pub use metrics::{
    Alert, AlertKind, BreakerState, CacheView, Cause, ClassView, DataTotals, DatabaseView, EdgeView, ErrorCounts,
    GlobalPoint, GlobalView, Health, HopView, KindName, LatencySummary, LogLine, NodePoint, NodeView, Priority,
    QueueView, Role, SessionMode, SessionView, ShardShare, ShardView, Snapshot, StoreView,
};
pub use scenario::*;
pub use sim::{Pause, RecordedCommand, Sim, StepResult};
pub use time::{SimDuration, SimTime};

use serde::{Deserialize, Serialize};

/// Default simulated duration of a headless run when neither the caller nor the scenario
/// gives one, s.
pub const DEFAULT_DURATION_S: f64 = 60.0;

/// The result of a headless run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// Root seed used.
    pub seed: u64,
    /// Simulated seconds.
    pub duration_s: f64,
    /// [`Snapshot::digest`] of the final snapshot, as 16 hex digits.
    pub digest: String,
    /// The final snapshot, time series left out.
    pub snapshot: Snapshot,
}

/// Runs a scenario to the end without a UI. `seed` overrides the scenario's seed and
/// `duration_s` its duration.
pub fn run_headless(scenario: &Scenario, seed: Option<u64>, duration_s: Option<f64>) -> Result<Summary, Error> {
    run_headless_observed(scenario, seed, duration_s, f64::INFINITY, |_| {})
}

/// [`run_headless`] in steps of `step_s` simulated seconds, calling `observe` after each
/// step (for progress or the full time series); the result is the same for any step.
pub fn run_headless_observed(
    scenario: &Scenario,
    seed: Option<u64>,
    duration_s: Option<f64>,
    step_s: f64,
    observe: impl FnMut(&Sim),
) -> Result<Summary, Error> {
    run_headless_pausing(scenario, seed, duration_s, step_s, false, observe).map(|(summary, _)| summary)
}

/// [`run_headless_observed`] that, with `stop_on_pause`, stops at the end of the first window
/// where one of the design's pause conditions (`pause_on`) holds, and returns that pause.
pub fn run_headless_pausing(
    scenario: &Scenario,
    seed: Option<u64>,
    duration_s: Option<f64>,
    step_s: f64,
    stop_on_pause: bool,
    mut observe: impl FnMut(&Sim),
) -> Result<(Summary, Option<Pause>), Error> {
    let seed = seed.unwrap_or(scenario.seed);
    let duration_s = duration_s.or(scenario.duration_s).unwrap_or(DEFAULT_DURATION_S);
    if !duration_s.is_finite() || !limits::DURATION_S.contains(duration_s) {
        return Err(Error::new("duration_s", format!("must be above 0 and at most {MAX_SECONDS}")));
    }
    let mut sim = Sim::with_seed(scenario, seed)?;
    let end = SimTime::from_secs_f64(duration_s);
    let step = if step_s.is_finite() && step_s > 0.0 { SimTime::from_secs_f64(step_s).0.max(1) } else { u64::MAX };
    loop {
        let t = SimTime(sim.now().0.saturating_add(step).min(end.0));
        sim.step_until(t, u64::MAX);
        observe(&sim);
        if stop_on_pause && sim.pause().is_some() {
            break;
        }
        // A pause condition stops a step early; otherwise the run goes on to its end.
        if sim.now() >= end {
            break;
        }
    }
    let pause = if stop_on_pause { sim.take_pause() } else { None };
    let duration_s = if pause.is_some() { sim.now().as_secs_f64() } else { duration_s };
    let mut snapshot = sim.snapshot();
    let digest = format!("{:016x}", snapshot.digest());
    snapshot.series.clear();
    snapshot.hops.clear();
    for n in &mut snapshot.nodes {
        n.series.clear();
    }
    Ok((Summary { scenario: scenario.name.clone(), seed, duration_s, digest, snapshot }, pause))
}

/// A small demo design: a client, a health-checked load balancer, two app servers and a
/// database.
pub fn demo_scenario() -> Scenario {
    let node = |id: &str, x: f64, y: f64, kind: NodeKind| NodeSpec {
        id: id.to_string(),
        label: None,
        x: Some(x),
        y: Some(y),
        region: None,
        kind,
    };
    let server = ServerParams {
        workers: 8,
        queue_capacity: 100,
        service_time: ServiceTime::LogNormal { mean_ms: 20.0, sigma: 0.5 },
        queue_timeout_ms: None,
        downstream: DownstreamMode::Call,
        call_timeout_ms: Some(1000.0),
        shedding: None,
        sessions: Sessions::None,
        machine: None,
    };
    let edge = |from: &str, to: &str, ms: f64| EdgeSpec {
        from: from.to_string(),
        to: to.to_string(),
        latency_ms: ms,
        jitter_ms: ms / 2.0,
        weight: 1,
        state: EdgeState::Up,
        breaker: None,
        bulkhead: None,
        bulkhead_wait_ms: None,
        kinds: None,
    };
    Scenario {
        version: SCENARIO_VERSION,
        name: "demo: load balancer, two servers, database".to_string(),
        seed: 1,
        duration_s: Some(60.0),
        nodes: vec![
            node(
                "users",
                0.0,
                100.0,
                NodeKind::Client(ClientParams {
                    rate_rps: 300.0,
                    pattern: RatePattern::Constant,
                    mix: RequestMix { read: 0.8, write: 0.1, static_asset: 0.1, job: 0.0 },
                    keys: KeyDistribution::Zipf { key_count: 10_000, s: 1.0 },
                    timeout_ms: Some(2000.0),
                    retry: Some(RetryPolicy {
                        max_retries: 2,
                        base_backoff_ms: 100.0,
                        multiplier: 2.0,
                        max_backoff_ms: 2000.0,
                        jitter: Jitter::Full,
                    }),
                    priority: None,
                }),
            ),
            node(
                "lb",
                200.0,
                100.0,
                NodeKind::LoadBalancer(LoadBalancerParams {
                    policy: LbPolicy::LeastConnections,
                    health_check: Some(HealthCheck::default()),
                    backend_timeout_ms: Some(1500.0),
                    shedding: None,
                }),
            ),
            node("web-1", 400.0, 50.0, NodeKind::Server(server.clone())),
            node("web-2", 400.0, 150.0, NodeKind::Server(server)),
            node(
                "db",
                600.0,
                100.0,
                NodeKind::Database(DatabaseParams {
                    max_connections: 20,
                    queue_capacity: 200,
                    read_service_time: ServiceTime::Exponential { mean_ms: 5.0 },
                    write_service_time: ServiceTime::Exponential { mean_ms: 15.0 },
                    read_from_replicas: false,
                    machine: None,
                    read_your_writes_window_ms: None,
                    failover_detection_ms: None,
                }),
            ),
        ],
        edges: vec![
            edge("users", "lb", 20.0),
            edge("lb", "web-1", 0.5),
            edge("lb", "web-2", 0.5),
            edge("web-1", "db", 1.0),
            edge("web-2", "db", 1.0),
        ],
        events: Vec::new(),
        region_latency: Vec::new(),
        pause_on: Vec::new(),
        challenge: None,
        metrics: MetricsConfig { slo_p95_ms: Some(300.0), slo_error_rate: Some(0.01), ..MetricsConfig::default() },
        view: None,
        lesson: None,
    }
}

/// The scenario of the cross-platform determinism check: the demo design with a diurnal
/// rate, a spike, a crash and a partition, so that every sampler and fault path runs.
pub fn reference_scenario() -> Scenario {
    let mut s = demo_scenario();
    s.name = "reference run for native/wasm determinism".to_string();
    s.duration_s = Some(30.0);
    if let NodeKind::Client(c) = &mut s.nodes[0].kind {
        c.pattern = RatePattern::Diurnal { period_s: 20.0, amplitude: 0.3 };
    }
    let at = |at_s: f64, command: Command| ScheduledCommand { at_s, command };
    s.events = vec![
        at(5.0, Command::Spike { client: "users".into(), multiplier: 2.0, duration_s: 3.0 }),
        at(10.0, Command::Kill { id: "web-2".into() }),
        at(12.0, Command::Partition { from: "web-1".into(), to: "db".into() }),
        at(14.0, Command::Heal { from: "web-1".into(), to: "db".into() }),
        at(20.0, Command::Revive { id: "web-2".into() }),
    ];
    s
}

/// [`Summary::digest`] of `run_headless(&reference_scenario(), None, None)`. The native test
/// suite and the wasm test in the browser both check that they compute exactly this value.
/// It changes, on purpose, whenever the engine's behaviour changes: update it then.
pub const REFERENCE_DIGEST: &str = "7ec25469bc807d7f";
