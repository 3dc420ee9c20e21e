use super::*;

fn spot(id: &str, x: f64, y: f64) -> Spot {
    Spot {
        id: id.to_string(),
        x,
        y,
    }
}

fn edge(f: &str, t: &str) -> (String, String) {
    (f.to_string(), t.to_string())
}

/// client → lb → two servers stacked one above the other, and a cache off to the side.
fn layout() -> Vec<Spot> {
    vec![
        spot("client", 0.0, 100.0),
        spot("lb", 200.0, 100.0),
        spot("web-1", 400.0, 0.0),
        spot("web-2", 400.0, 200.0),
        spot("cache", 380.0, 420.0),
    ]
}

#[test]
fn arrows_go_to_the_nearest_component_that_way() {
    let s = layout();
    let go = |from, d| next_in_direction(&s, from, d);
    assert_eq!(go("client", Dir::Right).as_deref(), Some("lb"));
    assert_eq!(go("lb", Dir::Left).as_deref(), Some("client"));
    // web-1 and web-2 are equally far from lb: the earlier one wins the tie.
    assert_eq!(go("lb", Dir::Right).as_deref(), Some("web-1"));
    assert_eq!(go("web-1", Dir::Down).as_deref(), Some("web-2"));
    assert_eq!(go("web-2", Dir::Up).as_deref(), Some("web-1"));
    assert_eq!(go("web-2", Dir::Down).as_deref(), Some("cache"));
    assert_eq!(go("web-2", Dir::Left).as_deref(), Some("lb"));
    // Nothing lies further left of the client, nor right of the servers.
    assert_eq!(go("client", Dir::Left), None);
    assert_eq!(go("web-1", Dir::Right), None);
    assert_eq!(go("nowhere", Dir::Right), None);
}

#[test]
fn straight_ahead_beats_nearer_but_off_to_the_side() {
    let s = vec![
        spot("a", 0.0, 0.0),
        spot("side", 100.0, 90.0),
        spot("ahead", 200.0, 0.0),
    ];
    // side: 100 + 2·90 = 280; ahead: 200.
    assert_eq!(
        next_in_direction(&s, "a", Dir::Right).as_deref(),
        Some("ahead")
    );
    // Outside the 45° cone a component is not "that way" at all.
    let s = vec![spot("a", 0.0, 0.0), spot("steep", 50.0, 60.0)];
    assert_eq!(next_in_direction(&s, "a", Dir::Right), None);
    assert_eq!(
        next_in_direction(&s, "a", Dir::Down).as_deref(),
        Some("steep")
    );
}

#[test]
fn links_are_followed_downstream_and_upstream_cycling_through_several() {
    let e = vec![
        edge("client", "lb"),
        edge("lb", "web-1"),
        edge("lb", "web-2"),
    ];
    assert_eq!(along_link(&e, "client", true, None).as_deref(), Some("lb"));
    assert_eq!(along_link(&e, "lb", true, None).as_deref(), Some("web-1"));
    assert_eq!(
        along_link(&e, "lb", true, Some("web-1")).as_deref(),
        Some("web-2")
    );
    assert_eq!(
        along_link(&e, "lb", true, Some("web-2")).as_deref(),
        Some("web-1")
    );
    // A `last` that is not among the ends starts again at the first.
    assert_eq!(
        along_link(&e, "lb", true, Some("client")).as_deref(),
        Some("web-1")
    );
    assert_eq!(along_link(&e, "web-2", false, None).as_deref(), Some("lb"));
    assert_eq!(along_link(&e, "web-2", true, None), None);
    assert_eq!(along_link(&e, "client", false, None), None);
}

#[test]
fn the_design_in_words() {
    let kinds = vec![
        edge("client", "client"),
        edge("lb", "load balancer"),
        edge("web-1", "server"),
        edge("web-2", "server"),
    ];
    let e = vec![
        edge("client", "lb"),
        edge("lb", "web-1"),
        edge("lb", "web-2"),
    ];
    assert_eq!(
        describe_design(&kinds, &e),
        "The design has 1 client, 1 load balancer, 2 servers. \
         client calls lb. lb calls web-1 and web-2."
    );
    assert_eq!(
        describe_design(&kinds[2..3], &[]),
        "The design has 1 server. Nothing is connected yet."
    );
    assert_eq!(describe_design(&[], &[]), "The design is empty.");
}

