//! Every bound the scenario format enforces, in one place.
//!
//! [`Scenario::validate`](crate::Scenario::validate) and the share-link decoder check against
//! these constants, and the UI reads its input ranges from them, so a field's range is written
//! down once. A numeric field's bound is a [`Range`] (its `min` and `max`, and whether `min`
//! itself is refused); sizes and counts are plain `MAX_…` constants.
//!
//! Times carry their unit in the name: `_S` seconds, `_MS` milliseconds.

/// The allowed values of one numeric field: `min ..= max`, or `min < v <= max` when
/// `min_excluded` (a timeout or a mean service time must be above 0, not 0).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range<T> {
    /// Smallest allowed value (or the value every allowed one is above, see `min_excluded`).
    pub min: T,
    /// Largest allowed value.
    pub max: T,
    /// Whether `min` itself is refused.
    pub min_excluded: bool,
}

impl<T: Copy + PartialOrd> Range<T> {
    /// The inclusive range `min ..= max`.
    pub const fn new(min: T, max: T) -> Range<T> {
        Range { min, max, min_excluded: false }
    }

    /// Values above `min` (excluded) up to `max` (included).
    pub const fn above(min: T, max: T) -> Range<T> {
        Range { min, max, min_excluded: true }
    }

    /// Whether `v` is allowed (NaN never is).
    pub fn contains(&self, v: T) -> bool {
        let low = if self.min_excluded { v > self.min } else { v >= self.min };
        low && v <= self.max
    }
}

// ----- the scales everything else is built from -----

/// Longest duration, latency, timeout or interval, in seconds (one week).
pub const MAX_SECONDS: f64 = 7.0 * 24.0 * 3600.0;
/// [`MAX_SECONDS`] in milliseconds.
pub const MAX_MS: f64 = MAX_SECONDS * 1e3;
/// Largest number of worker slots, connections or queue places one node may have.
pub const MAX_SLOTS: u32 = 100_000;
/// Largest key space a client may draw keys from (also the most keys a cache, CDN edge or
/// message queue holds).
pub const MAX_KEYS: u32 = 1_000_000;
/// Largest number of nodes in a scenario (autoscaling instances included).
pub const MAX_NODES: usize = 10_000;
/// Largest request rate of one client, requests per second.
pub const MAX_RATE_RPS: f64 = 10_000_000.0;

// ----- the document -----

/// `duration_s`: how long the headless runner simulates, s.
pub const DURATION_S: Range<f64> = Range::above(0.0, MAX_SECONDS);
/// Longest node id, bytes (ids are 1 to this long).
pub const MAX_ID_LEN: usize = 100;
/// Longest display label of a node, characters.
pub const MAX_LABEL_CHARS: usize = 100;
/// Longest lesson text (title, summary or one step), in characters.
pub const MAX_LESSON_TEXT: usize = 1_000;
/// Most steps in a lesson.
pub const MAX_LESSON_STEPS: usize = 8;
/// `events[i].at_s`: when a scheduled command runs, s from the start.
pub const EVENT_AT_S: Range<f64> = Range::new(0.0, MAX_SECONDS);
/// `view.x` and `view.y`: the canvas pan, screen pixels.
pub const VIEW_PAN: Range<f64> = Range::new(-1e7, 1e7);
/// `view.zoom`: the canvas zoom factor.
pub const VIEW_ZOOM: Range<f64> = Range::new(0.05, 20.0);

// ----- metrics -----

/// `metrics.window_s`: width of a time-series window, s.
pub const METRICS_WINDOW_S: Range<f64> = Range::new(0.001, 3600.0);
/// `metrics.series_len`: windows kept in each ring buffer.
pub const SERIES_LEN: Range<u32> = Range::new(1, 100_000);
/// `metrics.slo_p95_ms` and `metrics.slo_p99_ms`: the p95 and p99 objectives, ms.
pub const SLO_P95_MS: Range<f64> = Range::above(0.0, MAX_MS);
/// `metrics.slo_error_rate`: the error-rate objective, a fraction.
pub const SLO_ERROR_RATE: Range<f64> = Range::new(0.0, 1.0);
/// Most conditions in `pause_on`.
pub const MAX_PAUSE_CONDITIONS: usize = 20;
/// `pause_on[i].p99_ms_above` and `replication_lag_ms_above`, ms.
pub const PAUSE_MS: Range<f64> = Range::new(0.0, MAX_MS);
/// `pause_on[i].error_pct_above`, percent.
pub const PAUSE_ERROR_PCT: Range<f64> = Range::new(0.0, 100.0);

