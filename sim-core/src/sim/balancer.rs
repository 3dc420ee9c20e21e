//! Load balancers (and autoscaling groups, which balance over their instances): picking a
//! backend by policy (round robin, weighted, least connections, least response time, hash,
//! random, power of two choices), skipping backends whose circuit breaker is open, and
//! health checks.

use super::*;

impl Sim {
    pub(super) fn backend_ok(&self, node: NodeIx, edge: EdgeIx) -> bool {
        let e = &self.edges[edge];
        let target = &self.nodes[e.to];
        match &self.nodes[node].kind {
            NodeKind::AutoscalingGroup(_) => target.serving() && !target.draining,
            NodeKind::LoadBalancer(lb) => lb.health_check.is_none() || e.healthy,
            _ => true,
        }
    }

    /// Whether the edge has a circuit breaker that is open now.
    #[inline(always)]
    fn breaker_open(&self, edge: EdgeIx) -> bool {
        let e = &self.edges[edge];
        e.guarded && e.breaker.as_ref().is_some_and(|b| b.is_open(self.now))
    }

    pub(super) fn pick_backend(&mut self, node: NodeIx, key: u32) -> Option<EdgeIx> {
        let mut cands = std::mem::take(&mut self.scratch);
        cands.clear();
        for &e in &self.nodes[node].out_edges {
            if self.backend_ok(node, e) {
                cands.push(e);
            }
        }
        // Backends whose breaker is open are passed over while another is left (with none
        // left, the call fails at once at the open breaker, `circuit_open`).
        if cands.iter().any(|&e| self.breaker_open(e)) && !cands.iter().all(|&e| self.breaker_open(e)) {
            cands.retain(|&e| !self.breaker_open(e));
        }
        let chosen = self.choose(node, &cands, key);
        self.scratch = cands;
        chosen
    }

    pub(super) fn choose(&mut self, node: NodeIx, cands: &[EdgeIx], key: u32) -> Option<EdgeIx> {
        if cands.is_empty() {
            return None;
        }
        let k = cands.len() as u32;
        let n = &mut self.nodes[node];
        let policy = match &n.kind {
            NodeKind::LoadBalancer(lb) => lb.policy,
            NodeKind::AutoscalingGroup(a) => a.policy,
            _ => LbPolicy::RoundRobin,
        };
        let rr = match &mut n.rt {
            Runtime::Balancer { rr, .. } => rr,
            Runtime::Group(g) => &mut g.rr,
            _ => return cands.first().copied(),
        };
        *rr = rr.wrapping_add(1);
        let start = *rr % k;
        let edges = &mut self.edges;
        let rotated = (0..k).map(|i| cands[((start + i) % k) as usize]);
        let pick = match policy {
            LbPolicy::RoundRobin => cands[start as usize],
            LbPolicy::WeightedRoundRobin => {
                let total: i64 = cands.iter().map(|&e| i64::from(edges[e].spec.weight)).sum();
                let mut best = cands[0];
                for &e in cands {
                    let ed = &mut edges[e];
                    ed.wrr_current += i64::from(ed.spec.weight);
                    if ed.wrr_current > edges[best].wrr_current {
                        best = e;
                    }
                }
                edges[best].wrr_current -= total;
                best
            }
            LbPolicy::LeastConnections => rotated.min_by_key(|&e| edges[e].outstanding)?,
            LbPolicy::LeastResponseTime => rotated.min_by(|&a, &b| {
                let score = |e: EdgeIx| (edges[e].ewma_ns + 1.0) * (edges[e].outstanding as f64 + 1.0);
                score(a).total_cmp(&score(b))
            })?,
            LbPolicy::Hash => {
                let h = random::fnv1a(&key.to_le_bytes());
                cands[(h % u64::from(k)) as usize]
            }
            LbPolicy::Random => cands[random::below(&mut n.rng, k) as usize],
            LbPolicy::PowerOfTwo => {
                let a = random::below(&mut n.rng, k);
                let mut b = random::below(&mut n.rng, k.saturating_sub(1).max(1));
                if k > 1 && b >= a {
                    b += 1;
                }
                let (ea, eb) = (cands[a as usize], cands[(b % k) as usize]);
                if edges[eb].outstanding < edges[ea].outstanding {
                    eb
                } else {
                    ea
                }
            }
        };
        Some(pick)
    }

    pub(super) fn on_health_check(&mut self, node: NodeIx, gen: u32) {
        let n = &self.nodes[node];
        let (NodeKind::LoadBalancer(lb), Runtime::Balancer { hc_gen, .. }) = (&n.kind, &n.rt) else { return };
        if *hc_gen != gen || n.removed {
            return;
        }
        let Some(h) = lb.health_check.clone() else { return };
        let lb_id = n.id.clone();
        let out = n.out_edges.clone();
        for e in out {
            let (to, partitioned) = {
                let ed = &self.edges[e];
                (ed.to, matches!(ed.spec.state, EdgeState::Partitioned))
            };
            let alive = self.nodes[to].serving() && !partitioned;
            let ed = &mut self.edges[e];
            if alive {
                ed.hc_fails = 0;
                ed.hc_oks += 1;
                if !ed.healthy && ed.hc_oks >= h.healthy_threshold {
                    ed.healthy = true;
                    let text = format!("{} marked healthy at {} by {lb_id}", self.nodes[to].id, fmt_s(self.now));
                    self.log(text);
                }
            } else {
                ed.hc_oks = 0;
                ed.hc_fails += 1;
                if ed.healthy && ed.hc_fails >= h.unhealthy_threshold {
                    ed.healthy = false;
                    let text = format!("{} marked unhealthy at {} by {lb_id}", self.nodes[to].id, fmt_s(self.now));
                    self.log(text);
                }
            }
        }
        let at = self.now.after(SimDuration::from_millis_f64(h.interval_ms));
        self.schedule(at, Timer::HealthCheck { node, gen });
    }

    /// Starts a balancer's health checks (a new generation: older probes are stale).
    pub(super) fn start_health_checks(&mut self, node: NodeIx) {
        let now = self.now;
        let n = &mut self.nodes[node];
        let (NodeKind::LoadBalancer(lb), Runtime::Balancer { hc_gen, .. }) = (&n.kind, &mut n.rt) else { return };
        *hc_gen += 1;
        let gen = *hc_gen;
        if let Some(h) = &lb.health_check {
            let at = now.after(SimDuration::from_millis_f64(h.interval_ms));
            self.schedule(at, Timer::HealthCheck { node, gen });
        }
    }
}
