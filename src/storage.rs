//! Local storage that never panics: in a sandboxed iframe merely touching
//! `window.localStorage` throws, and a full quota makes writes fail.

const UNAVAILABLE: &str =
    "Local storage is unavailable here, so your design will not be kept after you leave the page.";

fn storage() -> Result<web_sys::Storage, String> {
    match gloo::utils::window().local_storage() {
        Ok(Some(s)) => Ok(s),
        _ => Err(UNAVAILABLE.to_string()),
    }
}

/// The value under `key`, if any.
pub fn load(key: &str) -> Result<Option<String>, String> {
    storage()?
        .get_item(key)
        .map_err(|_| UNAVAILABLE.to_string())
}

/// Stores `value` under `key`.
pub fn save(key: &str, value: &str) -> Result<(), String> {
    storage()?.set_item(key, value).map_err(|_| {
        "Your design could not be saved in local storage (it may be full or disabled); it will not be kept after you leave the page.".to_string()
    })
}
