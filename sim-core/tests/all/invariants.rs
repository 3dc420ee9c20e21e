//! Property tests over random topologies, parameters, faults and seeds: servers, balancers with
//! health checks, rate limiters, autoscaling groups and live edits. The invariants and the
//! stepping are the shared `harness`'s.

use crate::common::*;
use crate::harness::{self, Fault};
use proptest::prelude::*;
use serde_json::{json, Value};
use sim_core::{Command, Scenario, Sim, SimTime};

#[derive(Clone, Debug)]
struct Topology {
    rate_rps: f64,
    timeout_ms: Option<f64>,
    retries: u32,
    jitter: &'static str,
    limiter: bool,
    lb_policy: Option<&'static str>,
    health_check: bool,
    servers: Vec<(u32, u32, f64, bool)>,
    group: bool,
    db: bool,
    latency_ms: f64,
    faults: Vec<(f64, u8, usize)>,
}

fn topology() -> impl Strategy<Value = Topology> {
    let policy = prop::sample::select(vec![
        "round_robin",
        "weighted_round_robin",
        "least_connections",
        "least_response_time",
        "hash",
        "random",
        "power_of_two",
    ]);
    (
        (
            1.0f64..400.0,
            prop::option::of(50.0f64..2000.0),
            0u32..3,
            prop::sample::select(vec!["none", "full", "equal"]),
        ),
        (any::<bool>(), prop::option::of(policy), any::<bool>()),
        prop::collection::vec((1u32..6, 0u32..20, 0.5f64..30.0, any::<bool>()), 1..4),
        (any::<bool>(), 0.0f64..5.0, any::<bool>()),
        prop::collection::vec((0.0f64..20.0, 0u8..12, 0usize..8), 0..8),
    )
        .prop_map(
            |(
                (rate_rps, timeout_ms, retries, jitter),
                (limiter, lb_policy, health_check),
                servers,
                (db, latency_ms, group),
                faults,
            )| {
                Topology {
                    rate_rps,
                    timeout_ms,
                    retries,
                    jitter,
                    limiter,
                    lb_policy,
                    health_check,
                    servers,
                    group,
                    db,
                    latency_ms,
                    faults,
                }
            },
        )
}

fn build(t: &Topology) -> (Scenario, Vec<String>) {
    let mut nodes = vec![json!({ "id": "users", "kind": { "client": {
        "rate_rps": t.rate_rps, "timeout_ms": t.timeout_ms,
        "mix": { "read": 0.6, "write": 0.2, "static_asset": 0.1, "job": 0.1 },
        "keys": { "zipf": { "key_count": 1000, "s": 1.1 } },
        "retry": if t.retries > 0 { json!({ "max_retries": t.retries, "base_backoff_ms": 50, "jitter": t.jitter }) } else { Value::Null } } } })];
    let mut edges = Vec::new();
    let edge = |from: &str, to: &str| json!({ "from": from, "to": to, "latency_ms": t.latency_ms, "jitter_ms": t.latency_ms / 2.0 });
    let mut entry = "users".to_string();
    if t.limiter {
        nodes.push(json!({ "id": "limiter", "kind": { "rate_limiter": { "rate_rps": 100, "burst": 20 } } }));
        edges.push(edge(&entry, "limiter"));
        entry = "limiter".into();
    }
    let servers: Vec<String> = (0..t.servers.len()).map(|i| format!("web-{i}")).collect();
    for (id, &(workers, queue, mean_ms, forward)) in servers.iter().zip(&t.servers) {
        nodes.push(json!({ "id": id, "kind": { "server": { "workers": workers, "queue_capacity": queue,
            "service_time": { "log_normal": { "mean_ms": mean_ms, "sigma": 0.8 } },
            "downstream": if forward { "forward" } else { "call" }, "call_timeout_ms": t.timeout_ms } } }));
        if t.db {
            edges.push(edge(id, "db"));
        }
    }
    if t.db {
        nodes.push(json!({ "id": "db", "kind": { "database": { "max_connections": 4, "queue_capacity": 10,
            "read_service_time": { "exponential": { "mean_ms": 3 } }, "write_service_time": { "constant": { "ms": 8 } } } } }));
    }
    match t.lb_policy {
        Some(p) => {
            let hc = if t.health_check {
                json!({ "interval_ms": 500, "unhealthy_threshold": 2, "healthy_threshold": 1 })
            } else {
                Value::Null
            };
            nodes.push(json!({ "id": "lb", "kind": { "load_balancer": { "policy": p, "health_check": hc, "backend_timeout_ms": t.timeout_ms } } }));
            edges.push(edge(&entry, "lb"));
            for s in &servers {
                edges.push(edge("lb", s));
            }
        }
        None => edges.push(edge(&entry, &servers[0])),
    }
    if t.group {
        // An autoscaling group beside the rest, fed by its own client.
        nodes.push(
            json!({ "id": "shoppers", "kind": { "client": { "rate_rps": t.rate_rps, "timeout_ms": t.timeout_ms } } }),
        );
        nodes.push(json!({ "id": "asg", "kind": { "autoscaling_group": {
            "server": { "workers": 2, "queue_capacity": 5, "service_time": { "exponential": { "mean_ms": 10 } } },
            "min_instances": 1, "max_instances": 4, "initial_instances": 1, "policy": t.lb_policy.unwrap_or("random"),
            "scale_out_utilisation": 0.6, "scale_in_utilisation": 0.2,
            "window_s": 1, "cooldown_s": 2, "boot_s": 1 } } }));
        edges.push(edge("shoppers", "asg"));
        if t.db {
            edges.push(edge("asg", "db"));
        }
    }
    let mut ids: Vec<String> = servers.clone();
    ids.extend(["users", "lb", "db", "limiter", "asg", "shoppers"].iter().map(|s| s.to_string()));
    let s = Scenario::from_json(&json!({ "version": 1, "nodes": nodes, "edges": edges }).to_string())
        .unwrap_or_else(|e| panic!("generated scenario invalid: {e}"));
    (s, ids)
}

