//! The preset gallery's lessons, played step by step: each test applies the commands a
//! learner's "try" stands for (a button, a rate, an inspector edit) and checks the "watch"
//! claim with the same number the lesson text gives, over several seeds.

use crate::common::node;
use sim_core::presets::{preset, PRESETS};
use sim_core::{
    decode_link, encode_link, Command, Consistency, EdgeSpec, EdgeState, KeyDistribution, NodeKind, NodeSpec,
    RequestMix, Scenario, ShardStrategy, Sim, SimTime, Snapshot,
};

/// Seeds each claim is checked on. Every margin below was also checked on seeds 6 to 53;
/// the comments give the theory behind the tighter ones.
pub(crate) const SEEDS: [u64; 5] = [1, 2, 3, 4, 5];

pub(crate) fn load(id: &str) -> Scenario {
    preset(id).unwrap_or_else(|| panic!("no preset {id}")).scenario().unwrap()
}

/// Checks that lesson step `step` (from 0) names the action and the numbers the test plays
/// and asserts, so the lesson and its proof cannot drift apart.
pub(crate) fn says(s: &Scenario, step: usize, numbers: &[&str]) {
    let st = &s.lesson.as_ref().unwrap().steps[step];
    let text = format!("{} → {}", st.try_this, st.watch);
    for n in numbers {
        assert!(text.contains(n), "{}, step {}: the lesson does not say {n:?}: {text}", s.name, step + 1);
    }
}

pub(crate) fn start(s: &Scenario, seed: u64) -> Sim {
    Sim::with_seed(s, seed).unwrap()
}

pub(crate) fn at(sim: &mut Sim, t_s: f64) -> Snapshot {
    sim.step_until(SimTime::from_secs_f64(t_s), u64::MAX);
    sim.snapshot()
}

pub(crate) fn apply(sim: &mut Sim, c: Command) {
    sim.apply(c).unwrap();
}

/// The preset's parameters of node `id`, changed by `f`: what an inspector edit sends.
pub(crate) fn reconfigure(s: &Scenario, id: &str, f: impl FnOnce(&mut NodeKind)) -> Command {
    let mut kind = s.nodes.iter().find(|n| n.id == id).unwrap().kind.clone();
    f(&mut kind);
    Command::ReconfigureNode { id: id.into(), kind }
}

/// What happened between two snapshots of one run.
pub(crate) struct Phase<'a> {
    a: &'a Snapshot,
    b: &'a Snapshot,
}

pub(crate) fn phase<'a>(a: &'a Snapshot, b: &'a Snapshot) -> Phase<'a> {
    Phase { a, b }
}

impl Phase<'_> {
    pub(crate) fn secs(&self) -> f64 {
        self.b.now_s - self.a.now_s
    }
    pub(crate) fn completed(&self) -> u64 {
        self.b.global.completed - self.a.global.completed
    }
    pub(crate) fn failed(&self) -> u64 {
        self.b.global.failed.total() - self.a.global.failed.total()
    }
    /// Failed / finished requests.
    pub(crate) fn error_rate(&self) -> f64 {
        let f = self.failed() as f64;
        f / (f + self.completed() as f64).max(1.0)
    }
    pub(crate) fn arrived_at(&self, id: &str) -> u64 {
        node(self.b, id).arrived - node(self.a, id).arrived
    }
    pub(crate) fn completed_at(&self, id: &str) -> u64 {
        node(self.b, id).completed - node(self.a, id).completed
    }
    pub(crate) fn errors_at(&self, id: &str) -> u64 {
        node(self.b, id).errors.total() - node(self.a, id).errors.total()
    }
    /// Mean busy fraction of the node's workers over the phase.
    pub(crate) fn utilisation(&self, id: &str) -> f64 {
        let (x, y) = (node(self.a, id), node(self.b, id));
        (y.utilisation * self.b.now_s - x.utilisation * self.a.now_s) / self.secs()
    }
    /// Mean over the phase's windows of a global window statistic.
    pub(crate) fn windows(&self, f: impl Fn(&sim_core::GlobalPoint) -> f64) -> f64 {
        let w: Vec<f64> = self
            .b
            .series
            .iter()
            .filter(|p| p.t_s > self.a.now_s + 1e-9 && p.t_s <= self.b.now_s + 1e-9)
            .map(f)
            .collect();
        assert!(!w.is_empty(), "no windows in {}..{}", self.a.now_s, self.b.now_s);
        w.iter().sum::<f64>() / w.len() as f64
    }
    pub(crate) fn p50(&self) -> f64 {
        self.windows(|p| p.p50_ms)
    }
    pub(crate) fn p95(&self) -> f64 {
        self.windows(|p| p.p95_ms)
    }
    pub(crate) fn p99(&self) -> f64 {
        self.windows(|p| p.p99_ms)
    }
    /// Time-average queue length of the node over the phase.
    pub(crate) fn mean_queue(&self, id: &str) -> f64 {
        let (x, y) = (node(self.a, id), node(self.b, id));
        (y.mean_queue_len * self.b.now_s - x.mean_queue_len * self.a.now_s) / self.secs()
    }
    /// Hits / lookups of a cache or CDN edge over the phase.
    pub(crate) fn hit_ratio(&self, id: &str) -> f64 {
        let (x, y) = (node(self.a, id).cache.clone().unwrap(), node(self.b, id).cache.clone().unwrap());
        (y.hits - x.hits) as f64 / (y.hits + y.misses - x.hits - x.misses) as f64
    }
    /// Mean over the phase's windows of a node's window p95.
    pub(crate) fn node_p95(&self, id: &str) -> f64 {
        let w: Vec<f64> = node(self.b, id)
            .series
            .iter()
            .filter(|p| p.t_s > self.a.now_s + 1e-9 && p.t_s <= self.b.now_s + 1e-9)
            .map(|p| p.p95_ms)
            .collect();
        w.iter().sum::<f64>() / w.len() as f64
    }
}

