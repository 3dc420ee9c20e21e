//! The engine: agenda, requests hop by hop, node behaviour, commands, snapshots.
//!
//! Every hop of a request is a *call* at the callee node, kept in a slab with generation
//! counters so stale events (a timeout after the answer, a service completion on a killed
//! node) are recognised and ignored. A caller waiting on a callee stores a token; an answer
//! or a timeout carrying another token is stale.

use std::collections::{BTreeMap, VecDeque};

use rand_pcg::Pcg64;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::metrics::*;
use crate::random::{self, KeySampler};
use crate::scenario::*;
use crate::time::{SimDuration, SimTime};

mod agenda;
mod data;
mod store;
mod types;

use types::{EdgeIx, NodeIx};

/// Lines kept in the event log.
const LOG_LEN: usize = 200;
/// How many zero-latency hops may run inside one another before the next one is queued as
/// an event instead (bounds the call depth on long chains and wide fan-outs).
const MAX_INLINE_DEPTH: u32 = 32;

/// What a request is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ReqKind {
    Read,
    Write,
    Static,
    Job,
}

/// A request as it travels (copied into each hop).
#[derive(Clone, Copy, Debug)]
struct Req {
    kind: ReqKind,
    /// Retries so far (validation caps retries at 100).
    attempt: u8,
    /// Sampled for the request-dot animation: its hops are kept in `Sim::hops`.
    traced: bool,
    key: u32,
    created_at: SimTime,
    deadline: SimTime,
    /// The client node the request comes from (its "session", for read-your-writes);
    /// node indices stay below `MAX_NODES`.
    origin: u16,
}

// A request is copied into every hop and every delivery event: 25 bytes of fields, padded.
const _: () = assert!(std::mem::size_of::<Req>() == 32);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct CallId {
    idx: u32,
    gen: u32,
}

type Outcome = Result<(), Cause>;

/// One hop of a request at the node serving it.
#[derive(Clone, Debug)]
struct Call {
    node: NodeIx,
    parent: Option<CallId>,
    parent_token: u32,
    in_edge: EdgeIx,
    req: Req,
    arrived_at: SimTime,
    /// Token of the downstream call this one waits on.
    token: u32,
    waiting: bool,
    partition_dropped: bool,
    out_edge: EdgeIx,
    sent_at: SimTime,
    /// True while the hop holds one of its node's worker slots.
    holds_worker: bool,
    /// The next of its node's out-edges a server hop calls.
    next_edge: u32,
    /// Where a request at a cache or CDN edge is (data tier).
    phase: data::CachePhase,
    /// Version of the data the answer of this hop carries (data tier).
    ver: u32,
}

impl Call {
    /// A hop arriving at `node` now, not yet waiting, sent on or served by anything.
    #[inline]
    fn arriving(node: NodeIx, req: Req, now: SimTime) -> Call {
        Call {
            node,
            parent: None,
            parent_token: 0,
            in_edge: EdgeIx::NONE,
            req,
            arrived_at: now,
            token: 0,
            waiting: false,
            partition_dropped: false,
            out_edge: EdgeIx::NONE,
            sent_at: now,
            holds_worker: false,
            next_edge: 0,
            phase: data::CachePhase::Lookup,
            ver: 0,
        }
    }
}

#[derive(Clone, Debug)]
struct Slot {
    gen: u32,
    call: Option<Call>,
}

/// Timers and service completions: most events, and small enough (16 bytes) that the agenda
/// keeps them in its heap entries rather than in its slab.
#[derive(Clone, Copy, Debug)]
enum Timer {
    Arrival { node: NodeIx, gen: u32 },
    ServiceDone { call: CallId },
    Timeout { call: CallId, token: u32 },
    HealthCheck { node: NodeIx, gen: u32 },
    GroupTick { node: NodeIx, gen: u32 },
    BootDone { node: NodeIx },
    SpikeEnd { node: NodeIx, gen: u32 },
    Window,
    Scheduled { index: u32, gen: u32 },
}

const _: () = assert!(std::mem::size_of::<Timer>() == 16);

#[derive(Clone, Debug)]
enum Ev {
    Timer(Timer),
    Deliver { to: NodeIx, edge: EdgeIx, parent: CallId, token: u32, req: Req },
    Respond { to: CallId, token: u32, outcome: Outcome, ver: u32 },
    Retry { node: NodeIx, req: Req },
    Data(data::DataEv),
}

impl From<Timer> for Ev {
    #[inline(always)]
    fn from(t: Timer) -> Ev {
        Ev::Timer(t)
    }
}

impl agenda::Packable for Ev {
    type Packed = Timer;

    #[inline(always)]
    fn pack(self) -> Result<Timer, Ev> {
        match self {
            Ev::Timer(t) => Ok(t),
            ev => Err(ev),
        }
    }

    #[inline(always)]
    fn unpack(packed: Timer) -> Ev {
        Ev::Timer(packed)
    }
}

/// Runtime state by kind (parameters stay in the node's [`NodeKind`]).
#[derive(Clone, Debug)]
enum Runtime {
    Client {
        keys: KeySampler,
        arrival_gen: u32,
        spike: f64,
        spike_gen: u32,
    },
    Balancer {
        rr: u32,
        hc_gen: u32,
    },
    Station {
        queue: VecDeque<CallId>,
    },
    Limiter {
        tokens: f64,
        last: SimTime,
    },
    Group(Box<GroupState>),
    /// Data-tier kinds keep their state in [`Node::ext`].
    Passive,
}

#[derive(Clone, Debug)]
struct GroupState {
    rr: u32,
    tick_gen: u32,
    instances: Vec<NodeIx>,
    templates: Vec<EdgeSpec>,
    above_since: Option<SimTime>,
    below_since: Option<SimTime>,
    last_action: Option<SimTime>,
    launched: u32,
    last_tick: SimTime,
}

#[derive(Clone, Debug)]
struct NodeStats {
    arrived: u64,
    completed: u64,
    errors: ErrorCounts,
    latency: Latency,
    busy: Area,
    queue: Area,
    /// Hops at the node now.
    in_flight: u64,
    /// Time hops that have left the node spent there, summed (ns): with the hops still
    /// there, the integral of `in_flight` (Little's law, exactly).
    in_flight_done_ns: u128,
    mark_completed: u64,
    mark_errors: u64,
    mark_busy: u128,
    group_mark_busy: u128,
    series: Ring<NodePoint>,
}

#[derive(Clone, Debug)]
struct Node {
    id: String,
    label: String,
    x: Option<f64>,
    y: Option<f64>,
    kind: NodeKind,
    limits: Limits,
    up: bool,
    removed: bool,
    booting: bool,
    draining: bool,
    slow: f64,
    out_edges: Vec<EdgeIx>,
    rng: Pcg64,
    rt: Runtime,
    /// Data-tier state (caches, replication, shard maps, message queues).
    ext: data::Ext,
    stats: NodeStats,
}

/// A node's limits, read on every hop: worked out from its [`NodeKind`] when the node is
/// built or reconfigured rather than matched on each time.
#[derive(Clone, Copy, Debug)]
struct Limits {
    /// Worker slots (connections for a database).
    workers: u32,
    /// Bounded queue length.
    queue_capacity: u32,
    /// How long the node waits on a downstream call.
    call_timeout: Option<SimDuration>,
    /// How long a request may wait in the node's queue.
    queue_timeout: Option<SimDuration>,
}

impl Limits {
    fn of(kind: &NodeKind) -> Limits {
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

impl Node {
    #[inline]
    fn serving(&self) -> bool {
        self.up && !self.removed && !self.booting
    }

    #[inline]
    fn workers(&self) -> u32 {
        self.limits.workers
    }

    /// How long this node waits on a downstream call.
    #[inline]
    fn call_timeout(&self) -> Option<SimDuration> {
        self.limits.call_timeout
    }

    /// Replaces the node's parameters (same kind).
    fn set_kind(&mut self, kind: NodeKind) {
        self.limits = Limits::of(&kind);
        self.kind = kind;
    }
}

#[derive(Clone, Debug)]
struct Edge {
    from: NodeIx,
    to: NodeIx,
    spec: EdgeSpec,
    removed: bool,
    sent: u64,
    dropped: u64,
    mark_sent: u64,
    window_rps: f64,
    outstanding: u64,
    /// Smoothed response time, kept only on the edges of balancers and autoscaling groups
    /// (the only ones a least-response-time choice reads).
    ewma_ns: f64,
    /// True when `from` is a load balancer or an autoscaling group.
    balanced: bool,
    healthy: bool,
    hc_fails: u32,
    hc_oks: u32,
    wrr_current: i64,
}

impl Edge {
    /// A fresh, healthy edge with no traffic yet.
    fn new(from: NodeIx, to: NodeIx, spec: EdgeSpec, balanced: bool) -> Edge {
        Edge {
            from,
            to,
            spec,
            removed: false,
            sent: 0,
            dropped: 0,
            mark_sent: 0,
            window_rps: 0.0,
            outstanding: 0,
            ewma_ns: 0.0,
            balanced,
            healthy: true,
            hc_fails: 0,
            hc_oks: 0,
            wrr_current: 0,
        }
    }
}

#[derive(Clone, Debug)]
struct GlobalStats {
    arrived: u64,
    attempts: u64,
    retries: u64,
    completed: u64,
    failed: ErrorCounts,
    in_flight: Area,
    latency: Latency,
    mark_completed: u64,
    mark_failed: u64,
    series: Ring<GlobalPoint>,
}

/// One hop of a sampled request, for the request-dot animation.
#[derive(Clone, Copy, Debug)]
struct Hop {
    from: NodeIx,
    to: NodeIx,
    depart: SimTime,
    arrive: SimTime,
    response: bool,
    outcome: Outcome,
}

/// Sampled hops kept for the animation.
const HOPS_LEN: usize = 256;

/// Result of [`Sim::step_until`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepResult {
    /// Events processed by this call.
    pub events: u64,
    /// True when the simulation reached the target time (false: stopped at the event cap).
    pub reached: bool,
    /// Simulated time after the call.
    pub now: SimTime,
}

/// A command applied live, with where in the run it was applied (for exact replay).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordedCommand {
    /// Simulated time of application.
    pub at: SimTime,
    /// Events processed before it was applied.
    pub after_events: u64,
    /// The command.
    pub command: Command,
}

