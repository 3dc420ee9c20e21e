//! Queueing-theory checks: many independent replications, tolerances from theory.
//!
//! Each test runs `SEEDS` independent seeds, takes the mean over replications and its
//! standard error, asserts the standard error is below 0.5 % of the theoretical value (so
//! the 2 % tolerance is at least four standard errors wide) and then the 2 % tolerance.

use crate::common::*;
use serde_json::json;

const SEEDS: u64 = 40;
const MAX_SE: f64 = 0.005;
const TOL: f64 = 0.02;

fn station(id: &str, workers: u32, mean_ms: f64, downstream: &str) -> serde_json::Value {
    json!({ "id": id, "kind": { "server": { "workers": workers, "queue_capacity": 100000,
        "service_time": { "exponential": { "mean_ms": mean_ms } }, "downstream": downstream } } })
}

fn replicate(s: &sim_core::Scenario, duration_s: f64) -> Vec<sim_core::Snapshot> {
    (1..=SEEDS).map(|seed| run(s, seed, duration_s)).collect()
}

fn seeds() -> String {
    format!("1..={SEEDS}")
}

#[test]
fn mm1_sojourn_utilisation_and_littles_law() {
    // λ = 80/s, μ = 100/s: ρ = 0.8, W = 1/(μ-λ) = 50 ms, Lq = ρ²/(1-ρ) = 3.2.
    let (lambda, mu) = (80.0, 100.0);
    let s = scenario(json!({ "version": 1, "nodes": [
        { "id": "users", "kind": { "client": { "rate_rps": lambda } } },
        station("server", 1, 1000.0 / mu, "call") ],
        "edges": [ { "from": "users", "to": "server" } ] }));
    let runs = replicate(&s, 2000.0);
    let w: Vec<f64> = runs.iter().map(|r| r.global.latency.mean_ms / 1e3).collect();
    assert_close("M/M/1 mean sojourn", &w, 1.0 / (mu - lambda), TOL, MAX_SE, &seeds());
    let u: Vec<f64> = runs.iter().map(|r| node(r, "server").utilisation).collect();
    assert_close("M/M/1 utilisation", &u, lambda / mu, TOL, MAX_SE, &seeds());
    let lq: Vec<f64> = runs.iter().map(|r| node(r, "server").mean_queue_len).collect();
    let rho = lambda / mu;
    // Lq has a larger relative variance than W: allow a wider standard error.
    assert_close("M/M/1 mean queue length", &lq, rho * rho / (1.0 - rho), 0.04, 0.01, &seeds());
    // Little's law, L = λW, per run (it holds on every sample path up to edge effects).
    for (i, r) in runs.iter().enumerate() {
        let l = r.global.mean_in_flight;
        let lw = r.global.throughput_rps * r.global.latency.mean_ms / 1e3;
        assert!((l - lw).abs() / lw < TOL, "Little's law: L = {l} vs λW = {lw} (seed {})", i + 1);
    }
}

#[test]
fn mmc_sojourn_and_utilisation_match_erlang_c() {
    // λ = 800/s, c = 4, μ = 250/s: ρ = 0.8.
    let (lambda, mu, c) = (800.0, 250.0, 4);
    let s = scenario(json!({ "version": 1, "nodes": [
        { "id": "users", "kind": { "client": { "rate_rps": lambda } } },
        station("web", c, 1000.0 / mu, "call") ],
        "edges": [ { "from": "users", "to": "web" } ] }));
    let runs = replicate(&s, 300.0);
    let w: Vec<f64> = runs.iter().map(|r| r.global.latency.mean_ms / 1e3).collect();
    assert_close("M/M/4 mean sojourn", &w, mmc_sojourn(lambda, mu, c), TOL, MAX_SE, &seeds());
    let u: Vec<f64> = runs.iter().map(|r| node(r, "web").utilisation).collect();
    assert_close("M/M/4 utilisation", &u, lambda / (mu * f64::from(c)), TOL, MAX_SE, &seeds());
    let lq: Vec<f64> = runs.iter().map(|r| node(r, "web").mean_queue_len).collect();
    assert_close("M/M/4 mean queue length", &lq, mmc_queue_len(lambda, mu, c), 0.04, 0.01, &seeds());
}

