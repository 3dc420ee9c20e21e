//! Traces of sampled requests (`trace_*`), where their time went (`explain_*`) and pause
//! conditions (`pause_*`).

use crate::common::*;
use serde_json::json;
use sim_core::explain::{Trace, CATEGORIES};
use sim_core::{Cause, Scenario, Sim, SimTime};

/// Steps `scenario` window by window for `duration_s`, handing each window's traces over.
fn each_window(s: &Scenario, seed: u64, duration_s: f64, mut f: impl FnMut(&Sim)) {
    let mut sim = Sim::with_seed(s, seed).expect("valid");
    let w = s.metrics.window_s;
    let mut t = w;
    while t <= duration_s + 1e-9 {
        sim.step_until(SimTime::from_secs_f64(t), u64::MAX);
        f(&sim);
        t += w;
    }
}

/// Checks a trace's arithmetic: every hop's time is its queue, service and calls; every
/// answered hop is what its caller waited on less the network both ways; a hop's calls are
/// its callees' waits; attempts and backoffs make the latency.
fn check_adds_up(t: &Trace) {
    let mut total = 0u64;
    for (i, s) in t.spans.iter().enumerate() {
        assert_eq!(s.duration_ns(), s.queue_ns + s.service_ns + s.calls_ns, "hop {i} at {}: {t:#?}", s.node);
        if s.depth == 0 {
            total += s.backoff_ns + s.duration_ns();
        } else if s.answered {
            assert_eq!(s.call_ns, s.network_ns + s.duration_ns() + s.back_ns, "hop {i} at {}: {t:#?}", s.node);
        }
        let callees: u64 = t.spans[i + 1..]
            .iter()
            .take_while(|c| c.depth > s.depth)
            .filter(|c| c.depth == s.depth + 1)
            .map(|c| c.call_ns)
            .sum();
        assert_eq!(s.calls_ns, callees, "hop {i} at {}: its calls are its callees' waits: {t:#?}", s.node);
    }
    assert_eq!(total, t.latency_ns, "attempts and backoffs add up to the latency: {t:#?}");
}

fn chain() -> Scenario {
    scenario(json!({ "version": 4,
        "metrics": { "trace_every": 1 },
        "nodes": [
            { "id": "users", "kind": { "client": { "rate_rps": 300, "timeout_ms": 400,
                "retry": { "max_retries": 2, "base_backoff_ms": 20, "multiplier": 2, "jitter": "full" } } } },
            { "id": "lb", "kind": { "load_balancer": { "policy": "round_robin" } } },
            { "id": "web-1", "kind": { "server": { "workers": 4, "queue_capacity": 20, "call_timeout_ms": 150,
                "service_time": { "exponential": { "mean_ms": 8 } } } } },
            { "id": "web-2", "kind": { "server": { "workers": 2, "queue_capacity": 5, "call_timeout_ms": 150,
                "service_time": { "exponential": { "mean_ms": 12 } } } } },
            { "id": "db", "kind": { "database": { "max_connections": 6, "queue_capacity": 30,
                "read_service_time": { "exponential": { "mean_ms": 10 } },
                "write_service_time": { "exponential": { "mean_ms": 20 } } } } } ],
        "edges": [
            { "from": "users", "to": "lb", "latency_ms": 5, "jitter_ms": 3 },
            { "from": "lb", "to": "web-1", "latency_ms": 1 },
            { "from": "lb", "to": "web-2", "latency_ms": 1 },
            { "from": "web-1", "to": "db", "latency_ms": 2, "jitter_ms": 2 },
            { "from": "web-2", "to": "db", "latency_ms": 2, "jitter_ms": 2 } ] }))
}

#[test]
fn trace_spans_add_up_to_each_requests_latency() {
    let (mut slow, mut failed, mut retried) = (0, 0, 0);
    each_window(&chain(), 3, 30.0, |sim| {
        let w = sim.window_traces();
        for t in w.slowest.iter().chain(&w.failed) {
            check_adds_up(t);
            if t.spans.iter().any(|s| s.attempt > 0) {
                retried += 1;
            }
        }
        slow += usize::from(w.slowest.is_some());
        failed += w.failed.len();
    });
    assert!(slow >= 29 && failed > 0 && retried > 0, "{slow} slowest, {failed} failed, {retried} retried traces");
}

#[test]
fn trace_hop_by_hop_follows_the_path() {
    let mut seen = 0;
    each_window(&chain(), 5, 10.0, |sim| {
        let Some(t) = &sim.window_traces().slowest else { return };
        assert_eq!(t.cause, None);
        let first: Vec<&str> = t.spans.iter().filter(|s| s.attempt == 0).map(|s| s.node.as_str()).collect();
        assert_eq!(first[..2], ["users", "lb"], "{t:#?}");
        assert!(first[2].starts_with("web-"), "{t:#?}");
        let users_to_lb = &t.spans[1];
        assert!(users_to_lb.network_ns >= 5_000_000 && users_to_lb.network_ns <= 8_000_000, "{t:#?}");
        seen += 1;
    });
    assert_eq!(seen, 10);
}

