//! Share links, opening a link or a preset named in the URL, embed mode's page furniture
//! and the "Share" and "Embed" dialogs.
//!
//! A link is the whole design (seed, scheduled events and the canvas view included) in the
//! fragment, `#s=…` (`sim_core::encode_link`), so it never reaches a server. Opening one
//! never loses the learner's work: the previous autosave is kept under [`BACKUP_KEY`] and
//! the load is one undo step; a link that fails to open changes nothing and writes nothing.

use leptos::prelude::*;
use sim_core::{decode_link, encode_link, presets, Scenario, ViewSpec, MAX_LINK_CHARS};
use wasm_bindgen::JsCast;

use crate::embed::{Config, ViewMode, PANELS};
use crate::state::{CameraCtx, ChromeCtx, DesignCtx, RunCtx, SelectionCtx};
use crate::{model, stage_size, storage, DESIGN_KEY};

/// Where the autosave is kept when a link or a URL preset replaces it.
pub const BACKUP_KEY: &str = "playground.design.before-link";

/// A message above the canvas that stays until dismissed (link opened or refused).
#[derive(Clone, Debug, PartialEq)]
pub struct Banner {
    pub text: String,
    pub error: bool,
    /// Offer "Restore my previous design" (a backup was made).
    pub restore: bool,
}

/// Where a copy to the clipboard stands.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CopyState {
    Trying,
    Copied,
    Refused,
}

/// State of the page around the design: the URL's embed options, the banner, the dialogs.
#[derive(Clone, Copy)]
pub struct Page {
    pub cfg: StoredValue<Config>,
    pub banner: RwSignal<Option<Banner>>,
    /// The share dialog, when open: the link (or why there is none) and the copy's state.
    pub share: RwSignal<Option<(Result<String, String>, CopyState)>>,
    pub embed_open: RwSignal<bool>,
    pub gallery_open: RwSignal<bool>,
    /// The design the address bar's `#s=` holds, until the design changes.
    shared: StoredValue<Option<Scenario>>,
}

impl Page {
    pub fn new(cfg: Config) -> Page {
        Page {
            cfg: StoredValue::new(cfg),
            banner: RwSignal::new(None),
            share: RwSignal::new(None),
            embed_open: RwSignal::new(false),
            gallery_open: RwSignal::new(false),
            shared: StoredValue::new(None),
        }
    }

    /// Records whether the share dialog's link reached the clipboard.
    fn copied(&self, ok: bool) {
        self.share.update(|s| {
            if let Some((_, c)) = s {
                *c = if ok {
                    CopyState::Copied
                } else {
                    CopyState::Refused
                };
            }
        });
    }

    pub(crate) fn say(&self, text: String, error: bool, restore: bool) {
        self.banner.set(Some(Banner {
            text,
            error,
            restore,
        }));
    }
}

/// The page's address without query or fragment.
fn base_url() -> String {
    let href = gloo::utils::window().location().href().unwrap_or_default();
    href.split(['?', '#'])
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Replaces the address shown (no navigation, no `hashchange`); harmless where refused.
fn set_address(url: &str) {
    if let Ok(h) = gloo::utils::window().history() {
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(url));
    }
}

/// The link payload of a scenario, or why it cannot travel in a link.
pub fn payload(s: &Scenario) -> Result<String, String> {
    let p = encode_link(s);
    if p.len() > MAX_LINK_CHARS {
        return Err(format!(
            "This design is too big for a link ({} characters; a link holds at most {MAX_LINK_CHARS}). Use Export JSON to share it as a file instead.",
            p.len()
        ));
    }
    // What the receiver will check: the unpacked size and the scenario's validity.
    decode_link(&p).map_err(|e| {
        format!("This design cannot travel in a link ({e}). Use Export JSON to share it as a file instead.")
    })?;
    Ok(p)
}

/// The current design with the canvas view, as a link payload.
pub fn design_payload(dsg: DesignCtx, camera: CameraCtx) -> Result<String, String> {
    let mut s = dsg.design.get_untracked();
    let v = camera.view.get_untracked();
    s.view = Some(ViewSpec {
        x: v.px.clamp(-1e7, 1e7),
        y: v.py.clamp(-1e7, 1e7),
        zoom: v.zoom.clamp(0.05, 20.0),
    });
    payload(&s)
}

/// Same design, the framing aside.
fn same_design(a: &Scenario, b: &Scenario) -> bool {
    let strip = |s: &Scenario| Scenario {
        view: None,
        ..s.clone()
    };
    strip(a) == strip(b)
}

