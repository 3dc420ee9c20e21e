//! Every parameter the inspector edits, as plain data (no Leptos): numbers with units and
//! ranges, on/off switches, choices among enumerated options and text, for each node kind
//! and for links. A control whose getter answers `None` does not apply right now (the σ of
//! an exponential distribution, the backoff of a client without retries) and is hidden.

use sim_core::*;

use NodeKind as K;

/// An editable number, of a node's kind (`T = NodeKind`) or of a link.
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

/// An on/off option.
pub struct Toggle {
    pub key: &'static str,
    pub label: &'static str,
    pub get: fn(&NodeKind) -> Option<bool>,
    pub set: fn(&mut NodeKind, bool),
}

/// One of a few named options (an enumeration of the scenario format).
pub struct Choice {
    pub key: &'static str,
    pub label: &'static str,
    pub options: &'static [&'static str],
    /// Index of the current option.
    pub get: fn(&NodeKind) -> Option<usize>,
    pub set: fn(&mut NodeKind, usize),
}

/// A name (a store's cluster).
pub struct Text {
    pub key: &'static str,
    pub label: &'static str,
    pub get: fn(&NodeKind) -> Option<String>,
    pub set: fn(&mut NodeKind, String),
}

/// One inspector control of a node.
pub enum Control {
    Number(Field),
    Toggle(Toggle),
    Choice(Choice),
    Text(Text),
}

impl Control {
    /// The control's stable key.
    pub fn key(&self) -> &'static str {
        match self {
            Control::Number(f) => f.key,
            Control::Toggle(t) => t.key,
            Control::Choice(c) => c.key,
            Control::Text(t) => t.key,
        }
    }
}

fn opt(v: Option<f64>) -> f64 {
    v.unwrap_or(0.0)
}
fn none_if_zero(v: f64) -> Option<f64> {
    (v > 0.0).then_some(v)
}
fn as_u32(v: f64) -> u32 {
    v.clamp(0.0, f64::from(u32::MAX)) as u32
}
/// Index of `v` in `all` (0 if absent).
fn pos<T: PartialEq>(all: &[T], v: &T) -> usize {
    all.iter().position(|x| x == v).unwrap_or(0)
}

macro_rules! accessor {
    ($name:ident, $variant:ident, $t:ty) => {
        fn $name(k: &mut NodeKind) -> Option<&mut $t> {
            match k {
                K::$variant(p) => Some(p),
                _ => None,
            }
        }
    };
}
accessor!(client, Client, ClientParams);
accessor!(lb, LoadBalancer, LoadBalancerParams);
accessor!(db, Database, DatabaseParams);
accessor!(limiter, RateLimiter, RateLimiterParams);
accessor!(asg, AutoscalingGroup, AutoscalingParams);
accessor!(cache, Cache, CacheParams);
accessor!(cdn, Cdn, CdnParams);
accessor!(router, ShardRouter, ShardRouterParams);
accessor!(geo, GeoDns, GeoDnsParams);
accessor!(store, ReplicatedStore, ReplicatedStoreParams);
accessor!(queue, MessageQueue, MessageQueueParams);

/// The server parameters of an app server or of an autoscaling group's instances.
fn server(k: &mut NodeKind) -> Option<&mut ServerParams> {
    match k {
        K::Server(s) => Some(s),
        K::AutoscalingGroup(a) => Some(&mut a.server),
        _ => None,
    }
}

/// The capacity of a cache or CDN edge.
fn capacity(k: &mut NodeKind) -> Option<&mut u32> {
    match k {
        K::Cache(c) => Some(&mut c.capacity_keys),
        K::Cdn(c) => Some(&mut c.capacity_keys),
        _ => None,
    }
}

/// The time to live of a cache or CDN edge.
fn ttl(k: &mut NodeKind) -> Option<&mut Option<f64>> {
    match k {
        K::Cache(c) => Some(&mut c.ttl_s),
        K::Cdn(c) => Some(&mut c.ttl_s),
        _ => None,
    }
}

/// The health check of a load balancer (if on) or of GeoDNS.
fn health(k: &mut NodeKind) -> Option<&mut HealthCheck> {
    match k {
        K::LoadBalancer(l) => l.health_check.as_mut(),
        K::GeoDns(g) => Some(&mut g.health_check),
        _ => None,
    }
}

/// Which service time of a node.
#[derive(Clone, Copy)]
enum Slot {
    Main,
    Read,
    Write,
}

