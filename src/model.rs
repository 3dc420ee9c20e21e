//! The learner's design and every edit to it, as plain data: no Leptos, no web APIs.
//!
//! The design is a `sim_core::Scenario`. Every edit produces a new scenario; [`diff`] turns
//! the change into the `Command`s that bring a running simulation in line with it, so undo
//! and redo are just more edits and never reset the run.

use std::collections::BTreeSet;

use sim_core::*;

/// Width and height of a node box on the canvas, in world units (CSS px at zoom 1).
pub const NODE_W: f64 = 124.0;
/// Height of a node box.
pub const NODE_H: f64 = 58.0;

/// One entry of the palette.
pub struct KindInfo {
    /// `NodeKind::name()` of the kind.
    pub key: &'static str,
    /// What the learner reads.
    pub title: &'static str,
    /// Prefix of generated ids.
    pub prefix: &'static str,
    /// One line on what it does.
    pub blurb: &'static str,
}

/// Every component kind the core simulates, in palette order.
pub const KINDS: &[KindInfo] = &[
    KindInfo {
        key: "client",
        title: "Client",
        prefix: "users",
        blurb: "Users sending requests",
    },
    KindInfo {
        key: "load_balancer",
        title: "Load balancer",
        prefix: "lb",
        blurb: "Spreads requests over its backends",
    },
    KindInfo {
        key: "server",
        title: "App server",
        prefix: "web",
        blurb: "Workers and a bounded queue",
    },
    KindInfo {
        key: "database",
        title: "Database",
        prefix: "db",
        blurb: "Connections, reads and writes",
    },
    KindInfo {
        key: "rate_limiter",
        title: "Rate limiter",
        prefix: "limiter",
        blurb: "Token bucket in front of one node",
    },
    KindInfo {
        key: "autoscaling_group",
        title: "Autoscaling group",
        prefix: "asg",
        blurb: "Servers that grow and shrink with load",
    },
    KindInfo {
        key: "cache",
        title: "Cache",
        prefix: "cache",
        blurb: "Key-value cache in front of one store",
    },
    KindInfo {
        key: "cdn",
        title: "CDN edge",
        prefix: "cdn",
        blurb: "Caches static assets near the users",
    },
    KindInfo {
        key: "shard_router",
        title: "Shard router",
        prefix: "shards",
        blurb: "Sends each key to one shard",
    },
    KindInfo {
        key: "message_queue",
        title: "Message queue",
        prefix: "queue",
        blurb: "Buffers jobs for a pool of workers",
    },
    KindInfo {
        key: "replicated_store",
        title: "Replicated store",
        prefix: "store",
        blurb: "One replica of a CP or AP key-value store",
    },
    KindInfo {
        key: "geo_dns",
        title: "GeoDNS",
        prefix: "dns",
        blurb: "Sends users to the nearest healthy region",
    },
];

/// The palette entry of a kind name.
pub fn kind_info(key: &str) -> Option<&'static KindInfo> {
    KINDS.iter().find(|k| k.key == key)
}

fn default_server() -> ServerParams {
    ServerParams {
        workers: 8,
        queue_capacity: 100,
        service_time: ServiceTime::LogNormal {
            mean_ms: 20.0,
            sigma: 0.5,
        },
        queue_timeout_ms: None,
        downstream: DownstreamMode::Call,
        call_timeout_ms: Some(1000.0),
        shedding: None,
        sessions: Sessions::None,
        // As many cores as workers: a new server behaves as before machines existed.
        machine: Some("m.2xlarge".into()),
    }
}

