//! Headless runner for course authors: runs a scenario (a JSON file or a share link) without
//! the UI, over one seed or many in parallel, compares two designs, and writes the time
//! series as CSV, and grades designs under a challenge. See docs/runner.md.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use serde::Serialize;
use sim_core::explain::Explanation;
use sim_core::seeds::{seed_list, spread, Spread, FIGURES};
use sim_core::series::Series;
use sim_core::{decode_link, run_headless_pausing, Availability, ErrorCounts, Pause, Scenario, Sim, Summary};

#[path = "simulate/grade.rs"]
mod grade;
#[path = "simulate/sweep.rs"]
mod sweep;

const INTERVAL_NOTE: &str = "With --seeds N the runner runs seeds S, S+1, … S+N−1 (S: --seed or the \
scenario's seed) in parallel and reports, per figure, the median of the per-seed values and the \
95 % range: the 2.5th to 97.5th percentile of the per-seed values (linear interpolation between \
order statistics). `compare` runs both designs on the same seeds and reports B − A per seed.";

#[derive(Parser)]
#[command(
    name = "simulate",
    version,
    about = "Runs a system-design scenario headless and prints its figures",
    after_help = INTERVAL_NOTE,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Scenario: a JSON file, a share link (a URL with `#s=`) or a bare link payload.
    #[arg(value_name = "SCENARIO", required = true)]
    scenario: Option<String>,
    /// Write the time series to this CSV file: one row per window, global and per node
    /// columns (see docs/runner.md). Single seed only.
    #[arg(long, value_name = "FILE.csv", conflicts_with = "seeds")]
    series: Option<PathBuf>,
    /// Print where the slowest 1 % of the sampled requests spent their time, node by node,
    /// beside the median one, the culprit in a sentence, and the failures each node produced
    /// by cause. Single seed only.
    #[arg(long, conflicts_with = "seeds")]
    explain: bool,
    /// Stop at the end of the first window where one of the design's pause conditions
    /// (`pause_on`) holds, printing which and why. Single seed only.
    #[arg(long = "stop-on-condition", conflicts_with = "seeds")]
    stop_on_condition: bool,
    /// Runs the design at each value of one parameter: `NODE.PARAM=FROM..TO:STEPS` (STEPS
    /// values, default 10), or `NODE.machine=SMALL..BIG` through the machine catalogue.
    /// Parameters: client `rate`; server `workers`, `machine`; database `machine`; cache
    /// `capacity`, `ttl`; autoscaling_group `instances`, `workers`, `machine`.
    #[arg(long, value_name = "NODE.PARAM=FROM..TO:STEPS", conflicts_with = "series")]
    sweep: Option<String>,
    /// With --sweep: write the sweep as CSV (value, then each figure's median, lo, hi).
    #[arg(long = "sweep-csv", value_name = "FILE.csv", requires = "sweep")]
    sweep_csv: Option<PathBuf>,
    /// With --sweep: the p99 SLO, ms (default: the scenario's `metrics.slo_p99_ms`); the sweep
    /// names the value where the median p99 crosses it.
    #[arg(long = "slo-p99-ms", value_name = "MS", requires = "sweep", value_parser = positive_ms)]
    slo_p99_ms: Option<f64>,
    #[command(flatten)]
    run: RunArgs,
}

/// What a single run reports beside its summary.
#[derive(Clone, Copy)]
struct Extras {
    explain: bool,
    stop_on_condition: bool,
}

fn positive_ms(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err("must be a number of milliseconds above 0".into()),
    }
}

