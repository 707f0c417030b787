//! The analysis views of a supply point (heatmap, load duration, day profiles, period comparison,
//! monthly demand, cost by time band, run revisions): one server fn returns a view's figures and
//! table; its chart is an SVG image and its table a CSV file at plain routes that take the same
//! query (`server/src/export/analysis.rs`), so the chart is never carried twice in a page.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;
use crate::domain::analysis::view::AnalysisQuery;

/// A table cell: text, or a number shown grouped on the page and plain in the CSV.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Cell {
    Text(String),
    Num { value: f64, decimals: u8 },
    Empty,
}

impl Cell {
    pub fn num(value: f64, decimals: u8) -> Self {
        Cell::Num { value, decimals }
    }

    pub fn opt(value: Option<f64>, decimals: u8) -> Self {
        value.map_or(Cell::Empty, |v| Cell::num(v, decimals))
    }

    /// As the page shows it: thousands grouped, never "-0".
    pub fn display(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Num { value, decimals } => grouped(*value, *decimals),
            Cell::Empty => "—".into(),
        }
    }

    /// As a file holds it: plain decimal, no grouping; empty for no value.
    pub fn plain(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Num { value, decimals } => {
                let s = format!("{:.*}", usize::from(*decimals), value);
                if s.trim_start_matches('-').chars().all(|c| c == '0' || c == '.') {
                    s.trim_start_matches('-').to_string()
                } else {
                    s
                }
            }
            Cell::Empty => String::new(),
        }
    }

    pub fn is_number(&self) -> bool {
        matches!(self, Cell::Num { .. })
    }
}

/// A number with thousands grouped and `decimals` places; a value that rounds to zero has no sign.
pub fn grouped(value: f64, decimals: u8) -> String {
    let plain = Cell::Num { value, decimals }.plain();
    let (neg, body) = plain
        .strip_prefix('-')
        .map_or((false, plain.as_str()), |b| (true, b));
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let int = int
        .parse::<u64>()
        .map(crate::domain::units::group_thousands)
        .unwrap_or_else(|_| int.to_string());
    let sign = if neg { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub caption: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// A figure at the top of a view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub label: String,
    pub value: String,
    pub note: String,
}

/// For run revisions: the day overlaid and its two runs, and what else could be chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevisionChoice {
    pub day: chrono::NaiveDate,
    pub a: crate::domain::settlement_run::SettlementRun,
    pub b: crate::domain::settlement_run::SettlementRun,
    /// Days of the span held at two runs or more, latest first.
    pub days: Vec<chrono::NaiveDate>,
    /// The runs held for the chosen day.
    pub runs: Vec<crate::domain::settlement_run::SettlementRun>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysisView {
    /// The query with the span resolved (from and to always set).
    pub query: AnalysisQuery,
    pub site_name: String,
    pub mpan_core: String,
    pub agreed_capacity_kva: i32,
    /// "R3 (28 days), SF (2 days)", or "no data".
    pub runs_used: String,
    /// Whether the chart has anything to draw (the page shows its image then).
    pub has_chart: bool,
    /// One sentence describing the chart, for screen readers and as its caption.
    pub chart_caption: String,
    pub figures: Vec<Figure>,
    pub notes: Vec<String>,
    pub table: Table,
    /// Cost by band: the customer's sites ranked by red-band cost.
    pub sites: Option<Table>,
    pub revisions: Option<RevisionChoice>,
}

/// One view of a supply point in scope; 404 for a supply point out of scope, 400 with the reason
/// for a span that is backwards or longer than 13 months.
#[server(prefix = "/api", endpoint = "analysis/view")]
#[cfg_attr(feature = "ssr", tracing::instrument(name = "load_analysis", skip_all, fields(user_id = tracing::field::Empty, role = tracing::field::Empty, view = query.view.code(), supply_point_id = query.sp)))]
pub async fn load_analysis(query: AnalysisQuery) -> Result<AnalysisView, ApiError> {
    super::respond(
        async {
            let (state, who) = super::guard::require()?;
            let mut tx = who.scope.begin(&state.db).await?;
            let computed = ssr::compute(&mut tx, &query, false).await?;
            super::guard::finish_read(
                tx,
                &who,
                "staff.read.analysis",
                &[computed.organisation_id],
                serde_json::json!({ "query": query.to_query() }),
            )
            .await?;
            Ok(computed.view)
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
pub mod ssr;
