//! Caches (and CDN edges, read-through LRU caches of static assets): lookups, TTL expiry,
//! eviction (LRU, LFU, FIFO, random), write policies (cache-aside, read-through,
//! write-through, write-behind with its flushes), request coalescing.

use std::collections::BTreeMap;

use rand_pcg::Pcg64;

use super::*;
use crate::data_params::*;

#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Entry {
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
    pub(super) slots: Vec<Entry>,
    /// Eviction order (LRU: last use; LFU: uses, last use; FIFO: insertion) → key.
    pub(super) order: BTreeMap<(u64, u64), u32>,
    /// Present keys, for random eviction.
    pub(super) present: Vec<u32>,
    pub(super) clock: u64,
    /// Coalescing: keys being fetched → requests waiting for that fetch.
    pub(super) pending: BTreeMap<u32, Vec<CallId>>,
    /// Write-behind: key → writes acknowledged and not yet flushed.
    pub(super) dirty: BTreeMap<u32, u32>,
    /// Write-behind: flush calls in flight (slab index) → the writes each carries.
    pub(super) flushing: BTreeMap<u32, u32>,
    pub(super) flushes: u64,
    pub(super) flush_gen: u32,
    pub(super) hits: u64,
    pub(super) misses: u64,
    pub(super) evictions: u64,
    pub(super) expirations: u64,
    pub(super) stale_hits: u64,
    pub(super) store_requests: u64,
    pub(super) coalesced: u64,
    pub(super) lost_writes: u64,
    pub(super) mark_hits: u64,
    pub(super) mark_misses: u64,
    pub(super) window_hit_ratio: f64,
}

/// The cache parameters of a cache or CDN node (a CDN is a read-through LRU cache of static
/// assets).
pub(super) struct CacheCfg {
    pub(super) capacity: u32,
    pub(super) eviction: Eviction,
    pub(super) ttl_s: Option<f64>,
    pub(super) jitter_s: f64,
    pub(super) policy: WritePolicy,
    pub(super) invalidate: bool,
    pub(super) coalescing: bool,
    pub(super) service: ServiceTime,
    pub(super) flush_ms: f64,
    pub(super) cdn: bool,
}

pub(super) fn cache_cfg(kind: &NodeKind) -> Option<CacheCfg> {
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
pub(super) fn expiry(cfg: &CacheCfg, rng: &mut Pcg64, now: SimTime) -> SimTime {
    match cfg.ttl_s {
        Some(t) => {
            let j = if cfg.jitter_s > 0.0 { cfg.jitter_s * random::uniform(rng) } else { 0.0 };
            now.after(SimDuration::from_secs_f64(t + j))
        }
        None => SimTime::NEVER,
    }
}

impl CacheState {
    /// Ends a window of the hit-ratio series.
    pub(super) fn close_window(&mut self) {
        let (h, m) = (self.hits - self.mark_hits, self.misses - self.mark_misses);
        self.window_hit_ratio = if h + m > 0 { h as f64 / (h + m) as f64 } else { 0.0 };
        self.mark_hits = self.hits;
        self.mark_misses = self.misses;
    }

    pub(super) fn len(&self) -> usize {
        self.present.len()
    }

    /// The entry of `key` if cached and fresh; an expired entry is removed (and reported).
    pub(super) fn lookup(&mut self, key: u32, now: SimTime) -> (Option<u32>, bool) {
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

    pub(super) fn touch(&mut self, key: u32, eviction: Eviction) {
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

    pub(super) fn remove(&mut self, key: u32) {
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

    pub(super) fn clear(&mut self) {
        for &k in &self.present {
            self.slots[k as usize].present = false;
        }
        self.present.clear();
        self.order.clear();
    }

    /// Inserts or replaces `key`, evicting as needed; returns evictions made.
    pub(super) fn insert(&mut self, key: u32, ver: u32, expires: SimTime, cfg: &CacheCfg, rng: &mut Pcg64) {
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

impl Sim {
    /// A request arrived at a cache or CDN edge: a session lookup, a request passed on to the
    /// store, or a lookup after the cache's service time.
    pub(super) fn cache_deliver(&mut self, node: NodeIx, id: CallId) {
        let Some((req, in_edge)) = self.call(id).map(|c| (c.req, c.in_edge)) else { return };
        let session = self.is_session_edge(in_edge);
        let n = &mut self.nodes[node];
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

    /// The cache's service time is over: the lookup, a session lookup or a cache-aside set.
    pub(super) fn cache_service_done(&mut self, node: NodeIx, id: CallId) {
        let Some((phase, req)) = self.call(id).map(|c| (c.phase, c.req)) else { return };
        match phase {
            CachePhase::Set => self.finish(id, Ok(())),
            CachePhase::Session => self.session_lookup_done(node, id, req),
            _ => self.cache_lookup_done(node, id, req),
        }
    }

    /// The store behind a cache answered (a fetch, a write, a flush or a passed request).
    pub(super) fn cache_result(&mut self, id: CallId, outcome: Outcome) {
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

    /// A cache crashed: its contents, waiting requests and unflushed writes are lost.
    pub(super) fn cache_crashed(&mut self, node: NodeIx) {
        let Ext::Cache(st) = &mut self.nodes[node].ext else { return };
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

    /// Sends the call on to the node's first outgoing edge.
    pub(super) fn forward(&mut self, id: CallId, phase: CachePhase) {
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

    pub(super) fn cache_lookup_done(&mut self, node: NodeIx, id: CallId, req: Req) {
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
    pub(super) fn on_flush(&mut self, cache: NodeIx, gen: u32, key: u32) {
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
            class: Priority::Standard,
            span: 0,
        };
        let id = self.alloc_call(Call { phase: CachePhase::Flush, ..Call::arriving(cache, req, now) });
        if let Ext::Cache(st) = &mut self.nodes[cache].ext {
            st.flushes += 1;
            st.flushing.insert(id.idx, writes);
        }
        self.forward(id, CachePhase::Flush);
    }

    /// The store answered a flush: the writes it carried are committed, or lost.
    pub(super) fn flush_done(&mut self, cache: NodeIx, id: CallId, outcome: Outcome) {
        self.free_call(id);
        let Ext::Cache(st) = &mut self.nodes[cache].ext else { return };
        let writes = st.flushing.remove(&id.idx).unwrap_or(0);
        if outcome.is_err() {
            st.lost_writes += u64::from(writes);
        }
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
}