#[derive(Subcommand)]
enum Command {
    /// Runs designs A and B on the same seeds and prints the differences B − A per figure.
    Compare {
        /// Design A: a JSON file or a share link.
        #[arg(value_name = "A")]
        a: String,
        /// Design B: a JSON file or a share link.
        #[arg(value_name = "B")]
        b: String,
        #[command(flatten)]
        run: RunArgs,
    },
    /// Grades designs under a challenge's trial, in parallel, and prints a table (see
    /// docs/runner.md § Grading).
    Grade {
        /// The challenge: a challenge file, or the id of a campaign challenge (e.g. one-box).
        #[arg(value_name = "CHALLENGE")]
        challenge: String,
        /// Submissions: JSON files, share links, `.txt` files holding a link, and folders of
        /// them (every `*.json` and `*.txt` inside).
        #[arg(value_name = "SUBMISSIONS", required = true, num_args = 1..)]
        submissions: Vec<String>,
        /// Also write the table as CSV: submission, pass, score, each criterion's median
        /// measure, first_failure, first_failure_at_s, error.
        #[arg(long, value_name = "FILE.csv")]
        csv: Option<PathBuf>,
        /// Print JSON instead of the table.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Clone, Copy)]
struct RunArgs {
    /// Root seed (default: the scenario's seed; with --seeds, the first seed).
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Simulated seconds (default: the scenario's duration).
    #[arg(long = "duration-s", value_name = "S")]
    duration_s: Option<f64>,
    /// Number of seeds to run in parallel (1–10000); prints medians and 95 % ranges.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=10_000))]
    seeds: Option<u32>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

fn looks_like_link(arg: &str) -> bool {
    arg.contains("#s=")
        || arg.contains("://")
        || (arg.len() >= 16 && arg.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
}

/// A scenario from a JSON file or a share link.
fn load(arg: &str) -> Result<Scenario, String> {
    let path = std::path::Path::new(arg);
    if !path.is_file() && looks_like_link(arg) {
        return decode_link(arg).map_err(|e| format!("error: the link: {e}"));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("error: cannot read {arg}: {e}"))?;
    Scenario::from_json(&text).map_err(|e| format!("error: {arg}: {e}"))
}

/// The progress bar: on stderr when it is a terminal, shown once a run has taken a second.
struct Progress {
    bar: ProgressBar,
    start: Instant,
    terminal: bool,
}

impl Progress {
    fn new(total_s: f64) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(total_s.ceil() as u64), ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} simulated s · {elapsed} · eta {eta}") {
            bar.set_style(style);
        }
        Progress { bar, start: Instant::now(), terminal: std::io::stderr().is_terminal() }
    }

    fn advance(&self, s: u64) {
        if self.terminal && self.bar.is_hidden() && self.start.elapsed() > Duration::from_secs(1) {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        self.bar.inc(s);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// One run's result and, when asked for, its full time series.
struct Run {
    summary: Summary,
    pause: Option<Pause>,
    explanation: Option<Explanation>,
    series: Series,
}

fn duration_of(sc: &Scenario, duration_s: Option<f64>) -> f64 {
    duration_s.or(sc.duration_s).unwrap_or(sim_core::DEFAULT_DURATION_S)
}

fn run_one(
    sc: &Scenario,
    seed: Option<u64>,
    duration_s: Option<f64>,
    series: bool,
    extras: Extras,
    p: &Progress,
) -> Result<Run, String> {
    let total = duration_of(sc, duration_s);
    let step = if series { sc.metrics.window_s } else { (total / 100.0).max(1.0) };
    let mut rows = Series::new();
    let mut done_s = 0u64;
    let mut explanation = None;
    let (summary, pause) = run_headless_pausing(sc, seed, duration_s, step, extras.stop_on_condition, |sim: &Sim| {
        let now = sim.now().as_secs_f64().floor() as u64;
        p.advance(now.saturating_sub(done_s));
        done_s = done_s.max(now);
        if series {
            rows.collect(&sim.snapshot());
        }
        if extras.explain {
            explanation = Some(sim.explain_run());
        }
    })
    .map_err(|e| format!("error: {e}"))?;
    Ok(Run { summary, pause, explanation, series: rows })
}

/// Writes a run's series (see `sim_core::series`).
fn write_series(path: &PathBuf, run: &Run) -> Result<(), String> {
    std::fs::write(path, run.series.to_csv()).map_err(|e| format!("error: --series {}: {e}", path.display()))
}

/// The figures summarised over seeds: name and how to read it from a run.
/// A figure's name and how to read it from a run.
fn seeds_of(sc: &Scenario, args: &RunArgs) -> Vec<u64> {
    seed_list(args.seed.unwrap_or(sc.seed), args.seeds.unwrap_or(1))
}

/// Runs every seed in parallel, in seed order.
fn run_seeds(scs: &[&Scenario], seeds: &[u64], duration_s: Option<f64>) -> Result<Vec<Vec<Summary>>, String> {
    let total: f64 = scs.iter().map(|sc| duration_of(sc, duration_s)).sum::<f64>() * seeds.len() as f64;
    let p = Progress::new(total);
    let jobs: Vec<(usize, u64)> = (0..scs.len()).flat_map(|i| seeds.iter().map(move |s| (i, *s))).collect();
    let out: Result<Vec<Summary>, String> = jobs
        .par_iter()
        .map(|&(i, seed)| {
            run_one(scs[i], Some(seed), duration_s, false, Extras { explain: false, stop_on_condition: false }, &p)
                .map(|r| r.summary)
        })
        .collect();
    p.finish();
    let mut out = out?.into_iter();
    Ok(scs.iter().map(|_| out.by_ref().take(seeds.len()).collect()).collect())
}

#[derive(Serialize)]
struct SeedRun<'a> {
    seed: u64,
    digest: &'a str,
    figures: BTreeMap<&'static str, f64>,
}

fn seed_runs(runs: &[Summary]) -> Vec<SeedRun<'_>> {
    runs.iter()
        .map(|s| SeedRun {
            seed: s.seed,
            digest: &s.digest,
            figures: FIGURES.iter().map(|(n, f)| (*n, f(s))).collect(),
        })
        .collect()
}

fn fmt(v: f64) -> String {
    if v.is_nan() {
        "–".into()
    } else {
        format!("{v:.3}")
    }
}

fn print_seeds(sc: &Scenario, runs: &[Summary], json: bool) -> Result<(), String> {
    let figures: BTreeMap<&str, Spread> = FIGURES.iter().map(|(n, f)| (*n, spread(runs.iter().map(f)))).collect();
    if json {
        #[derive(Serialize)]
        struct Out<'a> {
            scenario: &'a str,
            interval: &'static str,
            figures: &'a BTreeMap<&'static str, Spread>,
            runs: Vec<SeedRun<'a>>,
        }
        let out = Out {
            scenario: &sc.name,
            interval: "2.5-97.5 percentile of per-seed values",
            figures: &figures,
            runs: seed_runs(runs),
        };
        println!("{}", serde_json::to_string_pretty(&out).map_err(|e| format!("error: {e}"))?);
        return Ok(());
    }
    println!(
        "scenario   {} ({} seeds, {} s simulated each)",
        sc.name,
        runs.len(),
        runs.first().map_or(0.0, |r| r.duration_s)
    );
    println!("{:<18} {:>14} {:>14} {:>14}", "figure", "median", "2.5 %", "97.5 %");
    for (n, _) in FIGURES {
        let s = figures[n];
        println!("{n:<18} {:>14} {:>14} {:>14}", fmt(s.median), fmt(s.lo), fmt(s.hi));
    }
    for r in runs {
        println!("seed {} digest {}", r.seed, r.digest);
    }
    Ok(())
}

fn compare(a: &Scenario, b: &Scenario, args: &RunArgs) -> Result<(), String> {
    let seeds = seeds_of(a, args);
    let mut both = run_seeds(&[a, b], &seeds, args.duration_s)?.into_iter();
    let (ra, rb) = (both.next().unwrap_or_default(), both.next().unwrap_or_default());
    #[derive(Serialize)]
    struct Line {
        a: Spread,
        b: Spread,
        diff: Spread,
    }
    let lines: BTreeMap<&str, Line> = FIGURES
        .iter()
        .map(|(n, f)| {
            let diff = spread(ra.iter().zip(&rb).map(|(x, y)| f(y) - f(x)));
            (*n, Line { a: spread(ra.iter().map(f)), b: spread(rb.iter().map(f)), diff })
        })
        .collect();
    if args.json {
        #[derive(Serialize)]
        struct Out<'a> {
            a: &'a str,
            b: &'a str,
            seeds: &'a [u64],
            interval: &'static str,
            figures: &'a BTreeMap<&'static str, Line>,
            runs_a: Vec<SeedRun<'a>>,
            runs_b: Vec<SeedRun<'a>>,
        }
        let out = Out {
            a: &a.name,
            b: &b.name,
            seeds: &seeds,
            interval: "2.5-97.5 percentile of per-seed values; diff is B - A per seed",
            figures: &lines,
            runs_a: seed_runs(&ra),
            runs_b: seed_runs(&rb),
        };
        println!("{}", serde_json::to_string_pretty(&out).map_err(|e| format!("error: {e}"))?);
        return Ok(());
    }
    println!("A          {}", a.name);
    println!("B          {}", b.name);
    println!("seeds      {} (the same for both)", seeds.len());
    if seeds.len() > 1 {
        println!("{:<18} {:>12} {:>12} {:>12} {:>25}", "figure", "A median", "B median", "B − A", "B − A 95 % range");
    } else {
        println!("{:<18} {:>12} {:>12} {:>12}", "figure", "A", "B", "B − A");
    }
    for (n, _) in FIGURES {
        let l = &lines[n];
        print!("{n:<18} {:>12} {:>12} {:>12}", fmt(l.a.median), fmt(l.b.median), fmt(l.diff.median));
        if seeds.len() > 1 {
            print!(" {:>25}", format!("[{}, {}]", fmt(l.diff.lo), fmt(l.diff.hi)));
        }
        println!();
    }
    Ok(())
}

/// "99.93 % — three nines; about 6.1 h a year · budget burnt 70 % of 0.1 %".
fn availability_words(a: Availability, slo: Option<f64>) -> String {
    match a.budget_words(slo) {
        Some(b) => format!("{} · {b}", a.sentence()),
        None => a.sentence(),
    }
}

#[derive(Serialize)]
struct AvailabilityOut {
    completed: u64,
    failed: u64,
    ratio: Option<f64>,
    nines: Option<u32>,
    budget_burnt: Option<f64>,
    text: String,
}

fn availability_out(a: Availability, slo: Option<f64>) -> AvailabilityOut {
    AvailabilityOut {
        completed: a.completed,
        failed: a.failed,
        ratio: a.ratio(),
        nines: a.nines(),
        budget_burnt: slo.and_then(|s| a.budget_burnt(s)),
        text: availability_words(a, slo),
    }
}

fn single(sc: &Scenario, args: &RunArgs, series: Option<&PathBuf>, extras: Extras) -> Result<(), String> {
    let start = Instant::now();
    let p = Progress::new(duration_of(sc, args.duration_s));
    let run = run_one(sc, args.seed, args.duration_s, series.is_some(), extras, &p);
    p.finish();
    let run = run?;
    let wall_s = start.elapsed().as_secs_f64();
    if let Some(path) = series {
        write_series(path, &run)?;
    }
    let slo = sc.metrics.slo_error_rate;
    let summary = &run.summary;
    if args.json {
        #[derive(Serialize)]
        struct Out<'a> {
            #[serde(flatten)]
            summary: &'a Summary,
            availability: AvailabilityOut,
            last_window_availability: AvailabilityOut,
            wall_time_s: f64,
            #[serde(skip_serializing_if = "Option::is_none")]
            paused: Option<PauseOut>,
            #[serde(skip_serializing_if = "Option::is_none")]
            explain: Option<&'a Explanation>,
        }
        #[derive(Serialize)]
        struct PauseOut {
            t_s: f64,
            condition: usize,
            message: String,
        }
        let g = &summary.snapshot.global;
        let out = Out {
            summary,
            availability: availability_out(g.availability(), slo),
            last_window_availability: availability_out(g.window.availability(), slo),
            wall_time_s: wall_s,
            paused: run.pause.as_ref().map(|p| PauseOut { t_s: p.t_s, condition: p.condition, message: p.message() }),
            explain: run.explanation.as_ref(),
        };
        println!("{}", serde_json::to_string_pretty(&out).map_err(|e| format!("error: {e}"))?);
    } else {
        if let Some(pause) = &run.pause {
            println!("{}", pause.message());
        }
        print_text(summary, slo, wall_s);
        if let Some(e) = &run.explanation {
            print!("{}", e.report());
        }
    }
    Ok(())
}

