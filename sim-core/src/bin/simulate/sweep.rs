//! `--sweep NODE.PARAM=FROM..TO[:STEPS]`: runs the design at each value of one parameter
//! (over every seed) and prints each figure against the value, with the knee of the p99 SLO.

use std::io::Write;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;
use sim_core::{machines::MACHINES, Scenario};

use super::{fmt, run_seeds, seeds_of, RunArgs};
use sim_core::seeds::{figure, spread, Spread};

/// The figures a sweep prints, in order.
const SWEPT: [&str; 7] = [
    "latency_p50_ms",
    "latency_p95_ms",
    "latency_p99_ms",
    "error_rate_pct",
    "availability_pct",
    "throughput_rps",
    "cost_usd_month",
];

/// How a parameter is written into a node's kind object.
#[derive(Clone, Copy)]
enum Field {
    /// A number at this key (rounded to an integer when `int`).
    Number { key: &'static str, int: bool },
    /// The machine name at this key.
    Machine,
    /// A fixed group size: `min_instances`, `initial_instances` and `max_instances` alike.
    Instances,
}

/// The parameters a sweep may vary: node kind, parameter name, its field and the key path
/// inside the kind object (an autoscaling group's server fields sit under `server`).
const PARAMS: &[(&str, &str, Field, Option<&str>)] = &[
    ("client", "rate", Field::Number { key: "rate_rps", int: false }, None),
    ("server", "workers", Field::Number { key: "workers", int: true }, None),
    ("server", "machine", Field::Machine, None),
    ("database", "machine", Field::Machine, None),
    ("cache", "capacity", Field::Number { key: "capacity_keys", int: true }, None),
    ("cache", "ttl", Field::Number { key: "ttl_s", int: false }, None),
    ("autoscaling_group", "instances", Field::Instances, None),
    ("autoscaling_group", "workers", Field::Number { key: "workers", int: true }, Some("server")),
    ("autoscaling_group", "machine", Field::Machine, Some("server")),
];

/// A parsed `--sweep`: the node, the parameter and the values, as JSON and as printed.
pub struct Sweep {
    node: String,
    param: String,
    field: Field,
    under: Option<&'static str>,
    values: Vec<(Value, String)>,
    /// Numeric values (for the knee); `None` for a machine sweep, whose knee is a step.
    numbers: Option<Vec<f64>>,
}

fn bad(spec: &str, why: impl std::fmt::Display) -> String {
    format!("error: --sweep {spec}: {why}")
}

/// Parses `NODE.PARAM=FROM..TO[:STEPS]` against the scenario.
pub fn parse(sc: &Scenario, spec: &str) -> Result<Sweep, String> {
    let (target, range) = spec.split_once('=').ok_or_else(|| bad(spec, "expected NODE.PARAM=FROM..TO:STEPS"))?;
    let (node, param) =
        target.rsplit_once('.').ok_or_else(|| bad(spec, "expected NODE.PARAM before `=` (e.g. users.rate)"))?;
    let kind = sc
        .nodes
        .iter()
        .find(|n| n.id == node)
        .map(|n| kind_name(&n.kind))
        .ok_or_else(|| bad(spec, format!("no node `{node}` in the scenario")))?;
    let &(_, _, field, under) = PARAMS.iter().find(|(k, p, _, _)| *k == kind && *p == param).ok_or_else(|| {
        let names: Vec<&str> = PARAMS.iter().filter(|(k, ..)| *k == kind).map(|(_, p, ..)| *p).collect();
        let offer = if names.is_empty() { "none".to_string() } else { names.join(", ") };
        bad(spec, format!("`{param}` is not a parameter of {node} (a {kind}); it has: {offer}"))
    })?;
    let (from, rest) = range.split_once("..").ok_or_else(|| bad(spec, "the range must be FROM..TO[:STEPS]"))?;
    let (to, steps) = match rest.split_once(':') {
        Some((to, s)) => (to, Some(s)),
        None => (rest, None),
    };
    let values: Vec<(Value, String)> = match field {
        Field::Machine => {
            if steps.is_some() {
                return Err(bad(spec, "a machine sweep steps through the catalogue: give FROM..TO without :STEPS"));
            }
            let pos = |name: &str| {
                MACHINES.iter().position(|m| m.name == name).ok_or_else(|| {
                    let all: Vec<&str> = MACHINES.iter().map(|m| m.name).collect();
                    bad(spec, format!("no machine `{name}`; the catalogue: {}", all.join(", ")))
                })
            };
            let (a, b) = (pos(from)?, pos(to)?);
            if a >= b {
                return Err(bad(spec, "FROM must be a smaller machine than TO"));
            }
            MACHINES[a..=b].iter().map(|m| (Value::from(m.name), m.name.to_string())).collect()
        }
        Field::Number { .. } | Field::Instances => {
            let int = matches!(field, Field::Instances) || matches!(field, Field::Number { int: true, .. });
            let num = |s: &str| s.trim().parse::<f64>().ok().filter(|v| v.is_finite());
            let (a, b) = (num(from), num(to));
            let (Some(a), Some(b)) = (a, b) else { return Err(bad(spec, "FROM and TO must be numbers")) };
            if a < 0.0 || a >= b {
                return Err(bad(spec, "the range needs 0 ≤ FROM < TO"));
            }
            let steps: usize = match steps {
                Some(s) => s.trim().parse().map_err(|_| bad(spec, "STEPS must be a whole number"))?,
                None => 10,
            };
            if !(2..=1000).contains(&steps) {
                return Err(bad(spec, "STEPS (the number of values) must be 2 – 1000"));
            }
            let mut vs: Vec<f64> = (0..steps).map(|i| a + (b - a) * i as f64 / (steps - 1) as f64).collect();
            if int {
                vs = vs.into_iter().map(f64::round).collect();
                vs.dedup();
            }
            vs.into_iter()
                .map(|v| if int { (Value::from(v as u64), format!("{v}")) } else { (Value::from(v), format!("{v}")) })
                .collect()
        }
    };
    let numbers = match field {
        Field::Machine => None,
        _ => Some(values.iter().map(|(v, _)| v.as_f64().unwrap_or(f64::NAN)).collect()),
    };
    Ok(Sweep { node: node.to_string(), param: param.to_string(), field, under, values, numbers })
}

/// The kind's name as in the file (`client`, `server`, …).
fn kind_name(kind: &sim_core::NodeKind) -> String {
    match serde_json::to_value(kind) {
        Ok(Value::Object(m)) => m.keys().next().cloned().unwrap_or_default(),
        Ok(Value::String(s)) => s,
        _ => String::new(),
    }
}

impl Sweep {
    /// The scenario with the parameter set to `v`, validated as a file would be.
    fn apply(&self, sc: &Scenario, v: &Value, shown: &str) -> Result<Scenario, String> {
        let mut doc: Value = serde_json::from_str(&sc.to_json()).map_err(|e| format!("error: {e}"))?;
        let fail = || format!("error: --sweep: cannot set {}.{} = {shown}", self.node, self.param);
        let node = doc["nodes"]
            .as_array_mut()
            .and_then(|ns| ns.iter_mut().find(|n| n["id"] == self.node.as_str()))
            .ok_or_else(fail)?;
        let kind = node["kind"].as_object_mut().and_then(|k| k.values_mut().next()).ok_or_else(fail)?;
        let obj = match self.under {
            Some(u) => kind.get_mut(u).ok_or_else(fail)?,
            None => kind,
        };
        let obj = obj.as_object_mut().ok_or_else(fail)?;
        match self.field {
            Field::Number { key, .. } => {
                obj.insert(key.into(), v.clone());
            }
            Field::Machine => {
                obj.insert("machine".into(), v.clone());
            }
            Field::Instances => {
                for key in ["min_instances", "initial_instances", "max_instances"] {
                    obj.insert(key.into(), v.clone());
                }
                // A fixed size never scales; the step must still fit in it.
                if obj.get("step").and_then(Value::as_u64) > v.as_u64() {
                    obj.insert("step".into(), v.clone());
                }
            }
        }
        Scenario::from_json(&doc.to_string())
            .map_err(|e| format!("error: --sweep {}.{} = {shown}: {e}", self.node, self.param))
    }
}

/// One value of the sweep: the value as printed and each figure's median and 95 % range.
#[derive(Serialize)]
struct Point {
    value: Value,
    figures: std::collections::BTreeMap<&'static str, Spread>,
}

/// Where the median p99 crosses the SLO.
#[derive(Serialize)]
struct Knee {
    slo_p99_ms: f64,
    /// `"above"`: p99 rises past the SLO as the value grows; `"below"`: it falls under it.
    direction: &'static str,
    /// The value at the crossing (interpolated between steps; a machine name for machines).
    value: Value,
    text: String,
}

/// Runs the sweep and prints it (text or JSON) and, if asked, writes its CSV.
pub fn run(
    sc: &Scenario,
    sweep: &Sweep,
    args: &RunArgs,
    slo_p99_ms: Option<f64>,
    csv: Option<&Path>,
) -> Result<(), String> {
    let designs: Vec<Scenario> =
        sweep.values.iter().map(|(v, shown)| sweep.apply(sc, v, shown)).collect::<Result<_, _>>()?;
    let refs: Vec<&Scenario> = designs.iter().collect();
    let seeds = seeds_of(sc, args);
    let runs = run_seeds(&refs, &seeds, args.duration_s)?;
    let points: Vec<Point> = sweep
        .values
        .iter()
        .zip(&runs)
        .map(|((v, _), rs)| Point {
            value: v.clone(),
            figures: SWEPT.iter().map(|n| (*n, spread(rs.iter().map(|s| figure(s, n))))).collect(),
        })
        .collect();
    let knee = slo_p99_ms.and_then(|slo| knee(sweep, &points, slo));
    if let Some(path) = csv {
        write_csv(path, &points)?;
    }
    let target = format!("{}.{}", sweep.node, sweep.param);
    if args.json {
        #[derive(Serialize)]
        struct Out<'a> {
            scenario: &'a str,
            parameter: &'a str,
            seeds: &'a [u64],
            interval: &'static str,
            points: &'a [Point],
            knee: Option<&'a Knee>,
        }
        let out = Out {
            scenario: &sc.name,
            parameter: &target,
            seeds: &seeds,
            interval: "2.5-97.5 percentile of per-seed values",
            points: &points,
            knee: knee.as_ref(),
        };
        println!("{}", serde_json::to_string_pretty(&out).map_err(|e| format!("error: {e}"))?);
        return Ok(());
    }
    let plural = if seeds.len() == 1 { "" } else { "s" };
    println!("scenario   {} (sweep {target}, {} values × {} seed{plural})", sc.name, points.len(), seeds.len());
    let short = |n: &str| n.trim_start_matches("latency_").to_string();
    let mut header = format!("{:<12}", sweep.param);
    for n in SWEPT {
        header.push_str(&format!(" {:>30}", short(n)));
    }
    println!("{header}");
    for (p, (_, shown)) in points.iter().zip(&sweep.values) {
        let mut line = format!("{shown:<12}");
        for n in SWEPT {
            let s = p.figures[n];
            line.push_str(&format!(" {:>30}", format!("{} [{}, {}]", fmt(s.median), fmt(s.lo), fmt(s.hi))));
        }
        println!("{line}");
    }
    match (slo_p99_ms, &knee) {
        (_, Some(k)) => println!("knee       {}", k.text),
        (Some(slo), None) => println!("knee       the median p99 does not cross the {slo} ms SLO in this range"),
        (None, None) => {}
    }
    Ok(())
}