/// Copies `text`; `done(true)` once it is on the clipboard, `done(false)` when the browser
/// has no clipboard here (insecure context) or refuses.
pub fn copy_text(text: String, done: impl FnOnce(bool) + 'static) {
    let nav = gloo::utils::window().navigator();
    let available = js_sys::Reflect::get(&nav, &"clipboard".into())
        .is_ok_and(|c| !c.is_undefined() && !c.is_null());
    if !available {
        done(false);
        return;
    }
    let promise = nav.clipboard().write_text(&text);
    leptos::task::spawn_local(async move {
        done(wasm_bindgen_futures::JsFuture::from(promise).await.is_ok());
    });
}

/// What opening a whole design touches: the design and its history, the run (reset with
/// the design's seed), the selection (cleared), the camera (framed) and the notice.
#[derive(Clone, Copy)]
pub struct Opener {
    pub run: RunCtx,
    pub dsg: DesignCtx,
    pub camera: CameraCtx,
    pub sel: SelectionCtx,
    pub chrome: ChromeCtx,
}

impl Opener {
    /// Takes the contexts from the component being set up.
    pub fn take() -> Opener {
        Opener {
            run: expect_context(),
            dsg: expect_context(),
            camera: expect_context(),
            sel: expect_context(),
            chrome: expect_context(),
        }
    }
}

/// Makes `s` the design: one undo step when `undoable`, the run reset with its seed, the
/// view framed (its saved view, or fit) once the canvas exists (`mounted`).
pub fn open(o: Opener, s: Scenario, undoable: bool, mounted: bool) {
    let before = o.dsg.design.get_untracked();
    if undoable && !same_design(&before, &s) {
        o.dsg.record_step(before);
    }
    o.run.seed.set(s.seed);
    o.dsg.design.set(s);
    o.sel.clear();
    o.dsg.opened.update(|n| *n = n.wrapping_add(1));
    o.dsg.design.with_untracked(|d| o.run.reset(d));
    if mounted {
        // After the frame: a lesson panel that appears with the design narrows the canvas.
        request_animation_frame(move || {
            let (w, h) = stage_size();
            o.dsg
                .design
                .with_untracked(|d| o.camera.frame_design(d, w, h, 0.6));
        });
    }
}

/// Opens a design the URL brought (a link or `?preset=`). In the full playground the
/// previous autosave is backed up (when it differs), the new design saved, and the URL
/// cleaned so a reload keeps the learner's later edits; an embed touches no storage.
pub(crate) fn open_from_url(o: Opener, page: Page, s: Scenario, what: &str, mounted: bool) {
    let cfg = page.cfg.get_value();
    if cfg.embed {
        open(o, s, false, mounted);
        return;
    }
    let backed_up = match storage::load(DESIGN_KEY) {
        Ok(Some(prev)) => {
            let same = Scenario::from_json(&prev).is_ok_and(|p| same_design(&p, &s));
            !same && storage::save(BACKUP_KEY, &prev).is_ok()
        }
        _ => false,
    };
    let name = if s.name.trim().is_empty() {
        String::new()
    } else {
        format!(" “{}”", s.name.trim())
    };
    let seed = s.seed;
    let json = s.to_json();
    open(o, s, true, mounted);
    let _ = storage::save(DESIGN_KEY, &json);
    let query = Config {
        preset: None,
        unknown: Vec::new(),
        ..cfg
    }
    .query();
    set_address(&if query.is_empty() {
        base_url()
    } else {
        format!("{}?{query}", base_url())
    });
    let kept = if backed_up {
        " Your previous design was kept."
    } else {
        ""
    };
    page.say(
        format!("Opened{name} from {what} (seed {seed}).{kept}"),
        false,
        backed_up,
    );
}

/// Opens the link in `hash`, or says plainly why it cannot be opened and changes nothing
/// (an embed shows an empty canvas: it has no design of its own).
fn open_link(o: Opener, page: Page, hash: &str, mounted: bool) {
    match decode_link(hash) {
        Ok(s) => open_from_url(o, page, s, "the link", mounted),
        Err(e) => {
            let embed = page.cfg.with_value(|c| c.embed);
            if embed {
                open(o, model::empty_design(), false, mounted);
            }
            let kept = if embed {
                ""
            } else {
                " Your own design is unchanged."
            };
            // decode_link's errors are all under "link"; say the field, if any, without it.
            let what = match e
                .path
                .strip_prefix("link")
                .map(|p| p.trim_start_matches(": "))
            {
                Some("") => e.message.clone(),
                Some(field) => format!("{field}: {}", e.message),
                None => e.to_string(),
            };
            page.say(
                format!(
                    "This link could not be opened: {}.{kept}",
                    what.trim_end_matches('.')
                ),
                true,
                false,
            );
        }
    }
}

