//! The page side of the host-page API (protocol in `host_api`, docs/host-api.md): the
//! window's `message` listener, which accepts messages only from the parent page and only
//! from an origin the embed names with `host=`, acts on the page's state and answers that
//! origin alone; and the events the page sends it (`ready`, `window`, `alert`,
//! `breakpoint`, `finished`, `challenge`). Without `host=` nothing here is installed.

use std::cell::RefCell;

use leptos::prelude::*;
use serde_json::{json, Value};
use sim_core::Scenario;
use wasm_bindgen::JsValue;

use crate::challenge::ChallengeCtx;
use crate::host_api::{self, Request};
use crate::share::{self, Opener};

/// Who the API talks to.
struct Host {
    /// The origins `host=` names.
    allowed: Vec<String>,
    /// The parent page's origin once known (from the browser, or its first message): where
    /// events go.
    parent: Option<String>,
}

thread_local! {
    static HOST: RefCell<Option<Host>> = const { RefCell::new(None) };
}

/// What the event watchers remember between snapshots.
#[derive(Default)]
struct Watch {
    /// Send a `window` event per closed window.
    subscribed: bool,
    /// The newest window already sent (or current when subscribing), s.
    last_window: f64,
    /// The alerts firing at the previous snapshot.
    alerts: Vec<(sim_core::AlertKind, u64)>,
    /// The clock at the previous snapshot, s.
    last_now: f64,
    /// Seeks under way: the request id and the origin to answer.
    seeks: Vec<(Value, String)>,
}

/// The page's parent window, when the page is in a frame.
fn parent() -> Option<web_sys::Window> {
    let w = gloo::utils::window();
    let p = w.parent().ok().flatten()?;
    let (a, b): (&JsValue, &JsValue) = (p.as_ref(), w.as_ref());
    (a != b).then_some(p)
}

/// Posts `msg` to the parent page if its origin is `origin` (the browser drops it
/// otherwise, so nothing reaches another page).
fn post(msg: &Value, origin: &str) {
    let Some(p) = parent() else { return };
    if let Ok(v) = js_sys::JSON::parse(&msg.to_string()) {
        let _ = p.post_message(&v, origin);
    }
}

/// Sends an event to the host page, once its origin is known.
fn emit(msg: Value) {
    if let Some(origin) = HOST.with_borrow(|h| h.as_ref().and_then(|h| h.parent.clone())) {
        post(&msg, &origin);
    }
}

/// Tells the host page that a challenge was graded: `{event: "challenge", id, pass,
/// score}` (score 0–100, as `sim_core::challenge::Grade` gives it). Does nothing when no
/// host page drives this one.
pub fn notify_challenge(id: &str, pass: bool, score: u32) {
    emit(host_api::challenge_event(id, pass, score));
}

/// The parent's origin as the browser tells it (`location.ancestorOrigins`, else the
/// referrer's origin), when it is one of `allowed`.
fn known_parent(allowed: &[String]) -> Option<String> {
    let w = gloo::utils::window();
    let from_ancestors = js_sys::Reflect::get(&w.location(), &"ancestorOrigins".into())
        .ok()
        .filter(|l| !l.is_undefined() && !l.is_null())
        .and_then(|l| js_sys::Reflect::get(&l, &0.into()).ok())
        .and_then(|o| o.as_string());
    let from_referrer = || {
        let r = gloo::utils::document().referrer();
        url::Url::parse(&r)
            .ok()
            .map(|u| u.origin().ascii_serialization())
    };
    from_ancestors
        .or_else(from_referrer)
        .filter(|o| host_api::origin_allowed(allowed, o))
}

