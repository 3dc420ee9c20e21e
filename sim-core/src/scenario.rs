//! The versioned scenario format: what a learner builds on the canvas, as plain serde data.
//!
//! Parse JSON with [`Scenario::from_json`]: it names the offending field on a syntax or type
//! error and then runs [`Scenario::validate`], which rejects absurd parameters (NaN, negative
//! rates, 10^9 servers, zero service times) with a message naming the field.

use serde::{Deserialize, Serialize};

use crate::data_params::*;
use crate::error::Error;

/// The scenario format version this crate writes.
pub const SCENARIO_VERSION: u32 = 2;
/// The oldest format version this crate still opens; older files are migrated on load.
pub const OLDEST_SCENARIO_VERSION: u32 = 1;
use crate::limits::{self, Range};
pub use crate::limits::{MAX_KEYS, MAX_LESSON_STEPS, MAX_LESSON_TEXT, MAX_NODES, MAX_RATE_RPS, MAX_SECONDS, MAX_SLOTS};

/// A whole design: nodes, edges, scheduled events, seed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Format version; must equal [`SCENARIO_VERSION`].
    pub version: u32,
    /// Human-readable name.
    #[serde(default)]
    pub name: String,
    /// Root seed of every random stream.
    #[serde(default)]
    pub seed: u64,
    /// How long the headless runner simulates, in seconds, unless told otherwise.
    #[serde(default)]
    pub duration_s: Option<f64>,
    /// The components.
    pub nodes: Vec<NodeSpec>,
    /// Directed links from a caller to a callee.
    #[serde(default)]
    pub edges: Vec<EdgeSpec>,
    /// Commands applied at given simulated instants (the timeline).
    #[serde(default)]
    pub events: Vec<ScheduledCommand>,
    /// Metric windows and service-level objectives.
    #[serde(default)]
    pub metrics: MetricsConfig,
    /// How the canvas is framed (pan and zoom); the UI fits the design when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view: Option<ViewSpec>,
    /// A short lesson shown beside the canvas ("try this → watch that").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lesson: Option<Lesson>,
    /// Round trips between regions that replace the built-in table.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub region_latency: Vec<RegionLatency>,
}

/// The canvas framing: the screen position of the design's origin and the zoom factor.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewSpec {
    /// Pan, screen pixels.
    pub x: f64,
    /// Pan, screen pixels.
    pub y: f64,
    /// Zoom factor, 0.05 to 20.
    pub zoom: f64,
}

/// A lesson of a few steps, each "try this → watch that".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    /// Heading.
    pub title: String,
    /// One or two sentences on what the design shows.
    #[serde(default)]
    pub summary: String,
    /// The steps, in order.
    pub steps: Vec<LessonStep>,
}

/// One step of a lesson.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonStep {
    /// What the learner does ("Press Flush on the cache").
    #[serde(rename = "try")]
    pub try_this: String,
    /// What the learner should then see ("DB reads jump about 5×, p99 spikes").
    pub watch: String,
}

/// One component on the canvas.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeSpec {
    /// Unique id, used by edges and commands ("web-1").
    pub id: String,
    /// Display label; the id when absent.
    #[serde(default)]
    pub label: Option<String>,
    /// Canvas position (ignored by the simulation).
    #[serde(default)]
    pub x: Option<f64>,
    /// Canvas position (ignored by the simulation).
    #[serde(default)]
    pub y: Option<f64>,
    /// Region name; requests carry their client's region.
    #[serde(default)]
    pub region: Option<String>,
    /// What the node is and its parameters.
    pub kind: NodeKind,
}

