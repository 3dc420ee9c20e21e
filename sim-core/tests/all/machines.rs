//! Machines: a station's cores bound how much CPU work runs at once (vertical scaling), and
//! the cost estimate follows the machine.

use crate::common::*;
use serde_json::json;
use sim_core::machines::{machine, step_machine, MACHINES};

/// A CPU-bound server (exponential service of `mean_ms`) on `machine` with `workers`,
/// behind a client offering `rate` requests per second.
fn cpu_bound(machine: &str, workers: u32, mean_ms: f64, rate: f64) -> sim_core::Scenario {
    scenario(json!({ "version": 3, "nodes": [
        { "id": "users", "kind": { "client": { "rate_rps": rate } } },
        { "id": "web", "kind": { "server": { "workers": workers, "queue_capacity": 1000,
            "service_time": { "exponential": { "mean_ms": mean_ms } }, "machine": machine } } } ],
        "edges": [ { "from": "users", "to": "web" } ] }))
}

/// Mean completions per second at `web` over seeds 1..=5.
fn throughput(s: &sim_core::Scenario, duration_s: f64) -> f64 {
    (1..=5).map(|seed| node(&run(s, seed, duration_s), "web").throughput_rps).sum::<f64>() / 5.0
}

#[test]
fn vertical_scaling_throughput_at_saturation_grows_with_vcpus_up_to_the_biggest_box() {
    // Overloaded (twice the capacity), an M/M/c station completes c·μ per second: μ = 10/s.
    for m in MACHINES {
        let c = f64::from(m.vcpus);
        let s = cpu_bound(m.name, 2 * m.vcpus, 100.0, 20.0 * c);
        let got = throughput(&s, 60.0);
        assert!((got - 10.0 * c).abs() / (10.0 * c) < 0.05, "{}: {got} rps, want {} (c·μ)", m.name, 10.0 * c);
    }
    // The biggest box is the ceiling: there is no size above it.
    assert_eq!(step_machine(MACHINES[MACHINES.len() - 1].name, 1), None);
}

#[test]
fn vertical_scaling_threads_beyond_the_vcpus_do_not_help() {
    // m.large has 2 vCPUs: 2, 8 or 64 workers all complete 2·μ = 200 per second.
    for workers in [2, 8, 64] {
        let got = throughput(&cpu_bound("m.large", workers, 10.0, 400.0), 60.0);
        assert!((got - 200.0).abs() / 200.0 < 0.05, "{workers} workers: {got} rps, want 200");
    }
    // Fewer workers than vCPUs: the workers are the limit.
    let got = throughput(&cpu_bound("m.xlarge", 2, 10.0, 800.0), 60.0);
    assert!((got - 200.0).abs() / 200.0 < 0.05, "2 workers on 4 vCPUs: {got} rps, want 200");
}

#[test]
fn vertical_scaling_below_saturation_matches_mmc_with_c_the_vcpus() {
    // m.xlarge (c = 4) with 16 workers, λ = 300/s, μ = 100/s: M/M/4, not M/M/16.
    let (lambda, mu) = (300.0, 100.0);
    let s = cpu_bound("m.xlarge", 16, 1000.0 / mu, lambda);
    let w: Vec<f64> = (1..=10).map(|seed| run(&s, seed, 300.0).global.latency.mean_ms / 1e3).collect();
    assert_close("M/M/4 sojourn on m.xlarge", &w, mmc_sojourn(lambda, mu, 4), 0.05, 0.0125, "1..=10");
}