fn service(k: &mut NodeKind, slot: Slot) -> Option<&mut ServiceTime> {
    Some(match (k, slot) {
        (K::Database(d), Slot::Read) => &mut d.read_service_time,
        (K::Database(d), Slot::Write) => &mut d.write_service_time,
        (K::Server(s), Slot::Main) => &mut s.service_time,
        (K::AutoscalingGroup(a), Slot::Main) => &mut a.server.service_time,
        (K::Cache(c), Slot::Main) => &mut c.service_time,
        (K::Cdn(c), Slot::Main) => &mut c.service_time,
        (K::ReplicatedStore(r), Slot::Main) => &mut r.service_time,
        (K::MessageQueue(q), Slot::Main) => &mut q.service_time,
        _ => return None,
    })
}

/// The part of a node kind a control edits.
type Acc<T> = for<'a> fn(&'a mut NodeKind) -> Option<&'a mut T>;

/// Reads through an accessor (getters share the setters' accessors).
fn read<T, R>(k: &NodeKind, acc: Acc<T>, f: impl FnOnce(&mut T) -> Option<R>) -> Option<R> {
    let mut k = k.clone();
    acc(&mut k).and_then(f)
}

/// Writes through an accessor (nothing when the kind has no such part).
fn write<T>(k: &mut NodeKind, acc: Acc<T>, f: impl FnOnce(&mut T)) {
    if let Some(p) = acc(k) {
        f(p);
    }
}

/// The service-time distributions offered.
pub const DISTRIBUTIONS: &[&str] = &["Exponential", "Log-normal", "Constant"];

fn dist_index(s: &ServiceTime) -> usize {
    match s {
        ServiceTime::Exponential { .. } => 0,
        ServiceTime::LogNormal { .. } => 1,
        ServiceTime::Constant { .. } => 2,
    }
}

/// Switches the distribution, keeping the mean.
fn set_dist(s: &mut ServiceTime, i: usize) {
    let mean_ms = s.mean_ms();
    *s = match i {
        0 => ServiceTime::Exponential { mean_ms },
        1 => ServiceTime::LogNormal {
            mean_ms,
            sigma: 0.5,
        },
        _ => ServiceTime::Constant { ms: mean_ms },
    };
}

fn set_mean(st: &mut ServiceTime, v: f64) {
    match st {
        ServiceTime::Exponential { mean_ms } | ServiceTime::LogNormal { mean_ms, .. } => {
            *mean_ms = v
        }
        ServiceTime::Constant { ms } => *ms = v,
    }
}

/// The load-balancing policies and their names, in the same order.
const POLICIES: [LbPolicy; 7] = [
    LbPolicy::RoundRobin,
    LbPolicy::WeightedRoundRobin,
    LbPolicy::LeastConnections,
    LbPolicy::LeastResponseTime,
    LbPolicy::Hash,
    LbPolicy::Random,
    LbPolicy::PowerOfTwo,
];
const POLICY_NAMES: &[&str] = &[
    "Round robin",
    "Weighted round robin",
    "Least connections",
    "Least response time",
    "Hash of key (sticky)",
    "Random",
    "Power of two choices",
];
const EVICTIONS: [Eviction; 4] = [
    Eviction::Lru,
    Eviction::Lfu,
    Eviction::Fifo,
    Eviction::Random,
];
const WRITE_POLICIES: [WritePolicy; 4] = [
    WritePolicy::CacheAside,
    WritePolicy::ReadThrough,
    WritePolicy::WriteThrough,
    WritePolicy::WriteBehind,
];
const JITTERS: [Jitter; 3] = [Jitter::None, Jitter::Full, Jitter::Equal];
const MODES: [Consistency; 2] = [Consistency::Cp, Consistency::Ap];
const DOWNSTREAM: [DownstreamMode; 2] = [DownstreamMode::Call, DownstreamMode::Forward];

macro_rules! num {
    ($key:expr, $label:expr, $unit:literal, $min:expr, $max:expr, $int:expr, $acc:expr, |$p:ident| $get:expr, |$q:ident, $v:ident| $set:expr) => {
        Control::Number(Field {
            key: $key,
            label: $label,
            unit: $unit,
            min: $min,
            max: $max,
            integer: $int,
            get: |k| read(k, $acc, |$p| $get),
            set: |k, $v| {
                write(k, $acc, |$q| {
                    $set;
                })
            },
        })
    };
}

