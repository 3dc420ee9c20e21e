//! The canvas camera as plain maths: pan and zoom, screen ↔ world, zoom about a point, fit
//! a design's bounding box into the stage. No Leptos, no web APIs: the stage and the
//! keyboard shortcuts call these, and the native tests check them.

/// Smallest zoom the learner can reach.
pub const MIN_ZOOM: f64 = 0.2;
/// Largest zoom the learner can reach.
pub const MAX_ZOOM: f64 = 3.0;
/// Fitting never magnifies a small design beyond this.
pub const FIT_MAX_ZOOM: f64 = 1.5;
/// Margin kept around a fitted design, screen px.
pub const FIT_PAD: f64 = 40.0;
/// The margin on a small stage (see [`SMALL_STAGE`]), where every pixel counts.
pub const SMALL_FIT_PAD: f64 = 14.0;

/// A design opens at no less than this zoom on a wide stage, so its labels read; a
/// narrow or short stage (a phone, an embed) fits the whole design instead.
pub const OPEN_MIN_ZOOM: f64 = 0.6;
/// A stage narrower or shorter than this (px) fits the whole design when it opens.
pub const SMALL_STAGE: (f64, f64) = (720.0, 420.0);

/// The smallest zoom a design opens at on a stage `w` × `h` px.
pub fn open_min_zoom(w: f64, h: f64) -> f64 {
    if w < SMALL_STAGE.0 || h < SMALL_STAGE.1 {
        MIN_ZOOM
    } else {
        OPEN_MIN_ZOOM
    }
}

/// How much of a component the canvas draws at a zoom (semantic zoom): zoomed out, the
/// labels that would shrink past reading give way and the name grows to stay legible.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Detail {
    /// Name only, drawn large: the design's shape and what each box is.
    Name,
    /// Name and the key badge, no kind line.
    Compact,
    /// Everything: name, kind, badges.
    Full,
}

/// Below this zoom the kind line goes (its 0.7 rem would be under 9 px on screen).
pub const COMPACT_BELOW: f64 = 0.8;
/// Below this zoom only the name stays.
pub const NAME_BELOW: f64 = 0.5;

impl Detail {
    /// The detail drawn at `zoom`.
    pub fn at(zoom: f64) -> Detail {
        if zoom < NAME_BELOW {
            Detail::Name
        } else if zoom < COMPACT_BELOW {
            Detail::Compact
        } else {
            Detail::Full
        }
    }

    /// The CSS class the canvas carries for this detail.
    pub fn class(self) -> &'static str {
        match self {
            Detail::Name => "detail-name",
            Detail::Compact => "detail-compact",
            Detail::Full => "detail-full",
        }
    }
}

/// The font size (world px) of a component's name at `zoom`: its natural `base`, grown so
/// it is never under `min_screen` px on screen. Zoomed far out the name outgrows its box;
/// the stage then draws it centred over the box, wrapped (see `.detail-name` in the styles).
pub fn label_px(base: f64, min_screen: f64, zoom: f64) -> f64 {
    (min_screen / zoom.max(MIN_ZOOM)).max(base)
}

/// A component name's natural font size, world px.
pub const NAME_PX: f64 = 12.8;
/// A component name is never under this on screen, px.
pub const NAME_MIN_SCREEN_PX: f64 = 11.0;
/// The box a name drawn on top of its component takes at [`Detail::Name`]: at least this
/// wide (world px) or this many of its font's em, with this line height (keep in step
/// with `.detail-name .node-title` in the styles).
const NAME_BOX: (f64, f64, f64) = (168.0, 5.6, 1.1);

