//! [`Scenario::validate`] and the checks of each part: every number against its bound in
//! [`limits`], ids and references, and the [topology rules](crate::topology).

use super::*;
use crate::limits::{self, Range};

impl Scenario {
    /// Rejects absurd or inconsistent parameters with a message naming the field.
    pub fn validate(&self) -> Result<(), Error> {
        if self.version != SCENARIO_VERSION {
            return Err(Error::new(
                "version",
                format!(
                    "unsupported version {} (this build reads versions {OLDEST_SCENARIO_VERSION} to {SCENARIO_VERSION})",
                    self.version
                ),
            ));
        }
        if let Some(d) = self.duration_s {
            check("duration_s", d, limits::DURATION_S)?;
        }
        if self.nodes.len() > MAX_NODES {
            return Err(Error::new("nodes", format!("at most {MAX_NODES} nodes")));
        }
        let mut ids = std::collections::BTreeSet::new();
        for (i, n) in self.nodes.iter().enumerate() {
            let p = format!("nodes[{i}]");
            validate_node(&p, n)?;
            if !ids.insert(n.id.as_str()) {
                return Err(Error::new(format!("{p}.id"), format!("duplicate node id {:?}", n.id)));
            }
        }
        for (i, e) in self.edges.iter().enumerate() {
            let p = format!("edges[{i}]");
            validate_link(&p, e)?;
            for (field, id) in [("from", &e.from), ("to", &e.to)] {
                if !ids.contains(id.as_str()) {
                    return Err(Error::new(format!("{p}.{field}"), format!("no node with id {id:?}")));
                }
            }
        }
        crate::topology::check_edges(self)?;
        crate::topology::check_session_stores(self)?;
        validate_events("events", &self.events)?;
        let regions: Vec<&str> = self.nodes.iter().filter_map(|n| n.region.as_deref()).collect();
        validate_region_latency(&self.region_latency, &regions)?;
        let m = &self.metrics;
        check("metrics.window_s", m.window_s, limits::METRICS_WINDOW_S)?;
        count("metrics.series_len", m.series_len, limits::SERIES_LEN)?;
        if let Some(v) = m.slo_p95_ms {
            check("metrics.slo_p95_ms", v, limits::SLO_P95_MS)?;
        }
        if let Some(v) = m.slo_p99_ms {
            check("metrics.slo_p99_ms", v, limits::SLO_P95_MS)?;
        }
        if let Some(v) = m.slo_error_rate {
            check("metrics.slo_error_rate", v, limits::SLO_ERROR_RATE)?;
        }
        if let Some(v) = &self.view {
            check("view.x", v.x, limits::VIEW_PAN)?;
            check("view.y", v.y, limits::VIEW_PAN)?;
            check("view.zoom", v.zoom, limits::VIEW_ZOOM)?;
        }
        if let Some(l) = &self.lesson {
            validate_lesson(l)?;
        }
        let node_ids: Vec<&str> = self.nodes.iter().map(|n| n.id.as_str()).collect();
        super::pause::validate_pause_on(&self.pause_on, &node_ids)?;
        if let Some(c) = &self.challenge {
            crate::challenge::validate(self, c)?;
        }
        Ok(())
    }
}

fn validate_lesson(l: &Lesson) -> Result<(), Error> {
    text("lesson.title", &l.title)?;
    text("lesson.summary", &l.summary)?;
    if l.steps.len() > MAX_LESSON_STEPS {
        return Err(Error::new("lesson.steps", format!("at most {MAX_LESSON_STEPS} steps")));
    }
    for (i, s) in l.steps.iter().enumerate() {
        text(&format!("lesson.steps[{i}].try"), &s.try_this)?;
        text(&format!("lesson.steps[{i}].watch"), &s.watch)?;
    }
    Ok(())
}

fn text(p: &str, v: &str) -> Result<(), Error> {
    if v.chars().count() > MAX_LESSON_TEXT {
        return Err(Error::new(p, format!("at most {MAX_LESSON_TEXT} characters")));
    }
    Ok(())
}

/// Checks a timeline: times in range, commands valid, none replacing the timeline itself.
pub(crate) fn validate_events(p: &str, events: &[ScheduledCommand]) -> Result<(), Error> {
    for (i, ev) in events.iter().enumerate() {
        let p = format!("{p}[{i}]");
        check(&format!("{p}.at_s"), ev.at_s, limits::EVENT_AT_S)?;
        if matches!(ev.command, Command::SetSchedule { .. }) {
            return Err(Error::new(
                format!("{p}.command.set_schedule"),
                "a scheduled event cannot replace the schedule",
            ));
        }
        validate_command(&format!("{p}.command"), &ev.command)?;
    }
    Ok(())
}

