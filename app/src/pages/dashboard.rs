//! Dashboard: the portfolio at a glance.
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::consumption::{portfolio, PortfolioView};
use crate::api::sites::{list_sites, SiteSummary};
use crate::components::states::{Empty, ErrorNotice, Loading};

#[component]
pub fn DashboardPage() -> impl IntoView {
    let sites = Resource::new(|| (), |_| list_sites());
    let usage = Resource::new(|| (), |_| portfolio());
    view! {
        <Title text="Dashboard" />
        <div class="page-head">
            <h1>"Dashboard"</h1>
            <p class="page-head__lead">"Your portfolio of half-hourly metered supplies."</p>
        </div>
        <Suspense fallback=|| view! { <Loading what="your portfolio" /> }>
            {move || Suspend::new(async move {
                match sites.await {
                    Ok(list) if list.is_empty() => view! { <Empty message="No sites yet." /> }.into_any(),
                    Ok(list) => view! { <Portfolio list /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
        <Suspense fallback=|| view! { <Loading what="consumption" /> }>
            {move || Suspend::new(async move {
                match usage.await {
                    Ok(p) => view! { <Usage p /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Usage(p: PortfolioView) -> impl IntoView {
    let max = p.sites.iter().map(|s| s.kwh).fold(0.0f64, f64::max).max(1.0);
    view! {
        <section class="card" data-testid="portfolio">
            <div class="card__head">
                <div>
                    <h2>"Consumption, last 30 days"</h2>
                    <p class="muted">{format!("{} to {} · best available settlement run · {:.0} MWh", p.from, p.to, p.total_kwh / 1000.0)}</p>
                </div>
                <a href="/consumption" class="button button--ghost">"Explore consumption"</a>
            </div>
            {(!p.chart_svg.is_empty()).then(|| view! { <div class="chart" role="img" tabindex="0" aria-label="Daily consumption, last 30 days; each site's total is in the table below" inner_html=p.chart_svg.clone()></div> })}
            <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column">
            <table class="table">
                <thead><tr><th scope="col">"Site"</th><th scope="col">"Share"</th><th scope="col" class="num">"kWh"</th><th scope="col" class="num">"Missing half-hours"</th></tr></thead>
                <tbody>
                    {p.sites.into_iter().map(|s| view! {
                        <tr>
                            <td>{s.site_name}</td>
                            <td><meter min="0" max=max value=s.kwh class="meter"></meter></td>
                            <td class="num">{format!("{:.0}", s.kwh)}</td>
                            <td class="num">{s.missing_periods}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            </div>
        </section>
    }
}

#[component]
fn Portfolio(list: Vec<SiteSummary>) -> impl IntoView {
    let supply_points: i64 = list.iter().map(|s| s.supply_points).sum();
    let capacity: i64 = list.iter().map(|s| s.agreed_capacity_kva).sum();
    let customers = {
        let mut c: Vec<&str> = list.iter().map(|s| s.organisation.as_str()).collect();
        c.dedup();
        c.len()
    };
    view! {
        <div class="kpis">
            <div class="kpi"><span class="kpi__label">"Sites"</span><span class="kpi__value">{list.len()}</span></div>
            <div class="kpi"><span class="kpi__label">"Supply points"</span><span class="kpi__value">{supply_points}</span></div>
            <div class="kpi"><span class="kpi__label">"Agreed capacity"</span><span class="kpi__value">{format!("{capacity} kVA")}</span></div>
            <div class="kpi"><span class="kpi__label">"Customer accounts"</span><span class="kpi__value">{customers}</span></div>
        </div>
        <section class="card">
            <div class="card__head"><h2>"Sites"</h2><a href="/sites" class="button button--ghost">"View all sites"</a></div>
            <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column">
                <table class="table">
                    <thead><tr>
                        <th scope="col">"Site"</th><th scope="col">"Type"</th><th scope="col">"Location"</th>
                        <th scope="col" class="num">"MPANs"</th><th scope="col" class="num">"Capacity"</th>
                    </tr></thead>
                    <tbody>
                        {list.into_iter().map(|s| view! {
                            <tr>
                                <td><a href=format!("/sites?site={}", s.id)>{s.name}</a></td>
                                <td><span class="tag">{s.kind.label()}</span></td>
                                <td>{format!("{}, {}", s.town, s.postcode)}</td>
                                <td class="num">{s.supply_points}</td>
                                <td class="num">{format!("{} kVA", s.agreed_capacity_kva)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
