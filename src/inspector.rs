//! The inspector: the selected node's parameters (validated as typed, applied live), its
//! sparklines and fault buttons; the selected link's faults; partition groups.

use std::collections::BTreeSet;

use leptos::ev;
use leptos::html::Canvas;
use leptos::prelude::*;
use sim_core::limits as L;
use sim_core::{Command, EdgeSpec, EdgeState, NodeKind, Scenario};

use crate::charts;
use crate::datatier;
use crate::fields::{self, Choice, Control, Field, Text, Toggle};
use crate::link_fields;
use crate::model;
use crate::state::{self, ChromeCtx, DesignCtx, RunCtx, SelectionCtx};

#[component]
pub fn Inspector() -> impl IntoView {
    let dsg = expect_context::<DesignCtx>();
    let sel = expect_context::<SelectionCtx>();
    let one_node = Memo::new(move |_| {
        sel.selection.with(|s| {
            (s.nodes.len() == 1)
                .then(|| s.nodes.iter().next().cloned())
                .flatten()
        })
    });
    let many = Memo::new(move |_| sel.selection.with(|s| s.nodes.len() > 1));
    let edge = Memo::new(move |_| sel.selection.with(|s| s.edge.clone()));
    view! {
        <aside class="inspector" aria-label="Inspector">
            <h2>"Inspector"</h2>
            {move || match (one_node.get(), edge.get()) {
                (Some(id), _) => view! { <NodeInspector id/> }.into_any(),
                (None, Some((from, to))) => view! { <EdgeInspector from to/> }.into_any(),
                _ if many.get() => view! {
                    <p class="hint">{move || format!("{} components selected.", sel.selection.with(|s| s.nodes.len()))}</p>
                    <button class="danger" on:click=move |_| state::delete_selection(dsg, sel)>"Delete selected"</button>
                }.into_any(),
                _ => view! { <p class="hint">"Select a component or a link to see its parameters and faults."</p> }.into_any(),
            }}
            <Partition/>
            <crate::regions::RegionFaults/>
        </aside>
    }
}

