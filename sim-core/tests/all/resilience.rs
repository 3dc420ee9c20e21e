//! Circuit breakers and bulkheads on edges, and request kinds that choose an edge.

use serde_json::{json, Value};
use sim_core::{BreakerState, Command, Scenario, Sim, SimTime, Snapshot};

use crate::common::scenario;

fn at(s: f64) -> SimTime {
    SimTime::from_secs_f64(s)
}

/// Readers (20 rps) and writers (200 rps) call `web` (8 workers, 2 ms); reads also call
/// `recs` (8 workers, 5 ms) over `recs_edge`, which may carry a breaker or a bulkhead. The
/// web server gives up on `recs` after 1 s.
fn design(recs_edge: Value) -> Scenario {
    let client = |id: &str, rate: f64, read: f64, write: f64| {
        json!({ "id": id, "kind": { "client": { "rate_rps": rate, "timeout_ms": 3000,
            "mix": { "read": read, "write": write, "static_asset": 0, "job": 0 } } } })
    };
    let server = |id: &str, workers: u32, queue: u32, ms: f64, timeout: Value| {
        json!({ "id": id, "kind": { "server": { "workers": workers, "queue_capacity": queue,
            "service_time": { "exponential": { "mean_ms": ms } }, "call_timeout_ms": timeout } } })
    };
    let mut recs = json!({ "from": "web", "to": "recs", "latency_ms": 1, "kinds": ["read"] });
    for (k, v) in recs_edge.as_object().into_iter().flatten() {
        recs[k] = v.clone();
    }
    scenario(json!({ "version": 2,
        "nodes": [ client("readers", 20.0, 1.0, 0.0), client("writers", 200.0, 0.0, 1.0),
                   server("web", 8, 10_000, 2.0, json!(1000)), server("recs", 8, 50, 5.0, Value::Null) ],
        "edges": [ { "from": "readers", "to": "web", "latency_ms": 1 },
                   { "from": "writers", "to": "web", "latency_ms": 1 }, recs ] }))
}

fn breaker() -> Value {
    json!({ "breaker": { "failure_rate": 0.5, "window": 20, "min_calls": 10, "open_ms": 5000, "trial_calls": 3 } })
}

fn node<'a>(s: &'a Snapshot, id: &str) -> &'a sim_core::NodeView {
    s.nodes.iter().find(|n| n.id == id).unwrap()
}

fn recs_state(s: &Snapshot) -> Option<BreakerState> {
    s.edges.iter().find(|e| e.from == "web" && e.to == "recs").unwrap().breaker
}

/// Runs `s` with `recs` a thousand times slower from 5 s to `until` s, to `end` s.
fn slow_recs(s: &Scenario, seed: u64, until: f64, end: f64) -> (Snapshot, Snapshot) {
    let mut sim = Sim::with_seed(s, seed).unwrap();
    sim.step_until(at(5.0), u64::MAX);
    sim.apply(Command::Slow { id: "recs".into(), factor: 1000.0 }).unwrap();
    sim.step_until(at(until), u64::MAX);
    let during = sim.snapshot();
    sim.apply(Command::Slow { id: "recs".into(), factor: 1.0 }).unwrap();
    sim.step_until(at(end), u64::MAX);
    (during, sim.snapshot())
}

