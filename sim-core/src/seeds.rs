//! Figures over many seeds: the runner's `--seeds` and `compare`, the page's confidence runs
//! and a challenge's grading read a run's figures here and summarise them the same way, so
//! they give the same numbers.

use crate::Summary;
use serde::{Deserialize, Serialize};

/// A figure of a run: its name (stable, used in JSON and CSV) and how to read it.
pub type Figure = (&'static str, fn(&Summary) -> f64);

/// Every figure a run over seeds summarises, in display order.
pub const FIGURES: [Figure; 11] = [
    ("completed", |s| s.snapshot.global.completed as f64),
    ("failed", |s| s.snapshot.global.failed.total() as f64),
    ("availability_pct", |s| s.snapshot.global.availability().ratio().unwrap_or(f64::NAN) * 100.0),
    ("error_rate_pct", |s| (1.0 - s.snapshot.global.availability().ratio().unwrap_or(f64::NAN)) * 100.0),
    ("latency_mean_ms", |s| s.snapshot.global.latency.mean_ms),
    ("latency_p50_ms", |s| s.snapshot.global.latency.p50_ms),
    ("latency_p95_ms", |s| s.snapshot.global.latency.p95_ms),
    ("latency_p99_ms", |s| s.snapshot.global.latency.p99_ms),
    ("throughput_rps", |s| s.snapshot.global.throughput_rps),
    ("retries", |s| s.snapshot.global.retries as f64),
    ("cost_usd_month", |s| s.snapshot.global.data.monthly_cost_usd),
];

/// The value of the figure called `name` in `s` (NaN for an unknown name).
pub fn figure(s: &Summary, name: &str) -> f64 {
    FIGURES.iter().find(|(n, _)| *n == name).map_or(f64::NAN, |(_, f)| f(s))
}

/// Median and 95 % range (2.5th to 97.5th percentile) of per-seed values.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct Spread {
    /// The median.
    pub median: f64,
    /// The 2.5th percentile.
    pub lo: f64,
    /// The 97.5th percentile.
    pub hi: f64,
}

/// The q-quantile of sorted values by linear interpolation between order statistics.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = q * (sorted.len() - 1) as f64;
    let (i, frac) = (h.floor() as usize, h - h.floor());
    let next = sorted[(i + 1).min(sorted.len() - 1)];
    sorted[i] + frac * (next - sorted[i])
}

/// The [`Spread`] of `values`, NaNs left out (all NaN for none).
pub fn spread(values: impl Iterator<Item = f64>) -> Spread {
    let mut v: Vec<f64> = values.filter(|x| !x.is_nan()).collect();
    v.sort_by(f64::total_cmp);
    Spread { median: quantile(&v, 0.5), lo: quantile(&v, 0.025), hi: quantile(&v, 0.975) }
}

/// `n` seeds from `base` on: base, base + 1, … (wrapping).
pub fn seed_list(base: u64, n: u32) -> Vec<u64> {
    (0..u64::from(n)).map(|i| base.wrapping_add(i)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spread_of_known_values_is_their_interpolated_percentiles() {
        let s = spread([4.0, 1.0, f64::NAN, 3.0, 2.0, 5.0].into_iter());
        assert_eq!(s.median, 3.0);
        assert!((s.lo - 1.1).abs() < 1e-12, "{s:?}");
        assert!((s.hi - 4.9).abs() < 1e-12, "{s:?}");
        assert!(spread(std::iter::empty()).median.is_nan());
        assert_eq!(seed_list(u64::MAX, 2), vec![u64::MAX, 0]);
    }
}
