//! Sites: the customer's sites, filterable; choosing one shows its supply points and meters.
//! The selection and the filter live in the URL (`?site=ID&q=…`), so a view deep-links and works
//! without the WASM (plain links and a GET form, server-rendered); with it, the list filters as
//! you type (the `SiteFilter` island).
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::sites::{get_site, list_sites, SiteDetail, SiteSummary};
use crate::components::states::{Empty, ErrorNotice, Loading};

#[component]
pub fn SitesPage() -> impl IntoView {
    let query = use_query_map();
    let selected = Memo::new(move |_| query.read().get("site").and_then(|s| s.parse::<i64>().ok()));
    let filter = query.read_untracked().get("q").unwrap_or_default();
    let sites = Resource::new(|| (), |_| list_sites());
    let detail = Resource::new(
        move || selected.get(),
        |id| async move {
            match id {
                Some(id) => get_site(id).await.map(Some),
                None => Ok(None),
            }
        },
    );

    view! {
        <Title text="Sites" />
        <div class="page-head">
            <h1>"Sites"</h1>
            <p class="page-head__lead">"Your sites and the half-hourly supply points (MPANs) at each."</p>
        </div>
        <div class="split">
            <section class="card split__list" aria-labelledby="site-list-title">
                <div class="card__head">
                    <h2 id="site-list-title">"All sites"</h2>
                </div>
                <Suspense fallback=|| view! { <Loading what="sites" /> }>
                    {move || { let filter = filter.clone(); Suspend::new(async move {
                        match sites.await {
                            Ok(list) if list.is_empty() => view! { <Empty message="No sites yet." /> }.into_any(),
                            Ok(list) => view! { <SiteFilter list filter selected=selected.get_untracked() /> }.into_any(),
                            Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        }
                    })}}
                </Suspense>
            </section>
            <section class="card split__detail" aria-live="polite" data-testid="site-detail">
                <Suspense fallback=|| view! { <Loading what="supply points" /> }>
                    {move || Suspend::new(async move {
                        match detail.await {
                            Ok(Some(d)) => view! { <SiteDetailView detail=d /> }.into_any(),
                            Ok(None) => view! { <Empty message="Choose a site to see its supply points and meters." /> }.into_any(),
                            Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
        </div>
    }
}

fn matches(site: &SiteSummary, filter: &str) -> bool {
    let f = filter.trim().to_lowercase();
    f.is_empty()
        || [
            site.name.as_str(),
            site.town.as_str(),
            site.postcode.as_str(),
            site.kind.as_str(),
            site.organisation.as_str(),
        ]
        .iter()
        .any(|v| v.to_lowercase().contains(&f))
}

/// The site list with its filter. Without the client the filter is a GET form (`?q=`); with it,
/// the list narrows as you type.
#[island]
fn SiteFilter(list: Vec<SiteSummary>, filter: String, selected: Option<i64>) -> impl IntoView {
    let (filter, set_filter) = signal(filter);
    let list = StoredValue::new(list);
    let shown = move || list.with_value(|l| l.iter().filter(|s| matches(s, &filter.get())).count());
    view! {
        <form method="get" action="/sites" class="site-filter" role="search">
            {selected.map(|id| view! { <input type="hidden" name="site" value=id /> })}
            <input
                class="input"
                type="search"
                name="q"
                placeholder="Filter by name, town or postcode"
                aria-label="Filter sites"
                prop:value=filter
                on:input=move |ev| set_filter.set(event_target_value(&ev))
            />
        </form>
        <p class="muted small" data-testid="site-count">
            {move || format!("{} of {} sites", shown(), list.with_value(Vec::len))}
        </p>
        <ul class="site-list">
            {move || {
                list.with_value(|l| {
                    l.iter()
                        .filter(|s| matches(s, &filter.get()))
                        .cloned()
                        .map(|s| {
                            let id = s.id;
                            let is_selected = selected == Some(id);
                            view! {
                                <li>
                                    <a
                                        href=format!("/sites?site={id}")
                                        class=if is_selected { "site-item site-item--selected" } else { "site-item" }
                                        aria-current=is_selected.then_some("true")
                                    >
                                        <span class="site-item__name">{s.name}</span>
                                        <span class="site-item__meta">
                                            <span class="tag">{s.kind.label()}</span>
                                            {format!("{} · {}", s.town, s.postcode)}
                                        </span>
                                        <span class="site-item__count">
                                            {format!("{} MPAN{}", s.supply_points, if s.supply_points == 1 { "" } else { "s" })}
                                        </span>
                                    </a>
                                </li>
                            }
                        })
                        .collect_view()
                })
            }}
        </ul>
    }
}

#[component]
fn SiteDetailView(detail: SiteDetail) -> impl IntoView {
    let SiteDetail {
        site,
        address,
        supply_points,
        ..
    } = detail;
    view! {
        <div class="card__head">
            <div>
                <h2 data-testid="site-name">{site.name}</h2>
                <p class="muted">{address}</p>
            </div>
            <dl class="facts">
                <div><dt>"Customer"</dt><dd>{site.organisation}</dd></div>
                <div><dt>"Supply points"</dt><dd>{site.supply_points}</dd></div>
                <div><dt>"Agreed capacity"</dt><dd>{format!("{} kVA", site.agreed_capacity_kva)}</dd></div>
            </dl>
        </div>
        <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column">
            <table class="table" data-testid="supply-points">
                <thead>
                    <tr>
                        <th scope="col">"MPAN"</th>
                        <th scope="col">"Distributor"</th>
                        <th scope="col">"Class"</th>
                        <th scope="col" class="num">"Capacity"</th>
                        <th scope="col">"Meter"</th>
                        <th scope="col">"Energised"</th>
                    </tr>
                </thead>
                <tbody>
                    {supply_points
                        .into_iter()
                        .map(|p| {
                            view! {
                                <tr>
                                    <td>
                                        <span class="mpan">
                                            <span class="mpan__top">{p.top_line}</span>
                                            <span class="mpan__core">{p.mpan_core}</span>
                                        </span>
                                        {p.has_export.then(|| view! { <span class="tag tag--green">"Export"</span> })}
                                    </td>
                                    <td>{p.distributor}</td>
                                    <td>{format!("HH · {}", p.measurement_class)}</td>
                                    <td class="num">{format!("{} kVA", p.agreed_capacity_kva)}</td>
                                    <td class="mono">{p.meter_serials.join(", ")}</td>
                                    <td>{p.energised_from}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}
