//! Behaviour tests: each asserts what a learner should see on the canvas.

use crate::common::*;
use serde_json::json;
use sim_core::{Command, Health, Sim, SimTime};

fn server(id: &str, workers: u32, mean_ms: f64, queue: u32) -> serde_json::Value {
    json!({ "id": id, "kind": { "server": { "workers": workers, "queue_capacity": queue,
        "service_time": { "exponential": { "mean_ms": mean_ms } } } } })
}

fn at(s: f64) -> SimTime {
    SimTime::from_secs_f64(s)
}

fn lb_scenario(policy: &str, health_check: bool) -> sim_core::Scenario {
    let hc = if health_check {
        json!({ "interval_ms": 1000, "unhealthy_threshold": 2, "healthy_threshold": 2 })
    } else {
        serde_json::Value::Null
    };
    scenario(json!({ "version": 1, "nodes": [
        { "id": "users", "kind": { "client": { "rate_rps": 200 } } },
        { "id": "lb", "kind": { "load_balancer": { "policy": policy, "health_check": hc } } },
        server("web-1", 8, 10.0, 100), server("web-2", 8, 10.0, 100) ],
        "edges": [ { "from": "users", "to": "lb", "latency_ms": 1 },
                   { "from": "lb", "to": "web-1", "latency_ms": 0.5 },
                   { "from": "lb", "to": "web-2", "latency_ms": 0.5 } ] }))
}

#[test]
fn killed_server_gets_errors_until_health_checks_detect_it_and_none_after() {
    let s = lb_scenario("round_robin", true);
    let mut sim = Sim::with_seed(&s, 7).unwrap();
    sim.step_until(at(10.05), u64::MAX);
    sim.apply(Command::Kill { id: "web-2".into() }).unwrap();
    let before = sim.snapshot().global.failed.node_down;
    assert_eq!(before, 0, "no errors before the kill");
    // Probes run every second (at 11 s, 12 s): two failures mark web-2 unhealthy at 12 s.
    sim.step_until(at(12.5), u64::MAX);
    let detected = sim.snapshot();
    let during = detected.global.failed.node_down;
    // Half of ~200 rps for ~1.95 s goes to the dead server: about 195 errors.
    assert!((120..=270).contains(&during), "errors during the detection window: {during}");
    assert!(detected.log.iter().any(|l| l.text == "web-2 marked unhealthy at 12.0 s by lb"), "log: {:?}", detected.log);
    sim.step_until(at(60.0), u64::MAX);
    let after = sim.snapshot();
    assert_eq!(after.global.failed.node_down, during, "no errors once the balancer stopped using web-2");
    assert_eq!(node(&after, "web-2").health, Health::Down);
    assert!(node(&after, "web-2").marked_unhealthy);

    // Without health checks the balancer keeps sending half the traffic to the dead server.
    let mut blind = Sim::with_seed(&lb_scenario("round_robin", false), 7).unwrap();
    blind.step_until(at(10.05), u64::MAX);
    blind.apply(Command::Kill { id: "web-2".into() }).unwrap();
    blind.step_until(at(60.0), u64::MAX);
    let failed = blind.snapshot().global.failed.node_down as f64;
    assert!((failed - 0.5 * 200.0 * 49.95).abs() < 0.1 * 5000.0, "blind balancer errors: {failed}");

    // Revived, it is marked healthy after two good probes and serves again.
    sim.apply(Command::Revive { id: "web-2".into() }).unwrap();
    sim.step_until(at(63.5), u64::MAX);
    let done_before = node(&sim.snapshot(), "web-2").completed;
    sim.step_until(at(70.0), u64::MAX);
    let snap = sim.snapshot();
    assert!(snap.log.iter().any(|l| l.text == "web-2 marked healthy at 62.0 s by lb"), "log: {:?}", snap.log);
    assert!(node(&snap, "web-2").completed > done_before + 500);
}

