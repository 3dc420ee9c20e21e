//! Metrics: histograms, bounded ring buffers, and the plain-data snapshot the UI reads.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::data_params::Consistency;
use crate::scenario::EdgeState;
use crate::time::{SimDuration, SimTime};

pub use crate::causes::{Cause, ClassView, ErrorCounts, Priority};

/// Latency percentiles from a log-linear histogram (microsecond values, buckets at most
/// 0.4 % wide; no percentile is reported above the largest latency seen).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LatencySummary {
    /// Samples.
    pub count: u64,
    /// Exact mean, ms.
    pub mean_ms: f64,
    /// Median, ms.
    pub p50_ms: f64,
    /// 95th percentile, ms.
    pub p95_ms: f64,
    /// 99th percentile, ms.
    pub p99_ms: f64,
    /// Maximum (exact), ms.
    pub max_ms: f64,
}

/// Latency recorder of one node (or of the clients together): a cumulative histogram with
/// an exact count, sum (for the mean) and maximum, and the current window's histogram,
/// which the time series reads and clears at each window close.
///
/// Both histograms are the `histogram` crate's log-linear kind: recording a value is a
/// shift and an increment, a few instructions on a path that runs several times per
/// request. Cumulative buckets are at most 0.4 % wide (grouping power 8), window buckets
/// at most 0.8 % (grouping power 7, counts in `u32`, as a window holds far fewer than 2³²
/// samples). A percentile reports the upper end of its bucket, capped at the largest
/// latency seen, so a run where every request takes the same time reports that time.
///
/// Latencies are tracked from 1 µs to one week; longer ones saturate at a week. A recorder
/// allocates its buckets (about 67 KiB cumulative and 17 KiB for the window) on its first
/// sample, so idle nodes cost nothing.
#[derive(Clone, Debug, Default)]
pub(crate) struct Latency {
    /// Buckets, from the first sample on.
    hist: Option<Box<Buckets>>,
    count: u64,
    sum_ns: u128,
    max_us: u64,
    window_count: u64,
    window_max_us: u64,
}

/// The cumulative and window histograms of a [`Latency`].
#[derive(Clone, Debug)]
struct Buckets {
    total: histogram::Histogram,
    window: histogram::Histogram32,
}

/// Longest latency a histogram tracks (larger values saturate): one week, in µs.
const HIST_MAX_US: u64 = 7 * 24 * 3600 * 1_000_000;
/// Histograms hold values below 2^40 µs (12.7 days), above [`HIST_MAX_US`].
const HIST_MAX_POWER: u8 = 40;
/// Buckets per power of two: 2^8 for the cumulative histogram, 2^7 for a window's.
const TOTAL_GROUPING: u8 = 8;
const WINDOW_GROUPING: u8 = 7;

fn us_to_ms(us: u64) -> f64 {
    us as f64 / 1e3
}

impl Buckets {
    #[cold]
    #[inline(never)]
    fn new() -> Box<Buckets> {
        // The powers are constants the crate accepts.
        Box::new(Buckets {
            total: histogram::Histogram::new(TOTAL_GROUPING, HIST_MAX_POWER).expect("valid histogram"),
            window: histogram::Histogram32::new(WINDOW_GROUPING, HIST_MAX_POWER).expect("valid histogram"),
        })
    }
}

/// Upper ends of the buckets at `quantiles` (ascending, in (0, 1]), capped at `max_us`, ms.
fn quantiles_ms<const N: usize>(
    into: impl FnOnce(&[f64], &mut [Option<histogram::Bucket>]) -> Result<usize, histogram::Error>,
    quantiles: [f64; N],
    max_us: u64,
) -> [f64; N] {
    let mut buckets = [const { None }; N];
    // Quantiles in (0, 1] and room for each: the call cannot fail.
    let _ = into(&quantiles, &mut buckets);
    buckets.map(|b| b.map_or(0.0, |b| us_to_ms(b.end().min(max_us))))
}

impl Latency {
    pub(crate) fn new() -> Latency {
        Latency::default()
    }

