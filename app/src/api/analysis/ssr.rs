//! Server side of the analysis views: reads through the store, computes with the domain, and
//! shapes the figures, the table and (for the image route) the chart of one view.
use chrono::{Datelike, NaiveDate, Utc};
use chrono_tz::Europe::London;

use super::{AnalysisView, Cell, Figure, RevisionChoice, Table};
use crate::api::ApiError;
use crate::charts::axis::{BAND_AMBER, BAND_GREEN, BAND_RED, BRAND, CAPACITY, PALETTE as SERIES};
use crate::charts::bars::{bars_svg, Bar, BarChart};
use crate::charts::carpet::carpet_svg;
use crate::charts::lines::{lines_svg, slot_label, LineChart, Series};
use crate::domain::analysis::band_cost::band_cost;
use crate::domain::analysis::carpet::carpet;
use crate::domain::analysis::comparison::{change, span_total, Span};
use crate::domain::analysis::duration::load_duration;
use crate::domain::analysis::monthly::monthly_demand;
use crate::domain::analysis::profile::{day_profiles, mean_profile, SLOTS};
use crate::domain::analysis::revisions::run_totals;
use crate::domain::analysis::view::{AnalysisKind, AnalysisQuery};
use crate::domain::analysis::{half_hours, runs_used_text, HalfHour};
use crate::domain::billing::{MeterDay, RateStructure};
use crate::domain::duos::Band;
use crate::store::hh::SupplyPointRef;
use crate::store::scope::ScopedTx;

/// A computed view: what the page shows, the chart when asked for, and whose data it is.
pub struct Computed {
    pub view: AnalysisView,
    pub svg: Option<String>,
    pub organisation_id: i64,
}