fn heterogeneous(policy: &str) -> sim_core::Scenario {
    // fast: 4 workers × 5 ms (800 rps); slow: 4 workers × 20 ms (200 rps); offered 500 rps.
    scenario(json!({ "version": 1, "nodes": [
        { "id": "users", "kind": { "client": { "rate_rps": 500 } } },
        { "id": "lb", "kind": { "load_balancer": { "policy": policy } } },
        server("fast", 4, 5.0, 100000), server("slow", 4, 20.0, 100000) ],
        "edges": [ { "from": "users", "to": "lb" }, { "from": "lb", "to": "fast" }, { "from": "lb", "to": "slow" } ] }))
}

#[test]
fn least_connections_beats_round_robin_on_p99_with_heterogeneous_servers() {
    for seed in 1..=3 {
        let rr = run(&heterogeneous("round_robin"), seed, 60.0);
        let lc = run(&heterogeneous("least_connections"), seed, 60.0);
        // Round-robin sends 250 rps to a server that can do 200: its queue grows without
        // bound, so p99 is seconds. Least connections keeps both queues short.
        let (p_rr, p_lc) = (rr.global.latency.p99_ms, lc.global.latency.p99_ms);
        assert!(p_rr > 1000.0, "round-robin p99 {p_rr} ms (seed {seed})");
        assert!(p_lc < 100.0, "least-connections p99 {p_lc} ms (seed {seed})");
        let p2c = run(&heterogeneous("power_of_two"), seed, 60.0).global.latency.p99_ms;
        let lrt = run(&heterogeneous("least_response_time"), seed, 60.0).global.latency.p99_ms;
        assert!(p2c < p_rr / 10.0 && lrt < p_rr / 10.0, "p2c {p2c} lrt {lrt} rr {p_rr} (seed {seed})");
    }
}

#[test]
fn spike_beyond_capacity_grows_the_queue_then_rejects() {
    // Capacity 100 rps (1 worker × 10 ms), queue 200; 50 rps, ×4 for 10 s at 10 s.
    let s = scenario(json!({ "version": 1, "nodes": [
        { "id": "users", "kind": { "client": { "rate_rps": 50 } } },
        { "id": "web", "kind": { "server": { "workers": 1, "queue_capacity": 200,
            "service_time": { "constant": { "ms": 10 } } } } } ],
        "edges": [ { "from": "users", "to": "web" } ],
        "events": [ { "at_s": 10, "command": { "spike": { "client": "users", "multiplier": 4, "duration_s": 10 } } } ] }));
    let mut sim = Sim::with_seed(&s, 3).unwrap();
    let mut trace = Vec::new();
    for i in 1..=400 {
        let t = f64::from(i) * 0.1;
        sim.step_until(at(t), u64::MAX);
        let snap = sim.snapshot();
        let web = node(&snap, "web");
        trace.push((t, web.queue_len, web.errors.queue_full));
    }
    let before: Vec<_> = trace.iter().filter(|(t, ..)| *t < 10.0).collect();
    assert!(before.iter().all(|(_, q, r)| *q < 30 && *r == 0), "calm before the spike");
    // Offered 200 rps vs 100 served: the queue grows ~100 per second and fills in ~2 s.
    let first_reject = trace.iter().find(|(_, _, r)| *r > 0).expect("rejections during the spike");
    assert!(first_reject.0 > 11.0 && first_reject.0 < 14.0, "first rejection at {} s", first_reject.0);
    let q_at_2s = trace.iter().find(|(t, ..)| (*t - 11.0).abs() < 1e-9).unwrap().1;
    assert!((50..=170).contains(&q_at_2s), "queue one second into the spike: {q_at_2s}");
    let last_before_reject = trace.iter().rev().find(|(t, ..)| *t < first_reject.0).unwrap();
    assert!(last_before_reject.1 >= 180, "queue nearly full before rejecting: {last_before_reject:?}");
    // ~100 rps rejected for ~8 s.
    let rejected = trace.iter().find(|(t, ..)| (*t - 20.0).abs() < 1e-9).unwrap().2;
    assert!((550..=1050).contains(&rejected), "rejected during the spike: {rejected}");
    // After the spike the queue drains (at ~50 rps net) and rejections stop.
    let end = trace.last().unwrap();
    assert!(end.1 < 30, "queue drained: {end:?}");
    let at_30 = trace.iter().find(|(t, ..)| (*t - 30.0).abs() < 1e-9).unwrap().2;
    assert_eq!(end.2, at_30, "no rejections after the spike");
}