/// Sensible starting parameters for a new node of a kind.
pub fn default_kind(key: &str) -> Option<NodeKind> {
    Some(match key {
        "client" => NodeKind::Client(ClientParams {
            rate_rps: 200.0,
            pattern: RatePattern::Constant,
            mix: RequestMix {
                read: 0.8,
                write: 0.1,
                static_asset: 0.1,
                job: 0.0,
            },
            keys: KeyDistribution::Zipf {
                key_count: 10_000,
                s: 1.0,
            },
            timeout_ms: Some(2000.0),
            retry: None,
            priority: None,
        }),
        "load_balancer" => NodeKind::LoadBalancer(LoadBalancerParams {
            policy: LbPolicy::LeastConnections,
            health_check: Some(HealthCheck::default()),
            backend_timeout_ms: Some(1500.0),
            shedding: None,
        }),
        "server" => NodeKind::Server(default_server()),
        "database" => NodeKind::Database(DatabaseParams {
            max_connections: 20,
            queue_capacity: 200,
            read_service_time: ServiceTime::Exponential { mean_ms: 5.0 },
            write_service_time: ServiceTime::Exponential { mean_ms: 15.0 },
            read_from_replicas: true,
            machine: Some("m.4xlarge".into()),
            read_your_writes_window_ms: None,
            failover_detection_ms: Some(3000.0),
        }),
        "rate_limiter" => NodeKind::RateLimiter(RateLimiterParams {
            rate_rps: 500.0,
            burst: 50,
        }),
        "autoscaling_group" => NodeKind::AutoscalingGroup(AutoscalingParams {
            server: default_server(),
            min_instances: 1,
            max_instances: 8,
            initial_instances: 2,
            policy: LbPolicy::LeastConnections,
            scale_out_utilisation: 0.7,
            scale_in_utilisation: 0.3,
            window_s: 5.0,
            cooldown_s: 10.0,
            boot_s: 5.0,
            step: 1,
            evaluation_interval_s: 1.0,
        }),
        "cache" => NodeKind::Cache(CacheParams {
            capacity_keys: 2000,
            eviction: Eviction::Lru,
            ttl_s: Some(60.0),
            ttl_jitter_s: 0.0,
            write_policy: WritePolicy::CacheAside,
            invalidate_on_write: true,
            coalescing: false,
            service_time: ServiceTime::Constant { ms: 1.0 },
            write_behind_delay_ms: 1000.0,
            // 2 GiB hold 131 072 entries of 16 KiB: room for the 2000 keys.
            machine: Some("m.small".into()),
        }),
        "cdn" => NodeKind::Cdn(CdnParams {
            capacity_keys: 1000,
            ttl_s: Some(300.0),
            service_time: ServiceTime::Constant { ms: 1.0 },
            versioned_urls: false,
        }),
        "shard_router" => NodeKind::ShardRouter(ShardRouterParams {
            strategy: ShardStrategy::ConsistentHash { virtual_nodes: 100 },
            key_space: 10_000,
        }),
        "message_queue" => NodeKind::MessageQueue(MessageQueueParams {
            capacity: 10_000,
            workers: 4,
            service_time: ServiceTime::Exponential { mean_ms: 50.0 },
            visibility_timeout_ms: 5000.0,
            max_attempts: 5,
            retry_backoff_ms: 100.0,
            idempotent: false,
            poison_keys: 0,
        }),
        "replicated_store" => NodeKind::ReplicatedStore(ReplicatedStoreParams {
            cluster: "store".to_string(),
            mode: Consistency::Cp,
            service_time: ServiceTime::Constant { ms: 1.0 },
        }),
        "geo_dns" => NodeKind::GeoDns(GeoDnsParams {
            health_check: HealthCheck::default(),
        }),
        _ => return None,
    })
}

/// An empty design with the playground's metric settings.
pub fn empty_design() -> Scenario {
    Scenario {
        version: SCENARIO_VERSION,
        name: "my design".to_string(),
        seed: 1,
        duration_s: None,
        nodes: Vec::new(),
        edges: Vec::new(),
        events: Vec::new(),
        region_latency: Vec::new(),
        pause_on: Vec::new(),
        challenge: None,
        metrics: MetricsConfig {
            slo_p95_ms: Some(300.0),
            slo_error_rate: Some(0.01),
            ..MetricsConfig::default()
        },
        view: None,
        lesson: None,
    }
}

/// The first free id "prefix-N" (autoscaling instances are "group-N", so ids that an
/// existing node's instances could take are skipped too).
fn fresh_id(s: &Scenario, prefix: &str) -> String {
    let taken = |id: &str| {
        s.nodes.iter().any(|n| {
            n.id == id
                || (matches!(n.kind, NodeKind::AutoscalingGroup(_))
                    && id
                        .strip_prefix(n.id.as_str())
                        .is_some_and(|r| r.starts_with('-')))
        })
    };
    (1..=s.nodes.len() + 1)
        .map(|i| format!("{prefix}-{i}"))
        .find(|id| !taken(id))
        .unwrap_or_else(|| format!("{prefix}-{}", s.nodes.len() + 2))
}