/// The closed set of component kinds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// A population of users sending requests.
    Client(ClientParams),
    /// Spreads requests over its outgoing edges.
    LoadBalancer(LoadBalancerParams),
    /// An application server with worker slots and a bounded queue.
    Server(ServerParams),
    /// A plain database with read and write service times and a connection limit.
    Database(DatabaseParams),
    /// A token bucket in front of its single outgoing edge.
    RateLimiter(RateLimiterParams),
    /// A group of identical servers that grows and shrinks with utilisation.
    AutoscalingGroup(AutoscalingParams),
    /// A key-value cache in front of its single outgoing edge.
    Cache(CacheParams),
    /// A CDN edge caching static assets in front of its origin (its single outgoing edge).
    Cdn(CdnParams),
    /// Sends each key to one shard (its outgoing edges).
    ShardRouter(ShardRouterParams),
    /// Sends each user to the nearest healthy region (its outgoing edges' targets' regions).
    GeoDns(GeoDnsParams),
    /// One replica of a replicated store (CP or AP under partition).
    ReplicatedStore(ReplicatedStoreParams),
    /// A message queue with a pool of consumers; producers return at once.
    MessageQueue(MessageQueueParams),
}

impl NodeKind {
    /// Short lower-case name of the kind ("server").
    pub fn name(&self) -> &'static str {
        match self {
            NodeKind::Client(_) => "client",
            NodeKind::LoadBalancer(_) => "load_balancer",
            NodeKind::Server(_) => "server",
            NodeKind::Database(_) => "database",
            NodeKind::RateLimiter(_) => "rate_limiter",
            NodeKind::AutoscalingGroup(_) => "autoscaling_group",
            NodeKind::Cache(_) => "cache",
            NodeKind::Cdn(_) => "cdn",
            NodeKind::ShardRouter(_) => "shard_router",
            NodeKind::GeoDns(_) => "geo_dns",
            NodeKind::ReplicatedStore(_) => "replicated_store",
            NodeKind::MessageQueue(_) => "message_queue",
        }
    }
}

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
    /// Where the server keeps its users' login sessions.
    #[serde(default, skip_serializing_if = "Sessions::is_none")]
    pub sessions: Sessions,
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
}

/// A command applied at a simulated instant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduledCommand {
    /// When, seconds from the start.
    pub at_s: f64,
    /// What.
    pub command: Command,
}

/// Live edits and faults: everything the UI can do to a running simulation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    /// Add a node.
    AddNode(NodeSpec),
    /// Remove a node and its edges; its in-flight work is lost.
    RemoveNode {
        /// Node id.
        id: String,
    },
    /// Replace a node's parameters (same kind), keeping its state.
    ReconfigureNode {
        /// Node id.
        id: String,
        /// New parameters.
        kind: NodeKind,
    },
    /// Add an edge.
    AddEdge(EdgeSpec),
    /// Remove the edge from → to.
    RemoveEdge {
        /// Caller id.
        from: String,
        /// Callee id.
        to: String,
    },
    /// Replace an edge's parameters.
    ReconfigureEdge(EdgeSpec),
    /// Crash a node: its in-flight work is lost, new arrivals are refused.
    Kill {
        /// Node id.
        id: String,
    },
    /// Restart a crashed node.
    Revive {
        /// Node id.
        id: String,
    },
    /// Multiply a node's service times by `factor` (1 restores).
    Slow {
        /// Node id.
        id: String,
        /// Multiplier (≥ 1 to slow down).
        factor: f64,
    },
    /// Cut the link from → to (both directions of traffic on it).
    Partition {
        /// Caller id.
        from: String,
        /// Callee id.
        to: String,
    },
    /// Restore a cut or slow link.
    Heal {
        /// Caller id.
        from: String,
        /// Callee id.
        to: String,
    },
    /// Set a client's base rate.
    SetRate {
        /// Client id.
        client: String,
        /// New rate, requests per second.
        rate_rps: f64,
    },
    /// Set a client's request mix.
    SetMix {
        /// Client id.
        client: String,
        /// New mix.
        mix: RequestMix,
    },
    /// Set a client's key distribution (skew).
    SetKeys {
        /// Client id.
        client: String,
        /// New distribution.
        keys: KeyDistribution,
    },
    /// Empty a cache or CDN edge at once (a restart, an eviction storm, a purge).
    FlushCache {
        /// Cache or CDN id.
        id: String,
    },
    /// Kill every node of a region except clients (a data-centre outage).
    RegionOutage {
        /// Region name.
        region: String,
    },
    /// Cut all communication between two regions (replicated stores see it).
    PartitionRegions {
        /// One region.
        a: String,
        /// The other region.
        b: String,
    },
    /// Restore communication between two regions; replicated stores reconcile.
    HealRegions {
        /// One region.
        a: String,
        /// The other region.
        b: String,
    },
    /// Revive every node of a region.
    RegionRecover {
        /// Region name.
        region: String,
    },
    /// Deploy new versions of every static asset (CDN edges then hold old copies).
    DeployAssets {},
    /// Kill one busy consumer of a message queue mid-job (it is replaced at once; its
    /// message stays invisible until the visibility timeout).
    KillWorker {
        /// Message queue id.
        id: String,
    },
    /// Multiply a client's rate by `multiplier` for `duration_s`.
    Spike {
        /// Client id.
        client: String,
        /// Rate multiplier.
        multiplier: f64,
        /// How long, s.
        duration_s: f64,
    },
    /// Replace the pending scheduled events (the timeline edited during a run): events of
    /// the new list strictly after the current instant run at their time; events at or
    /// before it are not run (their instant has been processed); pending events of the old
    /// list never run.
    SetSchedule {
        /// The whole new timeline, like a scenario's `events`.
        events: Vec<ScheduledCommand>,
    },
}

