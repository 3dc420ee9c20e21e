//! Calls: every hop of a request is a call at the callee node, kept in a slab with generation
//! counters so that stale events (a timeout after the answer, a service completion on a
//! killed node) are recognised and ignored. A caller waiting on a callee stores a token; an
//! answer or a timeout carrying another token is stale. Sending, answering, partitioned
//! links, finishing a call.

use super::*;

impl Sim {
    #[inline]
    pub(super) fn alloc_call(&mut self, call: Call) -> CallId {
        self.nodes[call.node].stats.in_flight += 1;
        if let Some(idx) = self.free_slots.pop() {
            let slot = &mut self.slab[idx as usize];
            slot.call = Some(call);
            CallId { idx, gen: slot.gen }
        } else {
            self.slab.push(Slot { gen: 0, call: Some(call) });
            CallId { idx: self.slab.len() as u32 - 1, gen: 0 }
        }
    }

    /// The live call `id` in `slab` (a borrow of the slab alone, so that nodes and edges can
    /// be changed while it is held).
    #[inline]
    pub(super) fn call_in(slab: &mut [Slot], id: CallId) -> Option<&mut Call> {
        let slot = slab.get_mut(id.idx as usize)?;
        if slot.gen == id.gen {
            slot.call.as_mut()
        } else {
            None
        }
    }

    #[inline]
    pub(super) fn call(&self, id: CallId) -> Option<&Call> {
        let slot = self.slab.get(id.idx as usize)?;
        if slot.gen == id.gen {
            slot.call.as_ref()
        } else {
            None
        }
    }

    #[inline]
    pub(super) fn call_mut(&mut self, id: CallId) -> Option<&mut Call> {
        Sim::call_in(&mut self.slab, id)
    }

    #[inline]
    pub(super) fn free_call(&mut self, id: CallId) -> Option<Call> {
        let slot = self.slab.get_mut(id.idx as usize)?;
        if slot.gen != id.gen {
            return None;
        }
        let call = slot.call.take()?;
        slot.gen = slot.gen.wrapping_add(1);
        self.free_slots.push(id.idx);
        let st = &mut self.nodes[call.node].stats;
        st.in_flight -= 1;
        st.in_flight_done_ns += u128::from(self.now.since(call.arrived_at).0);
        Some(call)
    }

    pub(super) fn edge_latency(&mut self, node: NodeIx, edge: EdgeIx) -> SimDuration {
        let e = &self.edges[edge].spec;
        let (base, jitter) = (e.latency_ms, e.jitter_ms);
        if base == 0.0 && jitter <= 0.0 {
            return SimDuration(0);
        }
        let factor = match e.state {
            EdgeState::Slow { factor } => factor,
            _ => 1.0,
        };
        let j = if jitter > 0.0 { jitter * random::uniform(&mut self.nodes[node].rng) } else { 0.0 };
        SimDuration::from_millis_f64((base + j) * factor)
    }

    /// The call `id` sends its request over `edge` and waits for the answer.
    pub(super) fn send(&mut self, id: CallId, edge: EdgeIx) {
        let now = self.now;
        let Some(c) = self.call_mut(id) else { return };
        c.token = c.token.wrapping_add(1);
        c.waiting = true;
        c.partition_dropped = false;
        c.out_edge = edge;
        c.sent_at = now;
        let (token, node, req) = (c.token, c.node, c.req);
        if req.span != 0 {
            self.span_send(req, id, edge);
        }
        if self.edges[edge].guarded {
            if let Some(cause) = self.guard_refuses(edge) {
                if cause == Cause::BulkheadFull && self.bulkhead_queue(id, edge, token) {
                    return;
                }
                self.refuse_at_caller(id, node, edge, token, cause);
                return;
            }
        }
        self.transmit(id, node, edge, token, req);
    }

    /// The call `id` is turned away at its caller `node` for `cause`: answered at once, over
    /// no link.
    #[cold]
    pub(super) fn refuse_at_caller(&mut self, id: CallId, node: NodeIx, edge: EdgeIx, token: u32, cause: Cause) {
        self.count_guarded(node, cause);
        self.edges[edge].outstanding += 1;
        self.schedule(self.now, Ev::Respond { to: id, token, outcome: Err(cause), ver: 0 });
    }