/// Checks one command's own parameters (not whether the ids exist).
pub(crate) fn validate_command(p: &str, c: &Command) -> Result<(), Error> {
    match c {
        Command::SetSchedule { events } => validate_events(&format!("{p}.set_schedule.events"), events),
        Command::AddNode(n) => validate_node(&format!("{p}.add_node"), n),
        Command::ReconfigureNode { kind, .. } => validate_kind(&format!("{p}.reconfigure_node.kind"), kind),
        Command::AddEdge(e) | Command::ReconfigureEdge(e) => validate_edge(p, e),
        Command::Slow { factor, .. } => check(&format!("{p}.slow.factor"), *factor, limits::NODE_SLOW_FACTOR),
        Command::Loss { fraction, .. } => check(&format!("{p}.loss.fraction"), *fraction, limits::LINK_LOSS_FRACTION),
        Command::Cap { rps, .. } => check(&format!("{p}.cap.rps"), *rps, limits::LINK_CAP_RPS),
        Command::SetRate { rate_rps, .. } => {
            check(&format!("{p}.set_rate.rate_rps"), *rate_rps, limits::CLIENT_RATE_RPS)
        }
        Command::SetMix { mix, .. } => validate_mix(&format!("{p}.set_mix.mix"), mix),
        Command::SetKeys { keys, .. } => validate_keys(&format!("{p}.set_keys.keys"), keys),
        Command::Spike { multiplier, duration_s, .. } => {
            check(&format!("{p}.spike.multiplier"), *multiplier, limits::SPIKE_MULTIPLIER)?;
            check(&format!("{p}.spike.duration_s"), *duration_s, limits::SPIKE_DURATION_S)
        }
        Command::SetMachine { machine, .. } => validate_machine(&format!("{p}.set_machine.machine"), Some(machine)),
        Command::RemoveNode { .. }
        | Command::RemoveEdge { .. }
        | Command::Kill { .. }
        | Command::Revive { .. }
        | Command::Partition { .. }
        | Command::Heal { .. }
        | Command::FlushCache { .. }
        | Command::RegionOutage { .. }
        | Command::RegionRecover { .. }
        | Command::PartitionRegions { .. }
        | Command::DeployAssets {}
        | Command::HealRegions { .. }
        | Command::KillWorker { .. } => Ok(()),
    }
}

pub(crate) fn validate_node(p: &str, n: &NodeSpec) -> Result<(), Error> {
    if n.id.is_empty() || n.id.len() > limits::MAX_ID_LEN {
        return Err(Error::new(format!("{p}.id"), format!("must be 1 to {} characters", limits::MAX_ID_LEN)));
    }
    if n.label.as_ref().is_some_and(|l| l.chars().count() > limits::MAX_LABEL_CHARS) {
        return Err(Error::new(
            format!("{p}.label"),
            format!("must be at most {} characters", limits::MAX_LABEL_CHARS),
        ));
    }
    for (f, v) in [("x", n.x), ("y", n.y)] {
        if let Some(v) = v {
            if !v.is_finite() {
                return Err(Error::new(format!("{p}.{f}"), "must be a finite number"));
            }
        }
    }
    validate_kind(&format!("{p}.kind"), &n.kind)
}

