//! Golden digests: every example scenario and every preset, run headless as the `simulate`
//! runner runs them (`simulate FILE --seed N`: the file's own duration, or the default one),
//! must end with the digest committed in `tests/fixtures/digests.txt`. Any change to what the
//! engine computes shows here, named by file and seed; when the change is intended, regenerate
//! the fixture with `UPDATE_DIGESTS=1 cargo test --profile fast-release -p sim-core golden`
//! and commit it with the change that explains it.

use sim_core::{run_headless, Scenario};
use std::collections::BTreeMap;
use std::path::Path;

const FIXTURE: &str = "tests/fixtures/digests.txt";
const SEEDS: [u64; 2] = [1, 7];
const DIRS: [&str; 2] = ["scenarios", "presets"];

/// `(path seed=N, digest)` for every file and seed, in the fixture's order: the line
/// `path seed=N digest` is what the runner's digest line says for that file and seed.
fn digests() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in DIRS {
        let mut files: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap_or_else(|e| panic!("cannot list sim-core/{dir}: {e}"))
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        for file in files {
            let name = format!("sim-core/{dir}/{}", file.file_name().unwrap().to_string_lossy());
            let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("cannot read {name}: {e}"));
            let scenario = Scenario::from_json(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            for seed in SEEDS {
                let summary = run_headless(&scenario, Some(seed), None).unwrap_or_else(|e| panic!("{name}: {e}"));
                out.push((format!("{name} seed={seed}"), summary.digest));
            }
        }
    }
    out
}

#[test]
fn every_scenario_and_preset_ends_with_its_committed_digest() {
    let now = digests();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE);
    if std::env::var_os("UPDATE_DIGESTS").is_some() {
        let text: String = now.iter().map(|(k, d)| format!("{k} {d}\n")).collect();
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("cannot write sim-core/{FIXTURE}: {e}"));
        eprintln!("wrote {} digests to sim-core/{FIXTURE}", now.len());
        return;
    }
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read sim-core/{FIXTURE}: {e}"));
    let mut want: BTreeMap<&str, &str> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let (key, digest) = line.rsplit_once(' ').unwrap_or_else(|| panic!("bad line in sim-core/{FIXTURE}: {line}"));
        want.insert(key, digest);
    }
    let mut problems = Vec::new();
    for (key, digest) in &now {
        match want.remove(key.as_str()) {
            Some(w) if w == digest => {}
            Some(w) => problems.push(format!("{key}: digest {digest}, fixture says {w}")),
            None => problems.push(format!("{key}: digest {digest}, not in the fixture")),
        }
    }
    for key in want.keys() {
        problems.push(format!("{key}: in the fixture, but no such file"));
    }
    assert!(
        problems.is_empty(),
        "the simulation of these files and seeds changed:\n  {}\nIf the change is intended, regenerate the fixture with\n  \
         UPDATE_DIGESTS=1 cargo test --profile fast-release -p sim-core golden\nand commit sim-core/{FIXTURE} with it.",
        problems.join("\n  ")
    );
}
