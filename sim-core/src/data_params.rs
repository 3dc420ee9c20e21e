//! Scenario parameters of the data tier: caches, CDN edges, shard routers and message queues,
//! and the replication options of databases. Part of the versioned format (see
//! `docs/scenario-format.md`); validated here with messages naming the field.

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::limits;
pub use crate::limits::MAX_VIRTUAL_NODES;
use crate::scenario::{check, count, validate_service, HealthCheck, ServiceTime};

/// A cache in front of a slower store (its single outgoing edge).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheParams {
    /// How many keys fit.
    pub capacity_keys: u32,
    /// Which key leaves when a new one needs room.
    #[serde(default)]
    pub eviction: Eviction,
    /// Time to live of an entry, s; none keeps entries until evicted or invalidated.
    #[serde(default)]
    pub ttl_s: Option<f64>,
    /// Each entry's TTL is lengthened by a uniform draw in [0, ttl_jitter_s].
    #[serde(default)]
    pub ttl_jitter_s: f64,
    /// How reads and writes go through the cache.
    #[serde(default)]
    pub write_policy: WritePolicy,
    /// A write through the cache deletes the cached key (else it stays, stale, until its TTL).
    #[serde(default = "yes")]
    pub invalidate_on_write: bool,
    /// Concurrent misses on one key wait for a single fetch instead of each going to the store.
    #[serde(default)]
    pub coalescing: bool,
    /// Time of one cache operation (lookup or set).
    #[serde(default = "default_cache_time")]
    pub service_time: ServiceTime,
    /// Write-behind: how long a dirty key waits before it is written to the store, ms.
    #[serde(default = "default_flush_ms")]
    pub write_behind_delay_ms: f64,
    /// The machine it runs on (a name from [`crate::machines::MACHINES`]): its memory bounds
    /// `capacity_keys` and its price is the cache's cost; none keeps the older model (any
    /// capacity, priced by the key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine: Option<String>,
}

fn yes() -> bool {
    true
}
fn default_cache_time() -> ServiceTime {
    ServiceTime::Constant { ms: 1.0 }
}
fn default_flush_ms() -> f64 {
    1000.0
}

/// Eviction policy of a full cache.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Eviction {
    /// Least recently used.
    #[default]
    Lru,
    /// Least frequently used (ties: least recently used).
    Lfu,
    /// Oldest inserted.
    Fifo,
    /// A key drawn uniformly at random.
    Random,
}

/// How a cache sits on the read and write paths.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WritePolicy {
    /// The app looks up the cache, on a miss reads the store and sets the cache (one more
    /// cache operation on a miss); writes go to the store.
    #[default]
    CacheAside,
    /// The cache reads the store itself on a miss; writes go to the store.
    ReadThrough,
    /// Writes go to the store and, once acknowledged, into the cache.
    WriteThrough,
    /// Writes are acknowledged by the cache and written to the store later; a cache crash
    /// loses the writes not yet flushed.
    WriteBehind,
}

/// A CDN edge: a cache of static assets near the users; other requests pass to the origin.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CdnParams {
    /// Assets that fit at the edge.
    pub capacity_keys: u32,
    /// Time to live of an asset at the edge, s.
    #[serde(default)]
    pub ttl_s: Option<f64>,
    /// Time to serve a hit at the edge.
    #[serde(default = "default_cache_time")]
    pub service_time: ServiceTime,
    /// Asset URLs carry their version: after a deploy the edge fetches the new asset instead
    /// of serving its old copy until the TTL (or a purge) removes it.
    #[serde(default)]
    pub versioned_urls: bool,
}

/// Spreads keys over shards (its outgoing edges, in order).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardRouterParams {
    /// How a key maps to a shard.
    #[serde(default)]
    pub strategy: ShardStrategy,
    /// Keys 0..key_space are counted when shards are added or removed (and split by `range`).
    #[serde(default = "default_key_space")]
    pub key_space: u32,
}

fn default_key_space() -> u32 {
    10_000
}