fn fault(t: &Topology, kind: u8, target: usize, ids: &[String]) -> Vec<Command> {
    let id = ids[target % ids.len()].clone();
    let web = format!("web-{}", target % t.servers.len());
    let front = if t.lb_policy.is_some() { "lb" } else { "users" };
    let server = |workers: u32| {
        serde_json::from_value::<sim_core::NodeKind>(json!({ "server": { "workers": workers, "queue_capacity": 3,
            "service_time": { "constant": { "ms": 2 } } } }))
        .unwrap()
    };
    let edge = |from: &str, to: &str, state: Value| {
        serde_json::from_value::<sim_core::EdgeSpec>(json!({ "from": from, "to": to, "latency_ms": 1, "state": state }))
            .unwrap()
    };
    match kind {
        0 => vec![Command::Kill { id }],
        1 => vec![Command::Revive { id }],
        2 => vec![Command::Slow { id, factor: 5.0 }],
        3 => vec![Command::Partition { from: front.into(), to: web }],
        4 => vec![Command::Heal { from: front.into(), to: web }],
        5 => vec![Command::Spike { client: "users".into(), multiplier: 3.0, duration_s: 2.0 }],
        6 => vec![Command::SetRate { client: "users".into(), rate_rps: t.rate_rps / 2.0 }],
        7 => vec![Command::RemoveNode { id: web }],
        8 => vec![Command::ReconfigureNode { id: web, kind: server(1 + target as u32 % 3) }],
        9 => vec![Command::ReconfigureEdge(edge(front, &web, json!({ "slow": { "factor": 3 } })))],
        10 => {
            let extra = format!("extra-{target}");
            let spec = serde_json::from_value(json!({ "id": extra, "kind": server(2) })).unwrap();
            vec![Command::AddNode(spec), Command::AddEdge(edge(front, &extra, json!("up")))]
        }
        _ => vec![
            Command::SetKeys {
                client: "users".into(),
                keys: sim_core::KeyDistribution::HotKey { key_count: 10, hot_fraction: 0.9 },
            },
            Command::SetMix {
                client: "users".into(),
                mix: sim_core::RequestMix { read: 0.0, write: 1.0, static_asset: 1.0, job: 0.0 },
            },
        ],
    }
}

/// The generated faults as timed commands.
fn faults(t: &Topology, ids: &[String]) -> Vec<Fault> {
    t.faults.iter().map(|&(at_s, kind, target)| (at_s, fault(t, kind, target, ids))).collect()
}

proptest! {
    #![proptest_config(harness::config(48, concat!(env!("CARGO_MANIFEST_DIR"), "/proptest-regressions/invariants.txt")))]

    #[test]
    fn invariants_hold_and_runs_are_reproducible(t in topology(), seed in any::<u64>(), cap in 1u64..500) {
        let (s, ids) = build(&t);
        harness::check_run(&s, &faults(&t, &ids), 20.0, seed, cap)?;
    }
}

