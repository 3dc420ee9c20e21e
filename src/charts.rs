//! Line charts and sparklines drawn on `<canvas>` (cheap to redraw ten times a second).

use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use crate::engine::ERROR_CAUSES;

/// One line of a chart.
pub struct Line<'a> {
    pub label: &'a str,
    pub color: &'a str,
    pub points: Vec<(f64, f64)>,
}

/// Resizes the backing store to the element's CSS size × device pixel ratio and returns
/// the 2D context scaled to CSS px, with the size in CSS px.
pub fn prepare(el: &HtmlCanvasElement) -> Option<(CanvasRenderingContext2d, f64, f64)> {
    let dpr = gloo::utils::window().device_pixel_ratio().clamp(1.0, 3.0);
    let (w, h) = (
        f64::from(el.client_width().max(1)),
        f64::from(el.client_height().max(1)),
    );
    let (bw, bh) = ((w * dpr) as u32, (h * dpr) as u32);
    if el.width() != bw || el.height() != bh {
        el.set_width(bw);
        el.set_height(bh);
    }
    let ctx = el
        .get_context("2d")
        .ok()
        .flatten()?
        .dyn_into::<CanvasRenderingContext2d>()
        .ok()?;
    let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
    ctx.clear_rect(0.0, 0.0, w, h);
    Some((ctx, w, h))
}

/// The element's text colour, so charts follow the colour scheme.
pub fn ink(el: &HtmlCanvasElement) -> String {
    gloo::utils::window()
        .get_computed_style(el)
        .ok()
        .flatten()
        .and_then(|s| s.get_property_value("color").ok())
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "#888".to_string())
}

fn nice_max(v: f64) -> f64 {
    if v <= 0.0 || !v.is_finite() {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    for m in [1.0, 2.0, 5.0, 10.0] {
        if v <= m * p {
            return m * p;
        }
    }
    10.0 * p
}

/// Formats a value with at most three significant digits and a unit.
pub fn fmt_val(v: f64, unit: &str) -> String {
    let s = if v.abs() >= 10_000.0 {
        format!("{:.0}k", v / 1000.0)
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    };
    if unit.is_empty() {
        s
    } else {
        format!("{s} {unit}")
    }
}

/// Windows compared by [`trend`]: the newest this many against the this many before.
const TREND_WINDOWS: usize = 5;

/// How a line moved lately: the mean of its newest [`TREND_WINDOWS`] values against the
/// mean of the ones before; a change under 10% (or under 0.5 in absolute terms) is steady.
pub fn trend(points: &[(f64, f64)]) -> &'static str {
    let n = TREND_WINDOWS;
    if points.len() < 2 * n {
        return "steady";
    }
    let mean = |s: &[(f64, f64)]| s.iter().map(|p| p.1).sum::<f64>() / s.len() as f64;
    let k = points.len();
    let (old, new) = (mean(&points[k - 2 * n..k - n]), mean(&points[k - n..]));
    let d = new - old;
    if d.abs() < 0.5 || d.abs() < 0.1 * old.abs() {
        "steady"
    } else if d > 0.0 {
        "rising"
    } else {
        "falling"
    }
}

/// A chart in words: each line's latest value and its trend ("served 301 req/s, steady").
pub fn summary(lines: &[Line], unit: &str) -> String {
    let parts: Vec<String> = lines
        .iter()
        .filter_map(|l| {
            let last = l.points.last()?.1;
            Some(format!(
                "{} {}, {}",
                l.label,
                fmt_val(last, unit),
                trend(&l.points)
            ))
        })
        .collect();
    if parts.is_empty() {
        "waiting for data".to_string()
    } else {
        parts.join("; ")
    }
}

/// The errors-by-cause chart's causes, in the order of `Engine::error_rates`: label,
/// colour (at least 3:1 against the panel and the page in both colour schemes) and whether
/// the line is drawn while it stays at zero.
const CAUSE_LINES: [(&str, &str, bool); ERROR_CAUSES] = [
    ("timeout", "#d97706", true),
    ("queue", "#9333ea", true),
    ("429", "#0891b2", true),
    ("down", "#dc2626", true),
    ("partition", "#64748b", true),
    ("shed", "#db2777", false),
    ("circuit open", "#a16207", false),
    ("bulkhead full", "#6366f1", false),
];

/// The lines of the errors-by-cause chart over `rates` (errors per second by cause per
/// window): the first five causes always; shed, circuit open and bulkhead full only when
/// some window of `rates` has them.
pub fn error_lines(rates: &[(f64, [f64; ERROR_CAUSES])]) -> Vec<Line<'static>> {
    CAUSE_LINES
        .iter()
        .enumerate()
        .filter(|&(i, &(.., always))| always || rates.iter().any(|(_, r)| r[i] > 0.0))
        .map(|(i, &(label, color, _))| Line {
            label,
            color,
            points: rates.iter().map(|(t, r)| (*t, r[i])).collect(),
        })
        .collect()
}

