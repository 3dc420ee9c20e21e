//! Every parameter the inspector edits, as plain data (no Leptos): numbers with units and
//! ranges, on/off switches, choices among enumerated options and text, for each node kind
//! and for links. A control whose getter answers `None` does not apply right now (the σ of
//! an exponential distribution, the backoff of a client without retries) and is hidden.
//!
//! The numbers are a table: one row per field (key, label, unit, the core's bound from
//! `sim_core::limits`, getter, setter), written with the `int!`, `real!`, `opt!` and `num!`
//! rows below; `inspector::FieldInput` is the one renderer of every row. A range is never
//! written here: it is the core's, so the inspector accepts exactly what validation accepts
//! (`tests::every_range_is_the_cores_bound` holds the table to that).

use sim_core::limits::{self as L, Range};
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
    /// Smallest accepted value (itself refused when `min_excluded`).
    pub min: f64,
    /// Largest accepted value.
    pub max: f64,
    /// Only values above `min` are accepted.
    pub min_excluded: bool,
    /// 0 is accepted too and means "none" or "off" (an optional timeout, TTL or check).
    pub zero_is_none: bool,
    /// Whole numbers only.
    pub integer: bool,
    /// Reads the value.
    pub get: fn(&T) -> Option<f64>,
    /// Writes the value (0 means "none" for optional timeouts).
    pub set: fn(&mut T, f64),
}

/// A bound of the core (`sim_core::limits`) as a field's range: min, max, whether min is
/// excluded, whole numbers only.
pub trait Bound {
    fn span(&self) -> (f64, f64, bool, bool);
}
impl Bound for Range<f64> {
    fn span(&self) -> (f64, f64, bool, bool) {
        (self.min, self.max, self.min_excluded, false)
    }
}
impl Bound for Range<u32> {
    fn span(&self) -> (f64, f64, bool, bool) {
        (
            f64::from(self.min),
            f64::from(self.max),
            self.min_excluded,
            true,
        )
    }
}

impl<T> Field<T> {
    /// A row of the table: its range is the core's `bound`.
    pub fn new(
        key: &'static str,
        label: &'static str,
        unit: &'static str,
        bound: impl Bound,
        zero_is_none: bool,
        get: fn(&T) -> Option<f64>,
        set: fn(&mut T, f64),
    ) -> Field<T> {
        let (min, max, min_excluded, integer) = bound.span();
        Field {
            key,
            label,
            unit,
            min,
            max,
            min_excluded,
            zero_is_none,
            integer,
            get,
            set,
        }
    }