pub(crate) fn set_rate(sim: &mut Sim, client: &str, rate_rps: f64) {
    apply(sim, Command::SetRate { client: client.into(), rate_rps });
}

#[test]
fn every_preset_link_is_short_and_round_trips() {
    for p in PRESETS {
        let s = p.scenario().unwrap();
        let link = encode_link(&s);
        println!("{:<20} {:>5} characters", p.id, link.len());
        assert!(link.len() < 2000, "{}: link of {} characters", p.id, link.len());
        assert_eq!(decode_link(&link).unwrap(), s, "{}", p.id);
    }
}

fn set_machine(sim: &mut Sim, id: &str, machine: &str) {
    apply(sim, Command::SetMachine { id: id.into(), machine: machine.into() });
}

fn cost(x: &Snapshot, id: &str) -> f64 {
    node(x, id).monthly_cost_usd
}

/// Scales the single server out as a learner does: a load balancer in front, a second
/// server like the first behind it.
fn scale_out(s: &Scenario, sim: &mut Sim) {
    let edge = |from: &str, to: &str, latency_ms: f64, jitter_ms: f64| EdgeSpec {
        from: from.into(),
        to: to.into(),
        latency_ms,
        jitter_ms,
        weight: 1,
        state: EdgeState::Up,
        breaker: None,
        bulkhead: None,
        bulkhead_wait_ms: None,
        kinds: None,
    };
    let lb: NodeSpec = serde_json::from_value(serde_json::json!({ "id": "lb", "label": "Load balancer",
        "kind": { "load_balancer": { "policy": "round_robin" } } }))
    .unwrap();
    let mut web2 = s.nodes.iter().find(|n| n.id == "web").unwrap().clone();
    web2.id = "web-2".into();
    if let NodeKind::Server(w) = &mut web2.kind {
        w.machine = Some("m.2xlarge".into());
    }
    apply(sim, Command::AddNode(lb));
    apply(sim, Command::AddNode(web2));
    apply(sim, Command::RemoveEdge { from: "users".into(), to: "web".into() });
    for e in [edge("users", "lb", 20.0, 5.0), edge("lb", "web", 0.5, 0.0), edge("lb", "web-2", 0.5, 0.0)] {
        apply(sim, Command::AddEdge(e));
    }
}

#[test]
fn single_server() {
    let s = load("single-server");
    says(&s, 0, &["5 %", "200 ms"]);
    says(&s, 1, &["190 requests/s", "under 1", "over 5", "more than doubles"]);
    says(&s, 2, &["25 %", "45 %"]);
    says(&s, 3, &["Scale up", "m.xlarge", "1 %", "doubles"]);
    says(&s, 4, &["600 requests/s", "m.2xlarge", "5 %", "4×"]);
    says(&s, 5, &["x.32xlarge", "over 2×", "no bigger box"]);
    says(&s, 6, &["Every request fails"]);
    says(&s, 7, &["load balancer", "second m.2xlarge", "1,200 requests/s", "5 %", "800/s", "under a tenth"]);
    for seed in SEEDS {
        let mut sim = start(&s, seed);
        let a = at(&mut sim, 5.0);
        let b = at(&mut sim, 35.0);
        let calm = phase(&a, &b);
        let rps = calm.completed() as f64 / calm.secs();
        assert!((rps - 100.0).abs() < 5.0, "seed {seed}: {rps} requests/s");
        assert!(calm.p99() < 200.0, "seed {seed}: p99 {}", calm.p99());

        set_rate(&mut sim, "users", 190.0);
        let c = at(&mut sim, 45.0);
        // ρ = 0.95 on 2 cores relaxes slowly: a minute of it. M/M/2 theory: the requests
        // waiting for a core go from 0.33 (ρ = 0.5) to 17.6, of which 8 hold a worker.
        let d = at(&mut sim, 105.0);
        let busy = phase(&c, &d);
        let (q_calm, q_busy) = (calm.mean_queue("web"), busy.mean_queue("web"));
        assert!(q_calm < 1.0 && q_busy > 5.0, "seed {seed}: mean queue {q_calm} -> {q_busy}");
        assert!(busy.p95() > 2.0 * calm.p95(), "seed {seed}: p95 {} -> {}", calm.p95(), busy.p95());

        set_rate(&mut sim, "users", 300.0);
        let e = at(&mut sim, 115.0);
        let f = at(&mut sim, 135.0);
        let over = phase(&e, &f);
        // 300 offered, about 200 served: a third refused.
        assert!((0.25..0.45).contains(&over.error_rate()), "seed {seed}: error rate {}", over.error_rate());
        let full = f.global.failed.queue_full - e.global.failed.queue_full;
        assert!(full as f64 > 0.9 * over.failed() as f64, "seed {seed}: {full} of {} are queue full", over.failed());

        // 4 cores serve 400/s: 300/s is ρ = 0.75 once the full queue has drained (about 2 s).
        set_machine(&mut sim, "web", "m.xlarge");
        let g = at(&mut sim, 140.0);
        let h = at(&mut sim, 170.0);
        let up = phase(&g, &h);
        assert!(up.error_rate() < 0.01, "seed {seed}: error rate {} on m.xlarge", up.error_rate());
        assert!((cost(&h, "web") / cost(&f, "web") - 2.0).abs() < 1e-9, "seed {seed}: cost {}", cost(&h, "web"));

        // 8 cores and 8 workers serve 800/s: 600/s is ρ = 0.75.
        set_rate(&mut sim, "users", 600.0);
        set_machine(&mut sim, "web", "m.2xlarge");
        let i = at(&mut sim, 175.0);
        let j = at(&mut sim, 205.0);
        let up2 = phase(&i, &j);
        let rps = up2.completed() as f64 / up2.secs();
        assert!((rps - 600.0).abs() < 30.0, "seed {seed}: {rps} requests/s on m.2xlarge");
        assert!((cost(&j, "web") / cost(&f, "web") - 4.0).abs() < 1e-9, "seed {seed}: cost {}", cost(&j, "web"));

        set_machine(&mut sim, "web", "x.32xlarge");
        let k = at(&mut sim, 206.0);
        let per_vcpu = |x: &Snapshot, vcpus: f64| cost(x, "web") / vcpus;
        assert!(per_vcpu(&k, 128.0) > 2.0 * per_vcpu(&f, 2.0), "seed {seed}: {} $/vCPU", per_vcpu(&k, 128.0));
        assert_eq!(sim_core::machines::step_machine("x.32xlarge", 1), None);

        apply(&mut sim, Command::Kill { id: "web".into() });
        let l = at(&mut sim, 207.0);
        let m = at(&mut sim, 212.0);
        let dead = phase(&l, &m);
        assert!(
            dead.completed() == 0 && dead.failed() > 2000,
            "seed {seed}: {} served after the kill",
            dead.completed()
        );
        let top = cost(&m, "web");

        apply(&mut sim, Command::Revive { id: "web".into() });
        set_machine(&mut sim, "web", "m.2xlarge");
        scale_out(&s, &mut sim);
        set_rate(&mut sim, "users", 1200.0);
        let n = at(&mut sim, 217.0);
        let o = at(&mut sim, 247.0);
        let out = phase(&n, &o);
        let rps = out.completed() as f64 / out.secs();
        assert!((rps - 1200.0).abs() < 60.0, "seed {seed}: {rps} requests/s on two m.2xlarge");
        let pair = cost(&o, "web") + cost(&o, "web-2");
        assert!(pair < top / 10.0, "seed {seed}: the pair costs ${pair}, x.32xlarge ${top}");
    }
}

