//! Pause conditions ("breakpoints"): what makes a run stop at the end of a metrics window.
//! They are part of the design, so they travel in files and links.

use serde::{Deserialize, Serialize};

use super::validate::check;
use crate::error::Error;
use crate::limits;

/// One condition of `pause_on`: the run pauses at the end of the first window where it holds
/// (and again each time it starts holding after a window where it did not).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum PauseCondition {
    /// The window's p99 latency is above this many milliseconds.
    P99MsAbove(f64),
    /// The window's error rate is above this many percent.
    ErrorPctAbove(f64),
    /// The node with this id is down.
    NodeDown(String),
    /// Some database's replication lag is above this many milliseconds.
    ReplicationLagMsAbove(f64),
    /// Some queue (a station's or a message queue's backlog) holds more than this many
    /// requests.
    BacklogAbove(u64),
    /// Some SLO alert is firing.
    SloAlert,
}

/// Checks `pause_on`: bounds on each threshold and node ids that exist, naming the field.
pub(crate) fn validate_pause_on(conditions: &[PauseCondition], ids: &[&str]) -> Result<(), Error> {
    if conditions.len() > limits::MAX_PAUSE_CONDITIONS {
        return Err(Error::new("pause_on", format!("at most {} conditions", limits::MAX_PAUSE_CONDITIONS)));
    }
    for (i, c) in conditions.iter().enumerate() {
        let p = format!("pause_on[{i}]");
        match c {
            PauseCondition::P99MsAbove(v) => check(&format!("{p}.p99_ms_above"), *v, limits::PAUSE_MS)?,
            PauseCondition::ErrorPctAbove(v) => check(&format!("{p}.error_pct_above"), *v, limits::PAUSE_ERROR_PCT)?,
            PauseCondition::ReplicationLagMsAbove(v) => {
                check(&format!("{p}.replication_lag_ms_above"), *v, limits::PAUSE_MS)?
            }
            PauseCondition::BacklogAbove(v) => {
                if *v > u64::from(limits::MAX_SLOTS) {
                    return Err(Error::new(
                        format!("{p}.backlog_above"),
                        format!("must be at most {}, got {v}", limits::MAX_SLOTS),
                    ));
                }
            }
            PauseCondition::NodeDown(id) => {
                if !ids.contains(&id.as_str()) {
                    return Err(Error::new(format!("{p}.node_down"), format!("no node with id {id:?}")));
                }
            }
            PauseCondition::SloAlert => {}
        }
    }
    Ok(())
}