#[test]
fn vertical_scaling_a_worker_waiting_downstream_holds_no_core() {
    // 1 vCPU, 5 ms of CPU then a 45 ms database call: the core allows 200/s, 16 workers
    // 320/s; 150/s is served (a core per worker held for the call would allow 20/s).
    let s = scenario(json!({ "version": 3, "nodes": [
        { "id": "users", "kind": { "client": { "rate_rps": 150.0 } } },
        { "id": "web", "kind": { "server": { "workers": 16, "queue_capacity": 1000,
            "service_time": { "exponential": { "mean_ms": 5.0 } }, "machine": "m.small" } } },
        { "id": "db", "kind": { "database": { "max_connections": 100, "queue_capacity": 100,
            "read_service_time": { "constant": { "ms": 45.0 } },
            "write_service_time": { "constant": { "ms": 45.0 } } } } } ],
        "edges": [ { "from": "users", "to": "web" }, { "from": "web", "to": "db" } ] }));
    let got = throughput(&s, 60.0);
    assert!((got - 150.0).abs() / 150.0 < 0.05, "{got} rps, want all 150");
}

#[test]
fn vertical_scaling_more_boxes_help_past_the_biggest_one() {
    let web = |id: &str| {
        json!({ "id": id, "kind": { "server": { "workers": 256, "queue_capacity": 1000,
        "service_time": { "exponential": { "mean_ms": 100.0 } }, "machine": "x.32xlarge" } } })
    };
    let s = scenario(json!({ "version": 3, "nodes": [
        { "id": "users", "kind": { "client": { "rate_rps": 4000.0 } } },
        { "id": "lb", "kind": { "load_balancer": { "policy": "round_robin" } } }, web("a"), web("b") ],
        "edges": [ { "from": "users", "to": "lb" }, { "from": "lb", "to": "a" }, { "from": "lb", "to": "b" } ] }));
    let r = run(&s, 1, 30.0);
    let got = node(&r, "a").throughput_rps + node(&r, "b").throughput_rps;
    assert!((got - 2560.0).abs() / 2560.0 < 0.05, "two biggest boxes: {got} rps, want 2560");
}

#[test]
fn vertical_scaling_cost_follows_the_machine_and_rises_faster_than_capacity_at_the_top() {
    let cost = |m: &str| node(&run(&cpu_bound(m, 8, 10.0, 10.0), 1, 1.0), "web").monthly_cost_usd;
    let per_vcpu = |m: &str| cost(m) / f64::from(machine(m).map_or(0, |x| x.vcpus));
    // Within the general-purpose family the price follows the vCPUs…
    assert!((per_vcpu("m.large") - per_vcpu("m.24xlarge")).abs() < 1e-9);
    assert!((cost("m.large") - 0.1008 * 730.0).abs() < 1e-9);
    // …and the top box costs more than its extra capacity.
    let (top, below) = (cost("x.32xlarge"), cost("m.24xlarge"));
    assert!(top / below > 2.0 * (128.0 / 96.0), "x.32xlarge ${top} vs m.24xlarge ${below}");
}

#[test]
fn vertical_scaling_a_group_costs_its_instances_on_its_machine() {
    let s = scenario(json!({ "version": 3, "nodes": [
        { "id": "users", "kind": { "client": { "rate_rps": 10.0 } } },
        { "id": "asg", "kind": { "autoscaling_group": { "server": { "workers": 4, "queue_capacity": 10,
            "service_time": { "constant": { "ms": 1.0 } }, "machine": "m.xlarge" },
            "min_instances": 3, "max_instances": 3, "initial_instances": 3, "policy": "round_robin",
            "scale_out_utilisation": 0.8, "scale_in_utilisation": 0.2,
            "window_s": 10, "cooldown_s": 30, "boot_s": 1, "step": 1 } } } ],
        "edges": [ { "from": "users", "to": "asg" } ] }));
    let r = run(&s, 1, 5.0);
    let total: f64 = r.nodes.iter().filter(|n| n.kind == sim_core::KindName::Server).map(|n| n.monthly_cost_usd).sum();
    assert!((total - 3.0 * 0.2016 * 730.0).abs() < 1e-6, "3 × m.xlarge: ${total}");
    assert_eq!(node(&r, "asg").machine.as_deref(), Some("m.xlarge"));
}