macro_rules! toggle {
    ($key:literal, $label:literal, $acc:expr, |$p:ident| $get:expr, |$q:ident, $v:ident| $set:expr) => {
        Control::Toggle(Toggle {
            key: $key,
            label: $label,
            get: |k| read(k, $acc, |$p| Some($get)),
            set: |k, $v| {
                write(k, $acc, |$q| {
                    $set;
                })
            },
        })
    };
}

/// A choice among the values of a plain enum (`$all`, named by `$names`).
macro_rules! choice {
    ($key:literal, $label:literal, $names:expr, $all:expr, $acc:expr, $field:ident) => {
        Control::Choice(Choice {
            key: $key,
            label: $label,
            options: $names,
            get: |k| read(k, $acc, |p| Some(pos(&$all, &p.$field))),
            set: |k, i| {
                write(k, $acc, |p| {
                    if let Some(v) = $all.get(i) {
                        p.$field = *v;
                    }
                })
            },
        })
    };
}

/// The distribution, mean and σ of one service time.
macro_rules! service {
    ($slot:expr, $key:literal, $what:literal) => {
        [
            Control::Choice(Choice {
                key: concat!($key, "_dist"),
                label: concat!($what, " distribution"),
                options: DISTRIBUTIONS,
                get: |k| read(k, |k| service(k, $slot), |s| Some(dist_index(s))),
                set: |k, i| write(k, |k| service(k, $slot), |s| set_dist(s, i)),
            }),
            num!(
                concat!($key, "_ms"),
                concat!("Mean ", $what),
                "ms",
                0.001,
                600_000.0,
                false,
                |k| service(k, $slot),
                |s| Some(s.mean_ms()),
                |s, v| set_mean(s, v)
            ),
            num!(
                concat!($key, "_sigma"),
                concat!("Spread σ of ", $what),
                "",
                0.01,
                5.0,
                false,
                |k| service(k, $slot),
                |s| match s {
                    ServiceTime::LogNormal { sigma, .. } => Some(*sigma),
                    _ => None,
                },
                |s, v| {
                    if let ServiceTime::LogNormal { sigma, .. } = s {
                        *sigma = v
                    }
                }
            ),
        ]
    };
}