    /// The range as the learner reads it ("0–100", "> 0–604800000").
    pub fn range_text(&self) -> String {
        let low = if self.zero_is_none && self.min > 0.0 {
            format!("0 or {}", self.min)
        } else if self.min_excluded && !self.zero_is_none {
            format!("> {}", self.min)
        } else {
            format!("{}", self.min)
        };
        format!("{low}–{}", self.max)
    }
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
pub(crate) fn as_u32(v: f64) -> u32 {
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

// ----- the rows -----
//
// Each row is one field: key, label, unit, the core's bound, then what it edits. rustfmt
// leaves brace-delimited macro calls alone, so a row stays on one line.

/// A number read and written through closures: `num! { key, label, unit, BOUND, zero_is_none,
/// accessor, |p| getter, |p, v| setter }`.
macro_rules! num {
    ($key:expr, $label:expr, $unit:expr, $bound:expr, $none:expr, $acc:expr, |$p:ident| $get:expr, |$q:ident, $v:ident| $set:expr) => {
        Control::Number(Field::new(
            $key,
            $label,
            $unit,
            $bound,
            $none,
            |k| read(k, $acc, |$p| $get),
            |k, $v| {
                write(k, $acc, |$q| {
                    $set;
                })
            },
        ))
    };
}
/// A plain `f64` parameter: `real! { key, label, unit, BOUND, accessor, field }`.
macro_rules! real {
    ($key:expr, $label:expr, $unit:expr, $bound:expr, $acc:expr, $($f:ident).+) => {
        num! { $key, $label, $unit, $bound, false, $acc, |p| Some(p.$($f).+), |p, v| p.$($f).+ = v }
    };
}
/// A `u32` parameter: `int! { key, label, unit, BOUND, accessor, field }`.
macro_rules! int {
    ($key:expr, $label:expr, $unit:expr, $bound:expr, $acc:expr, $($f:ident).+) => {
        num! { $key, $label, $unit, $bound, false, $acc, |p| Some(f64::from(p.$($f).+)), |p, v| p.$($f).+ = as_u32(v) }
    };
}
/// An `Option<f64>` parameter shown as 0 when `None`: `opt! { key, label, unit, BOUND,
/// accessor, field }`.
macro_rules! opt {
    ($key:expr, $label:expr, $unit:expr, $bound:expr, $acc:expr, $($f:ident).+) => {
        num! { $key, $label, $unit, $bound, true, $acc, |p| Some(opt(p.$($f).+)), |p, v| p.$($f).+ = none_if_zero(v) }
    };
}

macro_rules! toggle {
    ($key:literal, $label:literal, $acc:expr, $field:ident) => {
        Control::Toggle(Toggle {
            key: $key,
            label: $label,
            get: |k| read(k, $acc, |p| Some(p.$field)),
            set: |k, v| write(k, $acc, |p| p.$field = v),
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
            num! { concat!($key, "_ms"), concat!("Mean ", $what), "ms", L::SERVICE_MEAN_MS, false, |k| service(k, $slot), |s| Some(s.mean_ms()), |s, v| set_mean(s, v) },
            num! { concat!($key, "_sigma"), concat!("Spread σ of ", $what), "", L::LOG_NORMAL_SIGMA, false, |k| service(k, $slot), |s| sigma(s), |s, v| set_sigma(s, v) },
        ]
    };
}

fn sigma(s: &ServiceTime) -> Option<f64> {
    match s {
        ServiceTime::LogNormal { sigma, .. } => Some(*sigma),
        _ => None,
    }
}
fn set_sigma(s: &mut ServiceTime, v: f64) {
    if let ServiceTime::LogNormal { sigma, .. } = s {
        *sigma = v
    }
}

/// The retry policy a client gets when retries are switched on.
fn default_retry() -> RetryPolicy {
    RetryPolicy {
        max_retries: 0,
        base_backoff_ms: 100.0,
        multiplier: 2.0,
        max_backoff_ms: 2000.0,
        jitter: Jitter::Full,
    }
}

fn set_retries(c: &mut ClientParams, v: f64) {
    c.retry = (v >= 1.0).then(|| RetryPolicy {
        max_retries: as_u32(v),
        ..c.retry.clone().unwrap_or_else(default_retry)
    });
}

fn diurnal(c: &ClientParams) -> Option<(f64, f64)> {
    match c.pattern {
        RatePattern::Diurnal {
            period_s,
            amplitude,
        } => Some((period_s, amplitude)),
        _ => None,
    }
}
fn set_diurnal(c: &mut ClientParams, period: Option<f64>, amp: Option<f64>) {
    if let RatePattern::Diurnal {
        period_s,
        amplitude,
    } = &mut c.pattern
    {
        *period_s = period.unwrap_or(*period_s);
        *amplitude = amp.unwrap_or(*amplitude);
    }
}

fn key_count(k: &KeyDistribution) -> u32 {
    match *k {
        KeyDistribution::Uniform { key_count }
        | KeyDistribution::Zipf { key_count, .. }
        | KeyDistribution::HotKey { key_count, .. } => key_count,
    }
}
fn set_key_count(k: &mut KeyDistribution, v: u32) {
    match k {
        KeyDistribution::Uniform { key_count }
        | KeyDistribution::Zipf { key_count, .. }
        | KeyDistribution::HotKey { key_count, .. } => *key_count = v,
    }
}
fn zipf_s(k: &KeyDistribution) -> Option<f64> {
    match k {
        KeyDistribution::Zipf { s, .. } => Some(*s),
        _ => None,
    }
}
fn hot_fraction(k: &KeyDistribution) -> Option<f64> {
    match k {
        KeyDistribution::HotKey { hot_fraction, .. } => Some(*hot_fraction),
        _ => None,
    }
}

/// The load balancer's health-check interval; 0 switches the checks off.
fn set_lb_interval(l: &mut LoadBalancerParams, v: f64) {
    l.health_check = (v > 0.0).then(|| HealthCheck {
        interval_ms: v,
        ..l.health_check.clone().unwrap_or(HealthCheck {
            interval_ms: v,
            unhealthy_threshold: 2,
            healthy_threshold: 2,
        })
    });
}

fn virtual_nodes(r: &ShardRouterParams) -> Option<f64> {
    match r.strategy {
        ShardStrategy::ConsistentHash { virtual_nodes } => Some(f64::from(virtual_nodes)),
        _ => None,
    }
}
fn set_virtual_nodes(r: &mut ShardRouterParams, v: f64) {
    if let ShardStrategy::ConsistentHash { virtual_nodes } = &mut r.strategy {
        *virtual_nodes = as_u32(v)
    }
}

/// `min_instances` and `initial_instances` lie between 0 and `max_instances`.
const SOME_INSTANCES: Range<u32> = Range::new(0, L::INSTANCES.max);

/// The priority mix a client gets when its priority classes are switched on.
fn default_priority() -> PriorityMix {
    PriorityMix {
        critical: 0.2,
        standard: 0.6,
        sheddable: 0.2,
    }
}

/// The shedding a server gets when it is switched on: from a quarter of its queue.
fn default_shedding(s: &ServerParams) -> Shedding {
    Shedding {
        queue_threshold: (s.queue_capacity / 4).max(1),
    }
}

/// The shedding a load balancer gets when it is switched on: from 100 requests in flight.
const LB_SHEDDING: Shedding = Shedding {
    queue_threshold: 100,
};

/// The controls of a client.
#[rustfmt::skip]
fn client_controls() -> Vec<Control> {
    vec![
        real! { "rate_rps", "Rate", "req/s", L::CLIENT_RATE_RPS, client, rate_rps },
        Control::Choice(Choice {
            key: "pattern",
            label: "Rate over time",
            options: &["Constant", "Diurnal (sine wave)"],
            get: |k| read(k, client, |c| Some(usize::from(diurnal(c).is_some()))),
            set: |k, i| write(k, client, |c| {
                c.pattern = if i == 1 {
                    RatePattern::Diurnal { period_s: 60.0, amplitude: 0.5 }
                } else {
                    RatePattern::Constant
                }
            }),
        }),
        num! { "period_s", "Diurnal period", "s", L::DIURNAL_PERIOD_S, false, client, |c| diurnal(c).map(|d| d.0), |c, v| set_diurnal(c, Some(v), None) },
        num! { "amplitude", "Diurnal amplitude", "× rate", L::DIURNAL_AMPLITUDE, false, client, |c| diurnal(c).map(|d| d.1), |c, v| set_diurnal(c, None, Some(v)) },
        real! { "mix_read", "Mix weight: reads", "", L::MIX_WEIGHT, client, mix.read },
        real! { "mix_write", "Mix weight: writes", "", L::MIX_WEIGHT, client, mix.write },
        real! { "mix_static", "Mix weight: static assets", "", L::MIX_WEIGHT, client, mix.static_asset },
        real! { "mix_job", "Mix weight: jobs (to a queue)", "", L::MIX_WEIGHT, client, mix.job },
        Control::Toggle(Toggle {
            key: "priority",
            label: "Priority classes (else every request is standard)",
            get: |k| read(k, client, |c| Some(c.priority.is_some())),
            set: |k, on| write(k, client, |c| c.priority = on.then(default_priority)),
        }),
        num! { "priority_critical", "Share critical (relative: normalised to the sum)", "", L::PRIORITY_SHARE, false, client, |c| c.priority.map(|m| m.critical), |c, v| if let Some(m) = &mut c.priority { m.critical = v } },
        num! { "priority_standard", "Share standard (relative: normalised to the sum)", "", L::PRIORITY_SHARE, false, client, |c| c.priority.map(|m| m.standard), |c, v| if let Some(m) = &mut c.priority { m.standard = v } },
        num! { "priority_sheddable", "Share sheddable (relative: normalised to the sum)", "", L::PRIORITY_SHARE, false, client, |c| c.priority.map(|m| m.sheddable), |c, v| if let Some(m) = &mut c.priority { m.sheddable = v } },
        Control::Choice(Choice {
            key: "keys",
            label: "Key distribution",
            options: &["Uniform", "Zipf (skewed)", "One hot key"],
            get: |k| read(k, client, |c| Some(match c.keys {
                KeyDistribution::Uniform { .. } => 0,
                KeyDistribution::Zipf { .. } => 1,
                KeyDistribution::HotKey { .. } => 2,
            })),
            set: |k, i| write(k, client, |c| {
                let key_count = key_count(&c.keys);
                c.keys = match i {
                    0 => KeyDistribution::Uniform { key_count },
                    1 => KeyDistribution::Zipf { key_count, s: 1.0 },
                    _ => KeyDistribution::HotKey { key_count, hot_fraction: 0.3 },
                }
            }),
        }),
        num! { "key_count", "Distinct keys", "keys", L::KEY_COUNT, false, client, |c| Some(f64::from(key_count(&c.keys))), |c, v| set_key_count(&mut c.keys, as_u32(v)) },
        num! { "zipf_s", "Zipf skew s", "", L::ZIPF_S, false, client, |c| zipf_s(&c.keys), |c, v| if let KeyDistribution::Zipf { s, .. } = &mut c.keys { *s = v } },
        num! { "hot_fraction", "Share of the hot key", "", L::HOT_FRACTION, false, client, |c| hot_fraction(&c.keys), |c, v| if let KeyDistribution::HotKey { hot_fraction, .. } = &mut c.keys { *hot_fraction = v } },
        opt! { "timeout_ms", "Timeout per attempt (0 = none)", "ms", L::TIMEOUT_MS, client, timeout_ms },
        num! { "max_retries", "Retries (0 = none)", "", L::MAX_RETRIES, false, client, |c| Some(c.retry.as_ref().map_or(0.0, |r| f64::from(r.max_retries))), |c, v| set_retries(c, v) },
        num! { "backoff_ms", "Backoff before the first retry", "ms", L::BACKOFF_MS, false, client, |c| c.retry.as_ref().map(|r| r.base_backoff_ms), |c, v| if let Some(r) = &mut c.retry { r.base_backoff_ms = v } },
        num! { "backoff_multiplier", "Backoff growth per retry", "×", L::BACKOFF_MULTIPLIER, false, client, |c| c.retry.as_ref().map(|r| r.multiplier), |c, v| if let Some(r) = &mut c.retry { r.multiplier = v } },
        num! { "max_backoff_ms", "Backoff cap", "ms", L::BACKOFF_MS, false, client, |c| c.retry.as_ref().map(|r| r.max_backoff_ms), |c, v| if let Some(r) = &mut c.retry { r.max_backoff_ms = v } },
        Control::Choice(Choice {
            key: "jitter",
            label: "Backoff jitter",
            options: &["None (retries in lockstep)", "Full (0 … backoff)", "Equal (½ + random ½)"],
            get: |k| read(k, client, |c| c.retry.as_ref().map(|r| pos(&JITTERS, &r.jitter))),
            set: |k, i| write(k, client, |c| {
                if let (Some(r), Some(j)) = (c.retry.as_mut(), JITTERS.get(i)) {
                    r.jitter = *j;
                }
            }),
        }),
    ]
}

/// Health-check thresholds (LB when its checks are on, GeoDNS).
#[rustfmt::skip]
fn threshold_controls() -> [Control; 2] {
    [
        int! { "unhealthy_threshold", "Failed checks to mark down", "", L::HEALTH_THRESHOLD, health, unhealthy_threshold },
        int! { "healthy_threshold", "Good checks to mark up again", "", L::HEALTH_THRESHOLD, health, healthy_threshold },
    ]
}

/// What app servers and autoscaling groups' instances share.
#[rustfmt::skip]
fn server_controls() -> Vec<Control> {
    let mut v = vec![
        int! { "workers", "Workers", "", L::WORKERS, server, workers },
        int! { "queue_capacity", "Queue capacity", "req", L::QUEUE_CAPACITY, server, queue_capacity },
    ];
    v.extend(service!(Slot::Main, "service", "service time"));
    v.extend([
        opt! { "queue_timeout_ms", "Queue timeout (0 = none)", "ms", L::TIMEOUT_MS, server, queue_timeout_ms },
        choice!("downstream", "Downstream", &["Call and wait for the answer", "Forward (answer comes from downstream)"], DOWNSTREAM, server, downstream),
        opt! { "call_timeout_ms", "Downstream timeout (0 = none)", "ms", L::TIMEOUT_MS, server, call_timeout_ms },
        Control::Toggle(Toggle {
            key: "shedding",
            label: "Shed low priorities under load",
            get: |k| read(k, server, |s| Some(s.shedding.is_some())),
            set: |k, on| write(k, server, |s| s.shedding = on.then(|| default_shedding(s))),
        }),
        num! { "shed_threshold", "Shed sheddable from queue length (standard from twice it)", "req", L::SHED_QUEUE_THRESHOLD, false, server, |s| s.shedding.map(|sh| f64::from(sh.queue_threshold)), |s, v| if let Some(sh) = &mut s.shedding { sh.queue_threshold = as_u32(v) } },
    ]);
    v
}

/// Capacity and time to live, shared by caches and CDN edges.
#[rustfmt::skip]
fn cached_controls() -> [Control; 2] {
    [
        num! { "capacity_keys", "Capacity", "keys", L::CAPACITY_KEYS, false, capacity, |c| Some(f64::from(*c)), |c, v| *c = as_u32(v) },
        num! { "ttl_s", "Time to live (0 = none)", "s", L::TTL_S, true, ttl, |t| Some(opt(*t)), |t, v| *t = none_if_zero(v) },
    ]
}

/// The controls of a node kind, in the order the inspector shows them.
#[rustfmt::skip]
pub fn controls(kind: &NodeKind) -> Vec<Control> {
    let mut out = Vec::new();
    match kind {
        K::Client(_) => out = client_controls(),
        K::LoadBalancer(_) => {
            out.push(choice!("policy", "Policy", POLICY_NAMES, POLICIES, lb, policy));
            out.push(num! { "hc_interval_ms", "Health-check interval (0 = off)", "ms", L::HEALTH_INTERVAL_MS, true, lb, |l| Some(l.health_check.as_ref().map_or(0.0, |h| h.interval_ms)), |l, v| set_lb_interval(l, v) });
            out.extend(threshold_controls());
            out.push(opt! { "backend_timeout_ms", "Backend timeout (0 = none)", "ms", L::TIMEOUT_MS, lb, backend_timeout_ms });
            out.push(Control::Toggle(Toggle {
                key: "shedding",
                label: "Shed low priorities under load",
                get: |k| read(k, lb, |l| Some(l.shedding.is_some())),
                set: |k, on| write(k, lb, |l| l.shedding = on.then_some(LB_SHEDDING)),
            }));
            out.push(num! { "shed_threshold", "Shed sheddable from requests in flight (standard from twice it)", "req", L::SHED_QUEUE_THRESHOLD, false, lb, |l| l.shedding.map(|sh| f64::from(sh.queue_threshold)), |l, v| if let Some(sh) = &mut l.shedding { sh.queue_threshold = as_u32(v) } });
        }
        K::Server(_) => out = server_controls(),
        K::Database(_) => {
            out.push(int! { "max_connections", "Connections", "", L::MAX_CONNECTIONS, db, max_connections });
            out.push(int! { "queue_capacity", "Queue capacity", "req", L::QUEUE_CAPACITY, db, queue_capacity });
            out.extend(service!(Slot::Read, "read", "read time"));
            out.extend(service!(Slot::Write, "write", "write time"));
            out.push(toggle!("read_from_replicas", "Reads go to replicas", db, read_from_replicas));
            out.push(opt! { "ryw_window_ms", "Read-your-writes window (0 = off)", "ms", L::TIMEOUT_MS, db, read_your_writes_window_ms });
            out.push(opt! { "failover_ms", "Failover detection (0 = no failover)", "ms", L::TIMEOUT_MS, db, failover_detection_ms });
        }
        K::RateLimiter(_) => {
            out.push(real! { "limit_rps", "Rate", "req/s", L::LIMITER_RATE_RPS, limiter, rate_rps });
            out.push(int! { "burst", "Burst", "req", L::BURST, limiter, burst });
        }
        K::AutoscalingGroup(_) => {
            out.push(int! { "min_instances", "Min instances", "", SOME_INSTANCES, asg, min_instances });
            out.push(int! { "max_instances", "Max instances", "", L::INSTANCES, asg, max_instances });
            out.push(int! { "initial_instances", "Instances at start", "", SOME_INSTANCES, asg, initial_instances });
            out.push(choice!("policy", "Policy", POLICY_NAMES, POLICIES, asg, policy));
            out.extend(server_controls());
            out.push(real! { "scale_out", "Scale out above", "utilisation", L::UTILISATION, asg, scale_out_utilisation });
            out.push(real! { "scale_in", "Scale in below", "utilisation", L::UTILISATION, asg, scale_in_utilisation });
            out.push(real! { "window_s", "Utilisation averaged over", "s", L::SCALING_TIME_S, asg, window_s });
            out.push(real! { "evaluation_s", "Evaluate every", "s", L::EVALUATION_INTERVAL_S, asg, evaluation_interval_s });
            out.push(real! { "cooldown_s", "Cooldown after scaling", "s", L::SCALING_TIME_S, asg, cooldown_s });
            out.push(real! { "boot_s", "Boot time", "s", L::SCALING_TIME_S, asg, boot_s });
            out.push(int! { "step", "Instances per scaling step", "", L::INSTANCES, asg, step });
        }
        K::Cache(_) => {
            out.extend(cached_controls());
            out.push(real! { "ttl_jitter_s", "TTL jitter", "s", L::TTL_JITTER_S, cache, ttl_jitter_s });
            out.push(choice!("eviction", "Eviction", &["LRU (least recently used)", "LFU (least frequently used)", "FIFO (oldest first)", "Random"], EVICTIONS, cache, eviction));
            out.push(choice!("write_policy", "Write policy", &["Cache-aside", "Read-through", "Write-through", "Write-behind"], WRITE_POLICIES, cache, write_policy));
            out.push(num! { "write_behind_ms", "Write-behind flush delay", "ms", L::WRITE_BEHIND_DELAY_MS, false, cache, |c| (c.write_policy == WritePolicy::WriteBehind).then_some(c.write_behind_delay_ms), |c, v| c.write_behind_delay_ms = v });
            out.push(toggle!("invalidate_on_write", "Invalidate on write", cache, invalidate_on_write));
            out.push(toggle!("coalescing", "Coalesce misses", cache, coalescing));
            out.extend(service!(Slot::Main, "service", "lookup time"));
        }
        K::Cdn(_) => {
            out.extend(cached_controls());
            out.push(toggle!("versioned_urls", "Versioned asset URLs", cdn, versioned_urls));
            out.extend(service!(Slot::Main, "service", "lookup time"));
        }
        K::ShardRouter(_) => {
            out.push(Control::Choice(Choice {
                key: "strategy",
                label: "Shard strategy",
                options: &["Hash modulo N", "Consistent hashing", "Key ranges"],
                get: |k| read(k, router, |r| Some(match r.strategy {
                    ShardStrategy::Modulo => 0,
                    ShardStrategy::ConsistentHash { .. } => 1,
                    ShardStrategy::Range => 2,
                })),
                set: |k, i| write(k, router, |r| {
                    r.strategy = match i {
                        0 => ShardStrategy::Modulo,
                        1 => ShardStrategy::ConsistentHash { virtual_nodes: 100 },
                        _ => ShardStrategy::Range,
                    }
                }),
            }));
            out.push(num! { "virtual_nodes", "Virtual nodes per shard", "", L::VIRTUAL_NODES, false, router, |r| virtual_nodes(r), |r, v| set_virtual_nodes(r, v) });
            out.push(int! { "key_space", "Key space", "keys", L::KEY_SPACE, router, key_space });
        }
        K::GeoDns(_) => {
            out.push(real! { "hc_interval_ms", "Health-check interval", "ms", L::HEALTH_INTERVAL_MS, geo, health_check.interval_ms });
            out.extend(threshold_controls());
        }
        K::ReplicatedStore(_) => {
            out.push(Control::Text(Text {
                key: "cluster",
                label: "Cluster (replicas with the same name replicate)",
                get: |k| read(k, store, |r| Some(r.cluster.clone())),
                set: |k, v| write(k, store, |r| r.cluster = v),
            }));
            out.push(choice!("mode", "Under partition", &["CP: refuse (consistent)", "AP: answer (available)"], MODES, store, mode));
            out.extend(service!(Slot::Main, "service", "service time"));
        }
        K::MessageQueue(_) => {
            out.push(int! { "workers", "Workers", "", L::WORKERS, queue, workers });
            out.push(int! { "capacity", "Capacity", "msgs", L::QUEUE_MESSAGES, queue, capacity });
            out.extend(service!(Slot::Main, "service", "processing time"));
            out.push(real! { "visibility_ms", "Visibility timeout", "ms", L::TIMEOUT_MS, queue, visibility_timeout_ms });
            out.push(int! { "max_attempts", "Attempts before dead letter", "", L::MAX_ATTEMPTS, queue, max_attempts });
            out.push(real! { "retry_backoff_ms", "Retry backoff (doubles per attempt)", "ms", L::RETRY_BACKOFF_MS, queue, retry_backoff_ms });
            out.push(toggle!("idempotent", "Idempotent consumers", queue, idempotent));
            out.push(int! { "poison_keys", "Poison keys (always fail)", "keys", L::POISON_KEYS, queue, poison_keys });
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
    if f.zero_is_none && v == 0.0 {
        return Ok(v);
    }
    let low = if f.min_excluded {
        v <= f.min
    } else {
        v < f.min
    };
    if low || v > f.max {
        let none = if f.zero_is_none {
            " (or 0 for none)"
        } else {
            ""
        };
        return Err(if f.min_excluded {
            format!("above {} and at most {}{none}", f.min, f.max)
        } else {
            format!("between {} and {}{none}", f.min, f.max)
        });
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

/// The regions a node may be put in: the known ones, then any other the design uses.
pub fn region_choices(s: &Scenario) -> Vec<String> {
    // The regions the core knows round trips for (others cost 100 ms; see `region_rtt_ms`).
    let mut out: Vec<String> = sim_core::KNOWN_REGIONS
        .iter()
        .map(|r| r.to_string())
        .collect();
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
        if l.chars().count() > sim_core::limits::MAX_LABEL_CHARS {
            return Err(format!(
                "a label has at most {} characters",
                sim_core::limits::MAX_LABEL_CHARS
            ));
        }
        node.label = clean(l);
    }
    if let Some(r) = region {
        node.region = clean(r);
    }
    s.validate().map_err(|e| e.message)
}

#[cfg(test)]
#[path = "fields_tests.rs"]
mod tests;