    #[inline]
    pub(crate) fn record(&mut self, d: SimDuration) {
        let us = (d.0 / 1000).clamp(1, HIST_MAX_US);
        let h = self.hist.get_or_insert_with(Buckets::new);
        // `us` is below 2^HIST_MAX_POWER, so both increments are in range.
        let _ = h.total.increment(us);
        let _ = h.window.increment(us);
        self.count += 1;
        self.sum_ns += u128::from(d.0);
        self.max_us = self.max_us.max(us);
        self.window_count += 1;
        self.window_max_us = self.window_max_us.max(us);
    }

    /// Cumulative percentiles since the start.
    pub(crate) fn summary(&self) -> LatencySummary {
        let Some(h) = self.hist.as_ref().filter(|_| self.count > 0) else {
            return LatencySummary::default();
        };
        let [p50_ms, p95_ms, p99_ms] =
            quantiles_ms(|q, out| h.total.quantile_buckets_into(q, out), [0.5, 0.95, 0.99], self.max_us);
        LatencySummary {
            count: self.count,
            mean_ms: self.sum_ns as f64 / self.count as f64 / 1e6,
            p50_ms,
            p95_ms,
            p99_ms,
            max_ms: us_to_ms(self.max_us),
        }
    }

    /// Closes the window: its latency at each quantile (ascending, in (0, 1]), ms, or 0 when it
    /// recorded nothing; then starts an empty window.
    pub(crate) fn close_window<const N: usize>(&mut self, quantiles: [f64; N]) -> [f64; N] {
        let Some(h) = self.hist.as_mut().filter(|_| self.window_count > 0) else {
            return [0.0; N];
        };
        let ms = quantiles_ms(|q, out| h.window.quantile_buckets_into(q, out), quantiles, self.window_max_us);
        h.window.reset();
        self.window_count = 0;
        self.window_max_us = 0;
        ms
    }
}

/// A ring buffer keeping the newest `cap` items.
#[derive(Clone, Debug)]
pub(crate) struct Ring<T> {
    items: VecDeque<T>,
    cap: usize,
}

impl<T: Clone> Ring<T> {
    pub(crate) fn new(cap: usize) -> Ring<T> {
        Ring { items: VecDeque::new(), cap: cap.max(1) }
    }

    pub(crate) fn push(&mut self, item: T) {
        if self.items.len() == self.cap {
            self.items.pop_front();
        }
        self.items.push_back(item);
    }

    pub(crate) fn to_vec(&self) -> Vec<T> {
        self.items.iter().cloned().collect()
    }

    pub(crate) fn last(&self) -> Option<&T> {
        self.items.back()
    }
}

/// A time-weighted integral of a count (for mean utilisation, queue length, in-flight).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Area {
    pub(crate) value: u64,
    area: u128,
    since: SimTime,
}

impl Area {
    #[inline]
    pub(crate) fn set(&mut self, now: SimTime, value: u64) {
        self.area = self.at(now);
        self.since = now;
        self.value = value;
    }

    #[inline]
    pub(crate) fn add(&mut self, now: SimTime, delta: i64) {
        let v = self.value.saturating_add_signed(delta);
        self.set(now, v);
    }

    /// The integral up to `now`, in count × ns.
    #[inline]
    pub(crate) fn at(&self, now: SimTime) -> u128 {
        self.area + u128::from(self.value) * u128::from(now.since(self.since).0)
    }
}

/// One window of the global time series.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GlobalPoint {
    /// End of the window, s.
    pub t_s: f64,
    /// Successful responses per second.
    pub rps: f64,
    /// Failed requests / finished requests in the window.
    pub error_rate: f64,
    /// Median latency, ms.
    pub p50_ms: f64,
    /// 95th percentile, ms.
    pub p95_ms: f64,
    /// 99th percentile, ms.
    pub p99_ms: f64,
    /// Requests in flight at the end of the window.
    pub in_flight: u64,
    /// Requests answered successfully in the window (kept out of the serialised form and the
    /// digest; see [`GlobalPoint::availability`]).
    #[serde(skip)]
    pub completed: u64,
    /// Requests failed for good in the window (kept out of the serialised form and the digest).
    #[serde(skip)]
    pub failed: u64,
}

