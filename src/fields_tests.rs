//! The inspector's table against the core: every range is the core's bound
//! (`sim_core::limits`), and validation accepts a field at its max and refuses it just above.

use super::*;
use crate::model;

/// The core's bound of every inspector number, written out independently of the table, so
/// that a field added to the table without its bound, or given another one, fails here.
fn expected(kind: &str, key: &str) -> Option<(f64, f64, bool, bool)> {
    let any = match key {
        "service_ms" | "read_ms" | "write_ms" => L::SERVICE_MEAN_MS.span(),
        "service_sigma" | "read_sigma" | "write_sigma" => L::LOG_NORMAL_SIGMA.span(),
        "timeout_ms" | "queue_timeout_ms" | "call_timeout_ms" | "backend_timeout_ms"
        | "ryw_window_ms" | "failover_ms" | "visibility_ms" => L::TIMEOUT_MS.span(),
        "unhealthy_threshold" | "healthy_threshold" => L::HEALTH_THRESHOLD.span(),
        "hc_interval_ms" => L::HEALTH_INTERVAL_MS.span(),
        "queue_capacity" => L::QUEUE_CAPACITY.span(),
        "capacity_keys" => L::CAPACITY_KEYS.span(),
        "ttl_s" => L::TTL_S.span(),
        _ => (f64::NAN, 0.0, false, false),
    };
    if !any.0.is_nan() {
        return Some(any);
    }
    Some(match (kind, key) {
        ("client", "rate_rps") => L::CLIENT_RATE_RPS.span(),
        ("client", "period_s") => L::DIURNAL_PERIOD_S.span(),
        ("client", "amplitude") => L::DIURNAL_AMPLITUDE.span(),
        ("client", "mix_read" | "mix_write" | "mix_static" | "mix_job") => L::MIX_WEIGHT.span(),
        ("client", "key_count") => L::KEY_COUNT.span(),
        ("client", "zipf_s") => L::ZIPF_S.span(),
        ("client", "hot_fraction") => L::HOT_FRACTION.span(),
        ("client", "max_retries") => L::MAX_RETRIES.span(),
        ("client", "priority_critical" | "priority_standard" | "priority_sheddable") => {
            L::PRIORITY_SHARE.span()
        }
        ("server" | "autoscaling_group" | "load_balancer", "shed_threshold") => {
            L::SHED_QUEUE_THRESHOLD.span()
        }
        ("client", "backoff_ms" | "max_backoff_ms") => L::BACKOFF_MS.span(),
        ("client", "backoff_multiplier") => L::BACKOFF_MULTIPLIER.span(),
        ("server" | "autoscaling_group", "workers") => L::WORKERS.span(),
        ("database", "max_connections") => L::MAX_CONNECTIONS.span(),
        ("rate_limiter", "limit_rps") => L::LIMITER_RATE_RPS.span(),
        ("rate_limiter", "burst") => L::BURST.span(),
        ("autoscaling_group", "max_instances" | "step") => L::INSTANCES.span(),
        // At most max_instances, which is at most INSTANCES.max; 0 allowed.
        ("autoscaling_group", "min_instances" | "initial_instances") => {
            (0.0, f64::from(L::INSTANCES.max), false, true)
        }
        ("autoscaling_group", "scale_out" | "scale_in") => L::UTILISATION.span(),
        ("autoscaling_group", "window_s" | "cooldown_s" | "boot_s") => L::SCALING_TIME_S.span(),
        ("autoscaling_group", "evaluation_s") => L::EVALUATION_INTERVAL_S.span(),
        ("cache", "ttl_jitter_s") => L::TTL_JITTER_S.span(),
        ("cache", "write_behind_ms") => L::WRITE_BEHIND_DELAY_MS.span(),
        ("shard_router", "virtual_nodes") => L::VIRTUAL_NODES.span(),
        ("shard_router", "key_space") => L::KEY_SPACE.span(),
        ("message_queue", "workers") => L::WORKERS.span(),
        ("message_queue", "capacity") => L::QUEUE_MESSAGES.span(),
        ("message_queue", "max_attempts") => L::MAX_ATTEMPTS.span(),
        ("message_queue", "retry_backoff_ms") => L::RETRY_BACKOFF_MS.span(),
        ("message_queue", "poison_keys") => L::POISON_KEYS.span(),
        _ => return None,
    })
}