#[component]
fn NodeInspector(id: String) -> impl IntoView {
    let run = expect_context::<RunCtx>();
    let dsg = expect_context::<DesignCtx>();
    let sel = expect_context::<SelectionCtx>();
    let chrome = expect_context::<ChromeCtx>();
    let kind = dsg
        .design
        .with_untracked(|d| d.nodes.iter().find(|n| n.id == id).map(|n| n.kind.clone()));
    let Some(kind) = kind else {
        return view! { <p class="hint">"This component no longer exists."</p> }.into_any();
    };
    let title = model::kind_info(kind.name()).map_or("Component", |k| k.title);
    let controls = fields::controls(&kind)
        .into_iter()
        .map(|c| match c {
            Control::Number(f) => {
                view! { <FieldInput target=Target::Node(id.clone(), f)/> }.into_any()
            }
            Control::Toggle(t) => view! { <ToggleInput id=id.clone() t/> }.into_any(),
            Control::Choice(c) => view! { <ChoiceInput id=id.clone() c/> }.into_any(),
            Control::Text(t) => view! { <TextInput id=id.clone() t/> }.into_any(),
        })
        .collect_view();
    let is_cache = matches!(kind, NodeKind::Cache(_) | NodeKind::Cdn(_));
    let is_queue = matches!(kind, NodeKind::MessageQueue(_));
    let is_cdn = matches!(kind, NodeKind::Cdn(_));
    let kill_hint = matches!(kind, NodeKind::Database(_)).then(|| {
        view! { <p class="hint">"Killing a primary promotes its most up-to-date replica after the failover detection time."</p> }
    });
    let slow_factor = RwSignal::new("5".to_string());
    let targets = {
        let id = id.clone();
        Memo::new(move |_| {
            dsg.design.with(|d| {
                d.nodes
                    .iter()
                    .filter(|n| model::check_connect(d, &id, &n.id).is_ok())
                    .map(|n| n.id.clone())
                    .collect::<Vec<_>>()
            })
        })
    };
    let cmd = {
        let id = id.clone();
        move |c: fn(String) -> Command| {
            let id = id.clone();
            move |_: ev::MouseEvent| run.command(c(id.clone()))
        }
    };
    let slow = {
        let id = id.clone();
        move |_| match slow_factor.get_untracked().trim().parse::<f64>() {
            Ok(f) if f.is_finite() && (1.0..=1000.0).contains(&f) => run.command(Command::Slow {
                id: id.clone(),
                factor: f,
            }),
            _ => chrome.say("The slow-down factor must be between 1 and 1000."),
        }
    };
    let unslow = {
        let id = id.clone();
        move |_| {
            run.command(Command::Slow {
                id: id.clone(),
                factor: 1.0,
            })
        }
    };
    let connect_to = {
        let id = id.clone();
        move |e: ev::Event| {
            let to = event_target_value(&e);
            if !to.is_empty() {
                state::connect(dsg, sel, chrome, &id, &to);
            }
        }
    };
    view! {
        <div class="node-inspector" data-testid="inspector-node">
            <h3>{id.clone()}<span class="muted">{format!(" · {title}")}</span></h3>
            <form class="fields" on:submit=|e| e.prevent_default()><Placement id=id.clone()/>{controls}</form>
            {model::has_machine(&kind).then(|| view! { <MachinePicker id=id.clone()/> })}
            <Sparklines id=id.clone()/>
            <DataRows id=id.clone()/>
            <h4>"Faults"</h4>
            <div class="buttons">
                <button class="danger" data-testid="kill" on:click=cmd(|id| Command::Kill { id })>"Kill"</button>
                <button data-testid="revive" on:click=cmd(|id| Command::Revive { id })>"Revive"</button>
            </div>
            {kill_hint}
            {is_cache.then(|| view! {
                <div class="buttons">
                    <button class="danger" data-testid="flush" on:click=cmd(|id| Command::FlushCache { id })>"Flush cache"</button>
                    {is_cdn.then(|| view! {
                        <button data-testid="deploy-assets" on:click=move |_| run.command(Command::DeployAssets {})>"Deploy new assets"</button>
                    })}
                </div>
            })}
            {is_queue.then(|| view! {
                <div class="buttons">
                    <button class="danger" data-testid="kill-worker" on:click=cmd(|id| Command::KillWorker { id })>"Kill a worker mid-job"</button>
                </div>
            })}
            <div class="buttons">
                <button data-testid="slow" on:click=slow>"Slow ×"</button>
                <input type="text" inputmode="decimal" class="num short" aria-label="Slow-down factor" prop:value=move || slow_factor.get()
                    on:input=move |e| slow_factor.set(event_target_value(&e))/>
                <button on:click=unslow>"Normal speed"</button>
            </div>
            <h4>"Connect"</h4>
            <label class="field-inline">"Connect to "
                <select data-testid="connect-to" on:change=connect_to prop:value="">
                    <option value="">"choose…"</option>
                    {move || targets.get().into_iter().map(|t| view! { <option value=t.clone()>{t.clone()}</option> }).collect_view()}
                </select>
            </label>
            <div class="buttons">
                <button class="danger" data-testid="delete" on:click=move |_| state::delete_selection(dsg, sel)>"Delete component"</button>
            </div>
        </div>
    }
    .into_any()
}

/// What an inspector number edits.
enum Target {
    Node(String, Field),
    Edge(String, String, Field<EdgeSpec>),
}

impl Target {
    /// Key, label, unit and range of the field (the range as the learner reads it).
    fn meta(&self) -> (&'static str, &'static str, &'static str, String) {
        match self {
            Target::Node(_, f) => (f.key, f.label, f.unit, f.range_text()),
            Target::Edge(_, _, f) => (f.key, f.label, f.unit, f.range_text()),
        }
    }

