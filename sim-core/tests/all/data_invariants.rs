//! Property tests over random data-tier topologies (caches, CDN, replicas with failover, shard
//! routers, message queues) with faults: the engine's invariants still hold, plus the data
//! tier's own bookkeeping. The invariants and the stepping are the shared `harness`'s.

use crate::harness::{self, Fault};
use proptest::prelude::*;
use serde_json::{json, Value};
use sim_core::{Command, Scenario};

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

/// The generated faults as timed commands.
fn faults(t: &Topology, ids: &[String]) -> Vec<Fault> {
    t.faults.iter().map(|&(at_s, kind, target)| (at_s, vec![fault(kind, target, ids)])).collect()
}

proptest! {
    #![proptest_config(harness::config(64, concat!(env!("CARGO_MANIFEST_DIR"), "/proptest-regressions/data_invariants.txt")))]

    #[test]
    fn data_tier_invariants_hold_and_runs_are_reproducible(t in topology(), seed in any::<u64>(), cap in 1u64..500) {
        let (s, ids) = build(&t);
        harness::check_run(&s, &faults(&t, &ids), 10.0, seed, cap)?;
    }
}
