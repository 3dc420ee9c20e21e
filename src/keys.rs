//! The keyboard shortcuts as a plain table: a key with its modifiers and where the focus
//! is, mapped to an [`Action`]. No Leptos, no web APIs: `lib.rs` reads the browser's
//! event into a [`Press`] and performs the action; the native tests check the table.

pub use crate::a11y::Dir;

/// A key pressed, as the page sees it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Press<'a> {
    /// `KeyboardEvent.key`.
    pub key: &'a str,
    /// Ctrl, or ⌘ on a Mac.
    pub ctrl: bool,
    pub shift: bool,
    /// The focus is in a text box, a list or a text area (keys are typing).
    pub in_field: bool,
    /// The focus is on a button (Space presses it).
    pub on_button: bool,
    /// The focus is on the canvas or inside it.
    pub in_stage: bool,
    /// Some components are selected.
    pub has_selection: bool,
    /// The focus is on a component of the canvas.
    pub on_node: bool,
}

/// What a shortcut does.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Action {
    /// Esc: close the help, cancel connecting.
    Cancel,
    Undo,
    Redo,
    SelectAll,
    DeleteSelection,
    TogglePlay,
    Step,
    /// `,` / `>`: seek one metrics window back / forward.
    SeekWindow {
        forward: bool,
    },
    ToggleHelp,
    ZoomIn,
    ZoomOut,
    Fit,
    /// Move the selected components by (dx, dy) world units.
    MoveSelection {
        dx: f64,
        dy: f64,
    },
    /// Pan the canvas by (dx, dy) screen px.
    Pan {
        dx: f64,
        dy: f64,
    },
    /// Arrow on a focused component: move the focus to the nearest one that way.
    Navigate(Dir),
    /// `]` / `[` on a focused component: move the focus along a link, to a component it
    /// calls (downstream) or one that calls it.
    FollowLink {
        downstream: bool,
    },
    /// `c` on a focused component: start a link from it (Enter on another ends it).
    StartConnect,
    /// `x` on a focused component: select it and take the focus to its faults.
    OpenFaults,
    /// `d`: say the design and the run now, in the live region.
    Describe,
}

/// Zoom factor of one `+` (its inverse-ish `ZOOM_OUT` for `−`).
pub const ZOOM_IN: f64 = 1.25;
/// Zoom factor of one `−`.
pub const ZOOM_OUT: f64 = 0.8;
/// World units an arrow moves the selection (Shift: [`BIG_STEP`]).
pub const STEP: f64 = 10.0;
/// World units Shift-arrow moves the selection.
pub const BIG_STEP: f64 = 50.0;
/// An arrow pans the canvas this many times the step, in screen px.
pub const PAN_PER_STEP: f64 = 4.0;

impl Action {
    /// True when the browser's own handling of the key must be stopped.
    pub fn prevents_default(&self) -> bool {
        !matches!(self, Action::Cancel)
    }
}