#[test]
fn separate_database() {
    let s = load("separate-database");
    says(&s, 0, &["65 %", "30 %"]);
    says(&s, 1, &["95 %", "10 %"]);
    says(&s, 2, &["16 connections", "1 %", "3×"]);
    says(&s, 3, &["×4", "90 %", "half"]);
    let bigger_db = reconfigure(&s, "db", |k| {
        if let NodeKind::Database(d) = k {
            d.max_connections = 16;
        }
    });
    for seed in SEEDS {
        let mut sim = start(&s, seed);
        let a = at(&mut sim, 5.0);
        let b = at(&mut sim, 30.0);
        let calm = phase(&a, &b);
        // Offered DB work: 100/s × (0.9 × 50 + 0.1 × 80) ms = 5.3 of 8 connections.
        assert!((0.55..0.75).contains(&calm.utilisation("db")), "seed {seed}: db {}", calm.utilisation("db"));
        assert!(calm.utilisation("web") < 0.3, "seed {seed}: web {}", calm.utilisation("web"));

        set_rate(&mut sim, "users", 200.0);
        let c = at(&mut sim, 35.0);
        let d = at(&mut sim, 60.0);
        let full = phase(&c, &d);
        assert!(full.utilisation("db") > 0.95, "seed {seed}: db {}", full.utilisation("db"));
        assert!(full.utilisation("web") > 0.9, "seed {seed}: web {}", full.utilisation("web"));
        assert!(full.error_rate() > 0.1, "seed {seed}: error rate {}", full.error_rate());

        apply(&mut sim, bigger_db.clone());
        let e = at(&mut sim, 65.0);
        let f = at(&mut sim, 90.0);
        let scaled = phase(&e, &f);
        assert!(scaled.error_rate() < 0.01, "seed {seed}: error rate {}", scaled.error_rate());
        assert!(scaled.p95() * 3.0 <= full.p95(), "seed {seed}: p95 {} -> {}", full.p95(), scaled.p95());

        apply(&mut sim, Command::Slow { id: "db".into(), factor: 4.0 });
        let g = at(&mut sim, 95.0);
        let h = at(&mut sim, 120.0);
        let slow = phase(&g, &h);
        assert!(slow.utilisation("web") > 0.9, "seed {seed}: web {}", slow.utilisation("web"));
        assert!(slow.error_rate() > 0.5, "seed {seed}: error rate {}", slow.error_rate());
    }
}

#[test]
fn load_balancer() {
    let s = load("load-balancer");
    says(&s, 0, &["2 s", "200 requests/s (within 10 %)"]);
    says(&s, 1, &["45–55 %"]);
    says(&s, 2, &["10 %"]);
    for seed in SEEDS {
        let mut sim = start(&s, seed);
        // Probes run every second from 0 s: killed at 10.3 s, marked down at 12.0 s.
        let a = at(&mut sim, 10.3);
        apply(&mut sim, Command::Kill { id: "web-2".into() });
        let b = at(&mut sim, 12.5);
        let c = at(&mut sim, 30.0);
        let (window, after) = (phase(&a, &b), phase(&b, &c));
        assert!(window.failed() > 50, "seed {seed}: {} failed while undetected", window.failed());
        assert_eq!(after.failed(), 0, "seed {seed}: failures after detection");
        let rps = after.completed_at("web-1") as f64 / after.secs();
        assert!((180.0..220.0).contains(&rps), "seed {seed}: web-1 serves {rps}/s");

        apply(&mut sim, Command::Revive { id: "web-2".into() });
        let d = at(&mut sim, 33.0);
        let e = at(&mut sim, 50.0);
        let back = phase(&d, &e);
        let (w1, w2) = (back.completed_at("web-1") as f64, back.completed_at("web-2") as f64);
        assert!((0.45..0.55).contains(&(w2 / (w1 + w2))), "seed {seed}: web-2 share {}", w2 / (w1 + w2));

        set_rate(&mut sim, "users", 300.0);
        at(&mut sim, 55.0);
        apply(&mut sim, Command::Kill { id: "web-2".into() });
        let g = at(&mut sim, 60.0);
        let h = at(&mut sim, 80.0);
        let over = phase(&g, &h);
        assert!(over.error_rate() > 0.1, "seed {seed}: error rate {}", over.error_rate());
    }
}

