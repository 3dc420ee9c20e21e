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

/// Erlang C: the probability that an arrival waits in M/M/c (offered load a = λ/μ < c).
fn erlang_c(c: u32, a: f64) -> f64 {
    let (mut term, mut sum) = (1.0, 1.0);
    for k in 1..c {
        term *= a / f64::from(k);
        sum += term;
    }
    let last = term * a / f64::from(c) * f64::from(c) / (f64::from(c) - a);
    last / (sum + last)
}

/// P(sojourn > t) in M/M/c: no wait (service only) or an exponential wait at rate cμ − λ
/// followed by the exponential service.
fn mmc_tail(c: u32, lambda: f64, mu: f64, t: f64) -> f64 {
    let pw = erlang_c(c, lambda / mu);
    let a = f64::from(c) * mu - lambda;
    let both = (a * (-mu * t).exp() - mu * (-a * t).exp()) / (a - mu);
    (1.0 - pw) * (-mu * t).exp() + pw * both
}

fn bisect(mut lo: f64, mut hi: f64, f: impl Fn(f64) -> bool) -> f64 {
    for _ in 0..100 {
        let mid = (lo + hi) / 2.0;
        if f(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    (lo + hi) / 2.0
}

#[test]
fn a_rate_sweep_finds_the_mmc_knee_of_the_p99_slo() {
    // M/M/4, exponential 4 ms service (μ = 250/s): the rate at which the p99 sojourn is 40 ms.
    let (c, mu, slo_ms) = (4, 250.0, 40.0);
    let p99_ms = |lambda: f64| 1000.0 * bisect(0.0, 10.0, |t| mmc_tail(c, lambda, mu, t) < 0.01);
    let knee = bisect(1.0, 999.0, |lambda| p99_ms(lambda) > slo_ms);
    let file = scenario("mmc.json");
    let args =
        [file.as_str(), "--sweep", "users.rate=640..960:5", "--seeds", "3", "--duration-s", "30", "--slo-p99-ms", "40"];
    let mut with_json = args.to_vec();
    with_json.push("--json");
    let out = json(&with_json);
    assert_eq!(out, json(&with_json), "the same arguments give the same sweep");
    let points = out["points"].as_array().unwrap();
    let rates: Vec<f64> = points.iter().map(|p| p["value"].as_f64().unwrap()).collect();
    assert_eq!(rates, [640.0, 720.0, 800.0, 880.0, 960.0]);
    let p99: Vec<f64> = points.iter().map(|p| p["figures"]["latency_p99_ms"]["median"].as_f64().unwrap()).collect();
    assert!(p99.windows(2).all(|w| w[1] > w[0]), "p99 rises with load: {p99:?}");
    for (r, p) in rates.iter().zip(&p99) {
        let theory = p99_ms(*r);
        assert!((p - theory).abs() < 0.25 * theory, "p99 at {r}/s: {p} ms, M/M/4 {theory} ms");
    }
    let found = out["knee"]["value"].as_f64().unwrap();
    assert_eq!(out["knee"]["direction"], "above");
    assert!((found - knee).abs() < 0.1 * knee, "knee at {found}/s, M/M/4 at {knee}/s");
    let text = simulate(&args);
    let line = text.lines().find(|l| l.starts_with("knee")).unwrap();
    assert!(line.contains("breaks the 40 ms SLO above users.rate = "), "{line}");
}

#[test]
fn a_sweep_writes_its_csv_and_steps_machines_through_the_catalogue() {
    let path = std::env::temp_dir().join(format!("simulate-sweep-{}.csv", std::process::id()));
    let file = scenario("mmc.json");
    let p = path.to_str().unwrap();
    simulate(&[&file, "--sweep", "web.machine=m.large..m.2xlarge", "--duration-s", "3", "--sweep-csv", p]);
    let csv = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).ok();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header.len(), 1 + 7 * 3);
    assert_eq!(&header[..4], ["value", "latency_p50_ms.median", "latency_p50_ms.lo", "latency_p50_ms.hi"]);
    let values: Vec<&str> = lines.map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(values, ["m.large", "m.xlarge", "m.2xlarge"]);
}

