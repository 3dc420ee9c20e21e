//! The blueprints' lessons (`presets::Group::Blueprints`), played step by step as
//! `presets.rs` plays the journey's: each test applies the commands a step's "try" stands for
//! and checks its "watch" claim, with the numbers the lesson text gives, over seeds 1 to 5
//! (every margin was also checked on seeds 6 to 35; the comments give the theory).

use crate::common::node;
use crate::presets::{apply, at, edit_node, load, phase, reconfigure, says, start, Phase, SEEDS};
use sim_core::presets::{Group, PRESETS};
use sim_core::{Command, KeyDistribution, NodeKind, Sim, Snapshot};

fn queue(x: &Snapshot, id: &str) -> sim_core::QueueView {
    node(x, id).message_queue.clone().unwrap()
}

fn spike(client: &str, multiplier: f64, duration_s: f64) -> Command {
    Command::Spike { client: client.into(), multiplier, duration_s }
}

/// The largest backlog of queue `id` seen once a second from `from_s` to `to_s`, and the
/// oldest message's largest age, ms.
fn peak_backlog(sim: &mut Sim, id: &str, from_s: u32, to_s: u32) -> (u64, f64) {
    let (mut peak, mut oldest) = (0, 0.0f64);
    for t in from_s..=to_s {
        let q = queue(&at(sim, f64::from(t)), id);
        peak = peak.max(q.backlog);
        oldest = oldest.max(q.oldest_age_ms);
    }
    (peak, oldest)
}

#[test]
fn blueprints_form_their_own_group_after_the_journey() {
    let ids: Vec<&str> = Group::Blueprints.presets().map(|p| p.id).collect();
    assert!(ids.len() >= 8, "{} blueprints", ids.len());
    let first = PRESETS.iter().position(|p| p.group == Group::Blueprints).unwrap();
    assert!(PRESETS[..first].iter().all(|p| p.group == Group::Journey), "the journey comes first");
    assert!(PRESETS[first..].iter().all(|p| p.group == Group::Blueprints), "then the blueprints, together");
    for p in Group::Blueprints.presets() {
        let s = p.scenario().unwrap();
        assert!(s.name.starts_with("Blueprint: "), "{}: {}", p.id, s.name);
    }
}

/// The first whole second after `from_s` (counted from `from_s`, up to `within_s`) at which
/// queue `id` holds fewer than `below` messages.
fn drained(sim: &mut Sim, id: &str, from_s: u32, within_s: u32, below: u64) -> Option<u32> {
    (1..=within_s).find(|&dt| queue(&at(sim, f64::from(from_s + dt)), id).backlog < below)
}

/// Failed / finished requests of priority class `i` (highest first) between two snapshots.
fn class_error_rate(a: &Snapshot, b: &Snapshot, i: usize) -> f64 {
    let (x, y) = (&a.global.classes[i], &b.global.classes[i]);
    let failed = (y.failed.total() - x.failed.total()) as f64;
    failed / (failed + (y.completed - x.completed) as f64).max(1.0)
}

#[test]
fn news_feed() {
    let s = load("news-feed");
    says(&s, 0, &["30 s", "75 %", "250 ms"]);
    says(&s, 1, &["×3 for 20 s", "1,000 posts", "250 ms", "no errors", "60 s", "under 50"]);
    says(&s, 2, &["Flush", "fan-out on read", "10×", "at least half"]);
    let shard_reads = |p: &Phase| -> f64 {
        ["posts-0", "posts-1", "posts-2"].iter().map(|id| p.arrived_at(id)).sum::<u64>() as f64 / p.secs()
    };
    for seed in SEEDS {
        let mut sim = start(&s, seed);
        let a = at(&mut sim, 20.0);
        let b = at(&mut sim, 30.0);
        let calm = phase(&a, &b);
        // 10 000 users' timelines fit in the cache; what misses is each one's first read.
        assert!(calm.hit_ratio("timelines") > 0.75, "seed {seed}: hit ratio {}", calm.hit_ratio("timelines"));
        assert!(calm.p99() < 250.0, "seed {seed}: p99 {}", calm.p99());

        // 150 posts/s against 16 / 0.2 s = 80/s: the backlog grows ~70/s for 20 s, then
        // drains at ~30/s.
        apply(&mut sim, spike("users", 3.0, 20.0));
        let (peak, _) = peak_backlog(&mut sim, "fanout", 31, 50);
        let c = at(&mut sim, 50.0);
        let busy = phase(&b, &c);
        assert!(peak > 1000, "seed {seed}: peak fan-out backlog {peak}");
        assert!(busy.p99() < 250.0 && busy.failed() == 0, "seed {seed}: p99 {}, {} failed", busy.p99(), busy.failed());
        let t = drained(&mut sim, "fanout", 50, 60, 50);
        assert!(t.is_some(), "seed {seed}: the fan-out backlog did not drain within 60 s");

        let d = at(&mut sim, 125.0);
        apply(&mut sim, Command::FlushCache { id: "timelines".into() });
        let e = at(&mut sim, 130.0);
        let (before, after) = (phase(&c, &d), phase(&d, &e));
        assert!(
            shard_reads(&after) > 10.0 * shard_reads(&before),
            "seed {seed}: shard reads {}/s -> {}/s",
            shard_reads(&before),
            shard_reads(&after)
        );
        assert!(after.p99() >= 1.5 * before.p99(), "seed {seed}: p99 {} -> {}", before.p99(), after.p99());
    }
}