impl GlobalPoint {
    /// The window's availability: completed / (completed + failed).
    pub fn availability(&self) -> crate::Availability {
        crate::Availability::new(self.completed, self.failed)
    }
}

/// One window of a node's time series.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NodePoint {
    /// End of the window, s.
    pub t_s: f64,
    /// Requests finished successfully per second.
    pub rps: f64,
    /// Errors per second.
    pub errors_per_s: f64,
    /// 95th percentile of the time requests spent at the node, ms.
    pub p95_ms: f64,
    /// Busy workers / workers over the window.
    pub utilisation: f64,
    /// Queue length at the end of the window.
    pub queue_len: u64,
}

/// A node's state as the UI shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    /// Serving.
    Up,
    /// Killed.
    Down,
    /// Launched by an autoscaling group, not serving yet.
    Booting,
    /// Being removed by an autoscaling group; finishes its work.
    Draining,
}

/// Gives a snapshot's name enum the text its JSON holds: `as_str`, `Display` (padded like a
/// string) and comparison with that text.
macro_rules! named {
    ($t:ident { $($v:ident => $s:literal),* $(,)? }) => {
        impl $t {
            /// The name as the JSON holds it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($t::$v => $s),*
                }
            }
        }

        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl PartialEq<&str> for $t {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }
    };
}

/// A node's kind, as [`NodeView::kind`] names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KindName {
    /// A client.
    Client,
    /// A load balancer.
    LoadBalancer,
    /// An app server.
    Server,
    /// A database.
    Database,
    /// A rate limiter.
    RateLimiter,
    /// An autoscaling group.
    AutoscalingGroup,
    /// A cache.
    Cache,
    /// A CDN edge.
    Cdn,
    /// A shard router.
    ShardRouter,
    /// A GeoDNS node.
    GeoDns,
    /// A replica of a replicated store.
    ReplicatedStore,
    /// A message queue.
    MessageQueue,
}

named!(KindName {
    Client => "client",
    LoadBalancer => "load_balancer",
    Server => "server",
    Database => "database",
    RateLimiter => "rate_limiter",
    AutoscalingGroup => "autoscaling_group",
    Cache => "cache",
    Cdn => "cdn",
    ShardRouter => "shard_router",
    GeoDns => "geo_dns",
    ReplicatedStore => "replicated_store",
    MessageQueue => "message_queue",
});

/// Whether a database is a primary or replicates one ([`DatabaseView::role`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Takes writes (and, without replicas to read from, reads).
    #[default]
    Primary,
    /// Applies the writes its primary replicates to it.
    Replica,
}

named!(Role { Primary => "primary", Replica => "replica" });

/// Where a node's login sessions live ([`SessionView::mode`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionMode {
    /// In an app server's memory.
    #[default]
    InMemory,
    /// In a cache used as the shared session store.
    Store,
}

named!(SessionMode { InMemory => "in_memory", Store => "store" });

// The CAP choice of a replicated store names [`StoreView::mode`].
named!(Consistency { Cp => "cp", Ap => "ap" });

/// The SLO an alert is about ([`Alert::kind`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// The window's p95 latency over its target.
    P95,
    /// The window's error rate over its budget.
    ErrorRate,
}

named!(AlertKind { P95 => "p95", ErrorRate => "error_rate" });