/// A running simulation.
pub struct Sim {
    seed: u64,
    now: SimTime,
    events: u64,
    agenda: agenda::Agenda<Ev>,
    nodes: Vec<Node>,
    by_id: BTreeMap<String, NodeIx>,
    edges: Vec<Edge>,
    slab: Vec<Slot>,
    free_slots: Vec<u32>,
    global: GlobalStats,
    metrics_cfg: MetricsConfig,
    window: SimDuration,
    /// The timeline's commands; `Timer::Scheduled` indexes them.
    scheduled: Vec<Command>,
    /// Bumped when the timeline is replaced: older `Timer::Scheduled` events are stale.
    schedule_gen: u32,
    /// Scheduled commands that failed and have not been taken yet (time, why).
    schedule_failures: Vec<(SimTime, Error)>,
    recorded: Vec<RecordedCommand>,
    log: VecDeque<LogLine>,
    alerts: Vec<Alert>,
    hops: Ring<Hop>,
    scratch: Vec<EdgeIx>,
    /// Arrivals until the next traced one (every `metrics.trace_every`-th is traced; with
    /// `trace_every` 0 it stays at 1 and none is).
    trace_countdown: u32,
    /// Zero-latency hops now running inside one another (see [`MAX_INLINE_DEPTH`]).
    inline_depth: u32,
    /// Per-key truth of the data tier (latest committed versions).
    data: data::DataState,
}

fn fmt_s(t: SimTime) -> String {
    format!("{:.1} s", t.as_secs_f64())
}

impl Sim {
    /// Builds a simulation from a scenario, seeded by the scenario's seed.
    pub fn new(scenario: &Scenario) -> Result<Sim, Error> {
        Sim::with_seed(scenario, scenario.seed)
    }

    /// Builds a simulation from a scenario with another root seed.
    pub fn with_seed(scenario: &Scenario, seed: u64) -> Result<Sim, Error> {
        scenario.validate()?;
        let cfg = scenario.metrics.clone();
        let mut sim = Sim {
            seed,
            now: SimTime::ZERO,
            events: 0,
            agenda: agenda::Agenda::default(),
            nodes: Vec::new(),
            by_id: BTreeMap::new(),
            edges: Vec::new(),
            slab: Vec::new(),
            free_slots: Vec::new(),
            global: GlobalStats {
                arrived: 0,
                attempts: 0,
                retries: 0,
                completed: 0,
                failed: ErrorCounts::default(),
                in_flight: Area::default(),
                latency: Latency::new(),
                mark_completed: 0,
                mark_failed: 0,
                series: Ring::new(cfg.series_len as usize),
            },
            window: SimDuration::from_secs_f64(cfg.window_s),
            metrics_cfg: cfg,
            scheduled: Vec::new(),
            schedule_gen: 0,
            schedule_failures: Vec::new(),
            recorded: Vec::new(),
            log: VecDeque::new(),
            alerts: Vec::new(),
            hops: Ring::new(HOPS_LEN),
            scratch: Vec::new(),
            trace_countdown: u32::from(scenario.metrics.trace_every == 0),
            inline_depth: 0,
            data: data::DataState::new(&scenario.region_latency),
        };
        for n in &scenario.nodes {
            sim.add_node(n)?;
        }
        for e in &scenario.edges {
            // `validate` has refused scenarios whose edges close a cycle.
            sim.add_edge(e, false)?;
        }
        sim.schedule(SimTime::ZERO.after(sim.window), Timer::Window);
        sim.set_schedule(&scenario.events, true);
        Ok(sim)
    }

    /// The current simulated time.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// The root seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Events processed since the start.
    pub fn events_processed(&self) -> u64 {
        self.events
    }

    /// Commands applied live so far, in order.
    pub fn recorded_commands(&self) -> &[RecordedCommand] {
        &self.recorded
    }

    /// Rebuilds a run with live edits: same scenario, seed and commands give the same state.
    pub fn replay(scenario: &Scenario, seed: u64, commands: &[RecordedCommand]) -> Result<Sim, Error> {
        let mut sim = Sim::with_seed(scenario, seed)?;
        for c in commands {
            while sim.events < c.after_events {
                let r = sim.step_until(c.at, c.after_events - sim.events);
                if r.events == 0 {
                    break;
                }
            }
            sim.now = sim.now.max(c.at);
            sim.apply(c.command.clone())?;
        }
        Ok(sim)
    }

    /// Runs events up to and including time `t`, at most `max_events` of them.
    pub fn step_until(&mut self, t: SimTime, max_events: u64) -> StepResult {
        let mut n = 0;
        let mut reached = true;
        while self.now <= t {
            if n >= max_events {
                reached = self.agenda.next_at(self.now).is_none_or(|at| at > t);
                break;
            }
            let Some((at, ev)) = self.agenda.pop_through(self.now, t) else { break };
            self.now = at;
            self.events += 1;
            n += 1;
            self.handle(ev);
        }
        if reached {
            self.now = self.now.max(t);
        }
        StepResult { events: n, reached, now: self.now }
    }

    #[inline]
    fn schedule(&mut self, at: SimTime, ev: impl Into<Ev>) {
        self.agenda.push(self.now, at, ev.into());
    }

    fn log(&mut self, text: String) {
        if self.log.len() == LOG_LEN {
            self.log.pop_front();
        }
        self.log.push_back(LogLine { t_s: self.now.as_secs_f64(), text });
    }

    fn node_index(&self, id: &str, path: &str) -> Result<NodeIx, Error> {
        self.by_id.get(id).copied().ok_or_else(|| Error::new(path, format!("no node with id {id:?}")))
    }

    // ----- building -----

