//! Link faults beyond cuts (packet loss, a bandwidth cap) and load shedding by priority,
//! checked against their theory over many requests.

use crate::common::*;
use serde_json::{json, Value};
use sim_core::{Command, Scenario, ScheduledCommand, Sim, SimTime};

/// A client at `rate` req/s → an app server with fast constant service, over a link in
/// `state`; `client` adds the client's own parameters.
fn lossy_design(rate: f64, state: Value, client: Value) -> Scenario {
    let mut c = json!({ "rate_rps": rate });
    if let (Some(c), Some(extra)) = (c.as_object_mut(), client.as_object()) {
        c.extend(extra.clone());
    }
    scenario(json!({ "version": 2, "nodes": [
        { "id": "users", "kind": { "client": c } },
        { "id": "app", "kind": { "server": { "workers": 64, "queue_capacity": 10000,
            "service_time": { "constant": { "ms": 1.0 } } } } } ],
        "edges": [ { "from": "users", "to": "app", "state": state } ] }))
}

/// Failed and finished requests of a run.
fn failed_of(s: &Scenario, seed: u64, duration_s: f64) -> (u64, u64) {
    let snap = run(s, seed, duration_s);
    let g = &snap.global;
    (g.failed.total(), g.completed + g.failed.total())
}

/// Asserts `k` failures out of `n` are a Binomial(n, p) draw: within five standard
/// deviations of n·p (a false alarm about once in 1.7 million).
fn assert_binomial(what: &str, k: u64, n: u64, p: f64) {
    let (n_f, k_f) = (n as f64, k as f64);
    let sd = (n_f * p * (1.0 - p)).sqrt();
    assert!(n > 5_000, "{what}: only {n} requests");
    assert!((k_f - n_f * p).abs() < 5.0 * sd, "{what}: {k} of {n} failed, expected {:.0} ± {:.0}", n_f * p, 5.0 * sd);
}

#[test]
fn packet_loss_fails_its_fraction_of_requests_without_retries() {
    let s = lossy_design(200.0, json!({ "lossy": { "fraction": 0.1 } }), json!({ "timeout_ms": 200.0 }));
    let (mut k, mut n) = (0, 0);
    for seed in 1..=5 {
        let (f, t) = failed_of(&s, seed, 30.0);
        k += f;
        n += t;
    }
    assert_binomial("10 % loss, no retries", k, n, 0.1);
    // Every failure is a timeout: the caller heard nothing.
    let snap = run(&s, 1, 30.0);
    assert_eq!(snap.global.failed.timeout, snap.global.failed.total());
    let edge = &snap.edges[0];
    assert!(edge.dropped > 0 && edge.dropped >= snap.global.failed.total());
}

#[test]
fn packet_loss_without_a_timeout_fails_at_once() {
    let s = lossy_design(200.0, json!({ "lossy": { "fraction": 0.1 } }), json!({}));
    let snap = run(&s, 3, 60.0);
    let g = &snap.global;
    assert_binomial("10 % loss, no timeout", g.failed.timeout, g.completed + g.failed.total(), 0.1);
    assert!(g.in_flight < 20, "lost requests must not wait forever: {} in flight", g.in_flight);
}

#[test]
fn packet_loss_with_retries_fails_fewer() {
    // Two retries: a request fails only when all three attempts are lost, p³ = 0.001.
    let retry = json!({ "timeout_ms": 50.0, "retry": { "max_retries": 2, "base_backoff_ms": 10.0 } });
    let s = lossy_design(200.0, json!({ "lossy": { "fraction": 0.1 } }), retry);
    let (mut k, mut n) = (0, 0);
    for seed in 1..=5 {
        let (f, t) = failed_of(&s, seed, 30.0);
        k += f;
        n += t;
    }
    assert_binomial("10 % loss, two retries", k, n, 0.001);
    assert!((k as f64) < 0.01 * n as f64);
}