/// Opens preset `id`, undoably; the error names the presets there are.
pub fn preset_scenario(id: &str) -> Result<Scenario, String> {
    match presets::preset(id) {
        Some(p) => p
            .scenario()
            .map_err(|e| format!("The preset “{id}” could not be read: {e}")),
        None => Err(format!(
            "There is no preset called “{id}”. The presets are: {}.",
            presets::PRESETS
                .iter()
                .map(|p| p.id)
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// True when a fragment carries a link (`#s=…`, maybe among other parameters).
fn has_link(hash: &str) -> bool {
    let key = format!("{}=", sim_core::LINK_KEY);
    hash.trim_start_matches('#')
        .split('&')
        .any(|p| p.starts_with(&key))
}

/// Applies what the URL asks for before the page is drawn (a `#s=` link, else
/// `?preset=`, autoplay), and opens links that arrive later (`hashchange`).
pub fn start(o: Opener, page: Page) {
    let cfg = page.cfg.get_value();
    let hash = gloo::utils::window().location().hash().unwrap_or_default();
    if has_link(&hash) {
        open_link(o, page, &hash, false);
    } else if let Some(id) = &cfg.preset {
        match preset_scenario(id) {
            Ok(s) => open_from_url(o, page, s, "the preset gallery", false),
            Err(e) => page.say(e, true, false),
        }
    }
    if !cfg.unknown.is_empty() {
        o.chrome.say(format!(
            "Ignored what this page does not know: {} (it knows embed, hide={}, readonly, autoplay, preset, challenge, view=canvas|metrics|both, host=ORIGIN).",
            cfg.unknown.join(", "),
            PANELS.join(",")
        ));
    }
    if cfg.autoplay {
        o.run.running.set(true);
    }
    // The address's `#s=` stays true only while the design is the one shared.
    Effect::new(move |_| {
        let changed = o.dsg.design.with(|d| {
            page.shared
                .with_value(|s| s.as_ref().is_some_and(|s| !same_design(s, d)))
        });
        if changed {
            page.shared.set_value(None);
            set_address(&base_url_with_query());
        }
    });
    let on_hash = window_event_listener(leptos::ev::hashchange, move |_| {
        let hash = gloo::utils::window().location().hash().unwrap_or_default();
        if has_link(&hash) {
            open_link(o, page, &hash, true);
        }
    });
    let on_key = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" {
            page.share.set(None);
            page.embed_open.set(false);
            page.gallery_open.set(false);
        }
    });
    // Both listeners live as long as the page.
    std::mem::forget(on_hash);
    std::mem::forget(on_key);
}

/// The address without its fragment.
fn base_url_with_query() -> String {
    let href = gloo::utils::window().location().href().unwrap_or_default();
    href.split('#').next().unwrap_or_default().to_string()
}

/// Puts the design in the address bar and on the clipboard, and opens the share dialog.
fn share(dsg: DesignCtx, camera: CameraCtx, page: Page) {
    let link = design_payload(dsg, camera)
        .map(|p| format!("{}#{}={p}", base_url_with_query(), sim_core::LINK_KEY));
    if let Ok(url) = &link {
        set_address(url);
        page.shared.set_value(Some(dsg.design.get_untracked()));
        let url = url.clone();
        page.share.set(Some((link.clone(), CopyState::Trying)));
        copy_text(url, move |ok| {
            page.copied(ok);
        });
    } else {
        page.share.set(Some((link, CopyState::Refused)));
    }
}

/// Restores the design kept before a link replaced it (one more undo step).
fn restore(o: Opener, page: Page) {
    match storage::load(BACKUP_KEY) {
        Ok(Some(json)) => match Scenario::from_json(&json) {
            Ok(s) => {
                open(o, s, true, true);
                page.say(
                    "Your previous design is back (Undo returns to the link's design).".into(),
                    false,
                    false,
                );
            }
            Err(e) => page.say(
                format!("Your previous design could not be read back: {e}"),
                true,
                false,
            ),
        },
        _ => page.say(
            "Your previous design is no longer in local storage.".into(),
            true,
            false,
        ),
    }
}

/// The run bar's Share, Embed and Presets buttons.
#[component]
pub fn MenuButtons() -> impl IntoView {
    let dsg = expect_context::<DesignCtx>();
    let camera = expect_context::<CameraCtx>();
    let page = expect_context::<Page>();
    view! {
        <button on:click=move |_| page.gallery_open.set(true) data-testid="presets" title="Prepared designs with a short lesson each, and graded challenges">"Presets"</button>
        <button on:click=move |_| share(dsg, camera, page) data-testid="share" title="Copy a link that opens this design, its seed and view">"Share"</button>
        <button on:click=move |_| page.embed_open.set(true) data-testid="embed" title="Put this design or a preset in another page">"Embed"</button>
    }
}

/// The banner under the run bar: a link opened or refused, with "Restore" when a backup
/// was made.
#[component]
pub fn LinkBanner() -> impl IntoView {
    let opener = Opener::take();
    let page = expect_context::<Page>();
    move || {
        page.banner.get().map(|b| {
            view! {
                <div class="banner" class:error=b.error role=if b.error { "alert" } else { "status" } data-testid="link-banner">
                    <span>{b.text}</span>
                    {b.restore.then(|| view! {
                        <button data-testid="restore-previous" on:click=move |_| restore(opener, page)>"Restore my previous design"</button>
                    })}
                    <button class="dismiss" data-testid="dismiss-banner" aria-label="Dismiss" on:click=move |_| page.banner.set(None)>"×"</button>
                </div>
            }
        })
    }
}

/// "run #1a2b3c4d": a digest of the paused run's snapshot. The same link and seed give the
/// same fingerprint at the same simulated time.
#[component]
pub fn Fingerprint() -> impl IntoView {
    let run = expect_context::<RunCtx>();
    let digest = Memo::new(move |_| {
        (!run.running.get()).then(|| {
            let d = run.snap.with(|s| s.digest());
            format!("{d:016x}")[..8].to_string()
        })
    });
    move || {
        digest.get().map(|d| {
            view! {
                <span class="fingerprint" data-testid="fingerprint"
                    title="Fingerprint of the run at this instant: the same design and seed give the same fingerprint at the same simulated time">
                    {format!("run #{d}")}
                </span>
            }
        })
    }
}

/// In an embed: a link to the full playground carrying the current design as `#s=`.
#[component]
pub fn OpenFull() -> impl IntoView {
    let dsg = expect_context::<DesignCtx>();
    let camera = expect_context::<CameraCtx>();
    let page = expect_context::<Page>();
    let embed = page.cfg.with_value(|c| c.embed);
    let on_click = move |e: leptos::ev::MouseEvent| {
        // The link is made when followed, so it carries the design and view of that moment.
        let href = match design_payload(dsg, camera) {
            Ok(p) => format!("{}#{}={p}", base_url(), sim_core::LINK_KEY),
            Err(_) => base_url(),
        };
        if let Some(a) = e
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlAnchorElement>().ok())
        {
            a.set_href(&href);
        }
    };
    embed.then(|| {
        view! {
            <a class="open-full" data-testid="open-full" href=base_url() target="_blank" rel="noopener" on:click=on_click
                title="Open this design, as it is now, in the full playground (new tab)">"Open in the full playground ↗"</a>
        }
    })
}

