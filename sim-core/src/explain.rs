//! Traces of sampled requests and where their time went: the public, plain-data side of the
//! engine's span recording (`sim/spans.rs`). A [`Trace`] is one request's journey hop by hop;
//! an [`Explanation`] says, node by node, where the slowest 1 % of requests, the median one
//! and the average one spent their time, names the culprit in one sentence, and lists the
//! failures each node produced by cause.

use serde::{Deserialize, Serialize};

use crate::metrics::Cause;

/// One hop of a traced request: its time at a node, and how its caller reached it.
///
/// Times are integer nanoseconds since the request was created. At every hop
/// `end_ns − start_ns = queue_ns + service_ns + calls_ns`, and for a hop whose answer reached
/// its caller (`answered`) the caller waited `call_ns = network_ns + (end_ns − start_ns) +
/// back_ns` on it; the attempts at the client and the backoffs between them add up to the
/// request's latency.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Span {
    /// The node's id.
    pub node: String,
    /// 0 for an attempt at the client, 1 for the node it called, and so on.
    pub depth: u32,
    /// The attempt (0: the first; each retry adds one).
    pub attempt: u32,
    /// Arrival at the node.
    pub start_ns: u64,
    /// Departure (the answer left); for a hop cut short (its node died, or the request ended
    /// first) the time the request's trace closed.
    pub end_ns: u64,
    /// On the link from the caller to this node.
    pub network_ns: u64,
    /// Waiting in the node's queue.
    pub queue_ns: u64,
    /// At the node, neither queued nor waiting on a call: service, lookups, forwarding.
    pub service_ns: u64,
    /// Waiting on the node's downstream calls (their network, queues and service included).
    pub calls_ns: u64,
    /// The answer's way back over the link to the caller.
    pub back_ns: u64,
    /// How long the caller waited on this hop (send to answer or giving up).
    pub call_ns: u64,
    /// Before an attempt at the client: the backoff since the previous attempt failed.
    pub backoff_ns: u64,
    /// The caller got this hop's answer (false: it gave up first, the answer was lost, or
    /// the request never got here).
    pub answered: bool,
    /// False when the request never reached the node (lost on the link, refused at the
    /// caller by a circuit breaker or bulkhead).
    pub reached: bool,
    /// Why the hop failed (none: it succeeded).
    pub cause: Option<Cause>,
}

impl Span {
    /// Time at the node, arrival to departure.
    pub fn duration_ns(&self) -> u64 {
        self.end_ns - self.start_ns
    }
}

/// One sampled request's journey, hops in the order they started (a hop's callees follow it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    /// When the request was created, s.
    pub started_s: f64,
    /// End-to-end latency, ns (creation to its final answer, retries included).
    pub latency_ns: u64,
    /// Why it failed (none: it succeeded).
    pub cause: Option<Cause>,
    /// The node whose failure ended it (the deepest hop the failure came from).
    pub failed_at: Option<String>,
    /// Its hops.
    pub spans: Vec<Span>,
    /// Still in flight: its spans so far, `latency_ns` up to now.
    #[serde(default)]
    pub in_flight: bool,
}

impl Trace {
    /// End-to-end latency, ms.
    pub fn latency_ms(&self) -> f64 {
        self.latency_ns as f64 / 1e6
    }
}

/// The sampled requests of one metrics window worth looking at.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WindowTraces {
    /// End of the window, s.
    pub t_s: f64,
    /// The slowest successful sampled request that finished in the window.
    pub slowest: Option<Trace>,
    /// The first few sampled requests that failed in the window.
    pub failed: Vec<Trace>,
}

/// The categories time is attributed to, in the order of [`NodeTime::ns`].
pub const CATEGORIES: [&str; 5] = ["queue", "service", "network", "calls", "backoff"];

/// Where a group of requests spent their time at one node (summed over the group, ns).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeTime {
    /// The node's id.
    pub node: String,
    /// Queue wait, service, network to reach the node (and back), waiting on calls that never
    /// answered in time, backoff before retries (at a client): see [`CATEGORIES`].
    pub ns: [u64; 5],
}

impl NodeTime {
    /// All of the node's time.
    pub fn total_ns(&self) -> u64 {
        self.ns.iter().sum()
    }
}

/// Where a group of requests (the tail, the median one, all of them) spent their time.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Breakdown {
    /// Requests in the group.
    pub requests: u64,
    /// Their latencies summed, ns (the nodes' times add up to it exactly).
    pub total_ns: u64,
    /// Per node, in the design's order; nodes where no time was spent are left out.
    pub nodes: Vec<NodeTime>,
}

impl Breakdown {
    /// The group's mean latency, ms.
    pub fn mean_ms(&self) -> f64 {
        if self.requests == 0 {
            0.0
        } else {
            self.total_ns as f64 / self.requests as f64 / 1e6
        }
    }

    /// The share of the group's time spent at `node` in `category` (index into
    /// [`CATEGORIES`]), 0 to 1.
    pub fn share(&self, node: &str, category: usize) -> f64 {
        self.nodes.iter().find(|n| n.node == node).map_or(0.0, |n| self.fraction(n.ns[category]))
    }