// ----- shared by several kinds -----

/// Every optional timeout: a client's `timeout_ms`, a load balancer's `backend_timeout_ms`,
/// a server's `queue_timeout_ms` and `call_timeout_ms`, a database's
/// `read_your_writes_window_ms` and `failover_detection_ms`, a message queue's
/// `visibility_timeout_ms`; ms.
pub const TIMEOUT_MS: Range<f64> = Range::above(0.0, MAX_MS);
/// The mean of a service time (`exponential.mean_ms`, `log_normal.mean_ms`, `constant.ms`), ms.
pub const SERVICE_MEAN_MS: Range<f64> = Range::above(0.0, MAX_MS);
/// `log_normal.sigma`: the spread of a log-normal service time.
pub const LOG_NORMAL_SIGMA: Range<f64> = Range::new(0.0, 5.0);
/// Worker slots of a server (`workers`) or a message queue's consumers (`workers`).
pub const WORKERS: Range<u32> = Range::new(1, MAX_SLOTS);
/// `queue_capacity` of a server or database: places in its waiting queue (0: none).
pub const QUEUE_CAPACITY: Range<u32> = Range::new(0, MAX_SLOTS);
/// `health_check.interval_ms` (load balancer, GeoDNS): time between probes, ms.
pub const HEALTH_INTERVAL_MS: Range<f64> = Range::new(1.0, MAX_MS);
/// `health_check.unhealthy_threshold` and `healthy_threshold`: consecutive probes.
pub const HEALTH_THRESHOLD: Range<u32> = Range::new(1, 1000);

// ----- clients -----

/// `client.rate_rps` (and the `set_rate` command): mean arrival rate, requests per second.
pub const CLIENT_RATE_RPS: Range<f64> = Range::new(0.0, MAX_RATE_RPS);
/// `pattern.diurnal.period_s`: period of the daily curve, s.
pub const DIURNAL_PERIOD_S: Range<f64> = Range::above(0.0, MAX_SECONDS);
/// `pattern.diurnal.amplitude`: relative amplitude of the daily curve.
pub const DIURNAL_AMPLITUDE: Range<f64> = Range::new(0.0, 1.0);
/// Each weight of a request mix (`read`, `write`, `static_asset`, `job`); at least one must
/// be above 0.
pub const MIX_WEIGHT: Range<f64> = Range::new(0.0, 1e9);
/// `keys.*.key_count`: distinct keys a client draws from.
pub const KEY_COUNT: Range<u32> = Range::new(1, MAX_KEYS);
/// `keys.zipf.s`: the Zipf skew exponent.
pub const ZIPF_S: Range<f64> = Range::new(0.0, 10.0);
/// `keys.hot_key.hot_fraction`: share of requests for the hot key.
pub const HOT_FRACTION: Range<f64> = Range::new(0.0, 1.0);
/// `retry.max_retries`: retries after the first attempt.
pub const MAX_RETRIES: Range<u32> = Range::new(0, 100);
/// `retry.base_backoff_ms` and `retry.max_backoff_ms`, ms.
pub const BACKOFF_MS: Range<f64> = Range::new(0.0, MAX_MS);
/// `retry.multiplier`: growth of the backoff per retry.
pub const BACKOFF_MULTIPLIER: Range<f64> = Range::new(1.0, 100.0);

// ----- databases, rate limiters, autoscaling groups -----