#[test]
fn tandem_network_matches_jackson() {
    // λ = 800/s → web M/M/4 (μ = 250/s) → db M/M/2 (μ = 500/s); forward (open network).
    let lambda = 800.0;
    let s = scenario(json!({ "version": 1, "nodes": [
        { "id": "users", "kind": { "client": { "rate_rps": lambda } } },
        station("web", 4, 4.0, "forward"), station("db", 2, 2.0, "call") ],
        "edges": [ { "from": "users", "to": "web" }, { "from": "web", "to": "db" } ] }));
    let runs = replicate(&s, 300.0);
    let jackson = mmc_sojourn(lambda, 250.0, 4) + mmc_sojourn(lambda, 500.0, 2);
    let w: Vec<f64> = runs.iter().map(|r| r.global.latency.mean_ms / 1e3).collect();
    assert_close("tandem mean sojourn", &w, jackson, TOL, MAX_SE, &seeds());
    let db: Vec<f64> = runs.iter().map(|r| node(r, "db").latency.mean_ms / 1e3).collect();
    assert_close("tandem db sojourn", &db, mmc_sojourn(lambda, 500.0, 2), TOL, MAX_SE, &seeds());
    for (i, r) in runs.iter().enumerate() {
        for id in ["web", "db"] {
            let n = node(r, id);
            let lw = n.throughput_rps * n.latency.mean_ms / 1e3;
            assert!(
                (n.mean_in_flight - lw).abs() / lw < TOL,
                "Little's law at {id}: L = {} vs λW = {lw} (seed {})",
                n.mean_in_flight,
                i + 1
            );
        }
    }
}

#[test]
fn mm1_percentiles_follow_the_exponential_sojourn() {
    // The M/M/1 sojourn is exponential with rate μ-λ: p95 = ln 20/(μ-λ), p50 = ln 2/(μ-λ).
    let s = scenario(json!({ "version": 1, "nodes": [
        { "id": "users", "kind": { "client": { "rate_rps": 50.0 } } },
        station("server", 1, 10.0, "call") ],
        "edges": [ { "from": "users", "to": "server" } ] }));
    let runs: Vec<_> = (1..=20).map(|seed| run(&s, seed, 2000.0)).collect();
    let p95: Vec<f64> = runs.iter().map(|r| r.global.latency.p95_ms / 1e3).collect();
    assert_close("M/M/1 p95", &p95, 20f64.ln() / 50.0, TOL, MAX_SE, "1..=20");
    let p50: Vec<f64> = runs.iter().map(|r| r.global.latency.p50_ms / 1e3).collect();
    assert_close("M/M/1 p50", &p50, 2f64.ln() / 50.0, TOL, MAX_SE, "1..=20");
}

#[test]
fn mg1_log_normal_and_constant_service_match_pollaczek_khinchine() {
    // M/G/1: W = E[S] + λ E[S²] / (2 (1 - ρ)). λ = 50/s, E[S] = 10 ms: ρ = 0.5.
    let lambda = 50.0;
    let es = 0.010;
    for (name, service, es2) in [
        ("log-normal σ=0.5", json!({ "log_normal": { "mean_ms": 10, "sigma": 0.5 } }), es * es * 0.25f64.exp()),
        ("constant", json!({ "constant": { "ms": 10 } }), es * es),
    ] {
        let s = scenario(json!({ "version": 1, "nodes": [
            { "id": "users", "kind": { "client": { "rate_rps": lambda } } },
            { "id": "server", "kind": { "server": { "workers": 1, "queue_capacity": 100000, "service_time": service } } } ],
            "edges": [ { "from": "users", "to": "server" } ] }));
        let runs = replicate(&s, 1000.0);
        let w: Vec<f64> = runs.iter().map(|r| r.global.latency.mean_ms / 1e3).collect();
        let theory = es + lambda * es2 / (2.0 * (1.0 - lambda * es));
        assert_close(&format!("M/G/1 {name} mean sojourn"), &w, theory, TOL, MAX_SE, &seeds());
    }
}

#[test]
fn exponential_service_times_have_the_right_mean_and_quantiles() {
    // 10 000 workers at 50 000 rps × 10 ms: ~500 busy, nobody queues, so the time at the
    // server is the service time. 1 000 000 samples: standard errors ≈ 0.1 % (mean),
    // 0.15 % (median), 0.2 % (p99), plus at most 0.4 % histogram resolution (upward).
    let s = scenario(json!({ "version": 1, "nodes": [
        { "id": "users", "kind": { "client": { "rate_rps": 50000 } } },
        station("server", 10000, 10.0, "call") ],
        "edges": [ { "from": "users", "to": "server" } ] }));
    let snap = run(&s, 17, 20.0);
    let n = node(&snap, "server");
    assert_eq!(n.mean_queue_len, 0.0);
    assert!(n.latency.count > 990_000);
    let l = n.latency;
    assert!((l.mean_ms / 10.0 - 1.0).abs() < 0.005, "mean {} ms (seed 17)", l.mean_ms);
    assert!((l.p50_ms / (10.0 * 2f64.ln()) - 1.0).abs() < 0.01, "median {} ms (seed 17)", l.p50_ms);
    assert!((l.p99_ms / (10.0 * 100f64.ln()) - 1.0).abs() < 0.01, "p99 {} ms (seed 17)", l.p99_ms);
    assert!((l.p95_ms / (10.0 * 20f64.ln()) - 1.0).abs() < 0.01, "p95 {} ms (seed 17)", l.p95_ms);
}
