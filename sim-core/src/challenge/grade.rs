//! Grading a submission: the learner's nodes and edges under the challenge's traffic, trial
//! timeline, duration and seeds; each criterion judged on every seed with its measured
//! numbers and their spread (`sim_core::seeds`), when it first broke, and a score.

use serde::{Deserialize, Serialize};

use super::Challenge;
use crate::error::Error;
use crate::metrics::GlobalPoint;
use crate::random::{below, node_stream};
use crate::scenario::{Command, NodeKind, Scenario, ScheduledCommand};
use crate::seeds::{figure, seed_list, spread, Spread};
use crate::{run_headless_observed, Summary};

/// The verdict on one submission: plain data, for the runner's table and the page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Grade {
    /// The challenge's id.
    pub challenge: String,
    /// The seeds the design ran on.
    pub seeds: Vec<u64>,
    /// Every criterion held on every seed.
    pub pass: bool,
    /// 0 to 100: the share of (criterion, seed) checks that held.
    pub score: u32,
    /// Each criterion, in the order goal (`p99_ms`, `error_rate_pct`, `availability_pct`,
    /// `budget_usd_month`) then limits (`max_nodes`, `kinds`); only those the challenge sets.
    pub criteria: Vec<Criterion>,
    /// The criterion that broke first, when one failed.
    pub first_failure: Option<FirstFailure>,
}

/// One criterion's verdict over the seeds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Criterion {
    /// The goal's or limits' field (`p99_ms`, `max_nodes`, …).
    pub name: String,
    /// What is measured: a figure of `sim_core::seeds::FIGURES` (`latency_p99_ms`), or
    /// `nodes` (besides clients) and `nodes_of_other_kinds` for the limits.
    pub figure: String,
    /// The bound.
    pub goal: f64,
    /// The measure must be at most the goal (else at least).
    pub at_most: bool,
    /// The measure's median and 95 % range over the seeds.
    pub measured: Spread,
    /// The measure on each seed, in seed order.
    pub per_seed: Vec<f64>,
    /// Seeds on which it held.
    pub seeds_passed: u32,
    /// It held on every seed.
    pub pass: bool,
    /// When it failed: the end of the first metrics window, s, where the window's own value
    /// broke the goal, on the seed where that came earliest (the trial's end when no single
    /// window did); `None` for what is judged on the design as a whole (budget, limits).
    pub broken_at_s: Option<f64>,
    /// The seed of `broken_at_s`.
    pub broken_seed: Option<u64>,
    /// One line a learner reads.
    pub text: String,
}

/// What failed first, and when (for seeking the trial there).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FirstFailure {
    /// The criterion's name.
    pub criterion: String,
    /// The seed where it broke first (`None` for the budget and the limits).
    pub seed: Option<u64>,
    /// The simulated instant, s (`None`: the design breaks it from the start).
    pub at_s: Option<f64>,
}

/// One graded run: its summary and the global time series, one point per window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrialRun {
    /// The seed.
    pub seed: u64,
    /// The run's summary (figures read with `sim_core::seeds::figure`).
    pub summary: Summary,
    /// The global series, window by window.
    pub windows: Vec<GlobalPoint>,
}

fn section(challenge: &Scenario) -> Result<&Challenge, Error> {
    challenge.challenge.as_ref().ok_or_else(|| Error::new("challenge", "the scenario has no challenge section"))
}

