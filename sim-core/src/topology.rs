//! The topology rules: who may send to whom, and how many outgoing links a kind takes.
//!
//! An edge `from -> to` is refused when
//!
//! - either end is not a node, or it loops back to its own node;
//! - `to` is a client (clients send, they never receive);
//! - the same edge is already there;
//! - `from` is a client that already sends to a node (a client has one entry point; a load
//!   balancer behind it spreads the load);
//! - `from` is a cache, CDN edge or rate limiter that already sits in front of a node;
//! - `from` is a replicated store (its replicas find each other by cluster name, not links);
//! - `from` is a database and `to` is not (a database links only to its read replicas);
//! - `from` and `to` are databases and `to` already replicates from another primary;
//! - `to` already leads back to `from` (requests would loop forever).
//!
//! [`Scenario::validate`] checks each `edges[i]` against the edges before it, so a file or
//! share link breaking a rule is refused with the edge's path; the UI asks [`check_edge`]
//! before it draws a link, so the page and the core give the same reason.
//!
//! Besides: a server keeping its sessions in a store needs that store to be a cache it has
//! an edge to (checked by validation too, at the server's `sessions` field).

use std::collections::BTreeMap;

use crate::error::Error;
use crate::scenario::{NodeKind, Scenario, Sessions};

/// Why the edge `from -> to` may not be added to the scenario as it is, in words a learner
/// understands, or `Ok` when it may.
pub fn check_edge(s: &Scenario, from: &str, to: &str) -> Result<(), String> {
    let kind_of = kinds(s);
    let mut g = Links::default();
    for e in &s.edges {
        g.add(&kind_of, &e.from, &e.to);
    }
    g.check(&kind_of, from, to)
}

/// [`check_edge`] over any graph: the kind of each node (by id) and the existing edges as
/// `(from, to)` pairs. For the engine's live `add_edge`, whose nodes and edges are not a
/// [`Scenario`]: pass the live nodes and edges, an autoscaling group standing for its
/// instances (its template edges, not the instances' copies).
pub fn check_link<'a>(
    kind_of: impl Fn(&str) -> Option<&'a NodeKind>,
    edges: &[(&'a str, &'a str)],
    from: &str,
    to: &str,
) -> Result<(), String> {
    let mut g = Links::default();
    for &(f, t) in edges {
        g.add(&kind_of, f, t);
    }
    g.check(&kind_of, from, to)
}

/// The first edge breaking a topology rule when the scenario's edges are added in order,
/// as an error at `edges[i]`. The ends are assumed to exist (checked before).
pub(crate) fn check_edges(s: &Scenario) -> Result<(), Error> {
    let kind_of = kinds(s);
    let mut g = Links::default();
    for (i, e) in s.edges.iter().enumerate() {
        g.check(&kind_of, &e.from, &e.to).map_err(|m| Error::new(format!("edges[{i}]"), m))?;
        g.add(&kind_of, &e.from, &e.to);
    }
    Ok(())
}

/// Checks that every server keeping its sessions in a store names a cache node it has an
/// edge to.
pub(crate) fn check_session_stores(s: &Scenario) -> Result<(), Error> {
    for (i, n) in s.nodes.iter().enumerate() {
        let (sessions, p) = match &n.kind {
            NodeKind::Server(s) => (&s.sessions, format!("nodes[{i}].kind.server.sessions.store.cache")),
            NodeKind::AutoscalingGroup(a) => {
                (&a.server.sessions, format!("nodes[{i}].kind.autoscaling_group.server.sessions.store.cache"))
            }
            _ => continue,
        };
        if let Sessions::Store { cache } = sessions {
            let target = s.nodes.iter().find(|t| &t.id == cache);
            if !matches!(target.map(|t| &t.kind), Some(NodeKind::Cache(_))) {
                return Err(Error::new(p, format!("{cache:?} is not a cache node")));
            }
            if !s.edges.iter().any(|e| e.from == n.id && &e.to == cache) {
                return Err(Error::new(p, format!("no edge {} -> {cache} to reach the session store", n.id)));
            }
        }
    }
    Ok(())
}

/// Whether `to` can be reached from `from` along the scenario's edges (a node reaches
/// itself).
pub fn leads_to(s: &Scenario, from: &str, to: &str) -> bool {
    let mut adj: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for e in &s.edges {
        adj.entry(e.from.as_str()).or_default().push(e.to.as_str());
    }
    reaches(&adj, from, to)
}

