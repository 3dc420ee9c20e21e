//! `simulate grade CHALLENGE SUBMISSIONS…`: grades many designs (files, share links, folders
//! of them) under a challenge's trial, every (submission, seed) run in parallel, and prints a
//! table, with `--csv FILE` a CSV and with `--json` JSON. See docs/runner.md § Grading.

use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use sim_core::challenge::{challenge, judge, run_trial, Grade, TrialRun, CHALLENGES};
use sim_core::seeds::seed_list;
use sim_core::Scenario;

use super::{fmt, load};

/// The challenge: a challenge file (or link), or the id of a campaign challenge.
fn load_challenge(arg: &str) -> Result<Scenario, String> {
    let sc = match challenge(arg) {
        Some(c) if !Path::new(arg).exists() => c.scenario().map_err(|e| format!("error: challenge {arg}: {e}"))?,
        _ => load(arg).map_err(|e| {
            let ids: Vec<&str> = CHALLENGES.iter().map(|c| c.id).collect();
            format!("{e}\n(CHALLENGE is a challenge file or one of: {})", ids.join(", "))
        })?,
    };
    if sc.challenge.is_none() {
        return Err(format!("error: {arg}: the scenario has no `challenge` section"));
    }
    Ok(sc)
}

/// Every submission the arguments name: files, links, and the `*.json` / `*.txt` files of
/// folders (in name order). A `.txt` file holds a share link.
fn expand(args: &[String]) -> Vec<(String, Result<Scenario, String>)> {
    let mut out = Vec::new();
    for arg in args {
        let path = Path::new(arg);
        if path.is_dir() {
            let mut files: Vec<PathBuf> = match std::fs::read_dir(path) {
                Ok(entries) => entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "json" || x == "txt"))
                    .collect(),
                Err(e) => {
                    out.push((arg.clone(), Err(format!("cannot read the folder: {e}"))));
                    continue;
                }
            };
            files.sort();
            out.extend(files.iter().map(|f| (f.display().to_string(), load_file(f))));
        } else if path.is_file() {
            out.push((arg.clone(), load_file(path)));
        } else {
            let name = if arg.chars().count() > 40 {
                format!("{}…", arg.chars().take(40).collect::<String>())
            } else {
                arg.clone()
            };
            out.push((name, load(arg).map_err(strip)));
        }
    }
    out
}

fn strip(e: String) -> String {
    e.strip_prefix("error: ").map(str::to_string).unwrap_or(e)
}

fn load_file(path: &Path) -> Result<Scenario, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read it: {e}"))?;
    if path.extension().is_some_and(|x| x == "txt") {
        return sim_core::decode_link(text.trim()).map_err(|e| e.to_string());
    }
    Scenario::from_json(&text).map_err(|e| e.to_string())
}

