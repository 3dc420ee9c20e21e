//! The scheduled-events timeline: the design's `events` ("at 30 s: spike ×4 for 20 s") as
//! markers along the time axis with the current clock, and a form to add, edit and delete
//! them. A fault with a duration is two events: the fault and its repair. Events are part
//! of the design (autosaved, undoable); the engine applies them as the clock passes.

use leptos::ev;
use leptos::prelude::*;
use sim_core::{Command, NodeKind, Scenario, ScheduledCommand, MAX_SECONDS};

use crate::fields::regions_used;
use crate::state::{ChromeCtx, DesignCtx, RunCtx};

/// What the form can schedule.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Spike,
    Kill,
    Revive,
    Slow,
    Flush,
    Cut,
    Loss,
    Cap,
    Heal,
    SplitRegions,
    JoinRegions,
    Outage,
    Recover,
}

/// The kinds in the form's list, with their names.
const KINDS: &[(Kind, &str)] = &[
    (Kind::Spike, "Traffic spike"),
    (Kind::Kill, "Kill a component"),
    (Kind::Revive, "Revive a component"),
    (Kind::Slow, "Slow a component"),
    (Kind::Flush, "Flush a cache"),
    (Kind::Cut, "Cut a link"),
    (Kind::Loss, "Packet loss on a link"),
    (Kind::Cap, "Bandwidth cap on a link"),
    (Kind::Heal, "Heal a link"),
    (Kind::SplitRegions, "Partition two regions"),
    (Kind::JoinRegions, "Heal two regions"),
    (Kind::Outage, "Region outage"),
    (Kind::Recover, "Region recovery"),
];

/// Separates a link's two ends in a target value.
const ARROW: &str = " → ";

impl Kind {
    fn uses_factor(self) -> bool {
        matches!(self, Kind::Spike | Kind::Slow | Kind::Loss | Kind::Cap)
    }
    /// What the factor field holds, and its bounds.
    fn factor_range(self) -> (&'static str, f64, f64) {
        match self {
            Kind::Loss => ("the loss (%)", 0.0, 100.0),
            Kind::Cap => (
                "the cap (req/s)",
                sim_core::limits::LINK_CAP_RPS.min,
                sim_core::limits::LINK_CAP_RPS.max,
            ),
            _ => ("the factor", 1.0, 1000.0),
        }
    }
    /// Whether a duration applies (for a spike it is required; for faults it adds the repair).
    fn uses_duration(self) -> bool {
        matches!(
            self,
            Kind::Spike
                | Kind::Slow
                | Kind::Cut
                | Kind::Loss
                | Kind::Cap
                | Kind::SplitRegions
                | Kind::Outage
        )
    }
    fn uses_second_region(self) -> bool {
        matches!(self, Kind::SplitRegions | Kind::JoinRegions)
    }

    /// The choices of the target list.
    fn targets(self, d: &Scenario) -> Vec<String> {
        let nodes = |f: fn(&NodeKind) -> bool| {
            d.nodes
                .iter()
                .filter(|n| f(&n.kind))
                .map(|n| n.id.clone())
                .collect()
        };
        match self {
            Kind::Spike => nodes(|k| matches!(k, NodeKind::Client(_))),
            Kind::Flush => nodes(|k| matches!(k, NodeKind::Cache(_) | NodeKind::Cdn(_))),
            Kind::Kill | Kind::Revive | Kind::Slow => nodes(|_| true),
            Kind::Cut | Kind::Loss | Kind::Cap | Kind::Heal => d
                .edges
                .iter()
                .map(|e| format!("{}{ARROW}{}", e.from, e.to))
                .collect(),
            Kind::SplitRegions | Kind::JoinRegions | Kind::Outage | Kind::Recover => {
                regions_used(d)
            }
        }
    }
}

/// What the form holds, as typed.
#[derive(Clone, Default, PartialEq)]
struct Draft {
    kind: usize,
    at: String,
    target: String,
    target2: String,
    factor: String,
    duration: String,
}

fn number(text: &str, what: &str, lo: f64, hi: f64) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && (lo..=hi).contains(&v) => Ok(v),
        _ => Err(format!("{what} must be a number from {lo} to {hi}")),
    }
}

