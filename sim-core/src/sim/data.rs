//! The data tier: caches and CDN edges, database versions and replication (with failover),
//! shard routers, message queues with their consumers, and the cost estimate.
//!
//! A child of the engine module: the hooks in `sim.rs` (`data_deliver`, `data_result`,
//! `data_service_done`, `db_route`, `data_kill`, …) call into here. Every effect comes from
//! the simulation: a hit ratio from the keys and TTLs the cache holds, a stale read from a
//! replica's applied version being below the key's committed version, replication lag from
//! the replica's apply queue.

use std::collections::{BTreeMap, VecDeque};

use super::*;
use crate::data_params::*;

/// Largest number of replicated writes a replica buffers before it drops them.
const MAX_APPLY_BACKLOG: usize = MAX_SLOTS as usize;
/// Hours in a month (365 × 24 / 12), for the cost estimate.
const HOURS_PER_MONTH: f64 = 730.0;
/// Seconds in a month, for request-priced services.
const SECONDS_PER_MONTH: f64 = HOURS_PER_MONTH * 3600.0;

/// Writer of a key never written by a client (write-behind flushes, or never written).
const NO_WRITER: u16 = u16::MAX;

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
struct KeyMeta {
    committed: u32,
    /// Client node index of the last writer (`NO_WRITER` for writes from no client).
    writer: u16,
    written_at: SimTime,
}

/// Per-key truth, indexed by key (bounded by the key space, at most `MAX_KEYS`).
#[derive(Clone, Debug, Default)]
pub(super) struct DataState {
    keys: Vec<KeyMeta>,
    /// Region of each node (by index), when any node has one.
    regions: Vec<Option<String>>,
    /// True once some node has a region: edges between regions then pay their round trip.
    pub(super) regions_used: bool,
    /// Deploys of static assets so far (the version a CDN edge's copies are compared with).
    pub(super) assets_version: u32,
    /// Pairs of regions cut apart (sorted), with when the cut began.
    cuts: BTreeMap<(String, String), SimTime>,
    /// Round trips the scenario sets instead of the built-in table, by sorted pair, ms.
    rtt_overrides: BTreeMap<(String, String), f64>,
    /// Where each user's (key's) session lives: a node index, `NodeIx::NONE` before the first login,
    /// `SESSION_LOST` once lost with its server (bounded by the key space).
    session_owner: Vec<NodeIx>,
    /// Session counters of the nodes holding sessions (in-memory servers, session caches).
    sessions: BTreeMap<NodeIx, SessionCounters>,
}

/// Owner of a session lost with the server that held it.
const SESSION_LOST: NodeIx = NodeIx(u32::MAX - 1);

/// Sessions at one node.
#[derive(Clone, Copy, Debug, Default)]
struct SessionCounters {
    held: u64,
    logins: u64,
    relogins: u64,
    lost: u64,
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

    fn pair(a: &str, b: &str) -> (String, String) {
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

    fn meta(&self, key: u32) -> KeyMeta {
        self.keys.get(key as usize).copied().unwrap_or(KeyMeta {
            committed: 0,
            writer: NO_WRITER,
            written_at: SimTime::ZERO,
        })
    }

    fn meta_mut(&mut self, key: u32) -> &mut KeyMeta {
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
    Cache(Box<CacheState>),
    Db(Box<DbState>),
    Router(Box<RouterState>),
    Queue(Box<QueueState>),
    /// GeoDNS: the generation of its probe timer.
    Geo(u32),
    Store(Box<super::store::StoreState>),
}

impl Ext {
    pub(super) fn new(kind: &NodeKind) -> Ext {
        match kind {
            NodeKind::Cache(_) | NodeKind::Cdn(_) => Ext::Cache(Box::default()),
            NodeKind::Database(_) => Ext::Db(Box::default()),
            NodeKind::ShardRouter(_) => Ext::Router(Box::default()),
            NodeKind::MessageQueue(_) => Ext::Queue(Box::default()),
            NodeKind::GeoDns(_) => Ext::Geo(0),
            NodeKind::ReplicatedStore(_) => Ext::Store(Box::default()),
            _ => Ext::None,
        }
    }
}

// ----- caches -----

#[derive(Clone, Copy, Debug, Default)]
struct Entry {
    present: bool,
    ver: u32,
    expires: SimTime,
    ord: (u64, u64),
    pos: u32,
    freq: u64,
}

/// A cache's keys, eviction order and counters.
#[derive(Clone, Debug, Default)]
pub(super) struct CacheState {
    /// Indexed by key (bounded by the key space).
    slots: Vec<Entry>,
    /// Eviction order (LRU: last use; LFU: uses, last use; FIFO: insertion) → key.
    order: BTreeMap<(u64, u64), u32>,
    /// Present keys, for random eviction.
    present: Vec<u32>,
    clock: u64,
    /// Coalescing: keys being fetched → requests waiting for that fetch.
    pending: BTreeMap<u32, Vec<CallId>>,
    /// Write-behind: key → writes acknowledged and not yet flushed.
    dirty: BTreeMap<u32, u32>,
    /// Write-behind: flush calls in flight (slab index) → the writes each carries.
    flushing: BTreeMap<u32, u32>,
    flushes: u64,
    flush_gen: u32,
    hits: u64,
    misses: u64,
    evictions: u64,
    expirations: u64,
    stale_hits: u64,
    store_requests: u64,
    coalesced: u64,
    lost_writes: u64,
    mark_hits: u64,
    mark_misses: u64,
    window_hit_ratio: f64,
}

/// The cache parameters of a cache or CDN node (a CDN is a read-through LRU cache of static
/// assets).
struct CacheCfg {
    capacity: u32,
    eviction: Eviction,
    ttl_s: Option<f64>,
    jitter_s: f64,
    policy: WritePolicy,
    invalidate: bool,
    coalescing: bool,
    service: ServiceTime,
    flush_ms: f64,
    cdn: bool,
}

fn cache_cfg(kind: &NodeKind) -> Option<CacheCfg> {
    match kind {
        NodeKind::Cache(c) => Some(CacheCfg {
            capacity: c.capacity_keys,
            eviction: c.eviction,
            ttl_s: c.ttl_s,
            jitter_s: c.ttl_jitter_s,
            policy: c.write_policy,
            invalidate: c.invalidate_on_write,
            coalescing: c.coalescing,
            service: c.service_time.clone(),
            flush_ms: c.write_behind_delay_ms,
            cdn: false,
        }),
        NodeKind::Cdn(c) => Some(CacheCfg {
            capacity: c.capacity_keys,
            eviction: Eviction::Lru,
            ttl_s: c.ttl_s,
            jitter_s: 0.0,
            policy: WritePolicy::ReadThrough,
            invalidate: true,
            coalescing: false,
            service: c.service_time.clone(),
            flush_ms: 1000.0,
            cdn: true,
        }),
        _ => None,
    }
}

/// Where a request at a cache or CDN edge is (`Call::phase`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum CachePhase {
    /// Looking the key up (every request starts here).
    Lookup,
    /// A miss (or a write through the cache) fetched from the store behind it.
    Fetch,
    /// A request the cache does not serve, passed on to the store.
    Pass,
    /// Cache-aside: the app sets the value it read.
    Set,
    /// A session lookup at a shared session store.
    Session,
    /// A write-behind cache's own write of a dirty key to its store.
    Flush,
}

/// When an entry filled now expires (TTL plus its jitter).
fn expiry(cfg: &CacheCfg, rng: &mut Pcg64, now: SimTime) -> SimTime {
    match cfg.ttl_s {
        Some(t) => {
            let j = if cfg.jitter_s > 0.0 { cfg.jitter_s * random::uniform(rng) } else { 0.0 };
            now.after(SimDuration::from_secs_f64(t + j))
        }
        None => SimTime::NEVER,
    }
}

impl CacheState {
    fn len(&self) -> usize {
        self.present.len()
    }

