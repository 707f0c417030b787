//! Consumption: choose up to six supply points, a span (dates or a preset), a unit (kWh, kW,
//! kVA) and a settlement run; see one chart (rendered on the server, so it is there before the
//! WASM, with native tooltips and drill-down links that work without it), totals, export,
//! maximum demand, DUoS time bands, data quality and the runs shown. Everything is in the URL
//! (`ConsumptionQuery`), and the form is a plain GET form, so it all works without JavaScript.
//! Once hydrated, hovering or focusing a bucket shows a positioned tooltip.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::consumption::{
    consumption, consumption_points, ConsumptionQuery, ConsumptionView, PointFigures, SpanChoice,
};
use crate::components::states::{Empty, ErrorNotice, Loading};
use crate::domain::aggregate::Granularity;
use crate::domain::consumption_buckets::{format_quantity, runs_label, ChartUnit};
use crate::domain::date_span::SpanPreset;
use crate::domain::settlement_run::RunChoice;

#[component]
pub fn ConsumptionPage() -> impl IntoView {
    let query = use_query_map();
    let parsed = Memo::new(move |_| {
        let q = query.read();
        ConsumptionQuery::parse(|k| q.get_all(k).unwrap_or_default())
    });
    let state = Memo::new(move |_| parsed.get().0);
    let points = Resource::new(|| (), |_| consumption_points());
    let data = Resource::new(
        move || parsed.get(),
        |(q, problems)| async move {
            if q.points.is_empty() || !problems.is_empty() {
                return Ok(None);
            }
            let (range, from, to) = match q.span {
                SpanChoice::Preset(p) => (Some(p), None, None),
                SpanChoice::Dates(s) => (None, Some(s.from()), Some(s.to())),
            };
            consumption(q.points, range, from, to, q.unit, q.run)
                .await
                .map(Some)
        },
    );
    view! {
        <Title text="Consumption" />
        <div class="page-head">
            <h1>"Consumption"</h1>
            <p class="page-head__lead">"Half-hourly data by supply point, at the best available settlement run or a run you choose. Compare up to six supply points; choose a bar to see its days or half-hours."</p>
        </div>
        <div class="split">
            <section class="card split__list">
                <Suspense fallback=|| view! { <Loading what="supply points" /> }>
                    {move || Suspend::new(async move {
                        let list = points.await;
                        let shown = data.await.ok().flatten();
                        let q = state.get_untracked();
                        match list {
                            Ok(list) => view! { <ChoiceForm list q shown /> }.into_any(),
                            Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
            <section class="card split__detail" data-testid="consumption">
                <div class="toolbar">
                    <div class="segmented" role="group" aria-label="Range">
                        {SpanPreset::ALL.into_iter().map(|p| view! {
                            <a href=move || state.get().with_span(SpanChoice::Preset(p)).href()
                               class=move || if state.get().span == SpanChoice::Preset(p) { "seg seg--on" } else { "seg" }
                               aria-current=move || (state.get().span == SpanChoice::Preset(p)).then_some("true")>{p.label()}</a>
                        }).collect_view()}
                    </div>
                    <div class="segmented" role="group" aria-label="Unit">
                        {ChartUnit::ALL.into_iter().map(|u| view! {
                            <a href=move || state.get().with_unit(u).href()
                               class=move || if state.get().unit == u { "seg seg--on" } else { "seg" }
                               aria-current=move || (state.get().unit == u).then_some("true")>{u.symbol()}</a>
                        }).collect_view()}
                    </div>
                    <div class="segmented" role="group" aria-label="Settlement run">
                        {RunChoice::offered().map(|run| view! {
                            <a href=move || state.get().with_run(run).href()
                               class=move || if state.get().run == run { "seg seg--on" } else { "seg" }
                               aria-current=move || (state.get().run == run).then_some("true")>
                               {run.label()}
                            </a>
                        }).collect_view()}
                    </div>
                </div>
                <Suspense fallback=|| view! { <Loading what="consumption" /> }>
                    {move || Suspend::new(async move {
                        let problems = parsed.get_untracked().1;
                        match data.await {
                            _ if !problems.is_empty() => view! {
                                <div class="state state--error" role="alert" data-testid="consumption-problems">
                                    <ul>{problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
                                </div>
                            }.into_any(),
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

/// The plain GET form: supply points to compare, dates, unit and run. It works without
/// JavaScript (the browser sends it as a query string) and with it.
#[component]
fn ChoiceForm(
    list: Vec<crate::api::consumption::PointOption>,
    q: ConsumptionQuery,
    shown: Option<ConsumptionView>,
) -> impl IntoView {
    let span = match q.span {
        SpanChoice::Dates(s) => Some(s),
        SpanChoice::Preset(_) => shown.as_ref().map(|v| v.span),
    };
    let (from, to) = span.map_or((String::new(), String::new()), |s| {
        (s.from().to_string(), s.to().to_string())
    });
    view! {
        <form method="get" action="/consumption" class="form consumption-form" data-testid="consumption-form">
            <fieldset class="fieldset">
                <legend>{format!("Supply points (up to {})", ConsumptionQuery::MAX_POINTS)}</legend>
                <ul class="site-list">
                    {list.into_iter().map(|p| {
                        let checked = q.points.contains(&p.id);
                        view! {
                            <li><label class="site-item check-item" class:site-item--selected=checked>
                                <input type="checkbox" name="sp" value=p.id.to_string() checked=checked />
                                <span class="site-item__name">{p.label}</span>
                                {p.has_export.then(|| view! { <span class="tag">"Solar export"</span> })}
                            </label></li>
                        }
                    }).collect_view()}
                </ul>
            </fieldset>
            <div class="form__row">
                <label class="field">"From"<input type="date" name="from" value=from /></label>
                <label class="field">"To"<input type="date" name="to" value=to /></label>
            </div>
            <div class="form__row">
                <label class="field">"Unit"
                    <select name="unit">
                        {ChartUnit::ALL.into_iter().map(|u| view! {
                            <option value=u.code() selected={q.unit == u}>{u.symbol()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="field">"Settlement run"
                    <select name="run">
                        {RunChoice::offered().map(|r| view! {
                            <option value=r.code() selected={q.run == r}>{r.label()}</option>
                        }).collect_view()}
                    </select>
                </label>
            </div>
            <button type="submit" class="button">"Show"</button>
        </form>
    }
}

fn granularity_word(g: Granularity) -> &'static str {
    match g {
        Granularity::HalfHour | Granularity::Hour => "half-hourly",
        Granularity::Day | Granularity::Week => "daily",
        Granularity::Month | Granularity::Quarter => "monthly",
    }
}

#[component]
fn ConsumptionDetail(v: ConsumptionView) -> impl IntoView {
    let caption = format!(
        "{}{} · {} · settlement run: {}",
        v.preset
            .map(|p| format!("Last {} · ", p.label()))
            .unwrap_or_default(),
        v.span.describe(),
        granularity_word(v.granularity),
        v.run.description()
    );
    let any_export = v.points.iter().any(|p| p.export_kwh.is_some()) && v.unit != ChartUnit::Kva;
    let demand = v.unit.is_demand();
    let has_chart = v.has_chart;
    let run = v.run;
    let label = format!("Consumption chart, {}", v.span.describe());
    view! {
        <div class="card__head">
            <div>
                <h2 data-testid="consumption-title">{v.points.iter().map(|p| format!("{} · MPAN {}", p.site_name, p.mpan_core)).collect::<Vec<_>>().join(" / ")}</h2>
                <p class="muted" data-testid="consumption-caption">{caption}</p>
                <p class="small" data-testid="runs-seen">
                    {v.points.iter().map(|p| {
                        let text = if p.runs_seen.is_empty() {
                            match run {
                                RunChoice::Exactly(r) => format!("No data at run {r} in this range"),
                                RunChoice::Best => "No data in this range".to_string(),
                            }
                        } else {
                            format!("Runs shown: {}", runs_label(&p.runs_seen))
                        };
                        let who = if v.points.len() > 1 { format!("{}: ", p.site_name) } else { String::new() };
                        view! { <span class="runs-seen">{who}{text}</span> }
                    }).collect_view()}
                </p>
            </div>
        </div>
        {if has_chart {
            let svg = v.chart_svg.clone();
            view! {
                <ChartFrame>
                    <div class="chart__svg" role="group" aria-label=label inner_html=svg></div>
                </ChartFrame>
            }.into_any()
        } else {
            let message = match run {
                RunChoice::Exactly(r) => format!("No data at run {r} in this range."),
                RunChoice::Best => "No data in this range.".to_string(),
            };
            view! { <Empty message /> }.into_any()
        }}
        {(has_chart && !v.table.is_empty()).then(|| {
            let names: Vec<String> = v.points.iter().map(|p| p.site_name.clone()).collect();
            let many = names.len() > 1;
            let rows = v.table.clone();
            view! {
                <details class="chart-table" data-testid="chart-table">
                    <summary>{format!("The chart's figures as a table ({} rows)", rows.len())}</summary>
                    <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column">
                        <table class="table table--compact">
                            <caption class="visually-hidden">{format!("Consumption figures, {}", v.span.describe())}</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"When (UK)"</th>
                                    <th scope="col">"Settlement periods"</th>
                                    {names.iter().map(|n| view! {
                                        <th scope="col" class="num">{if many { format!("{n} ({})", v.unit.symbol()) } else { v.unit.symbol().to_string() }}</th>
                                        <th scope="col">{if many { format!("{n}: data") } else { "Data".to_string() }}</th>
                                    }).collect_view()}
                                </tr>
                            </thead>
                            <tbody>
                                {rows.into_iter().map(|r| view! {
                                    <tr>
                                        <th scope="row">{r.when}</th>
                                        <td>{r.periods}</td>
                                        {r.values.into_iter().zip(r.quality).map(|(value, quality)| view! {
                                            <td class="num">{value}</td>
                                            <td>{quality}</td>
                                        }).collect_view()}
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                </details>
            }
        })}
        <ul class="chart-legend" data-testid="chart-legend">
            {v.points.iter().map(|p| view! {
                <li><span class=format!("swatch swatch--s{}", p.series)></span>{format!("{} · {}", p.site_name, p.mpan_core)}</li>
            }).collect_view()}
            {any_export.then(|| view! { <li><span class="swatch swatch--export"></span>"Export (below the axis)"</li> })}
            <li><span class="swatch swatch--estimated"></span>"Estimated"</li>
            <li><span class="swatch swatch--missing"></span>"Missing or no data"</li>
            {demand.then(|| view! { <li><span class="swatch swatch--capacity"></span>"Agreed capacity"</li> })}
        </ul>
        {v.points.into_iter().map(|p| view! { <PointKpis p /> }).collect_view()}
    }
}

/// The chart with its tooltip: an island around the server-rendered SVG (its children, which
/// are never sent twice). The SVG carries, per bucket, a hit area with `data-when`,
/// `data-period`, `data-x` (its centre, % of the width) and a `<title>`; the client listens on
/// this container (delegated `mouseover` / `focusin`) and shows them in a positioned tooltip.
#[island]
fn ChartFrame(children: Children) -> impl IntoView {
    let tip = RwSignal::new(None::<Tip>);
    let tip_el = NodeRef::<leptos::html::Div>::new();
    let show = move |ev: &leptos::web_sys::Event| {
        let t = tip_from(ev);
        if let Some(t) = &t {
            place(tip_el, t.x);
        }
        tip.set(t);
    };
    view! {
        <div class="chart" data-testid="consumption-chart"
            on:mouseover=move |ev| show(ev.as_ref())
            on:focusin=move |ev| show(ev.as_ref())
            on:mouseleave=move |_| tip.set(None)
            on:focusout=move |_| tip.set(None)
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    tip.set(None);
                }
            }>
            {children()}
            <div class="chart-tip" data-testid="chart-tooltip" role="status" node_ref=tip_el
                class:chart-tip--on=move || tip.with(Option::is_some)>
                {move || tip.get().map(|t| view! {
                    <strong class="chart-tip__when">{t.when}</strong>
                    <span class="chart-tip__period">{t.period}</span>
                    <ul>{t.lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
                })}
            </div>
        </div>
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Tip {
    when: String,
    period: String,
    lines: Vec<String>,
    /// Centre of the bucket, % of the chart's width.
    x: f64,
}

/// Keeps the tooltip inside the chart: left of centre it opens rightwards from the bucket, right
/// of it leftwards. Set through the CSSOM, which the content security policy allows (a `style`
/// attribute it does not).
#[cfg(feature = "hydrate")]
fn place(tip_el: NodeRef<leptos::html::Div>, x: f64) {
    let Some(el) = tip_el.get_untracked() else { return };
    let style = leptos::web_sys::HtmlElement::style(&el);
    let (left, right) = if x < 50.0 {
        (format!("{x:.1}%"), "auto".to_string())
    } else {
        ("auto".to_string(), format!("{:.1}%", 100.0 - x))
    };
    let _ = style.set_property("left", &left);
    let _ = style.set_property("right", &right);
}

#[cfg(not(feature = "hydrate"))]
fn place(_: NodeRef<leptos::html::Div>, _: f64) {}

/// The tooltip of the hit area an event happened in, if any: when and period from its `data-*`
/// attributes, the supply points' lines from its `<title>` (all but the first line). The first
/// time, the `<title>` becomes an `aria-label`, so the browser's own tooltip does not show too.
#[cfg(feature = "hydrate")]
fn tip_from(ev: &leptos::web_sys::Event) -> Option<Tip> {
    use wasm_bindgen::JsCast;
    let el = ev.target()?.dyn_into::<leptos::web_sys::Element>().ok()?;
    let hit = el.closest("[data-tip]").ok()??;
    if let Ok(Some(title)) = hit.query_selector("title") {
        if let Some(text) = title.text_content() {
            let _ = hit.set_attribute("aria-label", &text);
        }
        title.remove();
    }
    let text = hit.get_attribute("aria-label").unwrap_or_default();
    Some(Tip {
        when: hit.get_attribute("data-when")?,
        period: hit.get_attribute("data-period").unwrap_or_default(),
        lines: text.lines().skip(1).map(str::to_string).collect(),
        x: hit.get_attribute("data-x")?.parse().ok()?,
    })
}

/// On the server no event ever arrives.
#[cfg(not(feature = "hydrate"))]
fn tip_from(_: &leptos::web_sys::Event) -> Option<Tip> {
    None
}

#[component]
fn PointKpis(p: PointFigures) -> impl IntoView {
    let expected = p.actual_periods + p.estimated_periods + p.missing_periods;
    let pct = |n: i64| {
        if expected == 0 {
            0.0
        } else {
            100.0 * n as f64 / expected as f64
        }
    };
    let over = p
        .max_demand_kva
        .is_some_and(|md| md > f64::from(p.agreed_capacity_kva));
    let banded = p.red_kwh + p.amber_kwh + p.green_kwh;
    let share = |x: f64| if banded > 0.0 { 100.0 * x / banded } else { 0.0 };
    let id = p.supply_point_id;
    view! {
        <h3 class="point-head"><span class=format!("swatch swatch--s{}", p.series)></span>{format!("{} · MPAN {}", p.site_name, p.mpan_core)}</h3>
        <div class="kpis kpis--compact" data-testid=format!("figures-{id}")>
            <div class="kpi"><span class="kpi__label">"Total import"</span><span class="kpi__value" data-testid="total-kwh">{format_quantity(p.total_kwh, "kWh")}</span></div>
            {p.export_kwh.map(|e| view! {
                <div class="kpi"><span class="kpi__label">"Total export"</span><span class="kpi__value" data-testid="export-kwh">{format_quantity(e, "kWh")}</span></div>
            })}
            <div class="kpi" class:kpi--alert=over>
                <span class="kpi__label">"Maximum demand"</span>
                <span class="kpi__value">{p.max_demand_kva.map_or("—".into(), |k| format_quantity(k, "kVA"))}</span>
                <span class="muted small">{format!("{} · agreed {} kVA", p.max_demand_at.clone().unwrap_or_default(), p.agreed_capacity_kva)}</span>
            </div>
            <div class="kpi"><span class="kpi__label">"Power factor at MD"</span><span class="kpi__value">{p.power_factor.map_or("—".into(), |p| format!("{p:.2}"))}</span></div>
            <div class="kpi">
                <span class="kpi__label">"DUoS time bands (network charges)"</span>
                <span class="bands">
                    <span class="tag tag--red">{format!("Red {:.0} %", share(p.red_kwh))}</span>
                    <span class="tag tag--amber">{format!("Amber {:.0} %", share(p.amber_kwh))}</span>
                    <span class="tag tag--green">{format!("Green {:.0} %", share(p.green_kwh))}</span>
                </span>
                <span class="muted small">"Share of import in the distributor's red, amber and green periods; not your energy prices."</span>
            </div>
            <div class="kpi">
                <span class="kpi__label">"Data quality"</span>
                <span class="small">{format!("Actual {:.1} % · estimated {:.1} % · missing {:.1} %", pct(p.actual_periods), pct(p.estimated_periods), pct(p.missing_periods))}</span>
            </div>
        </div>
    }
}