    fn scope(&self) -> String {
        match self {
            Target::Node(id, _) => id.clone(),
            Target::Edge(a, b, _) => format!("{a}->{b}"),
        }
    }

    fn current(&self, d: &Scenario) -> Option<f64> {
        match self {
            Target::Node(id, f) => d
                .nodes
                .iter()
                .find(|n| &n.id == id)
                .and_then(|n| (f.get)(&n.kind)),
            Target::Edge(a, b, f) => d
                .edges
                .iter()
                .find(|e| &e.from == a && &e.to == b)
                .and_then(|e| (f.get)(e)),
        }
    }

    fn parse(&self, text: &str) -> Result<f64, String> {
        match self {
            Target::Node(_, f) => fields::parse_field(f, text),
            Target::Edge(_, _, f) => fields::parse_field(f, text),
        }
    }

    fn apply(&self, s: &mut Scenario, v: f64) -> Result<(), String> {
        match self {
            Target::Node(id, f) => fields::set_kind(s, id, |k| (f.set)(k, v)),
            Target::Edge(a, b, f) => link_fields::set_edge_field(s, a, b, f, v),
        }
    }
}

#[component]
fn FieldInput(target: Target) -> impl IntoView {
    let dsg = expect_context::<DesignCtx>();
    let field = StoredValue::new(target);
    let id = field.with_value(|t| t.scope());
    let current = Memo::new(move |_| dsg.design.with(|d| field.with_value(|t| t.current(d))));
    let text = RwSignal::new(
        current
            .get_untracked()
            .map(|v| v.to_string())
            .unwrap_or_default(),
    );
    let error = RwSignal::new(None::<String>);
    // Follow outside changes (undo, redo) unless the box already says the same number.
    Effect::new(move |_| {
        if let Some(v) = current.get() {
            if text.get_untracked().trim().parse::<f64>().ok() != Some(v) {
                text.set(v.to_string());
                error.set(None);
            }
        }
    });
    let (key, label, unit, range) = field.with_value(|t| t.meta());
    let on_input = {
        let id = id.clone();
        move |e: ev::Event| {
            let v = event_target_value(&e);
            text.set(v.clone());
            let parsed = field.with_value(|t| t.parse(&v));
            match parsed {
                Err(m) => error.set(Some(m)),
                Ok(x) => {
                    let mut refused = None;
                    dsg.edit(Some(format!("field-{id}-{key}")), |s| {
                        field
                            .with_value(|t| t.apply(s, x))
                            .inspect_err(|m| refused = Some(m.clone()))
                    });
                    error.set(refused);
                }
            }
        }
    };
    let input_id = format!("f-{id}-{key}");
    view! {
        <div class="field" class:invalid=move || error.with(|e| e.is_some()) class:hidden=move || current.with(|c| c.is_none())>
            <label for=input_id.clone()>{label}</label>
            <span class="input-unit">
                <input id=input_id type="text" inputmode="decimal" data-testid=format!("field-{key}") prop:value=move || text.get()
                    on:input=on_input on:blur=move |_| dsg.seal_history()
                    aria-invalid=move || error.with(|e| e.is_some()).to_string()
                    title=format!("{} {unit}", range.replace('–', " – "))/>
                <span class="unit">{unit}</span>
                <span class="range">{range}</span>
            </span>
            {move || error.get().map(|m| view! { <span class="field-error" role="alert" data-testid=format!("error-{key}")>{m}" — not applied"</span> })}
        </div>
    }
}

/// The current value of one part of node `id`'s kind, following the design.
fn node_memo<R>(dsg: DesignCtx, id: String, get: fn(&NodeKind) -> Option<R>) -> Memo<Option<R>>
where
    R: Clone + PartialEq + Send + Sync + 'static,
{
    Memo::new(move |_| {
        dsg.design.with(|d| {
            d.nodes
                .iter()
                .find(|n| n.id == id)
                .and_then(|n| get(&n.kind))
        })
    })
}

