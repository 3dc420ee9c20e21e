//! The challenges: the campaign's starting designs fail and its reference solutions (kept in
//! `tests/fixtures/challenges/`) pass on seeds 1–5; bad challenge files are refused naming
//! the field; grading reports what broke first, and when.

use sim_core::challenge::{challenge, grade_on, trial_scenario, CHALLENGES};
use sim_core::Scenario;

const SEEDS: [u64; 5] = [1, 2, 3, 4, 5];

fn reference(id: &str) -> Scenario {
    let path = format!("{}/tests/fixtures/challenges/{id}.json", env!("CARGO_MANIFEST_DIR"));
    Scenario::from_json(&std::fs::read_to_string(&path).unwrap()).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn every_campaign_start_fails_and_its_reference_passes_on_seeds_1_to_5() {
    assert!(CHALLENGES.len() >= 12);
    for c in CHALLENGES {
        let sc = c.scenario().unwrap_or_else(|e| panic!("{}: {e}", c.id));
        let ch = sc.challenge.as_ref().expect("a challenge section");
        assert_eq!(ch.id, c.id);
        assert!(!ch.title.is_empty() && !ch.brief.is_empty(), "{}", c.id);
        let start = grade_on(&sc, &sc, &SEEDS).unwrap();
        assert!(!start.pass, "{}: the starting design passes", c.id);
        let first = start.first_failure.as_ref().expect("what failed first");
        assert!(start.criteria.iter().any(|cr| cr.name == first.criterion && !cr.pass), "{}", c.id);
        let r = grade_on(&sc, &reference(c.id), &SEEDS).unwrap();
        for cr in &r.criteria {
            assert!(cr.pass && cr.seeds_passed == 5, "{}: reference fails {}", c.id, cr.text);
        }
        assert!(r.pass && r.score == 100 && r.first_failure.is_none(), "{}", c.id);
        assert!(start.score < 100, "{}", c.id);
    }
}

#[test]
fn the_first_failure_is_the_first_window_that_broke_after_the_kill() {
    let sc = challenge("survive-a-crash").unwrap().scenario().unwrap();
    let g = grade_on(&sc, &sc, &SEEDS).unwrap();
    let f = g.first_failure.unwrap();
    assert_eq!(f.criterion, "error_rate_pct");
    // The only server dies at 8 s: the window ending at 9 s is the first with failures.
    assert_eq!(f.at_s, Some(9.0));
    let e = g.criteria.iter().find(|c| c.name == "error_rate_pct").unwrap();
    assert_eq!(e.per_seed.len(), 5);
    // Every request after 8 s of 20 fails: about 60 %.
    assert!(e.measured.lo > 55.0 && e.measured.hi < 65.0, "{:?}", e.measured);
    assert_eq!(g.score, 50, "p99 holds on every seed, the error rate on none");
}

#[test]
fn the_trial_replaces_the_timeline_and_the_traffic_and_kills_a_node_of_the_design() {
    let sc = challenge("survive-a-crash").unwrap().scenario().unwrap();
    let mut mine = reference("survive-a-crash");
    mine.events = vec![sim_core::ScheduledCommand { at_s: 1.0, command: sim_core::Command::Kill { id: "lb".into() } }];
    if let sim_core::NodeKind::Client(c) = &mut mine.nodes[0].kind {
        c.rate_rps = 1.0;
    }
    let killed: Vec<String> = SEEDS
        .iter()
        .map(|s| {
            let t = trial_scenario(&sc, &mine, *s).unwrap();
            assert_eq!(t.events.len(), 1, "the design's own events are gone");
            let sim_core::NodeKind::Client(c) = &t.nodes[0].kind else { panic!() };
            assert_eq!(c.rate_rps, 200.0, "the challenge's traffic");
            assert!(c.retry.is_some(), "the learner's retries stay");
            match &t.events[0].command {
                sim_core::Command::Kill { id } => id.clone(),
                other => panic!("{other:?}"),
            }
        })
        .collect();
    assert!(killed.iter().all(|k| k.starts_with("web-")), "{killed:?}");
    assert_eq!(
        killed,
        SEEDS
            .iter()
            .map(|s| {
                match &trial_scenario(&sc, &mine, *s).unwrap().events[0].command {
                    sim_core::Command::Kill { id } => id.clone(),
                    _ => unreachable!(),
                }
            })
            .collect::<Vec<_>>(),
        "the pick is a function of the seed"
    );
    let mut stranger = mine.clone();
    stranger.nodes[0].id = "visitors".into();
    stranger.edges[0].from = "visitors".into();
    let err = trial_scenario(&sc, &stranger, 1).unwrap_err();
    assert_eq!(err.path, "nodes[0]", "{err}");
}

/// An edit of a challenge file.
type Edit = Box<dyn FnOnce(&mut serde_json::Value)>;

/// A challenge file with one field changed.
fn edited(edit: impl FnOnce(&mut serde_json::Value)) -> Result<Scenario, sim_core::Error> {
    let mut v: serde_json::Value = serde_json::from_str(challenge("one-box").unwrap().json).unwrap();
    edit(&mut v);
    Scenario::from_json(&v.to_string())
}

#[test]
fn a_challenge_with_an_unknown_field_or_an_impossible_goal_is_refused_naming_the_field() {
    use serde_json::json;
    let cases: Vec<(Edit, &str)> = vec![
        (Box::new(|v| v["challenge"]["goal"]["p95_ms"] = json!(100)), "challenge.goal.p95_ms"),
        (Box::new(|v| v["challenge"]["surprise"] = json!(1)), "challenge.surprise"),
        (
            Box::new(|v| v["challenge"]["trial"]["kill_one"] = json!([{"at_s": 1, "kind": "server", "x": 1}])),
            "challenge.trial.kill_one[0].x",
        ),
        (Box::new(|v| v["challenge"]["goal"]["p99_ms"] = json!(-5)), "challenge.goal.p99_ms"),
        (Box::new(|v| v["challenge"]["goal"]["error_rate_pct"] = json!(101)), "challenge.goal.error_rate_pct"),
        (Box::new(|v| v["challenge"]["goal"]["availability_pct"] = json!(100.5)), "challenge.goal.availability_pct"),
        (Box::new(|v| v["challenge"]["goal"]["budget_usd_month"] = json!(20)), "challenge.goal.budget_usd_month"),
        (Box::new(|v| v["challenge"]["limits"]["kinds"] = json!(["server", "mainframe"])), "challenge.limits.kinds[1]"),
        (Box::new(|v| v["challenge"]["limits"]["kinds"] = json!(["cache", "load_balancer"])), "challenge.limits.kinds"),
        (Box::new(|v| v["challenge"]["limits"]["max_nodes"] = json!(0)), "challenge.limits.max_nodes"),
        (Box::new(|v| v["challenge"]["goal"] = json!({})), "challenge.goal"),
        (Box::new(|v| v["challenge"]["trial"]["seeds"] = json!(0)), "challenge.trial.seeds"),
        (Box::new(|v| v["challenge"]["trial"]["duration_s"] = json!(0)), "challenge.trial.duration_s"),
        (Box::new(|v| v["challenge"]["id"] = json!("One Box")), "challenge.id"),
    ];
    for (edit, path) in cases {
        let err = edited(edit).unwrap_err();
        assert_eq!(err.path, path, "{err}");
    }
    // The cheapest design that answers (one server without a machine) is a valid budget.
    assert!(edited(|v| v["challenge"]["goal"]["budget_usd_month"] = json!(30.37)).is_ok());
    assert!(edited(|v| v["challenge"]["goal"]["budget_usd_month"] = json!(30.36)).is_err());
}