/// Per-node metrics.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NodeView {
    /// Node id.
    pub id: String,
    /// Display label.
    pub label: String,
    /// Kind name ("server").
    pub kind: KindName,
    /// Canvas position.
    pub x: Option<f64>,
    /// Canvas position.
    pub y: Option<f64>,
    /// Up / down / booting / draining.
    pub health: Health,
    /// True when some load balancer's health checks currently mark it unhealthy.
    pub marked_unhealthy: bool,
    /// Service-time multiplier of the "slow" fault (1 = normal).
    pub slow_factor: f64,
    /// Requests that reached the node.
    pub arrived: u64,
    /// Requests it finished successfully.
    pub completed: u64,
    /// Requests it failed (or refused, or lost when killed), by cause.
    pub errors: ErrorCounts,
    /// Requests at the node now (queued, in service or waiting on downstream).
    pub in_flight: u64,
    /// Requests waiting in its queue now.
    pub queue_len: u64,
    /// Busy worker slots now.
    pub busy_workers: u64,
    /// Worker slots (connections for a database; 0 for nodes without workers).
    pub workers: u64,
    /// The machine it runs on (a name in [`crate::machines::MACHINES`]), if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine: Option<String>,
    /// Mean busy fraction of the worker slots since the start.
    pub utilisation: f64,
    /// Time-average queue length since the start.
    pub mean_queue_len: f64,
    /// Time-average number of requests at the node since the start.
    pub mean_in_flight: f64,
    /// Successful completions per second since the start.
    pub throughput_rps: f64,
    /// Time from arrival at the node to its answer (success or failure).
    pub latency: LatencySummary,
    /// The newest window.
    pub window: NodePoint,
    /// Bounded time series, oldest first.
    pub series: Vec<NodePoint>,
    /// Instances of an autoscaling group (running, booting or draining).
    pub instances: u64,
    /// The node's region, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Estimated monthly cost of this component, US dollars (see the price table).
    pub monthly_cost_usd: f64,
    /// Cache or CDN metrics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache: Option<CacheView>,
    /// Versions and replication of a database (primary or replica).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<DatabaseView>,
    /// Keys and load per shard of a shard router.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shards: Option<ShardView>,
    /// Backlog, dead letters and duplicates of a message queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_queue: Option<QueueView>,
    /// Reads, refusals, staleness and divergence of a replicated-store replica.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store: Option<StoreView>,
    /// Login sessions held by an app server (in memory) or a shared session store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sessions: Option<SessionView>,
}

/// Login sessions at a node that holds them: an app server keeping them in memory, or a
/// cache used as the shared session store.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SessionView {
    /// `in_memory` (an app server) or `store` (a session cache).
    pub mode: SessionMode,
    /// Sessions it holds now.
    pub active: u64,
    /// First logins of users here.
    pub logins: u64,
    /// Forced re-logins here: users whose session was lost, evicted, expired or held by
    /// another server.
    pub relogins: u64,
    /// Sessions lost when it crashed (or, a cache, was flushed).
    pub lost: u64,
}

/// Metrics of one replica of a replicated store.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StoreView {
    /// Cluster name.
    pub cluster: String,
    /// "cp" or "ap".
    pub mode: Consistency,
    /// Peers (this replica included) it can reach now.
    pub reachable_replicas: u64,
    /// Replicas in the cluster.
    pub replicas: u64,
    /// Reads served.
    pub reads: u64,
    /// Writes accepted.
    pub writes: u64,
    /// Requests refused because a majority was out of reach (CP).
    pub refused: u64,
    /// Reads served older than the newest write of their key anywhere in the cluster.
    pub stale_reads: u64,
    /// Keys written on both sides of a partition, reconciled by last-writer-wins at heal.
    pub conflicts: u64,
    /// Keys whose value here differs from the newest in the cluster now.
    pub divergent_keys: u64,
}

/// Metrics of a cache or CDN edge.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CacheView {
    /// Keys cached now.
    pub keys: u64,
    /// Capacity in keys.
    pub capacity_keys: u64,
    /// Lookups answered from the cache.
    pub hits: u64,
    /// Lookups that had to go to the store (expired entries included).
    pub misses: u64,
    /// hits / (hits + misses) since the start (0 before any lookup).
    pub hit_ratio: f64,
    /// Hit ratio in the newest window.
    pub window_hit_ratio: f64,
    /// Entries evicted to make room.
    pub evictions: u64,
    /// Misses caused by an expired entry.
    pub expirations: u64,
    /// Hits that returned a version older than the latest committed one.
    pub stale_hits: u64,
    /// Requests the cache sent to its store (reads on a miss, writes).
    pub store_requests: u64,
    /// Misses that waited for another request's fetch of the same key (coalescing).
    pub coalesced: u64,
    /// Write-behind: writes acknowledged but not yet written to the store.
    pub dirty_writes: u64,
    /// Write-behind: acknowledged writes lost because the cache died before flushing them
    /// or the store failed their flush.
    pub lost_writes: u64,
    /// Write-behind flushes sent to the store (each one write, however many it coalesces).
    pub flushes: u64,
}