#[test]
fn chat() {
    let s = load("chat");
    says(&s, 0, &["25–40 %", "under 20", "100 ms"]);
    says(&s, 1, &["70 %", "Room queue 1", "past 500", "over 2 s", "under 20", "no errors"]);
    says(&s, 2, &["room queue 1 8 consumers", "15 s"]);
    let qs = ["room-queue-0", "room-queue-1", "room-queue-2"];
    for seed in SEEDS {
        let mut sim = start(&s, seed);
        let a = at(&mut sim, 10.0);
        let b = at(&mut sim, 30.0);
        let calm = phase(&a, &b);
        for q in qs {
            let share = calm.arrived_at(q) as f64 / calm.arrived_at("rooms") as f64;
            assert!((0.25..0.4).contains(&share), "seed {seed}: {q} share {share}");
            assert!(queue(&b, q).backlog < 20, "seed {seed}: {q} backlog {}", queue(&b, q).backlog);
        }
        assert!(calm.p99() < 100.0, "seed {seed}: p99 {}", calm.p99());

        // The hot room's queue gets 0.7 × 300 + its share of the rest, about 240/s, against
        // 4 / 20 ms = 200/s.
        let keys = KeyDistribution::HotKey { key_count: 300, hot_fraction: 0.7 };
        apply(&mut sim, Command::SetKeys { client: "users".into(), keys });
        let c = at(&mut sim, 60.0);
        let hot = phase(&b, &c);
        let q1 = queue(&c, "room-queue-1");
        assert!(
            q1.backlog > 500 && q1.oldest_age_ms > 2000.0,
            "seed {seed}: {} queued, {} ms",
            q1.backlog,
            q1.oldest_age_ms
        );
        for q in ["room-queue-0", "room-queue-2"] {
            assert!(queue(&c, q).backlog < 20, "seed {seed}: {q} backlog {}", queue(&c, q).backlog);
        }
        assert_eq!(hot.failed(), 0, "seed {seed}: failed sends");

        apply(
            &mut sim,
            reconfigure(&s, "room-queue-1", |k| {
                if let NodeKind::MessageQueue(m) = k {
                    m.workers = 8;
                }
            }),
        );
        // 400/s of consumers against 240/s: ~160/s of the backlog drains each second.
        let t = drained(&mut sim, "room-queue-1", 60, 15, 20);
        assert!(t.is_some(), "seed {seed}: room queue 1 did not drain within 15 s");
    }
}

#[test]
fn ride_hailing() {
    let s = load("ride-hailing");
    says(&s, 0, &["20–30 %", "200 ms"]);
    says(&s, 1, &["40 %", "over half", "200/s", "cell 0 alone", "under half busy"]);
    says(&s, 2, &["8 workers", "1 %", "70 %"]);
    let cells = ["cell-0", "cell-1", "cell-2", "cell-3"];
    for seed in SEEDS {
        let mut sim = start(&s, seed);
        let a = at(&mut sim, 5.0);
        let b = at(&mut sim, 25.0);
        let calm = phase(&a, &b);
        for c in cells {
            let share = calm.arrived_at(c) as f64 / calm.arrived_at("cells") as f64;
            assert!((0.2..0.3).contains(&share), "seed {seed}: {c} share {share}");
        }
        assert!(calm.p99() < 200.0, "seed {seed}: p99 {}", calm.p99());

        // The hot key is key 0, in cell 0's range: 0.4 + 0.6 / 4 = 55 % of 400/s, 220/s.
        let keys = KeyDistribution::HotKey { key_count: 10000, hot_fraction: 0.4 };
        apply(&mut sim, Command::SetKeys { client: "riders".into(), keys });
        let c = at(&mut sim, 30.0);
        let d = at(&mut sim, 50.0);
        let hot = phase(&c, &d);
        let share = hot.arrived_at("cell-0") as f64 / hot.arrived_at("cells") as f64;
        assert!(share > 0.5, "seed {seed}: cell 0 share {share}");
        assert!(hot.errors_at("cell-0") > 0, "seed {seed}: no errors in cell 0");
        for id in &cells[1..] {
            assert_eq!(hot.errors_at(id), 0, "seed {seed}: errors in {id}");
            assert!(hot.utilisation(id) < 0.5, "seed {seed}: {id} utilisation {}", hot.utilisation(id));
        }

        apply(
            &mut sim,
            reconfigure(&s, "cell-0", |k| {
                if let NodeKind::Server(w) = k {
                    w.workers = 8;
                }
            }),
        );
        let e = at(&mut sim, 55.0);
        let f = at(&mut sim, 85.0);
        let split = phase(&e, &f);
        // 220/s × 20 ms over 8 workers: ρ = 0.55.
        assert!(split.error_rate() < 0.01, "seed {seed}: error rate {}", split.error_rate());
        assert!(split.utilisation("cell-0") < 0.7, "seed {seed}: cell 0 {}", split.utilisation("cell-0"));
    }
}

