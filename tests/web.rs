//! Browser tests run by wasm-bindgen-test in headless Chromium.

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn app_mounts_with_every_layout_region() {
    leptos::mount::mount_to_body(playground::App);
    let doc = gloo::utils::document();
    for selector in [
        ".runbar",
        ".palette",
        ".stage canvas",
        ".inspector",
        ".dock",
    ] {
        assert!(
            doc.query_selector(selector).unwrap().is_some(),
            "missing layout region {selector}"
        );
    }
}
