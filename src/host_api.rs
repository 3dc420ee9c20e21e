//! The host-page API's protocol, version [`PROTOCOL`] (docs/host-api.md): a course page
//! drives an embedded playground with `postMessage`. Here is everything that is plain data:
//! reading a message into a typed [`Request`] (or a [`Refusal`] naming what is wrong),
//! writing replies and events, the figures of a snapshot and of each metrics window, the
//! origins a page names with `host=`, and changing a parameter through the inspector's
//! own table and validation. No Leptos and no web APIs; `host` does the browser wiring.

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use sim_core::{Alert, NodeView, Pause, Scenario, Snapshot, MAX_LINK_JSON_BYTES};

use crate::fields::{self, Control};

/// The protocol version this playground speaks.
pub const PROTOCOL: u64 = 1;

/// The request types, as `type` names them.
pub const TYPES: &[&str] = &[
    "hello",
    "load_preset",
    "load_scenario",
    "load_challenge",
    "submit",
    "play",
    "pause",
    "seek",
    "set_speed",
    "set_param",
    "snapshot",
    "subscribe",
    "unsubscribe",
];

/// What a host asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    /// Which protocol and presets there are; also makes the asking page the one events go to.
    Hello,
    /// Opens a preset of the gallery (paused at t = 0).
    LoadPreset {
        preset: String,
    },
    /// Opens a campaign challenge's starting design, with its panel (paused at t = 0).
    LoadChallenge {
        challenge: String,
    },
    /// Grades the design against the open challenge; the verdict comes as a `challenge`
    /// event.
    Submit,
    /// Opens a scenario, given as its JSON text (paused at t = 0).
    LoadScenario {
        json: String,
    },
    Play,
    Pause,
    /// Pauses and brings the run to this simulated second.
    Seek {
        t_s: f64,
    },
    /// A speed factor of the run bar's menu, or infinity for fast-forward.
    SetSpeed {
        speed: f64,
    },
    /// Sets a node's field (an inspector row's key, or `label` / `region`).
    SetParam {
        node: String,
        field: String,
        value: Value,
    },
    /// The clock and the figures now.
    Snapshot,
    /// One `window` event per metrics window that closes from now on.
    Subscribe,
    Unsubscribe,
}

/// A message read: the request and the id its reply answers (`re`).
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub id: Value,
    pub request: Request,
}

/// A message refused: the id to answer (null when there was none) and what is wrong.
#[derive(Clone, Debug, PartialEq)]
pub struct Refusal {
    pub re: Value,
    pub error: String,
}

