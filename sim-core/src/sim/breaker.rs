//! Circuit breakers on edges: closed (outcomes counted over a sliding window of calls) →
//! open when the failure share passes the threshold (calls fail at once with
//! `circuit_open`) → half-open after the open time (a few trial calls go through) → closed
//! when they all succeed, open again at the first failure.

use super::*;

/// A breaker's state on one edge.
#[derive(Clone, Debug)]
pub(super) struct Breaker {
    spec: BreakerSpec,
    state: Phase,
    /// The newest outcomes while closed (true: failed), at most `spec.window`.
    window: VecDeque<bool>,
    failures: u32,
}

#[derive(Clone, Copy, Debug)]
enum Phase {
    Closed,
    Open { until: SimTime },
    HalfOpen { admitted: u32, succeeded: u32 },
}

impl Breaker {
    pub(super) fn new(spec: BreakerSpec) -> Breaker {
        Breaker { spec, state: Phase::Closed, window: VecDeque::new(), failures: 0 }
    }

    /// The state a snapshot shows.
    pub(super) fn view(&self) -> BreakerState {
        match self.state {
            Phase::Closed => BreakerState::Closed,
            Phase::Open { .. } => BreakerState::Open,
            Phase::HalfOpen { .. } => BreakerState::HalfOpen,
        }
    }

    /// Open at `now` (every call would fail at once)?
    pub(super) fn is_open(&self, now: SimTime) -> bool {
        matches!(self.state, Phase::Open { until } if now < until)
    }

    /// May a call go through at `now`? (An open breaker whose time is up turns half-open.)
    fn admit(&mut self, now: SimTime) -> bool {
        match &mut self.state {
            Phase::Closed => true,
            Phase::Open { until } if now < *until => false,
            Phase::Open { .. } => {
                self.state = Phase::HalfOpen { admitted: 1, succeeded: 0 };
                true
            }
            Phase::HalfOpen { admitted, .. } if *admitted < self.spec.trial_calls => {
                *admitted += 1;
                true
            }
            Phase::HalfOpen { .. } => false,
        }
    }

    fn open(&mut self, now: SimTime) {
        let until = now.after(SimDuration::from_millis_f64(self.spec.open_ms));
        self.state = Phase::Open { until };
        self.window.clear();
        self.failures = 0;
    }

    /// Counts an answer (or a timeout); says what changed, for the log.
    fn record(&mut self, now: SimTime, failed: bool) -> Option<Change> {
        match &mut self.state {
            Phase::Closed => {
                self.window.push_back(failed);
                self.failures += u32::from(failed);
                if self.window.len() > self.spec.window as usize {
                    self.failures -= u32::from(self.window.pop_front() == Some(true));
                }
                let n = self.window.len() as u32;
                let share = f64::from(self.failures) / f64::from(n);
                if n >= self.spec.min_calls && share >= self.spec.failure_rate {
                    self.open(now);
                    return Some(Change::Opened { share, calls: n });
                }
                None
            }
            Phase::Open { .. } => None,
            Phase::HalfOpen { .. } if failed => {
                self.open(now);
                Some(Change::Reopened)
            }
            Phase::HalfOpen { succeeded, .. } => {
                *succeeded += 1;
                if *succeeded >= self.spec.trial_calls {
                    self.state = Phase::Closed;
                    return Some(Change::Closed);
                }
                None
            }
        }
    }
}

enum Change {
    Opened { share: f64, calls: u32 },
    Reopened,
    Closed,
}

impl Sim {
    /// The cause a call over `edge` fails with at once, if its breaker or its bulkhead turns
    /// it away (only edges with one come here).
    #[cold]
    #[inline(never)]
    pub(super) fn guard_refuses(&mut self, edge: EdgeIx) -> Option<Cause> {
        if self.bulkhead_full(edge) {
            return Some(Cause::BulkheadFull);
        }
        let now = self.now;
        let b = self.edges[edge].breaker.as_mut()?;
        (!b.admit(now)).then_some(Cause::CircuitOpen)
    }

    /// A call over `edge` (which has a breaker) ended with `outcome`.
    #[cold]
    #[inline(never)]
    pub(super) fn breaker_record(&mut self, edge: EdgeIx, outcome: Outcome) {
        if matches!(outcome, Err(Cause::CircuitOpen | Cause::BulkheadFull)) {
            return;
        }
        let now = self.now;
        let e = &mut self.edges[edge];
        let Some(b) = &mut e.breaker else { return };
        let Some(change) = b.record(now, outcome.is_err()) else { return };
        let (from, to) = (&self.nodes[e.from].id, &self.nodes[e.to].id);
        let at = fmt_s(now);
        let text = match change {
            Change::Opened { share, calls } => {
                format!("breaker {from} → {to} opened at {at}: {:.0} % of the last {calls} calls failed", share * 100.0)
            }
            Change::Reopened => format!("breaker {from} → {to} opened again at {at}: a trial call failed"),
            Change::Closed => format!("breaker {from} → {to} closed at {at}: the trial calls succeeded"),
        };
        self.log(text);
    }
}