    fn new_stats(&self) -> NodeStats {
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

    fn add_node(&mut self, spec: &NodeSpec) -> Result<NodeIx, Error> {
        if self.by_id.contains_key(&spec.id) {
            return Err(Error::new("id", format!("a node with id {:?} exists", spec.id)));
        }
        if self.nodes.len() >= MAX_NODES {
            return Err(Error::new("nodes", format!("at most {MAX_NODES} nodes")));
        }
        let idx = NodeIx(self.nodes.len() as u32);
        let rt = match &spec.kind {
            NodeKind::Client(c) => {
                Runtime::Client { keys: KeySampler::new(&c.keys), arrival_gen: 0, spike: 1.0, spike_gen: 0 }
            }
            NodeKind::LoadBalancer(_) => Runtime::Balancer { rr: 0, hc_gen: 0 },
            NodeKind::Server(_) | NodeKind::Database(_) => Runtime::Station { queue: VecDeque::new() },
            NodeKind::RateLimiter(r) => Runtime::Limiter { tokens: f64::from(r.burst), last: self.now },
            NodeKind::AutoscalingGroup(_) => Runtime::Group(Box::new(GroupState {
                rr: 0,
                tick_gen: 0,
                instances: Vec::new(),
                templates: Vec::new(),
                above_since: None,
                below_since: None,
                last_action: None,
                launched: 0,
                last_tick: self.now,
            })),
            NodeKind::Cache(_)
            | NodeKind::Cdn(_)
            | NodeKind::ShardRouter(_)
            | NodeKind::MessageQueue(_)
            | NodeKind::GeoDns(_)
            | NodeKind::ReplicatedStore(_) => Runtime::Passive,
        };
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
        });
        self.by_id.insert(spec.id.clone(), idx);
        self.start_node(idx);
        self.data_start(idx, spec.region.as_deref());
        Ok(idx)
    }

    /// Starts a node's own periodic activity (arrivals, health checks, group ticks).
    fn start_node(&mut self, idx: NodeIx) {
        let now = self.now;
        let node = &mut self.nodes[idx];
        match (&node.kind, &mut node.rt) {
            (NodeKind::Client(_), Runtime::Client { arrival_gen, .. }) => {
                *arrival_gen += 1;
                let gen = *arrival_gen;
                self.schedule_arrival(idx, gen);
            }
            (NodeKind::LoadBalancer(lb), Runtime::Balancer { hc_gen, .. }) => {
                *hc_gen += 1;
                let gen = *hc_gen;
                if let Some(h) = &lb.health_check {
                    let at = now.after(SimDuration::from_millis_f64(h.interval_ms));
                    self.schedule(at, Timer::HealthCheck { node: idx, gen });
                }
            }
            (NodeKind::AutoscalingGroup(a), Runtime::Group(g)) => {
                g.tick_gen += 1;
                g.last_tick = now;
                let gen = g.tick_gen;
                let at = now.after(SimDuration::from_secs_f64(a.evaluation_interval_s));
                let missing = a.initial_instances.saturating_sub(g.instances.len() as u32);
                self.schedule(at, Timer::GroupTick { node: idx, gen });
                for _ in 0..missing {
                    self.launch_instance(idx, false);
                }
            }
            _ => {}
        }
    }

    /// Adds an edge; `check_cycle` is false for edges already known not to close a cycle
    /// (a validated scenario's, or copies of a group's template), sparing a graph walk each.
    fn add_edge(&mut self, spec: &EdgeSpec, check_cycle: bool) -> Result<(), Error> {
        let from = self.node_index(&spec.from, "from")?;
        let to = self.node_index(&spec.to, "to")?;
        if self.nodes[from].removed || self.nodes[to].removed {
            return Err(Error::new("from", "node was removed"));
        }
        if matches!(self.nodes[to].kind, NodeKind::Client(_)) {
            return Err(Error::new("to", "a client cannot receive requests"));
        }
        if check_cycle && self.would_cycle(&spec.from, &spec.to) {
            return Err(Error::new("to", format!("edge {} -> {} would close a cycle", spec.from, spec.to)));
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
        self.data_edges_changed(from, Some(to));
        Ok(())
    }

    /// Whether an edge `from -> to` would let requests loop (group templates included).
    fn would_cycle(&self, from: &str, to: &str) -> bool {
        let mut adj: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for e in self.edges.iter().filter(|e| !e.removed) {
            adj.entry(self.nodes[e.from].id.as_str()).or_default().push(self.nodes[e.to].id.as_str());
        }
        for n in self.nodes.iter().filter(|n| !n.removed) {
            if let Runtime::Group(g) = &n.rt {
                adj.entry(n.id.as_str()).or_default().extend(g.templates.iter().map(|t| t.to.as_str()));
            }
        }
        crate::scenario::reaches(&adj, to, from)
    }

    fn find_edge(&self, from: NodeIx, to: NodeIx) -> Option<EdgeIx> {
        self.nodes[from].out_edges.iter().copied().find(|&e| self.edges[e].to == to)
    }

    /// The live edges a command on `from -> to` addresses (expanding an autoscaling group).
    fn edges_for(&self, from: &str, to: &str) -> Result<Vec<EdgeIx>, Error> {
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

    // ----- calls -----

    #[inline]
    fn alloc_call(&mut self, call: Call) -> CallId {
        self.nodes[call.node].stats.in_flight += 1;
        if let Some(idx) = self.free_slots.pop() {
            let slot = &mut self.slab[idx as usize];
            slot.call = Some(call);
            CallId { idx, gen: slot.gen }
        } else {
            self.slab.push(Slot { gen: 0, call: Some(call) });
            CallId { idx: self.slab.len() as u32 - 1, gen: 0 }
        }
    }

    /// The live call `id` in `slab` (a borrow of the slab alone, so that nodes and edges can
    /// be changed while it is held).
    #[inline]
    fn call_in(slab: &mut [Slot], id: CallId) -> Option<&mut Call> {
        let slot = slab.get_mut(id.idx as usize)?;
        if slot.gen == id.gen {
            slot.call.as_mut()
        } else {
            None
        }
    }

    #[inline]
    fn call(&self, id: CallId) -> Option<&Call> {
        let slot = self.slab.get(id.idx as usize)?;
        if slot.gen == id.gen {
            slot.call.as_ref()
        } else {
            None
        }
    }

    #[inline]
    fn call_mut(&mut self, id: CallId) -> Option<&mut Call> {
        Sim::call_in(&mut self.slab, id)
    }

    #[inline]
    fn free_call(&mut self, id: CallId) -> Option<Call> {
        let slot = self.slab.get_mut(id.idx as usize)?;
        if slot.gen != id.gen {
            return None;
        }
        let call = slot.call.take()?;
        slot.gen = slot.gen.wrapping_add(1);
        self.free_slots.push(id.idx);
        let st = &mut self.nodes[call.node].stats;
        st.in_flight -= 1;
        st.in_flight_done_ns += u128::from(self.now.since(call.arrived_at).0);
        Some(call)
    }

    fn edge_latency(&mut self, node: NodeIx, edge: EdgeIx) -> SimDuration {
        let e = &self.edges[edge].spec;
        let (base, jitter) = (e.latency_ms, e.jitter_ms);
        if base == 0.0 && jitter <= 0.0 {
            return SimDuration(0);
        }
        let factor = match e.state {
            EdgeState::Slow { factor } => factor,
            _ => 1.0,
        };
        let j = if jitter > 0.0 { jitter * random::uniform(&mut self.nodes[node].rng) } else { 0.0 };
        SimDuration::from_millis_f64((base + j) * factor)
    }

    /// The call `id` sends its request over `edge` and waits for the answer.
    fn send(&mut self, id: CallId, edge: EdgeIx) {
        let now = self.now;
        let Some(c) = self.call_mut(id) else { return };
        c.token = c.token.wrapping_add(1);
        c.waiting = true;
        c.partition_dropped = false;
        c.out_edge = edge;
        c.sent_at = now;
        let (token, node, req) = (c.token, c.node, c.req);
        let e = &mut self.edges[edge];
        let to = e.to;
        e.sent += 1;
        e.outstanding += 1;
        if matches!(e.spec.state, EdgeState::Partitioned) {
            self.send_into_partition(id, node, edge, token, req.traced);
            return;
        }
        if let Some(t) = self.nodes[node].call_timeout() {
            self.schedule(now.after(t), Timer::Timeout { call: id, token });
        }
        let mut lat = self.edge_latency(node, edge);
        if self.data.regions_used {
            lat = SimDuration(lat.0 + self.region_rtt(node, to, req.origin).0);
        }
        if req.traced {
            self.trace(Hop { from: node, to, depart: now, arrive: now.after(lat), response: false, outcome: Ok(()) });
        }
        if lat.0 == 0 && self.inline_depth < MAX_INLINE_DEPTH {
            self.inline_depth += 1;
            self.on_deliver(to, edge, id, token, req);
            self.inline_depth -= 1;
        } else {
            self.schedule(now.after(lat), Ev::Deliver { to, edge, parent: id, token, req });
        }
    }

    /// The request of call `id` at `node` is lost on the partitioned `edge`: the caller learns
    /// of it by its timeout, or at once when it has none.
    #[cold]
    #[inline(never)]
    fn send_into_partition(&mut self, id: CallId, node: NodeIx, edge: EdgeIx, token: u32, traced: bool) {
        let now = self.now;
        self.drop_on_partition(edge, node, false, traced);
        match self.nodes[node].call_timeout() {
            Some(t) => {
                if let Some(c) = self.call_mut(id) {
                    c.partition_dropped = true;
                }
                self.schedule(now.after(t), Timer::Timeout { call: id, token });
            }
            None => self.schedule(now, Ev::Respond { to: id, token, outcome: Err(Cause::Partition), ver: 0 }),
        }
    }

    /// The answer from `from` to the call `to` is lost on the partitioned `edge`.
    #[cold]
    #[inline(never)]
    fn reply_into_partition(&mut self, from: NodeIx, edge: EdgeIx, to: CallId, token: u32, traced: bool) {
        let now = self.now;
        self.drop_on_partition(edge, from, true, traced);
        let Some(parent) = self.call_mut(to) else { return };
        if !parent.waiting || parent.token != token {
            return;
        }
        parent.partition_dropped = true;
        let pnode = parent.node;
        if self.nodes[pnode].call_timeout().is_none() {
            self.schedule(now, Ev::Respond { to, token, outcome: Err(Cause::Partition), ver: 0 });
        }
    }

    /// Counts a request (or, with `response`, an answer) leaving `from` that the partitioned
    /// `edge` drops, and keeps its hop when it is sampled.
    fn drop_on_partition(&mut self, edge: EdgeIx, from: NodeIx, response: bool, traced: bool) {
        let e = &mut self.edges[edge];
        e.dropped += 1;
        let to = if response { e.from } else { e.to };
        if traced {
            let now = self.now;
            self.trace(Hop { from, to, depart: now, arrive: now, response, outcome: Err(Cause::Partition) });
        }
    }

    /// Keeps a hop of a sampled request for the animation.
    #[cold]
    #[inline(never)]
    fn trace(&mut self, hop: Hop) {
        self.hops.push(hop);
    }

    /// Sends an answer from `from` back over `edge` to the waiting caller.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn reply(&mut self, from: NodeIx, edge: EdgeIx, to: CallId, token: u32, outcome: Outcome, ver: u32, traced: bool) {
        let now = self.now;
        let e = &self.edges[edge];
        let caller = e.from;
        if matches!(e.spec.state, EdgeState::Partitioned) {
            self.reply_into_partition(from, edge, to, token, traced);
            return;
        }
        let lat = self.edge_latency(from, edge);
        if traced {
            self.trace(Hop { from, to: caller, depart: now, arrive: now.after(lat), response: true, outcome });
        }
        if lat.0 == 0 && self.inline_depth < MAX_INLINE_DEPTH {
            self.inline_depth += 1;
            self.respond(to, token, outcome, ver);
            self.inline_depth -= 1;
        } else {
            self.schedule(now.after(lat), Ev::Respond { to, token, outcome, ver });
        }
    }

    /// An answer reaches the call `to`; one carrying another token than the call waits on
    /// is stale.
    #[inline]
    fn respond(&mut self, to: CallId, token: u32, outcome: Outcome, ver: u32) {
        let Some(c) = self.call_mut(to) else { return };
        if !c.waiting || c.token != token {
            return;
        }
        c.waiting = false;
        c.ver = ver;
        let (node, edge, sent_at) = (c.node, c.out_edge, c.sent_at);
        self.on_result_of(to, node, edge, sent_at, outcome);
    }

    /// Frees the call and counts its outcome and its time at its node.
    #[inline(always)]
    fn end_call(&mut self, id: CallId, outcome: Outcome) -> Option<Call> {
        let call = self.free_call(id)?;
        let st = &mut self.nodes[call.node].stats;
        match outcome {
            Ok(()) => st.completed += 1,
            Err(c) => st.errors.add(c),
        }
        st.latency.record(self.now.since(call.arrived_at));
        Some(call)
    }

    /// The call is over at its node: record, release, answer the caller, free.
    fn finish(&mut self, id: CallId, outcome: Outcome) {
        let Some(call) = self.end_call(id, outcome) else { return };
        let node = call.node;
        if call.holds_worker {
            self.release_worker(node);
        }
        if let Some(parent) = call.parent {
            self.reply(node, call.in_edge, parent, call.parent_token, outcome, call.ver, call.req.traced);
        }
    }

    // ----- event dispatch -----

    #[inline(always)]
    fn handle(&mut self, ev: Ev) {
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
    fn on_timer(&mut self, t: Timer) {
        match t {
            Timer::Arrival { node, gen } => self.on_arrival(node, gen),
            Timer::Timeout { call, token } => {
                let Some(c) = self.call_mut(call) else { return };
                if !c.waiting || c.token != token {
                    return;
                }
                c.waiting = false;
                let cause = if c.partition_dropped { Cause::Partition } else { Cause::Timeout };
                self.on_result(call, Err(cause));
            }
            Timer::ServiceDone { call } => self.on_service_done(call),
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

    // ----- clients -----

    #[inline(always)]
    fn current_rate(&self, node: NodeIx) -> (f64, f64) {
        let n = &self.nodes[node];
        let (NodeKind::Client(c), Runtime::Client { spike, .. }) = (&n.kind, &n.rt) else { return (0.0, 0.0) };
        let base = c.rate_rps * spike;
        match c.pattern {
            RatePattern::Constant => (base, base),
            RatePattern::Diurnal { period_s, amplitude } => {
                let phase = 2.0 * core::f64::consts::PI * self.now.as_secs_f64() / period_s;
                (base * (1.0 + amplitude * libm::sin(phase)), base * (1.0 + amplitude))
            }
        }
    }

    fn schedule_arrival(&mut self, node: NodeIx, gen: u32) {
        let (_, max_rate) = self.current_rate(node);
        self.schedule_arrival_at_rate(node, gen, max_rate);
    }

    /// Schedules the client's next candidate arrival, thinned later to the current rate.
    #[inline(always)]
    fn schedule_arrival_at_rate(&mut self, node: NodeIx, gen: u32, max_rate: f64) {
        if max_rate <= 0.0 || !self.nodes[node].serving() {
            return;
        }
        let gap = random::exponential(&mut self.nodes[node].rng, 1e9 / max_rate);
        let at = self.now.after(SimDuration::from_nanos_f64(gap).max(SimDuration(1)));
        self.schedule(at, Timer::Arrival { node, gen });
    }

    fn restart_arrivals(&mut self, node: NodeIx) {
        if let Runtime::Client { arrival_gen, .. } = &mut self.nodes[node].rt {
            *arrival_gen += 1;
            let gen = *arrival_gen;
            self.schedule_arrival(node, gen);
        }
    }

    fn on_arrival(&mut self, node: NodeIx, gen: u32) {
        let n = &self.nodes[node];
        let (NodeKind::Client(_), Runtime::Client { arrival_gen, .. }) = (&n.kind, &n.rt) else { return };
        if *arrival_gen != gen || !n.serving() {
            return;
        }
        let (rate, max_rate) = self.current_rate(node);
        let now = self.now;
        let n = &mut self.nodes[node];
        let accept = rate >= max_rate || random::uniform(&mut n.rng) * max_rate < rate;
        if accept {
            let NodeKind::Client(c) = &n.kind else { return };
            let (m, timeout_ms) = (&c.mix, c.timeout_ms);
            let total = m.read + m.write + m.static_asset + m.job;
            let u = random::uniform(&mut n.rng) * total;
            let kind = if u < m.read {
                ReqKind::Read
            } else if u < m.read + m.write {
                ReqKind::Write
            } else if u < m.read + m.write + m.static_asset {
                ReqKind::Static
            } else {
                ReqKind::Job
            };
            let Runtime::Client { keys, .. } = &n.rt else { return };
            let key = keys.sample(&mut n.rng);
            let deadline = match timeout_ms {
                Some(t) => now.after(SimDuration::from_millis_f64(t)),
                None => SimTime::NEVER,
            };
            let traced = self.trace_countdown == 0;
            if self.metrics_cfg.trace_every > 0 {
                self.trace_countdown = if traced { self.metrics_cfg.trace_every - 1 } else { self.trace_countdown - 1 };
            }
            let req = Req { kind, key, created_at: now, deadline, attempt: 0, origin: node.as_origin(), traced };
            self.global.arrived += 1;
            self.global.in_flight.add(now, 1);
            self.start_attempt(node, req);
        }
        self.schedule_arrival_at_rate(node, gen, max_rate);
    }

    fn start_attempt(&mut self, node: NodeIx, req: Req) {
        let now = self.now;
        self.global.attempts += 1;
        self.nodes[node].stats.arrived += 1;
        let id = self.alloc_call(Call::arriving(node, req, now));
        match self.nodes[node].out_edges.first().copied() {
            Some(e) => self.send(id, e),
            None => {
                // No route: answer the attempt at once with "node down".
                if let Some(c) = self.call_mut(id) {
                    c.waiting = true;
                }
                self.schedule(now, Ev::Respond { to: id, token: 0, outcome: Err(Cause::NodeDown), ver: 0 });
            }
        }
    }

    fn client_result(&mut self, id: CallId, outcome: Outcome) {
        let Some(call) = self.end_call(id, outcome) else { return };
        if outcome.is_err() && self.retry_later(call.node, call.req) {
            return;
        }
        self.client_final(outcome, call.req);
    }

    /// Schedules the next attempt of a failed request when the client's retry policy allows
    /// one more (false: the request has failed for good).
    #[cold]
    #[inline(never)]
    fn retry_later(&mut self, node: NodeIx, mut req: Req) -> bool {
        let now = self.now;
        let n = &mut self.nodes[node];
        let NodeKind::Client(c) = &n.kind else { return false };
        let Some(r) = &c.retry else { return false };
        if u32::from(req.attempt) >= r.max_retries {
            return false;
        }
        let backoff = (r.base_backoff_ms * libm::pow(r.multiplier, f64::from(req.attempt))).min(r.max_backoff_ms);
        let ms = match r.jitter {
            Jitter::None => backoff,
            Jitter::Full => backoff * random::uniform(&mut n.rng),
            Jitter::Equal => backoff / 2.0 + backoff / 2.0 * random::uniform(&mut n.rng),
        };
        req.attempt += 1;
        if let Some(t) = c.timeout_ms {
            req.deadline = now.after(SimDuration::from_millis_f64(ms + t));
        }
        self.schedule(now.after(SimDuration::from_millis_f64(ms)), Ev::Retry { node, req });
        true
    }

    fn client_final(&mut self, outcome: Outcome, req: Req) {
        let now = self.now;
        match outcome {
            Ok(()) => {
                self.global.completed += 1;
                let d = now.since(req.created_at);
                self.global.latency.record(d);
            }
            Err(c) => self.global.failed.add(c),
        }
        self.global.in_flight.add(now, -1);
    }

    // ----- arrivals at a node -----

    /// `node` turns away a request that reached it over `edge` without taking it in.
    #[cold]
    #[inline(never)]
    #[allow(clippy::too_many_arguments)]
    fn refuse(&mut self, node: NodeIx, edge: EdgeIx, parent: CallId, token: u32, cause: Cause, traced: bool) {
        self.nodes[node].stats.errors.add(cause);
        self.reply(node, edge, parent, token, Err(cause), 0, traced);
    }

    fn on_deliver(&mut self, to: NodeIx, edge: EdgeIx, parent: CallId, token: u32, req: Req) {
        let now = self.now;
        let n = &mut self.nodes[to];
        n.stats.arrived += 1;
        if !n.serving() {
            self.refuse(to, edge, parent, token, Cause::NodeDown, req.traced);
            return;
        }
        if let (NodeKind::RateLimiter(r), Runtime::Limiter { tokens, last }) = (&n.kind, &mut n.rt) {
            let dt = now.since(*last).as_secs_f64();
            *tokens = (*tokens + dt * r.rate_rps).min(f64::from(r.burst));
            *last = now;
            if *tokens >= 1.0 {
                *tokens -= 1.0;
            } else {
                self.refuse(to, edge, parent, token, Cause::RateLimited, req.traced);
                return;
            }
        }
        let id = self.alloc_call(Call {
            parent: Some(parent),
            parent_token: token,
            in_edge: edge,
            ..Call::arriving(to, req, now)
        });
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
            NodeKind::Cache(_)
            | NodeKind::Cdn(_)
            | NodeKind::ShardRouter(_)
            | NodeKind::MessageQueue(_)
            | NodeKind::GeoDns(_)
            | NodeKind::ReplicatedStore(_) => self.data_deliver(to, id),
            NodeKind::LoadBalancer(_) | NodeKind::AutoscalingGroup(_) => match self.pick_backend(to, req.key) {
                Some(e) => self.send(id, e),
                None => self.finish(id, Err(Cause::NodeDown)),
            },
            NodeKind::RateLimiter(_) => match self.nodes[to].out_edges.first().copied() {
                Some(e) => self.send(id, e),
                None => self.finish(id, Err(Cause::NodeDown)),
            },
            NodeKind::Client(_) => self.finish(id, Err(Cause::NodeDown)),
        }
    }

    fn on_result(&mut self, id: CallId, outcome: Outcome) {
        let Some(call) = self.call(id) else { return };
        let (node, edge, sent_at) = (call.node, call.out_edge, call.sent_at);
        self.on_result_of(id, node, edge, sent_at, outcome);
    }

    /// [`Sim::on_result`] for the call `id` at `node`, which sent on `edge` at `sent_at`.
    #[inline(always)]
    fn on_result_of(&mut self, id: CallId, node: NodeIx, edge: EdgeIx, sent_at: SimTime, outcome: Outcome) {
        if edge.is_some() {
            let e = &mut self.edges[edge];
            e.outstanding = e.outstanding.saturating_sub(1);
            if outcome.is_ok() && e.balanced {
                let s = self.now.since(sent_at).0 as f64;
                e.ewma_ns = if e.ewma_ns == 0.0 { s } else { 0.8 * e.ewma_ns + 0.2 * s };
            }
        }
        match self.nodes[node].kind {
            NodeKind::Client(_) => self.client_result(id, outcome),
            NodeKind::Server(_) | NodeKind::Database(_) => match outcome {
                Ok(()) => self.continue_downstream(id),
                Err(c) => self.finish(id, Err(c)),
            },
            NodeKind::LoadBalancer(_) | NodeKind::RateLimiter(_) | NodeKind::AutoscalingGroup(_) => {
                self.finish(id, outcome)
            }
            NodeKind::Cache(_)
            | NodeKind::Cdn(_)
            | NodeKind::ShardRouter(_)
            | NodeKind::MessageQueue(_)
            | NodeKind::GeoDns(_)
            | NodeKind::ReplicatedStore(_) => self.data_result(id, outcome),
        }
    }

    // ----- stations (servers and databases) -----

    #[inline(always)]
    fn station_admit(&mut self, node: NodeIx, id: CallId) {
        let now = self.now;
        let n = &mut self.nodes[node];
        let workers = u64::from(n.limits.workers);
        let cap = n.limits.queue_capacity as usize;
        let Runtime::Station { queue, .. } = &mut n.rt else { return };
        // A free worker with requests still queued happens only while `start_next` is
        // answering expired ones (zero-latency answers run inline): queue behind them.
        if n.stats.busy.value < workers && queue.is_empty() {
            self.start_service(node, id);
        } else if queue.len() < cap {
            queue.push_back(id);
            n.stats.queue.set(now, queue.len() as u64);
        } else {
            self.finish(id, Err(Cause::QueueFull));
        }
    }

    #[inline(always)]
    fn start_service(&mut self, node: NodeIx, id: CallId) {
        let now = self.now;
        let Some(c) = Sim::call_in(&mut self.slab, id) else { return };
        let n = &mut self.nodes[node];
        n.stats.busy.add(now, 1);
        let dist = match &n.kind {
            NodeKind::Server(s) => &s.service_time,
            NodeKind::Database(d) if c.req.kind == ReqKind::Write => &d.write_service_time,
            NodeKind::Database(d) => &d.read_service_time,
            _ => return,
        };
        let d = random::service_time(&mut n.rng, dist, n.slow);
        c.holds_worker = true;
        self.schedule(now.after(d), Timer::ServiceDone { call: id });
    }

    /// A hop at `node` gives its worker slot back (calls of a killed node are dropped with
    /// their slots, so a release always matches a start).
    #[inline(always)]
    fn release_worker(&mut self, node: NodeIx) {
        let now = self.now;
        self.nodes[node].stats.busy.add(now, -1);
        self.start_next(node);
    }

    /// Starts queued requests while workers are free (dropping ones past their timeout).
    #[inline(always)]
    fn start_next(&mut self, node: NodeIx) {
        if let Runtime::Station { queue } = &self.nodes[node].rt {
            if !queue.is_empty() {
                self.start_queued(node);
            }
        }
    }

    /// [`Sim::start_next`] once some request is queued.
    #[inline(never)]
    fn start_queued(&mut self, node: NodeIx) {
        let now = self.now;
        loop {
            let n = &mut self.nodes[node];
            if !n.serving() || n.stats.busy.value >= n.workers() as u64 {
                return;
            }
            let queue_timeout = n.limits.queue_timeout;
            let Runtime::Station { queue, .. } = &mut n.rt else { return };
            let Some(id) = queue.pop_front() else { return };
            n.stats.queue.set(now, queue.len() as u64);
            let Some(c) = self.call(id) else { continue };
            let expired = now >= c.req.deadline || queue_timeout.is_some_and(|t| now.since(c.arrived_at) > t);
            if expired {
                self.finish(id, Err(Cause::Timeout));
            } else {
                self.start_service(node, id);
            }
        }
    }

    fn on_service_done(&mut self, id: CallId) {
        let Some(c) = self.call(id) else { return };
        let (node, worker) = (c.node, c.holds_worker);
        let NodeKind::Server(s) = &self.nodes[node].kind else {
            if !self.data_service_done(id) {
                self.continue_downstream(id);
            }
            return;
        };
        if s.downstream == DownstreamMode::Forward && worker {
            if let Some(c) = self.call_mut(id) {
                c.holds_worker = false;
            }
            self.release_worker(node);
        }
        self.continue_downstream(id);
    }

    /// Calls the next downstream edge, or answers when there is none left.
    fn continue_downstream(&mut self, id: CallId) {
        let Some(c) = Sim::call_in(&mut self.slab, id) else { return };
        let n = &self.nodes[c.node];
        let edge = if c.req.kind == ReqKind::Static || !matches!(n.kind, NodeKind::Server(_)) {
            None
        } else {
            n.out_edges.get(c.next_edge as usize).copied()
        };
        match edge {
            Some(e) => {
                c.next_edge += 1;
                self.send(id, e);
            }
            None => self.finish(id, Ok(())),
        }
    }

    // ----- balancers and groups -----

    fn backend_ok(&self, node: NodeIx, edge: EdgeIx) -> bool {
        let e = &self.edges[edge];
        let target = &self.nodes[e.to];
        match &self.nodes[node].kind {
            NodeKind::AutoscalingGroup(_) => target.serving() && !target.draining,
            NodeKind::LoadBalancer(lb) => lb.health_check.is_none() || e.healthy,
            _ => true,
        }
    }

    fn pick_backend(&mut self, node: NodeIx, key: u32) -> Option<EdgeIx> {
        let mut cands = std::mem::take(&mut self.scratch);
        cands.clear();
        for &e in &self.nodes[node].out_edges {
            if self.backend_ok(node, e) {
                cands.push(e);
            }
        }
        let chosen = self.choose(node, &cands, key);
        self.scratch = cands;
        chosen
    }

    fn choose(&mut self, node: NodeIx, cands: &[EdgeIx], key: u32) -> Option<EdgeIx> {
        if cands.is_empty() {
            return None;
        }
        let k = cands.len() as u32;
        let n = &mut self.nodes[node];
        let policy = match &n.kind {
            NodeKind::LoadBalancer(lb) => lb.policy,
            NodeKind::AutoscalingGroup(a) => a.policy,
            _ => LbPolicy::RoundRobin,
        };
        let rr = match &mut n.rt {
            Runtime::Balancer { rr, .. } => rr,
            Runtime::Group(g) => &mut g.rr,
            _ => return cands.first().copied(),
        };
        *rr = rr.wrapping_add(1);
        let start = *rr % k;
        let edges = &mut self.edges;
        let rotated = (0..k).map(|i| cands[((start + i) % k) as usize]);
        let pick = match policy {
            LbPolicy::RoundRobin => cands[start as usize],
            LbPolicy::WeightedRoundRobin => {
                let total: i64 = cands.iter().map(|&e| i64::from(edges[e].spec.weight)).sum();
                let mut best = cands[0];
                for &e in cands {
                    let ed = &mut edges[e];
                    ed.wrr_current += i64::from(ed.spec.weight);
                    if ed.wrr_current > edges[best].wrr_current {
                        best = e;
                    }
                }
                edges[best].wrr_current -= total;
                best
            }
            LbPolicy::LeastConnections => rotated.min_by_key(|&e| edges[e].outstanding)?,
            LbPolicy::LeastResponseTime => rotated.min_by(|&a, &b| {
                let score = |e: EdgeIx| (edges[e].ewma_ns + 1.0) * (edges[e].outstanding as f64 + 1.0);
                score(a).total_cmp(&score(b))
            })?,
            LbPolicy::Hash => {
                let h = random::fnv1a(&key.to_le_bytes());
                cands[(h % u64::from(k)) as usize]
            }
            LbPolicy::Random => cands[random::below(&mut n.rng, k) as usize],
            LbPolicy::PowerOfTwo => {
                let a = random::below(&mut n.rng, k);
                let mut b = random::below(&mut n.rng, k.saturating_sub(1).max(1));
                if k > 1 && b >= a {
                    b += 1;
                }
                let (ea, eb) = (cands[a as usize], cands[(b % k) as usize]);
                if edges[eb].outstanding < edges[ea].outstanding {
                    eb
                } else {
                    ea
                }
            }
        };
        Some(pick)
    }

    fn on_health_check(&mut self, node: NodeIx, gen: u32) {
        let n = &self.nodes[node];
        let (NodeKind::LoadBalancer(lb), Runtime::Balancer { hc_gen, .. }) = (&n.kind, &n.rt) else { return };
        if *hc_gen != gen || n.removed {
            return;
        }
        let Some(h) = lb.health_check.clone() else { return };
        let lb_id = n.id.clone();
        let out = n.out_edges.clone();
        for e in out {
            let (to, partitioned) = {
                let ed = &self.edges[e];
                (ed.to, matches!(ed.spec.state, EdgeState::Partitioned))
            };
            let alive = self.nodes[to].serving() && !partitioned;
            let ed = &mut self.edges[e];
            if alive {
                ed.hc_fails = 0;
                ed.hc_oks += 1;
                if !ed.healthy && ed.hc_oks >= h.healthy_threshold {
                    ed.healthy = true;
                    let text = format!("{} marked healthy at {} by {lb_id}", self.nodes[to].id, fmt_s(self.now));
                    self.log(text);
                }
            } else {
                ed.hc_oks = 0;
                ed.hc_fails += 1;
                if ed.healthy && ed.hc_fails >= h.unhealthy_threshold {
                    ed.healthy = false;
                    let text = format!("{} marked unhealthy at {} by {lb_id}", self.nodes[to].id, fmt_s(self.now));
                    self.log(text);
                }
            }
        }
        let at = self.now.after(SimDuration::from_millis_f64(h.interval_ms));
        self.schedule(at, Timer::HealthCheck { node, gen });
    }

    fn launch_instance(&mut self, group: NodeIx, boot: bool) {
        let now = self.now;
        let g_node = &mut self.nodes[group];
        let (NodeKind::AutoscalingGroup(a), Runtime::Group(g)) = (&g_node.kind, &mut g_node.rt) else { return };
        g.launched += 1;
        let spec = NodeSpec {
            id: format!("{}-{}", g_node.id, g.launched),
            label: None,
            x: None,
            y: None,
            region: None,
            kind: NodeKind::Server(a.server.clone()),
        };
        let templates = g.templates.clone();
        let group_id = g_node.id.clone();
        let boot_s = a.boot_s;
        let Ok(idx) = self.add_node(&spec) else { return };
        if let Runtime::Group(g) = &mut self.nodes[group].rt {
            g.instances.push(idx);
        }
        let link = EdgeSpec {
            from: group_id.clone(),
            to: spec.id.clone(),
            latency_ms: 0.0,
            jitter_ms: 0.0,
            weight: 1,
            state: EdgeState::Up,
        };
        // The group's own edge to the instance is a real edge, not a template.
        let e = EdgeIx(self.edges.len() as u32);
        self.edges.push(Edge::new(group, idx, link, true));
        self.nodes[group].out_edges.push(e);
        for mut t in templates {
            t.from = spec.id.clone();
            let _ = self.add_edge(&t, false);
        }
        if boot {
            self.nodes[idx].booting = true;
            self.schedule(now.after(SimDuration::from_secs_f64(boot_s)), Timer::BootDone { node: idx });
        }
    }

    fn on_group_tick(&mut self, node: NodeIx, gen: u32) {
        let now = self.now;
        let n = &self.nodes[node];
        let (NodeKind::AutoscalingGroup(a), Runtime::Group(g)) = (&n.kind, &n.rt) else { return };
        if g.tick_gen != gen || n.removed {
            return;
        }
        let a = a.clone();
        let dt = now.since(g.last_tick).0;
        let instances = g.instances.clone();
        let (mut busy, mut capacity) = (0u128, 0u128);
        let (mut running, mut total) = (0u32, 0u32);
        for &i in &instances {
            let inst = &mut self.nodes[i];
            let area = inst.stats.busy.at(now);
            let delta = area - inst.stats.group_mark_busy.min(area);
            inst.stats.group_mark_busy = area;
            if inst.draining || inst.removed {
                continue;
            }
            total += 1;
            if inst.serving() {
                running += 1;
                busy += delta;
                capacity += u128::from(inst.workers()) * u128::from(dt);
            }
        }
        let util = if capacity > 0 { busy as f64 / capacity as f64 } else { 0.0 };
        let Runtime::Group(g) = &mut self.nodes[node].rt else { return };
        g.last_tick = now;
        if util > a.scale_out_utilisation {
            g.above_since.get_or_insert(now);
        } else {
            g.above_since = None;
        }
        if util < a.scale_in_utilisation {
            g.below_since.get_or_insert(now);
        } else {
            g.below_since = None;
        }
        let window = SimDuration::from_secs_f64(a.window_s);
        let cooled = g.last_action.is_none_or(|t| now.since(t) >= SimDuration::from_secs_f64(a.cooldown_s));
        let held = |since: Option<SimTime>| since.is_some_and(|s| now.since(s) >= window);
        let id = self.nodes[node].id.clone();
        let Runtime::Group(g) = &mut self.nodes[node].rt else { return };
        if cooled && held(g.above_since) && total < a.max_instances {
            let k = a.step.min(a.max_instances - total);
            g.last_action = Some(now);
            g.above_since = None;
            self.log(format!(
                "{id} scaling out to {} at {} (utilisation {:.0}% above {:.0}% for {:.0} s)",
                total + k,
                fmt_s(now),
                util * 100.0,
                a.scale_out_utilisation * 100.0,
                a.window_s
            ));
            for _ in 0..k {
                self.launch_instance(node, true);
            }
        } else if cooled && held(g.below_since) && running > a.min_instances {
            let k = a.step.min(running - a.min_instances);
            g.last_action = Some(now);
            g.below_since = None;
            let mut drained = 0;
            for &i in instances.iter().rev() {
                let inst = &mut self.nodes[i];
                if drained < k && inst.serving() && !inst.draining {
                    inst.draining = true;
                    drained += 1;
                }
            }
            self.log(format!("{id} scaling in to {} at {} (utilisation {:.0}%)", total - k, fmt_s(now), util * 100.0));
        }
        // Remove drained instances once idle.
        for &i in &instances {
            let inst = &self.nodes[i];
            if inst.draining && !inst.removed && inst.stats.in_flight == 0 {
                let iid = inst.id.clone();
                self.remove_node(i);
                self.log(format!("{iid} terminated at {}", fmt_s(now)));
            }
        }
        let gone: Vec<NodeIx> = instances.iter().copied().filter(|&i| self.nodes[i].removed).collect();
        if let Runtime::Group(g) = &mut self.nodes[node].rt {
            g.instances.retain(|i| !gone.contains(i));
        }
        let at = now.after(SimDuration::from_secs_f64(a.evaluation_interval_s));
        self.schedule(at, Timer::GroupTick { node, gen });
    }

    // ----- faults -----

    /// Crashes a node: its calls are lost (callers time out), arrivals are refused.
    fn kill(&mut self, node: NodeIx) {
        let now = self.now;
        self.nodes[node].up = false;
        let mut lost = Vec::new();
        for (i, s) in self.slab.iter().enumerate() {
            if let Some(c) = &s.call {
                if c.node == node {
                    lost.push((CallId { idx: i as u32, gen: s.gen }, c.parent, c.parent_token, c.req));
                }
            }
        }
        for (id, parent, token, req) in lost {
            self.free_call(id);
            self.nodes[node].stats.errors.add(Cause::NodeDown);
            match parent {
                // A root call at a client is a user's request; one elsewhere is a node's own
                // (a write-behind flush), which its data-tier state accounts for.
                None if matches!(self.nodes[node].kind, NodeKind::Client(_)) => {
                    self.client_final(Err(Cause::NodeDown), req)
                }
                None => {}
                // A caller with a timeout waits for it (the machine went silent); one without
                // is told at once, so that nothing waits forever.
                Some(p) => {
                    let caller = self.call(p).map(|c| c.node);
                    if caller.is_some_and(|c| self.nodes[c].call_timeout().is_none()) {
                        self.schedule(now, Ev::Respond { to: p, token, outcome: Err(Cause::NodeDown), ver: 0 });
                    }
                }
            }
        }
        let n = &mut self.nodes[node];
        if let Runtime::Station { queue } = &mut n.rt {
            queue.clear();
            n.stats.queue.set(now, 0);
            n.stats.busy.set(now, 0);
        }
        let out = n.out_edges.clone();
        for e in out {
            self.edges[e].outstanding = 0;
        }
        self.data_kill(node);
    }

    fn remove_node(&mut self, node: NodeIx) {
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

    fn remove_edge(&mut self, e: EdgeIx) {
        let ed = &mut self.edges[e];
        ed.removed = true;
        let (from, to) = (ed.from, ed.to);
        self.nodes[from].out_edges.retain(|&x| x != e);
        self.data_edges_changed(from, Some(to));
    }

    // ----- commands -----

    /// Applies a command at the current instant and records it for replay.
    pub fn apply(&mut self, command: Command) -> Result<(), Error> {
        validate_command("command", &command)?;
        self.execute(&command)?;
        self.recorded.push(RecordedCommand { at: self.now, after_events: self.events, command });
        Ok(())
    }

    fn execute(&mut self, command: &Command) -> Result<(), Error> {
        let now = self.now;
        match command {
            Command::AddNode(spec) => {
                validate_node("command.add_node", spec)?;
                let id = spec.id.clone();
                self.add_node(spec).map_err(|e| Error::new("command.add_node.id", e.message))?;
                self.log(format!("{id} added at {}", fmt_s(now)));
            }
            Command::RemoveNode { id } => {
                let n = self.node_index(id, "command.remove_node.id")?;
                self.remove_node(n);
                self.log(format!("{id} removed at {}", fmt_s(now)));
            }
            Command::ReconfigureNode { id, kind } => {
                let n = self.node_index(id, "command.reconfigure_node.id")?;
                let node = &mut self.nodes[n];
                if std::mem::discriminant(&node.kind) != std::mem::discriminant(kind) {
                    return Err(Error::new(
                        "command.reconfigure_node.kind",
                        format!("{id} is a {}, not a {}", node.kind.name(), kind.name()),
                    ));
                }
                node.set_kind(kind.clone());
                if let (NodeKind::Client(c), Runtime::Client { keys, .. }) = (&node.kind, &mut node.rt) {
                    *keys = KeySampler::new(&c.keys);
                }
                self.start_node(n);
                self.start_next(n);
                self.data_edges_changed(n, None);
                self.log(format!("{id} reconfigured at {}", fmt_s(now)));
            }
            Command::AddEdge(spec) => {
                self.add_edge(spec, true).map_err(|e| Error::new(format!("command.add_edge.{}", e.path), e.message))?;
            }
            Command::RemoveEdge { from, to } => {
                let f = self.node_index(from, "command.remove_edge.from")?;
                for e in self.edges_for(from, to)? {
                    self.remove_edge(e);
                }
                if let Runtime::Group(g) = &mut self.nodes[f].rt {
                    g.templates.retain(|t| &t.to != to);
                }
            }
            Command::ReconfigureEdge(spec) => {
                for e in self.edges_for(&spec.from, &spec.to)? {
                    let from = self.edges[e].spec.from.clone();
                    self.edges[e].spec = EdgeSpec { from, ..spec.clone() };
                }
                let f = self.node_index(&spec.from, "command.reconfigure_edge.from")?;
                if let Runtime::Group(g) = &mut self.nodes[f].rt {
                    for t in g.templates.iter_mut().filter(|t| t.to == spec.to) {
                        *t = spec.clone();
                    }
                }
            }
            Command::Kill { id } => {
                let n = self.node_index(id, "command.kill.id")?;
                self.kill(n);
                self.log(format!("{id} killed at {}", fmt_s(now)));
            }
            Command::Revive { id } => {
                let n = self.node_index(id, "command.revive.id")?;
                if !self.nodes[n].up {
                    self.nodes[n].up = true;
                    self.start_node(n);
                    self.data_revive(n);
                    self.log(format!("{id} revived at {}", fmt_s(now)));
                }
            }
            Command::Slow { id, factor } => {
                let n = self.node_index(id, "command.slow.id")?;
                self.nodes[n].slow = *factor;
                self.log(format!("{id} slowed ×{factor} at {}", fmt_s(now)));
            }
            Command::Partition { from, to } | Command::Heal { from, to } => {
                let cut = matches!(command, Command::Partition { .. });
                for e in self.edges_for(from, to)? {
                    self.edges[e].spec.state = if cut { EdgeState::Partitioned } else { EdgeState::Up };
                    if !cut {
                        self.db_link_healed(e);
                    }
                }
                let f = self.node_index(from, "command.partition.from")?;
                if let Runtime::Group(g) = &mut self.nodes[f].rt {
                    for t in g.templates.iter_mut().filter(|t| &t.to == to) {
                        t.state = if cut { EdgeState::Partitioned } else { EdgeState::Up };
                    }
                }
                let verb = if cut { "partitioned" } else { "healed" };
                self.log(format!("link {from} -> {to} {verb} at {}", fmt_s(now)));
            }
            Command::SetRate { client, rate_rps } => {
                let n = self.client_index(client, "command.set_rate.client")?;
                if let NodeKind::Client(c) = &mut self.nodes[n].kind {
                    c.rate_rps = *rate_rps;
                }
                self.restart_arrivals(n);
                self.log(format!("{client} rate set to {rate_rps} rps at {}", fmt_s(now)));
            }
            Command::SetMix { client, mix } => {
                let n = self.client_index(client, "command.set_mix.client")?;
                if let NodeKind::Client(c) = &mut self.nodes[n].kind {
                    c.mix = mix.clone();
                }
            }
            Command::SetKeys { client, keys } => {
                let n = self.client_index(client, "command.set_keys.client")?;
                let node = &mut self.nodes[n];
                if let (NodeKind::Client(c), Runtime::Client { keys: sampler, .. }) = (&mut node.kind, &mut node.rt) {
                    c.keys = keys.clone();
                    *sampler = KeySampler::new(keys);
                }
            }
            Command::FlushCache { id } => {
                let n = self.node_index(id, "command.flush_cache.id")?;
                self.flush_cache(n).map_err(|m| Error::new("command.flush_cache.id", m))?;
            }
            Command::RegionOutage { region } => self.region_outage(region, true),
            Command::PartitionRegions { a, b } => self.partition_regions(a, b, true),
            Command::DeployAssets {} => self.deploy_assets(),
            Command::HealRegions { a, b } => self.partition_regions(a, b, false),
            Command::RegionRecover { region } => self.region_outage(region, false),
            Command::KillWorker { id } => {
                let n = self.node_index(id, "command.kill_worker.id")?;
                self.kill_worker(n).map_err(|m| Error::new("command.kill_worker.id", m))?;
            }
            Command::Spike { client, multiplier, duration_s } => {
                let n = self.client_index(client, "command.spike.client")?;
                let Runtime::Client { spike, spike_gen, .. } = &mut self.nodes[n].rt else {
                    return Err(Error::new("command.spike.client", "not a client"));
                };
                *spike = *multiplier;
                *spike_gen += 1;
                let gen = *spike_gen;
                self.schedule(now.after(SimDuration::from_secs_f64(*duration_s)), Timer::SpikeEnd { node: n, gen });
                self.restart_arrivals(n);
                self.log(format!("spike ×{multiplier} on {client} for {duration_s} s at {}", fmt_s(now)));
            }
            Command::SetSchedule { events } => self.set_schedule(events, false),
        }
        Ok(())
    }

    /// Replaces the timeline: events after now (or at now too, with `with_now`) are put on
    /// the agenda, in list order; the old timeline's pending events become stale.
    fn set_schedule(&mut self, events: &[ScheduledCommand], with_now: bool) {
        self.schedule_gen = self.schedule_gen.wrapping_add(1);
        let gen = self.schedule_gen;
        self.scheduled = events.iter().map(|e| e.command.clone()).collect();
        for (i, e) in events.iter().enumerate() {
            let at = SimTime::from_secs_f64(e.at_s);
            if at > self.now || (with_now && at == self.now) {
                self.schedule(at, Timer::Scheduled { index: i as u32, gen });
            }
        }
    }

    /// Scheduled commands that failed since the last call (when, why); the event log says
    /// so too.
    pub fn take_schedule_failures(&mut self) -> Vec<(SimTime, Error)> {
        std::mem::take(&mut self.schedule_failures)
    }

    fn client_index(&self, id: &str, path: &str) -> Result<NodeIx, Error> {
        let n = self.node_index(id, path)?;
        if !matches!(self.nodes[n].kind, NodeKind::Client(_)) {
            return Err(Error::new(path, format!("{id} is not a client")));
        }
        Ok(n)
    }

    // ----- windows, alerts, snapshots -----

    fn on_window(&mut self) {
        let now = self.now;
        let w = self.window.as_secs_f64();
        let g = &mut self.global;
        let failed = g.failed.total();
        let done = (g.completed - g.mark_completed) + (failed - g.mark_failed);
        let [p50_ms, p95_ms, p99_ms] = g.latency.close_window([0.5, 0.95, 0.99]);
        let point = GlobalPoint {
            t_s: now.as_secs_f64(),
            rps: (g.completed - g.mark_completed) as f64 / w,
            error_rate: if done > 0 { (failed - g.mark_failed) as f64 / done as f64 } else { 0.0 },
            p50_ms,
            p95_ms,
            p99_ms,
            in_flight: g.in_flight.value,
        };
        g.series.push(point);
        g.mark_completed = g.completed;
        g.mark_failed = failed;
        for n in self.nodes.iter_mut().filter(|n| !n.removed) {
            let workers = n.kind_workers_f64();
            let st = &mut n.stats;
            let busy = st.busy.at(now);
            let errors = st.errors.total();
            let p = NodePoint {
                t_s: now.as_secs_f64(),
                rps: (st.completed - st.mark_completed) as f64 / w,
                errors_per_s: (errors - st.mark_errors) as f64 / w,
                p95_ms: st.latency.close_window([0.95])[0],
                utilisation: if workers > 0.0 {
                    (busy - st.mark_busy.min(busy)) as f64 / (workers * self.window.0 as f64)
                } else {
                    0.0
                },
                queue_len: st.queue.value,
            };
            st.series.push(p);
            st.mark_completed = st.completed;
            st.mark_errors = errors;
            st.mark_busy = busy;
        }
        for e in &mut self.edges {
            e.window_rps = (e.sent - e.mark_sent) as f64 / w;
            e.mark_sent = e.sent;
        }
        self.data_window();
        self.check_slos(point);
        self.schedule(now.after(self.window), Timer::Window);
    }

    fn check_slos(&mut self, p: GlobalPoint) {
        let now = self.now;
        let checks = [
            (
                "p95",
                self.metrics_cfg
                    .slo_p95_ms
                    .map(|t| (p.p95_ms > t, format!("p95 {:.1} ms over target {t} ms", p.p95_ms))),
            ),
            (
                "error_rate",
                self.metrics_cfg.slo_error_rate.map(|t| {
                    (p.error_rate > t, format!("error rate {:.1}% over budget {:.1}%", p.error_rate * 100.0, t * 100.0))
                }),
            ),
        ];
        for (kind, check) in checks {
            let Some((firing, message)) = check else { continue };
            let active = self.alerts.iter().position(|a| a.kind == kind);
            match (firing, active) {
                (true, None) => {
                    self.log(format!("ALERT {message} at {}", fmt_s(now)));
                    self.alerts.push(Alert { kind: kind.to_string(), since_s: now.as_secs_f64(), message });
                }
                (false, Some(i)) => {
                    self.alerts.remove(i);
                    self.log(format!("resolved: {kind} back within SLO at {}", fmt_s(now)));
                }
                _ => {}
            }
        }
    }

    /// Plain-data metrics for the UI.
    pub fn snapshot(&self) -> Snapshot {
        let now = self.now;
        let secs = now.as_secs_f64();
        let per_s = |x: u64| if secs > 0.0 { x as f64 / secs } else { 0.0 };
        let mean_area = |a: u128| if now.0 > 0 { a as f64 / now.0 as f64 } else { 0.0 };
        let g = &self.global;
        let global = GlobalView {
            arrived: g.arrived,
            attempts: g.attempts,
            retries: g.retries,
            completed: g.completed,
            failed: g.failed,
            in_flight: g.in_flight.value,
            throughput_rps: per_s(g.completed),
            mean_in_flight: mean_area(g.in_flight.at(now)),
            latency: g.latency.summary(),
            window: g.series.last().copied().unwrap_or_default(),
            data: DataTotals::default(),
        };
        // Time the hops still at each node have spent there so far.
        let mut present = vec![0u128; self.nodes.len()];
        for c in self.slab.iter().filter_map(|s| s.call.as_ref()) {
            present[c.node.ix()] += u128::from(now.since(c.arrived_at).0);
        }
        let nodes: Vec<NodeView> = self
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| !n.removed)
            .map(|(i, n)| {
                let st = &n.stats;
                let workers = n.kind_workers_f64();
                let health = if !n.up {
                    Health::Down
                } else if n.booting {
                    Health::Booting
                } else if n.draining {
                    Health::Draining
                } else {
                    Health::Up
                };
                let idx = NodeIx(i as u32);
                NodeView {
                    id: n.id.clone(),
                    label: n.label.clone(),
                    kind: n.kind.name().to_string(),
                    x: n.x,
                    y: n.y,
                    health,
                    marked_unhealthy: self.edges.iter().any(|e| !e.removed && e.to == idx && !e.healthy),
                    slow_factor: n.slow,
                    arrived: st.arrived,
                    completed: st.completed,
                    errors: st.errors,
                    in_flight: st.in_flight,
                    queue_len: st.queue.value,
                    busy_workers: st.busy.value,
                    workers: n.workers() as u64,
                    utilisation: if workers > 0.0 { mean_area(st.busy.at(now)) / workers } else { 0.0 },
                    mean_queue_len: mean_area(st.queue.at(now)),
                    mean_in_flight: mean_area(st.in_flight_done_ns + present[i]),
                    throughput_rps: per_s(st.completed),
                    latency: st.latency.summary(),
                    window: st.series.last().copied().unwrap_or_default(),
                    series: st.series.to_vec(),
                    instances: match &n.rt {
                        Runtime::Group(g) => g.instances.len() as u64,
                        _ => 0,
                    },
                    region: self.data.region(idx).map(str::to_string),
                    monthly_cost_usd: self.monthly_cost_usd(n),
                    cache: self.cache_view(n),
                    database: self.database_view(n),
                    shards: self.shard_view(n),
                    message_queue: self.queue_view(n),
                    store: self.store_view(n),
                    sessions: self.session_view(idx, n),
                }
            })
            .collect();
        let edges = self
            .edges
            .iter()
            .filter(|e| !e.removed)
            .map(|e| EdgeView {
                from: self.nodes[e.from].id.clone(),
                to: self.nodes[e.to].id.clone(),
                state: e.spec.state,
                sent: e.sent,
                dropped: e.dropped,
                window_rps: e.window_rps,
                outstanding: e.outstanding,
                healthy: e.healthy,
            })
            .collect();
        let mut global = global;
        global.data = self.data_totals(&nodes);
        Snapshot {
            now_s: secs,
            events_processed: self.events,
            global,
            nodes,
            edges,
            series: g.series.to_vec(),
            alerts: self.alerts.clone(),
            log: self.log.iter().cloned().collect(),
            hops: self
                .hops
                .to_vec()
                .into_iter()
                .map(|h| HopView {
                    from: self.nodes[h.from].id.clone(),
                    to: self.nodes[h.to].id.clone(),
                    depart_s: h.depart.as_secs_f64(),
                    arrive_s: h.arrive.as_secs_f64(),
                    response: h.response,
                    error: h.outcome.err(),
                })
                .collect(),
        }
    }

    /// Digest of the current snapshot (see [`Snapshot::digest`]).
    pub fn digest(&self) -> u64 {
        self.snapshot().digest()
    }

    /// Requests in flight counted directly from the live calls and pending retries, for
    /// checking the conservation law against the counters.
    #[doc(hidden)]
    pub fn debug_in_flight_recount(&self) -> u64 {
        let user_request = |c: &Call| c.parent.is_none() && matches!(self.nodes[c.node].kind, NodeKind::Client(_));
        let roots = self.slab.iter().filter(|s| s.call.as_ref().is_some_and(user_request)).count() as u64;
        let retries = self.agenda.count(|ev| matches!(ev, Ev::Retry { .. })) as u64;
        roots + retries
    }

    /// Smallest time of a pending event (for checking time never goes back).
    #[doc(hidden)]
    pub fn debug_next_event_at(&self) -> Option<SimTime> {
        self.agenda.next_at(self.now)
    }
}

impl Node {
    fn kind_workers_f64(&self) -> f64 {
        f64::from(self.workers())
    }
}
