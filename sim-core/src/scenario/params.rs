//! The parameters of each node kind (the data tier's are in `data_params`), service times
//! and edges.

use serde::{Deserialize, Serialize};

/// Traffic source parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientParams {
    /// Mean arrival rate (Poisson), requests per second.
    pub rate_rps: f64,
    /// How the rate varies over time.
    #[serde(default)]
    pub pattern: RatePattern,
    /// Relative weights of request kinds.
    #[serde(default)]
    pub mix: RequestMix,
    /// Key distribution.
    #[serde(default)]
    pub keys: KeyDistribution,
    /// Per-attempt timeout in ms; none waits forever.
    #[serde(default)]
    pub timeout_ms: Option<f64>,
    /// Retry policy; none means no retries.
    #[serde(default)]
    pub retry: Option<RetryPolicy>,
    /// Shares of the priority classes of its requests; none sends every request as
    /// `standard` (and draws nothing for it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<PriorityMix>,
}

/// Relative weights of the priority classes of a client's requests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorityMix {
    /// Requests that must get through (checkout, login).
    #[serde(default)]
    pub critical: f64,
    /// Ordinary requests.
    #[serde(default)]
    pub standard: f64,
    /// Requests that may be dropped first under overload (prefetches, analytics).
    #[serde(default)]
    pub sheddable: f64,
}

/// A server's load shedding by priority: past a queue length it turns away the lowest
/// class first (cause `shed`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shedding {
    /// Queue length from which `sheddable` requests are turned away; `standard` ones are
    /// from twice it; `critical` ones only by a full queue.
    pub queue_threshold: u32,
}

/// Rate over time.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum RatePattern {
    /// The same rate all the time.
    #[default]
    Constant,
    /// rate × (1 + amplitude × sin(2π t / period)).
    Diurnal {
        /// Period of the curve, seconds.
        period_s: f64,
        /// Relative amplitude in [0, 1].
        amplitude: f64,
    },
}

/// Relative weights of the request kinds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestMix {
    /// Reads (served by app servers and their downstream).
    #[serde(default)]
    pub read: f64,
    /// Writes.
    #[serde(default)]
    pub write: f64,
    /// Static assets (served by an app server without downstream calls).
    #[serde(default)]
    pub static_asset: f64,
    /// Asynchronous jobs.
    #[serde(default)]
    pub job: f64,
}

impl Default for RequestMix {
    fn default() -> Self {
        RequestMix { read: 1.0, write: 0.0, static_asset: 0.0, job: 0.0 }
    }
}

/// How request keys are drawn.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum KeyDistribution {
    /// Every key equally likely.
    Uniform {
        /// Number of distinct keys.
        key_count: u32,
    },
    /// Zipf with exponent `s` over `key_count` keys (key 0 the most popular).
    Zipf {
        /// Number of distinct keys.
        key_count: u32,
        /// Skew exponent (0 = uniform).
        s: f64,
    },
    /// One celebrity key (key 0) gets `hot_fraction` of requests, the rest are uniform.
    HotKey {
        /// Number of distinct keys.
        key_count: u32,
        /// Share of requests for the hot key, in [0, 1].
        hot_fraction: f64,
    },
}

impl Default for KeyDistribution {
    fn default() -> Self {
        KeyDistribution::Uniform { key_count: 1000 }
    }
}

/// Client retries with exponential backoff.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// Backoff before the first retry, ms.
    pub base_backoff_ms: f64,
    /// Growth factor per retry.
    #[serde(default = "default_multiplier")]
    pub multiplier: f64,
    /// Cap on the backoff, ms.
    #[serde(default = "default_max_backoff_ms")]
    pub max_backoff_ms: f64,
    /// Randomisation of the backoff.
    #[serde(default)]
    pub jitter: Jitter,
}

fn default_multiplier() -> f64 {
    2.0
}
fn default_max_backoff_ms() -> f64 {
    30_000.0
}

/// Backoff jitter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Jitter {
    /// Exactly the computed backoff (synchronised retries).
    #[default]
    None,
    /// Uniform in [0, backoff].
    Full,
    /// backoff/2 + uniform in [0, backoff/2].
    Equal,
}

/// Load balancer parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadBalancerParams {
    /// Backend choice.
    #[serde(default)]
    pub policy: LbPolicy,
    /// Active health checks; none means every reachable-by-edge backend counts as healthy.
    #[serde(default)]
    pub health_check: Option<HealthCheck>,
    /// Timeout on a backend call, ms; none waits forever.
    #[serde(default)]
    pub backend_timeout_ms: Option<f64>,
    /// Load shedding by priority, its threshold counted in requests the balancer has in
    /// flight (sent to a backend, not yet answered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shedding: Option<Shedding>,
}

