//! Analysis: the views an energy manager works with for one supply point — heatmap, load
//! duration, day profiles, period comparison, monthly demand and power factor, cost by DUoS time
//! band, run revisions. Everything the page needs is in its first HTML (the chart is an SVG image
//! from `/analysis/chart.svg`), choices are links and a GET form, so it works without JavaScript;
//! the view's table downloads as CSV and its chart as SVG.
use chrono::{NaiveDate, TimeDelta};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::analysis::{load_analysis, AnalysisView, Cell, Table};
use crate::api::consumption::consumption_points;
use crate::components::states::{Empty, ErrorNotice, Loading};
use crate::domain::analysis::view::{AnalysisKind, AnalysisQuery};
use crate::domain::settlement_run::{RunChoice, SettlementRun};

/// The query the page's URL asks for, or what is wrong with it.
fn parse(get: impl Fn(&str) -> Option<String>) -> Result<Option<AnalysisQuery>, String> {
    let date = |k: &str| -> Result<Option<NaiveDate>, String> {
        match get(k).filter(|s| !s.trim().is_empty()) {
            None => Ok(None),
            Some(s) => s
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| format!("\"{s}\" is not a date (use YYYY-MM-DD).")),
        }
    };
    let run = |k: &str| -> Result<Option<SettlementRun>, String> {
        match get(k).filter(|s| !s.trim().is_empty()) {
            None => Ok(None),
            Some(s) => s
                .parse()
                .map(Some)
                .map_err(|e: crate::domain::settlement_run::UnknownSettlementRun| e.to_string()),
        }
    };
    let view = match get("view") {
        None => AnalysisKind::default(),
        Some(v) => v
            .parse()
            .map_err(|e: crate::domain::analysis::view::UnknownView| e.to_string())?,
    };
    let Some(sp) = get("sp") else { return Ok(None) };
    let sp = sp
        .parse()
        .map_err(|_| format!("\"{sp}\" is not a supply point id."))?;
    Ok(Some(AnalysisQuery {
        view,
        sp,
        from: date("from")?,
        to: date("to")?,
        run: get("run")
            .map(|r| r.parse::<RunChoice>())
            .transpose()
            .map_err(|e| e.to_string())?
            .unwrap_or_default(),
        day: date("day")?,
        a: run("a")?,
        b: run("b")?,
    }))
}

fn href(q: &AnalysisQuery) -> String {
    format!("/analysis?{}", q.to_query())
}