#[test]
fn packet_loss_scheduled_on_the_timeline_starts_and_heals() {
    let mut s = lossy_design(200.0, json!("up"), json!({ "timeout_ms": 100.0 }));
    let at = |at_s: f64, command: Command| ScheduledCommand { at_s, command };
    let (from, to) = ("users".to_string(), "app".to_string());
    s.events = vec![
        at(10.0, Command::Loss { from: from.clone(), to: to.clone(), fraction: 0.1 }),
        at(40.0, Command::Heal { from, to }),
    ];
    let mut sim = Sim::with_seed(&s, 7).unwrap();
    sim.step_until(SimTime::from_secs_f64(10.0), u64::MAX);
    let before = sim.snapshot().global;
    assert_eq!(before.failed.total(), 0, "no loss before the event");
    sim.step_until(SimTime::from_secs_f64(40.0), u64::MAX);
    let during = sim.snapshot().global;
    let n = during.completed + during.failed.total() - before.completed;
    assert_binomial("loss from 10 s to 40 s", during.failed.total(), n, 0.1);
    sim.step_until(SimTime::from_secs_f64(60.0), u64::MAX);
    let after = sim.snapshot().global;
    // Only requests sent just before the heal may still time out after it.
    assert!(after.failed.total() - during.failed.total() < 10);
}

#[test]
fn packet_loss_does_not_change_the_other_numbers_of_a_run() {
    // A lossless lossy link draws its own stream only: the run is the one on an up link.
    let up = run(&lossy_design(100.0, json!("up"), json!({})), 5, 20.0);
    let zero = run(&lossy_design(100.0, json!({ "lossy": { "fraction": 0.0 } }), json!({})), 5, 20.0);
    assert_eq!(up.global, zero.global);
}

#[test]
fn link_fault_parameters_out_of_range_name_the_field() {
    let bad = |state: Value| {
        let v = json!({ "version": 2, "nodes": [
            { "id": "users", "kind": { "client": { "rate_rps": 1.0 } } },
            { "id": "app", "kind": { "server": { "workers": 1, "queue_capacity": 1,
                "service_time": { "constant": { "ms": 1.0 } } } } } ],
            "edges": [ { "from": "users", "to": "app", "state": state } ] });
        Scenario::from_json(&v.to_string()).unwrap_err()
    };
    assert_eq!(bad(json!({ "lossy": { "fraction": 1.5 } })).path, "edges[0].state.lossy.fraction");
    assert_eq!(bad(json!({ "capped": { "rps": 0.0 } })).path, "edges[0].state.capped.rps");
    let mut s = lossy_design(1.0, json!("up"), json!({}));
    s.events = vec![ScheduledCommand {
        at_s: 1.0,
        command: Command::Loss { from: "users".into(), to: "app".into(), fraction: -0.1 },
    }];
    let e = Scenario::from_json(&serde_json::to_string(&s).unwrap()).unwrap_err();
    assert!(e.path.ends_with("loss.fraction"), "{}", e.path);
}

#[test]
fn bandwidth_cap_queues_like_md1() {
    // Poisson arrivals λ = 50/s on a link carrying μ = 100 req/s, one at a time: an M/D/1
    // queue, W = 1/μ + ρ / (2μ(1-ρ)) = 10 ms + 5 ms; the app adds its 1 ms.
    let (lambda, mu) = (50.0, 100.0);
    let s = lossy_design(lambda, json!({ "capped": { "rps": mu } }), json!({}));
    let rho = lambda / mu;
    let theory = 1.0 / mu + rho / (2.0 * mu * (1.0 - rho)) + 0.001;
    let w: Vec<f64> = (1..=20).map(|seed| run(&s, seed, 200.0).global.latency.mean_ms / 1e3).collect();
    assert_close("M/D/1 sojourn through a capped link", &w, theory, 0.03, 0.01, "1..=20");
}

#[test]
fn bandwidth_cap_bounds_throughput_and_the_rest_queue() {
    // Offered 200 req/s on a link carrying 100: it delivers at most 100 per second and the
    // backlog grows by about 100 per second.
    let s = lossy_design(200.0, json!({ "capped": { "rps": 100.0 } }), json!({}));
    let mut sim = Sim::with_seed(&s, 11).unwrap();
    let mut backlog = 0;
    for t in [10.0, 20.0, 30.0] {
        sim.step_until(SimTime::from_secs_f64(t), u64::MAX);
        let snap = sim.snapshot();
        let app = snap.nodes.iter().find(|n| n.id == "app").unwrap();
        assert!(app.arrived as f64 <= 100.0 * t + 1.0, "{} delivered by {t} s", app.arrived);
        assert!(app.arrived as f64 >= 0.95 * 100.0 * t, "{} delivered by {t} s", app.arrived);
        let queued = snap.global.in_flight;
        assert!(queued > backlog + 800, "backlog {queued} at {t} s after {backlog}");
        backlog = queued;
    }
}