/// The events a draft stands for (a fault and, with a duration, its repair).
fn build(d: &Draft) -> Result<Vec<ScheduledCommand>, String> {
    let kind = KINDS.get(d.kind).map_or(Kind::Spike, |k| k.0);
    let at_s = number(&d.at, "the time", 0.0, MAX_SECONDS)?;
    let target = d.target.clone();
    if target.is_empty() {
        return Err("choose what the event acts on".to_string());
    }
    let factor = if kind.uses_factor() {
        let (what, lo, hi) = kind.factor_range();
        let v = number(&d.factor, what, lo, hi)?;
        if kind == Kind::Cap && v <= lo {
            return Err(format!("{what} must be above {lo}"));
        }
        v
    } else {
        1.0
    };
    let duration = if kind.uses_duration() {
        let lo = if kind == Kind::Spike { 0.1 } else { 0.0 };
        number(&d.duration, "the duration", lo, MAX_SECONDS)?
    } else {
        0.0
    };
    let link = || {
        target
            .split_once(ARROW)
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .ok_or_else(|| "choose a link".to_string())
    };
    let regions = || {
        if d.target2.is_empty() || target == d.target2 {
            Err("choose two different regions".to_string())
        } else {
            Ok((target.clone(), d.target2.clone()))
        }
    };
    let (first, repair) = match kind {
        Kind::Spike => (
            Command::Spike {
                client: target.clone(),
                multiplier: factor,
                duration_s: duration,
            },
            None,
        ),
        Kind::Kill => (Command::Kill { id: target.clone() }, None),
        Kind::Revive => (Command::Revive { id: target.clone() }, None),
        Kind::Flush => (Command::FlushCache { id: target.clone() }, None),
        Kind::Slow => (
            Command::Slow {
                id: target.clone(),
                factor,
            },
            Some(Command::Slow {
                id: target.clone(),
                factor: 1.0,
            }),
        ),
        Kind::Cut | Kind::Heal => {
            let (from, to) = link()?;
            if kind == Kind::Heal {
                (Command::Heal { from, to }, None)
            } else {
                (
                    Command::Partition {
                        from: from.clone(),
                        to: to.clone(),
                    },
                    Some(Command::Heal { from, to }),
                )
            }
        }
        Kind::Loss | Kind::Cap => {
            let (from, to) = link()?;
            let first = if kind == Kind::Loss {
                Command::Loss {
                    from: from.clone(),
                    to: to.clone(),
                    fraction: factor / 100.0,
                }
            } else {
                Command::Cap {
                    from: from.clone(),
                    to: to.clone(),
                    rps: factor,
                }
            };
            (first, Some(Command::Heal { from, to }))
        }
        Kind::SplitRegions | Kind::JoinRegions => {
            let (a, b) = regions()?;
            if kind == Kind::JoinRegions {
                (Command::HealRegions { a, b }, None)
            } else {
                (
                    Command::PartitionRegions {
                        a: a.clone(),
                        b: b.clone(),
                    },
                    Some(Command::HealRegions { a, b }),
                )
            }
        }
        Kind::Outage => (
            Command::RegionOutage {
                region: target.clone(),
            },
            Some(Command::RegionRecover {
                region: target.clone(),
            }),
        ),
        Kind::Recover => (Command::RegionRecover { region: target }, None),
    };
    let mut out = vec![ScheduledCommand {
        at_s,
        command: first,
    }];
    if let Some(command) = repair.filter(|_| duration > 0.0) {
        out.push(ScheduledCommand {
            at_s: at_s + duration,
            command,
        });
    }
    Ok(out)
}