fn storm(retries: bool) -> sim_core::Scenario {
    let retry = if retries {
        json!({ "max_retries": 3, "base_backoff_ms": 1000, "multiplier": 2, "jitter": "none" })
    } else {
        serde_json::Value::Null
    };
    // Server capacity 200 rps (10 workers × 50 ms), load 150 rps; down from 10 s to 20 s.
    scenario(json!({ "version": 1, "nodes": [
        { "id": "users", "kind": { "client": { "rate_rps": 150, "timeout_ms": 1000, "retry": retry } } },
        { "id": "web", "kind": { "server": { "workers": 10, "queue_capacity": 100,
            "service_time": { "exponential": { "mean_ms": 50 } } } } } ],
        "edges": [ { "from": "users", "to": "web", "latency_ms": 1 } ],
        "events": [ { "at_s": 10, "command": { "kill": { "id": "web" } } },
                    { "at_s": 20, "command": { "revive": { "id": "web" } } } ] }))
}

/// (arrivals at web per 100 ms over 20–30 s, failed requests during 20–40 s)
fn storm_run(s: &sim_core::Scenario, seed: u64) -> (Vec<u64>, u64) {
    let mut sim = Sim::with_seed(s, seed).unwrap();
    sim.step_until(at(20.0), u64::MAX);
    let mut arrivals = Vec::new();
    let mut last = node(&sim.snapshot(), "web").arrived;
    let failed_at_20 = sim.snapshot().global.failed.total();
    for i in 1..=100 {
        sim.step_until(at(20.0 + f64::from(i) * 0.1), u64::MAX);
        let a = node(&sim.snapshot(), "web").arrived;
        arrivals.push(a - last);
        last = a;
    }
    sim.step_until(at(40.0), u64::MAX);
    (arrivals, sim.snapshot().global.failed.total() - failed_at_20)
}

#[test]
fn retries_without_jitter_amplify_load_after_an_outage() {
    for seed in 1..=3 {
        let (plain, failed_plain) = storm_run(&storm(false), seed);
        let (synced, failed_synced) = storm_run(&storm(true), seed);
        let total = |v: &[u64]| v.iter().sum::<u64>() as f64;
        // Without retries the revived server sees the base load, 150 rps × 10 s.
        assert!((total(&plain) - 1500.0).abs() < 200.0, "no retries: {} arrivals (seed {seed})", total(&plain));
        // With retries, requests that failed during the outage come back on top of it:
        // the server gets well over its 200 rps capacity and keeps failing after revival.
        assert!(total(&synced) > 2.0 * total(&plain), "retries: {} arrivals (seed {seed})", total(&synced));
        assert!(failed_plain < 20 && failed_synced > 200, "failures after revival {failed_synced} vs {failed_plain}");
    }
}

#[test]
fn autoscaler_adds_servers_after_the_window_and_boot_delay() {
    for seed in 1..=6 {
        autoscaler_run(seed);
    }
}

