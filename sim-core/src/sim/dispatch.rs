//! Dispatch: events to their handlers, and node kinds to their modules. Every `match` on a
//! node's kind that decides which module handles a request, an answer, a service completion
//! or a fault is here; the kind modules never dispatch to one another.

use super::*;

impl Limits {
    /// A node's limits from its parameters.
    pub(super) fn of(kind: &NodeKind) -> Limits {
        let (workers, queue_capacity) = match kind {
            NodeKind::Server(s) => (s.workers, s.queue_capacity),
            NodeKind::Database(d) => (d.max_connections, d.queue_capacity),
            NodeKind::MessageQueue(q) => (q.workers, 0),
            _ => (0, 0),
        };
        let call_timeout_ms = match kind {
            NodeKind::Client(c) => c.timeout_ms,
            NodeKind::LoadBalancer(l) => l.backend_timeout_ms,
            NodeKind::Server(s) => s.call_timeout_ms,
            _ => None,
        };
        let queue_timeout_ms = match kind {
            NodeKind::Server(s) => s.queue_timeout_ms,
            _ => None,
        };
        Limits {
            workers,
            queue_capacity,
            call_timeout: call_timeout_ms.map(SimDuration::from_millis_f64),
            queue_timeout: queue_timeout_ms.map(SimDuration::from_millis_f64),
        }
    }
}

impl Runtime {
    /// The runtime state of a new node of `kind`.
    pub(super) fn new(kind: &NodeKind, now: SimTime) -> Runtime {
        match kind {
            NodeKind::Client(c) => Runtime::Client {
                keys: KeySampler::new(&c.keys),
                arrival_gen: 0,
                spike: 1.0,
                spike_gen: 0,
                prio_rng: None,
            },
            NodeKind::LoadBalancer(_) => Runtime::Balancer { rr: 0, hc_gen: 0 },
            NodeKind::Server(_) | NodeKind::Database(_) => Runtime::Station { queue: VecDeque::new() },
            NodeKind::RateLimiter(r) => Runtime::Limiter { tokens: f64::from(r.burst), last: now },
            NodeKind::AutoscalingGroup(_) => Runtime::Group(Box::new(GroupState::new(now))),
            NodeKind::Cache(_)
            | NodeKind::Cdn(_)
            | NodeKind::ShardRouter(_)
            | NodeKind::MessageQueue(_)
            | NodeKind::GeoDns(_)
            | NodeKind::ReplicatedStore(_) => Runtime::Passive,
        }
    }
}

impl Ext {
    /// The data-tier state of a new node of `kind`.
    pub(super) fn new(kind: &NodeKind) -> Ext {
        match kind {
            NodeKind::Cache(_) | NodeKind::Cdn(_) => Ext::Cache(Box::default()),
            NodeKind::Database(_) => Ext::Db(Box::default()),
            NodeKind::ShardRouter(_) => Ext::Router(Box::default()),
            NodeKind::MessageQueue(_) => Ext::Queue(Box::default()),
            NodeKind::GeoDns(_) => Ext::Geo(0),
            NodeKind::ReplicatedStore(_) => Ext::Store(Box::default()),
            _ => Ext::None,
        }
    }
}

impl Sim {
    #[inline(always)]
    pub(super) fn handle(&mut self, ev: Ev) {
        match ev {
            Ev::Timer(t) => self.on_timer(t),
            Ev::Deliver { to, edge, parent, token, req } => self.on_deliver(to, edge, parent, token, req),
            Ev::Respond { to, token, outcome, ver } => self.respond(to, token, outcome, ver),
            Ev::Retry { node, req } => {
                let n = &self.nodes[node];
                if n.serving() {
                    self.global.retries += 1;
                    self.start_attempt(node, req);
                } else {
                    self.client_final(Err(Cause::NodeDown), req);
                }
            }
            Ev::Data(d) => self.on_data(d),
        }
    }

    #[inline(always)]
    pub(super) fn on_timer(&mut self, t: Timer) {
        match t {
            Timer::Arrival { node, gen } => self.on_arrival(node, gen),
            Timer::Timeout { call, token } => {
                let Some(c) = self.call_mut(call) else { return };
                if !c.waiting || c.token != token {
                    return;
                }
                c.waiting = false;
                let cause = if c.partition_dropped { Cause::Partition } else { Cause::Timeout };
                let req = c.req;
                if req.span != 0 {
                    self.span_result(req, call, Err(cause), false);
                }
                self.on_result(call, Err(cause));
            }
            Timer::ServiceDone { call } => self.on_service_done(call),
            Timer::BulkheadWait { edge } => self.on_bulkhead_wait(edge),
            Timer::HealthCheck { node, gen } => self.on_health_check(node, gen),
            Timer::GroupTick { node, gen } => self.on_group_tick(node, gen),
            Timer::BootDone { node } => {
                let n = &mut self.nodes[node];
                if n.removed || !n.booting {
                    return;
                }
                n.booting = false;
                let text = format!("{} in service at {}", n.id, fmt_s(self.now));
                self.log(text);
            }
            Timer::SpikeEnd { node, gen } => {
                if let Runtime::Client { spike, spike_gen, .. } = &mut self.nodes[node].rt {
                    if *spike_gen == gen {
                        *spike = 1.0;
                        let text = format!("spike on {} ended at {}", self.nodes[node].id, fmt_s(self.now));
                        self.log(text);
                        self.restart_arrivals(node);
                    }
                }
            }
            Timer::Window => self.on_window(),
            Timer::Scheduled { index, gen } => {
                if gen == self.schedule_gen {
                    let cmd = self.scheduled[index as usize].clone();
                    if let Err(e) = self.execute(&cmd) {
                        self.log(format!("scheduled command failed at {}: {e}", fmt_s(self.now)));
                        self.schedule_failures.push((self.now, e));
                    }
                }
            }
        }
    }

