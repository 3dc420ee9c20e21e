//! `sim_core::series`: the time series as CSV (shared by the runner and the page).

use sim_core::series::{Series, GLOBAL_COLUMNS, NODE_COLUMNS};
use sim_core::{Command, Scenario, Sim, SimTime};

fn scenario() -> Scenario {
    Scenario::from_json(include_str!("../../scenarios/mm1.json")).unwrap()
}

#[test]
fn collecting_often_equals_one_snapshot_at_the_end() {
    let sc = scenario();
    let mut sim = Sim::with_seed(&sc, 4).unwrap();
    let mut often = Series::new();
    for i in 1..=30 {
        sim.step_until(SimTime::from_secs_f64(f64::from(i) * 0.25), u64::MAX);
        often.collect(&sim.snapshot());
    }
    let once = Series::of_snapshot(&sim.snapshot());
    assert_eq!(often.len(), 7, "7.5 s closes seven 1 s windows");
    assert_eq!(often.to_csv(), once.to_csv());
    let csv = once.to_csv();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 8);
    let nodes = sim.snapshot().nodes.len();
    for l in &lines {
        assert_eq!(l.split(',').count(), GLOBAL_COLUMNS.len() + NODE_COLUMNS.len() * nodes);
    }
    // The figures are the snapshot's, in the order of the header.
    let snap = sim.snapshot();
    let cells: Vec<&str> = lines[3].split(',').collect();
    let g = snap.series[2];
    assert_eq!(cells[0], g.t_s.to_string());
    assert_eq!(cells[1], g.completed.to_string());
    assert_eq!(cells[8], g.p99_ms.to_string());
    assert!(csv.ends_with('\n'));
}

#[test]
fn a_node_added_during_the_run_has_empty_cells_before_it_existed() {
    let sc = scenario();
    let mut sim = Sim::with_seed(&sc, 1).unwrap();
    let mut series = Series::new();
    sim.step_until(SimTime::from_secs_f64(2.5), u64::MAX);
    series.collect(&sim.snapshot());
    let mut extra = sc.nodes[sc.nodes.len() - 1].clone();
    extra.id = "spare".into();
    sim.apply(Command::AddNode(extra)).unwrap();
    sim.step_until(SimTime::from_secs_f64(4.5), u64::MAX);
    series.collect(&sim.snapshot());
    let csv = series.to_csv();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 5);
    assert!(lines[0].ends_with("spare.rps,spare.errors_per_s,spare.p95_ms,spare.utilisation,spare.queue_len"));
    let tail = |l: &str| l.split(',').rev().take(NODE_COLUMNS.len()).map(str::to_string).collect::<Vec<_>>();
    assert!(tail(lines[1]).iter().all(String::is_empty), "window 1: {}", lines[1]);
    assert!(tail(lines[4]).iter().all(|c| !c.is_empty()), "window 4: {}", lines[4]);
}

#[test]
fn an_empty_run_is_the_header_alone() {
    let sim = Sim::with_seed(&scenario(), 1).unwrap();
    let s = Series::of_snapshot(&sim.snapshot());
    assert!(s.is_empty());
    assert_eq!(s.to_csv().lines().count(), 1);
}