    /// The entry of `key` if cached and fresh; an expired entry is removed (and reported).
    fn lookup(&mut self, key: u32, now: SimTime) -> (Option<u32>, bool) {
        let Some(e) = self.slots.get(key as usize).copied() else { return (None, false) };
        if !e.present {
            return (None, false);
        }
        if e.expires <= now {
            self.remove(key);
            return (None, true);
        }
        (Some(e.ver), false)
    }

    fn touch(&mut self, key: u32, eviction: Eviction) {
        self.clock += 1;
        let clock = self.clock;
        let e = &mut self.slots[key as usize];
        let ord = match eviction {
            Eviction::Lru => (clock, 0),
            Eviction::Lfu => (e.freq + 1, clock),
            Eviction::Fifo | Eviction::Random => return,
        };
        e.freq += 1;
        let old = std::mem::replace(&mut e.ord, ord);
        self.order.remove(&old);
        self.order.insert(ord, key);
    }

    fn remove(&mut self, key: u32) {
        let Some(e) = self.slots.get_mut(key as usize) else { return };
        if !e.present {
            return;
        }
        e.present = false;
        let (ord, pos) = (e.ord, e.pos);
        self.order.remove(&ord);
        self.present.swap_remove(pos as usize);
        if let Some(&moved) = self.present.get(pos as usize) {
            self.slots[moved as usize].pos = pos;
        }
    }

    fn clear(&mut self) {
        for &k in &self.present {
            self.slots[k as usize].present = false;
        }
        self.present.clear();
        self.order.clear();
    }

    /// Inserts or replaces `key`, evicting as needed; returns evictions made.
    fn insert(&mut self, key: u32, ver: u32, expires: SimTime, cfg: &CacheCfg, rng: &mut Pcg64) {
        self.remove(key);
        while self.len() >= cfg.capacity as usize && !self.present.is_empty() {
            let victim = match cfg.eviction {
                Eviction::Random => self.present[random::below(rng, self.present.len() as u32) as usize],
                _ => match self.order.first_key_value() {
                    Some((_, &k)) => k,
                    None => self.present[0],
                },
            };
            self.remove(victim);
            self.evictions += 1;
        }
        self.clock += 1;
        let ord = match cfg.eviction {
            Eviction::Lfu => (1, self.clock),
            _ => (self.clock, 0),
        };
        let k = key as usize;
        if self.slots.len() <= k {
            self.slots.resize(k + 1, Entry::default());
        }
        self.slots[k] = Entry { present: true, ver, expires, ord, pos: self.present.len() as u32, freq: 1 };
        self.order.insert(ord, key);
        self.present.push(key);
    }
}

// ----- databases -----

/// Versions and replication state of a database node.
#[derive(Clone, Debug, Default)]
pub(super) struct DbState {
    /// Applied version per key (bounded by the key space).
    versions: Vec<u32>,
    /// The primary this node replicates, or `None` for a primary.
    primary: Option<NodeIx>,
    commits: u64,
    applied: u64,
    apply_queue: VecDeque<(u32, u32, SimTime)>,
    /// Writes committed while the link from the primary was partitioned: (key, version,
    /// commit time, epoch), sent when the link heals.
    held: VecDeque<(u32, u32, SimTime, u32)>,
    applying: bool,
    epoch: u32,
    lag_sum_ns: u128,
    reads: u64,
    stale_reads: u64,
    ryw_violations: u64,
    reads_to_replicas: u64,
    lost_writes: u64,
    rr: u32,
    failover_gen: u32,
}

impl DbState {
    fn version(&self, key: u32) -> u32 {
        self.versions.get(key as usize).copied().unwrap_or(0)
    }

