//! The export picture as data and as SVG, the file names and the clip's frame instants.

use sim_core::{Command, Scenario, Sim, SimTime};

use super::*;

fn design() -> Scenario {
    let mut s = sim_core::demo_scenario();
    s.name = "Shop <beta> & co".into();
    s
}

fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

fn plain(_: &str) -> String {
    "#123456".into()
}

#[test]
fn the_svg_has_a_box_a_name_and_a_kind_per_component_and_a_path_per_link() {
    let d = design();
    let sc = scene(&d, &Palette::light(), plain, Extras::default());
    let svg = svg(&sc);
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.trim_end().ends_with("</svg>"));
    // Background + box + kind stripe per node; title + name + kind per node.
    assert_eq!(count(&svg, "<rect "), 1 + 2 * d.nodes.len());
    assert_eq!(count(&svg, "<text "), 1 + 2 * d.nodes.len());
    assert_eq!(count(&svg, "<text "), count(&svg, "</text>"));
    assert_eq!(count(&svg, "<path "), d.edges.len());
    for n in &d.nodes {
        let name = n.label.clone().unwrap_or_else(|| n.id.clone());
        assert!(svg.contains(&format!(">{}</text>", xml(&name))), "{name}");
    }
    // The design's name is escaped, never raw markup.
    assert!(svg.contains(">Shop &lt;beta&gt; &amp; co</text>"));
    assert!(!svg.contains("<beta>"));
    assert!(svg.contains("fill=\"#123456\""), "the kind's colour");
    assert!(svg.contains(&format!("fill=\"{}\"", Palette::light().bg)));
}

#[test]
fn the_picture_holds_every_box_inside_its_size() {
    let mut d = design();
    d.nodes[0].x = Some(-500.0);
    d.nodes[1].y = Some(900.0);
    let sc = scene(&d, &Palette::light(), plain, Extras::default());
    for sh in &sc.shapes {
        if let Shape::Rect { x, y, w, h, .. } = sh {
            assert!(*x >= 0.0 && *y >= 0.0, "{sh:?}");
            assert!(
                x + w <= sc.width && y + h <= sc.height,
                "{sh:?} in {}×{}",
                sc.width,
                sc.height
            );
        }
    }
    let xs: Vec<f64> = d.nodes.iter().map(|n| n.x.unwrap_or(0.0)).collect();
    let span = xs.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
        - xs.iter().cloned().fold(f64::INFINITY, f64::min);
    assert!(sc.width >= span + NODE_W);
}

#[test]
fn each_region_gets_a_named_frame_around_its_components() {
    let mut d = design();
    let n = d.nodes.len();
    for (i, node) in d.nodes.iter_mut().enumerate() {
        node.region = Some(if i < n / 2 { "us-east" } else { "eu-west" }.into());
    }
    let svg = svg(&scene(&d, &Palette::light(), plain, Extras::default()));
    assert_eq!(count(&svg, "stroke-dasharray=\"6 4\""), 2);
    assert!(svg.contains(">us-east</text>") && svg.contains(">eu-west</text>"));
}

#[test]
fn a_snapshot_colours_busy_boxes_widens_busy_links_and_marks_a_cut() {
    let d = design();
    let mut sim = Sim::with_seed(&d, 7).unwrap();
    sim.step_until(SimTime::from_secs_f64(3.0), u64::MAX);
    let e = &d.edges[0];
    sim.apply(Command::Partition {
        from: e.from.clone(),
        to: e.to.clone(),
    })
    .unwrap();
    sim.step_until(SimTime::from_secs_f64(4.0), u64::MAX);
    let snap = sim.snapshot();
    let p = Palette::light();
    let sc = scene(
        &d,
        &p,
        plain,
        Extras {
            snap: Some(&snap),
            dots_phase: Some(0.25),
            caption: Some("t = 4.0 s"),
        },
    );
    let busy = snap.nodes.iter().filter(|n| n.workers > 0).count();
    let hsl = sc
        .shapes
        .iter()
        .filter(|s| matches!(s, Shape::Rect { fill, .. } if fill.starts_with("hsl(")))
        .count();
    assert_eq!(
        hsl, busy,
        "one utilisation colour per component with workers"
    );
    let curves: Vec<&Shape> = sc
        .shapes
        .iter()
        .filter(|s| matches!(s, Shape::Curve { .. }))
        .collect();
    assert!(
        matches!(curves[0], Shape::Curve { stroke, dash: Some(_), .. } if *stroke == p.bad),
        "{:?}",
        curves[0]
    );
    assert!(
        curves
            .iter()
            .any(|c| matches!(c, Shape::Curve { width, dash: None, .. } if *width > 1.5)),
        "a busy link is wider than an idle one"
    );
    assert!(sc.shapes.iter().any(|s| matches!(s, Shape::Dot { .. })));
    let svg = svg(&sc);
    assert!(svg.contains(">t = 4.0 s</text>"));
    assert!(svg.contains("<circle "));
    // A state line per simulated component.
    assert_eq!(count(&svg, "<text "), 1 + 3 * d.nodes.len() + 1);
}

#[test]
fn file_names_are_slugs_of_the_design_name() {
    assert_eq!(file_name("My shop!", "png"), "design-my-shop.png");
    assert_eq!(
        file_name("  URL shortener (v2) ", "svg"),
        "design-url-shortener-v2.svg"
    );
    assert_eq!(file_name("", "csv"), "design.csv");
    assert_eq!(file_name("ÉÉ", "webm"), "design.webm");
}

#[test]
fn the_clip_has_a_frame_every_twentieth_of_a_second_of_wall_time() {
    for (end, speed) in [(5.0, 1.0), (12.3, 2.0), (60.0, 10.0)] {
        let t = frame_times(end, speed);
        assert_eq!(t[0], 0.0);
        assert_eq!(*t.last().unwrap(), end);
        let wall = (t.len() - 1) as f64 / CLIP_FPS;
        // The last step may be short: the clip lasts end / speed, within one frame.
        assert!(
            (wall - end / speed).abs() <= 1.0 / CLIP_FPS,
            "{end} {speed}: {wall}"
        );
        assert!(t.windows(2).all(|w| w[1] > w[0]));
    }
    assert_eq!(frame_times(0.0, 1.0), vec![0.0]);
}
