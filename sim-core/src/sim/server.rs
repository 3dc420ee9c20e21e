//! Stations (app servers, and databases serving requests): admission to a bounded queue,
//! worker slots, service times, and calling the downstream edges in turn.

use super::*;

impl Sim {
    #[inline(always)]
    pub(super) fn station_admit(&mut self, node: NodeIx, id: CallId) {
        let now = self.now;
        let class = self.call(id).map_or(Priority::Standard, |c| c.req.class);
        let n = &mut self.nodes[node];
        let workers = u64::from(n.limits.workers);
        let cap = n.limits.queue_capacity as usize;
        let Runtime::Station { queue, .. } = &mut n.rt else { return };
        // A free worker with requests still queued happens only while `start_next` is
        // answering expired ones (zero-latency answers run inline): queue behind them.
        if n.stats.busy.value < workers && queue.is_empty() {
            self.start_service(node, id);
        } else if shedding::sheds(&n.kind, class, queue.len()) {
            self.finish(id, Err(Cause::Shed));
        } else if queue.len() < cap {
            queue.push_back(id);
            n.stats.queue.set(now, queue.len() as u64);
            if let Some(c) = self.call(id).filter(|c| c.req.span != 0) {
                let req = c.req;
                self.span_queued(req, id);
            }
        } else {
            self.finish(id, Err(Cause::QueueFull));
        }
    }

    #[inline(always)]
    pub(super) fn start_service(&mut self, node: NodeIx, id: CallId) {
        let now = self.now;
        let Some(c) = Sim::call_in(&mut self.slab, id) else { return };
        let n = &mut self.nodes[node];
        n.stats.busy.add(now, 1);
        let dist = match &n.kind {
            NodeKind::Server(s) => &s.service_time,
            NodeKind::Database(d) if c.req.kind == ReqKind::Write => &d.write_service_time,
            NodeKind::Database(d) => &d.read_service_time,
            _ => return,
        };
        let mut d = random::service_time(&mut n.rng, dist, n.slow);
        if !n.cpu.is_empty() {
            d = machine::run_on_cores(&mut n.cpu, now, d);
        }
        c.holds_worker = true;
        if c.req.span != 0 {
            let req = c.req;
            self.span_serve(req, id);
        }
        self.schedule(now.after(d), Timer::ServiceDone { call: id });
    }

    /// A hop at `node` gives its worker slot back (calls of a killed node are dropped with
    /// their slots, so a release always matches a start).
    #[inline(always)]
    pub(super) fn release_worker(&mut self, node: NodeIx) {
        let now = self.now;
        self.nodes[node].stats.busy.add(now, -1);
        self.start_next(node);
    }

    /// Starts queued requests while workers are free (dropping ones past their timeout).
    #[inline(always)]
    pub(super) fn start_next(&mut self, node: NodeIx) {
        if let Runtime::Station { queue } = &self.nodes[node].rt {
            if !queue.is_empty() {
                self.start_queued(node);
            }
        }
    }

    /// [`Sim::start_next`] once some request is queued.
    #[inline(never)]
    pub(super) fn start_queued(&mut self, node: NodeIx) {
        let now = self.now;
        loop {
            let n = &mut self.nodes[node];
            if !n.serving() || n.stats.busy.value >= n.workers() as u64 {
                return;
            }
            let queue_timeout = n.limits.queue_timeout;
            let Runtime::Station { queue, .. } = &mut n.rt else { return };
            let Some(id) = queue.pop_front() else { return };
            n.stats.queue.set(now, queue.len() as u64);
            let Some(c) = self.call(id) else { continue };
            let expired = now >= c.req.deadline || queue_timeout.is_some_and(|t| now.since(c.arrived_at) > t);
            if expired {
                self.finish(id, Err(Cause::Timeout));
            } else {
                self.start_service(node, id);
            }
        }
    }

    /// Calls the next downstream edge, or answers when there is none left.
    pub(super) fn continue_downstream(&mut self, id: CallId) {
        let Some(c) = Sim::call_in(&mut self.slab, id) else { return };
        let n = &self.nodes[c.node];
        let edge = if c.req.kind == ReqKind::Static || !matches!(n.kind, NodeKind::Server(_)) {
            None
        } else {
            // Edges that do not carry this kind of request are passed over.
            let mut i = c.next_edge as usize;
            while let Some(&e) = n.out_edges.get(i) {
                if self.edges[e].carries(c.req.kind) {
                    break;
                }
                i += 1;
            }
            c.next_edge = i as u32;
            n.out_edges.get(i).copied()
        };
        match edge {
            Some(e) => {
                c.next_edge += 1;
                self.send(id, e);
            }
            None => self.finish(id, Ok(())),
        }
    }

    /// A server's service time is over (`release`: in `forward` mode it frees its worker at
    /// once, before calling downstream); the hop goes on to its next downstream edge.
    #[inline(always)]
    pub(super) fn server_service_done(&mut self, node: NodeIx, id: CallId, release: bool) {
        if release {
            if let Some(c) = self.call_mut(id) {
                c.holds_worker = false;
            }
            self.release_worker(node);
        }
        self.continue_downstream(id);
    }
}
