//! Bit-identical results: the reference run has a pinned digest that the wasm build checks too.

use crate::common::*;
use serde_json::json;
use sim_core::{
    reference_scenario, run_headless, Command, Health, Scenario, ScheduledCommand, Sim, SimTime, REFERENCE_DIGEST,
};

#[test]
fn reference_run_digest_is_pinned() {
    let s = reference_scenario();
    let summary = run_headless(&s, None, None).unwrap();
    assert!(summary.snapshot.global.failed.total() > 0, "the reference run exercises failures");
    assert_eq!(
        summary.digest, REFERENCE_DIGEST,
        "the reference run's digest changed; if the engine's behaviour changed on purpose, update REFERENCE_DIGEST"
    );
}

/// The data-tier property test's "replay differs" failures (e.g. a CDN killed at 9.89 s of a
/// 10 s run): a command applied at the last instant made events due at that instant — the
/// kill answers callers without a timeout at once — which the replay, stepped to the end,
/// ran and the live run, never stepped again, had not. Same scenario, seed and commands give
/// the same state at the same point: right after the command, and after stepping both.
#[test]
fn a_command_at_the_last_instant_replays_exactly() {
    let s = scenario(json!({ "version": 1, "nodes": [
        { "id": "users", "kind": { "client": { "rate_rps": 150, "mix": { "read": 0.6, "write": 0.2, "static_asset": 0.1, "job": 0.1 } } } },
        { "id": "cdn", "kind": { "cdn": { "capacity_keys": 50, "ttl_s": 2 } } },
        { "id": "web", "kind": { "server": { "workers": 8, "queue_capacity": 20,
            "service_time": { "exponential": { "mean_ms": 2 } } } } },
        { "id": "cache", "kind": { "cache": { "capacity_keys": 1 } } },
        { "id": "db", "kind": { "database": { "max_connections": 4, "queue_capacity": 20,
            "read_service_time": { "exponential": { "mean_ms": 3 } }, "write_service_time": { "exponential": { "mean_ms": 5 } } } } } ],
        "edges": [ { "from": "users", "to": "cdn", "latency_ms": 4 }, { "from": "cdn", "to": "web", "latency_ms": 4 },
                   { "from": "web", "to": "cache", "latency_ms": 4 }, { "from": "cache", "to": "db", "latency_ms": 4 } ] }));
    let end = SimTime::from_secs_f64(10.0);
    for seed in 0..20 {
        let mut live = Sim::with_seed(&s, seed).unwrap();
        live.step_until(end, 1000);
        live.step_until(end, u64::MAX);
        live.apply(Command::Kill { id: "cdn".into() }).unwrap();
        let replay = Sim::replay(&s, seed, live.recorded_commands()).unwrap();
        assert_eq!(replay.now(), live.now());
        assert_eq!(replay.digest(), live.digest(), "right after the command (seed {seed})");
        let (mut live_end, mut replay_end) = (live, replay);
        let events = live_end.events_processed();
        live_end.step_until(end, u64::MAX);
        replay_end.step_until(end, u64::MAX);
        assert_eq!(replay_end.digest(), live_end.digest(), "after stepping to the end (seed {seed})");
        if seed == 0 {
            assert!(live_end.events_processed() > events, "the kill made events due at once");
        }
    }
}

/// Three servers behind a balancer, 1 s windows, and a timeline whose events all fall on
/// whole seconds, i.e. on window boundaries.
fn timeline_design() -> Scenario {
    let server = json!({ "server": { "workers": 4, "queue_capacity": 50, "service_time": { "exponential": { "mean_ms": 10 } } } });
    scenario(json!({ "version": 1,
        "nodes": [
            { "id": "users", "kind": { "client": { "rate_rps": 200, "timeout_ms": 500 } } },
            { "id": "lb", "kind": { "load_balancer": { "policy": "round_robin" } } },
            { "id": "web-1", "kind": server }, { "id": "web-2", "kind": server }, { "id": "web-3", "kind": server } ],
        "edges": [ { "from": "users", "to": "lb", "latency_ms": 2 }, { "from": "lb", "to": "web-1", "latency_ms": 1 },
                   { "from": "lb", "to": "web-2", "latency_ms": 1 }, { "from": "lb", "to": "web-3", "latency_ms": 1 } ],
        "events": [
            { "at_s": 2, "command": { "kill": { "id": "web-1" } } },
            { "at_s": 3, "command": { "spike": { "client": "users", "multiplier": 3, "duration_s": 1 } } },
            { "at_s": 4, "command": { "revive": { "id": "web-1" } } },
            { "at_s": 5, "command": { "set_rate": { "client": "users", "rate_rps": 120 } } },
            { "at_s": 6, "command": { "slow": { "id": "web-2", "factor": 4 } } },
            { "at_s": 6, "command": { "kill": { "id": "nowhere" } } } ] }))
}