/// Below this height (CSS px) a chart is drawn compact: its legend needs up to two rows
/// (31 px), the time labels 16 px, and the plot at least as much again to read.
pub const COMPACT_BELOW: f64 = 90.0;

/// A chart with axes labels, a legend and the given lines over their common time span.
/// Its text alternative (the canvas's `aria-label`) is its `data-name` and [`summary`].
/// Under [`COMPACT_BELOW`] px high it is drawn compact (`data-layout="compact"`): one row
/// holds the y label and as much of the legend as fits, the time labels are smaller.
pub fn draw_chart(el: &HtmlCanvasElement, lines: &[Line], unit: &str) {
    let name = el.get_attribute("data-name").unwrap_or_default();
    let alt = format!("{name}: {}", summary(lines, unit));
    if el.get_attribute("aria-label").as_deref() != Some(alt.as_str()) {
        let _ = el.set_attribute("aria-label", &alt);
    }
    let Some((ctx, w, h)) = prepare(el) else {
        return;
    };
    let compact = h < COMPACT_BELOW;
    let layout = if compact { "compact" } else { "full" };
    if el.get_attribute("data-layout").as_deref() != Some(layout) {
        let _ = el.set_attribute("data-layout", layout);
    }
    let ink = ink(el);
    let width = |s: &str, px: f64| {
        ctx.measure_text(s)
            .map_or(px * 0.6 * s.len() as f64, |m| m.width())
    };
    let (t0, t1, ymax) = span(lines);
    let ymax = nice_max(ymax);
    let ylabel = fmt_val(ymax, unit);
    let (font, fpx, line_h) = if compact {
        ("10px system-ui, sans-serif", 10.0, 12.0)
    } else {
        ("11px system-ui, sans-serif", 11.0, 13.0)
    };
    ctx.set_font(font);
    let (left, right, bottom) = if compact {
        ((width(&ylabel, fpx) + 8.0).max(28.0), 4.0, 12.0)
    } else {
        (44.0, 6.0, 16.0)
    };
    // Legend first: wrapping onto as many rows as it needs, or (compact) on the y label's
    // row, dropping what does not fit (the text alternative still names every line).
    let (mut x, mut row) = (left + 6.0, 0.0);
    for l in lines {
        let item = 16.0 + width(l.label, fpx);
        if x + item > w && x > left + 6.0 {
            if compact {
                break;
            }
            x = left + 6.0;
            row += 1.0;
        }
        let y = 3.0 + row * line_h;
        ctx.set_fill_style_str(l.color);
        ctx.fill_rect(x, y, 8.0, 8.0);
        ctx.set_fill_style_str(&ink);
        let _ = ctx.fill_text(l.label, x + 11.0, y + 8.0);
        x += item;
    }
    let top = if compact { 15.0 } else { 18.0 + row * line_h };
    let pw = (w - left - right).max(1.0);
    let ph = (h - top - bottom).max(1.0);
    ctx.set_fill_style_str(&ink);
    ctx.set_global_alpha(0.7);
    if compact {
        let _ = ctx.fill_text(&ylabel, 2.0, 11.0);
    } else {
        let _ = ctx.fill_text(&ylabel, 2.0, top + 4.0);
        let _ = ctx.fill_text(&fmt_val(0.0, ""), 2.0, top + ph);
    }
    ctx.set_global_alpha(0.25);
    ctx.set_stroke_style_str(&ink);
    ctx.set_line_width(1.0);
    ctx.begin_path();
    ctx.move_to(left, top);
    ctx.line_to(left, top + ph);
    ctx.line_to(left + pw, top + ph);
    ctx.stroke();
    ctx.set_global_alpha(1.0);
    if !t0.is_finite() || t1 <= t0 {
        ctx.set_global_alpha(0.6);
        let _ = ctx.fill_text("waiting for data", left + 8.0, top + (ph + fpx * 0.7) / 2.0);
        ctx.set_global_alpha(1.0);
    } else {
        let _ = ctx.fill_text(&format!("{t0:.0} s"), left, h - 3.0);
        let label = format!("{t1:.0} s");
        let _ = ctx.fill_text(&label, left + pw - width(&label, fpx), h - 3.0);
        for l in lines {
            ctx.set_stroke_style_str(l.color);
            ctx.set_line_width(1.6);
            ctx.begin_path();
            for (i, &(t, y)) in l.points.iter().enumerate() {
                let x = left + (t - t0) / (t1 - t0) * pw;
                let yy = top + ph - (y.clamp(0.0, ymax) / ymax) * ph;
                if i == 0 {
                    ctx.move_to(x, yy);
                } else {
                    ctx.line_to(x, yy);
                }
            }
            ctx.stroke();
        }
    }
}

