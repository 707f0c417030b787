//! Contracts: periods, rates and the supply points each covers.
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::billing::{list_contracts, ContractView};
use crate::components::states::{Empty, ErrorNotice, Loading};

#[component]
pub fn ContractsPage() -> impl IntoView {
    let contracts = Resource::new(|| (), |_| list_contracts());
    view! {
        <Title text="Contracts" />
        <div class="page-head">
            <h1>"Contracts"</h1>
            <p class="page-head__lead">"Your supply contracts: periods, rates and the supply points they cover."</p>
        </div>
        <Suspense fallback=|| view! { <Loading what="contracts" /> }>
            {move || Suspend::new(async move {
                match contracts.await {
                    Ok(list) if list.is_empty() => view! { <section class="card"><Empty message="No contracts." /></section> }.into_any(),
                    Ok(list) => list.into_iter().map(|c| view! { <Contract c /> }).collect_view().into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Contract(c: ContractView) -> impl IntoView {
    let structure = match c.rate_structure.as_str() {
        "banded" => "Time-banded (red / amber / green)",
        "day_night" => "Day / night",
        _ => "Single rate",
    };
    view! {
        <section class="card" data-testid="contract">
            <div class="card__head">
                <div>
                    <h2>{format!("Contract {}", c.reference)}</h2>
                    <p class="muted">{format!("{} · {} to {}", c.customer, c.starts_on, c.ends_on)}</p>
                </div>
                <dl class="facts">
                    <div><dt>"Structure"</dt><dd>{structure}</dd></div>
                    <div><dt>"Annual volume"</dt><dd>{format!("{} MWh ± {} %", c.annual_volume_kwh / 1000, c.volume_tolerance_percent)}</dd></div>
                </dl>
            </div>
            <div class="grid-2">
                <table class="table">
                    <thead><tr><th scope="col">"Unit rate"</th><th scope="col" class="num">"p/kWh"</th></tr></thead>
                    <tbody>
                        {c.rates.into_iter().map(|(name, rate)| view! {
                            <tr><td class="cap">{name}</td><td class="num">{rate}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <table class="table">
                    <thead><tr><th scope="col">"Other charges"</th><th scope="col" class="num">"Rate"</th></tr></thead>
                    <tbody>
                        <tr><td>"Standing charge"</td><td class="num">{format!("{} p/day", c.standing_charge)}</td></tr>
                        <tr><td>"Capacity charge"</td><td class="num">{format!("{} p/kVA/day", c.capacity_charge)}</td></tr>
                        <tr><td>"Excess capacity"</td><td class="num">{format!("{} p/kVA/day", c.excess_capacity_charge)}</td></tr>
                        <tr><td>"Reactive power"</td><td class="num">{format!("{} p/kVArh", c.reactive_charge)}</td></tr>
                    </tbody>
                </table>
            </div>
            <p class="muted small">{format!("Supply points ({}): {}", c.supply_points.len(), c.supply_points.join(", "))}</p>
        </section>
    }
}