/// Metric windows and SLOs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// Width of a time-series window, s.
    #[serde(default = "default_window_s")]
    pub window_s: f64,
    /// Windows kept in each ring buffer.
    #[serde(default = "default_series_len")]
    pub series_len: u32,
    /// Alert when a window's p95 exceeds this, ms.
    #[serde(default)]
    pub slo_p95_ms: Option<f64>,
    /// Alert when a window's error rate exceeds this fraction.
    #[serde(default)]
    pub slo_error_rate: Option<f64>,
    /// Trace one request in this many for the request-dot animation (0: none).
    #[serde(default = "default_trace_every")]
    pub trace_every: u32,
}

fn default_trace_every() -> u32 {
    10
}

fn default_window_s() -> f64 {
    1.0
}
fn default_series_len() -> u32 {
    600
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig {
            window_s: default_window_s(),
            series_len: default_series_len(),
            slo_p95_ms: None,
            slo_error_rate: None,
            trace_every: default_trace_every(),
        }
    }
}

impl Scenario {
    /// Parses, migrates (older versions keep opening) and validates a scenario; the error
    /// names the offending field.
    pub fn from_json(text: &str) -> Result<Scenario, Error> {
        let de = &mut serde_json::Deserializer::from_str(text);
        let mut scenario: Scenario = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            Error::new(if path == "." { String::new() } else { path }, e.into_inner().to_string())
        })?;
        scenario.migrate();
        scenario.validate()?;
        Ok(scenario)
    }

    /// Brings a scenario of an older format version up to [`SCENARIO_VERSION`].
    ///
    /// Version 1 lacked `view` and `lesson`, which are optional, so its files read as
    /// version 2 unchanged.
    fn migrate(&mut self) {
        if (OLDEST_SCENARIO_VERSION..SCENARIO_VERSION).contains(&self.version) {
            self.version = SCENARIO_VERSION;
        }
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        // Serialising plain data with string keys cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Rejects absurd or inconsistent parameters with a message naming the field.
    pub fn validate(&self) -> Result<(), Error> {
        if self.version != SCENARIO_VERSION {
            return Err(Error::new(
                "version",
                format!(
                    "unsupported version {} (this build reads versions {OLDEST_SCENARIO_VERSION} to {SCENARIO_VERSION})",
                    self.version
                ),
            ));
        }
        if let Some(d) = self.duration_s {
            check("duration_s", d, limits::DURATION_S)?;
        }
        if self.nodes.len() > MAX_NODES {
            return Err(Error::new("nodes", format!("at most {MAX_NODES} nodes")));
        }
        let mut ids = std::collections::BTreeSet::new();
        for (i, n) in self.nodes.iter().enumerate() {
            let p = format!("nodes[{i}]");
            validate_node(&p, n)?;
            if !ids.insert(n.id.as_str()) {
                return Err(Error::new(format!("{p}.id"), format!("duplicate node id {:?}", n.id)));
            }
        }
        let mut pairs = std::collections::BTreeSet::new();
        for (i, e) in self.edges.iter().enumerate() {
            let p = format!("edges[{i}]");
            validate_edge(&p, e)?;
            for (field, id) in [("from", &e.from), ("to", &e.to)] {
                if !ids.contains(id.as_str()) {
                    return Err(Error::new(format!("{p}.{field}"), format!("no node with id {id:?}")));
                }
            }
            if !pairs.insert((e.from.as_str(), e.to.as_str())) {
                return Err(Error::new(p, format!("duplicate edge {} -> {}", e.from, e.to)));
            }
            let to = self.nodes.iter().find(|n| n.id == e.to);
            if matches!(to.map(|n| &n.kind), Some(NodeKind::Client(_))) {
                return Err(Error::new(format!("{p}.to"), "a client cannot receive requests"));
            }
        }
        for (i, n) in self.nodes.iter().enumerate() {
            let (sessions, p) = match &n.kind {
                NodeKind::Server(s) => (&s.sessions, format!("nodes[{i}].kind.server.sessions.store.cache")),
                NodeKind::AutoscalingGroup(a) => {
                    (&a.server.sessions, format!("nodes[{i}].kind.autoscaling_group.server.sessions.store.cache"))
                }
                _ => continue,
            };
            if let Sessions::Store { cache } = sessions {
                let target = self.nodes.iter().find(|t| &t.id == cache);
                if !matches!(target.map(|t| &t.kind), Some(NodeKind::Cache(_))) {
                    return Err(Error::new(p, format!("{cache:?} is not a cache node")));
                }
                if !self.edges.iter().any(|e| e.from == n.id && &e.to == cache) {
                    return Err(Error::new(p, format!("no edge {} -> {cache} to reach the session store", n.id)));
                }
            }
        }
        if let Some(i) = first_cycle_edge(&self.edges) {
            let e = &self.edges[i];
            return Err(Error::new(
                format!("edges[{i}]"),
                format!("edge {} -> {} closes a cycle; requests would loop forever", e.from, e.to),
            ));
        }
        validate_events("events", &self.events)?;
        let regions: Vec<&str> = self.nodes.iter().filter_map(|n| n.region.as_deref()).collect();
        validate_region_latency(&self.region_latency, &regions)?;
        let m = &self.metrics;
        check("metrics.window_s", m.window_s, limits::METRICS_WINDOW_S)?;
        count("metrics.series_len", m.series_len, limits::SERIES_LEN)?;
        if let Some(v) = m.slo_p95_ms {
            check("metrics.slo_p95_ms", v, limits::SLO_P95_MS)?;
        }
        if let Some(v) = m.slo_error_rate {
            check("metrics.slo_error_rate", v, limits::SLO_ERROR_RATE)?;
        }
        if let Some(v) = &self.view {
            check("view.x", v.x, limits::VIEW_PAN)?;
            check("view.y", v.y, limits::VIEW_PAN)?;
            check("view.zoom", v.zoom, limits::VIEW_ZOOM)?;
        }
        if let Some(l) = &self.lesson {
            validate_lesson(l)?;
        }
        Ok(())
    }
}

