//! Databases: versions of each key, replication to replicas (lag is the edge latency plus
//! the replica's apply queue), reads routed to replicas, read-your-writes, failover.

use std::collections::VecDeque;

use super::*;

/// Largest number of replicated writes a replica buffers before it drops them.
const MAX_APPLY_BACKLOG: usize = MAX_SLOTS as usize;

/// Versions and replication state of a database node.
#[derive(Clone, Debug, Default)]
pub(super) struct DbState {
    /// Applied version per key (bounded by the key space).
    versions: Vec<u32>,
    /// The primary this node replicates, or `None` for a primary.
    primary: Option<NodeIx>,
    commits: u64,
    applied: u64,
    apply_queue: VecDeque<(u32, u32, SimTime)>,
    /// Writes committed while the link from the primary was partitioned: (key, version,
    /// commit time, epoch), sent when the link heals.
    held: VecDeque<(u32, u32, SimTime, u32)>,
    applying: bool,
    epoch: u32,
    lag_sum_ns: u128,
    reads: u64,
    stale_reads: u64,
    ryw_violations: u64,
    reads_to_replicas: u64,
    lost_writes: u64,
    rr: u32,
    failover_gen: u32,
}

impl DbState {
    pub(super) fn version(&self, key: u32) -> u32 {
        self.versions.get(key as usize).copied().unwrap_or(0)
    }

    pub(super) fn set_version(&mut self, key: u32, ver: u32) {
        let k = key as usize;
        if self.versions.len() <= k {
            self.versions.resize(k + 1, 0);
        }
        self.versions[k] = self.versions[k].max(ver);
    }
}

impl Sim {
    /// A database served a request: a write commits a new version, a read records the version
    /// it saw; the answer carries it.
    pub(super) fn db_service_done(&mut self, db: NodeIx, id: CallId) {
        let Some(req) = self.call(id).map(|c| c.req) else { return };
        let ver =
            if req.kind == ReqKind::Write { self.db_commit(db, req.key, req.origin) } else { self.db_read(db, &req) };
        if let Some(c) = self.call_mut(id) {
            c.ver = ver;
        }
    }

    /// The database `db` replicates the database with an edge to it, if any.
    pub(super) fn find_primary(&mut self, db: NodeIx) {
        let primary = self
            .edges
            .iter()
            .find(|e| {
                !e.removed
                    && e.to == db
                    && matches!(self.nodes[e.from].kind, NodeKind::Database(_))
                    && !self.nodes[e.from].removed
            })
            .map(|e| e.from);
        if let Ext::Db(st) = &mut self.nodes[db].ext {
            st.primary = primary;
        }
    }

    /// A database crashed: a replica loses its apply queue; a primary with failover schedules
    /// a promotion.
    pub(super) fn db_crashed(&mut self, db: NodeIx) {
        let now = self.now;
        let n = &mut self.nodes[db];
        let Ext::Db(st) = &mut n.ext else { return };
        st.epoch += 1;
        st.apply_queue.clear();
        st.held.clear();
        st.applying = false;
        st.failover_gen += 1;
        let gen = st.failover_gen;
        let is_primary = st.primary.is_none();
        if let (NodeKind::Database(p), true) = (&n.kind, is_primary) {
            if let Some(ms) = p.failover_detection_ms {
                let at = now.after(SimDuration::from_millis_f64(ms));
                self.schedule(at, Ev::Data(DataEv::Promote { node: db, gen }));
            }
        }
    }

    /// A database restarted: a promotion pending since it died is off.
    pub(super) fn db_revived(&mut self, db: NodeIx) {
        if let Ext::Db(st) = &mut self.nodes[db].ext {
            st.failover_gen += 1;
        }
    }

    /// Commits a write of `key` at `db`: a new version, sent to every replica.
    pub(super) fn db_commit(&mut self, db: NodeIx, key: u32, origin: u16) -> u32 {
        let now = self.now;
        let Ext::Db(st) = &mut self.nodes[db].ext else { return 0 };
        let ver = st.version(key).max(self.data.meta(key).committed) + 1;
        st.set_version(key, ver);
        st.commits += 1;
        *self.data.meta_mut(key) = KeyMeta { committed: ver, writer: origin, written_at: now };
        let out = self.nodes[db].out_edges.clone();
        for e in out {
            let r = self.edges[e].to;
            let cut = matches!(self.edges[e].spec.state, EdgeState::Partitioned);
            let Ext::Db(rs) = &mut self.nodes[r].ext else { continue };
            let epoch = rs.epoch;
            if cut {
                if rs.held.len() < MAX_APPLY_BACKLOG {
                    rs.held.push_back((key, ver, now, epoch));
                }
                continue;
            }
            let lat = self.edge_latency(db, e);
            let ev = DataEv::Replicate { replica: r, epoch, key, ver, committed_at: now };
            self.schedule(now.after(lat), Ev::Data(ev));
        }
        ver
    }

