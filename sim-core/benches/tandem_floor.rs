//! Yardstick for the tandem benchmark: the same open network (λ = 800/s → web M/M/4 at
//! 250/s → db M/M/2 at 500/s, 200 simulated seconds, median of 5 seeds) hand-written for this
//! one topology, with none of the engine's generality: no node kinds, edges, tokens, timeouts,
//! partitions or retries, three fixed event types, one record per request.
//!
//! By default it keeps the measurements the engine keeps for this network: each hop's and
//! each request's latency in a cumulative and a per-window log-linear histogram (the engine's
//! resolutions, windows of 1 s), and the time-weighted busy and queue counts of both stations.
//! With `--bare` it keeps only the sum of sojourns, as the SimPy model does. A general engine
//! does at least this program's work, so `bench/compare.sh` reports sim-core's speed as a
//! fraction of it.
//!
//! `cargo bench -p sim-core --bench tandem_floor [-- --bare] [-- --json]`

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::hint::black_box;
use std::time::Instant;

use histogram::{Bucket, Histogram, Histogram32};
use rand::{RngExt, SeedableRng};
use rand_distr::Exp1;
use rand_pcg::Pcg64;

const SECOND: u64 = 1_000_000_000;
const HORIZON: u64 = 200 * SECOND;
const MAX_POWER: u8 = 40;

/// A latency record like the engine's: exact count, sum and maximum beside the histograms.
struct Recorder {
    total: Histogram,
    window: Histogram32,
    count: u64,
    sum_ns: u128,
    max_us: u64,
    window_count: u64,
    window_max_us: u64,
}

impl Recorder {
    fn new() -> Recorder {
        Recorder {
            total: Histogram::new(8, MAX_POWER).expect("valid histogram"),
            window: Histogram32::new(7, MAX_POWER).expect("valid histogram"),
            count: 0,
            sum_ns: 0,
            max_us: 0,
            window_count: 0,
            window_max_us: 0,
        }
    }

    #[inline]
    fn record(&mut self, ns: u64) {
        let us = (ns / 1000).clamp(1, (1 << MAX_POWER) - 1);
        let _ = self.total.increment(us);
        let _ = self.window.increment(us);
        self.count += 1;
        self.sum_ns += u128::from(ns);
        self.max_us = self.max_us.max(us);
        self.window_count += 1;
        self.window_max_us = self.window_max_us.max(us);
    }

    /// The window's latencies at `quantiles` (µs), then an empty window.
    fn close_window<const N: usize>(&mut self, quantiles: [f64; N]) -> [u64; N] {
        if self.window_count == 0 {
            return [0; N];
        }
        let mut out: [Option<Bucket>; N] = [const { None }; N];
        let _ = self.window.quantile_buckets_into(&quantiles, &mut out);
        self.window.reset();
        self.window_count = 0;
        let max = std::mem::take(&mut self.window_max_us);
        out.map(|b| b.map_or(0, |b| b.end().min(max)))
    }
}

/// A time-weighted count.
#[derive(Default)]
struct Area {
    value: u64,
    area: u128,
    since: u64,
}

impl Area {
    #[inline]
    fn add(&mut self, now: u64, delta: i64) {
        self.area += u128::from(self.value) * u128::from(now - self.since);
        self.since = now;
        self.value = self.value.saturating_add_signed(delta);
    }
}

struct Station {
    workers: u32,
    mean_ns: f64,
    rng: Pcg64,
    queue: VecDeque<u32>,
    busy: Area,
    queued: Area,
    latency: Recorder,
}

/// Events: the kind in the top two bits, the request's record below.
const ARRIVAL: u32 = 0;
const WEB_DONE: u32 = 1 << 30;
const DB_DONE: u32 = 2 << 30;
const REQ: u32 = (1 << 30) - 1;

/// Per request: when it was created and when it reached each station.
#[derive(Clone, Copy, Default)]
struct Request {
    created: u64,
    at_web: u64,
    at_db: u64,
}

struct Tandem {
    metrics: bool,
    now: u64,
    seq: u64,
    agenda: BinaryHeap<Reverse<(u64, u64, u32)>>,
    client: Pcg64,
    web: Station,
    db: Station,
    requests: Vec<Request>,
    free: Vec<u32>,
    client_latency: Recorder,
    global_latency: Recorder,
    completed: u64,
    sojourn_ns: u128,
}

impl Tandem {
    fn new(seed: u64, metrics: bool) -> Tandem {
        let station = |workers, mean_ms: f64, stream| Station {
            workers,
            mean_ns: mean_ms * 1e6,
            rng: Pcg64::seed_from_u64(seed.wrapping_mul(3).wrapping_add(stream)),
            queue: VecDeque::new(),
            busy: Area::default(),
            queued: Area::default(),
            latency: Recorder::new(),
        };
        Tandem {
            metrics,
            now: 0,
            seq: 0,
            agenda: BinaryHeap::new(),
            client: Pcg64::seed_from_u64(seed.wrapping_mul(3)),
            web: station(4, 4.0, 1),
            db: station(2, 2.0, 2),
            requests: Vec::new(),
            free: Vec::new(),
            client_latency: Recorder::new(),
            global_latency: Recorder::new(),
            completed: 0,
            sojourn_ns: 0,
        }
    }