fn validate_lesson(l: &Lesson) -> Result<(), Error> {
    text("lesson.title", &l.title)?;
    text("lesson.summary", &l.summary)?;
    if l.steps.len() > MAX_LESSON_STEPS {
        return Err(Error::new("lesson.steps", format!("at most {MAX_LESSON_STEPS} steps")));
    }
    for (i, s) in l.steps.iter().enumerate() {
        text(&format!("lesson.steps[{i}].try"), &s.try_this)?;
        text(&format!("lesson.steps[{i}].watch"), &s.watch)?;
    }
    Ok(())
}

fn text(p: &str, v: &str) -> Result<(), Error> {
    if v.chars().count() > MAX_LESSON_TEXT {
        return Err(Error::new(p, format!("at most {MAX_LESSON_TEXT} characters")));
    }
    Ok(())
}

/// The index of the first edge that closes a cycle when edges are added in order.
pub(crate) fn first_cycle_edge(edges: &[EdgeSpec]) -> Option<usize> {
    let mut adj: std::collections::BTreeMap<&str, Vec<&str>> = std::collections::BTreeMap::new();
    for (i, e) in edges.iter().enumerate() {
        if reaches(&adj, &e.to, &e.from) {
            return Some(i);
        }
        adj.entry(e.from.as_str()).or_default().push(e.to.as_str());
    }
    None
}

