//! The playground's web UI: a Leptos shell around `sim-core`. The UI holds no simulation
//! logic: edits become `Command`s (see `model::diff`), and the view draws snapshots.

use std::collections::BTreeSet;

use leptos::html::Canvas;
use leptos::prelude::*;
use sim_core::Scenario;
use wasm_bindgen::JsCast;

pub mod a11y;
pub mod camera;
pub mod campaign;
mod canvas;
mod challenge;
mod charts;
mod datatier;
mod dock;
pub mod embed;
pub mod engine;
mod explain;
pub mod export;
mod exports;
pub mod fields;
mod files;
mod focus;
mod frame_loop;
mod gallery;
pub mod host;
pub mod host_api;
mod inspector;
pub mod keys;
pub mod link_fields;
pub mod model;
mod narrator;
mod panels;
mod regions;
mod share;
pub mod state;
mod storage;
mod tabs;
mod timeline;

pub use camera::View;
use keys::Action;
pub use state::STEP_S;
use state::{CameraCtx, ChromeCtx, DesignCtx, FrameState, RunCtx, SelectionCtx};

/// Key of the autosaved design in local storage.
const DESIGN_KEY: &str = "playground.design.v1";
/// Where an autosave that could not be read is kept, so it is never lost.
const UNREADABLE_KEY: &str = "playground.design.unreadable";
/// Key of the colour-scheme choice.
const THEME_KEY: &str = "playground.theme";

/// What is selected on the canvas.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Selection {
    pub nodes: BTreeSet<String>,
    pub edge: Option<(String, String)>,
}

/// The design to start with: the autosave if there is a readable one, else the demo.
fn initial_design() -> (Scenario, Vec<String>) {
    let mut msgs = Vec::new();
    let design = match storage::load(DESIGN_KEY) {
        Ok(Some(json)) => match Scenario::from_json(&json) {
            Ok(s) => s,
            Err(e) => {
                let kept = storage::save(UNREADABLE_KEY, &json).is_ok();
                msgs.push(format!(
                    "Your saved design could not be read ({e}); {} The demo design was loaded instead.",
                    if kept { format!("it was kept in local storage under \"{UNREADABLE_KEY}\".") } else { "it was left untouched.".to_string() }
                ));
                sim_core::demo_scenario()
            }
        },
        Ok(None) => sim_core::demo_scenario(),
        Err(e) => {
            msgs.push(e);
            sim_core::demo_scenario()
        }
    };
    (design, msgs)
}

/// The whole page: run bar, palette, canvas, inspector and metrics dock.
#[component]
pub fn App() -> impl IntoView {
    let cfg = embed::Config::parse(
        &gloo::utils::window()
            .location()
            .search()
            .unwrap_or_default(),
    );
    if cfg.embed {
        // An embed never touches the visitor's storage (and a sandboxed one cannot).
        storage::disable();
    }
    let classes = cfg.classes();
    let hosts = cfg.hosts.clone();
    let (design, msgs) = initial_design();
    let (run, dsg, camera, sel, chrome, err) = state::contexts(design, cfg.readonly);
    let tab = chrome.tab;
    provide_context(run);
    provide_context(dsg);
    provide_context(camera);
    provide_context(sel);
    provide_context(chrome);
    let page = share::Page::new(cfg);
    provide_context(page);
    let storage_problem = msgs.first().cloned();
    if let Some(m) = storage_problem.clone() {
        chrome.storage_msg.set(Some(m));
    }
    if let Some(e) = err {
        chrome.say(format!("The saved design could not be simulated: {e}"));
    }
    if let Ok(Some(t)) = storage::load(THEME_KEY) {
        if ["light", "dark", "auto"].contains(&t.as_str()) {
            chrome.theme.set(t);
        }
    }

    share::start(share::Opener::take(), page);
    let challenges = challenge::ChallengeCtx::new();
    provide_context(challenges);
    host::install(hosts, share::Opener::take(), challenges);
    challenge::start(challenges, share::Opener::take(), page);

    // Autosave every change of the design (a failure is said once, plainly). The design
    // the page opened with is already saved, or must not be (a refused link writes nothing).
    Effect::new(move |opened: Option<()>| {
        let json = dsg.design.with(|d| d.to_json());
        // A trial replay on the canvas is not the learner's design: theirs stays saved.
        if opened.is_some() && !challenges.replaying() {
            if let Err(e) = storage::save(DESIGN_KEY, &json) {
                chrome.storage_msg.set(Some(e));
            }
        }
    });
    // Notices fade after a few seconds.
    Effect::new(move |_| {
        if let Some(m) = chrome.notice.get() {
            set_timeout(
                move || {
                    if chrome.notice.get_untracked().as_deref() == Some(m.as_str()) {
                        chrome.notice.set(None);
                    }
                },
                std::time::Duration::from_secs(8),
            );
        }
    });
    // The colour scheme lives on <html data-theme>; it is saved when changed.
    Effect::new(move |opened: Option<()>| {
        let t = chrome.theme.get();
        if let Some(root) = gloo::utils::document().document_element() {
            let _ = root.set_attribute("data-theme", &t);
        }
        if opened.is_some() {
            let _ = storage::save(THEME_KEY, &t);
        }
    });

    let dots = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        if let Some(el) = dots.get() {
            start_frame_loop(run, dsg, camera, el);
        }
    });
    let narration = narrator::Narration::new();
    provide_context(narration);
    install_shortcuts(run, dsg, camera, sel, chrome, narration);

    view! {
        <div class=move || format!("{classes} {}", tabs::tab_class(tab.get())) id="app">
            <panels::RunBar/>
            <div class="left">
                <panels::Palette/>
                <panels::Traffic/>
            </div>
            <canvas::Stage dots=dots/>
            <gallery::LessonPanel/>
            <challenge::ChallengePanel/>
            <challenge::ReplayBadge/>
            <inspector::Inspector/>
            <dock::Dock/>
            <tabs::PhoneTabs open=tab/>
            <panels::Help/>
            <gallery::Gallery/>
            <share::ShareDialog/>
            <share::EmbedDialog/>
            <narrator::LiveRegion/>
        </div>
    }
}