fn autoscaler_run(seed: u64) {
    // Printed with the test's output if it fails.
    eprintln!("autoscaler run with seed {seed}");
    let s = scenario(json!({ "version": 1, "nodes": [
        { "id": "users", "kind": { "client": { "rate_rps": 100 } } },
        { "id": "asg", "kind": { "autoscaling_group": {
            "server": { "workers": 1, "queue_capacity": 50, "service_time": { "exponential": { "mean_ms": 10 } } },
            "min_instances": 2, "max_instances": 6, "initial_instances": 2, "policy": "least_connections",
            "scale_out_utilisation": 0.8, "scale_in_utilisation": 0.2,
            "window_s": 10, "cooldown_s": 30, "boot_s": 20, "step": 2 } } } ],
        "edges": [ { "from": "users", "to": "asg" } ],
        "events": [ { "at_s": 20, "command": { "set_rate": { "client": "users", "rate_rps": 250 } } } ] }));
    let up = |sim: &Sim| {
        let snap = sim.snapshot();
        let inst: Vec<_> = snap.nodes.iter().filter(|n| n.id.starts_with("asg-")).map(|n| n.health).collect();
        (inst.iter().filter(|h| **h == Health::Up).count(), inst.len())
    };
    let mut sim = Sim::with_seed(&s, seed).unwrap();
    sim.step_until(at(29.5), u64::MAX);
    assert_eq!(up(&sim), (2, 2), "50% utilisation is below the threshold, and 250 rps has not held for 10 s yet");
    // Utilisation ~100% from 20 s: first tick above at 21 s, held 10 s at 31 s.
    sim.step_until(at(31.5), u64::MAX);
    let snap = sim.snapshot();
    let line = snap.log.iter().find(|l| l.text.starts_with("asg scaling out to 4")).expect("scale-out logged");
    assert!((30.0..=32.0).contains(&line.t_s), "scaled out at {} s", line.t_s);
    assert_eq!(up(&sim), (2, 4), "two instances booting");
    sim.step_until(at(line.t_s + 19.9), u64::MAX);
    assert_eq!(up(&sim).0, 2, "still booting before the boot delay");
    sim.step_until(at(line.t_s + 20.1), u64::MAX);
    assert_eq!(up(&sim), (4, 4), "in service after the boot delay");
    // 250 rps over 4 × 100 rps: utilisation settles near 62%, below the threshold.
    sim.step_until(at(120.0), u64::MAX);
    let snap = sim.snapshot();
    assert_eq!(node(&snap, "asg").instances, 4);
    let util = snap.nodes.iter().filter(|n| n.id.starts_with("asg-")).map(|n| n.window.utilisation).sum::<f64>() / 4.0;
    assert!((0.5..0.75).contains(&util), "utilisation after scaling {util}");
    // Traffic falls: below 20% for the window ⇒ scale in to the minimum, draining.
    sim.apply(Command::SetRate { client: "users".into(), rate_rps: 20.0 }).unwrap();
    sim.step_until(at(200.0), u64::MAX);
    assert_eq!(up(&sim), (2, 2), "scaled back in to min_instances");
}

#[test]
fn token_bucket_admits_rate_plus_burst() {
    // 1000 rps offered for 10 s into a bucket of rate 100/s and burst 50.
    let s = scenario(json!({ "version": 1, "nodes": [
        { "id": "users", "kind": { "client": { "rate_rps": 1000 } } },
        { "id": "limiter", "kind": { "rate_limiter": { "rate_rps": 100, "burst": 50 } } },
        server("api", 50, 1.0, 1000) ],
        "edges": [ { "from": "users", "to": "limiter" }, { "from": "limiter", "to": "api" } ] }));
    for seed in 1..=5 {
        let snap = run(&s, seed, 10.0);
        let admitted = node(&snap, "api").arrived as f64;
        // 50 at once, then 100 per second: the bucket never stays full under this load.
        assert!((admitted - 1050.0).abs() <= 2.0, "admitted {admitted} (seed {seed})");
        let limited = snap.global.failed.rate_limited as f64;
        assert!((limited + admitted - snap.global.arrived as f64).abs() <= 2.0, "the rest are 429s (seed {seed})");
    }
}

#[test]
fn a_slow_database_exhausts_the_app_servers_worker_slots() {
    // The app server is fast itself but holds its worker while waiting on the database.
    let s = scenario(json!({ "version": 1, "nodes": [
        { "id": "users", "kind": { "client": { "rate_rps": 100 } } },
        { "id": "web", "kind": { "server": { "workers": 4, "queue_capacity": 20,
            "service_time": { "constant": { "ms": 1 } } } } },
        { "id": "db", "kind": { "database": { "max_connections": 50, "queue_capacity": 100,
            "read_service_time": { "exponential": { "mean_ms": 10 } },
            "write_service_time": { "exponential": { "mean_ms": 30 } } } } } ],
        "edges": [ { "from": "users", "to": "web" }, { "from": "web", "to": "db", "latency_ms": 1 } ] }));
    let mut sim = Sim::with_seed(&s, 5).unwrap();
    sim.step_until(at(30.0), u64::MAX);
    let calm = sim.snapshot();
    assert_eq!(calm.global.failed.total(), 0);
    // ~100 rps × 13 ms held ⇒ ~1.3 busy workers of 4.
    let u = node(&calm, "web").utilisation;
    assert!((0.25..0.4).contains(&u), "web utilisation {u}");
    sim.apply(Command::Slow { id: "db".into(), factor: 10.0 }).unwrap();
    sim.step_until(at(60.0), u64::MAX);
    let slow = sim.snapshot();
    // 100 rps × ~100 ms held = 10 workers needed, 4 available: slots full, queue full.
    assert!(node(&slow, "web").window.utilisation > 0.99, "web saturated by waiting");
    assert!(node(&slow, "web").errors.queue_full > 1000, "web rejects");
    assert!(node(&slow, "db").window.utilisation < 0.1, "the database itself is nearly idle");
}

