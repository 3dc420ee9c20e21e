//! Snapshots: the plain-data view of the whole simulation for the UI, and its digest.

use super::*;

/// Data-tier totals over the node views.
pub(super) fn totals(nodes: &[NodeView]) -> DataTotals {
    let mut t = DataTotals::default();
    for n in nodes {
        t.monthly_cost_usd += n.monthly_cost_usd;
        if let Some(c) = &n.cache {
            t.stale_reads += c.stale_hits;
            t.lost_writes += c.lost_writes;
        }
        if let Some(d) = &n.database {
            t.stale_reads += d.stale_reads;
            t.ryw_violations += d.ryw_violations;
            t.lost_writes += d.lost_writes;
        }
        if let Some(q) = &n.message_queue {
            t.duplicates += q.duplicates;
            t.dlq_size += q.dlq_size;
        }
        if let Some(s) = &n.store {
            t.stale_reads += s.stale_reads;
            t.conflicts += s.conflicts;
        }
    }
    t
}

impl Sim {
    /// Plain-data metrics for the UI.
    pub fn snapshot(&self) -> Snapshot {
        let now = self.now;
        let secs = now.as_secs_f64();
        let per_s = |x: u64| if secs > 0.0 { x as f64 / secs } else { 0.0 };
        let mean_area = |a: u128| if now.0 > 0 { a as f64 / now.0 as f64 } else { 0.0 };
        let g = &self.global;
        let global = GlobalView {
            arrived: g.arrived,
            attempts: g.attempts,
            retries: g.retries,
            completed: g.completed,
            failed: g.failed,
            in_flight: g.in_flight.value,
            throughput_rps: per_s(g.completed),
            mean_in_flight: mean_area(g.in_flight.at(now)),
            latency: g.latency.summary(),
            window: g.series.last().copied().unwrap_or_default(),
            data: DataTotals::default(),
            classes: self.class_views(),
        };
        // Time the hops still at each node have spent there so far.
        let mut present = vec![0u128; self.nodes.len()];
        for c in self.slab.iter().filter_map(|s| s.call.as_ref()) {
            present[c.node.ix()] += u128::from(now.since(c.arrived_at).0);
        }
        let nodes: Vec<NodeView> = self
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| !n.removed)
            .map(|(i, n)| {
                let st = &n.stats;
                let workers = n.kind_workers_f64();
                let health = if !n.up {
                    Health::Down
                } else if n.booting {
                    Health::Booting
                } else if n.draining {
                    Health::Draining
                } else {
                    Health::Up
                };
                let idx = NodeIx(i as u32);
                NodeView {
                    id: n.id.clone(),
                    label: n.label.clone(),
                    kind: kind_name(&n.kind),
                    x: n.x,
                    y: n.y,
                    health,
                    marked_unhealthy: self.edges.iter().any(|e| !e.removed && e.to == idx && !e.healthy),
                    slow_factor: n.slow,
                    arrived: st.arrived,
                    completed: st.completed,
                    errors: st.errors,
                    in_flight: st.in_flight,
                    queue_len: st.queue.value,
                    busy_workers: st.busy.value,
                    workers: n.workers() as u64,
                    machine: machine::name_of(&n.kind).map(str::to_string),
                    utilisation: if workers > 0.0 { mean_area(st.busy.at(now)) / workers } else { 0.0 },
                    mean_queue_len: mean_area(st.queue.at(now)),
                    mean_in_flight: mean_area(st.in_flight_done_ns + present[i]),
                    throughput_rps: per_s(st.completed),
                    latency: st.latency.summary(),
                    window: st.series.last().copied().unwrap_or_default(),
                    series: st.series.to_vec(),
                    instances: match &n.rt {
                        Runtime::Group(g) => g.instances.len() as u64,
                        _ => 0,
                    },
                    region: self.data.region(idx).map(str::to_string),
                    monthly_cost_usd: self.monthly_cost_usd(n),
                    cache: self.cache_view(n),
                    database: self.database_view(n),
                    shards: self.shard_view(n),
                    message_queue: self.queue_view(n),
                    store: self.store_view(n),
                    sessions: self.session_view(idx, n),
                }
            })
            .collect();
        let edges = self
            .edges
            .iter()
            .filter(|e| !e.removed)
            .map(|e| EdgeView {
                from: self.nodes[e.from].id.clone(),
                to: self.nodes[e.to].id.clone(),
                state: e.spec.state,
                sent: e.sent,
                dropped: e.dropped,
                window_rps: e.window_rps,
                outstanding: e.outstanding,
                healthy: e.healthy,
                breaker: e.breaker.as_ref().map(|b| b.view()),
            })
            .collect();
        let mut global = global;
        global.data = self.data_totals(&nodes);
        Snapshot {
            now_s: secs,
            events_processed: self.events,
            global,
            nodes,
            edges,
            series: g.series.to_vec(),
            alerts: self.alerts.clone(),
            log: self.log.iter().cloned().collect(),
            hops: self
                .hops
                .to_vec()
                .into_iter()
                .map(|h| HopView {
                    from: self.nodes[h.from].id.clone(),
                    to: self.nodes[h.to].id.clone(),
                    depart_s: h.depart.as_secs_f64(),
                    arrive_s: h.arrive.as_secs_f64(),
                    response: h.response,
                    error: h.outcome.err(),
                    request: h.request,
                })
                .collect(),
        }
    }

    /// Digest of the current snapshot (see [`Snapshot::digest`]).
    pub fn digest(&self) -> u64 {
        self.snapshot().digest()
    }

    /// Data-tier totals: sums of the node views, and sessions of every node ever (a server
    /// removed by scale-in took its sessions with it).
    pub(super) fn data_totals(&self, nodes: &[NodeView]) -> DataTotals {
        let mut t = totals(nodes);
        for c in self.data.sessions.values() {
            t.sessions_lost += c.lost;
            t.relogins += c.relogins;
        }
        t
    }
}

/// The snapshot's name of a node kind.
fn kind_name(kind: &NodeKind) -> KindName {
    match kind {
        NodeKind::Client(_) => KindName::Client,
        NodeKind::LoadBalancer(_) => KindName::LoadBalancer,
        NodeKind::Server(_) => KindName::Server,
        NodeKind::Database(_) => KindName::Database,
        NodeKind::RateLimiter(_) => KindName::RateLimiter,
        NodeKind::AutoscalingGroup(_) => KindName::AutoscalingGroup,
        NodeKind::Cache(_) => KindName::Cache,
        NodeKind::Cdn(_) => KindName::Cdn,
        NodeKind::ShardRouter(_) => KindName::ShardRouter,
        NodeKind::GeoDns(_) => KindName::GeoDns,
        NodeKind::ReplicatedStore(_) => KindName::ReplicatedStore,
        NodeKind::MessageQueue(_) => KindName::MessageQueue,
    }
}
