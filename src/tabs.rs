//! The phone's tab bar: on a narrow screen the canvas takes the room and the panels
//! (palette, traffic, inspector, charts, lesson, the edit menu) open one at a time in a
//! drawer above this bar. On a wide screen the bar is not shown (see `style.css`).

use leptos::prelude::*;

use crate::state::DesignCtx;

/// Tabs: the panel each opens (the page's class `tab-NAME` shows it) and its label.
pub const TABS: &[(&str, &str)] = &[
    ("palette", "Add"),
    ("traffic", "Traffic"),
    ("inspector", "Inspect"),
    ("metrics", "Charts"),
    ("lesson", "Lesson"),
    ("menu", "More"),
];

/// The page's class for the open tab (none open: the canvas alone).
pub fn tab_class(open: &str) -> String {
    if open.is_empty() {
        "tab-none".to_string()
    } else {
        format!("tab-{open}")
    }
}

/// The tab bar; `open` is the tab whose panel is shown ("" for none). Pressing the open
/// tab closes its drawer.
#[component]
pub fn PhoneTabs(open: RwSignal<&'static str>) -> impl IntoView {
    let dsg = expect_context::<DesignCtx>();
    let has_lesson = move || {
        dsg.design
            .with(|d| d.lesson.is_some() || d.challenge.is_some())
    };
    view! {
        <nav class="phone-tabs" aria-label="Panels" data-testid="phone-tabs">
            {TABS.iter().map(|&(name, label)| {
                let shown = move || name != "lesson" || has_lesson();
                view! {
                    <button class=format!("tab-btn tab-btn-{name}") data-testid=format!("tab-{name}")
                        class:hidden=move || !shown()
                        aria-pressed=move || (open.get() == name).to_string()
                        on:click=move |_| open.update(|o| *o = if *o == name { "" } else { name })>
                        {label}
                    </button>
                }
            }).collect_view()}
        </nav>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_open_tab_names_the_page_class() {
        assert_eq!(tab_class(""), "tab-none");
        for (name, _) in TABS {
            assert_eq!(tab_class(name), format!("tab-{name}"));
        }
    }
}
