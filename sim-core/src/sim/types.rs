//! The engine's own types: node and edge indices, requests and their hops (calls), events,
//! nodes and edges with their runtime state and counters.

use std::collections::VecDeque;
use std::ops::{Index, IndexMut};

use rand_pcg::Pcg64;

use super::*;

/// Index of a node in `Sim::nodes` (node indices stay below `MAX_NODES`).
#[repr(transparent)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct NodeIx(pub(super) u32);

/// Index of an edge in `Sim::edges`.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct EdgeIx(pub(super) u32);

impl NodeIx {
    /// No node (a key whose user never logged in).
    pub(super) const NONE: NodeIx = NodeIx(u32::MAX);

    /// The client a request comes from ([`Req::origin`]).
    #[inline(always)]
    pub(super) fn of_origin(origin: u16) -> NodeIx {
        NodeIx(u32::from(origin))
    }

    /// As a request's origin (node indices fit: they stay below `MAX_NODES`).
    #[inline(always)]
    pub(super) fn as_origin(self) -> u16 {
        self.0 as u16
    }

    #[inline(always)]
    pub(super) fn ix(self) -> usize {
        self.0 as usize
    }

    /// Every index below `len`.
    pub(super) fn all(len: usize) -> impl DoubleEndedIterator<Item = NodeIx> {
        (0..len as u32).map(NodeIx)
    }
}

impl EdgeIx {
    /// No edge (the in-edge of a root call, the out-edge of a call that has sent nothing).
    pub(super) const NONE: EdgeIx = EdgeIx(u32::MAX);

    #[inline(always)]
    pub(super) fn is_some(self) -> bool {
        self != EdgeIx::NONE
    }

    #[inline(always)]
    pub(super) fn ix(self) -> usize {
        self.0 as usize
    }

    /// Every index below `len`.
    pub(super) fn all(len: usize) -> impl DoubleEndedIterator<Item = EdgeIx> {
        (0..len as u32).map(EdgeIx)
    }
}

impl Index<NodeIx> for Vec<Node> {
    type Output = Node;
    #[inline(always)]
    fn index(&self, i: NodeIx) -> &Node {
        &self[i.ix()]
    }
}

impl IndexMut<NodeIx> for Vec<Node> {
    #[inline(always)]
    fn index_mut(&mut self, i: NodeIx) -> &mut Node {
        &mut self[i.ix()]
    }
}

impl Index<EdgeIx> for Vec<Edge> {
    type Output = Edge;
    #[inline(always)]
    fn index(&self, i: EdgeIx) -> &Edge {
        &self[i.ix()]
    }
}

impl IndexMut<EdgeIx> for Vec<Edge> {
    #[inline(always)]
    fn index_mut(&mut self, i: EdgeIx) -> &mut Edge {
        &mut self[i.ix()]
    }
}

/// What a request is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ReqKind {
    Read,
    Write,
    Static,
    Job,
}

/// A request as it travels (copied into each hop).
#[derive(Clone, Copy, Debug)]
pub(super) struct Req {
    pub(super) kind: ReqKind,
    /// Retries so far (validation caps retries at 100).
    pub(super) attempt: u8,
    /// Sampled for the request-dot animation: its hops are kept in `Sim::hops`.
    pub(super) traced: bool,
    pub(super) key: u32,
    pub(super) created_at: SimTime,
    pub(super) deadline: SimTime,
    /// The client node the request comes from (its "session", for read-your-writes);
    /// node indices stay below `MAX_NODES`.
    pub(super) origin: u16,
    /// Its priority class (`standard` unless its client has a priority mix).
    pub(super) class: Priority,
    /// Its trace's handle in `Sim::spans` (0: its spans are not recorded; see `sim/spans.rs`).
    pub(super) span: u32,
}

impl Req {
    /// Its spans' handle when it is sampled for the animation.
    #[inline(always)]
    pub(super) fn tag(&self) -> Option<u32> {
        self.traced.then_some(self.span)
    }
}

// A request is copied into every hop and every delivery event: 30 bytes of fields, padded.
const _: () = assert!(std::mem::size_of::<Req>() == 32);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct CallId {
    pub(super) idx: u32,
    pub(super) gen: u32,
}

pub(super) type Outcome = Result<(), Cause>;

/// One hop of a request at the node serving it.
#[derive(Clone, Debug)]
pub(super) struct Call {
    pub(super) node: NodeIx,
    pub(super) parent: Option<CallId>,
    pub(super) parent_token: u32,
    pub(super) in_edge: EdgeIx,
    pub(super) req: Req,
    pub(super) arrived_at: SimTime,
    /// Token of the downstream call this one waits on.
    pub(super) token: u32,
    pub(super) waiting: bool,
    pub(super) partition_dropped: bool,
    pub(super) out_edge: EdgeIx,
    pub(super) sent_at: SimTime,
    /// True while the hop holds one of its node's worker slots.
    pub(super) holds_worker: bool,
    /// The next of its node's out-edges a server hop calls.
    pub(super) next_edge: u32,
    /// Where a request at a cache or CDN edge is (data tier).
    pub(super) phase: cache::CachePhase,
    /// Version of the data the answer of this hop carries (data tier).
    pub(super) ver: u32,
}