/// Fields whose max the core refuses unless another field moves first, and that other field.
fn unlock(kind: &mut NodeKind, key: &str) {
    match (kind, key) {
        // min, initial and step lie at most at max_instances; initial at least at min.
        (K::AutoscalingGroup(a), "min_instances") => {
            a.max_instances = L::INSTANCES.max;
            a.initial_instances = L::INSTANCES.max;
        }
        (K::AutoscalingGroup(a), "initial_instances" | "step") => {
            a.max_instances = L::INSTANCES.max
        }
        // scale_in must stay below scale_out: test it with scale_out at its max.
        (K::AutoscalingGroup(a), "scale_in") => a.scale_out_utilisation = L::UTILISATION.max,
        // The backoff cap is at least the first backoff.
        (K::Client(c), "backoff_ms") => {
            if let Some(r) = &mut c.retry {
                r.max_backoff_ms = L::BACKOFF_MS.max
            }
        }
        // A cache's machine must hold its capacity: test the most keys on the biggest box.
        (K::Cache(c), "capacity_keys") => c.machine = Some("x.32xlarge".into()),
        _ => {}
    }
}

/// Fields whose max can never be valid because of another field, and why (the core's rule).
fn max_never_valid(key: &str) -> Option<&'static str> {
    match key {
        "scale_in" => Some("scale_in must be below scale_out, itself at most 1"),
        _ => None,
    }
}

/// Every palette kind with the default parameters, and each variant that shows the fields a
/// choice or the retries hide (every option of every choice, retries on).
fn variants() -> Vec<(&'static str, NodeKind)> {
    let mut out = Vec::new();
    for k in model::KINDS {
        let base = model::default_kind(k.key).unwrap();
        out.push((k.key, base.clone()));
        for c in controls(&base) {
            match c {
                Control::Choice(ch) => {
                    for i in 0..ch.options.len() {
                        let mut v = base.clone();
                        (ch.set)(&mut v, i);
                        out.push((k.key, v));
                    }
                }
                Control::Toggle(t) => {
                    for on in [false, true] {
                        let mut v = base.clone();
                        (t.set)(&mut v, on);
                        out.push((k.key, v));
                    }
                }
                _ => {}
            }
        }
        if let K::Client(_) = base {
            let mut v = base.clone();
            write(&mut v, client, |c| set_retries(c, 3.0));
            out.push((k.key, v));
        }
    }
    out
}

/// A design holding one node of `kind` (alone: every palette kind is valid alone).
fn design_with(kind: &NodeKind) -> Scenario {
    let mut s = model::empty_design();
    let key = kind.name();
    let id = model::add_node(&mut s, key, 0.0, 0.0).unwrap();
    s.nodes.iter_mut().find(|n| n.id == id).unwrap().kind = kind.clone();
    assert!(s.validate().is_ok(), "{key}: {:?}", s.validate());
    s
}

fn just_above<T>(f: &Field<T>) -> f64 {
    if f.integer {
        f.max + 1.0
    } else {
        f.max + f.max.abs() * 1e-9 + 1e-9
    }
}

#[test]
fn every_range_is_the_cores_bound() {
    let mut seen = 0;
    for (kind, v) in variants() {
        for c in controls(&v) {
            let Control::Number(f) = c else { continue };
            let want = expected(kind, f.key)
                .unwrap_or_else(|| panic!("{kind}.{}: no core bound listed for it", f.key));
            assert_eq!(
                (f.min, f.max, f.min_excluded, f.integer),
                want,
                "{kind}.{}",
                f.key
            );
            seen += 1;
        }
    }
    assert!(seen > 54, "{seen} fields checked");
}

