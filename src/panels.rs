//! The run bar (with the first visit's hint), the palette with the traffic controls, and
//! the help dialog.

use leptos::ev;
use leptos::prelude::*;
use sim_core::{Command, KeyDistribution, NodeKind, RatePattern, Scenario};

use crate::canvas::add_at;
use crate::charts;
use crate::model::{self, KINDS};
use crate::state::{self, CameraCtx, ChromeCtx, DesignCtx, RunCtx, SelectionCtx};
use crate::storage;

/// Local-storage key set when the first visit's hint is dismissed.
const HINT_KEY: &str = "playground.hint-dismissed";

/// Speeds offered; infinity is fast-forward.
pub(crate) const SPEEDS: &[(f64, &str)] = &[
    (0.1, "0.1×"),
    (0.25, "0.25×"),
    (0.5, "0.5×"),
    (1.0, "1×"),
    (2.0, "2×"),
    (5.0, "5×"),
    (10.0, "10×"),
    (25.0, "25×"),
    (100.0, "100×"),
    (f64::INFINITY, "Fast-forward"),
];

#[component]
pub fn RunBar() -> impl IntoView {
    let run = expect_context::<RunCtx>();
    let dsg = expect_context::<DesignCtx>();
    let sel = expect_context::<SelectionCtx>();
    let chrome = expect_context::<ChromeCtx>();
    let seed_text = RwSignal::new(run.seed.get_untracked().to_string());
    let seed_bad = RwSignal::new(false);
    // A design opened from a link, a preset or a file brings its own seed.
    Effect::new(move |_| {
        let s = run.seed.get();
        if seed_text.get_untracked().trim().parse::<u64>().ok() != Some(s) {
            seed_text.set(s.to_string());
            seed_bad.set(false);
        }
    });
    let on_speed = move |e: ev::Event| {
        let v = event_target_value(&e);
        let speed = if v == "ff" {
            f64::INFINITY
        } else {
            v.parse().unwrap_or(1.0)
        };
        run.speed.set(speed);
        run.lagging.set(false);
    };
    let on_seed = move |e: ev::Event| {
        let v = event_target_value(&e);
        seed_text.set(v.clone());
        match v.trim().parse::<u64>() {
            Ok(s) => {
                seed_bad.set(false);
                run.seed.set(s);
                // Kept with the design (autosaved); it takes effect on Reset.
                dsg.design.update(|d| d.seed = s);
            }
            Err(_) => seed_bad.set(true),
        }
    };
    let cycle_theme = move |_| {
        chrome.theme.update(|t| {
            *t = match t.as_str() {
                "auto" => "dark",
                "dark" => "light",
                _ => "auto",
            }
            .to_string()
        })
    };
    view! {
        <header class="runbar" aria-label="Run bar">
            <span class="brand">"System-design playground"</span>
            <div class="run-controls" role="group" aria-label="Run controls">
                <button class="primary" data-testid="play" on:click=move |_| run.running.update(|r| *r = !*r)
                    aria-label=move || if run.running.get() { "Pause" } else { "Play" } title="Play / pause (Space)">
                    {move || if run.running.get() { "❚❚ Pause" } else { "▶ Play" }}
                </button>
                <button data-testid="step" on:click=move |_| run.step_once() title="Advance 0.1 s of simulated time (.)">"Step"</button>
                <button data-testid="reset" on:click=move |_| dsg.design.with_untracked(|d| run.reset(d)) title="Back to t = 0 with the current design and seed">"Reset"</button>
                <label class="field-inline"><span class="speed-word">"Speed "</span>
                    <select data-testid="speed" on:change=on_speed
                        prop:value=move || { let s = run.speed.get(); if s.is_finite() { s.to_string() } else { "ff".to_string() } }>
                        {SPEEDS.iter().map(|(v, label)| {
                            let value = if v.is_finite() { v.to_string() } else { "ff".to_string() };
                            let selected = *v == 1.0;
                            view! { <option value=value selected=selected>{*label}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label class="field-inline" title="Random seed, applied on Reset">"Seed "
                    <input class="seed" type="text" inputmode="numeric" data-testid="seed" prop:value=move || seed_text.get()
                        on:input=on_seed aria-invalid=move || seed_bad.get().to_string() class:invalid=move || seed_bad.get()/>
                </label>
            </div>
            <span class="clock" data-testid="sim-clock" aria-live="off">{move || format!("t = {:.1} s", run.clock.get())}</span>
            <crate::share::Fingerprint/>
            {move || run.lagging.get().then(|| view! {
                <span class="lagging" data-testid="lagging" role="status" title="The simulation cannot keep up with the chosen speed">
                    {move || format!("slower than real time: {}×", charts::fmt_val(run.achieved.get(), ""))}
                </span>
            })}
            <div class="menu" role="group" aria-label="Edit and view">
                <button on:click=move |_| state::undo(dsg, sel) data-testid="undo" title="Undo (Ctrl-Z)">"Undo"</button>
                <button on:click=move |_| state::redo(dsg, sel) data-testid="redo" title="Redo (Ctrl-Shift-Z)">"Redo"</button>
                <button on:click=move |_| { dsg.edit(None, |s| { let keep = s.clone(); *s = Scenario { nodes: Vec::new(), edges: Vec::new(), ..keep }; Ok(()) }); }
                    data-testid="clear" title="Remove every component (undoable)">"Clear"</button>
                <button on:click=move |_| { dsg.edit(None, |s| { *s = sim_core::demo_scenario(); Ok(()) }); }
                    title="Replace the design with the demo (undoable)">"Demo"</button>
                <crate::share::MenuButtons/>
                <crate::exports::ExportMenu/>
                <button on:click=cycle_theme data-testid="theme" title="Colour scheme: automatic, dark or light">
                    {move || format!("◐ {}", chrome.theme.get())}
                </button>
                <button on:click=move |_| chrome.help_open.set(true) data-testid="help" title="Keyboard shortcuts (?)" aria-label="Help and shortcuts">"?"</button>
            </div>
            <crate::share::OpenFull/>
            {move || chrome.storage_msg.get().map(|m| view! { <p class="storage-msg" role="alert" data-testid="storage-msg">{m}</p> })}
            <crate::share::LinkBanner/>
        </header>
        <FirstVisitHint/>
    }
}

/// What to do first, in a strip between the canvas and the dock until dismissed (remembered
/// where storage works; where it does not, it shows on every visit). Never in an embed. It
/// covers no component and no control.
#[component]
fn FirstVisitHint() -> impl IntoView {
    let embed = expect_context::<crate::share::Page>()
        .cfg
        .with_value(|c| c.embed);
    let dismissed = matches!(storage::load(HINT_KEY), Ok(Some(_)));
    let shown = RwSignal::new(!embed && !dismissed);
    let dismiss = move |_| {
        shown.set(false);
        let _ = storage::save(HINT_KEY, "1");
    };
    move || {
        shown.get().then(|| {
            view! {
                <aside class="first-hint" role="note" aria-label="Getting started" data-testid="first-hint">
                    <p>
                        <b>"New here? "</b>"Press "<b>"▶ Play"</b>" to send traffic through the design, "
                        "click a component to see and change it, or open "<b>"Presets"</b>" for guided designs."
                    </p>
                    <button data-testid="dismiss-hint" on:click=dismiss title="Dismiss the hint">"Got it"</button>
                </aside>
            }
        })
    }
}

#[component]
pub fn Palette() -> impl IntoView {
    let dsg = expect_context::<DesignCtx>();
    let camera = expect_context::<CameraCtx>();
    let sel = expect_context::<SelectionCtx>();
    let chrome = expect_context::<ChromeCtx>();
    let click_add = move |key: &'static str| {
        // Place new nodes near the centre of the visible canvas, staggered.
        let (x0, y0) = camera.view.get_untracked().to_world(200.0, 120.0);
        let n = dsg.design.with_untracked(|d| d.nodes.len()) as f64;
        let (x, y) = (x0 + (n % 5.0) * 30.0, y0 + (n % 5.0) * 30.0);
        add_at(dsg, sel, chrome, key, x, y);
    };
    view! {
        <nav class="palette" aria-label="Component palette">
            <h2>"Components"</h2>
            <ul class="kinds">
                {KINDS.iter().map(|k| view! {
                    <li>
                        <button class=format!("kind kind-{}", k.key) draggable="true" data-testid=format!("palette-{}", k.key)
                            title=format!("{} — drag onto the canvas, or click to add", k.blurb)
                            on:dragstart=move |e: ev::DragEvent| {
                                if let Some(dt) = e.data_transfer() {
                                    let _ = dt.set_data("text/plain", k.key);
                                    dt.set_effect_allowed("copy");
                                }
                            }
                            on:click=move |_| click_add(k.key)>
                            <span class="kind-title">{k.title}</span>
                            <span class="kind-blurb">{k.blurb}</span>
                        </button>
                    </li>
                }).collect_view()}
            </ul>
            <crate::files::DesignFiles/>
        </nav>
    }
}

/// The first client's parameters (the traffic controls show and set every client).
fn first_client(s: &Scenario) -> Option<sim_core::ClientParams> {
    s.nodes.iter().find_map(|n| match &n.kind {
        NodeKind::Client(c) => Some(c.clone()),
        _ => None,
    })
}

/// Applies `f` to every client of the design as one (coalesced) edit.
fn edit_clients(dsg: DesignCtx, key: &str, f: impl Fn(&mut sim_core::ClientParams)) {
    dsg.edit(Some(format!("traffic-{key}")), |s| {
        for n in &mut s.nodes {
            if let NodeKind::Client(c) = &mut n.kind {
                f(c);
            }
        }
        s.validate().map_err(|e| e.message)
    });
}

/// Slider position (0…1000) ↔ rate 1…1 000 000 req/s, logarithmic.
fn slider_to_rate(v: f64) -> f64 {
    let r = 10f64.powf(v / 1000.0 * 6.0);
    if r >= 100.0 {
        (r / 10.0).round() * 10.0
    } else {
        r.round()
    }
}
fn rate_to_slider(r: f64) -> f64 {
    (r.max(1.0).log10() / 6.0 * 1000.0).round()
}

#[component]
pub fn Traffic() -> impl IntoView {
    let run = expect_context::<RunCtx>();
    let dsg = expect_context::<DesignCtx>();
    let chrome = expect_context::<ChromeCtx>();
    let client = Memo::new(move |_| dsg.design.with(first_client));
    let rate = move || client.with(|c| c.as_ref().map_or(0.0, |c| c.rate_rps));
    let rate_text = RwSignal::new(String::new());
    let rate_bad = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let r = rate();
        if rate_text.get_untracked().trim().parse::<f64>().ok() != Some(r) {
            rate_text.set(format!("{r}"));
        }
    });
    let set_rate = move |r: f64| edit_clients(dsg, "rate", |c| c.rate_rps = r);
    let on_rate_text = move |e: ev::Event| {
        let v = event_target_value(&e);
        rate_text.set(v.clone());
        match v.trim().parse::<f64>() {
            Ok(r) if sim_core::limits::CLIENT_RATE_RPS.contains(r) => {
                rate_bad.set(None);
                set_rate(r);
            }
            _ => rate_bad.set(Some(format!(
                "a rate between {} and {} req/s",
                sim_core::limits::CLIENT_RATE_RPS.min,
                sim_core::limits::CLIENT_RATE_RPS.max
            ))),
        }
    };
    let mix = move || client.with(|c| c.as_ref().map(|c| c.mix.clone()).unwrap_or_default());
    let set_mix = move |which: usize, v: f64| {
        edit_clients(dsg, "mix", |c| {
            let m = &mut c.mix;
            match which {
                0 => m.read = v,
                1 => m.write = v,
                _ => m.static_asset = v,
            }
        })
    };
    let skew = move || {
        client.with(|c| match c.as_ref().map(|c| &c.keys) {
            Some(KeyDistribution::Zipf { s, .. }) => *s,
            _ => 0.0,
        })
    };
    let set_skew = move |s: f64| {
        edit_clients(dsg, "skew", |c| {
            let key_count = match c.keys {
                KeyDistribution::Uniform { key_count }
                | KeyDistribution::Zipf { key_count, .. }
                | KeyDistribution::HotKey { key_count, .. } => key_count,
            };
            c.keys = KeyDistribution::Zipf { key_count, s };
        })
    };
    let diurnal = move || {
        client.with(|c| {
            c.as_ref()
                .is_some_and(|c| matches!(c.pattern, RatePattern::Diurnal { .. }))
        })
    };
    let spike_x = RwSignal::new("5".to_string());
    let spike_s = RwSignal::new("10".to_string());
    let spike_err = Memo::new(move |_| {
        let x = spike_x
            .get()
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v > 0.0 && *v <= 1000.0);
        let s = spike_s
            .get()
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v > 0.0 && *v <= 86_400.0);
        match (x, s) {
            (Some(x), Some(s)) => Ok((x, s)),
            (None, _) => Err("the multiplier must be above 0 and at most 1000".to_string()),
            (_, None) => Err("the duration must be above 0 s and at most one day".to_string()),
        }
    });
    let spike = move |_| {
        let Ok((multiplier, duration_s)) = spike_err.get_untracked() else {
            return;
        };
        let clients: Vec<String> = dsg.design.with_untracked(|d| {
            d.nodes
                .iter()
                .filter(|n| matches!(n.kind, NodeKind::Client(_)))
                .map(|n| n.id.clone())
                .collect()
        });
        if clients.is_empty() {
            chrome.say("Add a client first: spikes multiply a client's rate.");
        }
        for client in clients {
            run.command(Command::Spike {
                client,
                multiplier,
                duration_s,
            });
        }
    };
    let no_client = move || client.with(|c| c.is_none());
    let mix_slider = move |which: usize, label: &'static str, testid: &'static str| {
        view! {
            <label class="slider">{label}
                <input type="range" min="0" max="100" step="1" data-testid=testid disabled=no_client
                    prop:value=move || { let m = mix(); let v = [m.read, m.write, m.static_asset][which]; let t = m.read + m.write + m.static_asset + m.job; if t > 0.0 { (v / t * 100.0).round() } else { 0.0 } }
                    on:change=move |_| dsg.seal_history() on:input=move |e| set_mix(which, event_target_value(&e).parse::<f64>().unwrap_or(0.0) / 100.0)/>
            </label>
        }
    };
    view! {
        <section class="traffic" aria-label="Traffic">
            <h2>"Traffic"</h2>
            {move || no_client().then(|| view! { <p class="hint">"Add a client to drive traffic."</p> })}
            <label class="slider">"Rate per client"
                <input type="range" min="0" max="1000" step="1" data-testid="rate-slider" disabled=no_client
                    prop:value=move || rate_to_slider(rate())
                    on:change=move |_| dsg.seal_history() on:input=move |e| set_rate(slider_to_rate(event_target_value(&e).parse().unwrap_or(0.0)))/>
            </label>
            <label class="field-inline">
                <input type="text" inputmode="decimal" class="num" data-testid="rate-input" disabled=no_client
                    prop:value=move || rate_text.get() on:input=on_rate_text on:blur=move |_| dsg.seal_history()
                    class:invalid=move || rate_bad.with(|b| b.is_some()) aria-invalid=move || rate_bad.with(|b| b.is_some()).to_string()/>
                " req/s"
            </label>
            {move || rate_bad.get().map(|m| view! { <span class="field-error">{m}</span> })}
            <fieldset class="mix">
                <legend>"Mix (share of requests)"</legend>
                {mix_slider(0, "Read", "mix-read")}
                {mix_slider(1, "Write", "mix-write")}
                {mix_slider(2, "Static", "mix-static")}
            </fieldset>
            <label class="slider">{move || format!("Key skew (Zipf s = {:.1})", skew())}
                <input type="range" min="0" max="2" step="0.1" data-testid="skew" disabled=no_client prop:value=move || skew().to_string()
                    on:change=move |_| dsg.seal_history() on:input=move |e| set_skew(event_target_value(&e).parse().unwrap_or(0.0))/>
            </label>
            <div class="spike">
                <button on:click=spike data-testid="spike" disabled=move || no_client() || spike_err.with(|r| r.is_err())>"Spike"</button>
                <label>"×"<input type="text" inputmode="decimal" class="num short" data-testid="spike-x" prop:value=move || spike_x.get()
                    on:input=move |e| spike_x.set(event_target_value(&e))/></label>
                <label>"for "<input type="text" inputmode="decimal" class="num short" data-testid="spike-s" prop:value=move || spike_s.get()
                    on:input=move |e| spike_s.set(event_target_value(&e))/>" s"</label>
            </div>
            {move || spike_err.get().err().map(|m| view! { <span class="field-error">{m}</span> })}
            <label class="check">
                <input type="checkbox" data-testid="diurnal" disabled=no_client prop:checked=diurnal
                    on:change=move |e| {
                        let on = event_target_checked(&e);
                        edit_clients(dsg, "diurnal", |c| c.pattern = if on { RatePattern::Diurnal { period_s: 60.0, amplitude: 0.5 } } else { RatePattern::Constant });
                    }/>
                " Diurnal (±50% over 60 s)"
            </label>
        </section>
    }
}

