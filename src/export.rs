//! The design as a picture, as plain data: a [`Scene`] of boxes, words, links, region frames
//! and request dots, built from the design and (optionally) a snapshot in the page's colour
//! scheme, written as SVG text here and painted on a `<canvas>` by `src/exports.rs` (PNG and
//! the clip's frames). Also the export file names. No Leptos, no web APIs: tested natively.

use sim_core::{EdgeState, Health, Scenario, Snapshot};

use crate::model::{self, NODE_H, NODE_W};

/// Frames per second of the clip.
pub const CLIP_FPS: f64 = 20.0;

/// Empty space around the design, px.
const MARGIN: f64 = 32.0;
/// Height of the title line above the design, px.
const TITLE_H: f64 = 28.0;
/// Height of the caption line under the design (the clip's clock and figures), px.
const CAPTION_H: f64 = 26.0;
/// Padding of a region's frame around its components, px.
const REGION_PAD: f64 = 14.0;
/// The font of every word.
pub const FONT: &str = "system-ui, -apple-system, 'Segoe UI', sans-serif";

/// The page's colours (its CSS variables in the current scheme).
#[derive(Clone, Debug, PartialEq)]
pub struct Palette {
    pub bg: String,
    pub ink: String,
    pub muted: String,
    pub line: String,
    pub node_bg: String,
    pub edge: String,
    pub warn: String,
    pub bad: String,
    /// Saturation and lightness of a busy box's utilisation hue, %.
    pub node_s: f64,
    pub node_l: f64,
}

impl Palette {
    /// The light scheme's values (`public/style.css`), for tests and as a fallback.
    pub fn light() -> Palette {
        Palette {
            bg: "#f7f8fa".into(),
            ink: "#1f2933".into(),
            muted: "#5f6b7a".into(),
            line: "#d9dee5".into(),
            node_bg: "#eef1f5".into(),
            edge: "#8a97a8".into(),
            warn: "#d97706".into(),
            bad: "#dc2626".into(),
            node_s: 65.0,
            node_l: 88.0,
        }
    }
}

/// One thing drawn, in scene pixels (the origin top left).
#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    /// A box (rounded by `r`), filled and outlined; `dash` is an SVG dash array.
    Rect {
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        r: f64,
        fill: String,
        stroke: String,
        stroke_w: f64,
        dash: Option<&'static str>,
    },
    /// Words, their left end and baseline at (x, y).
    Text {
        x: f64,
        y: f64,
        text: String,
        size: f64,
        bold: bool,
        fill: String,
    },
    /// A cubic Bézier link.
    Curve {
        c: [(f64, f64); 4],
        stroke: String,
        width: f64,
        dash: Option<&'static str>,
    },
    /// A request dot.
    Dot {
        x: f64,
        y: f64,
        r: f64,
        fill: String,
    },
}

/// A picture of the design.
#[derive(Clone, Debug, PartialEq)]
pub struct Scene {
    pub width: f64,
    pub height: f64,
    pub bg: String,
    pub shapes: Vec<Shape>,
}

/// What to draw besides the design: a snapshot's state, moving dots, a caption.
#[derive(Clone, Copy, Default)]
pub struct Extras<'a> {
    /// Node badges, utilisation colours and link widths from this snapshot.
    pub snap: Option<&'a Snapshot>,
    /// Dots along each busy link at this phase (0..1), as the canvas draws them.
    pub dots_phase: Option<f64>,
    /// A line under the design (the clip's clock and figures).
    pub caption: Option<&'a str>,
}

/// The utilisation colour of a busy box, as the canvas's `.node.hot` draws it.
fn util_fill(p: &Palette, util: f64) -> String {
    let h = 120.0 * (1.0 - util.clamp(0.0, 1.0));
    format!("hsl({h:.0}, {}%, {}%)", p.node_s, p.node_l)
}

fn health_word(h: Health, marked_unhealthy: bool) -> &'static str {
    match h {
        Health::Down => "down",
        Health::Booting => "booting",
        Health::Draining => "draining",
        Health::Up if marked_unhealthy => "unhealthy",
        Health::Up => "up",
    }
}

/// The design's bounding box in world coordinates (regions' frames included).
fn bounds(design: &Scenario) -> (f64, f64, f64, f64) {
    let mut b = (
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    );
    for n in &design.nodes {
        let (x, y) = (n.x.unwrap_or(0.0), n.y.unwrap_or(0.0));
        let pad = if n.region.is_some() { REGION_PAD } else { 0.0 };
        let top = if n.region.is_some() {
            REGION_PAD + 14.0
        } else {
            0.0
        };
        b = (
            b.0.min(x - pad),
            b.1.min(y - top),
            b.2.max(x + NODE_W + pad),
            b.3.max(y + NODE_H + pad),
        );
    }
    if design.nodes.is_empty() {
        (0.0, 0.0, 320.0, 120.0)
    } else {
        b
    }
}