/// One row: a submission and its grade, or why it could not be graded.
#[derive(Serialize)]
struct Row {
    submission: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    grade: Option<Grade>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// Grades every submission; `Err` only when the challenge or the CSV cannot be used.
pub fn run(challenge: &str, submissions: &[String], csv: Option<&Path>, json: bool) -> Result<(), String> {
    let sc = load_challenge(challenge)?;
    let ch = sc.challenge.as_ref().ok_or("error: no challenge section")?;
    let seeds = seed_list(ch.trial.seed, ch.trial.seeds);
    let subs = expand(submissions);
    let jobs: Vec<(usize, u64)> = subs
        .iter()
        .enumerate()
        .filter(|(_, s)| s.1.is_ok())
        .flat_map(|(i, _)| seeds.iter().map(move |s| (i, *s)))
        .collect();
    let runs: Vec<(usize, Result<TrialRun, String>)> = jobs
        .par_iter()
        .map(|&(i, seed)| {
            let Ok(design) = &subs[i].1 else { unreachable!("only loaded submissions run") };
            (i, run_trial(&sc, design, seed).map_err(|e| e.to_string()))
        })
        .collect();
    let rows: Vec<Row> = subs
        .iter()
        .enumerate()
        .map(|(i, (name, design))| {
            let graded = design.as_ref().map_err(Clone::clone).and_then(|d| {
                let mine: Vec<TrialRun> =
                    runs.iter().filter(|r| r.0 == i).map(|r| r.1.clone()).collect::<Result<_, _>>()?;
                judge(&sc, d, &mine).map_err(|e| e.to_string())
            });
            match graded {
                Ok(g) => Row { submission: name.clone(), grade: Some(g), error: None },
                Err(e) => Row { submission: name.clone(), grade: None, error: Some(e) },
            }
        })
        .collect();
    let names = criterion_names(&sc);
    if let Some(path) = csv {
        write_csv(path, &names, &rows).map_err(|e| format!("error: --csv {}: {e}", path.display()))?;
    }
    if json {
        #[derive(Serialize)]
        struct Out<'a> {
            challenge: &'a str,
            title: &'a str,
            seeds: &'a [u64],
            submissions: &'a [Row],
        }
        let out = Out { challenge: &ch.id, title: &ch.title, seeds: &seeds, submissions: &rows };
        println!("{}", serde_json::to_string_pretty(&out).map_err(|e| format!("error: {e}"))?);
        return Ok(());
    }
    println!("challenge  {} — {} ({} seeds from {})", ch.id, ch.title, seeds.len(), ch.trial.seed);
    let width = rows.iter().map(|r| r.submission.chars().count()).max().unwrap_or(10).clamp(10, 60);
    print!("{:<width$} {:>5} {:>5}", "submission", "pass", "score");
    for n in &names {
        print!(" {n:>16}");
    }
    println!("  first failure");
    for r in &rows {
        print!("{:<width$}", r.submission);
        match (&r.grade, &r.error) {
            (Some(g), _) => {
                print!(" {:>5} {:>5}", if g.pass { "yes" } else { "no" }, g.score);
                for n in &names {
                    print!(" {:>16}", measured(g, n).map_or(String::new(), fmt));
                }
                println!("  {}", first_failure(g));
            }
            (None, e) => println!(" {:>5} {:>5}  error: {}", "error", "", e.as_deref().unwrap_or_default()),
        }
    }
    Ok(())
}

/// The criteria the challenge sets, in the grade's order.
fn criterion_names(sc: &Scenario) -> Vec<&'static str> {
    let Some(c) = &sc.challenge else { return Vec::new() };
    let g = &c.goal;
    [
        ("p99_ms", g.p99_ms.is_some()),
        ("error_rate_pct", g.error_rate_pct.is_some()),
        ("availability_pct", g.availability_pct.is_some()),
        ("budget_usd_month", g.budget_usd_month.is_some()),
        ("max_nodes", c.limits.max_nodes.is_some()),
        ("kinds", c.limits.kinds.is_some()),
    ]
    .into_iter()
    .filter_map(|(n, set)| set.then_some(n))
    .collect()
}

/// The median measure of criterion `name`.
fn measured(g: &Grade, name: &str) -> Option<f64> {
    g.criteria.iter().find(|c| c.name == name).map(|c| c.measured.median)
}

fn first_failure(g: &Grade) -> String {
    match &g.first_failure {
        None => String::new(),
        Some(f) => match (f.at_s, f.seed) {
            (Some(t), Some(s)) => format!("{} at {t} s (seed {s})", f.criterion),
            _ => format!("{} (the design as a whole)", f.criterion),
        },
    }
}

/// A CSV cell, quoted when it holds a comma, a quote or a line break.
fn cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn write_csv(path: &Path, names: &[&str], rows: &[Row]) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut header = vec!["submission", "pass", "score"];
    header.extend(names);
    header.extend(["first_failure", "first_failure_at_s", "error"]);
    writeln!(out, "{}", header.join(","))?;
    for r in rows {
        let mut cells = vec![cell(&r.submission)];
        match &r.grade {
            Some(g) => {
                cells.push(g.pass.to_string());
                cells.push(g.score.to_string());
                cells.extend(names.iter().map(|n| measured(g, n).map_or(String::new(), |v| v.to_string())));
                let f = g.first_failure.as_ref();
                cells.push(f.map_or(String::new(), |f| f.criterion.clone()));
                cells.push(f.and_then(|f| f.at_s).map_or(String::new(), |t| t.to_string()));
                cells.push(String::new());
            }
            None => {
                cells.push("error".into());
                cells.extend(std::iter::repeat_n(String::new(), names.len() + 3));
                cells.push(cell(r.error.as_deref().unwrap_or_default()));
            }
        }
        writeln!(out, "{}", cells.join(","))?;
    }
    out.flush()
}
