//! The design canvas: nodes and edges as real DOM/SVG elements (focusable, labelled),
//! with a `<canvas>` layer above them for the grid and the moving request dots.

use std::collections::BTreeSet;

use leptos::ev;
use leptos::html::{Canvas, Main};
use leptos::prelude::*;
use sim_core::{BreakerState, EdgeState, Health, Scenario};
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, Element, HtmlCanvasElement};

use crate::camera::{self, Detail, MIN_ZOOM};
use crate::datatier;
use crate::model::{self, NODE_H, NODE_W};
use crate::state::{self, CameraCtx, ChromeCtx, DesignCtx, RunCtx, SelectionCtx};
use crate::Selection;

/// A pointer gesture in progress on the stage.
#[derive(Clone)]
enum Drag {
    /// Dragging the background: pan.
    Pan {
        sx: f64,
        sy: f64,
        px0: f64,
        py0: f64,
        moved: bool,
    },
    /// Dragging selected nodes.
    Move {
        last: (f64, f64),
        before: Box<Scenario>,
        moved: bool,
    },
    /// Dragging from an output port.
    Connect { from: String, moved: bool },
    /// Shift-dragging the background: rubber band (world coordinates).
    Band { start: (f64, f64) },
    /// Two fingers: pinch to zoom; `dist` is the last distance between them.
    Pinch { dist: f64 },
}

/// Touch points currently down on the stage: (pointer id, client x, client y).
type Touches = Vec<(i32, f64, f64)>;

fn pinch_span(t: &Touches) -> Option<(f64, (f64, f64))> {
    match t.as_slice() {
        [a, b, ..] => Some((
            (a.1 - b.1).hypot(a.2 - b.2),
            ((a.1 + b.1) / 2.0, (a.2 + b.2) / 2.0),
        )),
        _ => None,
    }
}

fn closest(target: Option<web_sys::EventTarget>, sel: &str) -> Option<Element> {
    target?
        .dyn_into::<Element>()
        .ok()?
        .closest(sel)
        .ok()
        .flatten()
}

fn attr(el: &Element, name: &str) -> Option<String> {
    el.get_attribute(name)
}

/// Live per-node state drawn as badges (changes about ten times a second).
#[derive(Clone, PartialEq)]
struct NodeLive {
    util: f64,
    has_workers: bool,
    queue: u64,
    health: Health,
    marked_unhealthy: bool,
    slow: f64,
    instances: u64,
    data: Option<String>,
}

