//! Bulkheads on edges: at most so many calls outstanding at once from a caller over an
//! edge, so that a slow dependency holds only its own compartment of the caller's workers;
//! a call over the limit fails at once with `bulkhead_full`.

use super::*;

impl Sim {
    /// Is the bulkhead of `edge` (if it has one) full?
    pub(super) fn bulkhead_full(&self, edge: EdgeIx) -> bool {
        let e = &self.edges[edge];
        e.spec.bulkhead.is_some_and(|n| e.outstanding >= u64::from(n))
    }
}
