//! Spans of sampled requests (the ones `metrics.trace_every` picks for the request dots):
//! every hop's arrival, queueing, service, calls and answer, recorded only for requests whose
//! `Req::span` is set, so the untraced path pays one test of a field it already holds. At the
//! end of a request its spans become a breakdown of its latency by node and category; at the
//! end of a window the breakdowns of the window's slowest 1 % and of its median request become
//! an [`Explanation`], and the window's slowest and first failed requests [`Trace`]s.
//!
//! Failures by node count every request: a node's errors less those it received from
//! downstream (and passed on), plus the calls its own circuit breakers and bulkheads refused.

use super::*;
use crate::explain::{Breakdown, Explanation, NodeFailures, NodeTime, Span, Trace, WindowTraces};

/// Most sampled requests in flight at once (more are not recorded).
const MAX_LIVE: usize = 4096;
/// Finished sampled requests kept for [`Sim::trace_of`] (the most recent).
const DONE_KEPT: usize = 256;
/// Failed requests kept per window.
const FAILED_KEPT: usize = 3;
/// No hop or send.
const NONE: u32 = u32::MAX;

const CAUSES: [Cause; 8] = [
    Cause::Timeout,
    Cause::QueueFull,
    Cause::RateLimited,
    Cause::NodeDown,
    Cause::Partition,
    Cause::CircuitOpen,
    Cause::BulkheadFull,
    Cause::Shed,
];

fn count_of(e: &ErrorCounts, c: Cause) -> u64 {
    match c {
        Cause::Timeout => e.timeout,
        Cause::QueueFull => e.queue_full,
        Cause::RateLimited => e.rate_limited,
        Cause::NodeDown => e.node_down,
        Cause::Partition => e.partition,
        Cause::CircuitOpen => e.circuit_open,
        Cause::BulkheadFull => e.bulkhead_full,
        Cause::Shed => e.shed,
    }
}

/// One hop of a sampled request at a node.
#[derive(Clone, Debug)]
struct HopRec {
    call: CallId,
    node: NodeIx,
    depth: u32,
    attempt: u8,
    /// The send that brought it (`NONE` for an attempt at the client).
    via: u32,
    arrive: SimTime,
    queued: bool,
    serve: Option<SimTime>,
    leave: Option<SimTime>,
    outcome: Outcome,
}

/// One call a hop made: when it was sent, answered (or given up on), and the hop it reached.
#[derive(Clone, Debug)]
struct SendRec {
    from: u32,
    to: NodeIx,
    sent: SimTime,
    /// When the caller learnt the outcome, and whether it was the callee's answer.
    result: Option<(SimTime, Outcome, bool)>,
    child: u32,
}

/// A sampled request being recorded.
#[derive(Clone, Debug, Default)]
struct Live {
    gen: u16,
    used: bool,
    /// The request's id (see [`Sim::trace_of`]).
    id: u64,
    created: SimTime,
    closed: SimTime,
    outcome: Option<Cause>,
    hops: Vec<HopRec>,
    sends: Vec<SendRec>,
}

/// Time by category, per node index.
type Cells = Vec<[u64; 5]>;

/// One request's latency by node and category.
type Attribution = Vec<(NodeIx, [u64; 5])>;

fn add_cells(into: &mut Cells, from: &[(NodeIx, [u64; 5])]) {
    for &(n, v) in from {
        if into.len() <= n.ix() {
            into.resize(n.ix() + 1, [0; 5]);
        }
        for (a, b) in into[n.ix()].iter_mut().zip(v) {
            *a += b;
        }
    }
}

/// A group's sums: requests, latency, cells.
#[derive(Clone, Debug, Default)]
struct Group {
    requests: u64,
    total: u64,
    cells: Cells,
}

impl Group {
    fn add(&mut self, latency: u64, attr: &[(NodeIx, [u64; 5])]) {
        self.requests += 1;
        self.total += latency;
        add_cells(&mut self.cells, attr);
    }

    fn merge(&mut self, other: &Group) {
        self.requests += other.requests;
        self.total += other.total;
        for (i, v) in other.cells.iter().enumerate() {
            add_cells(&mut self.cells, &[(NodeIx(i as u32), *v)]);
        }
    }
}

