//! The preset gallery (every entry of `sim_core::presets::PRESETS`, under a heading per
//! `presets::Group`) and the lesson panel shown beside the canvas for a design that carries a
//! lesson.

use leptos::prelude::*;
use sim_core::presets::{Group, Preset};

use crate::share::{open, Opener, Page};
use crate::state::DesignCtx;

/// The gallery entries of one group: id, title, a one-line summary (or why the preset cannot
/// be read).
fn entries(presets: impl Iterator<Item = &'static Preset>) -> Vec<(&'static str, String, String)> {
    presets
        .map(|p| match p.scenario() {
            Ok(s) => {
                let (title, summary) = s
                    .lesson
                    .map_or_else(|| (s.name.clone(), String::new()), |l| (l.title, l.summary));
                let title = if title.trim().is_empty() {
                    p.id.to_string()
                } else {
                    title
                };
                (p.id, title, first_sentence(&summary))
            }
            Err(e) => (p.id, p.id.to_string(), format!("Cannot be read: {e}")),
        })
        .collect()
}

/// The first sentence of `text` (up to ": " or ". ").
fn first_sentence(text: &str) -> String {
    let cut = [". ", ": "]
        .iter()
        .filter_map(|sep| text.find(sep))
        .min()
        .unwrap_or(text.len());
    let mut s = text[..cut].trim_end_matches('.').to_string();
    if !s.is_empty() {
        s.push('.');
    }
    s
}

/// The "Presets" dialog: choosing one loads it (one undo step; the run resets).
#[component]
pub fn Gallery() -> impl IntoView {
    let opener = Opener::take();
    let page = expect_context::<Page>();
    let choose = move |id: &'static str| {
        page.gallery_open.set(false);
        match crate::share::preset_scenario(id) {
            Ok(s) => {
                let title = s
                    .lesson
                    .as_ref()
                    .map_or_else(|| s.name.clone(), |l| l.title.clone());
                open(opener, s, true, true);
                opener.chrome.say(format!(
                    "Loaded the preset “{title}”. Undo (Ctrl-Z) brings back your previous design."
                ));
            }
            Err(e) => opener.chrome.say(e),
        }
    };
    view! {
        <Show when=move || page.gallery_open.get()>
            <div class="modal-backdrop" on:click=move |_| page.gallery_open.set(false)>
                <div class="modal gallery" role="dialog" aria-modal="true" aria-labelledby="gallery-title" data-testid="gallery"
                    on:click=|e| e.stop_propagation()>
                    <h2 id="gallery-title">"Presets"</h2>
                    <p class="hint">"Prepared designs, each with a short lesson. Loading one replaces your design (Undo brings it back) and restarts the run."</p>
                    {Group::ALL.into_iter().map(|g| {
                        let heading = format!("preset-group-{}", g.id());
                        let (labelled_by, testid) = (heading.clone(), heading.clone());
                        view! {
                            <section class="preset-group" aria-labelledby=labelled_by data-testid=testid>
                                <h3 id=heading>{g.title()}</h3>
                                <p class="hint">{g.blurb()}</p>
                                <ol class="presets">
                                    {entries(g.presets()).into_iter().map(|(id, title, summary)| view! {
                                        <li>
                                            <button class="preset" data-testid=format!("preset-{id}") on:click=move |_| choose(id)>
                                                <span class="preset-title">{title}</span>
                                                <span class="preset-summary">{summary}</span>
                                            </button>
                                        </li>
                                    }).collect_view()}
                                </ol>
                            </section>
                        }
                    }).collect_view()}
                    <crate::challenge::CampaignList/>
                    <button on:click=move |_| page.gallery_open.set(false) autofocus=true>"Close"</button>
                </div>
            </div>
        </Show>
    }
}

/// The current design's lesson beside the canvas (below it on a narrow screen):
/// title, summary and "try this → watch that" steps; collapsible.
#[component]
pub fn LessonPanel() -> impl IntoView {
    let dsg = expect_context::<DesignCtx>();
    let page = expect_context::<Page>();
    let hidden = page.cfg.with_value(|c| c.hides("lesson"));
    let lesson = Memo::new(move |_| dsg.design.with(|d| d.lesson.clone()));
    let open = RwSignal::new(true);
    move || {
        if hidden {
            return None;
        }
        lesson.get().map(|l| {
            view! {
                <aside class="lesson" class:collapsed=move || !open.get() aria-label="Lesson" data-testid="lesson">
                    <button class="lesson-toggle" data-testid="lesson-toggle" aria-expanded=move || open.get().to_string()
                        on:click=move |_| open.update(|o| *o = !*o)
                        title=move || if open.get() { "Collapse the lesson" } else { "Show the lesson" }>
                        <span class="lesson-chevron" aria-hidden="true">{move || if open.get() { "▾" } else { "▸" }}</span>
                        <span class="lesson-title">{l.title.clone()}</span>
                    </button>
                    <Show when=move || open.get()>
                        <p class="lesson-summary">{l.summary.clone()}</p>
                        <ol class="lesson-steps">
                            {l.steps.iter().map(|s| view! {
                                <li>
                                    <span class="try"><b>"Try: "</b>{s.try_this.clone()}</span>
                                    <span class="watch"><b>"Watch: "</b>{s.watch.clone()}</span>
                                </li>
                            }).collect_view()}
                        </ol>
                    </Show>
                </aside>
            }
        })
    }
}