#[component]
pub fn Stage(dots: NodeRef<Canvas>) -> impl IntoView {
    let dsg = expect_context::<DesignCtx>();
    let camera = expect_context::<CameraCtx>();
    let sel = expect_context::<SelectionCtx>();
    let chrome = expect_context::<ChromeCtx>();
    let run = expect_context::<RunCtx>();
    let stage = NodeRef::<Main>::new();
    let drag = StoredValue::new(None::<Drag>);
    let touches = StoredValue::new(Touches::new());
    let preview = RwSignal::new(None::<(f64, f64, f64, f64)>);
    let band = RwSignal::new(None::<(f64, f64, f64, f64)>);

    // Screen (client) coordinates to stage-local and world coordinates.
    let local = move |cx: f64, cy: f64| -> (f64, f64) {
        stage
            .get_untracked()
            .map(|el| {
                let r = el.get_bounding_client_rect();
                (cx - r.left(), cy - r.top())
            })
            .unwrap_or((cx, cy))
    };
    let world = move |cx: f64, cy: f64| -> (f64, f64) {
        let (sx, sy) = local(cx, cy);
        camera.view.get_untracked().to_world(sx, sy)
    };
    let port_out = move |id: &str| {
        dsg.design
            .with_untracked(|d| model::node_pos(d, id))
            .map(|(x, y)| (x + NODE_W, y + NODE_H / 2.0))
    };

    let on_down = move |e: ev::PointerEvent| {
        if e.button() != 0 {
            return;
        }
        // Controls on the stage (zoom buttons) handle their own clicks.
        if closest(e.target(), "button, input, select").is_some() {
            return;
        }
        let (cx, cy) = (f64::from(e.client_x()), f64::from(e.client_y()));
        if e.pointer_type() == "touch" {
            touches.update_value(|t| t.push((e.pointer_id(), cx, cy)));
            if let Some((dist, _)) = touches.with_value(pinch_span) {
                // A second finger turns whatever the first one started into a pinch.
                if let Some(Drag::Move {
                    before,
                    moved: true,
                    ..
                }) = drag.get_value()
                {
                    dsg.record_step(*before);
                }
                preview.set(None);
                band.set(None);
                drag.set_value(Some(Drag::Pinch { dist }));
                return;
            }
        }
        let w = world(cx, cy);
        let target = e.target();
        let capture = || {
            if let Some(el) = stage.get_untracked() {
                let _ = el.set_pointer_capture(e.pointer_id());
            }
        };
        if let Some(port) = closest(target.clone(), "[data-port]") {
            let id = attr(&port, "data-node").unwrap_or_default();
            if attr(&port, "data-port").as_deref() == Some("out") {
                drag.set_value(Some(Drag::Connect {
                    from: id,
                    moved: false,
                }));
                capture();
                e.prevent_default();
                return;
            }
        }
        if let Some(node) = closest(target.clone(), "[data-node]") {
            let id = attr(&node, "data-node").unwrap_or_default();
            if let Some(from) = sel.pending_connect.get_untracked() {
                state::connect(dsg, sel, chrome, &from, &id);
                return;
            }
            sel.selection.update(|s| {
                s.edge = None;
                if e.shift_key() {
                    if !s.nodes.remove(&id) {
                        s.nodes.insert(id.clone());
                    }
                } else if !s.nodes.contains(&id) {
                    s.nodes = BTreeSet::from([id.clone()]);
                }
            });
            drag.set_value(Some(Drag::Move {
                last: w,
                before: Box::new(dsg.design.get_untracked()),
                moved: false,
            }));
            capture();
            return;
        }
        if let Some(edge) = closest(target, "[data-edge-from]") {
            // A dot sits on its link: a click on it shows its request's journey too.
            let (sx, sy) = local(cx, cy);
            if let Some(link) = dot_near(run, sx, sy) {
                pick_dot(run, chrome, link);
            }
            let f = attr(&edge, "data-edge-from").unwrap_or_default();
            let t = attr(&edge, "data-edge-to").unwrap_or_default();
            sel.selection.set(Selection {
                nodes: BTreeSet::new(),
                edge: Some((f, t)),
            });
            return;
        }
        sel.pending_connect.set(None);
        if e.shift_key() {
            drag.set_value(Some(Drag::Band { start: w }));
        } else {
            let v = camera.view.get_untracked();
            drag.set_value(Some(Drag::Pan {
                sx: cx,
                sy: cy,
                px0: v.px,
                py0: v.py,
                moved: false,
            }));
        }
        capture();
        e.prevent_default();
    };

    let on_move = move |e: ev::PointerEvent| {
        let Some(mut d) = drag.get_value() else {
            return;
        };
        let (cx, cy) = (f64::from(e.client_x()), f64::from(e.client_y()));
        if e.pointer_type() == "touch" {
            let id = e.pointer_id();
            touches.update_value(|t| {
                if let Some(p) = t.iter_mut().find(|p| p.0 == id) {
                    (p.1, p.2) = (cx, cy);
                }
            });
        }
        let w = world(cx, cy);
        match &mut d {
            Drag::Pinch { dist } => {
                if let Some((now, (mx, my))) = touches.with_value(pinch_span) {
                    if *dist > 0.0 && now > 0.0 {
                        let (sx, sy) = local(mx, my);
                        camera.zoom_at(now / *dist, sx, sy);
                    }
                    *dist = now;
                }
            }
            Drag::Pan {
                sx,
                sy,
                px0,
                py0,
                moved,
            } => {
                let (dx, dy) = (cx - *sx, cy - *sy);
                if dx.abs() + dy.abs() > 3.0 {
                    *moved = true;
                }
                camera.view.update(|v| {
                    v.px = *px0 + dx;
                    v.py = *py0 + dy;
                });
            }
            Drag::Move { last, moved, .. } => {
                let (dx, dy) = (w.0 - last.0, w.1 - last.1);
                if dx != 0.0 || dy != 0.0 {
                    *moved = true;
                    *last = w;
                    let ids = sel.selection.get_untracked().nodes;
                    let mut s = dsg.design.get_untracked();
                    model::move_nodes(&mut s, &ids, dx, dy);
                    dsg.set_design_silently(s);
                }
            }
            Drag::Connect { from, moved } => {
                *moved = true;
                if let Some((x0, y0)) = port_out(from) {
                    preview.set(Some((x0, y0, w.0, w.1)));
                }
            }
            Drag::Band { start } => band.set(Some((start.0, start.1, w.0, w.1))),
        }
        drag.set_value(Some(d));
    };

    let on_up = move |e: ev::PointerEvent| {
        let id = e.pointer_id();
        touches.update_value(|t| t.retain(|p| p.0 != id));
        let Some(d) = drag.get_value() else { return };
        drag.set_value(None);
        preview.set(None);
        match d {
            Drag::Pinch { .. } => {}
            Drag::Pan { moved, .. } => {
                if !moved {
                    let (sx, sy) = local(f64::from(e.client_x()), f64::from(e.client_y()));
                    match dot_near(run, sx, sy) {
                        Some(link) => pick_dot(run, chrome, link),
                        None => sel.selection.set(Selection::default()),
                    }
                }
            }
            Drag::Move { before, moved, .. } => {
                if moved {
                    // Snap to whole pixels, then record one undo step for the whole drag.
                    let mut s = dsg.design.get_untracked();
                    for n in &mut s.nodes {
                        n.x = n.x.map(f64::round);
                        n.y = n.y.map(f64::round);
                    }
                    dsg.set_design_silently(s);
                    dsg.record_step(*before);
                }
            }
            Drag::Connect { from, moved } => {
                let hit = gloo::utils::document()
                    .element_from_point(e.client_x() as f32, e.client_y() as f32)
                    .and_then(|el| el.closest("[data-node]").ok().flatten())
                    .and_then(|el| attr(&el, "data-node"));
                match hit {
                    Some(to) if to != from => {
                        state::connect(dsg, sel, chrome, &from, &to);
                    }
                    _ if !moved => {
                        chrome.say(format!(
                            "Connecting from {from}: click the component it should call (Esc cancels)."
                        ));
                        sel.pending_connect.set(Some(from));
                    }
                    _ => chrome.notice.set(Some(
                        "Drop the link on a component's input (its left side) to connect."
                            .to_string(),
                    )),
                }
            }
            Drag::Band { start } => {
                let end = world(f64::from(e.client_x()), f64::from(e.client_y()));
                band.set(None);
                let (x0, x1) = (start.0.min(end.0), start.0.max(end.0));
                let (y0, y1) = (start.1.min(end.1), start.1.max(end.1));
                let inside: BTreeSet<String> = dsg.design.with_untracked(|d| {
                    d.nodes
                        .iter()
                        .filter(|n| {
                            let (x, y) = (n.x.unwrap_or(0.0), n.y.unwrap_or(0.0));
                            x < x1 && x + NODE_W > x0 && y < y1 && y + NODE_H > y0
                        })
                        .map(|n| n.id.clone())
                        .collect()
                });
                sel.selection.update(|s| {
                    s.edge = None;
                    s.nodes.extend(inside);
                });
            }
        }
    };

    let on_wheel = move |e: ev::WheelEvent| {
        e.prevent_default();
        let (sx, sy) = local(f64::from(e.client_x()), f64::from(e.client_y()));
        camera.zoom_at((-e.delta_y() * 0.0015).exp(), sx, sy);
    };

    let on_drop = move |e: ev::DragEvent| {
        e.prevent_default();
        let Some(key) = e
            .data_transfer()
            .and_then(|d| d.get_data("text/plain").ok())
        else {
            return;
        };
        let (x, y) = world(f64::from(e.client_x()), f64::from(e.client_y()));
        add_at(dsg, sel, chrome, &key, x - NODE_W / 2.0, y - NODE_H / 2.0);
    };

    let stage_size = move || {
        stage
            .get_untracked()
            .map(|el| (f64::from(el.client_width()), f64::from(el.client_height())))
            .unwrap_or((800.0, 600.0))
    };
    let zoom_btn = move |f: f64| {
        let (w, h) = stage_size();
        camera.zoom_at(f, w / 2.0, h / 2.0);
    };
    // Fit the design once the stage has a size.
    Effect::new(move |done: Option<bool>| {
        if done == Some(true) {
            return true;
        }
        if stage.get().is_some() {
            let (w, h) = stage_size();
            // The design's saved view, else a readable size (all of it on a small stage);
            // the Fit button shows everything.
            dsg.design
                .with_untracked(|d| camera.frame_design(d, w, h, camera::open_min_zoom(w, h)));
            return true;
        }
        false
    });

    let node_ids = move || {
        dsg.design
            .with(|d| d.nodes.iter().map(|n| n.id.clone()).collect::<Vec<_>>())
    };
    let edge_ids = move || {
        dsg.design.with(|d| {
            d.edges
                .iter()
                .map(|e| (e.from.clone(), e.to.clone()))
                .collect::<Vec<_>>()
        })
    };
    let transform = move || {
        let v = camera.view.get();
        format!("translate({}px, {}px) scale({})", v.px, v.py, v.zoom)
    };
    // Semantic zoom: what the boxes draw, and a name size that stays legible on screen.
    let detail = move || Detail::at(camera.view.get().zoom).class();
    let label_px = move || {
        format!(
            "{:.2}px",
            camera::label_px(
                camera::NAME_PX,
                camera::NAME_MIN_SCREEN_PX,
                camera.view.get().zoom
            )
        )
    };

    // Which nodes failed requests in the last window, and how: read with each published
    // snapshot (the boxes redraw only when the words change).
    let failures = {
        let run = expect_context::<RunCtx>();
        Memo::new(move |_| {
            run.snap.track();
            run.failure_badges()
        })
    };

    view! {
        <main class="stage" aria-label="Design canvas (arrow keys pan when nothing is selected)" tabindex="0" node_ref=stage
            on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up on:pointercancel=on_up
            on:wheel=on_wheel
            on:dragover=|e: ev::DragEvent| e.prevent_default()
            on:drop=on_drop
            data-testid="stage">
            <div class=move || format!("world {}", detail()) style:transform=transform style:--label-px=label_px data-testid="world">
                <svg class="edges" width="1" height="1" aria-label="Links">
                    <For each=edge_ids key=|k| k.clone() children=move |(from, to)| view! { <EdgeView from to/> }/>
                    {move || preview.get().map(|(x0, y0, x1, y1)| view! {
                        <line class="edge-preview" x1=x0 y1=y0 x2=x1 y2=y1></line>
                    })}
                    {move || band.get().map(|(x0, y0, x1, y1)| view! {
                        <rect class="band" x=x0.min(x1) y=y0.min(y1) width=(x1 - x0).abs() height=(y1 - y0).abs()></rect>
                    })}
                </svg>
                <For each=node_ids key=|k| k.clone() children=move |id| view! { <NodeBox id failures/> }/>
            </div>
            <canvas node_ref=dots id="stage-canvas" aria-hidden="true"></canvas>
            {move || dsg.design.with(|d| d.nodes.is_empty()).then(|| view! {
                <p class="stage-empty">"Drag components here from the palette (or click one to add it), then connect an output port (right) to an input port (left)."</p>
            })}
            <p class="notice" role="status" data-testid="notice" class:shown=move || chrome.notice.with(|n| n.is_some())>
                {move || chrome.notice.get()}
            </p>
            <div class="zoom" role="group" aria-label="Zoom">
                <button on:click=move |_| zoom_btn(1.25) aria-label="Zoom in" title="Zoom in (+)">"+"</button>
                <button on:click=move |_| zoom_btn(0.8) aria-label="Zoom out" title="Zoom out (−)">"−"</button>
                <button on:click=move |_| { let (w, h) = stage_size(); dsg.design.with_untracked(|d| camera.fit(d, w, h, MIN_ZOOM)); } data-testid="fit" title="Fit to view (F)">"Fit"</button>
            </div>
        </main>
    }
}