fn day(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

fn figure(label: &str, value: String, note: impl Into<String>) -> Figure {
    Figure {
        label: label.into(),
        value,
        note: note.into(),
    }
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn table(caption: impl Into<String>, headers: &[&str], rows: Vec<Vec<Cell>>) -> Table {
    Table {
        caption: caption.into(),
        headers: headers.iter().map(|h| h.to_string()).collect(),
        rows,
    }
}

fn pct(v: Option<f64>) -> String {
    v.map_or("—".into(), |p| format!("{p:+.1} %"))
}

/// What a view computes before it is shaped for the page: the parts shared by all views.
struct Input<'a> {
    q: &'a AnalysisQuery,
    point: &'a SupplyPointRef,
    span: Span,
    days: &'a [MeterDay],
    hh: &'a [HalfHour],
    chart: bool,
}

/// The view `q` asks for, of a supply point in scope (404 otherwise); with its chart if `chart`.
pub async fn compute(tx: &mut ScopedTx<'_>, q: &AnalysisQuery, chart: bool) -> Result<Computed, ApiError> {
    let point = crate::store::hh::supply_point(tx, q.sp)
        .await?
        .ok_or(ApiError::NotFound)?;
    let latest = crate::store::analysis::latest(tx, &[point.id]).await?;
    let span = q
        .span(latest, Utc::now().with_timezone(&London).date_naive())
        .map_err(ApiError::BadRequest)?;
    let (_, days) = crate::store::analysis::point_days(tx, point.id, span.from, span.to, q.run)
        .await?
        .ok_or(ApiError::NotFound)?;
    let hh: Vec<HalfHour> = half_hours(&days).collect();
    let input = Input {
        q,
        point: &point,
        span,
        days: &days,
        hh: &hh,
        chart,
    };
    let mut resolved = q.clone();
    resolved.from = Some(span.from);
    resolved.to = Some(span.to);
    let mut view = AnalysisView {
        query: resolved,
        site_name: point.site_name.clone(),
        mpan_core: point.mpan_core.clone(),
        agreed_capacity_kva: point.agreed_capacity_kva,
        runs_used: runs_used_text(&days),
        has_chart: false,
        chart_caption: String::new(),
        figures: Vec::new(),
        notes: Vec::new(),
        table: table("", &[], Vec::new()),
        sites: None,
        revisions: None,
    };
    let svg = match q.view {
        AnalysisKind::Heatmap => heatmap(&input, &mut view),
        AnalysisKind::Duration => duration(&input, &mut view),
        AnalysisKind::Profiles => profiles(&input, &mut view),
        AnalysisKind::Compare => compare(tx, &input, &mut view).await?,
        AnalysisKind::Demand => demand(&input, &mut view),
        AnalysisKind::Bands => bands(tx, &input, &mut view).await?,
        AnalysisKind::Revisions => revisions(tx, &input, &mut view).await?,
    };
    if days.is_empty() && q.view != AnalysisKind::Revisions {
        view.notes.insert(
            0,
            format!(
                "No data at the {} run between {} and {}.",
                q.run.description(),
                day(span.from),
                day(span.to)
            ),
        );
    }
    view.has_chart = view.has_chart || svg.as_ref().is_some_and(|s| !s.is_empty());
    Ok(Computed {
        view,
        svg: if chart { svg } else { None },
        organisation_id: point.organisation_id,
    })
}

fn heatmap(i: &Input, v: &mut AnalysisView) -> Option<String> {
    let c = carpet(i.days, i.span.from, i.span.to);
    let with_data = c
        .days
        .iter()
        .filter(|d| d.cells.iter().any(Option::is_some))
        .count();
    let changes: Vec<String> = c
        .days
        .iter()
        .filter(|d| d.clock_change())
        .map(|d| format!("{} ({} periods)", day(d.date), d.periods))
        .collect();
    v.has_chart = with_data > 0;
    v.chart_caption = format!(
        "Heatmap of half-hourly kWh, {} to {}: one column per day, midnight at the bottom; weekends and clock-change days marked under the plot.",
        day(i.span.from),
        day(i.span.to)
    );
    v.figures = vec![
        figure("Days with data", format!("{with_data} of {}", c.days.len()), ""),
        figure(
            "Top of the colour scale",
            format!("{:.2} kWh", c.scale_kwh),
            "99th percentile of the half-hours",
        ),
        figure("Highest half-hour", format!("{:.2} kWh", c.max_kwh), ""),
    ];
    if !changes.is_empty() {
        v.notes.push(format!(
            "Clock-change days are drawn with their own number of periods: {}.",
            changes.join(", ")
        ));
    }
    // The text alternative: the month by month figures behind the picture.
    #[derive(Default)]
    struct Month {
        kwh: f64,
        days: usize,
        empty_cells: usize,
        night_kwh: f64,
        night_cells: usize,
    }
    let mut months: std::collections::BTreeMap<NaiveDate, Month> = Default::default();
    for d in &c.days {
        let m = months.entry(d.date.with_day(1).unwrap_or(d.date)).or_default();
        if d.cells.iter().any(Option::is_some) {
            m.days += 1;
        }
        for (p, cell) in d.cells.iter().enumerate() {
            match cell {
                Some(k) => {
                    m.kwh += k;
                    // 00:00–05:00 is periods 1–10 of a 48-period day; clock-change days are left out.
                    if d.periods == 48 && p < 10 {
                        m.night_kwh += k;
                        m.night_cells += 1;
                    }
                }
                None => m.empty_cells += 1,
            }
        }
    }
    let rows = months
        .iter()
        .map(|(start, m)| {
            vec![
                text(start.format("%b %Y").to_string()),
                Cell::num(m.kwh, 0),
                Cell::num(m.days as f64, 0),
                Cell::num(m.empty_cells as f64, 0),
                Cell::opt(
                    (m.night_cells > 0).then(|| 2.0 * m.night_kwh / m.night_cells as f64),
                    1,
                ),
            ]
        })
        .collect();
    v.table = table(
        "By month",
        &[
            "Month",
            "kWh",
            "Days with data",
            "Periods without a value",
            "Mean kW 00:00–05:00",
        ],
        rows,
    );
    i.chart.then(|| carpet_svg(&c))
}

fn duration(i: &Input, v: &mut AnalysisView) -> Option<String> {
    let Some(ld) = load_duration(i.hh.iter().copied()) else {
        v.table = table(
            "Demand by share of time",
            &["Share of time at or above", "kW"],
            Vec::new(),
        );
        return None;
    };
    v.has_chart = true;
    v.chart_caption = format!(
        "Load-duration curve, {} to {}: {} half-hours sorted from highest to lowest demand.",
        day(i.span.from),
        day(i.span.to),
        ld.curve_kw.len()
    );
    v.figures = vec![
        figure(
            "Base load",
            format!("{:.1} kW", ld.base_kw),
            "5th percentile: always on",
        ),
        figure("Peak", format!("{:.1} kW", ld.peak_kw), ""),
        figure("Mean", format!("{:.1} kW", ld.mean_kw), ""),
        figure(
            "Load factor",
            format!("{:.0} %", 100.0 * ld.load_factor),
            "mean ÷ peak",
        ),
    ];
    let n = ld.curve_kw.len();
    let rows = [1.0, 5.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0, 100.0]
        .iter()
        .map(|share: &f64| {
            let idx = ((share / 100.0) * n as f64).ceil() as usize;
            let kw = ld.curve_kw[idx.clamp(1, n) - 1];
            vec![text(format!("{share:.0} %")), Cell::num(kw, 1)]
        })
        .collect();
    v.table = table(
        "Demand by share of time",
        &["Share of time at or above", "kW"],
        rows,
    );
    let base = ld.base_kw;
    i.chart.then(|| {
        let label = |x: f64| format!("{x:.0} %");
        lines_svg(&LineChart {
            y_desc: "kW (half-hourly average)",
            x_range: (0.0, 100.0),
            x_labels: 11,
            x_label: &label,
            series: vec![Series {
                name: "Demand".into(),
                points: ld.sampled(600).into_iter().map(|(x, y)| (x, Some(y))).collect(),
            }],
            references: vec![(base, format!("Base load {base:.1} kW"), SERIES[2])],
        })
    })
}

fn profile_points(slots: &[Option<f64>]) -> Vec<(f64, Option<f64>)> {
    slots.iter().enumerate().map(|(s, v)| (s as f64, *v)).collect()
}

fn profiles(i: &Input, v: &mut AnalysisView) -> Option<String> {
    let p = day_profiles(i.hh);
    v.has_chart = p.iter().any(|d| d.days > 0);
    v.chart_caption = format!(
        "Average day profiles, {} to {}: mean kWh per half-hour of the UK clock day for weekdays, Saturdays and Sundays.",
        day(i.span.from),
        day(i.span.to)
    );
    v.figures = p
        .iter()
        .map(|d| {
            // Night base: the mean of 00:00–05:00 as kW.
            let night: Vec<f64> = d.slots[..10].iter().flatten().copied().collect();
            let base = (!night.is_empty()).then(|| 2.0 * night.iter().sum::<f64>() / night.len() as f64);
            figure(
                d.kind.label(),
                if d.days == 0 {
                    "—".into()
                } else {
                    format!("{:.0} kWh a day", d.day_kwh())
                },
                format!(
                    "{} day{} · night base {}",
                    d.days,
                    if d.days == 1 { "" } else { "s" },
                    base.map_or("—".into(), |b| format!("{b:.1} kW"))
                ),
            )
        })
        .collect();
    v.notes.push("Bank holidays count as weekdays.".into());
    let rows = (0..SLOTS)
        .map(|s| {
            let mut row = vec![text(slot_label(s as f64))];
            row.extend(p.iter().map(|d| Cell::opt(d.slots[s], 2)));
            row
        })
        .collect();
    v.table = table(
        "Mean kWh per half-hour",
        &["Time", "Weekdays", "Saturdays", "Sundays"],
        rows,
    );
    i.chart.then(|| {
        lines_svg(&LineChart {
            y_desc: "kWh per half-hour (mean)",
            x_range: (0.0, 47.0),
            x_labels: 13,
            x_label: &slot_label,
            series: p
                .iter()
                .map(|d| Series {
                    name: d.kind.label().into(),
                    points: profile_points(&d.slots),
                })
                .collect(),
            references: vec![],
        })
    })
}

async fn compare(
    tx: &mut ScopedTx<'_>,
    i: &Input<'_>,
    v: &mut AnalysisView,
) -> Result<Option<String>, ApiError> {
    let spans = [
        ("This span", i.span),
        ("Span before", i.span.previous()),
        ("Same dates a year earlier", i.span.a_year_earlier()),
    ];
    let mut totals = Vec::new();
    let mut profiles = Vec::new();
    for (k, (label, s)) in spans.iter().enumerate() {
        let days = if k == 0 {
            i.days.to_vec()
        } else {
            crate::store::analysis::point_days(tx, i.point.id, s.from, s.to, i.q.run)
                .await?
                .map(|(_, d)| d)
                .unwrap_or_default()
        };
        totals.push((*label, span_total(&days, *s)));
        profiles.push((*label, mean_profile(half_hours(&days))));
    }
    let now = totals[0].1;
    let rows = totals
        .iter()
        .enumerate()
        .map(|(k, (label, t))| {
            let c = change(now.kwh, t.kwh);
            vec![
                text(*label),
                text(day(t.span.from)),
                text(day(t.span.to)),
                Cell::num(t.kwh, 0),
                Cell::num(t.coverage(), 1),
                if k == 0 { Cell::Empty } else { Cell::num(c.kwh, 0) },
                if k == 0 {
                    Cell::Empty
                } else {
                    Cell::opt(c.percent, 1)
                },
            ]
        })
        .collect();
    v.table = table(
        "Totals",
        &[
            "Span",
            "From",
            "To",
            "kWh",
            "Coverage %",
            "This span − that (kWh)",
            "Change %",
        ],
        rows,
    );
    v.figures = vec![
        figure(
            "This span",
            format!("{} kWh", super::grouped(now.kwh, 0)),
            format!("{:.1} % of periods have a value", now.coverage()),
        ),
        figure(
            "Against the span before",
            pct(change(now.kwh, totals[1].1.kwh).percent),
            format!("{} kWh then", super::grouped(totals[1].1.kwh, 0)),
        ),
        figure(
            "Against a year earlier",
            pct(change(now.kwh, totals[2].1.kwh).percent),
            format!("{} kWh then", super::grouped(totals[2].1.kwh, 0)),
        ),
    ];
    if totals.iter().any(|(_, t)| t.coverage() < 95.0) {
        v.notes.push("A span with less than 95 % of its periods compares less well: the coverage column says how complete each is.".into());
    }
    v.has_chart = profiles.iter().any(|(_, (n, _))| *n > 0);
    v.chart_caption = "Average day profiles of this span, the span before and the same dates a year earlier (UK clock time).".into();
    Ok(i.chart.then(|| {
        lines_svg(&LineChart {
            y_desc: "kWh per half-hour (mean)",
            x_range: (0.0, 47.0),
            x_labels: 13,
            x_label: &slot_label,
            series: profiles
                .iter()
                .map(|(label, (_, slots))| Series {
                    name: (*label).into(),
                    points: profile_points(slots),
                })
                .collect(),
            references: vec![],
        })
    }))
}

fn demand(i: &Input, v: &mut AnalysisView) -> Option<String> {
    let months = monthly_demand(i.hh.iter().copied());
    let agreed = f64::from(i.point.agreed_capacity_kva);
    let over: Vec<String> = months
        .iter()
        .filter(|m| m.excess_kva(agreed) > 0.0)
        .map(|m| m.month.format("%b %Y").to_string())
        .collect();
    v.has_chart = !months.is_empty();
    v.chart_caption =
        format!("Maximum demand per month in kVA against the agreed capacity of {agreed:.0} kVA.");
    let worst = months
        .iter()
        .filter_map(|m| m.max_kva)
        .fold(None, |a: Option<f64>, k| Some(a.map_or(k, |a| a.max(k))));
    v.figures = vec![
        figure("Agreed capacity", format!("{agreed:.0} kVA"), ""),
        figure(
            "Highest monthly maximum",
            worst.map_or("—".into(), |k| format!("{k:.0} kVA")),
            "",
        ),
        figure(
            "Months above capacity",
            over.len().to_string(),
            if over.is_empty() {
                "none".to_string()
            } else {
                over.join(", ")
            },
        ),
    ];
    if months.iter().all(|m| m.power_factor.is_none()) {
        v.notes
            .push("No reactive data in this span, so no power factor.".into());
    }
    let rows = months
        .iter()
        .map(|m| {
            vec![
                text(m.month.format("%b %Y").to_string()),
                Cell::num(m.kwh, 0),
                Cell::opt(m.max_kva, 1),
                text(m.max_at.map_or("—".into(), |t| {
                    t.with_timezone(&London).format("%a %-d %b %H:%M").to_string()
                })),
                Cell::opt(m.kw_at_max, 1),
                Cell::opt(m.power_factor, 3),
                Cell::num(m.excess_kva(agreed), 1),
            ]
        })
        .collect();
    v.table = table(
        "By month",
        &[
            "Month",
            "kWh",
            "Maximum demand (kVA)",
            "When",
            "kW at maximum",
            "Power factor",
            "Above capacity (kVA)",
        ],
        rows,
    );
    i.chart.then(|| {
        bars_svg(&BarChart {
            y_desc: "Maximum demand (kVA)",
            bars: months
                .iter()
                .map(|m| Bar {
                    label: m.month.format("%b %y").to_string(),
                    value: m.max_kva.unwrap_or(0.0),
                    colour: if m.excess_kva(agreed) > 0.0 {
                        CAPACITY
                    } else {
                        BRAND
                    },
                })
                .collect(),
            reference: Some((agreed, format!("Agreed capacity {agreed:.0} kVA"), CAPACITY)),
        })
    })
}

fn band_rows(cost: &crate::domain::analysis::band_cost::BandCost) -> Vec<Vec<Cell>> {
    cost.lines
        .iter()
        .map(|l| {
            vec![
                text(match l.band {
                    Band::Red => "Red",
                    Band::Amber => "Amber",
                    Band::Green => "Green",
                }),
                Cell::num(l.kwh, 0),
                Cell::num(
                    if cost.total_kwh() > 0.0 {
                        100.0 * l.kwh / cost.total_kwh()
                    } else {
                        0.0
                    },
                    1,
                ),
                Cell::num(l.cost.pence() as f64 / 100.0, 2),
                Cell::opt(l.average_p_per_kwh(), 2),
            ]
        })
        .collect()
}

async fn bands(
    tx: &mut ScopedTx<'_>,
    i: &Input<'_>,
    v: &mut AnalysisView,
) -> Result<Option<String>, ApiError> {
    let reference = crate::store::validation::reference(tx).await?;
    let terms =
        crate::store::analysis::contract_terms(tx, i.point.id, i.span.from, i.span.to, &reference).await?;
    let dist = u8::try_from(i.point.distributor_id).unwrap_or(0);
    let cost = band_cost(i.hh.iter().copied(), dist, &reference.bands, &terms);
    let red = cost.line(Band::Red).copied();
    v.figures = vec![
        figure(
            "Red band",
            format!("{:.1} % of kWh", cost.red_share()),
            red.map_or(String::new(), |r| {
                format!("£{} of energy", super::grouped(r.cost.pence() as f64 / 100.0, 2))
            }),
        ),
        figure(
            "Energy cost in the span",
            format!("£{}", super::grouped(cost.total_cost().pence() as f64 / 100.0, 2)),
            "unit rates only, before levy and VAT",
        ),
        figure(
            "Contract",
            if terms.is_empty() {
                "none on record".to_string()
            } else {
                terms
                    .iter()
                    .map(|t| t.reference.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            cost.structures
                .iter()
                .map(|s| match s {
                    RateStructure::Flat => "single rate",
                    RateStructure::DayNight => "day/night rates",
                    RateStructure::Banded => "rates by time band",
                })
                .collect::<Vec<_>>()
                .join(" then "),
        ),
    ];
    v.notes.push("Red, amber and green are the distributor's DUoS time bands (network charges), not prices: the cost column is the energy's cost at your contract's unit rates.".into());
    if !cost.priced_by_band() && !cost.structures.is_empty() {
        v.notes.push("Your contract does not price energy by time band, so moving load out of the red band does not change these energy costs; it lowers the red-band DUoS charges passed through on your bills.".into());
    }
    if cost.unpriced_kwh > 0.0 {
        v.notes.push(format!(
            "{} kWh fall on days no contract covers and are not costed.",
            super::grouped(cost.unpriced_kwh, 0)
        ));
    }
    v.table = table(
        "This supply point by band",
        &["Band", "kWh", "Share %", "Cost £", "Average p/kWh"],
        band_rows(&cost),
    );
    let sites = crate::store::analysis::site_band_costs(tx, i.span.from, i.span.to).await?;
    v.sites = Some(table(
        "Your sites by red-band cost (best run)",
        &["Site", "Red kWh", "Red share %", "Red cost £", "Energy cost £"],
        sites
            .iter()
            .map(|s| {
                let red = s.cost.line(Band::Red);
                vec![
                    text(s.site_name.clone()),
                    Cell::num(red.map_or(0.0, |r| r.kwh), 0),
                    Cell::num(s.cost.red_share(), 1),
                    Cell::num(red.map_or(0.0, |r| r.cost.pence() as f64 / 100.0), 2),
                    Cell::num(s.cost.total_cost().pence() as f64 / 100.0, 2),
                ]
            })
            .collect(),
    ));
    v.has_chart = cost.total_kwh() > 0.0;
    v.chart_caption = "kWh in each DUoS time band.".into();
    Ok(i.chart.then(|| {
        bars_svg(&BarChart {
            y_desc: "kWh",
            bars: cost
                .lines
                .iter()
                .map(|l| Bar {
                    label: match l.band {
                        Band::Red => "Red".into(),
                        Band::Amber => "Amber".into(),
                        Band::Green => "Green".into(),
                    },
                    value: l.kwh,
                    colour: match l.band {
                        Band::Red => BAND_RED,
                        Band::Amber => BAND_AMBER,
                        Band::Green => BAND_GREEN,
                    },
                })
                .collect(),
            reference: None,
        })
    }))
}

async fn revisions(
    tx: &mut ScopedTx<'_>,
    i: &Input<'_>,
    v: &mut AnalysisView,
) -> Result<Option<String>, ApiError> {
    let all = crate::store::meter_days::every_run(tx, i.point.id, i.span.from, i.span.to, &[]).await?;
    let totals = run_totals(&all);
    v.table = table(
        "Totals by settlement run",
        &[
            "Run",
            "Days",
            "kWh",
            "Estimated periods",
            "Best run, same days (kWh)",
            "Change (kWh)",
            "Change %",
        ],
        totals
            .iter()
            .map(|t| {
                vec![
                    text(t.run.as_str()),
                    Cell::num(t.days as f64, 0),
                    Cell::num(t.kwh, 1),
                    Cell::num(t.estimated_periods as f64, 0),
                    Cell::num(t.best_kwh_same_days, 1),
                    Cell::num(t.delta_kwh(), 1),
                    Cell::opt(t.delta_percent(), 2),
                ]
            })
            .collect(),
    );
    // Days held at two runs or more, latest first; the chosen day, or the latest of them.
    let mut multi: Vec<NaiveDate> = all.iter().map(|d| d.date).collect();
    multi.dedup();
    multi.retain(|d| all.iter().filter(|x| x.date == *d).count() >= 2);
    multi.reverse();
    let chosen = i.q.day.filter(|d| i.span.contains(*d)).or(multi.first().copied());
    v.figures = vec![
        figure(
            "Runs held",
            totals
                .iter()
                .map(|t| t.run.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            "",
        ),
        figure("Days at two runs or more", multi.len().to_string(), ""),
    ];
    if all.is_empty() {
        v.notes.push(format!(
            "No data between {} and {}.",
            day(i.span.from),
            day(i.span.to)
        ));
    }
    let Some(d) = chosen else {
        return Ok(None);
    };
    let of_day: Vec<&MeterDay> = all.iter().filter(|x| x.date == d).collect();
    let runs: Vec<_> = of_day.iter().map(|x| x.run).collect();
    let (Some(worst), Some(best)) = (runs.first().copied(), runs.last().copied()) else {
        v.notes.push(format!("No data on {}.", day(d)));
        return Ok(None);
    };
    let a = i.q.a.filter(|r| runs.contains(r)).unwrap_or(worst);
    let b = i.q.b.filter(|r| runs.contains(r)).unwrap_or(best);
    v.revisions = Some(RevisionChoice {
        day: d,
        a,
        b,
        days: multi,
        runs: runs.clone(),
    });
    v.has_chart = true;
    v.chart_caption = format!(
        "Half-hourly kWh on {} at runs {a} and {b}, by settlement period.",
        day(d)
    );
    Ok(i.chart.then(|| {
        let series = [a, b]
            .iter()
            .filter_map(|r| of_day.iter().find(|x| x.run == *r))
            .map(|x| Series {
                name: format!("{} run", x.run),
                points: half_hours(std::slice::from_ref(*x))
                    .map(|h| (f64::from(h.period), h.has_value().then_some(h.kwh)))
                    .collect(),
            })
            .collect();
        let label = |x: f64| format!("P{:.0}", x);
        lines_svg(&LineChart {
            y_desc: "kWh per half-hour",
            x_range: (1.0, f64::from(of_day[0].active_wh.len().max(2) as u32)),
            x_labels: 13,
            x_label: &label,
            series,
            references: vec![],
        })
    }))
}

/// The view's tables as CSV rows (header first): the table, then the site ranking if any.
pub fn csv_rows(v: &AnalysisView) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for t in std::iter::once(&v.table).chain(v.sites.iter()) {
        if !out.is_empty() {
            out.push(Vec::new());
        }
        out.push(t.headers.clone());
        out.extend(t.rows.iter().map(|r| r.iter().map(Cell::plain).collect()));
    }
    out
}
