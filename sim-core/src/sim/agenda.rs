//! The agenda: pending events in (time, scheduling order) order.
//!
//! The binary heap orders entries of a key (time, sequence number) and a small payload.
//! Events that pack into the payload ([`Packable`]: a timer, a service completion) live in
//! the entry itself; larger ones sit in a slab and the entry names their slot, so sifting
//! moves 32 bytes whatever the event. Events due at the current instant (zero-latency hops)
//! skip the heap: they run in FIFO order before time moves on.

use std::collections::VecDeque;

use crate::time::SimTime;

/// An event type whose frequent variants pack into a small copyable value.
pub(super) trait Packable: Sized {
    type Packed: Copy;
    /// The packed form, or the event back when it does not pack.
    fn pack(self) -> Result<Self::Packed, Self>;
    fn unpack(packed: Self::Packed) -> Self;
}

#[derive(Clone, Copy, Debug)]
enum Payload<P> {
    Packed(P),
    /// Slot of the event in the slab.
    Slot(u32),
}

/// A heap entry: time in the high 64 bits and sequence number in the low 64 bits of one
/// integer (the smallest is the next event), and the event or its slot.
#[derive(Clone, Copy, Debug)]
struct Entry<P> {
    order: u128,
    payload: Payload<P>,
}

// Sifting moves 32 bytes whatever the event.
const _: () = assert!(std::mem::size_of::<Entry<super::Timer>>() == 32);

impl<P> Entry<P> {
    fn at(&self) -> SimTime {
        SimTime((self.order >> 64) as u64)
    }
}

/// A binary min-heap of entries by `order`. Written out rather than `BinaryHeap` so that the
/// entry being placed stays in registers while it sifts: the standard heap wrote it to the
/// array and read it straight back in wider loads than it was stored with, which the
/// processor cannot forward from its store buffer (a stall `perf` showed on every push).
#[derive(Clone, Debug)]
struct Heap<P> {
    v: Vec<Entry<P>>,
}

impl<P: Copy> Heap<P> {
    #[inline]
    fn peek(&self) -> Option<&Entry<P>> {
        self.v.first()
    }

    #[inline(always)]
    fn push(&mut self, e: Entry<P>) {
        let mut i = self.v.len();
        // A placeholder at the end; `e` is written once, where it belongs.
        self.v.push(e);
        while i > 0 {
            let parent = (i - 1) / 2;
            if self.v[parent].order <= e.order {
                break;
            }
            self.v[i] = self.v[parent];
            i = parent;
        }
        self.v[i] = e;
    }

    #[inline]
    fn pop(&mut self) -> Option<Entry<P>> {
        let last = self.v.pop()?;
        let Some(&top) = self.v.first() else { return Some(last) };
        let n = self.v.len();
        let mut i = 0;
        loop {
            let left = 2 * i + 1;
            if left >= n {
                break;
            }
            let right = left + 1;
            let child = if right < n && self.v[right].order < self.v[left].order { right } else { left };
            if last.order <= self.v[child].order {
                break;
            }
            self.v[i] = self.v[child];
            i = child;
        }
        self.v[i] = last;
        Some(top)
    }

    fn iter(&self) -> impl Iterator<Item = &Entry<P>> {
        self.v.iter()
    }
}

/// Pending events of type `E`.
#[derive(Clone, Debug)]
pub(super) struct Agenda<E: Packable> {
    seq: u64,
    heap: Heap<E::Packed>,
    /// Events that do not pack, by slot (`None`: a free slot).
    events: Vec<Option<E>>,
    free: Vec<u32>,
    /// Events due at the current instant, in scheduling order.
    due: VecDeque<E>,
}

impl<E: Packable> Default for Agenda<E> {
    fn default() -> Self {
        Agenda { seq: 0, heap: Heap { v: Vec::new() }, events: Vec::new(), free: Vec::new(), due: VecDeque::new() }
    }
}

impl<E: Packable> Agenda<E> {
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
        let payload = match ev.pack() {
            Ok(p) => Payload::Packed(p),
            Err(ev) => Payload::Slot(self.store(ev)),
        };
        self.heap.push(Entry { order: (u128::from(at.0) << 64) | u128::from(self.seq), payload });
    }

    fn store(&mut self, ev: E) -> u32 {
        match self.free.pop() {
            Some(s) => {
                self.events[s as usize] = Some(ev);
                s
            }
            None => {
                self.events.push(Some(ev));
                self.events.len() as u32 - 1
            }
        }
    }

    /// Time of the next event, given the current instant (`now` when events are due).
    #[inline]
    pub(super) fn next_at(&self, now: SimTime) -> Option<SimTime> {
        if self.due.is_empty() {
            self.heap.peek().map(Entry::at)
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
        let entry = self.heap.pop()?;
        let ev = match entry.payload {
            Payload::Packed(p) => E::unpack(p),
            Payload::Slot(s) => {
                let ev = self.events[s as usize].take()?;
                self.free.push(s);
                ev
            }
        };
        Some((entry.at(), ev))
    }

    /// How many pending events satisfy `pred` (packed ones are unpacked for it).
    pub(super) fn count(&self, mut pred: impl FnMut(&E) -> bool) -> usize {
        let packed = self.heap.iter().filter_map(|e| match e.payload {
            Payload::Packed(p) => Some(E::unpack(p)),
            Payload::Slot(_) => None,
        });
        packed.filter(|ev| pred(ev)).count()
            + self.events.iter().flatten().filter(|ev| pred(ev)).count()
            + self.due.iter().filter(|ev| pred(ev)).count()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, VecDeque};

    use super::{Agenda, Packable};
    use crate::time::SimTime;

    /// Even events pack into the heap entry, odd ones go to the slab.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    struct Ev(u32);

    impl Packable for Ev {
        type Packed = u32;
        fn pack(self) -> Result<u32, Ev> {
            if self.0.is_multiple_of(2) {
                Ok(self.0)
            } else {
                Err(self)
            }
        }
        fn unpack(packed: u32) -> Ev {
            Ev(packed)
        }
    }

    #[test]
    fn events_come_out_by_time_then_scheduling_order() {
        let mut agenda = Agenda::<Ev>::default();
        // The model: events due at once run first, in scheduling order; later ones by
        // (time, scheduling order).
        let mut due = VecDeque::new();
        let mut later = BTreeMap::new();
        let (mut now, mut order, mut state) = (SimTime(0), 0_u64, 0x2545_f491_u64);
        let mut draw = |n: u64| {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % n
        };
        for step in 0..20_000_u32 {
            // Pushes outnumber pops at first, so the heap grows to thousands of entries; then
            // it drains.
            let pushes = if step < 10_000 { draw(4) } else { draw(2) };
            for _ in 0..pushes {
                // Few distinct times, so ties are frequent; some events are due at once.
                let at = SimTime(now.0 + draw(8) * 1_000);
                order += 1;
                let ev = Ev(order as u32);
                agenda.push(now, at, ev);
                if at <= now {
                    due.push_back(ev);
                } else {
                    later.insert((at, order), ev);
                }
            }
            let want = due.pop_front().map(|ev| (now, ev)).or_else(|| later.pop_first().map(|((t, _), ev)| (t, ev)));
            let got = agenda.pop_through(now, SimTime::NEVER);
            assert_eq!(got, want, "at step {step}");
            if let Some((at, _)) = got {
                now = at;
            }
        }
        assert_eq!(agenda.count(|_| true), due.len() + later.len());
    }
}