    fn set_version(&mut self, key: u32, ver: u32) {
        let k = key as usize;
        if self.versions.len() <= k {
            self.versions.resize(k + 1, 0);
        }
        self.versions[k] = self.versions[k].max(ver);
    }
}

// ----- shard routers -----

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
fn shard_of(
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

// ----- message queues -----

#[derive(Clone, Debug)]
struct Msg {
    key: u32,
    enqueued_at: SimTime,
    attempts: u32,
    delivery: u32,
    effects: u32,
    taken: bool,
}

/// A message queue's messages and consumers.
#[derive(Clone, Debug, Default)]
pub(super) struct QueueState {
    /// Unacknowledged messages by id (ids rise with enqueue time).
    msgs: BTreeMap<u64, Msg>,
    ready: VecDeque<u64>,
    next_id: u64,
    /// Consumer slots: the message and delivery being processed.
    slots: Vec<Option<(u64, u32)>>,
    slot_gen: Vec<u32>,
    free: Vec<u32>,
    enqueued: u64,
    acknowledged: u64,
    redeliveries: u64,
    failures: u64,
    dlq: u64,
    duplicates: u64,
    workers_killed: u64,
    lost: u64,
}

impl Sim {
    // ----- dispatch from the engine -----

    pub(super) fn on_data(&mut self, ev: DataEv) {
        match ev {
            DataEv::Replicate { replica, epoch, key, ver, committed_at } => {
                self.on_replicate(replica, epoch, key, ver, committed_at)
            }
            DataEv::Applied { replica, epoch } => self.on_applied(replica, epoch),
            DataEv::Promote { node, gen } => self.on_promote(node, gen),
            DataEv::Flush { cache, gen, key } => self.on_flush(cache, gen, key),
            DataEv::JobDone { queue, slot, gen } => self.on_job_done(queue, slot, gen),
            DataEv::GeoCheck { node, gen } => self.on_geo_check(node, gen),
            DataEv::StoreApply { from, to, key, stamp } => self.on_store_apply(from, to, key, stamp),
            DataEv::Visibility { queue, msg, delivery } => {
                if let Ext::Queue(q) = &mut self.nodes[queue].ext {
                    if let Some(m) = q.msgs.get_mut(&msg) {
                        if m.taken && m.delivery == delivery {
                            m.taken = false;
                            q.ready.push_back(msg);
                        }
                    }
                }
                self.dispatch_jobs(queue);
            }
            DataEv::Requeue { queue, msg } => {
                if let Ext::Queue(q) = &mut self.nodes[queue].ext {
                    if q.msgs.get(&msg).is_some_and(|m| !m.taken) {
                        q.ready.push_back(msg);
                    }
                }
                self.dispatch_jobs(queue);
            }
        }
    }

    /// A request arrived at a cache, CDN, shard router or message queue.
    pub(super) fn data_deliver(&mut self, node: NodeIx, id: CallId) {
        let Some((req, in_edge)) = self.call(id).map(|c| (c.req, c.in_edge)) else { return };
        let session = self.is_session_edge(in_edge);
        let n = &mut self.nodes[node];
        match &n.kind {
            NodeKind::Cache(_) | NodeKind::Cdn(_) => {
                let Some(cfg) = cache_cfg(&n.kind) else { return };
                let passes = if cfg.cdn { req.kind != ReqKind::Static } else { req.kind == ReqKind::Job };
                if session {
                    let d = random::service_time(&mut n.rng, &cfg.service, n.slow);
                    if let Some(c) = self.call_mut(id) {
                        c.phase = CachePhase::Session;
                    }
                    self.schedule(self.now.after(d), Timer::ServiceDone { call: id });
                } else if passes {
                    self.forward(id, CachePhase::Pass);
                } else {
                    let d = random::service_time(&mut n.rng, &cfg.service, n.slow);
                    self.schedule(self.now.after(d), Timer::ServiceDone { call: id });
                }
            }
            NodeKind::ReplicatedStore(_) => self.store_deliver(node, id),
            NodeKind::GeoDns(_) => match self.nearest_region(node, req.origin) {
                Some(e) => self.send(id, e),
                None => self.finish(id, Err(Cause::NodeDown)),
            },
            NodeKind::ShardRouter(_) => match self.shard_edge(node, req.key) {
                Some(e) => self.send(id, e),
                None => self.finish(id, Err(Cause::NodeDown)),
            },
            NodeKind::MessageQueue(q) => {
                let Ext::Queue(st) = &mut n.ext else { return };
                if st.msgs.len() >= q.capacity as usize {
                    self.finish(id, Err(Cause::QueueFull));
                    return;
                }
                st.next_id += 1;
                st.enqueued += 1;
                let msg =
                    Msg { key: req.key, enqueued_at: self.now, attempts: 0, delivery: 0, effects: 0, taken: false };
                st.msgs.insert(st.next_id, msg);
                st.ready.push_back(st.next_id);
                // Producers return at once.
                self.finish(id, Ok(()));
                self.dispatch_jobs(node);
            }
            _ => self.finish(id, Err(Cause::NodeDown)),
        }
    }

    /// Sends the call on to the node's first outgoing edge.
    fn forward(&mut self, id: CallId, phase: CachePhase) {
        let Some(c) = self.call_mut(id) else { return };
        c.phase = phase;
        let node = c.node;
        match self.nodes[node].out_edges.first().copied() {
            Some(e) => self.send(id, e),
            None => {
                if let Some(c) = self.call_mut(id) {
                    c.waiting = true;
                }
                self.schedule(self.now, Ev::Respond { to: id, token: 0, outcome: Err(Cause::NodeDown), ver: 0 });
            }
        }
    }

    /// A data node's downstream call answered.
    pub(super) fn data_result(&mut self, id: CallId, outcome: Outcome) {
        let Some(c) = self.call(id) else { return };
        let (node, phase, req, ver) = (c.node, c.phase, c.req, c.ver);
        let n = &mut self.nodes[node];
        let Some(cfg) = cache_cfg(&n.kind) else {
            self.finish(id, outcome);
            return;
        };
        if phase == CachePhase::Flush {
            self.flush_done(node, id, outcome);
            return;
        }
        if phase != CachePhase::Fetch {
            self.finish(id, outcome);
            return;
        }
        let now = self.now;
        let expires = expiry(&cfg, &mut n.rng, now);
        let Ext::Cache(st) = &mut n.ext else { return };
        if req.kind == ReqKind::Write {
            if outcome.is_ok() {
                if cfg.policy == WritePolicy::WriteThrough {
                    st.insert(req.key, ver, expires, &cfg, &mut n.rng);
                } else if cfg.invalidate {
                    st.remove(req.key);
                }
            }
            self.finish(id, outcome);
            return;
        }
        if outcome.is_ok() {
            let ver = if cfg.cdn { self.data.assets_version } else { ver };
            st.insert(req.key, ver, expires, &cfg, &mut n.rng);
        }
        let waiters = st.pending.remove(&req.key).unwrap_or_default();
        for w in waiters {
            if let Some(c) = self.call_mut(w) {
                c.ver = ver;
            }
            self.finish(w, outcome);
        }
        if outcome.is_ok() && cfg.policy == WritePolicy::CacheAside {
            // The app sets the value it read: one more cache operation.
            let n = &mut self.nodes[node];
            let d = random::service_time(&mut n.rng, &cfg.service, n.slow);
            if let Some(c) = self.call_mut(id) {
                c.phase = CachePhase::Set;
            }
            self.schedule(now.after(d), Timer::ServiceDone { call: id });
        } else {
            self.finish(id, outcome);
        }
    }

    /// Service completions of data nodes. Returns true when handled here; a database only
    /// records versions here and lets the engine continue.
    pub(super) fn data_service_done(&mut self, id: CallId) -> bool {
        let Some(c) = self.call(id) else { return false };
        let (node, phase, req) = (c.node, c.phase, c.req);
        match &self.nodes[node].kind {
            NodeKind::Database(_) => {
                let ver = if req.kind == ReqKind::Write {
                    self.db_commit(node, req.key, req.origin)
                } else {
                    self.db_read(node, &req)
                };
                if let Some(c) = self.call_mut(id) {
                    c.ver = ver;
                }
                false
            }
            NodeKind::ReplicatedStore(_) => {
                self.store_done(node, id, req);
                true
            }
            NodeKind::Cache(_) | NodeKind::Cdn(_) => {
                match phase {
                    CachePhase::Set => self.finish(id, Ok(())),
                    CachePhase::Session => self.session_lookup_done(node, id, req),
                    _ => self.cache_lookup_done(node, id, req),
                }
                true
            }
            _ => false,
        }
    }

    fn cache_lookup_done(&mut self, node: NodeIx, id: CallId, req: Req) {
        let now = self.now;
        let cdn = matches!(self.nodes[node].kind, NodeKind::Cdn(_));
        // A CDN's assets are versioned by deploys; other caches by the key's committed writes.
        let committed = if cdn { self.data.assets_version } else { self.data.meta(req.key).committed };
        let versioned_urls = matches!(&self.nodes[node].kind, NodeKind::Cdn(c) if c.versioned_urls);
        let n = &mut self.nodes[node];
        let Some(cfg) = cache_cfg(&n.kind) else { return };
        let Ext::Cache(st) = &mut n.ext else { return };
        if req.kind == ReqKind::Write {
            if cfg.policy != WritePolicy::WriteBehind {
                st.store_requests += 1;
                self.forward(id, CachePhase::Fetch);
                return;
            }
            let dirty = st.dirty.entry(req.key).or_insert(0);
            *dirty += 1;
            let first = *dirty == 1;
            // The flush writes the newest value once: the next committed version.
            let ver = committed + 1;
            let gen = st.flush_gen;
            st.insert(req.key, ver, SimTime::NEVER, &cfg, &mut n.rng);
            if first {
                let at = now.after(SimDuration::from_millis_f64(cfg.flush_ms));
                self.schedule(at, Ev::Data(DataEv::Flush { cache: node, gen, key: req.key }));
            }
            if let Some(c) = self.call_mut(id) {
                c.ver = ver;
            }
            self.finish(id, Ok(()));
            return;
        }
        let (mut found, expired) = st.lookup(req.key, now);
        if versioned_urls && found.is_some_and(|v| v < committed) {
            // After a deploy the page links the new URL: the old copy is never asked for again.
            st.remove(req.key);
            found = None;
        }
        if let Some(ver) = found {
            st.hits += 1;
            if ver < committed {
                st.stale_hits += 1;
            }
            st.touch(req.key, cfg.eviction);
            if let Some(c) = self.call_mut(id) {
                c.ver = ver;
            }
            self.finish(id, Ok(()));
            return;
        }
        st.misses += 1;
        if expired {
            st.expirations += 1;
        }
        if cfg.coalescing {
            if let Some(w) = st.pending.get_mut(&req.key) {
                w.push(id);
                st.coalesced += 1;
                return;
            }
            st.pending.insert(req.key, Vec::new());
        }
        st.store_requests += 1;
        self.forward(id, CachePhase::Fetch);
    }

    /// A dirty key's flush: one write request (however many writes it coalesces) from the
    /// cache to its store, through the engine like any other request, so it loads the store.
    fn on_flush(&mut self, cache: NodeIx, gen: u32, key: u32) {
        let now = self.now;
        let n = &mut self.nodes[cache];
        let Ext::Cache(st) = &mut n.ext else { return };
        if st.flush_gen != gen {
            return;
        }
        let writes = st.dirty.remove(&key).unwrap_or(0);
        if writes == 0 {
            return;
        }
        let req = Req {
            kind: ReqKind::Write,
            attempt: 0,
            traced: false,
            key,
            created_at: now,
            deadline: SimTime::NEVER,
            origin: NO_WRITER,
        };
        let id = self.alloc_call(Call { phase: CachePhase::Flush, ..Call::arriving(cache, req, now) });
        if let Ext::Cache(st) = &mut self.nodes[cache].ext {
            st.flushes += 1;
            st.flushing.insert(id.idx, writes);
        }
        self.forward(id, CachePhase::Flush);
    }

    /// The store answered a flush: the writes it carried are committed, or lost.
    fn flush_done(&mut self, cache: NodeIx, id: CallId, outcome: Outcome) {
        self.free_call(id);
        let Ext::Cache(st) = &mut self.nodes[cache].ext else { return };
        let writes = st.flushing.remove(&id.idx).unwrap_or(0);
        if outcome.is_err() {
            st.lost_writes += u64::from(writes);
        }
    }

    // ----- sessions -----

    /// Whether a request over `edge` is a session lookup: the edge leads from an app server
    /// to the cache it names as its session store.
    fn is_session_edge(&self, edge: EdgeIx) -> bool {
        let Some(e) = self.edges.get(edge.ix()) else { return false };
        match &self.nodes[e.from].kind {
            NodeKind::Server(ServerParams { sessions: Sessions::Store { cache }, .. }) => *cache == self.nodes[e.to].id,
            _ => false,
        }
    }

    /// A request reached an app server that keeps sessions in memory: the user's session is
    /// there, or the user logs in there (again, if the session was lost or lives elsewhere).
    pub(super) fn server_session(&mut self, server: NodeIx, req: Req) {
        if req.kind == ReqKind::Static {
            return;
        }
        if self.data.session_owner.get(req.key as usize) != Some(&server) {
            self.log_in(server, req.key);
        }
    }

    /// The user of `key` logs in at `holder`, which now holds the session.
    fn log_in(&mut self, holder: NodeIx, key: u32) {
        let k = key as usize;
        let owners = &mut self.data.session_owner;
        if owners.len() <= k {
            owners.resize(k + 1, NodeIx::NONE);
        }
        let before = std::mem::replace(&mut owners[k], holder);
        let sessions = &mut self.data.sessions;
        if before != NodeIx::NONE && before != SESSION_LOST {
            if let Some(c) = sessions.get_mut(&before) {
                c.held = c.held.saturating_sub(1);
            }
        }
        let c = sessions.entry(holder).or_default();
        c.held += 1;
        if before == NodeIx::NONE {
            c.logins += 1;
        } else {
            c.relogins += 1;
        }
    }

    /// A session lookup at a shared session store: a hit keeps the session fresh, a miss is
    /// a login (a forced re-login if the user had a session that was evicted, expired or lost).
    fn session_lookup_done(&mut self, node: NodeIx, id: CallId, req: Req) {
        let now = self.now;
        let n = &mut self.nodes[node];
        let Some(cfg) = cache_cfg(&n.kind) else { return };
        let Ext::Cache(st) = &mut n.ext else { return };
        let (found, expired) = st.lookup(req.key, now);
        if found.is_some() {
            st.hits += 1;
            st.touch(req.key, cfg.eviction);
        } else {
            st.misses += 1;
            st.expirations += u64::from(expired);
            let expires = expiry(&cfg, &mut n.rng, now);
            if let Ext::Cache(st) = &mut n.ext {
                st.insert(req.key, 0, expires, &cfg, &mut n.rng);
            }
            self.log_in(node, req.key);
        }
        self.finish(id, Ok(()));
    }

    /// `node` crashed or was emptied: the sessions it held are gone (`present`: how many a
    /// cache still held; a server held every session it owns).
    fn drop_sessions(&mut self, node: NodeIx, present: Option<u64>) {
        let Some(c) = self.data.sessions.get_mut(&node) else { return };
        let mut owned = 0;
        for owner in self.data.session_owner.iter_mut().filter(|o| **o == node) {
            *owner = SESSION_LOST;
            owned += 1;
        }
        c.lost += present.unwrap_or(owned);
        c.held = 0;
    }

    /// A new version of every static asset is live at the origins.
    pub(super) fn deploy_assets(&mut self) {
        self.data.assets_version += 1;
        let v = self.data.assets_version;
        self.log(format!("static assets version {v} deployed at {}", fmt_s(self.now)));
    }

    /// Empties a cache or CDN edge.
    pub(super) fn flush_cache(&mut self, node: NodeIx) -> Result<(), String> {
        let n = &mut self.nodes[node];
        let Ext::Cache(st) = &mut n.ext else { return Err(format!("{} is not a cache or CDN", n.id)) };
        let keys = st.len();
        st.clear();
        let text = format!("{} flushed ({keys} keys) at {}", n.id, fmt_s(self.now));
        self.log(text);
        self.drop_sessions(node, Some(keys as u64));
        Ok(())
    }

    // ----- databases -----

    /// Commits a write of `key` at `db`: a new version, sent to every replica.
    fn db_commit(&mut self, db: NodeIx, key: u32, origin: u16) -> u32 {
        let now = self.now;
        let Ext::Db(st) = &mut self.nodes[db].ext else { return 0 };
        let ver = st.version(key).max(self.data.meta(key).committed) + 1;
        st.set_version(key, ver);
        st.commits += 1;
        *self.data.meta_mut(key) = KeyMeta { committed: ver, writer: origin, written_at: now };
        let out = self.nodes[db].out_edges.clone();
        for e in out {
            let r = self.edges[e].to;
            let cut = matches!(self.edges[e].spec.state, EdgeState::Partitioned);
            let Ext::Db(rs) = &mut self.nodes[r].ext else { continue };
            let epoch = rs.epoch;
            if cut {
                if rs.held.len() < MAX_APPLY_BACKLOG {
                    rs.held.push_back((key, ver, now, epoch));
                }
                continue;
            }
            let lat = self.edge_latency(db, e);
            let ev = DataEv::Replicate { replica: r, epoch, key, ver, committed_at: now };
            self.schedule(now.after(lat), Ev::Data(ev));
        }
        ver
    }

    /// A read served at `db`: its version, counted stale if below the committed one.
    /// Read-your-writes is violated when the client that made the unseen write had it
    /// acknowledged before it issued this read.
    fn db_read(&mut self, db: NodeIx, req: &Req) -> u32 {
        let meta = self.data.meta(req.key);
        let Ext::Db(st) = &mut self.nodes[db].ext else { return 0 };
        let ver = st.version(req.key);
        st.reads += 1;
        if ver < meta.committed {
            st.stale_reads += 1;
            if meta.writer == req.origin && meta.written_at <= req.created_at {
                st.ryw_violations += 1;
            }
        }
        ver
    }

    /// A primary sends a read on to one of its replicas; false when it serves it itself.
    pub(super) fn db_route(&mut self, node: NodeIx, id: CallId) -> bool {
        let Some(req) = self.call(id).map(|c| c.req) else { return false };
        let n = &self.nodes[node];
        let (NodeKind::Database(p), Ext::Db(st)) = (&n.kind, &n.ext) else { return false };
        if req.kind != ReqKind::Read || !p.read_from_replicas || st.primary.is_some() {
            return false;
        }
        if let Some(w) = p.read_your_writes_window_ms {
            let meta = self.data.meta(req.key);
            if meta.writer == req.origin && self.now.since(meta.written_at) < SimDuration::from_millis_f64(w) {
                return false;
            }
        }
        let mut cands = std::mem::take(&mut self.scratch);
        cands.clear();
        for &e in &n.out_edges {
            let ed = &self.edges[e];
            let t = &self.nodes[ed.to];
            if matches!(t.kind, NodeKind::Database(_))
                && t.serving()
                && !matches!(ed.spec.state, EdgeState::Partitioned)
            {
                cands.push(e);
            }
        }
        let pick = if cands.is_empty() {
            None
        } else if let Ext::Db(st) = &mut self.nodes[node].ext {
            st.rr = st.rr.wrapping_add(1);
            st.reads_to_replicas += 1;
            Some(cands[(st.rr % cands.len() as u32) as usize])
        } else {
            None
        };
        self.scratch = cands;
        match pick {
            Some(e) => {
                self.send(id, e);
                true
            }
            None => false,
        }
    }

    /// The link `edge` healed: a replica behind it receives the writes held while it was cut.
    pub(super) fn db_link_healed(&mut self, edge: EdgeIx) {
        let (from, to) = (self.edges[edge].from, self.edges[edge].to);
        let Ext::Db(rs) = &mut self.nodes[to].ext else { return };
        if rs.held.is_empty() {
            return;
        }
        let held = std::mem::take(&mut rs.held);
        let lat = self.edge_latency(from, edge);
        for (key, ver, committed_at, epoch) in held {
            let ev = DataEv::Replicate { replica: to, epoch, key, ver, committed_at };
            self.schedule(self.now.after(lat), Ev::Data(ev));
        }
    }

    fn on_replicate(&mut self, replica: NodeIx, epoch: u32, key: u32, ver: u32, committed_at: SimTime) {
        let n = &mut self.nodes[replica];
        let serving = n.serving();
        let Ext::Db(st) = &mut n.ext else { return };
        if st.epoch != epoch || !serving || st.apply_queue.len() >= MAX_APPLY_BACKLOG {
            return;
        }
        st.apply_queue.push_back((key, ver, committed_at));
        if !st.applying {
            self.start_apply(replica);
        }
    }

    fn start_apply(&mut self, replica: NodeIx) {
        let n = &mut self.nodes[replica];
        let (NodeKind::Database(p), Ext::Db(st)) = (&n.kind, &mut n.ext) else { return };
        st.applying = true;
        let epoch = st.epoch;
        let d = random::service_time(&mut n.rng, &p.write_service_time, n.slow);
        self.schedule(self.now.after(d), Ev::Data(DataEv::Applied { replica, epoch }));
    }

    fn on_applied(&mut self, replica: NodeIx, epoch: u32) {
        let now = self.now;
        let Ext::Db(st) = &mut self.nodes[replica].ext else { return };
        if st.epoch != epoch {
            return;
        }
        if let Some((key, ver, at)) = st.apply_queue.pop_front() {
            st.set_version(key, ver);
            st.applied += 1;
            st.lag_sum_ns += u128::from(now.since(at).0);
        }
        if st.apply_queue.is_empty() {
            st.applying = false;
        } else {
            self.start_apply(replica);
        }
    }

    fn on_promote(&mut self, old: NodeIx, gen: u32) {
        let now = self.now;
        let o = &self.nodes[old];
        let (NodeKind::Database(params), Ext::Db(ost)) = (&o.kind, &o.ext) else { return };
        if ost.failover_gen != gen || o.serving() || o.removed {
            return;
        }
        let params = params.clone();
        let commits = ost.commits;
        let best = o
            .out_edges
            .iter()
            .map(|&e| self.edges[e].to)
            .filter(|&t| self.nodes[t].serving())
            .filter_map(|t| match &self.nodes[t].ext {
                Ext::Db(s) => Some((t, s.applied)),
                _ => None,
            })
            .fold(None, |best: Option<(NodeIx, u64)>, x| if best.is_some_and(|b| b.1 >= x.1) { best } else { Some(x) });
        let Some((new, applied)) = best else { return };
        let lost = commits.saturating_sub(applied);
        // The promoted node's data is the truth now: writes it never applied are gone.
        let old_versions = match &self.nodes[old].ext {
            Ext::Db(s) => s.versions.clone(),
            _ => Vec::new(),
        };
        // The other replicas drop what is left of the old stream and forget writes the new
        // primary never had, so that every copy agrees on what was lost.
        let new_versions = match &self.nodes[new].ext {
            Ext::Db(s) => s.versions.clone(),
            _ => Vec::new(),
        };
        let others: Vec<NodeIx> =
            self.nodes[old].out_edges.iter().map(|&e| self.edges[e].to).filter(|&t| t != new).collect();
        for r in others {
            if let Ext::Db(rs) = &mut self.nodes[r].ext {
                rs.epoch += 1;
                rs.apply_queue.clear();
                rs.held.clear();
                rs.applying = false;
                for (k, v) in rs.versions.iter_mut().enumerate() {
                    *v = (*v).min(new_versions.get(k).copied().unwrap_or(0));
                }
            }
        }
        if let Ext::Db(ns) = &mut self.nodes[new].ext {
            ns.primary = None;
            ns.epoch += 1;
            ns.apply_queue.clear();
            ns.held.clear();
            ns.applying = false;
            ns.lost_writes += lost;
            ns.commits = 0;
            for (k, &v) in old_versions.iter().enumerate() {
                if v > 0 {
                    let mine = ns.versions.get(k).copied().unwrap_or(0);
                    let m = self.data.meta_mut(k as u32);
                    m.committed = m.committed.min(mine);
                }
            }
        }
        if let NodeKind::Database(p) = &mut self.nodes[new].kind {
            p.read_from_replicas = params.read_from_replicas;
            p.read_your_writes_window_ms = params.read_your_writes_window_ms;
            p.failover_detection_ms = params.failover_detection_ms;
        }
        // Callers of the old primary now reach the new one; the other replicas follow it.
        let new_id = self.nodes[new].id.clone();
        for e in EdgeIx::all(self.edges.len()) {
            let ed = &self.edges[e];
            if ed.removed {
                continue;
            }
            let (from, to) = (ed.from, ed.to);
            if from == old {
                let spec = EdgeSpec { from: new_id.clone(), ..ed.spec.clone() };
                self.remove_edge(e);
                if to != new {
                    let _ = self.add_edge(&spec, true);
                }
            } else if to == old && from != new {
                if self.find_edge(from, new).is_some() {
                    self.remove_edge(e);
                } else {
                    let ed = &mut self.edges[e];
                    ed.to = new;
                    ed.spec.to = new_id.clone();
                    ed.healthy = true;
                    ed.hc_fails = 0;
                }
            }
        }
        let old_id = self.nodes[old].id.clone();
        self.log(format!("{new_id} promoted to primary after {old_id} failed, at {} ({lost} writes lost)", fmt_s(now)));
    }

    // ----- shard routers -----

    /// The outgoing edge of a shard router for `key`.
    fn shard_edge(&self, node: NodeIx, key: u32) -> Option<EdgeIx> {
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

    fn shard_ids(&self, node: NodeIx) -> Vec<(NodeIx, &str)> {
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
    fn rebuild_router(&mut self, node: NodeIx) {
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

    // ----- message queues -----

    /// Hands ready messages to idle consumers.
    fn dispatch_jobs(&mut self, queue: NodeIx) {
        while self.dispatch_one(queue) {}
    }

    fn dispatch_one(&mut self, queue: NodeIx) -> bool {
        let now = self.now;
        let n = &mut self.nodes[queue];
        let NodeKind::MessageQueue(p) = &n.kind else { return false };
        let Ext::Queue(st) = &mut n.ext else { return false };
        if !n.up || n.removed || n.stats.busy.value >= u64::from(p.workers) {
            return false;
        }
        let Some(mid) = st.ready.pop_front() else { return false };
        let Some(m) = st.msgs.get_mut(&mid) else { return true };
        if m.taken {
            return true;
        }
        m.taken = true;
        m.delivery += 1;
        m.attempts += 1;
        if m.delivery > 1 {
            st.redeliveries += 1;
        }
        if !p.idempotent {
            // A consumer's side effects start with processing and are not undone by a crash.
            m.effects += 1;
            if m.effects > 1 {
                st.duplicates += 1;
            }
        }
        let delivery = m.delivery;
        let slot = match st.free.pop() {
            Some(s) => s,
            None => {
                st.slots.push(None);
                st.slot_gen.push(0);
                st.slots.len() as u32 - 1
            }
        };
        st.slots[slot as usize] = Some((mid, delivery));
        st.slot_gen[slot as usize] = st.slot_gen[slot as usize].wrapping_add(1);
        let gen = st.slot_gen[slot as usize];
        n.stats.busy.add(now, 1);
        let d = random::service_time(&mut n.rng, &p.service_time, n.slow);
        let vis = SimDuration::from_millis_f64(p.visibility_timeout_ms);
        self.schedule(now.after(d), Ev::Data(DataEv::JobDone { queue, slot, gen }));
        self.schedule(now.after(vis), Ev::Data(DataEv::Visibility { queue, msg: mid, delivery }));
        true
    }

    fn on_job_done(&mut self, queue: NodeIx, slot: u32, gen: u32) {
        let now = self.now;
        let n = &mut self.nodes[queue];
        let NodeKind::MessageQueue(p) = &n.kind else { return };
        let Ext::Queue(st) = &mut n.ext else { return };
        if st.slot_gen.get(slot as usize) != Some(&gen) {
            return;
        }
        let Some((mid, delivery)) = st.slots[slot as usize].take() else { return };
        st.free.push(slot);
        n.stats.busy.add(now, -1);
        let mut dead_letter = None;
        let mut retry = None;
        if let Some(m) = st.msgs.get_mut(&mid) {
            if !m.taken {
                // Its visibility timeout made it visible again while this delivery ran: this
                // outcome settles it, so it leaves the ready list.
                st.ready.retain(|&x| x != mid);
            }
            if m.key < p.poison_keys {
                st.failures += 1;
                if m.delivery == delivery {
                    m.taken = false;
                    if m.attempts >= p.max_attempts {
                        dead_letter = Some((m.key, m.attempts));
                    } else {
                        let backoff = p.retry_backoff_ms * libm::pow(2.0, f64::from(m.attempts - 1));
                        retry = Some(SimDuration::from_millis_f64(backoff));
                    }
                }
            } else {
                if p.idempotent && m.effects == 0 {
                    // Effects and the dedupe record commit together at the end.
                    m.effects = 1;
                }
                st.msgs.remove(&mid);
                st.acknowledged += 1;
            }
        }
        if let Some((key, attempts)) = dead_letter {
            st.msgs.remove(&mid);
            st.dlq += 1;
            let id = n.id.clone();
            self.log(format!(
                "{id}: message for key {key} moved to the dead-letter queue after {attempts} attempts at {}",
                fmt_s(now)
            ));
        }
        if let Some(d) = retry {
            self.schedule(now.after(d), Ev::Data(DataEv::Requeue { queue, msg: mid }));
        }
        self.dispatch_jobs(queue);
    }

    /// Kills one busy consumer mid-job; a new one takes its place at once.
    pub(super) fn kill_worker(&mut self, queue: NodeIx) -> Result<(), String> {
        let now = self.now;
        let n = &mut self.nodes[queue];
        let Ext::Queue(st) = &mut n.ext else { return Err(format!("{} is not a message queue", n.id)) };
        let Some(slot) = st.slots.iter().position(|s| s.is_some()) else {
            return Err(format!("no consumer of {} is busy", n.id));
        };
        st.slots[slot] = None;
        st.slot_gen[slot] = st.slot_gen[slot].wrapping_add(1);
        st.free.push(slot as u32);
        st.workers_killed += 1;
        n.stats.busy.add(now, -1);
        let text = format!("a consumer of {} killed mid-job at {}", n.id, fmt_s(now));
        self.log(text);
        self.dispatch_jobs(queue);
        Ok(())
    }

    // ----- topology and faults -----

    /// An edge from `from` to `to` was added or removed (or `from` reconfigured).
    pub(super) fn data_edges_changed(&mut self, from: NodeIx, to: Option<NodeIx>) {
        if matches!(self.nodes[from].kind, NodeKind::ShardRouter(_)) {
            self.rebuild_router(from);
        }
        if let Some(to) = to.filter(|&t| matches!(self.nodes[t].kind, NodeKind::Database(_))) {
            let primary = self
                .edges
                .iter()
                .find(|e| {
                    !e.removed
                        && e.to == to
                        && matches!(self.nodes[e.from].kind, NodeKind::Database(_))
                        && !self.nodes[e.from].removed
                })
                .map(|e| e.from);
            if let Ext::Db(st) = &mut self.nodes[to].ext {
                st.primary = primary;
            }
        }
    }

    /// A node crashed: a cache loses its contents (and unflushed writes), a replica its apply
    /// queue, a queue its messages; a primary with failover schedules a promotion.
    pub(super) fn data_kill(&mut self, node: NodeIx) {
        let now = self.now;
        let n = &mut self.nodes[node];
        match &mut n.ext {
            Ext::Cache(st) => {
                let keys = st.len() as u64;
                st.clear();
                st.pending.clear();
                // Flushes already sent may still commit at the store.
                st.flushing.clear();
                let lost: u64 = st.dirty.values().map(|&v| u64::from(v)).sum();
                st.lost_writes += lost;
                st.dirty.clear();
                st.flush_gen += 1;
                self.drop_sessions(node, Some(keys));
            }
            Ext::Db(st) => {
                st.epoch += 1;
                st.apply_queue.clear();
                st.held.clear();
                st.applying = false;
                st.failover_gen += 1;
                let gen = st.failover_gen;
                let is_primary = st.primary.is_none();
                if let (NodeKind::Database(p), true) = (&n.kind, is_primary) {
                    if let Some(ms) = p.failover_detection_ms {
                        let at = now.after(SimDuration::from_millis_f64(ms));
                        self.schedule(at, Ev::Data(DataEv::Promote { node, gen }));
                    }
                }
            }
            Ext::Queue(st) => {
                st.lost += st.msgs.len() as u64;
                st.msgs.clear();
                st.ready.clear();
                for (s, g) in st.slots.iter_mut().zip(st.slot_gen.iter_mut()) {
                    *s = None;
                    *g = g.wrapping_add(1);
                }
                st.free = (0..st.slots.len() as u32).rev().collect();
                n.stats.busy.set(now, 0);
            }
            Ext::None => self.drop_sessions(node, None),
            Ext::Router(_) | Ext::Geo(_) | Ext::Store(_) => {}
        }
    }

    /// A node was added: remember its region, start a GeoDNS node's probes.
    pub(super) fn data_start(&mut self, node: NodeIx, region: Option<&str>) {
        let i = node.ix();
        if self.data.regions.len() <= i {
            self.data.regions.resize(i + 1, None);
        }
        self.data.regions[i] = region.map(str::to_string);
        self.data.regions_used |= region.is_some();
        if matches!(self.nodes[i].kind, NodeKind::Server(ServerParams { sessions: Sessions::InMemory, .. })) {
            self.data.sessions.entry(node).or_default();
        }
        self.start_geo_checks(node);
    }

    fn start_geo_checks(&mut self, node: NodeIx) {
        let n = &mut self.nodes[node];
        let (NodeKind::GeoDns(p), Ext::Geo(gen)) = (&n.kind, &mut n.ext) else { return };
        *gen += 1;
        let ev = DataEv::GeoCheck { node, gen: *gen };
        let at = self.now.after(SimDuration::from_millis_f64(p.health_check.interval_ms));
        self.schedule(at, Ev::Data(ev));
    }

    /// Round trip between the regions of a hop, charged on the way there; a GeoDNS hop starts
    /// in the region of the request's client. Nothing within a region or without regions.
    pub(super) fn region_rtt(&self, from: NodeIx, to: NodeIx, origin: u16) -> SimDuration {
        let from = if matches!(self.nodes[from].kind, NodeKind::GeoDns(_)) { NodeIx::of_origin(origin) } else { from };
        match (self.data.region(from), self.data.region(to)) {
            (Some(a), Some(b)) if a != b => SimDuration::from_millis_f64(self.data.rtt_ms(a, b)),
            _ => SimDuration(0),
        }
    }

    /// The healthy outgoing edge of a GeoDNS node nearest to the client's region.
    fn nearest_region(&self, node: NodeIx, origin: u16) -> Option<EdgeIx> {
        let from = self.data.region(NodeIx::of_origin(origin));
        let n = &self.nodes[node];
        let rtt = |e: EdgeIx| match (from, self.data.region(self.edges[e].to)) {
            (Some(a), Some(b)) => self.data.rtt_ms(a, b),
            _ => 0.0,
        };
        let mut best: Option<(EdgeIx, f64)> = None;
        for &e in &n.out_edges {
            if !self.edges[e].healthy {
                continue;
            }
            let d = rtt(e);
            if best.is_none_or(|(_, b)| d < b) {
                best = Some((e, d));
            }
        }
        best.map(|(e, _)| e)
    }

    fn on_geo_check(&mut self, node: NodeIx, gen: u32) {
        let n = &self.nodes[node];
        let (NodeKind::GeoDns(p), Ext::Geo(g)) = (&n.kind, &n.ext) else { return };
        if *g != gen || !n.serving() {
            return;
        }
        let h = p.health_check.clone();
        let dns = n.id.clone();
        for e in n.out_edges.clone() {
            let ed = &self.edges[e];
            let to = ed.to;
            let alive = self.nodes[to].serving() && !matches!(ed.spec.state, EdgeState::Partitioned);
            let ed = &mut self.edges[e];
            let changed = if alive {
                ed.hc_fails = 0;
                ed.hc_oks += 1;
                let up = !ed.healthy && ed.hc_oks >= h.healthy_threshold;
                ed.healthy |= up;
                up.then_some("healthy")
            } else {
                ed.hc_oks = 0;
                ed.hc_fails += 1;
                let down = ed.healthy && ed.hc_fails >= h.unhealthy_threshold;
                ed.healthy &= !down;
                down.then_some("unhealthy")
            };
            if let Some(state) = changed {
                let text = format!("{} marked {state} at {} by {dns}", self.nodes[to].id, fmt_s(self.now));
                self.log(text);
            }
        }
        let at = self.now.after(SimDuration::from_millis_f64(h.interval_ms));
        self.schedule(at, Ev::Data(DataEv::GeoCheck { node, gen }));
    }

    /// Kills (or revives) every node of a region except clients.
    pub(super) fn region_outage(&mut self, region: &str, down: bool) {
        let members: Vec<NodeIx> = NodeIx::all(self.nodes.len())
            .filter(|&i| {
                let n = &self.nodes[i];
                self.data.region(i) == Some(region) && !n.removed && !matches!(n.kind, NodeKind::Client(_))
            })
            .collect();
        for i in members {
            if down && self.nodes[i].up {
                self.kill(i);
            } else if !down && !self.nodes[i].up {
                self.nodes[i].up = true;
                self.start_node(i);
                self.data_revive(i);
            }
        }
        let what = if down { "outage" } else { "recovered" };
        self.log(format!("region {region} {what} at {}", fmt_s(self.now)));
    }

    /// A node restarted.
    pub(super) fn data_revive(&mut self, node: NodeIx) {
        if let Ext::Db(st) = &mut self.nodes[node].ext {
            st.failover_gen += 1;
        }
        self.dispatch_jobs(node);
        self.start_geo_checks(node);
    }

    /// Ends a window of the cache hit-ratio series.
    pub(super) fn data_window(&mut self) {
        for n in &mut self.nodes {
            if let Ext::Cache(st) = &mut n.ext {
                let (h, m) = (st.hits - st.mark_hits, st.misses - st.mark_misses);
                st.window_hit_ratio = if h + m > 0 { h as f64 / (h + m) as f64 } else { 0.0 };
                st.mark_hits = st.hits;
                st.mark_misses = st.misses;
            }
        }
    }

    // ----- views and cost -----

    pub(super) fn cache_view(&self, n: &Node) -> Option<CacheView> {
        let Ext::Cache(st) = &n.ext else { return None };
        let cfg = cache_cfg(&n.kind)?;
        let lookups = st.hits + st.misses;
        Some(CacheView {
            keys: st.len() as u64,
            capacity_keys: u64::from(cfg.capacity),
            hits: st.hits,
            misses: st.misses,
            hit_ratio: if lookups > 0 { st.hits as f64 / lookups as f64 } else { 0.0 },
            window_hit_ratio: st.window_hit_ratio,
            evictions: st.evictions,
            expirations: st.expirations,
            stale_hits: st.stale_hits,
            store_requests: st.store_requests,
            coalesced: st.coalesced,
            dirty_writes: st.dirty.values().map(|&v| u64::from(v)).sum(),
            lost_writes: st.lost_writes,
            flushes: st.flushes,
        })
    }

    pub(super) fn database_view(&self, n: &Node) -> Option<DatabaseView> {
        let Ext::Db(st) = &n.ext else { return None };
        let replica = st.primary.is_some();
        Some(DatabaseView {
            role: if replica { "replica" } else { "primary" }.to_string(),
            primary: st.primary.map(|p| self.nodes[p].id.clone()),
            writes_committed: st.commits,
            writes_applied: st.applied,
            replication_backlog: (st.apply_queue.len() + st.held.len()) as u64,
            replication_lag_ms: st
                .held
                .front()
                .map(|&(_, _, at, _)| at)
                .into_iter()
                .chain(st.apply_queue.front().map(|&(_, _, at)| at))
                .min()
                .map_or(0.0, |at| self.now.since(at).as_millis_f64()),
            mean_replication_lag_ms: if st.applied > 0 { st.lag_sum_ns as f64 / st.applied as f64 / 1e6 } else { 0.0 },
            reads: st.reads,
            stale_reads: st.stale_reads,
            ryw_violations: st.ryw_violations,
            reads_to_replicas: st.reads_to_replicas,
            lost_writes: st.lost_writes,
        })
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

    pub(super) fn session_view(&self, idx: NodeIx, n: &Node) -> Option<SessionView> {
        let c = self.data.sessions.get(&idx)?;
        let (mode, active) = match &n.ext {
            Ext::Cache(st) => ("store", st.len() as u64),
            _ => ("in_memory", c.held),
        };
        Some(SessionView { mode: mode.to_string(), active, logins: c.logins, relogins: c.relogins, lost: c.lost })
    }

    /// Data-tier totals: sums of the node views, and sessions of every node ever (a server
    /// removed by scale-in took its sessions with it).
    pub(super) fn data_totals(&self, nodes: &[NodeView]) -> DataTotals {
        let mut t = totals(nodes);
        for c in self.data.sessions.values() {
            t.sessions_lost += c.lost;
            t.relogins += c.relogins;
        }
        t
    }

    pub(super) fn queue_view(&self, n: &Node) -> Option<QueueView> {
        let Ext::Queue(st) = &n.ext else { return None };
        Some(QueueView {
            backlog: st.msgs.len() as u64,
            ready: st.ready.len() as u64,
            oldest_age_ms: st.msgs.values().next().map_or(0.0, |m| self.now.since(m.enqueued_at).as_millis_f64()),
            enqueued: st.enqueued,
            acknowledged: st.acknowledged,
            redeliveries: st.redeliveries,
            failures: st.failures,
            dlq_size: st.dlq,
            duplicates: st.duplicates,
            workers_killed: st.workers_killed,
            lost_messages: st.lost,
        })
    }

    /// Monthly cost of a node from the price table in `docs/scenario-format.md`: instances
    /// by the hour, request-priced services by their measured throughput.
    pub(super) fn monthly_cost_usd(&self, n: &Node) -> f64 {
        let secs = self.now.as_secs_f64();
        let per_s = |x: u64| if secs > 0.0 { x as f64 / secs } else { 0.0 };
        match &n.kind {
            NodeKind::Client(_) | NodeKind::AutoscalingGroup(_) | NodeKind::ShardRouter(_) => 0.0,
            // A hosted DNS zone with latency-based routing and health checks.
            NodeKind::GeoDns(_) => 0.50 + 0.50 * n.out_edges.len() as f64,
            NodeKind::LoadBalancer(_) => 0.0225 * HOURS_PER_MONTH,
            NodeKind::RateLimiter(_) => 0.005 * HOURS_PER_MONTH,
            NodeKind::Server(_) => 0.0416 * HOURS_PER_MONTH,
            NodeKind::Database(_) | NodeKind::ReplicatedStore(_) => 0.171 * HOURS_PER_MONTH,
            NodeKind::Cache(c) => (0.017 + 0.051 * f64::from(c.capacity_keys) / 1e6) * HOURS_PER_MONTH,
            // $0.0075 per 10 000 requests plus $0.085 per GB at 100 kB per asset.
            NodeKind::Cdn(_) => per_s(n.stats.arrived) * SECONDS_PER_MONTH * (0.0075 / 1e4 + 0.085 * 1e-4),
            NodeKind::MessageQueue(q) => {
                let enqueued = match &n.ext {
                    Ext::Queue(st) => st.enqueued,
                    _ => 0,
                };
                // $0.40 per million API calls, three per message; consumers 8 to an instance.
                let calls = per_s(enqueued) * 3.0 * SECONDS_PER_MONTH;
                calls * 0.40 / 1e6 + f64::from(q.workers.div_ceil(8)) * 0.0416 * HOURS_PER_MONTH
            }
        }
    }
}

/// The ring of a consistent-hashing router: `virtual_nodes` points per shard, sorted.
fn ring(p: &ShardRouterParams, shards: &[(NodeIx, &str)]) -> Vec<(u64, NodeIx)> {
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

/// Data-tier totals over the node views.
fn totals(nodes: &[NodeView]) -> DataTotals {
    let mut t = DataTotals::default();
    for n in nodes {
        t.monthly_cost_usd += n.monthly_cost_usd;
        if let Some(c) = &n.cache {
            t.stale_reads += c.stale_hits;
            t.lost_writes += c.lost_writes;
        }
        if let Some(d) = &n.database {
            t.stale_reads += d.stale_reads;
            t.ryw_violations += d.ryw_violations;
            t.lost_writes += d.lost_writes;
        }
        if let Some(q) = &n.message_queue {
            t.duplicates += q.duplicates;
            t.dlq_size += q.dlq_size;
        }
        if let Some(s) = &n.store {
            t.stale_reads += s.stale_reads;
            t.conflicts += s.conflicts;
        }
    }
    t
}
