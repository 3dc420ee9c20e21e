//! The agenda: pending events in (time, scheduling order) order.
//!
//! Events due later sit in a slab; the binary heap orders only small copyable keys (time,
//! sequence number, slab index), so sifting moves 24 bytes instead of whole events. Events
//! due at the current instant (zero-latency hops) skip the heap: they run in FIFO order
//! before time moves on.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

use crate::time::SimTime;

/// A heap key: time in the high 64 bits and sequence number in the low 64 bits of one
/// integer, ordered so that the earliest (time, sequence) is the heap's maximum.
#[derive(Clone, Copy, Debug)]
struct Key {
    order: u128,
    slot: u32,
}

impl Key {
    fn at(&self) -> SimTime {
        SimTime((self.order >> 64) as u64)
    }
}

impl PartialEq for Key {
    fn eq(&self, o: &Self) -> bool {
        self.order == o.order
    }
}
impl Eq for Key {}
impl PartialOrd for Key {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Key {
    fn cmp(&self, o: &Self) -> Ordering {
        o.order.cmp(&self.order)
    }
}

/// Pending events of type `E`.
#[derive(Debug)]
pub(super) struct Agenda<E> {
    seq: u64,
    heap: BinaryHeap<Key>,
    /// Events of the heap's keys, by slot (`None`: a free slot).
    events: Vec<Option<E>>,
    free: Vec<u32>,
    /// Events due at the current instant, in scheduling order.
    due: VecDeque<E>,
}

impl<E> Default for Agenda<E> {
    fn default() -> Self {
        Agenda { seq: 0, heap: BinaryHeap::new(), events: Vec::new(), free: Vec::new(), due: VecDeque::new() }
    }
}

impl<E> Agenda<E> {
    /// Schedules `ev` at `at`; at or before `now` it is due at once, after the events
    /// already due. Always inlined, with [`Agenda::push_later`], so the event is built where it
    /// is stored: called, they reloaded it from the caller's stack and stalled there.
    #[inline(always)]
    pub(super) fn push(&mut self, now: SimTime, at: SimTime, ev: E) {
        if at <= now {
            self.due.push_back(ev);
        } else {
            self.push_later(at, ev);
        }
    }

    #[inline(always)]
    fn push_later(&mut self, at: SimTime, ev: E) {
        self.seq += 1;
        let slot = match self.free.pop() {
            Some(s) => {
                self.events[s as usize] = Some(ev);
                s
            }
            None => {
                self.events.push(Some(ev));
                self.events.len() as u32 - 1
            }
        };
        self.heap.push(Key { order: (u128::from(at.0) << 64) | u128::from(self.seq), slot });
    }

    /// Time of the next event, given the current instant (`now` when events are due).
    #[inline]
    pub(super) fn next_at(&self, now: SimTime) -> Option<SimTime> {
        if self.due.is_empty() {
            self.heap.peek().map(Key::at)
        } else {
            Some(now)
        }
    }

    /// Removes the next event if it is due by `until`, with its time.
    #[inline]
    pub(super) fn pop_through(&mut self, now: SimTime, until: SimTime) -> Option<(SimTime, E)> {
        if let Some(ev) = self.due.pop_front() {
            return Some((now, ev));
        }
        if self.heap.peek()?.at() > until {
            return None;
        }
        let key = self.heap.pop()?;
        let ev = self.events[key.slot as usize].take()?;
        self.free.push(key.slot);
        Some((key.at(), ev))
    }

    /// Every pending event, in no particular order.
    pub(super) fn iter(&self) -> impl Iterator<Item = &E> {
        self.events.iter().flatten().chain(self.due.iter())
    }
}