#[test]
fn video_streaming() {
    let s = load("video-streaming");
    says(&s, 0, &["30 s", "85 %", "a quarter busy"]);
    says(&s, 1, &["Purge", "under 60 %", "3×", "nothing fails"]);
    says(&s, 2, &["200 segments", "Reset", "under 70 %", "2.5×"]);
    let small = edit_node(&s, "cdn", |k| {
        if let NodeKind::Cdn(c) = k {
            c.capacity_keys = 200;
        }
    });
    for seed in SEEDS {
        let mut sim = start(&s, seed);
        let a = at(&mut sim, 10.0);
        let b = at(&mut sim, 30.0);
        let warm = phase(&a, &b);
        assert!(warm.hit_ratio("cdn") > 0.85, "seed {seed}: hit ratio {}", warm.hit_ratio("cdn"));
        // About 140/s of misses and manifests × 40 ms over 32 workers: ρ ≈ 0.18.
        assert!(warm.utilisation("origin") < 0.25, "seed {seed}: origin {}", warm.utilisation("origin"));
        let usual = warm.arrived_at("origin") as f64 / warm.secs();

        apply(&mut sim, Command::FlushCache { id: "cdn".into() });
        let c = at(&mut sim, 31.0);
        let purged = phase(&b, &c);
        assert!(purged.hit_ratio("cdn") < 0.6, "seed {seed}: hit ratio {} after the purge", purged.hit_ratio("cdn"));
        let burst = purged.arrived_at("origin") as f64 / purged.secs();
        assert!(burst > 3.0 * usual, "seed {seed}: origin {usual}/s -> {burst}/s");
        assert_eq!(purged.failed(), 0, "seed {seed}: failures after the purge");

        let mut sim = start(&small, seed);
        let a = at(&mut sim, 10.0);
        let b = at(&mut sim, 30.0);
        let tight = phase(&a, &b);
        assert!(tight.hit_ratio("cdn") < 0.7, "seed {seed}: hit ratio {} with 200 segments", tight.hit_ratio("cdn"));
        let load = tight.arrived_at("origin") as f64 / tight.secs();
        assert!(load > 2.5 * usual, "seed {seed}: origin {usual}/s -> {load}/s");
    }
}