#[test]
fn vertical_scaling_scale_up_while_running_raises_throughput_and_cost() {
    let s = cpu_bound("m.small", 64, 10.0, 1000.0);
    let mut sim = sim_core::Sim::with_seed(&s, 1).expect("valid");
    sim.step_until(sim_core::SimTime::from_secs_f64(10.0), u64::MAX);
    let before = node(&sim.snapshot(), "web").clone();
    sim.apply(sim_core::Command::SetMachine { id: "web".into(), machine: "m.2xlarge".into() }).expect("applies");
    sim.step_until(sim_core::SimTime::from_secs_f64(20.0), u64::MAX);
    let after = node(&sim.snapshot(), "web").clone();
    assert_eq!(after.machine.as_deref(), Some("m.2xlarge"));
    assert!(after.monthly_cost_usd > 7.9 * before.monthly_cost_usd);
    // 100/s for 10 s, then 800/s for 10 s.
    let done = (after.completed - before.completed) as f64 / 10.0;
    assert!((done - 800.0).abs() / 800.0 < 0.05, "after scaling up: {done} rps, want 800");
    let bad = sim.apply(sim_core::Command::SetMachine { id: "web".into(), machine: "m.huge".into() });
    assert!(bad.is_err_and(|e| e.path == "command.set_machine.machine"));
    let bad = sim.apply(sim_core::Command::SetMachine { id: "users".into(), machine: "m.large".into() });
    assert!(bad.is_err_and(|e| e.path == "command.set_machine.id"));
}

#[test]
fn a_version_2_file_opens_unchanged() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/autoscale.json")).expect("file");
    assert!(text.contains("\"version\": 2"));
    let s = sim_core::Scenario::from_json(&text).expect("a version-2 file opens");
    assert_eq!(s.version, sim_core::SCENARIO_VERSION);
    assert_eq!(sim_core::SCENARIO_VERSION, 4);
    assert!(!s.to_json().contains("machine"), "no machine is added to an old file's nodes");
    let r = run(&s, 1, 5.0);
    assert!(r.nodes.iter().all(|n| n.machine.is_none()));
    let bad = sim_core::Scenario::from_json(&text.replace("\"workers\":", "\"machine\": \"m.tiny\", \"workers\":"));
    assert!(bad.is_err_and(|e| e.path.ends_with(".machine") && e.message.contains("m.tiny")));
}

/// Readers → a cache of `capacity` keys (on `machine`, if any) → a database.
fn cached(capacity: u32, machine: Option<&str>) -> serde_json::Value {
    let mut cache = json!({ "capacity_keys": capacity });
    if let Some(m) = machine {
        cache["machine"] = json!(m);
    }
    json!({ "version": 4, "nodes": [
        { "id": "users", "kind": { "client": { "rate_rps": 200, "keys": { "zipf": { "key_count": 10000, "s": 1.0 } } } } },
        { "id": "cache", "kind": { "cache": cache } },
        { "id": "db", "kind": { "database": { "max_connections": 8, "queue_capacity": 100,
            "read_service_time": { "exponential": { "mean_ms": 10 } },
            "write_service_time": { "exponential": { "mean_ms": 10 } } } } } ],
        "edges": [ { "from": "users", "to": "cache" }, { "from": "cache", "to": "db" } ] })
}

