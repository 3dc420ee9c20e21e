//! Embed options from the query string, and what read-only refuses.

use super::*;

#[test]
fn options_parse_with_or_without_the_question_mark() {
    let c = Config::parse("?embed=1&hide=palette,Inspector&readonly=1&autoplay=1&preset=cache-101");
    assert!(c.embed && c.readonly && c.autoplay);
    assert_eq!(c.hide, vec!["palette", "inspector"]);
    assert_eq!(c.preset.as_deref(), Some("cache-101"));
    assert!(c.unknown.is_empty());
    assert_eq!(Config::parse("embed=1"), Config::parse("?embed=1"));
    assert_eq!(Config::parse(""), Config::default());
}

#[test]
fn off_values_and_bare_keys() {
    for v in ["0", "false", "no", "off"] {
        assert!(!Config::parse(&format!("embed={v}")).embed, "{v}");
    }
    assert!(Config::parse("embed").embed, "a bare key is on");
    assert!(Config::parse("readonly=yes").readonly);
    assert_eq!(Config::parse("preset=").preset, None);
}

#[test]
fn unknown_options_and_panels_are_collected_once_each() {
    let c = Config::parse("zoom=2&hide=dock,sidebar,dock&&theme");
    assert_eq!(c.hide, vec!["dock"]);
    assert_eq!(c.unknown, vec!["zoom", "hide=sidebar", "theme"]);
}

#[test]
fn values_are_percent_decoded() {
    let c = Config::parse("preset=a%20b+c&hide=palette%2Cdock");
    assert_eq!(c.preset.as_deref(), Some("a b c"));
    assert_eq!(c.hide, vec!["palette", "dock"]);
    // A bad escape stays as it is.
    assert_eq!(Config::parse("preset=100%").preset.as_deref(), Some("100%"));
    assert_eq!(Config::parse("preset=%zz").preset.as_deref(), Some("%zz"));
}

#[test]
fn query_reads_back_as_the_same_configuration() {
    let c = Config {
        embed: true,
        hide: vec!["traffic", "lesson"],
        readonly: true,
        autoplay: false,
        preset: Some("retry-storm".to_string()),
        challenge: None,
        show: ViewMode::Canvas,
        hosts: Vec::new(),
        unknown: Vec::new(),
    };
    assert_eq!(
        c.query(),
        "embed=1&hide=traffic,lesson&readonly=1&preset=retry-storm&view=canvas"
    );
    assert_eq!(Config::parse(&c.query()), c);
    assert_eq!(Config::default().query(), "");
}

#[test]
fn classes_name_the_mode_and_the_hidden_panels() {
    let c = Config::parse("embed=1&readonly=1&hide=dock");
    assert_eq!(c.classes(), "app embed readonly hide-dock");
    assert!(c.hides("dock") && !c.hides("palette"));
    assert_eq!(Config::default().classes(), "app");
}

#[test]
fn read_only_allows_parameters_but_not_structure() {
    let a = sim_core::demo_scenario();
    let mut params = a.clone();
    if let sim_core::NodeKind::Server(p) = &mut params.nodes[2].kind {
        p.workers += 1;
    }
    params.nodes[0].label = Some("Users".to_string());
    params.edges[0].latency_ms += 1.0;
    assert!(same_structure(&a, &params));
    let mut moved = a.clone();
    moved.nodes[0].x = Some(moved.nodes[0].x.unwrap_or(0.0) + 1.0);
    assert!(!same_structure(&a, &moved));
    let mut fewer = a.clone();
    fewer.edges.pop();
    assert!(!same_structure(&a, &fewer));
    let mut renamed = a.clone();
    renamed.nodes[1].id = "other".to_string();
    assert!(!same_structure(&a, &renamed));
}

#[test]
fn view_picks_what_a_short_frame_shows() {
    assert_eq!(Config::parse("embed=1").show, ViewMode::Both);
    assert_eq!(Config::parse("view=canvas").show, ViewMode::Canvas);
    assert_eq!(Config::parse("view=Metrics").show, ViewMode::Metrics);
    assert_eq!(Config::parse("view=both").show, ViewMode::Both);
    let bad = Config::parse("view=charts");
    assert_eq!(bad.show, ViewMode::Both);
    assert_eq!(bad.unknown, vec!["view=charts"]);
    let c = Config::parse("embed=1&view=metrics");
    assert!(c.classes().split(' ').any(|k| k == "view-metrics"));
    assert_eq!(Config::parse(&c.query()), c);
    assert!(!Config::parse("embed=1&view=both").query().contains("view"));
    assert!(!Config::parse("embed=1").classes().contains("view-"));
}

#[test]
fn a_challenge_link_names_the_challenge_and_leaves_the_address_once_read() {
    let c = Config::parse("?challenge=survive-a-crash&autoplay=1");
    assert_eq!(c.challenge.as_deref(), Some("survive-a-crash"));
    assert!(c.unknown.is_empty());
    assert_eq!(c.query(), "autoplay=1");
    assert_eq!(Config::parse("challenge=").challenge, None);
}
