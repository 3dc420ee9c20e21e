//! Fuzzing the share-link decoder: 100 000+ hostile inputs, none may panic, and none may
//! make the decoder allocate beyond a fixed bound.

use proptest::prelude::*;
use sim_core::{decode_link, demo_scenario, encode_link, MAX_LINK_JSON_BYTES};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Counts live heap bytes and their peak, so the tests can bound what decoding allocates.
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Generous bound on the heap one decode may use: the unpacked JSON, its parse, and slack.
const MAX_DECODE_HEAP_BYTES: usize = 16 * MAX_LINK_JSON_BYTES;

/// Decodes and asserts the heap grew by at most the bound (tests run one at a time per
/// thread; the bound is loose enough for other threads' small allocations).
fn decode_bounded(link: &str) {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let _ = decode_link(link);
    let grew = PEAK.load(Ordering::Relaxed).saturating_sub(before);
    assert!(grew <= MAX_DECODE_HEAP_BYTES, "decoding {:.40}… allocated {grew} bytes", link);
}

fn valid_link() -> String {
    encode_link(&demo_scenario())
}

/// A base64url character.
fn b64_char() -> impl Strategy<Value = char> {
    prop_oneof![
        Just('-'),
        Just('_'),
        proptest::char::range('A', 'Z'),
        proptest::char::range('a', 'z'),
        proptest::char::range('0', '9')
    ]
}

proptest! {
    // Failures are saved to and replayed from a file in the repository (proptest-regressions/).
    #![proptest_config(ProptestConfig {
        cases: 40_000,
        failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::Direct(
            concat!(env!("CARGO_MANIFEST_DIR"), "/proptest-regressions/link_fuzz.txt")
        ))),
        ..ProptestConfig::default()
    })]

    /// Arbitrary text, including non-ASCII and control characters.
    #[test]
    fn arbitrary_text_never_panics(text in ".{0,600}") {
        decode_bounded(&text);
    }

    /// Plausible payloads: only base64url characters, so they reach the decompressor.
    #[test]
    fn arbitrary_payloads_never_panic(chars in proptest::collection::vec(b64_char(), 0..800)) {
        let payload: String = chars.into_iter().collect();
        decode_bounded(&format!("#s={payload}"));
    }

    /// Damaged real links: truncated, with characters replaced, inserted or removed, so the
    /// decompressor and the JSON parser see nearly valid input.
    #[test]
    fn damaged_real_links_never_panic(
        cut in 0.0f64..=1.0,
        edits in proptest::collection::vec((0.0f64..1.0, 0u8..3, b64_char()), 0..6),
    ) {
        let mut link: Vec<char> = valid_link().chars().collect();
        link.truncate(((link.len() as f64) * cut).ceil() as usize);
        for (at, op, c) in edits {
            let i = ((link.len() as f64) * at) as usize;
            match op {
                0 if i < link.len() => link[i] = c,
                1 => link.insert(i.min(link.len()), c),
                _ if i < link.len() => { link.remove(i); }
                _ => {}
            }
        }
        decode_bounded(&link.into_iter().collect::<String>());
    }
}