/// The action of a key press, if it has one.
pub fn action(p: &Press) -> Option<Action> {
    if p.key == "Escape" {
        return Some(Action::Cancel);
    }
    if p.in_field {
        return None;
    }
    let ctrl = p.ctrl;
    Some(match p.key {
        "z" | "Z" if ctrl && p.shift => Action::Redo,
        "z" if ctrl => Action::Undo,
        "y" if ctrl => Action::Redo,
        "a" if ctrl => Action::SelectAll,
        "Delete" | "Backspace" => Action::DeleteSelection,
        " " if !p.on_button => Action::TogglePlay,
        "." => Action::Step,
        "," | "<" if !ctrl => Action::SeekWindow { forward: false },
        ">" if !ctrl => Action::SeekWindow { forward: true },
        "?" => Action::ToggleHelp,
        "d" | "D" if !ctrl => Action::Describe,
        "]" if p.on_node => Action::FollowLink { downstream: true },
        "[" if p.on_node => Action::FollowLink { downstream: false },
        "c" | "C" if p.on_node && !ctrl => Action::StartConnect,
        "x" | "X" if p.on_node && !ctrl => Action::OpenFaults,
        k if p.on_node && !p.shift && !ctrl && Dir::of_key(k).is_some() => {
            Action::Navigate(Dir::of_key(k)?)
        }
        "f" | "F" if !ctrl => Action::Fit,
        "-" if !ctrl => Action::ZoomOut,
        "+" | "=" if !ctrl => Action::ZoomIn,
        "ArrowLeft" | "ArrowRight" | "ArrowUp" | "ArrowDown" => {
            let step = if p.shift { BIG_STEP } else { STEP };
            let (dx, dy) = match p.key {
                "ArrowLeft" => (-step, 0.0),
                "ArrowRight" => (step, 0.0),
                "ArrowUp" => (0.0, -step),
                _ => (0.0, step),
            };
            if p.has_selection {
                Action::MoveSelection { dx, dy }
            } else if p.in_stage {
                // With nothing selected, arrows pan the canvas when it has the focus: the
                // view moves the other way, so the design seems to move with the arrow.
                Action::Pan {
                    dx: -dx * PAN_PER_STEP,
                    dy: -dy * PAN_PER_STEP,
                }
            } else {
                return None;
            }
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> Press<'_> {
        Press {
            key: k,
            ..Press::default()
        }
    }
    fn ctrl(k: &str) -> Press<'_> {
        Press {
            ctrl: true,
            ..key(k)
        }
    }

    #[test]
    fn the_table() {
        use Action::*;
        let rows: &[(Press, Option<Action>)] = &[
            (key("Escape"), Some(Cancel)),
            (ctrl("z"), Some(Undo)),
            (
                Press {
                    shift: true,
                    ..ctrl("Z")
                },
                Some(Redo),
            ),
            (
                Press {
                    shift: true,
                    ..ctrl("z")
                },
                Some(Redo),
            ),
            (ctrl("Z"), None),
            (ctrl("y"), Some(Redo)),
            (key("z"), None),
            (key("y"), None),
            (ctrl("a"), Some(SelectAll)),
            (key("a"), None),
            (key("Delete"), Some(DeleteSelection)),
            (key("Backspace"), Some(DeleteSelection)),
            (key(" "), Some(TogglePlay)),
            (
                Press {
                    on_button: true,
                    ..key(" ")
                },
                None,
            ),
            (key("."), Some(Step)),
            (key(","), Some(SeekWindow { forward: false })),
            (key(">"), Some(SeekWindow { forward: true })),
            (key("?"), Some(ToggleHelp)),
            (key("+"), Some(ZoomIn)),
            (key("="), Some(ZoomIn)),
            (key("-"), Some(ZoomOut)),
            (key("f"), Some(Fit)),
            (key("F"), Some(Fit)),
            (ctrl("f"), None),
            (ctrl("+"), None),
            (ctrl("-"), None),
            (key("q"), None),
            (key("Enter"), None),
        ];
        for (p, want) in rows {
            assert_eq!(action(p), *want, "{p:?}");
        }
    }

    #[test]
    fn typing_in_a_field_is_never_a_shortcut_but_escape_is() {
        for k in [
            "z",
            " ",
            ".",
            ",",
            "?",
            "f",
            "Delete",
            "Backspace",
            "ArrowLeft",
            "+",
            "d",
        ] {
            let p = Press {
                in_field: true,
                ctrl: k == "z",
                has_selection: true,
                ..key(k)
            };
            assert_eq!(action(&p), None, "{k}");
        }
        let esc = Press {
            in_field: true,
            ..key("Escape")
        };
        assert_eq!(action(&esc), Some(Action::Cancel));
        assert!(!Action::Cancel.prevents_default());
        assert!(Action::Undo.prevents_default());
    }

    #[test]
    fn arrows_move_the_selection_or_pan_the_focused_canvas() {
        let sel = |k, shift| Press {
            has_selection: true,
            shift,
            ..key(k)
        };
        assert_eq!(
            action(&sel("ArrowLeft", false)),
            Some(Action::MoveSelection { dx: -10.0, dy: 0.0 })
        );
        assert_eq!(
            action(&sel("ArrowDown", true)),
            Some(Action::MoveSelection { dx: 0.0, dy: 50.0 })
        );
        let stage = Press {
            in_stage: true,
            ..key("ArrowLeft")
        };
        assert_eq!(action(&stage), Some(Action::Pan { dx: 40.0, dy: 0.0 }));
        let stage_up = Press {
            in_stage: true,
            shift: true,
            ..key("ArrowUp")
        };
        assert_eq!(action(&stage_up), Some(Action::Pan { dx: 0.0, dy: 200.0 }));
        // Nothing selected and the focus elsewhere: the page scrolls as usual.
        assert_eq!(action(&key("ArrowRight")), None);
    }

    #[test]
    fn on_a_focused_component_arrows_navigate_and_shift_arrows_move_it() {
        let node = |k, shift| Press {
            on_node: true,
            in_stage: true,
            has_selection: true,
            shift,
            ..key(k)
        };
        assert_eq!(
            action(&node("ArrowUp", false)),
            Some(Action::Navigate(Dir::Up))
        );
        assert_eq!(
            action(&node("ArrowLeft", false)),
            Some(Action::Navigate(Dir::Left))
        );
        assert_eq!(
            action(&node("ArrowRight", true)),
            Some(Action::MoveSelection { dx: 50.0, dy: 0.0 })
        );
        assert_eq!(
            action(&node("]", false)),
            Some(Action::FollowLink { downstream: true })
        );
        assert_eq!(
            action(&node("[", false)),
            Some(Action::FollowLink { downstream: false })
        );
        assert_eq!(action(&node("c", false)), Some(Action::StartConnect));
        assert_eq!(action(&node("x", false)), Some(Action::OpenFaults));
        assert_eq!(action(&node("d", false)), Some(Action::Describe));
        // Off a component those keys do nothing (but `d` still describes).
        for k in ["]", "[", "c", "x"] {
            assert_eq!(action(&key(k)), None, "{k}");
        }
        assert_eq!(action(&key("d")), Some(Action::Describe));
        assert_eq!(action(&ctrl("d")), None);
        // Typing in a field is never navigation.
        let typing = Press {
            in_field: true,
            ..node("ArrowUp", false)
        };
        assert_eq!(action(&typing), None);
    }
}
