//! Headless runner: `simulate SCENARIO.json [--seed N] [--duration-s S] [--json]`.

use std::process::ExitCode;
use std::time::Instant;

use sim_core::{run_headless, ErrorCounts, Scenario, Summary};

const USAGE: &str = "usage: simulate SCENARIO.json [--seed N] [--duration-s S] [--json]";

struct Args {
    path: String,
    seed: Option<u64>,
    duration_s: Option<f64>,
    json: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut path = None;
    let mut seed = None;
    let mut duration_s = None;
    let mut json = false;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--seed" => {
                let v = it.next().ok_or("--seed needs a value")?;
                seed = Some(v.parse().map_err(|_| format!("--seed: not an unsigned integer: {v}"))?);
            }
            "--duration-s" => {
                let v = it.next().ok_or("--duration-s needs a value")?;
                let d: f64 = v.parse().map_err(|_| format!("--duration-s: not a number: {v}"))?;
                duration_s = Some(d);
            }
            "--json" => json = true,
            "-h" | "--help" => return Err(USAGE.to_string()),
            _ if a.starts_with('-') => return Err(format!("unknown option {a}\n{USAGE}")),
            _ if path.is_none() => path = Some(a),
            _ => return Err(format!("unexpected argument {a}\n{USAGE}")),
        }
    }
    Ok(Args { path: path.ok_or(USAGE)?, seed, duration_s, json })
}

fn errors_line(e: &ErrorCounts) -> String {
    format!(
        "timeout {} · queue full {} · rate-limited {} · node down {} · partition {}",
        e.timeout, e.queue_full, e.rate_limited, e.node_down, e.partition
    )
}

/// The data-tier line of a node, if it has one.
fn print_data(n: &sim_core::NodeView) {
    if let Some(c) = &n.cache {
        println!(
            "  {:<14} hit ratio {:.2}% · keys {}/{} · evictions {} · expired {} · stale hits {} · store requests {} · coalesced {} · flushes {} · lost writes {}",
            "", c.hit_ratio * 100.0, c.keys, c.capacity_keys, c.evictions, c.expirations, c.stale_hits,
            c.store_requests, c.coalesced, c.flushes, c.lost_writes
        );
    }
    if let Some(s) = &n.sessions {
        println!(
            "  {:<14} sessions {} · active {} · logins {} · re-logins {} · lost {}",
            "", s.mode, s.active, s.logins, s.relogins, s.lost
        );
    }
    if let Some(d) = &n.database {
        println!(
            "  {:<14} {} · committed {} · applied {} · lag now {:.1} ms, mean {:.1} ms · reads {} · stale {} · RYW {} · lost {}",
            "", d.role, d.writes_committed, d.writes_applied, d.replication_lag_ms, d.mean_replication_lag_ms,
            d.reads, d.stale_reads, d.ryw_violations, d.lost_writes
        );
    }
    if let Some(v) = &n.shards {
        let shares: Vec<String> =
            v.shards.iter().map(|s| format!("{} {:.1}% ({} keys)", s.id, s.load_share * 100.0, s.keys)).collect();
        println!("  {:<14} load {} · last change moved {} keys", "", shares.join(", "), v.keys_moved_last);
    }
    if let Some(s) = &n.store {
        println!(
            "  {:<14} {} · reads {} · writes {} · refused {} · stale reads {} · conflicts {} · divergent keys {}",
            "", s.mode, s.reads, s.writes, s.refused, s.stale_reads, s.conflicts, s.divergent_keys
        );
    }
    if let Some(q) = &n.message_queue {
        println!(
            "  {:<14} backlog {} · oldest {:.0} ms · acked {}/{} · redeliveries {} · DLQ {} · duplicates {}",
            "", q.backlog, q.oldest_age_ms, q.acknowledged, q.enqueued, q.redeliveries, q.dlq_size, q.duplicates
        );
    }
}

fn print_text(s: &Summary, wall_s: f64) {
    let g = &s.snapshot.global;
    println!("scenario   {} (seed {}, {} s simulated)", s.scenario, s.seed, s.duration_s);
    println!(
        "requests   arrived {} · completed {} · failed {} · in flight {}",
        g.arrived,
        g.completed,
        g.failed.total(),
        g.in_flight
    );
    println!("failed by  {}", errors_line(&g.failed));
    println!("attempts   {} ({} retries)", g.attempts, g.retries);
    let l = &g.latency;
    println!(
        "latency    mean {:.3} ms · p50 {:.3} · p95 {:.3} · p99 {:.3} · max {:.3} ms",
        l.mean_ms, l.p50_ms, l.p95_ms, l.p99_ms, l.max_ms
    );
    println!("throughput {:.1} rps · mean in flight {:.3}", g.throughput_rps, g.mean_in_flight);
    println!("nodes");
    for n in &s.snapshot.nodes {
        println!(
            "  {:<14} {:<17} util {:>6.2}% · mean queue {:>8.3} · mean in node {:>8.3} · sojourn {:>9.3} ms · done {} · errors {}",
            n.id,
            n.kind,
            n.utilisation * 100.0,
            n.mean_queue_len,
            n.mean_in_flight,
            n.latency.mean_ms,
            n.completed,
            n.errors.total()
        );
        print_data(n);
    }
    let d = &g.data;
    println!(
        "data       stale reads {} · RYW violations {} · lost writes {} · duplicates {} · DLQ {} · conflicts {}",
        d.stale_reads, d.ryw_violations, d.lost_writes, d.duplicates, d.dlq_size, d.conflicts
    );
    if d.sessions_lost + d.relogins > 0 {
        println!("sessions   lost {} · forced re-logins {}", d.sessions_lost, d.relogins);
    }
    println!("cost       ${:.2} per month (estimate)", d.monthly_cost_usd);
    for a in &s.snapshot.alerts {
        println!("ALERT      {}", a.message);
    }
    for l in s.snapshot.log.iter().rev().take(10).rev() {
        println!("log        {}", l.text);
    }
    println!(
        "events     {} in {:.3} s wall ({:.0} events/s)",
        s.snapshot.events_processed,
        wall_s,
        s.snapshot.events_processed as f64 / wall_s.max(1e-9)
    );
    println!("digest     {}", s.digest);
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let text = match std::fs::read_to_string(&args.path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", args.path);
            return ExitCode::from(1);
        }
    };
    let scenario = match Scenario::from_json(&text) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {}: {e}", args.path);
            return ExitCode::from(1);
        }
    };
    let start = Instant::now();
    let summary = match run_headless(&scenario, args.seed, args.duration_s) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let wall_s = start.elapsed().as_secs_f64();
    if args.json {
        #[derive(serde::Serialize)]
        struct Out<'a> {
            #[serde(flatten)]
            summary: &'a Summary,
            wall_time_s: f64,
        }
        match serde_json::to_string_pretty(&Out { summary: &summary, wall_time_s: wall_s }) {
            Ok(j) => println!("{j}"),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(1);
            }
        }
    } else {
        print_text(&summary, wall_s);
    }
    ExitCode::SUCCESS
}
