//! The versioned scenario format: what a learner builds on the canvas, as plain serde data.
//!
//! Parse JSON with [`Scenario::from_json`]: it names the offending field on a syntax or type
//! error and then runs [`Scenario::validate`], which rejects absurd parameters (NaN, negative
//! rates, 10^9 servers, zero service times) with a message naming the field, and the
//! [topology rules](crate::topology) (who may send to whom), naming the edge.
//!
//! The module's parts: this file holds the document and its nodes, `params` the
//! parameters of each kind and of edges, `command` the live edits and faults, `validate` the
//! checks. Everything is re-exported here, as one flat `sim_core::…` namespace.

use serde::{Deserialize, Serialize};

use crate::data_params::*;
use crate::error::Error;

mod command;
mod params;
mod pause;
mod validate;

pub use crate::limits::{MAX_KEYS, MAX_LESSON_STEPS, MAX_LESSON_TEXT, MAX_NODES, MAX_RATE_RPS, MAX_SECONDS, MAX_SLOTS};
pub use command::*;
pub use params::*;
pub use pause::PauseCondition;
pub(crate) use validate::{check, count, validate_command, validate_events, validate_node, validate_service};

/// The scenario format version this crate writes.
pub const SCENARIO_VERSION: u32 = 4;
/// The oldest format version this crate still opens; older files are migrated on load.
pub const OLDEST_SCENARIO_VERSION: u32 = 1;

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
    /// Conditions that pause the run at the end of a window (version 4).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pause_on: Vec<PauseCondition>,
    /// A goal and a trial the design is graded under (version 4; see [`crate::challenge`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge: Option<crate::challenge::Challenge>,
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
    /// The p99 objective, ms: the knee a sweep of the headless runner looks for (no alert).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slo_p99_ms: Option<f64>,
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
            slo_p99_ms: None,
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
    /// Version 1 lacked `view` and `lesson`, and version 2 lacked `machine`; all are
    /// optional (a node without a machine keeps a core per worker and the fixed instance
    /// price), and version 3 lacked the version-4 options; all read as the current version
    /// unchanged.
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
}