/// The controls of a client.
fn client_controls() -> Vec<Control> {
    vec![
        num!(
            "rate_rps",
            "Rate",
            "req/s",
            0.0,
            1_000_000.0,
            false,
            client,
            |c| Some(c.rate_rps),
            |c, v| c.rate_rps = v
        ),
        Control::Choice(Choice {
            key: "pattern",
            label: "Rate over time",
            options: &["Constant", "Diurnal (sine wave)"],
            get: |k| {
                read(k, client, |c| {
                    Some(usize::from(matches!(
                        c.pattern,
                        RatePattern::Diurnal { .. }
                    )))
                })
            },
            set: |k, i| {
                write(k, client, |c| {
                    c.pattern = if i == 1 {
                        RatePattern::Diurnal {
                            period_s: 60.0,
                            amplitude: 0.5,
                        }
                    } else {
                        RatePattern::Constant
                    }
                })
            },
        }),
        num!(
            "period_s",
            "Diurnal period",
            "s",
            1.0,
            86_400.0,
            false,
            client,
            |c| match c.pattern {
                RatePattern::Diurnal { period_s, .. } => Some(period_s),
                _ => None,
            },
            |c, v| if let RatePattern::Diurnal { period_s, .. } = &mut c.pattern {
                *period_s = v
            }
        ),
        num!(
            "amplitude",
            "Diurnal amplitude",
            "× rate",
            0.0,
            1.0,
            false,
            client,
            |c| match c.pattern {
                RatePattern::Diurnal { amplitude, .. } => Some(amplitude),
                _ => None,
            },
            |c, v| if let RatePattern::Diurnal { amplitude, .. } = &mut c.pattern {
                *amplitude = v
            }
        ),
        num!(
            "mix_read",
            "Mix weight: reads",
            "",
            0.0,
            1000.0,
            false,
            client,
            |c| Some(c.mix.read),
            |c, v| c.mix.read = v
        ),
        num!(
            "mix_write",
            "Mix weight: writes",
            "",
            0.0,
            1000.0,
            false,
            client,
            |c| Some(c.mix.write),
            |c, v| c.mix.write = v
        ),
        num!(
            "mix_static",
            "Mix weight: static assets",
            "",
            0.0,
            1000.0,
            false,
            client,
            |c| Some(c.mix.static_asset),
            |c, v| c.mix.static_asset = v
        ),
        num!(
            "mix_job",
            "Mix weight: jobs (to a queue)",
            "",
            0.0,
            1000.0,
            false,
            client,
            |c| Some(c.mix.job),
            |c, v| c.mix.job = v
        ),
        Control::Choice(Choice {
            key: "keys",
            label: "Key distribution",
            options: &["Uniform", "Zipf (skewed)", "One hot key"],
            get: |k| {
                read(k, client, |c| {
                    Some(match c.keys {
                        KeyDistribution::Uniform { .. } => 0,
                        KeyDistribution::Zipf { .. } => 1,
                        KeyDistribution::HotKey { .. } => 2,
                    })
                })
            },
            set: |k, i| {
                write(k, client, |c| {
                    let key_count = key_count(&c.keys);
                    c.keys = match i {
                        0 => KeyDistribution::Uniform { key_count },
                        1 => KeyDistribution::Zipf { key_count, s: 1.0 },
                        _ => KeyDistribution::HotKey {
                            key_count,
                            hot_fraction: 0.3,
                        },
                    }
                })
            },
        }),
        num!(
            "key_count",
            "Distinct keys",
            "keys",
            1.0,
            f64::from(MAX_KEYS),
            true,
            client,
            |c| Some(f64::from(key_count(&c.keys))),
            |c, v| match &mut c.keys {
                KeyDistribution::Uniform { key_count }
                | KeyDistribution::Zipf { key_count, .. }
                | KeyDistribution::HotKey { key_count, .. } => *key_count = as_u32(v),
            }
        ),
        num!(
            "zipf_s",
            "Zipf skew s",
            "",
            0.0,
            10.0,
            false,
            client,
            |c| match c.keys {
                KeyDistribution::Zipf { s, .. } => Some(s),
                _ => None,
            },
            |c, v| if let KeyDistribution::Zipf { s, .. } = &mut c.keys {
                *s = v
            }
        ),
        num!(
            "hot_fraction",
            "Share of the hot key",
            "",
            0.0,
            1.0,
            false,
            client,
            |c| match c.keys {
                KeyDistribution::HotKey { hot_fraction, .. } => Some(hot_fraction),
                _ => None,
            },
            |c, v| if let KeyDistribution::HotKey { hot_fraction, .. } = &mut c.keys {
                *hot_fraction = v
            }
        ),
        num!(
            "timeout_ms",
            "Timeout per attempt (0 = none)",
            "ms",
            0.0,
            600_000.0,
            false,
            client,
            |c| Some(opt(c.timeout_ms)),
            |c, v| c.timeout_ms = none_if_zero(v)
        ),
        num!(
            "max_retries",
            "Retries (0 = none)",
            "",
            0.0,
            100.0,
            true,
            client,
            |c| Some(c.retry.as_ref().map_or(0.0, |r| f64::from(r.max_retries))),
            |c, v| c.retry = (v >= 1.0).then(|| RetryPolicy {
                max_retries: as_u32(v),
                ..c.retry.clone().unwrap_or(RetryPolicy {
                    max_retries: 0,
                    base_backoff_ms: 100.0,
                    multiplier: 2.0,
                    max_backoff_ms: 2000.0,
                    jitter: Jitter::Full,
                })
            })
        ),
        num!(
            "backoff_ms",
            "Backoff before the first retry",
            "ms",
            0.0,
            600_000.0,
            false,
            client,
            |c| c.retry.as_ref().map(|r| r.base_backoff_ms),
            |c, v| if let Some(r) = &mut c.retry {
                r.base_backoff_ms = v
            }
        ),
        num!(
            "backoff_multiplier",
            "Backoff growth per retry",
            "×",
            1.0,
            100.0,
            false,
            client,
            |c| c.retry.as_ref().map(|r| r.multiplier),
            |c, v| if let Some(r) = &mut c.retry {
                r.multiplier = v
            }
        ),
        num!(
            "max_backoff_ms",
            "Backoff cap",
            "ms",
            0.0,
            600_000.0,
            false,
            client,
            |c| c.retry.as_ref().map(|r| r.max_backoff_ms),
            |c, v| if let Some(r) = &mut c.retry {
                r.max_backoff_ms = v
            }
        ),
        Control::Choice(Choice {
            key: "jitter",
            label: "Backoff jitter",
            options: &[
                "None (retries in lockstep)",
                "Full (0 … backoff)",
                "Equal (½ + random ½)",
            ],
            get: |k| {
                read(k, client, |c| {
                    c.retry.as_ref().map(|r| pos(&JITTERS, &r.jitter))
                })
            },
            set: |k, i| {
                write(k, client, |c| {
                    if let (Some(r), Some(j)) = (c.retry.as_mut(), JITTERS.get(i)) {
                        r.jitter = *j;
                    }
                })
            },
        }),
    ]
}

