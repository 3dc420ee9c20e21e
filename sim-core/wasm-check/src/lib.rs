//! Exports the digest of sim-core's reference run to JavaScript as a u64 (BigInt).

/// Digest of `run_headless(&reference_scenario(), None, None)`.
#[no_mangle]
pub extern "C" fn reference_digest() -> u64 {
    let s = sim_core::reference_scenario();
    match sim_core::run_headless(&s, None, None) {
        Ok(out) => u64::from_str_radix(&out.digest, 16).unwrap_or(0),
        Err(_) => 0,
    }
}
