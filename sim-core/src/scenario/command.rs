//! Commands: the live edits and faults a running simulation accepts, and the timeline of
//! scheduled ones a scenario carries.

use serde::{Deserialize, Serialize};

use super::*;

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
    /// Lose a fraction of the requests sent over the link from → to (packet loss).
    Loss {
        /// Caller id.
        from: String,
        /// Callee id.
        to: String,
        /// Share of requests lost, in [0, 1].
        fraction: f64,
    },
    /// Cap the link from → to at `rps` requests per second; the rest queue.
    Cap {
        /// Caller id.
        from: String,
        /// Callee id.
        to: String,
        /// Requests per second the link carries.
        rps: f64,
    },
    /// Restore a cut, slow, lossy or capped link.
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
    /// Move a server, database or autoscaling group (its template and every instance) to
    /// another machine of the catalogue, keeping its state (vertical scaling).
    SetMachine {
        /// Node id.
        id: String,
        /// Machine name, e.g. `"m.xlarge"`.
        machine: String,
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