#[test]
fn a_partition_drops_requests_and_callers_time_out() {
    let s = scenario(json!({ "version": 1, "nodes": [
        { "id": "users", "kind": { "client": { "rate_rps": 100, "timeout_ms": 500 } } },
        server("web", 8, 5.0, 100) ],
        "edges": [ { "from": "users", "to": "web", "latency_ms": 10, "jitter_ms": 5 } ],
        "events": [ { "at_s": 10, "command": { "partition": { "from": "users", "to": "web" } } },
                    { "at_s": 20, "command": { "heal": { "from": "users", "to": "web" } } } ] }));
    let snap = run(&s, 9, 30.0);
    let lost = snap.global.failed.partition as f64;
    // Everything sent during the 10 s cut (plus answers in flight) fails as "partition".
    assert!((lost - 1000.0).abs() < 150.0, "partition failures {lost}");
    assert_eq!(snap.global.failed.timeout, 0);
    let edge = &snap.edges[0];
    assert!(edge.dropped as f64 >= lost - 5.0);
    // Latency is edge there and back plus service, well below the timeout.
    assert!(snap.global.latency.max_ms < 100.0);
}

#[test]
fn diurnal_rate_follows_the_curve() {
    // rate 100 × (1 + 0.5 sin(2πt/100)): first half-period averages 100 (1 + 1/π), second 100 (1 - 1/π).
    let s = scenario(json!({ "version": 1, "nodes": [
        { "id": "users", "kind": { "client": { "rate_rps": 100, "pattern": { "diurnal": { "period_s": 100, "amplitude": 0.5 } } } } },
        server("web", 64, 1.0, 100) ], "edges": [ { "from": "users", "to": "web" } ] }));
    let (mut first, mut second) = (0.0, 0.0);
    for seed in 1..=10 {
        let mut sim = Sim::with_seed(&s, seed).unwrap();
        sim.step_until(at(50.0), u64::MAX);
        let a = sim.snapshot().global.arrived as f64;
        sim.step_until(at(100.0), u64::MAX);
        first += a;
        second += sim.snapshot().global.arrived as f64 - a;
    }
    let pi = std::f64::consts::PI;
    // 10 runs × 50 s: Poisson counts of ~66 000 and ~34 000, standard error < 0.6 %.
    let expect_first = 10.0 * 50.0 * 100.0 * (1.0 + 1.0 / pi);
    let expect_second = 10.0 * 50.0 * 100.0 * (1.0 - 1.0 / pi);
    assert!((first / expect_first - 1.0).abs() < 0.03, "first half {first} vs {expect_first}");
    assert!((second / expect_second - 1.0).abs() < 0.03, "second half {second} vs {expect_second}");
}

#[test]
fn weighted_round_robin_and_hash_route_as_configured() {
    let s = |policy: &str, keys: serde_json::Value| {
        scenario(json!({ "version": 1, "nodes": [
            { "id": "users", "kind": { "client": { "rate_rps": 400, "keys": keys } } },
            { "id": "lb", "kind": { "load_balancer": { "policy": policy } } },
            server("a", 16, 1.0, 100), server("b", 16, 1.0, 100) ],
            "edges": [ { "from": "users", "to": "lb" }, { "from": "lb", "to": "a", "weight": 3 }, { "from": "lb", "to": "b", "weight": 1 } ] }))
    };
    let snap = run(&s("weighted_round_robin", json!({ "uniform": { "key_count": 100 } })), 1, 10.0);
    let (a, b) = (node(&snap, "a").arrived as f64, node(&snap, "b").arrived as f64);
    assert!((a / (a + b) - 0.75).abs() < 0.001, "weights 3:1 give {a}:{b}");
    // Every request for the one hot key goes to the same backend.
    let snap = run(&s("hash", json!({ "hot_key": { "key_count": 100, "hot_fraction": 1.0 } })), 1, 10.0);
    let (a, b) = (node(&snap, "a").arrived, node(&snap, "b").arrived);
    assert!(a == 0 || b == 0, "sticky: {a} and {b}");
    assert!(a + b > 3000);
}

