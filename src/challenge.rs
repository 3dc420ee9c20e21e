//! Graded challenges on the page: the campaign list (in the preset gallery), `?challenge=ID`,
//! the challenge panel beside the canvas (title, brief, goal, trial, Submit, the verdict) and
//! the trial replay of the seed and instant where a criterion broke.
//!
//! A challenge is a design that carries a `challenge` section: opening one makes its starting
//! design the learner's (so the autosave keeps the attempt), and the panel shows while the
//! design carries the section. Submit grades the learner's design headless with
//! `sim_core::challenge` (one seed per task, so the page stays responsive) against the
//! campaign's own file, whose clients are the traffic. A replay puts the trial scenario of one
//! seed on the canvas and seeks to the instant; the learner's design is kept aside (and
//! the autosave paused) until "Back to my design".

use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use leptos::prelude::*;
use sim_core::challenge::{
    challenge, judge, run_trial, trial_scenario, Grade, TrialRun, CHALLENGES,
};
use sim_core::seeds::seed_list;
use sim_core::Scenario;
use wasm_bindgen::JsCast;

use crate::campaign::{self, Progress};
use crate::share::{open, open_from_url, Opener, Page, BACKUP_KEY};
use crate::state::DesignCtx;
use crate::storage;

/// Key of the learner's progress in local storage (`campaign::Progress::encode`).
const PROGRESS_KEY: &str = "playground.challenges.v1";
/// Where progress that could not be read is kept, so it is never lost.
const UNREADABLE_KEY: &str = "playground.challenges.unreadable";
/// What the panel says when storage cannot keep the progress.
const NOT_KEPT: &str =
    "Local storage is unavailable here, so your challenge progress cannot be kept.";

/// The challenge the design attempts.
#[derive(Clone, Debug, PartialEq)]
pub struct Active {
    pub id: String,
    /// Its place in the campaign (`None` for a challenge file of one's own).
    pub index: Option<usize>,
    /// The challenge scenario graded against: the campaign's file, else the design as opened.
    pub scenario: Arc<Scenario>,
}

/// The trial replay on the canvas, and the learner's design kept aside meanwhile.
#[derive(Clone, Debug, PartialEq)]
pub struct Replay {
    pub design: Scenario,
    pub seed: u64,
    pub at_s: f64,
    pub criterion: String,
    /// `DesignCtx::opened` once the replay was opened (another design opened ends it).
    opened: u32,
}

/// The challenge state of the page.
#[derive(Clone, Copy)]
pub struct ChallengeCtx {
    pub active: RwSignal<Option<Active>>,
    /// Seeds graded so far and in all, while grading.
    pub grading: RwSignal<Option<(usize, usize)>>,
    /// The last verdict, or why the design could not be graded.
    pub result: RwSignal<Option<Result<Grade, String>>>,
    pub replay: RwSignal<Option<Replay>>,
    pub progress: RwSignal<Progress>,
    /// Why progress is not kept, when it is not.
    pub storage_msg: RwSignal<Option<String>>,
    /// Bumped to abandon a grading under way (a new Submit, another challenge).
    token: StoredValue<u32>,
}

impl ChallengeCtx {
    /// The state, with the progress read from local storage.
    pub fn new() -> ChallengeCtx {
        let (progress, msg) = match storage::load(PROGRESS_KEY) {
            Ok(Some(text)) => match Progress::decode(&text) {
                Ok(p) => (p, None),
                Err(e) => {
                    let _ = storage::save(UNREADABLE_KEY, &text);
                    (
                        Progress::default(),
                        Some(format!(
                            "Your saved challenge progress could not be read ({e}); it was kept under \"{UNREADABLE_KEY}\"."
                        )),
                    )
                }
            },
            Ok(None) => (Progress::default(), None),
            Err(_) => (Progress::default(), Some(NOT_KEPT.to_string())),
        };
        ChallengeCtx {
            active: RwSignal::new(None),
            grading: RwSignal::new(None),
            result: RwSignal::new(None),
            replay: RwSignal::new(None),
            progress: RwSignal::new(progress),
            storage_msg: RwSignal::new(msg),
            token: StoredValue::new(0),
        }
    }

    /// True while the canvas shows a trial replay (the autosave then keeps the learner's
    /// design as it was).
    pub fn replaying(&self) -> bool {
        self.replay.with_untracked(Option::is_some)
    }