/// Key-to-shard mapping.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ShardStrategy {
    /// hash(key) mod N.
    #[default]
    Modulo,
    /// A hash ring with `virtual_nodes` points per shard; a key goes to the next point.
    ConsistentHash {
        /// Points per shard on the ring.
        virtual_nodes: u32,
    },
    /// Equal contiguous ranges of 0..key_space.
    Range,
}

/// GeoDNS: resolves each user to the nearest healthy region.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeoDnsParams {
    /// Health checks of each region's entry point (the targets of the outgoing edges).
    #[serde(default)]
    pub health_check: HealthCheck,
}

/// Regions of the built-in round-trip table.
pub const KNOWN_REGIONS: [&str; 5] = ["us-east", "us-west", "eu-west", "ap-northeast", "ap-southeast"];

/// Round-trip time between two regions, ms, from the domain material: 2 ms within a region,
/// US coast to coast 70 ms, Virginia to Tokyo 180 ms, to Sydney 230 ms; other known pairs
/// from public measurements; 100 ms between unknown regions. A scenario may override pairs
/// with [`RegionLatency`] entries.
pub fn region_rtt_ms(a: &str, b: &str) -> f64 {
    if a == b {
        return 2.0;
    }
    const KNOWN: [(&str, &str, f64); 10] = [
        ("us-east", "us-west", 70.0),
        ("us-east", "eu-west", 80.0),
        ("us-east", "ap-northeast", 180.0),
        ("us-east", "ap-southeast", 230.0),
        ("us-west", "eu-west", 140.0),
        ("us-west", "ap-northeast", 110.0),
        ("us-west", "ap-southeast", 150.0),
        ("eu-west", "ap-northeast", 220.0),
        ("eu-west", "ap-southeast", 280.0),
        ("ap-northeast", "ap-southeast", 110.0),
    ];
    KNOWN.iter().find(|(x, y, _)| (*x == a && *y == b) || (*x == b && *y == a)).map_or(100.0, |k| k.2)
}

/// A round trip between two regions that replaces the built-in table's value (in both
/// directions; `a` = `b` sets the round trip within a region).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionLatency {
    /// One region.
    pub a: String,
    /// The other region.
    pub b: String,
    /// Round-trip time between them, ms.
    pub rtt_ms: f64,
}

/// Checks the region round-trip overrides: finite, non-negative, between regions the
/// scenario's nodes use or the built-in table knows, each pair once.
pub(crate) fn validate_region_latency(entries: &[RegionLatency], used: &[&str]) -> Result<(), Error> {
    let mut seen = std::collections::BTreeSet::new();
    for (i, e) in entries.iter().enumerate() {
        let p = format!("region_latency[{i}]");
        for (f, r) in [("a", &e.a), ("b", &e.b)] {
            if !used.contains(&r.as_str()) && !KNOWN_REGIONS.contains(&r.as_str()) {
                return Err(Error::new(
                    format!("{p}.{f}"),
                    format!("unknown region {r:?}: no node runs there and it is not one of {KNOWN_REGIONS:?}"),
                ));
            }
        }
        check(&format!("{p}.rtt_ms"), e.rtt_ms, limits::REGION_RTT_MS)?;
        let pair = if e.a <= e.b { (e.a.as_str(), e.b.as_str()) } else { (e.b.as_str(), e.a.as_str()) };
        if !seen.insert(pair) {
            return Err(Error::new(p, format!("the round trip {} - {} is given twice", e.a, e.b)));
        }
    }
    Ok(())
}

/// One replica of a replicated key-value store. Replicas with the same `cluster` replicate
/// to each other over the inter-region round trips; a partition between regions cuts them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplicatedStoreParams {
    /// Cluster name: the replicas that hold the same data.
    pub cluster: String,
    /// What a replica does when a partition cuts it off from some of its peers.
    #[serde(default)]
    pub mode: Consistency,
    /// Time to serve one read or write locally.
    #[serde(default = "default_cache_time")]
    pub service_time: ServiceTime,
}

