//! Login sessions: kept in an app server's memory (sticky load balancing; a dead server
//! takes its sessions with it) or in a shared session store (nothing lost with a server).

use crate::common::*;
use serde_json::{json, Value};
use sim_core::{Command, Scenario, Sim, SimTime, Snapshot};

/// 1000 users (keys) at 400 rps through a health-checked load balancer to four servers.
fn design(policy: &str, sessions: Value) -> Scenario {
    let store = sessions.get("store").is_some();
    let mut nodes = vec![
        json!({ "id": "users", "kind": { "client": { "rate_rps": 400, "mix": { "read": 1 },
            "keys": { "uniform": { "key_count": 1000 } } } } }),
        json!({ "id": "lb", "kind": { "load_balancer": { "policy": policy,
            "health_check": { "interval_ms": 200, "unhealthy_threshold": 1, "healthy_threshold": 1 } } } }),
    ];
    let mut edges = vec![json!({ "from": "users", "to": "lb", "latency_ms": 1 })];
    for i in 1..=4 {
        let id = format!("web-{i}");
        nodes.push(json!({ "id": id, "kind": { "server": { "workers": 16, "queue_capacity": 100,
            "service_time": { "constant": { "ms": 2 } }, "sessions": sessions } } }));
        edges.push(json!({ "from": "lb", "to": id, "latency_ms": 0.5 }));
        if store {
            edges.push(json!({ "from": id, "to": "sessions", "latency_ms": 0.5 }));
        }
    }
    if store {
        nodes.push(json!({ "id": "sessions", "kind": { "cache": { "capacity_keys": 100000 } } }));
    }
    scenario(json!({ "version": 1, "nodes": nodes, "edges": edges }))
}

fn active(s: &Snapshot, id: &str) -> u64 {
    node(s, id).sessions.as_ref().unwrap_or_else(|| panic!("{id} holds no sessions")).active
}

/// Runs 10 s, kills web-1, runs 10 s more: (before the kill, after).
fn kill_web_1(s: &Scenario, seed: u64) -> (Snapshot, Snapshot) {
    let mut sim = Sim::with_seed(s, seed).unwrap();
    sim.step_until(SimTime::from_secs_f64(10.0), u64::MAX);
    let before = sim.snapshot();
    sim.apply(Command::Kill { id: "web-1".into() }).unwrap();
    sim.step_until(SimTime::from_secs_f64(20.0), u64::MAX);
    (before, sim.snapshot())
}

#[test]
fn killing_a_server_loses_its_in_memory_sessions_its_share_of_the_active_ones() {
    for seed in 1..=3 {
        let (before, after) = kill_web_1(&design("hash", json!("in_memory")), seed);
        let web_1 = active(&before, "web-1");
        let total: u64 = (1..=4).map(|i| active(&before, &format!("web-{i}"))).sum();
        // 4000 requests over 1000 users: all but e^-4 of them have logged in once.
        assert!(total > 950 && total <= 1000, "active sessions {total} (seed {seed})");
        assert_eq!(before.global.data.relogins, 0, "a sticky balancer never moves a user (seed {seed})");
        assert_eq!(before.global.data.sessions_lost, 0);
        let lost = after.global.data.sessions_lost;
        assert_eq!(lost, web_1, "exactly web-1's sessions are lost (seed {seed})");
        assert_eq!(node(&after, "web-1").sessions.as_ref().unwrap().lost, lost);
        // The hash spreads users evenly: web-1 held about a quarter (1000 keys: ±3σ ≈ ±4%).
        let share = lost as f64 / total as f64;
        assert!((share - 0.25).abs() < 0.05, "web-1 held {share:.3} of the sessions (seed {seed})");
        // Its users come back elsewhere and must log in again.
        assert!(after.global.data.relogins >= lost * 9 / 10, "re-logins {} (seed {seed})", after.global.data.relogins);
    }
}