/// The span recorder's state.
#[derive(Clone, Debug, Default)]
pub(super) struct Spans {
    live: Vec<Live>,
    free: Vec<u16>,
    /// The last id given to a sampled request.
    last_id: u64,
    /// The most recent finished sampled requests, oldest first.
    done: VecDeque<Live>,
    /// Successful sampled requests finished in the current window: latency and breakdown.
    window: Vec<(u64, Attribution)>,
    slowest: Option<Live>,
    failed: Vec<Live>,
    last: WindowTraces,
    explained: Explanation,
    run_tail: Group,
    run_median: Group,
    run_mean: Group,
    /// Per node: errors received from downstream, and refused by the node's own guards.
    received: Vec<ErrorCounts>,
    guarded: Vec<ErrorCounts>,
    /// Per node: failures it produced, at the end of the last window.
    marks: Vec<[u64; 8]>,
}

/// `h` is an answered hop: its caller got its answer after it left.
fn answered(l: &Live, h: &HopRec) -> bool {
    if h.via == NONE {
        return true;
    }
    let s = &l.sends[h.via as usize];
    matches!((s.result, h.leave), (Some((t, _, true)), Some(leave)) if leave <= t)
}

impl Live {
    fn leave_of(&self, h: &HopRec) -> SimTime {
        h.leave.unwrap_or(self.closed).max(h.arrive)
    }

    fn result_of(&self, s: &SendRec) -> SimTime {
        s.result.map_or(self.closed, |r| r.0).max(s.sent)
    }

    /// Queue, service and calls of hop `i`.
    fn own(&self, i: usize) -> (u64, u64, u64) {
        let h = &self.hops[i];
        let leave = self.leave_of(h);
        let dur = leave.since(h.arrive).0;
        let queue = match h.serve {
            Some(s) => s.min(leave).since(h.arrive).0,
            None if h.queued => dur,
            None => 0,
        };
        let calls: u64 =
            self.sends.iter().filter(|s| s.from == i as u32).map(|s| self.result_of(s).since(s.sent).0).sum();
        (queue, dur.saturating_sub(queue + calls), calls.min(dur - queue))
    }

    /// The request's latency by node and category (they add up to it exactly).
    fn attribution(&self) -> Attribution {
        let mut out: Attribution = Vec::new();
        let mut add = |n: NodeIx, c: usize, v: u64| {
            if v == 0 {
                return;
            }
            match out.iter_mut().find(|(m, _)| *m == n) {
                Some((_, a)) => a[c] += v,
                None => {
                    let mut a = [0; 5];
                    a[c] = v;
                    out.push((n, a));
                }
            }
        };
        let mut prev_leave: Option<SimTime> = None;
        for (i, h) in self.hops.iter().enumerate() {
            if h.via == NONE {
                let since = prev_leave.unwrap_or(self.created);
                add(h.node, 4, h.arrive.since(since).0);
                prev_leave = Some(self.leave_of(h));
            } else if !answered(self, h) || !self.counted(h) {
                continue;
            }
            let (queue, service, _) = self.own(i);
            add(h.node, 0, queue);
            add(h.node, 1, service);
            for s in self.sends.iter().filter(|s| s.from == i as u32) {
                let wait = self.result_of(s).since(s.sent).0;
                match s.child {
                    c if c != NONE && answered(self, &self.hops[c as usize]) => {
                        let ch = &self.hops[c as usize];
                        add(ch.node, 2, wait - self.leave_of(ch).since(ch.arrive).0);
                    }
                    _ => add(h.node, 3, wait),
                }
            }
        }
        // A request whose retry found its client down ends after its last backoff.
        if let Some(t) = prev_leave {
            add(self.hops[0].node, 4, self.closed.max(t).since(t).0);
        }
        out
    }

    /// Is every hop between `h` and its attempt answered (so its time is part of the latency)?
    fn counted(&self, h: &HopRec) -> bool {
        let mut h = h;
        while h.via != NONE {
            if !answered(self, h) {
                return false;
            }
            h = &self.hops[self.sends[h.via as usize].from as usize];
        }
        true
    }

    /// The node and hop whose failure ended the request.
    fn failed_at(&self) -> Option<usize> {
        let mut i = self.hops.iter().rposition(|h| h.via == NONE)?;
        loop {
            let s = self.sends.iter().rev().find(|s| s.from == i as u32 && s.result.is_some_and(|r| r.1.is_err()));
            match s {
                Some(s) if s.child != NONE && answered(self, &self.hops[s.child as usize]) => {
                    let c = s.child as usize;
                    if self.hops[c].outcome.is_ok() {
                        return Some(i);
                    }
                    i = c;
                }
                _ => return Some(i),
            }
        }
    }

