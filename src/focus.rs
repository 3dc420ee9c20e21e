//! Focus handling for modal dialogs: focus moves into the dialog when it opens, Tab and
//! Shift-Tab cycle inside it, and focus returns to whatever opened it when it closes.

use leptos::html::Div;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, KeyboardEvent};

/// What can take the focus inside a dialog.
const FOCUSABLE: &str =
    "button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea, [tabindex]:not([tabindex='-1'])";

fn focusables(root: &web_sys::Element) -> Vec<HtmlElement> {
    let Ok(list) = root.query_selector_all(FOCUSABLE) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<HtmlElement>().ok())
        .collect()
}

fn active() -> Option<HtmlElement> {
    gloo::utils::document()
        .active_element()
        .and_then(|e| e.dyn_into::<HtmlElement>().ok())
}

/// While `open`, the dialog `root` holds the focus: it takes it on opening and gives it
/// back to the element that had it before on closing.
pub fn trap_while_open(open: RwSignal<bool>, root: NodeRef<Div>) {
    let opener = StoredValue::new_local(None::<HtmlElement>);
    Effect::new(move |was_open: Option<bool>| {
        let is_open = open.get();
        if is_open && was_open != Some(true) {
            opener.set_value(active());
        } else if !is_open && was_open == Some(true) {
            if let Some(el) = opener.get_value() {
                let _ = el.focus();
            }
        }
        is_open
    });
    Effect::new(move |_| {
        if let Some(el) = root.get() {
            if let Some(first) = focusables(&el).into_iter().next() {
                let _ = first.focus();
            }
        }
    });
}

/// Keydown handler of a dialog: Tab past the last control goes to the first, Shift-Tab
/// before the first goes to the last.
pub fn cycle_tab(e: KeyboardEvent) {
    if e.key() != "Tab" {
        return;
    }
    let Some(root) = e
        .current_target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return;
    };
    let items = focusables(&root);
    let (Some(first), Some(last)) = (items.first(), items.last()) else {
        e.prevent_default();
        return;
    };
    let now = active();
    let inside = now.as_ref().is_some_and(|a| items.iter().any(|i| i == a));
    let target = if e.shift_key() {
        (!inside || now.as_ref() == Some(first)).then_some(last)
    } else {
        (!inside || now.as_ref() == Some(last)).then_some(first)
    };
    if let Some(t) = target {
        e.prevent_default();
        let _ = t.focus();
    }
}
