//! The data tier against theory and as a learner should see it: caches (Che's approximation,
//! TTL caches, stampedes, write-behind), replicas (stale reads, lag, failover), shards, queues
//! and the CDN.

use crate::common::*;
use serde_json::{json, Value};
use sim_core::{Command, Scenario, Sim, SimTime, Snapshot};

fn at(s: f64) -> SimTime {
    SimTime::from_secs_f64(s)
}

fn db(id: &str, conns: u32, read_ms: f64, write_ms: f64) -> Value {
    json!({ "id": id, "kind": { "database": { "max_connections": conns, "queue_capacity": 100000,
        "read_service_time": { "constant": { "ms": read_ms } },
        "write_service_time": { "constant": { "ms": write_ms } } } } })
}

fn cache_view<'a>(s: &'a Snapshot, id: &str) -> &'a sim_core::CacheView {
    node(s, id).cache.as_ref().unwrap_or_else(|| panic!("{id} has no cache view"))
}

fn db_view<'a>(s: &'a Snapshot, id: &str) -> &'a sim_core::DatabaseView {
    node(s, id).database.as_ref().unwrap_or_else(|| panic!("{id} has no database view"))
}

/// Zipf(s) probabilities over n keys.
fn zipf(n: u32, s: f64) -> Vec<f64> {
    let w: Vec<f64> = (1..=n).map(|k| 1.0 / f64::from(k).powf(s)).collect();
    let total: f64 = w.iter().sum();
    w.into_iter().map(|x| x / total).collect()
}

