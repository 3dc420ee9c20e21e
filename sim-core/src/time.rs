//! Simulated time: integer nanoseconds, never floats in the agenda.

use serde::{Deserialize, Serialize};

/// An instant of simulated time, in nanoseconds since the start of the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SimTime(pub u64);

/// A span of simulated time, in nanoseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SimDuration(pub u64);

impl SimTime {
    /// The start of a run.
    pub const ZERO: SimTime = SimTime(0);

    /// Later than every event: a deadline or an expiry that never comes.
    pub const NEVER: SimTime = SimTime(u64::MAX);

    /// From seconds (rounded to the nearest ns, saturating).
    pub fn from_secs_f64(s: f64) -> SimTime {
        SimTime(SimDuration::from_secs_f64(s).0)
    }

    /// In seconds.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e9
    }

    /// This instant plus a span (saturating).
    pub fn after(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }

    /// Span since an earlier instant (zero if `earlier` is later).
    pub fn since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
}

impl SimDuration {
    /// From seconds (rounded to the nearest ns, saturating, NaN and negatives give zero).
    pub fn from_secs_f64(s: f64) -> SimDuration {
        SimDuration::from_nanos_f64(s * 1e9)
    }

    /// From milliseconds (rounded, saturating).
    pub fn from_millis_f64(ms: f64) -> SimDuration {
        SimDuration::from_nanos_f64(ms * 1e6)
    }

    /// From a float number of nanoseconds (rounded, saturating; NaN gives zero).
    pub fn from_nanos_f64(ns: f64) -> SimDuration {
        // Round half up; `as` saturates and maps NaN and negatives to 0. (`f64::round` is a
        // libm call on some targets; this is one add.)
        SimDuration((ns + 0.5) as u64)
    }

    /// In seconds.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e9
    }

    /// In milliseconds.
    pub fn as_millis_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }
}