/// Whether `target` can be reached from `start` over `adj`.
pub(crate) fn reaches(adj: &std::collections::BTreeMap<&str, Vec<&str>>, start: &str, target: &str) -> bool {
    let mut seen = std::collections::BTreeSet::new();
    let mut stack = vec![start];
    while let Some(n) = stack.pop() {
        if n == target {
            return true;
        }
        if seen.insert(n) {
            stack.extend(adj.get(n).into_iter().flatten().copied());
        }
    }
    false
}

/// Checks a timeline: times in range, commands valid, none replacing the timeline itself.
fn validate_events(p: &str, events: &[ScheduledCommand]) -> Result<(), Error> {
    for (i, ev) in events.iter().enumerate() {
        let p = format!("{p}[{i}]");
        check(&format!("{p}.at_s"), ev.at_s, limits::EVENT_AT_S)?;
        if matches!(ev.command, Command::SetSchedule { .. }) {
            return Err(Error::new(
                format!("{p}.command.set_schedule"),
                "a scheduled event cannot replace the schedule",
            ));
        }
        validate_command(&format!("{p}.command"), &ev.command)?;
    }
    Ok(())
}

/// Checks one command's own parameters (not whether the ids exist).
pub(crate) fn validate_command(p: &str, c: &Command) -> Result<(), Error> {
    match c {
        Command::SetSchedule { events } => validate_events(&format!("{p}.set_schedule.events"), events),
        Command::AddNode(n) => validate_node(&format!("{p}.add_node"), n),
        Command::ReconfigureNode { kind, .. } => validate_kind(&format!("{p}.reconfigure_node.kind"), kind),
        Command::AddEdge(e) | Command::ReconfigureEdge(e) => validate_edge(p, e),
        Command::Slow { factor, .. } => check(&format!("{p}.slow.factor"), *factor, limits::NODE_SLOW_FACTOR),
        Command::SetRate { rate_rps, .. } => {
            check(&format!("{p}.set_rate.rate_rps"), *rate_rps, limits::CLIENT_RATE_RPS)
        }
        Command::SetMix { mix, .. } => validate_mix(&format!("{p}.set_mix.mix"), mix),
        Command::SetKeys { keys, .. } => validate_keys(&format!("{p}.set_keys.keys"), keys),
        Command::Spike { multiplier, duration_s, .. } => {
            check(&format!("{p}.spike.multiplier"), *multiplier, limits::SPIKE_MULTIPLIER)?;
            check(&format!("{p}.spike.duration_s"), *duration_s, limits::SPIKE_DURATION_S)
        }
        Command::RemoveNode { .. }
        | Command::RemoveEdge { .. }
        | Command::Kill { .. }
        | Command::Revive { .. }
        | Command::Partition { .. }
        | Command::Heal { .. }
        | Command::FlushCache { .. }
        | Command::RegionOutage { .. }
        | Command::RegionRecover { .. }
        | Command::PartitionRegions { .. }
        | Command::DeployAssets {}
        | Command::HealRegions { .. }
        | Command::KillWorker { .. } => Ok(()),
    }
}