    /// Data-tier events.
    pub(super) fn on_data(&mut self, ev: DataEv) {
        match ev {
            DataEv::Replicate { replica, epoch, key, ver, committed_at } => {
                self.on_replicate(replica, epoch, key, ver, committed_at)
            }
            DataEv::Applied { replica, epoch } => self.on_applied(replica, epoch),
            DataEv::Promote { node, gen } => self.on_promote(node, gen),
            DataEv::Flush { cache, gen, key } => self.on_flush(cache, gen, key),
            DataEv::JobDone { queue, slot, gen } => self.on_job_done(queue, slot, gen),
            DataEv::GeoCheck { node, gen } => self.on_geo_check(node, gen),
            DataEv::StoreApply { from, to, key, stamp } => self.on_store_apply(from, to, key, stamp),
            DataEv::Visibility { queue, msg, delivery } => self.on_visibility(queue, msg, delivery),
            DataEv::Requeue { queue, msg } => self.on_requeue(queue, msg),
        }
    }

    /// Starts a node's own periodic activity (arrivals, health checks, group ticks).
    pub(super) fn start_node(&mut self, idx: NodeIx) {
        match self.nodes[idx].kind {
            NodeKind::Client(_) => self.restart_arrivals(idx),
            NodeKind::LoadBalancer(_) => self.start_health_checks(idx),
            NodeKind::AutoscalingGroup(_) => self.start_group(idx),
            _ => {}
        }
    }

    /// A request reaches `to` over `edge`, sent by the call `parent` waiting with `token`.
    pub(super) fn on_deliver(&mut self, to: NodeIx, edge: EdgeIx, parent: CallId, token: u32, req: Req) {
        let now = self.now;
        let n = &mut self.nodes[to];
        n.stats.arrived += 1;
        if !n.serving() {
            if req.span != 0 {
                self.span_arrive(req, parent, to, None, Some(Cause::NodeDown));
            }
            self.refuse(to, edge, parent, token, Cause::NodeDown, req.tag());
            return;
        }
        if !rate_limiter::take_token(n, now) {
            if req.span != 0 {
                self.span_arrive(req, parent, to, None, Some(Cause::RateLimited));
            }
            self.refuse(to, edge, parent, token, Cause::RateLimited, req.tag());
            return;
        }
        let id = self.alloc_call(Call {
            parent: Some(parent),
            parent_token: token,
            in_edge: edge,
            ..Call::arriving(to, req, now)
        });
        if req.span != 0 {
            self.span_arrive(req, parent, to, Some(id), None);
        }
        match self.nodes[to].kind {
            NodeKind::Server(ServerParams { sessions: Sessions::InMemory, .. }) => {
                self.server_session(to, req);
                self.station_admit(to, id)
            }
            NodeKind::Server(_) => self.station_admit(to, id),
            NodeKind::Database(_) => {
                if !self.db_route(to, id) {
                    self.station_admit(to, id);
                }
            }
            NodeKind::Cache(_) | NodeKind::Cdn(_) => self.cache_deliver(to, id),
            NodeKind::ReplicatedStore(_) => self.store_deliver(to, id),
            NodeKind::MessageQueue(_) => self.enqueue(to, id, req.key),
            NodeKind::GeoDns(_) => {
                let e = self.nearest_region(to, req.origin);
                self.send_or_refuse(id, e)
            }
            NodeKind::ShardRouter(_) => {
                let e = self.shard_edge(to, req.key);
                self.send_or_refuse(id, e)
            }
            NodeKind::LoadBalancer(_) if self.balancer_sheds(to, req.class) => self.finish(id, Err(Cause::Shed)),
            NodeKind::LoadBalancer(_) | NodeKind::AutoscalingGroup(_) => {
                let e = self.pick_backend(to, req.key);
                self.send_or_refuse(id, e)
            }
            NodeKind::RateLimiter(_) => {
                let e = self.nodes[to].out_edges.first().copied();
                self.send_or_refuse(id, e)
            }
            NodeKind::Client(_) => self.finish(id, Err(Cause::NodeDown)),
        }
    }