/// Adds a component at world (x, y) and selects it.
pub fn add_at(dsg: DesignCtx, sel: SelectionCtx, chrome: ChromeCtx, key: &str, x: f64, y: f64) {
    let mut added = None;
    dsg.edit(None, |s| {
        added = Some(model::add_node(s, key, x, y)?);
        Ok(())
    });
    if let Some(id) = added {
        chrome.say(format!("Added {id}"));
        sel.select_nodes(BTreeSet::from([id]));
    }
}

/// One component on the canvas; `failures` are the last window's failure badges by node.
#[component]
fn NodeBox(id: String, failures: Memo<Vec<(String, String)>>) -> impl IntoView {
    let run = expect_context::<RunCtx>();
    let dsg = expect_context::<DesignCtx>();
    let sel = expect_context::<SelectionCtx>();
    let chrome = expect_context::<ChromeCtx>();
    let pos = {
        let id = id.clone();
        Memo::new(move |_| {
            dsg.design
                .with(|d| model::node_pos(d, &id))
                .unwrap_or((0.0, 0.0))
        })
    };
    let kind = dsg
        .design
        .with_untracked(|d| d.nodes.iter().find(|n| n.id == id).map(|n| n.kind.name()))
        .unwrap_or("server");
    let title = model::kind_info(kind).map_or("Component", |k| k.title);
    let live = {
        let id = id.clone();
        Memo::new(move |_| {
            run.snap.with(|s| {
                s.nodes.iter().find(|n| n.id == id).map(|n| NodeLive {
                    util: (n.window.utilisation * 100.0).round() / 100.0,
                    has_workers: n.workers > 0,
                    queue: n.queue_len,
                    health: n.health,
                    marked_unhealthy: n.marked_unhealthy,
                    slow: n.slow_factor,
                    instances: n.instances,
                    data: datatier::badge(n),
                })
            })
        })
    };
    let selected = {
        let id = id.clone();
        Memo::new(move |_| sel.selection.with(|s| s.nodes.contains(&id)))
    };
    let down = move || live.with(|l| l.as_ref().is_some_and(|l| l.health == Health::Down));
    let style = move || {
        let (x, y) = pos.get();
        let hue = live.with(|l| {
            l.as_ref()
                .filter(|l| l.has_workers)
                .map(|l| format!("--h:{:.0};", 120.0 * (1.0 - l.util.clamp(0.0, 1.0))))
        });
        format!("left:{x}px;top:{y}px;{}", hue.unwrap_or_default())
    };
    let failing = {
        let id = id.clone();
        Memo::new(move |_| {
            failures.with(|f| {
                f.iter()
                    .find(|(n, _)| *n == id)
                    .map(|(_, words)| words.clone())
            })
        })
    };
    // The box's accessible name is its visible words (its label and kind, WCAG 2.5.3);
    // its live state is its description.
    let state = move || {
        let live = live.with(|l| match l {
            Some(l) => format!(
                "{}, utilisation {:.0}%, queue {}",
                health_text(l.health, l.marked_unhealthy),
                l.util * 100.0,
                l.queue
            ),
            None => "not simulated yet".to_string(),
        });
        match failing.get() {
            Some(words) => format!("{live}; failing {words}"),
            None => live,
        }
    };
    let badge = move || {
        live.with(|l| {
            l.as_ref().map(|l| {
                let mut s = health_text(l.health, l.marked_unhealthy).to_string();
                if l.slow > 1.0 {
                    s.push_str(&format!(" · slow ×{}", l.slow));
                }
                if l.instances > 0 {
                    s.push_str(&format!(" · {} inst.", l.instances));
                }
                s
            })
        })
    };
    let id_data = StoredValue::new(id.clone());
    // The learner's label if there is one, else the id.
    let node_label = {
        let id = id.clone();
        move || {
            dsg.design.with(|d| {
                d.nodes
                    .iter()
                    .find(|n| n.id == id)
                    .and_then(|n| n.label.clone())
                    .unwrap_or_else(|| id.clone())
            })
        }
    };
    let on_key = {
        let id = id.clone();
        move |e: ev::KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                e.stop_propagation();
                if let Some(from) = sel.pending_connect.get_untracked() {
                    state::connect(dsg, sel, chrome, &from, &id);
                    return;
                }
                let shift = e.shift_key();
                sel.selection.update(|s| {
                    s.edge = None;
                    if shift {
                        if !s.nodes.remove(&id) {
                            s.nodes.insert(id.clone());
                        }
                    } else {
                        s.nodes = BTreeSet::from([id.clone()]);
                    }
                });
            }
        }
    };
    view! {
        <div class=format!("node kind-{kind}") class:selected=selected class:down=down
            class:unhealthy=move || live.with(|l| l.as_ref().is_some_and(|l| l.marked_unhealthy))
            class:hot=move || live.with(|l| l.as_ref().is_some_and(|l| l.has_workers))
            style=style tabindex="0" role="button" aria-pressed=move || selected.get().to_string()
            aria-describedby=format!("node-state-{id}") data-node=id.clone() data-testid=format!("node-{id}") on:keydown=on_key>
            <span class="port in" aria-hidden="true" data-port="in" data-node=id.clone() title="Input: drop a link here"></span>
            <span class="node-title">{node_label}</span>
            <span class="node-kind">{title}</span>
            <span id=format!("node-state-{id}") data-testid=format!("state-{id}") hidden>{state}</span>
            <span class="badges" aria-hidden="true">
                <span class="badge health" data-testid=format!("health-{id}")>{badge}</span>
                <span class="badge queue" title="Requests waiting in the queue" data-testid=format!("queue-{id}")
                    class:queued=move || live.with(|l| l.as_ref().is_some_and(|l| l.queue > 0))
                    data-value=move || live.with(|l| l.as_ref().map_or(0, |l| l.queue)).to_string()>
                    {move || live.with(|l| l.as_ref().map_or(0, |l| l.queue)).to_string()}
                </span>
                {move || live.with(|l| l.as_ref().and_then(|l| l.data.clone())).map(|d| view! {
                    <span class="badge data" data-testid=format!("data-{}", id_data.get_value())>{d}</span>
                })}
            </span>
            {move || failing.get().map(|words| view! {
                <span class="badge failing" aria-hidden="true" title="Requests this component failed in the last window, by cause"
                    data-testid=format!("failures-{}", id_data.get_value())>{words}</span>
            })}
            <span class="port out" aria-hidden="true" data-port="out" data-node=id.clone() title="Output: drag to a component to connect"></span>
        </div>
    }
}

