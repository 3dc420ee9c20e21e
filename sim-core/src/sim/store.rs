//! Replicated key-value stores under partition: the CAP choice.
//!
//! Replicas with the same cluster name replicate to each other over the inter-region round
//! trips; `partition_regions` cuts two regions apart. A CP replica that cannot reach a
//! majority refuses (`partition` errors) and its writes wait for a majority; an AP replica
//! answers from what it has, its writes spread asynchronously (those in flight across a cut
//! are dropped), and replicas reconcile by last-writer-wins when the partition heals.

use super::*;
use crate::data_params::*;

/// A replica's data: the last-writer-wins stamp (time, writer node) of each key.
#[derive(Clone, Debug, Default)]
pub(super) struct StoreState {
    stamps: Vec<(u64, NodeIx)>,
    reads: u64,
    writes: u64,
    refused: u64,
    stale_reads: u64,
    conflicts: u64,
}

impl StoreState {
    pub(super) fn stamp(&self, key: u32) -> (u64, NodeIx) {
        self.stamps.get(key as usize).copied().unwrap_or((0, NodeIx(0)))
    }

    pub(super) fn apply(&mut self, key: u32, stamp: (u64, NodeIx)) {
        let k = key as usize;
        if self.stamps.len() <= k {
            self.stamps.resize(k + 1, (0, NodeIx(0)));
        }
        self.stamps[k] = self.stamps[k].max(stamp);
    }
}

pub(super) fn cluster_of(kind: &NodeKind) -> Option<(&str, Consistency)> {
    match kind {
        NodeKind::ReplicatedStore(p) => Some((p.cluster.as_str(), p.mode)),
        _ => None,
    }
}

impl Sim {
    /// The live replicas of `node`'s cluster (itself included), in node order.
    pub(super) fn members(&self, node: NodeIx) -> Vec<NodeIx> {
        let Some((cluster, _)) = cluster_of(&self.nodes[node].kind) else { return Vec::new() };
        NodeIx::all(self.nodes.len())
            .filter(|&i| {
                let n = &self.nodes[i];
                !n.removed && cluster_of(&n.kind).is_some_and(|(c, _)| c == cluster)
            })
            .collect()
    }

    /// Whether `a` can talk to `b`: `b` is up and no partition cuts their regions apart.
    pub(super) fn reachable(&self, a: NodeIx, b: NodeIx) -> bool {
        if a == b {
            return self.nodes[a].serving();
        }
        if !self.nodes[b].serving() {
            return false;
        }
        match (self.data.region(a), self.data.region(b)) {
            (Some(x), Some(y)) => !self.data.is_cut(x, y),
            _ => true,
        }
    }

    pub(super) fn rtt(&self, a: NodeIx, b: NodeIx) -> SimDuration {
        match (self.data.region(a), self.data.region(b)) {
            (Some(x), Some(y)) => SimDuration::from_millis_f64(self.data.rtt_ms(x, y)),
            _ => SimDuration(0),
        }
    }

    /// A request arrived at a replica.
    pub(super) fn store_deliver(&mut self, node: NodeIx, id: CallId) {
        let Some(req) = self.call(id).map(|c| c.req) else { return };
        let members = self.members(node);
        let mut rtts: Vec<SimDuration> =
            members.iter().filter(|&&m| m != node && self.reachable(node, m)).map(|&m| self.rtt(node, m)).collect();
        rtts.sort_unstable();
        let majority = members.len() / 2 + 1;
        let n = &mut self.nodes[node];
        let (NodeKind::ReplicatedStore(p), Ext::Store(st)) = (&n.kind, &mut n.ext) else { return };
        let mut wait = SimDuration(0);
        if p.mode == Consistency::Cp {
            if rtts.len() + 1 < majority {
                st.refused += 1;
                self.finish(id, Err(Cause::Partition));
                return;
            }
            if req.kind == ReqKind::Write && majority > 1 {
                // The write is acknowledged once the nearest majority has it.
                wait = rtts[majority - 2];
            }
        }
        let d = random::service_time(&mut n.rng, &p.service_time, n.slow);
        self.schedule(self.now.after(SimDuration(d.0 + wait.0)), Timer::ServiceDone { call: id });
    }

