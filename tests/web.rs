//! Browser tests run by wasm-bindgen-test in headless Chromium.

use sim_core::{reference_scenario, run_headless, Scenario, REFERENCE_DIGEST};
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

/// The reference run (every sampler and fault path) gives the digest pinned in sim-core,
/// which the native tests check too.
#[wasm_bindgen_test]
fn wasm_reference_run_matches_the_pinned_digest() {
    let summary =
        run_headless(&reference_scenario(), None, None).expect("the reference run is valid");
    assert_eq!(summary.digest, REFERENCE_DIGEST);
}

/// The example scenarios, compiled into the test so the browser needs no file access.
const SCENARIOS: &[(&str, &str)] = &[
    (
        "autoscale",
        include_str!("../sim-core/scenarios/autoscale.json"),
    ),
    (
        "lb-two-servers-health-check",
        include_str!("../sim-core/scenarios/lb-two-servers-health-check.json"),
    ),
    ("mm1", include_str!("../sim-core/scenarios/mm1.json")),
    ("mmc", include_str!("../sim-core/scenarios/mmc.json")),
    (
        "rate-limit",
        include_str!("../sim-core/scenarios/rate-limit.json"),
    ),
    (
        "retry-storm",
        include_str!("../sim-core/scenarios/retry-storm.json"),
    ),
    ("spike", include_str!("../sim-core/scenarios/spike.json")),
    ("tandem", include_str!("../sim-core/scenarios/tandem.json")),
];

/// Same scenario and seed give bit-identical metrics natively and in wasm. `scripts/test.sh`
/// runs every example natively with the headless runner first and passes the digests in
/// `SIM_NATIVE_DIGESTS` ("name=hex;name=hex;…").
#[wasm_bindgen_test]
fn wasm_run_matches_native_digest() {
    let Some(native) = option_env!("SIM_NATIVE_DIGESTS") else {
        panic!("SIM_NATIVE_DIGESTS is unset: run this through scripts/test.sh");
    };
    let mut compared = 0;
    for entry in native.split(';').filter(|e| !e.is_empty()) {
        let (name, want) = entry.split_once('=').expect("entries are name=digest");
        let Some((_, json)) = SCENARIOS.iter().find(|(n, _)| *n == name) else {
            panic!("scenario {name} has a native digest but is not compiled into this test");
        };
        let scenario = Scenario::from_json(json).expect("example scenarios are valid");
        let got = run_headless(&scenario, None, None)
            .expect("example scenarios run")
            .digest;
        assert_eq!(
            got, want,
            "scenario {name}: wasm digest differs from native"
        );
        compared += 1;
    }
    assert_eq!(
        compared,
        SCENARIOS.len(),
        "every example scenario is compared"
    );
}
