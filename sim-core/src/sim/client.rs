//! Clients: arrivals (a Poisson stream thinned to the current rate, spikes), the request
//! mix and keys, retries with backoff, and the golden signals of requests that end.

use super::*;

impl Sim {
    #[inline(always)]
    pub(super) fn current_rate(&self, node: NodeIx) -> (f64, f64) {
        let n = &self.nodes[node];
        let (NodeKind::Client(c), Runtime::Client { spike, .. }) = (&n.kind, &n.rt) else { return (0.0, 0.0) };
        let base = c.rate_rps * spike;
        match c.pattern {
            RatePattern::Constant => (base, base),
            RatePattern::Diurnal { period_s, amplitude } => {
                let phase = 2.0 * core::f64::consts::PI * self.now.as_secs_f64() / period_s;
                (base * (1.0 + amplitude * libm::sin(phase)), base * (1.0 + amplitude))
            }
        }
    }

    pub(super) fn schedule_arrival(&mut self, node: NodeIx, gen: u32) {
        let (_, max_rate) = self.current_rate(node);
        self.schedule_arrival_at_rate(node, gen, max_rate);
    }

    /// Schedules the client's next candidate arrival, thinned later to the current rate.
    #[inline(always)]
    pub(super) fn schedule_arrival_at_rate(&mut self, node: NodeIx, gen: u32, max_rate: f64) {
        if max_rate <= 0.0 || !self.nodes[node].serving() {
            return;
        }
        let gap = random::exponential(&mut self.nodes[node].rng, 1e9 / max_rate);
        let at = self.now.after(SimDuration::from_nanos_f64(gap).max(SimDuration(1)));
        self.schedule(at, Timer::Arrival { node, gen });
    }

    pub(super) fn restart_arrivals(&mut self, node: NodeIx) {
        if let Runtime::Client { arrival_gen, .. } = &mut self.nodes[node].rt {
            *arrival_gen += 1;
            let gen = *arrival_gen;
            self.schedule_arrival(node, gen);
        }
    }

    pub(super) fn on_arrival(&mut self, node: NodeIx, gen: u32) {
        let n = &self.nodes[node];
        let (NodeKind::Client(_), Runtime::Client { arrival_gen, .. }) = (&n.kind, &n.rt) else { return };
        if *arrival_gen != gen || !n.serving() {
            return;
        }
        let (rate, max_rate) = self.current_rate(node);
        let now = self.now;
        let n = &mut self.nodes[node];
        let accept = rate >= max_rate || random::uniform(&mut n.rng) * max_rate < rate;
        if accept {
            let NodeKind::Client(c) = &n.kind else { return };
            let (m, timeout_ms) = (&c.mix, c.timeout_ms);
            let total = m.read + m.write + m.static_asset + m.job;
            let u = random::uniform(&mut n.rng) * total;
            let kind = if u < m.read {
                ReqKind::Read
            } else if u < m.read + m.write {
                ReqKind::Write
            } else if u < m.read + m.write + m.static_asset {
                ReqKind::Static
            } else {
                ReqKind::Job
            };
            let Runtime::Client { keys, .. } = &n.rt else { return };
            let key = keys.sample(&mut n.rng);
            let deadline = match timeout_ms {
                Some(t) => now.after(SimDuration::from_millis_f64(t)),
                None => SimTime::NEVER,
            };
            let traced = self.trace_countdown == 0;
            if self.metrics_cfg.trace_every > 0 {
                self.trace_countdown = if traced { self.metrics_cfg.trace_every - 1 } else { self.trace_countdown - 1 };
            }
            let class = self.pick_class(node);
            let span = if traced { self.span_open(now) } else { 0 };
            let req =
                Req { kind, key, created_at: now, deadline, attempt: 0, origin: node.as_origin(), traced, class, span };
            self.global.arrived += 1;
            self.global.in_flight.add(now, 1);
            self.start_attempt(node, req);
        }
        self.schedule_arrival_at_rate(node, gen, max_rate);
    }

    pub(super) fn start_attempt(&mut self, node: NodeIx, req: Req) {
        let now = self.now;
        self.global.attempts += 1;
        self.nodes[node].stats.arrived += 1;
        let id = self.alloc_call(Call::arriving(node, req, now));
        if req.span != 0 {
            self.span_attempt(req, id, node);
        }
        match self.nodes[node].out_edges.first().copied() {
            Some(e) => self.send(id, e),
            None => {
                // No route: answer the attempt at once with "node down".
                if let Some(c) = self.call_mut(id) {
                    c.waiting = true;
                }
                self.schedule(now, Ev::Respond { to: id, token: 0, outcome: Err(Cause::NodeDown), ver: 0 });
            }
        }
    }

    pub(super) fn client_result(&mut self, id: CallId, outcome: Outcome) {
        let Some(call) = self.end_call(id, outcome) else { return };
        if outcome.is_err() && self.retry_later(call.node, call.req) {
            return;
        }
        self.client_final(outcome, call.req);
    }

    /// Schedules the next attempt of a failed request when the client's retry policy allows
    /// one more (false: the request has failed for good).
    #[cold]
    #[inline(never)]
    pub(super) fn retry_later(&mut self, node: NodeIx, mut req: Req) -> bool {
        let now = self.now;
        let n = &mut self.nodes[node];
        let NodeKind::Client(c) = &n.kind else { return false };
        let Some(r) = &c.retry else { return false };
        if u32::from(req.attempt) >= r.max_retries {
            return false;
        }
        let backoff = (r.base_backoff_ms * libm::pow(r.multiplier, f64::from(req.attempt))).min(r.max_backoff_ms);
        let ms = match r.jitter {
            Jitter::None => backoff,
            Jitter::Full => backoff * random::uniform(&mut n.rng),
            Jitter::Equal => backoff / 2.0 + backoff / 2.0 * random::uniform(&mut n.rng),
        };
        req.attempt += 1;
        if let Some(t) = c.timeout_ms {
            req.deadline = now.after(SimDuration::from_millis_f64(ms + t));
        }
        self.schedule(now.after(SimDuration::from_millis_f64(ms)), Ev::Retry { node, req });
        true
    }

    pub(super) fn client_final(&mut self, outcome: Outcome, req: Req) {
        let now = self.now;
        match outcome {
            Ok(()) => {
                self.global.completed += 1;
                let d = now.since(req.created_at);
                self.global.latency.record(d);
            }
            Err(c) => self.global.failed.add(c),
        }
        if req.span != 0 {
            self.span_final(req, outcome);
        }
        self.count_class(outcome, req);
        self.global.in_flight.add(now, -1);
    }
}