fn validate_kind(p: &str, k: &NodeKind) -> Result<(), Error> {
    match k {
        NodeKind::Client(c) => {
            let p = format!("{p}.client");
            check(&format!("{p}.rate_rps"), c.rate_rps, limits::CLIENT_RATE_RPS)?;
            if let RatePattern::Diurnal { period_s, amplitude } = c.pattern {
                check(&format!("{p}.pattern.diurnal.period_s"), period_s, limits::DIURNAL_PERIOD_S)?;
                check(&format!("{p}.pattern.diurnal.amplitude"), amplitude, limits::DIURNAL_AMPLITUDE)?;
            }
            validate_mix(&format!("{p}.mix"), &c.mix)?;
            validate_keys(&format!("{p}.keys"), &c.keys)?;
            if let Some(t) = c.timeout_ms {
                check(&format!("{p}.timeout_ms"), t, limits::TIMEOUT_MS)?;
            }
            if let Some(m) = &c.priority {
                validate_priority(&format!("{p}.priority"), m)?;
            }
            if let Some(r) = &c.retry {
                let p = format!("{p}.retry");
                count(&format!("{p}.max_retries"), r.max_retries, limits::MAX_RETRIES)?;
                check(&format!("{p}.base_backoff_ms"), r.base_backoff_ms, limits::BACKOFF_MS)?;
                check(&format!("{p}.multiplier"), r.multiplier, limits::BACKOFF_MULTIPLIER)?;
                check(&format!("{p}.max_backoff_ms"), r.max_backoff_ms, limits::BACKOFF_MS)?;
            }
            Ok(())
        }
        NodeKind::LoadBalancer(lb) => {
            let p = format!("{p}.load_balancer");
            if let Some(h) = &lb.health_check {
                validate_health(&format!("{p}.health_check"), h)?;
            }
            if let Some(t) = lb.backend_timeout_ms {
                check(&format!("{p}.backend_timeout_ms"), t, limits::TIMEOUT_MS)?;
            }
            if let Some(sh) = lb.shedding {
                count(&format!("{p}.shedding.queue_threshold"), sh.queue_threshold, limits::SHED_QUEUE_THRESHOLD)?;
            }
            Ok(())
        }
        NodeKind::Server(s) => validate_server(&format!("{p}.server"), s),
        NodeKind::Database(d) => {
            let p = format!("{p}.database");
            count(&format!("{p}.max_connections"), d.max_connections, limits::MAX_CONNECTIONS)?;
            count(&format!("{p}.queue_capacity"), d.queue_capacity, limits::QUEUE_CAPACITY)?;
            validate_service(&format!("{p}.read_service_time"), &d.read_service_time)?;
            validate_service(&format!("{p}.write_service_time"), &d.write_service_time)?;
            validate_machine(&format!("{p}.machine"), d.machine.as_deref())?;
            if let Some(t) = d.read_your_writes_window_ms {
                check(&format!("{p}.read_your_writes_window_ms"), t, limits::TIMEOUT_MS)?;
            }
            if let Some(t) = d.failover_detection_ms {
                check(&format!("{p}.failover_detection_ms"), t, limits::TIMEOUT_MS)?;
            }
            Ok(())
        }
        NodeKind::Cache(c) => {
            let p = format!("{p}.cache");
            validate_cache(&p, c)?;
            validate_machine(&format!("{p}.machine"), c.machine.as_deref())?;
            match c.machine.as_deref().and_then(crate::machines::machine) {
                Some(m) => crate::machines::cache_fits(c.capacity_keys, m)
                    .map_err(|e| Error::new(format!("{p}.capacity_keys"), e)),
                None => Ok(()),
            }
        }
        NodeKind::Cdn(c) => validate_cdn(&format!("{p}.cdn"), c),
        NodeKind::ShardRouter(r) => validate_router(&format!("{p}.shard_router"), r),
        NodeKind::GeoDns(g) => validate_health(&format!("{p}.geo_dns.health_check"), &g.health_check),
        NodeKind::ReplicatedStore(r) => {
            if r.cluster.is_empty() || r.cluster.len() > limits::MAX_CLUSTER_LEN {
                return Err(Error::new(
                    format!("{p}.replicated_store.cluster"),
                    format!("must be 1 to {} characters", limits::MAX_CLUSTER_LEN),
                ));
            }
            validate_service(&format!("{p}.replicated_store.service_time"), &r.service_time)
        }
        NodeKind::MessageQueue(q) => validate_queue(&format!("{p}.message_queue"), q),
        NodeKind::RateLimiter(r) => {
            let p = format!("{p}.rate_limiter");
            check(&format!("{p}.rate_rps"), r.rate_rps, limits::LIMITER_RATE_RPS)?;
            count(&format!("{p}.burst"), r.burst, limits::BURST)
        }
        NodeKind::AutoscalingGroup(a) => {
            let p = format!("{p}.autoscaling_group");
            validate_server(&format!("{p}.server"), &a.server)?;
            count(&format!("{p}.max_instances"), a.max_instances, limits::INSTANCES)?;
            if a.min_instances > a.max_instances {
                return Err(Error::new(format!("{p}.min_instances"), "must not exceed max_instances"));
            }
            if a.initial_instances < a.min_instances || a.initial_instances > a.max_instances {
                return Err(Error::new(
                    format!("{p}.initial_instances"),
                    "must lie between min_instances and max_instances",
                ));
            }
            check(&format!("{p}.scale_out_utilisation"), a.scale_out_utilisation, limits::UTILISATION)?;
            check(&format!("{p}.scale_in_utilisation"), a.scale_in_utilisation, limits::UTILISATION)?;
            if a.scale_in_utilisation >= a.scale_out_utilisation {
                return Err(Error::new(format!("{p}.scale_in_utilisation"), "must be below scale_out_utilisation"));
            }
            check(&format!("{p}.window_s"), a.window_s, limits::SCALING_TIME_S)?;
            check(&format!("{p}.cooldown_s"), a.cooldown_s, limits::SCALING_TIME_S)?;
            check(&format!("{p}.boot_s"), a.boot_s, limits::SCALING_TIME_S)?;
            if a.step == 0 || a.step > a.max_instances {
                return Err(Error::new(format!("{p}.step"), "must be between 1 and max_instances"));
            }
            check(&format!("{p}.evaluation_interval_s"), a.evaluation_interval_s, limits::EVALUATION_INTERVAL_S)
        }
    }
}

