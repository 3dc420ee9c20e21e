//! The parameters of a link the inspector edits, as plain data (no Leptos): its numbers
//! (latency, weight, bulkhead, circuit breaker), the request kinds it carries, and the
//! setters that check the whole design. Ranges are the core's bounds, as in `fields`.

use sim_core::limits as L;
use sim_core::*;

use crate::fields::{as_u32, Field};

/// The editable numbers of a link.
pub fn edge_fields() -> Vec<Field<EdgeSpec>> {
    vec![
        Field::new(
            "latency_ms",
            "Latency (one way)",
            "ms",
            L::LINK_LATENCY_MS,
            false,
            |e| Some(e.latency_ms),
            |e, v| e.latency_ms = v,
        ),
        Field::new(
            "jitter_ms",
            "Jitter (extra, up to)",
            "ms",
            L::LINK_LATENCY_MS,
            false,
            |e| Some(e.jitter_ms),
            |e, v| e.jitter_ms = v,
        ),
        Field::new(
            "weight",
            "Weight (weighted round robin)",
            "",
            L::EDGE_WEIGHT,
            false,
            |e| Some(f64::from(e.weight)),
            |e, v| e.weight = as_u32(v),
        ),
        Field::new(
            "bulkhead",
            "Bulkhead (calls at once, 0 = none)",
            "",
            L::BULKHEAD,
            true,
            |e| Some(e.bulkhead.map_or(0.0, f64::from)),
            |e, v| {
                e.bulkhead = (v > 0.0).then(|| as_u32(v));
                if e.bulkhead.is_none() {
                    e.bulkhead_wait_ms = None;
                }
            },
        ),
        Field::new(
            "bulkhead_wait_ms",
            "Bulkhead wait (0 = fail at once)",
            "ms",
            L::BULKHEAD_WAIT_MS,
            true,
            |e| e.bulkhead.map(|_| e.bulkhead_wait_ms.unwrap_or(0.0)),
            |e, v| e.bulkhead_wait_ms = (v > 0.0).then_some(v),
        ),
        Field::new(
            "breaker_failure_rate",
            "Breaker opens at failure share (0 = no breaker)",
            "",
            L::BREAKER_FAILURE_RATE,
            true,
            |e| Some(e.breaker.as_ref().map_or(0.0, |b| b.failure_rate)),
            |e, v| {
                if v > 0.0 {
                    e.breaker.get_or_insert_with(Default::default).failure_rate = v;
                } else {
                    e.breaker = None;
                }
            },
        ),
        Field::new(
            "breaker_window",
            "Breaker window",
            "calls",
            L::BREAKER_WINDOW,
            false,
            |e| e.breaker.as_ref().map(|b| f64::from(b.window)),
            |e, v| e.breaker.get_or_insert_with(Default::default).window = as_u32(v),
        ),
        Field::new(
            "breaker_min_calls",
            "Breaker judges after (at most the window)",
            "calls",
            L::BREAKER_MIN_CALLS,
            false,
            |e| e.breaker.as_ref().map(|b| f64::from(b.min_calls)),
            |e, v| e.breaker.get_or_insert_with(Default::default).min_calls = as_u32(v),
        ),
        Field::new(
            "breaker_open_ms",
            "Breaker open for",
            "ms",
            L::BREAKER_OPEN_MS,
            false,
            |e| e.breaker.as_ref().map(|b| b.open_ms),
            |e, v| e.breaker.get_or_insert_with(Default::default).open_ms = v,
        ),
        Field::new(
            "breaker_trial_calls",
            "Breaker trial calls",
            "",
            L::BREAKER_TRIAL_CALLS,
            false,
            |e| e.breaker.as_ref().map(|b| f64::from(b.trial_calls)),
            |e, v| e.breaker.get_or_insert_with(Default::default).trial_calls = as_u32(v),
        ),
    ]
}

/// The request kinds a link from an app server may be limited to, with their labels.
pub const EDGE_KINDS: [(EdgeKind, &str); 3] = [
    (EdgeKind::Read, "reads"),
    (EdgeKind::Write, "writes"),
    (EdgeKind::Job, "jobs"),
];

/// Does the link carry `kind` (a link with no list carries every kind)?
pub fn edge_carries(e: &EdgeSpec, kind: EdgeKind) -> bool {
    e.kinds.as_ref().is_none_or(|k| k.contains(&kind))
}

/// Lets the link from → to carry `kind` or not (carrying every kind is no list at all) and
/// checks the whole design.
pub fn set_edge_kind(
    s: &mut Scenario,
    from: &str,
    to: &str,
    kind: EdgeKind,
    on: bool,
) -> Result<(), String> {
    let edge = edge_mut(s, from, to)?;
    let kinds: Vec<EdgeKind> = EDGE_KINDS
        .iter()
        .map(|&(k, _)| k)
        .filter(|&k| if k == kind { on } else { edge_carries(edge, k) })
        .collect();
    edge.kinds = (kinds.len() < EDGE_KINDS.len()).then_some(kinds);
    s.validate().map_err(|e| e.message)
}

/// Sets field `f` of the link from → to and checks the whole design.
pub fn set_edge_field(
    s: &mut Scenario,
    from: &str,
    to: &str,
    f: &Field<EdgeSpec>,
    v: f64,
) -> Result<(), String> {
    let edge = edge_mut(s, from, to)?;
    (f.set)(edge, v);
    s.validate().map_err(|e| e.message)
}

/// The link from → to of the design, or a message naming it.
fn edge_mut<'a>(s: &'a mut Scenario, from: &str, to: &str) -> Result<&'a mut EdgeSpec, String> {
    s.edges
        .iter_mut()
        .find(|e| e.from == from && e.to == to)
        .ok_or_else(|| format!("no link {from} → {to}"))
}

#[cfg(test)]
#[path = "link_fields_tests.rs"]
mod tests;
