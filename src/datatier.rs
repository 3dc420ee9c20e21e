//! How the data tier's snapshot fields read on the page: node badges, inspector rows, the
//! one gauge per node kept for its sparkline, and the dock's totals. Formatting only: every
//! number comes from the core's snapshot.

use sim_core::{NodeView, Role, Snapshot};

/// Percent with no decimals.
fn pct(f: f64) -> String {
    format!("{:.0}%", f * 100.0)
}

/// Whole milliseconds.
fn ms(v: f64) -> String {
    format!("{v:.0} ms")
}

/// US dollars per month, whole.
pub fn dollars(v: f64) -> String {
    format!("${v:.0}/month")
}

/// The short data-tier line on a node's box, if its kind has one.
pub fn badge(n: &NodeView) -> Option<String> {
    if let Some(c) = &n.cache {
        return Some(format!("hit {}", pct(c.window_hit_ratio)));
    }
    if let Some(d) = &n.database {
        return Some(if d.role == Role::Replica {
            format!("lag {}", ms(d.replication_lag_ms))
        } else {
            format!("{:.0} q/s", n.window.rps)
        });
    }
    if let Some(q) = &n.message_queue {
        return Some(format!("backlog {}", q.backlog));
    }
    if let Some(s) = &n.shards {
        let max = s.shards.iter().map(|x| x.load_share).fold(0.0, f64::max);
        return Some(format!("max shard {}", pct(max)));
    }
    if let Some(s) = &n.store {
        return Some(format!(
            "{} {}/{} peers",
            s.mode.as_str().to_uppercase(),
            s.reachable_replicas,
            s.replicas
        ));
    }
    None
}

/// The one data-tier value a node's inspector charts over time: (label, value).
pub fn gauge(n: &NodeView) -> Option<(&'static str, f64)> {
    if let Some(c) = &n.cache {
        return Some(("Hit ratio (window)", c.window_hit_ratio));
    }
    if let Some(d) = &n.database {
        return Some(if d.role == Role::Replica {
            ("Replication lag (ms)", d.replication_lag_ms)
        } else {
            ("Stale reads (total)", d.stale_reads as f64)
        });
    }
    if let Some(q) = &n.message_queue {
        return Some(("Backlog", q.backlog as f64));
    }
    if let Some(s) = &n.store {
        return Some(("Divergent keys", s.divergent_keys as f64));
    }
    None
}

/// The data-tier figures of one node for its inspector: (test id, label, value).
pub fn rows(n: &NodeView) -> Vec<(&'static str, String, String)> {
    let mut out: Vec<(&'static str, String, String)> = Vec::new();
    let mut row = |key: &'static str, label: &str, value: String| {
        out.push((key, label.to_string(), value));
    };
    if let Some(c) = &n.cache {
        row("hit-ratio", "Hit ratio (window)", pct(c.window_hit_ratio));
        row("hit-ratio-total", "Hit ratio (run)", pct(c.hit_ratio));
        row(
            "keys",
            "Keys cached",
            format!("{} / {}", c.keys, c.capacity_keys),
        );
        row("evictions", "Evictions", c.evictions.to_string());
        row("expirations", "Expirations", c.expirations.to_string());
        row("stale-hits", "Stale hits", c.stale_hits.to_string());
        row(
            "store-requests",
            "Requests to the store",
            c.store_requests.to_string(),
        );
        row("coalesced", "Coalesced misses", c.coalesced.to_string());
        if c.dirty_writes > 0 || c.lost_writes > 0 {
            row(
                "dirty-writes",
                "Unflushed writes",
                c.dirty_writes.to_string(),
            );
            row("lost-writes", "Lost writes", c.lost_writes.to_string());
        }
    }
    if let Some(d) = &n.database {
        let role = match &d.primary {
            Some(p) if d.role == Role::Replica => format!("replica of {p}"),
            _ => d.role.to_string(),
        };
        row("role", "Role", role);
        row("load", "Load (window)", format!("{:.0} q/s", n.window.rps));
        if d.role == Role::Replica {
            row("lag", "Replication lag", ms(d.replication_lag_ms));
            row("mean-lag", "Mean lag", ms(d.mean_replication_lag_ms));
            row(
                "backlog",
                "Unapplied writes",
                d.replication_backlog.to_string(),
            );
            row("applied", "Writes applied", d.writes_applied.to_string());
        } else {
            row(
                "committed",
                "Writes committed",
                d.writes_committed.to_string(),
            );
            row(
                "reads-to-replicas",
                "Reads sent to replicas",
                d.reads_to_replicas.to_string(),
            );
        }
        row("stale-reads", "Stale reads", d.stale_reads.to_string());
        row(
            "ryw",
            "Read-your-writes violations",
            d.ryw_violations.to_string(),
        );
        row("lost-writes", "Lost writes", d.lost_writes.to_string());
    }
    if let Some(s) = &n.shards {
        for sh in &s.shards {
            row(
                "shard",
                &format!("Shard {}", sh.id),
                format!("{} load · {} keys", pct(sh.load_share), sh.keys),
            );
        }
        row(
            "moved",
            "Keys moved at last change",
            format!("{} ({})", s.keys_moved_last, pct(s.moved_fraction_last)),
        );
    }
    if let Some(q) = &n.message_queue {
        row("backlog", "Backlog", q.backlog.to_string());
        row("oldest", "Oldest message", ms(q.oldest_age_ms));
        row("acked", "Acknowledged", q.acknowledged.to_string());
        row("redeliveries", "Redeliveries", q.redeliveries.to_string());
        row("dlq", "Dead letters", q.dlq_size.to_string());
        row(
            "duplicates",
            "Duplicate side effects",
            q.duplicates.to_string(),
        );
        row("lost", "Messages lost", q.lost_messages.to_string());
    }
    if let Some(s) = &n.store {
        row("cluster", "Cluster", format!("{} ({})", s.cluster, s.mode));
        row(
            "reachable",
            "Replicas reachable",
            format!("{} / {}", s.reachable_replicas, s.replicas),
        );
        row("refused", "Refused (no majority)", s.refused.to_string());
        row("stale-reads", "Stale reads", s.stale_reads.to_string());
        row("conflicts", "Conflicts", s.conflicts.to_string());
        row("divergent", "Divergent keys", s.divergent_keys.to_string());
    }
    if let Some(r) = &n.region {
        row("region", "Region", r.clone());
    }
    row("cost", "Monthly cost", dollars(n.monthly_cost_usd));
    out
}

