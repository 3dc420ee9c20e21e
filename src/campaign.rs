//! The campaign's plain data on the page side: the learner's progress (challenge id → best
//! score, passed) as the text kept in local storage, and the words the challenge panel
//! shows for a goal, a trial and a graded criterion — no Leptos, tested natively.

use std::collections::BTreeMap;

use sim_core::challenge::{Challenge, Criterion};

/// The best result of one challenge so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Best {
    /// The highest score, 0 to 100.
    pub score: u32,
    /// Passed at least once.
    pub passed: bool,
}

/// Every challenge graded so far, by id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Progress(pub BTreeMap<String, Best>);

impl Progress {
    /// Keeps the better of the stored result and this one (a pass is never lost).
    pub fn record(&mut self, id: &str, score: u32, passed: bool) {
        let b = self.0.entry(id.to_string()).or_default();
        b.score = b.score.max(score);
        b.passed |= passed;
    }

    /// The best result of `id`, if graded.
    pub fn best(&self, id: &str) -> Option<Best> {
        self.0.get(id).copied()
    }

    /// The stored text: one line per challenge, `id score passed` (`passed` is 1 or 0).
    pub fn encode(&self) -> String {
        self.0
            .iter()
            .map(|(id, b)| format!("{id} {} {}\n", b.score, u8::from(b.passed)))
            .collect()
    }

    /// Reads [`Progress::encode`]'s text; the error names the line that is wrong.
    pub fn decode(text: &str) -> Result<Progress, String> {
        let mut p = Progress::default();
        for (i, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let bad = || format!("line {} (“{line}”) is not “id score passed”", i + 1);
            let mut parts = line.split_whitespace();
            let (Some(id), Some(score), Some(passed), None) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                return Err(bad());
            };
            let score: u32 = score.parse().ok().filter(|s| *s <= 100).ok_or_else(bad)?;
            let passed = match passed {
                "1" => true,
                "0" => false,
                _ => return Err(bad()),
            };
            p.record(id, score, passed);
        }
        Ok(p)
    }
}