/// How far (screen px) a name drawn on top of its box reaches past the box's sides and
/// above its top at `zoom`, for a name on one line; (0, 0) where the name is inside.
pub fn name_overhang(zoom: f64) -> (f64, f64) {
    if Detail::at(zoom) != Detail::Name {
        return (0.0, 0.0);
    }
    let em = label_px(NAME_PX, NAME_MIN_SCREEN_PX, zoom);
    let (min_w, ems, line) = NAME_BOX;
    let side = (min_w.max(ems * em) - crate::model::NODE_W) / 2.0 * zoom;
    // The name's foot sits 6 world px below the box's top.
    let above = (line * em - 6.0) * zoom;
    (side.max(0.0), above.max(0.0))
}

/// Pan and zoom of the canvas: screen = world × zoom + (px, py).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct View {
    pub px: f64,
    pub py: f64,
    pub zoom: f64,
}

impl Default for View {
    fn default() -> View {
        View::HOME
    }
}

impl View {
    /// The framing of an empty canvas.
    pub const HOME: View = View {
        px: 40.0,
        py: 40.0,
        zoom: 1.0,
    };

    /// World coordinates of the stage-local screen point (sx, sy).
    pub fn to_world(&self, sx: f64, sy: f64) -> (f64, f64) {
        ((sx - self.px) / self.zoom, (sy - self.py) / self.zoom)
    }

    /// Stage-local screen coordinates of the world point (wx, wy).
    pub fn to_screen(&self, wx: f64, wy: f64) -> (f64, f64) {
        (wx * self.zoom + self.px, wy * self.zoom + self.py)
    }

    /// The view moved by (dx, dy) screen px.
    pub fn panned(self, dx: f64, dy: f64) -> View {
        View {
            px: self.px + dx,
            py: self.py + dy,
            ..self
        }
    }

    /// The view zoomed by `factor` (within [`MIN_ZOOM`]…[`MAX_ZOOM`]) so that the world
    /// point under the screen point (sx, sy) stays under it.
    pub fn zoomed_at(self, factor: f64, sx: f64, sy: f64) -> View {
        let zoom = (self.zoom * factor).clamp(MIN_ZOOM, MAX_ZOOM);
        let k = zoom / self.zoom;
        View {
            px: sx - (sx - self.px) * k,
            py: sy - (sy - self.py) * k,
            zoom,
        }
    }

    /// A saved framing (a design's `view`), its zoom brought within reach.
    pub fn from_saved(v: &sim_core::ViewSpec) -> View {
        View {
            px: v.x,
            py: v.y,
            zoom: v.zoom.clamp(MIN_ZOOM, MAX_ZOOM),
        }
    }