#[test]
fn read_replicas() {
    let s = load("read-replicas");
    says(&s, 0, &["no reads", "40–60 %", "50 ms"]);
    says(&s, 1, &["50 % writes", "1 s", "10×"]);
    says(&s, 2, &["3 s", "90 %", "100 lost writes"]);
    let db = |snap: &Snapshot, id: &str| node(snap, id).database.clone().unwrap();
    let replicas = ["replica-1", "replica-2"];
    for seed in SEEDS {
        let mut sim = start(&s, seed);
        let a = at(&mut sim, 5.0);
        let b = at(&mut sim, 30.0);
        assert_eq!(db(&b, "primary").reads, 0, "seed {seed}");
        let reads = |id: &str| (db(&b, id).reads - db(&a, id).reads) as f64;
        let share = reads("replica-1") / (reads("replica-1") + reads("replica-2"));
        assert!((0.4..0.6).contains(&share), "seed {seed}: replica-1 share {share}");
        for r in replicas {
            assert!(
                db(&b, r).mean_replication_lag_ms < 50.0,
                "seed {seed}: {r} lag {}",
                db(&b, r).mean_replication_lag_ms
            );
        }
        let stale_before = (b.global.data.stale_reads - a.global.data.stale_reads) as f64 / 25.0;

        let mix = RequestMix { read: 0.5, write: 0.5, static_asset: 0.0, job: 0.0 };
        apply(&mut sim, Command::SetMix { client: "users".into(), mix });
        let c = at(&mut sim, 45.0);
        for r in replicas {
            assert!(db(&c, r).replication_lag_ms > 1000.0, "seed {seed}: {r} lag {}", db(&c, r).replication_lag_ms);
        }
        let stale_after = (c.global.data.stale_reads - b.global.data.stale_reads) as f64 / 15.0;
        assert!(
            stale_after > 0.0 && stale_after >= 10.0 * stale_before,
            "seed {seed}: stale {stale_before}/s -> {stale_after}/s"
        );

        apply(&mut sim, Command::Kill { id: "primary".into() });
        let d = at(&mut sim, 47.5);
        assert!(phase(&c, &d).error_rate() > 0.9, "seed {seed}: error rate {}", phase(&c, &d).error_rate());
        let e = at(&mut sim, 49.0);
        let f = at(&mut sim, 60.0);
        assert_eq!(phase(&e, &f).failed(), 0, "seed {seed}: failures after the promotion");
        assert!(f.log.iter().any(|l| l.text.contains("promoted to primary")), "seed {seed}: no promotion logged");
        let lost: u64 = replicas.iter().map(|r| db(&f, r).lost_writes).sum();
        assert!(lost > 100, "seed {seed}: {lost} lost writes");
    }
}

/// The cache preset flushed at 20 s: (hit ratio 5–10 s, database share of lookups 5–10 s,
/// p99 15–20 s, database requests 20–25 s, p99 20–25 s).
fn flush_run(s: &Scenario, seed: u64, coalescing: bool) -> (f64, f64, f64, u64, f64) {
    let mut sim = start(s, seed);
    if coalescing {
        apply(
            &mut sim,
            reconfigure(s, "cache", |k| {
                if let NodeKind::Cache(c) = k {
                    c.coalescing = true;
                }
            }),
        );
    }
    let a = at(&mut sim, 5.0);
    let b = at(&mut sim, 10.0);
    let c = at(&mut sim, 15.0);
    let d = at(&mut sim, 20.0);
    apply(&mut sim, Command::FlushCache { id: "cache".into() });
    let e = at(&mut sim, 25.0);
    let warm = phase(&a, &b);
    let after = phase(&d, &e);
    (
        warm.hit_ratio("cache"),
        warm.arrived_at("db") as f64 / warm.arrived_at("cache") as f64,
        phase(&c, &d).p99(),
        after.arrived_at("db"),
        after.p99(),
    )
}

#[test]
fn cache() {
    let s = load("cache");
    says(&s, 0, &["90 %", "1 in 10"]);
    says(&s, 1, &["2 fetches per key", "over 200", "4×"]);
    says(&s, 2, &["at most 100 fetches", "half"]);
    for seed in SEEDS {
        let (hit, db_share, p99_before, fetches, p99_after) = flush_run(&s, seed, false);
        assert!(hit > 0.9 && db_share < 0.1, "seed {seed}: hit ratio {hit}, database share {db_share}");
        assert!(fetches > 200, "seed {seed}: {fetches} fetches after the flush");
        assert!(p99_after >= 4.0 * p99_before, "seed {seed}: p99 {p99_before} -> {p99_after} ms");
        let (_, _, _, coalesced_fetches, coalesced_p99) = flush_run(&s, seed, true);
        assert!(coalesced_fetches <= 100, "seed {seed}: {coalesced_fetches} fetches with coalescing");
        assert!(coalesced_p99 <= 0.5 * p99_after, "seed {seed}: p99 {coalesced_p99} vs {p99_after} ms");
    }
}