#[test]
fn trace_of_a_dots_request_matches_its_hops_and_adds_up_when_finished() {
    let mut sim = Sim::with_seed(&chain(), 7).expect("valid");
    let (mut finished, mut in_flight) = (0, 0);
    for step in 1..=200 {
        let now = step as f64 * 0.025;
        sim.step_until(SimTime::from_secs_f64(now), u64::MAX);
        let snap = sim.snapshot();
        let mut ids: Vec<u64> = snap.hops.iter().map(|h| h.request).collect();
        ids.sort_unstable();
        ids.dedup();
        assert!(!ids.contains(&0), "every sampled hop carries its request's id");
        for id in ids {
            let hops: Vec<_> = snap.hops.iter().filter(|h| h.request == id).collect();
            let t = sim.trace_of(id).expect("a request on the canvas has a trace");
            assert_eq!(t.spans[0].node, "users", "{t:#?}");
            // Only requests whose first hop is still among the drawn ones show all their hops.
            if (hops[0].depart_s - t.started_s).abs() > 1e-9 {
                continue;
            }
            assert_eq!(hops[0].from, "users");
            let mut sent: Vec<&str> = hops.iter().filter(|h| !h.response).map(|h| h.to.as_str()).collect();
            let mut reached: Vec<&str> = t.spans.iter().filter(|s| s.depth > 0).map(|s| s.node.as_str()).collect();
            sent.sort_unstable();
            reached.sort_unstable();
            assert_eq!(sent, reached, "each request hop on the canvas is a hop of the trace: {hops:#?} {t:#?}");
            if t.in_flight {
                assert_eq!(t.cause, None);
                let so_far = SimTime::from_secs_f64(now).as_secs_f64() - t.started_s;
                assert!((t.latency_ns as f64 / 1e9 - so_far).abs() < 1e-6, "{so_far} s so far: {t:#?}");
                in_flight += 1;
            } else {
                check_adds_up(&t);
                finished += 1;
            }
        }
    }
    assert!(sim.trace_of(0).is_none() && sim.trace_of(u64::MAX).is_none());
    assert!(finished > 100 && in_flight > 20, "{finished} finished, {in_flight} in flight");
}

#[test]
fn trace_failed_request_ends_at_the_node_and_cause_that_failed_it() {
    // A full queue at web: one worker, one place in the queue, 50 ms each, 100 requests/s.
    let s = scenario(json!({ "version": 4, "metrics": { "trace_every": 1 },
        "nodes": [ { "id": "users", "kind": { "client": { "rate_rps": 100 } } },
            { "id": "web", "kind": { "server": { "workers": 1, "queue_capacity": 1,
                "service_time": { "constant": { "ms": 50 } } } } } ],
        "edges": [ { "from": "users", "to": "web", "latency_ms": 1 } ] }));
    // The database is down: web's calls are refused.
    let down = scenario(json!({ "version": 4, "metrics": { "trace_every": 1 },
        "nodes": [ { "id": "users", "kind": { "client": { "rate_rps": 50 } } },
            { "id": "web", "kind": { "server": { "workers": 8, "queue_capacity": 100,
                "service_time": { "constant": { "ms": 2 } } } } },
            { "id": "db", "kind": { "server": { "workers": 8, "queue_capacity": 100,
                "service_time": { "constant": { "ms": 2 } } } } } ],
        "edges": [ { "from": "users", "to": "web" }, { "from": "web", "to": "db", "latency_ms": 1 } ],
        "events": [ { "at_s": 0.5, "command": { "kill": { "id": "db" } } } ] }));
    // The client gives up on a slow database.
    let slow = scenario(json!({ "version": 4, "metrics": { "trace_every": 1 },
        "nodes": [ { "id": "users", "kind": { "client": { "rate_rps": 20, "timeout_ms": 30 } } },
            { "id": "web", "kind": { "server": { "workers": 8, "queue_capacity": 100,
                "service_time": { "constant": { "ms": 2 } } } } },
            { "id": "db", "kind": { "server": { "workers": 8, "queue_capacity": 100,
                "service_time": { "constant": { "ms": 100 } } } } } ],
        "edges": [ { "from": "users", "to": "web" }, { "from": "web", "to": "db" } ] }));
    for (s, node, cause) in
        [(&s, "web", Cause::QueueFull), (&down, "db", Cause::NodeDown), (&slow, "users", Cause::Timeout)]
    {
        let mut failed = 0;
        each_window(s, 1, 5.0, |sim| {
            for t in &sim.window_traces().failed {
                check_adds_up(t);
                assert_eq!((t.failed_at.as_deref(), t.cause), (Some(node), Some(cause)), "{t:#?}");
                let last = t.spans.iter().rfind(|s| s.node == node).expect("a hop at the failing node");
                assert_eq!(last.cause, Some(cause), "{t:#?}");
                failed += 1;
            }
        });
        assert!(failed >= 10, "{node}: {failed} failed traces");
        // The node that failed them says so in a learner's words.
        let run = Sim::with_seed(s, 1).map(|mut sim| {
            sim.step_until(SimTime::from_secs_f64(5.0), u64::MAX);
            sim.explain_run()
        });
        let failures = run.expect("valid").failures;
        let at = failures.iter().find(|f| f.node == node).unwrap_or_else(|| panic!("{failures:?}"));
        assert_eq!(at.causes[0].0, cause, "{failures:?}");
        assert!(failures.iter().all(|f| f.node == node), "only {node} produces failures: {failures:?}");
    }
}

