//! Region faults for any region the design uses: outage and recovery of one region, and a
//! partition between two regions (cut and heal).

use leptos::ev;
use leptos::prelude::*;
use sim_core::Command;

use crate::fields::regions_used;
use crate::state::{ChromeCtx, DesignCtx, RunCtx};

/// A region picker bound to `value`.
fn picker(
    label: &'static str,
    testid: &'static str,
    value: RwSignal<String>,
    regions: Memo<Vec<String>>,
) -> impl IntoView {
    view! {
        <label class="field-inline">{label}
            <select data-testid=testid on:change=move |e: ev::Event| value.set(event_target_value(&e))>
                {move || regions.get().into_iter().map(|r| {
                    let v = r.clone();
                    view! { <option value=r.clone() prop:selected=move || value.with(|x| *x == v)>{r.clone()}</option> }
                }).collect_view()}
            </select>
        </label>
    }
}

#[component]
pub fn RegionFaults() -> impl IntoView {
    let run = expect_context::<RunCtx>();
    let dsg = expect_context::<DesignCtx>();
    let chrome = expect_context::<ChromeCtx>();
    let regions = Memo::new(move |_| dsg.design.with(regions_used));
    let one = RwSignal::new(String::new());
    let a = RwSignal::new(String::new());
    let b = RwSignal::new(String::new());
    // Keep the pickers on regions that exist (the first two by default).
    Effect::new(move |_| {
        let rs = regions.get();
        let fix = |s: RwSignal<String>, i: usize| {
            if !rs.contains(&s.get_untracked()) {
                s.set(rs.get(i).or(rs.first()).cloned().unwrap_or_default());
            }
        };
        fix(one, 0);
        fix(a, 0);
        fix(b, 1);
    });
    let outage = move |down: bool| {
        move |_: ev::MouseEvent| {
            let region = one.get_untracked();
            run.command(if down {
                Command::RegionOutage { region }
            } else {
                Command::RegionRecover { region }
            });
        }
    };
    let split = move |cut: bool| {
        move |_: ev::MouseEvent| {
            let (a, b) = (a.get_untracked(), b.get_untracked());
            if a == b {
                chrome.notice.set(Some(
                    "Choose two different regions to partition.".to_string(),
                ));
                return;
            }
            run.command(if cut {
                Command::PartitionRegions { a, b }
            } else {
                Command::HealRegions { a, b }
            });
        }
    };
    view! {
        <Show when=move || !regions.with(|r| r.is_empty())>
            <section class="region-faults" aria-label="Region faults" data-testid="region-faults">
                <h4>"Regions"</h4>
                <div class="buttons">
                    {picker("Region ", "region-one", one, regions)}
                    <button class="danger" data-testid="region-outage" on:click=outage(true)>"Outage"</button>
                    <button data-testid="region-recover" on:click=outage(false)>"Recover"</button>
                </div>
                <p class="hint">"A partition cuts replication between the two regions' store replicas: CP replicas refuse, AP replicas answer and reconcile on heal."</p>
                <div class="buttons">
                    {picker("A ", "region-a", a, regions)}
                    <span aria-hidden="true">"|"</span>
                    {picker("B ", "region-b", b, regions)}
                </div>
                <div class="buttons">
                    <button class="danger" data-testid="cut-regions" on:click=split(true)>"Cut regions"</button>
                    <button data-testid="heal-regions" on:click=split(false)>"Heal regions"</button>
                </div>
            </section>
        </Show>
    }
}
