//! The host-page protocol: messages read or refused with what is wrong, replies and events
//! as docs/host-api.md writes them, origins, parameters through the inspector's validation,
//! and the figures of a real run's windows.

use super::*;
use crate::embed::Config;
use serde_json::json;
use sim_core::{demo_scenario, limits as L, NodeKind, Sim, SimTime};

fn ok(v: Value) -> Message {
    parse(&v).unwrap_or_else(|r| panic!("{v} refused: {}", r.error))
}

fn refused(v: Value) -> Refusal {
    match parse(&v) {
        Ok(m) => panic!("{v} accepted as {m:?}"),
        Err(r) => r,
    }
}

#[test]
fn every_request_type_is_read_into_its_request() {
    let m = |ty: &str, extra: Value| {
        let mut v = json!({ "protocol": 1, "id": 7, "type": ty });
        if let (Value::Object(o), Value::Object(e)) = (&mut v, extra) {
            o.extend(e);
        }
        ok(v).request
    };
    assert_eq!(m("hello", json!({})), Request::Hello);
    assert_eq!(m("play", json!({})), Request::Play);
    assert_eq!(m("pause", json!({})), Request::Pause);
    assert_eq!(m("snapshot", json!({})), Request::Snapshot);
    assert_eq!(m("subscribe", json!({})), Request::Subscribe);
    assert_eq!(m("unsubscribe", json!({})), Request::Unsubscribe);
    assert_eq!(m("submit", json!({})), Request::Submit);
    assert_eq!(
        m("load_challenge", json!({ "challenge": "one-box" })),
        Request::LoadChallenge {
            challenge: "one-box".into()
        }
    );
    assert_eq!(
        m("load_preset", json!({ "preset": "cache" })),
        Request::LoadPreset {
            preset: "cache".into()
        }
    );
    assert_eq!(
        m("seek", json!({ "t_s": 12.5 })),
        Request::Seek { t_s: 12.5 }
    );
    assert_eq!(
        m("set_speed", json!({ "speed": 10 })),
        Request::SetSpeed { speed: 10.0 }
    );
    assert_eq!(
        m("set_speed", json!({ "speed": "max" })),
        Request::SetSpeed {
            speed: f64::INFINITY
        }
    );
    assert_eq!(
        m(
            "set_param",
            json!({ "node": "web-1", "field": "workers", "value": 12 })
        ),
        Request::SetParam {
            node: "web-1".into(),
            field: "workers".into(),
            value: json!(12)
        }
    );
    // A scenario as an object or as its JSON text.
    let text = demo_scenario().to_json();
    let as_object: Value = serde_json::from_str(&text).unwrap();
    for given in [json!(text), as_object] {
        let Request::LoadScenario { json } = m("load_scenario", json!({ "scenario": given }))
        else {
            panic!("not a load");
        };
        assert_eq!(Scenario::from_json(&json).unwrap(), demo_scenario());
    }
    // Every documented type is read.
    assert_eq!(TYPES.len(), 13);
}

