//! Browser tests run by wasm-bindgen-test in headless Chromium.

use playground::engine::Engine;
use sim_core::{
    reference_scenario, run_headless, Command, Scenario, ScheduledCommand, Sim, SimTime,
    REFERENCE_DIGEST,
};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn app_mounts_with_every_layout_region() {
    leptos::mount::mount_to_body(playground::App);
    let doc = gloo::utils::document();
    for selector in [
        ".runbar",
        ".palette",
        ".stage canvas",
        ".inspector",
        ".dock",
    ] {
        assert!(
            doc.query_selector(selector).unwrap().is_some(),
            "missing layout region {selector}"
        );
    }
}

/// The reference run (every sampler and fault path) gives the digest pinned in sim-core,
/// which the native tests check too.
#[wasm_bindgen_test]
fn wasm_reference_run_matches_the_pinned_digest() {
    let summary =
        run_headless(&reference_scenario(), None, None).expect("the reference run is valid");
    assert_eq!(summary.digest, REFERENCE_DIGEST);
}

/// The example scenarios, compiled into the test so the browser needs no file access.
const SCENARIOS: &[(&str, &str)] = &[
    (
        "autoscale",
        include_str!("../sim-core/scenarios/autoscale.json"),
    ),
    (
        "cache-stampede",
        include_str!("../sim-core/scenarios/cache-stampede.json"),
    ),
    (
        "cap-partition",
        include_str!("../sim-core/scenarios/cap-partition.json"),
    ),
    ("cdn", include_str!("../sim-core/scenarios/cdn.json")),
    (
        "geodns-failover",
        include_str!("../sim-core/scenarios/geodns-failover.json"),
    ),
    (
        "lb-two-servers-health-check",
        include_str!("../sim-core/scenarios/lb-two-servers-health-check.json"),
    ),
    (
        "message-queue",
        include_str!("../sim-core/scenarios/message-queue.json"),
    ),
    ("mm1", include_str!("../sim-core/scenarios/mm1.json")),
    ("mmc", include_str!("../sim-core/scenarios/mmc.json")),
    (
        "rate-limit",
        include_str!("../sim-core/scenarios/rate-limit.json"),
    ),
    (
        "replicas-failover",
        include_str!("../sim-core/scenarios/replicas-failover.json"),
    ),
    (
        "retry-storm",
        include_str!("../sim-core/scenarios/retry-storm.json"),
    ),
    ("shards", include_str!("../sim-core/scenarios/shards.json")),
    ("spike", include_str!("../sim-core/scenarios/spike.json")),
    (
        "sticky-sessions",
        include_str!("../sim-core/scenarios/sticky-sessions.json"),
    ),
    ("tandem", include_str!("../sim-core/scenarios/tandem.json")),
];

/// Same scenario and seed give bit-identical metrics natively and in wasm. `scripts/test.sh`
/// runs every example natively with the headless runner first and passes the digests in
/// `SIM_NATIVE_DIGESTS` ("name=hex;name=hex;…").
#[wasm_bindgen_test]
fn wasm_run_matches_native_digest() {
    let Some(native) = option_env!("SIM_NATIVE_DIGESTS") else {
        panic!("SIM_NATIVE_DIGESTS is unset: run this through scripts/test.sh");
    };
    let mut compared = 0;
    for entry in native.split(';').filter(|e| !e.is_empty()) {
        let (name, want) = entry.split_once('=').expect("entries are name=digest");
        let Some((_, json)) = SCENARIOS.iter().find(|(n, _)| *n == name) else {
            panic!("scenario {name} has a native digest but is not compiled into this test");
        };
        let scenario = Scenario::from_json(json).expect("example scenarios are valid");
        let got = run_headless(&scenario, None, None)
            .expect("example scenarios run")
            .digest;
        assert_eq!(
            got, want,
            "scenario {name}: wasm digest differs from native"
        );
        compared += 1;
    }
    assert_eq!(
        compared,
        SCENARIOS.len(),
        "every example scenario is compared"
    );
}