/// Replication metrics of a database.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DatabaseView {
    /// "primary" or "replica".
    pub role: Role,
    /// The primary's id, for a replica.
    pub primary: Option<String>,
    /// Writes committed here as primary (since the start, or since promotion).
    pub writes_committed: u64,
    /// Replicated writes applied here as a replica.
    pub writes_applied: u64,
    /// Replicated writes received and not yet applied.
    pub replication_backlog: u64,
    /// Age of the oldest unapplied write (0 when caught up), ms: the replication lag now.
    pub replication_lag_ms: f64,
    /// Mean commit-to-apply delay of the writes applied so far, ms.
    pub mean_replication_lag_ms: f64,
    /// Reads served here.
    pub reads: u64,
    /// Reads served below the latest committed version of their key.
    pub stale_reads: u64,
    /// Stale reads of a key whose newer write came from the same client (session).
    pub ryw_violations: u64,
    /// Reads this primary sent to its replicas.
    pub reads_to_replicas: u64,
    /// Writes lost when this node was promoted (committed on the old primary, never applied here).
    pub lost_writes: u64,
}

/// Shard map and load of a shard router.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ShardView {
    /// Per shard, in edge order.
    pub shards: Vec<ShardShare>,
    /// Keys of the key space that changed shard at the last change of the shard set.
    pub keys_moved_last: u64,
    /// keys_moved_last / key_space.
    pub moved_fraction_last: f64,
}

/// One shard's share.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ShardShare {
    /// Shard node id.
    pub id: String,
    /// Keys of the key space mapped to it.
    pub keys: u64,
    /// Requests routed to it.
    pub requests: u64,
    /// Its fraction of the routed requests.
    pub load_share: f64,
}

/// Metrics of a message queue and its consumers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct QueueView {
    /// Messages not yet acknowledged (waiting, in process, waiting to retry).
    pub backlog: u64,
    /// Messages visible and waiting for a consumer.
    pub ready: u64,
    /// Age of the oldest unacknowledged message, ms.
    pub oldest_age_ms: f64,
    /// Messages enqueued.
    pub enqueued: u64,
    /// Messages processed and acknowledged.
    pub acknowledged: u64,
    /// Deliveries after the first (retries and visibility-timeout redeliveries).
    pub redeliveries: u64,
    /// Processing attempts that failed.
    pub failures: u64,
    /// Messages moved to the dead-letter queue.
    pub dlq_size: u64,
    /// Side effects applied more than once for one message.
    pub duplicates: u64,
    /// Consumers killed mid-job.
    pub workers_killed: u64,
    /// Messages lost when the queue itself died.
    pub lost_messages: u64,
}

/// Data-tier totals over all nodes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DataTotals {
    /// Estimated monthly cost of the whole design, US dollars.
    pub monthly_cost_usd: f64,
    /// Stale reads served by databases and stale cache hits.
    pub stale_reads: u64,
    /// Read-your-writes violations.
    pub ryw_violations: u64,
    /// Writes lost (failovers and write-behind caches).
    pub lost_writes: u64,
    /// Duplicate message side effects.
    pub duplicates: u64,
    /// Messages in dead-letter queues.
    pub dlq_size: u64,
    /// Conflicts reconciled by replicated stores.
    pub conflicts: u64,
    /// Login sessions lost with the server (or session store) holding them.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub sessions_lost: u64,
    /// Forced re-logins: requests whose user had a session that was gone or elsewhere.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub relogins: u64,
}