// Calls fill the slab: the phase of a cache hop fits in the padding after the flags.
const _: () = assert!(std::mem::size_of::<Call>() == 96);

impl Call {
    /// A hop arriving at `node` now, not yet waiting, sent on or served by anything.
    #[inline]
    pub(super) fn arriving(node: NodeIx, req: Req, now: SimTime) -> Call {
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
            phase: cache::CachePhase::Lookup,
            ver: 0,
        }
    }
}

#[derive(Clone, Debug)]
pub(super) struct Slot {
    pub(super) gen: u32,
    pub(super) call: Option<Call>,
}

/// Timers and service completions: most events, and small enough (16 bytes) that the agenda
/// keeps them in its heap entries rather than in its slab. (`BulkheadWait`: calls waiting
/// for room in the edge's bulkhead may go, or have waited long enough.)
#[derive(Clone, Copy, Debug)]
pub(super) enum Timer {
    Arrival { node: NodeIx, gen: u32 },
    ServiceDone { call: CallId },
    Timeout { call: CallId, token: u32 },
    HealthCheck { node: NodeIx, gen: u32 },
    GroupTick { node: NodeIx, gen: u32 },
    BootDone { node: NodeIx },
    SpikeEnd { node: NodeIx, gen: u32 },
    Window,
    Scheduled { index: u32, gen: u32 },
    BulkheadWait { edge: EdgeIx },
}

const _: () = assert!(std::mem::size_of::<Timer>() == 16);