    /// Puts the request of call `id` (at `node`, send `token`) on `edge`.
    #[inline(always)]
    pub(super) fn transmit(&mut self, id: CallId, node: NodeIx, edge: EdgeIx, token: u32, req: Req) {
        let now = self.now;
        let e = &mut self.edges[edge];
        let to = e.to;
        e.sent += 1;
        e.outstanding += 1;
        if matches!(e.spec.state, EdgeState::Partitioned) {
            self.send_into_partition(id, node, edge, token, req.tag());
            return;
        }
        let timeout = self.nodes[node].call_timeout();
        if let Some(t) = timeout {
            self.schedule(now.after(t), Timer::Timeout { call: id, token });
        }
        let mut lat = self.edge_latency(node, edge);
        let state = self.edges[edge].spec.state;
        match state {
            EdgeState::Lossy { fraction } if self.loses(edge, fraction) => {
                self.lose_request(id, node, edge, token, req.tag(), timeout.is_some());
                return;
            }
            EdgeState::Capped { rps } => lat = SimDuration(lat.0 + self.cap_delay(edge, rps).0),
            _ => {}
        }
        if self.data.regions_used {
            lat = SimDuration(lat.0 + self.region_rtt(node, to, req.origin).0);
        }
        if let Some(span) = req.tag() {
            self.trace(
                span,
                Hop {
                    from: node,
                    to,
                    depart: now,
                    arrive: now.after(lat),
                    response: false,
                    outcome: Ok(()),
                    request: 0,
                },
            );
        }
        if lat.0 == 0 && self.inline_depth < MAX_INLINE_DEPTH {
            self.inline_depth += 1;
            self.on_deliver(to, edge, id, token, req);
            self.inline_depth -= 1;
        } else {
            self.schedule(now.after(lat), Ev::Deliver { to, edge, parent: id, token, req });
        }
    }

    /// The request of call `id` at `node` is lost on the partitioned `edge`: the caller learns
    /// of it by its timeout, or at once when it has none.
    #[cold]
    #[inline(never)]
    pub(super) fn send_into_partition(
        &mut self,
        id: CallId,
        node: NodeIx,
        edge: EdgeIx,
        token: u32,
        traced: Option<u32>,
    ) {
        let now = self.now;
        self.drop_on_partition(edge, node, false, traced);
        match self.nodes[node].call_timeout() {
            Some(t) => {
                if let Some(c) = self.call_mut(id) {
                    c.partition_dropped = true;
                }
                self.schedule(now.after(t), Timer::Timeout { call: id, token });
            }
            None => self.schedule(now, Ev::Respond { to: id, token, outcome: Err(Cause::Partition), ver: 0 }),
        }
    }

    /// The request of call `id` at `node` is lost on the lossy `edge`: the caller learns of
    /// it by its timeout, or at once (as a timeout) when it has none.
    #[cold]
    #[inline(never)]
    fn lose_request(&mut self, id: CallId, node: NodeIx, edge: EdgeIx, token: u32, traced: Option<u32>, timed: bool) {
        let now = self.now;
        let e = &mut self.edges[edge];
        e.dropped += 1;
        if let Some(span) = traced {
            let to = e.to;
            self.trace(
                span,
                Hop {
                    from: node,
                    to,
                    depart: now,
                    arrive: now,
                    response: false,
                    outcome: Err(Cause::Timeout),
                    request: 0,
                },
            );
        }
        if !timed {
            self.schedule(now, Ev::Respond { to: id, token, outcome: Err(Cause::Timeout), ver: 0 });
        }
    }

    /// The answer from `from` to the call `to` is lost on the partitioned `edge`.
    #[cold]
    #[inline(never)]
    pub(super) fn reply_into_partition(
        &mut self,
        from: NodeIx,
        edge: EdgeIx,
        to: CallId,
        token: u32,
        traced: Option<u32>,
    ) {
        let now = self.now;
        self.drop_on_partition(edge, from, true, traced);
        let Some(parent) = self.call_mut(to) else { return };
        if !parent.waiting || parent.token != token {
            return;
        }
        parent.partition_dropped = true;
        let pnode = parent.node;
        if self.nodes[pnode].call_timeout().is_none() {
            self.schedule(now, Ev::Respond { to, token, outcome: Err(Cause::Partition), ver: 0 });
        }
    }