#[test]
fn checkout() {
    let s = load("checkout");
    says(&s, 0, &["200 ms", "no errors"]);
    says(&s, 1, &["×3 for 30 s", "past 400", "200 ms", "no errors"]);
    says(&s, 2, &["×1", "kill a payment worker", "10 s", "exactly one duplicate"]);
    says(&s, 3, &["idempotent", "kill another worker", "delivered again", "duplicates stay"]);
    let idempotent = reconfigure(&s, "payments", |k| {
        if let NodeKind::MessageQueue(m) = k {
            m.idempotent = true;
        }
    });
    for seed in SEEDS {
        let mut sim = start(&s, seed);
        let a = at(&mut sim, 10.0);
        let b = at(&mut sim, 30.0);
        let calm = phase(&a, &b);
        assert!(calm.p99() < 200.0 && calm.failed() == 0, "seed {seed}: p99 {}, {} failed", calm.p99(), calm.failed());

        // 1.5 s a charge: 50 / 1.5 = 33 charges/s against 50 orders/s, ~17 more queued each second.
        apply(&mut sim, Command::Slow { id: "payments".into(), factor: 3.0 });
        let c = at(&mut sim, 60.0);
        let slow = phase(&b, &c);
        let q = queue(&c, "payments");
        assert!(q.backlog > 400, "seed {seed}: {} charges queued", q.backlog);
        assert!(slow.p99() < 200.0 && slow.failed() == 0, "seed {seed}: p99 {}, {} failed", slow.p99(), slow.failed());

        apply(&mut sim, Command::Slow { id: "payments".into(), factor: 1.0 });
        let d = at(&mut sim, 90.0);
        assert!(
            queue(&d, "payments").backlog < 60,
            "seed {seed}: backlog {} 30 s later",
            queue(&d, "payments").backlog
        );
        let (dup, redelivered) = (queue(&d, "payments").duplicates, queue(&d, "payments").redeliveries);
        apply(&mut sim, Command::KillWorker { id: "payments".into() });
        let e = at(&mut sim, 105.0);
        assert_eq!(queue(&e, "payments").duplicates, dup + 1, "seed {seed}: duplicates");
        assert_eq!(queue(&e, "payments").redeliveries, redelivered + 1, "seed {seed}: redeliveries");

        apply(&mut sim, idempotent.clone());
        apply(&mut sim, Command::KillWorker { id: "payments".into() });
        let f = at(&mut sim, 120.0);
        assert_eq!(queue(&f, "payments").redeliveries, redelivered + 2, "seed {seed}: redeliveries");
        assert_eq!(queue(&f, "payments").duplicates, dup + 1, "seed {seed}: duplicates with idempotent consumers");
    }
}

#[test]
fn public_api() {
    let s = load("public-api");
    says(&s, 0, &["No request is refused", "200 ms"]);
    says(&s, 1, &["×5 for 20 s", "70 %", "60–80 %", "429", "200 ms", "three quarters busy"]);
    says(&s, 2, &["2,000/s", "every sheddable", "over half the standard", "critical calls fail under 1 %", "200 ms"]);
    let unlimited = reconfigure(&s, "gateway", |k| {
        if let NodeKind::RateLimiter(r) = k {
            r.rate_rps = 2000.0;
        }
    });
    for seed in SEEDS {
        let mut sim = start(&s, seed);
        let a = at(&mut sim, 5.0);
        let b = at(&mut sim, 20.0);
        let calm = phase(&a, &b);
        assert_eq!(calm.failed(), 0, "seed {seed}: refused in calm");
        assert!(calm.p99() < 200.0, "seed {seed}: p99 {}", calm.p99());

        // 1 000/s offered, 300/s admitted once the burst is spent: 70 % refused, and the
        // servers run at 300 / 400 = 0.75.
        apply(&mut sim, spike("clients", 5.0, 20.0));
        let c = at(&mut sim, 22.0);
        let d = at(&mut sim, 40.0);
        let scraped = phase(&c, &d);
        let limited = (d.global.failed.rate_limited - c.global.failed.rate_limited) as f64;
        let share = limited / (scraped.failed() + scraped.completed()) as f64;
        assert!((0.6..0.8).contains(&share), "seed {seed}: {share} rate-limited");
        assert!(scraped.p99() < 200.0, "seed {seed}: p99 {}", scraped.p99());
        for id in ["api-1", "api-2"] {
            let u = scraped.utilisation(id);
            assert!((0.65..0.85).contains(&u), "seed {seed}: {id} utilisation {u}");
        }

        apply(&mut sim, unlimited.clone());
        at(&mut sim, 45.0);
        apply(&mut sim, spike("clients", 5.0, 20.0));
        let e = at(&mut sim, 47.0);
        let f = at(&mut sim, 65.0);
        let flood = phase(&e, &f);
        // Classes highest first: critical 200/s fits in the 400/s, standard 500/s fills the
        // rest, sheddable 300/s is turned away from 10 queued, standard from 20.
        let (critical, standard, sheddable) =
            (class_error_rate(&e, &f, 0), class_error_rate(&e, &f, 1), class_error_rate(&e, &f, 2));
        assert!(critical < 0.01, "seed {seed}: critical error rate {critical}");
        assert!(standard > 0.5, "seed {seed}: standard error rate {standard}");
        assert!(sheddable > 0.99, "seed {seed}: sheddable error rate {sheddable}");
        assert!(f.global.failed.shed > e.global.failed.shed, "seed {seed}: nothing shed");
        assert!(flood.p99() > 200.0, "seed {seed}: p99 {}", flood.p99());
    }
}