/// Adds a node of kind `key` with its top-left corner at (x, y); returns its id.
pub fn add_node(s: &mut Scenario, key: &str, x: f64, y: f64) -> Result<String, String> {
    let info = kind_info(key).ok_or_else(|| format!("unknown component {key:?}"))?;
    let kind = default_kind(key).ok_or_else(|| format!("unknown component {key:?}"))?;
    if s.nodes.len() >= MAX_NODES {
        return Err(format!("a design holds at most {MAX_NODES} components"));
    }
    let id = fresh_id(s, info.prefix);
    s.nodes.push(NodeSpec {
        id: id.clone(),
        label: None,
        x: Some(x.round()),
        y: Some(y.round()),
        region: None,
        kind,
    });
    Ok(id)
}

/// Removes nodes and every edge touching them.
pub fn remove_nodes(s: &mut Scenario, ids: &BTreeSet<String>) {
    s.nodes.retain(|n| !ids.contains(&n.id));
    s.edges
        .retain(|e| !ids.contains(&e.from) && !ids.contains(&e.to));
}

/// Removes the edge from → to.
pub fn remove_edge(s: &mut Scenario, from: &str, to: &str) {
    s.edges.retain(|e| !(e.from == from && e.to == to));
}

/// Moves nodes by (dx, dy).
pub fn move_nodes(s: &mut Scenario, ids: &BTreeSet<String>, dx: f64, dy: f64) {
    for n in s.nodes.iter_mut().filter(|n| ids.contains(&n.id)) {
        n.x = Some(n.x.unwrap_or(0.0) + dx);
        n.y = Some(n.y.unwrap_or(0.0) + dy);
    }
}

fn kind_of<'a>(s: &'a Scenario, id: &str) -> Option<&'a NodeKind> {
    s.nodes.iter().find(|n| n.id == id).map(|n| &n.kind)
}

/// Why connecting `from`'s output to `to`'s input is refused, or `Ok` when it is allowed:
/// the core's topology rules, so the page gives the same reason as a refused file.
pub fn check_connect(s: &Scenario, from: &str, to: &str) -> Result<(), String> {
    topology::check_edge(s, from, to)
}

/// Connects `from` → `to` after [`check_connect`].
pub fn connect(s: &mut Scenario, from: &str, to: &str) -> Result<(), String> {
    check_connect(s, from, to)?;
    let from_client = matches!(kind_of(s, from), Some(NodeKind::Client(_)));
    let latency_ms = if from_client { 20.0 } else { 1.0 };
    s.edges.push(EdgeSpec {
        from: from.to_string(),
        to: to.to_string(),
        latency_ms,
        jitter_ms: latency_ms / 2.0,
        weight: 1,
        state: EdgeState::Up,
        breaker: None,
        bulkhead: None,
        bulkhead_wait_ms: None,
        kinds: None,
    });
    Ok(())
}