/// The picture of `design` in palette `p`; `kind_colour` gives a kind's accent (the
/// canvas's `--kind-c`).
pub fn scene(
    design: &Scenario,
    p: &Palette,
    kind_colour: impl Fn(&str) -> String,
    extras: Extras,
) -> Scene {
    let (x0, y0, x1, y1) = bounds(design);
    let (ox, oy) = (MARGIN - x0, MARGIN + TITLE_H - y0);
    let at = |x: f64, y: f64| (x + ox, y + oy);
    let caption_h = if extras.caption.is_some() {
        CAPTION_H
    } else {
        0.0
    };
    let width = (x1 - x0 + 2.0 * MARGIN).max(320.0).ceil();
    let height = (y1 - y0 + 2.0 * MARGIN + TITLE_H + caption_h).ceil();
    let mut shapes = vec![Shape::Text {
        x: MARGIN,
        y: MARGIN,
        text: design.name.clone(),
        size: 15.0,
        bold: true,
        fill: p.ink.clone(),
    }];

    // Regions: a frame around each region's components, named at its top left.
    let mut regions: Vec<&str> = design
        .nodes
        .iter()
        .filter_map(|n| n.region.as_deref())
        .collect();
    regions.sort_unstable();
    regions.dedup();
    for r in regions {
        let mut b = (
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        );
        for n in design
            .nodes
            .iter()
            .filter(|n| n.region.as_deref() == Some(r))
        {
            let (x, y) = (n.x.unwrap_or(0.0), n.y.unwrap_or(0.0));
            b = (
                b.0.min(x),
                b.1.min(y),
                b.2.max(x + NODE_W),
                b.3.max(y + NODE_H),
            );
        }
        let (x, y) = at(b.0 - REGION_PAD, b.1 - REGION_PAD - 14.0);
        shapes.push(Shape::Rect {
            x,
            y,
            w: b.2 - b.0 + 2.0 * REGION_PAD,
            h: b.3 - b.1 + 2.0 * REGION_PAD + 14.0,
            r: 10.0,
            fill: "none".into(),
            stroke: p.muted.clone(),
            stroke_w: 1.0,
            dash: Some("6 4"),
        });
        shapes.push(Shape::Text {
            x: x + 8.0,
            y: y + 15.0,
            text: r.to_string(),
            size: 11.0,
            bold: false,
            fill: p.muted.clone(),
        });
    }

    // Links under the boxes, as wide as the canvas draws them for their flow.
    for e in &design.edges {
        let (Some(a), Some(b)) = (
            model::node_pos(design, &e.from),
            model::node_pos(design, &e.to),
        ) else {
            continue;
        };
        let c = model::edge_curve(a, b).map(|(x, y)| at(x, y));
        let live = extras
            .snap
            .and_then(|s| s.edges.iter().find(|v| v.from == e.from && v.to == e.to));
        let rps = live.map_or(0.0, |v| v.window_rps.max(0.0));
        let cut = live.is_some_and(|v| v.state == EdgeState::Partitioned);
        let width = 1.5 + 1.5 * (rps + 1.0).log10().round();
        shapes.push(Shape::Curve {
            c,
            stroke: if cut { p.bad.clone() } else { p.edge.clone() },
            width,
            dash: cut.then_some("7 5"),
        });
        if let (Some(phase), Some(v)) = (extras.dots_phase, live) {
            if v.window_rps > 0.0 && !cut {
                let n = ((v.window_rps + 1.0).log10() * 3.0).ceil().clamp(1.0, 16.0) as usize;
                let fill = if v.healthy { "#3b82f6" } else { "#f59e0b" };
                for i in 0..n {
                    let (x, y) = model::bezier_at(&c, (phase + i as f64 / n as f64).fract());
                    shapes.push(Shape::Dot {
                        x,
                        y,
                        r: 2.6,
                        fill: fill.into(),
                    });
                }
            }
        }
    }

    // Boxes: background (the utilisation hue when busy), the kind's stripe, name, kind, state.
    for n in &design.nodes {
        let (x, y) = at(n.x.unwrap_or(0.0), n.y.unwrap_or(0.0));
        let kind = n.kind.name();
        let live = extras
            .snap
            .and_then(|s| s.nodes.iter().find(|v| v.id == n.id));
        let fill = match live {
            Some(v) if v.workers > 0 => util_fill(p, v.window.utilisation),
            _ => p.node_bg.clone(),
        };
        let down = live.is_some_and(|v| v.health == Health::Down);
        let unhealthy = live.is_some_and(|v| v.marked_unhealthy);
        shapes.push(Shape::Rect {
            x,
            y,
            w: NODE_W,
            h: NODE_H,
            r: 6.0,
            fill,
            stroke: if unhealthy {
                p.warn.clone()
            } else {
                p.line.clone()
            },
            stroke_w: 1.0,
            dash: down.then_some("4 3"),
        });
        shapes.push(Shape::Rect {
            x,
            y,
            w: 5.0,
            h: NODE_H,
            r: 2.0,
            fill: kind_colour(kind),
            stroke: "none".into(),
            stroke_w: 0.0,
            dash: None,
        });
        shapes.push(Shape::Text {
            x: x + 12.0,
            y: y + 20.0,
            text: n.label.clone().unwrap_or_else(|| n.id.clone()),
            size: 13.0,
            bold: true,
            fill: p.ink.clone(),
        });
        shapes.push(Shape::Text {
            x: x + 12.0,
            y: y + 35.0,
            text: model::kind_info(kind).map_or(kind, |k| k.title).to_string(),
            size: 11.0,
            bold: false,
            fill: p.muted.clone(),
        });
        if let Some(v) = live {
            let mut state = health_word(v.health, v.marked_unhealthy).to_string();
            if v.workers > 0 {
                state.push_str(&format!(" · {:.0} %", v.window.utilisation * 100.0));
            }
            if v.queue_len > 0 {
                state.push_str(&format!(" · queue {}", v.queue_len));
            }
            shapes.push(Shape::Text {
                x: x + 12.0,
                y: y + 50.0,
                text: state,
                size: 10.0,
                bold: false,
                fill: if down { p.bad.clone() } else { p.muted.clone() },
            });
        }
    }

    if let Some(c) = extras.caption {
        shapes.push(Shape::Text {
            x: MARGIN,
            y: height - MARGIN / 2.0 - 4.0,
            text: c.to_string(),
            size: 13.0,
            bold: false,
            fill: p.ink.clone(),
        });
    }
    Scene {
        width,
        height,
        bg: p.bg.clone(),
        shapes,
    }
}