pub(crate) fn validate_node(p: &str, n: &NodeSpec) -> Result<(), Error> {
    if n.id.is_empty() || n.id.len() > limits::MAX_ID_LEN {
        return Err(Error::new(format!("{p}.id"), format!("must be 1 to {} characters", limits::MAX_ID_LEN)));
    }
    if n.label.as_ref().is_some_and(|l| l.chars().count() > limits::MAX_LABEL_CHARS) {
        return Err(Error::new(
            format!("{p}.label"),
            format!("must be at most {} characters", limits::MAX_LABEL_CHARS),
        ));
    }
    for (f, v) in [("x", n.x), ("y", n.y)] {
        if let Some(v) = v {
            if !v.is_finite() {
                return Err(Error::new(format!("{p}.{f}"), "must be a finite number"));
            }
        }
    }
    validate_kind(&format!("{p}.kind"), &n.kind)
}

fn validate_kind(p: &str, k: &NodeKind) -> Result<(), Error> {
    match k {
        NodeKind::Client(c) => {
            let p = format!("{p}.client");
            check(&format!("{p}.rate_rps"), c.rate_rps, limits::CLIENT_RATE_RPS)?;
            if let RatePattern::Diurnal { period_s, amplitude } = c.pattern {
                check(&format!("{p}.pattern.diurnal.period_s"), period_s, limits::DIURNAL_PERIOD_S)?;
                check(&format!("{p}.pattern.diurnal.amplitude"), amplitude, limits::DIURNAL_AMPLITUDE)?;
            }
            validate_mix(&format!("{p}.mix"), &c.mix)?;
            validate_keys(&format!("{p}.keys"), &c.keys)?;
            if let Some(t) = c.timeout_ms {
                check(&format!("{p}.timeout_ms"), t, limits::TIMEOUT_MS)?;
            }
            if let Some(r) = &c.retry {
                let p = format!("{p}.retry");
                count(&format!("{p}.max_retries"), r.max_retries, limits::MAX_RETRIES)?;
                check(&format!("{p}.base_backoff_ms"), r.base_backoff_ms, limits::BACKOFF_MS)?;
                check(&format!("{p}.multiplier"), r.multiplier, limits::BACKOFF_MULTIPLIER)?;
                check(&format!("{p}.max_backoff_ms"), r.max_backoff_ms, limits::BACKOFF_MS)?;
            }
            Ok(())
        }
        NodeKind::LoadBalancer(lb) => {
            let p = format!("{p}.load_balancer");
            if let Some(h) = &lb.health_check {
                validate_health(&format!("{p}.health_check"), h)?;
            }
            if let Some(t) = lb.backend_timeout_ms {
                check(&format!("{p}.backend_timeout_ms"), t, limits::TIMEOUT_MS)?;
            }
            Ok(())
        }
        NodeKind::Server(s) => validate_server(&format!("{p}.server"), s),
        NodeKind::Database(d) => {
            let p = format!("{p}.database");
            count(&format!("{p}.max_connections"), d.max_connections, limits::MAX_CONNECTIONS)?;
            count(&format!("{p}.queue_capacity"), d.queue_capacity, limits::QUEUE_CAPACITY)?;
            validate_service(&format!("{p}.read_service_time"), &d.read_service_time)?;
            validate_service(&format!("{p}.write_service_time"), &d.write_service_time)?;
            if let Some(t) = d.read_your_writes_window_ms {
                check(&format!("{p}.read_your_writes_window_ms"), t, limits::TIMEOUT_MS)?;
            }
            if let Some(t) = d.failover_detection_ms {
                check(&format!("{p}.failover_detection_ms"), t, limits::TIMEOUT_MS)?;
            }
            Ok(())
        }
        NodeKind::Cache(c) => validate_cache(&format!("{p}.cache"), c),
        NodeKind::Cdn(c) => validate_cdn(&format!("{p}.cdn"), c),
        NodeKind::ShardRouter(r) => validate_router(&format!("{p}.shard_router"), r),
        NodeKind::GeoDns(g) => validate_health(&format!("{p}.geo_dns.health_check"), &g.health_check),
        NodeKind::ReplicatedStore(r) => {
            if r.cluster.is_empty() || r.cluster.len() > limits::MAX_CLUSTER_LEN {
                return Err(Error::new(
                    format!("{p}.replicated_store.cluster"),
                    format!("must be 1 to {} characters", limits::MAX_CLUSTER_LEN),
                ));
            }
            validate_service(&format!("{p}.replicated_store.service_time"), &r.service_time)
        }
        NodeKind::MessageQueue(q) => validate_queue(&format!("{p}.message_queue"), q),
        NodeKind::RateLimiter(r) => {
            let p = format!("{p}.rate_limiter");
            check(&format!("{p}.rate_rps"), r.rate_rps, limits::LIMITER_RATE_RPS)?;
            count(&format!("{p}.burst"), r.burst, limits::BURST)
        }
        NodeKind::AutoscalingGroup(a) => {
            let p = format!("{p}.autoscaling_group");
            validate_server(&format!("{p}.server"), &a.server)?;
            count(&format!("{p}.max_instances"), a.max_instances, limits::INSTANCES)?;
            if a.min_instances > a.max_instances {
                return Err(Error::new(format!("{p}.min_instances"), "must not exceed max_instances"));
            }
            if a.initial_instances < a.min_instances || a.initial_instances > a.max_instances {
                return Err(Error::new(
                    format!("{p}.initial_instances"),
                    "must lie between min_instances and max_instances",
                ));
            }
            check(&format!("{p}.scale_out_utilisation"), a.scale_out_utilisation, limits::UTILISATION)?;
            check(&format!("{p}.scale_in_utilisation"), a.scale_in_utilisation, limits::UTILISATION)?;
            if a.scale_in_utilisation >= a.scale_out_utilisation {
                return Err(Error::new(format!("{p}.scale_in_utilisation"), "must be below scale_out_utilisation"));
            }
            check(&format!("{p}.window_s"), a.window_s, limits::SCALING_TIME_S)?;
            check(&format!("{p}.cooldown_s"), a.cooldown_s, limits::SCALING_TIME_S)?;
            check(&format!("{p}.boot_s"), a.boot_s, limits::SCALING_TIME_S)?;
            if a.step == 0 || a.step > a.max_instances {
                return Err(Error::new(format!("{p}.step"), "must be between 1 and max_instances"));
            }
            check(&format!("{p}.evaluation_interval_s"), a.evaluation_interval_s, limits::EVALUATION_INTERVAL_S)
        }
    }
}