#[test]
fn validation_accepts_each_field_at_its_max_and_refuses_it_just_above() {
    let mut checked = std::collections::BTreeSet::new();
    for (kind, v) in variants() {
        for c in controls(&v) {
            let Control::Number(f) = c else { continue };
            if (f.get)(&v).is_none() {
                continue; // hidden in this variant; another one shows it
            }
            let mut base = v.clone();
            unlock(&mut base, f.key);
            let at = |x: f64| {
                let mut k = base.clone();
                (f.set)(&mut k, x);
                let mut s = design_with(&v);
                s.nodes[0].kind = k;
                s.validate()
            };
            assert_eq!(
                parse_field(&f, &f.max.to_string()),
                Ok(f.max),
                "{kind}.{}",
                f.key
            );
            assert!(
                parse_field(&f, &just_above(&f).to_string()).is_err(),
                "{kind}.{}",
                f.key
            );
            match max_never_valid(f.key) {
                None => assert!(at(f.max).is_ok(), "{kind}.{} = max: {:?}", f.key, at(f.max)),
                Some(_) => assert!(at(f.max).is_err(), "{kind}.{}", f.key),
            }
            assert!(
                at(just_above(&f)).is_err(),
                "{kind}.{} above its max is accepted",
                f.key
            );
            // Also through the file format: what from_json reads back is the same verdict.
            let mut k = base.clone();
            (f.set)(&mut k, just_above(&f));
            let mut s = design_with(&v);
            s.nodes[0].kind = k;
            assert!(
                Scenario::from_json(&s.to_json()).is_err(),
                "{kind}.{} from JSON",
                f.key
            );
            checked.insert((kind, f.key));
        }
    }
    assert!(checked.len() > 50, "{} fields checked", checked.len());
}

#[test]
fn zero_means_none_only_where_the_field_says_so() {
    let timeout = controls(&model::default_kind("client").unwrap())
        .into_iter()
        .find_map(|c| match c {
            Control::Number(f) if f.key == "timeout_ms" => Some(f),
            _ => None,
        })
        .unwrap();
    assert_eq!(parse_field(&timeout, "0"), Ok(0.0));
    let mut k = model::default_kind("client").unwrap();
    (timeout.set)(&mut k, 0.0);
    assert!(matches!(&k, K::Client(c) if c.timeout_ms.is_none()));
    let mean = controls(&model::default_kind("server").unwrap())
        .into_iter()
        .find_map(|c| match c {
            Control::Number(f) if f.key == "service_ms" => Some(f),
            _ => None,
        })
        .unwrap();
    assert!(
        parse_field(&mean, "0").is_err(),
        "a mean service time must be above 0"
    );
    assert!(parse_field(&mean, "0.001").is_ok());
    assert_eq!(mean.range_text(), format!("> 0–{}", L::SERVICE_MEAN_MS.max));
}

#[test]
fn typed_text_is_checked() {
    let workers = controls(&model::default_kind("server").unwrap())
        .into_iter()
        .find_map(|c| match c {
            Control::Number(f) if f.key == "workers" => Some(f),
            _ => None,
        })
        .unwrap();
    assert_eq!(parse_field(&workers, " 8 "), Ok(8.0));
    assert!(parse_field(&workers, "abc").is_err());
    assert!(parse_field(&workers, "NaN").is_err());
    assert!(parse_field(&workers, "inf").is_err());
    assert!(parse_field(&workers, "2.5").is_err(), "whole numbers only");
    assert!(parse_field(&workers, "0").is_err());
}

#[test]
fn the_inspector_has_at_most_one_control_per_key_and_kind() {
    for k in model::KINDS {
        let cs = controls(&model::default_kind(k.key).unwrap());
        let mut keys: Vec<_> = cs.iter().map(|c| c.key()).collect();
        let n = keys.len();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), n, "{}", k.key);
    }
}