/// Whether `target` can be reached from `start` over the adjacency lists `adj`.
pub fn reaches(adj: &BTreeMap<&str, Vec<&str>>, start: &str, target: &str) -> bool {
    let mut seen = std::collections::BTreeSet::new();
    let mut stack = vec![start];
    while let Some(n) = stack.pop() {
        if n == target {
            return true;
        }
        if seen.insert(n) {
            stack.extend(adj.get(n).into_iter().flatten().copied());
        }
    }
    false
}

/// A node's kind by its id, over the scenario's nodes.
fn kinds<'s>(s: &'s Scenario) -> impl Fn(&str) -> Option<&'s NodeKind> + 's {
    let map: BTreeMap<&str, &NodeKind> = s.nodes.iter().map(|n| (n.id.as_str(), &n.kind)).collect();
    move |id| map.get(id).copied()
}

/// The edges so far, kept so that each rule is checked without rescanning them all.
#[derive(Default)]
struct Links<'e> {
    /// Each node's callees, in edge order.
    out: BTreeMap<&'e str, Vec<&'e str>>,
    /// Each database replica's primary (the database with an edge to it).
    primary: BTreeMap<&'e str, &'e str>,
}

impl<'e> Links<'e> {
    fn add<'k>(&mut self, kind_of: &impl Fn(&str) -> Option<&'k NodeKind>, from: &'e str, to: &'e str) {
        self.out.entry(from).or_default().push(to);
        if is_db(kind_of(from)) && is_db(kind_of(to)) {
            self.primary.entry(to).or_insert(from);
        }
    }

    fn check<'k>(&self, kind_of: &impl Fn(&str) -> Option<&'k NodeKind>, from: &str, to: &str) -> Result<(), String> {
        let src = kind_of(from).ok_or_else(|| format!("there is no component {from:?}"))?;
        let dst = kind_of(to).ok_or_else(|| format!("there is no component {to:?}"))?;
        if from == to {
            return Err(format!("{from} cannot call itself"));
        }
        if matches!(dst, NodeKind::Client(_)) {
            return Err(format!("{to} is a client: clients send requests, they never receive them"));
        }
        let outs = self.out.get(from).map_or(&[][..], Vec::as_slice);
        if outs.contains(&to) {
            return Err(format!("{from} is already connected to {to}"));
        }
        match src {
            NodeKind::Client(_) if !outs.is_empty() => {
                return Err(format!(
                    "a client sends to one entry point; {from} already sends to {} (put a load balancer there to spread the load)",
                    outs[0]
                ));
            }
            NodeKind::Cache(_) | NodeKind::Cdn(_) | NodeKind::RateLimiter(_) if !outs.is_empty() => {
                let what = match src {
                    NodeKind::Cache(_) => "cache",
                    NodeKind::Cdn(_) => "CDN edge",
                    _ => "rate limiter",
                };
                return Err(format!(
                    "a {what} sits in front of exactly one node; {from} already sits in front of {}",
                    outs[0]
                ));
            }
            NodeKind::ReplicatedStore(_) => {
                return Err(format!("{from} is a store replica: it replicates to its cluster by name, not by links"));
            }
            NodeKind::Database(_) if !is_db(Some(dst)) => {
                return Err(format!(
                    "{from} is a database: it links only to other databases (its read replicas), not to a {}",
                    kind_words(dst)
                ));
            }
            NodeKind::Database(_) => {
                if let Some(p) = self.primary.get(to) {
                    return Err(format!("{to} already replicates from {p}: a read replica has one primary"));
                }
            }
            _ => {}
        }
        if reaches(&self.out, to, from) {
            return Err(format!("{to} already leads back to {from}: requests would loop forever"));
        }
        Ok(())
    }
}

fn is_db(k: Option<&NodeKind>) -> bool {
    matches!(k, Some(NodeKind::Database(_)))
}

/// The kind in a learner's words ("load balancer").
fn kind_words(k: &NodeKind) -> &'static str {
    match k {
        NodeKind::Client(_) => "client",
        NodeKind::LoadBalancer(_) => "load balancer",
        NodeKind::Server(_) => "app server",
        NodeKind::Database(_) => "database",
        NodeKind::RateLimiter(_) => "rate limiter",
        NodeKind::AutoscalingGroup(_) => "autoscaling group",
        NodeKind::Cache(_) => "cache",
        NodeKind::Cdn(_) => "CDN edge",
        NodeKind::ShardRouter(_) => "shard router",
        NodeKind::GeoDns(_) => "GeoDNS",
        NodeKind::ReplicatedStore(_) => "replicated store",
        NodeKind::MessageQueue(_) => "message queue",
    }
}