/// Applies `set` to node `id`'s kind as one edit (refusals are shown by `DesignCtx::edit`).
fn edit_kind<V>(
    dsg: DesignCtx,
    id: &str,
    coalesce: Option<String>,
    set: fn(&mut NodeKind, V),
    v: V,
) {
    dsg.edit(coalesce, |s| fields::set_kind(s, id, |k| set(k, v)));
}

#[component]
fn ToggleInput(id: String, t: Toggle) -> impl IntoView {
    let dsg = expect_context::<DesignCtx>();
    let current = node_memo(dsg, id.clone(), t.get);
    let input_id = format!("f-{id}-{}", t.key);
    let set = t.set;
    view! {
        <div class="field check" class:hidden=move || current.with(|c| c.is_none())>
            <input id=input_id.clone() type="checkbox" data-testid=format!("field-{}", t.key)
                prop:checked=move || current.get().unwrap_or(false)
                on:change=move |e| edit_kind(dsg, &id, None, set, event_target_checked(&e))/>
            <label for=input_id>{t.label}</label>
        </div>
    }
}

/// A size of the catalogue as the learner reads it: name, cores, memory and monthly price.
fn machine_text(m: &sim_core::machines::Machine) -> String {
    format!(
        "{} — {} vCPU · {} GiB · ${:.0}/month",
        m.name,
        m.vcpus,
        m.memory_gib,
        m.usd_per_month()
    )
}

/// The machine a server, database, cache or group runs on: a list of the sizes and buttons one
/// size up or down (an edit of the design, sent to a started run as a move).
#[component]
fn MachinePicker(id: String) -> impl IntoView {
    use sim_core::machines::{step_machine, MACHINES};
    let dsg = expect_context::<DesignCtx>();
    let current = node_memo(dsg, id.clone(), |k| {
        model::machine_of(k).map(str::to_string)
    });
    let set = {
        let id = id.clone();
        move |name: &str| {
            dsg.edit(None, |s| {
                fields::set_kind(s, &id, |k| model::set_machine(k, name))
            });
        }
    };
    let step = {
        let set = set.clone();
        move |by: i32| {
            let set = set.clone();
            move |_: ev::MouseEvent| {
                if let Some(m) =
                    current.with_untracked(|c| c.as_deref().and_then(|c| step_machine(c, by)))
                {
                    set(m.name);
                }
            }
        }
    };
    let at_end =
        move |by: i32| current.with(|c| c.as_deref().and_then(|c| step_machine(c, by)).is_none());
    let input_id = format!("f-{id}-machine");
    let on_change = move |e: ev::Event| {
        let name = event_target_value(&e);
        if !name.is_empty() {
            set(&name);
        }
    };
    view! {
        <form class="fields" on:submit=|e| e.prevent_default()>
            <div class="field">
                <label for=input_id.clone()>"Machine"</label>
                <select id=input_id data-testid="field-machine" on:change=on_change>
                    {move || current.with(|c| c.is_none()).then(|| view! {
                        <option value="" selected>"none (a core per worker)"</option>
                    })}
                    {MACHINES.iter().map(|m| view! {
                        <option value=m.name prop:selected=move || current.with(|c| c.as_deref() == Some(m.name))>{machine_text(m)}</option>
                    }).collect_view()}
                </select>
            </div>
        </form>
        <div class="buttons">
            <button data-testid="scale-up" prop:disabled=move || at_end(1) on:click=step(1)>"Scale up"</button>
            <button data-testid="scale-down" prop:disabled=move || at_end(-1) on:click=step(-1)>"Scale down"</button>
        </div>
    }
}

