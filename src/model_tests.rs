//! Design edits as plain data: adding, removing, moving, connecting, the commands a change
//! becomes, and undo / redo.

use std::collections::BTreeSet;

use super::*;

fn ids(s: &Scenario) -> Vec<&str> {
    s.nodes.iter().map(|n| n.id.as_str()).collect()
}

#[test]
fn every_palette_kind_adds_with_a_fresh_id_and_stays_valid() {
    let mut s = empty_design();
    for k in KINDS {
        let id = add_node(&mut s, k.key, 10.4, 20.6).unwrap();
        assert!(id.starts_with(k.prefix), "{id}");
        let n = s.nodes.last().unwrap();
        assert_eq!(n.kind.name(), k.key);
        assert_eq!(
            (n.x, n.y),
            (Some(10.0), Some(21.0)),
            "positions are whole pixels"
        );
    }
    assert!(s.validate().is_ok(), "{:?}", s.validate());
    let again = add_node(&mut s, "server", 0.0, 0.0).unwrap();
    assert_eq!(again, "web-2");
    assert!(add_node(&mut s, "teapot", 0.0, 0.0).is_err());
}

#[test]
fn ids_skip_those_an_autoscaling_groups_instances_take() {
    let mut s = empty_design();
    let g = add_node(&mut s, "autoscaling_group", 0.0, 0.0).unwrap();
    assert_eq!(g, "asg-1");
    // The group's instances are "asg-1-1", "asg-1-2"…: a new group is not "asg-1-…".
    let g2 = add_node(&mut s, "autoscaling_group", 0.0, 0.0).unwrap();
    assert_eq!(g2, "asg-2");
    // A group called "web-1" has instances "web-1-1"…; "web-1" itself is taken, "web-2" is free.
    s.nodes[0].id = "web-1".to_string();
    let web = add_node(&mut s, "server", 0.0, 0.0).unwrap();
    assert_eq!(web, "web-2");
}

#[test]
fn removing_nodes_removes_their_links() {
    let mut s = demo_scenario();
    let edges = s.edges.len();
    let lb_links = s
        .edges
        .iter()
        .filter(|e| e.from == "lb" || e.to == "lb")
        .count();
    remove_nodes(&mut s, &BTreeSet::from(["lb".to_string()]));
    assert!(!ids(&s).contains(&"lb"));
    assert_eq!(s.edges.len(), edges - lb_links);
    assert!(s.validate().is_ok());
    let (from, to) = (s.edges[0].from.clone(), s.edges[0].to.clone());
    remove_edge(&mut s, &from, &to);
    assert!(!s.edges.iter().any(|e| e.from == from && e.to == to));
}

#[test]
fn moving_moves_only_the_chosen_nodes() {
    let mut s = demo_scenario();
    let before = s.clone();
    move_nodes(&mut s, &BTreeSet::from(["db".to_string()]), 5.0, -3.0);
    for (a, b) in before.nodes.iter().zip(&s.nodes) {
        if a.id == "db" {
            assert_eq!(b.x, Some(a.x.unwrap_or(0.0) + 5.0));
            assert_eq!(b.y, Some(a.y.unwrap_or(0.0) - 3.0));
        } else {
            assert_eq!((a.x, a.y), (b.x, b.y));
        }
    }
    assert!(diff(&before, &s).is_empty(), "positions are not simulated");
}

#[test]
fn a_connection_gets_a_latency_that_fits_its_ends() {
    let mut s = empty_design();
    let c = add_node(&mut s, "client", 0.0, 0.0).unwrap();
    let a = add_node(&mut s, "server", 0.0, 0.0).unwrap();
    let b = add_node(&mut s, "server", 0.0, 0.0).unwrap();
    connect(&mut s, &c, &a).unwrap();
    connect(&mut s, &a, &b).unwrap();
    assert_eq!(s.edges[0].latency_ms, 20.0, "users are far away");
    assert_eq!(s.edges[1].latency_ms, 1.0, "inside the data centre");
    assert!(connect(&mut s, &a, &b).is_err(), "no duplicate");
    assert!(s.validate().is_ok());
}