#[test]
fn cdn() {
    let s = load("cdn");
    says(&s, 0, &["90 %", "a third"]);
    says(&s, 1, &["60 %", "40 %"]);
    says(&s, 2, &["hundreds of stale hits per second"]);
    says(&s, 3, &["No stale hits", "at most once"]);
    let edges = ["cdn-us", "cdn-eu"];
    let stale = |x: &Snapshot| -> u64 { edges.iter().map(|id| node(x, id).cache.clone().unwrap().stale_hits).sum() };
    for seed in SEEDS {
        let mut sim = start(&s, seed);
        let a = at(&mut sim, 10.0);
        let b = at(&mut sim, 20.0);
        let warm = phase(&a, &b);
        for id in edges {
            assert!(warm.hit_ratio(id) > 0.9, "seed {seed}: {id} hit ratio {}", warm.hit_ratio(id));
        }
        let origin_share = warm.arrived_at("origin") as f64 / (b.global.arrived - a.global.arrived) as f64;
        assert!(origin_share < 1.0 / 3.0, "seed {seed}: origin share {origin_share}");

        let c = at(&mut sim, 22.0);
        apply(&mut sim, Command::FlushCache { id: "cdn-eu".into() });
        let d = at(&mut sim, 23.0);
        let purged = phase(&c, &d);
        assert!(purged.hit_ratio("cdn-eu") < 0.6, "seed {seed}: EU hit ratio {}", purged.hit_ratio("cdn-eu"));
        let before = phase(&b, &c).arrived_at("origin") as f64 / 2.0;
        let after = purged.arrived_at("origin") as f64;
        assert!(after >= 1.4 * before, "seed {seed}: origin {before}/s -> {after}/s");

        let e = at(&mut sim, 30.0);
        apply(&mut sim, Command::DeployAssets {});
        let f = at(&mut sim, 40.0);
        let per_s = (stale(&f) - stale(&e)) as f64 / 10.0;
        assert!(per_s >= 200.0, "seed {seed}: {per_s} stale hits/s");

        for id in edges {
            apply(
                &mut sim,
                reconfigure(&s, id, |k| {
                    if let NodeKind::Cdn(c) = k {
                        c.versioned_urls = true;
                    }
                }),
            );
        }
        let g = at(&mut sim, 41.0);
        apply(&mut sim, Command::DeployAssets {});
        let h = at(&mut sim, 51.0);
        assert_eq!(stale(&h), stale(&g), "seed {seed}: stale hits with versioned URLs");
        for id in edges {
            let misses = node(&h, id).cache.clone().unwrap().misses - node(&g, id).cache.clone().unwrap().misses;
            assert!(misses <= 1000, "seed {seed}: {id} fetched {misses} times for 1000 assets");
        }
    }
}

#[test]
fn multi_region() {
    let s = load("multi-region");
    says(&s, 0, &["100 ms"]);
    says(&s, 1, &["2 s", "60 ms"]);
    says(&s, 2, &["no errors", "100 ms"]);
    let groups = ["east-users", "west-users", "eu-users"];
    for seed in SEEDS {
        let mut sim = start(&s, seed);
        let a = at(&mut sim, 2.0);
        let b = at(&mut sim, 20.3);
        let home = phase(&a, &b);
        for g in groups {
            assert!(home.node_p95(g) < 100.0, "seed {seed}: {g} p95 {}", home.node_p95(g));
        }
        // Probes every second: the outage at 20.3 s is detected at 22.0 s.
        apply(&mut sim, Command::RegionOutage { region: "us-east".into() });
        let c = at(&mut sim, 22.5);
        let d = at(&mut sim, 40.3);
        let away = phase(&c, &d);
        assert!(phase(&b, &c).errors_at("east-users") > 0, "seed {seed}: no errors before detection");
        assert_eq!(away.failed(), 0, "seed {seed}: errors after the failover");
        let (p_home, p_away) = (home.node_p95("east-users"), away.node_p95("east-users"));
        assert!(p_away >= p_home + 60.0, "seed {seed}: US-East p95 {p_home} -> {p_away} ms");

        apply(&mut sim, Command::RegionRecover { region: "us-east".into() });
        let e = at(&mut sim, 43.0);
        let f = at(&mut sim, 60.0);
        let back = phase(&e, &f);
        assert_eq!(back.failed(), 0, "seed {seed}: errors after the recovery");
        assert!(back.node_p95("east-users") < 100.0, "seed {seed}: p95 {}", back.node_p95("east-users"));
    }
}

fn set_queue(s: &Scenario, sim: &mut Sim, poison_keys: u32, idempotent: bool) {
    apply(
        sim,
        reconfigure(s, "photo-jobs", |k| {
            if let NodeKind::MessageQueue(q) = k {
                q.poison_keys = poison_keys;
                q.idempotent = idempotent;
            }
        }),
    );
}

#[test]
fn message_queue() {
    let s = load("message-queue");
    says(&s, 0, &["×3 for 20 s", "150 jobs", "5 s", "150 ms", "60 s", "under 60"]);
    says(&s, 1, &["30 s", "exactly one duplicate"]);
    says(&s, 2, &["poison keys to 20", "3 times"]);
    says(&s, 3, &["duplicates stop growing"]);
    let mq = |x: &Snapshot| node(x, "photo-jobs").message_queue.clone().unwrap();
    for seed in SEEDS {
        let mut sim = start(&s, seed);
        let a = at(&mut sim, 20.0);
        apply(&mut sim, Command::Spike { client: "uploads".into(), multiplier: 3.0, duration_s: 20.0 });
        // 24 uploads/s against about 15 processed/s: the backlog grows ~9/s for 20 s, then
        // drains at ~7/s.
        let (mut peak, mut oldest) = (0, 0.0f64);
        for t in 21..=40 {
            let x = at(&mut sim, f64::from(t));
            peak = peak.max(mq(&x).backlog);
            oldest = oldest.max(mq(&x).oldest_age_ms);
        }
        let b = at(&mut sim, 40.0);
        let spike = phase(&a, &b);
        assert!(peak > 150 && oldest > 5000.0, "seed {seed}: peak backlog {peak}, oldest {oldest} ms");
        assert!(spike.p99() < 150.0, "seed {seed}: upload p99 {}", spike.p99());
        let c = at(&mut sim, 100.0);
        assert_eq!(phase(&a, &c).failed(), 0, "seed {seed}: failed uploads");
        assert!(mq(&c).backlog < 60, "seed {seed}: backlog {} a minute after the spike", mq(&c).backlog);

        let (dup, redelivered) = (mq(&c).duplicates, mq(&c).redeliveries);
        apply(&mut sim, Command::KillWorker { id: "photo-jobs".into() });
        let d = at(&mut sim, 140.0);
        assert_eq!(mq(&d).duplicates, dup + 1, "seed {seed}");
        assert_eq!(mq(&d).redeliveries, redelivered + 1, "seed {seed}");

        // About 0.16 corrupt photos/s: some twenty in two minutes.
        set_queue(&s, &mut sim, 20, false);
        let e = at(&mut sim, 260.0);
        let q = mq(&e);
        assert!(
            q.dlq_size > 0 && q.failures >= 3 * q.dlq_size,
            "seed {seed}: {} failures, {} dead",
            q.failures,
            q.dlq_size
        );
        assert!(q.duplicates > mq(&d).duplicates, "seed {seed}: retries made no duplicates");

        set_queue(&s, &mut sim, 20, true);
        let f = at(&mut sim, 380.0);
        let r = mq(&f);
        assert!(r.dlq_size > q.dlq_size && r.redeliveries > q.redeliveries, "seed {seed}: retries stopped");
        assert_eq!(r.duplicates, q.duplicates, "seed {seed}: duplicates with an idempotent consumer");
    }
}

