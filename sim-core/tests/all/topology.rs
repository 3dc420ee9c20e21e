//! The topology rules: a scenario with an edge breaking one is refused, by `from_json`, by a
//! share link and by the runner, with the edge's path and the reason; designs keeping to
//! them open.

use std::process::Command;

use sim_core::{topology, Scenario};

/// The JSON of a node kind, by a short name.
fn kind(short: &str) -> &'static str {
    match short {
        "client" => r#"{"client": {"rate_rps": 5}}"#,
        "lb" => r#"{"load_balancer": {}}"#,
        "server" => r#"{"server": {"workers": 1, "queue_capacity": 1, "service_time": {"constant": {"ms": 1}}}}"#,
        "db" => {
            r#"{"database": {"max_connections": 1, "queue_capacity": 1, "read_service_time": {"constant": {"ms": 1}}, "write_service_time": {"constant": {"ms": 1}}}}"#
        }
        "cache" => r#"{"cache": {"capacity_keys": 10}}"#,
        "cdn" => r#"{"cdn": {"capacity_keys": 10}}"#,
        "limiter" => r#"{"rate_limiter": {"rate_rps": 10, "burst": 1}}"#,
        "store" => r#"{"replicated_store": {"cluster": "c"}}"#,
        "shards" => r#"{"shard_router": {}}"#,
        "dns" => r#"{"geo_dns": {}}"#,
        "queue" => {
            r#"{"message_queue": {"capacity": 10, "workers": 1, "service_time": {"constant": {"ms": 1}}, "visibility_timeout_ms": 100}}"#
        }
        other => panic!("no kind {other}"),
    }
}

