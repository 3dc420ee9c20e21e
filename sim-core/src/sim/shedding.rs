//! Load shedding by priority: a client with a priority mix gives each request a class
//! (critical, standard, sheddable) by a stream of its own; a server with shedding turns away
//! the lowest class first once its queue is long, a load balancer once it has many
//! requests in flight (cause `shed`); the clients' figures are kept per class.

use super::*;

/// What the clients saw of one priority class.
#[derive(Clone, Debug)]
pub(super) struct ClassStats {
    completed: u64,
    failed: ErrorCounts,
    latency: Latency,
}

impl Default for ClassStats {
    fn default() -> ClassStats {
        ClassStats { completed: 0, failed: ErrorCounts::default(), latency: Latency::new() }
    }
}

/// Whether a server (or load balancer) of `kind` with `queued` requests waiting (in flight)
/// turns away one of `class`.
#[inline(always)]
pub(super) fn sheds(kind: &NodeKind, class: Priority, queued: usize) -> bool {
    let (NodeKind::Server(ServerParams { shedding: Some(s), .. })
    | NodeKind::LoadBalancer(LoadBalancerParams { shedding: Some(s), .. })) = kind
    else {
        return false;
    };
    let t = s.queue_threshold as usize;
    match class {
        Priority::Sheddable => queued >= t,
        Priority::Standard => queued >= 2 * t,
        Priority::Critical => false,
    }
}

impl Sim {
    /// Whether the load balancer `node` turns away a new request of `class`: counted
    /// against the requests it already has in flight (the new one is counted in too).
    #[inline(always)]
    pub(super) fn balancer_sheds(&self, node: NodeIx, class: Priority) -> bool {
        let n = &self.nodes[node];
        sheds(&n.kind, class, n.stats.in_flight.saturating_sub(1) as usize)
    }

    /// The class of a new request of the client `node`: by its priority mix, or standard
    /// (drawing nothing) when it has none.
    pub(super) fn pick_class(&mut self, node: NodeIx) -> Priority {
        let seed = self.seed;
        let n = &mut self.nodes[node];
        let (NodeKind::Client(ClientParams { priority: Some(m), .. }), Runtime::Client { prio_rng, .. }) =
            (&n.kind, &mut n.rt)
        else {
            return Priority::Standard;
        };
        let id = &n.id;
        let rng = prio_rng.get_or_insert_with(|| Box::new(random::node_stream(seed, &format!("priority:{id}"))));
        let u = random::uniform(rng) * (m.critical + m.standard + m.sheddable);
        if u < m.critical {
            Priority::Critical
        } else if u < m.critical + m.standard {
            Priority::Standard
        } else {
            Priority::Sheddable
        }
    }

    /// Counts a user's request that ended in its class.
    #[inline(always)]
    pub(super) fn count_class(&mut self, outcome: Outcome, req: Req) {
        let s = &mut self.global.classes[req.class as usize];
        match outcome {
            Ok(()) => {
                s.completed += 1;
                s.latency.record(self.now.since(req.created_at));
            }
            Err(c) => s.failed.add(c),
        }
    }

    /// The per-class figures, when some client has a priority mix.
    pub(super) fn class_views(&self) -> Vec<ClassView> {
        let used = self.nodes.iter().any(|n| matches!(&n.kind, NodeKind::Client(c) if c.priority.is_some()));
        if !used {
            return Vec::new();
        }
        Priority::ALL
            .iter()
            .zip(&self.global.classes)
            .map(|(&class, s)| {
                let ended = s.completed + s.failed.total();
                ClassView {
                    class,
                    completed: s.completed,
                    failed: s.failed,
                    error_rate: if ended == 0 { 0.0 } else { s.failed.total() as f64 / ended as f64 },
                    latency: s.latency.summary(),
                }
            })
            .collect()
    }
}