/// Adds a fifth shard like shard-0, as a learner drops a database and wires the router to it.
fn add_shard(s: &Scenario, sim: &mut Sim) {
    let mut n: NodeSpec = s.nodes.iter().find(|n| n.id == "shard-0").unwrap().clone();
    n.id = "shard-4".into();
    n.label = Some("Shard 4".into());
    apply(sim, Command::AddNode(n));
    let edge = EdgeSpec {
        from: "router".into(),
        to: "shard-4".into(),
        latency_ms: 1.0,
        jitter_ms: 0.0,
        weight: 1,
        state: EdgeState::Up,
        breaker: None,
        bulkhead: None,
        bulkhead_wait_ms: None,
        kinds: None,
    };
    apply(sim, Command::AddEdge(edge));
}

fn moved_fraction(x: &Snapshot) -> f64 {
    node(x, "router").shards.clone().unwrap().moved_fraction_last
}

#[test]
fn sharding() {
    let s = load("sharding");
    says(&s, 0, &["20–30 %"]);
    says(&s, 1, &["40 %", "over half", "under half busy"]);
    says(&s, 2, &["80 %"]);
    says(&s, 3, &["100 virtual nodes", "20 %", "under 30 %"]);
    let requests = |x: &Snapshot| -> Vec<u64> {
        node(x, "router").shards.clone().unwrap().shards.iter().map(|y| y.requests).collect()
    };
    for seed in SEEDS {
        let mut sim = start(&s, seed);
        let a = at(&mut sim, 2.0);
        let b = at(&mut sim, 20.0);
        let (ra, rb) = (requests(&a), requests(&b));
        let total = (rb.iter().sum::<u64>() - ra.iter().sum::<u64>()) as f64;
        for i in 0..4 {
            let share = (rb[i] - ra[i]) as f64 / total;
            assert!((0.2..0.3).contains(&share), "seed {seed}: shard {i} share {share}");
        }

        let keys = KeyDistribution::HotKey { key_count: 100_000, hot_fraction: 0.4 };
        apply(&mut sim, Command::SetKeys { client: "users".into(), keys });
        let c = at(&mut sim, 25.0);
        let d = at(&mut sim, 45.0);
        let hot = phase(&c, &d);
        let (rc, rd) = (requests(&c), requests(&d));
        let total = (rd.iter().sum::<u64>() - rc.iter().sum::<u64>()) as f64;
        let shares: Vec<f64> = (0..4).map(|i| (rd[i] - rc[i]) as f64 / total).collect();
        let h = (0..4).max_by(|&i, &j| shares[i].total_cmp(&shares[j])).unwrap();
        assert!(shares[h] > 0.5, "seed {seed}: hottest share {}", shares[h]);
        for i in 0..4 {
            let id = format!("shard-{i}");
            if i == h {
                assert!(hot.errors_at(&id) > 0, "seed {seed}: no errors on the hot shard");
            } else {
                assert_eq!(hot.errors_at(&id), 0, "seed {seed}: errors on {id}");
                assert!(hot.utilisation(&id) < 0.5, "seed {seed}: {id} utilisation {}", hot.utilisation(&id));
            }
        }

        add_shard(&s, &mut sim);
        let e = at(&mut sim, 46.0);
        // Modulo: a key stays only if hash mod 4 = hash mod 5, one key in five.
        assert!((0.75..0.85).contains(&moved_fraction(&e)), "seed {seed}: modulo moved {}", moved_fraction(&e));

        let mut ring = start(&s, seed);
        apply(
            &mut ring,
            reconfigure(&s, "router", |k| {
                if let NodeKind::ShardRouter(r) = k {
                    r.strategy = ShardStrategy::ConsistentHash { virtual_nodes: 100 };
                }
            }),
        );
        at(&mut ring, 5.0);
        add_shard(&s, &mut ring);
        let g = at(&mut ring, 6.0);
        // The new shard takes 1/5 of the ring, ± the spread of 100 points per shard.
        assert!(
            (0.1..0.3).contains(&moved_fraction(&g)),
            "seed {seed}: consistent hashing moved {}",
            moved_fraction(&g)
        );
    }
}

fn set_mode(s: &Scenario, sim: &mut Sim, mode: Consistency) {
    for id in ["store-us-1", "store-us-2", "store-eu"] {
        apply(
            sim,
            reconfigure(s, id, |k| {
                if let NodeKind::ReplicatedStore(r) = k {
                    r.mode = mode;
                }
            }),
        );
    }
}