/// The first crossing of the SLO by the median p99, interpolated linearly between steps.
fn knee(sweep: &Sweep, points: &[Point], slo: f64) -> Option<Knee> {
    let p99: Vec<f64> = points.iter().map(|p| p.figures["latency_p99_ms"].median).collect();
    let i = (1..p99.len()).find(|&i| (p99[i - 1] <= slo) != (p99[i] <= slo))?;
    let direction = if p99[i] > slo { "above" } else { "below" };
    let target = format!("{}.{}", sweep.node, sweep.param);
    let (value, shown) = match &sweep.numbers {
        Some(xs) => {
            let t = (slo - p99[i - 1]) / (p99[i] - p99[i - 1]);
            let x = xs[i - 1] + t * (xs[i] - xs[i - 1]);
            (Value::from(x), format!("{x:.1}"))
        }
        None => (sweep.values[i].0.clone(), sweep.values[i].1.clone()),
    };
    let text = match (direction, sweep.numbers.is_some()) {
        ("above", true) => format!("p99 breaks the {slo} ms SLO above {target} = {shown}"),
        (_, true) => format!("p99 meets the {slo} ms SLO above {target} = {shown}"),
        ("above", false) => format!("p99 breaks the {slo} ms SLO from {target} = {shown}"),
        (_, false) => format!("p99 meets the {slo} ms SLO from {target} = {shown}"),
    };
    Some(Knee { slo_p99_ms: slo, direction, value, text })
}

/// `value`, then `FIGURE.median`, `FIGURE.lo`, `FIGURE.hi` for each swept figure.
fn write_csv(path: &Path, points: &[Point]) -> Result<(), String> {
    let fail = |e: std::io::Error| format!("error: --sweep-csv {}: {e}", path.display());
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).map_err(fail)?);
    let mut header = vec!["value".to_string()];
    for n in SWEPT {
        header.extend(["median", "lo", "hi"].map(|s| format!("{n}.{s}")));
    }
    writeln!(out, "{}", header.join(",")).map_err(fail)?;
    let cell = |v: f64| if v.is_nan() { String::new() } else { v.to_string() };
    for p in points {
        let mut cells = vec![match &p.value {
            Value::String(s) => s.clone(),
            v => v.to_string(),
        }];
        for n in SWEPT {
            let s = p.figures[n];
            cells.extend([cell(s.median), cell(s.lo), cell(s.hi)]);
        }
        writeln!(out, "{}", cells.join(",")).map_err(fail)?;
    }
    out.flush().map_err(fail)
}