fn key_count(k: &KeyDistribution) -> u32 {
    match *k {
        KeyDistribution::Uniform { key_count }
        | KeyDistribution::Zipf { key_count, .. }
        | KeyDistribution::HotKey { key_count, .. } => key_count,
    }
}

/// Health-check thresholds (LB when its checks are on, GeoDNS).
fn threshold_controls() -> [Control; 2] {
    [
        num!(
            "unhealthy_threshold",
            "Failed checks to mark down",
            "",
            1.0,
            1000.0,
            true,
            health,
            |h| Some(f64::from(h.unhealthy_threshold)),
            |h, v| h.unhealthy_threshold = as_u32(v)
        ),
        num!(
            "healthy_threshold",
            "Good checks to mark up again",
            "",
            1.0,
            1000.0,
            true,
            health,
            |h| Some(f64::from(h.healthy_threshold)),
            |h, v| h.healthy_threshold = as_u32(v)
        ),
    ]
}

/// What app servers and autoscaling groups' instances share.
fn server_controls() -> Vec<Control> {
    let mut v = vec![
        num!(
            "workers",
            "Workers",
            "",
            1.0,
            f64::from(MAX_SLOTS),
            true,
            server,
            |s| Some(f64::from(s.workers)),
            |s, v| s.workers = as_u32(v)
        ),
        num!(
            "queue_capacity",
            "Queue capacity",
            "req",
            0.0,
            f64::from(MAX_SLOTS),
            true,
            server,
            |s| Some(f64::from(s.queue_capacity)),
            |s, v| s.queue_capacity = as_u32(v)
        ),
    ];
    v.extend(service!(Slot::Main, "service", "service time"));
    v.extend([
        num!(
            "queue_timeout_ms",
            "Queue timeout (0 = none)",
            "ms",
            0.0,
            600_000.0,
            false,
            server,
            |s| Some(opt(s.queue_timeout_ms)),
            |s, v| s.queue_timeout_ms = none_if_zero(v)
        ),
        choice!(
            "downstream",
            "Downstream",
            &[
                "Call and wait for the answer",
                "Forward (answer comes from downstream)"
            ],
            DOWNSTREAM,
            server,
            downstream
        ),
        num!(
            "call_timeout_ms",
            "Downstream timeout (0 = none)",
            "ms",
            0.0,
            600_000.0,
            false,
            server,
            |s| Some(opt(s.call_timeout_ms)),
            |s, v| s.call_timeout_ms = none_if_zero(v)
        ),
    ]);
    v
}

/// Capacity and time to live, shared by caches and CDN edges.
fn cached_controls() -> [Control; 2] {
    [
        num!(
            "capacity_keys",
            "Capacity",
            "keys",
            1.0,
            f64::from(MAX_KEYS),
            true,
            capacity,
            |c| Some(f64::from(*c)),
            |c, v| *c = as_u32(v)
        ),
        num!(
            "ttl_s",
            "Time to live (0 = none)",
            "s",
            0.0,
            MAX_SECONDS,
            false,
            ttl,
            |t| Some(opt(*t)),
            |t, v| *t = none_if_zero(v)
        ),
    ]
}