/// Che's approximation of an LRU cache of `c` keys under the independent reference model.
fn che_lru_hit_ratio(p: &[f64], c: f64) -> f64 {
    let occupancy = |t: f64| p.iter().map(|q| 1.0 - (-q * t).exp()).sum::<f64>();
    let (mut lo, mut hi) = (0.0, 1.0);
    while occupancy(hi) < c {
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = (lo + hi) / 2.0;
        if occupancy(mid) < c {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    p.iter().map(|q| q * (1.0 - (-q * lo).exp())).sum()
}

/// A client reading Zipf keys through a cache in front of a fast database.
fn cached_reads(rate: f64, keys: u32, s: f64, cache: Value) -> Scenario {
    scenario(json!({ "version": 1, "nodes": [
        { "id": "users", "kind": { "client": { "rate_rps": rate, "keys": { "zipf": { "key_count": keys, "s": s } } } } },
        { "id": "cache", "kind": { "cache": cache } },
        db("db", 64, 0.1, 0.1) ],
        "edges": [ { "from": "users", "to": "cache" }, { "from": "cache", "to": "db" } ] }))
}

/// Hit ratio of `cache` between `warm_s` and `end_s`.
fn measured_hit_ratio(s: &Scenario, seed: u64, warm_s: f64, end_s: f64) -> f64 {
    let mut sim = Sim::with_seed(s, seed).unwrap();
    sim.step_until(at(warm_s), u64::MAX);
    let a = cache_view(&sim.snapshot(), "cache").clone();
    sim.step_until(at(end_s), u64::MAX);
    let b = cache_view(&sim.snapshot(), "cache").clone();
    let (h, m) = (b.hits - a.hits, b.misses - a.misses);
    h as f64 / (h + m) as f64
}

#[test]
fn lru_hit_ratio_under_zipf_matches_ches_approximation() {
    for (keys, cap, s) in [(1000u32, 100u32, 0.8), (1000, 50, 1.0), (2000, 400, 0.7)] {
        let sc = cached_reads(
            1000.0,
            keys,
            s,
            json!({ "capacity_keys": cap, "eviction": "lru", "write_policy": "read_through",
                    "service_time": { "constant": { "ms": 0.01 } } }),
        );
        let theory = che_lru_hit_ratio(&zipf(keys, s), f64::from(cap));
        let runs: Vec<f64> = (1..=4).map(|seed| measured_hit_ratio(&sc, seed, 10.0, 70.0)).collect();
        let (m, se) = mean_se(&runs);
        assert!(se < 0.005, "standard error {se} too large (keys {keys}, capacity {cap}, seeds 1-4)");
        assert!(
            (m - theory).abs() < 0.03,
            "LRU hit ratio {m:.4} vs Che {theory:.4} (keys {keys}, capacity {cap}, s {s}, seeds 1-4)"
        );
    }
}

#[test]
fn lfu_beats_lru_and_fifo_matches_random_under_independent_references() {
    // Under the independent reference model, LFU approaches the C most popular keys' mass,
    // and FIFO and random replacement have the same hit ratio, below LRU.
    let (keys, cap, s) = (1000u32, 100u32, 0.9);
    let p = zipf(keys, s);
    let top: f64 = p[..cap as usize].iter().sum();
    let ratio = |eviction: &str, seed: u64| {
        let sc = cached_reads(
            1000.0,
            keys,
            s,
            json!({ "capacity_keys": cap, "eviction": eviction, "write_policy": "read_through",
                    "service_time": { "constant": { "ms": 0.01 } } }),
        );
        measured_hit_ratio(&sc, seed, 20.0, 60.0)
    };
    for seed in 1..=2 {
        let (lru, lfu, fifo, random) =
            (ratio("lru", seed), ratio("lfu", seed), ratio("fifo", seed), ratio("random", seed));
        // (In-cache LFU forgets a key's count on eviction, so it stays below the static optimum.)
        assert!(lfu > lru + 0.02 && lfu < top + 0.01, "lfu {lfu} lru {lru} top-C mass {top} (seed {seed})");
        assert!((fifo - random).abs() < 0.02, "fifo {fifo} vs random {random} (seed {seed})");
        assert!(fifo < lru - 0.01, "fifo {fifo} below lru {lru} (seed {seed})");
    }
}

#[test]
fn ttl_too_short_lowers_the_hit_ratio_as_ttl_cache_theory_says() {
    // A key fetched on a miss stays T seconds; with Poisson requests at rate λ_i its hit
    // ratio is λ_i T / (1 + λ_i T).
    let (rate, keys, s) = (500.0, 1000u32, 1.0);
    let p = zipf(keys, s);
    let mut ratios = Vec::new();
    for ttl in [0.2, 5.0] {
        let theory: f64 = p.iter().map(|q| q * (rate * q * ttl) / (1.0 + rate * q * ttl)).sum();
        let sc = cached_reads(
            rate,
            keys,
            s,
            json!({ "capacity_keys": keys, "ttl_s": ttl, "write_policy": "read_through",
                    "service_time": { "constant": { "ms": 0.01 } } }),
        );
        let runs: Vec<f64> = (1..=3).map(|seed| measured_hit_ratio(&sc, seed, 20.0, 80.0)).collect();
        let (m, _) = mean_se(&runs);
        assert!((m - theory).abs() < 0.03, "TTL {ttl} s: hit ratio {m:.4} vs theory {theory:.4} (seeds 1-3)");
        ratios.push(m);
    }
    assert!(ratios[0] < ratios[1] - 0.2, "a short TTL must cost hits: {ratios:?}");
}

fn stampede(coalescing: bool) -> Scenario {
    // 100 keys warmed at 200 rps, then 2000 rps: the database (4 connections × 50 ms = 80 rps)
    // only copes because the cache absorbs nearly everything. The cache is flushed at 20 s.
    scenario(json!({ "version": 1, "nodes": [
        { "id": "users", "kind": { "client": { "rate_rps": 200, "keys": { "zipf": { "key_count": 100, "s": 1.0 } } } } },
        { "id": "cache", "kind": { "cache": { "capacity_keys": 1000, "coalescing": coalescing } } },
        db("db", 4, 50.0, 50.0) ],
        "edges": [ { "from": "users", "to": "cache", "latency_ms": 1 }, { "from": "cache", "to": "db", "latency_ms": 1 } ],
        "events": [ { "at_s": 10, "command": { "set_rate": { "client": "users", "rate_rps": 2000 } } },
                    { "at_s": 20, "command": { "flush_cache": { "id": "cache" } } } ] }))
}

#[test]
fn flushing_without_coalescing_multiplies_db_load_and_p99_with_coalescing_it_does_not() {
    for seed in 1..=3 {
        let mut out = Vec::new();
        for coalescing in [false, true] {
            let mut sim = Sim::with_seed(&stampede(coalescing), seed).unwrap();
            sim.step_until(at(19.5), u64::MAX);
            let before = sim.snapshot();
            sim.step_until(at(40.0), u64::MAX);
            let after = sim.snapshot();
            let db_reads = node(&after, "db").arrived - node(&before, "db").arrived;
            let p99 = after.series.iter().filter(|p| p.t_s > 20.0).map(|p| p.p99_ms).fold(0.0, f64::max);
            let steady_p99 = before.series.iter().filter(|p| p.t_s > 12.0).map(|p| p.p99_ms).fold(0.0, f64::max);
            out.push((db_reads, p99, steady_p99));
        }
        let ((storm_reads, storm_p99, steady), (calm_reads, calm_p99, _)) = (out[0], out[1]);
        // With coalescing each of the 100 keys is fetched once after the flush.
        assert!(calm_reads <= 100, "coalesced fetches after the flush: {calm_reads} (seed {seed})");
        assert!(storm_reads >= 10 * calm_reads, "DB reads {storm_reads} vs {calm_reads} coalesced (seed {seed})");
        assert!(storm_p99 >= 3.0 * calm_p99, "p99 {storm_p99} ms vs {calm_p99} ms coalesced (seed {seed})");
        assert!(steady < 10.0, "steady-state p99 {steady} ms (seed {seed})");
    }
}

#[test]
fn write_behind_loses_the_unflushed_writes_when_the_cache_dies() {
    for policy in ["write_behind", "write_through"] {
        let s = scenario(json!({ "version": 1, "nodes": [
            { "id": "users", "kind": { "client": { "rate_rps": 200, "mix": { "read": 1, "write": 1 },
                "keys": { "uniform": { "key_count": 500 } } } } },
            { "id": "cache", "kind": { "cache": { "capacity_keys": 1000, "write_policy": policy,
                "write_behind_delay_ms": 2000 } } },
            db("db", 8, 2.0, 5.0) ],
            "edges": [ { "from": "users", "to": "cache" }, { "from": "cache", "to": "db" } ] }));
        let mut sim = Sim::with_seed(&s, 11).unwrap();
        sim.step_until(at(10.0), u64::MAX);
        let dirty = cache_view(&sim.snapshot(), "cache").dirty_writes;
        sim.apply(Command::Kill { id: "cache".into() }).unwrap();
        sim.step_until(at(15.0), u64::MAX);
        let snap = sim.snapshot();
        let lost = cache_view(&snap, "cache").lost_writes;
        if policy == "write_behind" {
            // ~100 writes/s, each key dirty for 2 s: a few hundred acknowledged writes in the cache only.
            assert!(dirty > 50, "dirty writes before the crash: {dirty}");
            assert_eq!(lost, dirty, "exactly the unflushed writes are lost");
            assert_eq!(snap.global.data.lost_writes, lost);
            // The store got every acknowledged write that was flushed.
            let committed = db_view(&snap, "db").writes_committed;
            let acked = node(&snap, "cache").completed; // reads and writes
            assert!(committed > 0 && committed < acked, "committed {committed}");
        } else {
            assert_eq!((dirty, lost), (0, 0), "write-through keeps nothing unflushed");
        }
    }
}

fn replicated(write_frac: f64, replica_latency_ms: f64, apply_ms: f64, rate: f64, extra: Value) -> Scenario {
    let mut primary = db("primary", 16, 2.0, 2.0);
    primary["kind"]["database"]["read_from_replicas"] = json!(true);
    if let Value::Object(m) = extra {
        for (k, v) in m {
            primary["kind"]["database"][k] = v;
        }
    }
    scenario(json!({ "version": 1, "nodes": [
        { "id": "users", "kind": { "client": { "rate_rps": rate, "mix": { "read": 1.0 - write_frac, "write": write_frac },
            "keys": { "zipf": { "key_count": 200, "s": 1.0 } } } } },
        primary, db("replica-1", 16, 2.0, apply_ms), db("replica-2", 16, 2.0, apply_ms) ],
        "edges": [ { "from": "users", "to": "primary", "latency_ms": 1 },
                   { "from": "primary", "to": "replica-1", "latency_ms": replica_latency_ms },
                   { "from": "primary", "to": "replica-2", "latency_ms": replica_latency_ms } ] }))
}

fn stale_fraction(s: &Snapshot) -> f64 {
    let (mut reads, mut stale) = (0, 0);
    for id in ["replica-1", "replica-2"] {
        reads += db_view(s, id).reads;
        stale += db_view(s, id).stale_reads;
    }
    stale as f64 / reads as f64
}

#[test]
fn with_no_writes_replicas_never_serve_stale_reads() {
    for seed in 1..=20 {
        let snap = run(&replicated(0.0, 50.0, 1.0, 300.0, json!({})), seed, 20.0);
        assert!(db_view(&snap, "replica-1").reads > 1000, "replicas serve the reads (seed {seed})");
        assert_eq!(snap.global.data.stale_reads, 0, "stale reads without writes (seed {seed})");
    }
}

#[test]
fn stale_read_rate_rises_with_replication_lag() {
    for seed in 1..=3 {
        let fractions: Vec<f64> = [1.0, 30.0, 300.0]
            .iter()
            .map(|&lat| stale_fraction(&run(&replicated(0.2, lat, 1.0, 400.0, json!({})), seed, 30.0)))
            .collect();
        assert!(
            fractions[0] < fractions[1] && fractions[1] < fractions[2] && fractions[2] > 0.05,
            "stale fractions {fractions:?} (seed {seed})"
        );
    }
}

#[test]
fn replication_lag_grows_with_write_load_as_an_md1_apply_queue() {
    // Writes leave the primary as a Poisson stream (Burke), cross a 20 ms link and are applied
    // one at a time in 4 ms: lag = 20 ms + M/D/1 sojourn = 20 + D + ρD / (2(1 − ρ)).
    let d = 4.0;
    let mut lags = Vec::new();
    for write_rate in [50.0, 200.0] {
        let rho: f64 = write_rate * d / 1000.0;
        let theory = 20.0 + d + rho * d / (2.0 * (1.0 - rho));
        let runs: Vec<f64> = (1..=4)
            .map(|seed| {
                let snap = run(&replicated(1.0, 20.0, d, write_rate, json!({})), seed, 200.0);
                db_view(&snap, "replica-1").mean_replication_lag_ms
            })
            .collect();
        assert_close(&format!("mean lag at {write_rate} writes/s"), &runs, theory, 0.03, 0.01, "1-4");
        lags.push((theory, mean_se(&runs)));
    }
    // The growth itself, simulated against theory: the 20 ms link and the 4 ms apply cancel, so
    // what is left is the M/D/1 wait, ρD / (2(1 − ρ)), at ρ = 0.8 minus at ρ = 0.2 (7.5 ms).
    // The two means are independent, so their difference has standard error √(se₁² + se₂²);
    // a lag that did not grow with the load, or grew by the M/M/1 wait instead (twice as
    // much), is many standard errors away.
    let [(theory_lo, (lo, se_lo)), (theory_hi, (hi, se_hi))] = lags[..] else { unreachable!() };
    let (growth, theory_growth) = (hi - lo, theory_hi - theory_lo);
    let se = (se_lo * se_lo + se_hi * se_hi).sqrt();
    assert!(se < theory_growth / 20.0, "standard error {se:.3} ms of the growth is too large to tell (seeds 1-4)");
    assert!(
        (growth - theory_growth).abs() < 4.0 * se,
        "lag grows {growth:.3} ms from 50 to 200 writes/s, theory {theory_growth:.3} ms: off by more than 4 standard errors ({se:.3} ms) (seeds 1-4)"
    );
}

#[test]
fn read_your_writes_window_sends_recent_writers_to_the_primary() {
    // 90 writes/s applied in 9 ms each (ρ = 0.81): replicas lag tens of ms behind.
    for seed in 1..=3 {
        let plain = run(&replicated(0.3, 1.0, 9.0, 300.0, json!({})), seed, 20.0);
        let ryw = plain.global.data.ryw_violations;
        assert!(ryw > 50, "a lagging replica shows users their old data: {ryw} (seed {seed})");
        let windowed =
            run(&replicated(0.3, 1.0, 9.0, 300.0, json!({ "read_your_writes_window_ms": 1000 })), seed, 20.0);
        assert_eq!(windowed.global.data.ryw_violations, 0, "window longer than the lag (seed {seed})");
    }
}

#[test]
fn primary_failover_loses_exactly_the_unreplicated_writes() {
    for seed in 1..=5 {
        // 150 writes/s; replicas apply 100/s, so they lag further and further behind.
        let s = replicated(0.5, 20.0, 10.0, 300.0, json!({ "failover_detection_ms": 2000 }));
        let mut sim = Sim::with_seed(&s, seed).unwrap();
        sim.step_until(at(10.0), u64::MAX);
        sim.apply(Command::Kill { id: "primary".into() }).unwrap();
        sim.step_until(at(11.9), u64::MAX);
        let during = sim.snapshot().global.failed.node_down;
        assert!(during > 200, "requests fail while the failure is undetected: {during} (seed {seed})");
        sim.step_until(at(12.1), u64::MAX);
        let promoted = sim.snapshot();
        sim.step_until(at(20.0), u64::MAX);
        let end = sim.snapshot();
        let committed = db_view(&end, "primary").writes_committed;
        let (r1, r2) = (db_view(&end, "replica-1"), db_view(&end, "replica-2"));
        let (new, other) = if r1.role == "primary" { (r1, r2) } else { (r2, r1) };
        assert_eq!(new.role, "primary", "a replica was promoted (seed {seed})");
        assert_eq!(other.primary.as_deref(), Some(if r1.role == "primary" { "replica-1" } else { "replica-2" }));
        assert!(new.lost_writes > 100, "lost writes {} (seed {seed})", new.lost_writes);
        assert_eq!(new.lost_writes, committed - new.writes_applied, "lost = committed - applied (seed {seed})");
        assert_eq!(end.global.data.lost_writes, new.lost_writes);
        // After the promotion, requests reach the new primary and succeed.
        assert_eq!(end.global.failed.node_down, promoted.global.failed.node_down, "no errors after failover");
        assert!(end.global.completed > promoted.global.completed + 1500);
    }
}

fn queue(idempotent: bool, poison_keys: u32, rate: f64) -> Scenario {
    scenario(json!({ "version": 1, "nodes": [
        { "id": "uploads", "kind": { "client": { "rate_rps": rate, "mix": { "job": 1 },
            "keys": { "uniform": { "key_count": 10 } } } } },
        { "id": "jobs", "kind": { "message_queue": { "capacity": 1000, "workers": 2,
            "service_time": { "constant": { "ms": 200 } }, "visibility_timeout_ms": 1000,
            "max_attempts": 3, "retry_backoff_ms": 100, "idempotent": idempotent, "poison_keys": poison_keys } } } ],
        "edges": [ { "from": "uploads", "to": "jobs", "latency_ms": 1 } ] }))
}

fn queue_view(s: &Snapshot) -> sim_core::QueueView {
    node(s, "jobs").message_queue.clone().expect("queue view")
}

#[test]
fn killing_a_worker_mid_job_yields_a_duplicate_unless_consumers_are_idempotent() {
    for seed in 1..=5 {
        for idempotent in [false, true] {
            let mut sim = Sim::with_seed(&queue(idempotent, 0, 4.0), seed).unwrap();
            let mut t = 5.0;
            sim.step_until(at(t), u64::MAX);
            while node(&sim.snapshot(), "jobs").busy_workers == 0 {
                t += 0.01;
                sim.step_until(at(t), u64::MAX);
            }
            sim.apply(Command::KillWorker { id: "jobs".into() }).unwrap();
            sim.step_until(at(20.0), u64::MAX);
            sim.apply(Command::SetRate { client: "uploads".into(), rate_rps: 0.0 }).unwrap();
            sim.step_until(at(40.0), u64::MAX);
            let q = queue_view(&sim.snapshot());
            assert_eq!(q.workers_killed, 1);
            assert_eq!(q.redeliveries, 1, "the killed job is redelivered after the visibility timeout (seed {seed})");
            assert_eq!(q.backlog, 0, "everything processed (seed {seed})");
            assert_eq!(q.acknowledged, q.enqueued, "at-least-once: every message acknowledged (seed {seed})");
            let expected = if idempotent { 0 } else { 1 };
            assert_eq!(q.duplicates, expected, "idempotent {idempotent} (seed {seed})");
        }
    }
}

#[test]
fn a_poison_message_ends_in_the_dlq_after_max_attempts() {
    for seed in 1..=5 {
        let mut sim = Sim::with_seed(&queue(false, 1, 4.0), seed).unwrap();
        sim.step_until(at(30.0), u64::MAX);
        sim.apply(Command::SetRate { client: "uploads".into(), rate_rps: 0.0 }).unwrap();
        sim.step_until(at(60.0), u64::MAX);
        let snap = sim.snapshot();
        let q = queue_view(&snap);
        // Key 0 of 10 is poison: about 12 of ~120 messages.
        assert!(q.dlq_size >= 3, "poison messages in the DLQ: {} (seed {seed})", q.dlq_size);
        assert_eq!(q.failures, 3 * q.dlq_size, "each failed exactly max_attempts times (seed {seed})");
        assert_eq!(q.redeliveries, 2 * q.dlq_size, "two retries each (seed {seed})");
        assert_eq!(q.acknowledged + q.dlq_size, q.enqueued, "(seed {seed})");
        assert_eq!(q.backlog, 0);
        assert!(snap.log.iter().any(|l| l.text.contains("dead-letter queue after 3 attempts")), "{:?}", snap.log);
    }
}

#[test]
fn the_queue_backlog_and_oldest_age_grow_when_producers_outpace_consumers() {
    // 2 consumers × 200 ms = 10 messages/s; 20/s offered: the backlog grows ~10/s.
    let mut sim = Sim::with_seed(&queue(true, 0, 20.0), 3).unwrap();
    sim.step_until(at(30.0), u64::MAX);
    let snap = sim.snapshot();
    let q = queue_view(&snap);
    assert!((200..=400).contains(&q.backlog), "backlog {}", q.backlog);
    assert!(q.oldest_age_ms > 10_000.0, "oldest message waited {} ms", q.oldest_age_ms);
    assert_eq!(snap.global.failed.total(), 0, "producers return at once");
}

fn sharded(strategy: Value, shards: u32, cache: bool, hot_fraction: f64) -> Scenario {
    let mut nodes = vec![
        json!({ "id": "users", "kind": { "client": { "rate_rps": 400,
            "keys": { "hot_key": { "key_count": 10000, "hot_fraction": hot_fraction } } } } }),
        json!({ "id": "router", "kind": { "shard_router": { "strategy": strategy } } }),
    ];
    let mut edges = Vec::new();
    if cache {
        nodes.push(json!({ "id": "cache", "kind": { "cache": { "capacity_keys": 100, "ttl_s": 60 } } }));
        edges.push(json!({ "from": "users", "to": "cache" }));
        edges.push(json!({ "from": "cache", "to": "router" }));
    } else {
        edges.push(json!({ "from": "users", "to": "router" }));
    }
    for i in 0..shards {
        let id = format!("shard-{i}");
        let mut d = db(&id, 2, 10.0, 10.0);
        d["kind"]["database"]["queue_capacity"] = json!(100);
        nodes.push(d);
        edges.push(json!({ "from": "router", "to": id }));
    }
    scenario(json!({ "version": 1, "nodes": nodes, "edges": edges }))
}

fn moved_fraction_adding_a_shard(strategy: Value, n: u32) -> f64 {
    let mut sim = Sim::new(&sharded(strategy, n, false, 0.0)).unwrap();
    sim.step_until(at(0.1), u64::MAX);
    let mut d = db("shard-new", 2, 10.0, 10.0);
    d["kind"]["database"]["queue_capacity"] = json!(100);
    sim.apply(Command::AddNode(serde_json::from_value(d).unwrap())).unwrap();
    let edge = json!({ "from": "router", "to": "shard-new" });
    sim.apply(Command::AddEdge(serde_json::from_value(edge).unwrap())).unwrap();
    node(&sim.snapshot(), "router").shards.as_ref().unwrap().moved_fraction_last
}

#[test]
fn adding_a_shard_moves_one_in_n_plus_one_keys_with_consistent_hashing_and_most_with_modulo() {
    for n in [2u32, 4, 8] {
        let expect_ch = 1.0 / f64::from(n + 1);
        let expect_mod = f64::from(n) / f64::from(n + 1);
        let ch = moved_fraction_adding_a_shard(json!({ "consistent_hash": { "virtual_nodes": 200 } }), n);
        // 200 virtual nodes: a shard's arc is within ~±25% of its share.
        assert!((ch - expect_ch).abs() < 0.3 * expect_ch, "consistent hashing moved {ch:.3}, ≈ {expect_ch:.3} (N={n})");
        let m = moved_fraction_adding_a_shard(json!("modulo"), n);
        // 10 000 keys: binomial standard deviation below 0.005.
        assert!((m - expect_mod).abs() < 0.02, "modulo moved {m:.3}, ≈ {expect_mod:.3} (N={n})");
    }
    // Removing one of five shards moves exactly its keys with consistent hashing (≈ 1/5).
    let mut sim = Sim::new(&sharded(json!({ "consistent_hash": { "virtual_nodes": 200 } }), 5, false, 0.0)).unwrap();
    sim.step_until(at(0.1), u64::MAX);
    let before = node(&sim.snapshot(), "router").shards.clone().unwrap();
    let owned = before.shards.iter().find(|s| s.id == "shard-2").unwrap().keys;
    sim.apply(Command::RemoveEdge { from: "router".into(), to: "shard-2".into() }).unwrap();
    let after = node(&sim.snapshot(), "router").shards.clone().unwrap();
    assert_eq!(after.keys_moved_last, owned, "only the removed shard's keys move");
    assert!((after.moved_fraction_last - 0.2).abs() < 0.06, "{}", after.moved_fraction_last);
    assert_eq!(after.shards.len(), 4);
}

#[test]
fn a_celebrity_key_overloads_one_shard_and_a_cache_fixes_it() {
    for seed in 1..=3 {
        // Half of 400 rps is one key; each shard does 200 rps (2 × 10 ms).
        let hot = run(&sharded(json!("modulo"), 4, false, 0.5), seed, 30.0);
        let view = node(&hot, "router").shards.clone().unwrap();
        let top = view.shards.iter().max_by(|a, b| a.load_share.total_cmp(&b.load_share)).unwrap();
        assert!(top.load_share > 0.5, "hot shard share {} (seed {seed})", top.load_share);
        let hot_shard = node(&hot, &top.id);
        assert!(hot_shard.utilisation > 0.95, "hot shard utilisation {} (seed {seed})", hot_shard.utilisation);
        assert!(hot_shard.errors.queue_full > 100, "hot shard overflows (seed {seed})");
        for s in view.shards.iter().filter(|s| s.id != top.id) {
            assert!(node(&hot, &s.id).utilisation < 0.5, "{} is idle-ish (seed {seed})", s.id);
        }
        let cached = run(&sharded(json!("modulo"), 4, true, 0.5), seed, 30.0);
        assert_eq!(cached.global.failed.total(), 0, "a cache absorbs the celebrity (seed {seed})");
        assert!(node(&cached, &top.id).utilisation < 0.6, "(seed {seed})");
    }
}

#[test]
fn a_cdn_absorbs_static_traffic_so_origin_rps_falls_by_the_hit_ratio() {
    for seed in 1..=3 {
        let s = scenario(json!({ "version": 1, "nodes": [
            { "id": "users", "kind": { "client": { "rate_rps": 500, "mix": { "read": 1, "static_asset": 4 },
                "keys": { "zipf": { "key_count": 2000, "s": 1.0 } } } } },
            { "id": "edge", "kind": { "cdn": { "capacity_keys": 500, "ttl_s": 300 } } },
            { "id": "origin", "kind": { "server": { "workers": 50, "queue_capacity": 1000,
                "service_time": { "exponential": { "mean_ms": 20 } } } } } ],
            "edges": [ { "from": "users", "to": "edge", "latency_ms": 10 }, { "from": "edge", "to": "origin", "latency_ms": 40 } ] }));
        let snap = run(&s, seed, 60.0);
        let c = cache_view(&snap, "edge");
        let statics = c.hits + c.misses;
        let dynamic = node(&snap, "edge").arrived - statics;
        assert!(c.hit_ratio > 0.6, "hit ratio {} (seed {seed})", c.hit_ratio);
        let origin = node(&snap, "origin").arrived;
        // Reads pass through; static assets reach the origin only on a miss.
        let expected = dynamic as f64 + statics as f64 * (1.0 - c.hit_ratio);
        // (Up to the misses still on their way to the origin at the end.)
        assert!((origin as f64 - expected).abs() < 0.005 * expected, "origin {origin} vs {expected} (seed {seed})");
        assert!(snap.global.data.monthly_cost_usd > 0.0);
    }
}

fn two_regions() -> Scenario {
    let web = |id: &str, region: &str| {
        json!({ "id": id, "region": region, "kind": { "server": { "workers": 50, "queue_capacity": 100,
            "service_time": { "constant": { "ms": 10 } } } } })
    };
    scenario(json!({ "version": 1, "nodes": [
        { "id": "users", "region": "us-east", "kind": { "client": { "rate_rps": 200 } } },
        { "id": "dns", "kind": { "geo_dns": {} } },
        { "id": "lb-us", "region": "us-east", "kind": { "load_balancer": {} } },
        { "id": "lb-eu", "region": "eu-west", "kind": { "load_balancer": {} } },
        web("web-us", "us-east"), web("web-eu", "eu-west") ],
        "edges": [ { "from": "users", "to": "dns" }, { "from": "dns", "to": "lb-eu", "latency_ms": 1 },
                   { "from": "dns", "to": "lb-us", "latency_ms": 1 },
                   { "from": "lb-us", "to": "web-us" }, { "from": "lb-eu", "to": "web-eu" } ],
        "events": [ { "at_s": 10.05, "command": { "region_outage": { "region": "us-east" } } } ] }))
}

#[test]
fn a_region_outage_moves_users_to_the_next_region_with_higher_latency_and_no_errors_after_detection() {
    for seed in 1..=3 {
        let mut sim = Sim::with_seed(&two_regions(), seed).unwrap();
        sim.step_until(at(10.0), u64::MAX);
        let before = sim.snapshot();
        assert_eq!(before.global.failed.total(), 0);
        assert_eq!(node(&before, "web-eu").arrived, 0, "users go to their own region first (seed {seed})");
        // Probes every second, two failures: us-east is marked unhealthy at 12 s.
        sim.step_until(at(12.5), u64::MAX);
        let detected = sim.snapshot();
        let during = detected.global.failed.node_down;
        assert!((250..=550).contains(&during), "errors during detection: {during} (seed {seed})");
        assert!(detected.log.iter().any(|l| l.text == "lb-us marked unhealthy at 12.0 s by dns"), "{:?}", detected.log);
        sim.step_until(at(30.0), u64::MAX);
        let after = sim.snapshot();
        assert_eq!(after.global.failed.total(), during, "no errors after detection (seed {seed})");
        let p50_after = after.series.last().unwrap().p50_ms;
        let p50_before = before.series.last().unwrap().p50_ms;
        // 10 ms of service + 1 ms of link each way, plus the 80 ms us-east <-> eu-west round trip.
        assert!((p50_before - 12.0).abs() < 1.0, "p50 before {p50_before} (seed {seed})");
        assert!((p50_after - 92.0).abs() < 2.0, "p50 after {p50_after} (seed {seed})");
        assert!(node(&after, "web-eu").arrived > 3000);
    }
}

fn cap_store(mode: &str) -> Scenario {
    let replica = |id: &str, region: &str| json!({ "id": id, "region": region, "kind": { "replicated_store": { "cluster": "profiles", "mode": mode } } });
    let users = |id: &str, region: &str| {
        json!({ "id": id, "region": region, "kind": { "client": { "rate_rps": 200, "mix": { "read": 0.8, "write": 0.2 },
            "keys": { "zipf": { "key_count": 200, "s": 1.0 } } } } })
    };
    scenario(json!({ "version": 1, "nodes": [
        users("us-users", "us-east"), users("eu-users", "eu-west"),
        replica("store-us-1", "us-east"), replica("store-us-2", "us-east"), replica("store-eu", "eu-west") ],
        "edges": [ { "from": "us-users", "to": "store-us-1", "latency_ms": 1 },
                   { "from": "eu-users", "to": "store-eu", "latency_ms": 1 } ],
        "events": [ { "at_s": 10, "command": { "partition_regions": { "a": "us-east", "b": "eu-west" } } },
                    { "at_s": 20, "command": { "heal_regions": { "a": "us-east", "b": "eu-west" } } } ] }))
}

fn store_view(s: &Snapshot, id: &str) -> sim_core::StoreView {
    node(s, id).store.clone().expect("store view")
}

#[test]
fn cp_refuses_on_the_minority_side_ap_serves_stale_reads_and_both_converge_after_heal() {
    for seed in 1..=3 {
        let mut runs = Vec::new();
        for mode in ["cp", "ap"] {
            let mut sim = Sim::with_seed(&cap_store(mode), seed).unwrap();
            sim.step_until(at(9.9), u64::MAX);
            let before = sim.snapshot();
            sim.step_until(at(19.9), u64::MAX);
            let during = sim.snapshot();
            sim.step_until(at(30.0), u64::MAX);
            let after = sim.snapshot();
            runs.push((before, during, after));
        }
        let (cp, ap) = (&runs[0], &runs[1]);
        // Before the partition: no errors either way.
        assert_eq!(cp.0.global.failed.total() + ap.0.global.failed.total(), 0, "(seed {seed})");
        // CP: the EU replica (1 of 3) refuses everything for 10 s (~2000 requests); the US
        // majority keeps serving. No stale reads, no conflicts.
        let refused = store_view(&cp.1, "store-eu").refused;
        assert!((1700..=2300).contains(&refused), "CP refusals on the minority side: {refused} (seed {seed})");
        // (Up to the refusals still on their way back to the client.)
        let failed = cp.1.global.failed.partition;
        assert!(failed <= refused && refused <= failed + 5, "{failed} failed vs {refused} refused (seed {seed})");
        assert_eq!(store_view(&cp.1, "store-us-1").refused, 0);
        assert_eq!(cp.2.global.data.stale_reads, 0, "CP never serves stale reads (seed {seed})");
        assert_eq!(cp.2.global.data.conflicts, 0);
        // AP: no errors, but stale reads and divergence during the partition, conflicts at heal.
        assert_eq!(ap.2.global.failed.total(), 0, "AP always answers (seed {seed})");
        let stale = ap.1.global.data.stale_reads - ap.0.global.data.stale_reads;
        assert!(stale > 500, "AP stale reads during the partition: {stale} (seed {seed})");
        assert!(store_view(&ap.1, "store-eu").divergent_keys > 20, "(seed {seed})");
        assert!(ap.2.global.data.conflicts > 10, "concurrent writes on both sides (seed {seed})");
        // After the heal every replica holds the newest value of every key (the last writes are
        // at most one one-way trip old).
        for mode in ["cp", "ap"] {
            let mut sim = Sim::with_seed(&cap_store(mode), seed).unwrap();
            sim.step_until(at(30.0), u64::MAX);
            sim.apply(Command::SetRate { client: "us-users".into(), rate_rps: 0.0 }).unwrap();
            sim.apply(Command::SetRate { client: "eu-users".into(), rate_rps: 0.0 }).unwrap();
            sim.step_until(at(31.0), u64::MAX);
            let quiet = sim.snapshot();
            for id in ["store-us-1", "store-us-2", "store-eu"] {
                assert_eq!(store_view(&quiet, id).divergent_keys, 0, "{mode}: {id} converged (seed {seed})");
            }
        }
    }
}

#[test]
fn each_data_tier_example_shows_its_component_at_work() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/");
    let load = |name: &str| {
        let text = std::fs::read_to_string(format!("{dir}{name}.json")).unwrap();
        let s = Scenario::from_json(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        sim_core::run_headless(&s, None, None).unwrap().snapshot
    };
    let s = load("cache-stampede");
    assert!(cache_view(&s, "cache").store_requests > 2000, "the flush stampedes the database");
    let s = load("cdn");
    assert!(cache_view(&s, "cdn-eu").hit_ratio > 0.5 && node(&s, "cdn-us").arrived > node(&s, "cdn-eu").arrived);
    let s = load("replicas-failover");
    assert!(s.log.iter().any(|l| l.text.contains("promoted to primary")), "{:?}", s.log);
    assert!(db_view(&s, "replica-2").reads > 1000);
    let s = load("shards");
    assert!(node(&s, "router").shards.as_ref().unwrap().keys_moved_last > 0);
    let s = load("message-queue");
    let q = node(&s, "photo-jobs").message_queue.clone().unwrap();
    assert!(q.dlq_size > 0 && q.duplicates > 0 && q.workers_killed == 1);
    let s = load("geodns-failover");
    assert!(node(&s, "web-eu-west").arrived > 0 && s.global.failed.node_down > 0);
    let s = load("sticky-sessions");
    let lost = node(&s, "web-2").sessions.as_ref().unwrap().lost;
    assert!(lost > 400 && s.global.data.sessions_lost == lost && s.global.data.relogins >= lost, "{:?}", s.global.data);
    let s = load("cap-partition");
    assert!(store_view(&s, "store-eu").refused > 1000);
    // The cost estimate: the total is the sum of the components, and request-priced
    // components cost more with more traffic.
    let total: f64 = s.nodes.iter().map(|n| n.monthly_cost_usd).sum();
    assert!((s.global.data.monthly_cost_usd - total).abs() < 1e-6);
    assert!((total - 3.0 * 0.171 * 730.0).abs() < 1e-6, "three store replicas: {total}");
}

#[test]
fn cdn_cost_follows_the_traffic_it_serves() {
    let cost = |rate: f64| {
        let s = scenario(json!({ "version": 1, "nodes": [
            { "id": "users", "kind": { "client": { "rate_rps": rate, "mix": { "static_asset": 1 } } } },
            { "id": "edge", "kind": { "cdn": { "capacity_keys": 1000 } } },
            { "id": "origin", "kind": { "server": { "workers": 50, "queue_capacity": 100,
                "service_time": { "constant": { "ms": 5 } } } } } ],
            "edges": [ { "from": "users", "to": "edge" }, { "from": "edge", "to": "origin" } ] }));
        node(&run(&s, 1, 20.0), "edge").monthly_cost_usd
    };
    let (low, high) = (cost(100.0), cost(400.0));
    // $0.0075 per 10 000 requests + $0.085/GB at 100 kB: ≈ $2 400 a month per 100 rps.
    assert!((low - 100.0 * 2.628e6 * (0.0075 / 1e4 + 0.085 * 1e-4)).abs() < 0.05 * low, "{low}");
    assert!((high / low - 4.0).abs() < 0.2, "{high} vs {low}");
}

#[test]
fn a_hot_key_expiring_stampedes_the_database_unless_misses_are_coalesced() {
    // 1000 rps on one key, TTL 2 s, a 50 ms fetch: every request arriving while the expired
    // key is being fetched misses too, λ × 50 ms ≈ 50 database reads per expiry.
    for seed in 1..=3 {
        let mut per_expiry = Vec::new();
        for coalescing in [false, true] {
            let s = scenario(json!({ "version": 1, "nodes": [
                { "id": "users", "kind": { "client": { "rate_rps": 1000, "keys": { "uniform": { "key_count": 1 } } } } },
                { "id": "cache", "kind": { "cache": { "capacity_keys": 10, "ttl_s": 2, "coalescing": coalescing,
                    "write_policy": "read_through" } } },
                db("db", 100, 50.0, 50.0) ],
                "edges": [ { "from": "users", "to": "cache" }, { "from": "cache", "to": "db" } ] }));
            let snap = run(&s, seed, 60.0);
            let c = cache_view(&snap, "cache");
            assert!(c.expirations >= 25, "about one expiry per ~2 s: {} (seed {seed})", c.expirations);
            per_expiry.push((node(&snap, "db").arrived - 1) as f64 / c.expirations as f64);
        }
        assert!((40.0..=60.0).contains(&per_expiry[0]), "DB reads per expiry {} (seed {seed})", per_expiry[0]);
        assert!((per_expiry[1] - 1.0).abs() < 0.05, "coalesced: one fetch per expiry, {} (seed {seed})", per_expiry[1]);
    }
}

#[test]
fn after_a_deploy_a_cdn_serves_old_assets_until_purged_or_versioned() {
    let cdn = |versioned: bool, purge: bool| {
        let mut events = vec![json!({ "at_s": 10, "command": { "deploy_assets": {} } })];
        if purge {
            events.push(json!({ "at_s": 10, "command": { "flush_cache": { "id": "edge" } } }));
        }
        let s = scenario(json!({ "version": 1, "nodes": [
            { "id": "users", "kind": { "client": { "rate_rps": 500, "mix": { "static_asset": 1 },
                "keys": { "zipf": { "key_count": 500, "s": 1.0 } } } } },
            { "id": "edge", "kind": { "cdn": { "capacity_keys": 500, "ttl_s": 600, "versioned_urls": versioned } } },
            { "id": "origin", "kind": { "server": { "workers": 50, "queue_capacity": 1000,
                "service_time": { "constant": { "ms": 5 } } } } } ],
            "edges": [ { "from": "users", "to": "edge" }, { "from": "edge", "to": "origin", "latency_ms": 40 } ],
            "events": events }));
        let mut sim = Sim::with_seed(&s, 5).unwrap();
        sim.step_until(at(9.99), u64::MAX);
        let before = sim.snapshot();
        sim.step_until(at(30.0), u64::MAX);
        let after = sim.snapshot();
        let stale = cache_view(&after, "edge").stale_hits;
        let fetched = node(&after, "origin").arrived - node(&before, "origin").arrived;
        (stale, fetched)
    };
    let (plain_stale, plain_fetched) = cdn(false, false);
    let (purged_stale, purged_fetched) = cdn(false, true);
    let (versioned_stale, versioned_fetched) = cdn(true, false);
    // Without a purge, nearly every request for 20 s gets the old asset (the TTL is 10 min).
    assert!(plain_stale > 8000, "old assets served: {plain_stale}");
    assert_eq!((purged_stale, versioned_stale), (0, 0), "purge or versioned URLs: never the old asset");
    // Both refetch the assets in use from the origin; without either, the origin sees only
    // the few keys never fetched before.
    assert!(
        purged_fetched > 5 * plain_fetched.max(1) && versioned_fetched > 5 * plain_fetched.max(1),
        "origin fetches: plain {plain_fetched}, purge {purged_fetched}, versioned {versioned_fetched}"
    );
}

#[test]
fn bad_data_tier_parameters_are_rejected_with_the_field_named() {
    let with = |kind: Value| {
        let text = json!({ "version": 1, "nodes": [ { "id": "x", "kind": kind } ] }).to_string();
        Scenario::from_json(&text).unwrap_err().to_string()
    };
    let cases = [
        (json!({ "cache": { "capacity_keys": 0 } }), "nodes[0].kind.cache.capacity_keys:"),
        (json!({ "cache": { "capacity_keys": 10, "ttl_s": -1 } }), "nodes[0].kind.cache.ttl_s:"),
        (json!({ "cache": { "capacity_keys": 10, "eviction": "mru" } }), "nodes[0].kind.cache.eviction"),
        (json!({ "cdn": { "capacity_keys": 2000000 } }), "nodes[0].kind.cdn.capacity_keys:"),
        (
            json!({ "shard_router": { "strategy": { "consistent_hash": { "virtual_nodes": 0 } } } }),
            "nodes[0].kind.shard_router.strategy.consistent_hash.virtual_nodes:",
        ),
        (json!({ "shard_router": { "key_space": 0 } }), "nodes[0].kind.shard_router.key_space:"),
        (
            json!({ "message_queue": { "capacity": 10, "workers": 1, "service_time": { "constant": { "ms": 1 } },
                "visibility_timeout_ms": 100, "max_attempts": 0 } }),
            "nodes[0].kind.message_queue.max_attempts:",
        ),
        (
            json!({ "message_queue": { "capacity": 10, "workers": 1, "service_time": { "constant": { "ms": 1 } },
                "visibility_timeout_ms": f64::NAN } }),
            "nodes[0].kind.message_queue.visibility_timeout_ms",
        ),
        (
            json!({ "geo_dns": { "health_check": { "interval_ms": 0, "unhealthy_threshold": 1, "healthy_threshold": 1 } } }),
            "nodes[0].kind.geo_dns.health_check.interval_ms:",
        ),
        (json!({ "replicated_store": { "cluster": "" } }), "nodes[0].kind.replicated_store.cluster:"),
        (json!({ "replicated_store": { "cluster": "a", "mode": "ca" } }), "nodes[0].kind.replicated_store.mode"),
        (
            json!({ "database": { "max_connections": 1, "queue_capacity": 1,
                "read_service_time": { "constant": { "ms": 1 } }, "write_service_time": { "constant": { "ms": 1 } },
                "failover_detection_ms": 0 } }),
            "nodes[0].kind.database.failover_detection_ms:",
        ),
    ];
    for (kind, path) in cases {
        let e = with(kind.clone());
        assert!(e.starts_with(path), "{kind}: {e}");
    }
    // Commands on the wrong kind of node are errors, never panics.
    let mut sim = Sim::new(&queue(false, 0, 1.0)).unwrap();
    let e = sim.apply(Command::FlushCache { id: "jobs".into() }).unwrap_err().to_string();
    assert!(e.starts_with("command.flush_cache.id:"), "{e}");
    let e = sim.apply(Command::KillWorker { id: "uploads".into() }).unwrap_err().to_string();
    assert!(e.starts_with("command.kill_worker.id:"), "{e}");
    let e = sim.apply(Command::KillWorker { id: "jobs".into() }).unwrap_err().to_string();
    assert!(e.contains("no consumer of jobs is busy"), "{e}");
}

#[test]
fn a_shard_can_have_read_replicas() {
    let mut primary = db("shard-0", 4, 5.0, 5.0);
    primary["kind"]["database"]["read_from_replicas"] = json!(true);
    let s = scenario(json!({ "version": 1, "nodes": [
        { "id": "users", "kind": { "client": { "rate_rps": 300, "mix": { "read": 0.9, "write": 0.1 } } } },
        { "id": "router", "kind": { "shard_router": { "strategy": "range", "key_space": 1000 } } },
        primary, db("shard-0-replica", 4, 5.0, 1.0), db("shard-1", 4, 5.0, 5.0) ],
        "edges": [ { "from": "users", "to": "router" }, { "from": "router", "to": "shard-0" },
                   { "from": "router", "to": "shard-1" }, { "from": "shard-0", "to": "shard-0-replica", "latency_ms": 1 } ] }));
    let snap = run(&s, 2, 20.0);
    let view = node(&snap, "router").shards.clone().unwrap();
    // Range: keys 0-499 on shard-0, 500-999 on shard-1; the replica is not a shard.
    assert_eq!(
        view.shards.iter().map(|s| (s.id.as_str(), s.keys)).collect::<Vec<_>>(),
        [("shard-0", 500), ("shard-1", 500)]
    );
    let replica = db_view(&snap, "shard-0-replica");
    assert_eq!(replica.role, "replica");
    assert!(replica.reads > 2000 && db_view(&snap, "shard-0").reads == 0, "shard-0's reads go to its replica");
    assert!(replica.writes_applied > 200 && snap.global.failed.total() == 0);
}

#[test]
fn without_invalidation_a_cache_serves_stale_values_until_their_ttl() {
    let stale = |policy: &str, invalidate: bool| {
        let s = scenario(json!({ "version": 1, "nodes": [
            { "id": "users", "kind": { "client": { "rate_rps": 500, "mix": { "read": 0.9, "write": 0.1 },
                "keys": { "zipf": { "key_count": 100, "s": 1.0 } } } } },
            { "id": "cache", "kind": { "cache": { "capacity_keys": 100, "ttl_s": 30, "write_policy": policy,
                "invalidate_on_write": invalidate } } },
            db("db", 16, 5.0, 5.0) ],
            "edges": [ { "from": "users", "to": "cache" }, { "from": "cache", "to": "db", "latency_ms": 1 } ] }));
        let snap = run(&s, 4, 30.0);
        let c = cache_view(&snap, "cache");
        c.stale_hits as f64 / c.hits as f64
    };
    let kept = stale("cache_aside", false);
    let invalidated = stale("cache_aside", true);
    let through = stale("write_through", true);
    assert!(kept > 0.3, "stale hits without invalidation: {kept}");
    // With invalidation only races remain (a fill that read the store just before a write).
    assert!(invalidated < kept / 10.0 && through < kept / 10.0, "{invalidated} / {through} vs {kept}");
}

/// Writes only, uniform over `keys` keys, through a cache with `policy` to a database.
fn writes_through_cache(policy: &str, rate: f64, keys: u32, delay_ms: f64) -> Scenario {
    scenario(json!({ "version": 1, "nodes": [
        { "id": "users", "kind": { "client": { "rate_rps": rate, "mix": { "write": 1 },
            "keys": { "uniform": { "key_count": keys } } } } },
        { "id": "cache", "kind": { "cache": { "capacity_keys": 1000, "write_policy": policy,
            "write_behind_delay_ms": delay_ms } } },
        db("db", 8, 1.0, 2.0) ],
        "edges": [ { "from": "users", "to": "cache", "latency_ms": 1 }, { "from": "cache", "to": "db", "latency_ms": 1 } ] }))
}

#[test]
fn write_behind_flushes_load_the_database_once_per_coalesced_key() {
    // 500 writes/s over 50 keys (10/s per key), flushed 200 ms after a key turns dirty: a
    // key's cycle is the 200 ms delay plus the wait for its next write (mean 100 ms), so the
    // database sees 50 / 0.3 s ≈ 167 writes/s instead of 500.
    let (rate, keys, delay) = (500.0, 50u32, 0.2);
    let theory = f64::from(keys) / (delay + f64::from(keys) / rate);
    let mut rates = Vec::new();
    for seed in 1..=4 {
        let s = writes_through_cache("write_behind", rate, keys, delay * 1e3);
        let mut sim = Sim::with_seed(&s, seed).unwrap();
        sim.step_until(at(5.0), u64::MAX);
        let a = sim.snapshot();
        sim.step_until(at(65.0), u64::MAX);
        let b = sim.snapshot();
        // Every flush is one write request at the database, queued and served there.
        let flushes = cache_view(&b, "cache").flushes - cache_view(&a, "cache").flushes;
        let db_writes = node(&b, "db").arrived - node(&a, "db").arrived;
        assert!(flushes.abs_diff(db_writes) <= 5, "flushes {flushes} vs database writes {db_writes} (seed {seed})");
        let committed = db_view(&b, "db").writes_committed;
        assert!(committed <= cache_view(&b, "cache").flushes && committed + 5 >= cache_view(&b, "cache").flushes);
        assert!(node(&b, "db").utilisation > 0.0 && cache_view(&b, "cache").lost_writes == 0);
        rates.push(db_writes as f64 / 60.0);
    }
    assert_close("database writes/s under write-behind", &rates, theory, 0.03, 0.01, "1-4");
    // Write-through sends every write to the database.
    let through = run(&writes_through_cache("write_through", rate, keys, delay * 1e3), 1, 60.0);
    let through_rate = node(&through, "db").arrived as f64 / 60.0;
    assert!((through_rate / rate - 1.0).abs() < 0.03, "write-through database writes/s {through_rate}");
    assert!(rates[0] < 0.4 * through_rate);
}

#[test]
fn a_write_behind_flush_the_store_refuses_is_a_lost_write() {
    let s = writes_through_cache("write_behind", 200.0, 50, 100.0);
    let mut sim = Sim::with_seed(&s, 3).unwrap();
    sim.step_until(at(5.0), u64::MAX);
    sim.apply(Command::Kill { id: "db".into() }).unwrap();
    let before = sim.snapshot();
    sim.step_until(at(10.0), u64::MAX);
    let after = sim.snapshot();
    assert_eq!(cache_view(&before, "cache").lost_writes, 0);
    // The cache still acknowledges writes; each flush now fails at the dead database.
    let (c, acked) = (cache_view(&after, "cache"), node(&after, "cache").completed - node(&before, "cache").completed);
    // Every write acknowledged since is lost or still dirty, give or take the flushes in flight
    // at either end.
    let accounted = c.lost_writes + c.dirty_writes;
    let expected = acked + cache_view(&before, "cache").dirty_writes;
    assert!(accounted.abs_diff(expected) <= 5, "{accounted} vs {expected}");
    assert!(c.lost_writes > 500, "lost writes {}", c.lost_writes);
    assert_eq!(db_view(&after, "db").writes_committed, db_view(&before, "db").writes_committed);
}

/// A client in `client_region` calling a server in `server_region` over a 0 ms edge.
fn cross_region(client_region: &str, server_region: &str, overrides: Value) -> Scenario {
    scenario(json!({ "version": 1, "nodes": [
        { "id": "users", "region": client_region, "kind": { "client": { "rate_rps": 20 } } },
        { "id": "web", "region": server_region, "kind": { "server": { "workers": 100, "queue_capacity": 10,
            "service_time": { "constant": { "ms": 10 } } } } } ],
        "edges": [ { "from": "users", "to": "web" } ], "region_latency": overrides }))
}

#[test]
fn a_cross_region_request_pays_the_round_trip_the_scenario_sets() {
    // Default: Virginia → Tokyo 180 ms (charged once) + 10 ms of service.
    let default = run(&cross_region("us-east", "ap-northeast", json!([])), 1, 10.0);
    assert!((default.global.latency.p50_ms - 190.0).abs() < 0.5, "{:?}", default.global.latency);
    let custom = json!([ { "a": "ap-northeast", "b": "us-east", "rtt_ms": 50 } ]);
    let fast = run(&cross_region("us-east", "ap-northeast", custom.clone()), 1, 10.0);
    assert!((fast.global.latency.p50_ms - 60.0).abs() < 0.2, "{:?}", fast.global.latency);
    assert!((fast.global.latency.max_ms - 60.0).abs() < 0.2, "every request pays exactly the override");
    // Other pairs keep the built-in table; invented region names may be given a round trip.
    let other = run(&cross_region("us-east", "eu-west", custom), 1, 10.0);
    assert!((other.global.latency.p50_ms - 90.0).abs() < 0.5, "{:?}", other.global.latency);
    let mars = json!([ { "a": "mars", "b": "us-east", "rtt_ms": 1200 } ]);
    let far = run(&cross_region("us-east", "mars", mars), 1, 10.0);
    assert!((far.global.latency.p50_ms - 1210.0).abs() < 2.0, "{:?}", far.global.latency);
    let doc = cross_region("us-east", "ap-northeast", json!([ { "a": "us-east", "b": "ap-northeast", "rtt_ms": 0 } ]));
    assert!((run(&doc, 1, 10.0).global.latency.p50_ms - 10.0).abs() < 0.1, "a zero round trip is allowed");
}

#[test]
fn bad_region_round_trips_are_rejected_with_the_field_named() {
    let err = |overrides: Value| {
        let s = cross_region("us-east", "ap-northeast", json!([]));
        let mut v: Value = serde_json::from_str(&s.to_json()).unwrap();
        v["region_latency"] = overrides;
        Scenario::from_json(&v.to_string()).expect_err("invalid round trip")
    };
    let e = err(json!([ { "a": "us-east", "b": "ap-northeast", "rtt_ms": -1 } ]));
    assert_eq!(e.path, "region_latency[0].rtt_ms", "{e}");
    let e = err(json!([ { "a": "us-east", "b": "ap-northeast", "rtt_ms": 1e300 } ]));
    assert_eq!(e.path, "region_latency[0].rtt_ms", "{e}");
    let e = err(
        json!([ { "a": "us-east", "b": "eu-west", "rtt_ms": 10 }, { "a": "atlantis", "b": "us-east", "rtt_ms": 1 } ]),
    );
    assert_eq!(e.path, "region_latency[1].a", "{e}");
    assert!(e.message.contains("atlantis"), "{e}");
    let e = err(
        json!([ { "a": "us-east", "b": "eu-west", "rtt_ms": 10 }, { "a": "eu-west", "b": "us-east", "rtt_ms": 12 } ]),
    );
    assert_eq!(e.path, "region_latency[1]", "{e}");
    let e = err(json!([ { "a": "us-east", "b": "eu-west" } ]));
    assert!(e.path.starts_with("region_latency[0]"), "{e}");
}

#[test]
fn a_cut_replication_link_holds_writes_so_lag_grows_and_reads_go_stale_until_the_heal() {
    // Writers write to the primary; readers read the replica directly. The link from the
    // primary to the replica is cut from 10 s to 20 s.
    let s = scenario(json!({ "version": 1, "nodes": [
        { "id": "writers", "kind": { "client": { "rate_rps": 50, "mix": { "write": 1 },
            "keys": { "uniform": { "key_count": 20 } } } } },
        { "id": "readers", "kind": { "client": { "rate_rps": 100, "mix": { "read": 1 },
            "keys": { "uniform": { "key_count": 20 } } } } },
        db("primary", 16, 1.0, 1.0), db("replica", 16, 1.0, 1.0) ],
        "edges": [ { "from": "writers", "to": "primary", "latency_ms": 1 },
                   { "from": "readers", "to": "replica", "latency_ms": 1 },
                   { "from": "primary", "to": "replica", "latency_ms": 5 } ],
        "events": [ { "at_s": 10, "command": { "partition": { "from": "primary", "to": "replica" } } },
                    { "at_s": 20, "command": { "heal": { "from": "primary", "to": "replica" } } } ] }));
    for seed in 1..=3 {
        let mut sim = Sim::with_seed(&s, seed).unwrap();
        let mut lag = Vec::new();
        let mut snaps = Vec::new();
        for t in [9.9, 12.0, 15.0, 19.9, 22.0] {
            sim.step_until(at(t), u64::MAX);
            let snap = sim.snapshot();
            lag.push(db_view(&snap, "replica").replication_lag_ms);
            snaps.push(snap);
        }
        // Before the cut: the 5 ms link plus a 1 ms apply.
        assert!(lag[0] < 10.0, "lag before the cut {lag:?} (seed {seed})");
        // During the cut the primary holds every write: the lag is the age of the oldest.
        assert!((lag[1] - 2000.0).abs() < 100.0 && (lag[2] - 5000.0).abs() < 100.0, "{lag:?} (seed {seed})");
        assert!((lag[3] - 9900.0).abs() < 100.0, "{lag:?} (seed {seed})");
        let held = db_view(&snaps[3], "replica").replication_backlog;
        assert!(held > 400, "writes held for the replica: {held} (seed {seed})");
        // Writes already on the link at the cut are applied by 12 s; nothing more until the heal.
        let applied = |i: usize| db_view(&snaps[i], "replica").writes_applied;
        assert_eq!(applied(3), applied(1), "nothing replicates across the cut (seed {seed})");
        let stale = |i: usize| db_view(&snaps[i], "replica").stale_reads;
        let reads = |i: usize| db_view(&snaps[i], "replica").reads;
        let cut_stale = (stale(3) - stale(0)) as f64 / (reads(3) - reads(0)) as f64;
        assert!(cut_stale > 0.9, "reads during the cut are stale: {cut_stale} (seed {seed})");
        // After the heal the held writes arrive and are applied: the replica catches up.
        assert!(lag[4] < 10.0, "lag after the heal {lag:?} (seed {seed})");
        assert!(db_view(&snaps[4], "replica").replication_backlog <= 5, "backlog drained (seed {seed})");
        let applied = db_view(&snaps[4], "replica").writes_applied;
        assert!(applied + 5 >= db_view(&snaps[4], "primary").writes_committed, "caught up (seed {seed})");
        let late_stale = (stale(4) - stale(3)) as f64 / (reads(4) - reads(3)) as f64;
        assert!(late_stale < cut_stale / 2.0, "stale fraction after the heal {late_stale} (seed {seed})");
    }
}