#[test]
fn cache_memory_bounds_the_capacity_and_a_larger_one_is_refused_naming_the_field() {
    // 16 KiB an entry: m.small's 2 GiB hold 131 072 entries, m.large's 8 GiB 524 288.
    assert_eq!(machine("m.small").unwrap().cache_entries(), 131_072);
    assert_eq!(machine("m.large").unwrap().cache_entries(), 524_288);
    assert!(sim_core::Scenario::from_json(&cached(131_072, Some("m.small")).to_string()).is_ok());
    let e = sim_core::Scenario::from_json(&cached(131_073, Some("m.small")).to_string()).unwrap_err();
    assert_eq!(e.path, "nodes[1].kind.cache.capacity_keys", "{e}");
    assert!(e.to_string().contains("at most 131072 on m.small (2 GiB at 16 KiB an entry)"), "{e}");
    let e = sim_core::Scenario::from_json(&cached(1000, Some("m.huge")).to_string()).unwrap_err();
    assert_eq!(e.path, "nodes[1].kind.cache.machine", "{e}");
    // Without a machine any capacity up to the key limit is allowed, as in version 3.
    assert!(sim_core::Scenario::from_json(&cached(1_000_000, None).to_string()).is_ok());
    // An edit that grows the capacity past the memory is refused too.
    let mut sim = sim_core::Sim::new(&scenario(cached(1000, Some("m.small")))).unwrap();
    let kind: sim_core::NodeKind =
        serde_json::from_value(json!({ "cache": { "capacity_keys": 200_000, "machine": "m.small" } })).unwrap();
    let e = sim.apply(sim_core::Command::ReconfigureNode { id: "cache".into(), kind }).unwrap_err();
    assert!(e.path.ends_with("kind.cache.capacity_keys"), "{e}");
}

#[test]
fn cache_memory_set_machine_moves_a_cache_only_where_it_fits_and_the_cost_follows() {
    let mut sim = sim_core::Sim::new(&scenario(cached(200_000, Some("m.large")))).unwrap();
    sim.step_until(sim_core::SimTime::from_secs_f64(5.0), u64::MAX);
    let month = |m: &str| machine(m).unwrap().usd_per_month();
    let cost = |sim: &sim_core::Sim| node(&sim.snapshot(), "cache").monthly_cost_usd;
    assert!((cost(&sim) - month("m.large")).abs() < 1e-9, "{}", cost(&sim));
    assert_eq!(node(&sim.snapshot(), "cache").machine.as_deref(), Some("m.large"));
    // Scale down: 200 000 entries do not fit in m.small's 131 072.
    let down = sim_core::Command::SetMachine { id: "cache".into(), machine: "m.small".into() };
    let e = sim.apply(down).unwrap_err();
    assert!(e.to_string().contains("at most 131072 on m.small"), "{e}");
    assert_eq!(node(&sim.snapshot(), "cache").machine.as_deref(), Some("m.large"));
    // Scale up: the price of the bigger box.
    sim.apply(sim_core::Command::SetMachine { id: "cache".into(), machine: "m.xlarge".into() }).unwrap();
    assert!((cost(&sim) - month("m.xlarge")).abs() < 1e-9, "{}", cost(&sim));
    assert_eq!(node(&sim.snapshot(), "cache").machine.as_deref(), Some("m.xlarge"));
}

#[test]
fn cache_memory_without_a_machine_keeps_the_version_3_price_and_the_machine_changes_no_number_but_the_cost() {
    let (plain, boxed) = (scenario(cached(5000, None)), scenario(cached(5000, Some("m.small"))));
    let (a, b) = (run(&plain, 3, 30.0), run(&boxed, 3, 30.0));
    // The price by the key: $0.017 an hour plus $0.051 per million keys.
    let by_key = (0.017 + 0.051 * 5000.0 / 1e6) * sim_core::machines::HOURS_PER_MONTH;
    assert!((node(&a, "cache").monthly_cost_usd - by_key).abs() < 1e-9);
    assert_eq!(node(&a, "cache").machine, None);
    assert!((node(&b, "cache").monthly_cost_usd - machine("m.small").unwrap().usd_per_month()).abs() < 1e-9);
    let (ca, cb) = (node(&a, "cache").cache.clone().unwrap(), node(&b, "cache").cache.clone().unwrap());
    assert!(ca.hits > 1000);
    assert_eq!((ca.hits, ca.misses, ca.evictions), (cb.hits, cb.misses, cb.evictions));
    assert_eq!((a.global.completed, a.global.latency.p99_ms), (b.global.completed, b.global.latency.p99_ms));
}