/// How many event-log lines of `sim` contain `text`.
fn logged(sim: &Sim, text: &str) -> usize {
    sim.snapshot().log.iter().filter(|l| l.text.contains(text)).count()
}

/// The scenario's timeline and the same timeline sent as a command before the first event
/// are one mechanism: the same state, bit for bit, events on window boundaries included.
#[test]
fn scheduled_events_and_the_schedule_command_at_time_zero_agree() {
    let with_events = timeline_design();
    let mut without = with_events.clone();
    let events = std::mem::take(&mut without.events);
    let end = SimTime::from_secs_f64(8.0);
    for seed in 0..10 {
        let mut scheduled = Sim::with_seed(&with_events, seed).unwrap();
        scheduled.step_until(end, u64::MAX);
        let mut commanded = Sim::with_seed(&without, seed).unwrap();
        commanded.apply(Command::SetSchedule { events: events.clone() }).unwrap();
        commanded.step_until(end, u64::MAX);
        assert_eq!(commanded.digest(), scheduled.digest(), "seed {seed}");
        assert_eq!(logged(&scheduled, "web-1 killed at 2.0 s"), 1, "the events ran (seed {seed})");
        assert_eq!(logged(&scheduled, "web-2 slowed ×4 at 6.0 s"), 1);
        // The failing event is reported once, in the log and to the caller.
        assert_eq!(logged(&scheduled, "scheduled command failed at 6.0 s"), 1);
        let failures = scheduled.take_schedule_failures();
        assert_eq!(failures.len(), 1);
        assert_eq!((failures[0].0, failures[0].1.path.as_str()), (SimTime::from_secs_f64(6.0), "command.kill.id"));
        assert!(scheduled.take_schedule_failures().is_empty(), "taken once");
    }
}

