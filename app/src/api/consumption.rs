//! Consumption: up to six supply points' half-hourly data over a span, as a server-rendered
//! interactive chart with totals, export, maximum demand, DUoS band split, data quality and runs.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;
use crate::domain::aggregate::Granularity;
use crate::domain::consumption_buckets::{ChartUnit, RunDays};
use crate::domain::date_span::{DateSpan, SpanPreset};
use crate::domain::settlement_run::RunChoice;
use chrono::NaiveDate;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointOption {
    pub id: i64,
    pub label: String,
    /// Whether it exports (on-site generation).
    pub has_export: bool,
}

/// Which span a view shows: a preset ending at the latest data, or dates chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SpanChoice {
    Preset(SpanPreset),
    Dates(DateSpan),
}

impl Default for SpanChoice {
    fn default() -> Self {
        Self::Preset(SpanPreset::default())
    }
}

/// The consumption page's state, all of it in the URL so a link reproduces the view:
/// `/consumption?sp=12&sp=13&from=2026-10-01&to=2026-10-31&unit=kw&run=best`, or a preset with
/// `range=7d|30d|90d|12m` instead of the dates (the links of the first version still work).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConsumptionQuery {
    /// Supply points, in the order chosen (the first is the main one).
    pub points: Vec<i64>,
    pub span: SpanChoice,
    pub unit: ChartUnit,
    pub run: RunChoice,
}

impl ConsumptionQuery {
    /// Supply points one chart compares.
    pub const MAX_POINTS: usize = 6;

    /// From the URL's query (`get_all(key)` gives every value of a key). Unknown units, ranges or
    /// runs fall back to the defaults, as missing ones do; what cannot be shown (bad dates, more
    /// than six supply points) comes back as messages for the page.
    pub fn parse(get_all: impl Fn(&str) -> Vec<String>) -> (Self, Vec<String>) {
        let one = |k: &str| get_all(k).into_iter().next().filter(|v| !v.trim().is_empty());
        let mut problems = Vec::new();
        let mut points: Vec<i64> = Vec::new();
        for v in get_all("sp") {
            match v.trim().parse::<i64>() {
                Ok(id) if !points.contains(&id) => points.push(id),
                Ok(_) => {}
                Err(_) => problems.push(format!("{v:?} is not a supply point.")),
            }
        }
        if points.len() > Self::MAX_POINTS {
            problems.push(format!(
                "You chose {} supply points; a chart compares at most {}. Untick some and show again.",
                points.len(),
                Self::MAX_POINTS
            ));
        }
        let preset = one("range")
            .and_then(|r| r.parse::<SpanPreset>().ok())
            .unwrap_or_default();
        let span = match (one("from"), one("to")) {
            (Some(from), Some(to)) => match DateSpan::parse(&from, &to) {
                Ok(span) => SpanChoice::Dates(span),
                Err(e) => {
                    problems.push(format!("Dates: {e}."));
                    SpanChoice::Preset(preset)
                }
            },
            (None, None) => SpanChoice::Preset(preset),
            _ => {
                problems.push("Dates: give both a start and an end date.".to_string());
                SpanChoice::Preset(preset)
            }
        };
        let query = Self {
            points,
            span,
            unit: one("unit").and_then(|u| u.parse().ok()).unwrap_or_default(),
            run: one("run").and_then(|r| r.parse().ok()).unwrap_or_default(),
        };
        (query, problems)
    }

    /// The page's URL for this state.
    pub fn href(&self) -> String {
        let mut q: Vec<String> = self.points.iter().map(|p| format!("sp={p}")).collect();
        match self.span {
            SpanChoice::Preset(p) => q.push(format!("range={}", p.code())),
            SpanChoice::Dates(s) => {
                q.push(format!("from={}", s.from()));
                q.push(format!("to={}", s.to()));
            }
        }
        q.push(format!("unit={}", self.unit.code()));
        q.push(format!("run={}", self.run.code()));
        format!("/consumption?{}", q.join("&"))
    }

    pub fn with_points(&self, points: Vec<i64>) -> Self {
        Self {
            points,
            ..self.clone()
        }
    }

    pub fn with_span(&self, span: SpanChoice) -> Self {
        Self { span, ..self.clone() }
    }

    pub fn with_unit(&self, unit: ChartUnit) -> Self {
        Self { unit, ..self.clone() }
    }

    pub fn with_run(&self, run: RunChoice) -> Self {
        Self { run, ..self.clone() }
    }
}