fn validate_server(p: &str, s: &ServerParams) -> Result<(), Error> {
    count(&format!("{p}.workers"), s.workers, limits::WORKERS)?;
    count(&format!("{p}.queue_capacity"), s.queue_capacity, limits::QUEUE_CAPACITY)?;
    validate_service(&format!("{p}.service_time"), &s.service_time)?;
    validate_machine(&format!("{p}.machine"), s.machine.as_deref())?;
    if let Some(t) = s.queue_timeout_ms {
        check(&format!("{p}.queue_timeout_ms"), t, limits::TIMEOUT_MS)?;
    }
    if let Some(t) = s.call_timeout_ms {
        check(&format!("{p}.call_timeout_ms"), t, limits::TIMEOUT_MS)?;
    }
    if let Some(sh) = s.shedding {
        count(&format!("{p}.shedding.queue_threshold"), sh.queue_threshold, limits::SHED_QUEUE_THRESHOLD)?;
    }
    Ok(())
}

/// Checks a client's priority mix: shares in range, and some class with a share.
fn validate_priority(p: &str, m: &PriorityMix) -> Result<(), Error> {
    check(&format!("{p}.critical"), m.critical, limits::PRIORITY_SHARE)?;
    check(&format!("{p}.standard"), m.standard, limits::PRIORITY_SHARE)?;
    check(&format!("{p}.sheddable"), m.sheddable, limits::PRIORITY_SHARE)?;
    if m.critical + m.standard + m.sheddable <= 0.0 {
        return Err(Error::new(p, "at least one priority class needs a share above 0"));
    }
    Ok(())
}

fn validate_health(p: &str, h: &HealthCheck) -> Result<(), Error> {
    check(&format!("{p}.interval_ms"), h.interval_ms, limits::HEALTH_INTERVAL_MS)?;
    for (f, v) in [("unhealthy_threshold", h.unhealthy_threshold), ("healthy_threshold", h.healthy_threshold)] {
        count(&format!("{p}.{f}"), v, limits::HEALTH_THRESHOLD)?;
    }
    Ok(())
}

pub(crate) fn validate_service(p: &str, s: &ServiceTime) -> Result<(), Error> {
    match *s {
        ServiceTime::Exponential { mean_ms } => {
            check(&format!("{p}.exponential.mean_ms"), mean_ms, limits::SERVICE_MEAN_MS)
        }
        ServiceTime::LogNormal { mean_ms, sigma } => {
            check(&format!("{p}.log_normal.mean_ms"), mean_ms, limits::SERVICE_MEAN_MS)?;
            check(&format!("{p}.log_normal.sigma"), sigma, limits::LOG_NORMAL_SIGMA)
        }
        ServiceTime::Constant { ms } => check(&format!("{p}.constant.ms"), ms, limits::SERVICE_MEAN_MS),
    }
}

fn validate_mix(p: &str, m: &RequestMix) -> Result<(), Error> {
    for (f, v) in [("read", m.read), ("write", m.write), ("static_asset", m.static_asset), ("job", m.job)] {
        check(&format!("{p}.{f}"), v, limits::MIX_WEIGHT)?;
    }
    if m.read + m.write + m.static_asset + m.job <= 0.0 {
        return Err(Error::new(p, "at least one weight must be positive"));
    }
    Ok(())
}

fn validate_keys(p: &str, k: &KeyDistribution) -> Result<(), Error> {
    let (name, n) = match *k {
        KeyDistribution::Uniform { key_count } => ("uniform", key_count),
        KeyDistribution::Zipf { key_count, s } => {
            check(&format!("{p}.zipf.s"), s, limits::ZIPF_S)?;
            ("zipf", key_count)
        }
        KeyDistribution::HotKey { key_count, hot_fraction } => {
            check(&format!("{p}.hot_key.hot_fraction"), hot_fraction, limits::HOT_FRACTION)?;
            ("hot_key", key_count)
        }
    };
    count(&format!("{p}.{name}.key_count"), n, limits::KEY_COUNT)
}

