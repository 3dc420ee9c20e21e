//! The monthly cost estimate of each node, from the price table in `docs/scenario-format.md`.

use super::*;

use crate::machines::HOURS_PER_MONTH;

/// Seconds in a month, for request-priced services.
const SECONDS_PER_MONTH: f64 = HOURS_PER_MONTH * 3600.0;
/// The hourly price of a server (or message-queue consumer instance) without a machine.
const SERVER_USD_H: f64 = 0.0416;
/// The hourly price of a database or replicated-store replica without a machine.
const DATABASE_USD_H: f64 = 0.171;

/// The lowest monthly price of one node of `kind` that answers requests itself (a server, a
/// database, a replicated store, a message queue, a group of one server), from the table
/// below; `None` for kinds that only pass requests on. A challenge's budget below the
/// cheapest of its allowed kinds can never be met.
pub(crate) fn cheapest_answer_usd_month(kind: KindName) -> Option<f64> {
    let cheapest_machine = crate::machines::MACHINES.iter().map(|m| m.usd_per_hour).fold(f64::INFINITY, f64::min);
    match kind {
        KindName::Server | KindName::AutoscalingGroup | KindName::MessageQueue => {
            Some(SERVER_USD_H.min(cheapest_machine) * HOURS_PER_MONTH)
        }
        KindName::Database | KindName::ReplicatedStore => Some(DATABASE_USD_H.min(cheapest_machine) * HOURS_PER_MONTH),
        _ => None,
    }
}

impl Sim {
    /// Monthly cost of a node from the price table in `docs/scenario-format.md`: instances
    /// by the hour, request-priced services by their measured throughput.
    pub(super) fn monthly_cost_usd(&self, n: &Node) -> f64 {
        let secs = self.now.as_secs_f64();
        let per_s = |x: u64| if secs > 0.0 { x as f64 / secs } else { 0.0 };
        match &n.kind {
            NodeKind::Client(_) | NodeKind::AutoscalingGroup(_) | NodeKind::ShardRouter(_) => 0.0,
            // A hosted DNS zone with latency-based routing and health checks.
            NodeKind::GeoDns(_) => 0.50 + 0.50 * n.out_edges.len() as f64,
            NodeKind::LoadBalancer(_) => 0.0225 * HOURS_PER_MONTH,
            NodeKind::RateLimiter(_) => 0.005 * HOURS_PER_MONTH,
            // The machine's hourly price; without one, the fixed instance price.
            NodeKind::Server(s) => machine_price(s.machine.as_deref(), SERVER_USD_H) * HOURS_PER_MONTH,
            NodeKind::Database(d) => machine_price(d.machine.as_deref(), DATABASE_USD_H) * HOURS_PER_MONTH,
            NodeKind::ReplicatedStore(_) => DATABASE_USD_H * HOURS_PER_MONTH,
            // On a machine its price; without one, priced by the key.
            NodeKind::Cache(c) => {
                let by_key = 0.017 + 0.051 * f64::from(c.capacity_keys) / 1e6;
                machine_price(c.machine.as_deref(), by_key) * HOURS_PER_MONTH
            }
            // $0.0075 per 10 000 requests plus $0.085 per GB at 100 kB per asset.
            NodeKind::Cdn(_) => per_s(n.stats.arrived) * SECONDS_PER_MONTH * (0.0075 / 1e4 + 0.085 * 1e-4),
            NodeKind::MessageQueue(q) => {
                let enqueued = match &n.ext {
                    Ext::Queue(st) => st.enqueued,
                    _ => 0,
                };
                // $0.40 per million API calls, three per message; consumers 8 to an instance.
                let calls = per_s(enqueued) * 3.0 * SECONDS_PER_MONTH;
                calls * 0.40 / 1e6 + f64::from(q.workers.div_ceil(8)) * SERVER_USD_H * HOURS_PER_MONTH
            }
        }
    }
}

/// The hourly price of the named machine, or `legacy` for a node without one.
fn machine_price(name: Option<&str>, legacy: f64) -> f64 {
    name.and_then(crate::machines::machine).map_or(legacy, |m| m.usd_per_hour)
}