/// The page's engine runs every example scenario with a timeline (events on window
/// boundaries included) bit for bit as the headless runner does: the timeline is applied by
/// sim-core in both, at the same point in event order. The page advances in frames.
#[wasm_bindgen_test]
fn the_page_engine_runs_timelines_like_the_headless_runner() {
    let mut compared = 0;
    for (name, json) in SCENARIOS {
        let s = Scenario::from_json(json).expect("example scenarios are valid");
        if s.events.is_empty() {
            continue;
        }
        let want = run_headless(&s, None, None).expect("example scenarios run");
        let (mut engine, err) = Engine::new(&s, s.seed);
        assert_eq!(err, None, "{name}");
        let mut t = 0.0;
        while t < want.duration_s {
            t = (t + 0.7_f64).min(want.duration_s);
            assert!(
                engine.advance(t, || false),
                "{name}: the frame reaches its target"
            );
        }
        let got = format!("{:016x}", engine.snapshot().expect("running").digest());
        assert_eq!(
            got, want.digest,
            "scenario {name}: the page and the runner differ"
        );
        compared += 1;
    }
    assert!(
        compared >= 10,
        "the examples exercise timelines ({compared})"
    );
}

/// A timeline edited during a run reaches the core as one `set_schedule` command at that
/// instant: the page's run equals the core's run given that command there.
#[wasm_bindgen_test]
fn a_timeline_edited_mid_run_is_one_schedule_command() {
    let (_, json) = SCENARIOS
        .iter()
        .find(|(n, _)| *n == "spike")
        .expect("the spike example");
    let before = Scenario::from_json(json).expect("valid");
    let mut after = before.clone();
    // The spike moves from 10 s to 12 s; a kill is added at 15 s, one at 2 s (past) too.
    after.events[0].at_s = 12.0;
    for at_s in [15.0, 2.0] {
        after.events.push(ScheduledCommand {
            at_s,
            command: Command::Kill { id: "web".into() },
        });
    }
    let (edit_at, end) = (SimTime::from_secs_f64(5.0), SimTime::from_secs_f64(20.0));
    let (mut engine, _) = Engine::new(&before, before.seed);
    engine.advance(edit_at.as_secs_f64(), || false);
    assert!(engine.sync(&before, &after).is_empty(), "accepted");
    engine.advance(end.as_secs_f64(), || false);
    let page = engine.snapshot().expect("running");

    let mut core = Sim::with_seed(&before, before.seed).expect("valid");
    core.step_until(edit_at, u64::MAX);
    core.apply(Command::SetSchedule {
        events: after.events.clone(),
    })
    .expect("valid");
    core.step_until(end, u64::MAX);
    assert_eq!(page.digest(), core.snapshot().digest());
    let logged = |t: &str| page.log.iter().filter(|l| l.text.contains(t)).count();
    assert_eq!(logged("spike ×4 on users for 10 s at 12.0 s"), 1, "moved");
    assert_eq!(logged("spike ×4"), 1, "not at its old time");
    assert_eq!(logged("web killed at 15.0 s"), 1, "added");
    assert_eq!(logged("web killed"), 1, "the past event does not run");
}

mod design_edits {
    use playground::fields::{self, Control};
    use playground::model::{self, History};
    use sim_core::{demo_scenario, Command, NodeKind, ServiceTime};
    use std::collections::BTreeSet;
    use wasm_bindgen_test::*;

    #[wasm_bindgen_test]
    fn new_ids_are_fresh_even_beside_the_demo_ids() {
        let mut s = demo_scenario();
        let lb = model::add_node(&mut s, "load_balancer", 0.0, 0.0).unwrap();
        let db = model::add_node(&mut s, "database", 0.0, 0.0).unwrap();
        let web = model::add_node(&mut s, "server", 0.0, 0.0).unwrap();
        assert_eq!(
            (lb.as_str(), db.as_str(), web.as_str()),
            ("lb-1", "db-1", "web-3")
        );
        assert!(s.validate().is_ok());
    }

    #[wasm_bindgen_test]
    fn invalid_connections_are_refused_with_a_reason() {
        let s = demo_scenario();
        let refused = |from: &str, to: &str| model::check_connect(&s, from, to).unwrap_err();
        assert!(refused("lb", "users").contains("client"));
        assert!(refused("db", "web-1").contains("database"));
        assert!(refused("lb", "web-1").contains("already connected"));
        assert!(refused("web-1", "web-1").contains("itself"));
        assert!(refused("users", "web-1").contains("one entry point"));
        let mut s2 = s.clone();
        model::add_node(&mut s2, "server", 0.0, 0.0).unwrap();
        model::connect(&mut s2, "web-1", "web-3").unwrap();
        assert!(model::check_connect(&s2, "web-3", "web-1")
            .unwrap_err()
            .contains("loop"));
        assert!(model::check_connect(&s, "web-1", "web-2").is_ok());
    }