/// The CAP choice of a replicated store.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Consistency {
    /// Consistent: a write waits for a majority; a replica that cannot reach a majority
    /// refuses reads and writes (`partition` errors).
    #[default]
    Cp,
    /// Available: every replica answers from what it has; writes spread asynchronously and
    /// are reconciled after a partition heals (last writer wins, conflicts counted).
    Ap,
}

/// A message queue with its pool of consumers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageQueueParams {
    /// Messages the queue holds (waiting, in process, waiting to retry); full ⇒ `queue_full`.
    pub capacity: u32,
    /// Consumers processing messages concurrently.
    pub workers: u32,
    /// Processing time of one message.
    pub service_time: ServiceTime,
    /// A message taken by a worker becomes visible again if not acknowledged within this, ms.
    pub visibility_timeout_ms: f64,
    /// Deliveries before a failing message goes to the dead-letter queue.
    #[serde(default = "default_attempts")]
    pub max_attempts: u32,
    /// Delay before a failed message is retried, doubling per attempt, ms.
    #[serde(default = "default_backoff_ms")]
    pub retry_backoff_ms: f64,
    /// Consumers deduplicate by message id, atomically with their side effects.
    #[serde(default)]
    pub idempotent: bool,
    /// Messages whose key is below this always fail (poison messages).
    #[serde(default)]
    pub poison_keys: u32,
}

fn default_attempts() -> u32 {
    5
}
fn default_backoff_ms() -> f64 {
    100.0
}

pub(crate) fn validate_cache(p: &str, c: &CacheParams) -> Result<(), Error> {
    count(&format!("{p}.capacity_keys"), c.capacity_keys, limits::CAPACITY_KEYS)?;
    if let Some(t) = c.ttl_s {
        check(&format!("{p}.ttl_s"), t, limits::TTL_S)?;
    }
    check(&format!("{p}.ttl_jitter_s"), c.ttl_jitter_s, limits::TTL_JITTER_S)?;
    validate_service(&format!("{p}.service_time"), &c.service_time)?;
    check(&format!("{p}.write_behind_delay_ms"), c.write_behind_delay_ms, limits::WRITE_BEHIND_DELAY_MS)
}

pub(crate) fn validate_cdn(p: &str, c: &CdnParams) -> Result<(), Error> {
    count(&format!("{p}.capacity_keys"), c.capacity_keys, limits::CAPACITY_KEYS)?;
    if let Some(t) = c.ttl_s {
        check(&format!("{p}.ttl_s"), t, limits::TTL_S)?;
    }
    validate_service(&format!("{p}.service_time"), &c.service_time)
}

pub(crate) fn validate_router(p: &str, r: &ShardRouterParams) -> Result<(), Error> {
    count(&format!("{p}.key_space"), r.key_space, limits::KEY_SPACE)?;
    if let ShardStrategy::ConsistentHash { virtual_nodes } = r.strategy {
        count(&format!("{p}.strategy.consistent_hash.virtual_nodes"), virtual_nodes, limits::VIRTUAL_NODES)?;
    }
    Ok(())
}

pub(crate) fn validate_queue(p: &str, q: &MessageQueueParams) -> Result<(), Error> {
    count(&format!("{p}.capacity"), q.capacity, limits::QUEUE_MESSAGES)?;
    count(&format!("{p}.workers"), q.workers, limits::WORKERS)?;
    validate_service(&format!("{p}.service_time"), &q.service_time)?;
    check(&format!("{p}.visibility_timeout_ms"), q.visibility_timeout_ms, limits::TIMEOUT_MS)?;
    count(&format!("{p}.max_attempts"), q.max_attempts, limits::MAX_ATTEMPTS)?;
    check(&format!("{p}.retry_backoff_ms"), q.retry_backoff_ms, limits::RETRY_BACKOFF_MS)?;
    count(&format!("{p}.poison_keys"), q.poison_keys, limits::POISON_KEYS)
}