/// A number as the panel shows it: at most `digits` decimals, trailing zeros dropped.
pub fn fmt_num(v: f64, digits: usize) -> String {
    if !v.is_finite() {
        return "—".to_string();
    }
    let s = format!("{v:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A criterion's label, the unit after its numbers, and its decimals.
fn describe(name: &str) -> (&'static str, &'static str, usize) {
    match name {
        "p99_ms" => ("p99 latency", " ms", 0),
        "error_rate_pct" => ("Errors", " %", 2),
        "availability_pct" => ("Availability", " %", 3),
        "budget_usd_month" => ("Monthly cost", " $", 0),
        "max_nodes" => ("Nodes (besides clients)", "", 0),
        "kinds" => ("Nodes of kinds not allowed", "", 0),
        _ => ("Measure", "", 2),
    }
}

/// `v` with the criterion's unit (“$36”, “87 ms”).
fn with_unit(name: &str, v: f64) -> String {
    let (_, unit, digits) = describe(name);
    if unit == " $" {
        format!("${}", fmt_num(v, digits))
    } else {
        format!("{}{unit}", fmt_num(v, digits))
    }
}

/// The goal as short lines (“p99 latency ≤ 200 ms”, “Monthly cost ≤ $50”, “Kinds: server”).
pub fn goal_lines(c: &Challenge) -> Vec<String> {
    let g = &c.goal;
    let mut out = Vec::new();
    for (name, v, at_most) in [
        ("p99_ms", g.p99_ms, true),
        ("error_rate_pct", g.error_rate_pct, true),
        ("availability_pct", g.availability_pct, false),
        ("budget_usd_month", g.budget_usd_month, true),
    ] {
        if let Some(v) = v {
            let (label, _, _) = describe(name);
            out.push(format!(
                "{label} {} {}",
                if at_most { "≤" } else { "≥" },
                with_unit(name, v)
            ));
        }
    }
    if let Some(n) = c.limits.max_nodes {
        out.push(format!(
            "At most {n} node{} besides the clients",
            if n == 1 { "" } else { "s" }
        ));
    }
    if let Some(k) = &c.limits.kinds {
        let names: Vec<String> = k.iter().map(|k| k.as_str().replace('_', " ")).collect();
        out.push(format!("Only {}", names.join(", ")));
    }
    out
}

/// The trial in one line (“20 s × 5 seeds from seed 1; one server killed at 8 s; 2 events”).
pub fn trial_line(c: &Challenge) -> String {
    let t = &c.trial;
    let mut s = format!(
        "Trial: {} s × {} seed{} from seed {}",
        fmt_num(t.duration_s, 1),
        t.seeds,
        if t.seeds == 1 { "" } else { "s" },
        t.seed
    );
    for k in &t.kill_one {
        s.push_str(&format!(
            "; one {} killed at {} s",
            k.kind.as_str().replace('_', " "),
            fmt_num(k.at_s, 1)
        ));
        if let Some(r) = k.revive_after_s {
            s.push_str(&format!(" (back {} s later)", fmt_num(r, 1)));
        }
    }
    match t.events.len() {
        0 => {}
        1 => s.push_str("; 1 scheduled event"),
        n => s.push_str(&format!("; {n} scheduled events")),
    }
    s
}

/// A graded criterion in a line: “Errors 59.82 % (95 % range 59.55–60.88 %), goal ≤ 1 %:
/// held on 0 of 5 seeds”.
pub fn criterion_line(c: &Criterion) -> String {
    let (label, _, _) = describe(&c.name);
    let m = &c.measured;
    let range = if (m.hi - m.lo).abs() < 1e-12 {
        String::new()
    } else {
        format!(
            " (95 % range {}–{})",
            fmt_num(m.lo, describe(&c.name).2),
            with_unit(&c.name, m.hi)
        )
    };
    format!(
        "{label} {}{range}, goal {} {}: held on {} of {} seeds",
        with_unit(&c.name, m.median),
        if c.at_most { "≤" } else { "≥" },
        with_unit(&c.name, c.goal),
        c.seeds_passed,
        c.per_seed.len()
    )
}

/// Each seed's measure (“seed 1: 59.82 %, seed 2: …”).
pub fn per_seed_line(c: &Criterion, seeds: &[u64]) -> String {
    seeds
        .iter()
        .zip(&c.per_seed)
        .map(|(s, v)| format!("seed {s}: {}", with_unit(&c.name, *v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The label of a criterion by its name (for “what failed first”).
pub fn label(name: &str) -> &'static str {
    describe(name).0
}

/// The first sentence of a brief.
pub fn first_sentence(text: &str) -> &str {
    match text.find(". ") {
        Some(i) => &text[..=i],
        None => text,
    }
}

/// “Grading seed 2 of 5…”.
pub fn progress_line(done: usize, total: usize) -> String {
    format!("Grading seed {} of {total}…", (done + 1).min(total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::challenge::{challenge, grade_on};

    #[test]
    fn progress_round_trips_and_keeps_the_best() {
        let mut p = Progress::default();
        p.record("one-box", 80, false);
        p.record("one-box", 60, false);
        p.record("scale-out", 100, true);
        p.record("scale-out", 40, false);
        assert_eq!(
            p.best("one-box"),
            Some(Best {
                score: 80,
                passed: false
            })
        );
        assert_eq!(
            p.best("scale-out"),
            Some(Best {
                score: 100,
                passed: true
            })
        );
        assert_eq!(p.best("launch-day"), None);
        let text = p.encode();
        assert_eq!(text, "one-box 80 0\nscale-out 100 1\n");
        assert_eq!(Progress::decode(&text), Ok(p));
        assert_eq!(Progress::decode(""), Ok(Progress::default()));
    }

    #[test]
    fn a_damaged_progress_text_is_refused_naming_the_line() {
        for bad in [
            "one-box 80",
            "one-box 80 2",
            "one-box 101 1",
            "one-box x 1",
            "a 1 1 extra",
        ] {
            let e = Progress::decode(&format!("ok 10 0\n{bad}\n")).unwrap_err();
            assert!(e.starts_with("line 2"), "{bad}: {e}");
        }
    }

    #[test]
    fn numbers_drop_trailing_zeros() {
        assert_eq!(fmt_num(200.0, 0), "200");
        assert_eq!(fmt_num(0.5, 2), "0.5");
        assert_eq!(fmt_num(59.8249, 2), "59.82");
        assert_eq!(fmt_num(f64::NAN, 2), "—");
    }

    #[test]
    fn the_goal_and_trial_read_as_words() {
        let one_box = challenge("one-box")
            .unwrap()
            .scenario()
            .unwrap()
            .challenge
            .unwrap();
        assert_eq!(
            goal_lines(&one_box),
            [
                "p99 latency ≤ 200 ms",
                "Errors ≤ 1 %",
                "Monthly cost ≤ $50",
                "At most 1 node besides the clients",
                "Only server"
            ]
        );
        assert_eq!(trial_line(&one_box), "Trial: 20 s × 5 seeds from seed 1");
        let crash = challenge("survive-a-crash")
            .unwrap()
            .scenario()
            .unwrap()
            .challenge
            .unwrap();
        assert_eq!(
            trial_line(&crash),
            "Trial: 20 s × 5 seeds from seed 1; one server killed at 8 s"
        );
        assert_eq!(
            first_sentence(&crash.brief),
            "At 8 s the trial kills one of your app servers, whichever it is."
        );
    }

    #[test]
    fn a_graded_criterion_reads_with_its_spread_and_seeds() {
        let ch = challenge("survive-a-crash").unwrap().scenario().unwrap();
        let mut start = ch.clone();
        start.challenge = None;
        let g = grade_on(&ch, &start, &[1, 2]).unwrap();
        let errors = g
            .criteria
            .iter()
            .find(|c| c.name == "error_rate_pct")
            .unwrap();
        assert!(!errors.pass);
        let line = criterion_line(errors);
        assert!(line.starts_with("Errors "), "{line}");
        assert!(
            line.contains("95 % range") && line.ends_with("goal ≤ 1 %: held on 0 of 2 seeds"),
            "{line}"
        );
        let seeds = per_seed_line(errors, &g.seeds);
        assert!(
            seeds.starts_with("seed 1: ") && seeds.contains(", seed 2: "),
            "{seeds}"
        );
        assert_eq!(label(&g.first_failure.unwrap().criterion), "Errors");
        assert_eq!(progress_line(1, 5), "Grading seed 2 of 5…");
        assert_eq!(progress_line(5, 5), "Grading seed 5 of 5…");
    }
}
