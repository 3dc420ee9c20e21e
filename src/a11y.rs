//! Accessibility logic with no web APIs: moving the keyboard focus between components
//! (by direction, along links), and the words the live region says about the design and
//! the run, with the pacing that keeps them calm. `narrator.rs` puts them on the page;
//! the native tests check them.

use std::collections::BTreeMap;

use sim_core::{Health, Snapshot};

/// A component's place for keyboard navigation: its id and its box's centre.
#[derive(Clone, Debug, PartialEq)]
pub struct Spot {
    pub id: String,
    pub x: f64,
    pub y: f64,
}

/// A direction an arrow key points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    Left,
    Right,
    Up,
    Down,
}

impl Dir {
    /// The direction of an arrow key's `KeyboardEvent.key`.
    pub fn of_key(key: &str) -> Option<Dir> {
        Some(match key {
            "ArrowLeft" => Dir::Left,
            "ArrowRight" => Dir::Right,
            "ArrowUp" => Dir::Up,
            "ArrowDown" => Dir::Down,
            _ => return None,
        })
    }
}

/// The component nearest `from` in direction `dir`: among those whose centre lies in the
/// 45° cone either side of the direction, the one with the least distance along it plus
/// twice the distance across it (so a component straight ahead beats a nearer one off to
/// the side). Ties go to the earlier component. None when nothing lies that way.
pub fn next_in_direction(spots: &[Spot], from: &str, dir: Dir) -> Option<String> {
    let here = spots.iter().find(|s| s.id == from)?;
    spots
        .iter()
        .filter(|s| s.id != from)
        .filter_map(|s| {
            let (dx, dy) = (s.x - here.x, s.y - here.y);
            let (along, across) = match dir {
                Dir::Right => (dx, dy),
                Dir::Left => (-dx, dy),
                Dir::Down => (dy, dx),
                Dir::Up => (-dy, dx),
            };
            (along > 0.0 && across.abs() <= along).then_some((along + 2.0 * across.abs(), s))
        })
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, s)| s.id.clone())
}

/// The next component along a link from `from`: downstream (a component it calls) or
/// upstream (one that calls it). With several, each press moves to the one after the
/// last one visited (`last`), in link order, wrapping round.
pub fn along_link(
    edges: &[(String, String)],
    from: &str,
    downstream: bool,
    last: Option<&str>,
) -> Option<String> {
    let ends: Vec<&str> = edges
        .iter()
        .filter_map(|(f, t)| match downstream {
            true if f == from => Some(t.as_str()),
            false if t == from => Some(f.as_str()),
            _ => None,
        })
        .collect();
    let at = last.and_then(|l| ends.iter().position(|e| *e == l));
    let i = at.map_or(0, |i| (i + 1) % ends.len());
    ends.get(i).map(|s| s.to_string())
}

/// "1 load balancer" / "2 servers".
fn count(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

/// The design in words: how many of each kind, then who calls whom.
pub fn describe_design(kinds: &[(String, String)], edges: &[(String, String)]) -> String {
    if kinds.is_empty() {
        return "The design is empty.".to_string();
    }
    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, k) in kinds {
        *by_kind.entry(k.as_str()).or_default() += 1;
    }
    let parts: Vec<String> = by_kind.iter().map(|(k, n)| count(*n, k)).collect();
    let mut s = format!("The design has {}.", parts.join(", "));
    let mut calls: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (f, t) in edges {
        calls.entry(f.as_str()).or_default().push(t.as_str());
    }
    // Callers in the order of the design's components.
    for (id, _) in kinds {
        if let Some(to) = calls.get(id.as_str()) {
            s.push_str(&format!(" {id} calls {}.", to.join(" and ")));
        }
    }
    if edges.is_empty() {
        s.push_str(" Nothing is connected yet.");
    }
    s
}

/// What the live region speaks of: the newest window's figures and each component's health.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunFacts {
    /// Simulated time, s.
    pub now_s: f64,
    pub rps: f64,
    pub p99_ms: f64,
    /// Failed / finished in the newest window.
    pub error_rate: f64,
    /// Component id and health, in design order.
    pub health: Vec<(String, Health)>,
}

impl RunFacts {
    pub fn of(snap: &Snapshot) -> RunFacts {
        let w = &snap.global.window;
        RunFacts {
            now_s: snap.now_s,
            rps: w.rps,
            p99_ms: w.p99_ms,
            error_rate: w.error_rate,
            health: snap
                .nodes
                .iter()
                .map(|n| (n.id.clone(), n.health))
                .collect(),
        }
    }
}

/// The run in words: its rate, p99 and errors in the newest window.
pub fn describe_rates(f: &RunFacts) -> String {
    let errors = if f.error_rate <= 0.0 {
        "no errors".to_string()
    } else {
        format!("{:.1}% errors", f.error_rate * 100.0)
    };
    format!(
        "{:.0} requests per second, p99 {:.0} ms, {errors}",
        f.rps, f.p99_ms
    )
}

fn health_word(h: Health) -> &'static str {
    match h {
        Health::Up => "came back up",
        Health::Down => "went down",
        Health::Booting => "is booting",
        Health::Draining => "is draining",
    }
}

/// Wall-clock ms between two sentences at least (events wait for the gap).
pub const MIN_GAP_MS: f64 = 3_000.0;
/// Wall-clock ms between two summaries of a quiet run.
pub const SUMMARY_EVERY_MS: f64 = 10_000.0;

/// Decides what the live region says and when: a change of a component's health is news
/// and is said at the next chance (at most one sentence every [`MIN_GAP_MS`]); a quiet
/// running simulation gets a summary every [`SUMMARY_EVERY_MS`].
#[derive(Debug, Default)]
pub struct Pacer {
    health: BTreeMap<String, Health>,
    news: Vec<String>,
    last_said_ms: Option<f64>,
}

impl Pacer {
    /// Takes a new snapshot at wall time `now_ms`; returns a sentence when one is due.
    pub fn tick(&mut self, snap: &RunFacts, running: bool, now_ms: f64) -> Option<String> {
        if snap.now_s == 0.0 {
            // A reset: the run starts over, and so does what was said of it.
            self.health.clear();
            self.news.clear();
        }
        for (id, h) in &snap.health {
            let before = self.health.insert(id.clone(), *h);
            if before.is_some_and(|b| b != *h) {
                self.news
                    .push(format!("{id} {} at {:.1} s", health_word(*h), snap.now_s));
            }
        }
        let since = self.last_said_ms.map_or(f64::INFINITY, |t| now_ms - t);
        let due = since >= MIN_GAP_MS && (!self.news.is_empty() || since >= SUMMARY_EVERY_MS);
        if !running && self.news.is_empty() || !due {
            return None;
        }
        Some(self.say_now(snap, now_ms))
    }

    /// The run now (rates, then any news not yet said), whatever the pacing; the key
    /// that describes the run calls this.
    pub fn say_now(&mut self, snap: &RunFacts, now_ms: f64) -> String {
        self.last_said_ms = Some(now_ms);
        let mut s = describe_rates(snap);
        if !self.news.is_empty() {
            s.push_str("; ");
            s.push_str(&self.news.join("; "));
            self.news.clear();
        }
        s.push('.');
        s
    }
}

#[cfg(test)]
#[path = "a11y_tests.rs"]
mod tests;