    #[inline]
    fn schedule(&mut self, at: u64, ev: u32) {
        self.seq += 1;
        self.agenda.push(Reverse((at, self.seq, ev)));
    }

    fn schedule_arrival(&mut self) {
        let gap = 1.25e6 * self.client.sample::<f64, _>(Exp1);
        self.schedule(self.now + (gap as u64).max(1), ARRIVAL);
    }

    /// Request `id` reaches the web station (`db` false) or the db station.
    #[inline]
    fn admit(&mut self, db: bool, id: u32) {
        let (now, metrics) = (self.now, self.metrics);
        let st = if db { &mut self.db } else { &mut self.web };
        if st.busy.value < u64::from(st.workers) {
            self.start(db, id);
        } else {
            st.queue.push_back(id);
            if metrics {
                st.queued.add(now, 1);
            }
        }
    }

    #[inline]
    fn start(&mut self, db: bool, id: u32) {
        let now = self.now;
        let st = if db { &mut self.db } else { &mut self.web };
        st.busy.add(now, 1);
        let d = st.mean_ns * st.rng.sample::<f64, _>(Exp1);
        self.schedule(now + (d + 0.5) as u64, id | if db { DB_DONE } else { WEB_DONE });
    }

    /// A worker of the station is free: it takes the next queued request.
    #[inline]
    fn release(&mut self, db: bool) {
        let (now, metrics) = (self.now, self.metrics);
        let st = if db { &mut self.db } else { &mut self.web };
        st.busy.add(now, -1);
        if let Some(next) = st.queue.pop_front() {
            if metrics {
                st.queued.add(now, -1);
            }
            self.start(db, next);
        }
    }

    fn on_arrival(&mut self) {
        // The engine draws each request's kind and key; so does this program.
        let _kind: f64 = self.client.random();
        let _key = self.client.random_range(0..1000_u32);
        let now = self.now;
        let r = Request { created: now, at_web: now, at_db: 0 };
        let id = match self.free.pop() {
            Some(id) => {
                self.requests[id as usize] = r;
                id
            }
            None => {
                self.requests.push(r);
                self.requests.len() as u32 - 1
            }
        };
        self.admit(false, id);
        self.schedule_arrival();
    }

    fn on_web_done(&mut self, id: u32) {
        self.release(false);
        self.requests[id as usize].at_db = self.now;
        self.admit(true, id);
    }

    fn on_db_done(&mut self, id: u32) {
        self.release(true);
        let now = self.now;
        let r = self.requests[id as usize];
        let sojourn = now - r.created;
        if self.metrics {
            self.db.latency.record(now - r.at_db);
            self.web.latency.record(now - r.at_web);
            self.client_latency.record(sojourn);
            self.global_latency.record(sojourn);
        }
        self.completed += 1;
        self.sojourn_ns += u128::from(sojourn);
        self.free.push(id);
    }

    fn close_window(&mut self) {
        // Nothing reads the windows' percentiles here, as nothing reads them in the engine's
        // benchmark; `black_box` keeps the compiler from dropping the work as unused.
        black_box(self.global_latency.close_window([0.5, 0.95, 0.99]));
        for r in [&mut self.client_latency, &mut self.web.latency, &mut self.db.latency] {
            black_box(r.close_window([0.95]));
        }
    }

    /// Runs to the horizon; the number of completed requests and their mean sojourn (ms).
    fn run(mut self) -> (u64, f64) {
        self.schedule_arrival();
        let mut next_window = SECOND;
        while let Some(Reverse((at, _, ev))) = self.agenda.pop() {
            if at > HORIZON {
                break;
            }
            self.now = at;
            if self.metrics && at >= next_window {
                self.close_window();
                next_window += SECOND;
            }
            match ev & !REQ {
                ARRIVAL => self.on_arrival(),
                WEB_DONE => self.on_web_done(ev & REQ),
                _ => self.on_db_done(ev & REQ),
            }
        }
        // The engine's snapshot reads every recorder and area; so does this.
        black_box((&self.client_latency, &self.global_latency, &self.web, &self.db));
        (self.completed, self.sojourn_ns as f64 / self.completed.max(1) as f64 / 1e6)
    }
}

fn main() {
    let json = std::env::args().any(|a| a == "--json");
    let bare = std::env::args().any(|a| a == "--bare");
    let mut rates = Vec::new();
    let mut sojourn = 0.0;
    for seed in 1..=5 {
        let start = Instant::now();
        let (completed, mean_ms) = Tandem::new(seed, !bare).run();
        rates.push(completed as f64 / start.elapsed().as_secs_f64());
        sojourn += mean_ms / 5.0;
    }
    rates.sort_by(f64::total_cmp);
    let median = rates[rates.len() / 2];
    let name = if bare { "hand-written, sojourns only" } else { "hand-written, engine's metrics" };
    if json {
        println!("{{\"engine\": \"{name}\", \"requests_per_wall_s\": {median:.0}, \"mean_sojourn_ms\": {sojourn:.4}}}");
    } else {
        println!("tandem network {name}, 200 simulated s × 5 seeds");
        println!("  requests per wall second (median): {median:.0}");
        println!("  mean sojourn {sojourn:.3} ms");
    }
}
