//! The metrics dock: golden-signal figures and charts, data-tier figures (when the design
//! has a data tier) and the monthly cost, SLO alerts, and a fold (closed at first, its
//! state remembered) with the scheduled-events timeline and the event log.

use leptos::html::Canvas;
use leptos::prelude::*;

use crate::charts::{self, Line};
use crate::datatier;
use crate::panels::offered;
use crate::state::{DesignCtx, RunCtx};
use crate::storage;

/// Local-storage key of the fold's state: "open" or "closed".
const MORE_KEY: &str = "playground.dock-more";

/// Windows shown in the charts (seconds at the default 1 s window).
const CHART_WINDOWS: usize = 120;

#[component]
pub fn Dock() -> impl IntoView {
    let run = expect_context::<RunCtx>();
    let dsg = expect_context::<DesignCtx>();
    let throughput = NodeRef::<Canvas>::new();
    let latency = NodeRef::<Canvas>::new();
    let errors = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let offered_rps = offered(dsg);
        run.snap.with(|s| {
            let tail = &s.series[s.series.len().saturating_sub(CHART_WINDOWS)..];
            let pts = |f: fn(&sim_core::GlobalPoint) -> f64| {
                tail.iter().map(|p| (p.t_s, f(p))).collect::<Vec<_>>()
            };
            if let Some(el) = throughput.get_untracked() {
                let offered_line = tail.iter().map(|p| (p.t_s, offered_rps)).collect();
                charts::draw_chart(
                    &el,
                    &[
                        Line {
                            label: "served",
                            color: "#2563eb",
                            points: pts(|p| p.rps),
                        },
                        Line {
                            label: "offered",
                            color: "#94a3b8",
                            points: offered_line,
                        },
                    ],
                    "req/s",
                );
            }
            if let Some(el) = latency.get_untracked() {
                charts::draw_chart(
                    &el,
                    &[
                        Line {
                            label: "p50",
                            color: "#16a34a",
                            points: pts(|p| p.p50_ms),
                        },
                        Line {
                            label: "p95",
                            color: "#d97706",
                            points: pts(|p| p.p95_ms),
                        },
                        Line {
                            label: "p99",
                            color: "#dc2626",
                            points: pts(|p| p.p99_ms),
                        },
                    ],
                    "ms",
                );
            }
        });
        if let Some(el) = errors.get_untracked() {
            let rates = run.error_rates();
            charts::draw_chart(
                &el,
                &charts::error_lines(&rates[rates.len().saturating_sub(CHART_WINDOWS)..]),
                "err/s",
            );
        }
    });
    let w = move || run.snap.with(|s| s.global.window);
    let kpi = move |label: &'static str, testid: &'static str, value: Signal<String>| {
        view! {
            <div class="kpi"><span class="kpi-label">{label}</span><span class="kpi-value" data-testid=testid>{value}</span></div>
        }
    };
    let data = Memo::new(move |_| run.snap.with(|s| datatier::totals(s, run.hit_ratio())));
    let alerts = Memo::new(move |_| run.snap.with(|s| s.alerts.clone()));
    let log = Memo::new(move |_| {
        run.snap
            .with(|s| s.log.iter().rev().take(200).cloned().collect::<Vec<_>>())
    });
    let more = RwSignal::new(matches!(storage::load(MORE_KEY), Ok(Some(v)) if v == "open"));
    // A clicked request dot shows its journey in the explain panel, inside the fold.
    Effect::new(move |_| {
        if run.clicked.with(Option::is_some) {
            more.set(true);
        }
    });
    let toggle_more = move |_| {
        more.update(|m| *m = !*m);
        // Where storage fails the fold still works; it is merely not remembered.
        let _ = storage::save(
            MORE_KEY,
            if more.get_untracked() {
                "open"
            } else {
                "closed"
            },
        );
    };
    let scheduled = move || dsg.design.with(|d| d.events.len());
    let availability = move || {
        let slo = dsg.design.with(|d| d.metrics.slo_error_rate);
        run.snap.with(|s| {
            availability_text(s.global.window.availability(), s.global.availability(), slo)
        })
    };
    let window_s = move || dsg.design.with(|d| d.metrics.window_s);
    let scrub = move |e: leptos::ev::Event| {
        if let Ok(t) = event_target_value(&e).parse::<f64>() {
            run.seek(t);
        }
    };
    view! {
        <section class="dock" aria-label="Metrics dock" class:more-open=move || more.get()>
            <div class="scrubber" data-testid="scrubber" data-seeking=move || run.seeking.get().to_string()>
                <button class="icon" data-testid="seek-back" title="One window back (,)" aria-label="One window back"
                    on:click=move |_| run.seek_by(-1.0, window_s())>"◀"</button>
                <input type="range" data-testid="scrub" aria-label="Time of the run: drag to an earlier instant"
                    min="0" step="any" prop:max=move || run.head.get().max(0.001).to_string()
                    prop:value=move || run.clock.get().to_string() on:input=scrub/>
                <button class="icon" data-testid="seek-forward" title="One window forward (>)" aria-label="One window forward"
                    on:click=move |_| run.seek_by(1.0, window_s())>"▶"</button>
                <span class="scrub-t" data-testid="scrub-t">{move || format!("{:.1} s of {:.1} s", run.clock.get(), run.head.get())}</span>
                <button class="more-toggle" data-testid="more-toggle" aria-controls="dock-more" aria-expanded=move || more.get().to_string()
                    on:click=toggle_more title="Show or hide the scheduled-events timeline and the event log">
                    <span aria-hidden="true">{move || if more.get() { "▾ " } else { "▸ " }}</span>
                    "Timeline and event log"
                    {move || match scheduled() {
                        0 => String::new(),
                        1 => " · 1 scheduled".to_string(),
                        n => format!(" · {n} scheduled"),
                    }}
                </button>
            </div>
            <div class="kpis">
                {kpi("Throughput", "kpi-rps", Signal::derive(move || format!("{:.0} req/s", w().rps)))}
                {kpi("Offered (base)", "kpi-offered", Signal::derive(move || format!("{:.0} req/s", offered(dsg))))}
                {kpi("p50", "kpi-p50", Signal::derive(move || format!("{:.1} ms", w().p50_ms)))}
                {kpi("p95", "kpi-p95", Signal::derive(move || format!("{:.1} ms", w().p95_ms)))}
                {kpi("p99", "kpi-p99", Signal::derive(move || format!("{:.1} ms", w().p99_ms)))}
                {kpi("Errors", "kpi-errors", Signal::derive(move || format!("{:.2}%", w().error_rate * 100.0)))}
                {kpi("In flight", "kpi-inflight", Signal::derive(move || w().in_flight.to_string()))}
                {kpi("Failed (total)", "kpi-failed", Signal::derive(move || run.snap.with(|s| s.global.failed.total()).to_string()))}
                {move || data.get().into_iter().enumerate().map(|(i, (testid, label, value))| view! {
                    <div class="kpi data" class:first=i == 0><span class="kpi-label">{label}</span><span class="kpi-value" data-testid=testid>{value}</span></div>
                }).collect_view()}
            </div>
            <p class="availability" data-testid="availability" title=availability>{availability}</p>
            <div class="alerts" role="status" aria-label="SLO alerts" data-testid="alerts">
                {move || alerts.get().into_iter().map(|a| view! {
                    <p class="alert">{format!("⚠ {} (since {:.1} s)", a.message, a.since_s)}</p>
                }).collect_view()}
            </div>
            <div class="charts">
                <figure><figcaption>"Throughput"</figcaption><canvas node_ref=throughput data-testid="chart-throughput" role="img" data-name="Throughput chart" aria-label="Throughput chart"></canvas></figure>
                <figure><figcaption>"Latency"</figcaption><canvas node_ref=latency data-testid="chart-latency" role="img" data-name="Latency chart" aria-label="Latency chart"></canvas></figure>
                <figure><figcaption>"Errors by cause"</figcaption><canvas node_ref=errors data-testid="chart-errors" role="img" data-name="Errors by cause chart" aria-label="Errors by cause chart"></canvas></figure>
            </div>
            <div class="dock-more" id="dock-more" data-testid="dock-more">
                <crate::timeline::Timeline/>
                <crate::explain::ExplainPanel/>
                <figure class="log-fig"><figcaption>"Event log"</figcaption>
                    {move || log.with(|l| l.is_empty()).then(|| view! { <p class="hint">"No events yet."</p> })}
                    <ol class="log" data-testid="event-log" aria-label="Event log">
                        {move || log.get().into_iter().map(|l| view! {
                            <li><button class="log-line" data-testid="log-line" title="Go back to this instant of the run"
                                on:click=move |_| run.seek(l.t_s)>
                                <span class="log-t">{format!("{:.1} s", l.t_s)}</span>" "{l.text.clone()}
                            </button></li>
                        }).collect_view()}
                    </ol>
                </figure>
            </div>
        </section>
    }
}

/// "Availability: window 99.93 % — three nines; about 6.1 h a year · run … · budget burnt …".
fn availability_text(
    window: sim_core::Availability,
    run: sim_core::Availability,
    slo: Option<f64>,
) -> String {
    let mut text = format!(
        "Availability: this window {} · whole run {}",
        window.sentence(),
        run.sentence()
    );
    if let Some(b) = run.budget_words(slo) {
        text.push_str(&format!(" · {b}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::availability_text;
    use sim_core::Availability;

    #[test]
    fn availability_line_gives_window_run_and_budget() {
        assert_eq!(
            availability_text(Availability::new(9993, 7), Availability::new(993, 7), Some(0.01)),
            "Availability: this window 99.93 % — three nines; about 6.1 h a year · whole run 99.30 % — two nines; \
             about 2.6 days a year · budget burnt 70 % of 1 %"
        );
        assert_eq!(
            availability_text(Availability::new(0, 0), Availability::new(0, 0), None),
            "Availability: this window no requests finished yet · whole run no requests finished yet"
        );
    }
}