#[component]
fn ChoiceInput(id: String, c: Choice) -> impl IntoView {
    let dsg = expect_context::<DesignCtx>();
    let current = node_memo(dsg, id.clone(), c.get);
    let input_id = format!("f-{id}-{}", c.key);
    let set = c.set;
    let on_change = move |e: ev::Event| {
        if let Ok(i) = event_target_value(&e).parse::<usize>() {
            edit_kind(dsg, &id, None, set, i);
        }
    };
    view! {
        <div class="field" class:hidden=move || current.with(|c| c.is_none())>
            <label for=input_id.clone()>{c.label}</label>
            <select id=input_id data-testid=format!("field-{}", c.key) on:change=on_change>
                {c.options.iter().enumerate().map(|(i, name)| view! {
                    <option value=i.to_string() prop:selected=move || current.get() == Some(i)>{*name}</option>
                }).collect_view()}
            </select>
        </div>
    }
}

#[component]
fn TextInput(id: String, t: Text) -> impl IntoView {
    let dsg = expect_context::<DesignCtx>();
    let current = node_memo(dsg, id.clone(), t.get);
    let error = RwSignal::new(None::<String>);
    let input_id = format!("f-{id}-{}", t.key);
    let (key, set) = (t.key, t.set);
    let on_change = move |e: ev::Event| {
        let v = event_target_value(&e).trim().to_string();
        let mut refused = None;
        dsg.edit(None, |s| {
            fields::set_kind(s, &id, |k| set(k, v)).inspect_err(|m| refused = Some(m.clone()))
        });
        error.set(refused);
    };
    view! {
        <div class="field" class:invalid=move || error.with(|e| e.is_some())>
            <label for=input_id.clone()>{t.label}</label>
            <input id=input_id type="text" data-testid=format!("field-{key}") prop:value=move || current.get().unwrap_or_default()
                on:change=on_change/>
            {move || error.get().map(|m| view! { <span class="field-error" role="alert">{m}" — not applied"</span> })}
        </div>
    }
}