/// Turns the API on for the origins `hosts` names (nothing when it names none or the page
/// is not in a frame).
pub fn install(hosts: Vec<String>, o: Opener, challenges: ChallengeCtx) {
    if hosts.is_empty() || parent().is_none() {
        return;
    }
    let first = known_parent(&hosts);
    HOST.with_borrow_mut(|h| {
        *h = Some(Host {
            allowed: hosts,
            parent: first.clone(),
        })
    });
    let watch = StoredValue::new(Watch::default());
    let run = o.run;
    let dsg = o.dsg;

    let listener = window_event_listener(leptos::ev::message, move |ev| {
        let origin = ev.origin();
        let from_parent = match (ev.source(), parent()) {
            (Some(s), Some(p)) => {
                let (a, b): (&JsValue, &JsValue) = (s.as_ref(), p.as_ref());
                a == b
            }
            _ => false,
        };
        if !from_parent {
            return;
        }
        let allowed = HOST.with_borrow(|h| {
            h.as_ref()
                .is_some_and(|h| host_api::origin_allowed(&h.allowed, &origin))
        });
        if !allowed {
            leptos::logging::warn!(
                "Host API: ignored a message from {origin}, which host= does not name."
            );
            return;
        }
        HOST.with_borrow_mut(|h| {
            if let Some(h) = h {
                h.parent = Some(origin.clone());
            }
        });
        let data = match js_sys::JSON::stringify(&ev.data())
            .ok()
            .and_then(|s| s.as_string())
            .map(|s| serde_json::from_str::<Value>(&s))
        {
            Some(Ok(v)) => v,
            _ => Value::Null,
        };
        let reply = match host_api::parse(&data) {
            Err(r) => Some(r.reply()),
            Ok(m) => act(m.request, &m.id, &origin, o, challenges, watch).map(|r| {
                r.map_or_else(
                    |e| host_api::reply_err(&m.id, &e),
                    |f| host_api::reply_ok(&m.id, f),
                )
            }),
        };
        if let Some(r) = reply {
            post(&r, &origin);
        }
    });
    // The listener lives as long as the page.
    std::mem::forget(listener);

    // Windows, alerts and the end of the run, as snapshots are published.
    Effect::new(move |_| {
        let snap = run.snap.get();
        let (window_s, duration) = dsg
            .design
            .with_untracked(|d| (d.metrics.window_s, d.duration_s));
        let mut out = Vec::new();
        watch.update_value(|w| {
            let newest = host_api::newest_window(&snap);
            if newest < w.last_window {
                // A new run or a seek back: windows start again from there.
                w.last_window = newest;
            }
            if w.subscribed {
                out.extend(host_api::window_events(&snap, w.last_window, window_s));
            }
            w.last_window = newest;
            let now: Vec<_> = snap
                .alerts
                .iter()
                .map(|a| (a.kind, a.since_s.to_bits()))
                .collect();
            for a in &snap.alerts {
                if !w.alerts.contains(&(a.kind, a.since_s.to_bits())) {
                    out.push(host_api::alert_event(a));
                }
            }
            w.alerts = now;
            if let Some(d) = duration {
                if w.last_now < d && snap.now_s >= d {
                    out.push(host_api::finished_event(d, snap.now_s));
                }
            }
            w.last_now = snap.now_s;
        });
        for e in out {
            emit(e);
        }
    });
    // A pause condition held.
    Effect::new(move |_| {
        if let Some(p) = run.paused_on.get() {
            emit(host_api::breakpoint_event(&p));
        }
    });
    // A seek is answered once the run stands at its instant.
    Effect::new(move |_| {
        if run.seeking.get() {
            return;
        }
        let seeks = watch
            .try_update_value(|w| std::mem::take(&mut w.seeks))
            .unwrap_or_default();
        let clock = run.clock.get_untracked();
        for (id, origin) in seeks {
            post(
                &host_api::reply_ok(&id, json!({ "clock_s": clock })),
                &origin,
            );
        }
    });
    if first.is_some() {
        emit(host_api::event("ready", host_api::hello_fields()));
    }
}

/// Carries out a request; the reply's fields or what went wrong, or `None` when the reply
/// comes later (a seek).
fn act(
    req: Request,
    id: &Value,
    origin: &str,
    o: Opener,
    challenges: ChallengeCtx,
    watch: StoredValue<Watch>,
) -> Option<Result<Value, String>> {
    let run = o.run;
    let clock = || json!({ "clock_s": run.clock.get_untracked() });
    Some(match req {
        Request::Hello => Ok(host_api::hello_fields()),
        Request::LoadPreset { preset } => share::preset_scenario(&preset)
            .map_err(|e| format!("load_preset: {e}"))
            .map(|s| open(o, s)),
        Request::LoadChallenge { challenge } => crate::challenge::challenge_scenario(&challenge)
            .map_err(|e| format!("load_challenge: {e}"))
            .map(|s| open(o, s)),
        Request::Submit => crate::challenge::submit(challenges, o.dsg)
            .map(|seeds| json!({ "seeds": seeds }))
            .map_err(|e| format!("submit: {e}")),
        Request::LoadScenario { json } => Scenario::from_json(&json)
            .map_err(|e| format!("load_scenario: {e}"))
            .map(|s| open(o, s)),
        Request::Play => {
            run.stop_seeking();
            run.running.set(true);
            Ok(clock())
        }
        Request::Pause => {
            run.stop_seeking();
            run.running.set(false);
            Ok(clock())
        }
        Request::Seek { t_s } => {
            watch.update_value(|w| w.seeks.push((id.clone(), origin.to_string())));
            run.seek_to(t_s);
            return None;
        }
        Request::SetSpeed { speed } => {
            run.speed.set(speed);
            run.lagging.set(false);
            Ok(json!({ "speed": host_api::speed_value(speed) }))
        }
        Request::SetParam { node, field, value } => {
            let mut copy = o.dsg.design.get_untracked();
            host_api::set_param(&mut copy, &node, &field, &value).and_then(|held| {
                let ok = o.dsg.edit(None, |s| {
                    host_api::set_param(s, &node, &field, &value).map(|_| ())
                });
                if ok {
                    Ok(json!({ "node": node, "field": field, "value": held }))
                } else {
                    Err(format!(
                        "set_param: {node}.{field}: the page refused the change"
                    ))
                }
            })
        }
        Request::Snapshot => run
            .snapshot_now()
            .map(|s| {
                host_api::snapshot_fields(
                    &s,
                    run.running.get_untracked(),
                    run.speed.get_untracked(),
                )
            })
            .ok_or_else(|| "snapshot: the simulation is not running".to_string()),
        Request::Subscribe => {
            let now = run
                .snapshot_now()
                .map_or(0.0, |s| host_api::newest_window(&s));
            watch.update_value(|w| {
                w.subscribed = true;
                w.last_window = now;
            });
            let window_s = o.dsg.design.with_untracked(|d| d.metrics.window_s);
            Ok(json!({ "window_s": window_s }))
        }
        Request::Unsubscribe => {
            watch.update_value(|w| w.subscribed = false);
            Ok(json!({}))
        }
    })
}

/// Opens a design the host sent (one undo step; the run reset, paused) and says what it is.
fn open(o: Opener, s: Scenario) -> Value {
    let fields = host_api::loaded_fields(&s);
    share::open(o, s, true, true);
    fields
}
