//! The harness of the property suites over random topologies (`invariants`: servers, balancers,
//! autoscaling; `data_invariants`: the data tier). A suite only generates a scenario and a list
//! of timed commands; this module steps the simulation with a random event cap, applies the
//! commands, checks every invariant after each step and after each batch of commands, and checks
//! the run is reproducible (other step sizes, and the replay of its recorded commands).

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use sim_core::{Command, NodeKind, NodeView, RecordedCommand, Scenario, Sim, SimTime};
use std::collections::BTreeMap;

/// Proptest settings of a suite: `cases` random cases, and failures persisted to `path`, so that
/// a failing case found once is replayed first on every later run (see `proptest-regressions/`).
pub fn config(cases: u32, path: &'static str) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(path))),
        ..ProptestConfig::default()
    }
}

/// Commands applied together once simulated time reaches `.0` seconds.
pub type Fault = (f64, Vec<Command>);

/// Runs `scenario` with `seed` to `end_s` with the faults, stepping at most `cap` events at a
/// time and checking the invariants throughout; then checks that the same run stepped in large
/// steps, and the replay of its recorded commands, end with the same digest.
pub fn check_run(scenario: &Scenario, faults: &[Fault], end_s: f64, seed: u64, cap: u64) -> Result<(), TestCaseError> {
    let (digest, commands) = run_checked(scenario, faults, end_s, seed, cap);
    // Same seed and same edits ⇒ same result, whatever the step sizes.
    let (again, _) = run_checked(scenario, faults, end_s, seed, 10_000);
    prop_assert_eq!(digest, again, "same seed, different result (seed {})", seed);
    // The recorded commands replay the run exactly.
    let mut replay = Sim::replay(scenario, seed, &commands).unwrap();
    replay.step_until(SimTime::from_secs_f64(end_s), u64::MAX);
    prop_assert_eq!(digest, replay.digest(), "replay differs (seed {})", seed);
    Ok(())
}

fn run_checked(scenario: &Scenario, faults: &[Fault], end_s: f64, seed: u64, cap: u64) -> (u64, Vec<RecordedCommand>) {
    let mut sim = Sim::with_seed(scenario, seed).unwrap();
    let mut check = Checker::new(scenario, seed);
    let mut faults: Vec<&Fault> = faults.iter().collect();
    faults.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut faults = faults.into_iter().peekable();
    let end = SimTime::from_secs_f64(end_s);
    let mut target = SimTime::ZERO;
    while sim.now() < end {
        target = SimTime(target.0 + 250_000_000).min(end);
        loop {
            let r = sim.step_until(target, cap);
            assert!(r.events <= cap, "step ran {} events over the cap {cap} (seed {seed})", r.events);
            check.observe(&sim, false);
            if r.reached {
                break;
            }
        }
        let mut applied = false;
        while faults.peek().is_some_and(|f| SimTime::from_secs_f64(f.0) <= sim.now()) {
            // A fault may name a node already removed, or one of the wrong kind: that is an
            // error, never a panic.
            for c in &faults.next().unwrap().1 {
                let _ = sim.apply(c.clone());
            }
            applied = true;
        }
        if applied {
            check.observe(&sim, true);
        }
    }
    // Faults applied at the last instant may have made events due at that instant: run them,
    // as the replay does (see `determinism::a_command_at_the_last_instant_replays_exactly`).
    sim.step_until(end, u64::MAX);
    check.observe(&sim, false);
    (sim.digest(), sim.recorded_commands().to_vec())
}

/// What the checker remembers of a node between two observations.
#[derive(Clone, Copy)]
struct Seen {
    workers: u64,
    busy: u64,
    /// While the node has more requests in service than worker slots (see `observe`), the most
    /// it may have: the number in service when its count was lowered, then ever smaller.
    over: Option<u64>,
}

/// The invariants, checked after every step and every batch of commands.
struct Checker {
    seed: u64,
    last: SimTime,
    nodes: BTreeMap<String, Seen>,
    /// Key space of each shard router of the scenario.
    key_space: BTreeMap<String, u64>,
}

impl Checker {
    fn new(scenario: &Scenario, seed: u64) -> Checker {
        let key_space = scenario
            .nodes
            .iter()
            .filter_map(|n| match &n.kind {
                NodeKind::ShardRouter(r) => Some((n.id.clone(), u64::from(r.key_space))),
                _ => None,
            })
            .collect();
        Checker { seed, last: SimTime::ZERO, nodes: BTreeMap::new(), key_space }
    }