/// Backend choice of a load balancer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LbPolicy {
    /// In turn.
    #[default]
    RoundRobin,
    /// In turn, proportionally to edge weights (smooth weighted round-robin).
    WeightedRoundRobin,
    /// Fewest outstanding requests.
    LeastConnections,
    /// Lowest EWMA response time × (outstanding + 1).
    LeastResponseTime,
    /// Hash of the request key (sticky).
    Hash,
    /// Uniformly at random.
    Random,
    /// Two random backends, the one with fewer outstanding requests.
    PowerOfTwo,
}

/// Active health checking.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthCheck {
    /// Time between probes, ms.
    pub interval_ms: f64,
    /// Consecutive failed probes before a backend is marked unhealthy.
    pub unhealthy_threshold: u32,
    /// Consecutive good probes before it is marked healthy again.
    pub healthy_threshold: u32,
}

impl Default for HealthCheck {
    /// A probe a second; two failures mark a backend unhealthy, two successes healthy again.
    fn default() -> Self {
        HealthCheck { interval_ms: 1000.0, unhealthy_threshold: 2, healthy_threshold: 2 }
    }
}

/// App server parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerParams {
    /// Concurrent worker slots.
    pub workers: u32,
    /// Places in the waiting queue; a full queue rejects.
    pub queue_capacity: u32,
    /// Service time per request.
    pub service_time: ServiceTime,
    /// A request that waited longer than this in the queue is dropped (timeout), ms.
    #[serde(default)]
    pub queue_timeout_ms: Option<f64>,
    /// What to do with downstream edges after service.
    #[serde(default)]
    pub downstream: DownstreamMode,
    /// Timeout on each downstream call, ms; none waits forever.
    #[serde(default)]
    pub call_timeout_ms: Option<f64>,
    /// Load shedding by priority; none queues every class alike.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shedding: Option<Shedding>,
    /// Where the server keeps its users' login sessions.
    #[serde(default, skip_serializing_if = "Sessions::is_none")]
    pub sessions: Sessions,
    /// The machine it runs on (a name from [`crate::machines::MACHINES`]); none keeps the
    /// older model (a core per worker, the fixed instance price).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine: Option<String>,
}

/// Where an app server keeps login sessions (a request's key stands for its user).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Sessions {
    /// Stateless: no sessions.
    #[default]
    None,
    /// In the server's memory: a user's requests must come back to the same server (a
    /// `hash` load balancer), and a server that dies takes its sessions with it.
    InMemory,
    /// In a shared session store: each request looks its session up in this cache (an
    /// outgoing edge of the server); a server that dies loses nothing.
    Store {
        /// Id of the cache node holding the sessions.
        cache: String,
    },
}

impl Sessions {
    /// True for stateless servers.
    pub fn is_none(&self) -> bool {
        *self == Sessions::None
    }
}

/// Whether the worker is held while the request visits downstream nodes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DownstreamMode {
    /// Synchronous calls: the worker waits, holding its slot, for each downstream edge in turn.
    #[default]
    Call,
    /// Pipeline: the worker is freed after service and the request moves on (open network).
    Forward,
}

/// Database parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseParams {
    /// Concurrent connections (each serves one query at a time).
    pub max_connections: u32,
    /// Places in the waiting queue.
    pub queue_capacity: u32,
    /// Service time of reads (and static assets and jobs).
    pub read_service_time: ServiceTime,
    /// Service time of writes (on a read replica: of applying one replicated write).
    pub write_service_time: ServiceTime,
    /// A primary spreads reads over its replicas (its outgoing edges to databases).
    #[serde(default)]
    pub read_from_replicas: bool,
    /// The machine its queries run on (see [`ServerParams::machine`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine: Option<String>,
    /// Reads of a key its client wrote less than this long ago go to the primary, ms.
    #[serde(default)]
    pub read_your_writes_window_ms: Option<f64>,
    /// When the primary dies, a replica is promoted after this detection time, ms.
    #[serde(default)]
    pub failover_detection_ms: Option<f64>,
}

/// Token bucket.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimiterParams {
    /// Tokens added per second.
    pub rate_rps: f64,
    /// Bucket size (the burst admitted at once after idling).
    pub burst: u32,
}

/// Autoscaling group parameters. Its outgoing edges are copied to every instance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AutoscalingParams {
    /// The instance template.
    pub server: ServerParams,
    /// Fewest instances.
    pub min_instances: u32,
    /// Most instances.
    pub max_instances: u32,
    /// Instances at start (booted).
    pub initial_instances: u32,
    /// How the group spreads requests over its instances.
    #[serde(default)]
    pub policy: LbPolicy,
    /// Scale out when utilisation stays above this for the window, in (0, 1].
    pub scale_out_utilisation: f64,
    /// Scale in when utilisation stays below this for the window.
    pub scale_in_utilisation: f64,
    /// How long the condition must hold, s.
    pub window_s: f64,
    /// Minimum time between two scaling actions, s.
    pub cooldown_s: f64,
    /// Time from launch to serving, s.
    pub boot_s: f64,
    /// Instances added or removed per action.
    #[serde(default = "default_step")]
    pub step: u32,
    /// How often utilisation is measured, s.
    #[serde(default = "default_evaluation_s")]
    pub evaluation_interval_s: f64,
}