#[component]
pub fn Help() -> impl IntoView {
    let chrome = expect_context::<ChromeCtx>();
    let rows: &[(&str, &str)] = &[
        ("Space", "Play / pause"),
        (".", "Step 0.1 s"),
        (", / >", "One metrics window back / forward in the run"),
        ("Ctrl-Z / Ctrl-Shift-Z (Ctrl-Y)", "Undo / redo"),
        ("Delete, Backspace", "Delete the selection"),
        ("Tab, Enter", "Focus and select a component or link"),
        ("Shift-click, Shift-Enter", "Add to the selection"),
        ("Shift-drag on the background", "Rubber-band selection"),
        ("Ctrl-A", "Select everything"),
        (
            "Arrow keys on a component",
            "Move the focus to the nearest component that way",
        ),
        (
            "] / [ on a component",
            "Follow a link to a callee / a caller",
        ),
        (
            "C on a component, then Enter",
            "Connect it to another component",
        ),
        ("X on a component", "Open its faults"),
        ("D", "Describe the design and the run (screen readers)"),
        (
            "Shift-arrows on a component; arrows on the canvas",
            "Move the selection; with nothing selected, pan the canvas",
        ),
        (
            "Drag the background; wheel or pinch; + / − / F",
            "Pan; zoom; fit to view",
        ),
        (
            "Drag from a right-hand port to a component",
            "Connect (or click the port, then the target)",
        ),
        ("Esc", "Cancel connecting, close this dialog"),
        ("?", "This help"),
    ];
    let modal = NodeRef::<leptos::html::Div>::new();
    crate::focus::trap_while_open(chrome.help_open, modal);
    view! {
        <Show when=move || chrome.help_open.get()>
            <div class="modal-backdrop" on:click=move |_| chrome.help_open.set(false)>
                <div class="modal" role="dialog" aria-modal="true" aria-labelledby="help-title" data-testid="help-dialog"
                    node_ref=modal on:keydown=crate::focus::cycle_tab on:click=|e| e.stop_propagation()>
                    <h2 id="help-title">"Keyboard shortcuts"</h2>
                    <table>
                        {rows.iter().map(|(k, v)| view! { <tr><th scope="row"><kbd>{*k}</kbd></th><td>{*v}</td></tr> }).collect_view()}
                    </table>
                    <p class="hint">"The inspector's \"Connect to\" list links components without a pointer."</p>
                    <button on:click=move |_| chrome.help_open.set(false) data-testid="help-close">"Close"</button>
                </div>
            </div>
        </Show>
    }
}

/// Offered load of the design, for the dock.
pub fn offered(dsg: DesignCtx) -> f64 {
    dsg.design.with(model::offered_rps)
}