#[test]
fn cap_partition() {
    let s = load("cap-partition");
    says(&s, 0, &["99 %", "no errors"]);
    says(&s, 1, &["no errors"]);
    says(&s, 2, &["no errors", "hundreds of stale reads"]);
    says(&s, 3, &["conflicts", "hundreds to a handful"]);
    let cut = || Command::PartitionRegions { a: "us-east".into(), b: "eu-west".into() };
    let heal = || Command::HealRegions { a: "us-east".into(), b: "eu-west".into() };
    let divergent = |x: &Snapshot| -> u64 {
        ["store-us-1", "store-us-2", "store-eu"]
            .iter()
            .map(|id| node(x, id).store.clone().unwrap().divergent_keys)
            .sum()
    };
    for seed in SEEDS {
        let mut sim = start(&s, seed);
        let a = at(&mut sim, 10.0);
        apply(&mut sim, cut());
        let b = at(&mut sim, 20.0);
        let cp = phase(&a, &b);
        let eu = cp.errors_at("eu-users") as f64 / (cp.errors_at("eu-users") + cp.completed_at("eu-users")) as f64;
        assert!(eu > 0.99, "seed {seed}: EU error rate {eu}");
        assert_eq!(cp.errors_at("us-users"), 0, "seed {seed}: US errors");

        apply(&mut sim, heal());
        let c = at(&mut sim, 20.5);
        let d = at(&mut sim, 30.0);
        assert_eq!(phase(&c, &d).failed(), 0, "seed {seed}: errors after the heal");

        set_mode(&s, &mut sim, Consistency::Ap);
        let e = at(&mut sim, 31.0);
        apply(&mut sim, cut());
        let f = at(&mut sim, 41.0);
        let ap = phase(&e, &f);
        assert_eq!(ap.failed(), 0, "seed {seed}: errors in AP mode");
        let stale = f.global.data.stale_reads - e.global.data.stale_reads;
        assert!(stale >= 200, "seed {seed}: {stale} stale reads");

        apply(&mut sim, heal());
        let g = at(&mut sim, 42.0);
        assert!(g.global.data.conflicts > f.global.data.conflicts, "seed {seed}: no conflicts reconciled");
        assert!(
            divergent(&f) >= 200 && divergent(&g) < 25,
            "seed {seed}: divergent {} -> {}",
            divergent(&f),
            divergent(&g)
        );
    }
}

#[test]
fn url_shortener() {
    let s = load("url-shortener");
    says(&s, 0, &["75 %", "no reads", "60 ms"]);
    says(&s, 1, &["2.5×", "20 %", "nothing fails"]);
    says(&s, 2, &["2 s", "errors stop"]);
    says(&s, 3, &["×20", "thousands", "10 %"]);
    let db = |x: &Snapshot, id: &str| node(x, id).database.clone().unwrap();
    let replica_reads =
        |p: &Phase| -> u64 { ["replica-1", "replica-2"].iter().map(|id| db(p.b, id).reads - db(p.a, id).reads).sum() };
    for seed in SEEDS {
        let mut sim = start(&s, seed);
        let a = at(&mut sim, 10.0);
        let b = at(&mut sim, 20.0);
        let warm = phase(&a, &b);
        assert!(warm.hit_ratio("cache") > 0.75, "seed {seed}: hit ratio {}", warm.hit_ratio("cache"));
        assert_eq!(db(&b, "db").reads, 0, "seed {seed}: reads on the primary");
        assert!(warm.p50() < 60.0, "seed {seed}: p50 {}", warm.p50());

        let c = at(&mut sim, 25.0);
        let before = phase(&b, &c);
        apply(&mut sim, Command::FlushCache { id: "cache".into() });
        let d = at(&mut sim, 30.0);
        let flood = phase(&c, &d);
        let (r0, r1) = (replica_reads(&before), replica_reads(&flood));
        assert!(r1 as f64 >= 2.5 * r0 as f64, "seed {seed}: replica reads {r0} -> {r1}");
        assert!(flood.p95() >= 1.2 * before.p95(), "seed {seed}: p95 {} -> {}", before.p95(), flood.p95());
        assert_eq!(flood.failed(), 0, "seed {seed}: failures during the flood");

        let e = at(&mut sim, 40.3);
        apply(&mut sim, Command::Kill { id: "resolver-2".into() });
        let f = at(&mut sim, 42.5);
        let g = at(&mut sim, 55.0);
        assert!(phase(&e, &f).failed() > 0, "seed {seed}: no failures before detection");
        let steady = phase(&f, &g);
        assert_eq!(steady.failed(), 0, "seed {seed}: failures after detection");

        apply(&mut sim, Command::Slow { id: "clicks".into(), factor: 20.0 });
        let h = at(&mut sim, 75.0);
        let slow = phase(&g, &h);
        let backlog = node(&h, "clicks").message_queue.clone().unwrap().backlog;
        assert!(backlog > 1000, "seed {seed}: click backlog {backlog}");
        assert!(
            (slow.p50() - steady.p50()).abs() <= 0.1 * steady.p50(),
            "seed {seed}: p50 {} -> {}",
            steady.p50(),
            slow.p50()
        );
    }
}

#[test]
fn stateless_tier() {
    let s = load("stateless-tier");
    says(&s, 0, &["30 s", "95 %", "no re-logins"]);
    says(&s, 1, &["Kill web-2", "within 2 s", "sessions lost stays at 0"]);
    says(&s, 2, &["least connections", "Still no re-logins"]);
    says(&s, 3, &["Flush", "over 90 %", "within 30 s"]);
    let store = |snap: &Snapshot| node(snap, "sessions").sessions.clone().unwrap();
    for seed in SEEDS {
        let mut sim = start(&s, seed);
        // 270 session requests/s over 2 000 uniform users: after t s a user has been seen
        // with probability 1 − exp(−0.135 t), 98 % at 30 s, so the window hit ratio is ~98 %.
        let a = at(&mut sim, 30.0);
        let hits = node(&a, "sessions").cache.as_ref().unwrap().window_hit_ratio;
        assert!(hits > 0.95, "seed {seed}: session hit ratio {hits}");
        assert_eq!(a.global.data.relogins, 0, "seed {seed}");

        // Probes every 0.5 s, two failures to mark down: detected about 1 s after the kill,
        // and answers already on their way back may still fail just after.
        apply(&mut sim, Command::Kill { id: "web-2".into() });
        let b = at(&mut sim, 32.0);
        let c = at(&mut sim, 45.0);
        assert!(phase(&a, &b).failed() > 0, "seed {seed}: no failures while undetected");
        assert_eq!(phase(&b, &c).failed(), 0, "seed {seed}: failures after detection");
        assert_eq!(c.global.data.sessions_lost, 0, "seed {seed}");
        assert_eq!(c.global.data.relogins, 0, "seed {seed}");

        let lb = reconfigure(&s, "lb", |k| {
            if let NodeKind::LoadBalancer(p) = k {
                p.policy = sim_core::LbPolicy::LeastConnections;
            }
        });
        apply(&mut sim, lb);
        let d = at(&mut sim, 60.0);
        assert_eq!(d.global.data.relogins, 0, "seed {seed}: re-logins after switching the balancer");

        let active = store(&d).active;
        apply(&mut sim, Command::FlushCache { id: "sessions".into() });
        let e = at(&mut sim, 90.0);
        let lost = e.global.data.sessions_lost;
        assert!(lost as f64 > 0.9 * active as f64, "seed {seed}: {lost} of {active} sessions lost");
        assert!(
            e.global.data.relogins as f64 > 0.9 * active as f64,
            "seed {seed}: {} re-logins",
            e.global.data.relogins
        );
    }
}