/// A client of 1 000 req/s (20 % critical, 40 % standard, 40 % sheddable) on one server of
/// 8 workers at 10 ms (capacity 800 req/s): overloaded by a quarter; `shedding` on or off.
fn overloaded(shedding: bool) -> Scenario {
    let mut server = json!({ "workers": 8, "queue_capacity": 200,
        "service_time": { "exponential": { "mean_ms": 10.0 } } });
    if shedding {
        server["shedding"] = json!({ "queue_threshold": 20 });
    }
    scenario(json!({ "version": 2, "nodes": [
        { "id": "users", "kind": { "client": { "rate_rps": 1000.0, "timeout_ms": 2000.0,
            "priority": { "critical": 0.2, "standard": 0.4, "sheddable": 0.4 } } } },
        { "id": "app", "kind": { "server": server } } ],
        "edges": [ { "from": "users", "to": "app" } ] }))
}

fn class(s: &sim_core::Snapshot, c: sim_core::Priority) -> &sim_core::ClassView {
    s.global.classes.iter().find(|v| v.class == c).expect("per-class figures")
}

#[test]
fn load_shedding_keeps_critical_requests_fast_and_sheds_the_lowest_class() {
    use sim_core::Priority::*;
    let on = run(&overloaded(true), 1, 60.0);
    let off = run(&overloaded(false), 1, 60.0);
    // Without shedding, the full queue refuses every class alike, and everyone waits
    // behind 200 queued requests (about 200 / 800 s = 250 ms).
    for c in [Critical, Standard, Sheddable] {
        let v = class(&off, c);
        assert!(v.error_rate > 0.1, "{c:?} without shedding: error rate {}", v.error_rate);
        assert!(v.latency.p99_ms > 200.0, "{c:?} without shedding: p99 {} ms", v.latency.p99_ms);
        assert_eq!(v.failed.shed, 0);
    }
    // With it, the queue stays near 20 (about 25 ms of waiting): the 600 req/s of critical
    // and standard fit in the 800 of capacity; the sheddable class takes the 200 turned
    // away, counted as `shed`.
    let crit = class(&on, Critical);
    assert!(crit.error_rate < 0.001, "critical error rate {}", crit.error_rate);
    assert!(crit.latency.p99_ms < 100.0, "critical p99 {} ms", crit.latency.p99_ms);
    let shed = class(&on, Sheddable);
    // Standard requests are shed only in the queue's rare peaks (from 40 queued).
    let std_rate = class(&on, Standard).error_rate;
    assert!(std_rate < 0.05 && std_rate < shed.error_rate / 5.0, "standard error rate {std_rate}");
    // 1 000 − 800 = 200 req/s of the 400 sheddable must go: about half of them.
    assert!((0.4..0.6).contains(&shed.error_rate), "sheddable error rate {}", shed.error_rate);
    assert_eq!(shed.failed.shed, shed.failed.total(), "the sheddable class fails as shed");
    let all_shed: u64 = on.global.classes.iter().map(|v| v.failed.shed).sum();
    assert_eq!(on.global.failed.shed, all_shed);
    assert_eq!(class(&on, Critical).failed.shed, 0, "critical requests are never shed");
    let app = on.nodes.iter().find(|n| n.id == "app").unwrap();
    assert_eq!(app.errors.shed, all_shed);
}

#[test]
fn load_shedding_priority_shares_follow_the_mix() {
    use sim_core::Priority::*;
    let s = run(&overloaded(true), 2, 30.0);
    let n = s.global.arrived as f64;
    for (c, p) in [(Critical, 0.2), (Standard, 0.4), (Sheddable, 0.4)] {
        let v = class(&s, c);
        let k = (v.completed + v.failed.total()) as f64;
        let sd = (n * p * (1.0 - p)).sqrt();
        assert!((k - n * p).abs() < 5.0 * sd + 20.0, "{c:?}: {k} of {n}");
    }
}