#[test]
fn priority_shares_are_relative_and_some_class_needs_one() {
    let client = |s: &Scenario| match &s.nodes[0].kind {
        K::Client(c) => c.priority,
        _ => None,
    };
    let kind = model::default_kind("client").unwrap();
    let mut s = design_with(&kind);
    let id = s.nodes[0].id.clone();
    let cs = controls(&kind);
    let toggle = cs.iter().find_map(|c| match c {
        Control::Toggle(t) if t.key == "priority" => Some(t),
        _ => None,
    });
    let share = |key: &str| {
        cs.iter().find_map(|c| match c {
            Control::Number(f) if f.key == key => Some(f),
            _ => None,
        })
    };
    set_kind(&mut s, &id, |k| (toggle.unwrap().set)(k, true)).unwrap();
    assert!(client(&s).is_some());
    // Shares need not sum to 1: 3, 6, 1 is a valid mix (the core normalises).
    for (key, v) in [
        ("priority_critical", 3.0),
        ("priority_standard", 6.0),
        ("priority_sheddable", 1.0),
    ] {
        set_kind(&mut s, &id, |k| (share(key).unwrap().set)(k, v)).unwrap();
    }
    assert_eq!(
        client(&s),
        Some(PriorityMix {
            critical: 3.0,
            standard: 6.0,
            sheddable: 1.0
        })
    );
    let mut none = s.clone();
    for key in ["priority_critical", "priority_standard"] {
        set_kind(&mut none, &id, |k| (share(key).unwrap().set)(k, 0.0)).unwrap();
    }
    let e = set_kind(&mut none, &id, |k| {
        (share("priority_sheddable").unwrap().set)(k, 0.0)
    });
    assert!(e.unwrap_err().contains("at least one priority class"));
    set_kind(&mut s, &id, |k| (toggle.unwrap().set)(k, false)).unwrap();
    assert_eq!(client(&s), None, "off again: every request standard");
}

#[test]
fn shedding_switches_on_with_a_threshold_and_off_again() {
    let kind = model::default_kind("server").unwrap();
    let cs = controls(&kind);
    let Some(Control::Toggle(t)) = cs.iter().find(|c| c.key() == "shedding") else {
        panic!("no shedding toggle")
    };
    let Some(Control::Number(f)) = cs.iter().find(|c| c.key() == "shed_threshold") else {
        panic!("no threshold")
    };
    let mut k = kind.clone();
    assert_eq!((f.get)(&k), None, "hidden while off");
    (t.set)(&mut k, true);
    assert_eq!((t.get)(&k), Some(true));
    let at = (f.get)(&k).unwrap();
    assert!(at >= 1.0, "{at}");
    (f.set)(&mut k, 7.0);
    assert!(matches!(&k, K::Server(s) if s.shedding == Some(Shedding { queue_threshold: 7 })));
    (t.set)(&mut k, false);
    assert!(matches!(&k, K::Server(s) if s.shedding.is_none()));
}

#[test]
fn a_balancer_sheds_by_its_requests_in_flight_once_switched_on() {
    let kind = model::default_kind("load_balancer").unwrap();
    let cs = controls(&kind);
    let Some(Control::Toggle(t)) = cs.iter().find(|c| c.key() == "shedding") else {
        panic!("no shedding toggle on a balancer")
    };
    let Some(Control::Number(f)) = cs.iter().find(|c| c.key() == "shed_threshold") else {
        panic!("no threshold on a balancer")
    };
    let mut k = kind.clone();
    assert_eq!((f.get)(&k), None, "hidden while off");
    (t.set)(&mut k, true);
    assert_eq!((f.get)(&k), Some(100.0));
    (f.set)(&mut k, 40.0);
    assert!(
        matches!(&k, K::LoadBalancer(l) if l.shedding == Some(Shedding { queue_threshold: 40 }))
    );
    (t.set)(&mut k, false);
    assert!(matches!(&k, K::LoadBalancer(l) if l.shedding.is_none()));
}
