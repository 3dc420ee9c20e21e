//! Availability per window and over the run: completed / (completed + failed), exactly.

use sim_core::{Scenario, Sim, SimTime};

fn retry_storm() -> Scenario {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/retry-storm.json")).unwrap();
    Scenario::from_json(&text).unwrap()
}

/// Runs 20 s of a scenario with failures and returns the final snapshot.
fn run(sc: &Scenario) -> sim_core::Snapshot {
    let mut sim = Sim::with_seed(sc, 3).unwrap();
    sim.step_until(SimTime::from_secs_f64(20.0), u64::MAX);
    sim.snapshot()
}

#[test]
fn availability_per_window_is_completed_over_finished() {
    let sc = retry_storm();
    let snap = run(&sc);
    let w = sc.metrics.window_s;
    assert!(snap.series.iter().any(|p| p.failed > 0), "the scenario must fail some requests");
    for p in &snap.series {
        let a = p.availability();
        // The counts agree with the window's published rates.
        assert_eq!(p.completed as f64, (p.rps * w).round());
        let finished = p.completed + p.failed;
        if finished > 0 {
            assert_eq!(p.error_rate, p.failed as f64 / finished as f64);
            assert_eq!(a.ratio(), Some(p.completed as f64 / finished as f64));
        } else {
            assert_eq!(a.ratio(), None);
        }
    }
}

#[test]
fn availability_over_the_run_is_completed_over_finished() {
    let sc = retry_storm();
    let snap = run(&sc);
    let g = &snap.global;
    let a = g.availability();
    let failed = g.failed.total();
    assert!(failed > 0 && g.completed > 0);
    assert_eq!(a.ratio(), Some(g.completed as f64 / (g.completed + failed) as f64));
    // The windows add up to the run (the ring holds all 20 windows, the last closing at 20 s).
    assert_eq!(snap.series.len(), 20);
    assert_eq!(snap.series.iter().map(|p| p.completed).sum::<u64>(), g.completed);
    assert_eq!(snap.series.iter().map(|p| p.failed).sum::<u64>(), failed);
}

#[test]
fn availability_nines_match_the_failure_rate() {
    let snap = run(&retry_storm());
    let a = snap.global.availability();
    let rate = a.failed as f64 / a.finished() as f64;
    let k = a.nines().unwrap();
    assert!(rate <= 10f64.powi(-(k as i32)) && rate > 10f64.powi(-(k as i32 + 1)), "{rate} vs {k} nines");
    assert!(a.sentence().contains('%'));
}

#[test]
fn availability_is_left_out_of_the_digest() {
    // Serialising a point leaves the counts out, so old digests stay.
    let snap = run(&retry_storm());
    let json = serde_json::to_string(&snap.series[0]).unwrap();
    assert!(!json.contains("completed") && !json.contains("\"failed\""), "{json}");
}
