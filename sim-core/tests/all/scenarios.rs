//! The example scenarios parse, validate and run; bad input is rejected with the field named.

use sim_core::{run_headless, Scenario};

fn examples() -> Vec<(String, Scenario)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let s = Scenario::from_json(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p.display().to_string(), s)
        })
        .collect()
}

#[test]
fn every_example_parses_runs_and_round_trips() {
    let ex = examples();
    for name in
        ["mm1", "mmc", "tandem", "lb-two-servers-health-check", "spike", "retry-storm", "autoscale", "rate-limit"]
    {
        assert!(ex.iter().any(|(p, _)| p.ends_with(&format!("/{name}.json"))), "missing example {name}");
    }
    for (path, s) in ex {
        let again = Scenario::from_json(&s.to_json()).unwrap();
        assert_eq!(again, s, "{path} does not round-trip");
        let a = run_headless(&s, None, Some(5.0)).unwrap();
        let b = run_headless(&s, None, Some(5.0)).unwrap();
        assert_eq!(a.digest, b.digest, "{path} is not deterministic");
        assert!(a.snapshot.global.arrived > 0, "{path}: no traffic");
    }
}

#[test]
fn the_demo_scenario_is_valid_and_serves_traffic() {
    let s = sim_core::demo_scenario();
    s.validate().unwrap();
    let out = run_headless(&s, None, Some(10.0)).unwrap();
    assert!(out.snapshot.global.completed > 2500);
    assert_eq!(out.snapshot.global.failed.total(), 0);
}

fn err(text: &str) -> String {
    Scenario::from_json(text).unwrap_err().to_string()
}