/// Hits and lookups of all caches together since the start.
pub fn cache_lookups(s: &Snapshot) -> (u64, u64) {
    s.nodes
        .iter()
        .filter_map(|n| n.cache.as_ref())
        .fold((0, 0), |(h, l), c| (h + c.hits, l + c.hits + c.misses))
}

/// The dock's data-tier figures present in this snapshot: (test id, label, value).
/// `hit_ratio` is the caches' combined hit ratio over the newest window, weighted by
/// lookups (`Engine::hit_ratio`).
pub fn totals(s: &Snapshot, hit_ratio: Option<f64>) -> Vec<(&'static str, &'static str, String)> {
    let d = &s.global.data;
    let mut out = Vec::new();
    let caches: Vec<_> = s.nodes.iter().filter_map(|n| n.cache.as_ref()).collect();
    if !caches.is_empty() {
        // Before two windows are recorded: the run so far, weighted the same way.
        let run = || match cache_lookups(s) {
            (_, 0) => 0.0,
            (h, l) => h as f64 / l as f64,
        };
        out.push((
            "kpi-hit-ratio",
            "Hit ratio",
            pct(hit_ratio.unwrap_or_else(run)),
        ));
        let ev: u64 = caches.iter().map(|c| c.evictions).sum();
        out.push(("kpi-evictions", "Evictions", ev.to_string()));
    }
    let dbs: Vec<_> = s.nodes.iter().filter_map(|n| n.database.as_ref()).collect();
    if dbs.iter().any(|d| d.role == Role::Replica) {
        let lag = dbs
            .iter()
            .filter(|d| d.role == Role::Replica)
            .map(|d| d.replication_lag_ms)
            .fold(0.0, f64::max);
        out.push(("kpi-lag", "Replication lag", ms(lag)));
    }
    if !dbs.is_empty() || !caches.is_empty() || s.nodes.iter().any(|n| n.store.is_some()) {
        out.push(("kpi-stale", "Stale reads", d.stale_reads.to_string()));
    }
    if !dbs.is_empty() {
        out.push(("kpi-ryw", "RYW violations", d.ryw_violations.to_string()));
    }
    if !dbs.is_empty() || caches.iter().any(|c| c.lost_writes > 0) {
        out.push(("kpi-lost", "Lost writes", d.lost_writes.to_string()));
    }
    let queues: Vec<_> = s
        .nodes
        .iter()
        .filter_map(|n| n.message_queue.as_ref())
        .collect();
    if !queues.is_empty() {
        let backlog: u64 = queues.iter().map(|q| q.backlog).sum();
        let oldest = queues.iter().map(|q| q.oldest_age_ms).fold(0.0, f64::max);
        out.push(("kpi-backlog", "Queue backlog", backlog.to_string()));
        out.push(("kpi-oldest", "Oldest message", ms(oldest)));
        out.push(("kpi-dlq", "Dead letters", d.dlq_size.to_string()));
        out.push(("kpi-duplicates", "Duplicates", d.duplicates.to_string()));
    }
    let shares: Vec<f64> = s
        .nodes
        .iter()
        .filter_map(|n| n.shards.as_ref())
        .flat_map(|r| r.shards.iter().map(|x| x.load_share))
        .collect();
    if !shares.is_empty() {
        let max = shares.iter().copied().fold(0.0, f64::max);
        out.push(("kpi-shard", "Busiest shard", pct(max)));
    }
    if s.nodes.iter().any(|n| n.store.is_some()) {
        out.push(("kpi-conflicts", "Conflicts", d.conflicts.to_string()));
    }
    out.push(("kpi-cost", "Monthly cost", dollars(d.monthly_cost_usd)));
    out
}