fn is_zero(x: &u64) -> bool {
    *x == 0
}

/// Flow on one edge.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EdgeView {
    /// Caller id.
    pub from: String,
    /// Callee id.
    pub to: String,
    /// Link state.
    pub state: EdgeState,
    /// Requests sent over it.
    pub sent: u64,
    /// Messages dropped by a partition.
    pub dropped: u64,
    /// Requests sent per second in the newest window.
    pub window_rps: f64,
    /// Requests waiting on it now (sent, not answered).
    pub outstanding: u64,
    /// Health-check view of the callee for a balancer's edge.
    pub healthy: bool,
    /// The circuit breaker's state, when the edge has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breaker: Option<BreakerState>,
}

/// A circuit breaker's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakerState {
    /// Calls go through; outcomes are counted.
    Closed,
    /// Calls fail at once with `circuit_open`.
    Open,
    /// A few trial calls go through.
    HalfOpen,
}

impl BreakerState {
    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            BreakerState::Closed => "closed",
            BreakerState::Open => "open",
            BreakerState::HalfOpen => "half_open",
        }
    }
}

/// The golden signals seen by the clients.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GlobalView {
    /// Requests created by clients (retries not counted again).
    pub arrived: u64,
    /// Attempts sent (first tries and retries).
    pub attempts: u64,
    /// Retries sent.
    pub retries: u64,
    /// Requests answered successfully.
    pub completed: u64,
    /// Requests failed for good (after retries), by cause of the last attempt.
    pub failed: ErrorCounts,
    /// Requests neither completed nor failed yet (including those waiting to retry).
    pub in_flight: u64,
    /// Successful completions per second since the start.
    pub throughput_rps: f64,
    /// Time-average of `in_flight` since the start.
    pub mean_in_flight: f64,
    /// End-to-end latency of successful requests (from creation, retries included).
    pub latency: LatencySummary,
    /// The newest window.
    pub window: GlobalPoint,
    /// Data-tier totals and the cost estimate.
    pub data: DataTotals,
    /// Figures per priority class, highest first; present only when some client has a
    /// priority mix.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<ClassView>,
}

impl GlobalView {
    /// The run's availability so far: completed / (completed + failed).
    pub fn availability(&self) -> crate::Availability {
        crate::Availability::new(self.completed, self.failed.total())
    }
}

/// An active SLO alert.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// "p95" or "error_rate".
    pub kind: AlertKind,
    /// When it fired, s.
    pub since_s: f64,
    /// Human-readable text.
    pub message: String,
}

/// An event-log line stamped with simulated time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogLine {
    /// Simulated time, s.
    pub t_s: f64,
    /// "web-2 marked unhealthy at 12.3 s".
    pub text: String,
}

/// One hop of a sampled request (for drawing request dots moving along edges).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HopView {
    /// Sender id.
    pub from: String,
    /// Receiver id.
    pub to: String,
    /// When it left, s.
    pub depart_s: f64,
    /// When it arrives (equal to `depart_s` when a partition dropped it), s.
    pub arrive_s: f64,
    /// True for an answer travelling back to the caller.
    pub response: bool,
    /// The error an answer carries, or `partition` when the message was dropped.
    pub error: Option<Cause>,
    /// The sampled request's id, for [`crate::Sim::trace_of`] (0: not recorded). Not
    /// serialized, so snapshots' text and digests stay what they were.
    #[serde(skip)]
    pub request: u64,
}

/// Everything the UI shows, as plain data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Simulated time, s.
    pub now_s: f64,
    /// Events processed since the start.
    pub events_processed: u64,
    /// Client-side golden signals.
    pub global: GlobalView,
    /// Per node, in creation order.
    pub nodes: Vec<NodeView>,
    /// Per edge, in creation order.
    pub edges: Vec<EdgeView>,
    /// Global time series, oldest first.
    pub series: Vec<GlobalPoint>,
    /// SLO alerts firing now.
    pub alerts: Vec<Alert>,
    /// Recent log lines, oldest first (bounded).
    pub log: Vec<LogLine>,
    /// The newest hops of sampled requests (one request in `metrics.trace_every`), oldest
    /// first (bounded).
    pub hops: Vec<HopView>,
}