    /// Every control of every palette kind: numbers start in range and can be set back,
    /// every option of every choice and both states of every switch give a valid design.
    #[wasm_bindgen_test]
    fn every_palette_kind_starts_valid_and_every_control_keeps_it_valid() {
        let mut s = model::empty_design();
        for k in model::KINDS {
            let id = model::add_node(&mut s, k.key, 0.0, 0.0).unwrap();
            let kind = s.nodes.iter().find(|n| n.id == id).unwrap().kind.clone();
            assert_eq!(kind.name(), k.key);
            for c in fields::controls(&kind) {
                let key = c.key();
                let mut probe = s.clone();
                match c {
                    Control::Number(f) => {
                        let Some(v) = (f.get)(&kind) else { continue };
                        assert!(
                            (f.min..=f.max).contains(&v),
                            "{}.{key} = {v} outside its range",
                            k.key
                        );
                        fields::set_kind(&mut probe, &id, |k| (f.set)(k, v)).unwrap();
                        assert_eq!(
                            probe, s,
                            "{}.{key}: setting the shown value changes nothing",
                            k.key
                        );
                    }
                    Control::Choice(ch) => {
                        // A choice that does not apply (jitter without retries) is hidden.
                        let Some(cur) = (ch.get)(&kind) else { continue };
                        assert!(cur < ch.options.len(), "{}.{key}", k.key);
                        for i in 0..ch.options.len() {
                            let mut p = s.clone();
                            fields::set_kind(&mut p, &id, |k| (ch.set)(k, i))
                                .unwrap_or_else(|e| panic!("{}.{key} option {i}: {e}", k.key));
                            let now = &p.nodes.iter().find(|n| n.id == id).unwrap().kind;
                            assert_eq!(
                                (ch.get)(now),
                                Some(i),
                                "{}.{key} reads back option {i}",
                                k.key
                            );
                        }
                    }
                    Control::Toggle(t) => {
                        for on in [false, true] {
                            fields::set_kind(&mut probe, &id, |k| (t.set)(k, on)).unwrap();
                            let now = &probe.nodes.iter().find(|n| n.id == id).unwrap().kind;
                            assert_eq!((t.get)(now), Some(on), "{}.{key}", k.key);
                        }
                    }
                    Control::Text(t) => {
                        assert!(
                            fields::set_kind(&mut probe, &id, |k| (t.set)(k, String::new()))
                                .is_err(),
                            "{}.{key}: an empty name is refused",
                            k.key
                        );
                    }
                }
            }
        }
        assert!(s.validate().is_ok(), "{:?}", s.validate());
    }

    #[wasm_bindgen_test]
    fn switching_a_distribution_keeps_the_mean_and_shows_sigma_only_for_log_normal() {
        let mut s = demo_scenario();
        let kind = |s: &sim_core::Scenario| {
            s.nodes
                .iter()
                .find(|n| n.id == "web-1")
                .unwrap()
                .kind
                .clone()
        };
        let controls = fields::controls(&kind(&s));
        let pick = |key: &str| controls.iter().find(|c| c.key() == key).unwrap();
        let (Control::Choice(dist), Control::Number(mean), Control::Number(sigma)) = (
            pick("service_dist"),
            pick("service_ms"),
            pick("service_sigma"),
        ) else {
            panic!("a server has distribution, mean and sigma controls");
        };
        let m = (mean.get)(&kind(&s)).unwrap();
        fields::set_kind(&mut s, "web-1", |k| (dist.set)(k, 2)).unwrap();
        assert!(
            matches!(kind(&s), NodeKind::Server(p) if p.service_time == ServiceTime::Constant { ms: m })
        );
        assert_eq!((sigma.get)(&kind(&s)), None, "no sigma for a constant time");
        fields::set_kind(&mut s, "web-1", |k| (dist.set)(k, 1)).unwrap();
        assert_eq!((mean.get)(&kind(&s)), Some(m));
        assert!((sigma.get)(&kind(&s)).is_some());
        let bad = fields::parse_field(sigma, "9");
        assert!(bad.is_err(), "sigma above 5 is refused as typed");
    }

