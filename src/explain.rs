//! The "Pause when…" editor (the design's `pause_on` conditions), the "Why is p99 high?"
//! panel (the last window's culprit sentence, the tail's time by node beside the median
//! request's, failures by node in words) and the waterfall of one sampled request. The core
//! records and attributes everything (`sim_core::explain`); this module only draws it.

use leptos::ev;
use leptos::prelude::*;
use sim_core::explain::{cause_words, Breakdown, Trace};
use sim_core::PauseCondition;

use crate::state::{DesignCtx, RunCtx};

/// The kinds of condition the editor offers: label, and whether it takes a node or a number.
const KINDS: [(&str, bool); 6] = [
    ("p99 above (ms)", false),
    ("error rate above (%)", false),
    ("a node is down", true),
    ("replication lag above (ms)", false),
    ("a backlog above (requests)", false),
    ("any SLO alert", false),
];

/// The condition the editor's fields describe, or why they do not.
fn build(kind: usize, value: &str, node: &str) -> Result<PauseCondition, String> {
    let number = || {
        value
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| format!("“{value}” is not a number of 0 or more"))
    };
    Ok(match kind {
        0 => PauseCondition::P99MsAbove(number()?),
        1 => PauseCondition::ErrorPctAbove(number()?),
        2 if node.is_empty() => return Err("pick a component".to_string()),
        2 => PauseCondition::NodeDown(node.to_string()),
        3 => PauseCondition::ReplicationLagMsAbove(number()?),
        4 => PauseCondition::BacklogAbove(number()?.round() as u64),
        _ => PauseCondition::SloAlert,
    })
}

/// A condition in words: "p99 above 300 ms".
pub fn describe(c: &PauseCondition) -> String {
    match c {
        PauseCondition::P99MsAbove(v) => format!("p99 above {v} ms"),
        PauseCondition::ErrorPctAbove(v) => format!("error rate above {v} %"),
        PauseCondition::NodeDown(id) => format!("{id} is down"),
        PauseCondition::ReplicationLagMsAbove(v) => format!("replication lag above {v} ms"),
        PauseCondition::BacklogAbove(v) => format!("a backlog above {v}"),
        PauseCondition::SloAlert => "any SLO alert".to_string(),
    }
}