fn start_frame_loop(
    run: RunCtx,
    dsg: DesignCtx,
    camera: CameraCtx,
    el: web_sys::HtmlCanvasElement,
) {
    let Some(c2d) = el
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    let mut last_ms: Option<f64> = None;
    let mut st = FrameState::default();
    frame_loop::every_frame(move |ms| {
        let dt_ms = (ms - last_ms.unwrap_or(ms)).clamp(0.0, 100.0);
        last_ms = Some(ms);
        run.frame(dt_ms, ms, &mut st);
        canvas::draw_dots(run, dsg, camera, &el, &c2d, ms);
    });
}

/// The element a key event is aimed at.
fn target_element(ev: &web_sys::KeyboardEvent) -> Option<web_sys::Element> {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
}

/// The canvas's size in CSS px.
fn stage_size() -> (f64, f64) {
    gloo::utils::document()
        .query_selector(".stage")
        .ok()
        .flatten()
        .map(|el| (f64::from(el.client_width()), f64::from(el.client_height())))
        .unwrap_or((800.0, 600.0))
}

/// Reads each key press into a `keys::Press` and performs its `keys::Action`.
fn install_shortcuts(
    run: RunCtx,
    dsg: DesignCtx,
    camera: CameraCtx,
    sel: SelectionCtx,
    chrome: ChromeCtx,
    narration: narrator::Narration,
) {
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        let key = ev.key();
        let target = target_element(&ev);
        let tag = target
            .as_ref()
            .map(|el| el.tag_name().to_ascii_lowercase())
            .unwrap_or_default();
        let press = keys::Press {
            key: &key,
            ctrl: ev.ctrl_key() || ev.meta_key(),
            shift: ev.shift_key(),
            in_field: matches!(tag.as_str(), "input" | "select" | "textarea"),
            on_button: ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlButtonElement>().ok())
                .is_some(),
            in_stage: target
                .as_ref()
                .and_then(|el| el.closest(".stage").ok().flatten())
                .is_some(),
            has_selection: sel.selection.with_untracked(|s| !s.nodes.is_empty()),
            on_node: target
                .as_ref()
                .and_then(|el| el.closest(".stage .node[data-node]").ok().flatten())
                .is_some(),
        };
        let Some(action) = keys::action(&press) else {
            return;
        };
        match action {
            Action::Cancel => {
                chrome.help_open.set(false);
                sel.pending_connect.set(None);
            }
            Action::Undo => state::undo(dsg, sel),
            Action::Redo => state::redo(dsg, sel),
            Action::SelectAll => sel.select_nodes(
                dsg.design
                    .with_untracked(|d| d.nodes.iter().map(|n| n.id.clone()).collect()),
            ),
            Action::DeleteSelection => state::delete_selection(dsg, sel),
            Action::TogglePlay => run.running.update(|r| *r = !*r),
            Action::Step => run.step_once(),
            Action::SeekWindow { forward } => run.seek_by(
                if forward { 1.0 } else { -1.0 },
                dsg.design.with_untracked(|d| d.metrics.window_s),
            ),
            Action::ToggleHelp => chrome.help_open.update(|h| *h = !*h),
            Action::ZoomIn | Action::ZoomOut | Action::Fit => {
                let (w, h) = stage_size();
                match action {
                    Action::Fit => dsg
                        .design
                        .with_untracked(|d| camera.fit(d, w, h, camera::MIN_ZOOM)),
                    Action::ZoomOut => camera.zoom_at(keys::ZOOM_OUT, w / 2.0, h / 2.0),
                    _ => camera.zoom_at(keys::ZOOM_IN, w / 2.0, h / 2.0),
                }
            }
            Action::Pan { dx, dy } => camera.view.update(|v| *v = v.panned(dx, dy)),
            Action::MoveSelection { dx, dy } => {
                let ids = sel.selection.get_untracked().nodes;
                dsg.edit(Some("keyboard-move".to_string()), |s| {
                    model::move_nodes(s, &ids, dx, dy);
                    Ok(())
                });
            }
            Action::Describe => narration.describe_now(run, dsg),
            Action::Navigate(_)
            | Action::FollowLink { .. }
            | Action::StartConnect
            | Action::OpenFaults => {
                let Some(id) = narrator::focused_node() else {
                    return;
                };
                match action {
                    Action::Navigate(dir) => narration.navigate(dsg, &id, dir),
                    Action::FollowLink { downstream } => {
                        narration.follow_link(dsg, &id, downstream)
                    }
                    Action::StartConnect => {
                        chrome.say(format!(
                            "Connecting from {id}: move to the component it should call and press Enter (Esc cancels)."
                        ));
                        sel.pending_connect.set(Some(id));
                    }
                    _ => {
                        sel.select_nodes(BTreeSet::from([id]));
                        narrator::focus_faults();
                    }
                }
            }
        }
        if action.prevents_default() {
            ev.prevent_default();
        }
    });
    // The listener lives as long as the page; dropping the handle keeps it installed.
    std::mem::forget(handle);
}