#[test]
fn load_shedding_figures_are_absent_without_a_priority_mix() {
    let s = run(&lossy_design(100.0, json!("up"), json!({})), 1, 5.0);
    assert!(s.global.classes.is_empty());
    let json = serde_json::to_string(&s).unwrap();
    assert!(!json.contains("\"shed\"") && !json.contains("\"classes\""));
}

#[test]
fn load_shedding_parameters_out_of_range_name_the_field() {
    let mut v = serde_json::to_value(overloaded(true)).unwrap();
    v["nodes"][1]["kind"]["server"]["shedding"]["queue_threshold"] = json!(0);
    let e = Scenario::from_json(&v.to_string()).unwrap_err();
    assert_eq!(e.path, "nodes[1].kind.server.shedding.queue_threshold");
    let mut v = serde_json::to_value(overloaded(true)).unwrap();
    v["nodes"][0]["kind"]["client"]["priority"] = json!({ "critical": -1.0 });
    let e = Scenario::from_json(&v.to_string()).unwrap_err();
    assert_eq!(e.path, "nodes[0].kind.client.priority.critical");
    v["nodes"][0]["kind"]["client"]["priority"] = json!({});
    let e = Scenario::from_json(&v.to_string()).unwrap_err();
    assert_eq!(e.path, "nodes[0].kind.client.priority");
}

/// [`overloaded`] behind a round-robin balancer over two servers of 4 workers (the same
/// 800 req/s), the balancer shedding from 20 requests in flight when `shedding`.
fn overloaded_balancer(shedding: bool) -> Scenario {
    let server = |id: &str| {
        json!({ "id": id, "kind": { "server": { "workers": 4, "queue_capacity": 100,
            "service_time": { "exponential": { "mean_ms": 10.0 } } } } })
    };
    let mut lb = json!({ "policy": "round_robin" });
    if shedding {
        lb["shedding"] = json!({ "queue_threshold": 20 });
    }
    scenario(json!({ "version": 4, "nodes": [
        { "id": "users", "kind": { "client": { "rate_rps": 1000.0, "timeout_ms": 2000.0,
            "priority": { "critical": 0.2, "standard": 0.4, "sheddable": 0.4 } } } },
        { "id": "lb", "kind": { "load_balancer": lb } }, server("app-1"), server("app-2") ],
        "edges": [ { "from": "users", "to": "lb" }, { "from": "lb", "to": "app-1" }, { "from": "lb", "to": "app-2" } ] }))
}

#[test]
fn load_shedding_balancer_sheds_the_lowest_class_first_by_its_requests_in_flight() {
    use sim_core::Priority::*;
    let off = run(&overloaded_balancer(false), 1, 60.0);
    assert_eq!(off.global.failed.shed, 0);
    assert!(class(&off, Critical).error_rate > 0.1, "critical without shedding: {}", class(&off, Critical).error_rate);
    let on = run(&overloaded_balancer(true), 1, 60.0);
    // 1 000 offered to 800: the 200 turned away come out of the sheddable 400, at the
    // balancer, before a server's queue fills.
    let shed = class(&on, Sheddable);
    assert!((0.4..0.6).contains(&shed.error_rate), "sheddable error rate {}", shed.error_rate);
    assert_eq!(shed.failed.shed, shed.failed.total(), "the sheddable class fails as shed");
    let std_rate = class(&on, Standard).error_rate;
    assert!(std_rate < 0.05 && std_rate < shed.error_rate / 5.0, "standard error rate {std_rate}");
    let critical = class(&on, Critical);
    assert!(critical.error_rate < 0.001, "critical error rate {}", critical.error_rate);
    assert_eq!(critical.failed.shed, 0, "critical requests are never shed");
    assert_eq!(node(&on, "lb").errors.shed, on.global.failed.shed);
    assert!(on.global.failed.shed > 5000);
    // The threshold is checked like a server's.
    let mut v = serde_json::to_value(overloaded_balancer(true)).unwrap();
    v["nodes"][1]["kind"]["load_balancer"]["shedding"]["queue_threshold"] = json!(0);
    let e = Scenario::from_json(&v.to_string()).unwrap_err();
    assert_eq!(e.path, "nodes[1].kind.load_balancer.shedding.queue_threshold", "{e}");
}