/// Checks an edge of a command: its parameters, and that it does not loop back to its node.
fn validate_edge(p: &str, e: &EdgeSpec) -> Result<(), Error> {
    validate_link(p, e)?;
    if e.from == e.to {
        return Err(Error::new(format!("{p}.to"), "an edge cannot loop back to its own node"));
    }
    Ok(())
}

/// Checks an edge's own parameters (latency, jitter, weight, state).
fn validate_link(p: &str, e: &EdgeSpec) -> Result<(), Error> {
    check(&format!("{p}.latency_ms"), e.latency_ms, limits::LINK_LATENCY_MS)?;
    check(&format!("{p}.jitter_ms"), e.jitter_ms, limits::LINK_LATENCY_MS)?;
    count(&format!("{p}.weight"), e.weight, limits::EDGE_WEIGHT)?;
    match e.state {
        EdgeState::Slow { factor } => check(&format!("{p}.state.slow.factor"), factor, limits::LINK_SLOW_FACTOR)?,
        EdgeState::Lossy { fraction } => {
            check(&format!("{p}.state.lossy.fraction"), fraction, limits::LINK_LOSS_FRACTION)?
        }
        EdgeState::Capped { rps } => check(&format!("{p}.state.capped.rps"), rps, limits::LINK_CAP_RPS)?,
        EdgeState::Up | EdgeState::Partitioned => {}
    }
    if let Some(b) = &e.breaker {
        check(&format!("{p}.breaker.failure_rate"), b.failure_rate, limits::BREAKER_FAILURE_RATE)?;
        count(&format!("{p}.breaker.window"), b.window, limits::BREAKER_WINDOW)?;
        count(&format!("{p}.breaker.min_calls"), b.min_calls, limits::BREAKER_MIN_CALLS)?;
        if b.min_calls > b.window {
            return Err(Error::new(
                format!("{p}.breaker.min_calls"),
                format!("must be at most the window ({}), got {}", b.window, b.min_calls),
            ));
        }
        check(&format!("{p}.breaker.open_ms"), b.open_ms, limits::BREAKER_OPEN_MS)?;
        count(&format!("{p}.breaker.trial_calls"), b.trial_calls, limits::BREAKER_TRIAL_CALLS)?;
    }
    if let Some(n) = e.bulkhead {
        count(&format!("{p}.bulkhead"), n, limits::BULKHEAD)?;
    }
    if let Some(w) = e.bulkhead_wait_ms {
        check(&format!("{p}.bulkhead_wait_ms"), w, limits::BULKHEAD_WAIT_MS)?;
        if e.bulkhead.is_none() && w > 0.0 {
            return Err(Error::new(format!("{p}.bulkhead_wait_ms"), "needs a bulkhead on the edge to wait for"));
        }
    }
    if let Some(kinds) = &e.kinds {
        if kinds.is_empty() {
            return Err(Error::new(format!("{p}.kinds"), "must name at least one request kind (or be left out)"));
        }
        if let Some(i) = (1..kinds.len()).find(|&i| kinds[..i].contains(&kinds[i])) {
            return Err(Error::new(format!("{p}.kinds[{i}]"), "names a request kind twice"));
        }
    }
    Ok(())
}

/// Checks a number against its [`Range`], with a message giving the range.
pub(crate) fn check(p: &str, v: f64, r: Range<f64>) -> Result<(), Error> {
    if v.is_finite() && r.contains(v) {
        return Ok(());
    }
    let (lo, hi) = (r.min, r.max);
    Err(Error::new(
        p,
        if r.min_excluded {
            format!("must be a number above {lo} and at most {hi}, got {v}")
        } else {
            format!("must be a number between {lo} and {hi}, got {v}")
        },
    ))
}

/// Checks a count against its [`Range`], with a message giving the range.
pub(crate) fn count(p: &str, v: u32, r: Range<u32>) -> Result<(), Error> {
    if r.contains(v) {
        return Ok(());
    }
    let (lo, hi) = (r.min, r.max);
    Err(Error::new(
        p,
        if lo == 0 {
            format!("must be at most {hi}, got {v}")
        } else {
            format!("must be between {lo} and {hi}, got {v}")
        },
    ))
}

/// A machine must be a size of the catalogue.
fn validate_machine(path: &str, name: Option<&str>) -> Result<(), Error> {
    match name {
        Some(m) if crate::machines::machine(m).is_none() => {
            let names: Vec<&str> = crate::machines::MACHINES.iter().map(|m| m.name).collect();
            Err(Error::new(path, format!("unknown machine {m:?} (one of {})", names.join(", "))))
        }
        _ => Ok(()),
    }
}
