//! The data tier's shared state: the truth about each key (its committed version, who wrote
//! it when), the regions of the nodes, the data-tier events and each data node's state.
//!
//! Every effect comes from the simulation: a hit ratio from the keys and TTLs the cache
//! holds, a stale read from a replica's applied version being below the key's committed
//! version, replication lag from the replica's apply queue.

use std::collections::BTreeMap;

use super::sessions::SessionCounters;
use super::*;
use crate::data_params::*;

/// Writer of a key never written by a client (write-behind flushes, or never written).
pub(super) const NO_WRITER: u16 = u16::MAX;

/// Data-tier events.
#[derive(Clone, Debug)]
pub(super) enum DataEv {
    /// A replicated write arrives at a replica.
    Replicate { replica: NodeIx, epoch: u32, key: u32, ver: u32, committed_at: SimTime },
    /// A replica finished applying the write at the head of its apply queue.
    Applied { replica: NodeIx, epoch: u32 },
    /// Failure detection of a dead primary is over: promote a replica.
    Promote { node: NodeIx, gen: u32 },
    /// A write-behind cache writes a dirty key to its store.
    Flush { cache: NodeIx, gen: u32, key: u32 },
    /// A consumer finished processing a message.
    JobDone { queue: NodeIx, slot: u32, gen: u32 },
    /// The visibility timeout of a delivery expired.
    Visibility { queue: NodeIx, msg: u64, delivery: u32 },
    /// A failed message's retry backoff is over.
    Requeue { queue: NodeIx, msg: u64 },
    /// A GeoDNS node probes its regions.
    GeoCheck { node: NodeIx, gen: u32 },
    /// An asynchronous write of a replicated store reaches a peer.
    StoreApply { from: NodeIx, to: NodeIx, key: u32, stamp: (u64, NodeIx) },
}

/// The truth about each key: its latest committed version and who wrote it when.
#[derive(Clone, Copy, Debug)]
pub(super) struct KeyMeta {
    pub(super) committed: u32,
    /// Client node index of the last writer (`NO_WRITER` for writes from no client).
    pub(super) writer: u16,
    pub(super) written_at: SimTime,
}

/// Per-key truth, indexed by key (bounded by the key space, at most `MAX_KEYS`).
#[derive(Clone, Debug, Default)]
pub(super) struct DataState {
    pub(super) keys: Vec<KeyMeta>,
    /// Region of each node (by index), when any node has one.
    pub(super) regions: Vec<Option<String>>,
    /// True once some node has a region: edges between regions then pay their round trip.
    pub(super) regions_used: bool,
    /// Deploys of static assets so far (the version a CDN edge's copies are compared with).
    pub(super) assets_version: u32,
    /// Pairs of regions cut apart (sorted), with when the cut began.
    pub(super) cuts: BTreeMap<(String, String), SimTime>,
    /// Round trips the scenario sets instead of the built-in table, by sorted pair, ms.
    pub(super) rtt_overrides: BTreeMap<(String, String), f64>,
    /// Where each user's (key's) session lives: a node index, `NodeIx::NONE` before the first login,
    /// `SESSION_LOST` once lost with its server (bounded by the key space).
    pub(super) session_owner: Vec<NodeIx>,
    /// Session counters of the nodes holding sessions (in-memory servers, session caches).
    pub(super) sessions: BTreeMap<NodeIx, SessionCounters>,
}

impl DataState {
    pub(super) fn new(overrides: &[RegionLatency]) -> DataState {
        let rtt_overrides = overrides.iter().map(|o| (Self::pair(&o.a, &o.b), o.rtt_ms)).collect();
        DataState { rtt_overrides, ..DataState::default() }
    }

    /// Round trip between two regions, ms: the scenario's override, else the built-in table.
    pub(super) fn rtt_ms(&self, a: &str, b: &str) -> f64 {
        if !self.rtt_overrides.is_empty() {
            if let Some(&ms) = self.rtt_overrides.get(&Self::pair(a, b)) {
                return ms;
            }
        }
        region_rtt_ms(a, b)
    }

    pub(super) fn pair(a: &str, b: &str) -> (String, String) {
        if a <= b {
            (a.to_string(), b.to_string())
        } else {
            (b.to_string(), a.to_string())
        }
    }

    pub(super) fn is_cut(&self, a: &str, b: &str) -> bool {
        !self.cuts.is_empty() && a != b && self.cuts.contains_key(&Self::pair(a, b))
    }

    pub(super) fn cut(&mut self, a: &str, b: &str, now: SimTime) {
        self.cuts.entry(Self::pair(a, b)).or_insert(now);
    }

    /// Removes a cut; returns when it began.
    pub(super) fn heal(&mut self, a: &str, b: &str) -> Option<SimTime> {
        self.cuts.remove(&Self::pair(a, b))
    }

    pub(super) fn region(&self, node: NodeIx) -> Option<&str> {
        self.regions.get(node.ix()).and_then(|r| r.as_deref())
    }

    pub(super) fn meta(&self, key: u32) -> KeyMeta {
        self.keys.get(key as usize).copied().unwrap_or(KeyMeta {
            committed: 0,
            writer: NO_WRITER,
            written_at: SimTime::ZERO,
        })
    }

    pub(super) fn meta_mut(&mut self, key: u32) -> &mut KeyMeta {
        let k = key as usize;
        if self.keys.len() <= k {
            self.keys.resize(k + 1, KeyMeta { committed: 0, writer: NO_WRITER, written_at: SimTime::ZERO });
        }
        &mut self.keys[k]
    }
}

/// Data-tier state of a node.
#[derive(Clone, Debug)]
pub(super) enum Ext {
    None,
    Cache(Box<super::cache::CacheState>),
    Db(Box<super::database::DbState>),
    Router(Box<super::shard_router::RouterState>),
    Queue(Box<super::message_queue::QueueState>),
    /// GeoDNS: the generation of its probe timer.
    Geo(u32),
    Store(Box<super::store::StoreState>),
}