#[derive(Clone, Debug)]
pub(super) enum Ev {
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
pub(super) enum Runtime {
    Client {
        keys: KeySampler,
        arrival_gen: u32,
        spike: f64,
        spike_gen: u32,
        /// The stream that picks its requests' priority classes, made at the first pick.
        prio_rng: Option<Box<rand_pcg::Pcg64>>,
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
pub(super) struct NodeStats {
    pub(super) arrived: u64,
    pub(super) completed: u64,
    pub(super) errors: ErrorCounts,
    pub(super) latency: Latency,
    pub(super) busy: Area,
    pub(super) queue: Area,
    /// Hops at the node now.
    pub(super) in_flight: u64,
    /// Time hops that have left the node spent there, summed (ns): with the hops still
    /// there, the integral of `in_flight` (Little's law, exactly).
    pub(super) in_flight_done_ns: u128,
    pub(super) mark_completed: u64,
    pub(super) mark_errors: u64,
    pub(super) mark_busy: u128,
    pub(super) group_mark_busy: u128,
    pub(super) series: Ring<NodePoint>,
}

#[derive(Clone, Debug)]
pub(super) struct Node {
    pub(super) id: String,
    pub(super) label: String,
    pub(super) x: Option<f64>,
    pub(super) y: Option<f64>,
    pub(super) kind: NodeKind,
    pub(super) limits: Limits,
    pub(super) up: bool,
    pub(super) removed: bool,
    pub(super) booting: bool,
    pub(super) draining: bool,
    pub(super) slow: f64,
    pub(super) out_edges: Vec<EdgeIx>,
    pub(super) rng: Pcg64,
    pub(super) rt: Runtime,
    /// Data-tier state (caches, replication, shard maps, message queues).
    pub(super) ext: data::Ext,
    pub(super) stats: NodeStats,
    /// When each core of the node's machine next falls free (empty without a machine).
    pub(super) cpu: Vec<SimTime>,
}

/// A node's limits, read on every hop: worked out from its [`NodeKind`] when the node is
/// built or reconfigured rather than matched on each time.
#[derive(Clone, Copy, Debug)]
pub(super) struct Limits {
    /// Worker slots (connections for a database).
    pub(super) workers: u32,
    /// Bounded queue length.
    pub(super) queue_capacity: u32,
    /// How long the node waits on a downstream call.
    pub(super) call_timeout: Option<SimDuration>,
    /// How long a request may wait in the node's queue.
    pub(super) queue_timeout: Option<SimDuration>,
}

impl Node {
    #[inline]
    pub(super) fn serving(&self) -> bool {
        self.up && !self.removed && !self.booting
    }

    #[inline]
    pub(super) fn workers(&self) -> u32 {
        self.limits.workers
    }

    /// How long this node waits on a downstream call.
    #[inline]
    pub(super) fn call_timeout(&self) -> Option<SimDuration> {
        self.limits.call_timeout
    }

    /// Replaces the node's parameters (same kind).
    pub(super) fn set_kind(&mut self, kind: NodeKind) {
        self.limits = Limits::of(&kind);
        let cores = machine::cores_of(&kind);
        if cores.len() != self.cpu.len() {
            self.cpu = cores;
        }
        self.kind = kind;
    }
}

#[derive(Clone, Debug)]
pub(super) struct Edge {
    pub(super) from: NodeIx,
    pub(super) to: NodeIx,
    pub(super) spec: EdgeSpec,
    pub(super) removed: bool,
    pub(super) sent: u64,
    pub(super) dropped: u64,
    pub(super) mark_sent: u64,
    pub(super) window_rps: f64,
    pub(super) outstanding: u64,
    /// Smoothed response time, kept only on the edges of balancers and autoscaling groups
    /// (the only ones a least-response-time choice reads).
    pub(super) ewma_ns: f64,
    /// True when `from` is a load balancer or an autoscaling group.
    pub(super) balanced: bool,
    pub(super) healthy: bool,
    pub(super) hc_fails: u32,
    pub(super) hc_oks: u32,
    pub(super) wrr_current: i64,
    /// The link's own stream for packet loss, made when it first loses (so that no other
    /// number of a run changes).
    pub(super) loss_rng: Option<Box<rand_pcg::Pcg64>>,
    /// When a capped link is free to carry the next request.
    pub(super) cap_free_at: SimTime,
    /// The circuit breaker, when the edge has one.
    pub(super) breaker: Option<Box<Breaker>>,
    /// True when the edge has a breaker or a bulkhead (`send` asks them).
    pub(super) guarded: bool,
    /// How long a call over the bulkhead's limit may wait for room (0: it fails at once).
    pub(super) bulkhead_wait: SimDuration,
    /// Calls waiting for room in the bulkhead, in order, with the token of their send and the
    /// instant they give up.
    pub(super) waiters: VecDeque<(CallId, u32, SimTime)>,
    /// The request kinds an app server sends over it, one bit each (0: every kind).
    pub(super) kinds: u8,
}

impl Edge {
    /// A fresh, healthy edge with no traffic yet.
    pub(super) fn new(from: NodeIx, to: NodeIx, spec: EdgeSpec, balanced: bool) -> Edge {
        let mut e = Edge {
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
            loss_rng: None,
            cap_free_at: SimTime::ZERO,
            breaker: None,
            guarded: false,
            bulkhead_wait: SimDuration(0),
            waiters: VecDeque::new(),
            kinds: 0,
        };
        e.set_options();
        e
    }

    /// Sets the breaker, the guard flag and the kinds from the spec (a new breaker starts
    /// closed).
    pub(super) fn set_options(&mut self) {
        self.breaker = self.spec.breaker.clone().map(|b| Box::new(Breaker::new(b)));
        self.guarded = self.breaker.is_some() || self.spec.bulkhead.is_some();
        let wait = self.spec.bulkhead.and(self.spec.bulkhead_wait_ms).unwrap_or(0.0);
        self.bulkhead_wait = SimDuration::from_millis_f64(wait);
        self.kinds = self.spec.kinds.iter().flatten().fold(0, |m, &k| m | ReqKind::from(k).bit());
    }

    /// Does an app server send a request of `kind` over this edge?
    #[inline(always)]
    pub(super) fn carries(&self, kind: ReqKind) -> bool {
        self.kinds == 0 || self.kinds & kind.bit() != 0
    }
}

impl ReqKind {
    #[inline(always)]
    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl From<EdgeKind> for ReqKind {
    fn from(k: EdgeKind) -> ReqKind {
        match k {
            EdgeKind::Read => ReqKind::Read,
            EdgeKind::Write => ReqKind::Write,
            EdgeKind::Job => ReqKind::Job,
        }
    }
}

#[derive(Clone, Debug)]
pub(super) struct GlobalStats {
    /// Figures per priority class, in the order of `Priority::ALL`.
    pub(super) classes: [shedding::ClassStats; 3],
    pub(super) arrived: u64,
    pub(super) attempts: u64,
    pub(super) retries: u64,
    pub(super) completed: u64,
    pub(super) failed: ErrorCounts,
    pub(super) in_flight: Area,
    pub(super) latency: Latency,
    pub(super) mark_completed: u64,
    pub(super) mark_failed: u64,
    pub(super) series: Ring<GlobalPoint>,
}

/// One hop of a sampled request, for the request-dot animation.
#[derive(Clone, Copy, Debug)]
pub(super) struct Hop {
    pub(super) from: NodeIx,
    pub(super) to: NodeIx,
    pub(super) depart: SimTime,
    pub(super) arrive: SimTime,
    pub(super) response: bool,
    pub(super) outcome: Outcome,
    /// The sampled request's id (0: its spans are not recorded).
    pub(super) request: u64,
}

/// Sampled hops kept for the animation.
pub(super) const HOPS_LEN: usize = 256;

impl Node {
    pub(super) fn kind_workers_f64(&self) -> f64 {
        f64::from(self.workers())
    }
}