#[test]
fn circuit_breaker_opens_on_a_slow_dependency_fails_fast_and_frees_the_callers_workers() {
    for seed in 1..=3 {
        let (with, _) = slow_recs(&design(breaker()), seed, 60.0, 60.0);
        let (without, _) = slow_recs(&design(json!({})), seed, 60.0, 60.0);
        assert_eq!(recs_state(&without), None);
        assert!(matches!(recs_state(&with), Some(BreakerState::Open | BreakerState::HalfOpen)), "seed {seed}");
        let opened = with.log.iter().find(|l| l.text.starts_with("breaker web → recs opened at")).unwrap();
        // At least half of the last 10 to 20 calls (the window) had failed.
        let words: Vec<&str> = opened.text.split(": ").nth(1).unwrap().split(' ').collect();
        let (pct, calls): (f64, u32) = (words[0].parse().unwrap(), words[5].parse().unwrap());
        assert!(pct >= 50.0 && (10..=20).contains(&calls), "{}", opened.text);
        assert!((6.0..=7.5).contains(&opened.t_s), "opened at {} s (seed {seed})", opened.t_s);
        // The reads fail at once while it is open: counted under their own cause, at the
        // server and at the readers.
        let web = node(&with, "web");
        assert!(web.errors.circuit_open > 500, "circuit_open at web: {} (seed {seed})", web.errors.circuit_open);
        let readers = node(&with, "readers");
        assert!(readers.errors.circuit_open > 500, "seed {seed}");
        assert_eq!(node(&without, "web").errors.circuit_open, 0);
        // Their latency falls from the 1 s timeout to about the round trip (2 ms of links and
        // 2 ms of service): the median read takes a few ms, not a second or more.
        let (p50_with, p50_without) = (readers.latency.p50_ms, node(&without, "readers").latency.p50_ms);
        assert!(p50_with < 20.0, "readers' p50 with a breaker {p50_with} ms (seed {seed})");
        assert!(p50_without > 900.0, "readers' p50 without {p50_without} ms (seed {seed})");
        // The web server's workers are freed: the writers (who never call recs) are served.
        let (w_with, w_without) = (node(&with, "writers"), node(&without, "writers"));
        let share = |n: &sim_core::NodeView| n.completed as f64 / n.arrived as f64;
        assert!(share(w_with) > 0.99, "writers served with a breaker: {:.3} (seed {seed})", share(w_with));
        assert!(share(w_without) < 0.75, "writers served without: {:.3} (seed {seed})", share(w_without));
    }
}

#[test]
fn circuit_breaker_opens_on_a_dead_dependency() {
    let mut sim = Sim::with_seed(&design(breaker()), 1).unwrap();
    sim.step_until(at(5.0), u64::MAX);
    sim.apply(Command::Kill { id: "recs".into() }).unwrap();
    sim.step_until(at(20.0), u64::MAX);
    let s = sim.snapshot();
    assert!(s.log.iter().any(|l| l.text.starts_with("breaker web → recs opened at")), "log: {:?}", s.log);
    assert!(node(&s, "web").errors.circuit_open > 100);
}

#[test]
fn circuit_breaker_closes_after_the_dependency_recovers() {
    for seed in 1..=3 {
        let (during, after) = slow_recs(&design(breaker()), seed, 30.0, 60.0);
        assert_ne!(recs_state(&during), Some(BreakerState::Closed), "seed {seed}");
        assert_eq!(recs_state(&after), Some(BreakerState::Closed), "seed {seed}");
        let closed = after.log.iter().find(|l| l.text.starts_with("breaker web → recs closed at")).unwrap();
        assert!(closed.t_s > 30.0 && closed.t_s < 45.0, "closed at {} s (seed {seed})", closed.t_s);
        // Reads are served again and none fails fast any more.
        let late = |s: &Snapshot| (node(s, "readers").completed, node(s, "web").errors.circuit_open);
        let (done_30, open_30) = late(&during);
        let (done_60, open_60) = late(&after);
        assert!(
            done_60 - done_30 > 15 * 20 * 9 / 10,
            "reads served after recovery: {} (seed {seed})",
            done_60 - done_30
        );
        let reopened = after.log.iter().filter(|l| l.t_s > closed.t_s && l.text.contains("opened")).count();
        assert_eq!(reopened, 0, "seed {seed}");
        assert!(open_60 >= open_30);
    }
}