fn validate_server(p: &str, s: &ServerParams) -> Result<(), Error> {
    count(&format!("{p}.workers"), s.workers, limits::WORKERS)?;
    count(&format!("{p}.queue_capacity"), s.queue_capacity, limits::QUEUE_CAPACITY)?;
    validate_service(&format!("{p}.service_time"), &s.service_time)?;
    if let Some(t) = s.queue_timeout_ms {
        check(&format!("{p}.queue_timeout_ms"), t, limits::TIMEOUT_MS)?;
    }
    if let Some(t) = s.call_timeout_ms {
        check(&format!("{p}.call_timeout_ms"), t, limits::TIMEOUT_MS)?;
    }
    Ok(())
}

pub(crate) fn validate_health(p: &str, h: &HealthCheck) -> Result<(), Error> {
    check(&format!("{p}.interval_ms"), h.interval_ms, limits::HEALTH_INTERVAL_MS)?;
    for (f, v) in [("unhealthy_threshold", h.unhealthy_threshold), ("healthy_threshold", h.healthy_threshold)] {
        count(&format!("{p}.{f}"), v, limits::HEALTH_THRESHOLD)?;
    }
    Ok(())
}

pub(crate) fn validate_service(p: &str, s: &ServiceTime) -> Result<(), Error> {
    match *s {
        ServiceTime::Exponential { mean_ms } => {
            check(&format!("{p}.exponential.mean_ms"), mean_ms, limits::SERVICE_MEAN_MS)
        }
        ServiceTime::LogNormal { mean_ms, sigma } => {
            check(&format!("{p}.log_normal.mean_ms"), mean_ms, limits::SERVICE_MEAN_MS)?;
            check(&format!("{p}.log_normal.sigma"), sigma, limits::LOG_NORMAL_SIGMA)
        }
        ServiceTime::Constant { ms } => check(&format!("{p}.constant.ms"), ms, limits::SERVICE_MEAN_MS),
    }
}