    /// A read served at `db`: its version, counted stale if below the committed one.
    /// Read-your-writes is violated when the client that made the unseen write had it
    /// acknowledged before it issued this read.
    pub(super) fn db_read(&mut self, db: NodeIx, req: &Req) -> u32 {
        let meta = self.data.meta(req.key);
        let Ext::Db(st) = &mut self.nodes[db].ext else { return 0 };
        let ver = st.version(req.key);
        st.reads += 1;
        if ver < meta.committed {
            st.stale_reads += 1;
            if meta.writer == req.origin && meta.written_at <= req.created_at {
                st.ryw_violations += 1;
            }
        }
        ver
    }

    /// A primary sends a read on to one of its replicas; false when it serves it itself.
    pub(super) fn db_route(&mut self, node: NodeIx, id: CallId) -> bool {
        let Some(req) = self.call(id).map(|c| c.req) else { return false };
        let n = &self.nodes[node];
        let (NodeKind::Database(p), Ext::Db(st)) = (&n.kind, &n.ext) else { return false };
        if req.kind != ReqKind::Read || !p.read_from_replicas || st.primary.is_some() {
            return false;
        }
        if let Some(w) = p.read_your_writes_window_ms {
            let meta = self.data.meta(req.key);
            if meta.writer == req.origin && self.now.since(meta.written_at) < SimDuration::from_millis_f64(w) {
                return false;
            }
        }
        let mut cands = std::mem::take(&mut self.scratch);
        cands.clear();
        for &e in &n.out_edges {
            let ed = &self.edges[e];
            let t = &self.nodes[ed.to];
            if matches!(t.kind, NodeKind::Database(_))
                && t.serving()
                && !matches!(ed.spec.state, EdgeState::Partitioned)
            {
                cands.push(e);
            }
        }
        let pick = if cands.is_empty() {
            None
        } else if let Ext::Db(st) = &mut self.nodes[node].ext {
            st.rr = st.rr.wrapping_add(1);
            st.reads_to_replicas += 1;
            Some(cands[(st.rr % cands.len() as u32) as usize])
        } else {
            None
        };
        self.scratch = cands;
        match pick {
            Some(e) => {
                self.send(id, e);
                true
            }
            None => false,
        }
    }

    /// The link `edge` healed: a replica behind it receives the writes held while it was cut.
    pub(super) fn db_link_healed(&mut self, edge: EdgeIx) {
        let (from, to) = (self.edges[edge].from, self.edges[edge].to);
        let Ext::Db(rs) = &mut self.nodes[to].ext else { return };
        if rs.held.is_empty() {
            return;
        }
        let held = std::mem::take(&mut rs.held);
        let lat = self.edge_latency(from, edge);
        for (key, ver, committed_at, epoch) in held {
            let ev = DataEv::Replicate { replica: to, epoch, key, ver, committed_at };
            self.schedule(self.now.after(lat), Ev::Data(ev));
        }
    }

    pub(super) fn on_replicate(&mut self, replica: NodeIx, epoch: u32, key: u32, ver: u32, committed_at: SimTime) {
        let n = &mut self.nodes[replica];
        let serving = n.serving();
        let Ext::Db(st) = &mut n.ext else { return };
        if st.epoch != epoch || !serving || st.apply_queue.len() >= MAX_APPLY_BACKLOG {
            return;
        }
        st.apply_queue.push_back((key, ver, committed_at));
        if !st.applying {
            self.start_apply(replica);
        }
    }

    pub(super) fn start_apply(&mut self, replica: NodeIx) {
        let n = &mut self.nodes[replica];
        let (NodeKind::Database(p), Ext::Db(st)) = (&n.kind, &mut n.ext) else { return };
        st.applying = true;
        let epoch = st.epoch;
        let d = random::service_time(&mut n.rng, &p.write_service_time, n.slow);
        self.schedule(self.now.after(d), Ev::Data(DataEv::Applied { replica, epoch }));
    }

    pub(super) fn on_applied(&mut self, replica: NodeIx, epoch: u32) {
        let now = self.now;
        let Ext::Db(st) = &mut self.nodes[replica].ext else { return };
        if st.epoch != epoch {
            return;
        }
        if let Some((key, ver, at)) = st.apply_queue.pop_front() {
            st.set_version(key, ver);
            st.applied += 1;
            st.lag_sum_ns += u128::from(now.since(at).0);
        }
        if st.apply_queue.is_empty() {
            st.applying = false;
        } else {
            self.start_apply(replica);
        }
    }

