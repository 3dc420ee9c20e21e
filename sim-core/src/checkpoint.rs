//! Rewinding a run: checkpoints of the simulation (clones of [`Sim`]) every so many
//! simulated seconds, and seeking to an earlier instant by restoring the latest checkpoint
//! before it and replaying the run's recorded commands from there (see
//! [`Sim::step_replaying`]). Same scenario, seed and commands give the same state, so a
//! seek reaches exactly the state that playing straight through reached.
//!
//! Memory is bounded: past [`Checkpoints::cap`] checkpoints, every second one (the first
//! kept) is dropped and the spacing doubles, so a long run keeps between `cap / 2` and `cap`
//! checkpoints spread evenly over it; a seek then replays at most one spacing.

use std::collections::VecDeque;
use std::sync::Arc;

use crate::sim::{RecordedCommand, Sim};
use crate::time::{SimDuration, SimTime};

/// Checkpoints of one run, oldest first; the first is the run at its start. A copy shares
/// the checkpoints themselves (they never change once taken).
#[derive(Clone)]
pub struct Checkpoints {
    kept: Vec<Arc<Sim>>,
    every: SimDuration,
    cap: usize,
}

impl Checkpoints {
    /// Checkpoints of a run starting as `start`, one every `every` simulated time (doubled
    /// whenever more than `cap` are kept; `cap` is at least 2).
    pub fn new(start: &Sim, every: SimDuration, cap: usize) -> Checkpoints {
        Checkpoints { kept: vec![Arc::new(start.clone())], every, cap: cap.max(2) }
    }

    /// The spacing now (it doubles as the run grows past the cap).
    pub fn every(&self) -> SimDuration {
        self.every
    }

    /// Most checkpoints kept.
    pub fn cap(&self) -> usize {
        self.cap
    }

    /// Simulated time of the newest checkpoint.
    pub fn newest(&self) -> SimTime {
        self.kept.last().map_or(SimTime::ZERO, |s| s.now())
    }

    /// Simulated time of the latest checkpoint at or before `t` (where a seek to `t` starts).
    pub fn before(&self, t: SimTime) -> SimTime {
        self.kept[self.kept.partition_point(|s| s.now() <= t).saturating_sub(1)].now()
    }

    /// Checkpoints kept now.
    pub fn len(&self) -> usize {
        self.kept.len()
    }

    /// Always false: the start is kept.
    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// Keeps a checkpoint of `sim` when one spacing has passed since the newest one (call it
    /// as the run advances). True when one was taken.
    pub fn observe(&mut self, sim: &Sim) -> bool {
        let newest = self.kept.last().map_or(SimTime::ZERO, |s| s.now());
        if sim.now() < newest.after(self.every) {
            return false;
        }
        self.kept.push(Arc::new(sim.clone()));
        if self.kept.len() > self.cap {
            let mut i = 0;
            self.kept.retain(|_| {
                i += 1;
                i % 2 == 1
            });
            self.every = SimDuration(self.every.0.saturating_mul(2));
        }
        true
    }

    /// Drops the checkpoints after `t` (an edit at `t` starts a new future there).
    pub fn truncate_after(&mut self, t: SimTime) {
        self.kept.truncate(self.kept.partition_point(|s| s.now() <= t).max(1));
    }

    /// A seek to `t` of the run whose commands are `commands` (all of them, as the newest
    /// state of the run recorded them): a copy of the latest checkpoint at or before `t`,
    /// with the commands it has not applied yet. Step it to `t` with
    /// [`Sim::step_replaying`].
    pub fn seek(&self, t: SimTime, commands: &[RecordedCommand]) -> (Sim, VecDeque<RecordedCommand>) {
        let i = self.kept.partition_point(|s| s.now() <= t).saturating_sub(1);
        let sim = Sim::clone(&self.kept[i]);
        let pending = commands.iter().skip(sim.recorded_commands().len()).cloned().collect();
        (sim, pending)
    }
}