/// `database.max_connections`: concurrent connections.
pub const MAX_CONNECTIONS: Range<u32> = Range::new(1, MAX_SLOTS);
/// `rate_limiter.rate_rps`: tokens added per second.
pub const LIMITER_RATE_RPS: Range<f64> = Range::above(0.0, MAX_RATE_RPS);
/// `rate_limiter.burst`: the bucket size.
pub const BURST: Range<u32> = Range::new(1, MAX_SLOTS);
/// `autoscaling_group.max_instances` (and so `min_instances`, `initial_instances`, which
/// must lie between 0 and it, and `step`, between 1 and it).
pub const INSTANCES: Range<u32> = Range::new(1, 1000);
/// `scale_out_utilisation` and `scale_in_utilisation` (in must be below out).
pub const UTILISATION: Range<f64> = Range::new(0.0, 1.0);
/// `window_s`, `cooldown_s` and `boot_s` of an autoscaling group, s.
pub const SCALING_TIME_S: Range<f64> = Range::new(0.0, MAX_SECONDS);
/// `autoscaling_group.evaluation_interval_s`: how often utilisation is measured, s.
pub const EVALUATION_INTERVAL_S: Range<f64> = Range::new(0.001, 3600.0);

// ----- the data tier -----

/// `capacity_keys` of a cache or CDN edge: how many keys fit.
pub const CAPACITY_KEYS: Range<u32> = Range::new(1, MAX_KEYS);
/// `ttl_s` of a cache or CDN edge: time to live of an entry, s.
pub const TTL_S: Range<f64> = Range::above(0.0, MAX_SECONDS);
/// `cache.ttl_jitter_s`: the most a TTL is lengthened by, s.
pub const TTL_JITTER_S: Range<f64> = Range::new(0.0, MAX_SECONDS);
/// `cache.write_behind_delay_ms`: how long a dirty key waits before it is written, ms.
pub const WRITE_BEHIND_DELAY_MS: Range<f64> = Range::new(1.0, MAX_MS);
/// `shard_router.key_space`: keys counted when shards change.
pub const KEY_SPACE: Range<u32> = Range::new(1, MAX_KEYS);
/// Largest number of virtual nodes per shard on a consistent-hashing ring.
pub const MAX_VIRTUAL_NODES: u32 = 1000;
/// `strategy.consistent_hash.virtual_nodes`: points per shard on the ring.
pub const VIRTUAL_NODES: Range<u32> = Range::new(1, MAX_VIRTUAL_NODES);
/// Longest `replicated_store.cluster` name, bytes (names are 1 to this long).
pub const MAX_CLUSTER_LEN: usize = 100;
/// `message_queue.capacity`: messages the queue holds.
pub const QUEUE_MESSAGES: Range<u32> = Range::new(1, MAX_KEYS);
/// `message_queue.max_attempts`: deliveries before the dead-letter queue.
pub const MAX_ATTEMPTS: Range<u32> = Range::new(1, 100);
/// `message_queue.retry_backoff_ms`: delay before a failed message is retried, ms.
pub const RETRY_BACKOFF_MS: Range<f64> = Range::new(0.0, MAX_MS);
/// `message_queue.poison_keys`: messages whose key is below this always fail.
pub const POISON_KEYS: Range<u32> = Range::new(0, MAX_KEYS);
/// `region_latency[i].rtt_ms`: a round trip between two regions, ms.
pub const REGION_RTT_MS: Range<f64> = Range::new(0.0, MAX_MS);

// ----- edges and commands -----

/// `edges[i].latency_ms` and `jitter_ms`: one-way latency of a link, ms.
pub const LINK_LATENCY_MS: Range<f64> = Range::new(0.0, MAX_MS);
/// `edges[i].weight`: weight for weighted round-robin.
pub const EDGE_WEIGHT: Range<u32> = Range::new(1, 1000);
/// `edges[i].breaker.failure_rate`: the failure share that opens a circuit breaker.
pub const BREAKER_FAILURE_RATE: Range<f64> = Range::above(0.0, 1.0);
/// `edges[i].breaker.window`: calls in a breaker's sliding window.
pub const BREAKER_WINDOW: Range<u32> = Range::new(1, 10_000);
/// `edges[i].breaker.min_calls`: calls in the window before a breaker may open.
pub const BREAKER_MIN_CALLS: Range<u32> = Range::new(1, 10_000);
/// `edges[i].breaker.open_ms`: time a breaker stays open, ms.
pub const BREAKER_OPEN_MS: Range<f64> = Range::above(0.0, MAX_MS);
/// `edges[i].breaker.trial_calls`: trial calls of a half-open breaker.
pub const BREAKER_TRIAL_CALLS: Range<u32> = Range::new(1, 1000);
/// `edges[i].bulkhead`: calls outstanding at once over an edge.
pub const BULKHEAD: Range<u32> = Range::new(1, 100_000);
/// `edges[i].bulkhead_wait_ms`: longest wait for room in a bulkhead, ms (0: none).
pub const BULKHEAD_WAIT_MS: Range<f64> = Range::new(0.0, MAX_MS);

