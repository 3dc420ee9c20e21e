//! Deterministic simulation core (placeholder until the engine lands).

/// Simulated time in integer nanoseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct SimTime(pub u64);

/// The simulation: for now only its clock.
#[derive(Debug, Default)]
pub struct Sim {
    now: SimTime,
}

impl Sim {
    /// Advances simulated time to `t` (never backwards).
    pub fn step_until(&mut self, t: SimTime) {
        self.now = self.now.max(t);
    }

    /// The current simulated instant.
    pub fn now(&self) -> SimTime {
        self.now
    }
}
