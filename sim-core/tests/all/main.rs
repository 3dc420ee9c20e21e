//! sim-core's integration tests: one binary (one link), a module per area.

mod availability;
mod behaviour;
mod blueprints;
mod challenges;
mod chaos;
mod checkpoint;
mod common;
mod data_invariants;
mod data_tier;
mod determinism;
mod explain;
mod golden;
mod harness;
mod invariants;
mod machines;
mod presets;
mod resilience;
mod runner;
mod scenarios;
mod series;
mod sessions;
mod theory;
mod topology;
