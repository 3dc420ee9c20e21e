//! Embed mode: what the page's query string asks for (`?embed=1&hide=…&readonly=1&…`) and
//! what read-only means. Plain data and pure functions, no Leptos, so the browser tests can
//! check them directly.

use std::mem::discriminant;

use sim_core::Scenario;

/// Panels an embed may hide with `hide=`.
pub const PANELS: &[&str] = &["palette", "traffic", "inspector", "dock", "lesson"];

/// What an embed shows when its frame is short (`view=`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ViewMode {
    /// The canvas and the charts share the frame (the default).
    #[default]
    Both,
    /// The canvas takes the room; the key figures stay, the charts go.
    Canvas,
    /// The figures and charts take the room; the canvas goes.
    Metrics,
}

impl ViewMode {
    /// The name `view=` takes for this choice.
    pub fn name(self) -> &'static str {
        match self {
            ViewMode::Both => "both",
            ViewMode::Canvas => "canvas",
            ViewMode::Metrics => "metrics",
        }
    }

    fn parse(value: &str) -> Option<ViewMode> {
        [ViewMode::Both, ViewMode::Canvas, ViewMode::Metrics]
            .into_iter()
            .find(|v| v.name().eq_ignore_ascii_case(value.trim()))
    }
}

/// Said when a read-only page refuses an edit.
pub const READ_ONLY: &str = "This design is read-only here: you can run it, change traffic and parameters, and break things, but not add, move, connect or delete components. Open it in the full playground to edit it.";

/// What the query string asks for.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    /// `embed=1`: a compact page for an `<iframe>` that never touches local storage.
    pub embed: bool,
    /// `hide=palette,inspector,…`: panels not shown (names from [`PANELS`]).
    pub hide: Vec<&'static str>,
    /// `readonly=1`: structure edits are refused (see [`same_structure`]).
    pub readonly: bool,
    /// `autoplay=1`: the run starts playing at once (otherwise it starts paused).
    pub autoplay: bool,
    /// `preset=ID`: start from this preset (a `#s=` link in the fragment wins).
    pub preset: Option<String>,
    /// `challenge=ID`: open this campaign challenge (not kept in the address once opened).
    pub challenge: Option<String>,
    /// `view=canvas|metrics|both`: what a short frame gives its room to.
    pub show: ViewMode,
    /// `host=ORIGIN[,ORIGIN…]` (may repeat): the pages allowed to drive this one through the
    /// host-page API (`postMessage`, docs/host-api.md); none means the API is off.
    pub hosts: Vec<String>,
    /// Parameters or panel names this build does not know, to be said once.
    pub unknown: Vec<String>,
}

impl Config {
    /// Reads a query string (with or without the leading `?`).
    pub fn parse(query: &str) -> Config {
        let mut c = Config::default();
        let query = query.strip_prefix('?').unwrap_or(query);
        for part in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            let value = percent_decode(value);
            let on = !matches!(value.as_str(), "0" | "false" | "no" | "off");
            match key {
                "embed" => c.embed = on,
                "readonly" => c.readonly = on,
                "autoplay" => c.autoplay = on,
                "preset" => c.preset = (!value.is_empty()).then_some(value),
                "host" => {
                    for h in value.split(',').map(str::trim).filter(|h| !h.is_empty()) {
                        match crate::host_api::parse_origin(h) {
                            Ok(o) if !c.hosts.contains(&o) => c.hosts.push(o),
                            Ok(_) => {}
                            Err(why) => c.unknown.push(format!("host={h} ({why})")),
                        }
                    }
                }
                "challenge" => c.challenge = (!value.is_empty()).then_some(value),
                "view" => match ViewMode::parse(&value) {
                    Some(v) => c.show = v,
                    None => c.unknown.push(format!("view={value}")),
                },
                "hide" => {
                    for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                        match PANELS.iter().find(|p| p.eq_ignore_ascii_case(name)) {
                            Some(p) if !c.hide.contains(p) => c.hide.push(p),
                            Some(_) => {}
                            None => c.unknown.push(format!("hide={name}")),
                        }
                    }
                }
                _ => c.unknown.push(key.to_string()),
            }
        }
        c
    }

    /// The query string that asks for this configuration (no leading `?`, empty when
    /// nothing is asked); `parse` reads it back.
    pub fn query(&self) -> String {
        let mut parts = Vec::new();
        if self.embed {
            parts.push("embed=1".to_string());
        }
        if !self.hide.is_empty() {
            parts.push(format!("hide={}", self.hide.join(",")));
        }
        if self.readonly {
            parts.push("readonly=1".to_string());
        }
        if self.autoplay {
            parts.push("autoplay=1".to_string());
        }
        if let Some(p) = &self.preset {
            parts.push(format!("preset={p}"));
        }
        if self.show != ViewMode::Both {
            parts.push(format!("view={}", self.show.name()));
        }
        if !self.hosts.is_empty() {
            parts.push(format!("host={}", self.hosts.join(",")));
        }
        parts.join("&")
    }

    /// True when `panel` is hidden.
    pub fn hides(&self, panel: &str) -> bool {
        self.hide.contains(&panel)
    }

    /// CSS classes of the page for this configuration.
    pub fn classes(&self) -> String {
        let mut classes = vec!["app".to_string()];
        if self.embed {
            classes.push("embed".into());
        }
        if self.readonly {
            classes.push("readonly".into());
        }
        classes.extend(self.hide.iter().map(|p| format!("hide-{p}")));
        if self.show != ViewMode::Both {
            classes.push(format!("view-{}", self.show.name()));
        }
        classes.join(" ")
    }
}

/// Decodes `%XX` escapes and `+` (a space) in a query value; a bad escape stays as it is.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match b[i] {
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// True when `b` has the same components (ids, kinds, positions) and the same links as
/// `a`: what a read-only page still lets the learner change is parameters, traffic,
/// labels and the timeline.
pub fn same_structure(a: &Scenario, b: &Scenario) -> bool {
    a.nodes.len() == b.nodes.len()
        && a.edges.len() == b.edges.len()
        && a.nodes.iter().zip(&b.nodes).all(|(m, n)| {
            m.id == n.id
                && discriminant(&m.kind) == discriminant(&n.kind)
                && m.x == n.x
                && m.y == n.y
        })
        && a.edges
            .iter()
            .zip(&b.edges)
            .all(|(e, f)| e.from == f.from && e.to == f.to)
}

#[cfg(test)]
#[path = "embed_tests.rs"]
mod tests;