#[component]
pub fn AnalysisPage() -> impl IntoView {
    let query = use_query_map();
    let parsed = Memo::new(move |_| {
        let q = query.read();
        parse(|k| q.get(k))
    });
    let points = Resource::new(|| (), |_| consumption_points());
    let data = Resource::new(
        move || parsed.get(),
        |p| async move {
            match p {
                Ok(Some(q)) => load_analysis(q).await.map(Some),
                Ok(None) => Ok(None),
                Err(e) => Err(crate::api::ApiError::BadRequest(e)),
            }
        },
    );
    let current = move || parsed.get().ok().flatten();
    view! {
        <Title text="Analysis" />
        <div class="page-head">
            <h1>"Analysis"</h1>
            <p class="page-head__lead">"Patterns in your half-hourly data: where the base load is, what the red band costs, how the figures moved between settlement runs."</p>
        </div>
        <div class="split">
            <nav class="card split__list" aria-label="Supply points">
                <h2>"Supply points"</h2>
                <Suspense fallback=|| view! { <Loading what="supply points" /> }>
                    {move || Suspend::new(async move {
                        match points.await {
                            Ok(list) => view! {
                                <ul class="site-list">
                                    {list.into_iter().map(|p| {
                                        let id = p.id;
                                        let link = move || {
                                            let mut q = current().unwrap_or_default();
                                            q.sp = id;
                                            q.day = None;
                                            href(&q)
                                        };
                                        let on = move || current().is_some_and(|q| q.sp == id);
                                        view! {
                                            <li><a href=link
                                                class=move || if on() { "site-item site-item--selected" } else { "site-item" }
                                                aria-current=move || on().then_some("page")>
                                                <span class="site-item__name">{p.label}</span>
                                            </a></li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any(),
                            Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        }
                    })}
                </Suspense>
            </nav>
            <section class="card split__detail" data-testid="analysis">
                <nav class="tabs" aria-label="Views">
                    {AnalysisKind::ALL.into_iter().map(|k| {
                        let link = move || match current() {
                            Some(mut q) => { q.view = k; q.day = None; q.a = None; q.b = None; href(&q) }
                            None => format!("/analysis?view={}", k.code()),
                        };
                        let on = move || current().map_or(k == AnalysisKind::default(), |q| q.view == k);
                        view! {
                            <a href=link class=move || if on() { "tab tab--on" } else { "tab" }
                               aria-current=move || on().then_some("page")>{k.label()}</a>
                        }
                    }).collect_view()}
                </nav>
                <Suspense fallback=|| view! { <Loading what="the analysis" /> }>
                    {move || Suspend::new(async move {
                        match data.await {
                            Ok(Some(v)) => view! { <Detail v /> }.into_any(),
                            Ok(None) => view! { <Empty message="Choose a supply point to analyse." /> }.into_any(),
                            Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
        </div>
    }
}

/// The span form: from/to dates, run, and preset links ending at the shown span's end.
#[component]
fn SpanForm(q: AnalysisQuery) -> impl IntoView {
    let to = q.to.unwrap_or_default();
    let preset = |days: i64, label: &'static str| {
        let mut p = q.clone();
        p.from = Some(to - TimeDelta::days(days - 1));
        p.day = None;
        view! { <a class="seg" href=href(&p)>{label}</a> }
    };
    view! {
        <form class="form form--inline filters" method="get" action="/analysis" data-testid="span-form">
            <input type="hidden" name="view" value=q.view.code() />
            <input type="hidden" name="sp" value=q.sp.to_string() />
            <label class="field">"From"
                <input class="input" type="date" name="from" value=q.from.map(|d| d.to_string()).unwrap_or_default() />
            </label>
            <label class="field">"To"
                <input class="input" type="date" name="to" value=q.to.map(|d| d.to_string()).unwrap_or_default() />
            </label>
            <label class="field">"Settlement run"
                <select class="select" name="run">
                    {RunChoice::offered().map(|r| view! {
                        <option value=r.code() selected=r == q.run>{r.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <div class="filters__actions">
                <button class="button" type="submit">"Show"</button>
            </div>
        </form>
        <div class="segmented" role="group" aria-label="Spans ending on the last day shown">
            {preset(7, "7 days")}
            {preset(30, "30 days")}
            {preset(90, "90 days")}
            {preset(365, "12 months")}
        </div>
    }
}

#[component]
fn DataTable(table: Table, #[prop(optional)] testid: &'static str) -> impl IntoView {
    let numeric: Vec<bool> = (0..table.headers.len())
        .map(|c| table.rows.iter().any(|r| r.get(c).is_some_and(Cell::is_number)))
        .collect();
    let numeric_h = numeric.clone();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column">
            <table class="table table--compact" data-testid=testid>
                <caption>{table.caption}</caption>
                <thead><tr>
                    {table.headers.into_iter().enumerate().map(|(c, h)| view! {
                        <th scope="col" class:num=numeric_h.get(c).copied().unwrap_or(false)>{h}</th>
                    }).collect_view()}
                </tr></thead>
                <tbody>
                    {table.rows.into_iter().map(|r| view! {
                        <tr>{r.into_iter().enumerate().map(|(c, cell)| view! {
                            <td class:num=numeric.get(c).copied().unwrap_or(false)>{cell.display()}</td>
                        }).collect_view()}</tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn RevisionForm(v: AnalysisView) -> impl IntoView {
    let Some(r) = v.revisions.clone() else {
        return ().into_any();
    };
    let q = v.query.clone();
    view! {
        <form class="form form--inline filters" method="get" action="/analysis" data-testid="revision-form">
            <input type="hidden" name="view" value="revisions" />
            <input type="hidden" name="sp" value=q.sp.to_string() />
            <input type="hidden" name="from" value=q.from.map(|d| d.to_string()).unwrap_or_default() />
            <input type="hidden" name="to" value=q.to.map(|d| d.to_string()).unwrap_or_default() />
            <label class="field">"Day"
                <select class="select" name="day">
                    {r.days.iter().map(|d| view! {
                        <option value=d.to_string() selected=*d == r.day>{d.format("%a %-d %b %Y").to_string()}</option>
                    }).collect_view()}
                </select>
            </label>
            {[("a", "First run", r.a), ("b", "Second run", r.b)].into_iter().map(|(name, label, chosen)| view! {
                <label class="field">{label}
                    <select class="select" name=name>
                        {r.runs.iter().map(|run| view! {
                            <option value=run.as_str() selected=*run == chosen>{run.as_str()}</option>
                        }).collect_view()}
                    </select>
                </label>
            }).collect_view()}
            <div class="filters__actions">
                <button class="button" type="submit">"Overlay"</button>
            </div>
        </form>
    }
    .into_any()
}

#[component]
fn Detail(v: AnalysisView) -> impl IntoView {
    let q = v.query.clone();
    let qs = q.to_query();
    let chart = format!("/analysis/chart.svg?{qs}");
    let csv = format!("/analysis/table.csv?{qs}");
    let span = format!(
        "{} to {}",
        q.from
            .map(|d| d.format("%-d %b %Y").to_string())
            .unwrap_or_default(),
        q.to.map(|d| d.format("%-d %b %Y").to_string())
            .unwrap_or_default()
    );
    let sites = v.sites.clone();
    let revision = v.clone();
    view! {
        <div class="card__head">
            <div>
                <h2 data-testid="analysis-title">{format!("{} · {} · MPAN {}", q.view.label(), v.site_name, v.mpan_core)}</h2>
                <p class="muted">{q.view.question()}</p>
                <p class="muted" data-testid="analysis-run">{format!("{span} · settlement run: {} · data at: {}", q.run.description(), v.runs_used)}</p>
            </div>
        </div>
        <SpanForm q=q.clone() />
        <RevisionForm v=revision />
        <div class="kpis kpis--compact" data-testid="figures">
            {v.figures.into_iter().map(|f| view! {
                <div class="kpi">
                    <span class="kpi__label">{f.label}</span>
                    <span class="kpi__value">{f.value}</span>
                    <span class="muted small">{f.note}</span>
                </div>
            }).collect_view()}
        </div>
        {v.notes.into_iter().map(|n| view! { <p class="note">{n}</p> }).collect_view()}
        {if v.has_chart {
            view! {
                <figure class="chart">
                    <img src=chart.clone() alt=v.chart_caption.clone() width="960" data-testid="analysis-chart" />
                    <figcaption class="muted small">{v.chart_caption.clone()}</figcaption>
                </figure>
            }.into_any()
        } else {
            view! { <Empty message="Nothing to draw for this span and run." /> }.into_any()
        }}
        <p class="downloads">
            <a class="button button--ghost" href=csv download="">"Table (CSV)"</a>
            {v.has_chart.then(|| view! { <a class="button button--ghost" href=chart download="">"Chart (SVG)"</a> })}
            <a class="button button--ghost" href="/export">"Half-hourly data…"</a>
        </p>
        <DataTable table=v.table testid="analysis-table" />
        {sites.map(|t| view! { <DataTable table=t testid="site-ranking" /> })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Result<Option<AnalysisQuery>, String> {
        parse(|k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string()))
    }

    #[test]
    fn a_page_url_reads_as_its_query_and_bad_values_say_what_is_wrong() {
        let ok = q(&[
            ("view", "duration"),
            ("sp", "4"),
            ("from", "2026-01-01"),
            ("run", "R3"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(ok.view, AnalysisKind::Duration);
        assert_eq!(ok.run, RunChoice::Exactly(SettlementRun::R3));
        assert_eq!(q(&[("view", "heatmap")]), Ok(None));
        assert!(q(&[("sp", "4"), ("from", "01/02/2026")])
            .unwrap_err()
            .contains("not a date"));
        assert!(q(&[("sp", "4"), ("view", "pie")])
            .unwrap_err()
            .contains("unknown view"));
        assert!(q(&[("sp", "x")]).unwrap_err().contains("not a supply point"));
        assert_eq!(q(&[("sp", "4"), ("from", "")]).unwrap().unwrap().from, None);
    }
}
