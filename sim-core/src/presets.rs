//! The preset gallery: prepared designs with a short lesson each, in groups: the material's
//! journey from one server to a multi-region design, then blueprints of classic designs for
//! interview practice. Each is an ordinary scenario file in `sim-core/presets/`, embedded at
//! compile time so the browser and the tests read the same text.

use crate::error::Error;
use crate::scenario::Scenario;

/// A group of presets, shown under its own heading in the gallery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// The material's journey, from one server to the worked example.
    Journey,
    /// Classic system designs to load, break and improve for interview practice.
    Blueprints,
}

impl Group {
    /// Every group, in the gallery's order.
    pub const ALL: [Group; 2] = [Group::Journey, Group::Blueprints];

    /// A stable id, lowercase (used in the page's test ids).
    pub fn id(self) -> &'static str {
        match self {
            Group::Journey => "journey",
            Group::Blueprints => "blueprints",
        }
    }

    /// The group's heading.
    pub fn title(self) -> &'static str {
        match self {
            Group::Journey => "The journey",
            Group::Blueprints => "Blueprints",
        }
    }

    /// One sentence on what the group holds.
    pub fn blurb(self) -> &'static str {
        match self {
            Group::Journey => "From one server to many regions, a step at a time.",
            Group::Blueprints => "Classic system designs for interview practice: load one, break it, improve it.",
        }
    }

    /// The presets of this group, in order.
    pub fn presets(self) -> impl Iterator<Item = &'static Preset> {
        PRESETS.iter().filter(move |p| p.group == self)
    }
}

/// One preset: a stable id (used in embed URLs, `?preset=ID`), its group and its scenario
/// JSON.
#[derive(Clone, Copy, Debug)]
pub struct Preset {
    /// Stable id, lowercase with dashes.
    pub id: &'static str,
    /// The gallery group it is shown in.
    pub group: Group,
    /// The scenario, as JSON.
    pub json: &'static str,
}

impl Preset {
    /// Parses the preset.
    pub fn scenario(&self) -> Result<Scenario, Error> {
        Scenario::from_json(self.json)
    }
}

/// Every preset: the material's journey in order, then the blueprints.
pub const PRESETS: &[Preset] = &[
    Preset { id: "single-server", group: Group::Journey, json: include_str!("../presets/single-server.json") },
    Preset { id: "separate-database", group: Group::Journey, json: include_str!("../presets/separate-database.json") },
    Preset { id: "load-balancer", group: Group::Journey, json: include_str!("../presets/load-balancer.json") },
    Preset { id: "read-replicas", group: Group::Journey, json: include_str!("../presets/read-replicas.json") },
    Preset { id: "cache", group: Group::Journey, json: include_str!("../presets/cache.json") },
    Preset { id: "cdn", group: Group::Journey, json: include_str!("../presets/cdn.json") },
    Preset { id: "stateless-tier", group: Group::Journey, json: include_str!("../presets/stateless-tier.json") },
    Preset { id: "multi-region", group: Group::Journey, json: include_str!("../presets/multi-region.json") },
    Preset { id: "message-queue", group: Group::Journey, json: include_str!("../presets/message-queue.json") },
    Preset { id: "sharding", group: Group::Journey, json: include_str!("../presets/sharding.json") },
    Preset { id: "cap-partition", group: Group::Journey, json: include_str!("../presets/cap-partition.json") },
    Preset { id: "url-shortener", group: Group::Journey, json: include_str!("../presets/url-shortener.json") },
    Preset { id: "resilience", group: Group::Journey, json: include_str!("../presets/resilience.json") },
    Preset { id: "news-feed", group: Group::Blueprints, json: include_str!("../presets/news-feed.json") },
    Preset { id: "chat", group: Group::Blueprints, json: include_str!("../presets/chat.json") },
    Preset { id: "ride-hailing", group: Group::Blueprints, json: include_str!("../presets/ride-hailing.json") },
    Preset { id: "video-streaming", group: Group::Blueprints, json: include_str!("../presets/video-streaming.json") },
    Preset { id: "checkout", group: Group::Blueprints, json: include_str!("../presets/checkout.json") },
    Preset { id: "public-api", group: Group::Blueprints, json: include_str!("../presets/public-api.json") },
    Preset { id: "autocomplete", group: Group::Blueprints, json: include_str!("../presets/autocomplete.json") },
    Preset { id: "notifications", group: Group::Blueprints, json: include_str!("../presets/notifications.json") },
];

/// The preset with this id.
pub fn preset(id: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.id == id)
}
