//! Message queues: producers return at once; consumers take messages, with visibility
//! timeouts, redeliveries, retries with backoff, a dead-letter queue and duplicates.

use std::collections::{BTreeMap, VecDeque};

use super::*;

#[derive(Clone, Debug)]
pub(super) struct Msg {
    key: u32,
    enqueued_at: SimTime,
    attempts: u32,
    delivery: u32,
    effects: u32,
    taken: bool,
}

/// A message queue's messages and consumers.
#[derive(Clone, Debug, Default)]
pub(super) struct QueueState {
    /// Unacknowledged messages by id (ids rise with enqueue time).
    msgs: BTreeMap<u64, Msg>,
    ready: VecDeque<u64>,
    next_id: u64,
    /// Consumer slots: the message and delivery being processed.
    slots: Vec<Option<(u64, u32)>>,
    slot_gen: Vec<u32>,
    free: Vec<u32>,
    pub(super) enqueued: u64,
    acknowledged: u64,
    redeliveries: u64,
    failures: u64,
    dlq: u64,
    duplicates: u64,
    workers_killed: u64,
    lost: u64,
}

impl Sim {
    /// A producer's request enqueues a message (producers return at once), unless the queue
    /// is full.
    pub(super) fn enqueue(&mut self, queue: NodeIx, id: CallId, key: u32) {
        let n = &mut self.nodes[queue];
        let (NodeKind::MessageQueue(q), Ext::Queue(st)) = (&n.kind, &mut n.ext) else { return };
        if st.msgs.len() >= q.capacity as usize {
            self.finish(id, Err(Cause::QueueFull));
            return;
        }
        st.next_id += 1;
        st.enqueued += 1;
        let msg = Msg { key, enqueued_at: self.now, attempts: 0, delivery: 0, effects: 0, taken: false };
        st.msgs.insert(st.next_id, msg);
        st.ready.push_back(st.next_id);
        self.finish(id, Ok(()));
        self.dispatch_jobs(queue);
    }

    /// The visibility timeout of a delivery expired: the message is visible again.
    pub(super) fn on_visibility(&mut self, queue: NodeIx, msg: u64, delivery: u32) {
        if let Ext::Queue(q) = &mut self.nodes[queue].ext {
            if let Some(m) = q.msgs.get_mut(&msg) {
                if m.taken && m.delivery == delivery {
                    m.taken = false;
                    q.ready.push_back(msg);
                }
            }
        }
        self.dispatch_jobs(queue);
    }

    /// A failed message's retry backoff is over.
    pub(super) fn on_requeue(&mut self, queue: NodeIx, msg: u64) {
        if let Ext::Queue(q) = &mut self.nodes[queue].ext {
            if q.msgs.get(&msg).is_some_and(|m| !m.taken) {
                q.ready.push_back(msg);
            }
        }
        self.dispatch_jobs(queue);
    }

    /// A queue crashed: its messages are lost, its consumers' jobs with them.
    pub(super) fn queue_crashed(&mut self, queue: NodeIx) {
        let now = self.now;
        let n = &mut self.nodes[queue];
        let Ext::Queue(st) = &mut n.ext else { return };
        st.lost += st.msgs.len() as u64;
        st.msgs.clear();
        st.ready.clear();
        for (s, g) in st.slots.iter_mut().zip(st.slot_gen.iter_mut()) {
            *s = None;
            *g = g.wrapping_add(1);
        }
        st.free = (0..st.slots.len() as u32).rev().collect();
        n.stats.busy.set(now, 0);
    }

    /// Hands ready messages to idle consumers.
    pub(super) fn dispatch_jobs(&mut self, queue: NodeIx) {
        while self.dispatch_one(queue) {}
    }