#[test]
fn syntax_and_type_errors_name_the_field() {
    let e = err(r#"{"version": 1, "nodes": [{"id": "a", "kind": {"server": {"workers": "four"}}}]}"#);
    assert!(e.starts_with("nodes[0].kind.server.workers:"), "{e}");
    let e = err(r#"{"version": 1, "nodes": [{"id": "a", "kind": {"client": {"rate_rps": 1, "colour": 3}}}]}"#);
    assert!(e.contains("nodes[0].kind.client") && e.contains("colour"), "{e}");
    let e = err(r#"{"version": 1, "nodes": [{"id": "a", "kind": {"toaster": {}}}]}"#);
    assert!(e.starts_with("nodes[0].kind") && e.contains("toaster"), "{e}");
    let e = err(r#"{"version": 1, "nodes": [{"id": "a""#);
    assert!(e.contains("EOF"), "{e}");
    let e = err(r#"{"version": 5, "nodes": []}"#);
    assert!(e.starts_with("version:"), "{e}");
    let e = err("[]");
    assert!(!e.is_empty());
}

fn with_server(params: &str) -> String {
    format!(
        r#"{{"version": 1, "nodes": [{{"id": "users", "kind": {{"client": {{"rate_rps": 10}}}}}},
        {{"id": "web", "kind": {{"server": {params}}}}}], "edges": [{{"from": "users", "to": "web"}}]}}"#
    )
}

#[test]
fn absurd_parameters_are_rejected_with_the_field_named() {
    let ok = r#"{"workers": 1, "queue_capacity": 1, "service_time": {"exponential": {"mean_ms": 1}}}"#;
    assert!(Scenario::from_json(&with_server(ok)).is_ok());
    let cases = [
        (
            r#"{"workers": 1000000000, "queue_capacity": 1, "service_time": {"exponential": {"mean_ms": 1}}}"#,
            "nodes[1].kind.server.workers",
        ),
        (
            r#"{"workers": 0, "queue_capacity": 1, "service_time": {"exponential": {"mean_ms": 1}}}"#,
            "nodes[1].kind.server.workers",
        ),
        (
            r#"{"workers": 1, "queue_capacity": 1, "service_time": {"exponential": {"mean_ms": 0}}}"#,
            "nodes[1].kind.server.service_time.exponential.mean_ms",
        ),
        (
            r#"{"workers": 1, "queue_capacity": 1, "service_time": {"constant": {"ms": -3}}}"#,
            "nodes[1].kind.server.service_time.constant.ms",
        ),
        (
            r#"{"workers": 1, "queue_capacity": 1, "service_time": {"log_normal": {"mean_ms": 1, "sigma": 1e300}}}"#,
            "nodes[1].kind.server.service_time.log_normal.sigma",
        ),
        (
            r#"{"workers": 1, "queue_capacity": 1, "service_time": {"exponential": {"mean_ms": 1e300}}}"#,
            "nodes[1].kind.server.service_time.exponential.mean_ms",
        ),
    ];
    for (params, field) in cases {
        let e = Scenario::from_json(&with_server(params)).unwrap_err();
        assert_eq!(e.path, field, "{e}");
    }
    let neg = r#"{"version": 1, "nodes": [{"id": "users", "kind": {"client": {"rate_rps": -5}}}]}"#;
    assert_eq!(Scenario::from_json(neg).unwrap_err().path, "nodes[0].kind.client.rate_rps");
    let dangling = r#"{"version": 1, "nodes": [{"id": "users", "kind": {"client": {"rate_rps": 5}}}],
        "edges": [{"from": "users", "to": "nowhere"}]}"#;
    assert_eq!(Scenario::from_json(dangling).unwrap_err().path, "edges[0].to");
    let dup = r#"{"version": 1, "nodes": [{"id": "a", "kind": {"client": {"rate_rps": 5}}}, {"id": "a", "kind": {"client": {"rate_rps": 5}}}]}"#;
    assert_eq!(Scenario::from_json(dup).unwrap_err().path, "nodes[1].id");
    // NaN cannot be written in JSON, but can be built in code.
    let mut s = sim_core::demo_scenario();
    if let sim_core::NodeKind::Client(c) = &mut s.nodes[0].kind {
        c.rate_rps = f64::NAN;
    }
    assert_eq!(s.validate().unwrap_err().path, "nodes[0].kind.client.rate_rps");
    assert!(sim_core::Sim::new(&s).is_err());
}

#[test]
fn bad_commands_are_errors_not_panics() {
    use sim_core::{Command, Sim};
    let mut sim = Sim::new(&sim_core::demo_scenario()).unwrap();
    assert_eq!(sim.apply(Command::Kill { id: "ghost".into() }).unwrap_err().path, "command.kill.id");
    let e = sim.apply(Command::Slow { id: "web-1".into(), factor: f64::NAN }).unwrap_err();
    assert_eq!(e.path, "command.slow.factor");
    let e = sim.apply(Command::SetRate { client: "web-1".into(), rate_rps: 5.0 }).unwrap_err();
    assert!(e.message.contains("not a client"), "{e}");
    let e = sim.apply(Command::Partition { from: "users".into(), to: "db".into() }).unwrap_err();
    assert!(e.message.contains("no edge"), "{e}");
    assert!(sim.recorded_commands().is_empty(), "failed commands are not recorded");
}

#[test]
fn cycles_are_rejected_in_files_and_live() {
    let text = r#"{"version": 1, "nodes": [{"id": "users", "kind": {"client": {"rate_rps": 5}}},
        {"id": "a", "kind": {"load_balancer": {}}}, {"id": "b", "kind": {"load_balancer": {}}}],
        "edges": [{"from": "users", "to": "a"}, {"from": "a", "to": "b"}, {"from": "b", "to": "a"}]}"#;
    let e = Scenario::from_json(text).unwrap_err();
    assert_eq!(e.path, "edges[2]", "{e}");
    let mut sim = sim_core::Sim::new(&sim_core::demo_scenario()).unwrap();
    let back = sim_core::EdgeSpec {
        from: "web-1".into(),
        to: "lb".into(),
        latency_ms: 0.0,
        jitter_ms: 0.0,
        weight: 1,
        state: sim_core::EdgeState::Up,
        breaker: None,
        bulkhead: None,
        bulkhead_wait_ms: None,
        kinds: None,
    };
    let e = sim.apply(sim_core::Command::AddEdge(back)).unwrap_err();
    // The engine's own cycle check, or the topology rules' once `add_edge` asks them.
    assert!(e.message.contains("cycle") || e.message.contains("loop forever"), "{e}");
}

mod fuzz {
    use proptest::prelude::*;
    use sim_core::{Scenario, Sim, SimTime};

