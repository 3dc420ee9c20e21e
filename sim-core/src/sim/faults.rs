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

    /// Cuts (or heals) the link `from -> to` (every instance's, for an autoscaling group); a
    /// replica behind a healed link receives the writes held while it was cut.
    pub(super) fn partition_link(&mut self, from: &str, to: &str, cut: bool) -> Result<(), Error> {
        let now = self.now;
        for e in self.edges_for(from, to)? {
            self.edges[e].spec.state = if cut { EdgeState::Partitioned } else { EdgeState::Up };
            if !cut {
                self.db_link_healed(e);
            }
        }
        let f = self.node_index(from, "command.partition.from")?;
        if let Runtime::Group(g) = &mut self.nodes[f].rt {
            for t in g.templates.iter_mut().filter(|t| t.to == to) {
                t.state = if cut { EdgeState::Partitioned } else { EdgeState::Up };
            }
        }
        let verb = if cut { "partitioned" } else { "healed" };
        self.log(format!("link {from} -> {to} {verb} at {}", fmt_s(now)));
        Ok(())
    }
}
