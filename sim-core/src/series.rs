//! The time series as CSV: one row per closed metrics window, the global figures first,
//! then each node's. The headless runner's `--series FILE.csv` and the page's "Series CSV"
//! export both write it with [`Series`], so the same scenario and seed give the same bytes.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::{GlobalPoint, NodePoint, Snapshot};

/// Global columns, in order.
pub const GLOBAL_COLUMNS: [&str; 10] =
    ["t_s", "completed", "failed", "availability", "rps", "error_rate", "p50_ms", "p95_ms", "p99_ms", "in_flight"];
/// Per-node columns, each prefixed with `NODE_ID.` in the header.
pub const NODE_COLUMNS: [&str; 5] = ["rps", "errors_per_s", "p95_ms", "utilisation", "queue_len"];

/// One window: the global point and each node's point (by index in `node_ids`).
#[derive(Clone, Debug)]
struct Row {
    global: GlobalPoint,
    nodes: BTreeMap<usize, NodePoint>,
}

/// A run's series, gathered from snapshots: call [`Series::collect`] at least once every
/// `metrics.series_len` windows (the snapshot's ring buffers hold no more), then
/// [`Series::to_csv`]. Nodes appear as columns in the order they were first seen; a node
/// absent from a window (added later, or removed) leaves its cells empty.
#[derive(Clone, Debug, Default)]
pub struct Series {
    node_ids: Vec<String>,
    rows: Vec<Row>,
}

impl Series {
    /// An empty series.
    pub fn new() -> Series {
        Series::default()
    }

    /// The series of one snapshot: every window its ring buffers still hold.
    pub fn of_snapshot(snap: &Snapshot) -> Series {
        let mut s = Series::new();
        s.collect(snap);
        s
    }

    /// Windows gathered so far.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when no window has closed yet.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Appends the windows closed since the last call.
    pub fn collect(&mut self, snap: &Snapshot) {
        let last = self.rows.last().map_or(f64::NEG_INFINITY, |r| r.global.t_s);
        let first_new = self.rows.len();
        for g in snap.series.iter().filter(|g| g.t_s > last) {
            self.rows.push(Row { global: *g, nodes: BTreeMap::new() });
        }
        for n in &snap.nodes {
            let idx = self.node_ids.iter().position(|id| *id == n.id).unwrap_or_else(|| {
                self.node_ids.push(n.id.clone());
                self.node_ids.len() - 1
            });
            for p in n.series.iter().filter(|p| p.t_s > last) {
                if let Some(row) = self.rows[first_new..].iter_mut().find(|r| r.global.t_s == p.t_s) {
                    row.nodes.insert(idx, *p);
                }
            }
        }
    }

    /// The header and one line per window, each ending in `\n`; numbers in Rust's shortest
    /// round-trip form, an undefined availability (nothing finished) as an empty cell.
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        let mut header: Vec<String> = GLOBAL_COLUMNS.iter().map(|c| c.to_string()).collect();
        for id in &self.node_ids {
            header.extend(NODE_COLUMNS.iter().map(|c| format!("{id}.{c}")));
        }
        let _ = writeln!(out, "{}", header.join(","));
        for r in &self.rows {
            let g = &r.global;
            let avail = g.availability().ratio().map_or(String::new(), |a| a.to_string());
            let mut cells = vec![
                g.t_s.to_string(),
                g.completed.to_string(),
                g.failed.to_string(),
                avail,
                g.rps.to_string(),
                g.error_rate.to_string(),
                g.p50_ms.to_string(),
                g.p95_ms.to_string(),
                g.p99_ms.to_string(),
                g.in_flight.to_string(),
            ];
            for i in 0..self.node_ids.len() {
                match r.nodes.get(&i) {
                    Some(p) => cells.extend([
                        p.rps.to_string(),
                        p.errors_per_s.to_string(),
                        p.p95_ms.to_string(),
                        p.utilisation.to_string(),
                        p.queue_len.to_string(),
                    ]),
                    None => cells.extend(std::iter::repeat_n(String::new(), NODE_COLUMNS.len())),
                }
            }
            let _ = writeln!(out, "{}", cells.join(","));
        }
        out
    }
}