/// The commands that turn a simulation of `old` into one of `new` (positions are not
/// simulated and produce none).
pub fn diff(old: &Scenario, new: &Scenario) -> Vec<Command> {
    let mut out = Vec::new();
    let has_node = |s: &Scenario, id: &str| s.nodes.iter().any(|n| n.id == id);
    let edge_in = |s: &Scenario, e: &EdgeSpec| {
        s.edges
            .iter()
            .find(|f| f.from == e.from && f.to == e.to)
            .cloned()
    };
    // A node moved to another region is removed and added again (with its links): the
    // core places a node in its region when it is added.
    let moved: BTreeSet<&str> = new
        .nodes
        .iter()
        .filter(|n| {
            old.nodes
                .iter()
                .any(|o| o.id == n.id && o.region != n.region)
        })
        .map(|n| n.id.as_str())
        .collect();
    let touches_moved =
        |e: &EdgeSpec| moved.contains(e.from.as_str()) || moved.contains(e.to.as_str());
    for e in &old.edges {
        if edge_in(new, e).is_none()
            && has_node(new, &e.from)
            && has_node(new, &e.to)
            && !touches_moved(e)
        {
            out.push(Command::RemoveEdge {
                from: e.from.clone(),
                to: e.to.clone(),
            });
        }
    }
    for n in &old.nodes {
        if !has_node(new, &n.id) {
            out.push(Command::RemoveNode { id: n.id.clone() });
        }
    }
    for n in &new.nodes {
        match old.nodes.iter().find(|o| o.id == n.id) {
            None => out.push(Command::AddNode(n.clone())),
            Some(o) if o.region != n.region => {
                out.push(Command::RemoveNode { id: n.id.clone() });
                out.push(Command::AddNode(n.clone()));
            }
            Some(o) if o.kind != n.kind => {
                // A new machine moves the node and its instances (vertical scaling); any
                // other change reconfigures it.
                let mut kind = o.kind.clone();
                if let Some(m) = machine_of(&n.kind).filter(|m| machine_of(&o.kind) != Some(*m)) {
                    out.push(Command::SetMachine {
                        id: n.id.clone(),
                        machine: m.to_string(),
                    });
                    set_machine(&mut kind, m);
                }
                if kind != n.kind {
                    out.push(Command::ReconfigureNode {
                        id: n.id.clone(),
                        kind: n.kind.clone(),
                    });
                }
            }
            Some(_) => {}
        }
    }
    for e in &new.edges {
        match edge_in(old, e) {
            None => out.push(Command::AddEdge(e.clone())),
            Some(_) if touches_moved(e) => out.push(Command::AddEdge(e.clone())),
            Some(o) if o != *e => out.push(Command::ReconfigureEdge(e.clone())),
            Some(_) => {}
        }
    }
    out
}

/// The machine a server, database, cache or autoscaling group runs on (`None` for other
/// kinds, or one without a machine).
pub fn machine_of(k: &NodeKind) -> Option<&str> {
    match k {
        NodeKind::Server(s) => s.machine.as_deref(),
        NodeKind::Database(d) => d.machine.as_deref(),
        NodeKind::Cache(c) => c.machine.as_deref(),
        NodeKind::AutoscalingGroup(a) => a.server.machine.as_deref(),
        _ => None,
    }
}

/// True for the kinds that run on a machine of the catalogue.
pub fn has_machine(k: &NodeKind) -> bool {
    matches!(
        k,
        NodeKind::Server(_)
            | NodeKind::Database(_)
            | NodeKind::Cache(_)
            | NodeKind::AutoscalingGroup(_)
    )
}

/// Moves a server, database, cache or autoscaling group to the named machine (other kinds
/// are left alone).
pub fn set_machine(k: &mut NodeKind, name: &str) {
    let slot = match k {
        NodeKind::Server(s) => &mut s.machine,
        NodeKind::Database(d) => &mut d.machine,
        NodeKind::Cache(c) => &mut c.machine,
        NodeKind::AutoscalingGroup(a) => &mut a.server.machine,
        _ => return,
    };
    *slot = Some(name.to_string());
}

/// Undo and redo stacks of whole designs.
#[derive(Default)]
pub struct History {
    past: Vec<(Scenario, Option<String>)>,
    future: Vec<Scenario>,
}

/// Most undo steps kept.
const HISTORY_LEN: usize = 200;

impl History {
    /// Records the design before an edit. Successive edits with the same `coalesce` key
    /// (typing in one field) make one undo step.
    pub fn record(&mut self, before: Scenario, coalesce: Option<String>) {
        self.future.clear();
        if coalesce.is_some() && self.past.last().is_some_and(|(_, k)| *k == coalesce) {
            return;
        }
        if self.past.len() == HISTORY_LEN {
            self.past.remove(0);
        }
        self.past.push((before, coalesce));
    }

    /// The design to go back to, given the current one.
    pub fn undo(&mut self, current: Scenario) -> Option<Scenario> {
        let (prev, _) = self.past.pop()?;
        self.future.push(current);
        Some(prev)
    }

    /// The design to go forward to, given the current one.
    pub fn redo(&mut self, current: Scenario) -> Option<Scenario> {
        let next = self.future.pop()?;
        self.past.push((current, None));
        Some(next)
    }