/// One supply point's figures over the span.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointFigures {
    pub supply_point_id: i64,
    pub mpan_core: String,
    pub site_name: String,
    /// Its colour on the chart (`#rrggbb`), and its place in the palette (the page's legend
    /// uses a class per place: the content security policy allows no inline styles).
    pub colour: String,
    pub series: usize,
    pub total_kwh: f64,
    /// Active export, for a supply point with generation.
    pub export_kwh: Option<f64>,
    pub max_demand_kva: Option<f64>,
    pub max_demand_at: Option<String>,
    pub agreed_capacity_kva: i32,
    pub power_factor: Option<f64>,
    pub red_kwh: f64,
    pub amber_kwh: f64,
    pub green_kwh: f64,
    pub actual_periods: i64,
    pub estimated_periods: i64,
    pub missing_periods: i64,
    /// Best first, with how many days of the span came from each.
    pub runs_seen: Vec<RunDays>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsumptionView {
    pub span: DateSpan,
    /// The preset the span was resolved from, if any.
    pub preset: Option<SpanPreset>,
    pub granularity: Granularity,
    pub unit: ChartUnit,
    pub run: RunChoice,
    /// Server-rendered SVG (plotters) with the hit-area overlay; no script, only shapes, text
    /// and links. Empty when no supply point has data in the span.
    pub chart_svg: String,
    /// Whether there is a chart (the page's hydration payload leaves `chart_svg` out).
    pub has_chart: bool,
    pub points: Vec<PointFigures>,
    /// The chart's figures as a table (its text alternative): one row per bar.
    pub table: Vec<ChartRow>,
}

/// One bar of the chart: when, which settlement periods, each supply point's value in the
/// chart's unit (in the order of `points`) and its data quality.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartRow {
    pub when: String,
    pub periods: String,
    pub values: Vec<String>,
    pub quality: Vec<String>,
}

#[server(prefix = "/api", endpoint = "consumption/points")]
#[cfg_attr(feature = "ssr", tracing::instrument(name = "consumption_points", skip_all, fields(user_id = tracing::field::Empty, role = tracing::field::Empty)))]
pub async fn consumption_points() -> Result<Vec<PointOption>, ApiError> {
    super::respond(
        async {
            let (state, who) = super::guard::require()?;
            let mut tx = who.scope.begin(&state.db).await?;
            let points = crate::store::hh::supply_points_in_scope(&mut tx).await?;
            let orgs = who.scope.organisation_ids().to_vec();
            super::guard::finish_read(tx, &who, "staff.read.supply_points", &orgs, serde_json::json!({}))
                .await?;
            Ok(points
                .into_iter()
                .map(|p| PointOption {
                    id: p.id,
                    label: format!("{} · {}", p.site_name, p.mpan_core),
                    has_export: p.has_export,
                })
                .collect())
        }
        .await,
    )
}

