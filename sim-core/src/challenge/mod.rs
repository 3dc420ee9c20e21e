//! Challenges: a scenario with a goal and a trial. The scenario's design is the starting
//! point a learner edits; its clients are the traffic; the goal is what the learner's design
//! must meet (SLOs, a monthly budget, limits on its nodes) while the trial (a timeline the
//! learner cannot edit: spikes, a server killed, a region lost) plays over several seeds.
//!
//! The parts: this file holds the format (the scenario's optional `challenge` section) and
//! the campaign ([`CHALLENGES`], embedded files in `sim-core/challenges/`), `validate` its
//! checks (an impossible goal is refused naming the field), `grade` the grading: the trial
//! built from a submission ([`trial_scenario`]), one run per seed ([`run_trial`]) and the
//! verdict ([`judge`], or all at once [`grade`]), all plain data for the runner and the page.

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::metrics::KindName;
use crate::scenario::{Scenario, ScheduledCommand};

mod grade;
mod validate;

pub use grade::{grade, grade_on, judge, run_trial, trial_scenario, Criterion, FirstFailure, Grade, TrialRun};

/// A scenario's `challenge` section (version 4).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Challenge {
    /// Stable id, lowercase letters, digits and dashes (`one-box`).
    pub id: String,
    /// Heading.
    pub title: String,
    /// What the learner reads: the situation and what to build.
    #[serde(default)]
    pub brief: String,
    /// What the design must meet.
    pub goal: Goal,
    /// Bounds on the design itself.
    #[serde(default)]
    pub limits: DesignLimits,
    /// The timeline and seeds the design is graded under.
    pub trial: Trial,
}

/// The criteria measured over the trial; at least one is set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Goal {
    /// The trial's p99 latency must be at most this, ms (figure `latency_p99_ms`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p99_ms: Option<f64>,
    /// The share of requests failed must be at most this, % (figure `error_rate_pct`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_rate_pct: Option<f64>,
    /// The share of requests answered must be at least this, % (figure `availability_pct`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability_pct: Option<f64>,
    /// The monthly cost estimate must be at most this, US dollars (figure `cost_usd_month`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_usd_month: Option<f64>,
}

/// Bounds on the design a learner submits.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DesignLimits {
    /// At most this many nodes besides the clients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_nodes: Option<u32>,
    /// Only nodes of these kinds besides clients (all kinds when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kinds: Option<Vec<KindName>>,
}

/// The trial: how long, on which seeds, and the timeline that replaces the design's own.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trial {
    /// Simulated seconds of each run.
    pub duration_s: f64,
    /// The first seed.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// How many seeds (seed, seed + 1, …); the design must meet the goal on every one.
    #[serde(default = "default_seeds")]
    pub seeds: u32,
    /// Commands at given instants, as a scenario's `events` (on the challenge's clients,
    /// regions, or nodes every design keeps).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<ScheduledCommand>,
    /// Kill one node of a kind, whichever the design names it (picked per seed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kill_one: Vec<KillOne>,
}

fn default_seed() -> u64 {
    1
}

fn default_seeds() -> u32 {
    5
}

/// "Kill any one app server at 20 s": the node is one of the design's nodes of `kind`,
/// picked per seed from its own random stream (nothing is killed when there is none).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KillOne {
    /// When, seconds from the start.
    pub at_s: f64,
    /// The kind of node killed.
    pub kind: KindName,
    /// Revive it this many seconds later (it stays down when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revive_after_s: Option<f64>,
}

pub(crate) use validate::validate;

/// One challenge of the campaign: a stable id and its scenario JSON (with its `challenge`
/// section).
#[derive(Clone, Copy, Debug)]
pub struct CampaignEntry {
    /// Stable id, equal to the file's `challenge.id`.
    pub id: &'static str,
    /// The challenge scenario, as JSON.
    pub json: &'static str,
}

impl CampaignEntry {
    /// Parses the challenge scenario.
    pub fn scenario(&self) -> Result<Scenario, Error> {
        Scenario::from_json(self.json)
    }
}

macro_rules! campaign {
    ($($id:literal),* $(,)?) => {
        &[$(CampaignEntry { id: $id, json: include_str!(concat!("../../challenges/", $id, ".json")) }),*]
    };
}

/// The campaign, in the order of the material's journey from one box to a URL shortener.
pub const CHALLENGES: &[CampaignEntry] = campaign![
    "one-box",
    "bigger-box",
    "scale-out",
    "survive-a-crash",
    "read-heavy",
    "cache-the-hot-reads",
    "static-assets",
    "launch-day",
    "queue-the-slow-work",
    "lose-a-region",
    "celebrity-key",
    "url-shortener",
];

/// The campaign challenge with this id.
pub fn challenge(id: &str) -> Option<&'static CampaignEntry> {
    CHALLENGES.iter().find(|c| c.id == id)
}