fn default_step() -> u32 {
    1
}
fn default_evaluation_s() -> f64 {
    1.0
}

/// A service-time distribution.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ServiceTime {
    /// Exponential with the given mean.
    Exponential {
        /// Mean, ms.
        mean_ms: f64,
    },
    /// Log-normal with the given mean and shape σ.
    LogNormal {
        /// Mean, ms.
        mean_ms: f64,
        /// σ of the underlying normal.
        sigma: f64,
    },
    /// Always the same.
    Constant {
        /// Duration, ms.
        ms: f64,
    },
}

impl ServiceTime {
    /// Mean service time in ms.
    pub fn mean_ms(&self) -> f64 {
        match *self {
            ServiceTime::Exponential { mean_ms } | ServiceTime::LogNormal { mean_ms, .. } => mean_ms,
            ServiceTime::Constant { ms } => ms,
        }
    }
}

/// A directed link from caller to callee.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EdgeSpec {
    /// Caller node id.
    pub from: String,
    /// Callee node id.
    pub to: String,
    /// One-way base latency, ms.
    #[serde(default)]
    pub latency_ms: f64,
    /// Extra one-way latency, uniform in [0, jitter_ms].
    #[serde(default)]
    pub jitter_ms: f64,
    /// Weight for weighted round-robin.
    #[serde(default = "default_weight")]
    pub weight: u32,
    /// Link state.
    #[serde(default)]
    pub state: EdgeState,
    /// A circuit breaker on the caller's calls over this edge (none: every call is sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breaker: Option<BreakerSpec>,
    /// At most this many calls outstanding over this edge at once; calls over it fail at
    /// once with `bulkhead_full` (none: no limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bulkhead: Option<u32>,
    /// With a bulkhead: how long a call over the limit may wait, in order, for a call over the
    /// edge to end before it fails with `bulkhead_full`, ms (none or 0: it fails at once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bulkhead_wait_ms: Option<f64>,
    /// The request kinds an app server sends over this edge (none: every kind, as before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kinds: Option<Vec<EdgeKind>>,
}

/// A request kind an edge from an app server may carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeKind {
    /// Reads.
    Read,
    /// Writes.
    Write,
    /// Jobs from a message queue.
    Job,
}

/// A circuit breaker: closed → open when, over the last `window` calls (at least
/// `min_calls` of them), the share that failed reaches `failure_rate`; open for `open_ms`,
/// failing every call at once with `circuit_open`; then half-open, letting `trial_calls`
/// through: closed if they all succeed, open again at the first failure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BreakerSpec {
    /// Failure share that opens it, in (0, 1].
    #[serde(default = "default_failure_rate")]
    pub failure_rate: f64,
    /// Calls in the sliding window.
    #[serde(default = "default_breaker_window")]
    pub window: u32,
    /// Calls in the window before it may open.
    #[serde(default = "default_min_calls")]
    pub min_calls: u32,
    /// Time open before the trial calls, ms.
    #[serde(default = "default_open_ms")]
    pub open_ms: f64,
    /// Trial calls while half-open.
    #[serde(default = "default_trial_calls")]
    pub trial_calls: u32,
}

impl Default for BreakerSpec {
    fn default() -> BreakerSpec {
        BreakerSpec {
            failure_rate: default_failure_rate(),
            window: default_breaker_window(),
            min_calls: default_min_calls(),
            open_ms: default_open_ms(),
            trial_calls: default_trial_calls(),
        }
    }
}

fn default_failure_rate() -> f64 {
    0.5
}
fn default_breaker_window() -> u32 {
    50
}
fn default_min_calls() -> u32 {
    20
}
fn default_open_ms() -> f64 {
    5000.0
}
fn default_trial_calls() -> u32 {
    3
}

fn default_weight() -> u32 {
    1
}

/// Link state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum EdgeState {
    /// Normal.
    #[default]
    Up,
    /// Everything crossing it is dropped.
    Partitioned,
    /// Latency multiplied by `factor`.
    Slow {
        /// Latency multiplier (≥ 1).
        factor: f64,
    },
    /// A fraction of the requests sent over it is lost: the caller hears nothing and
    /// learns of it by its timeout (at once, as a timeout, when it has none).
    Lossy {
        /// Share of requests lost, in [0, 1].
        fraction: f64,
    },
    /// It carries at most `rps` requests per second, one after another; the rest queue
    /// (first come, first served) until the link is free.
    Capped {
        /// Requests per second it carries.
        rps: f64,
    },
}