#[test]
fn sweep_errors_name_the_option_and_the_fault() {
    let file = scenario("mmc.json");
    for (spec, want) in [
        ("nope.rate=1..2", "no node `nope`"),
        ("web.rate=1..2", "`rate` is not a parameter of web (a server)"),
        ("users.rate=5..2", "FROM < TO"),
        ("users.rate=1..x", "must be numbers"),
        ("users.rate=1..9:1", "STEPS"),
        ("web.machine=m.huge..m.large", "no machine `m.huge`"),
        ("users.rate", "NODE.PARAM=FROM..TO"),
    ] {
        let out = Command::new(BIN).args([&file, "--sweep", spec]).output().unwrap();
        assert!(!out.status.success(), "{spec}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(&format!("--sweep {spec}")) && err.contains(want), "{spec}: {err}");
    }
}

#[test]
fn a_group_size_sweep_fixes_the_size_and_finds_where_p99_meets_the_scenario_slo() {
    // The SLO comes from the file's metrics.slo_p99_ms.
    let mut design: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(scenario("autoscale.json")).unwrap()).unwrap();
    design["metrics"]["slo_p99_ms"] = serde_json::json!(100);
    let path = std::env::temp_dir().join(format!("cli-sweep-group-{}.json", std::process::id()));
    std::fs::write(&path, design.to_string()).unwrap();
    let file = path.to_str().unwrap();
    let out = json(&[file, "--sweep", "asg.instances=1..4:4", "--duration-s", "10", "--json"]);
    std::fs::remove_file(&path).ok();
    assert_eq!(out["knee"]["slo_p99_ms"].as_f64(), Some(100.0));
    let p99: Vec<f64> = out["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["figures"]["latency_p99_ms"]["median"].as_f64().unwrap())
        .collect();
    assert!(p99.windows(2).all(|w| w[1] < w[0]), "more instances, lower p99: {p99:?}");
    assert_eq!(out["knee"]["direction"], "below");
    let at = out["knee"]["value"].as_f64().unwrap();
    assert!((1.0..2.0).contains(&at), "p99 first meets 100 ms between 1 and 2 instances: {at}");
}

#[test]
fn grade_grades_a_folder_of_files_and_links_into_a_table_and_a_csv() {
    let dir = std::env::temp_dir().join(format!("simulate-grade-{}", std::process::id()));
    let subs = dir.join("class");
    std::fs::create_dir_all(&subs).unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let reference = std::fs::read_to_string(format!("{root}/tests/fixtures/challenges/one-box.json")).unwrap();
    let start = sim_core::challenge::challenge("one-box").unwrap().json;
    std::fs::write(subs.join("ada.json"), &reference).unwrap();
    std::fs::write(subs.join("bob.json"), start).unwrap();
    let link = sim_core::encode_link(&sim_core::Scenario::from_json(&reference).unwrap());
    std::fs::write(subs.join("cy.txt"), format!("https://example.org/play/#s={link}\n")).unwrap();
    std::fs::write(subs.join("dee.json"), "{ \"version\": 4, \"nodes\": [ { \"id\": \"web\" } ] }").unwrap();
    std::fs::write(subs.join("notes.md"), "not a submission").unwrap();
    let csv = dir.join("grades.csv");
    let extra = format!("{}", dir.join("missing.json").display());
    let out = simulate(&["grade", "one-box", subs.to_str().unwrap(), &extra, "--csv", csv.to_str().unwrap()]);
    let row =
        |name: &str| out.lines().find(|l| l.contains(name)).unwrap_or_else(|| panic!("{name}:\n{out}")).to_string();
    assert!(out.lines().nth(1).unwrap().starts_with("submission"), "{out}");
    assert!(row("ada.json").split_whitespace().skip(1).take(2).eq(["yes", "100"]), "{out}");
    assert!(row("bob.json").contains(" no ") && row("bob.json").contains("budget_usd_month"), "{out}");
    assert!(row("cy.txt").contains(" yes "), "a link file grades like its design:\n{out}");
    assert!(row("dee.json").contains("error: nodes[0]"), "{out}");
    assert!(row("missing.json").contains("error"), "{out}");
    assert!(!out.contains("notes.md"));
    let text = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "submission,pass,score,p99_ms,error_rate_pct,budget_usd_month,max_nodes,kinds,first_failure,first_failure_at_s,error"
    );
    assert_eq!(lines.len(), 6, "{text}");
    let cells = |i: usize| lines[i].split(',').map(str::to_string).collect::<Vec<_>>();
    let (ada, bob) = (cells(1), cells(2));
    assert!(ada[0].ends_with("ada.json") && ada[1] == "true" && ada[2] == "100", "{text}");
    let cost: f64 = ada[5].parse().unwrap();
    assert!((cost - 36.792).abs() < 0.01, "one m.small: {cost}");
    assert!(bob[1] == "false" && bob[8] == "budget_usd_month" && bob[9].is_empty(), "{text}");
    assert_eq!(cells(3)[..3], [cells(3)[0].clone(), "true".into(), "100".into()]);
    assert!(lines[4].contains(",error,") && lines[4].contains("nodes[0]"), "{text}");
    // The same grading as JSON, with every criterion's numbers.
    let j = json(&["grade", "one-box", subs.join("ada.json").to_str().unwrap(), "--json"]);
    assert_eq!(j["seeds"], serde_json::json!([1, 2, 3, 4, 5]));
    let g = &j["submissions"][0]["grade"];
    assert_eq!(g["pass"], true);
    assert_eq!(g["criteria"][0]["name"], "p99_ms");
    assert_eq!(g["criteria"][0]["per_seed"].as_array().unwrap().len(), 5);
    let bad = Command::new(BIN).args(["grade", "no-such-challenge", subs.to_str().unwrap()]).output().unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("one-box"), "the error lists the campaign");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The page builds its CSV from one snapshot of a run stepped as the frame loop steps it;
/// the runner gathers it window by window. Both go through `sim_core::series`, byte for byte.
#[test]
fn series_csv_equals_the_library_s_for_the_same_scenario_and_seed() {
    for (file, seed) in [
        (scenario("retry-storm.json"), 3u64),
        (format!("{}/presets/url-shortener.json", env!("CARGO_MANIFEST_DIR")), 11),
    ] {
        let path = std::env::temp_dir().join(format!("simulate-lib-series-{}-{seed}.csv", std::process::id()));
        let seed_arg = seed.to_string();
        simulate(&[&file, "--duration-s", "8", "--seed", &seed_arg, "--series", path.to_str().unwrap()]);
        let runner = std::fs::read_to_string(&path).unwrap();
        std::fs::remove_file(&path).ok();
        let sc = sim_core::Scenario::from_json(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let mut sim = sim_core::Sim::with_seed(&sc, seed).unwrap();
        // Uneven steps, as frames are: windows close wherever a step happens to end.
        let mut t = 0.0;
        while t < 8.0 {
            t = f64::min(t + 0.37, 8.0);
            sim.step_until(sim_core::SimTime::from_secs_f64(t), u64::MAX);
        }
        let page = sim_core::series::Series::of_snapshot(&sim.snapshot());
        assert_eq!(page.len(), 8, "{file}: one row per closed window");
        assert_eq!(page.to_csv(), runner, "{file}: the page's CSV is the runner's");
    }
}
