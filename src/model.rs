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
        sessions: Sessions::None,
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
        }),
        "load_balancer" => NodeKind::LoadBalancer(LoadBalancerParams {
            policy: LbPolicy::LeastConnections,
            health_check: Some(HealthCheck {
                interval_ms: 1000.0,
                unhealthy_threshold: 2,
                healthy_threshold: 2,
            }),
            backend_timeout_ms: Some(1500.0),
        }),
        "server" => NodeKind::Server(default_server()),
        "database" => NodeKind::Database(DatabaseParams {
            max_connections: 20,
            queue_capacity: 200,
            read_service_time: ServiceTime::Exponential { mean_ms: 5.0 },
            write_service_time: ServiceTime::Exponential { mean_ms: 15.0 },
            read_from_replicas: true,
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
            health_check: HealthCheck {
                interval_ms: 1000.0,
                unhealthy_threshold: 2,
                healthy_threshold: 2,
            },
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

/// Why connecting `from`'s output to `to`'s input is refused, or `Ok` when it is allowed.
pub fn check_connect(s: &Scenario, from: &str, to: &str) -> Result<(), String> {
    let (Some(src), Some(dst)) = (kind_of(s, from), kind_of(s, to)) else {
        return Err("both ends must be components on the canvas".to_string());
    };
    if from == to {
        return Err(format!("{from} cannot call itself"));
    }
    if matches!(dst, NodeKind::Client(_)) {
        return Err(format!(
            "{to} is a client: clients send requests, they never receive them"
        ));
    }
    if s.edges.iter().any(|e| e.from == from && e.to == to) {
        return Err(format!("{from} is already connected to {to}"));
    }
    let outs = s.edges.iter().filter(|e| e.from == from).count();
    let db = |k: &NodeKind| matches!(k, NodeKind::Database(_));
    if db(src)
        && db(dst)
        && s.edges
            .iter()
            .any(|e| e.to == to && kind_of(s, &e.from).is_some_and(db))
    {
        return Err(format!("{to} already replicates from another primary"));
    }
    match src {
        NodeKind::Database(_) if !matches!(dst, NodeKind::Database(_)) => {
            return Err(format!(
                "{from} is a database: it only replicates to other databases (its read replicas)"
            ))
        }
        NodeKind::ReplicatedStore(_) => {
            return Err(format!(
                "{from} is a store replica: it replicates to its cluster by name, not by links"
            ))
        }
        NodeKind::Cache(_) | NodeKind::Cdn(_) | NodeKind::RateLimiter(_) if outs > 0 => {
            return Err(format!(
                "{from} sits in front of exactly one node; it already has one"
            ))
        }
        NodeKind::Client(_) if outs > 0 => {
            return Err(format!(
            "{from} already sends to one entry point; put a load balancer behind it to spread load"
        ))
        }
        _ => {}
    }
    if reaches(s, to, from) {
        return Err(format!(
            "{to} already leads back to {from}: requests would loop forever"
        ));
    }
    Ok(())
}

/// True when `to` can be reached from `from` along edges.
fn reaches(s: &Scenario, from: &str, to: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from];
    while let Some(n) = stack.pop() {
        if n == to {
            return true;
        }
        if seen.insert(n) {
            stack.extend(
                s.edges
                    .iter()
                    .filter(|e| e.from == n)
                    .map(|e| e.to.as_str()),
            );
        }
    }
    false
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
    for e in &old.edges {
        if edge_in(new, e).is_none() && has_node(new, &e.from) && has_node(new, &e.to) {
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
            Some(o) if o.kind != n.kind => out.push(Command::ReconfigureNode {
                id: n.id.clone(),
                kind: n.kind.clone(),
            }),
            Some(_) => {}
        }
    }
    for e in &new.edges {
        match edge_in(old, e) {
            None => out.push(Command::AddEdge(e.clone())),
            Some(o) if o != *e => out.push(Command::ReconfigureEdge(e.clone())),
            Some(_) => {}
        }
    }
    out
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

/// An editable number in the inspector, of a node's kind (`T = NodeKind`) or of a link.
pub struct Field<T = NodeKind> {
    /// Stable key (used for test ids and undo coalescing).
    pub key: &'static str,
    /// What the learner reads.
    pub label: &'static str,
    /// Unit shown after the box.
    pub unit: &'static str,
    /// Smallest accepted value.
    pub min: f64,
    /// Largest accepted value.
    pub max: f64,
    /// Whole numbers only.
    pub integer: bool,
    /// Reads the value.
    pub get: fn(&T) -> Option<f64>,
    /// Writes the value (0 means "none" for optional timeouts).
    pub set: fn(&mut T, f64),
}

fn opt(v: Option<f64>) -> f64 {
    v.unwrap_or(0.0)
}
fn none_if_zero(v: f64) -> Option<f64> {
    (v > 0.0).then_some(v)
}
fn set_mean(st: &mut ServiceTime, v: f64) {
    match st {
        ServiceTime::Exponential { mean_ms } | ServiceTime::LogNormal { mean_ms, .. } => {
            *mean_ms = v
        }
        ServiceTime::Constant { ms } => *ms = v,
    }
}
fn as_u32(v: f64) -> u32 {
    v.clamp(0.0, f64::from(u32::MAX)) as u32
}

macro_rules! field {
    ($key:literal, $label:literal, $unit:literal, $min:expr, $max:expr, $int:expr, $pat:path, |$p:ident| $get:expr, |$q:ident, $v:ident| $set:expr) => {
        Field {
            key: $key,
            label: $label,
            unit: $unit,
            min: $min,
            max: $max,
            integer: $int,
            get: |k| match k {
                $pat($p) => Some($get),
                _ => None,
            },
            set: |k, $v| {
                if let $pat($q) = k {
                    $set
                }
            },
        }
    };
}

/// The editable numbers of a node kind, with units and ranges.
pub fn fields(kind: &NodeKind) -> Vec<Field> {
    use NodeKind as K;
    match kind {
        K::Client(_) => vec![
            field!(
                "rate_rps",
                "Rate",
                "req/s",
                0.0,
                1_000_000.0,
                false,
                K::Client,
                |c| c.rate_rps,
                |c, v| c.rate_rps = v
            ),
            field!(
                "timeout_ms",
                "Timeout (0 = none)",
                "ms",
                0.0,
                600_000.0,
                false,
                K::Client,
                |c| opt(c.timeout_ms),
                |c, v| c.timeout_ms = none_if_zero(v)
            ),
            field!(
                "max_retries",
                "Retries",
                "",
                0.0,
                10.0,
                true,
                K::Client,
                |c| c.retry.as_ref().map_or(0.0, |r| f64::from(r.max_retries)),
                |c, v| {
                    c.retry = (v >= 1.0).then(|| RetryPolicy {
                        max_retries: as_u32(v),
                        base_backoff_ms: c.retry.as_ref().map_or(100.0, |r| r.base_backoff_ms),
                        multiplier: 2.0,
                        max_backoff_ms: 2000.0,
                        jitter: Jitter::Full,
                    })
                }
            ),
        ],
        K::LoadBalancer(_) => vec![
            field!(
                "hc_interval_ms",
                "Health-check interval (0 = off)",
                "ms",
                0.0,
                60_000.0,
                false,
                K::LoadBalancer,
                |l| l.health_check.as_ref().map_or(0.0, |h| h.interval_ms),
                |l, v| {
                    l.health_check = (v > 0.0).then(|| {
                        let old = l.health_check.clone().unwrap_or(HealthCheck {
                            interval_ms: v,
                            unhealthy_threshold: 2,
                            healthy_threshold: 2,
                        });
                        HealthCheck {
                            interval_ms: v,
                            ..old
                        }
                    })
                }
            ),
            field!(
                "unhealthy_threshold",
                "Failed checks to mark down",
                "",
                1.0,
                100.0,
                true,
                K::LoadBalancer,
                |l| l
                    .health_check
                    .as_ref()
                    .map_or(2.0, |h| f64::from(h.unhealthy_threshold)),
                |l, v| {
                    if let Some(h) = &mut l.health_check {
                        h.unhealthy_threshold = as_u32(v)
                    }
                }
            ),
            field!(
                "backend_timeout_ms",
                "Backend timeout (0 = none)",
                "ms",
                0.0,
                600_000.0,
                false,
                K::LoadBalancer,
                |l| opt(l.backend_timeout_ms),
                |l, v| l.backend_timeout_ms = none_if_zero(v)
            ),
        ],
        K::Server(_) => vec![
            field!(
                "workers",
                "Workers",
                "",
                1.0,
                10_000.0,
                true,
                K::Server,
                |s| f64::from(s.workers),
                |s, v| s.workers = as_u32(v)
            ),
            field!(
                "queue_capacity",
                "Queue capacity",
                "req",
                0.0,
                100_000.0,
                true,
                K::Server,
                |s| f64::from(s.queue_capacity),
                |s, v| s.queue_capacity = as_u32(v)
            ),
            field!(
                "service_ms",
                "Mean service time",
                "ms",
                0.01,
                60_000.0,
                false,
                K::Server,
                |s| s.service_time.mean_ms(),
                |s, v| set_mean(&mut s.service_time, v)
            ),
            field!(
                "call_timeout_ms",
                "Downstream timeout (0 = none)",
                "ms",
                0.0,
                600_000.0,
                false,
                K::Server,
                |s| opt(s.call_timeout_ms),
                |s, v| s.call_timeout_ms = none_if_zero(v)
            ),
        ],
        K::Database(_) => vec![
            field!(
                "max_connections",
                "Connections",
                "",
                1.0,
                10_000.0,
                true,
                K::Database,
                |d| f64::from(d.max_connections),
                |d, v| d.max_connections = as_u32(v)
            ),
            field!(
                "queue_capacity",
                "Queue capacity",
                "req",
                0.0,
                100_000.0,
                true,
                K::Database,
                |d| f64::from(d.queue_capacity),
                |d, v| d.queue_capacity = as_u32(v)
            ),
            field!(
                "read_ms",
                "Mean read time",
                "ms",
                0.01,
                60_000.0,
                false,
                K::Database,
                |d| d.read_service_time.mean_ms(),
                |d, v| set_mean(&mut d.read_service_time, v)
            ),
            field!(
                "write_ms",
                "Mean write time",
                "ms",
                0.01,
                60_000.0,
                false,
                K::Database,
                |d| d.write_service_time.mean_ms(),
                |d, v| set_mean(&mut d.write_service_time, v)
            ),
            field!(
                "read_from_replicas",
                "Reads go to replicas (1 = yes, 0 = no)",
                "",
                0.0,
                1.0,
                true,
                K::Database,
                |d| f64::from(u8::from(d.read_from_replicas)),
                |d, v| d.read_from_replicas = v >= 1.0
            ),
            field!(
                "ryw_window_ms",
                "Read-your-writes window (0 = off)",
                "ms",
                0.0,
                600_000.0,
                false,
                K::Database,
                |d| opt(d.read_your_writes_window_ms),
                |d, v| d.read_your_writes_window_ms = none_if_zero(v)
            ),
            field!(
                "failover_ms",
                "Failover detection (0 = no failover)",
                "ms",
                0.0,
                600_000.0,
                false,
                K::Database,
                |d| opt(d.failover_detection_ms),
                |d, v| d.failover_detection_ms = none_if_zero(v)
            ),
        ],
        K::RateLimiter(_) => vec![
            field!(
                "limit_rps",
                "Rate",
                "req/s",
                0.01,
                1_000_000.0,
                false,
                K::RateLimiter,
                |r| r.rate_rps,
                |r, v| r.rate_rps = v
            ),
            field!(
                "burst",
                "Burst",
                "req",
                1.0,
                100_000.0,
                true,
                K::RateLimiter,
                |r| f64::from(r.burst),
                |r, v| r.burst = as_u32(v)
            ),
        ],
        K::AutoscalingGroup(_) => vec![
            field!(
                "min_instances",
                "Min instances",
                "",
                0.0,
                1000.0,
                true,
                K::AutoscalingGroup,
                |a| f64::from(a.min_instances),
                |a, v| a.min_instances = as_u32(v)
            ),
            field!(
                "max_instances",
                "Max instances",
                "",
                1.0,
                1000.0,
                true,
                K::AutoscalingGroup,
                |a| f64::from(a.max_instances),
                |a, v| a.max_instances = as_u32(v)
            ),
            field!(
                "workers",
                "Workers per instance",
                "",
                1.0,
                10_000.0,
                true,
                K::AutoscalingGroup,
                |a| f64::from(a.server.workers),
                |a, v| a.server.workers = as_u32(v)
            ),
            field!(
                "service_ms",
                "Mean service time",
                "ms",
                0.01,
                60_000.0,
                false,
                K::AutoscalingGroup,
                |a| a.server.service_time.mean_ms(),
                |a, v| set_mean(&mut a.server.service_time, v)
            ),
            field!(
                "scale_out",
                "Scale out above",
                "utilisation",
                0.01,
                1.0,
                false,
                K::AutoscalingGroup,
                |a| a.scale_out_utilisation,
                |a, v| a.scale_out_utilisation = v
            ),
            field!(
                "boot_s",
                "Boot time",
                "s",
                0.0,
                3600.0,
                false,
                K::AutoscalingGroup,
                |a| a.boot_s,
                |a, v| a.boot_s = v
            ),
        ],
        K::Cache(_) => vec![
            field!(
                "capacity_keys",
                "Capacity",
                "keys",
                1.0,
                1_000_000.0,
                true,
                K::Cache,
                |c| f64::from(c.capacity_keys),
                |c, v| c.capacity_keys = as_u32(v)
            ),
            field!(
                "ttl_s",
                "Time to live (0 = none)",
                "s",
                0.0,
                86_400.0,
                false,
                K::Cache,
                |c| opt(c.ttl_s),
                |c, v| c.ttl_s = none_if_zero(v)
            ),
            field!(
                "ttl_jitter_s",
                "TTL jitter",
                "s",
                0.0,
                86_400.0,
                false,
                K::Cache,
                |c| c.ttl_jitter_s,
                |c, v| c.ttl_jitter_s = v
            ),
            field!(
                "coalescing",
                "Coalesce misses (1 = yes, 0 = no)",
                "",
                0.0,
                1.0,
                true,
                K::Cache,
                |c| f64::from(u8::from(c.coalescing)),
                |c, v| c.coalescing = v >= 1.0
            ),
            field!(
                "service_ms",
                "Lookup time",
                "ms",
                0.001,
                60_000.0,
                false,
                K::Cache,
                |c| c.service_time.mean_ms(),
                |c, v| set_mean(&mut c.service_time, v)
            ),
        ],
        K::Cdn(_) => vec![
            field!(
                "capacity_keys",
                "Capacity",
                "assets",
                1.0,
                1_000_000.0,
                true,
                K::Cdn,
                |c| f64::from(c.capacity_keys),
                |c, v| c.capacity_keys = as_u32(v)
            ),
            field!(
                "ttl_s",
                "Time to live (0 = none)",
                "s",
                0.0,
                86_400.0,
                false,
                K::Cdn,
                |c| opt(c.ttl_s),
                |c, v| c.ttl_s = none_if_zero(v)
            ),
            field!(
                "versioned_urls",
                "Versioned asset URLs (1 = yes, 0 = no)",
                "",
                0.0,
                1.0,
                true,
                K::Cdn,
                |c| f64::from(u8::from(c.versioned_urls)),
                |c, v| c.versioned_urls = v >= 1.0
            ),
        ],
        K::ShardRouter(_) => vec![field!(
            "key_space",
            "Key space",
            "keys",
            1.0,
            1_000_000.0,
            true,
            K::ShardRouter,
            |r| f64::from(r.key_space),
            |r, v| r.key_space = as_u32(v)
        )],
        K::GeoDns(_) => vec![field!(
            "hc_interval_ms",
            "Health-check interval",
            "ms",
            1.0,
            60_000.0,
            false,
            K::GeoDns,
            |g| g.health_check.interval_ms,
            |g, v| g.health_check.interval_ms = v
        )],
        K::ReplicatedStore(_) => vec![
            field!(
                "ap",
                "Mode (0 = CP, 1 = AP)",
                "",
                0.0,
                1.0,
                true,
                K::ReplicatedStore,
                |r| f64::from(u8::from(r.mode == Consistency::Ap)),
                |r, v| r.mode = if v >= 1.0 {
                    Consistency::Ap
                } else {
                    Consistency::Cp
                }
            ),
            field!(
                "service_ms",
                "Service time",
                "ms",
                0.001,
                60_000.0,
                false,
                K::ReplicatedStore,
                |r| r.service_time.mean_ms(),
                |r, v| set_mean(&mut r.service_time, v)
            ),
        ],
        K::MessageQueue(_) => vec![
            field!(
                "workers",
                "Workers",
                "",
                1.0,
                100_000.0,
                true,
                K::MessageQueue,
                |q| f64::from(q.workers),
                |q, v| q.workers = as_u32(v)
            ),
            field!(
                "capacity",
                "Capacity",
                "msgs",
                1.0,
                1_000_000.0,
                true,
                K::MessageQueue,
                |q| f64::from(q.capacity),
                |q, v| q.capacity = as_u32(v)
            ),
            field!(
                "service_ms",
                "Mean processing time",
                "ms",
                0.001,
                600_000.0,
                false,
                K::MessageQueue,
                |q| q.service_time.mean_ms(),
                |q, v| set_mean(&mut q.service_time, v)
            ),
            field!(
                "visibility_ms",
                "Visibility timeout",
                "ms",
                1.0,
                600_000.0,
                false,
                K::MessageQueue,
                |q| q.visibility_timeout_ms,
                |q, v| q.visibility_timeout_ms = v
            ),
            field!(
                "max_attempts",
                "Attempts before dead letter",
                "",
                1.0,
                100.0,
                true,
                K::MessageQueue,
                |q| f64::from(q.max_attempts),
                |q, v| q.max_attempts = as_u32(v)
            ),
            field!(
                "idempotent",
                "Idempotent consumers (1 = yes, 0 = no)",
                "",
                0.0,
                1.0,
                true,
                K::MessageQueue,
                |q| f64::from(u8::from(q.idempotent)),
                |q, v| q.idempotent = v >= 1.0
            ),
            field!(
                "poison_keys",
                "Poison keys (always fail)",
                "keys",
                0.0,
                1_000_000.0,
                true,
                K::MessageQueue,
                |q| f64::from(q.poison_keys),
                |q, v| q.poison_keys = as_u32(v)
            ),
        ],
    }
}

/// Parses what the learner typed into a field; the error says what is wrong.
pub fn parse_field<T>(f: &Field<T>, text: &str) -> Result<f64, String> {
    let v: f64 = text
        .trim()
        .parse()
        .map_err(|_| "not a number".to_string())?;
    if !v.is_finite() {
        return Err("not a number".to_string());
    }
    if f.integer && v.fract() != 0.0 {
        return Err("a whole number, please".to_string());
    }
    if v < f.min || v > f.max {
        return Err(format!("between {} and {}", f.min, f.max));
    }
    Ok(v)
}

/// Sets field `f` of node `id` to `v` and checks the whole design; the error is the
/// core's own message.
pub fn set_field(s: &mut Scenario, id: &str, f: &Field, v: f64) -> Result<(), String> {
    let node = s
        .nodes
        .iter_mut()
        .find(|n| n.id == id)
        .ok_or_else(|| format!("no node {id}"))?;
    (f.set)(&mut node.kind, v);
    s.validate().map_err(|e| e.message)
}

/// The editable numbers of a link.
pub fn edge_fields() -> Vec<Field<EdgeSpec>> {
    vec![
        Field {
            key: "latency_ms",
            label: "Latency (one way)",
            unit: "ms",
            min: 0.0,
            max: 60_000.0,
            integer: false,
            get: |e| Some(e.latency_ms),
            set: |e, v| e.latency_ms = v,
        },
        Field {
            key: "jitter_ms",
            label: "Jitter (extra, up to)",
            unit: "ms",
            min: 0.0,
            max: 60_000.0,
            integer: false,
            get: |e| Some(e.jitter_ms),
            set: |e, v| e.jitter_ms = v,
        },
        Field {
            key: "weight",
            label: "Weight (weighted round robin)",
            unit: "",
            min: 1.0,
            max: 1000.0,
            integer: true,
            get: |e| Some(f64::from(e.weight)),
            set: |e, v| e.weight = as_u32(v),
        },
    ]
}

/// Sets field `f` of the link from → to and checks the whole design.
pub fn set_edge_field(
    s: &mut Scenario,
    from: &str,
    to: &str,
    f: &Field<EdgeSpec>,
    v: f64,
) -> Result<(), String> {
    let edge = s
        .edges
        .iter_mut()
        .find(|e| e.from == from && e.to == to)
        .ok_or_else(|| format!("no link {from} → {to}"))?;
    (f.set)(edge, v);
    s.validate().map_err(|e| e.message)
}

/// The load-balancing policies, as (serde name, what the learner reads).
pub const POLICIES: &[(LbPolicy, &str)] = &[
    (LbPolicy::RoundRobin, "Round robin"),
    (LbPolicy::WeightedRoundRobin, "Weighted round robin"),
    (LbPolicy::LeastConnections, "Least connections"),
    (LbPolicy::LeastResponseTime, "Least response time"),
    (LbPolicy::Hash, "Hash of key (sticky)"),
    (LbPolicy::Random, "Random"),
    (LbPolicy::PowerOfTwo, "Power of two choices"),
];

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
