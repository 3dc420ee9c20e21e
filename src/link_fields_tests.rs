//! The link inspector's table against the core: every range is the core's bound
//! (`sim_core::limits`), and validation accepts a field at its max and refuses it just above.

use super::*;
use crate::fields::{parse_field, Bound};
use crate::model;

/// The core's bound of every link number, written out independently of the table.
fn expected(key: &str) -> Option<(f64, f64, bool, bool)> {
    Some(match key {
        "latency_ms" | "jitter_ms" => L::LINK_LATENCY_MS.span(),
        "weight" => L::EDGE_WEIGHT.span(),
        "bulkhead" => L::BULKHEAD.span(),
        "bulkhead_wait_ms" => L::BULKHEAD_WAIT_MS.span(),
        "breaker_failure_rate" => L::BREAKER_FAILURE_RATE.span(),
        "breaker_window" => L::BREAKER_WINDOW.span(),
        "breaker_min_calls" => L::BREAKER_MIN_CALLS.span(),
        "breaker_open_ms" => L::BREAKER_OPEN_MS.span(),
        "breaker_trial_calls" => L::BREAKER_TRIAL_CALLS.span(),
        _ => return None,
    })
}

/// Fields whose max the core refuses unless another field moves first.
fn unlock(e: &mut EdgeSpec, key: &str) {
    // A breaker needs its window at least its minimum of calls.
    if key == "bulkhead_wait_ms" {
        e.bulkhead = Some(4);
    }
    if key == "breaker_min_calls" {
        e.breaker.get_or_insert_with(Default::default).window = L::BREAKER_WINDOW.max;
    }
}

fn just_above(f: &Field<EdgeSpec>) -> f64 {
    if f.integer {
        f.max + 1.0
    } else {
        f.max + f.max.abs() * 1e-9 + 1e-9
    }
}

/// A design of two servers and the link between them, and the link's ends.
fn two_servers() -> (Scenario, String, String) {
    let mut s = model::empty_design();
    let a = model::add_node(&mut s, "server", 0.0, 0.0).unwrap();
    let b = model::add_node(&mut s, "server", 200.0, 0.0).unwrap();
    model::connect(&mut s, &a, &b).unwrap();
    (s, a, b)
}

#[test]
fn every_link_range_is_the_cores_bound() {
    let fields = edge_fields();
    for f in &fields {
        let want = expected(f.key).unwrap_or_else(|| panic!("edge.{}: no core bound", f.key));
        assert_eq!(
            (f.min, f.max, f.min_excluded, f.integer),
            want,
            "edge.{}",
            f.key
        );
    }
    assert_eq!(fields.len(), 10);
}

#[test]
fn validation_accepts_each_link_field_at_its_max_and_refuses_it_just_above() {
    let (s, a, b) = two_servers();
    for f in edge_fields() {
        let mut base = s.clone();
        unlock(&mut base.edges[0], f.key);
        assert_eq!(
            parse_field(&f, &f.max.to_string()),
            Ok(f.max),
            "edge.{}",
            f.key
        );
        assert!(
            parse_field(&f, &just_above(&f).to_string()).is_err(),
            "edge.{}",
            f.key
        );
        let mut ok = base.clone();
        let r = set_edge_field(&mut ok, &a, &b, &f, f.max);
        assert!(r.is_ok(), "edge.{} = max: {r:?}", f.key);
        let mut bad = base.clone();
        assert!(
            set_edge_field(&mut bad, &a, &b, &f, just_above(&f)).is_err(),
            "edge.{}",
            f.key
        );
        assert!(
            Scenario::from_json(&bad.to_json()).is_err(),
            "edge.{} from JSON",
            f.key
        );
    }
}

#[test]
fn a_breakers_minimum_of_calls_may_not_exceed_its_window() {
    let (mut s, a, b) = two_servers();
    let field = |key: &str| edge_fields().into_iter().find(|f| f.key == key).unwrap();
    set_edge_field(&mut s, &a, &b, &field("breaker_window"), 20.0).unwrap();
    set_edge_field(&mut s, &a, &b, &field("breaker_min_calls"), 20.0).unwrap();
    let e = set_edge_field(&mut s.clone(), &a, &b, &field("breaker_min_calls"), 21.0).unwrap_err();
    assert!(e.contains("at most the window (20)"), "{e}");
    assert_eq!((field("breaker_min_calls").get)(&s.edges[0]), Some(20.0));
}

#[test]
fn a_link_carries_every_kind_until_one_is_unticked_and_never_none() {
    let (mut s, a, b) = two_servers();
    let kinds = |s: &Scenario| s.edges[0].kinds.clone();
    assert_eq!(kinds(&s), None);
    set_edge_kind(&mut s, &a, &b, EdgeKind::Write, false).unwrap();
    assert_eq!(kinds(&s), Some(vec![EdgeKind::Read, EdgeKind::Job]));
    set_edge_kind(&mut s, &a, &b, EdgeKind::Job, false).unwrap();
    let mut none = s.clone();
    let e = set_edge_kind(&mut none, &a, &b, EdgeKind::Read, false).unwrap_err();
    assert!(e.contains("at least one request kind"), "{e}");
    set_edge_kind(&mut s, &a, &b, EdgeKind::Write, true).unwrap();
    set_edge_kind(&mut s, &a, &b, EdgeKind::Job, true).unwrap();
    assert_eq!(kinds(&s), None, "every kind again is no list");
}

#[test]
fn a_bulkhead_and_a_breaker_are_offered_on_a_plain_link_and_zero_removes_them() {
    let (mut s, a, b) = two_servers();
    let field = |key: &str| edge_fields().into_iter().find(|f| f.key == key).unwrap();
    let shown = |s: &Scenario| {
        edge_fields()
            .into_iter()
            .filter(|f| (f.get)(&s.edges[0]).is_some())
            .map(|f| f.key)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        shown(&s),
        [
            "latency_ms",
            "jitter_ms",
            "weight",
            "bulkhead",
            "breaker_failure_rate"
        ],
        "the bulkhead's wait and the breaker's other fields wait for them"
    );
    set_edge_field(&mut s, &a, &b, &field("bulkhead"), 4.0).unwrap();
    set_edge_field(&mut s, &a, &b, &field("breaker_failure_rate"), 0.5).unwrap();
    assert_eq!(s.edges[0].bulkhead, Some(4));
    assert_eq!(
        s.edges[0].breaker.as_ref().map(|b| b.failure_rate),
        Some(0.5)
    );
    assert_eq!(
        shown(&s).len(),
        10,
        "a bulkhead shows its wait, a breaker all its fields"
    );
    set_edge_field(&mut s, &a, &b, &field("bulkhead_wait_ms"), 50.0).unwrap();
    assert_eq!(s.edges[0].bulkhead_wait_ms, Some(50.0));
    set_edge_field(&mut s, &a, &b, &field("bulkhead"), 0.0).unwrap();
    assert_eq!(s.edges[0].bulkhead_wait_ms, None, "no bulkhead, no wait");
    set_edge_field(&mut s, &a, &b, &field("breaker_failure_rate"), 0.0).unwrap();
    assert_eq!(
        (s.edges[0].bulkhead, s.edges[0].breaker.is_none()),
        (None, true)
    );
}