#[test]
fn a_change_becomes_the_commands_that_replay_it() {
    let old = demo_scenario();
    let mut new = old.clone();
    // A parameter, a new node and link, a removed link, a region move.
    if let NodeKind::Server(p) = &mut new.nodes.iter_mut().find(|n| n.id == "web-1").unwrap().kind {
        p.workers += 1;
    }
    let extra = add_node(&mut new, "server", 0.0, 0.0).unwrap();
    connect(&mut new, "lb", &extra).unwrap();
    remove_edge(&mut new, "lb", "web-2");
    new.nodes.iter_mut().find(|n| n.id == "db").unwrap().region = Some("eu-west".to_string());
    let cmds = diff(&old, &new);
    let has = |f: &dyn Fn(&Command) -> bool| cmds.iter().any(f);
    assert!(has(
        &|c| matches!(c, Command::ReconfigureNode { id, .. } if id == "web-1")
    ));
    assert!(has(&|c| matches!(c, Command::AddNode(n) if n.id == extra)));
    assert!(has(&|c| matches!(c, Command::AddEdge(e) if e.to == extra)));
    assert!(has(
        &|c| matches!(c, Command::RemoveEdge { from, to } if from == "lb" && to == "web-2")
    ));
    // The moved node is removed, added again, and its links come back.
    let db_links = new
        .edges
        .iter()
        .filter(|e| e.from == "db" || e.to == "db")
        .count();
    assert!(has(
        &|c| matches!(c, Command::RemoveNode { id } if id == "db")
    ));
    assert!(has(&|c| matches!(c, Command::AddNode(n) if n.id == "db")));
    let re_added = cmds
        .iter()
        .filter(|c| matches!(c, Command::AddEdge(e) if e.from == "db" || e.to == "db"))
        .count();
    assert_eq!(re_added, db_links);
    assert!(diff(&new, &new).is_empty());
}

#[test]
fn a_new_machine_becomes_a_move_and_other_changes_a_reconfiguration() {
    let old = demo_scenario();
    let mut new = old.clone();
    let mut kind = old
        .nodes
        .iter()
        .find(|n| n.id == "web-1")
        .unwrap()
        .kind
        .clone();
    set_machine(&mut kind, "m.xlarge");
    new.nodes.iter_mut().find(|n| n.id == "web-1").unwrap().kind = kind.clone();
    assert_eq!(machine_of(&kind), Some("m.xlarge"));
    assert_eq!(
        diff(&old, &new),
        vec![Command::SetMachine {
            id: "web-1".into(),
            machine: "m.xlarge".into()
        }]
    );
    if let NodeKind::Server(p) = &mut kind {
        p.workers += 1;
    }
    new.nodes.iter_mut().find(|n| n.id == "web-1").unwrap().kind = kind.clone();
    let cmds = diff(&old, &new);
    assert_eq!(cmds.len(), 2, "{cmds:?}");
    assert!(matches!(&cmds[0], Command::SetMachine { machine, .. } if machine == "m.xlarge"));
    assert!(matches!(&cmds[1], Command::ReconfigureNode { kind: k, .. } if *k == kind));
}

#[test]
fn undo_and_redo_walk_the_history() {
    let mut h = History::default();
    let d0 = empty_design();
    let mut d1 = d0.clone();
    add_node(&mut d1, "server", 0.0, 0.0).unwrap();
    let mut d2 = d1.clone();
    add_node(&mut d2, "database", 0.0, 0.0).unwrap();
    h.record(d0.clone(), None);
    h.record(d1.clone(), None);
    assert_eq!(h.undo(d2.clone()), Some(d1.clone()));
    assert_eq!(h.undo(d1.clone()), Some(d0.clone()));
    assert_eq!(h.undo(d0.clone()), None, "nothing older");
    assert_eq!(h.redo(d0.clone()), Some(d1.clone()));
    assert_eq!(h.redo(d1.clone()), Some(d2.clone()));
    assert_eq!(h.redo(d2.clone()), None);
    // A new edit forgets what could be redone.
    h.undo(d2.clone());
    h.record(d1.clone(), None);
    assert_eq!(h.redo(d1.clone()), None);
}

#[test]
fn typing_in_one_field_is_one_undo_step_until_sealed() {
    let mut h = History::default();
    let d0 = empty_design();
    let named = |n: &str| Scenario {
        name: n.to_string(),
        ..d0.clone()
    };
    let key = Some("field-web-1-workers".to_string());
    h.record(d0.clone(), key.clone());
    h.record(named("a"), key.clone());
    h.record(named("ab"), key.clone());
    assert_eq!(h.undo(named("abc")), Some(d0.clone()), "one step");
    let mut h = History::default();
    h.record(d0.clone(), key.clone());
    h.seal();
    h.record(named("a"), key);
    assert_eq!(h.undo(named("ab")), Some(named("a")), "sealed: a new step");
}

#[test]
fn the_history_keeps_a_bounded_number_of_steps() {
    let mut h = History::default();
    let d = empty_design();
    for _ in 0..HISTORY_LEN + 50 {
        h.record(d.clone(), None);
    }
    let mut steps = 0;
    while h.undo(d.clone()).is_some() {
        steps += 1;
    }
    assert_eq!(steps, HISTORY_LEN);
}

#[test]
fn bounds_and_offered_load() {
    let mut s = empty_design();
    assert_eq!(bounds(&s), None);
    add_node(&mut s, "client", 0.0, 0.0).unwrap();
    add_node(&mut s, "server", 200.0, 100.0).unwrap();
    assert_eq!(bounds(&s), Some((0.0, 0.0, 200.0 + NODE_W, 100.0 + NODE_H)));
    assert_eq!(offered_rps(&s), 200.0);
    let c = edge_curve((0.0, 0.0), (200.0, 100.0));
    assert_eq!(bezier_at(&c, 0.0), c[0]);
    assert_eq!(bezier_at(&c, 1.0), c[3]);
}
