//! Local storage that never panics: in a sandboxed iframe merely touching
//! `window.localStorage` throws, and a full quota makes writes fail. An embedded page
//! turns storage off altogether ([`disable`]): it neither reads nor writes.

use std::cell::Cell;

const UNAVAILABLE: &str =
    "Local storage is unavailable here, so your design will not be kept after you leave the page.";

thread_local! {
    static DISABLED: Cell<bool> = const { Cell::new(false) };
}

/// From now on nothing is read from or written to local storage (embed mode).
pub fn disable() {
    DISABLED.with(|d| d.set(true));
}

fn disabled() -> bool {
    DISABLED.with(Cell::get)
}

fn storage() -> Result<web_sys::Storage, String> {
    match gloo::utils::window().local_storage() {
        Ok(Some(s)) => Ok(s),
        _ => Err(UNAVAILABLE.to_string()),
    }
}

/// The value under `key`, if any (none while storage is disabled).
pub fn load(key: &str) -> Result<Option<String>, String> {
    if disabled() {
        return Ok(None);
    }
    storage()?
        .get_item(key)
        .map_err(|_| UNAVAILABLE.to_string())
}

/// Stores `value` under `key` (does nothing while storage is disabled).
pub fn save(key: &str, value: &str) -> Result<(), String> {
    if disabled() {
        return Ok(());
    }
    storage()?.set_item(key, value).map_err(|_| {
        "Your design could not be saved in local storage (it may be full or disabled); it will not be kept after you leave the page.".to_string()
    })
}