#[test]
fn autocomplete() {
    let s = load("autocomplete");
    says(&s, 0, &["30 s", "80 %", "50 ms"]);
    says(&s, 1, &["TTL to 1 s", "Reset", "under 60 %", "3×"]);
    says(&s, 2, &["60 s", "skew to 1.3", "above 90 %", "less than half"]);
    let short = edit_node(&s, "prefixes", |k| {
        if let NodeKind::Cache(c) = k {
            c.ttl_s = Some(1.0);
        }
    });
    let index_rate = |p: &Phase| p.arrived_at("index") as f64 / p.secs();
    for seed in SEEDS {
        let mut sim = start(&s, seed);
        let a = at(&mut sim, 30.0);
        let b = at(&mut sim, 50.0);
        let warm = phase(&a, &b);
        assert!(warm.hit_ratio("prefixes") > 0.8, "seed {seed}: hit ratio {}", warm.hit_ratio("prefixes"));
        assert!(warm.p50() < 50.0, "seed {seed}: p50 {}", warm.p50());

        let keys = KeyDistribution::Zipf { key_count: 50000, s: 1.3 };
        apply(&mut sim, Command::SetKeys { client: "typists".into(), keys });
        let c = at(&mut sim, 60.0);
        let d = at(&mut sim, 80.0);
        let hotter = phase(&c, &d);
        assert!(hotter.hit_ratio("prefixes") > 0.9, "seed {seed}: hit ratio {}", hotter.hit_ratio("prefixes"));
        assert!(index_rate(&hotter) < 0.5 * index_rate(&warm), "seed {seed}: index {}/s", index_rate(&hotter));

        let mut sim = start(&short, seed);
        let a = at(&mut sim, 30.0);
        let b = at(&mut sim, 50.0);
        let brief = phase(&a, &b);
        assert!(brief.hit_ratio("prefixes") < 0.6, "seed {seed}: hit ratio {} at 1 s", brief.hit_ratio("prefixes"));
        assert!(index_rate(&brief) > 3.0 * index_rate(&warm), "seed {seed}: index {}/s at 1 s", index_rate(&brief));
    }
}

/// One run of a notifications variant with a ×5 spike at 30 s for 10 s: the API's p99 before
/// and during the spike, failures during it, the peak backlog before and during it, and how
/// many seconds after the spike the backlog was under 50 (up to `within_s`).
fn burst_run(s: &sim_core::Scenario, seed: u64, within_s: u32) -> (f64, f64, u64, u64, u64, Option<u32>) {
    let mut sim = start(s, seed);
    let a = at(&mut sim, 10.0);
    let (calm_peak, _) = peak_backlog(&mut sim, "push", 11, 30);
    let b = at(&mut sim, 30.0);
    apply(&mut sim, spike("events", 5.0, 10.0));
    let (peak, _) = peak_backlog(&mut sim, "push", 31, 40);
    let c = at(&mut sim, 40.0);
    let t = drained(&mut sim, "push", 40, within_s, 50);
    let (calm, busy) = (phase(&a, &b), phase(&b, &c));
    (calm.p99(), busy.p99(), busy.failed(), calm_peak, peak, t)
}

#[test]
fn notifications() {
    let s = load("notifications");
    says(&s, 0, &["under 50", "50 ms"]);
    says(&s, 1, &["×5 for 10 s", "past 2,000", "50 ms", "no errors", "45 s", "under 50"]);
    says(&s, 2, &["120 senders", "Reset", "under 200", "5 s"]);
    let more = edit_node(&s, "push", |k| {
        if let NodeKind::MessageQueue(m) = k {
            m.workers = 120;
        }
    });
    for seed in SEEDS {
        // 100/s × 0.2 s: about 20 being sent at once, and 40 senders rarely all busy.
        let (calm_p99, busy_p99, failed, calm_peak, peak, t) = burst_run(&s, seed, 45);
        assert!(calm_peak < 50 && calm_p99 < 50.0, "seed {seed}: backlog {calm_peak}, p99 {calm_p99}");
        // 500/s against 200/s for 10 s: ~3 000 queued, drained at 100/s in ~30 s.
        assert!(peak > 2000, "seed {seed}: peak backlog {peak}");
        assert!(busy_p99 < 50.0 && failed == 0, "seed {seed}: p99 {busy_p99}, {failed} failed");
        assert!(t.is_some(), "seed {seed}: the backlog did not drain within 45 s");

        // 120 senders serve 600/s: the spike's 500/s keeps ~100 in process, few waiting.
        let (_, _, _, _, peak, t) = burst_run(&more, seed, 5);
        assert!(peak < 200, "seed {seed}: peak backlog {peak} with 120 senders");
        assert!(t.is_some(), "seed {seed}: the backlog did not drain within 5 s with 120 senders");
    }
}
