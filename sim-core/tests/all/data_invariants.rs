//! Property tests over random data-tier topologies (caches, CDN, replicas with failover, shard
//! routers, message queues) with faults: the engine's invariants still hold, plus the data
//! tier's own bookkeeping.

use proptest::prelude::*;
use serde_json::{json, Value};
use sim_core::{Command, Scenario, Sim, SimTime};

#[derive(Clone, Debug)]
struct Topology {
    rate_rps: f64,
    timeout_ms: Option<f64>,
    retries: u32,
    cache: Option<(u32, &'static str, &'static str, Option<f64>, bool)>,
    cdn: bool,
    shards: Option<(u32, &'static str)>,
    replicas: u32,
    failover: bool,
    queue: Option<(u32, u32, bool, u32)>,
    geo: bool,
    latency_ms: f64,
    faults: Vec<(f64, u8, usize)>,
}

fn topology() -> impl Strategy<Value = Topology> {
    let eviction = prop::sample::select(vec!["lru", "lfu", "fifo", "random"]);
    let policy = prop::sample::select(vec!["cache_aside", "read_through", "write_through", "write_behind"]);
    let strategy = prop::sample::select(vec!["modulo", "consistent", "range"]);
    (
        (1.0f64..300.0, prop::option::of(50.0f64..2000.0), 0u32..3, 0.0f64..5.0),
        prop::option::of((1u32..200, eviction, policy, prop::option::of(0.05f64..5.0), any::<bool>())),
        (any::<bool>(), prop::option::of((1u32..5, strategy)), 0u32..3, any::<bool>()),
        (prop::option::of((1u32..4, 1u32..50, any::<bool>(), 0u32..3)), any::<bool>()),
        prop::collection::vec((0.0f64..10.0, 0u8..10, 0usize..16), 0..8),
    )
        .prop_map(
            |(
                (rate_rps, timeout_ms, retries, latency_ms),
                cache,
                (cdn, shards, replicas, failover),
                (queue, geo),
                faults,
            )| {
                Topology {
                    rate_rps,
                    timeout_ms,
                    retries,
                    cache,
                    cdn,
                    shards,
                    replicas,
                    failover,
                    queue,
                    geo,
                    latency_ms,
                    faults,
                }
            },
        )
}

fn database(id: &str, t: &Topology, primary: bool) -> Value {
    json!({ "id": id, "kind": { "database": { "max_connections": 4, "queue_capacity": 20,
        "read_service_time": { "exponential": { "mean_ms": 3 } }, "write_service_time": { "exponential": { "mean_ms": 5 } },
        "read_from_replicas": primary && t.replicas > 0, "read_your_writes_window_ms": if primary { json!(200) } else { Value::Null },
        "failover_detection_ms": if primary && t.failover { json!(500) } else { Value::Null } } } })
}

fn build(t: &Topology) -> (Scenario, Vec<String>) {
    let region = if t.geo { json!("us-east") } else { Value::Null };
    let mut nodes = vec![json!({ "id": "users", "region": region, "kind": { "client": {
        "rate_rps": t.rate_rps, "timeout_ms": t.timeout_ms,
        "mix": { "read": 0.6, "write": 0.2, "static_asset": 0.1, "job": 0.1 },
        "keys": { "zipf": { "key_count": 300, "s": 1.0 } },
        "retry": if t.retries > 0 { json!({ "max_retries": t.retries, "base_backoff_ms": 50, "jitter": "full" }) } else { Value::Null } } } })];
    let mut edges = Vec::new();
    let edge = |from: &str, to: &str| json!({ "from": from, "to": to, "latency_ms": t.latency_ms, "jitter_ms": t.latency_ms / 2.0 });
    let mut ids = vec!["users".to_string()];
    let mut entry = "users".to_string();
    if t.cdn {
        nodes.push(json!({ "id": "cdn", "kind": { "cdn": { "capacity_keys": 50, "ttl_s": 2, "versioned_urls": t.failover } } }));
        edges.push(edge(&entry, "cdn"));
        entry = "cdn".into();
        ids.push("cdn".into());
    }
    nodes.push(json!({ "id": "web", "region": region, "kind": { "server": { "workers": 8, "queue_capacity": 20,
        "service_time": { "exponential": { "mean_ms": 2 } }, "call_timeout_ms": t.timeout_ms } } }));
    if t.geo {
        nodes.push(json!({ "id": "dns", "kind": { "geo_dns": { "health_check": {
            "interval_ms": 300, "unhealthy_threshold": 2, "healthy_threshold": 1 } } } }));
        nodes.push(
            json!({ "id": "web-eu", "region": "eu-west", "kind": { "server": { "workers": 4, "queue_capacity": 10,
            "service_time": { "exponential": { "mean_ms": 2 } } } } }),
        );
        edges.push(edge(&entry, "dns"));
        edges.push(edge("dns", "web"));
        edges.push(edge("dns", "web-eu"));
        ids.push("dns".into());
    } else {
        edges.push(edge(&entry, "web"));
    }
    ids.push("web".into());
    let mut store_entry = "web".to_string();
    if let Some((cap, eviction, policy, ttl, coalescing)) = t.cache {
        nodes.push(json!({ "id": "cache", "kind": { "cache": { "capacity_keys": cap, "eviction": eviction,
            "write_policy": policy, "ttl_s": ttl, "ttl_jitter_s": 0.1, "coalescing": coalescing,
            "write_behind_delay_ms": 300 } } }));
        edges.push(edge("web", "cache"));
        store_entry = "cache".into();
        ids.push("cache".into());
    }
    let mut primaries = Vec::new();
    match t.shards {
        Some((n, strategy)) => {
            let strategy = match strategy {
                "consistent" => json!({ "consistent_hash": { "virtual_nodes": 20 } }),
                s => json!(s),
            };
            nodes.push(
                json!({ "id": "router", "kind": { "shard_router": { "strategy": strategy, "key_space": 300 } } }),
            );
            edges.push(edge(&store_entry, "router"));
            ids.push("router".into());
            for i in 0..n {
                let id = format!("shard-{i}");
                edges.push(edge("router", &id));
                primaries.push(id);
            }
        }
        None => {
            edges.push(edge(&store_entry, "db"));
            primaries.push("db".into());
        }
    }
    for p in &primaries {
        nodes.push(database(p, t, true));
        ids.push(p.clone());
        for r in 0..t.replicas {
            let id = format!("{p}-r{r}");
            nodes.push(database(&id, t, false));
            edges.push(edge(p, &id));
            ids.push(id);
        }
    }
    if t.geo {
        // A replicated store across the two regions, written by the app.
        let mode = if t.failover { "cp" } else { "ap" };
        for (id, r) in [("kv-us", "us-east"), ("kv-us-2", "us-east"), ("kv-eu", "eu-west")] {
            nodes.push(
                json!({ "id": id, "region": r, "kind": { "replicated_store": { "cluster": "kv", "mode": mode } } }),
            );
            ids.push(id.into());
        }
        edges.push(edge("web", "kv-us"));
        edges.push(edge("web-eu", "kv-eu"));
    }
    if let Some((workers, capacity, idempotent, poison)) = t.queue {
        nodes.push(json!({ "id": "jobs", "kind": { "message_queue": { "capacity": capacity, "workers": workers,
            "service_time": { "exponential": { "mean_ms": 30 } }, "visibility_timeout_ms": 100,
            "max_attempts": 3, "retry_backoff_ms": 20, "idempotent": idempotent, "poison_keys": poison } } }));
        edges.push(edge("web", "jobs"));
        ids.push("jobs".into());
    }
    let s = Scenario::from_json(&json!({ "version": 1, "nodes": nodes, "edges": edges }).to_string())
        .unwrap_or_else(|e| panic!("generated scenario invalid: {e}"));
    (s, ids)
}

fn fault(kind: u8, target: usize, ids: &[String]) -> Command {
    let id = ids[target % ids.len()].clone();
    match kind {
        0 | 1 => Command::Kill { id },
        2 => Command::Revive { id },
        3 => Command::FlushCache { id },
        4 => Command::KillWorker { id },
        5 => Command::Slow { id, factor: 4.0 },
        6 => Command::Spike { client: "users".into(), multiplier: 3.0, duration_s: 1.0 },
        7 => Command::AddNode(
            serde_json::from_value(json!({ "id": format!("extra-{target}"), "kind": { "database": {
                "max_connections": 2, "queue_capacity": 5, "read_service_time": { "constant": { "ms": 2 } },
                "write_service_time": { "constant": { "ms": 3 } } } } }))
            .unwrap(),
        ),
        8 if target.is_multiple_of(3) => Command::PartitionRegions { a: "us-east".into(), b: "eu-west".into() },
        8 if target % 3 == 1 => Command::HealRegions { a: "eu-west".into(), b: "us-east".into() },
        8 if target.is_multiple_of(2) => Command::RegionOutage { region: "us-east".into() },
        8 if target % 4 == 1 => Command::RegionRecover { region: "us-east".into() },
        8 => Command::AddEdge(
            serde_json::from_value(json!({ "from": "router", "to": format!("extra-{target}"), "latency_ms": 1 }))
                .unwrap(),
        ),
        9 if target.is_multiple_of(2) => Command::DeployAssets {},
        _ => Command::RemoveEdge { from: "router".into(), to: format!("shard-{}", target % 3) },
    }
}

fn check(sim: &Sim, seed: u64) {
    let snap = sim.snapshot();
    let g = &snap.global;
    assert_eq!(g.arrived, g.completed + g.failed.total() + g.in_flight, "conservation (seed {seed})");
    assert_eq!(g.in_flight, sim.debug_in_flight_recount(), "in-flight recount (seed {seed})");
    for n in &snap.nodes {
        if n.workers > 0 {
            assert!(n.busy_workers <= n.workers, "{} busy over workers (seed {seed})", n.id);
        }
        assert!(n.in_flight >= n.queue_len, "{} queue accounting (seed {seed})", n.id);
        if let Some(c) = &n.cache {
            assert!(c.keys <= c.capacity_keys, "{} holds {} keys over {} (seed {seed})", n.id, c.keys, c.capacity_keys);
            assert!((0.0..=1.0).contains(&c.hit_ratio));
        }
        if let Some(q) = &n.message_queue {
            assert_eq!(
                q.enqueued,
                q.acknowledged + q.dlq_size + q.backlog + q.lost_messages,
                "{}: every message acknowledged, dead-lettered, pending or lost (seed {seed})",
                n.id
            );
            assert!(q.ready <= q.backlog);
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
        if let Some(s) = &n.shards {
            let keys: u64 = s.shards.iter().map(|x| x.keys).sum();
            assert!(s.shards.is_empty() || keys == 300, "{}: every key has one shard (seed {seed})", n.id);
        }
    }
}

fn run_checked(t: &Topology, seed: u64, cap: u64) -> (u64, Vec<sim_core::RecordedCommand>) {
    let (s, ids) = build(t);
    let mut sim = Sim::with_seed(&s, seed).unwrap();
    let mut faults = t.faults.clone();
    faults.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut faults = faults.into_iter().peekable();
    let end = SimTime::from_secs_f64(10.0);
    let mut target = SimTime::ZERO;
    while sim.now() < end {
        target = SimTime(target.0 + 250_000_000).min(end);
        loop {
            let r = sim.step_until(target, cap);
            assert!(r.events <= cap, "event cap (seed {seed})");
            check(&sim, seed);
            if r.reached {
                break;
            }
        }
        while faults.peek().is_some_and(|f| SimTime::from_secs_f64(f.0) <= sim.now()) {
            let (_, kind, target_ix) = faults.next().unwrap();
            // Faults naming the wrong kind of node are errors, never panics.
            let _ = sim.apply(fault(kind, target_ix, &ids));
        }
    }
    // Faults applied at the last instant may have made events due at that instant: run them,
    // as the replay below will (see `determinism::a_command_at_the_last_instant_replays_exactly`).
    sim.step_until(end, u64::MAX);
    (sim.digest(), sim.recorded_commands().to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn data_tier_invariants_hold_and_runs_are_reproducible(t in topology(), seed in any::<u64>(), cap in 1u64..500) {
        let (digest, commands) = run_checked(&t, seed, cap);
        let (again, _) = run_checked(&t, seed, 10_000);
        prop_assert_eq!(digest, again, "same seed, different result (seed {})", seed);
        let (s, _) = build(&t);
        let mut replay = Sim::replay(&s, seed, &commands).unwrap();
        replay.step_until(SimTime::from_secs_f64(10.0), u64::MAX);
        prop_assert_eq!(digest, replay.digest(), "replay differs (seed {})", seed);
    }
}