#[test]
fn a_message_may_come_as_json_text_and_keeps_its_id() {
    let m = ok(json!(r#"{"protocol":1,"id":"a-1","type":"play"}"#));
    assert_eq!(m.id, json!("a-1"));
    assert_eq!(m.request, Request::Play);
}

#[test]
fn malformed_messages_are_refused_naming_what_is_wrong() {
    let cases = [
        (json!(42), Value::Null, "a message is a JSON object"),
        (json!("{oops"), Value::Null, "not JSON"),
        (
            json!({ "protocol": 1, "type": "play" }),
            Value::Null,
            "id: missing",
        ),
        (
            json!({ "protocol": 1, "id": [1], "type": "play" }),
            Value::Null,
            "id: a string or a number",
        ),
        (
            json!({ "id": 3, "type": "play" }),
            json!(3),
            "protocol: missing",
        ),
        (
            json!({ "protocol": 2, "id": 3, "type": "play" }),
            json!(3),
            "speaks protocol 1, not 2",
        ),
        (
            json!({ "protocol": 1, "id": 3 }),
            json!(3),
            "type: missing (one of hello, load_preset",
        ),
        (
            json!({ "protocol": 1, "id": 3, "type": "explode" }),
            json!(3),
            "unknown request \"explode\"",
        ),
        (
            json!({ "protocol": 1, "id": 3, "type": "play", "now": true }),
            json!(3),
            "play: unknown field `now`",
        ),
        (
            json!({ "protocol": 1, "id": 3, "type": "seek", "t": 5 }),
            json!(3),
            "seek: unknown field `t`, expected `t_s`",
        ),
        (
            json!({ "protocol": 1, "id": 3, "type": "seek" }),
            json!(3),
            "seek: missing field `t_s`",
        ),
        (
            json!({ "protocol": 1, "id": 3, "type": "seek", "t_s": "soon" }),
            json!(3),
            "seek: invalid type: string \"soon\"",
        ),
        (
            json!({ "protocol": 1, "id": 3, "type": "seek", "t_s": -1 }),
            json!(3),
            "seek: t_s must be between 0 and 604800 s, got -1",
        ),
        (
            json!({ "protocol": 1, "id": 3, "type": "set_speed", "speed": 3 }),
            json!(3),
            "set_speed: speed is one of 0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 100 or \"max\"",
        ),
        (
            json!({ "protocol": 1, "id": 3, "type": "set_speed", "speed": "fast" }),
            json!(3),
            "not \"fast\"",
        ),
        (
            json!({ "protocol": 1, "id": 3, "type": "load_preset" }),
            json!(3),
            "load_preset: missing field `preset`",
        ),
        (
            json!({ "protocol": 1, "id": 3, "type": "load_scenario", "scenario": 5 }),
            json!(3),
            "scenario is a scenario object or its JSON text, not 5",
        ),
        (
            json!({ "protocol": 1, "id": 3, "type": "set_param", "node": "a", "value": 1 }),
            json!(3),
            "set_param: missing field `field`",
        ),
    ];
    for (msg, re, words) in cases {
        let r = refused(msg.clone());
        assert_eq!(r.re, re, "{msg}");
        assert!(
            r.error.contains(words),
            "{msg}: {:?} lacks {words:?}",
            r.error
        );
        let reply = r.reply();
        assert_eq!(reply["protocol"], json!(1));
        assert_eq!(reply["ok"], json!(false));
        assert_eq!(reply["re"], re);
        assert_eq!(reply["error"], json!(r.error));
    }
    let big = "x".repeat(MAX_LINK_JSON_BYTES + 1);
    let r = refused(json!({ "protocol": 1, "id": 1, "type": "load_scenario", "scenario": big }));
    assert!(r.error.contains("larger than 1024 KB"), "{}", r.error);
}

#[test]
fn replies_and_events_are_shaped_as_documented() {
    assert_eq!(
        reply_ok(&json!(5), json!({ "clock_s": 2.0 })),
        json!({ "protocol": 1, "re": 5, "ok": true, "clock_s": 2.0 })
    );
    // A field may not overwrite the envelope.
    assert_eq!(
        reply_ok(&json!("x"), json!({ "ok": false, "re": 1 })),
        json!({ "protocol": 1, "re": "x", "ok": true })
    );
    assert_eq!(
        reply_err(&Value::Null, "no"),
        json!({ "protocol": 1, "re": null, "ok": false, "error": "no" })
    );
    assert_eq!(
        finished_event(60.0, 60.1),
        json!({ "protocol": 1, "event": "finished", "duration_s": 60.0, "clock_s": 60.1 })
    );
    let p = Pause {
        t_s: 31.0,
        condition: 1,
        reason: "p99 412 ms > 300 ms".into(),
    };
    assert_eq!(
        breakpoint_event(&p),
        json!({ "protocol": 1, "event": "breakpoint", "t_s": 31.0, "condition": 1,
                "reason": "p99 412 ms > 300 ms", "message": "paused at 31.0 s: p99 412 ms > 300 ms" })
    );
    let a = Alert {
        kind: sim_core::AlertKind::ErrorRate,
        since_s: 4.0,
        message: "error rate 5 % > 1 %".into(),
    };
    assert_eq!(
        alert_event(&a),
        json!({ "protocol": 1, "event": "alert", "kind": "error_rate", "since_s": 4.0, "message": "error rate 5 % > 1 %" })
    );
}

#[test]
fn the_challenge_event_is_serialised_as_documented() {
    let e = challenge_event("cache-stampede", true, 85);
    let sent: Value = serde_json::from_str(&e.to_string()).unwrap();
    assert_eq!(
        sent,
        json!({ "protocol": 1, "event": "challenge", "id": "cache-stampede", "pass": true, "score": 85 })
    );
    assert_eq!(sent.as_object().unwrap().len(), 5, "nothing else");
    let failed = challenge_event("first-server", false, 0);
    assert_eq!(failed["pass"], json!(false));
    assert_eq!(failed["score"], json!(0));
    assert_eq!(failed["id"], json!("first-server"));
}

#[test]
fn origins_are_written_as_browsers_write_them() {
    assert_eq!(
        parse_origin("https://course.example").unwrap(),
        "https://course.example"
    );
    assert_eq!(
        parse_origin(" HTTPS://Course.Example:443/ ").unwrap(),
        "https://course.example"
    );
    assert_eq!(
        parse_origin("http://127.0.0.1:8081").unwrap(),
        "http://127.0.0.1:8081"
    );
    assert_eq!(
        parse_origin("http://localhost:80").unwrap(),
        "http://localhost"
    );
    for bad in [
        "*",
        "null",
        "course.example",
        "file:///tmp/a.html",
        "ftp://course.example",
        "https://course.example/lesson/1",
        "https://course.example/?a=1",
        "https://user@course.example",
        "https://course.example/#top",
    ] {
        assert!(parse_origin(bad).is_err(), "{bad} accepted");
    }
}

#[test]
fn origins_match_exactly() {
    let allowed = vec![
        "https://course.example".to_string(),
        "http://127.0.0.1:8081".to_string(),
    ];
    assert!(origin_allowed(&allowed, "https://course.example"));
    assert!(origin_allowed(&allowed, "http://127.0.0.1:8081"));
    for other in [
        "http://course.example",
        "https://course.example.evil",
        "https://evil.course.example",
        "https://course.example:8443",
        "http://127.0.0.1:8082",
        "null",
        "",
    ] {
        assert!(!origin_allowed(&allowed, other), "{other} allowed");
    }
    assert!(
        !origin_allowed(&[], "https://course.example"),
        "no host= turns the API off"
    );
}

#[test]
fn host_options_are_read_from_the_query_string() {
    let c = Config::parse("embed&host=https://a.example,http://127.0.0.1:9000&host=https://b.example/&host=https://a.example");
    assert_eq!(
        c.hosts,
        [
            "https://a.example",
            "http://127.0.0.1:9000",
            "https://b.example"
        ]
    );
    assert!(c.unknown.is_empty(), "{:?}", c.unknown);
    let escaped = Config::parse("host=https%3A%2F%2Fa.example");
    assert_eq!(escaped.hosts, ["https://a.example"]);
    let bad = Config::parse("host=*,https://a.example/path");
    assert!(bad.hosts.is_empty());
    assert_eq!(bad.unknown.len(), 2);
    assert!(bad.unknown[0].starts_with("host=* ("), "{:?}", bad.unknown);
    assert_eq!(
        Config::parse(&c.query()),
        c,
        "host= survives the query string"
    );
    assert!(Config::parse("embed").hosts.is_empty());
}

#[test]
fn a_parameter_goes_through_the_inspectors_validation() {
    let mut s = demo_scenario();
    assert_eq!(
        set_param(&mut s, "web-1", "workers", &json!(12)),
        Ok(json!(12.0))
    );
    let NodeKind::Server(p) = &s.nodes[2].kind else {
        panic!()
    };
    assert_eq!(p.workers, 12);

    // An absurd value: the inspector's own words, and nothing changes.
    let before = s.clone();
    let e = set_param(&mut s, "web-1", "workers", &json!(1e9)).unwrap_err();
    assert_eq!(
        e,
        format!(
            "set_param: web-1.workers: between {} and {}, got 1000000000",
            L::WORKERS.min,
            L::WORKERS.max
        )
    );
    let e = set_param(&mut s, "web-1", "workers", &json!(2.5)).unwrap_err();
    assert!(e.contains("a whole number"), "{e}");
    let e = set_param(&mut s, "web-1", "workers", &json!("many")).unwrap_err();
    assert!(e.contains("a number, not \"many\""), "{e}");
    let e = set_param(&mut s, "nobody", "workers", &json!(1)).unwrap_err();
    assert!(
        e.contains("no node \"nobody\" (the nodes are users, lb, web-1, web-2, db)"),
        "{e}"
    );
    let e = set_param(&mut s, "db", "workers", &json!(1)).unwrap_err();
    assert!(
        e.contains("a database has no field \"workers\"") && e.contains("max_connections"),
        "{e}"
    );
    let e = set_param(&mut s, "web-1", "label", &json!("x".repeat(500))).unwrap_err();
    assert!(e.contains("at most"), "{e}");
    assert_eq!(s, before, "a refused value changes nothing");

    // Switches, choices by name or index, labels.
    assert_eq!(
        set_param(&mut s, "db", "read_from_replicas", &json!(true)),
        Ok(json!(true))
    );
    assert!(set_param(&mut s, "db", "read_from_replicas", &json!(1)).is_err());
    assert_eq!(
        set_param(&mut s, "lb", "policy", &json!("round robin")),
        Ok(json!("Round robin"))
    );
    assert_eq!(
        set_param(&mut s, "lb", "policy", &json!(5)),
        Ok(json!("Random"))
    );
    let e = set_param(&mut s, "lb", "policy", &json!(99)).unwrap_err();
    assert!(e.contains("0: \"Round robin\""), "{e}");
    assert_eq!(
        set_param(&mut s, "web-2", "label", &json!("Web two")),
        Ok(json!("Web two"))
    );
    assert_eq!(s.nodes[3].label.as_deref(), Some("Web two"));
    assert!(s.validate().is_ok());
}

/// A few seconds of the demo design, as the page would snapshot it.
fn demo_run(seconds: f64) -> Snapshot {
    let mut sim = Sim::with_seed(&demo_scenario(), 1).unwrap();
    while !sim
        .step_until(SimTime::from_secs_f64(seconds), 100_000)
        .reached
    {}
    sim.snapshot()
}

#[test]
fn each_closed_window_is_one_event_with_its_figures() {
    let snap = demo_run(5.5);
    let window_s = demo_scenario().metrics.window_s;
    let all = window_events(&snap, 0.0, window_s);
    assert_eq!(all.len(), snap.series.len());
    assert!(all.len() >= 4, "{} windows in 5.5 s", all.len());
    for (e, p) in all.iter().zip(&snap.series) {
        assert_eq!(e["event"], json!("window"));
        assert_eq!(e["protocol"], json!(1));
        assert_eq!(e["t_s"], json!(p.t_s));
        assert_eq!(e["window_s"], json!(window_s));
        let g = &e["global"];
        assert_eq!(g["throughput_rps"], json!(p.rps));
        assert_eq!(g["p99_ms"], json!(p.p99_ms));
        assert!(g["p50_ms"].as_f64().unwrap() <= g["p99_ms"].as_f64().unwrap());
        let a = g["availability"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&a));
        let nodes = e["nodes"].as_array().unwrap();
        assert_eq!(nodes.len(), snap.nodes.len(), "every node has each window");
        assert_eq!(nodes[2]["id"], json!("web-1"));
    }
    // Only windows after the one given.
    let newest = newest_window(&snap);
    assert!(window_events(&snap, newest, window_s).is_empty());
    let last = window_events(&snap, newest - window_s, window_s);
    assert_eq!(last.len(), 1);
    assert_eq!(last[0]["t_s"], json!(newest));
}

#[test]
fn a_snapshot_gives_the_clock_and_the_figures() {
    let snap = demo_run(3.0);
    let f = snapshot_fields(&snap, true, f64::INFINITY);
    assert_eq!(f["clock_s"], json!(snap.now_s));
    assert_eq!(f["running"], json!(true));
    assert_eq!(f["speed"], json!("max"));
    assert_eq!(snapshot_fields(&snap, false, 2.0)["speed"], json!(2.0));
    assert_eq!(f["window"]["t_s"], json!(snap.global.window.t_s));
    assert_eq!(
        f["window"]["error_rate"],
        json!(snap.global.window.error_rate)
    );
    assert_eq!(f["run"]["completed"], json!(snap.global.completed));
    let ids: Vec<&str> = f["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["users", "lb", "web-1", "web-2", "db"]);
    assert_eq!(f["nodes"][2]["health"], json!("up"));
    assert_eq!(f["nodes"][2]["kind"], json!("server"));
}

#[test]
fn hello_names_the_presets_and_a_load_the_design() {
    let h = hello_fields();
    assert_eq!(h["protocol_versions"], json!([1]));
    assert!(h["presets"]
        .as_array()
        .unwrap()
        .contains(&json!("single-server")));
    let l = loaded_fields(&demo_scenario());
    assert_eq!(l["duration_s"], json!(60.0));
    assert_eq!(l["nodes"].as_array().unwrap().len(), 5);
}