/// The scenario a submission is graded on under `seed`: its nodes and edges, with the
/// challenge's traffic (each challenge client's rate, pattern, mix, keys, timeout, priority
/// mix and region replace those of the submission's client of the same id; its retry policy
/// stays the learner's), the trial's timeline instead of the submission's own (`kill_one`
/// resolved to a node of the design), the trial's duration, one-second windows, and no
/// pause conditions.
pub fn trial_scenario(challenge: &Scenario, submission: &Scenario, seed: u64) -> Result<Scenario, Error> {
    let c = section(challenge)?;
    let mut s = submission.clone();
    for (i, n) in s.nodes.iter().enumerate() {
        let ours = challenge.nodes.iter().any(|t| t.id == n.id && matches!(t.kind, NodeKind::Client(_)));
        if matches!(n.kind, NodeKind::Client(_)) && !ours {
            return Err(Error::new(
                format!("nodes[{i}]"),
                format!("client {:?} is not one of the challenge's: the trial's traffic is the challenge's own", n.id),
            ));
        }
    }
    for t in &challenge.nodes {
        let NodeKind::Client(traffic) = &t.kind else { continue };
        let Some(n) = s.nodes.iter_mut().find(|n| n.id == t.id) else {
            return Err(Error::new(
                "nodes",
                format!("the design has no client {:?}: the trial's traffic comes from it", t.id),
            ));
        };
        let NodeKind::Client(mine) = &mut n.kind else {
            return Err(Error::new(
                "nodes",
                format!("{:?} must stay a client: the trial's traffic comes from it", t.id),
            ));
        };
        let retry = mine.retry.take();
        *mine = traffic.clone();
        mine.retry = retry;
        n.region = t.region.clone();
    }
    let mut events = c.trial.events.clone();
    let mut rng = node_stream(seed, "challenge.trial.kill_one");
    for k in &c.trial.kill_one {
        let mut ids: Vec<&str> = s.nodes.iter().filter(|n| k.kind == n.kind.name()).map(|n| n.id.as_str()).collect();
        ids.sort_unstable();
        if ids.is_empty() {
            continue;
        }
        let id = ids[below(&mut rng, ids.len() as u32) as usize].to_string();
        if let Some(after) = k.revive_after_s {
            events.push(ScheduledCommand { at_s: k.at_s + after, command: Command::Revive { id: id.clone() } });
        }
        events.push(ScheduledCommand { at_s: k.at_s, command: Command::Kill { id } });
    }
    events.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
    s.events = events;
    s.duration_s = Some(c.trial.duration_s);
    s.seed = seed;
    s.pause_on.clear();
    s.challenge = None;
    s.metrics.window_s = 1.0;
    s.metrics.series_len = s.metrics.series_len.max(c.trial.duration_s.ceil() as u32 + 1);
    s.validate()?;
    Ok(s)
}

/// Runs a submission under the trial on one seed.
pub fn run_trial(challenge: &Scenario, submission: &Scenario, seed: u64) -> Result<TrialRun, Error> {
    let s = trial_scenario(challenge, submission, seed)?;
    let mut windows = Vec::new();
    // One step to the end: the observer sees the finished run once.
    let summary = run_headless_observed(&s, Some(seed), None, f64::INFINITY, |sim| windows = sim.snapshot().series)?;
    Ok(TrialRun { seed, summary, windows })
}

/// How a goal criterion is measured: its name, figure, whether at most, and its value in a
/// window (`None` for what no window judges).
type Measure = (&'static str, &'static str, bool, Option<fn(&GlobalPoint) -> Option<f64>>);

const P99: Measure = ("p99_ms", "latency_p99_ms", true, Some(|w| Some(w.p99_ms)));
const ERRORS: Measure =
    ("error_rate_pct", "error_rate_pct", true, Some(|w| w.availability().ratio().map(|a| 100.0 - a * 100.0)));
const AVAILABILITY: Measure =
    ("availability_pct", "availability_pct", false, Some(|w| w.availability().ratio().map(|a| a * 100.0)));
const BUDGET: Measure = ("budget_usd_month", "cost_usd_month", true, None);

fn holds(v: f64, goal: f64, at_most: bool) -> bool {
    if at_most {
        v <= goal
    } else {
        v >= goal
    }
}