/// Up to six supply points' half-hourly data over a span at `run`, charted in `unit`. The span
/// is `from`..=`to` when both are given, else the preset `range` (default 30 days) ending at the
/// latest data of the chosen supply points. Wrong dates, a span over 400 days, no or more than
/// six supply points are a 400; a supply point out of scope is a 404.
#[server(prefix = "/api", endpoint = "consumption/view")]
#[cfg_attr(feature = "ssr", tracing::instrument(name = "consumption", skip_all, fields(user_id = tracing::field::Empty, role = tracing::field::Empty, supply_points = ?supply_point_ids, ?from, ?to, unit = unit.code(), run = run.code())))]
pub async fn consumption(
    supply_point_ids: Vec<i64>,
    range: Option<SpanPreset>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    unit: ChartUnit,
    run: RunChoice,
) -> Result<ConsumptionView, ApiError> {
    use chrono_tz::Europe::London;

    use crate::charts::{axis, consumption::ChartSeries};
    use crate::domain::units::power_factor;
    super::respond(
        async {
            let mut ids: Vec<i64> = Vec::new();
            for id in supply_point_ids {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            if ids.is_empty() || ids.len() > ConsumptionQuery::MAX_POINTS {
                return Err(ApiError::BadRequest(format!(
                    "choose 1 to {} supply points",
                    ConsumptionQuery::MAX_POINTS
                )));
            }
            let (state, who) = super::guard::require()?;
            let mut tx = who.scope.begin(&state.db).await?;
            let (span, preset) = match (from, to) {
                (Some(from), Some(to)) => (
                    DateSpan::new(from, to).map_err(|e| ApiError::BadRequest(e.to_string()))?,
                    None,
                ),
                (None, None) => {
                    let preset = range.unwrap_or_default();
                    let latest = crate::store::consumption::latest_data_day(&mut tx, &ids).await?;
                    (preset.resolve(latest), Some(preset))
                }
                _ => return Err(ApiError::BadRequest("give both from and to".into())),
            };
            let mut uses = Vec::new();
            for id in &ids {
                let u = crate::store::consumption::point_use(&mut tx, *id, span, run)
                    .await?
                    .ok_or(ApiError::NotFound)?;
                uses.push(u);
            }
            let mut orgs: Vec<i64> = uses.iter().map(|u| u.point.organisation_id).collect();
            orgs.sort_unstable();
            orgs.dedup();
            super::guard::finish_read(
                tx,
                &who,
                "staff.read.consumption",
                &orgs,
                serde_json::json!({ "supply_point_ids": ids, "from": span.from(), "to": span.to(), "unit": unit.code(), "run": run.code() }),
            )
            .await?;
            let granularity = span.granularity();
            let labels: Vec<String> = uses
                .iter()
                .map(|u| format!("{} · {}", u.point.site_name, u.point.mpan_core))
                .collect();
            let has_data = uses.iter().any(|u| u.buckets.iter().any(|b| b.has_value()));
            let chart_svg = if has_data {
                let series: Vec<ChartSeries<'_>> = uses
                    .iter()
                    .zip(&labels)
                    .enumerate()
                    .map(|(k, (u, label))| ChartSeries {
                        label,
                        colour: axis::PALETTE[k % axis::PALETTE.len()],
                        buckets: &u.buckets,
                        capacity_kva: f64::from(u.point.agreed_capacity_kva),
                        has_export: u.point.has_export,
                    })
                    .collect();
                let here = ConsumptionQuery {
                    points: ids.clone(),
                    span: SpanChoice::Dates(span),
                    unit,
                    run,
                };
                crate::charts::consumption::interactive_svg(&series, granularity, unit, &|s| {
                    here.with_span(SpanChoice::Dates(s)).href()
                })
            } else {
                String::new()
            };
            let table = chart_rows(&uses, granularity, unit);
            let points = uses
                .into_iter()
                .enumerate()
                .map(|(k, u)| PointFigures {
                    supply_point_id: u.point.id,
                    mpan_core: u.point.mpan_core,
                    site_name: u.point.site_name,
                    colour: axis::hex(axis::PALETTE[k % axis::PALETTE.len()]),
                    series: k % axis::PALETTE.len(),
                    total_kwh: u.total_kwh,
                    export_kwh: u.export_kwh,
                    max_demand_kva: u.max_demand.as_ref().map(|m| m.kva),
                    max_demand_at: u.max_demand.as_ref().map(|m| {
                        m.at.with_timezone(&London)
                            .format("%a %-d %b %Y %H:%M")
                            .to_string()
                    }),
                    agreed_capacity_kva: u.point.agreed_capacity_kva,
                    power_factor: u.max_demand.as_ref().map(|m| power_factor(m.kw, m.kva)),
                    red_kwh: u.bands.red_kwh,
                    amber_kwh: u.bands.amber_kwh,
                    green_kwh: u.bands.green_kwh,
                    actual_periods: u.actual_periods,
                    estimated_periods: u.estimated_periods,
                    missing_periods: u.missing_periods,
                    runs_seen: u.runs_seen,
                })
                .collect();
            Ok(ConsumptionView {
                span,
                preset,
                granularity,
                unit,
                run,
                chart_svg,
                has_chart: has_data,
                points,
                table,
            })
        }
        .await,
    )
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteUse {
    pub site_id: i64,
    pub site_name: String,
    pub kwh: f64,
    pub missing_periods: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortfolioView {
    pub from: String,
    pub to: String,
    pub total_kwh: f64,
    pub chart_svg: String,
    pub sites: Vec<SiteUse>,
}

/// The last 30 days of the portfolio in scope: daily totals at the best run, and by site.
#[server(prefix = "/api", endpoint = "consumption/portfolio")]
#[cfg_attr(feature = "ssr", tracing::instrument(name = "portfolio", skip_all, fields(user_id = tracing::field::Empty, role = tracing::field::Empty)))]
pub async fn portfolio() -> Result<PortfolioView, ApiError> {
    super::respond(
        async {
            let (state, who) = super::guard::require()?;
            let mut tx = who.scope.begin(&state.db).await?;
            let p = crate::store::consumption::portfolio(&mut tx).await?;
            let orgs = who.scope.organisation_ids().to_vec();
            super::guard::finish_read(tx, &who, "staff.read.portfolio", &orgs, serde_json::json!({})).await?;
            Ok(PortfolioView {
                from: p.from.format("%-d %b %Y").to_string(),
                to: (p.to - chrono::TimeDelta::days(1))
                    .format("%-d %b %Y")
                    .to_string(),
                total_kwh: p.daily.iter().map(|(_, v)| v).sum(),
                chart_svg: crate::charts::consumption::consumption_svg(&p.daily, Granularity::Day),
                sites: p
                    .sites
                    .into_iter()
                    .map(|s| SiteUse {
                        site_id: s.site_id,
                        site_name: s.site_name,
                        kwh: s.kwh,
                        missing_periods: s.missing_periods,
                    })
                    .collect(),
            })
        }
        .await,
    )
}

/// The chart's text alternative: a row per bar with every supply point's value in the chart's
/// unit, and each value's quality ("actual", "3 estimated", "no data"…).
#[cfg(feature = "ssr")]
fn chart_rows(
    uses: &[crate::store::consumption::PointUse],
    g: Granularity,
    unit: ChartUnit,
) -> Vec<ChartRow> {
    use crate::domain::consumption_buckets::format_quantity;
    let Some(first) = uses.first() else {
        return Vec::new();
    };
    (0..first.buckets.len())
        .map(|i| {
            let bar = &first.buckets[i];
            let cells = uses.iter().filter_map(|u| u.buckets.get(i));
            ChartRow {
                when: bar.when_label(g),
                periods: bar.period_label(g),
                values: cells
                    .clone()
                    .map(|b| {
                        b.value(unit)
                            .map_or("—".to_string(), |v| format_quantity(v, unit.symbol()))
                    })
                    .collect(),
                quality: cells.map(|b| b.status_label()).collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> (ConsumptionQuery, Vec<String>) {
        ConsumptionQuery::parse(|k| {
            pairs
                .iter()
                .filter(|(key, _)| *key == k)
                .map(|(_, v)| v.to_string())
                .collect()
        })
    }

    #[test]
    fn the_first_versions_links_still_parse_as_presets() {
        let (q, problems) = query(&[("sp", "12"), ("range", "7d"), ("run", "R3")]);
        assert!(problems.is_empty());
        assert_eq!(q.points, vec![12]);
        assert_eq!(q.span, SpanChoice::Preset(SpanPreset::Days7));
        assert_eq!(q.run.code(), "R3");
        assert_eq!(q.unit, ChartUnit::Kwh);
        assert_eq!(q.href(), "/consumption?sp=12&range=7d&unit=kwh&run=R3");
    }

    #[test]
    fn dates_and_several_supply_points_round_trip_through_the_url() {
        let (q, problems) = query(&[
            ("sp", "12"),
            ("sp", "13"),
            ("sp", "12"),
            ("from", "2026-10-01"),
            ("to", "2026-10-31"),
            ("unit", "kw"),
            ("run", "best"),
            ("range", "30d"),
        ]);
        assert!(problems.is_empty());
        assert_eq!(q.points, vec![12, 13]);
        let href = q.href();
        assert_eq!(
            href,
            "/consumption?sp=12&sp=13&from=2026-10-01&to=2026-10-31&unit=kw&run=best"
        );
        let pairs: Vec<(String, String)> = href
            .split_once('?')
            .unwrap()
            .1
            .split('&')
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap();
                (k.to_string(), v.to_string())
            })
            .collect();
        let again = ConsumptionQuery::parse(|k| {
            pairs
                .iter()
                .filter(|(x, _)| x == k)
                .map(|(_, v)| v.clone())
                .collect()
        });
        assert_eq!(again, (q, vec![]));
    }

    #[test]
    fn what_cannot_be_shown_comes_back_as_messages() {
        let seven: Vec<(&str, &str)> = ["1", "2", "3", "4", "5", "6", "7"]
            .iter()
            .map(|v| ("sp", *v))
            .collect();
        let (_, problems) = query(&seven);
        assert_eq!(
            problems,
            vec!["You chose 7 supply points; a chart compares at most 6. Untick some and show again."]
        );
        let (q, problems) = query(&[("sp", "1"), ("from", "2026-10-31"), ("to", "2026-10-01")]);
        assert_eq!(q.span, SpanChoice::Preset(SpanPreset::Days30));
        assert_eq!(
            problems,
            vec!["Dates: the start date 2026-10-31 is after the end date 2026-10-01."]
        );
        let (_, problems) = query(&[("sp", "1"), ("from", "2026-10-01"), ("to", "")]);
        assert_eq!(problems, vec!["Dates: give both a start and an end date."]);
        // Empty date inputs (a form sent without dates) mean the preset.
        let (q, problems) = query(&[
            ("sp", "1"),
            ("from", ""),
            ("to", ""),
            ("range", "90d"),
            ("unit", "mw"),
        ]);
        assert!(problems.is_empty());
        assert_eq!(q.span, SpanChoice::Preset(SpanPreset::Days90));
        assert_eq!(q.unit, ChartUnit::Kwh);
    }
}