/// `edges[i].state.slow.factor`: latency multiplier of a slow link.
pub const LINK_SLOW_FACTOR: Range<f64> = Range::new(1.0, 1e6);
/// A client's `priority.critical`, `.standard`, `.sheddable`: relative shares.
pub const PRIORITY_SHARE: Range<f64> = Range::new(0.0, 1e6);
/// A server's `shedding.queue_threshold`: queue length from which sheddable requests are
/// turned away.
pub const SHED_QUEUE_THRESHOLD: Range<u32> = Range::new(1, 1_000_000);
/// `edges[i].state.lossy.fraction` and the `loss` command's `fraction`: share of requests a
/// lossy link loses.
pub const LINK_LOSS_FRACTION: Range<f64> = Range::new(0.0, 1.0);
/// `edges[i].state.capped.rps` and the `cap` command's `rps`: requests per second a capped
/// link carries.
pub const LINK_CAP_RPS: Range<f64> = Range::above(0.0, 1e7);
/// The `slow` command's `factor`: service-time multiplier of a node (1 restores).
pub const NODE_SLOW_FACTOR: Range<f64> = Range::above(0.0, 1e6);
/// The `spike` command's `multiplier` of a client's rate.
pub const SPIKE_MULTIPLIER: Range<f64> = Range::above(0.0, 1e6);
/// The `spike` command's `duration_s`, s.
pub const SPIKE_DURATION_S: Range<f64> = Range::above(0.0, MAX_SECONDS);

// ----- challenges -----

/// `challenge.goal.p99_ms`: the p99 objective, ms.
pub const GOAL_P99_MS: Range<f64> = Range::above(0.0, MAX_MS);
/// `challenge.goal.error_rate_pct` and `availability_pct`: a share of requests, %.
pub const GOAL_PCT: Range<f64> = Range::new(0.0, 100.0);
/// `challenge.goal.budget_usd_month`: the monthly budget, US dollars (at least the price of
/// the cheapest design that answers requests, checked beside this range).
pub const GOAL_BUDGET_USD_MONTH: Range<f64> = Range::above(0.0, 1e9);
/// `challenge.limits.max_nodes`: nodes besides the clients.
pub const CHALLENGE_MAX_NODES: Range<u32> = Range::new(1, MAX_NODES as u32);
/// `challenge.trial.duration_s`: simulated seconds of each graded run (an hour at most, so
/// grading stays quick).
pub const TRIAL_DURATION_S: Range<f64> = Range::above(0.0, 3600.0);
/// `challenge.trial.seeds`: seeds a design is graded on.
pub const TRIAL_SEEDS: Range<u32> = Range::new(1, 100);
/// Longest challenge id, bytes.
pub const MAX_CHALLENGE_ID_LEN: usize = 64;

// ----- share links -----

/// Longest share-link payload accepted, characters.
pub const MAX_LINK_CHARS: usize = 32 * 1024;
/// Largest scenario JSON a share link may unpack to, bytes (also the largest file the app
/// opens).
pub const MAX_LINK_JSON_BYTES: usize = 1024 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_include_or_exclude_their_ends() {
        assert!(CLIENT_RATE_RPS.contains(0.0) && CLIENT_RATE_RPS.contains(MAX_RATE_RPS));
        assert!(!TIMEOUT_MS.contains(0.0) && TIMEOUT_MS.contains(MAX_MS));
        assert!(!TIMEOUT_MS.contains(f64::NAN) && !TIMEOUT_MS.contains(f64::INFINITY));
        assert!(WORKERS.contains(1) && !WORKERS.contains(0) && !WORKERS.contains(MAX_SLOTS + 1));
    }
}