    /// Checks every invariant on the simulation now; `after_commands` when commands were just
    /// applied rather than events run.
    fn observe(&mut self, sim: &Sim, after_commands: bool) {
        let seed = self.seed;
        assert!(sim.now() >= self.last, "time went back (seed {seed})");
        self.last = sim.now();
        if let Some(next) = sim.debug_next_event_at() {
            assert!(next >= sim.now(), "an event is pending in the past (seed {seed})");
        }
        let snap = sim.snapshot();
        let g = &snap.global;
        assert_eq!(g.arrived, g.completed + g.failed.total() + g.in_flight, "conservation (seed {seed})");
        assert_eq!(g.in_flight, sim.debug_in_flight_recount(), "in-flight recount (seed {seed})");
        let mut nodes = BTreeMap::new();
        for n in &snap.nodes {
            let seen = self.worker_slots(n, after_commands);
            nodes.insert(n.id.clone(), seen);
            assert!(n.in_flight >= n.queue_len, "{} queue accounting (seed {seed})", n.id);
            self.data_tier(n);
        }
        // Nodes removed are forgotten: one added later under the same id starts afresh.
        self.nodes = nodes;
    }

    /// Busy worker slots never exceed the node's slots, with the one exception a live change
    /// makes: lowering a node's worker count (`ReconfigureNode` with fewer workers, as the
    /// `invariants` suite does) lets the requests already in service finish in the slots they
    /// hold, so right after it `busy_workers` may exceed `workers`. That excess is allowed only
    /// if the commands just applied lowered the count, only up to the requests in service at
    /// that moment, and only ever shrinking afterwards: while a node is over its count no
    /// request may start service. Anywhere else, `busy_workers > workers` is a bug.
    fn worker_slots(&self, n: &NodeView, after_commands: bool) -> Seen {
        let seed = self.seed;
        let before = self.nodes.get(&n.id).copied();
        let over = if n.busy_workers > n.workers {
            let mut allowed = before.and_then(|b| b.over).unwrap_or(n.workers);
            if let Some(b) = before.filter(|b| after_commands && n.workers < b.workers) {
                allowed = allowed.max(b.busy);
            }
            assert!(
                n.busy_workers <= allowed,
                "{}: {} busy slots over {} workers, at most {allowed} allowed (before: {}) (seed {seed})",
                n.id,
                n.busy_workers,
                n.workers,
                before.map_or("new".to_string(), |b| format!("{} busy of {}", b.busy, b.workers)),
            );
            Some(n.busy_workers)
        } else {
            None
        };
        Seen { workers: n.workers, busy: n.busy_workers, over }
    }

    /// The data tier's own bookkeeping (vacuous for nodes without a data-tier view).
    fn data_tier(&self, n: &NodeView) {
        let seed = self.seed;
        if let Some(c) = &n.cache {
            assert!(c.keys <= c.capacity_keys, "{} holds {} keys over {} (seed {seed})", n.id, c.keys, c.capacity_keys);
            assert!((0.0..=1.0).contains(&c.hit_ratio), "{} hit ratio {} (seed {seed})", n.id, c.hit_ratio);
        }
        if let Some(q) = &n.message_queue {
            assert_eq!(
                q.enqueued,
                q.acknowledged + q.dlq_size + q.backlog + q.lost_messages,
                "{}: every message acknowledged, dead-lettered, pending or lost (seed {seed})",
                n.id
            );
            assert!(q.ready <= q.backlog, "{} ready {} over backlog {} (seed {seed})", n.id, q.ready, q.backlog);
        }
        if let Some(d) = &n.database {
            assert!(
                d.ryw_violations <= d.stale_reads && d.stale_reads <= d.reads,
                "{} read counters (seed {seed})",
                n.id
            );
        }
        if let Some(s) = &n.store {
            assert!(s.stale_reads <= s.reads && s.reachable_replicas <= s.replicas, "{} store (seed {seed})", n.id);
        }
        if let (Some(s), Some(&space)) = (&n.shards, self.key_space.get(&n.id)) {
            let keys: u64 = s.shards.iter().map(|x| x.keys).sum();
            assert!(
                s.shards.is_empty() || keys == space,
                "{}: shards own {keys} keys of {space}: every key has one shard (seed {seed})",
                n.id
            );
        }
    }
}