impl Refusal {
    /// The error reply.
    pub fn reply(&self) -> Value {
        reply_err(&self.re, &self.error)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Nothing {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PresetArgs {
    preset: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChallengeArgs {
    challenge: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioArgs {
    scenario: Value,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeekArgs {
    t_s: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SpeedArgs {
    speed: Value,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ParamArgs {
    node: String,
    field: String,
    value: Value,
}

/// The arguments of request `ty` (the message without `protocol`, `id` and `type`).
fn args<T: DeserializeOwned>(ty: &str, rest: Map<String, Value>) -> Result<T, String> {
    serde_json::from_value(Value::Object(rest)).map_err(|e| format!("{ty}: {e}"))
}

/// Reads a message: a JSON object `{protocol: 1, id, type, …}` (or its JSON text, when a
/// host posts a string). Anything else is refused with what is wrong.
pub fn parse(data: &Value) -> Result<Message, Refusal> {
    let refuse = |re: &Value, error: String| Refusal {
        re: re.clone(),
        error,
    };
    let parsed;
    let data = match data {
        Value::String(text) => {
            parsed = serde_json::from_str::<Value>(text).map_err(|e| {
                refuse(
                    &Value::Null,
                    format!("the message is text but not JSON ({e})"),
                )
            })?;
            &parsed
        }
        other => other,
    };
    let Value::Object(obj) = data else {
        return Err(refuse(
            &Value::Null,
            "a message is a JSON object {protocol: 1, id, type, …}".to_string(),
        ));
    };
    let mut rest = obj.clone();
    let id = match rest.remove("id") {
        Some(id @ (Value::String(_) | Value::Number(_))) => id,
        Some(other) => {
            return Err(refuse(
                &Value::Null,
                format!("id: a string or a number naming the request, not {other}"),
            ))
        }
        None => return Err(refuse(
            &Value::Null,
            "id: missing (a string or a number naming the request, which its reply carries as re)"
                .to_string(),
        )),
    };
    match rest.remove("protocol") {
        Some(p) if p.as_u64() == Some(PROTOCOL) => {}
        Some(p) => {
            return Err(refuse(
                &id,
                format!("protocol: this playground speaks protocol {PROTOCOL}, not {p}"),
            ))
        }
        None => {
            return Err(refuse(
                &id,
                format!("protocol: missing (this playground speaks protocol {PROTOCOL})"),
            ))
        }
    }
    let ty = match rest.remove("type") {
        Some(Value::String(t)) => t,
        Some(other) => return Err(refuse(&id, format!("type: a request name, not {other}"))),
        None => {
            return Err(refuse(
                &id,
                format!("type: missing (one of {})", TYPES.join(", ")),
            ))
        }
    };
    let t = ty.as_str();
    let none = |rest| args::<Nothing>(t, rest).map(|_| ());
    let request = match t {
        "hello" => none(rest).map(|_| Request::Hello),
        "play" => none(rest).map(|_| Request::Play),
        "pause" => none(rest).map(|_| Request::Pause),
        "snapshot" => none(rest).map(|_| Request::Snapshot),
        "subscribe" => none(rest).map(|_| Request::Subscribe),
        "unsubscribe" => none(rest).map(|_| Request::Unsubscribe),
        "submit" => none(rest).map(|_| Request::Submit),
        "load_challenge" => args::<ChallengeArgs>(t, rest).map(|a| Request::LoadChallenge {
            challenge: a.challenge,
        }),
        "load_preset" => {
            args::<PresetArgs>(t, rest).map(|a| Request::LoadPreset { preset: a.preset })
        }
        "load_scenario" => args::<ScenarioArgs>(t, rest).and_then(|a| scenario_text(a.scenario)),
        "seek" => args::<SeekArgs>(t, rest).and_then(|a| seek(a.t_s)),
        "set_speed" => args::<SpeedArgs>(t, rest).and_then(|a| speed(&a.speed)),
        "set_param" => args::<ParamArgs>(t, rest).map(|a| Request::SetParam {
            node: a.node,
            field: a.field,
            value: a.value,
        }),
        other => Err(format!(
            "type: unknown request {other:?} (the requests are {})",
            TYPES.join(", ")
        )),
    };
    request
        .map(|request| Message {
            id: id.clone(),
            request,
        })
        .map_err(|e| refuse(&id, e))
}

/// A scenario given as an object or as its JSON text, at most `MAX_LINK_JSON_BYTES`.
fn scenario_text(v: Value) -> Result<Request, String> {
    let json = match v {
        Value::String(s) => s,
        v @ Value::Object(_) => v.to_string(),
        other => {
            return Err(format!(
                "load_scenario: scenario is a scenario object or its JSON text, not {other}"
            ))
        }
    };
    if json.len() > MAX_LINK_JSON_BYTES {
        return Err(format!(
            "load_scenario: the scenario is larger than {} KB",
            MAX_LINK_JSON_BYTES / 1024
        ));
    }
    Ok(Request::LoadScenario { json })
}

fn seek(t_s: f64) -> Result<Request, String> {
    let max = sim_core::limits::EVENT_AT_S;
    if max.contains(t_s) {
        Ok(Request::Seek { t_s })
    } else {
        Err(format!(
            "seek: t_s must be between {} and {} s, got {t_s}",
            max.min, max.max
        ))
    }
}

/// A speed of the run bar's menu (`"max"` is its fast-forward).
fn speed(v: &Value) -> Result<Request, String> {
    let speeds: Vec<f64> = crate::panels::SPEEDS
        .iter()
        .map(|(s, _)| *s)
        .filter(|s| s.is_finite())
        .collect();
    let listed = speeds
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let bad = || format!("set_speed: speed is one of {listed} or \"max\" (fast-forward), not {v}");
    match v {
        Value::String(s) if s == "max" => Ok(Request::SetSpeed {
            speed: f64::INFINITY,
        }),
        Value::Number(n) => match n.as_f64() {
            Some(x) if speeds.contains(&x) => Ok(Request::SetSpeed { speed: x }),
            _ => Err(bad()),
        },
        _ => Err(bad()),
    }
}

/// `{protocol: 1, re: id, ok: true, …fields}`.
pub fn reply_ok(re: &Value, fields: Value) -> Value {
    let mut out = json!({ "protocol": PROTOCOL, "re": re, "ok": true });
    if let (Value::Object(o), Value::Object(f)) = (&mut out, fields) {
        for (k, v) in f {
            o.entry(k).or_insert(v);
        }
    }
    out
}

/// `{protocol: 1, re: id, ok: false, error}`.
pub fn reply_err(re: &Value, error: &str) -> Value {
    json!({ "protocol": PROTOCOL, "re": re, "ok": false, "error": error })
}

/// `{protocol: 1, event: name, …fields}`.
pub fn event(name: &str, fields: Value) -> Value {
    let mut out = json!({ "protocol": PROTOCOL, "event": name });
    if let (Value::Object(o), Value::Object(f)) = (&mut out, fields) {
        for (k, v) in f {
            o.entry(k).or_insert(v);
        }
    }
    out
}

/// The `challenge` event: a challenge graded (its id, passed or not, the score 0–100).
pub fn challenge_event(id: &str, pass: bool, score: u32) -> Value {
    event(
        "challenge",
        json!({ "id": id, "pass": pass, "score": score }),
    )
}

/// The `alert` event: an SLO alert was raised.
pub fn alert_event(a: &Alert) -> Value {
    event(
        "alert",
        json!({ "kind": a.kind.as_str(), "since_s": a.since_s, "message": a.message }),
    )
}

/// The `breakpoint` event: a pause condition of the design held and the run paused.
pub fn breakpoint_event(p: &Pause) -> Value {
    event(
        "breakpoint",
        json!({ "t_s": p.t_s, "condition": p.condition, "reason": p.reason, "message": p.message() }),
    )
}

/// The `finished` event: the run reached the scenario's `duration_s`.
pub fn finished_event(duration_s: f64, clock_s: f64) -> Value {
    event(
        "finished",
        json!({ "duration_s": duration_s, "clock_s": clock_s }),
    )
}

/// A node's figures in one window.
fn node_figures(n: &NodeView, p: &sim_core::NodePoint) -> Value {
    json!({
        "id": n.id,
        "kind": n.kind.as_str(),
        "health": n.health,
        "rps": p.rps,
        "errors_per_s": p.errors_per_s,
        "p95_ms": p.p95_ms,
        "utilisation": p.utilisation,
        "queue_len": p.queue_len,
    })
}

/// The global figures of one window.
fn global_figures(g: &sim_core::GlobalPoint) -> Value {
    json!({
        "t_s": g.t_s,
        "throughput_rps": g.rps,
        "p50_ms": g.p50_ms,
        "p95_ms": g.p95_ms,
        "p99_ms": g.p99_ms,
        "error_rate": g.error_rate,
        "availability": g.availability().ratio(),
        "in_flight": g.in_flight,
    })
}

/// The `snapshot` reply's fields: the clock, the newest window's global figures and each
/// node's, and the run so far.
pub fn snapshot_fields(snap: &Snapshot, running: bool, speed: f64) -> Value {
    let g = &snap.global;
    let alerts: Vec<Value> = snap
        .alerts
        .iter()
        .map(|a| json!({ "kind": a.kind.as_str(), "since_s": a.since_s, "message": a.message }))
        .collect();
    let nodes: Vec<Value> = snap
        .nodes
        .iter()
        .map(|n| node_figures(n, &n.window))
        .collect();
    json!({
        "clock_s": snap.now_s,
        "running": running,
        "speed": speed_value(speed),
        "window": global_figures(&g.window),
        "run": {
            "throughput_rps": g.throughput_rps,
            "p50_ms": g.latency.p50_ms,
            "p95_ms": g.latency.p95_ms,
            "p99_ms": g.latency.p99_ms,
            "completed": g.completed,
            "failed": g.failed.total(),
            "availability": g.availability().ratio(),
        },
        "nodes": nodes,
        "alerts": alerts,
    })
}

/// A speed as the protocol writes it: the factor, or `"max"` for fast-forward.
pub fn speed_value(speed: f64) -> Value {
    if speed.is_finite() {
        json!(speed)
    } else {
        json!("max")
    }
}

/// The newest window of `snap` that has closed, s (0 before the first).
pub fn newest_window(snap: &Snapshot) -> f64 {
    snap.series.last().map_or(0.0, |p| p.t_s)
}

/// A `window` event for each window of `snap` closed after `after_s`, oldest first: its
/// global figures and each node's in that window.
pub fn window_events(snap: &Snapshot, after_s: f64, window_s: f64) -> Vec<Value> {
    snap.series
        .iter()
        .filter(|p| p.t_s > after_s + 1e-9)
        .map(|p| {
            let nodes: Vec<Value> = snap
                .nodes
                .iter()
                .filter_map(|n| {
                    n.series
                        .iter()
                        .rev()
                        .find(|q| (q.t_s - p.t_s).abs() < 1e-9)
                        .map(|q| node_figures(n, q))
                })
                .collect();
            event(
                "window",
                json!({ "t_s": p.t_s, "window_s": window_s, "global": global_figures(p), "nodes": nodes }),
            )
        })
        .collect()
}

/// Sets field `field` of node `node` to `value` and checks the design, as the inspector
/// does: a number goes through its row's range (`fields::parse_field`), then the whole
/// design through `Scenario::validate`; the error names the node and the field. Returns
/// the value now held.
pub fn set_param(
    s: &mut Scenario,
    node: &str,
    field: &str,
    value: &Value,
) -> Result<Value, String> {
    let at = format!("set_param: {node}.{field}");
    let kind = s
        .nodes
        .iter()
        .find(|n| n.id == node)
        .map(|n| n.kind.clone())
        .ok_or_else(|| {
            format!(
                "set_param: no node {node:?} (the nodes are {})",
                s.nodes
                    .iter()
                    .map(|n| n.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?;
    if field == "label" || field == "region" {
        let Value::String(text) = value else {
            return Err(format!("{at}: a text, not {value}"));
        };
        let (label, region) = if field == "label" {
            (Some(text.as_str()), None)
        } else {
            (None, Some(text.as_str()))
        };
        fields::set_placement(s, node, label, region).map_err(|e| format!("{at}: {e}"))?;
        return Ok(value.clone());
    }
    let controls = fields::controls(&kind);
    let Some(control) = controls
        .into_iter()
        .find(|c| c.key() == field && applies(c, &kind))
    else {
        let keys: Vec<&str> = fields::controls(&kind)
            .iter()
            .filter(|c| applies(c, &kind))
            .map(Control::key)
            .chain(["label", "region"])
            .collect();
        return Err(format!(
            "set_param: a {} has no field {field:?} here (its fields are {})",
            kind.name(),
            keys.join(", ")
        ));
    };
    let held = match control {
        Control::Number(f) => {
            let Some(x) = value.as_f64() else {
                return Err(format!("{at}: a number, not {value}"));
            };
            let v = fields::parse_field(&f, &x.to_string())
                .map_err(|e| format!("{at}: {e}, got {x}"))?;
            fields::set_kind(s, node, |k| (f.set)(k, v)).map_err(|e| format!("{at}: {e}"))?;
            read(s, node, |k| (f.get)(k).map(|v| json!(v)))
        }
        Control::Toggle(t) => {
            let Some(on) = value.as_bool() else {
                return Err(format!("{at}: true or false, not {value}"));
            };
            fields::set_kind(s, node, |k| (t.set)(k, on)).map_err(|e| format!("{at}: {e}"))?;
            read(s, node, |k| (t.get)(k).map(|v| json!(v)))
        }
        Control::Choice(c) => {
            let index = match value {
                Value::Number(n) => n.as_u64().map(|i| i as usize),
                Value::String(name) => c
                    .options
                    .iter()
                    .position(|o| o.eq_ignore_ascii_case(name.trim())),
                _ => None,
            }
            .filter(|i| *i < c.options.len());
            let Some(i) = index else {
                let listed: Vec<String> = c
                    .options
                    .iter()
                    .enumerate()
                    .map(|(i, o)| format!("{i}: {o:?}"))
                    .collect();
                return Err(format!(
                    "{at}: one of the options by index or name ({}), not {value}",
                    listed.join(", ")
                ));
            };
            fields::set_kind(s, node, |k| (c.set)(k, i)).map_err(|e| format!("{at}: {e}"))?;
            read(s, node, |k| (c.get)(k).map(|i| json!(c.options[i])))
        }
        Control::Text(t) => {
            let Value::String(text) = value else {
                return Err(format!("{at}: a text, not {value}"));
            };
            let text = text.clone();
            fields::set_kind(s, node, |k| (t.set)(k, text)).map_err(|e| format!("{at}: {e}"))?;
            read(s, node, |k| (t.get)(k).map(|v| json!(v)))
        }
    };
    Ok(held)
}

/// True when the control applies to the node as it is (the inspector shows it).
fn applies(c: &Control, k: &sim_core::NodeKind) -> bool {
    match c {
        Control::Number(f) => (f.get)(k).is_some(),
        Control::Toggle(t) => (t.get)(k).is_some(),
        Control::Choice(c) => (c.get)(k).is_some(),
        Control::Text(t) => (t.get)(k).is_some(),
    }
}

/// What a control of node `id` reads now (null when it no longer applies).
fn read(s: &Scenario, id: &str, f: impl Fn(&sim_core::NodeKind) -> Option<Value>) -> Value {
    s.nodes
        .iter()
        .find(|n| n.id == id)
        .and_then(|n| f(&n.kind))
        .unwrap_or(Value::Null)
}

/// The origin `host=` names, as browsers write `MessageEvent.origin` (lower case, no
/// default port, no trailing slash); refused when it is not an http(s) origin alone.
pub fn parse_origin(text: &str) -> Result<String, String> {
    let url = url::Url::parse(text.trim()).map_err(|e| format!("not an origin: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("an origin starts with https:// or http://".to_string());
    }
    if !url.username().is_empty()
        || url.password().is_some()
        || url.path() != "/"
        || url.query().is_some()
        || url.fragment().is_some()
    {
        return Err(
            "an origin is a scheme, a host and maybe a port, with no path, query or user"
                .to_string(),
        );
    }
    Ok(url.origin().ascii_serialization())
}

/// True when `origin` (a `MessageEvent.origin`) is exactly one of `allowed`.
pub fn origin_allowed(allowed: &[String], origin: &str) -> bool {
    allowed.iter().any(|a| a == origin)
}

/// Which presets there are, for the `hello` reply.
pub fn hello_fields() -> Value {
    let presets: Vec<&str> = sim_core::presets::PRESETS.iter().map(|p| p.id).collect();
    json!({
        "protocol_versions": [PROTOCOL],
        "requests": TYPES,
        "events": ["ready", "window", "alert", "breakpoint", "finished", "challenge"],
        "presets": presets,
    })
}

/// The reply to a scenario opened: its name, seed, duration and node ids.
pub fn loaded_fields(s: &Scenario) -> Value {
    let nodes: Vec<&str> = s.nodes.iter().map(|n| n.id.as_str()).collect();
    json!({
        "name": s.name,
        "seed": s.seed,
        "duration_s": s.duration_s,
        "window_s": s.metrics.window_s,
        "nodes": nodes,
    })
}

#[cfg(test)]
#[path = "host_api_tests.rs"]
mod tests;