/// The form's content for an existing event, if the form can edit it.
fn draft_of(e: &ScheduledCommand) -> Option<Draft> {
    let idx = |k: Kind| KINDS.iter().position(|x| x.0 == k).unwrap_or(0);
    let d = |k: Kind, target: &str, target2: &str, factor: f64, duration: f64| Draft {
        kind: idx(k),
        at: e.at_s.to_string(),
        target: target.to_string(),
        target2: target2.to_string(),
        factor: factor.to_string(),
        duration: duration.to_string(),
    };
    Some(match &e.command {
        Command::Spike {
            client,
            multiplier,
            duration_s,
        } => d(Kind::Spike, client, "", *multiplier, *duration_s),
        Command::Kill { id } => d(Kind::Kill, id, "", 1.0, 0.0),
        Command::Revive { id } => d(Kind::Revive, id, "", 1.0, 0.0),
        Command::Slow { id, factor } => d(Kind::Slow, id, "", *factor, 0.0),
        Command::FlushCache { id } => d(Kind::Flush, id, "", 1.0, 0.0),
        Command::Partition { from, to } => {
            d(Kind::Cut, &format!("{from}{ARROW}{to}"), "", 1.0, 0.0)
        }
        Command::Heal { from, to } => d(Kind::Heal, &format!("{from}{ARROW}{to}"), "", 1.0, 0.0),
        Command::Loss { from, to, fraction } => d(
            Kind::Loss,
            &format!("{from}{ARROW}{to}"),
            "",
            fraction * 100.0,
            0.0,
        ),
        Command::Cap { from, to, rps } => {
            d(Kind::Cap, &format!("{from}{ARROW}{to}"), "", *rps, 0.0)
        }
        Command::PartitionRegions { a, b } => d(Kind::SplitRegions, a, b, 1.0, 0.0),
        Command::HealRegions { a, b } => d(Kind::JoinRegions, a, b, 1.0, 0.0),
        Command::RegionOutage { region } => d(Kind::Outage, region, "", 1.0, 0.0),
        Command::RegionRecover { region } => d(Kind::Recover, region, "", 1.0, 0.0),
        _ => return None,
    })
}

/// One line on what an event does.
pub fn describe(c: &Command) -> String {
    match c {
        Command::Spike {
            client,
            multiplier,
            duration_s,
        } => format!("spike {client} ×{multiplier} for {duration_s} s"),
        Command::Kill { id } => format!("kill {id}"),
        Command::Revive { id } => format!("revive {id}"),
        Command::Slow { id, factor } if *factor == 1.0 => format!("{id} back to normal speed"),
        Command::Slow { id, factor } => format!("slow {id} ×{factor}"),
        Command::FlushCache { id } => format!("flush {id}"),
        Command::Partition { from, to } => format!("cut {from} → {to}"),
        Command::Heal { from, to } => format!("heal {from} → {to}"),
        Command::Loss { from, to, fraction } => {
            format!("lose {}% on {from} → {to}", fraction * 100.0)
        }
        Command::Cap { from, to, rps } => format!("cap {from} → {to} at {rps} req/s"),
        Command::PartitionRegions { a, b } => format!("partition {a} | {b}"),
        Command::HealRegions { a, b } => format!("heal {a} | {b}"),
        Command::RegionOutage { region } => format!("outage of {region}"),
        Command::RegionRecover { region } => format!("{region} recovers"),
        Command::AddNode(n) => format!("add {}", n.id),
        Command::RemoveNode { id } => format!("remove {id}"),
        Command::ReconfigureNode { id, .. } => format!("reconfigure {id}"),
        Command::AddEdge(e) => format!("link {} → {}", e.from, e.to),
        Command::RemoveEdge { from, to } => format!("unlink {from} → {to}"),
        Command::ReconfigureEdge(e) => format!("reconfigure {} → {}", e.from, e.to),
        Command::SetRate { client, rate_rps } => format!("{client} rate {rate_rps} req/s"),
        Command::SetMix { client, .. } => format!("{client} new mix"),
        Command::SetKeys { client, .. } => format!("{client} new key distribution"),
        Command::DeployAssets {} => "deploy new assets".to_string(),
        Command::KillWorker { id } => format!("kill a worker of {id}"),
        Command::SetMachine { id, machine } => format!("move {id} to {machine}"),
        Command::SetSchedule { events } => {
            format!("replace the timeline ({} events)", events.len())
        }
    }
}

/// Seconds shown by the axis: the last event (and the clock) with room after it.
fn span(events: &[ScheduledCommand], clock: f64) -> f64 {
    let last = events.iter().map(|e| e.at_s).fold(clock, f64::max);
    ((last * 1.15 + 10.0) / 30.0).ceil().max(2.0) * 30.0
}