fn tandem(web: (u32, f64), db: (u32, f64), lambda: f64) -> Scenario {
    let station = |id: &str, (c, ms): (u32, f64), mode: &str| {
        json!({ "id": id, "kind": { "server": { "workers": c, "queue_capacity": 100000,
            "service_time": { "exponential": { "mean_ms": ms } }, "downstream": mode } } })
    };
    scenario(json!({ "version": 4, "metrics": { "trace_every": 1 },
        "nodes": [ { "id": "users", "kind": { "client": { "rate_rps": lambda } } },
            station("web", web, "forward"), station("db", db, "call") ],
        "edges": [ { "from": "users", "to": "web" }, { "from": "web", "to": "db" } ] }))
}

fn run_sim(s: &Scenario, seed: u64, secs: f64) -> Sim {
    let mut sim = Sim::with_seed(s, seed).expect("valid");
    sim.step_until(SimTime::from_secs_f64(secs), u64::MAX);
    sim
}

#[test]
fn explain_tail_breakdown_sums_to_100_percent() {
    let mut windows = 0;
    each_window(&chain(), 2, 20.0, |sim| {
        let e = sim.explain_window();
        for b in [&e.tail, &e.median, &e.mean] {
            let cells: u64 = b.nodes.iter().map(|n| n.total_ns()).sum();
            assert_eq!(cells, b.total_ns, "{b:?}");
            let shares: f64 = b.nodes.iter().map(|n| b.node_share(&n.node)).sum();
            assert!((shares - 1.0).abs() < 1e-9, "shares add up to {shares}: {b:?}");
        }
        assert!(e.tail.requests >= 1 && e.tail.requests * 100 >= e.mean.requests, "{e:?}");
        windows += 1;
    });
    assert_eq!(windows, 20);
    let run = run_sim(&chain(), 2, 20.0).explain_run();
    let shares: f64 = run.tail.nodes.iter().map(|n| run.tail.node_share(&n.node)).sum();
    assert!((shares - 1.0).abs() < 1e-9, "{run:?}");
}

#[test]
fn explain_names_the_bottleneck_station() {
    // web: M/M/2 at ρ = 0.9; db: M/M/4 at ρ = 0.3. The tail waits in web's queue.
    for (s, culprit) in
        [(tandem((2, 4.5), (4, 3.0), 400.0), "web's queue"), (tandem((4, 3.0), (2, 4.5), 400.0), "db's queue")]
    {
        let e = run_sim(&s, 11, 60.0).explain_run();
        let sentence = e.culprit().expect("a culprit");
        assert!(sentence.ends_with(&format!("is waiting in {culprit}")), "{sentence}");
    }
}

#[test]
fn explain_station_shares_of_the_mean_sojourn_match_queueing_theory() {
    // λ = 800/s → web M/M/4 (μ = 250/s, forward) → db M/M/2 (μ = 500/s): each station's
    // queue wait and service as shares of the mean sojourn (Jackson: 6.98 + 5.56 ms).
    let lambda = 800.0;
    let (w1, w2) = (mmc_sojourn(lambda, 250.0, 4), mmc_sojourn(lambda, 500.0, 2));
    let total = w1 + w2;
    let expected = [
        ("web", 0, (w1 - 0.004) / total),
        ("web", 1, 0.004 / total),
        ("db", 0, (w2 - 0.002) / total),
        ("db", 1, 0.002 / total),
    ];
    let s = tandem((4, 4.0), (2, 2.0), lambda);
    let runs: Vec<_> = (1..=16).map(|seed| run_sim(&s, seed, 60.0).explain_run().mean).collect();
    for (node, c, theory) in expected {
        let xs: Vec<f64> = runs.iter().map(|b| b.share(node, c)).collect();
        let (m, se) = mean_se(&xs);
        // 3 points of tolerance, at least five standard errors wide.
        assert!(se < 0.006, "{node} {}: standard error {se:.4} too large for the tolerance", CATEGORIES[c]);
        assert!(
            (m - theory).abs() < 0.03,
            "{node} {}: share {:.2} % vs theory {:.2} % (se {:.2})",
            CATEGORIES[c],
            m * 100.0,
            theory * 100.0,
            se * 100.0
        );
    }
    // Nothing else takes time in this network.
    for b in &runs {
        let other: f64 = b.nodes.iter().filter(|n| n.node == "users").map(|n| b.node_share(&n.node)).sum();
        assert!(other < 1e-9, "{b:?}");
    }
}