/// The preset with the node `id`'s parameters changed by `f` (an inspector edit, then Reset).
pub(crate) fn edit_node(s: &Scenario, id: &str, f: impl FnOnce(&mut NodeKind)) -> Scenario {
    let mut s = s.clone();
    f(&mut s.nodes.iter_mut().find(|n| n.id == id).unwrap().kind);
    s
}

/// The preset with the edge `from → to` changed by `f` (an inspector edit, then Reset).
fn edit_edge(s: &Scenario, from: &str, to: &str, f: impl FnOnce(&mut EdgeSpec)) -> Scenario {
    let mut s = s.clone();
    f(s.edges.iter_mut().find(|e| e.from == from && e.to == to).unwrap());
    s
}

/// Snapshots of one run of a resilience variant at 5 s, 20 s (the spike starts), 30 s (it
/// ends), 40 s, 80 s and 90 s (the end).
fn storm_run(s: &Scenario, seed: u64) -> Vec<Snapshot> {
    let mut sim = start(s, seed);
    [5.0, 20.0, 30.0, 40.0, 80.0, 90.0].iter().map(|&t| at(&mut sim, t)).collect()
}

#[test]
fn resilience() {
    let s = load("resilience");
    says(&s, 0, &["80 requests/s", "1 %", "under half", "200 requests/s"]);
    says(&s, 1, &["×4", "20 s", "30 s", "800 ms", "over half"]);
    says(&s, 2, &["40 s", "80/s", "over 90 %", "over 95 %", "4 times", "5×", "400/s"]);
    says(&s, 3, &["retries to 1", "100 ms", "full jitter", "40 s", "1 %", "160/s"]);
    says(&s, 4, &["circuit breaker", "0.5", "40 s", "1 %"]);
    says(&s, 5, &["bulkhead of 20", "under half", "3 in 8", "1 %"]);
    let capped = edit_node(&s, "users", |k| {
        if let NodeKind::Client(c) = k {
            let r = c.retry.as_mut().unwrap();
            r.max_retries = 1;
            r.base_backoff_ms = 100.0;
            r.jitter = sim_core::Jitter::Full;
        }
    });
    let breaker = edit_edge(&s, "web", "inventory", |e| {
        e.breaker = Some(sim_core::BreakerSpec { failure_rate: 0.5, ..Default::default() })
    });
    let bulkhead = edit_edge(&s, "web", "inventory", |e| e.bulkhead = Some(20));
    for seed in SEEDS {
        let x = storm_run(&s, seed);
        let (calm, spike, after, last) =
            (phase(&x[0], &x[1]), phase(&x[1], &x[2]), phase(&x[3], &x[5]), phase(&x[4], &x[5]));
        // 80/s × 40 ms = 3.2 of 8 workers: ρ = 0.4, and M/M/8 almost never waits 800 ms.
        assert!(calm.error_rate() < 0.01, "seed {seed}: error rate {}", calm.error_rate());
        assert!(calm.utilisation("inventory") < 0.5, "seed {seed}: inventory {}", calm.utilisation("inventory"));
        // 320/s offered to 200/s: the queue grows by 120 a second, past 160 (800 ms of work)
        // in under 2 s.
        assert!(spike.error_rate() > 0.5, "seed {seed}: error rate {} in the spike", spike.error_rate());
        // Every attempt now fails, so every request makes 5: 400/s, twice the capacity,
        // and what is served was waited for by no one.
        assert!(after.error_rate() > 0.9, "seed {seed}: error rate {} after the spike", after.error_rate());
        assert!(after.utilisation("inventory") > 0.95, "seed {seed}: inventory {}", after.utilisation("inventory"));
        assert!(last.error_rate() > 0.9, "seed {seed}: error rate {} in the last 10 s", last.error_rate());

        for (name, cure) in [("capped retries", &capped), ("breaker", &breaker), ("bulkhead", &bulkhead)] {
            let x = storm_run(cure, seed);
            let (spike, after) = (phase(&x[1], &x[2]), phase(&x[3], &x[5]));
            assert!(spike.error_rate() > 0.2, "{name}, seed {seed}: error rate {} in the spike", spike.error_rate());
            if name == "breaker" {
                let opened = x[2].log.iter().find(|l| l.text.starts_with("breaker web → inventory opened at"));
                assert!(opened.is_some_and(|l| l.t_s > 20.0), "seed {seed}: the breaker did not open in the spike");
            }
            if name == "bulkhead" {
                // Up to 8 in service and 12 queued, 60 ms of waiting at most: every call let in
                // is answered in time, and of the spike's 320/s the 200/s it serves succeed.
                assert!(spike.error_rate() < 0.5, "seed {seed}: error rate {} in the spike", spike.error_rate());
            }
            assert!(
                after.error_rate() < 0.01,
                "{name}, seed {seed}: error rate {} after the spike",
                after.error_rate()
            );
        }
    }
}
