//! Benchmark: the open tandem network λ = 800/s → web M/M/4 (μ = 250/s) → db M/M/2
//! (μ = 500/s), 200 simulated seconds. Prints simulated requests per wall second and the mean
//! sojourn against the Jackson-network answer. `bench/compare.sh` runs SimPy and Ciw beside it.
//!
//! `cargo bench -p sim-core --bench tandem [-- --json]`

use std::time::Instant;

use sim_core::{Scenario, Sim, SimTime};

fn erlang_c(c: u32, a: f64) -> f64 {
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 1..c {
        term *= a / f64::from(k);
        sum += term;
    }
    let last = term * a / f64::from(c) / (1.0 - a / f64::from(c));
    last / (sum + last)
}

fn mmc_sojourn(lambda: f64, mu: f64, c: u32) -> f64 {
    erlang_c(c, lambda / mu) / (f64::from(c) * mu - lambda) + 1.0 / mu
}

fn main() {
    let json = std::env::args().any(|a| a == "--json");
    let text = include_str!("../scenarios/tandem.json");
    let scenario = Scenario::from_json(text).expect("tandem scenario");
    let duration = SimTime::from_secs_f64(200.0);
    let jackson_ms = (mmc_sojourn(800.0, 250.0, 4) + mmc_sojourn(800.0, 500.0, 2)) * 1e3;
    let mut rates = Vec::new();
    let mut sojourns = Vec::new();
    let mut events = 0;
    for seed in 1..=5 {
        let start = Instant::now();
        let mut sim = Sim::with_seed(&scenario, seed).expect("valid");
        sim.step_until(duration, u64::MAX);
        let wall = start.elapsed().as_secs_f64();
        let snap = sim.snapshot();
        rates.push(snap.global.completed as f64 / wall);
        sojourns.push(snap.global.latency.mean_ms);
        events += snap.events_processed;
    }
    rates.sort_by(f64::total_cmp);
    let median = rates[rates.len() / 2];
    let sojourn = sojourns.iter().sum::<f64>() / sojourns.len() as f64;
    if json {
        println!(
            "{{\"engine\": \"sim-core\", \"requests_per_wall_s\": {median:.0}, \"mean_sojourn_ms\": {sojourn:.4}, \"jackson_ms\": {jackson_ms:.4}}}"
        );
    } else {
        println!("sim-core tandem, 200 simulated s × 5 seeds ({events} events)");
        println!("  requests per wall second (median): {median:.0}");
        println!(
            "  mean sojourn {sojourn:.3} ms vs Jackson {jackson_ms:.3} ms ({:+.2}%)",
            (sojourn / jackson_ms - 1.0) * 100.0
        );
    }
}