fn health_text(h: Health, marked_unhealthy: bool) -> &'static str {
    match h {
        Health::Down => "down",
        Health::Booting => "booting",
        Health::Draining => "draining",
        Health::Up if marked_unhealthy => "unhealthy",
        Health::Up => "up",
    }
}

#[component]
fn EdgeView(from: String, to: String) -> impl IntoView {
    let run = expect_context::<RunCtx>();
    let dsg = expect_context::<DesignCtx>();
    let sel = expect_context::<SelectionCtx>();
    let path = {
        let (from, to) = (from.clone(), to.clone());
        Memo::new(move |_| {
            dsg.design.with(
                |d| match (model::node_pos(d, &from), model::node_pos(d, &to)) {
                    (Some(a), Some(b)) => {
                        let c = model::edge_curve(a, b);
                        format!(
                            "M{} {} C{} {} {} {} {} {}",
                            c[0].0, c[0].1, c[1].0, c[1].1, c[2].0, c[2].1, c[3].0, c[3].1
                        )
                    }
                    _ => String::new(),
                },
            )
        })
    };
    let flow = {
        let (from, to) = (from.clone(), to.clone());
        Memo::new(move |_| {
            run.snap.with(|s| {
                s.edges
                    .iter()
                    .find(|e| e.from == from && e.to == to)
                    .map(|e| {
                        (
                            (e.window_rps.max(0.0) + 1.0).log10().round() as i64,
                            e.state == EdgeState::Partitioned,
                            e.breaker.map_or("", BreakerState::as_str),
                            match e.state {
                                EdgeState::Lossy { .. } => "lossy",
                                EdgeState::Capped { .. } => "capped",
                                _ => "",
                            },
                        )
                    })
                    .unwrap_or((0, false, "", ""))
            })
        })
    };
    let selected = {
        let (from, to) = (from.clone(), to.clone());
        Memo::new(move |_| {
            sel.selection
                .with(|s| s.edge.as_ref().is_some_and(|(f, t)| *f == from && *t == to))
        })
    };
    let width = move || format!("{}", 1.5 + 1.5 * flow.get().0 as f64);
    view! {
        <g class="edge" class:cut=move || flow.get().1 class:selected=selected
            class:breaker-open=move || flow.get().2 == "open" class:breaker-half-open=move || flow.get().2 == "half_open"
            data-breaker=move || flow.get().2 data-fault=move || flow.get().3>
            <path class="edge-line" d=path stroke-width=width></path>
            <path class="edge-hit" d=path data-edge-from=from.clone() data-edge-to=to.clone()
                data-testid=format!("edge-{from}-{to}") tabindex="0" role="button"
                aria-label=format!("Link {from} to {to}")
                on:keydown={
                    let (from, to) = (from.clone(), to.clone());
                    move |e: ev::KeyboardEvent| if e.key() == "Enter" || e.key() == " " {
                        e.prevent_default();
                        e.stop_propagation();
                        sel.selection.set(Selection { nodes: BTreeSet::new(), edge: Some((from.clone(), to.clone())) });
                    }
                }></path>
        </g>
    }
}