    /// Ends coalescing: the next edit is a new undo step.
    pub fn seal(&mut self) {
        if let Some(last) = self.past.last_mut() {
            last.1 = None;
        }
    }
}

/// Top-left corner of node `id`.
pub fn node_pos(s: &Scenario, id: &str) -> Option<(f64, f64)> {
    s.nodes
        .iter()
        .find(|n| n.id == id)
        .map(|n| (n.x.unwrap_or(0.0), n.y.unwrap_or(0.0)))
}

/// The cubic Bézier of an edge: output port of `a` to input port of `b` (world coordinates).
pub fn edge_curve(a: (f64, f64), b: (f64, f64)) -> [(f64, f64); 4] {
    let p0 = (a.0 + NODE_W, a.1 + NODE_H / 2.0);
    let p3 = (b.0, b.1 + NODE_H / 2.0);
    let dx = ((p3.0 - p0.0).abs() / 2.0).max(40.0);
    [p0, (p0.0 + dx, p0.1), (p3.0 - dx, p3.1), p3]
}

/// A point on a cubic Bézier at parameter `t` in [0, 1].
pub fn bezier_at(c: &[(f64, f64); 4], t: f64) -> (f64, f64) {
    let u = 1.0 - t;
    let (a, b, cc, d) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
    (
        a * c[0].0 + b * c[1].0 + cc * c[2].0 + d * c[3].0,
        a * c[0].1 + b * c[1].1 + cc * c[2].1 + d * c[3].1,
    )
}

/// Bounding box (min x, min y, max x, max y) of the nodes, if any.
pub fn bounds(s: &Scenario) -> Option<(f64, f64, f64, f64)> {
    let mut it = s
        .nodes
        .iter()
        .map(|n| (n.x.unwrap_or(0.0), n.y.unwrap_or(0.0)));
    let first = it.next()?;
    Some(it.fold(
        (first.0, first.1, first.0 + NODE_W, first.1 + NODE_H),
        |b, (x, y)| {
            (
                b.0.min(x),
                b.1.min(y),
                b.2.max(x + NODE_W),
                b.3.max(y + NODE_H),
            )
        },
    ))
}

/// Offered load: the sum of the clients' base rates, req/s.
pub fn offered_rps(s: &Scenario) -> f64 {
    s.nodes
        .iter()
        .map(|n| match &n.kind {
            NodeKind::Client(c) => c.rate_rps,
            _ => 0.0,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The design with one more edge, as a file, refused by the core: its message.
    fn core_refusal(s: &Scenario, from: &str, to: &str) -> String {
        let mut t = s.clone();
        t.edges.push(EdgeSpec {
            from: from.to_string(),
            to: to.to_string(),
            latency_ms: 1.0,
            jitter_ms: 0.0,
            weight: 1,
            state: EdgeState::Up,
            breaker: None,
            bulkhead: None,
            bulkhead_wait_ms: None,
            kinds: None,
        });
        let e = Scenario::from_json(&t.to_json()).unwrap_err();
        assert_eq!(e.path, format!("edges[{}]", s.edges.len()), "{e}");
        e.message
    }

    #[test]
    fn the_page_refuses_a_connection_with_the_cores_words() {
        let mut s = demo_scenario();
        add_node(&mut s, "cache", 0.0, 0.0).unwrap();
        connect(&mut s, "web-1", "cache-1").unwrap();
        connect(&mut s, "cache-1", "db").unwrap();
        for (from, to, words) in [
            ("users", "web-1", "one entry point"),
            ("db", "web-1", "database"),
            ("lb", "users", "client"),
            ("lb", "web-1", "already connected"),
            ("web-1", "web-1", "itself"),
            ("cache-1", "web-2", "in front of exactly one node"),
            ("web-1", "lb", "loop forever"),
        ] {
            let page = check_connect(&s, from, to).unwrap_err();
            assert!(page.contains(words), "{from} -> {to}: {page}");
            assert_eq!(page, core_refusal(&s, from, to), "{from} -> {to}");
        }
        assert!(check_connect(&s, "web-1", "web-2").is_ok());
    }
}

#[cfg(test)]
#[path = "model_tests.rs"]
mod edit_tests;