fn facts(now_s: f64, web2: Health) -> RunFacts {
    RunFacts {
        now_s,
        rps: 301.4,
        p99_ms: 110.2,
        error_rate: 0.0,
        health: vec![
            ("web-1".to_string(), Health::Up),
            ("web-2".to_string(), web2),
        ],
    }
}

#[test]
fn the_rates_in_words() {
    assert_eq!(
        describe_rates(&facts(1.0, Health::Up)),
        "301 requests per second, p99 110 ms, no errors"
    );
    let f = RunFacts {
        error_rate: 0.0234,
        ..facts(1.0, Health::Up)
    };
    assert_eq!(
        describe_rates(&f),
        "301 requests per second, p99 110 ms, 2.3% errors"
    );
}

#[test]
fn the_pacer_says_news_soon_and_summaries_calmly() {
    let mut p = Pacer::default();
    // The first snapshot of a running simulation gets a summary.
    assert_eq!(
        p.tick(&facts(0.1, Health::Up), true, 0.0).as_deref(),
        Some("301 requests per second, p99 110 ms, no errors.")
    );
    // Then nothing for a while, however many snapshots arrive.
    for i in 1..99 {
        let ms = f64::from(i) * 100.0;
        assert_eq!(p.tick(&facts(0.1 + ms / 1e3, Health::Up), true, ms), None);
    }
    // A server goes down 1 s after the summary: news waits for the minimum gap, then is
    // said once with the rates.
    assert_eq!(p.tick(&facts(12.0, Health::Down), true, 1_000.0), None);
    assert_eq!(p.tick(&facts(12.1, Health::Down), true, 2_900.0), None);
    assert_eq!(
        p.tick(&facts(12.2, Health::Down), true, MIN_GAP_MS)
            .as_deref(),
        Some("301 requests per second, p99 110 ms, no errors; web-2 went down at 12.0 s.")
    );
    // A quiet run: the next summary comes SUMMARY_EVERY_MS later, not before.
    let t0 = MIN_GAP_MS;
    assert_eq!(
        p.tick(
            &facts(15.0, Health::Down),
            true,
            t0 + SUMMARY_EVERY_MS - 1.0
        ),
        None
    );
    assert_eq!(
        p.tick(&facts(20.0, Health::Down), true, t0 + SUMMARY_EVERY_MS)
            .as_deref(),
        Some("301 requests per second, p99 110 ms, no errors.")
    );
}

#[test]
fn a_paused_run_is_quiet_but_news_and_the_describe_key_still_speak() {
    let mut p = Pacer::default();
    assert_eq!(p.tick(&facts(0.0, Health::Up), false, 0.0), None);
    assert_eq!(p.tick(&facts(5.0, Health::Up), false, 60_000.0), None);
    // A kill while paused is news (the learner pressed it).
    assert_eq!(
        p.tick(&facts(5.0, Health::Down), false, 61_000.0)
            .as_deref(),
        Some("301 requests per second, p99 110 ms, no errors; web-2 went down at 5.0 s.")
    );
    // The describe key speaks at once, whatever the pacing.
    assert_eq!(
        p.say_now(&facts(5.0, Health::Down), 61_001.0),
        "301 requests per second, p99 110 ms, no errors."
    );
    // A revive is news too.
    assert_eq!(
        p.tick(&facts(5.0, Health::Up), false, 70_000.0).as_deref(),
        Some("301 requests per second, p99 110 ms, no errors; web-2 came back up at 5.0 s.")
    );
}

#[test]
fn a_reset_forgets_what_was_said() {
    let mut p = Pacer::default();
    p.tick(&facts(3.0, Health::Down), true, 0.0);
    // Starting over at t = 0 with web-2 up again is not news of a revival.
    assert_eq!(p.tick(&facts(0.0, Health::Up), false, 20_000.0), None);
    assert_eq!(
        p.tick(&facts(0.0, Health::Up), true, 40_000.0).as_deref(),
        Some("301 requests per second, p99 110 ms, no errors.")
    );
}