impl Snapshot {
    /// A deterministic 64-bit FNV-1a hash of every field, for checking that two runs (e.g.
    /// native and wasm) agree bit for bit.
    pub fn digest(&self) -> u64 {
        // Floats are printed by a pure-integer algorithm, so the text is the same everywhere.
        crate::random::fnv1a(&serde_json::to_vec(self).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::{exponential, node_stream};

    /// The sample of nearest rank ⌈q·n⌉ (at least the first) of sorted `us`, µs.
    fn nearest_rank(sorted: &[u64], q: f64) -> u64 {
        sorted[((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1]
    }

    /// `got` (ms) is the sample `want` (µs) rounded up to the end of its bucket, at most
    /// 2^-grouping of the value above it, and not above the largest sample.
    fn within_bucket(got_ms: f64, want_us: u64, grouping: u8, max_us: u64, what: &str) {
        let got = (got_ms * 1e3).round() as u64;
        let top = (want_us + (want_us >> grouping)).min(max_us);
        assert!(want_us <= got && got <= top, "{what}: {got} µs for sample {want_us} µs (at most {top})");
    }

    /// Window after window, each window's percentiles are its own samples' (to within a
    /// bucket, never above the window's largest), and the cumulative ones are those of every
    /// sample so far; a window with no samples reports zeros.
    #[test]
    fn percentiles_are_the_samples_to_within_a_bucket_window_by_window() {
        let mut rng = node_stream(7, "latency");
        let mut lat = Latency::new();
        let mut all = Vec::new();
        let qs = [0.5, 0.95, 0.99, 1.0];
        for (window, n) in [1u32, 2, 3, 99, 1000, 4096, 40_000, 0, 17].into_iter().enumerate() {
            let mut samples = Vec::new();
            for i in 0..n {
                // Heavy-tailed, with repeats and sub-µs samples: exponential scaled by a
                // factor that changes by orders of magnitude.
                let ns = if i % 5 == 0 { 300 } else { exponential(&mut rng, 1e3 * 10f64.powi((i % 7) as i32)) as u64 };
                lat.record(SimDuration(ns));
                samples.push((ns / 1000).max(1));
            }
            all.extend_from_slice(&samples);
            samples.sort_unstable();
            let got = lat.close_window(qs);
            if n == 0 {
                assert_eq!(got, [0.0; 4], "empty window {window}");
                continue;
            }
            let max = *samples.last().unwrap();
            for (q, g) in qs.into_iter().zip(got) {
                let want = nearest_rank(&samples, q);
                within_bucket(g, want, WINDOW_GROUPING, max, &format!("window {window} of {n}, q {q}"));
            }
            assert_eq!(got[3], us_to_ms(max), "a window's 100th percentile is its largest sample");
        }
        all.sort_unstable();
        let s = lat.summary();
        let max = *all.last().unwrap();
        assert_eq!(s.count, all.len() as u64);
        assert_eq!(s.max_ms, us_to_ms(max));
        for (q, g) in [(0.5, s.p50_ms), (0.95, s.p95_ms), (0.99, s.p99_ms)] {
            within_bucket(g, nearest_rank(&all, q), TOTAL_GROUPING, max, &format!("cumulative q {q}"));
        }
    }

    /// When every request takes the same time, every percentile is that time exactly.
    #[test]
    fn equal_latencies_report_exactly() {
        let mut lat = Latency::new();
        for _ in 0..1000 {
            lat.record(SimDuration(1_210_000_000));
        }
        assert_eq!(lat.close_window([0.5, 0.99]), [1210.0, 1210.0]);
        let s = lat.summary();
        assert_eq!([s.p50_ms, s.p95_ms, s.p99_ms, s.max_ms, s.mean_ms], [1210.0; 5]);
        assert_eq!(Latency::new().summary(), LatencySummary::default());
    }
}