    /// The share of the group's time spent at `node`, 0 to 1.
    pub fn node_share(&self, node: &str) -> f64 {
        self.nodes.iter().find(|n| n.node == node).map_or(0.0, |n| self.fraction(n.total_ns()))
    }

    fn fraction(&self, ns: u64) -> f64 {
        if self.total_ns == 0 {
            0.0
        } else {
            ns as f64 / self.total_ns as f64
        }
    }

    /// The largest single cell: (node, category index, share).
    pub fn largest(&self) -> Option<(&str, usize, f64)> {
        let mut best: Option<(&str, usize, u64)> = None;
        for n in &self.nodes {
            for (c, &v) in n.ns.iter().enumerate() {
                if v > 0 && best.is_none_or(|(_, _, b)| v > b) {
                    best = Some((n.node.as_str(), c, v));
                }
            }
        }
        best.map(|(n, c, v)| (n, c, self.fraction(v)))
    }
}

/// What a learner reads for a cause of failure.
pub fn cause_words(cause: Cause) -> &'static str {
    match cause {
        Cause::Timeout => "timed out",
        Cause::QueueFull => "queue full",
        Cause::RateLimited => "rate limited",
        Cause::NodeDown => "down or no backend",
        Cause::Partition => "cut off by a partition",
        Cause::CircuitOpen => "circuit open",
        Cause::BulkheadFull => "bulkhead full",
        Cause::Shed => "shed under load",
    }
}

/// Failures a node produced (not passed on from downstream), by cause.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NodeFailures {
    /// The node's id.
    pub node: String,
    /// Per cause: the cause and its failures per second over the span (window or run).
    pub causes: Vec<(Cause, f64)>,
    /// For timeouts: the node it waited on when it has one downstream, else none.
    pub waited_on: Option<String>,
}

impl NodeFailures {
    /// The badge's words: "queue full: 41/s · timed out waiting on db: 3/s".
    pub fn badge(&self) -> String {
        let parts: Vec<String> = self
            .causes
            .iter()
            .map(|&(c, rate)| {
                let words = match (c, &self.waited_on) {
                    (Cause::Timeout, Some(d)) => format!("timed out waiting on {d}"),
                    _ => cause_words(c).to_string(),
                };
                format!("{words}: {}/s", rate_words(rate))
            })
            .collect();
        parts.join(" · ")
    }
}

fn rate_words(rate: f64) -> String {
    if rate >= 10.0 {
        format!("{rate:.0}")
    } else {
        format!("{rate:.1}")
    }
}

/// Where requests spent their time, for one window or the whole run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// End of the window, s (for the whole run: the time so far).
    pub t_s: f64,
    /// True for the whole run so far, false for one window.
    pub whole_run: bool,
    /// The slowest 1 % of the sampled successful requests (at least one); for the whole run,
    /// the slowest 1 % of each window, summed.
    pub tail: Breakdown,
    /// The median sampled request (for the whole run: each window's, summed).
    pub median: Breakdown,
    /// Every sampled successful request.
    pub mean: Breakdown,
    /// Failures by node and cause (every request counts, not only sampled ones).
    pub failures: Vec<NodeFailures>,
}

impl Explanation {
    /// One sentence naming where the tail's time went: "68 % of the p99 is waiting in
    /// web-2's queue".
    pub fn culprit(&self) -> Option<String> {
        let (node, c, share) = self.tail.largest()?;
        let place = match c {
            0 => format!("waiting in {node}'s queue"),
            1 => format!("being served at {node}"),
            2 => format!("on the network to and from {node}"),
            3 => format!("waiting at {node} on calls that never answered in time"),
            _ => format!("backing off at {node} before retries"),
        };
        Some(format!("{:.0} % of the p99 is {place}", share * 100.0))
    }

    /// The text the headless runner prints for `--explain`.
    pub fn report(&self) -> String {
        let mut out = String::new();
        let scope =
            if self.whole_run { "the whole run".to_string() } else { format!("the window ending {:.1} s", self.t_s) };
        out.push_str(&format!(
            "explain    {scope}: {} sampled requests, tail {} (mean {:.1} ms), median {:.1} ms\n",
            self.mean.requests,
            self.tail.requests,
            self.tail.mean_ms(),
            self.median.mean_ms()
        ));
        if let Some(c) = self.culprit() {
            out.push_str(&format!("culprit    {c}\n"));
        }
        out.push_str("           node              share  queue  service  network  calls  backoff   median\n");
        for n in &self.tail.nodes {
            let pct = |v: u64| self.tail.fraction(v) * 100.0;
            out.push_str(&format!(
                "tail       {:<16} {:>5.1}% {:>5.1}% {:>7.1}% {:>7.1}% {:>5.1}% {:>7.1}% {:>7.1}%\n",
                n.node,
                pct(n.total_ns()),
                pct(n.ns[0]),
                pct(n.ns[1]),
                pct(n.ns[2]),
                pct(n.ns[3]),
                pct(n.ns[4]),
                self.median.node_share(&n.node) * 100.0,
            ));
        }
        for f in &self.failures {
            out.push_str(&format!("failures   {}: {}\n", f.node, f.badge()));
        }
        out
    }
}