#[component]
pub fn Timeline() -> impl IntoView {
    let run = expect_context::<RunCtx>();
    let dsg = expect_context::<DesignCtx>();
    let chrome = expect_context::<ChromeCtx>();
    let events = Memo::new(move |_| dsg.design.with(|d| d.events.clone()));
    let draft = RwSignal::new(Draft {
        at: "30".to_string(),
        factor: "4".to_string(),
        duration: "20".to_string(),
        ..Draft::default()
    });
    let editing = RwSignal::new(None::<usize>);
    let error = RwSignal::new(None::<String>);
    let kind = move || {
        KINDS
            .get(draft.with(|d| d.kind))
            .map_or(Kind::Spike, |k| k.0)
    };
    let targets = Memo::new(move |_| {
        let k = kind();
        dsg.design.with(|d| k.targets(d))
    });
    // Keep the target lists on things that exist (and two different regions).
    Effect::new(move |_| {
        let ts = targets.get();
        let second = kind().uses_second_region();
        let fixed = draft.with(|d| {
            let mut n = d.clone();
            if !ts.contains(&n.target) {
                n.target = ts.first().cloned().unwrap_or_default();
            }
            if second && (!ts.contains(&n.target2) || n.target2 == n.target) {
                n.target2 = ts
                    .iter()
                    .find(|t| **t != n.target)
                    .cloned()
                    .unwrap_or_default();
            }
            (n != *d).then_some(n)
        });
        if let Some(n) = fixed {
            draft.set(n);
        }
    });
    let span_s = Memo::new(move |_| events.with(|e| span(e, run.clock.get())));

    let save = move |replace: Option<usize>| {
        let built = draft.with_untracked(build);
        match built {
            Err(m) => error.set(Some(m)),
            Ok(new) => {
                error.set(None);
                let now = run.clock.get_untracked();
                let past = new.first().is_some_and(|e| now > 0.0 && e.at_s < now);
                let ok = dsg.edit(None, |s| {
                    if let Some(i) = replace.filter(|i| *i < s.events.len()) {
                        s.events.remove(i);
                    }
                    s.events.extend(new);
                    s.events.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
                    s.validate().map_err(|e| e.to_string())
                });
                if ok {
                    editing.set(None);
                    if past {
                        chrome.notice.set(Some(format!(
                            "This run is already at {now:.1} s: the event runs from the next Reset."
                        )));
                    }
                }
            }
        }
    };
    let delete = move |_| {
        if let Some(i) = editing.get_untracked() {
            dsg.edit(None, |s| {
                if i < s.events.len() {
                    s.events.remove(i);
                }
                Ok(())
            });
            editing.set(None);
        }
    };
    let select = move |i: usize| {
        editing.set(Some(i));
        error.set(None);
        if let Some(d) = events.with_untracked(|e| e.get(i).and_then(draft_of)) {
            draft.set(d);
        }
    };
    let field = move |get: fn(&Draft) -> &String, set: fn(&mut Draft, String)| {
        (
            move || draft.with(|d| get(d).clone()),
            move |e: ev::Event| draft.update(|d| set(d, event_target_value(&e))),
        )
    };
    let (at_v, at_in) = field(|d| &d.at, |d, v| d.at = v);
    let (x_v, x_in) = field(|d| &d.factor, |d, v| d.factor = v);
    let (dur_v, dur_in) = field(|d| &d.duration, |d, v| d.duration = v);
    let (t1_v, t1_in) = field(|d| &d.target, |d, v| d.target = v);
    let (t2_v, t2_in) = field(|d| &d.target2, |d, v| d.target2 = v);
    let options = move |current: fn(&Draft) -> &String| {
        move || {
            targets
                .get()
                .into_iter()
                .map(|t| {
                    let v = t.clone();
                    view! { <option value=t.clone() prop:selected=move || draft.with(|d| *current(d) == v)>{t.clone()}</option> }
                })
                .collect_view()
        }
    };
    let editable = move || {
        editing
            .get()
            .is_none_or(|i| events.with(|e| e.get(i).and_then(draft_of).is_some()))
    };

    view! {
        <section class="timeline" aria-labelledby="tl-title" data-testid="timeline">
            <h3 id="tl-title" class="tl-title">"Scheduled events"</h3>
            <div class="tl-track" aria-hidden="true">
                <div class="tl-now" style=move || format!("left:{:.2}%", (run.clock.get() / span_s.get()).min(1.0) * 100.0)></div>
                {move || {
                    let s = span_s.get();
                    (0..=4).map(|i| {
                        let t = s * f64::from(i) / 4.0;
                        view! { <span class="tl-tick" style=format!("left:{:.2}%", t / s * 100.0)>{format!("{t:.0} s")}</span> }
                    }).collect_view()
                }}
                {move || {
                    let s = span_s.get();
                    events.get().into_iter().enumerate().map(|(i, e)| {
                        let same = events.with_untracked(|all| all[..i].iter().filter(|x| x.at_s == e.at_s).count());
                        view! {
                            <button class="tl-marker" tabindex="-1" data-testid=format!("tl-marker-{i}")
                                class:selected=move || editing.get() == Some(i)
                                style=format!("left:{:.2}%;top:{}px", (e.at_s / s).min(1.0) * 100.0, 16 + 9 * (same % 3))
                                title=format!("{} s: {}", e.at_s, describe(&e.command))
                                on:click=move |_| select(i)></button>
                        }
                    }).collect_view()
                }}
            </div>
            <ol class="tl-list" aria-label="Scheduled events, by time">
                {move || events.get().into_iter().enumerate().map(|(i, e)| view! {
                    <li>
                        <button class="tl-item" data-testid=format!("tl-item-{i}") aria-pressed=move || (editing.get() == Some(i)).to_string()
                            on:click=move |_| select(i)>
                            <span class="log-t">{format!("{:.1} s", e.at_s)}</span>{describe(&e.command)}
                        </button>
                    </li>
                }).collect_view()}
            </ol>
            <div class="tl-form" role="group" aria-label=move || if editing.get().is_some() { "Edit the scheduled event" } else { "Schedule an event" }>
                <label class="field-inline">"At "
                    <input type="text" inputmode="decimal" class="num short" data-testid="tl-at" prop:value=at_v on:input=at_in/>" s"
                </label>
                <select data-testid="tl-kind" aria-label="Event" on:change=move |e| {
                    let k = event_target_value(&e).parse().unwrap_or(0);
                    draft.update(|d| d.kind = k);
                }>
                    {KINDS.iter().enumerate().map(|(i, (_, name))| view! {
                        <option value=i.to_string() prop:selected=move || draft.with(|d| d.kind == i)>{*name}</option>
                    }).collect_view()}
                </select>
                <select data-testid="tl-target" aria-label="Acts on" prop:value=t1_v on:change=t1_in>{options(|d| &d.target)}</select>
                <Show when=move || kind().uses_second_region()>
                    <span aria-hidden="true">"|"</span>
                    <select data-testid="tl-target2" aria-label="Other region" prop:value=t2_v on:change=t2_in>{options(|d| &d.target2)}</select>
                </Show>
                <Show when=move || kind().uses_factor()>
                    <label class="field-inline">{move || match kind() { Kind::Loss => "loss % ", Kind::Cap => "req/s ", _ => "×" }}
                        <input type="text" inputmode="decimal" class="num short" data-testid="tl-x" prop:value=x_v on:input=x_in/>
                    </label>
                </Show>
                <Show when=move || kind().uses_duration()>
                    <label class="field-inline">"for "
                        <input type="text" inputmode="decimal" class="num short" data-testid="tl-dur" prop:value=dur_v on:input=dur_in/>
                        {move || if kind() == Kind::Spike { " s" } else { " s (0 = until repaired)" }}
                    </label>
                </Show>
                {move || match editing.get() {
                    None => view! {
                        <button class="primary" data-testid="tl-add" on:click=move |_| save(None)>"Add event"</button>
                    }.into_any(),
                    Some(i) => view! {
                        <button class="primary" data-testid="tl-update" disabled=move || !editable() on:click=move |_| save(Some(i))>"Update"</button>
                        <button class="danger" data-testid="tl-delete" on:click=delete>"Delete"</button>
                        <button on:click=move |_| editing.set(None)>"New event"</button>
                    }.into_any(),
                }}
            </div>
            {move || error.get().map(|m| view! { <p class="field-error" role="alert" data-testid="tl-error">{m}</p> })}
            {move || events.with(|e| e.is_empty()).then(|| view! {
                <p class="hint">"No scheduled events. Add one to replay a story on every run: a spike at 30 s, a kill at 60 s…"</p>
            })}
        </section>
    }
}
