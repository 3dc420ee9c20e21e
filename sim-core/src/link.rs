//! Share links: a whole scenario packed into a URL fragment (`#s=…`).
//!
//! The payload is the scenario's compact JSON, compressed with raw DEFLATE
//! (`miniz_oxide`) and written in unpadded base64url, so it survives in a URL and never
//! reaches a server. Decoding is defensive: the link's length and the unpacked size are
//! capped before any allocation grows with them, and every failure is an [`Error`] with a
//! message a learner can read.

use crate::{Error, Scenario};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// The fragment key of a scenario link: `#s=<payload>`.
pub const LINK_KEY: &str = "s";
pub use crate::limits::{MAX_LINK_CHARS, MAX_LINK_JSON_BYTES};
/// Compression level: the best, since links are short and made rarely.
const LEVEL: u8 = 9;

/// Packs a scenario into a link payload (the part after `#s=`).
pub fn encode_link(scenario: &Scenario) -> String {
    // Serialising plain data with string keys cannot fail.
    let json = serde_json::to_vec(scenario).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(&json, LEVEL))
}

/// Unpacks and validates the scenario in a link. Accepts a whole URL, a fragment
/// (`#s=…`, possibly among other `&`-separated parameters) or a bare payload.
pub fn decode_link(link: &str) -> Result<Scenario, Error> {
    let payload = link_payload(link.trim());
    let fail = |message: String| Err(Error::new("link", message));
    if payload.is_empty() {
        return fail("the link holds no scenario".into());
    }
    if payload.len() > MAX_LINK_CHARS {
        return fail(format!(
            "the link is too long ({} characters; a link holds at most {MAX_LINK_CHARS}) — use a JSON file instead",
            payload.len()
        ));
    }
    if !payload.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return fail("the link is damaged: it contains characters a scenario link never has".into());
    }
    let Ok(packed) = URL_SAFE_NO_PAD.decode(payload) else {
        return fail("the link is damaged or cut short: its data does not unpack".into());
    };
    let json = match miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_LINK_JSON_BYTES) {
        Ok(json) => json,
        Err(e) if e.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput => {
            return fail(format!("the link's scenario is larger than {MAX_LINK_JSON_BYTES} bytes once unpacked"));
        }
        Err(_) => return fail("the link is damaged or cut short: its data does not unpack".into()),
    };
    let Ok(text) = std::str::from_utf8(&json) else {
        return fail("the link is damaged: its scenario is not text".into());
    };
    Scenario::from_json(text)
        .map_err(|e| Error::new(if e.path.is_empty() { "link".into() } else { format!("link: {}", e.path) }, e.message))
}

/// The payload of a link: the value of `s=` in the fragment, or the input itself.
fn link_payload(link: &str) -> &str {
    let fragment = link.split_once('#').map_or(link, |(_, f)| f);
    let prefix = format!("{LINK_KEY}=");
    fragment.split('&').find_map(|part| part.strip_prefix(prefix.as_str())).unwrap_or(fragment)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo_scenario;

    #[test]
    fn a_scenario_survives_the_round_trip() {
        let s = demo_scenario();
        let link = encode_link(&s);
        assert!(link.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(decode_link(&link).unwrap(), s);
        assert_eq!(decode_link(&format!("https://example.org/play/?embed=1#s={link}")).unwrap(), s);
        assert_eq!(decode_link(&format!("#view=2&s={link}&x=1")).unwrap(), s);
    }

    #[test]
    fn bad_links_get_a_clear_message() {
        let good = encode_link(&demo_scenario());
        let cases = [
            ("", "holds no scenario"),
            ("#s=", "holds no scenario"),
            ("#s=%%%", "characters"),
            (&good[..good.len() / 2], "cut short"),
            (&good[..good.len() / 2 + 1], "cut short"),
            (&good[..good.len() / 2 + 2], "cut short"),
            (&good[..good.len() / 2 + 3], "cut short"),
            (&"A".repeat(MAX_LINK_CHARS + 1), "too long"),
        ];
        for (link, want) in cases {
            let err = decode_link(link).unwrap_err();
            assert!(err.to_string().contains(want), "{link:.20}: {err}");
        }
    }

    #[test]
    fn a_link_that_unpacks_beyond_the_limit_is_refused() {
        let bomb = URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(&vec![b' '; 4 << 20], LEVEL));
        assert!(bomb.len() < MAX_LINK_CHARS);
        assert!(decode_link(&bomb).unwrap_err().to_string().contains("larger than"));
    }

    #[test]
    fn non_text_and_hostile_scenarios_are_refused_with_the_field() {
        let pack = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(bytes, LEVEL));
        assert!(decode_link(&pack(&[0xff, 0xfe, 0x00])).unwrap_err().to_string().contains("not text"));
        let mut s = serde_json::to_value(demo_scenario()).unwrap();
        s["nodes"][0]["kind"]["client"]["rate_rps"] = serde_json::json!(-5.0);
        let err = decode_link(&pack(s.to_string().as_bytes())).unwrap_err();
        assert!(err.path.starts_with("link: nodes[0]"), "{err}");
    }
}