/// The writers' throughput and p99 over seeds 1–5: (mean completed per s, mean p99 ms).
fn writers(s: &Scenario, fault: bool) -> (f64, f64) {
    let (mut rps, mut p99) = (0.0, 0.0);
    for seed in 1..=5 {
        let end = if fault { slow_recs(s, seed, 60.0, 60.0).0 } else { crate::common::run(s, seed, 60.0) };
        let w = node(&end, "writers");
        rps += w.completed as f64 / 60.0 / 5.0;
        p99 += w.latency.p99_ms / 5.0;
    }
    (rps, p99)
}

#[test]
fn bulkhead_keeps_the_requests_that_do_not_use_a_slow_dependency_served() {
    let bulkhead = design(json!({ "bulkhead": 2 }));
    let (base_rps, base_p99) = writers(&bulkhead, false);
    // 200 rps offered; 2 ms of service and 2 ms of links, exponential: p99 ≈ 2 + 2 ln 100 ≈ 11 ms.
    assert!((base_rps - 200.0).abs() < 5.0 && base_p99 < 20.0, "no fault: {base_rps} rps, p99 {base_p99} ms");
    let (rps, p99) = writers(&bulkhead, true);
    assert!((rps - base_rps).abs() < 0.1 * base_rps, "writers with the bulkhead: {rps} rps vs {base_rps}");
    assert!((p99 - base_p99).abs() < 0.1 * base_p99, "writers' p99 with the bulkhead: {p99} ms vs {base_p99}");
    // The reads over the limit fail at once with their own cause.
    let (end, _) = slow_recs(&bulkhead, 1, 60.0, 60.0);
    assert!(node(&end, "web").errors.bulkhead_full > 500, "{:?}", node(&end, "web").errors);
    assert!(node(&end, "readers").errors.bulkhead_full > 500);

    // Without it, the slow calls take every worker and the writers collapse.
    let open = design(json!({}));
    let (rps, p99) = writers(&open, true);
    assert!(rps < 0.75 * base_rps, "writers without a bulkhead: {rps} rps");
    assert!(p99 > 10.0 * base_p99, "writers' p99 without a bulkhead: {p99} ms");
}

#[test]
fn edge_kinds_choose_which_requests_take_an_edge() {
    // Reads call recs (the edge carries them) and writes do not (a few reads are still on
    // their way at the end).
    let s = crate::common::run(&design(json!({})), 1, 30.0);
    let recs = node(&s, "recs");
    let readers = node(&s, "readers");
    let near = |got: u64, want: u64| got <= want && got + 5 >= want;
    assert!(
        near(recs.arrived, readers.arrived),
        "every read, and only reads, reach recs: {} of {}",
        recs.arrived,
        readers.arrived
    );
    let both = crate::common::run(&design(json!({ "kinds": ["read", "write"] })), 1, 30.0);
    let sent = node(&both, "readers").arrived + node(&both, "writers").arrived;
    assert!(near(node(&both, "recs").arrived, sent), "reads and writes reach recs");
}

/// Asserts that a file of `version` with two servers linked by an edge with `edge`'s options
/// is refused, naming `path`.
fn refused(version: u32, edge: Value, path: &str) {
    let mut v = json!({ "version": version, "nodes": [
        { "id": "web", "kind": { "server": { "workers": 1, "queue_capacity": 1,
            "service_time": { "constant": { "ms": 1 } } } } },
        { "id": "recs", "kind": { "server": { "workers": 1, "queue_capacity": 1,
            "service_time": { "constant": { "ms": 1 } } } } } ],
        "edges": [ { "from": "web", "to": "recs" } ] });
    for (k, x) in edge.as_object().unwrap() {
        v["edges"][0][k] = x.clone();
    }
    let e = Scenario::from_json(&v.to_string()).unwrap_err();
    assert_eq!(e.path, path, "{e}");
}