/// The controls of a node kind, in the order the inspector shows them.
pub fn controls(kind: &NodeKind) -> Vec<Control> {
    let mut out = Vec::new();
    match kind {
        K::Client(_) => out = client_controls(),
        K::LoadBalancer(_) => {
            out.push(choice!(
                "policy",
                "Policy",
                POLICY_NAMES,
                POLICIES,
                lb,
                policy
            ));
            out.push(num!(
                "hc_interval_ms",
                "Health-check interval (0 = off)",
                "ms",
                0.0,
                60_000.0,
                false,
                lb,
                |l| Some(l.health_check.as_ref().map_or(0.0, |h| h.interval_ms)),
                |l, v| l.health_check = (v > 0.0).then(|| HealthCheck {
                    interval_ms: v,
                    ..l.health_check.clone().unwrap_or(HealthCheck {
                        interval_ms: v,
                        unhealthy_threshold: 2,
                        healthy_threshold: 2
                    })
                })
            ));
            out.extend(threshold_controls());
            out.push(num!(
                "backend_timeout_ms",
                "Backend timeout (0 = none)",
                "ms",
                0.0,
                600_000.0,
                false,
                lb,
                |l| Some(opt(l.backend_timeout_ms)),
                |l, v| l.backend_timeout_ms = none_if_zero(v)
            ));
        }
        K::Server(_) => out = server_controls(),
        K::Database(_) => {
            out.push(num!(
                "max_connections",
                "Connections",
                "",
                1.0,
                f64::from(MAX_SLOTS),
                true,
                db,
                |d| Some(f64::from(d.max_connections)),
                |d, v| d.max_connections = as_u32(v)
            ));
            out.push(num!(
                "queue_capacity",
                "Queue capacity",
                "req",
                0.0,
                f64::from(MAX_SLOTS),
                true,
                db,
                |d| Some(f64::from(d.queue_capacity)),
                |d, v| d.queue_capacity = as_u32(v)
            ));
            out.extend(service!(Slot::Read, "read", "read time"));
            out.extend(service!(Slot::Write, "write", "write time"));
            out.push(toggle!(
                "read_from_replicas",
                "Reads go to replicas",
                db,
                |d| d.read_from_replicas,
                |d, v| d.read_from_replicas = v
            ));
            out.push(num!(
                "ryw_window_ms",
                "Read-your-writes window (0 = off)",
                "ms",
                0.0,
                600_000.0,
                false,
                db,
                |d| Some(opt(d.read_your_writes_window_ms)),
                |d, v| d.read_your_writes_window_ms = none_if_zero(v)
            ));
            out.push(num!(
                "failover_ms",
                "Failover detection (0 = no failover)",
                "ms",
                0.0,
                600_000.0,
                false,
                db,
                |d| Some(opt(d.failover_detection_ms)),
                |d, v| d.failover_detection_ms = none_if_zero(v)
            ));
        }
        K::RateLimiter(_) => {
            out.push(num!(
                "limit_rps",
                "Rate",
                "req/s",
                0.01,
                MAX_RATE_RPS,
                false,
                limiter,
                |r| Some(r.rate_rps),
                |r, v| r.rate_rps = v
            ));
            out.push(num!(
                "burst",
                "Burst",
                "req",
                1.0,
                f64::from(MAX_SLOTS),
                true,
                limiter,
                |r| Some(f64::from(r.burst)),
                |r, v| r.burst = as_u32(v)
            ));
        }
        K::AutoscalingGroup(_) => {
            out.push(num!(
                "min_instances",
                "Min instances",
                "",
                0.0,
                1000.0,
                true,
                asg,
                |a| Some(f64::from(a.min_instances)),
                |a, v| a.min_instances = as_u32(v)
            ));
            out.push(num!(
                "max_instances",
                "Max instances",
                "",
                1.0,
                1000.0,
                true,
                asg,
                |a| Some(f64::from(a.max_instances)),
                |a, v| a.max_instances = as_u32(v)
            ));
            out.push(num!(
                "initial_instances",
                "Instances at start",
                "",
                0.0,
                1000.0,
                true,
                asg,
                |a| Some(f64::from(a.initial_instances)),
                |a, v| a.initial_instances = as_u32(v)
            ));
            out.push(choice!(
                "policy",
                "Policy",
                POLICY_NAMES,
                POLICIES,
                asg,
                policy
            ));
            out.extend(server_controls());
            out.push(num!(
                "scale_out",
                "Scale out above",
                "utilisation",
                0.01,
                1.0,
                false,
                asg,
                |a| Some(a.scale_out_utilisation),
                |a, v| a.scale_out_utilisation = v
            ));
            out.push(num!(
                "scale_in",
                "Scale in below",
                "utilisation",
                0.0,
                0.99,
                false,
                asg,
                |a| Some(a.scale_in_utilisation),
                |a, v| a.scale_in_utilisation = v
            ));
            out.push(num!(
                "window_s",
                "Utilisation averaged over",
                "s",
                0.0,
                3600.0,
                false,
                asg,
                |a| Some(a.window_s),
                |a, v| a.window_s = v
            ));
            out.push(num!(
                "evaluation_s",
                "Evaluate every",
                "s",
                0.001,
                3600.0,
                false,
                asg,
                |a| Some(a.evaluation_interval_s),
                |a, v| a.evaluation_interval_s = v
            ));
            out.push(num!(
                "cooldown_s",
                "Cooldown after scaling",
                "s",
                0.0,
                3600.0,
                false,
                asg,
                |a| Some(a.cooldown_s),
                |a, v| a.cooldown_s = v
            ));
            out.push(num!(
                "boot_s",
                "Boot time",
                "s",
                0.0,
                3600.0,
                false,
                asg,
                |a| Some(a.boot_s),
                |a, v| a.boot_s = v
            ));
            out.push(num!(
                "step",
                "Instances per scaling step",
                "",
                1.0,
                1000.0,
                true,
                asg,
                |a| Some(f64::from(a.step)),
                |a, v| a.step = as_u32(v)
            ));
        }
        K::Cache(_) => {
            out.extend(cached_controls());
            out.push(num!(
                "ttl_jitter_s",
                "TTL jitter",
                "s",
                0.0,
                MAX_SECONDS,
                false,
                cache,
                |c| Some(c.ttl_jitter_s),
                |c, v| c.ttl_jitter_s = v
            ));
            out.push(choice!(
                "eviction",
                "Eviction",
                &[
                    "LRU (least recently used)",
                    "LFU (least frequently used)",
                    "FIFO (oldest first)",
                    "Random"
                ],
                EVICTIONS,
                cache,
                eviction
            ));
            out.push(choice!(
                "write_policy",
                "Write policy",
                &[
                    "Cache-aside",
                    "Read-through",
                    "Write-through",
                    "Write-behind"
                ],
                WRITE_POLICIES,
                cache,
                write_policy
            ));
            out.push(num!(
                "write_behind_ms",
                "Write-behind flush delay",
                "ms",
                1.0,
                600_000.0,
                false,
                cache,
                |c| (c.write_policy == WritePolicy::WriteBehind).then_some(c.write_behind_delay_ms),
                |c, v| c.write_behind_delay_ms = v
            ));
            out.push(toggle!(
                "invalidate_on_write",
                "Invalidate on write",
                cache,
                |c| c.invalidate_on_write,
                |c, v| c.invalidate_on_write = v
            ));
            out.push(toggle!(
                "coalescing",
                "Coalesce misses",
                cache,
                |c| c.coalescing,
                |c, v| c.coalescing = v
            ));
            out.extend(service!(Slot::Main, "service", "lookup time"));
        }
        K::Cdn(_) => {
            out.extend(cached_controls());
            out.push(toggle!(
                "versioned_urls",
                "Versioned asset URLs",
                cdn,
                |c| c.versioned_urls,
                |c, v| c.versioned_urls = v
            ));
            out.extend(service!(Slot::Main, "service", "lookup time"));
        }
        K::ShardRouter(_) => {
            out.push(Control::Choice(Choice {
                key: "strategy",
                label: "Shard strategy",
                options: &["Hash modulo N", "Consistent hashing", "Key ranges"],
                get: |k| {
                    read(k, router, |r| {
                        Some(match r.strategy {
                            ShardStrategy::Modulo => 0,
                            ShardStrategy::ConsistentHash { .. } => 1,
                            ShardStrategy::Range => 2,
                        })
                    })
                },
                set: |k, i| {
                    write(k, router, |r| {
                        r.strategy = match i {
                            0 => ShardStrategy::Modulo,
                            1 => ShardStrategy::ConsistentHash { virtual_nodes: 100 },
                            _ => ShardStrategy::Range,
                        }
                    })
                },
            }));
            out.push(num!(
                "virtual_nodes",
                "Virtual nodes per shard",
                "",
                1.0,
                f64::from(MAX_VIRTUAL_NODES),
                true,
                router,
                |r| match r.strategy {
                    ShardStrategy::ConsistentHash { virtual_nodes } =>
                        Some(f64::from(virtual_nodes)),
                    _ => None,
                },
                |r, v| if let ShardStrategy::ConsistentHash { virtual_nodes } = &mut r.strategy {
                    *virtual_nodes = as_u32(v)
                }
            ));
            out.push(num!(
                "key_space",
                "Key space",
                "keys",
                1.0,
                f64::from(MAX_KEYS),
                true,
                router,
                |r| Some(f64::from(r.key_space)),
                |r, v| r.key_space = as_u32(v)
            ));
        }
        K::GeoDns(_) => {
            out.push(num!(
                "hc_interval_ms",
                "Health-check interval",
                "ms",
                1.0,
                60_000.0,
                false,
                geo,
                |g| Some(g.health_check.interval_ms),
                |g, v| g.health_check.interval_ms = v
            ));
            out.extend(threshold_controls());
        }
        K::ReplicatedStore(_) => {
            out.push(Control::Text(Text {
                key: "cluster",
                label: "Cluster (replicas with the same name replicate)",
                get: |k| read(k, store, |r| Some(r.cluster.clone())),
                set: |k, v| write(k, store, |r| r.cluster = v),
            }));
            out.push(choice!(
                "mode",
                "Under partition",
                &["CP: refuse (consistent)", "AP: answer (available)"],
                MODES,
                store,
                mode
            ));
            out.extend(service!(Slot::Main, "service", "service time"));
        }
        K::MessageQueue(_) => {
            out.push(num!(
                "workers",
                "Workers",
                "",
                1.0,
                f64::from(MAX_SLOTS),
                true,
                queue,
                |q| Some(f64::from(q.workers)),
                |q, v| q.workers = as_u32(v)
            ));
            out.push(num!(
                "capacity",
                "Capacity",
                "msgs",
                1.0,
                f64::from(MAX_KEYS),
                true,
                queue,
                |q| Some(f64::from(q.capacity)),
                |q, v| q.capacity = as_u32(v)
            ));
            out.extend(service!(Slot::Main, "service", "processing time"));
            out.push(num!(
                "visibility_ms",
                "Visibility timeout",
                "ms",
                1.0,
                600_000.0,
                false,
                queue,
                |q| Some(q.visibility_timeout_ms),
                |q, v| q.visibility_timeout_ms = v
            ));
            out.push(num!(
                "max_attempts",
                "Attempts before dead letter",
                "",
                1.0,
                100.0,
                true,
                queue,
                |q| Some(f64::from(q.max_attempts)),
                |q, v| q.max_attempts = as_u32(v)
            ));
            out.push(num!(
                "retry_backoff_ms",
                "Retry backoff (doubles per attempt)",
                "ms",
                0.0,
                600_000.0,
                false,
                queue,
                |q| Some(q.retry_backoff_ms),
                |q, v| q.retry_backoff_ms = v
            ));
            out.push(toggle!(
                "idempotent",
                "Idempotent consumers",
                queue,
                |q| q.idempotent,
                |q, v| q.idempotent = v
            ));
            out.push(num!(
                "poison_keys",
                "Poison keys (always fail)",
                "keys",
                0.0,
                f64::from(MAX_KEYS),
                true,
                queue,
                |q| Some(f64::from(q.poison_keys)),
                |q, v| q.poison_keys = as_u32(v)
            ));
        }
    }
    out
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

/// Changes the kind of node `id` with `f` and checks the whole design; the error is the
/// core's own message.
pub fn set_kind(s: &mut Scenario, id: &str, f: impl FnOnce(&mut NodeKind)) -> Result<(), String> {
    let node = s
        .nodes
        .iter_mut()
        .find(|n| n.id == id)
        .ok_or_else(|| format!("no node {id}"))?;
    f(&mut node.kind);
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

/// Regions the core knows round trips for (others cost 100 ms; see `region_rtt_ms`).
pub const KNOWN_REGIONS: &[&str] = &[
    "us-east",
    "us-west",
    "eu-west",
    "ap-northeast",
    "ap-southeast",
];

/// The regions a node may be put in: the known ones, then any other the design uses.
pub fn region_choices(s: &Scenario) -> Vec<String> {
    let mut out: Vec<String> = KNOWN_REGIONS.iter().map(|r| r.to_string()).collect();
    for r in s.nodes.iter().filter_map(|n| n.region.as_ref()) {
        if !out.contains(r) {
            out.push(r.clone());
        }
    }
    out
}

/// The regions the design's nodes are in, sorted, without repeats.
pub fn regions_used(s: &Scenario) -> Vec<String> {
    let set: std::collections::BTreeSet<&String> =
        s.nodes.iter().filter_map(|n| n.region.as_ref()).collect();
    set.into_iter().cloned().collect()
}

/// Sets a node's display label (empty: none) and region (empty: none) and checks the design.
pub fn set_placement(
    s: &mut Scenario,
    id: &str,
    label: Option<&str>,
    region: Option<&str>,
) -> Result<(), String> {
    let node = s
        .nodes
        .iter_mut()
        .find(|n| n.id == id)
        .ok_or_else(|| format!("no node {id}"))?;
    let clean = |t: &str| {
        let t = t.trim();
        (!t.is_empty()).then(|| t.to_string())
    };
    if let Some(l) = label {
        if l.chars().count() > 100 {
            return Err("a label has at most 100 characters".to_string());
        }
        node.label = clean(l);
    }
    if let Some(r) = region {
        node.region = clean(r);
    }
    s.validate().map_err(|e| e.message)
}
