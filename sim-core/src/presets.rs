//! The preset gallery: prepared designs with a short lesson each, following the material's
//! journey from one server to a multi-region design. Each is an ordinary scenario file in
//! `sim-core/presets/`, embedded at compile time so the browser and the tests read the same
//! text.

use crate::error::Error;
use crate::scenario::Scenario;

/// One preset: a stable id (used in embed URLs, `?preset=ID`) and its scenario JSON.
#[derive(Clone, Copy, Debug)]
pub struct Preset {
    /// Stable id, lowercase with dashes.
    pub id: &'static str,
    /// The scenario, as JSON.
    pub json: &'static str,
}

impl Preset {
    /// Parses the preset.
    pub fn scenario(&self) -> Result<Scenario, Error> {
        Scenario::from_json(self.json)
    }
}

/// Every preset, in the order of the material's journey.
pub const PRESETS: &[Preset] = &[
    Preset { id: "single-server", json: include_str!("../presets/single-server.json") },
    Preset { id: "separate-database", json: include_str!("../presets/separate-database.json") },
    Preset { id: "load-balancer", json: include_str!("../presets/load-balancer.json") },
    Preset { id: "read-replicas", json: include_str!("../presets/read-replicas.json") },
    Preset { id: "cache", json: include_str!("../presets/cache.json") },
    Preset { id: "cdn", json: include_str!("../presets/cdn.json") },
    Preset { id: "stateless-tier", json: include_str!("../presets/stateless-tier.json") },
    Preset { id: "multi-region", json: include_str!("../presets/multi-region.json") },
    Preset { id: "message-queue", json: include_str!("../presets/message-queue.json") },
    Preset { id: "sharding", json: include_str!("../presets/sharding.json") },
    Preset { id: "cap-partition", json: include_str!("../presets/cap-partition.json") },
    Preset { id: "url-shortener", json: include_str!("../presets/url-shortener.json") },
    Preset { id: "resilience", json: include_str!("../presets/resilience.json") },
];

/// The preset with this id.
pub fn preset(id: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.id == id)
}