/// The share dialog: the link in a selected read-only field, whether it was copied, or
/// why the design cannot travel in a link.
#[component]
pub fn ShareDialog() -> impl IntoView {
    let page = expect_context::<Page>();
    let field = NodeRef::<leptos::html::Input>::new();
    // The dialog is drawn again only when the link changes, not when the copy's state does.
    let link = Memo::new(move |_| page.share.with(|s| s.as_ref().map(|(l, _)| l.clone())));
    let copy = Memo::new(move |_| page.share.with(|s| s.as_ref().map(|(_, c)| *c)));
    let select = move || {
        if let Some(el) = field.get_untracked() {
            let _ = el.focus();
            el.select();
        }
    };
    Effect::new(move |_| {
        link.track();
        if field.get().is_some() {
            // After the frame, once the field holds its value.
            request_animation_frame(select);
        }
    });
    let set_copy = move |ok: bool| {
        page.copied(ok);
        if !ok {
            select();
        }
    };
    let copy_again = move |_| {
        if let Some(Ok(url)) = link.get_untracked() {
            copy_text(url, set_copy);
        }
    };
    let status = move || {
        match copy.get() {
        Some(CopyState::Copied) => "Link copied to the clipboard. It is also in the address bar.",
        Some(CopyState::Refused) => "The browser did not let the page copy here: the link is selected below, copy it with Ctrl-C (⌘-C).",
        _ => "Copying…",
    }
    };
    let close = move || page.share.set(None);
    move || {
        link.get().map(|link| {
            let body = match link {
                Ok(url) => view! {
                    <p class="share-status" data-testid="share-status" role="status">{status}</p>
                    <input class="share-link" type="text" readonly=true data-testid="share-link" node_ref=field prop:value=url
                        aria-label="Link to this design" on:focus=move |_| select()/>
                    <p class="hint">"The link holds the whole design: components, parameters, scheduled events, the seed and the view. It stays in the address (after #), so no server ever sees it. The same link and seed give the same run."</p>
                    <div class="buttons">
                        <button data-testid="copy-link" on:click=copy_again>"Copy link"</button>
                        <button on:click=move |_| close()>"Close"</button>
                    </div>
                }
                .into_any(),
                Err(why) => view! {
                    <p class="share-status error" data-testid="share-status" role="alert">{why}</p>
                    <div class="buttons"><button on:click=move |_| close()>"Close"</button></div>
                }
                .into_any(),
            };
            view! {
                <div class="modal-backdrop" on:click=move |_| close()>
                    <div class="modal share-dialog" role="dialog" aria-modal="true" aria-labelledby="share-title" data-testid="share-dialog"
                        on:click=|e| e.stop_propagation()>
                        <h2 id="share-title">"Share this design"</h2>
                        {body}
                    </div>
                </div>
            }
        })
    }
}

