//! Building and editing the graph: adding and removing nodes and edges, finding them by id.

use super::*;

impl Sim {
    pub(super) fn node_index(&self, id: &str, path: &str) -> Result<NodeIx, Error> {
        self.by_id.get(id).copied().ok_or_else(|| Error::new(path, format!("no node with id {id:?}")))
    }

    pub(super) fn client_index(&self, id: &str, path: &str) -> Result<NodeIx, Error> {
        let n = self.node_index(id, path)?;
        if !matches!(self.nodes[n].kind, NodeKind::Client(_)) {
            return Err(Error::new(path, format!("{id} is not a client")));
        }
        Ok(n)
    }

    pub(super) fn new_stats(&self) -> NodeStats {
        NodeStats {
            arrived: 0,
            completed: 0,
            errors: ErrorCounts::default(),
            latency: Latency::new(),
            busy: Area::default(),
            queue: Area::default(),
            in_flight: 0,
            in_flight_done_ns: 0,
            mark_completed: 0,
            mark_errors: 0,
            mark_busy: 0,
            group_mark_busy: 0,
            series: Ring::new(self.metrics_cfg.series_len as usize),
        }
    }

    pub(super) fn add_node(&mut self, spec: &NodeSpec) -> Result<NodeIx, Error> {
        if self.by_id.contains_key(&spec.id) {
            return Err(Error::new("id", format!("a node with id {:?} exists", spec.id)));
        }
        if self.nodes.len() >= MAX_NODES {
            return Err(Error::new("nodes", format!("at most {MAX_NODES} nodes")));
        }
        let idx = NodeIx(self.nodes.len() as u32);
        let rt = Runtime::new(&spec.kind, self.now);
        self.nodes.push(Node {
            id: spec.id.clone(),
            label: spec.label.clone().unwrap_or_else(|| spec.id.clone()),
            x: spec.x,
            y: spec.y,
            kind: spec.kind.clone(),
            limits: Limits::of(&spec.kind),
            up: true,
            removed: false,
            booting: false,
            draining: false,
            slow: 1.0,
            out_edges: Vec::new(),
            rng: random::node_stream(self.seed, &spec.id),
            rt,
            ext: data::Ext::new(&spec.kind),
            stats: self.new_stats(),
            cpu: machine::cores_of(&spec.kind),
        });
        self.by_id.insert(spec.id.clone(), idx);
        self.start_node(idx);
        self.node_added(idx, spec.region.as_deref());
        Ok(idx)
    }

    /// Adds an edge; `check_rules` is false for edges already known to keep the topology
    /// rules (a validated scenario's, or copies of a group's template), sparing a graph walk
    /// each.
    pub(super) fn add_edge(&mut self, spec: &EdgeSpec, check_rules: bool) -> Result<(), Error> {
        let from = self.node_index(&spec.from, "from")?;
        let to = self.node_index(&spec.to, "to")?;
        if self.nodes[from].removed || self.nodes[to].removed {
            return Err(Error::new("from", "node was removed"));
        }
        if matches!(self.nodes[to].kind, NodeKind::Client(_)) {
            return Err(Error::new("to", "a client cannot receive requests"));
        }
        if check_rules {
            self.check_topology(&spec.from, &spec.to).map_err(|m| Error::new("to", m))?;
        }
        if let Runtime::Group(g) = &mut self.nodes[from].rt {
            if g.templates.iter().any(|t| t.to == spec.to) {
                return Err(Error::new("to", format!("edge {} -> {} exists", spec.from, spec.to)));
            }
            g.templates.push(spec.clone());
            let instances = g.instances.clone();
            for i in instances {
                let mut s = spec.clone();
                s.from = self.nodes[i].id.clone();
                self.add_edge(&s, false)?;
            }
            return Ok(());
        }
        if self.find_edge(from, to).is_some() {
            return Err(Error::new("to", format!("edge {} -> {} exists", spec.from, spec.to)));
        }
        let idx = EdgeIx(self.edges.len() as u32);
        let balanced = matches!(self.nodes[from].kind, NodeKind::LoadBalancer(_) | NodeKind::AutoscalingGroup(_));
        self.edges.push(Edge::new(from, to, spec.clone(), balanced));
        self.nodes[from].out_edges.push(idx);
        self.edges_changed(from, Some(to));
        Ok(())
    }

    /// The topology rules (`crate::topology`) for a new edge `from -> to` over the live
    /// graph: live nodes and edges, an autoscaling group's template edges included.
    fn check_topology(&self, from: &str, to: &str) -> Result<(), String> {
        let id = |i: NodeIx| self.nodes[i].id.as_str();
        let mut pairs: Vec<(&str, &str)> =
            self.edges.iter().filter(|e| !e.removed).map(|e| (id(e.from), id(e.to))).collect();
        for n in self.nodes.iter().filter(|n| !n.removed) {
            if let Runtime::Group(g) = &n.rt {
                pairs.extend(g.templates.iter().map(|t| (n.id.as_str(), t.to.as_str())));
            }
        }
        let kind_of = |id: &str| self.by_id.get(id).map(|&i| &self.nodes[i]).filter(|n| !n.removed).map(|n| &n.kind);
        crate::topology::check_link(kind_of, &pairs, from, to)
    }

    pub(super) fn find_edge(&self, from: NodeIx, to: NodeIx) -> Option<EdgeIx> {
        self.nodes[from].out_edges.iter().copied().find(|&e| self.edges[e].to == to)
    }

    /// The live edges a command on `from -> to` addresses (expanding an autoscaling group).
    pub(super) fn edges_for(&self, from: &str, to: &str) -> Result<Vec<EdgeIx>, Error> {
        let f = self.node_index(from, "from")?;
        let t = self.node_index(to, "to")?;
        let sources = match &self.nodes[f].rt {
            Runtime::Group(g) => g.instances.clone(),
            _ => vec![f],
        };
        let found: Vec<EdgeIx> = sources.iter().filter_map(|&s| self.find_edge(s, t)).collect();
        if found.is_empty() && !matches!(self.nodes[f].rt, Runtime::Group(_)) {
            return Err(Error::new("to", format!("no edge {from} -> {to}")));
        }
        Ok(found)
    }

    pub(super) fn remove_node(&mut self, node: NodeIx) {
        self.kill(node);
        let n = &mut self.nodes[node];
        n.removed = true;
        n.out_edges.clear();
        // A removed node is never shown again: give its histogram's memory back (autoscaling
        // groups remove instances all run long).
        n.stats.latency = Latency::new();
        let id = n.id.clone();
        self.by_id.remove(&id);
        for e in EdgeIx::all(self.edges.len()) {
            let ed = &self.edges[e];
            if !ed.removed && (ed.from == node || ed.to == node) {
                self.remove_edge(e);
            }
        }
        let groups: Vec<NodeIx> =
            NodeIx::all(self.nodes.len()).filter(|&i| matches!(self.nodes[i].rt, Runtime::Group(_))).collect();
        for g in groups {
            if let Runtime::Group(gs) = &mut self.nodes[g].rt {
                gs.instances.retain(|&i| i != node);
                gs.templates.retain(|t| t.to != id);
            }
        }
    }

    pub(super) fn remove_edge(&mut self, e: EdgeIx) {
        let ed = &mut self.edges[e];
        ed.removed = true;
        let (from, to) = (ed.from, ed.to);
        self.nodes[from].out_edges.retain(|&x| x != e);
        self.edges_changed(from, Some(to));
    }
}
