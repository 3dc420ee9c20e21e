//! Embed mode's URL options and read-only rule (`playground::embed`), in the browser.

use playground::embed::{same_structure, Config, PANELS};
use sim_core::{demo_scenario, NodeKind};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn the_query_string_is_read_as_documented() {
    let c = Config::parse(
        "?embed=1&hide=palette,Inspector,dock,palette&readonly=true&autoplay&preset=single-server",
    );
    assert!(c.embed && c.readonly && c.autoplay);
    assert_eq!(c.hide, ["palette", "inspector", "dock"]);
    assert_eq!(c.preset.as_deref(), Some("single-server"));
    assert!(c.unknown.is_empty());
    assert!(c.hides("dock") && !c.hides("lesson"));
    assert_eq!(
        c.classes(),
        "app embed readonly hide-palette hide-inspector hide-dock"
    );

    let off = Config::parse("embed=0&readonly=no&autoplay=off&preset=");
    assert_eq!(
        off,
        Config::default(),
        "off values and an empty preset ask for nothing"
    );

    let escaped = Config::parse("hide=palette%2Ctraffic&preset=a%20b+c&zoom=2&hide=sidebar");
    assert_eq!(escaped.hide, ["palette", "traffic"]);
    assert_eq!(escaped.preset.as_deref(), Some("a b c"));
    assert_eq!(escaped.unknown, ["zoom", "hide=sidebar"]);
    assert_eq!(
        Config::parse("preset=%zz%4").preset.as_deref(),
        Some("%zz%4"),
        "a bad escape stays"
    );
}

#[wasm_bindgen_test]
fn a_configuration_survives_its_query_string() {
    let c = Config {
        embed: true,
        hide: PANELS.to_vec(),
        readonly: true,
        autoplay: true,
        preset: Some("cache".into()),
        challenge: None,
        show: playground::embed::ViewMode::Metrics,
        hosts: Vec::new(),
        unknown: Vec::new(),
    };
    assert_eq!(Config::parse(&c.query()), c);
    assert_eq!(Config::default().query(), "");
}

#[wasm_bindgen_test]
fn read_only_allows_parameters_but_not_structure() {
    let d = demo_scenario();
    let mut params = d.clone();
    for n in &mut params.nodes {
        n.label = Some(format!("{} (renamed)", n.id));
        if let NodeKind::Client(c) = &mut n.kind {
            c.rate_rps *= 2.0;
        }
    }
    params.edges[0].latency_ms += 5.0;
    assert!(
        same_structure(&d, &params),
        "parameters, labels and latencies may change"
    );

    let mut moved = d.clone();
    moved.nodes[0].x = moved.nodes[0].x.map(|x| x + 1.0);
    assert!(!same_structure(&d, &moved), "a move is a structure edit");

    let mut fewer = d.clone();
    fewer.nodes.pop();
    assert!(
        !same_structure(&d, &fewer),
        "a deletion is a structure edit"
    );

    let mut relinked = d.clone();
    relinked.edges.pop();
    assert!(
        !same_structure(&d, &relinked),
        "removing a link is a structure edit"
    );

    let mut other_kind = d.clone();
    other_kind.nodes[0].kind = d.nodes[1].kind.clone();
    assert!(
        !same_structure(&d, &other_kind),
        "changing a kind is a structure edit"
    );
}