/// The one case where busy slots exceed the worker count (see `harness::Checker::worker_slots`):
/// lowering a busy server's workers lets the requests in service finish, and starts none until
/// fewer than the new count are busy.
#[test]
fn lowering_the_workers_of_a_busy_server_drains_it_without_starting_service() {
    let server = |workers: u32| {
        json!({ "server": { "workers": workers, "queue_capacity": 100,
            "service_time": { "constant": { "ms": 100 } } } })
    };
    let s = scenario(json!({ "version": 2, "nodes": [
        { "id": "users", "kind": { "client": { "rate_rps": 100 } } },
        { "id": "web", "kind": server(4) } ],
        "edges": [ { "from": "users", "to": "web" } ] }));
    let mut sim = Sim::with_seed(&s, 5).unwrap();
    sim.step_until(SimTime::from_secs_f64(2.0), u64::MAX);
    assert_eq!(node(&sim.snapshot(), "web").busy_workers, 4, "overloaded: every worker busy");
    let kind = serde_json::from_value(server(1)).unwrap();
    sim.apply(Command::ReconfigureNode { id: "web".into(), kind }).unwrap();
    let web = |sim: &Sim| {
        let snap = sim.snapshot();
        let n = node(&snap, "web");
        (n.busy_workers, n.workers, n.completed)
    };
    let (mut busy, workers, done) = web(&sim);
    assert_eq!((busy, workers), (4, 1), "the requests in service keep their slots");
    while busy > workers {
        sim.step_until(SimTime::from_secs_f64(3.0), 1);
        let (now_busy, _, _) = web(&sim);
        assert!(now_busy <= busy, "a request started service on a server over its count");
        busy = now_busy;
    }
    let (busy, _, drained) = web(&sim);
    assert_eq!(busy, 1, "back to the new count, and it stays busy");
    assert!(drained >= done + 3, "the requests in service finished: {done} then {drained}");
    assert!(sim.now() <= SimTime::from_secs_f64(2.11), "drained within one service time");
}

#[test]
fn different_seeds_give_different_runs() {
    let t = Topology {
        rate_rps: 100.0,
        timeout_ms: None,
        retries: 0,
        jitter: "none",
        limiter: false,
        lb_policy: Some("random"),
        health_check: false,
        servers: vec![(2, 10, 5.0, false), (2, 10, 5.0, false)],
        group: true,
        db: true,
        latency_ms: 1.0,
        faults: vec![],
    };
    let (s, _) = build(&t);
    assert_ne!(run(&s, 1, 10.0).digest(), run(&s, 2, 10.0).digest());
    assert_eq!(run(&s, 1, 10.0).digest(), run(&s, 1, 10.0).digest());
}

/// Zero-latency hops run inline, one inside another. A long chain of them, run on a thread
/// with a small stack (a browser's wasm stack is small too), must neither exhaust the stack
/// nor lose or duplicate a request. (Without the inline depth bound this overflows.)
#[test]
fn a_long_chain_of_zero_latency_hops_keeps_every_request() {
    const LINKS: usize = 990;
    let mut nodes = vec![json!({ "id": "users", "kind": { "client": { "rate_rps": 200 } } })];
    let mut edges = vec![json!({ "from": "users", "to": "lb-0" })];
    for i in 0..LINKS {
        nodes.push(json!({ "id": format!("lb-{i}"), "kind": { "load_balancer": { "policy": "round_robin" } } }));
        let next = if i + 1 == LINKS { "app".to_string() } else { format!("lb-{}", i + 1) };
        edges.push(json!({ "from": format!("lb-{i}"), "to": next }));
    }
    nodes.push(json!({ "id": "app", "kind": { "server": { "workers": 8, "queue_capacity": 1000,
        "service_time": { "constant": { "ms": 2 } } } } }));
    let s = scenario(json!({ "version": 2, "name": "chain", "nodes": nodes, "edges": edges }));
    let small_stack = std::thread::Builder::new().stack_size(256 * 1024);
    let snap = small_stack.spawn(move || run(&s, 3, 2.0)).expect("thread").join().expect("no overflow");
    let g = &snap.global;
    assert!(g.arrived > 300, "about 400 requests arrive in 2 s, got {}", g.arrived);
    assert_eq!(g.failed.total(), 0, "nothing fails on a healthy chain");
    assert_eq!(g.arrived, g.completed + g.in_flight, "every request is completed or still in flight");
    let app = node(&snap, "app");
    assert_eq!(app.completed, g.completed, "every completed request was served by the app");
    assert!((g.latency.mean_ms - 2.0).abs() < 0.01, "zero-latency hops add no time: mean {} ms", g.latency.mean_ms);
}