/// The verdict on `submission` from its trial runs (one per seed, from [`run_trial`]).
pub fn judge(challenge: &Scenario, submission: &Scenario, runs: &[TrialRun]) -> Result<Grade, Error> {
    let c = section(challenge)?;
    let g = &c.goal;
    let mut criteria = Vec::new();
    for (m, goal) in
        [(P99, g.p99_ms), (ERRORS, g.error_rate_pct), (AVAILABILITY, g.availability_pct), (BUDGET, g.budget_usd_month)]
    {
        let Some(goal) = goal else { continue };
        let (name, fig, at_most, window) = m;
        let per_seed: Vec<f64> = runs.iter().map(|r| figure(&r.summary, fig)).collect();
        let mut broken: Option<(f64, u64)> = None;
        for (r, v) in runs.iter().zip(&per_seed) {
            if holds(*v, goal, at_most) {
                continue;
            }
            let Some(window) = window else { continue };
            let at = r
                .windows
                .iter()
                .find(|w| window(w).is_some_and(|x| !holds(x, goal, at_most)))
                .map_or(r.summary.duration_s, |w| w.t_s);
            if broken.is_none_or(|(t, _)| at < t) {
                broken = Some((at, r.seed));
            }
        }
        criteria.push(criterion(name, fig, goal, at_most, per_seed, broken));
    }
    let others: Vec<&crate::scenario::NodeSpec> =
        submission.nodes.iter().filter(|n| !matches!(n.kind, NodeKind::Client(_))).collect();
    if let Some(max) = c.limits.max_nodes {
        let n = others.len() as f64;
        criteria.push(criterion("max_nodes", "nodes", f64::from(max), true, vec![n; runs.len()], None));
    }
    if let Some(kinds) = &c.limits.kinds {
        let off: Vec<&str> = others.iter().map(|n| n.kind.name()).filter(|k| !kinds.iter().any(|a| a == k)).collect();
        let mut cr = criterion("kinds", "nodes_of_other_kinds", 0.0, true, vec![off.len() as f64; runs.len()], None);
        if !off.is_empty() {
            let allowed: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
            cr.text = format!(
                "{} node(s) of kinds the challenge does not allow ({}); allowed: {}",
                off.len(),
                off.join(", "),
                allowed.join(", ")
            );
        }
        criteria.push(cr);
    }
    let checks = criteria.len() * runs.len();
    let held: u32 = criteria.iter().map(|c| c.seeds_passed).sum();
    let score = if checks == 0 { 0 } else { (f64::from(held) * 100.0 / checks as f64).round() as u32 };
    let first_failure = criteria
        .iter()
        .filter(|c| !c.pass)
        .min_by(|a, b| a.broken_at_s.unwrap_or(-1.0).total_cmp(&b.broken_at_s.unwrap_or(-1.0)))
        .map(|c| FirstFailure { criterion: c.name.clone(), seed: c.broken_seed, at_s: c.broken_at_s });
    Ok(Grade {
        challenge: c.id.clone(),
        seeds: runs.iter().map(|r| r.seed).collect(),
        pass: !runs.is_empty() && criteria.iter().all(|c| c.pass),
        score,
        criteria,
        first_failure,
    })
}

fn criterion(
    name: &str,
    fig: &str,
    goal: f64,
    at_most: bool,
    per_seed: Vec<f64>,
    broken: Option<(f64, u64)>,
) -> Criterion {
    let seeds_passed = per_seed.iter().filter(|v| holds(**v, goal, at_most)).count() as u32;
    let pass = seeds_passed as usize == per_seed.len();
    let measured = spread(per_seed.iter().copied());
    let n = per_seed.len();
    let bound = if at_most { "at most" } else { "at least" };
    let mut text = format!(
        "{name}: {:.2} [{:.2}, {:.2}], goal {bound} {goal}: held on {seeds_passed} of {n} seeds",
        measured.median, measured.lo, measured.hi
    );
    if let Some((t, seed)) = broken {
        text.push_str(&format!(", first broken at {t} s (seed {seed})"));
    }
    Criterion {
        name: name.into(),
        figure: fig.into(),
        goal,
        at_most,
        measured,
        per_seed,
        seeds_passed,
        pass,
        broken_at_s: broken.map(|b| b.0),
        broken_seed: broken.map(|b| b.1),
        text,
    }
}

/// Grades a submission on the given seeds.
pub fn grade_on(challenge: &Scenario, submission: &Scenario, seeds: &[u64]) -> Result<Grade, Error> {
    let runs = seeds.iter().map(|s| run_trial(challenge, submission, *s)).collect::<Result<Vec<_>, _>>()?;
    judge(challenge, submission, &runs)
}

/// Grades a submission on the trial's seeds.
pub fn grade(challenge: &Scenario, submission: &Scenario) -> Result<Grade, Error> {
    let t = &section(challenge)?.trial;
    grade_on(challenge, submission, &seed_list(t.seed, t.seeds))
}