/// The clip's caption for a snapshot: simulated time and the last window's figures.
pub fn caption(snap: &Snapshot, speed: f64) -> String {
    let w = &snap.global.window;
    format!(
        "t = {:.1} s · {:.0} req/s · p50 {:.0} ms · p99 {:.0} ms · errors {:.1} % · replay ×{speed}",
        snap.now_s,
        w.rps,
        w.p50_ms,
        w.p99_ms,
        w.error_rate * 100.0
    )
}

/// Text safe inside an XML element or attribute.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// The scene as an SVG document of real elements (`rect`, `text`, `path`, `circle`).
pub fn svg(s: &Scene) -> String {
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"{f}\">\n\
         <rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"{bg}\"/>\n",
        w = s.width,
        h = s.height,
        f = xml(FONT),
        bg = xml(&s.bg)
    );
    for sh in &s.shapes {
        let line = match sh {
            Shape::Rect {
                x,
                y,
                w,
                h,
                r,
                fill,
                stroke,
                stroke_w,
                dash,
            } => format!(
                "<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" rx=\"{r}\" fill=\"{}\" stroke=\"{}\" stroke-width=\"{stroke_w}\"{}/>",
                xml(fill),
                xml(stroke),
                dash.map_or(String::new(), |d| format!(" stroke-dasharray=\"{d}\""))
            ),
            Shape::Text {
                x,
                y,
                text,
                size,
                bold,
                fill,
            } => format!(
                "<text x=\"{x}\" y=\"{y}\" font-size=\"{size}\"{} fill=\"{}\">{}</text>",
                if *bold { " font-weight=\"600\"" } else { "" },
                xml(fill),
                xml(text)
            ),
            Shape::Curve {
                c,
                stroke,
                width,
                dash,
            } => format!(
                "<path d=\"M{} {} C{} {} {} {} {} {}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{width}\" stroke-linecap=\"round\"{}/>",
                c[0].0,
                c[0].1,
                c[1].0,
                c[1].1,
                c[2].0,
                c[2].1,
                c[3].0,
                c[3].1,
                xml(stroke),
                dash.map_or(String::new(), |d| format!(" stroke-dasharray=\"{d}\""))
            ),
            Shape::Dot { x, y, r, fill } => {
                format!("<circle cx=\"{x}\" cy=\"{y}\" r=\"{r}\" fill=\"{}\"/>", xml(fill))
            }
        };
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str("</svg>\n");
    out
}

/// A download's name from the design's name: `design-<slug>.<ext>` ("My shop!", "png" →
/// "design-my-shop.png").
pub fn file_name(name: &str, ext: &str) -> String {
    let slug: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let slug = slug
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if slug.is_empty() {
        format!("design.{ext}")
    } else {
        format!("design-{slug}.{ext}")
    }
}

/// The clip's frame instants, s: every 1 / `CLIP_FPS` of wall time at `speed`, from 0 to
/// `end_s` (the last frame exactly at the end).
pub fn frame_times(end_s: f64, speed: f64) -> Vec<f64> {
    if !(end_s > 0.0 && speed > 0.0) {
        return vec![0.0];
    }
    let step = speed / CLIP_FPS;
    let n = (end_s / step).ceil() as usize;
    (0..=n).map(|k| (k as f64 * step).min(end_s)).collect()
}

#[cfg(test)]
#[path = "export_tests.rs"]
mod tests;
