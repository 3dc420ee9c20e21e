//! Faults on nodes and links: crashes (the node's calls are lost), restarts, partitioned
//! links. Region outages and partitions between regions are in `regions.rs`.

use super::*;

impl Sim {
    /// Crashes a node: its calls are lost (callers time out), arrivals are refused.
    pub(super) fn kill(&mut self, node: NodeIx) {
        let now = self.now;
        self.nodes[node].up = false;
        let mut lost = Vec::new();
        for (i, s) in self.slab.iter().enumerate() {
            if let Some(c) = &s.call {
                if c.node == node {
                    lost.push((CallId { idx: i as u32, gen: s.gen }, c.parent, c.parent_token, c.req));
                }
            }
        }
        for (id, parent, token, req) in lost {
            self.free_call(id);
            self.nodes[node].stats.errors.add(Cause::NodeDown);
            match parent {
                // A root call at a client is a user's request; one elsewhere is a node's own
                // (a write-behind flush), which its data-tier state accounts for.
                None if matches!(self.nodes[node].kind, NodeKind::Client(_)) => {
                    self.client_final(Err(Cause::NodeDown), req)
                }
                None => {}
                // A caller with a timeout waits for it (the machine went silent); one without
                // is told at once, so that nothing waits forever.
                Some(p) => {
                    let caller = self.call(p).map(|c| c.node);
                    if caller.is_some_and(|c| self.nodes[c].call_timeout().is_none()) {
                        self.schedule(now, Ev::Respond { to: p, token, outcome: Err(Cause::NodeDown), ver: 0 });
                    }
                }
            }
        }
        let n = &mut self.nodes[node];
        if let Runtime::Station { queue } = &mut n.rt {
            queue.clear();
            n.stats.queue.set(now, 0);
            n.stats.busy.set(now, 0);
        }
        n.cpu.fill(SimTime::ZERO);
        let out = n.out_edges.clone();
        for e in out {
            self.edges[e].outstanding = 0;
            self.edges[e].waiters.clear();
        }
        self.node_crashed(node);
    }

    /// Restarts a crashed node; false when it was up.
    pub(super) fn revive(&mut self, node: NodeIx) -> bool {
        if self.nodes[node].up {
            return false;
        }
        self.nodes[node].up = true;
        self.start_node(node);
        self.node_revived(node);
        true
    }

    /// Sets the state of the link `from -> to` (every instance's, for an autoscaling group):
    /// cut, lossy, capped, or up again; a replica behind a link no longer cut receives the
    /// writes held while it was.
    pub(super) fn set_link_state(&mut self, from: &str, to: &str, state: EdgeState) -> Result<(), Error> {
        let now = self.now;
        let cut = state == EdgeState::Partitioned;
        for e in self.edges_for(from, to)? {
            self.edges[e].spec.state = state;
            if !cut {
                self.db_link_healed(e);
            }
        }
        let f = self.node_index(from, "command.partition.from")?;
        if let Runtime::Group(g) = &mut self.nodes[f].rt {
            for t in g.templates.iter_mut().filter(|t| t.to == to) {
                t.state = state;
            }
        }
        let what = match state {
            EdgeState::Up => "healed".to_string(),
            EdgeState::Partitioned => "partitioned".to_string(),
            EdgeState::Slow { factor } => format!("slowed ×{factor}"),
            EdgeState::Lossy { fraction } => format!("losing {}%", fraction * 100.0),
            EdgeState::Capped { rps } => format!("capped at {rps} req/s"),
        };
        self.log(format!("link {from} -> {to} {what} at {}", fmt_s(now)));
        Ok(())
    }

    /// Whether the lossy `edge` loses the request now sent over it, by the link's own
    /// stream.
    pub(super) fn loses(&mut self, edge: EdgeIx, fraction: f64) -> bool {
        let seed = self.seed;
        let e = &mut self.edges[edge];
        let rng = e.loss_rng.get_or_insert_with(|| {
            let name = format!("loss:{}->{}", e.spec.from, e.spec.to);
            Box::new(random::node_stream(seed, &name))
        });
        random::uniform(rng) < fraction
    }

    /// How long a request sent now over the `edge` capped at `rps` waits for the link, plus
    /// its own time on it (1 / rps): the link carries one request after another.
    pub(super) fn cap_delay(&mut self, edge: EdgeIx, rps: f64) -> SimDuration {
        let now = self.now;
        let e = &mut self.edges[edge];
        let start = if e.cap_free_at > now { e.cap_free_at } else { now };
        e.cap_free_at = start.after(SimDuration::from_millis_f64(1000.0 / rps));
        e.cap_free_at.since(now)
    }
}
