//! The page side of `a11y`: the polite live region that describes the run, the keyboard
//! moves between components (focus, links, faults), and the reduced-motion preference.

use std::collections::BTreeMap;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use crate::a11y::{self, Dir, Pacer, RunFacts, Spot};
use crate::model::{self, NODE_H, NODE_W};
use crate::state::{DesignCtx, RunCtx};

/// What the live region says, and the pacing behind it.
#[derive(Clone, Copy)]
pub struct Narration {
    text: RwSignal<String>,
    pacer: StoredValue<Pacer>,
    /// The last component reached along a link from (component, downstream).
    followed: StoredValue<BTreeMap<(String, bool), String>>,
}

impl Narration {
    pub fn new() -> Narration {
        Narration {
            text: RwSignal::new(String::new()),
            pacer: StoredValue::new(Pacer::default()),
            followed: StoredValue::new(BTreeMap::new()),
        }
    }

    /// Says the design and the run now (the describe key).
    pub fn describe_now(&self, run: RunCtx, dsg: DesignCtx) {
        let design = dsg.design.with_untracked(|d| {
            let kinds: Vec<(String, String)> = d
                .nodes
                .iter()
                .map(|n| {
                    let kind = model::kind_info(n.kind.name()).map_or("component", |k| k.title);
                    (n.id.clone(), kind.to_lowercase())
                })
                .collect();
            a11y::describe_design(&kinds, &edges(d))
        });
        let facts = run.snap.with_untracked(|s| RunFacts::of(s));
        let state = if run.running.get_untracked() {
            "Running"
        } else {
            "Paused"
        };
        let rates = self
            .pacer
            .try_update_value(|p| p.say_now(&facts, now_ms()))
            .unwrap_or_default();
        self.text
            .set(format!("{design} {state} at {:.1} s: {rates}", facts.now_s));
    }

    /// Moves the focus from component `from` to the next one in `dir`.
    pub fn navigate(&self, dsg: DesignCtx, from: &str, dir: Dir) {
        let to = dsg.design.with_untracked(|d| {
            let spots: Vec<Spot> = d
                .nodes
                .iter()
                .filter_map(|n| {
                    let (x, y) = model::node_pos(d, &n.id)?;
                    Some(Spot {
                        id: n.id.clone(),
                        x: x + NODE_W / 2.0,
                        y: y + NODE_H / 2.0,
                    })
                })
                .collect();
            a11y::next_in_direction(&spots, from, dir)
        });
        if let Some(to) = to {
            focus_node(&to);
        }
    }

    /// Moves the focus from component `from` along one of its links.
    pub fn follow_link(&self, dsg: DesignCtx, from: &str, downstream: bool) {
        let key = (from.to_string(), downstream);
        let last = self.followed.with_value(|f| f.get(&key).cloned());
        let to = dsg
            .design
            .with_untracked(|d| a11y::along_link(&edges(d), from, downstream, last.as_deref()));
        if let Some(to) = to {
            self.followed.update_value(|f| {
                f.insert(key, to.clone());
            });
            focus_node(&to);
        }
    }
}

fn edges(d: &sim_core::Scenario) -> Vec<(String, String)> {
    d.edges
        .iter()
        .map(|e| (e.from.clone(), e.to.clone()))
        .collect()
}

fn now_ms() -> f64 {
    gloo::utils::window().performance().map_or(0.0, |p| p.now())
}

/// The canvas element of component `id`.
fn node_element(id: &str) -> Option<HtmlElement> {
    let list = gloo::utils::document()
        .query_selector_all(".stage .node[data-node]")
        .ok()?;
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<HtmlElement>().ok())
        .find(|el| el.get_attribute("data-node").as_deref() == Some(id))
}

/// Gives the keyboard focus to component `id`.
pub fn focus_node(id: &str) {
    if let Some(el) = node_element(id) {
        let _ = el.focus();
    }
}

/// The component whose box has the focus, if one has.
pub fn focused_node() -> Option<String> {
    let el = gloo::utils::document().active_element()?;
    el.closest(".stage .node[data-node]")
        .ok()
        .flatten()?
        .get_attribute("data-node")
}

/// Takes the focus to the inspector's first fault button once it is drawn.
pub fn focus_faults() {
    set_timeout(
        || {
            if let Some(el) = gloo::utils::document()
                .query_selector("[data-testid=inspector-node] [data-testid=kill]")
                .ok()
                .flatten()
                .and_then(|e| e.dyn_into::<HtmlElement>().ok())
            {
                let _ = el.focus();
            }
        },
        std::time::Duration::from_millis(50),
    );
}

/// True when the visitor asked for reduced motion (`prefers-reduced-motion: reduce`).
pub fn reduced_motion() -> bool {
    gloo::utils::window()
        .match_media("(prefers-reduced-motion: reduce)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches())
}

/// The polite live region: a sentence about the run at a calm pace, and whatever the
/// describe key asked for.
#[component]
pub fn LiveRegion() -> impl IntoView {
    let run = expect_context::<RunCtx>();
    let narration = expect_context::<Narration>();
    Effect::new(move |_| {
        let facts = run.snap.with(|s| RunFacts::of(s));
        let running = run.running.get_untracked();
        let said = narration
            .pacer
            .try_update_value(|p| p.tick(&facts, running, now_ms()))
            .flatten();
        if let Some(s) = said {
            narration.text.set(s);
        }
    });
    view! {
        <p class="visually-hidden" role="status" aria-live="polite" data-testid="live-region">
            {move || narration.text.get()}
        </p>
    }
}