    /// A replica finished a read or write.
    pub(super) fn store_done(&mut self, node: NodeIx, id: CallId) {
        let Some(req) = self.call(id).map(|c| c.req) else { return };
        let now = self.now;
        let members = self.members(node);
        let newest = members
            .iter()
            .filter_map(|&m| match &self.nodes[m].ext {
                Ext::Store(s) => Some(s.stamp(req.key)),
                _ => None,
            })
            .max()
            .unwrap_or((0, NodeIx(0)));
        let mode = cluster_of(&self.nodes[node].kind).map_or(Consistency::Cp, |c| c.1);
        let Ext::Store(st) = &mut self.nodes[node].ext else { return };
        if req.kind != ReqKind::Write {
            st.reads += 1;
            if st.stamp(req.key) < newest {
                st.stale_reads += 1;
            }
            self.finish(id, Ok(()));
            return;
        }
        let majority = members.len() / 2 + 1;
        let peers: Vec<NodeIx> = members.into_iter().filter(|&m| m != node && self.reachable(node, m)).collect();
        let Ext::Store(st) = &mut self.nodes[node].ext else { return };
        if mode == Consistency::Cp && peers.len() + 1 < majority {
            // The majority went out of reach while the write waited for it: it fails.
            st.refused += 1;
            self.finish(id, Err(Cause::Partition));
            return;
        }
        st.writes += 1;
        let stamp = (now.0, node);
        st.apply(req.key, stamp);
        for m in peers {
            if mode == Consistency::Cp {
                if let Ext::Store(s) = &mut self.nodes[m].ext {
                    s.apply(req.key, stamp);
                }
            } else {
                let one_way = SimDuration(self.rtt(node, m).0 / 2);
                let ev = DataEv::StoreApply { from: node, to: m, key: req.key, stamp };
                self.schedule(now.after(one_way), Ev::Data(ev));
            }
        }
        self.finish(id, Ok(()));
    }

    /// An asynchronous (AP) write reaches a peer, unless a partition cut them apart meanwhile.
    pub(super) fn on_store_apply(&mut self, from: NodeIx, to: NodeIx, key: u32, stamp: (u64, NodeIx)) {
        if !self.reachable(from, to) {
            return;
        }
        if let Ext::Store(s) = &mut self.nodes[to].ext {
            s.apply(key, stamp);
        }
    }

    /// Brings `members` to the newest stamp of every key; returns the concurrent writes lost.
    pub(super) fn reconcile(&mut self, members: &[NodeIx], since: SimTime) -> u64 {
        let len = members
            .iter()
            .map(|&m| match &self.nodes[m].ext {
                Ext::Store(s) => s.stamps.len(),
                _ => 0,
            })
            .max()
            .unwrap_or(0);
        let mut lost = 0;
        for key in 0..len as u32 {
            let stamps: Vec<(u64, NodeIx)> = members
                .iter()
                .map(|&m| match &self.nodes[m].ext {
                    Ext::Store(s) => s.stamp(key),
                    _ => (0, NodeIx(0)),
                })
                .collect();
            let Some(&win) = stamps.iter().max() else { continue };
            for (&m, &st) in members.iter().zip(&stamps) {
                if let Ext::Store(s) = &mut self.nodes[m].ext {
                    // A write accepted during the partition that lost to another side's write.
                    if st != win && st.0 >= since.0 && st.1 == m {
                        s.conflicts += 1;
                        lost += 1;
                    }
                    s.apply(key, win);
                }
            }
        }
        lost
    }

    pub(super) fn store_view(&self, n: &Node) -> Option<StoreView> {
        let (Ext::Store(st), Some((cluster, mode))) = (&n.ext, cluster_of(&n.kind)) else { return None };
        let node = self.by_id.get(&n.id).copied()?;
        let members = self.members(node);
        let mut divergent = 0;
        let stores: Vec<&StoreState> = members
            .iter()
            .filter_map(|&m| match &self.nodes[m].ext {
                Ext::Store(s) => Some(&**s),
                _ => None,
            })
            .collect();
        let len = stores.iter().map(|s| s.stamps.len()).max().unwrap_or(0);
        for key in 0..len as u32 {
            let newest = stores.iter().map(|s| s.stamp(key)).max().unwrap_or((0, NodeIx(0)));
            if st.stamp(key) != newest {
                divergent += 1;
            }
        }
        Some(StoreView {
            cluster: cluster.to_string(),
            mode,
            reachable_replicas: members.iter().filter(|&&m| self.reachable(node, m)).count() as u64,
            replicas: members.len() as u64,
            reads: st.reads,
            writes: st.writes,
            refused: st.refused,
            stale_reads: st.stale_reads,
            conflicts: st.conflicts,
            divergent_keys: divergent,
        })
    }
}