/// A node's label and region (parts of the node, not of its kind).
#[component]
fn Placement(id: String) -> impl IntoView {
    let dsg = expect_context::<DesignCtx>();
    let node = {
        let id = id.clone();
        Memo::new(move |_| {
            dsg.design.with(|d| {
                d.nodes.iter().find(|n| n.id == id).map(|n| {
                    (
                        n.label.clone().unwrap_or_default(),
                        n.region.clone().unwrap_or_default(),
                    )
                })
            })
        })
    };
    let regions = Memo::new(move |_| dsg.design.with(fields::region_choices));
    let label_error = RwSignal::new(None::<String>);
    let on_label = {
        let id = id.clone();
        move |e: ev::Event| {
            let v = event_target_value(&e);
            let mut refused = None;
            dsg.edit(Some(format!("label-{id}")), |s| {
                fields::set_placement(s, &id, Some(&v), None)
                    .inspect_err(|m| refused = Some(m.clone()))
            });
            label_error.set(refused);
        }
    };
    let on_region = {
        let id = id.clone();
        move |e: ev::Event| {
            let v = event_target_value(&e);
            dsg.edit(None, |s| fields::set_placement(s, &id, None, Some(&v)));
        }
    };
    let current_region = move || node.with(|n| n.as_ref().map(|n| n.1.clone()).unwrap_or_default());
    view! {
        <div class="field" class:invalid=move || label_error.with(|e| e.is_some())>
            <label for=format!("f-{id}-label")>"Label"</label>
            <input id=format!("f-{id}-label") type="text" data-testid="field-label" placeholder=id.clone()
                prop:value=move || node.with(|n| n.as_ref().map(|n| n.0.clone()).unwrap_or_default())
                on:input=on_label on:blur=move |_| dsg.seal_history()/>
            {move || label_error.get().map(|m| view! { <span class="field-error" role="alert">{m}</span> })}
        </div>
        <div class="field">
            <label for=format!("f-{id}-region")>"Region"</label>
            <select id=format!("f-{id}-region") data-testid="field-region" on:change=on_region>
                <option value="" prop:selected=move || current_region().is_empty()>"none (no inter-region latency)"</option>
                {move || regions.get().into_iter().map(|r| {
                    let value = r.clone();
                    view! { <option value=r.clone() prop:selected=move || current_region() == value>{r.clone()}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

#[component]
fn Sparklines(id: String) -> impl IntoView {
    let run = expect_context::<RunCtx>();
    let refs: [NodeRef<Canvas>; 4] = std::array::from_fn(|_| NodeRef::new());
    let names = [
        "Throughput (req/s)",
        "p95 at node (ms)",
        "Utilisation",
        "Queue",
    ];
    let colors = ["#2563eb", "#d97706", "#16a34a", "#9333ea"];
    let latest = RwSignal::new([0.0f64; 4]);
    let gauge_ref = NodeRef::<Canvas>::new();
    let gauge = RwSignal::new(None::<(&'static str, f64)>);
    Effect::new(move |_| {
        run.snap.with(|s| {
            let Some(n) = s.nodes.iter().find(|n| n.id == id) else {
                return;
            };
            gauge.set(datatier::gauge(n));
            if let Some(el) = gauge_ref.get_untracked() {
                let g = run.gauge_series(&id);
                charts::draw_sparkline(&el, &g[g.len().saturating_sub(60)..], "#0d9488");
            }
            let tail = &n.series[n.series.len().saturating_sub(60)..];
            let cols: [Vec<f64>; 4] = [
                tail.iter().map(|p| p.rps).collect(),
                tail.iter().map(|p| p.p95_ms).collect(),
                tail.iter().map(|p| p.utilisation).collect(),
                tail.iter().map(|p| p.queue_len as f64).collect(),
            ];
            for (i, r) in refs.iter().enumerate() {
                if let Some(el) = r.get_untracked() {
                    charts::draw_sparkline(&el, &cols[i], colors[i]);
                }
            }
            let w = n.window;
            latest.set([w.rps, w.p95_ms, w.utilisation, n.queue_len as f64]);
        })
    });
    view! {
        <div class="sparklines">
            {(0..4).map(|i| view! {
                <div class="spark">
                    <span class="spark-label">{names[i]}": "{move || charts::fmt_val(latest.get()[i], "")}</span>
                    <canvas node_ref=refs[i] aria-hidden="true"></canvas>
                </div>
            }).collect_view()}
            <div class="spark" class:hidden=move || gauge.with(|g| g.is_none())>
                <span class="spark-label">{move || gauge.get().map(|(l, v)| format!("{l}: {}", charts::fmt_val(v, ""))).unwrap_or_default()}</span>
                <canvas node_ref=gauge_ref aria-hidden="true"></canvas>
            </div>
        </div>
    }
}

/// The node's data-tier figures (cache, replication, shards, queue, store, cost).
#[component]
fn DataRows(id: String) -> impl IntoView {
    let run = expect_context::<RunCtx>();
    let rows = Memo::new(move |_| {
        run.snap.with(|s| {
            s.nodes
                .iter()
                .find(|n| n.id == id)
                .map(datatier::rows)
                .unwrap_or_default()
        })
    });
    view! {
        <dl class="data-rows" data-testid="data-rows">
            {move || rows.get().into_iter().map(|(key, label, value)| view! {
                <div class="data-row"><dt>{label}</dt><dd data-testid=format!("dr-{key}")>{value}</dd></div>
            }).collect_view()}
        </dl>
    }
}

#[component]
fn EdgeInspector(from: String, to: String) -> impl IntoView {
    let run = expect_context::<RunCtx>();
    let dsg = expect_context::<DesignCtx>();
    let sel = expect_context::<SelectionCtx>();
    let link_state = {
        let (from, to) = (from.clone(), to.clone());
        move || {
            run.snap.with(|s| {
                s.edges
                    .iter()
                    .find(|e| e.from == from && e.to == to)
                    .map(|e| (e.state, e.window_rps, e.dropped, e.breaker))
            })
        }
    };
    let c = {
        let (from, to) = (from.clone(), to.clone());
        move |cut: bool| {
            let (from, to) = (from.clone(), to.clone());
            move |_: ev::MouseEvent| {
                run.command(if cut {
                    Command::Partition {
                        from: from.clone(),
                        to: to.clone(),
                    }
                } else {
                    Command::Heal {
                        from: from.clone(),
                        to: to.clone(),
                    }
                })
            }
        }
    };
    let chrome = expect_context::<ChromeCtx>();
    let loss_pct = RwSignal::new("10".to_string());
    let cap_rps = RwSignal::new("100".to_string());
    let lose = {
        let (from, to) = (from.clone(), to.clone());
        move |_| match link_fault_number(&loss_pct.get_untracked(), L::LINK_LOSS_FRACTION, 100.0) {
            Some(f) => run.command(Command::Loss {
                from: from.clone(),
                to: to.clone(),
                fraction: f,
            }),
            None => chrome.say("The packet loss must be between 0 and 100 %."),
        }
    };
    let cap = {
        let (from, to) = (from.clone(), to.clone());
        move |_| match link_fault_number(&cap_rps.get_untracked(), L::LINK_CAP_RPS, 1.0) {
            Some(rps) => run.command(Command::Cap {
                from: from.clone(),
                to: to.clone(),
                rps,
            }),
            None => chrome.say(format!(
                "The bandwidth cap must be above 0 and at most {} req/s.",
                L::LINK_CAP_RPS.max
            )),
        }
    };
    view! {
        <div class="edge-inspector" data-testid="inspector-edge">
            <h3>{format!("Link {from} → {to}")}</h3>
            <p data-testid="link-state">{move || link_state().map(|(st, rps, dropped, breaker)| format!(
                "{} · {} req/s · {} dropped{}",
                match st {
                    EdgeState::Up => "up".to_string(),
                    EdgeState::Partitioned => "cut".to_string(),
                    EdgeState::Slow { factor } => format!("slow ×{factor}"),
                    EdgeState::Lossy { fraction } => format!("losing {}%", fraction * 100.0),
                    EdgeState::Capped { rps } => format!("capped at {rps} req/s"),
                },
                charts::fmt_val(rps, ""), dropped,
                breaker.map(|b| format!(" · breaker {}", b.as_str().replace('_', "-"))).unwrap_or_default())).unwrap_or_else(|| "not simulated yet".to_string())}</p>
            <form class="fields" on:submit=|e| e.prevent_default()>
                {link_fields::edge_fields().into_iter().map(|f| view! { <FieldInput target=Target::Edge(from.clone(), to.clone(), f)/> }).collect_view()}
                <EdgeKinds from=from.clone() to=to.clone()/>
            </form>
            <h4>"Faults"</h4>
            <div class="buttons">
                <button class="danger" data-testid="cut" on:click=c(true)>"Cut (partition)"</button>
                <button data-testid="heal" on:click=c(false)>"Heal"</button>
                <button on:click=move |_| state::delete_selection(dsg, sel)>"Delete link"</button>
            </div>
            <div class="buttons">
                <button data-testid="loss" on:click=lose>"Packet loss %"</button>
                <input type="text" inputmode="decimal" class="num short" data-testid="loss-pct" aria-label="Share of requests lost, %" prop:value=move || loss_pct.get()
                    on:input=move |e| loss_pct.set(event_target_value(&e))/>
                <button data-testid="cap" on:click=cap>"Cap bandwidth at"</button>
                <input type="text" inputmode="decimal" class="num short" data-testid="cap-rps" aria-label="Bandwidth cap, requests per second" prop:value=move || cap_rps.get()
                    on:input=move |e| cap_rps.set(event_target_value(&e))/>
                <span class="unit">"req/s"</span>
            </div>
            <p class="hint">"Heal restores a cut, lossy or capped link."</p>
        </div>
    }
}

/// What the learner typed for a link fault, divided by `scale` (a percentage by 100), if it
/// lies in the core's `range`.
fn link_fault_number(text: &str, range: sim_core::limits::Range<f64>, scale: f64) -> Option<f64> {
    let v = text.trim().parse::<f64>().ok()? / scale;
    range.contains(v).then_some(v)
}

/// The request kinds the link carries, one checkbox each (an app server sends only those
/// over it; unticking every one is refused by the core).
#[component]
fn EdgeKinds(from: String, to: String) -> impl IntoView {
    let dsg = expect_context::<DesignCtx>();
    link_fields::EDGE_KINDS
        .iter()
        .map(|&(kind, label)| {
            let (f, t) = (from.clone(), to.clone());
            let checked = Memo::new(move |_| {
                dsg.design.with(|d| {
                    d.edges
                        .iter()
                        .find(|e| e.from == f && e.to == t)
                        .is_some_and(|e| link_fields::edge_carries(e, kind))
                })
            });
            let (f, t) = (from.clone(), to.clone());
            let on_change = move |e: ev::Event| {
                let on = event_target_checked(&e);
                dsg.edit(None, |s| link_fields::set_edge_kind(s, &f, &t, kind, on));
            };
            view! {
                <label class="toggle">
                    <input type="checkbox" data-testid=format!("edge-kind-{label}") prop:checked=move || checked.get() on:change=on_change/>
                    {format!("Carries {label}")}
                </label>
            }
        })
        .collect_view()
}

/// Partition two groups of nodes: every link between them is cut. The groups are this
/// widget's own; they are emptied when another design is opened.
#[component]
fn Partition() -> impl IntoView {
    let run = expect_context::<RunCtx>();
    let dsg = expect_context::<DesignCtx>();
    let sel = expect_context::<SelectionCtx>();
    let chrome = expect_context::<ChromeCtx>();
    let group_a = RwSignal::new(BTreeSet::<String>::new());
    let group_b = RwSignal::new(BTreeSet::<String>::new());
    Effect::new(move |_| {
        dsg.opened.track();
        group_a.set(BTreeSet::new());
        group_b.set(BTreeSet::new());
    });
    let names = |s: &BTreeSet<String>| {
        if s.is_empty() {
            "empty".to_string()
        } else {
            s.iter().cloned().collect::<Vec<_>>().join(", ")
        }
    };
    let between = move || {
        let (a, b) = (group_a.get_untracked(), group_b.get_untracked());
        dsg.design.with_untracked(|d| {
            d.edges
                .iter()
                .filter(|e| {
                    (a.contains(&e.from) && b.contains(&e.to))
                        || (b.contains(&e.from) && a.contains(&e.to))
                })
                .map(|e| (e.from.clone(), e.to.clone()))
                .collect::<Vec<_>>()
        })
    };
    let cut = move |_| {
        let links = between();
        if links.is_empty() {
            chrome.say("No link runs between group A and group B.");
        }
        for (from, to) in links {
            run.command(Command::Partition { from, to });
        }
    };
    let heal_all = move |_| {
        let cut: Vec<(String, String)> = run.snap.with_untracked(|s| {
            s.edges
                .iter()
                .filter(|e| e.state == EdgeState::Partitioned)
                .map(|e| (e.from.clone(), e.to.clone()))
                .collect()
        });
        for (from, to) in cut {
            run.command(Command::Heal { from, to });
        }
    };
    view! {
        <section class="partition" aria-label="Partition">
            <h4>"Partition"</h4>
            <p class="hint">"Select components, set them as group A or B, then cut every link between the groups."</p>
            <div class="buttons">
                <button data-testid="group-a" on:click=move |_| group_a.set(sel.selection.get_untracked().nodes)>"Selection → A"</button>
                <button data-testid="group-b" on:click=move |_| group_b.set(sel.selection.get_untracked().nodes)>"Selection → B"</button>
            </div>
            <p class="groups">{move || format!("A: {} · B: {}", names(&group_a.get()), names(&group_b.get()))}</p>
            <div class="buttons">
                <button class="danger" data-testid="cut-groups" on:click=cut>"Cut A | B"</button>
                <button data-testid="heal-all" on:click=heal_all>"Heal all links"</button>
            </div>
        </section>
    }
}