/// A timeline replaced mid-run: an event already run is not run again, one at or before
/// the current instant is not run, a removed one never runs, moved ones run at their new
/// time only, an added one runs; and the run replays exactly from its recorded commands.
#[test]
fn a_replaced_schedule_runs_each_event_once_and_replays_exactly() {
    let s = timeline_design();
    let at = |at_s: f64, command: Command| ScheduledCommand { at_s, command };
    let kill = |id: &str| Command::Kill { id: id.into() };
    let end = SimTime::from_secs_f64(12.0);
    for seed in 0..10 {
        let mut live = Sim::with_seed(&s, seed).unwrap();
        // Mid-instant at 3 s: the spike at 3 s may or may not have run yet; finish it.
        live.step_until(SimTime::from_secs_f64(3.0), 500);
        live.step_until(SimTime::from_secs_f64(3.5), u64::MAX);
        assert_eq!(logged(&live, "web-1 killed at 2.0 s"), 1);
        live.apply(Command::SetSchedule {
            events: vec![
                at(2.0, kill("web-1")),                                                // already run
                at(1.0, kill("web-3")),                                                // added in the past
                at(3.5, kill("web-3")),                                                // added at now
                at(9.0, Command::Revive { id: "web-1".into() }),                       // moved later (4 s)
                at(4.5, Command::SetRate { client: "users".into(), rate_rps: 120.0 }), // moved earlier (5 s)
                at(7.0, Command::Slow { id: "web-2".into(), factor: 4.0 }),            // moved later (6 s)
                at(10.0, Command::Partition { from: "lb".into(), to: "web-2".into() }), // added
                                                                                       // the spike (already run) and the failing kill at 6 s are removed
            ],
        })
        .unwrap();
        live.step_until(SimTime::from_secs_f64(8.0), u64::MAX);
        // A second replacement with the same list changes nothing.
        let same = match &live.recorded_commands()[0].command {
            Command::SetSchedule { events } => events.clone(),
            other => panic!("recorded {other:?}"),
        };
        live.apply(Command::SetSchedule { events: same }).unwrap();
        live.step_until(end, u64::MAX);

        assert_eq!(logged(&live, "web-1 killed"), 1, "not run twice (seed {seed})");
        assert_eq!(logged(&live, "web-3 killed"), 0, "events at or before the instant of the command do not run");
        assert_eq!(logged(&live, "web-1 revived"), 1);
        assert_eq!(logged(&live, "web-1 revived at 9.0 s"), 1, "moved later");
        assert_eq!(logged(&live, "rate set to 120 rps at 4.5 s"), 1, "moved earlier, run once");
        assert_eq!(logged(&live, "rate set to"), 1);
        assert_eq!(logged(&live, "web-2 slowed ×4 at 7.0 s"), 1);
        assert_eq!(logged(&live, "slowed"), 1);
        assert_eq!(logged(&live, "link lb -> web-2 partitioned at 10.0 s"), 1, "added");
        assert_eq!(
            logged(&live, "spike ×3 on users for 1 s at 3.0 s"),
            1,
            "the spike ran before the replacement, once"
        );
        assert_eq!(logged(&live, "spike ×"), 1);
        assert_eq!(logged(&live, "scheduled command failed"), 0, "the removed failing event never ran");
        let snap = live.snapshot();
        assert_eq!(node(&snap, "web-3").health, Health::Up, "web-3 was never killed");
        assert_eq!(node(&snap, "web-2").slow_factor, 4.0);

        let replay = Sim::replay(&s, seed, live.recorded_commands()).unwrap();
        let mut replay = replay;
        replay.step_until(end, u64::MAX);
        assert_eq!(replay.digest(), live.digest(), "replays exactly (seed {seed})");
    }
}

/// A schedule command is checked like a scenario's events, naming the field; a refused one
/// changes nothing and is not recorded.
#[test]
fn a_bad_schedule_command_is_refused_naming_the_field() {
    let s = timeline_design();
    let at = |at_s: f64, command: Command| ScheduledCommand { at_s, command };
    let ok = || at(1.0, Command::Kill { id: "web-2".into() });
    let cases = [
        (vec![ok(), at(-1.0, Command::DeployAssets {})], "command.set_schedule.events[1].at_s"),
        (vec![at(f64::NAN, Command::DeployAssets {})], "command.set_schedule.events[0].at_s"),
        (vec![at(1e12, Command::DeployAssets {})], "command.set_schedule.events[0].at_s"),
        (
            vec![ok(), at(2.0, Command::Slow { id: "web-1".into(), factor: 0.0 })],
            "command.set_schedule.events[1].command.slow.factor",
        ),
        (
            vec![at(3.0, Command::SetRate { client: "users".into(), rate_rps: f64::INFINITY })],
            "command.set_schedule.events[0].command.set_rate.rate_rps",
        ),
        (
            vec![at(3.0, Command::SetSchedule { events: vec![ok()] })],
            "command.set_schedule.events[0].command.set_schedule",
        ),
    ];
    let mut sim = Sim::with_seed(&s, 1).unwrap();
    sim.step_until(SimTime::from_secs_f64(1.5), u64::MAX);
    for (events, path) in cases {
        let err = sim.apply(Command::SetSchedule { events }).unwrap_err();
        assert_eq!(err.path, path, "{err}");
    }
    assert!(sim.recorded_commands().is_empty(), "refused commands are not recorded");
    sim.step_until(SimTime::from_secs_f64(2.5), u64::MAX);
    assert_eq!(logged(&sim, "web-1 killed at 2.0 s"), 1, "the timeline is unchanged");

    // The same check guards a scenario's own events.
    let mut nested = s.clone();
    nested.events.push(at(3.0, Command::SetSchedule { events: Vec::new() }));
    let err = Sim::new(&nested).err().expect("refused");
    assert_eq!(err.path, "events[6].command.set_schedule", "{err}");
}
