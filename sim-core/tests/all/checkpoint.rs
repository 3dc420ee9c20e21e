//! Rewinding: a seek (restore a checkpoint, replay the recorded commands) reaches exactly the
//! state that playing straight through reached, and playing on from it continues the same run.

use std::collections::VecDeque;

use sim_core::{presets, Checkpoints, Command, ScheduledCommand, Sim, SimDuration, SimTime};

/// The URL-shortener preset with a scheduled kill, played in frame-sized slices that stop
/// mid-instant (an event cap), with live commands between slices. Returns the run, its
/// checkpoints, and the digest at the end of every whole second.
fn played(every_s: f64, cap: usize) -> (Sim, Checkpoints, Vec<(SimTime, u64)>) {
    let mut s = presets::preset("url-shortener").unwrap().scenario().unwrap();
    s.events.push(ScheduledCommand { at_s: 7.5, command: Command::Kill { id: "resolver-2".into() } });
    let mut sim = Sim::new(&s).unwrap();
    let mut ckpt = Checkpoints::new(&sim, SimDuration::from_secs_f64(every_s), cap);
    let mut digests = Vec::new();
    let mut mid_instant = false;
    for frame in 1..=400u32 {
        let target = SimTime::from_secs_f64(f64::from(frame) * 0.05);
        while !sim.step_until(target, 300).reached {
            // A frame out of time: a live command lands mid-instant too.
            if frame >= 93 && !mid_instant {
                mid_instant = true;
                sim.apply(Command::Kill { id: "replica-1".into() }).unwrap();
            }
        }
        match frame {
            41 => sim.apply(Command::Kill { id: "cache".into() }).unwrap(),
            130 => sim.apply(Command::Revive { id: "cache".into() }).unwrap(),
            250 => sim.apply(Command::Revive { id: "replica-1".into() }).unwrap(),
            _ => {}
        }
        ckpt.observe(&sim);
        if frame % 20 == 0 {
            digests.push((target, sim.snapshot().digest()));
        }
    }
    assert!(mid_instant, "a slice stopped short of its target");
    (sim, ckpt, digests)
}

#[test]
fn checkpoint_seek_reaches_the_played_state_and_plays_on_alike() {
    let (live, ckpt, digests) = played(2.0, 100);
    assert!(live.recorded_commands().len() >= 4, "the run has live commands to replay");
    assert!(ckpt.len() >= 9, "a checkpoint every 2 s of 20 s");
    for &(t, digest) in &digests {
        let (mut sim, mut pending) = ckpt.seek(t, live.recorded_commands());
        assert!(sim.now() <= t);
        let r = sim.step_replaying(t, u64::MAX, &mut pending);
        assert!(r.reached);
        assert_eq!(sim.snapshot().digest(), digest, "seek to {t:?}");
        // Play on in small slices to the end: the same run, the old future's commands included.
        let end = live.now();
        while !sim.step_replaying(end, 500, &mut pending).reached {}
        assert!(pending.is_empty());
        assert_eq!(sim.snapshot().digest(), live.snapshot().digest(), "played on from {t:?}");
        assert_eq!(sim.recorded_commands(), live.recorded_commands());
    }
}

#[test]
fn checkpoint_thinning_keeps_memory_bounded_and_seeks_exact() {
    let (live, ckpt, digests) = played(0.5, 8);
    assert!(ckpt.len() <= 8 && ckpt.len() >= 4, "kept {}", ckpt.len());
    assert!(ckpt.every() >= SimDuration::from_secs_f64(2.0), "the spacing doubled as the run grew");
    for &(t, digest) in digests.iter().step_by(3) {
        let (mut sim, mut pending) = ckpt.seek(t, live.recorded_commands());
        sim.step_replaying(t, u64::MAX, &mut pending);
        assert_eq!(sim.snapshot().digest(), digest, "seek to {t:?}");
    }
}

#[test]
fn checkpoint_truncated_future_is_gone_and_a_new_one_starts() {
    let (live, mut ckpt, _) = played(2.0, 100);
    let t = SimTime::from_secs_f64(5.0);
    ckpt.truncate_after(t);
    let (mut sim, _) = ckpt.seek(SimTime::from_secs_f64(19.0), live.recorded_commands());
    assert!(sim.now() <= t, "no checkpoint after the cut is left");
    // The new future leaves the old commands out: it is another run.
    sim.step_replaying(SimTime::from_secs_f64(19.0), u64::MAX, &mut VecDeque::new());
    assert_ne!(sim.snapshot().digest(), live.snapshot().digest());
}