#[test]
fn edge_options_out_of_bounds_are_refused_naming_the_field() {
    let bad = |edge: Value, path: &str| refused(2, edge, path);
    bad(json!({ "breaker": { "failure_rate": 0 } }), "edges[0].breaker.failure_rate");
    bad(json!({ "breaker": { "failure_rate": 1.5 } }), "edges[0].breaker.failure_rate");
    bad(json!({ "breaker": { "window": 0 } }), "edges[0].breaker.window");
    bad(json!({ "breaker": { "window": 10, "min_calls": 11 } }), "edges[0].breaker.min_calls");
    bad(json!({ "breaker": { "open_ms": -1 } }), "edges[0].breaker.open_ms");
    bad(json!({ "breaker": { "trial_calls": 0 } }), "edges[0].breaker.trial_calls");
    bad(json!({ "bulkhead": 0 }), "edges[0].bulkhead");
    bad(json!({ "kinds": [] }), "edges[0].kinds");
    bad(json!({ "kinds": ["read", "read"] }), "edges[0].kinds[1]");
}

/// Users (200 rps, no retries) → a round-robin balancer without health checks → `web-1` and
/// `web-2` (8 workers, 5 ms), each edge with `edge` options; `web-2` dies at 5 s.
fn balanced(edge: Value) -> (Snapshot, Snapshot) {
    let server = |id: &str| {
        json!({ "id": id, "kind": { "server": { "workers": 8, "queue_capacity": 100,
            "service_time": { "exponential": { "mean_ms": 5 } } } } })
    };
    let backend = |to: &str| {
        let mut e = json!({ "from": "lb", "to": to, "latency_ms": 1 });
        for (k, v) in edge.as_object().into_iter().flatten() {
            e[k] = v.clone();
        }
        e
    };
    let s = scenario(json!({ "version": 4,
        "nodes": [ { "id": "users", "kind": { "client": { "rate_rps": 200 } } },
                   { "id": "lb", "kind": { "load_balancer": { "policy": "round_robin" } } },
                   server("web-1"), server("web-2") ],
        "edges": [ { "from": "users", "to": "lb", "latency_ms": 1 }, backend("web-1"), backend("web-2") ],
        "events": [ { "at_s": 5, "command": { "kill": { "id": "web-2" } } } ] }));
    let mut sim = Sim::with_seed(&s, 1).unwrap();
    sim.step_until(at(10.0), u64::MAX);
    let a = sim.snapshot();
    sim.step_until(at(40.0), u64::MAX);
    (a, sim.snapshot())
}

#[test]
fn circuit_breaker_balancer_sends_nearly_everything_to_the_healthy_backend_once_it_opens() {
    let sent = |s: &Snapshot, to: &str| s.edges.iter().find(|e| e.from == "lb" && e.to == to).unwrap().sent;
    let failed = |a: &Snapshot, b: &Snapshot| b.global.failed.total() - a.global.failed.total();
    let served = |a: &Snapshot, b: &Snapshot| b.global.completed - a.global.completed;
    // Without a breaker round robin keeps sending half the requests to the dead one.
    let (a, b) = balanced(json!({}));
    let dead = sent(&b, "web-2") - sent(&a, "web-2");
    assert!((2700..3300).contains(&dead), "{dead} of about 6000 sent to the dead backend");
    assert!(failed(&a, &b) >= dead, "{} failed", failed(&a, &b));
    // With one, web-2's breaker opens within its first 10 calls (all fail) and each 5 s it is
    // half-open for one trial call, which fails: 6 calls in 30 s.
    let (a, b) = balanced(breaker());
    assert_eq!(b.edges.iter().find(|e| e.to == "web-2").unwrap().breaker, Some(BreakerState::Open));
    let dead = sent(&b, "web-2") - sent(&a, "web-2");
    assert!(dead <= 10, "{dead} sent to the dead backend after its breaker opened");
    let share = failed(&a, &b) as f64 / (failed(&a, &b) + served(&a, &b)) as f64;
    assert!(share < 0.005, "{share} failed");
    assert!(sent(&b, "web-1") - sent(&a, "web-1") > 5800);
}