thread_local! {
    /// The dots drawn in the last frame: stage position and index of their link in the
    /// snapshot's edges.
    static DRAWN: std::cell::RefCell<Vec<(f64, f64, usize)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// How near a click must be to a dot to pick it, px.
const DOT_PICK_PX: f64 = 8.0;

/// The link (from, to) of the drawn dot nearest to stage point (`x`, `y`), within
/// [`DOT_PICK_PX`].
fn dot_near(run: RunCtx, x: f64, y: f64) -> Option<(String, String)> {
    let near = DRAWN.with_borrow(|d| {
        d.iter()
            .map(|&(dx, dy, i)| ((dx - x).hypot(dy - y), i))
            .filter(|(dist, _)| *dist <= DOT_PICK_PX)
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, i)| i)
    })?;
    run.snap
        .with_untracked(|s| s.edges.get(near).map(|e| (e.from.clone(), e.to.clone())))
}

/// Opens the journey of the request a clicked dot on the link stands for (see
/// [`RunCtx::show_request_on`]), or says why there is none.
fn pick_dot(run: RunCtx, chrome: ChromeCtx, (from, to): (String, String)) {
    if run.show_request_on(&from, &to) {
        // On a phone the waterfall is in the charts' drawer: open it, and bring the
        // waterfall into view once drawn.
        chrome.tab.set("metrics");
        request_animation_frame(|| {
            if let Ok(Some(el)) = gloo::utils::document().query_selector("[data-testid=wf-title]") {
                el.scroll_into_view();
            }
        });
    } else {
        chrome.say(format!(
            "No sampled request crossed {from} → {to} lately: run a little longer."
        ));
    }
}