    fn to_trace(&self, nodes: &[Node]) -> Trace {
        let mut spans = Vec::new();
        let mut prev_leave: Option<SimTime> = None;
        for (i, h) in self.hops.iter().enumerate().filter(|(_, h)| h.via == NONE) {
            let backoff = h.arrive.since(prev_leave.unwrap_or(self.created)).0;
            prev_leave = Some(self.leave_of(h));
            self.push_spans(nodes, i, backoff, &mut spans);
        }
        Trace {
            started_s: self.created.as_secs_f64(),
            latency_ns: self.closed.since(self.created).0,
            cause: self.outcome,
            failed_at: self.outcome.and_then(|_| self.failed_at()).map(|i| nodes[self.hops[i].node.ix()].id.clone()),
            spans,
            in_flight: false,
        }
    }

    /// The spans of hop `i` and, depth first in the order they were sent, of its calls (an
    /// explicit stack: a path can be as long as the design is deep).
    fn push_spans(&self, nodes: &[Node], i: usize, backoff: u64, out: &mut Vec<Span>) {
        enum Work {
            Hop(usize, u64),
            Unanswered(usize, usize),
        }
        let mut work = vec![Work::Hop(i, backoff)];
        while let Some(w) = work.pop() {
            let i = match w {
                Work::Hop(i, backoff) => {
                    self.push_hop(nodes, i, backoff, out);
                    i
                }
                Work::Unanswered(i, send) => {
                    self.push_unanswered(nodes, i, &self.sends[send], out);
                    continue;
                }
            };
            let calls = self.sends.iter().enumerate().filter(|(_, s)| s.from == i as u32);
            let calls: Vec<Work> = calls
                .map(|(k, s)| if s.child != NONE { Work::Hop(s.child as usize, 0) } else { Work::Unanswered(i, k) })
                .collect();
            work.extend(calls.into_iter().rev());
        }
    }

    /// The span of hop `i` itself.
    fn push_hop(&self, nodes: &[Node], i: usize, backoff: u64, out: &mut Vec<Span>) {
        let h = &self.hops[i];
        let leave = self.leave_of(h);
        let (queue_ns, service_ns, calls_ns) = self.own(i);
        let (network_ns, back_ns, call_ns, answered) = match self.sends.get(h.via as usize) {
            None => (0, 0, leave.since(h.arrive).0, true),
            Some(s) => {
                let result = self.result_of(s);
                let ok = answered(self, h);
                (h.arrive.since(s.sent).0, if ok { result.since(leave).0 } else { 0 }, result.since(s.sent).0, ok)
            }
        };
        out.push(Span {
            node: nodes[h.node.ix()].id.clone(),
            depth: h.depth,
            attempt: u32::from(h.attempt),
            start_ns: h.arrive.since(self.created).0,
            end_ns: leave.since(self.created).0,
            network_ns,
            queue_ns,
            service_ns,
            calls_ns,
            back_ns,
            call_ns,
            backoff_ns: backoff,
            answered,
            reached: true,
            cause: h.outcome.err(),
        });
    }

    /// A call of hop `i` that reached no node (refused on the way, or never answered).
    fn push_unanswered(&self, nodes: &[Node], i: usize, s: &SendRec, out: &mut Vec<Span>) {
        let h = &self.hops[i];
        let result = self.result_of(s);
        let at = s.sent.since(self.created).0;
        out.push(Span {
            node: nodes[s.to.ix()].id.clone(),
            depth: h.depth + 1,
            attempt: u32::from(h.attempt),
            start_ns: at,
            end_ns: at,
            network_ns: 0,
            queue_ns: 0,
            service_ns: 0,
            calls_ns: 0,
            back_ns: 0,
            call_ns: result.since(s.sent).0,
            backoff_ns: 0,
            answered: false,
            reached: false,
            cause: s.result.and_then(|r| r.1.err()),
        });
    }

    fn recycle(&mut self) {
        self.used = false;
        self.hops.clear();
        self.sends.clear();
    }
}

impl Spans {
    fn live_mut(&mut self, handle: u32) -> Option<&mut Live> {
        let slot = (handle & 0xffff).checked_sub(1)? as usize;
        let l = self.live.get_mut(slot)?;
        (l.used && u32::from(l.gen) == handle >> 16).then_some(l)
    }

