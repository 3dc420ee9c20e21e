//! The design as a file: "Export JSON" downloads the scenario, "Import JSON" reads one. A
//! file that is not a valid scenario is refused with the core's message, which names the
//! offending field, and the canvas stays as it was.

use leptos::ev;
use leptos::html::Input;
use leptos::prelude::*;
use sim_core::{Scenario, MAX_LINK_JSON_BYTES};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::state::{ChromeCtx, DesignCtx, RunCtx, SelectionCtx};

/// A file name from the design's name ("My shop!" → "my-shop.json").
fn file_name(name: &str) -> String {
    let slug: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let slug = slug
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    format!("{}.json", if slug.is_empty() { "design" } else { &slug })
}

/// Offers `json` as a download named `name`.
fn download(name: &str, json: &str) -> Result<(), String> {
    let fail = |_| "the browser refused to create the file".to_string();
    let parts = js_sys_array(json);
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts).map_err(fail)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(fail)?;
    let a = gloo::utils::document()
        .create_element("a")
        .map_err(fail)?
        .dyn_into::<web_sys::HtmlAnchorElement>()
        .map_err(|_| "the browser refused to create the file".to_string())?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// A one-element JS array holding `s` (the parts of a Blob).
fn js_sys_array(s: &str) -> wasm_bindgen::JsValue {
    let arr = web_sys::js_sys::Array::new();
    arr.push(&wasm_bindgen::JsValue::from_str(s));
    arr.into()
}

/// Reads a chosen file as a design, or says why it cannot be one.
async fn read_design(file: web_sys::File) -> Result<Scenario, String> {
    if file.size() > MAX_LINK_JSON_BYTES as f64 {
        return Err(format!(
            "{} is too large for a design (at most {} KB).",
            file.name(),
            MAX_LINK_JSON_BYTES / 1024
        ));
    }
    let text = JsFuture::from(file.text())
        .await
        .ok()
        .and_then(|v| v.as_string())
        .ok_or_else(|| format!("{} could not be read.", file.name()))?;
    Scenario::from_json(&text).map_err(|e| {
        let at = if e.path.is_empty() {
            String::new()
        } else {
            format!(" at {}", e.path)
        };
        format!(
            "{} is not a design this playground can read{at}: {}. Nothing was changed.",
            file.name(),
            e.message
        )
    })
}

#[component]
pub fn DesignFiles() -> impl IntoView {
    let run = expect_context::<RunCtx>();
    let dsg = expect_context::<DesignCtx>();
    let sel = expect_context::<SelectionCtx>();
    let chrome = expect_context::<ChromeCtx>();
    let input = NodeRef::<Input>::new();
    let error = RwSignal::new(None::<String>);
    let export = move |_| {
        let (name, json) = dsg
            .design
            .with_untracked(|d| (file_name(&d.name), d.to_json()));
        if let Err(e) = download(&name, &json) {
            error.set(Some(e));
        }
    };
    let on_file = move |e: ev::Event| {
        let Some(el) = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = el.files().and_then(|f| f.get(0)) else {
            return;
        };
        // Choosing the same file again must fire another change.
        el.set_value("");
        leptos::task::spawn_local(async move {
            match read_design(file).await {
                Err(m) => error.set(Some(m)),
                Ok(design) => {
                    error.set(None);
                    let seed = design.seed;
                    let name = design.name.clone();
                    if dsg.edit(None, |s| {
                        *s = design;
                        Ok(())
                    }) {
                        run.seed.set(seed);
                        dsg.design.with_untracked(|d| run.reset(d));
                        sel.selection.set(Default::default());
                        chrome.say(format!("Imported \"{name}\"."));
                    }
                }
            }
        });
    };
    view! {
        <section class="files" aria-label="Design file">
            <h2>"Design file"</h2>
            <div class="buttons">
                <button data-testid="export-json" on:click=export title="Download the design as a scenario file">"Export JSON"</button>
                <button data-testid="import-json" on:click=move |_| { if let Some(i) = input.get_untracked() { i.click(); } }
                    title="Load a scenario file (replaces the design; undoable)">"Import JSON"</button>
                <input type="file" accept=".json,application/json" class="visually-hidden" tabindex="-1" aria-hidden="true"
                    data-testid="import-file" node_ref=input on:change=on_file/>
            </div>
            {move || error.get().map(|m| view! { <p class="field-error" role="alert" data-testid="import-error">{m}</p> })}
        </section>
    }
}
