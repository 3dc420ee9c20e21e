//! Pause conditions (`pause_on`), checked at the end of every metrics window: the first
//! window where one starts to hold stops `step_until` there and leaves a [`Pause`] saying
//! which and why.

use super::*;

/// Why a run paused.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pause {
    /// End of the window, s.
    pub t_s: f64,
    /// Index of the condition in `pause_on`.
    pub condition: usize,
    /// What held: "p99 412 ms > 300 ms".
    pub reason: String,
}

impl Pause {
    /// "paused at 31.0 s: p99 412 ms > 300 ms".
    pub fn message(&self) -> String {
        format!("paused at {:.1} s: {}", self.t_s, self.reason)
    }
}

/// The conditions and what they did at the last window.
#[derive(Clone, Debug, Default)]
pub(super) struct PauseState {
    pub(super) conditions: Vec<PauseCondition>,
    /// Held at the last window (a condition pauses again only after it stopped holding).
    held: Vec<bool>,
    /// Set by a window where a condition started to hold; `step_until` stops and clears it.
    pub(super) stop: bool,
    pause: Option<Pause>,
}

impl PauseState {
    pub(super) fn new(conditions: &[PauseCondition]) -> PauseState {
        PauseState { conditions: conditions.to_vec(), held: vec![false; conditions.len()], ..Default::default() }
    }
}

fn ms(v: f64) -> String {
    if v >= 10.0 {
        format!("{v:.0} ms")
    } else {
        format!("{v:.1} ms")
    }
}

impl Sim {
    /// Does condition `c` hold at the end of the window `p`? Why, if it does.
    fn holds(&self, c: &PauseCondition, p: &GlobalPoint) -> Option<String> {
        let live = || self.nodes.iter().filter(|n| !n.removed);
        match c {
            PauseCondition::P99MsAbove(t) => (p.p99_ms > *t).then(|| format!("p99 {} > {}", ms(p.p99_ms), ms(*t))),
            PauseCondition::ErrorPctAbove(t) => {
                let pct = p.error_rate * 100.0;
                (pct > *t).then(|| format!("error rate {pct:.1} % > {t} %"))
            }
            PauseCondition::NodeDown(id) => {
                let n = self.by_id.get(id).map(|&i| &self.nodes[i])?;
                (!n.up && !n.removed).then(|| format!("{id} is down"))
            }
            PauseCondition::ReplicationLagMsAbove(t) => {
                let (lag, id) = live()
                    .filter_map(|n| self.database_view(n).map(|d| (d.replication_lag_ms, &n.id)))
                    .max_by(|a, b| a.0.total_cmp(&b.0))?;
                (lag > *t).then(|| format!("replication lag at {id} {} > {}", ms(lag), ms(*t)))
            }
            PauseCondition::BacklogAbove(t) => {
                let (len, id) = live()
                    .map(|n| (self.queue_view(n).map_or(n.stats.queue.value, |q| q.backlog), &n.id))
                    .max_by_key(|a| a.0)?;
                (len > *t).then(|| format!("backlog at {id} {len} > {t}"))
            }
            PauseCondition::SloAlert => self.alerts.first().map(|a| format!("SLO alert: {}", a.message)),
        }
    }

    /// Checks the conditions at the end of a window (after its SLO alerts).
    pub(super) fn check_pause(&mut self, p: &GlobalPoint) {
        if self.pause.conditions.is_empty() {
            return;
        }
        let mut first = None;
        for i in 0..self.pause.conditions.len() {
            let why = self.holds(&self.pause.conditions[i], p);
            let was = std::mem::replace(&mut self.pause.held[i], why.is_some());
            if let (Some(reason), false, None) = (why, was, &first) {
                first = Some(Pause { t_s: p.t_s, condition: i, reason });
            }
        }
        if let Some(pause) = first {
            self.log(pause.message());
            self.pause.pause = Some(pause);
            self.pause.stop = true;
        }
    }

    /// The last pause (it stays until taken).
    pub fn pause(&self) -> Option<&Pause> {
        self.pause.pause.as_ref()
    }

    /// Takes the last pause.
    pub fn take_pause(&mut self) -> Option<Pause> {
        self.pause.pause.take()
    }

    /// The design's pause conditions.
    pub fn pause_conditions(&self) -> &[PauseCondition] {
        &self.pause.conditions
    }

    /// Replaces the pause conditions (a live edit: none holds yet).
    pub fn set_pause_conditions(&mut self, conditions: &[PauseCondition]) {
        self.pause = PauseState::new(conditions);
    }
}