    pub(super) fn dispatch_one(&mut self, queue: NodeIx) -> bool {
        let now = self.now;
        let n = &mut self.nodes[queue];
        let NodeKind::MessageQueue(p) = &n.kind else { return false };
        let Ext::Queue(st) = &mut n.ext else { return false };
        if !n.up || n.removed || n.stats.busy.value >= u64::from(p.workers) {
            return false;
        }
        let Some(mid) = st.ready.pop_front() else { return false };
        let Some(m) = st.msgs.get_mut(&mid) else { return true };
        if m.taken {
            return true;
        }
        m.taken = true;
        m.delivery += 1;
        m.attempts += 1;
        if m.delivery > 1 {
            st.redeliveries += 1;
        }
        if !p.idempotent {
            // A consumer's side effects start with processing and are not undone by a crash.
            m.effects += 1;
            if m.effects > 1 {
                st.duplicates += 1;
            }
        }
        let delivery = m.delivery;
        let slot = match st.free.pop() {
            Some(s) => s,
            None => {
                st.slots.push(None);
                st.slot_gen.push(0);
                st.slots.len() as u32 - 1
            }
        };
        st.slots[slot as usize] = Some((mid, delivery));
        st.slot_gen[slot as usize] = st.slot_gen[slot as usize].wrapping_add(1);
        let gen = st.slot_gen[slot as usize];
        n.stats.busy.add(now, 1);
        let d = random::service_time(&mut n.rng, &p.service_time, n.slow);
        let vis = SimDuration::from_millis_f64(p.visibility_timeout_ms);
        self.schedule(now.after(d), Ev::Data(DataEv::JobDone { queue, slot, gen }));
        self.schedule(now.after(vis), Ev::Data(DataEv::Visibility { queue, msg: mid, delivery }));
        true
    }

    pub(super) fn on_job_done(&mut self, queue: NodeIx, slot: u32, gen: u32) {
        let now = self.now;
        let n = &mut self.nodes[queue];
        let NodeKind::MessageQueue(p) = &n.kind else { return };
        let Ext::Queue(st) = &mut n.ext else { return };
        if st.slot_gen.get(slot as usize) != Some(&gen) {
            return;
        }
        let Some((mid, delivery)) = st.slots[slot as usize].take() else { return };
        st.free.push(slot);
        n.stats.busy.add(now, -1);
        let mut dead_letter = None;
        let mut retry = None;
        if let Some(m) = st.msgs.get_mut(&mid) {
            if !m.taken {
                // Its visibility timeout made it visible again while this delivery ran: this
                // outcome settles it, so it leaves the ready list.
                st.ready.retain(|&x| x != mid);
            }
            if m.key < p.poison_keys {
                st.failures += 1;
                if m.delivery == delivery {
                    m.taken = false;
                    if m.attempts >= p.max_attempts {
                        dead_letter = Some((m.key, m.attempts));
                    } else {
                        let backoff = p.retry_backoff_ms * libm::pow(2.0, f64::from(m.attempts - 1));
                        retry = Some(SimDuration::from_millis_f64(backoff));
                    }
                }
            } else {
                if p.idempotent && m.effects == 0 {
                    // Effects and the dedupe record commit together at the end.
                    m.effects = 1;
                }
                st.msgs.remove(&mid);
                st.acknowledged += 1;
            }
        }
        if let Some((key, attempts)) = dead_letter {
            st.msgs.remove(&mid);
            st.dlq += 1;
            let id = n.id.clone();
            self.log(format!(
                "{id}: message for key {key} moved to the dead-letter queue after {attempts} attempts at {}",
                fmt_s(now)
            ));
        }
        if let Some(d) = retry {
            self.schedule(now.after(d), Ev::Data(DataEv::Requeue { queue, msg: mid }));
        }
        self.dispatch_jobs(queue);
    }

    /// Kills one busy consumer mid-job; a new one takes its place at once.
    pub(super) fn kill_worker(&mut self, queue: NodeIx) -> Result<(), String> {
        let now = self.now;
        let n = &mut self.nodes[queue];
        let Ext::Queue(st) = &mut n.ext else { return Err(format!("{} is not a message queue", n.id)) };
        let Some(slot) = st.slots.iter().position(|s| s.is_some()) else {
            return Err(format!("no consumer of {} is busy", n.id));
        };
        st.slots[slot] = None;
        st.slot_gen[slot] = st.slot_gen[slot].wrapping_add(1);
        st.free.push(slot as u32);
        st.workers_killed += 1;
        n.stats.busy.add(now, -1);
        let text = format!("a consumer of {} killed mid-job at {}", n.id, fmt_s(now));
        self.log(text);
        self.dispatch_jobs(queue);
        Ok(())
    }

    pub(super) fn queue_view(&self, n: &Node) -> Option<QueueView> {
        let Ext::Queue(st) = &n.ext else { return None };
        Some(QueueView {
            backlog: st.msgs.len() as u64,
            ready: st.ready.len() as u64,
            oldest_age_ms: st.msgs.values().next().map_or(0.0, |m| self.now.since(m.enqueued_at).as_millis_f64()),
            enqueued: st.enqueued,
            acknowledged: st.acknowledged,
            redeliveries: st.redeliveries,
            failures: st.failures,
            dlq_size: st.dlq,
            duplicates: st.duplicates,
            workers_killed: st.workers_killed,
            lost_messages: st.lost,
        })
    }
}