    fn errors_row(v: &mut Vec<ErrorCounts>, node: NodeIx) -> &mut ErrorCounts {
        if v.len() <= node.ix() {
            v.resize(node.ix() + 1, ErrorCounts::default());
        }
        &mut v[node.ix()]
    }

    /// Failures `node` produced so far, by cause (in the order of `CAUSES`).
    fn produced(&self, node: NodeIx, errors: &ErrorCounts) -> [u64; 8] {
        let zero = ErrorCounts::default();
        let r = self.received.get(node.ix()).unwrap_or(&zero);
        let g = self.guarded.get(node.ix()).unwrap_or(&zero);
        CAUSES.map(|c| (count_of(errors, c) + count_of(g, c)).saturating_sub(count_of(r, c)))
    }
}

fn breakdown(nodes: &[Node], g: &Group) -> Breakdown {
    Breakdown {
        requests: g.requests,
        total_ns: g.total,
        nodes: g
            .cells
            .iter()
            .enumerate()
            .filter(|(_, v)| v.iter().any(|&x| x > 0))
            .map(|(i, v)| NodeTime { node: nodes[i].id.clone(), ns: *v })
            .collect(),
    }
}

impl Sim {
    /// Starts recording a new sampled request; its handle, or 0 when too many are in flight.
    #[cold]
    #[inline(never)]
    pub(super) fn span_open(&mut self, now: SimTime) -> u32 {
        let sp = &mut self.spans;
        let slot = match sp.free.pop() {
            Some(s) => s as usize,
            None if sp.live.len() < MAX_LIVE => {
                sp.live.push(Live::default());
                sp.live.len() - 1
            }
            None => return 0,
        };
        let l = &mut sp.live[slot];
        l.gen = l.gen.wrapping_add(1);
        l.used = true;
        l.created = now;
        l.outcome = None;
        sp.last_id += 1;
        l.id = sp.last_id;
        (u32::from(l.gen) << 16) | (slot as u32 + 1)
    }

    /// An attempt of a sampled request starts at its client as call `id`.
    #[cold]
    #[inline(never)]
    pub(super) fn span_attempt(&mut self, req: Req, id: CallId, node: NodeIx) {
        let now = self.now;
        let Some(l) = self.spans.live_mut(req.span) else { return };
        l.hops.push(HopRec {
            call: id,
            node,
            depth: 0,
            attempt: req.attempt,
            via: NONE,
            arrive: now,
            queued: false,
            serve: None,
            leave: None,
            outcome: Ok(()),
        });
    }

    /// The call `id` sends its request over `edge`.
    #[cold]
    #[inline(never)]
    pub(super) fn span_send(&mut self, req: Req, id: CallId, edge: EdgeIx) {
        let (now, to) = (self.now, self.edges[edge].to);
        let Some(l) = self.spans.live_mut(req.span) else { return };
        let Some(from) = l.hops.iter().rposition(|h| h.call == id) else { return };
        l.sends.push(SendRec { from: from as u32, to, sent: now, result: None, child: NONE });
    }

    /// The request reaches `to`, sent by the call `parent`: taken in as call `id`, or refused
    /// for `refused`.
    #[cold]
    #[inline(never)]
    pub(super) fn span_arrive(
        &mut self,
        req: Req,
        parent: CallId,
        to: NodeIx,
        id: Option<CallId>,
        refused: Option<Cause>,
    ) {
        let now = self.now;
        let Some(l) = self.spans.live_mut(req.span) else { return };
        let Some(from) = l.hops.iter().rposition(|h| h.call == parent) else { return };
        let Some(via) = l.sends.iter().rposition(|s| s.from == from as u32 && s.child == NONE) else { return };
        l.sends[via].child = l.hops.len() as u32;
        let depth = l.hops[from].depth + 1;
        l.hops.push(HopRec {
            call: id.unwrap_or(CallId { idx: u32::MAX, gen: 0 }),
            node: to,
            depth,
            attempt: req.attempt,
            via: via as u32,
            arrive: now,
            queued: false,
            serve: None,
            leave: refused.map(|_| now),
            outcome: refused.map_or(Ok(()), Err),
        });
    }

    fn span_hop(&mut self, req: Req, id: CallId) -> Option<&mut HopRec> {
        let l = self.spans.live_mut(req.span)?;
        l.hops.iter_mut().rev().find(|h| h.call == id)
    }

    /// The call `id` waits in its node's queue.
    #[cold]
    #[inline(never)]
    pub(super) fn span_queued(&mut self, req: Req, id: CallId) {
        if let Some(h) = self.span_hop(req, id) {
            h.queued = true;
        }
    }

