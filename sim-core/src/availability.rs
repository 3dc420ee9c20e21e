//! Availability: the share of requests answered correctly, in percent and in nines, with the
//! yearly downtime it would mean at that rate and the error budget burnt against the SLO.

use serde::{Deserialize, Serialize};

/// Hours in a (Julian) year, for the downtime a rate would mean.
const HOURS_PER_YEAR: f64 = 365.25 * 24.0;

/// Requests answered and failed over a span (a window or the whole run).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Availability {
    /// Requests answered correctly.
    pub completed: u64,
    /// Requests failed for good.
    pub failed: u64,
}

impl Availability {
    /// From counts of answered and failed requests.
    pub fn new(completed: u64, failed: u64) -> Self {
        Availability { completed, failed }
    }

    /// Finished requests.
    pub fn finished(self) -> u64 {
        self.completed + self.failed
    }

    /// completed / (completed + failed), or `None` before any request finished.
    pub fn ratio(self) -> Option<f64> {
        (self.finished() > 0).then(|| self.completed as f64 / self.finished() as f64)
    }

    /// Whole nines: the largest k with failed / finished ≤ 10⁻ᵏ, counted exactly in integers
    /// (`None` with no requests or no failures, where the count is unbounded).
    pub fn nines(self) -> Option<u32> {
        let total = u128::from(self.finished());
        if total == 0 || self.failed == 0 {
            return None;
        }
        let mut k = 0;
        let mut scaled = u128::from(self.failed) * 10;
        while scaled <= total {
            k += 1;
            scaled *= 10;
        }
        Some(k)
    }

    /// Yearly downtime at this failure rate, hours.
    pub fn downtime_h_per_year(self) -> Option<f64> {
        self.ratio().map(|r| (1.0 - r) * HOURS_PER_YEAR)
    }

    /// The error budget burnt: the failure rate over the SLO's error rate (1 = all of it).
    pub fn budget_burnt(self, slo_error_rate: f64) -> Option<f64> {
        let r = self.ratio()?;
        (slo_error_rate > 0.0).then(|| (1.0 - r) / slo_error_rate)
    }

    /// "99.93 % — three nines; about 6.1 h a year".
    pub fn sentence(self) -> String {
        let Some(r) = self.ratio() else {
            return "no requests finished yet".into();
        };
        if self.failed == 0 {
            return "100 % — no failures; no downtime at this rate".into();
        }
        let k = self.nines().unwrap_or(0);
        let nines = match k {
            0 => "under one nine".to_string(),
            1 => "one nine".to_string(),
            k => format!("{} nines", number_word(k)),
        };
        let down = downtime_words(self.downtime_h_per_year().unwrap_or(0.0));
        format!("{} % — {nines}; {down}", percent(r, k))
    }

    /// "budget burnt 70 % of 0.1 %" against the SLO's error rate, if there is one.
    pub fn budget_words(self, slo_error_rate: Option<f64>) -> Option<String> {
        let slo = slo_error_rate?;
        let b = self.budget_burnt(slo)?;
        Some(format!("budget burnt {} % of {} %", trim(b * 100.0, 0), trim(slo * 100.0, 3)))
    }
}

/// The ratio as a percentage, cut (never rounded up to 100) to enough decimals to show its
/// nines: two, or k − 2 for k ≥ 5 nines.
fn percent(r: f64, nines: u32) -> String {
    let decimals = nines.saturating_sub(2).clamp(2, 9);
    let scale = 10f64.powi(decimals as i32);
    format!("{:.*}", decimals as usize, ((r * 100.0 * scale).floor() / scale).min(100.0))
}

/// A number with at most `decimals` decimals and no trailing zeros.
fn trim(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

fn number_word(k: u32) -> String {
    const WORDS: [&str; 10] = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
    WORDS.get(k as usize).map_or_else(|| k.to_string(), |w| w.to_string())
}

/// "about 6.1 h a year", in days, hours, minutes or seconds as fits.
pub fn downtime_words(hours: f64) -> String {
    let (v, unit) = if hours >= 48.0 {
        (hours / 24.0, "days")
    } else if hours >= 1.0 {
        (hours, "h")
    } else if hours * 60.0 >= 1.0 {
        (hours * 60.0, "min")
    } else {
        (hours * 3600.0, "s")
    };
    format!("about {v:.1} {unit} a year")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentence_has_the_percentage_nines_and_downtime() {
        assert_eq!(Availability::new(9993, 7).sentence(), "99.93 % — three nines; about 6.1 h a year");
        assert_eq!(Availability::new(999, 1).sentence(), "99.90 % — three nines; about 8.8 h a year");
        assert_eq!(Availability::new(99, 1).sentence(), "99.00 % — two nines; about 3.7 days a year");
        assert_eq!(Availability::new(999_999, 1).sentence(), "99.9999 % — six nines; about 31.6 s a year");
        assert_eq!(Availability::new(99_999, 1).sentence(), "99.999 % — five nines; about 5.3 min a year");
    }

    #[test]
    fn sentence_words_the_edges() {
        assert_eq!(Availability::new(0, 0).sentence(), "no requests finished yet");
        assert_eq!(Availability::new(5, 0).sentence(), "100 % — no failures; no downtime at this rate");
        assert_eq!(Availability::new(17, 3).sentence(), "85.00 % — under one nine; about 54.8 days a year");
        assert_eq!(Availability::new(0, 4).sentence(), "0.00 % — under one nine; about 365.2 days a year");
    }

    #[test]
    fn nines_are_counted_exactly_at_the_boundaries() {
        assert_eq!(Availability::new(9, 1).nines(), Some(1));
        assert_eq!(Availability::new(8, 2).nines(), Some(0));
        assert_eq!(Availability::new(999, 1).nines(), Some(3));
        assert_eq!(Availability::new(998, 2).nines(), Some(2));
        assert_eq!(Availability::new(10, 0).nines(), None);
    }

    #[test]
    fn the_percentage_is_cut_not_rounded_up() {
        assert_eq!(Availability::new(99_996, 4).sentence(), "99.99 % — four nines; about 21.0 min a year");
        assert_eq!(Availability::new(999_999_999, 1).sentence().split(' ').next(), Some("99.9999999"));
    }

    #[test]
    fn budget_is_the_failure_rate_over_the_slo() {
        let a = Availability::new(993, 7);
        assert!((a.budget_burnt(0.01).unwrap() - 0.7).abs() < 1e-12);
        assert_eq!(a.budget_words(Some(0.01)).as_deref(), Some("budget burnt 70 % of 1 %"));
        assert_eq!(a.budget_words(None), None);
        assert_eq!(Availability::new(0, 0).budget_words(Some(0.01)), None);
    }

    #[test]
    fn downtime_picks_a_unit() {
        assert_eq!(downtime_words(6.1), "about 6.1 h a year");
        assert_eq!(downtime_words(0.5), "about 30.0 min a year");
        assert_eq!(downtime_words(0.001), "about 3.6 s a year");
        assert_eq!(downtime_words(100.0), "about 4.2 days a year");
    }
}