    pub(super) fn on_promote(&mut self, old: NodeIx, gen: u32) {
        let now = self.now;
        let o = &self.nodes[old];
        let (NodeKind::Database(params), Ext::Db(ost)) = (&o.kind, &o.ext) else { return };
        if ost.failover_gen != gen || o.serving() || o.removed {
            return;
        }
        let params = params.clone();
        let commits = ost.commits;
        let best = o
            .out_edges
            .iter()
            .map(|&e| self.edges[e].to)
            .filter(|&t| self.nodes[t].serving())
            .filter_map(|t| match &self.nodes[t].ext {
                Ext::Db(s) => Some((t, s.applied)),
                _ => None,
            })
            .fold(None, |best: Option<(NodeIx, u64)>, x| if best.is_some_and(|b| b.1 >= x.1) { best } else { Some(x) });
        let Some((new, applied)) = best else { return };
        let lost = commits.saturating_sub(applied);
        // The promoted node's data is the truth now: writes it never applied are gone.
        let old_versions = match &self.nodes[old].ext {
            Ext::Db(s) => s.versions.clone(),
            _ => Vec::new(),
        };
        // The other replicas drop what is left of the old stream and forget writes the new
        // primary never had, so that every copy agrees on what was lost.
        let new_versions = match &self.nodes[new].ext {
            Ext::Db(s) => s.versions.clone(),
            _ => Vec::new(),
        };
        let others: Vec<NodeIx> =
            self.nodes[old].out_edges.iter().map(|&e| self.edges[e].to).filter(|&t| t != new).collect();
        for r in others {
            if let Ext::Db(rs) = &mut self.nodes[r].ext {
                rs.epoch += 1;
                rs.apply_queue.clear();
                rs.held.clear();
                rs.applying = false;
                for (k, v) in rs.versions.iter_mut().enumerate() {
                    *v = (*v).min(new_versions.get(k).copied().unwrap_or(0));
                }
            }
        }
        if let Ext::Db(ns) = &mut self.nodes[new].ext {
            ns.primary = None;
            ns.epoch += 1;
            ns.apply_queue.clear();
            ns.held.clear();
            ns.applying = false;
            ns.lost_writes += lost;
            ns.commits = 0;
            for (k, &v) in old_versions.iter().enumerate() {
                if v > 0 {
                    let mine = ns.versions.get(k).copied().unwrap_or(0);
                    let m = self.data.meta_mut(k as u32);
                    m.committed = m.committed.min(mine);
                }
            }
        }
        if let NodeKind::Database(p) = &mut self.nodes[new].kind {
            p.read_from_replicas = params.read_from_replicas;
            p.read_your_writes_window_ms = params.read_your_writes_window_ms;
            p.failover_detection_ms = params.failover_detection_ms;
        }
        // Callers of the old primary now reach the new one; the other replicas follow it.
        let new_id = self.nodes[new].id.clone();
        for e in EdgeIx::all(self.edges.len()) {
            let ed = &self.edges[e];
            if ed.removed {
                continue;
            }
            let (from, to) = (ed.from, ed.to);
            if from == old {
                let spec = EdgeSpec { from: new_id.clone(), ..ed.spec.clone() };
                self.remove_edge(e);
                if to != new {
                    let _ = self.add_edge(&spec, true);
                }
            } else if to == old && from != new {
                if self.find_edge(from, new).is_some() {
                    self.remove_edge(e);
                } else {
                    let ed = &mut self.edges[e];
                    ed.to = new;
                    ed.spec.to = new_id.clone();
                    ed.healthy = true;
                    ed.hc_fails = 0;
                }
            }
        }
        let old_id = self.nodes[old].id.clone();
        self.log(format!("{new_id} promoted to primary after {old_id} failed, at {} ({lost} writes lost)", fmt_s(now)));
    }

    pub(super) fn database_view(&self, n: &Node) -> Option<DatabaseView> {
        let Ext::Db(st) = &n.ext else { return None };
        let replica = st.primary.is_some();
        Some(DatabaseView {
            role: if replica { Role::Replica } else { Role::Primary },
            primary: st.primary.map(|p| self.nodes[p].id.clone()),
            writes_committed: st.commits,
            writes_applied: st.applied,
            replication_backlog: (st.apply_queue.len() + st.held.len()) as u64,
            replication_lag_ms: st
                .held
                .front()
                .map(|&(_, _, at, _)| at)
                .into_iter()
                .chain(st.apply_queue.front().map(|&(_, _, at)| at))
                .min()
                .map_or(0.0, |at| self.now.since(at).as_millis_f64()),
            mean_replication_lag_ms: if st.applied > 0 { st.lag_sum_ns as f64 / st.applied as f64 / 1e6 } else { 0.0 },
            reads: st.reads,
            stale_reads: st.stale_reads,
            ryw_violations: st.ryw_violations,
            reads_to_replicas: st.reads_to_replicas,
            lost_writes: st.lost_writes,
        })
    }
}
