//! Bulkheads on edges: at most so many calls outstanding at once from a caller over an
//! edge, so that a slow dependency holds only its own compartment of the caller's workers.
//! A call over the limit fails at once with `bulkhead_full`, or, with `bulkhead_wait_ms`,
//! waits in order for a call over the edge to end, and fails only when it has waited that
//! long. Its caller's call timeout starts when it is sent.

use super::*;

impl Sim {
    /// Is the bulkhead of `edge` (if it has one) full?
    pub(super) fn bulkhead_full(&self, edge: EdgeIx) -> bool {
        let e = &self.edges[edge];
        e.spec.bulkhead.is_some_and(|n| e.outstanding >= u64::from(n))
    }

    /// Queues the call `id` (send `token`) for room in the full bulkhead of `edge`; false when
    /// the edge's calls do not wait.
    #[cold]
    pub(super) fn bulkhead_queue(&mut self, id: CallId, edge: EdgeIx, token: u32) -> bool {
        let e = &mut self.edges[edge];
        if e.bulkhead_wait.0 == 0 {
            return false;
        }
        let until = self.now.after(e.bulkhead_wait);
        e.waiters.push_back((id, token, until));
        self.schedule(until, Timer::BulkheadWait { edge });
        true
    }

    /// A call over `edge` ended, and calls wait for room: they are looked at now.
    #[cold]
    pub(super) fn bulkhead_room(&mut self, edge: EdgeIx) {
        self.schedule(self.now, Timer::BulkheadWait { edge });
    }

    /// Sends the waiting calls of `edge` there is room for, in order, and fails those that
    /// have waited their longest; calls that ended meanwhile (their caller crashed) are
    /// dropped.
    pub(super) fn on_bulkhead_wait(&mut self, edge: EdgeIx) {
        let now = self.now;
        while let Some(&(id, token, until)) = self.edges[edge].waiters.front() {
            let live = self.call_mut(id).filter(|c| c.waiting && c.token == token && c.out_edge == edge);
            let Some(c) = live else {
                self.edges[edge].waiters.pop_front();
                continue;
            };
            let (node, req) = (c.node, c.req);
            if !self.bulkhead_full(edge) {
                self.edges[edge].waiters.pop_front();
                self.transmit(id, node, edge, token, req);
            } else if until <= now {
                self.edges[edge].waiters.pop_front();
                self.refuse_at_caller(id, node, edge, token, Cause::BulkheadFull);
            } else {
                break;
            }
        }
    }
}