    /// The view that centres the world box `bounds` (min x, min y, max x, max y) in a stage
    /// `w` × `h` px with a margin, never below `min_zoom`; [`View::HOME`] when there is
    /// nothing to frame. A design too wide to fit at `min_zoom` starts from its left edge
    /// (where clients usually are).
    pub fn fit(bounds: Option<(f64, f64, f64, f64)>, w: f64, h: f64, min_zoom: f64) -> View {
        let Some((x0, y0, x1, y1)) = bounds else {
            return View::HOME;
        };
        let pad = if w < SMALL_STAGE.0 || h < SMALL_STAGE.1 {
            SMALL_FIT_PAD
        } else {
            FIT_PAD
        };
        // Far out the names sit on top of their boxes and may be wider: the margin makes
        // room for them (a smaller zoom widens them on screen, so settle it twice).
        let zoom_with = |(side, above): (f64, f64)| {
            ((w - 2.0 * (pad + side)) / (x1 - x0))
                .min((h - 2.0 * pad - above) / (y1 - y0))
                .clamp(MIN_ZOOM, FIT_MAX_ZOOM)
        };
        let mut fit = zoom_with((0.0, 0.0));
        for _ in 0..2 {
            fit = zoom_with(name_overhang(fit.max(min_zoom)));
        }
        let zoom = fit.max(min_zoom);
        let (side, above) = name_overhang(zoom);
        let px = if fit < min_zoom {
            pad / 2.0 + side - x0 * zoom
        } else {
            (w - (x1 - x0) * zoom) / 2.0 - x0 * zoom
        };
        View {
            px,
            py: (h + above - (y1 - y0) * zoom) / 2.0 - y0 * zoom,
            zoom,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn screen_and_world_are_inverse() {
        let v = View {
            px: -120.0,
            py: 35.5,
            zoom: 1.7,
        };
        let (wx, wy) = v.to_world(300.0, 200.0);
        let (sx, sy) = v.to_screen(wx, wy);
        assert!(close(sx, 300.0) && close(sy, 200.0));
        assert_eq!(View::HOME.to_world(40.0, 40.0), (0.0, 0.0));
    }

    #[test]
    fn zoom_about_a_point_keeps_that_point_fixed() {
        let v = View {
            px: 13.0,
            py: -7.0,
            zoom: 0.9,
        };
        for (factor, sx, sy) in [(1.25, 400.0, 300.0), (0.8, 0.0, 0.0), (3.0, -50.0, 900.0)] {
            let before = v.to_world(sx, sy);
            let z = v.zoomed_at(factor, sx, sy);
            let after = z.to_world(sx, sy);
            assert!(
                close(before.0, after.0) && close(before.1, after.1),
                "{factor}"
            );
        }
    }

    #[test]
    fn zoom_stays_within_reach() {
        let mut v = View::HOME;
        for _ in 0..50 {
            v = v.zoomed_at(1.25, 100.0, 100.0);
        }
        assert_eq!(v.zoom, MAX_ZOOM);
        for _ in 0..50 {
            v = v.zoomed_at(0.8, 100.0, 100.0);
        }
        assert_eq!(v.zoom, MIN_ZOOM);
    }

    #[test]
    fn fit_centres_the_design_inside_the_margin() {
        let b = (100.0, 50.0, 700.0, 350.0);
        let (w, h) = (1000.0, 800.0);
        let v = View::fit(Some(b), w, h, MIN_ZOOM);
        // 600 × 300 world units into 920 × 720 px: limited by the width, capped at 1.5.
        assert!(close(v.zoom, 1.5));
        let (l, t) = v.to_screen(b.0, b.1);
        let (r, bot) = v.to_screen(b.2, b.3);
        assert!(close(l - 0.0, w - r), "centred horizontally");
        assert!(close(t, h - bot), "centred vertically");
        assert!(l >= FIT_PAD - 1e-9 && t >= FIT_PAD - 1e-9);
        assert!(r <= w - FIT_PAD + 1e-9 && bot <= h - FIT_PAD + 1e-9);
    }

    #[test]
    fn fit_shrinks_a_big_design_to_the_stage() {
        let b = (0.0, 0.0, 4000.0, 1000.0);
        let v = View::fit(Some(b), 1000.0, 800.0, MIN_ZOOM);
        // Zoomed out to names only, the margin also holds the names' overhang.
        let side = name_overhang(v.zoom).0;
        assert!((v.zoom - (1000.0 - 2.0 * (FIT_PAD + side)) / 4000.0).abs() < 1e-3);
        let (l, _) = v.to_screen(0.0, 0.0);
        let (r, _) = v.to_screen(4000.0, 0.0);
        assert!((l - FIT_PAD - side).abs() < 0.5 && (r - 1000.0 + FIT_PAD + side).abs() < 0.5);
    }

    #[test]
    fn fit_never_goes_below_min_zoom_and_then_starts_at_the_left() {
        let b = (300.0, 0.0, 10_300.0, 200.0);
        let v = View::fit(Some(b), 1000.0, 800.0, 0.6);
        assert!(close(v.zoom, 0.6));
        let (l, _) = v.to_screen(300.0, 0.0);
        assert!(close(l, FIT_PAD / 2.0));
    }

    #[test]
    fn a_small_stage_opens_the_whole_design() {
        assert_eq!(open_min_zoom(1000.0, 600.0), OPEN_MIN_ZOOM);
        assert_eq!(open_min_zoom(360.0, 500.0), MIN_ZOOM);
        assert_eq!(open_min_zoom(800.0, 300.0), MIN_ZOOM);
        // A 12-node design 1000 world units wide on a 360 px phone: every node inside.
        let b = (0.0, 0.0, 1000.0, 500.0);
        let (w, h) = (360.0, 420.0);
        let v = View::fit(Some(b), w, h, open_min_zoom(w, h));
        let (l, t) = v.to_screen(b.0, b.1);
        let (r, bot) = v.to_screen(b.2, b.3);
        assert!(
            l >= 0.0 && t >= 0.0 && r <= w && bot <= h,
            "{l} {t} {r} {bot}"
        );
        assert!(v.zoom > MIN_ZOOM && v.zoom < OPEN_MIN_ZOOM);
    }

    #[test]
    fn detail_thins_out_as_the_view_zooms_out() {
        assert_eq!(Detail::at(1.0), Detail::Full);
        assert_eq!(Detail::at(COMPACT_BELOW), Detail::Full);
        assert_eq!(Detail::at(0.7), Detail::Compact);
        assert_eq!(Detail::at(NAME_BELOW), Detail::Compact);
        assert_eq!(Detail::at(0.3), Detail::Name);
        assert_eq!(Detail::at(MIN_ZOOM), Detail::Name);
        let mut last = Detail::Name;
        for i in 0..=100 {
            let d = Detail::at(MIN_ZOOM + (MAX_ZOOM - MIN_ZOOM) * f64::from(i) / 100.0);
            assert!(d >= last, "more detail as the view zooms in");
            last = d;
        }
    }

    #[test]
    fn labels_stay_legible_on_screen() {
        // 12.8 px natural size, at least 11 px on screen at every zoom the learner reaches.
        assert!(close(label_px(12.8, 11.0, 1.0), 12.8));
        assert!(
            close(label_px(12.8, 11.0, 2.0), 12.8),
            "never shrinks below natural"
        );
        for zoom in [MIN_ZOOM, 0.25, 0.33, 0.4, 0.5, 0.6, 0.8] {
            let px = label_px(12.8, 11.0, zoom);
            assert!(px * zoom >= 11.0 - 1e-9, "{zoom}: {px}");
        }
    }

    #[test]
    fn fit_leaves_room_for_names_drawn_on_top_of_their_boxes() {
        // A wide row of boxes on a phone's stage: zoomed out to names only.
        let b = (0.0, 0.0, 1400.0, 400.0);
        let (w, h) = (360.0, 420.0);
        let v = View::fit(Some(b), w, h, MIN_ZOOM);
        assert_eq!(Detail::at(v.zoom), Detail::Name);
        let (side, above) = name_overhang(v.zoom);
        assert!(side > 0.0 && above > 0.0);
        let (l, t) = v.to_screen(b.0, b.1);
        let (r, bot) = v.to_screen(b.2, b.3);
        assert!(l - side >= 0.0 && r + side <= w, "names inside sideways");
        assert!(t - above >= 0.0 && bot <= h, "names inside at the top");
        // Close up the names are inside their boxes and take no margin.
        assert_eq!(name_overhang(1.0), (0.0, 0.0));
    }

    #[test]
    fn fit_of_nothing_is_home() {
        assert_eq!(View::fit(None, 800.0, 600.0, 0.6), View::HOME);
    }

    #[test]
    fn saved_views_are_brought_within_reach() {
        let v = View::from_saved(&sim_core::ViewSpec {
            x: 5.0,
            y: 6.0,
            zoom: 20.0,
        });
        assert_eq!(
            v,
            View {
                px: 5.0,
                py: 6.0,
                zoom: MAX_ZOOM
            }
        );
    }

    #[test]
    fn panning_moves_the_world_under_the_screen() {
        let v = View::HOME.panned(10.0, -20.0);
        assert_eq!(v.to_screen(0.0, 0.0), (50.0, 20.0));
    }
}