/// Clients at 320/s call `web`, which calls `back` (64 workers, exponential 10 ms) over an
/// edge with a bulkhead of 4 and `edge`'s options; links take no time. The bulkhead is the
/// only limit, so the edge is an M/M/4 station with λ = 320/s, μ = 100/s: without a wait a
/// loss system (Erlang B), with an endless wait a queue (Erlang C).
fn bulkhead_station(wait_ms: Option<f64>) -> Scenario {
    let server = |id: &str, workers: u32, service: Value| {
        json!({ "id": id, "kind": { "server": { "workers": workers, "queue_capacity": 100_000,
            "service_time": service } } })
    };
    scenario(json!({ "version": 4,
        "nodes": [ { "id": "users", "kind": { "client": { "rate_rps": 320, "timeout_ms": 600_000 } } },
                   server("web", 100_000, json!({ "constant": { "ms": 0.001 } })),
                   server("back", 64, json!({ "exponential": { "mean_ms": 10 } })) ],
        "edges": [ { "from": "users", "to": "web" },
                   { "from": "web", "to": "back", "bulkhead": 4, "bulkhead_wait_ms": wait_ms } ] }))
}

#[test]
fn bulkhead_that_waits_is_an_mmc_queue_and_one_that_does_not_an_erlang_loss_system() {
    use crate::common::{assert_close, erlang_c, mmc_sojourn};
    let (lambda, mu, c) = (320.0, 100.0, 4);
    let a: f64 = lambda / mu;
    let erlang_b = (1..=c).fold(1.0, |b, k| a * b / (f64::from(k) + a * b));
    let seeds = 1..=5;
    let failed_share = |s: &Snapshot| {
        let u = node(s, "users");
        u.errors.bulkhead_full as f64 / u.arrived as f64
    };
    // No wait: a call that finds 4 outstanding fails at once, B(4, 3.2) ≈ 22.8 % of them.
    let none: Vec<f64> =
        seeds.clone().map(|seed| failed_share(&crate::common::run(&bulkhead_station(None), seed, 60.0))).collect();
    assert_close("share refused without a wait", &none, erlang_b, 0.05, 0.02, "1-5");
    // An endless wait: nobody fails, and a call waits as in M/M/4, Wq = C(4, 3.2) / (4μ − λ).
    let endless: Vec<Snapshot> =
        seeds.clone().map(|seed| crate::common::run(&bulkhead_station(Some(600_000.0)), seed, 60.0)).collect();
    for s in &endless {
        assert_eq!(node(s, "users").errors.bulkhead_full, 0, "{:?}", node(s, "users").errors);
    }
    let means: Vec<f64> = endless.iter().map(|s| s.global.latency.mean_ms / 1e3).collect();
    assert_close("mean latency with an endless wait", &means, mmc_sojourn(lambda, mu, c), 0.05, 0.02, "1-5");
    // A 30 ms wait: some calls still give up, but fewer than the share that would wait longer
    // than 30 ms with no one giving up, C · e^(−(4μ − λ)·30 ms) ≈ 5.4 %, far under B's 22.8 %.
    let bound = erlang_c(c, a) * (-(f64::from(c) * mu - lambda) * 0.030).exp();
    for seed in seeds {
        let share = failed_share(&crate::common::run(&bulkhead_station(Some(30.0)), seed, 60.0));
        assert!(share > 0.0 && share < bound, "seed {seed}: {share} of calls gave up after 30 ms (bound {bound})");
    }
}

#[test]
fn bulkhead_wait_needs_a_bulkhead_and_a_sane_length() {
    let bad = |edge: Value, path: &str| refused(4, edge, path);
    bad(json!({ "bulkhead_wait_ms": 50 }), "edges[0].bulkhead_wait_ms");
    bad(json!({ "bulkhead": 4, "bulkhead_wait_ms": -1 }), "edges[0].bulkhead_wait_ms");
    bad(json!({ "bulkhead": 4, "bulkhead_wait_ms": 1e12 }), "edges[0].bulkhead_wait_ms");
}