    proptest! {
        #![proptest_config(crate::harness::config(300, concat!(env!("CARGO_MANIFEST_DIR"), "/proptest-regressions/scenarios.txt")))]

        /// Damaged documents are errors, never panics; whatever still parses also runs.
        #[test]
        fn damaged_scenarios_never_panic(edits in prop::collection::vec((0usize..4000, any::<u8>(), 0u8..3), 1..6)) {
            let mut bytes = sim_core::demo_scenario().to_json().into_bytes();
            for (pos, byte, op) in edits {
                let pos = pos % (bytes.len() + 1);
                match op {
                    0 if pos < bytes.len() => bytes[pos] = byte,
                    1 => bytes.insert(pos, byte),
                    _ if pos < bytes.len() => { bytes.remove(pos); }
                    _ => {}
                }
            }
            let text = String::from_utf8_lossy(&bytes);
            if let Ok(s) = Scenario::from_json(&text) {
                let mut sim = Sim::new(&s).unwrap();
                sim.step_until(SimTime::from_secs_f64(2.0), 200_000);
            }
        }
    }
}

#[test]
fn older_versions_keep_opening_and_unknown_ones_are_refused() {
    let v1 = include_str!("../fixtures/version-1.json");
    assert!(v1.contains(r#""version": 1"#));
    let s = Scenario::from_json(v1).unwrap();
    assert_eq!(s.version, sim_core::SCENARIO_VERSION);
    let again = Scenario::from_json(&s.to_json()).unwrap();
    assert_eq!(again, s);
    for v in [0, sim_core::SCENARIO_VERSION + 1, u32::MAX] {
        let e = err(&format!(r#"{{"version": {v}, "nodes": []}}"#));
        assert!(e.starts_with("version:") && e.contains("unsupported"), "{e}");
    }
}

#[test]
fn view_and_lesson_are_checked() {
    let base = |extra: &str| format!(r#"{{"version": 2, "nodes": [], {extra}}}"#);
    let ok = Scenario::from_json(&base(
        r#""view": {"x": 10, "y": -5, "zoom": 1.5}, "lesson": {"title": "T", "steps": [{"try": "a", "watch": "b"}]}"#,
    ))
    .unwrap();
    assert_eq!(ok.view.unwrap().zoom, 1.5);
    assert_eq!(ok.lesson.unwrap().steps[0].try_this, "a");
    let e = err(&base(r#""view": {"x": 0, "y": 0, "zoom": 0}"#));
    assert!(e.starts_with("view.zoom:"), "{e}");
    let long = "x".repeat(sim_core::MAX_LESSON_TEXT + 1);
    let e = err(&base(&format!(r#""lesson": {{"title": "{long}", "steps": []}}"#)));
    assert!(e.starts_with("lesson.title:"), "{e}");
    let e = err(&base(&format!(r#""lesson": {{"title": "t", "steps": [{{"try": "a", "watch": "{long}"}}]}}"#)));
    assert!(e.starts_with("lesson.steps[0].watch:"), "{e}");
    let e = err(&format!(
        r#"{{"version": 2, "nodes": [{{"id": "a", "label": "{long}", "kind": {{"client": {{"rate_rps": 1}}}}}}]}}"#
    ));
    assert!(e.starts_with("nodes[0].label:"), "{e}");
}

#[test]
fn every_preset_parses_runs_and_carries_a_short_lesson() {
    assert!(!sim_core::presets::PRESETS.is_empty());
    for p in sim_core::presets::PRESETS {
        let s = p.scenario().unwrap_or_else(|e| panic!("preset {}: {e}", p.id));
        assert!(sim_core::presets::preset(p.id).is_some());
        let lesson = s.lesson.as_ref().unwrap_or_else(|| panic!("preset {} has no lesson", p.id));
        assert!(
            (2..=sim_core::limits::MAX_LESSON_STEPS).contains(&lesson.steps.len()),
            "preset {}: {} steps",
            p.id,
            lesson.steps.len()
        );
        assert!(!lesson.title.is_empty() && !s.name.is_empty(), "preset {}", p.id);
        let out = run_headless(&s, None, Some(5.0)).unwrap();
        assert!(out.snapshot.global.arrived > 0, "preset {}: no traffic", p.id);
    }
}
