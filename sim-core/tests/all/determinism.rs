//! Bit-identical results: the reference run has a pinned digest that the wasm build checks too.

use sim_core::{reference_scenario, run_headless, REFERENCE_DIGEST};

#[test]
fn reference_run_digest_is_pinned() {
    let s = reference_scenario();
    let summary = run_headless(&s, None, None).unwrap();
    assert!(summary.snapshot.global.failed.total() > 0, "the reference run exercises failures");
    assert_eq!(
        summary.digest, REFERENCE_DIGEST,
        "the reference run's digest changed; if the engine's behaviour changed on purpose, update REFERENCE_DIGEST"
    );
}
