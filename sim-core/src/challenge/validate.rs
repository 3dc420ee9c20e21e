//! Checks of a `challenge` section: every number against its bound in [`limits`], and goals
//! no design can meet (a budget below the cheapest design, limits that leave no kind able to
//! answer a request) refused naming the field.

use super::{Challenge, Goal};
use crate::error::Error;
use crate::limits::{self, MAX_LESSON_TEXT};
use crate::metrics::KindName;
use crate::scenario::{check, count, validate_events, NodeKind, Scenario};
use crate::sim::cheapest_answer_usd_month;

/// Every kind a node may have, for the budget's floor when a challenge allows all kinds.
const ALL_KINDS: [KindName; 12] = [
    KindName::Client,
    KindName::LoadBalancer,
    KindName::Server,
    KindName::Database,
    KindName::RateLimiter,
    KindName::AutoscalingGroup,
    KindName::Cache,
    KindName::Cdn,
    KindName::ShardRouter,
    KindName::GeoDns,
    KindName::ReplicatedStore,
    KindName::MessageQueue,
];

/// Checks `c`, the `challenge` section of `s`.
pub(crate) fn validate(s: &Scenario, c: &Challenge) -> Result<(), Error> {
    let id_ok = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-';
    if c.id.is_empty() || c.id.len() > limits::MAX_CHALLENGE_ID_LEN || !c.id.bytes().all(id_ok) {
        return Err(Error::new(
            "challenge.id",
            format!("must be 1 to {} lowercase letters, digits or dashes", limits::MAX_CHALLENGE_ID_LEN),
        ));
    }
    for (p, v) in [("challenge.title", &c.title), ("challenge.brief", &c.brief)] {
        if v.chars().count() > MAX_LESSON_TEXT {
            return Err(Error::new(p, format!("at most {MAX_LESSON_TEXT} characters")));
        }
    }
    if c.title.trim().is_empty() {
        return Err(Error::new("challenge.title", "must not be empty"));
    }
    if !s.nodes.iter().any(|n| matches!(n.kind, NodeKind::Client(_))) {
        return Err(Error::new("nodes", "a challenge needs a client: its clients are the trial's traffic"));
    }
    let kinds: Vec<KindName> = match &c.limits.kinds {
        Some(k) => {
            if k.is_empty() {
                return Err(Error::new("challenge.limits.kinds", "must name at least one kind (or be left out)"));
            }
            if let Some(i) = (1..k.len()).find(|&i| k[..i].contains(&k[i])) {
                return Err(Error::new(format!("challenge.limits.kinds[{i}]"), "names a kind twice"));
            }
            k.clone()
        }
        None => ALL_KINDS.to_vec(),
    };
    if let Some(n) = c.limits.max_nodes {
        count("challenge.limits.max_nodes", n, limits::CHALLENGE_MAX_NODES)?;
    }
    let floor = kinds.iter().filter_map(|k| cheapest_answer_usd_month(*k)).fold(f64::INFINITY, f64::min);
    if !floor.is_finite() {
        return Err(Error::new(
            "challenge.limits.kinds",
            "allows no kind that answers requests (server, database, replicated_store, message_queue or autoscaling_group)",
        ));
    }
    validate_goal(&c.goal, floor)?;
    let t = &c.trial;
    check("challenge.trial.duration_s", t.duration_s, limits::TRIAL_DURATION_S)?;
    count("challenge.trial.seeds", t.seeds, limits::TRIAL_SEEDS)?;
    validate_events("challenge.trial.events", &t.events)?;
    for (i, k) in t.kill_one.iter().enumerate() {
        let p = format!("challenge.trial.kill_one[{i}]");
        check(&format!("{p}.at_s"), k.at_s, limits::EVENT_AT_S)?;
        if k.kind == KindName::Client {
            return Err(Error::new(format!("{p}.kind"), "a trial kills a node of the design, not a client"));
        }
        if let Some(r) = k.revive_after_s {
            check(&format!("{p}.revive_after_s"), r, limits::EVENT_AT_S)?;
        }
    }
    Ok(())
}

/// Checks the goal's numbers; `floor` is the price of the cheapest design the limits allow.
fn validate_goal(g: &Goal, floor: f64) -> Result<(), Error> {
    if g.p99_ms.is_none() && g.error_rate_pct.is_none() && g.availability_pct.is_none() && g.budget_usd_month.is_none()
    {
        return Err(Error::new(
            "challenge.goal",
            "sets no criterion (p99_ms, error_rate_pct, availability_pct or budget_usd_month)",
        ));
    }
    if let Some(v) = g.p99_ms {
        check("challenge.goal.p99_ms", v, limits::GOAL_P99_MS)?;
    }
    if let Some(v) = g.error_rate_pct {
        check("challenge.goal.error_rate_pct", v, limits::GOAL_PCT)?;
    }
    if let Some(v) = g.availability_pct {
        check("challenge.goal.availability_pct", v, limits::GOAL_PCT)?;
    }
    if let Some(v) = g.budget_usd_month {
        check("challenge.goal.budget_usd_month", v, limits::GOAL_BUDGET_USD_MONTH)?;
        if v < floor {
            return Err(Error::new(
                "challenge.goal.budget_usd_month",
                format!("${v:.2} a month is below the cheapest design that answers requests (${floor:.2})"),
            ));
        }
    }
    Ok(())
}
