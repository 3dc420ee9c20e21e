//! The `simulate` runner as a course author uses it: seeds, compare, series and links.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_simulate");

fn scenario(name: &str) -> String {
    format!("{}/scenarios/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn simulate(args: &[&str]) -> String {
    let out = Command::new(BIN).args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn digest(text: &str) -> String {
    text.lines().find_map(|l| l.strip_prefix("digest")).unwrap().trim().to_string()
}

fn json(args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&simulate(args)).unwrap()
}

#[test]
fn a_link_gives_the_same_digest_as_its_file() {
    let file = scenario("retry-storm.json");
    let sc = sim_core::Scenario::from_json(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let url = format!("https://example.org/playground/#s={}", sim_core::encode_link(&sc));
    let from_file = digest(&simulate(&[&file, "--duration-s", "5"]));
    assert_eq!(digest(&simulate(&[&url, "--duration-s", "5"])), from_file);
    assert_eq!(digest(&simulate(&[&sim_core::encode_link(&sc), "--duration-s", "5"])), from_file);
}

#[test]
fn seeds_equal_the_single_runs_and_repeat() {
    let file = scenario("retry-storm.json");
    let args = [file.as_str(), "--duration-s", "15", "--seed", "5", "--seeds", "3", "--json"];
    let multi = json(&args);
    assert_eq!(multi, json(&args), "--seeds is deterministic");
    let runs = multi["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 3);
    let mut completed = Vec::new();
    for (i, run) in runs.iter().enumerate() {
        let seed = (5 + i).to_string();
        let one = json(&[&file, "--duration-s", "15", "--seed", &seed, "--json"]);
        assert_eq!(run["seed"].as_u64(), Some(5 + i as u64));
        assert_eq!(run["digest"], one["digest"]);
        let c = one["snapshot"]["global"]["completed"].as_f64().unwrap();
        assert_eq!(run["figures"]["completed"].as_f64(), Some(c));
        completed.push(c);
    }
    completed.sort_by(f64::total_cmp);
    let f = &multi["figures"]["completed"];
    assert_eq!(f["median"].as_f64(), Some(completed[1]));
    // 2.5th and 97.5th percentiles of three values, interpolated between order statistics.
    assert_eq!(f["lo"].as_f64(), Some(completed[0] + 0.05 * (completed[1] - completed[0])));
    assert_eq!(f["hi"].as_f64(), Some(completed[1] + 0.95 * (completed[2] - completed[1])));
}

#[test]
fn compare_reports_b_minus_a_on_the_same_seeds() {
    let (a, b) = (scenario("mm1.json"), scenario("mmc.json"));
    let out = json(&["compare", &a, &b, "--duration-s", "5", "--seeds", "2", "--json"]);
    assert_eq!(out["seeds"].as_array().unwrap().len(), 2);
    let ra = out["runs_a"].as_array().unwrap();
    let rb = out["runs_b"].as_array().unwrap();
    let diffs: Vec<f64> = ra
        .iter()
        .zip(rb)
        .map(|(x, y)| y["figures"]["completed"].as_f64().unwrap() - x["figures"]["completed"].as_f64().unwrap())
        .collect();
    let d = &out["figures"]["completed"]["diff"];
    assert_eq!(d["median"].as_f64(), Some((diffs[0] + diffs[1]) / 2.0));
    let seed = ra[0]["seed"].as_u64().unwrap().to_string();
    let one = json(&[&b, "--duration-s", "5", "--seed", &seed, "--json"]);
    assert_eq!(rb[0]["digest"], one["digest"]);
    let text = simulate(&["compare", &a, &b, "--duration-s", "5"]);
    assert!(text.lines().any(|l| l.starts_with("latency_p95_ms")), "{text}");
}

#[test]
fn series_writes_the_header_and_one_row_per_window() {
    let path = std::env::temp_dir().join(format!("simulate-series-{}.csv", std::process::id()));
    let file = scenario("retry-storm.json");
    let plain = digest(&simulate(&[&file, "--duration-s", "12"]));
    let with = digest(&simulate(&[&file, "--duration-s", "12", "--series", path.to_str().unwrap()]));
    assert_eq!(with, plain, "writing the series does not change the run");
    let csv = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).ok();
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    assert_eq!(
        header,
        "t_s,completed,failed,availability,rps,error_rate,p50_ms,p95_ms,p99_ms,in_flight,\
         users.rps,users.errors_per_s,users.p95_ms,users.utilisation,users.queue_len,\
         web.rps,web.errors_per_s,web.p95_ms,web.utilisation,web.queue_len"
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 12);
    for (i, r) in rows.iter().enumerate() {
        let cells: Vec<&str> = r.split(',').collect();
        assert_eq!(cells.len(), 20);
        assert_eq!(cells[0], (i + 1).to_string());
    }
}

#[test]
fn errors_name_the_option() {
    let out = Command::new(BIN).args([&scenario("mm1.json"), "--seeds", "0"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--seeds"));
    let out = Command::new(BIN).args(["no-such-file.json"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read no-such-file.json"));
}

#[test]
fn the_failed_by_line_names_the_resilience_causes_once_they_occur() {
    // The resilience preset's storm, with a breaker on the web server's calls.
    let text = std::fs::read_to_string(format!("{}/presets/resilience.json", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let mut design: serde_json::Value = serde_json::from_str(&text).unwrap();
    design["edges"][1]["breaker"] = serde_json::json!({ "failure_rate": 0.5 });
    let file = std::env::temp_dir().join(format!("cli-breaker-{}.json", std::process::id()));
    std::fs::write(&file, design.to_string()).unwrap();
    let out = simulate(&[file.to_str().unwrap(), "--duration-s", "40"]);
    std::fs::remove_file(&file).unwrap();
    let line = out.lines().find(|l| l.starts_with("failed by")).unwrap();
    assert!(line.contains("· circuit open "), "{line}");
    assert!(!line.contains("shed"), "a cause that did not occur is left out: {line}");
    let plain = simulate(&[&scenario("mm1.json"), "--duration-s", "5"]);
    let line = plain.lines().find(|l| l.starts_with("failed by")).unwrap();
    assert!(!line.contains("circuit open"), "{line}");
}

#[test]
fn explain_prints_the_culprit_and_the_tail_by_node() {
    let out = simulate(&[&scenario("tandem.json"), "--duration-s", "20", "--explain"]);
    let culprit = out.lines().find_map(|l| l.strip_prefix("culprit")).expect("a culprit line");
    assert!(culprit.trim().contains("% of the p99 is waiting in"), "{out}");
    for node in ["web", "db"] {
        assert!(out.lines().any(|l| l.starts_with("tail") && l.split_whitespace().nth(1) == Some(node)), "{out}");
    }
    let v = json(&[&scenario("tandem.json"), "--duration-s", "5", "--explain", "--json"]);
    assert!(v["explain"]["tail"]["requests"].as_u64().unwrap() >= 1, "{v}");
}

#[test]
fn stop_on_condition_stops_at_the_first_window_that_holds() {
    let file = scenario("retry-storm.json");
    let mut v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    v["pause_on"] = serde_json::json!([{ "node_down": "web" }, { "p99_ms_above": 300 }]);
    let path = std::env::temp_dir().join(format!("pause-{}.json", std::process::id()));
    std::fs::write(&path, v.to_string()).unwrap();
    let p = path.to_str().unwrap();
    let out = simulate(&[p, "--stop-on-condition"]);
    assert!(out.lines().next().unwrap().starts_with("paused at 2.0 s: p99 "), "{out}");
    let j = json(&[p, "--stop-on-condition", "--json"]);
    assert_eq!((j["paused"]["t_s"].as_f64(), j["paused"]["condition"].as_u64()), (Some(2.0), Some(1)), "{j}");
    // Without the flag the run goes to its end (the pause is a line of its log).
    let plain = simulate(&[p, "--duration-s", "5"]);
    assert!(plain.starts_with("scenario") && plain.contains("5 s simulated"), "{plain}");
    assert!(plain.contains("log        paused at 2.0 s: p99 "), "{plain}");
    std::fs::remove_file(&path).ok();
}