    #[wasm_bindgen_test]
    fn moving_a_node_to_another_region_re_adds_it_with_its_links() {
        let before = demo_scenario();
        let mut after = before.clone();
        fields::set_placement(&mut after, "web-1", Some("Web one"), Some("eu-west")).unwrap();
        let cmds = model::diff(&before, &after);
        assert_eq!(cmds[0], Command::RemoveNode { id: "web-1".into() });
        assert!(matches!(&cmds[1], Command::AddNode(n) if n.region.as_deref() == Some("eu-west")));
        let links = before
            .edges
            .iter()
            .filter(|e| e.from == "web-1" || e.to == "web-1")
            .count();
        assert_eq!(cmds.len(), 2 + links, "{cmds:?}");
        let mut relabelled = before.clone();
        fields::set_placement(&mut relabelled, "web-1", Some("Web one"), None).unwrap();
        assert!(
            model::diff(&before, &relabelled).is_empty(),
            "a label is not simulated"
        );
        assert!(
            fields::set_placement(&mut relabelled, "web-1", Some(&"x".repeat(101)), None).is_err()
        );
    }

    #[wasm_bindgen_test]
    fn replicas_caches_and_stores_follow_the_data_tier_rules() {
        let mut s = model::empty_design();
        for k in [
            "database",
            "database",
            "database",
            "cache",
            "replicated_store",
        ] {
            model::add_node(&mut s, k, 0.0, 0.0).unwrap();
        }
        model::connect(&mut s, "db-1", "db-2").unwrap();
        assert!(model::check_connect(&s, "db-3", "db-2")
            .unwrap_err()
            .contains("one primary"));
        model::connect(&mut s, "cache-1", "db-1").unwrap();
        assert!(model::check_connect(&s, "cache-1", "db-3")
            .unwrap_err()
            .contains("exactly one"));
        assert!(model::check_connect(&s, "db-1", "cache-1").is_err());
        assert!(model::check_connect(&s, "store-1", "db-3").is_err());
        assert!(s.validate().is_ok());
    }

    #[wasm_bindgen_test]
    fn diff_turns_edits_into_commands_and_ignores_moves() {
        let before = demo_scenario();
        let mut after = before.clone();
        model::remove_nodes(&mut after, &BTreeSet::from(["web-2".to_string()]));
        model::move_nodes(&mut after, &BTreeSet::from(["lb".to_string()]), 5.0, 5.0);
        let cmds = model::diff(&before, &after);
        assert_eq!(cmds, vec![Command::RemoveNode { id: "web-2".into() }]);
        let back = model::diff(&after, &before);
        assert!(matches!(&back[0], Command::AddNode(n) if n.id == "web-2"));
        assert_eq!(
            back.len(),
            3,
            "the node and its two edges come back: {back:?}"
        );
    }

    #[wasm_bindgen_test]
    fn bad_field_values_are_refused_and_typing_in_one_field_is_one_undo_step() {
        let s = demo_scenario();
        let kind = s
            .nodes
            .iter()
            .find(|n| n.id == "web-1")
            .unwrap()
            .kind
            .clone();
        let controls = fields::controls(&kind);
        let Some(Control::Number(workers)) = controls.iter().find(|c| c.key() == "workers") else {
            panic!("a server has a workers field");
        };
        assert!(fields::parse_field(workers, "0").is_err());
        assert!(fields::parse_field(workers, "2.5").is_err());
        assert!(fields::parse_field(workers, "NaN").is_err());
        assert_eq!(fields::parse_field(workers, " 12 "), Ok(12.0));
        let mut h = History::default();
        let mut cur = s.clone();
        for v in [1.0, 12.0] {
            h.record(cur.clone(), Some("field-web-1-workers".into()));
            fields::set_kind(&mut cur, "web-1", |k| (workers.set)(k, v)).unwrap();
        }
        let undone = h.undo(cur).unwrap();
        assert_eq!(undone, s, "one undo step reverts the whole typing");
        assert!(matches!(
            &undone.nodes.iter().find(|n| n.id == "web-1").unwrap().kind,
            NodeKind::Server(p) if p.workers == 8
        ));
    }
}
