//! Failure causes, their counts, and the priority classes with their per-class view: what
//! the snapshot says about why requests failed and for whom (re-exported by `metrics`).

use serde::{Deserialize, Serialize};

use crate::metrics::LatencySummary;

/// Why a request failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// A caller gave up waiting (client, balancer or server timeout, or queue timeout).
    Timeout,
    /// A bounded queue was full.
    QueueFull,
    /// A token bucket was empty (HTTP 429).
    RateLimited,
    /// The callee was down, or no healthy backend was left.
    NodeDown,
    /// The request or its response was dropped by a partitioned link.
    Partition,
    /// A circuit breaker on the edge was open: the call failed at once.
    CircuitOpen,
    /// A bulkhead on the edge was full: the call failed at once.
    BulkheadFull,
    /// An overloaded server turned away a request of a low priority class.
    Shed,
}

/// A request's priority class: under overload, shedding turns away `sheddable` first,
/// then `standard`; `critical` only a full queue refuses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum Priority {
    /// Must get through.
    Critical,
    /// Ordinary.
    #[default]
    Standard,
    /// Dropped first under overload.
    Sheddable,
}

impl Priority {
    /// Every class, highest first.
    pub const ALL: [Priority; 3] = [Priority::Critical, Priority::Standard, Priority::Sheddable];
}

/// Figures of one priority class of the clients' requests.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassView {
    /// The class.
    pub class: Priority,
    /// Requests of the class answered successfully.
    pub completed: u64,
    /// Requests of the class failed for good, by cause.
    pub failed: ErrorCounts,
    /// failed / (completed + failed), 0 before any request ended.
    pub error_rate: f64,
    /// End-to-end latency of its successful requests.
    pub latency: LatencySummary,
}

/// Errors counted by cause.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorCounts {
    /// Timeouts.
    pub timeout: u64,
    /// Full queues.
    pub queue_full: u64,
    /// Rate limited (429).
    pub rate_limited: u64,
    /// Node down.
    pub node_down: u64,
    /// Partition.
    pub partition: u64,
    /// Shed by priority (absent when none).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub shed: u64,
    /// Open circuit breakers (left out of the JSON while zero).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub circuit_open: u64,
    /// Full bulkheads (left out of the JSON while zero).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub bulkhead_full: u64,
}

impl ErrorCounts {
    pub(crate) fn add(&mut self, c: Cause) {
        match c {
            Cause::Timeout => self.timeout += 1,
            Cause::QueueFull => self.queue_full += 1,
            Cause::RateLimited => self.rate_limited += 1,
            Cause::NodeDown => self.node_down += 1,
            Cause::Partition => self.partition += 1,
            Cause::Shed => self.shed += 1,
            Cause::CircuitOpen => self.circuit_open += 1,
            Cause::BulkheadFull => self.bulkhead_full += 1,
        }
    }

    /// All causes together.
    pub fn total(&self) -> u64 {
        self.timeout
            + self.queue_full
            + self.rate_limited
            + self.node_down
            + self.partition
            + self.circuit_open
            + self.bulkhead_full
            + self.shed
    }
}

fn is_zero(x: &u64) -> bool {
    *x == 0
}