    /// The call `id` starts its service.
    #[cold]
    #[inline(never)]
    pub(super) fn span_serve(&mut self, req: Req, id: CallId) {
        let now = self.now;
        if let Some(h) = self.span_hop(req, id) {
            h.serve.get_or_insert(now);
        }
    }

    /// The call `id` is over at its node.
    #[cold]
    #[inline(never)]
    pub(super) fn span_leave(&mut self, req: Req, id: CallId, outcome: Outcome) {
        let now = self.now;
        if let Some(h) = self.span_hop(req, id) {
            h.leave = Some(now);
            h.outcome = outcome;
        }
    }

    /// The call `id` learns the outcome of its call (`answer`: the callee's answer, not its
    /// own timeout).
    #[cold]
    #[inline(never)]
    pub(super) fn span_result(&mut self, req: Req, id: CallId, outcome: Outcome, answer: bool) {
        let now = self.now;
        let Some(l) = self.spans.live_mut(req.span) else { return };
        let Some(from) = l.hops.iter().rposition(|h| h.call == id) else { return };
        if let Some(s) = l.sends.iter_mut().rev().find(|s| s.from == from as u32 && s.result.is_none()) {
            s.result = Some((now, outcome, answer));
        }
    }

    /// A sampled request ended for good.
    #[cold]
    #[inline(never)]
    pub(super) fn span_final(&mut self, req: Req, outcome: Outcome) {
        let now = self.now;
        let sp = &mut self.spans;
        let Some(l) = sp.live_mut(req.span) else { return };
        l.closed = now;
        l.outcome = outcome.err();
        let l_id = l.id;
        let slot = (req.span & 0xffff) as usize - 1;
        let latency = now.since(l.created).0;
        match outcome {
            Ok(()) => {
                let attr = l.attribution();
                sp.window.push((latency, attr));
                let slower = sp.slowest.as_ref().is_none_or(|s| latency > s.closed.since(s.created).0);
                if slower {
                    let kept = std::mem::take(&mut sp.live[slot]);
                    sp.live[slot].gen = kept.gen;
                    sp.slowest = Some(kept);
                }
            }
            Err(_) if sp.failed.len() < FAILED_KEPT => {
                let kept = std::mem::take(&mut sp.live[slot]);
                sp.live[slot].gen = kept.gen;
                sp.failed.push(kept);
            }
            Err(_) => {}
        }
        // Keep it for `trace_of`: moved into the ring (its buffers swapped for those of the
        // oldest kept one), or copied when the window kept it above.
        let mut old = match sp.done.len() {
            DONE_KEPT => sp.done.pop_front().unwrap_or_default(),
            _ => Live::default(),
        };
        if sp.live[slot].used {
            std::mem::swap(&mut old, &mut sp.live[slot]);
            sp.live[slot].gen = old.gen;
            sp.done.push_back(old);
        } else {
            let kept = sp.slowest.iter().chain(&sp.failed).rev().find(|k| k.id == l_id);
            if let Some(k) = kept {
                sp.done.push_back(k.clone());
            }
            old.gen = sp.live[slot].gen;
            sp.live[slot] = old;
        }
        sp.live[slot].recycle();
        sp.free.push(slot as u16);
    }

    /// The id of the sampled request whose spans' handle is `span` (0: none).
    pub(super) fn request_of(&self, span: u32) -> u64 {
        let slot = (span & 0xffff).checked_sub(1);
        let l = slot.and_then(|s| self.spans.live.get(s as usize));
        l.filter(|l| l.used && u32::from(l.gen) == span >> 16).map_or(0, |l| l.id)
    }

    /// The journey of sampled request `request` (the id its hops carry in
    /// [`crate::HopView::request`]): one still in flight with its spans so far, or one of the
    /// last 256 that finished. None when it is unknown or finished too long ago.
    pub fn trace_of(&self, request: u64) -> Option<Trace> {
        if request == 0 {
            return None;
        }
        if let Some(l) = self.spans.live.iter().find(|l| l.used && l.id == request) {
            let mut l = l.clone();
            l.closed = self.now;
            let mut t = l.to_trace(&self.nodes);
            t.in_flight = true;
            return Some(t);
        }
        let l = self.spans.done.iter().rev().find(|l| l.id == request)?;
        Some(l.to_trace(&self.nodes))
    }

