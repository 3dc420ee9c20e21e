//! Bit-identical results: the reference run has a pinned digest that the wasm build checks too.

use crate::common::*;
use serde_json::json;
use sim_core::{reference_scenario, run_headless, Command, Sim, SimTime, REFERENCE_DIGEST};

#[test]
fn reference_run_digest_is_pinned() {
    let s = reference_scenario();
    let summary = run_headless(&s, None, None).unwrap();
    assert!(summary.snapshot.global.failed.total() > 0, "the reference run exercises failures");
    assert_eq!(
        summary.digest, REFERENCE_DIGEST,
        "the reference run's digest changed; if the engine's behaviour changed on purpose, update REFERENCE_DIGEST"
    );
}

/// The data-tier property test's "replay differs" failures (e.g. a CDN killed at 9.89 s of a
/// 10 s run): a command applied at the last instant made events due at that instant — the
/// kill answers callers without a timeout at once — which the replay, stepped to the end,
/// ran and the live run, never stepped again, had not. Same scenario, seed and commands give
/// the same state at the same point: right after the command, and after stepping both.
#[test]
fn a_command_at_the_last_instant_replays_exactly() {
    let s = scenario(json!({ "version": 1, "nodes": [
        { "id": "users", "kind": { "client": { "rate_rps": 150, "mix": { "read": 0.6, "write": 0.2, "static_asset": 0.1, "job": 0.1 } } } },
        { "id": "cdn", "kind": { "cdn": { "capacity_keys": 50, "ttl_s": 2 } } },
        { "id": "web", "kind": { "server": { "workers": 8, "queue_capacity": 20,
            "service_time": { "exponential": { "mean_ms": 2 } } } } },
        { "id": "cache", "kind": { "cache": { "capacity_keys": 1 } } },
        { "id": "db", "kind": { "database": { "max_connections": 4, "queue_capacity": 20,
            "read_service_time": { "exponential": { "mean_ms": 3 } }, "write_service_time": { "exponential": { "mean_ms": 5 } } } } } ],
        "edges": [ { "from": "users", "to": "cdn", "latency_ms": 4 }, { "from": "cdn", "to": "web", "latency_ms": 4 },
                   { "from": "web", "to": "cache", "latency_ms": 4 }, { "from": "cache", "to": "db", "latency_ms": 4 } ] }));
    let end = SimTime::from_secs_f64(10.0);
    for seed in 0..20 {
        let mut live = Sim::with_seed(&s, seed).unwrap();
        live.step_until(end, 1000);
        live.step_until(end, u64::MAX);
        live.apply(Command::Kill { id: "cdn".into() }).unwrap();
        let replay = Sim::replay(&s, seed, live.recorded_commands()).unwrap();
        assert_eq!(replay.now(), live.now());
        assert_eq!(replay.digest(), live.digest(), "right after the command (seed {seed})");
        let (mut live_end, mut replay_end) = (live, replay);
        let events = live_end.events_processed();
        live_end.step_until(end, u64::MAX);
        replay_end.step_until(end, u64::MAX);
        assert_eq!(replay_end.digest(), live_end.digest(), "after stepping to the end (seed {seed})");
        if seed == 0 {
            assert!(live_end.events_processed() > events, "the kill made events due at once");
        }
    }
}