    /// The learner's design: the one kept aside during a replay, else the canvas's.
    fn learner_design(&self, dsg: DesignCtx) -> Scenario {
        self.replay
            .with_untracked(|r| r.as_ref().map(|r| r.design.clone()))
            .unwrap_or_else(|| dsg.design.get_untracked())
    }

    fn abandon(&self) -> u32 {
        self.token.update_value(|t| *t = t.wrapping_add(1));
        self.grading.set(None);
        self.token.get_value()
    }

    fn record(&self, g: &Grade) {
        self.progress
            .update(|p| p.record(&g.challenge, g.score, g.pass));
        let text = self.progress.with_untracked(Progress::encode);
        if storage::save(PROGRESS_KEY, &text).is_err() {
            self.storage_msg.set(Some(NOT_KEPT.to_string()));
        }
    }
}

/// The challenge a design's section names.
fn active_for(id: &str, design: &Scenario) -> Active {
    let index = CHALLENGES.iter().position(|c| c.id == id);
    let scenario = index
        .and_then(|i| CHALLENGES[i].scenario().ok())
        .unwrap_or_else(|| design.clone());
    Active {
        id: id.to_string(),
        index,
        scenario: Arc::new(scenario),
    }
}

/// The campaign challenge `id` as a scenario, or a message naming the challenges there are.
pub(crate) fn challenge_scenario(id: &str) -> Result<Scenario, String> {
    match challenge(id) {
        Some(c) => c
            .scenario()
            .map_err(|e| format!("The challenge “{id}” could not be read: {e}")),
        None => Err(format!(
            "There is no challenge called “{id}”. The challenges are: {}.",
            CHALLENGES
                .iter()
                .map(|c| c.id)
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Follows the design's challenge section, opens `?challenge=ID`, and ends a replay when
/// another design is opened. Called by `App` before the page is drawn.
pub fn start(ctx: ChallengeCtx, o: Opener, page: Page) {
    if let Some(id) = page.cfg.with_value(|c| c.challenge.clone()) {
        match challenge_scenario(&id) {
            Ok(s) => open_from_url(o, page, s, "the challenge link", false),
            Err(e) => page.say(format!("{e} Your design is unchanged."), true, false),
        }
    }
    let dsg = o.dsg;
    Effect::new(move |_| {
        let id = dsg
            .design
            .with(|d| d.challenge.as_ref().map(|c| c.id.clone()));
        if ctx.replaying() {
            return;
        }
        if ctx
            .active
            .with_untracked(|a| a.as_ref().map(|a| &a.id) == id.as_ref())
        {
            return;
        }
        ctx.abandon();
        ctx.result.set(None);
        ctx.active
            .set(id.map(|id| dsg.design.with_untracked(|d| active_for(&id, d))));
    });
    Effect::new(move |_| {
        let opened = dsg.opened.get();
        let Some(r) = ctx.replay.get_untracked() else {
            return;
        };
        if r.opened != opened {
            // Another design replaced the replay: the learner's design stays restorable.
            let _ = storage::save(BACKUP_KEY, &r.design.to_json());
            ctx.replay.set(None);
        }
    });
}

/// Opens campaign challenge `id` from the gallery (one undo step).
fn open_challenge(o: Opener, id: &str) {
    match challenge_scenario(id) {
        Ok(s) => {
            let title = s
                .challenge
                .as_ref()
                .map(|c| c.title.clone())
                .unwrap_or_default();
            open(o, s, true, true);
            o.chrome.say(format!(
                "Opened the challenge “{title}”: change the design, then press Submit. Undo (Ctrl-Z) brings back your previous design."
            ));
        }
        Err(e) => o.chrome.say(e),
    }
}

/// Grades the learner's design over the trial's seeds, one seed per task; how many seeds,
/// or why it cannot start (no challenge open, a design the trial refuses).
pub(crate) fn submit(ctx: ChallengeCtx, dsg: DesignCtx) -> Result<usize, String> {
    let active = ctx
        .active
        .get_untracked()
        .ok_or_else(|| "no challenge is open (load one first)".to_string())?;
    let c = active
        .scenario
        .challenge
        .as_ref()
        .ok_or_else(|| "no challenge is open (load one first)".to_string())?;
    let seeds = Rc::new(seed_list(c.trial.seed, c.trial.seeds));
    let design = Rc::new(ctx.learner_design(dsg));
    let token = ctx.abandon();
    ctx.result.set(None);
    // A design the trial refuses (a missing client…) is told at once, naming it.
    if let Err(e) = trial_scenario(&active.scenario, &design, seeds[0]) {
        let msg = format!("This design cannot be graded: {e}");
        ctx.result.set(Some(Err(msg.clone())));
        return Err(msg);
    }
    ctx.grading.set(Some((0, seeds.len())));
    let n = seeds.len();
    grade_next(ctx, token, active.scenario, design, seeds, Vec::new());
    Ok(n)
}

/// Runs the next seed in its own task (the page draws between seeds), then judges.
fn grade_next(
    ctx: ChallengeCtx,
    token: u32,
    challenge: Arc<Scenario>,
    design: Rc<Scenario>,
    seeds: Rc<Vec<u64>>,
    mut runs: Vec<TrialRun>,
) {
    set_timeout(
        move || {
            if ctx.token.get_value() != token {
                return;
            }
            match run_trial(&challenge, &design, seeds[runs.len()]) {
                Ok(r) => runs.push(r),
                Err(e) => {
                    ctx.grading.set(None);
                    ctx.result
                        .set(Some(Err(format!("This design cannot be graded: {e}"))));
                    return;
                }
            }
            if runs.len() < seeds.len() {
                ctx.grading.set(Some((runs.len(), seeds.len())));
                grade_next(ctx, token, challenge, design, seeds, runs);
                return;
            }
            ctx.grading.set(None);
            let verdict = judge(&challenge, &design, &runs)
                .map_err(|e| format!("This design cannot be graded: {e}"));
            if let Ok(g) = &verdict {
                ctx.record(g);
                crate::host::notify_challenge(&g.challenge, g.pass, g.score);
            }
            ctx.result.set(Some(verdict));
            // The verdict's head at the top of the panel, which scrolls within its height
            // (the page itself never scrolls).
            request_animation_frame(|| {
                let doc = gloo::utils::document();
                let find = |q: &str| {
                    doc.query_selector(q)
                        .ok()
                        .flatten()
                        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                };
                if let (Some(panel), Some(v)) = (
                    find("[data-testid=challenge]"),
                    find("[data-testid=verdict]"),
                ) {
                    // Below the sticky title.
                    let title =
                        find("[data-testid=challenge-toggle]").map_or(0, |t| t.offset_height());
                    panel.set_scroll_top(v.offset_top() - title);
                }
            });
        },
        Duration::from_millis(1),
    );
}

/// Puts the trial of `seed` on the canvas and seeks to `at_s`; the learner's design is kept.
fn show_replay(ctx: ChallengeCtx, o: Opener, seed: u64, at_s: f64, criterion: String) {
    let Some(active) = ctx.active.get_untracked() else {
        return;
    };
    let design = ctx.learner_design(o.dsg);
    let mut trial = match trial_scenario(&active.scenario, &design, seed) {
        Ok(t) => t,
        Err(e) => {
            o.chrome
                .say(format!("The trial could not be replayed: {e}"));
            return;
        }
    };
    trial.name = format!("Trial replay: seed {seed}");
    let end = trial.duration_s.unwrap_or(at_s);
    let window_s = trial.metrics.window_s;
    ctx.replay.set(Some(Replay {
        design,
        seed,
        at_s,
        criterion,
        opened: 0,
    }));
    open(o, trial, false, true);
    let opened = o.dsg.opened.get_untracked();
    ctx.replay.update(|r| {
        if let Some(r) = r {
            r.opened = opened;
        }
    });
    // A little past the instant, so the scrubber shows what came after; then back to it.
    o.run.run_to((at_s + 5.0).min(end).max(at_s), window_s);
    o.run.seek(at_s);
}

/// Ends the replay: the learner's design is back on the canvas, as it was.
fn back_to_design(ctx: ChallengeCtx, o: Opener) {
    let Some(r) = ctx.replay.get_untracked() else {
        return;
    };
    ctx.replay.set(None);
    open(o, r.design, false, true);
}

/// The "Challenges" part of the preset gallery: the campaign in order, each with its title,
/// the first sentence of its brief and a ✓ once solved.
#[component]
pub fn CampaignList() -> impl IntoView {
    let ctx = expect_context::<ChallengeCtx>();
    let page = expect_context::<Page>();
    let o = Opener::take();
    let entries: Vec<(&'static str, String, String)> = CHALLENGES
        .iter()
        .map(|c| match c.scenario() {
            Ok(Scenario {
                challenge: Some(ch),
                ..
            }) => (
                c.id,
                ch.title,
                campaign::first_sentence(&ch.brief).to_string(),
            ),
            Ok(_) => (
                c.id,
                c.id.to_string(),
                "Cannot be read: it has no challenge section".to_string(),
            ),
            Err(e) => (c.id, c.id.to_string(), format!("Cannot be read: {e}")),
        })
        .collect();
    view! {
        <section class="preset-group" aria-labelledby="challenges-title" data-testid="preset-group-challenges">
        <h3 id="challenges-title">"Challenges"</h3>
        <p class="hint">"Graded designs, from one box to a URL shortener. Open one, change the design, press Submit: it runs under a trial (spikes, crashes) on several seeds."</p>
        {move || ctx.storage_msg.get().map(|m| view! { <p class="hint warn" data-testid="progress-not-kept">{m}</p> })}
        <ol class="presets campaign" data-testid="campaign">
            {entries.into_iter().enumerate().map(|(i, (id, title, first))| {
                let best = move || ctx.progress.with(|p| p.best(id));
                view! {
                    <li>
                        <button class="preset challenge-entry" data-testid=format!("challenge-{id}")
                            on:click=move |_| { page.gallery_open.set(false); open_challenge(o, id); }>
                            <span class="preset-title">
                                <span class="challenge-num">{format!("{}. ", i + 1)}</span>
                                {title}
                                {move || best().map(|b| if b.passed {
                                    view! { <span class="solved" data-testid=format!("solved-{id}") title=format!("Solved (best score {})", b.score)>" ✓"<span class="sr-only">" solved"</span></span> }.into_any()
                                } else {
                                    view! { <span class="best" title="Your best score so far">{format!(" · best {}", b.score)}</span> }.into_any()
                                })}
                            </span>
                            <span class="preset-summary">{first}</span>
                        </button>
                    </li>
                }
            }).collect_view()}
        </ol>
        </section>
    }
}

/// The challenge panel beside the canvas (in the lesson's place; under the canvas on a phone).
#[component]
pub fn ChallengePanel() -> impl IntoView {
    let ctx = expect_context::<ChallengeCtx>();
    let page = expect_context::<Page>();
    let o = Opener::take();
    let hidden = page.cfg.with_value(|c| c.hides("lesson"));
    let open = RwSignal::new(true);
    let all = move || {
        page.gallery_open.set(true);
        request_animation_frame(|| {
            if let Some(el) = gloo::utils::document().get_element_by_id("challenges-title") {
                el.scroll_into_view();
            }
        });
    };
    move || {
        if hidden {
            return None;
        }
        let a = ctx.active.get()?;
        let c = a.scenario.challenge.clone()?;
        let place = a
            .index
            .map(|i| format!("Challenge {} of {}", i + 1, CHALLENGES.len()));
        let id = a.id.clone();
        let solved = Signal::derive(move || ctx.progress.with(|p| p.best(&id)));
        Some(view! {
            <aside class="lesson challenge" class:collapsed=move || !open.get() aria-label="Challenge" data-testid="challenge">
                <button class="lesson-toggle" data-testid="challenge-toggle" aria-expanded=move || open.get().to_string()
                    on:click=move |_| open.update(|o| *o = !*o)
                    title=move || if open.get() { "Collapse the challenge" } else { "Show the challenge" }>
                    <span class="lesson-chevron" aria-hidden="true">{move || if open.get() { "▾" } else { "▸" }}</span>
                    <span class="lesson-title" data-testid="challenge-title">{c.title.clone()}</span>
                </button>
                <Show when=move || open.get()>
                    <p class="challenge-place">
                        {place.clone()}
                        {move || solved.get().map(|b| if b.passed { format!(" · solved, best score {}", b.score) } else { format!(" · best score {}", b.score) })}
                    </p>
                    <p class="lesson-summary challenge-brief">{c.brief.clone()}</p>
                    <ul class="challenge-goal" aria-label="Goal" data-testid="challenge-goal">
                        {campaign::goal_lines(&c).into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
                    </ul>
                    <p class="challenge-trial">{campaign::trial_line(&c)}</p>
                    <div class="challenge-actions">
                        <button class="primary" data-testid="challenge-submit" on:click=move |_| { let _ = submit(ctx, o.dsg); }
                            disabled=move || ctx.grading.with(Option::is_some)
                            title="Grade your design under the trial, on every seed">"Submit"</button>
                        <button data-testid="challenge-all" on:click=move |_| all()>"All challenges"</button>
                    </div>
                    <p class="challenge-status" role="status" data-testid="challenge-status">
                        {move || ctx.grading.get().map(|(done, total)| campaign::progress_line(done, total))}
                    </p>
                    {move || ctx.storage_msg.get().map(|m| view! { <p class="hint warn">{m}</p> })}
                    <ReplayNote/>
                    <Verdict/>
                </Show>
            </aside>
        })
    }
}

/// While a replay is on the canvas: what it is and the way back (in the panel).
#[component]
fn ReplayNote() -> impl IntoView {
    let ctx = expect_context::<ChallengeCtx>();
    let o = Opener::take();
    move || {
        ctx.replay.get().map(|r| {
            view! {
                <div class="replay-note" data-testid="replay-note">
                    <p>{format!(
                        "The canvas shows the trial replay: seed {} at {} s, where {} broke (your design under the trial's traffic and events; edits here are not kept).",
                        r.seed, campaign::fmt_num(r.at_s, 1), campaign::label(&r.criterion).to_lowercase()
                    )}</p>
                    <button data-testid="replay-back" on:click=move |_| back_to_design(ctx, o)>"Back to my design"</button>
                </div>
            }
        })
    }
}

/// The badge over the canvas during a replay, with the way back.
#[component]
pub fn ReplayBadge() -> impl IntoView {
    let ctx = expect_context::<ChallengeCtx>();
    let o = Opener::take();
    move || {
        ctx.replay.get().map(|r| {
            view! {
                <div class="replay-badge" role="status" data-testid="replay-badge">
                    <span>{format!("Trial replay · seed {} · {} s", r.seed, campaign::fmt_num(r.at_s, 1))}</span>
                    <button data-testid="replay-badge-back" on:click=move |_| back_to_design(ctx, o)>"Back to my design"</button>
                </div>
            }
        })
    }
}

/// The last verdict: pass or fail, the score, what failed first and when, every criterion.
#[component]
fn Verdict() -> impl IntoView {
    let ctx = expect_context::<ChallengeCtx>();
    let o = Opener::take();
    let replay = move |seed: u64, at: f64, name: String| show_replay(ctx, o, seed, at, name);
    move || {
        let r = ctx.result.get()?;
        let g = match r {
            Ok(g) => g,
            Err(e) => return Some(view! { <p class="challenge-error" role="alert" data-testid="challenge-error">{e}</p> }.into_any()),
        };
        let head = if g.pass {
            format!("Passed · score {} of 100", g.score)
        } else {
            format!("Not yet · score {} of 100", g.score)
        };
        let first = g.first_failure.clone().map(|f| {
            let label = campaign::label(&f.criterion);
            match (f.seed, f.at_s) {
                (Some(seed), Some(at)) => {
                    let name = f.criterion.clone();
                    view! {
                        <p class="first-failure">
                            {format!("Failed first: {label}, at {} s on seed {seed}. ", campaign::fmt_num(at, 1))}
                            <button class="link" data-testid="first-failure" on:click=move |_| replay(seed, at, name.clone())>
                                "Show that moment"
                            </button>
                        </p>
                    }
                    .into_any()
                }
                _ => view! {
                    <p class="first-failure" data-testid="first-failure-whole">{format!("Failed first: {label}, by the design as a whole.")}</p>
                }
                .into_any(),
            }
        });
        let seeds = g.seeds.clone();
        Some(
            view! {
                <div class="verdict" class:pass=g.pass data-testid="verdict" data-pass=g.pass.to_string()>
                    <p class="verdict-head" data-testid="verdict-head">{head}</p>
                    {first}
                    <ul class="criteria">
                        {g.criteria.into_iter().map(|c| {
                            let at = c.broken_at_s.zip(c.broken_seed);
                            let name = c.name.clone();
                            let per_seed = campaign::per_seed_line(&c, &seeds);
                            view! {
                                <li class="crit" class:pass=c.pass data-testid=format!("crit-{}", c.name) data-pass=c.pass.to_string() title=c.text.clone()>
                                    <span class="crit-mark" aria-hidden="true">{if c.pass { "✓" } else { "✗" }}</span>
                                    <span class="sr-only">{if c.pass { "Held: " } else { "Failed: " }}</span>
                                    <span class="crit-line">{campaign::criterion_line(&c)}</span>
                                    {at.filter(|_| !c.pass).map(|(t, seed)| view! {
                                        <button class="link" data-testid=format!("replay-{}", c.name)
                                            on:click=move |_| replay(seed, t, name.clone())>
                                            {format!("Show seed {seed} at {} s", campaign::fmt_num(t, 1))}
                                        </button>
                                    })}
                                    <span class="crit-seeds">{per_seed}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </div>
            }
            .into_any(),
        )
    }
}