#[test]
fn slo_alerts_fire_and_resolve_and_memory_stays_bounded() {
    let mut s = lb_scenario("round_robin", true);
    s.metrics.slo_error_rate = Some(0.01);
    s.metrics.series_len = 50;
    let mut sim = Sim::with_seed(&s, 2).unwrap();
    sim.step_until(at(10.05), u64::MAX);
    sim.apply(Command::Kill { id: "web-2".into() }).unwrap();
    sim.step_until(at(11.5), u64::MAX);
    let snap = sim.snapshot();
    assert_eq!(snap.alerts.len(), 1, "error-rate alert while the dead server gets traffic");
    assert_eq!(snap.alerts[0].kind, "error_rate");
    sim.step_until(at(15.0), u64::MAX);
    assert!(sim.snapshot().alerts.is_empty(), "resolved once the balancer stopped using web-2");
    // A long run keeps only series_len windows and a bounded log.
    for i in 0..300 {
        let id = if i % 2 == 0 { "web-1" } else { "web-2" };
        sim.apply(Command::Slow { id: id.into(), factor: 1.0 + f64::from(i % 3) }).unwrap();
        sim.step_until(at(15.0 + f64::from(i) * 10.0), u64::MAX);
    }
    let snap = sim.snapshot();
    assert_eq!(snap.series.len(), 50);
    assert!(snap.nodes.iter().all(|n| n.series.len() == 50));
    assert!(snap.log.len() <= 200);
    assert!(snap.global.in_flight < 50, "no leak of requests");
}

#[test]
fn killing_a_server_never_leaves_requests_waiting_forever() {
    // No timeouts anywhere: the balancer is told at once that the work it was waiting on is lost.
    let s = lb_scenario("least_connections", false);
    let mut sim = Sim::with_seed(&s, 4).unwrap();
    sim.step_until(at(5.0), u64::MAX);
    let busy = node(&sim.snapshot(), "web-1").in_flight;
    sim.apply(Command::Kill { id: "web-1".into() }).unwrap();
    sim.apply(Command::Kill { id: "web-2".into() }).unwrap();
    sim.step_until(at(6.0), u64::MAX);
    let snap = sim.snapshot();
    assert_eq!(snap.global.in_flight, 0, "nothing waits on the dead servers");
    assert!(snap.global.failed.node_down >= busy);
    assert_eq!(node(&snap, "lb").in_flight, 0);
}

#[test]
fn sampled_request_hops_follow_the_edges() {
    let s = lb_scenario("round_robin", true);
    let mut sim = Sim::with_seed(&s, 1).unwrap();
    sim.step_until(at(10.0), u64::MAX);
    let snap = sim.snapshot();
    assert_eq!(snap.hops.len(), 256, "the newest hops, bounded");
    for h in &snap.hops {
        let (a, b) = if h.response { (&h.to, &h.from) } else { (&h.from, &h.to) };
        assert!(snap.edges.iter().any(|e| &e.from == a && &e.to == b), "hop {h:?} follows an edge");
        assert!(h.arrive_s >= h.depart_s && h.depart_s <= 10.0);
    }
    let responses = snap.hops.iter().filter(|h| h.response).count();
    assert!(responses > 80 && responses < 176, "about half the hops are answers: {responses}");
    // Users -> lb takes 1 ms, lb -> web 0.5 ms.
    let to_lb = snap.hops.iter().find(|h| !h.response && h.to == "lb").unwrap();
    assert!((to_lb.arrive_s - to_lb.depart_s - 0.001).abs() < 1e-9);
}