fn validate_mix(p: &str, m: &RequestMix) -> Result<(), Error> {
    for (f, v) in [("read", m.read), ("write", m.write), ("static_asset", m.static_asset), ("job", m.job)] {
        check(&format!("{p}.{f}"), v, limits::MIX_WEIGHT)?;
    }
    if m.read + m.write + m.static_asset + m.job <= 0.0 {
        return Err(Error::new(p, "at least one weight must be positive"));
    }
    Ok(())
}

fn validate_keys(p: &str, k: &KeyDistribution) -> Result<(), Error> {
    let (name, n) = match *k {
        KeyDistribution::Uniform { key_count } => ("uniform", key_count),
        KeyDistribution::Zipf { key_count, s } => {
            check(&format!("{p}.zipf.s"), s, limits::ZIPF_S)?;
            ("zipf", key_count)
        }
        KeyDistribution::HotKey { key_count, hot_fraction } => {
            check(&format!("{p}.hot_key.hot_fraction"), hot_fraction, limits::HOT_FRACTION)?;
            ("hot_key", key_count)
        }
    };
    count(&format!("{p}.{name}.key_count"), n, limits::KEY_COUNT)
}

fn validate_edge(p: &str, e: &EdgeSpec) -> Result<(), Error> {
    check(&format!("{p}.latency_ms"), e.latency_ms, limits::LINK_LATENCY_MS)?;
    check(&format!("{p}.jitter_ms"), e.jitter_ms, limits::LINK_LATENCY_MS)?;
    count(&format!("{p}.weight"), e.weight, limits::EDGE_WEIGHT)?;
    if let EdgeState::Slow { factor } = e.state {
        check(&format!("{p}.state.slow.factor"), factor, limits::LINK_SLOW_FACTOR)?;
    }
    if e.from == e.to {
        return Err(Error::new(format!("{p}.to"), "an edge cannot loop back to its own node"));
    }
    Ok(())
}

/// Checks a number against its [`Range`], with a message giving the range.
pub(crate) fn check(p: &str, v: f64, r: Range<f64>) -> Result<(), Error> {
    if v.is_finite() && r.contains(v) {
        return Ok(());
    }
    let (lo, hi) = (r.min, r.max);
    Err(Error::new(
        p,
        if r.min_excluded {
            format!("must be a number above {lo} and at most {hi}, got {v}")
        } else {
            format!("must be a number between {lo} and {hi}, got {v}")
        },
    ))
}

/// Checks a count against its [`Range`], with a message giving the range.
pub(crate) fn count(p: &str, v: u32, r: Range<u32>) -> Result<(), Error> {
    if r.contains(v) {
        return Ok(());
    }
    let (lo, hi) = (r.min, r.max);
    Err(Error::new(
        p,
        if lo == 0 {
            format!("must be at most {hi}, got {v}")
        } else {
            format!("must be between {lo} and {hi}, got {v}")
        },
    ))
}