fn errors_line(e: &ErrorCounts) -> String {
    let mut line = format!(
        "timeout {} · queue full {} · rate-limited {} · node down {} · partition {}",
        e.timeout, e.queue_full, e.rate_limited, e.node_down, e.partition
    );
    // The resilience causes are named once they occur, as in the page's errors chart.
    for (name, n) in [("shed", e.shed), ("circuit open", e.circuit_open), ("bulkhead full", e.bulkhead_full)] {
        if n > 0 {
            line.push_str(&format!(" · {name} {n}"));
        }
    }
    line
}

/// The data-tier line of a node, if it has one.
fn print_data(n: &sim_core::NodeView) {
    if let Some(c) = &n.cache {
        println!(
            "  {:<14} hit ratio {:.2}% · keys {}/{} · evictions {} · expired {} · stale hits {} · store requests {} · coalesced {} · flushes {} · lost writes {}",
            "", c.hit_ratio * 100.0, c.keys, c.capacity_keys, c.evictions, c.expirations, c.stale_hits,
            c.store_requests, c.coalesced, c.flushes, c.lost_writes
        );
    }
    if let Some(s) = &n.sessions {
        println!(
            "  {:<14} sessions {} · active {} · logins {} · re-logins {} · lost {}",
            "", s.mode, s.active, s.logins, s.relogins, s.lost
        );
    }
    if let Some(d) = &n.database {
        println!(
            "  {:<14} {} · committed {} · applied {} · lag now {:.1} ms, mean {:.1} ms · reads {} · stale {} · RYW {} · lost {}",
            "", d.role, d.writes_committed, d.writes_applied, d.replication_lag_ms, d.mean_replication_lag_ms,
            d.reads, d.stale_reads, d.ryw_violations, d.lost_writes
        );
    }
    if let Some(v) = &n.shards {
        let shares: Vec<String> =
            v.shards.iter().map(|s| format!("{} {:.1}% ({} keys)", s.id, s.load_share * 100.0, s.keys)).collect();
        println!("  {:<14} load {} · last change moved {} keys", "", shares.join(", "), v.keys_moved_last);
    }
    if let Some(s) = &n.store {
        println!(
            "  {:<14} {} · reads {} · writes {} · refused {} · stale reads {} · conflicts {} · divergent keys {}",
            "", s.mode, s.reads, s.writes, s.refused, s.stale_reads, s.conflicts, s.divergent_keys
        );
    }
    if let Some(q) = &n.message_queue {
        println!(
            "  {:<14} backlog {} · oldest {:.0} ms · acked {}/{} · redeliveries {} · DLQ {} · duplicates {}",
            "", q.backlog, q.oldest_age_ms, q.acknowledged, q.enqueued, q.redeliveries, q.dlq_size, q.duplicates
        );
    }
}

