//! Shard routers: the key to shard map (modulo, range, consistent hashing) and the keys that
//! move when the shard set changes.

use super::*;
use crate::data_params::*;

/// A shard router's key → shard map over its key space.
#[derive(Clone, Debug, Default)]
pub(super) struct RouterState {
    /// Owner (node index) of each key of the key space.
    owner: Vec<NodeIx>,
    /// Shards (node indices) in edge order, with how many keys each owns.
    shards: Vec<(NodeIx, u64)>,
    keys_moved_last: u64,
    moved_fraction_last: f64,
}

/// The shard (node index) of `key` among `shards` (node ids in edge order).
pub(super) fn shard_of(
    strategy: &ShardStrategy,
    key_space: u32,
    shards: &[(NodeIx, &str)],
    ring: &[(u64, NodeIx)],
    key: u32,
) -> NodeIx {
    let n = shards.len() as u64;
    match strategy {
        ShardStrategy::Modulo => shards[(random::splitmix64(u64::from(key)) % n) as usize].0,
        ShardStrategy::Range => {
            let i = (u64::from(key.min(key_space - 1)) * n / u64::from(key_space)) as usize;
            shards[i].0
        }
        ShardStrategy::ConsistentHash { .. } => {
            let h = random::splitmix64(u64::from(key));
            let i = ring.partition_point(|&(p, _)| p < h);
            ring.get(i).or(ring.first()).map_or(shards[0].0, |&(_, s)| s)
        }
    }
}

/// The ring of a consistent-hashing router: `virtual_nodes` points per shard, sorted.
pub(super) fn ring(p: &ShardRouterParams, shards: &[(NodeIx, &str)]) -> Vec<(u64, NodeIx)> {
    let ShardStrategy::ConsistentHash { virtual_nodes } = p.strategy else { return Vec::new() };
    let mut ring: Vec<(u64, NodeIx)> = shards
        .iter()
        .flat_map(|&(s, id)| {
            let h = random::fnv1a(id.as_bytes());
            (0..virtual_nodes).map(move |v| (random::splitmix64(h ^ random::splitmix64(u64::from(v))), s))
        })
        .collect();
    ring.sort_unstable();
    ring
}

impl Sim {
    /// The outgoing edge of a shard router for `key`.
    pub(super) fn shard_edge(&self, node: NodeIx, key: u32) -> Option<EdgeIx> {
        let n = &self.nodes[node];
        let Ext::Router(st) = &n.ext else { return None };
        let shard = match st.owner.get(key as usize) {
            Some(&s) => s,
            None => {
                let NodeKind::ShardRouter(p) = &n.kind else { return None };
                let shards = self.shard_ids(node);
                if shards.is_empty() {
                    return None;
                }
                let ring = ring(p, &shards);
                shard_of(&p.strategy, p.key_space, &shards, &ring, key)
            }
        };
        n.out_edges.iter().copied().find(|&e| self.edges[e].to == shard)
    }

    pub(super) fn shard_ids(&self, node: NodeIx) -> Vec<(NodeIx, &str)> {
        let n = &self.nodes[node];
        n.out_edges
            .iter()
            .map(|&e| {
                let t = self.edges[e].to;
                (t, self.nodes[t].id.as_str())
            })
            .collect()
    }

    /// Rebuilds a router's key map and counts the keys that moved.
    pub(super) fn rebuild_router(&mut self, node: NodeIx) {
        let NodeKind::ShardRouter(p) = &self.nodes[node].kind else { return };
        let shards = self.shard_ids(node);
        let mut owner = Vec::new();
        let mut counts: Vec<(NodeIx, u64)> = shards.iter().map(|&(s, _)| (s, 0)).collect();
        if !shards.is_empty() {
            let ring = ring(p, &shards);
            owner = (0..p.key_space).map(|k| shard_of(&p.strategy, p.key_space, &shards, &ring, k)).collect();
            for &o in &owner {
                if let Some(c) = counts.iter_mut().find(|c| c.0 == o) {
                    c.1 += 1;
                }
            }
        }
        let key_space = p.key_space;
        let now = self.now;
        let id = self.nodes[node].id.clone();
        let Ext::Router(st) = &mut self.nodes[node].ext else { return };
        let had = !st.owner.is_empty();
        if had && !owner.is_empty() && now > SimTime::ZERO {
            let moved = st.owner.iter().zip(&owner).filter(|(a, b)| a != b).count() as u64;
            st.keys_moved_last = moved;
            st.moved_fraction_last = moved as f64 / f64::from(key_space);
            let frac = st.moved_fraction_last;
            st.owner = owner;
            st.shards = counts;
            self.log(format!(
                "{id}: shard set changed at {}, {moved} of {key_space} keys moved ({:.1}%)",
                fmt_s(now),
                frac * 100.0
            ));
        } else {
            st.owner = owner;
            st.shards = counts;
        }
    }

    pub(super) fn shard_view(&self, n: &Node) -> Option<ShardView> {
        let Ext::Router(st) = &n.ext else { return None };
        let sent = |s: NodeIx| n.out_edges.iter().map(|&e| &self.edges[e]).find(|e| e.to == s).map_or(0, |e| e.sent);
        let total: u64 = st.shards.iter().map(|&(s, _)| sent(s)).sum();
        Some(ShardView {
            shards: st
                .shards
                .iter()
                .map(|&(s, keys)| ShardShare {
                    id: self.nodes[s].id.clone(),
                    keys,
                    requests: sent(s),
                    load_share: if total > 0 { sent(s) as f64 / total as f64 } else { 0.0 },
                })
                .collect(),
            keys_moved_last: st.keys_moved_last,
            moved_fraction_last: st.moved_fraction_last,
        })
    }
}
