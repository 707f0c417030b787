//! Consumption: choose a supply point, a range and a settlement run; see the chart (rendered on
//! the server, so it is there before the WASM), totals, maximum demand, time bands and data quality.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::consumption::{consumption, consumption_points, ConsumptionView};
use crate::components::states::{Empty, ErrorNotice, Loading};
use crate::domain::consumption_range::ConsumptionRange;
use crate::domain::settlement_run::RunChoice;

fn kwh(v: f64) -> String {
    let s = format!("{:.0}", v);
    let (neg, digits) = s.strip_prefix('-').map_or((false, s.as_str()), |d| (true, d));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{}{out} kWh", if neg { "-" } else { "" })
}

#[component]
pub fn ConsumptionPage() -> impl IntoView {
    let query = use_query_map();
    let points = Resource::new(|| (), |_| consumption_points());
    let params = Memo::new(move |_| {
        let q = query.read();
        (
            q.get("sp").and_then(|s| s.parse::<i64>().ok()),
            // A range or run the page does not know falls back to the default, as a missing one does.
            q.get("range")
                .and_then(|s| s.parse::<ConsumptionRange>().ok())
                .unwrap_or_default(),
            q.get("run")
                .and_then(|s| s.parse::<RunChoice>().ok())
                .unwrap_or_default(),
        )
    });
    let data = Resource::new(
        move || params.get(),
        |(sp, range, run)| async move {
            match sp {
                Some(sp) => consumption(sp, range, run).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let href = move |sp: Option<i64>, range: ConsumptionRange, run: RunChoice| match sp {
        Some(sp) => format!("/consumption?sp={sp}&range={}&run={}", range.code(), run.code()),
        None => "/consumption".to_string(),
    };
    view! {
        <Title text="Consumption" />
        <div class="page-head">
            <h1>"Consumption"</h1>
            <p class="page-head__lead">"Half-hourly active import by supply point, at the best available settlement run or a run you choose."</p>
        </div>
        <div class="split">
            <section class="card split__list">
                <h2>"Supply points"</h2>
                <Suspense fallback=|| view! { <Loading what="supply points" /> }>
                    {move || Suspend::new(async move {
                        match points.await {
                            Ok(list) => view! {
                                <ul class="site-list">
                                    {list.into_iter().map(|p| {
                                        let id = p.id;
                                        view! {
                                            <li><A href=move || { let (_, r, run) = params.get(); href(Some(id), r, run) }
                                                attr:class=move || if params.get().0 == Some(id) { "site-item site-item--selected" } else { "site-item" }>
                                                <span class="site-item__name">{p.label}</span>
                                            </A></li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any(),
                            Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
            <section class="card split__detail" data-testid="consumption">
                <div class="toolbar">
                    <div class="segmented" role="group" aria-label="Range">
                        {ConsumptionRange::ALL.into_iter().map(|range| view! {
                            <A href=move || { let (sp, _, run) = params.get(); href(sp, range, run) }
                               attr:class=move || if params.get().1 == range { "seg seg--on" } else { "seg" }>{range.label()}</A>
                        }).collect_view()}
                    </div>
                    <div class="segmented" role="group" aria-label="Settlement run">
                        {RunChoice::offered().map(|run| view! {
                            <A href=move || { let (sp, r, _) = params.get(); href(sp, r, run) }
                               attr:class=move || if params.get().2 == run { "seg seg--on" } else { "seg" }>
                               {run.label()}
                            </A>
                        }).collect_view()}
                    </div>
                </div>
                <Suspense fallback=|| view! { <Loading what="consumption" /> }>
                    {move || Suspend::new(async move {
                        match data.await {
                            Ok(Some(v)) => view! { <ConsumptionDetail v /> }.into_any(),
                            Ok(None) => view! { <Empty message="Choose a supply point to see its consumption." /> }.into_any(),
                            Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
        </div>
    }
}

#[component]
fn ConsumptionDetail(v: ConsumptionView) -> impl IntoView {
    let expected = v.actual_periods + v.estimated_periods + v.missing_periods;
    let pct = |n: i64| {
        if expected == 0 {
            0.0
        } else {
            100.0 * n as f64 / expected as f64
        }
    };
    let over = v
        .max_demand_kva
        .is_some_and(|md| md > f64::from(v.agreed_capacity_kva));
    let banded = v.red_kwh + v.amber_kwh + v.green_kwh;
    let share = |x: f64| if banded > 0.0 { 100.0 * x / banded } else { 0.0 };
    view! {
        <div class="card__head">
            <div>
                <h2 data-testid="consumption-title">{format!("{} · MPAN {}", v.site_name, v.mpan_core)}</h2>
                <p class="muted">{format!("{} · settlement run: {} · runs in range: {}", v.range.description(), v.run.description(), v.runs_seen.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", "))}</p>
            </div>
        </div>
        {if v.chart_svg.is_empty() {
            view! { <Empty message="No data for this range and run." /> }.into_any()
        } else {
            view! { <div class="chart" role="img" aria-label=format!("Consumption chart, {}", v.range.description()) inner_html=v.chart_svg.clone()></div> }.into_any()
        }}
        <div class="kpis kpis--compact">
            <div class="kpi"><span class="kpi__label">"Total"</span><span class="kpi__value" data-testid="total-kwh">{kwh(v.total_kwh)}</span></div>
            <div class="kpi" class:kpi--alert=over>
                <span class="kpi__label">"Maximum demand"</span>
                <span class="kpi__value">{v.max_demand_kva.map_or("—".into(), |k| format!("{k:.0} kVA"))}</span>
                <span class="muted small">{format!("{} · agreed {} kVA", v.max_demand_at.clone().unwrap_or_default(), v.agreed_capacity_kva)}</span>
            </div>
            <div class="kpi"><span class="kpi__label">"Power factor at MD"</span><span class="kpi__value">{v.power_factor.map_or("—".into(), |p| format!("{p:.2}"))}</span></div>
            <div class="kpi">
                <span class="kpi__label">"Time bands"</span>
                <span class="bands">
                    <span class="tag tag--red">{format!("Red {:.0} %", share(v.red_kwh))}</span>
                    <span class="tag tag--amber">{format!("Amber {:.0} %", share(v.amber_kwh))}</span>
                    <span class="tag tag--green">{format!("Green {:.0} %", share(v.green_kwh))}</span>
                </span>
            </div>
            <div class="kpi">
                <span class="kpi__label">"Data quality"</span>
                <span class="small">{format!("Actual {:.1} % · estimated {:.1} % · missing {:.1} %", pct(v.actual_periods), pct(v.estimated_periods), pct(v.missing_periods))}</span>
            </div>
        </div>
    }
}