fn print_text(s: &Summary, slo: Option<f64>, wall_s: f64) {
    let g = &s.snapshot.global;
    println!("scenario   {} (seed {}, {} s simulated)", s.scenario, s.seed, s.duration_s);
    println!(
        "requests   arrived {} · completed {} · failed {} · in flight {}",
        g.arrived,
        g.completed,
        g.failed.total(),
        g.in_flight
    );
    println!("failed by  {}", errors_line(&g.failed));
    println!("attempts   {} ({} retries)", g.attempts, g.retries);
    let l = &g.latency;
    println!(
        "latency    mean {:.3} ms · p50 {:.3} · p95 {:.3} · p99 {:.3} · max {:.3} ms",
        l.mean_ms, l.p50_ms, l.p95_ms, l.p99_ms, l.max_ms
    );
    println!("throughput {:.1} rps · mean in flight {:.3}", g.throughput_rps, g.mean_in_flight);
    println!("availability {}", availability_words(g.availability(), slo));
    println!("  last window {}", availability_words(g.window.availability(), slo));
    println!("nodes");
    for n in &s.snapshot.nodes {
        println!(
            "  {:<14} {:<17} util {:>6.2}% · mean queue {:>8.3} · mean in node {:>8.3} · sojourn {:>9.3} ms · done {} · errors {}",
            n.id,
            n.kind,
            n.utilisation * 100.0,
            n.mean_queue_len,
            n.mean_in_flight,
            n.latency.mean_ms,
            n.completed,
            n.errors.total()
        );
        print_data(n);
    }
    let d = &g.data;
    println!(
        "data       stale reads {} · RYW violations {} · lost writes {} · duplicates {} · DLQ {} · conflicts {}",
        d.stale_reads, d.ryw_violations, d.lost_writes, d.duplicates, d.dlq_size, d.conflicts
    );
    if d.sessions_lost + d.relogins > 0 {
        println!("sessions   lost {} · forced re-logins {}", d.sessions_lost, d.relogins);
    }
    println!("cost       ${:.2} per month (estimate)", d.monthly_cost_usd);
    for a in &s.snapshot.alerts {
        println!("ALERT      {}", a.message);
    }
    for l in s.snapshot.log.iter().rev().take(10).rev() {
        println!("log        {}", l.text);
    }
    println!(
        "events     {} in {:.3} s wall ({:.0} events/s)",
        s.snapshot.events_processed,
        wall_s,
        s.snapshot.events_processed as f64 / wall_s.max(1e-9)
    );
    println!("digest     {}", s.digest);
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Some(Command::Compare { a, b, run }) => {
            load(a).and_then(|a| load(b).map(|b| (a, b))).and_then(|(a, b)| compare(&a, &b, run))
        }
        Some(Command::Grade { challenge, submissions, csv, json }) => {
            grade::run(challenge, submissions, csv.as_deref(), *json)
        }
        None => load(cli.scenario.as_deref().unwrap_or_default()).and_then(|sc| {
            let sc = &sc;
            if let Some(spec) = &cli.sweep {
                let sw = sweep::parse(sc, spec)?;
                sweep::run(sc, &sw, &cli.run, cli.slo_p99_ms.or(sc.metrics.slo_p99_ms), cli.sweep_csv.as_deref())
            } else if cli.run.seeds.is_some() {
                let runs = run_seeds(&[sc], &seeds_of(sc, &cli.run), cli.run.duration_s)?;
                print_seeds(sc, &runs[0], cli.run.json)
            } else {
                let extras = Extras { explain: cli.explain, stop_on_condition: cli.stop_on_condition };
                single(sc, &cli.run, cli.series.as_ref(), extras)
            }
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(1)
        }
    }
}
