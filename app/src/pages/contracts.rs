//! Contracts customers can act on: the term and renewal date with days left, unit rates by band
//! with their validity, the other charges, volume this contract year against the contracted annual
//! volume and its tolerance band with a projection to the year's end, and maximum demand against
//! agreed capacity per supply point over the last 12 months.
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::billing::{list_contracts, ContractView, PointDemandView, UsageView};
use crate::components::states::{Empty, ErrorNotice, Loading};
use crate::domain::contract_year::VolumeVerdict;

/// kWh as MWh with thousands separators: 8,400 MWh (one decimal below 100 MWh).
pub fn mwh(kwh: i64) -> String {
    if kwh.abs() < 100_000 {
        return format!("{:.1} MWh", kwh as f64 / 1000.0);
    }
    let m = (kwh + 500).div_euclid(1000);
    let digits = m.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    format!("{}{out} MWh", if m < 0 { "-" } else { "" })
}

fn verdict_tag(v: VolumeVerdict) -> &'static str {
    match v {
        VolumeVerdict::Within => "tag tag--green",
        VolumeVerdict::Above => "tag tag--red",
        VolumeVerdict::Below => "tag tag--amber",
    }
}

#[component]
pub fn ContractsPage() -> impl IntoView {
    let contracts = Resource::new(|| (), |_| list_contracts());
    view! {
        <Title text="Contracts" />
        <div class="page-head">
            <h1>"Contracts"</h1>
            <p class="page-head__lead">"Your supply contracts: renewal, rates, volume against what was contracted, and demand against agreed capacity."</p>
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

fn renewal_text(days: i64) -> String {
    match days {
        d if d < 0 => format!("ended {} days ago", -d),
        0 => "ends today".to_owned(),
        1 => "1 day left".to_owned(),
        d => format!("{d} days left"),
    }
}

#[component]
fn Contract(c: ContractView) -> impl IntoView {
    let structure = match c.rate_structure.as_str() {
        "banded" => "Time-banded (red / amber / green)",
        "day_night" => "Day / night",
        _ => "Single rate",
    };
    let renewal_soon = c.days_to_renewal <= 180;
    let shown = c.supply_points.len();
    let points_note = if i64::try_from(shown).unwrap_or(0) < c.supply_points_total {
        format!(
            "Supply points at your sites ({shown} of the contract's {}): {}",
            c.supply_points_total,
            c.supply_points.join(", ")
        )
    } else {
        format!("Supply points ({shown}): {}", c.supply_points.join(", "))
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
                    <div><dt>"Annual volume"</dt><dd>{format!("{} ± {} %", mwh(c.annual_volume_kwh), c.volume_tolerance_percent.trim_end_matches('0').trim_end_matches('.'))}</dd></div>
                    <div data-testid="renewal">
                        <dt>"Renewal"</dt>
                        <dd>{c.ends_on.clone()}" "<span class={if renewal_soon { "tag tag--amber" } else { "tag" }}>{renewal_text(c.days_to_renewal)}</span></dd>
                    </div>
                </dl>
            </div>
            <Volume usage=c.usage.clone() annual_kwh=c.annual_volume_kwh />
            <div class="grid-2">
                <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column">
                    <table class="table">
                        <caption class="muted small">{format!("Valid {}", c.rates_valid)}</caption>
                        <thead><tr><th scope="col">"Unit rate"</th><th scope="col" class="num">"p/kWh"</th></tr></thead>
                        <tbody>
                            {c.rates.into_iter().map(|(name, rate)| view! {
                                <tr><td class="cap">{if name == "all" { "single rate".to_owned() } else { name }}</td><td class="num">{rate}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column">
                    <table class="table">
                        <caption class="muted small">"Valid for the contract term"</caption>
                        <thead><tr><th scope="col">"Other charges"</th><th scope="col" class="num">"Rate"</th></tr></thead>
                        <tbody>
                            <tr><td>"Standing charge"</td><td class="num">{format!("{} p/day", c.standing_charge)}</td></tr>
                            <tr><td>"Capacity charge"</td><td class="num">{format!("{} p/kVA/day", c.capacity_charge)}</td></tr>
                            <tr><td>"Excess capacity"</td><td class="num">{format!("{} p/kVA/day", c.excess_capacity_charge)}</td></tr>
                            <tr><td>"Reactive power"</td><td class="num">{format!("{} p/kVArh", c.reactive_charge)}</td></tr>
                        </tbody>
                    </table>
                </div>
            </div>
            <Demand points=c.usage.demand />
            <p class="muted small">{points_note}</p>
        </section>
    }
}

#[component]
fn Volume(usage: UsageView, annual_kwh: i64) -> impl IntoView {
    let Some(until) = usage.data_until.clone() else {
        return view! { <p class="muted">"No consumption data yet for this contract's supply points."</p> }
            .into_any();
    };
    // A user limited to some sites sees their supply points' volume only: labelled so, and not
    // set against the whole contract's volume.
    let partial = usage.band_kwh.is_none();
    let year = if partial {
        format!(
            "Contract year {} – {}: your sites only",
            usage.year_start, usage.year_end
        )
    } else {
        format!("Contract year {} – {}", usage.year_start, usage.year_end)
    };
    let (consumed_label, projected_label, last_label) = if partial {
        (
            "Your sites to date",
            "Your sites, projected",
            "Your sites, last 12 months",
        )
    } else {
        ("Consumed to date", "Projected for the year", "Last 12 months")
    };
    let verdict = usage.verdict.map(|v| {
        let detail = match (v, usage.band_kwh) {
            (VolumeVerdict::Above, Some((_, hi))) => {
                format!("Projected {} is {} above the top of the band.", mwh(usage.projected_kwh), mwh(usage.projected_kwh - hi))
            }
            (VolumeVerdict::Below, Some((lo, _))) => {
                format!("Projected {} is {} below the bottom of the band.", mwh(usage.projected_kwh), mwh(lo - usage.projected_kwh))
            }
            _ => format!("Projected {} is inside the band.", mwh(usage.projected_kwh)),
        };
        view! {
            <p class={if v == VolumeVerdict::Within { "state state--ok" } else { "state state--warn" }} data-testid="volume-verdict">
                <span class=verdict_tag(v)>{v.label()}</span>" "{detail}
            </p>
        }
    });
    let band = match usage.band_kwh {
        Some((lo, hi)) => format!("{} to {}", mwh(lo), mwh(hi)),
        None => "not compared, as you see only some of the contract's supply points and the contracted volume covers them all".to_owned(),
    };
    let meter_max = usage
        .band_kwh
        .map_or(annual_kwh, |(_, hi)| hi)
        .max(usage.projected_kwh)
        .max(1);
    view! {
        <div class="volume" data-testid="contract-volume">
            <h3>{year}</h3>
            <dl class="facts">
                <div><dt>{consumed_label}</dt><dd data-testid="consumed">{mwh(usage.consumed_kwh)}</dd></div>
                <div><dt>{projected_label}</dt><dd data-testid="projected">{mwh(usage.projected_kwh)}</dd></div>
                <div><dt>"Contracted (whole contract)"</dt><dd>{mwh(annual_kwh)}</dd></div>
                <div><dt>{last_label}</dt><dd data-testid="last-12-months">{mwh(usage.last_12_months_kwh)}</dd></div>
            </dl>
            {(!partial).then(|| view! {
                <meter class="meter meter--volume" min="0" max=meter_max.to_string() value=usage.projected_kwh.to_string()
                    low=usage.band_kwh.map(|(lo, _)| lo.to_string()) high=usage.band_kwh.map(|(_, hi)| hi.to_string())
                    aria-label="Projected volume against the tolerance band"></meter>
            })}
            <p class="muted small">{format!("Tolerance band: {band}. Data to {until}. {}", usage.projection.explain())}</p>
            {verdict}
        </div>
    }
    .into_any()
}

#[component]
fn Demand(points: Vec<PointDemandView>) -> impl IntoView {
    if points.is_empty() {
        return ().into_any();
    }
    view! {
        <h3 class="section-title">"Maximum demand against agreed capacity (last 12 months)"</h3>
        <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column">
            <table class="table" data-testid="max-demand">
                <thead><tr>
                    <th scope="col">"Supply point"</th><th scope="col" class="num">"Agreed"</th>
                    <th scope="col">"Highest month"</th><th scope="col" class="num">"Months over"</th>
                </tr></thead>
                <tbody>
                    {points.into_iter().map(|p| {
                        let over = p.months_over();
                        let peak = p.peak().map(|m| format!("{} kVA in {} ({})", m.kva, m.month, m.at)).unwrap_or_else(|| "no data".to_owned());
                        let months = p.months.clone();
                        view! {
                            <tr>
                                <td><span class="mono">{p.mpan_core.clone()}</span><br /><span class="muted small">{p.site_name.clone()}</span></td>
                                <td class="num">{format!("{} kVA", p.agreed_kva)}</td>
                                <td>
                                    {peak}
                                    <details class="months">
                                        <summary>"By month"</summary>
                                        <ul class="months__list">
                                            {months.into_iter().map(|m| view! {
                                                <li class:over=m.over_capacity>{format!("{}: {} kVA ({})", m.month, m.kva, m.at)}</li>
                                            }).collect_view()}
                                        </ul>
                                    </details>
                                </td>
                                <td class="num">
                                    <span class={if over > 0 { "tag tag--red" } else { "tag tag--green" }}>{format!("{over} of {}", p.months.len())}</span>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volumes_read_as_mwh() {
        assert_eq!(mwh(8_400_000), "8,400 MWh");
        assert_eq!(mwh(11_004_499), "11,004 MWh");
        assert_eq!(mwh(12_345), "12.3 MWh");
        assert_eq!(mwh(-250_000), "-250 MWh");
    }
}