    /// Sends the call on over `edge`; with no edge to take, the call fails ("node down").
    #[inline(always)]
    fn send_or_refuse(&mut self, id: CallId, edge: Option<EdgeIx>) {
        match edge {
            Some(e) => self.send(id, e),
            None => self.finish(id, Err(Cause::NodeDown)),
        }
    }

    /// [`Sim::on_result`] for the call `id` at `node`, which sent on `edge` at `sent_at`.
    #[inline(always)]
    pub(super) fn on_result_of(&mut self, id: CallId, node: NodeIx, edge: EdgeIx, sent_at: SimTime, outcome: Outcome) {
        if edge.is_some() {
            let e = &mut self.edges[edge];
            e.outstanding = e.outstanding.saturating_sub(1);
            if !e.waiters.is_empty() {
                self.bulkhead_room(edge);
            }
            let e = &mut self.edges[edge];
            if outcome.is_ok() && e.balanced {
                let s = self.now.since(sent_at).0 as f64;
                e.ewma_ns = if e.ewma_ns == 0.0 { s } else { 0.8 * e.ewma_ns + 0.2 * s };
            }
            if e.breaker.is_some() {
                self.breaker_record(edge, outcome);
            }
        }
        match self.nodes[node].kind {
            NodeKind::Client(_) => self.client_result(id, outcome),
            NodeKind::Server(_) | NodeKind::Database(_) => match outcome {
                Ok(()) => self.continue_downstream(id),
                Err(c) => self.finish(id, Err(c)),
            },
            NodeKind::Cache(_) | NodeKind::Cdn(_) => self.cache_result(id, outcome),
            NodeKind::LoadBalancer(_)
            | NodeKind::RateLimiter(_)
            | NodeKind::AutoscalingGroup(_)
            | NodeKind::ShardRouter(_)
            | NodeKind::MessageQueue(_)
            | NodeKind::GeoDns(_)
            | NodeKind::ReplicatedStore(_) => self.finish(id, outcome),
        }
    }

    /// A service time (or a data node's processing) is over.
    pub(super) fn on_service_done(&mut self, id: CallId) {
        let Some(c) = self.call(id) else { return };
        let (node, worker) = (c.node, c.holds_worker);
        let NodeKind::Server(s) = &self.nodes[node].kind else {
            self.data_service_done(node, id);
            return;
        };
        let release = s.downstream == DownstreamMode::Forward && worker;
        self.server_service_done(node, id, release)
    }

    /// [`Sim::on_service_done`] at a node other than an app server (kept out of the app
    /// server's path, which the event loop inlines).
    fn data_service_done(&mut self, node: NodeIx, id: CallId) {
        match &self.nodes[node].kind {
            NodeKind::Database(_) => {
                self.db_service_done(node, id);
                self.continue_downstream(id);
            }
            NodeKind::ReplicatedStore(_) => self.store_done(node, id),
            NodeKind::Cache(_) | NodeKind::Cdn(_) => self.cache_service_done(node, id),
            _ => self.continue_downstream(id),
        }
    }

    /// An edge from `from` to `to` was added or removed (or `from` reconfigured).
    pub(super) fn edges_changed(&mut self, from: NodeIx, to: Option<NodeIx>) {
        if matches!(self.nodes[from].kind, NodeKind::ShardRouter(_)) {
            self.rebuild_router(from);
        }
        if let Some(to) = to.filter(|&t| matches!(self.nodes[t].kind, NodeKind::Database(_))) {
            self.find_primary(to);
        }
    }

    /// A node crashed: a cache loses its contents (and unflushed writes), a replica its apply
    /// queue, a queue its messages; a primary with failover schedules a promotion; a server
    /// loses the sessions it holds.
    pub(super) fn node_crashed(&mut self, node: NodeIx) {
        match &self.nodes[node].ext {
            Ext::Cache(_) => self.cache_crashed(node),
            Ext::Db(_) => self.db_crashed(node),
            Ext::Queue(_) => self.queue_crashed(node),
            Ext::None => self.drop_sessions(node, None),
            Ext::Router(_) | Ext::Geo(_) | Ext::Store(_) => {}
        }
    }

    /// A node was added: remember its region, its sessions, start a GeoDNS node's probes.
    pub(super) fn node_added(&mut self, node: NodeIx, region: Option<&str>) {
        self.set_region(node, region);
        if matches!(self.nodes[node].kind, NodeKind::Server(ServerParams { sessions: Sessions::InMemory, .. })) {
            self.data.sessions.entry(node).or_default();
        }
        self.start_geo_checks(node);
    }

    /// A node restarted.
    pub(super) fn node_revived(&mut self, node: NodeIx) {
        match self.nodes[node].kind {
            NodeKind::Database(_) => self.db_revived(node),
            NodeKind::MessageQueue(_) => self.dispatch_jobs(node),
            NodeKind::GeoDns(_) => self.start_geo_checks(node),
            _ => {}
        }
    }
}