/// Percent of `part` in `whole`.
fn pct(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// Rows of the tail table: node, its share of the tail, queue, service, network, calls,
/// backoff (percent of the tail) and its share of the median request.
fn tail_rows(tail: &Breakdown, median: &Breakdown) -> Vec<(String, [f64; 7])> {
    tail.nodes
        .iter()
        .map(|n| {
            let t = tail.total_ns;
            let c = |i: usize| pct(n.ns[i], t);
            (
                n.node.clone(),
                [
                    pct(n.total_ns(), t),
                    c(0),
                    c(1),
                    c(2),
                    c(3),
                    c(4),
                    median.node_share(&n.node) * 100.0,
                ],
            )
        })
        .collect()
}

/// A span's parts in words: "queue 3.1 ms · service 4.0 ms · calls 9.2 ms".
fn span_words(s: &sim_core::explain::Span) -> String {
    let ms = |ns: u64| ns as f64 / 1e6;
    let mut parts = Vec::new();
    for (name, v) in [
        ("backoff", s.backoff_ns),
        ("network", s.network_ns),
        ("queue", s.queue_ns),
        ("service", s.service_ns),
        ("waiting on calls", s.calls_ns),
        ("answer back", s.back_ns),
    ] {
        if v > 0 {
            parts.push(format!("{name} {:.1} ms", ms(v)));
        }
    }
    if !s.reached {
        parts.push("never reached it".to_string());
    }
    if let Some(c) = s.cause {
        parts.push(format!("failed: {}", cause_words(c)));
    }
    parts.join(" · ")
}

#[component]
fn Waterfall(trace: Trace, #[prop(optional)] title: Option<String>) -> impl IntoView {
    let total = trace.latency_ns.max(1) as f64;
    let head = match (&trace.failed_at, trace.cause) {
        _ if trace.in_flight => format!("{:.1} ms so far, still in flight", trace.latency_ms()),
        (Some(at), Some(c)) => format!(
            "{:.1} ms, failed at {at}: {}",
            trace.latency_ms(),
            cause_words(c)
        ),
        _ => format!("{:.1} ms end to end", trace.latency_ms()),
    };
    let rows = trace
        .spans
        .iter()
        .map(|s| {
            let left = s.start_ns as f64 / total * 100.0;
            let width = (s.duration_ns() as f64 / total * 100.0).max(0.5);
            let style = format!(
                "margin-left:{left:.2}%;width:{:.2}%",
                width.min(100.0 - left).max(0.5)
            );
            let label = format!(
                "{}{}{}",
                "  ".repeat(s.depth as usize),
                s.node,
                if s.attempt > 0 {
                    format!(" (retry {})", s.attempt)
                } else {
                    String::new()
                }
            );
            view! {
                <li class="wf-row" class:failed=s.cause.is_some() data-testid="wf-row">
                    <span class="wf-node">{label}</span>
                    <span class="wf-track"><span class="wf-bar" style=style></span></span>
                    <span class="wf-words">{span_words(s)}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="waterfall" data-testid="waterfall">
            {title.map(|t| view! { <h4 class="wf-title" data-testid="wf-title">{t}</h4> })}
            <p data-testid="wf-head">{head}</p>
            <ol class="wf">{rows}</ol>
        </div>
    }
}

#[component]
pub fn ExplainPanel() -> impl IntoView {
    let run = expect_context::<RunCtx>();
    let dsg = expect_context::<DesignCtx>();
    let kind = RwSignal::new(0usize);
    let value = RwSignal::new("300".to_string());
    let node = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let picked = RwSignal::new(None::<Trace>);
    let title = RwSignal::new(None::<String>);
    // A request dot clicked on the canvas: its journey as it was then.
    Effect::new(move |_| {
        if let Some((id, t)) = run.clicked.get() {
            error.set(None);
            title.set(Some(format!("Request #{id} (clicked)")));
            picked.set(Some(t));
        }
    });
    let conditions = Memo::new(move |_| dsg.design.with(|d| d.pause_on.clone()));
    let ids = Memo::new(move |_| {
        dsg.design
            .with(|d| d.nodes.iter().map(|n| n.id.clone()).collect::<Vec<_>>())
    });
    // The explanation of the newest window, refreshed with each published snapshot.
    let explained = Memo::new(move |_| {
        run.snap.track();
        run.explain()
    });
    let add = move |_: ev::MouseEvent| {
        let built = build(
            kind.get_untracked(),
            &value.get_untracked(),
            &node.get_untracked(),
        );
        match built {
            Err(m) => error.set(Some(m)),
            Ok(c) => {
                error.set(None);
                dsg.edit(None, |s| {
                    s.pause_on.push(c);
                    s.validate().map_err(|e| e.to_string())
                });
            }
        }
    };
    let remove = move |i: usize| {
        dsg.edit(None, |s| {
            if i < s.pause_on.len() {
                s.pause_on.remove(i);
            }
            Ok(())
        });
    };
    let pick = move |slow: bool| {
        let t = explained.with_untracked(|e| {
            e.as_ref().and_then(|(_, w)| {
                if slow {
                    w.slowest.clone()
                } else {
                    w.failed.first().cloned()
                }
            })
        });
        if t.is_none() {
            error.set(Some(if slow {
                "No sampled request finished in the last window yet.".to_string()
            } else {
                "No sampled request failed in the last window.".to_string()
            }));
        } else {
            error.set(None);
        }
        title.set(None);
        picked.set(t);
    };
    let culprit = move || {
        explained.with(|e| {
            e.as_ref()
                .and_then(|(x, _)| x.culprit())
                .unwrap_or_else(|| {
                    "Run the simulation: the panel explains each window as it closes.".to_string()
                })
        })
    };
    let rows = move || {
        explained.with(|e| {
            e.as_ref()
                .map(|(x, _)| tail_rows(&x.tail, &x.median))
                .unwrap_or_default()
        })
    };
    let failures = move || {
        explained.with(|e| {
            e.as_ref()
                .map(|(x, _)| {
                    x.failures
                        .iter()
                        .map(|f| format!("{}: {}", f.node, f.badge()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    view! {
        <section class="explain" aria-label="Pause conditions and explanations">
            <figure class="pause-when"><figcaption>"Pause when…"</figcaption>
                <ul class="pause-list" data-testid="pause-list">
                    {move || conditions.get().iter().enumerate().map(|(i, c)| view! {
                        <li data-testid="pause-item">{describe(c)}" "
                            <button class="link" aria-label=format!("Remove: {}", describe(c)) on:click=move |_| remove(i)>"×"</button>
                        </li>
                    }).collect_view()}
                </ul>
                <div class="pause-add">
                    <select data-testid="pause-kind" aria-label="Condition" on:change=move |e| kind.set(event_target_value(&e).parse().unwrap_or(0))>
                        {KINDS.iter().enumerate().map(|(i, (label, _))| view! {
                            <option value=i.to_string() prop:selected=move || kind.get() == i>{*label}</option>
                        }).collect_view()}
                    </select>
                    {move || match KINDS.get(kind.get()) {
                        Some((_, true)) => view! {
                            <select data-testid="pause-node" aria-label="Component" on:change=move |e| node.set(event_target_value(&e))>
                                <option value="">"—"</option>
                                {ids.get().into_iter().map(|id| view! { <option value=id.clone()>{id.clone()}</option> }).collect_view()}
                            </select>
                        }.into_any(),
                        _ if kind.get() == 5 => ().into_any(),
                        _ => view! {
                            <input type="text" inputmode="decimal" class="num short" data-testid="pause-value" aria-label="Threshold"
                                prop:value=move || value.get() on:input=move |e| value.set(event_target_value(&e))/>
                        }.into_any(),
                    }}
                    <button data-testid="pause-add" on:click=add>"Add"</button>
                </div>
                <p class="pause-message" role="status" data-testid="pause-message">{move || run.paused_on.get().map(|p| p.message()).unwrap_or_default()}</p>
            </figure>
            <figure class="why"><figcaption>"Why is p99 high? (last window)"</figcaption>
                <p class="culprit" data-testid="culprit">{culprit}</p>
                <table class="tail" data-testid="tail-table">
                    <thead><tr><th>"node"</th><th>"tail"</th><th>"queue"</th><th>"service"</th><th>"network"</th><th>"calls"</th><th>"backoff"</th><th>"median"</th></tr></thead>
                    <tbody>
                        {move || rows().into_iter().map(|(n, v)| view! {
                            <tr data-testid="tail-row"><td>{n}</td>{v.iter().map(|x| view! { <td>{format!("{x:.0} %")}</td> }).collect_view()}</tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <ul class="failures" data-testid="failures">
                    {move || failures().into_iter().map(|f| view! { <li>{f}</li> }).collect_view()}
                </ul>
                <div class="trace-pick">
                    <button data-testid="trace-slow" on:click=move |_| pick(true)>"A slow request"</button>
                    <button data-testid="trace-failed" on:click=move |_| pick(false)>"A failed request"</button>
                </div>
                <p class="hint" data-testid="explain-error">{move || error.get().unwrap_or_default()}</p>
                {move || picked.get().map(|t| match title.get() {
                    Some(title) => view! { <Waterfall trace=t title/> }.into_any(),
                    None => view! { <Waterfall trace=t/> }.into_any(),
                })}
            </figure>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_editor_builds_each_condition_or_says_why_not() {
        assert_eq!(build(0, "300", ""), Ok(PauseCondition::P99MsAbove(300.0)));
        assert_eq!(
            build(2, "", "web-2"),
            Ok(PauseCondition::NodeDown("web-2".into()))
        );
        assert_eq!(build(4, "12.4", ""), Ok(PauseCondition::BacklogAbove(12)));
        assert_eq!(build(5, "", ""), Ok(PauseCondition::SloAlert));
        assert!(build(0, "fast", "").unwrap_err().contains("not a number"));
        assert!(build(2, "", "").is_err());
        assert_eq!(
            describe(&PauseCondition::P99MsAbove(300.0)),
            "p99 above 300 ms"
        );
    }
}