    /// Counts a request (or, with `response`, an answer) leaving `from` that the partitioned
    /// `edge` drops, and keeps its hop when it is sampled.
    pub(super) fn drop_on_partition(&mut self, edge: EdgeIx, from: NodeIx, response: bool, traced: Option<u32>) {
        let e = &mut self.edges[edge];
        e.dropped += 1;
        let to = if response { e.from } else { e.to };
        if let Some(span) = traced {
            let now = self.now;
            self.trace(
                span,
                Hop { from, to, depart: now, arrive: now, response, outcome: Err(Cause::Partition), request: 0 },
            );
        }
    }

    /// Keeps a hop of a sampled request (its spans' handle `span`) for the animation.
    #[cold]
    #[inline(never)]
    pub(super) fn trace(&mut self, span: u32, hop: Hop) {
        let request = self.request_of(span);
        self.hops.push(Hop { request, ..hop });
    }

    /// Sends an answer from `from` back over `edge` to the waiting caller.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    pub(super) fn reply(
        &mut self,
        from: NodeIx,
        edge: EdgeIx,
        to: CallId,
        token: u32,
        outcome: Outcome,
        ver: u32,
        traced: Option<u32>,
    ) {
        let now = self.now;
        let e = &self.edges[edge];
        let caller = e.from;
        if matches!(e.spec.state, EdgeState::Partitioned) {
            self.reply_into_partition(from, edge, to, token, traced);
            return;
        }
        let lat = self.edge_latency(from, edge);
        if let Some(span) = traced {
            self.trace(
                span,
                Hop { from, to: caller, depart: now, arrive: now.after(lat), response: true, outcome, request: 0 },
            );
        }
        if lat.0 == 0 && self.inline_depth < MAX_INLINE_DEPTH {
            self.inline_depth += 1;
            self.respond(to, token, outcome, ver);
            self.inline_depth -= 1;
        } else {
            self.schedule(now.after(lat), Ev::Respond { to, token, outcome, ver });
        }
    }

    /// An answer reaches the call `to`; one carrying another token than the call waits on
    /// is stale.
    #[inline]
    pub(super) fn respond(&mut self, to: CallId, token: u32, outcome: Outcome, ver: u32) {
        let Some(c) = self.call_mut(to) else { return };
        if !c.waiting || c.token != token {
            return;
        }
        c.waiting = false;
        c.ver = ver;
        let (node, edge, sent_at, req) = (c.node, c.out_edge, c.sent_at, c.req);
        if let Err(cause) = outcome {
            self.count_received(node, cause);
        }
        if req.span != 0 {
            self.span_result(req, to, outcome, true);
        }
        self.on_result_of(to, node, edge, sent_at, outcome);
    }

    /// Frees the call and counts its outcome and its time at its node.
    #[inline(always)]
    pub(super) fn end_call(&mut self, id: CallId, outcome: Outcome) -> Option<Call> {
        let call = self.free_call(id)?;
        if call.req.span != 0 {
            self.span_leave(call.req, id, outcome);
        }
        let st = &mut self.nodes[call.node].stats;
        match outcome {
            Ok(()) => st.completed += 1,
            Err(c) => st.errors.add(c),
        }
        st.latency.record(self.now.since(call.arrived_at));
        Some(call)
    }

    /// The call is over at its node: record, release, answer the caller, free.
    pub(super) fn finish(&mut self, id: CallId, outcome: Outcome) {
        let Some(call) = self.end_call(id, outcome) else { return };
        let node = call.node;
        if call.holds_worker {
            self.release_worker(node);
        }
        if let Some(parent) = call.parent {
            self.reply(node, call.in_edge, parent, call.parent_token, outcome, call.ver, call.req.tag());
        }
    }

    /// `node` turns away a request that reached it over `edge` without taking it in.
    #[cold]
    #[inline(never)]
    #[allow(clippy::too_many_arguments)]
    pub(super) fn refuse(
        &mut self,
        node: NodeIx,
        edge: EdgeIx,
        parent: CallId,
        token: u32,
        cause: Cause,
        traced: Option<u32>,
    ) {
        self.nodes[node].stats.errors.add(cause);
        self.reply(node, edge, parent, token, Err(cause), 0, traced);
    }

    pub(super) fn on_result(&mut self, id: CallId, outcome: Outcome) {
        let Some(call) = self.call(id) else { return };
        let (node, edge, sent_at) = (call.node, call.out_edge, call.sent_at);
        self.on_result_of(id, node, edge, sent_at, outcome);
    }
}