/// The lines' common time span and their largest finite value (0 when none).
fn span(lines: &[Line]) -> (f64, f64, f64) {
    let (mut t0, mut t1, mut ymax) = (f64::INFINITY, f64::NEG_INFINITY, 0.0f64);
    for &(t, y) in lines.iter().flat_map(|l| l.points.iter()) {
        t0 = t0.min(t);
        t1 = t1.max(t);
        if y.is_finite() {
            ymax = ymax.max(y);
        }
    }
    (t0, t1, ymax)
}

/// A small line with no axes.
pub fn draw_sparkline(el: &HtmlCanvasElement, points: &[f64], color: &str) {
    let Some((ctx, w, h)) = prepare(el) else {
        return;
    };
    if points.len() < 2 {
        return;
    }
    let max = nice_max(points.iter().copied().fold(0.0, f64::max));
    ctx.set_stroke_style_str(color);
    ctx.set_line_width(1.5);
    ctx.begin_path();
    let n = (points.len() - 1) as f64;
    for (i, v) in points.iter().enumerate() {
        let x = i as f64 / n * (w - 2.0) + 1.0;
        let y = h - 2.0 - (v.clamp(0.0, max) / max) * (h - 4.0);
        if i == 0 {
            ctx.move_to(x, y);
        } else {
            ctx.line_to(x, y);
        }
    }
    ctx.stroke();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(vals: &[f64]) -> Vec<(f64, f64)> {
        vals.iter()
            .enumerate()
            .map(|(i, v)| (i as f64, *v))
            .collect()
    }

    #[test]
    fn the_errors_chart_shows_the_resilience_causes_only_once_they_occur() {
        let labels = |rates: &[(f64, [f64; ERROR_CAUSES])]| {
            error_lines(rates)
                .iter()
                .map(|l| l.label)
                .collect::<Vec<_>>()
        };
        let quiet = [(1.0, [0.0; ERROR_CAUSES]), (2.0, [0.0; ERROR_CAUSES])];
        assert_eq!(
            labels(&quiet),
            ["timeout", "queue", "429", "down", "partition"]
        );
        let mut shed = quiet;
        shed[0].1[5] = 3.0;
        shed[1].1[7] = 1.0;
        assert_eq!(
            labels(&shed),
            [
                "timeout",
                "queue",
                "429",
                "down",
                "partition",
                "shed",
                "bulkhead full"
            ]
        );
        let lines = error_lines(&shed);
        assert_eq!(lines[5].points, vec![(1.0, 3.0), (2.0, 0.0)]);
        assert_eq!(lines[6].points, vec![(1.0, 0.0), (2.0, 1.0)]);
    }

    #[test]
    fn trends_compare_the_newest_windows_with_the_ones_before() {
        let flat = [100.0; 10];
        assert_eq!(trend(&series(&flat)), "steady");
        let up = [
            100.0, 100.0, 100.0, 100.0, 100.0, 130.0, 130.0, 130.0, 130.0, 130.0,
        ];
        assert_eq!(trend(&series(&up)), "rising");
        let down: Vec<f64> = up.iter().rev().copied().collect();
        assert_eq!(trend(&series(&down)), "falling");
        // Under 10%: steady; tiny absolute wiggles of a near-zero line too.
        let small = [
            100.0, 100.0, 100.0, 100.0, 100.0, 108.0, 108.0, 108.0, 108.0, 108.0,
        ];
        assert_eq!(trend(&series(&small)), "steady");
        let tiny = [0.0, 0.0, 0.0, 0.0, 0.0, 0.3, 0.3, 0.3, 0.3, 0.3];
        assert_eq!(trend(&series(&tiny)), "steady");
        // Too short to tell.
        assert_eq!(trend(&series(&[1.0, 50.0])), "steady");
    }

    #[test]
    fn a_chart_in_words_gives_each_lines_latest_value_and_trend() {
        let lines = [
            Line {
                label: "served",
                color: "",
                points: series(&[0.0, 0.0, 0.0, 0.0, 0.0, 300.0, 300.0, 300.0, 300.0, 301.0]),
            },
            Line {
                label: "offered",
                color: "",
                points: series(&[300.0; 10]),
            },
            Line {
                label: "empty",
                color: "",
                points: Vec::new(),
            },
        ];
        assert_eq!(
            summary(&lines, "req/s"),
            "served 301 req/s, rising; offered 300 req/s, steady"
        );
        assert_eq!(summary(&lines[2..], "ms"), "waiting for data");
    }
}