/// Escapes text for an HTML attribute value in double quotes.
fn attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The embed dialog: choose the design (this one or a preset) and the options; it writes
/// the `<iframe>` snippet.
#[component]
pub fn EmbedDialog() -> impl IntoView {
    let dsg = expect_context::<DesignCtx>();
    let camera = expect_context::<CameraCtx>();
    let page = expect_context::<Page>();
    let source = RwSignal::new("design".to_string());
    let hide: Vec<(&'static str, RwSignal<bool>)> = PANELS
        .iter()
        .map(|p| (*p, RwSignal::new(matches!(*p, "palette" | "inspector"))))
        .collect();
    let readonly = RwSignal::new(true);
    let autoplay = RwSignal::new(false);
    let show = RwSignal::new(ViewMode::Both);
    let height = RwSignal::new("600".to_string());
    let copied = RwSignal::new(None::<bool>);
    let area = NodeRef::<leptos::html::Textarea>::new();
    // The current design's link, made when the dialog opens.
    let design = Memo::new(move |_| page.embed_open.get().then(|| design_payload(dsg, camera)));
    let hide_list = hide.clone();
    let snippet = Memo::new(move |_| -> Result<String, String> {
        let src_id = source.get();
        let cfg = Config {
            embed: true,
            hide: hide_list
                .iter()
                .filter(|(_, on)| on.get())
                .map(|(p, _)| *p)
                .collect(),
            readonly: readonly.get(),
            autoplay: autoplay.get(),
            preset: (src_id != "design").then(|| src_id.clone()),
            challenge: None,
            show: show.get(),
            hosts: Vec::new(),
            unknown: Vec::new(),
        };
        let (fragment, title) = if src_id == "design" {
            let p = design.get().unwrap_or_else(|| Err(String::new()))?;
            let name = dsg.design.with_untracked(|d| {
                d.lesson
                    .as_ref()
                    .map_or_else(|| d.name.clone(), |l| l.title.clone())
            });
            (format!("#{}={p}", sim_core::LINK_KEY), name)
        } else {
            let s = preset_scenario(&src_id)?;
            (String::new(), s.lesson.map_or(s.name, |l| l.title))
        };
        let h = height
            .get()
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|h| (200..=4000).contains(h))
            .unwrap_or(600);
        Ok(format!(
            "<iframe src=\"{}\" title=\"{}\" width=\"100%\" height=\"{h}\" style=\"border:0;max-width:100%\" loading=\"lazy\"></iframe>",
            attr(&format!("{}?{}{fragment}", base_url(), cfg.query())),
            attr(&format!("System-design playground: {title}"))
        ))
    });
    Effect::new(move |_| {
        snippet.track();
        copied.set(None);
    });
    let copy = move |_| {
        let Ok(text) = snippet.get_untracked() else {
            return;
        };
        copy_text(text, move |ok| {
            copied.set(Some(ok));
            if !ok {
                if let Some(el) = area.get_untracked() {
                    let _ = el.focus();
                    el.select();
                }
            }
        });
    };
    let close = move || page.embed_open.set(false);
    view! {
        <Show when=move || page.embed_open.get()>
            <div class="modal-backdrop" on:click=move |_| close()>
                <div class="modal embed-dialog" role="dialog" aria-modal="true" aria-labelledby="embed-title" data-testid="embed-dialog"
                    on:click=|e| e.stop_propagation()>
                    <h2 id="embed-title">"Embed in a page"</h2>
                    <label class="field-inline">"Show "
                        <select data-testid="embed-source" on:change=move |e| source.set(event_target_value(&e))>
                            <option value="design" selected=true>"this design, as it is now"</option>
                            {presets::Group::ALL.into_iter().map(|g| view! {
                                <optgroup label=g.title()>
                                    {g.presets().map(|p| {
                                        let title = p.scenario().ok().and_then(|s| s.lesson.map(|l| l.title)).unwrap_or_else(|| p.id.to_string());
                                        view! { <option value=p.id>{format!("Preset: {title}")}</option> }
                                    }).collect_view()}
                                </optgroup>
                            }).collect_view()}
                        </select>
                    </label>
                    <fieldset class="embed-options">
                        <legend>"Hide"</legend>
                        {hide.iter().map(|(p, on)| {
                            let on = *on;
                            view! { <label class="check"><input type="checkbox" data-testid=format!("embed-hide-{p}") prop:checked=move || on.get()
                                on:change=move |e| on.set(event_target_checked(&e))/>{format!(" {p}")}</label> }
                        }).collect_view()}
                    </fieldset>
                    <label class="check"><input type="checkbox" data-testid="embed-readonly" prop:checked=move || readonly.get()
                        on:change=move |e| readonly.set(event_target_checked(&e))/>" Read-only (running, traffic, parameters and faults stay available)"</label>
                    <label class="check"><input type="checkbox" data-testid="embed-autoplay" prop:checked=move || autoplay.get()
                        on:change=move |e| autoplay.set(event_target_checked(&e))/>" Start playing at once (otherwise paused)"</label>
                    <label class="field-inline">"When the frame is short, show "
                        <select data-testid="embed-view" on:change=move |e| show.set(match event_target_value(&e).as_str() {
                            "canvas" => ViewMode::Canvas,
                            "metrics" => ViewMode::Metrics,
                            _ => ViewMode::Both,
                        })>
                            <option value="both" selected=true>"the design and the charts"</option>
                            <option value="canvas">"the design (figures, no charts)"</option>
                            <option value="metrics">"the figures and charts (no canvas)"</option>
                        </select>
                    </label>
                    <label class="field-inline">"Height "
                        <input type="text" inputmode="numeric" class="num short" data-testid="embed-height" prop:value=move || height.get()
                            on:input=move |e| height.set(event_target_value(&e))/>" px"</label>
                    {move || match snippet.get() {
                        Ok(text) => view! {
                            <textarea class="snippet" readonly=true rows="5" data-testid="embed-snippet" node_ref=area prop:value=text
                                aria-label="The iframe snippet" on:focus=move |_| { if let Some(el) = area.get_untracked() { el.select(); } }></textarea>
                        }.into_any(),
                        Err(why) => view! { <p class="share-status error" role="alert" data-testid="embed-error">{why}</p> }.into_any(),
                    }}
                    <p class="hint" data-testid="embed-copied" role="status">{move || match copied.get() {
                        Some(true) => "Snippet copied to the clipboard.",
                        Some(false) => "The browser did not let the page copy here: the snippet is selected, copy it with Ctrl-C (⌘-C).",
                        None => "An embedded page never reads or writes the visitor's local storage, and offers to open the design in the full playground.",
                    }}</p>
                    <div class="buttons">
                        <button class="primary" data-testid="copy-snippet" on:click=copy disabled=move || snippet.with(|s| s.is_err())>"Copy snippet"</button>
                        <button on:click=move |_| close()>"Close"</button>
                    </div>
                </div>
            </div>
        </Show>
    }
}