    /// An error answered to `node` from downstream (it passes it on, or retries).
    #[cold]
    #[inline(never)]
    pub(super) fn count_received(&mut self, node: NodeIx, cause: Cause) {
        Spans::errors_row(&mut self.spans.received, node).add(cause);
    }

    /// A call from `node` its own breaker or bulkhead refused.
    #[cold]
    #[inline(never)]
    pub(super) fn count_guarded(&mut self, node: NodeIx, cause: Cause) {
        Spans::errors_row(&mut self.spans.guarded, node).add(cause);
    }

    /// Failures by node over `secs` seconds since `marks` (none: since the start).
    fn failures_since(&self, marks: Option<&[[u64; 8]]>, secs: f64) -> Vec<NodeFailures> {
        let mut out = Vec::new();
        for (i, n) in self.nodes.iter().enumerate().filter(|(_, n)| !n.removed) {
            let now = self.spans.produced(NodeIx(i as u32), &n.stats.errors);
            let before = marks.and_then(|m| m.get(i)).copied().unwrap_or([0; 8]);
            let causes: Vec<(Cause, f64)> = CAUSES
                .iter()
                .zip(now.iter().zip(before))
                .filter(|(_, (a, b))| **a > *b)
                .map(|(&c, (a, b))| (c, (a - b) as f64 / secs.max(1e-9)))
                .collect();
            if causes.is_empty() {
                continue;
            }
            let live: Vec<EdgeIx> = n.out_edges.iter().copied().filter(|&e| !self.edges[e].removed).collect();
            let waited_on = match live[..] {
                [e] => Some(self.nodes[self.edges[e].to].id.clone()),
                _ => None,
            };
            out.push(NodeFailures { node: n.id.clone(), causes, waited_on });
        }
        out
    }

    /// Closes a window: its explanation, its slowest and failed traces, the run's sums.
    pub(super) fn span_window(&mut self) {
        let now = self.now;
        let sp = &mut self.spans;
        let mut done = std::mem::take(&mut sp.window);
        done.sort_by_key(|d| d.0);
        let (mut tail, mut median, mut mean) = (Group::default(), Group::default(), Group::default());
        for (lat, attr) in &done {
            mean.add(*lat, attr);
        }
        if !done.is_empty() {
            let k = done.len().div_ceil(100);
            for (lat, attr) in &done[done.len() - k..] {
                tail.add(*lat, attr);
            }
            let (lat, attr) = &done[done.len() / 2];
            median.add(*lat, attr);
        }
        sp.run_tail.merge(&tail);
        sp.run_median.merge(&median);
        sp.run_mean.merge(&mean);
        let slowest = sp.slowest.take();
        let failed = std::mem::take(&mut sp.failed);
        let t_s = now.as_secs_f64();
        let marks = std::mem::take(&mut self.spans.marks);
        let failures = self.failures_since(Some(&marks), self.window.as_secs_f64());
        let nodes = &self.nodes;
        let sp = &mut self.spans;
        sp.last = WindowTraces {
            t_s,
            slowest: slowest.map(|l| l.to_trace(nodes)),
            failed: failed.iter().map(|l| l.to_trace(nodes)).collect(),
        };
        sp.explained = Explanation {
            t_s,
            whole_run: false,
            tail: breakdown(nodes, &tail),
            median: breakdown(nodes, &median),
            mean: breakdown(nodes, &mean),
            failures,
        };
        let produced: Vec<[u64; 8]> =
            nodes.iter().enumerate().map(|(i, n)| sp.produced(NodeIx(i as u32), &n.stats.errors)).collect();
        sp.marks = produced;
    }

    /// The sampled requests of the last closed window worth a look: the slowest and the
    /// first failed ones, with their spans.
    pub fn window_traces(&self) -> &WindowTraces {
        &self.spans.last
    }

    /// Where the last closed window's requests spent their time, and its failures by node.
    pub fn explain_window(&self) -> &Explanation {
        &self.spans.explained
    }

    /// Where the requests of the whole run so far spent their time, and its failures.
    pub fn explain_run(&self) -> Explanation {
        let sp = &self.spans;
        Explanation {
            t_s: self.now.as_secs_f64(),
            whole_run: true,
            tail: breakdown(&self.nodes, &sp.run_tail),
            median: breakdown(&self.nodes, &sp.run_median),
            mean: breakdown(&self.nodes, &sp.run_mean),
            failures: self.failures_since(None, self.now.as_secs_f64()),
        }
    }
}