#[test]
fn in_memory_sessions_need_a_sticky_balancer() {
    let snap = run(&design("round_robin", json!("in_memory")), 1, 10.0);
    // Round-robin sends a user's next request to another server 3 times in 4.
    let relogins = snap.global.data.relogins as f64;
    let requests: u64 = (1..=4).map(|i| node(&snap, &format!("web-{i}")).arrived).sum();
    let logins: u64 = (1..=4).map(|i| node(&snap, &format!("web-{i}")).sessions.as_ref().unwrap().logins).sum();
    let moved = relogins / (requests - logins) as f64;
    assert!((moved - 0.75).abs() < 0.03, "fraction of returning requests forced to log in again: {moved}");
}

#[test]
fn with_a_shared_session_store_a_dead_server_loses_no_session() {
    for seed in 1..=3 {
        let s = design("round_robin", json!({ "store": { "cache": "sessions" } }));
        let (before, after) = kill_web_1(&s, seed);
        assert!(node(&before, "web-1").sessions.is_none(), "the servers hold nothing");
        let store = node(&after, "sessions").sessions.clone().unwrap();
        assert_eq!(store.mode, "store");
        assert!(store.active > 950 && store.logins == store.active, "{store:?} (seed {seed})");
        assert_eq!((store.lost, store.relogins), (0, 0), "nothing lost (seed {seed})");
        assert_eq!((after.global.data.sessions_lost, after.global.data.relogins), (0, 0));
        // Every served request looked its session up in the store (some lookups belong to
        // requests still in flight or lost with web-1).
        let c = node(&after, "sessions").cache.clone().unwrap();
        let served: u64 = (1..=4).map(|i| node(&after, &format!("web-{i}")).completed).sum();
        assert!(
            c.hits + c.misses >= served && c.hits + c.misses <= served + 50,
            "one lookup per request (seed {seed})"
        );
    }
}

#[test]
fn losing_the_session_store_logs_everyone_out() {
    let s = design("round_robin", json!({ "store": { "cache": "sessions" } }));
    let mut sim = Sim::with_seed(&s, 1).unwrap();
    sim.step_until(SimTime::from_secs_f64(10.0), u64::MAX);
    let held = active(&sim.snapshot(), "sessions");
    sim.apply(Command::FlushCache { id: "sessions".into() }).unwrap();
    sim.step_until(SimTime::from_secs_f64(20.0), u64::MAX);
    let snap = sim.snapshot();
    assert_eq!(snap.global.data.sessions_lost, held);
    let relogins = snap.global.data.relogins;
    assert!(relogins > held * 95 / 100 && relogins <= held, "{relogins} of {held} users logged in again");
}

#[test]
fn a_session_store_must_be_a_cache_the_server_calls() {
    let bad = |sessions: Value, edge: bool| {
        let mut edges = vec![json!({ "from": "users", "to": "web" })];
        if edge {
            edges.push(json!({ "from": "web", "to": "kv" }));
        }
        let v = json!({ "version": 1, "nodes": [
            { "id": "users", "kind": { "client": { "rate_rps": 1 } } },
            { "id": "web", "kind": { "server": { "workers": 1, "queue_capacity": 1,
                "service_time": { "constant": { "ms": 1 } }, "sessions": sessions } } },
            { "id": "kv", "kind": { "cache": { "capacity_keys": 10 } } },
            { "id": "db", "kind": { "database": { "max_connections": 1, "queue_capacity": 1,
                "read_service_time": { "constant": { "ms": 1 } }, "write_service_time": { "constant": { "ms": 1 } } } } } ],
            "edges": edges });
        Scenario::from_json(&v.to_string()).err()
    };
    let path = "nodes[1].kind.server.sessions.store.cache";
    let e = bad(json!({ "store": { "cache": "kv" } }), false).expect("no edge to the store");
    assert_eq!(e.path, path, "{e}");
    let e = bad(json!({ "store": { "cache": "db" } }), true).expect("not a cache");
    assert_eq!(e.path, path, "{e}");
    let e = bad(json!("on_disk"), true).expect("unknown mode");
    assert!(e.path.starts_with("nodes[1].kind"), "{e}");
    assert!(bad(json!({ "store": { "cache": "kv" } }), true).is_none());
}