/// Draws the grid and the request dots (every frame). Dots are sampled from each edge's
/// flow in the newest window: more requests per second, more dots.
pub fn draw_dots(
    run: RunCtx,
    dsg: DesignCtx,
    camera: CameraCtx,
    el: &HtmlCanvasElement,
    c2d: &CanvasRenderingContext2d,
    wall_ms: f64,
) {
    let (w, h) = (
        el.client_width().max(1) as u32,
        el.client_height().max(1) as u32,
    );
    if el.width() != w || el.height() != h {
        el.set_width(w);
        el.set_height(h);
    }
    let (w, h) = (f64::from(w), f64::from(h));
    c2d.clear_rect(0.0, 0.0, w, h);
    let v = camera.view.get_untracked();
    // Grid.
    let step = 40.0 * v.zoom;
    if step >= 8.0 {
        c2d.set_fill_style_str("rgba(128,128,128,0.35)");
        let mut x = v.px.rem_euclid(step);
        while x < w {
            let mut y = v.py.rem_euclid(step);
            while y < h {
                c2d.fill_rect(x, y, 1.5, 1.5);
                y += step;
            }
            x += step;
        }
    }
    DRAWN.with_borrow_mut(|d| d.clear());
    // Reduced motion: no moving dots (the links' widths still show the flow).
    if crate::narrator::reduced_motion() {
        return;
    }
    let running = run.running.get_untracked();
    let phase_base = wall_ms / 1000.0 * 0.6;
    dsg.design.with_untracked(|d| {
        run.snap.with_untracked(|s| {
            for (k, e) in s.edges.iter().enumerate() {
                if e.window_rps <= 0.0 || e.state == EdgeState::Partitioned {
                    continue;
                }
                let (Some(a), Some(b)) = (model::node_pos(d, &e.from), model::node_pos(d, &e.to))
                else {
                    continue;
                };
                let c = model::edge_curve(a, b);
                let n = ((e.window_rps + 1.0).log10() * 3.0).ceil().clamp(1.0, 16.0) as usize;
                c2d.set_fill_style_str(if e.healthy { "#3b82f6" } else { "#f59e0b" });
                for i in 0..n {
                    let t = if running {
                        (phase_base + i as f64 / n as f64).fract()
                    } else {
                        (i as f64 + 0.5) / n as f64
                    };
                    let (wx, wy) = model::bezier_at(&c, t);
                    let (x, y) = v.to_screen(wx, wy);
                    DRAWN.with_borrow_mut(|d| d.push((x, y, k)));
                    c2d.begin_path();
                    let _ = c2d.arc(x, y, 2.6, 0.0, std::f64::consts::TAU);
                    c2d.fill();
                }
            }
        })
    });
    // Paused, the dots stand still: their positions are published for tests and tools.
    let at = if running {
        String::new()
    } else {
        DRAWN.with_borrow(|d| {
            let xy: Vec<String> = d
                .iter()
                .map(|(x, y, _)| format!("[{x:.1},{y:.1}]"))
                .collect();
            format!("[{}]", xy.join(","))
        })
    };
    if el.get_attribute("data-dots").unwrap_or_default() != at {
        let _ = el.set_attribute("data-dots", &at);
    }
}
