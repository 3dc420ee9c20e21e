//! Helpers shared by the integration tests.

use sim_core::{Scenario, Sim, SimTime, Snapshot};

/// Parses a scenario from a `serde_json::Value`, panicking with the error on failure.
pub fn scenario(v: serde_json::Value) -> Scenario {
    Scenario::from_json(&v.to_string()).unwrap_or_else(|e| panic!("bad test scenario: {e}"))
}

/// Runs `scenario` with `seed` to `duration_s` and returns the final snapshot.
pub fn run(scenario: &Scenario, seed: u64, duration_s: f64) -> Snapshot {
    let mut sim = Sim::with_seed(scenario, seed).expect("valid scenario");
    sim.step_until(SimTime::from_secs_f64(duration_s), u64::MAX);
    sim.snapshot()
}

/// Mean and standard error of the mean of independent replications.
pub fn mean_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0);
    (m, (var / n).sqrt())
}

/// Asserts that independent replications estimate `theory` within `tol` (relative), after
/// checking the test has the power to tell: the standard error must be below `max_se`
/// (relative), so that `tol` is several standard errors wide.
pub fn assert_close(what: &str, xs: &[f64], theory: f64, tol: f64, max_se: f64, seeds: &str) {
    let (m, se) = mean_se(xs);
    let rel_err = (m - theory).abs() / theory;
    let rel_se = se / theory;
    assert!(
        rel_se < max_se,
        "{what}: standard error {:.3}% is not below {:.3}% (seeds {seeds}); the test needs more data",
        rel_se * 100.0,
        max_se * 100.0
    );
    assert!(
        rel_err < tol,
        "{what}: simulated {m:.5} vs theory {theory:.5}: off by {:.3}% (> {:.1}%), standard error {:.3}% (seeds {seeds})",
        rel_err * 100.0,
        tol * 100.0,
        rel_se * 100.0
    );
}

/// Probability of waiting in an M/M/c queue (Erlang C) for offered load a = λ/μ.
pub fn erlang_c(c: u32, a: f64) -> f64 {
    let rho = a / f64::from(c);
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 1..c {
        term *= a / f64::from(k);
        sum += term;
    }
    let last = term * a / f64::from(c) / (1.0 - rho);
    last / (sum + last)
}

/// Mean sojourn (wait + service) of an M/M/c queue, seconds.
pub fn mmc_sojourn(lambda: f64, mu: f64, c: u32) -> f64 {
    let a = lambda / mu;
    erlang_c(c, a) / (f64::from(c) * mu - lambda) + 1.0 / mu
}

/// Mean queue length (waiting only) of an M/M/c queue.
pub fn mmc_queue_len(lambda: f64, mu: f64, c: u32) -> f64 {
    let a = lambda / mu;
    let rho = a / f64::from(c);
    erlang_c(c, a) * rho / (1.0 - rho)
}

/// The node called `id` in a snapshot.
pub fn node<'a>(s: &'a Snapshot, id: &str) -> &'a sim_core::NodeView {
    s.nodes.iter().find(|n| n.id == id).unwrap_or_else(|| panic!("no node {id}"))
}