/// A version-1 scenario file (old files are checked the same way) with the given nodes
/// (`id`, short kind) and edges.
fn design(nodes: &[(&str, &str)], edges: &[(&str, &str)]) -> String {
    let nodes: Vec<String> = nodes.iter().map(|(id, k)| format!(r#"{{"id": "{id}", "kind": {}}}"#, kind(k))).collect();
    let edges: Vec<String> =
        edges.iter().map(|(f, t)| format!(r#"{{"from": "{f}", "to": "{t}", "latency_ms": 1}}"#)).collect();
    format!(r#"{{"version": 1, "nodes": [{}], "edges": [{}]}}"#, nodes.join(", "), edges.join(", "))
}

/// Runs the runner on `text` written to a temporary file: (exit code, stderr).
fn run_file(name: &str, text: &str) -> (i32, String) {
    let dir = std::env::temp_dir().join(format!("topology-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{name}.json"));
    std::fs::write(&file, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_simulate")).arg(&file).args(["--duration-s", "1"]).output().unwrap();
    std::fs::remove_file(&file).ok();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into())
}

/// Checks that the design is refused at `edges[index]` with a message holding `words`: by
/// `from_json`, by a share link, by [`topology::check_edge`] on the edges before it (same
/// message), and by the runner (non-zero exit, the path and message on stderr).
fn refused(name: &str, nodes: &[(&str, &str)], edges: &[(&str, &str)], index: usize, words: &str) {
    let text = design(nodes, edges);
    let e = Scenario::from_json(&text).unwrap_err();
    assert_eq!(e.path, format!("edges[{index}]"), "{name}: {e}");
    assert!(e.message.contains(words), "{name}: {e}");

    let before = Scenario::from_json(&design(nodes, &edges[..index])).expect("the edges before it are fine");
    let (from, to) = edges[index];
    assert_eq!(topology::check_edge(&before, from, to), Err(e.message.clone()), "{name}");
    let mut with = before.clone();
    with.edges.push(sim_core::EdgeSpec { from: from.into(), to: to.into(), ..before.edges[0].clone() });
    let link = sim_core::encode_link(&with);
    assert_eq!(sim_core::decode_link(&link).unwrap_err().path, format!("link: edges[{index}]"), "{name}");
    assert!(sim_core::Sim::new(&with).is_err(), "{name}: the engine refuses it too");

    let (code, err) = run_file(name, &text);
    assert_eq!(code, 1, "{name}: {err}");
    assert!(err.contains(&format!("edges[{index}]")) && err.contains(words), "{name}: {err}");
    assert!(!err.contains("panicked"), "{name}: {err}");
}

const FRONT: &[(&str, &str)] = &[("users", "client"), ("lb", "lb"), ("web-1", "server"), ("web-2", "server")];

#[test]
fn an_edge_cannot_loop_back_to_its_own_node() {
    refused("self", FRONT, &[("users", "lb"), ("lb", "lb")], 1, "lb cannot call itself");
}

#[test]
fn a_client_never_receives_requests() {
    refused("client-target", FRONT, &[("users", "lb"), ("lb", "users")], 1, "users is a client");
}

#[test]
fn an_edge_is_given_once() {
    refused(
        "duplicate",
        FRONT,
        &[("users", "lb"), ("lb", "web-1"), ("lb", "web-1")],
        2,
        "lb is already connected to web-1",
    );
}

#[test]
fn a_client_sends_to_one_node() {
    refused(
        "client-two",
        FRONT,
        &[("users", "lb"), ("lb", "web-1"), ("users", "web-2")],
        2,
        "a client sends to one entry point; users already sends to lb",
    );
}

#[test]
fn a_cache_sits_in_front_of_one_node() {
    let nodes = [("users", "client"), ("web", "server"), ("cache", "cache"), ("db", "db"), ("db-2", "db")];
    refused(
        "cache-two",
        &nodes,
        &[("users", "web"), ("web", "cache"), ("cache", "db"), ("cache", "db-2")],
        3,
        "a cache sits in front of exactly one node; cache already sits in front of db",
    );
}

#[test]
fn a_cdn_edge_sits_in_front_of_one_origin() {
    let nodes = [("users", "client"), ("cdn", "cdn"), ("web-1", "server"), ("web-2", "server")];
    refused(
        "cdn-two",
        &nodes,
        &[("users", "cdn"), ("cdn", "web-1"), ("cdn", "web-2")],
        2,
        "a CDN edge sits in front of exactly one node",
    );
}

#[test]
fn a_rate_limiter_sits_in_front_of_one_node() {
    let nodes = [("users", "client"), ("limiter", "limiter"), ("web-1", "server"), ("web-2", "server")];
    refused(
        "limiter-two",
        &nodes,
        &[("users", "limiter"), ("limiter", "web-1"), ("limiter", "web-2")],
        2,
        "a rate limiter sits in front of exactly one node",
    );
}

#[test]
fn a_replicated_store_has_no_links() {
    let nodes = [("users", "client"), ("store-a", "store"), ("store-b", "store")];
    refused("store-link", &nodes, &[("users", "store-a"), ("store-a", "store-b")], 1, "store-a is a store replica");
}

#[test]
fn a_database_links_only_to_databases() {
    let nodes = [("users", "client"), ("web", "server"), ("db", "db"), ("cache", "cache")];
    refused(
        "db-to-cache",
        &nodes,
        &[("users", "web"), ("web", "db"), ("db", "cache")],
        2,
        "db is a database: it links only to other databases (its read replicas), not to a cache",
    );
}

#[test]
fn a_replica_has_one_primary() {
    let nodes = [("users", "client"), ("shards", "shards"), ("db-a", "db"), ("db-b", "db"), ("replica", "db")];
    refused(
        "two-primaries",
        &nodes,
        &[("users", "shards"), ("shards", "db-a"), ("shards", "db-b"), ("db-a", "replica"), ("db-b", "replica")],
        4,
        "replica already replicates from db-a: a read replica has one primary",
    );
}

#[test]
fn requests_never_loop() {
    let nodes = [("users", "client"), ("a", "lb"), ("b", "server"), ("c", "server")];
    refused(
        "cycle",
        &nodes,
        &[("users", "a"), ("a", "b"), ("b", "c"), ("c", "a")],
        3,
        "a already leads back to c: requests would loop forever",
    );
}

#[test]
fn a_session_store_is_a_cache_the_server_links_to() {
    let text = design(&[("users", "client"), ("web", "server"), ("cache", "cache")], &[("users", "web")]).replace(
        r#""service_time": {"constant": {"ms": 1}}}"#,
        r#""service_time": {"constant": {"ms": 1}}, "sessions": {"store": {"cache": "cache"}}}"#,
    );
    let e = Scenario::from_json(&text).unwrap_err();
    assert_eq!(e.path, "nodes[1].kind.server.sessions.store.cache", "{e}");
    assert!(e.message.contains("no edge web -> cache"), "{e}");
    let (code, err) = run_file("sessions", &text);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("sessions.store.cache"), "{err}");
}

#[test]
fn an_edge_to_a_missing_node_names_its_end() {
    let e = Scenario::from_json(&design(FRONT, &[("users", "lb"), ("lb", "web-9")])).unwrap_err();
    assert_eq!(e.path, "edges[1].to", "{e}");
    let s = Scenario::from_json(&design(FRONT, &[("users", "lb")])).unwrap();
    assert!(topology::check_edge(&s, "lb", "web-9").unwrap_err().contains("no component"));
}

/// What the rules allow: fan-out where a kind spreads requests, replica chains, a primary
/// with several replicas, servers calling several nodes, a queue in front of workers.
#[test]
fn designs_keeping_to_the_rules_open() {
    let nodes = [
        ("users", "client"),
        ("dns", "dns"),
        ("lb", "lb"),
        ("web-1", "server"),
        ("web-2", "server"),
        ("cache", "cache"),
        ("shards", "shards"),
        ("db-a", "db"),
        ("db-b", "db"),
        ("replica-1", "db"),
        ("replica-2", "db"),
        ("replica-3", "db"),
        ("queue", "queue"),
        ("worker", "server"),
        ("store", "store"),
        ("limiter", "limiter"),
    ];
    let edges = [
        ("users", "dns"),
        ("dns", "lb"),
        ("dns", "limiter"),
        ("limiter", "web-2"),
        ("lb", "web-1"),
        ("lb", "web-2"),
        ("web-1", "cache"),
        ("cache", "shards"),
        ("web-1", "queue"),
        ("queue", "worker"),
        ("worker", "store"),
        ("web-2", "shards"),
        ("shards", "db-a"),
        ("shards", "db-b"),
        ("db-a", "replica-1"),
        ("db-a", "replica-2"),
        ("replica-2", "replica-3"),
    ];
    let s = Scenario::from_json(&design(&nodes, &edges)).unwrap();
    assert_eq!(s.edges.len(), edges.len());
    assert!(topology::check_edge(&s, "db-b", "replica-1").is_err());
    assert!(topology::check_edge(&s, "db-b", "replica-3").is_err(), "replica-3 has its primary");
    assert!(topology::leads_to(&s, "users", "replica-3"));
    assert!(!topology::leads_to(&s, "replica-3", "users"));
    let (code, err) = run_file("fine", &design(&nodes, &edges));
    assert_eq!(code, 0, "{err}");
}