fn with_conditions(conditions: serde_json::Value) -> Scenario {
    let mut v: serde_json::Value = serde_json::from_str(&chain_json()).unwrap();
    v["pause_on"] = conditions;
    v["metrics"]["slo_p95_ms"] = json!(150);
    v["events"] = json!([ { "at_s": 12, "command": { "kill": { "id": "web-2" } } } ]);
    scenario(v)
}

fn chain_json() -> String {
    serde_json::to_string(&chain()).unwrap()
}

#[test]
fn pause_stops_at_the_first_window_where_a_condition_holds() {
    // The unpaused run's series says where each condition first holds.
    let plain = with_conditions(json!([]));
    let mut sim = Sim::with_seed(&plain, 4).unwrap();
    sim.step_until(SimTime::from_secs_f64(30.0), u64::MAX);
    let (series, plain_global) = (sim.snapshot().series, sim.snapshot().global);
    let first_p99 = series.iter().find(|p| p.p99_ms > 120.0).expect("some window above 120 ms").t_s;
    for (cond, at, reason) in [
        (json!({ "p99_ms_above": 120 }), first_p99, "p99 "),
        (json!({ "node_down": "web-2" }), 12.0, "web-2 is down"),
        (json!("slo_alert"), series.iter().find(|p| p.p95_ms > 150.0).unwrap().t_s, "SLO alert: p95"),
    ] {
        let s = with_conditions(json!([cond]));
        let mut sim = Sim::with_seed(&s, 4).unwrap();
        let r = sim.step_until(SimTime::from_secs_f64(30.0), u64::MAX);
        let pause = sim.pause().cloned().unwrap_or_else(|| panic!("{cond} never paused"));
        assert!(!r.reached && (r.now.as_secs_f64() - at).abs() < 1e-9, "{cond}: stopped at {:?}, expected {at}", r.now);
        assert_eq!(pause.t_s, at, "{cond}");
        assert!(pause.message().starts_with(&format!("paused at {at:.1} s: {reason}")), "{}", pause.message());
        // Going on, the run is the unpaused one.
        sim.take_pause();
        while !sim.step_until(SimTime::from_secs_f64(30.0), u64::MAX).reached {}
        let snap = sim.snapshot();
        assert_eq!((snap.series, snap.global), (series.clone(), plain_global.clone()), "{cond}");
    }
    // The condition pauses again only after a window where it did not hold.
    let s = with_conditions(json!([{ "node_down": "web-2" }]));
    let mut sim = Sim::with_seed(&s, 4).unwrap();
    let mut pauses = 0;
    while !sim.step_until(SimTime::from_secs_f64(30.0), u64::MAX).reached {
        pauses += usize::from(sim.take_pause().is_some());
    }
    assert_eq!(pauses, 1);
}

#[test]
fn pause_conditions_travel_in_links_and_are_checked_naming_the_field() {
    let s = with_conditions(
        json!([{ "error_pct_above": 5 }, { "backlog_above": 10 }, { "replication_lag_ms_above": 100 }]),
    );
    assert_eq!(sim_core::decode_link(&sim_core::encode_link(&s)).unwrap(), s);
    for (conds, field) in [
        (json!([{ "p99_ms_above": 100 }, { "node_down": "nobody" }]), "pause_on[1].node_down"),
        (json!([{ "p99_ms_above": -1 }]), "pause_on[0].p99_ms_above"),
        (json!([{ "error_pct_above": 150 }]), "pause_on[0].error_pct_above"),
        (json!([{ "backlog_above": 1e9 as u64 }]), "pause_on[0].backlog_above"),
    ] {
        let mut v: serde_json::Value = serde_json::from_str(&chain_json()).unwrap();
        v["pause_on"] = conds;
        let e = Scenario::from_json(&v.to_string()).unwrap_err();
        assert_eq!(e.path, field, "{e}");
    }
    let mut v: serde_json::Value = serde_json::from_str(&chain_json()).unwrap();
    v["pause_on"] = json!([{ "p99_above": 3 }]);
    let e = Scenario::from_json(&v.to_string()).unwrap_err();
    assert!(e.path.starts_with("pause_on[0]"), "{e}");
}
