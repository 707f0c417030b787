//! An analysis view's chart as an SVG image and its table as CSV, for the query the page shows
//! (`/analysis?view=…&sp=…&from=…&to=…`): the same scope, store reads and computation as the
//! page's server fn, so the image and the file always match the page. Staff downloads are
//! recorded like staff reads.
use app::api::analysis::ssr::{compute, csv_rows};
use app::api::ApiError;
use app::auth::Identity;
use app::domain::analysis::view::AnalysisQuery;
use app::state::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Extension;

use super::{attachment, error, file_stem, signed_in};

/// The image of a view with nothing to draw (no data in the span at the run).
const NOTHING_TO_DRAW: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="960" height="120" viewBox="0 0 960 120"><rect width="960" height="120" fill="#fff"/><text x="480" y="66" text-anchor="middle" font-family="sans-serif" font-size="16" fill="#43535f">No data to draw for this span and run.</text></svg>"##;

#[derive(Clone, Copy)]
enum Output {
    Chart,
    Table,
}

fn query(q: Result<Query<AnalysisQuery>, QueryRejection>) -> Result<AnalysisQuery, ApiError> {
    q.map(|Query(q)| q).map_err(|e| {
        ApiError::BadRequest(format!(
            "The view's parameters could not be read ({}). Expected view, sp (a supply point id), and optionally from and to (YYYY-MM-DD), run (best or a run code), day, a and b.",
            e.body_text()
        ))
    })
}

/// `GET /analysis/chart.svg?view=…&sp=…`: the view's chart, shown inline by the page's `<img>`.
pub async fn chart_svg(
    State(state): State<AppState>,
    identity: Option<Extension<Identity>>,
    q: Result<Query<AnalysisQuery>, QueryRejection>,
) -> Response {
    render(state, identity, q, Output::Chart).await
}

/// `GET /analysis/table.csv?view=…&sp=…`: the view's table (and the site ranking) as CSV.
pub async fn table_csv(
    State(state): State<AppState>,
    identity: Option<Extension<Identity>>,
    q: Result<Query<AnalysisQuery>, QueryRejection>,
) -> Response {
    render(state, identity, q, Output::Table).await
}

async fn render(
    state: AppState,
    identity: Option<Extension<Identity>>,
    q: Result<Query<AnalysisQuery>, QueryRejection>,
    out: Output,
) -> Response {
    let result = async {
        let who = signed_in(identity)?;
        let q = query(q)?;
        let mut tx = who.scope.begin(&state.db).await?;
        let computed = compute(&mut tx, &q, matches!(out, Output::Chart)).await?;
        let action = match out {
            Output::Chart => "staff.export.analysis_chart",
            Output::Table => "staff.export.analysis_table",
        };
        app::api::guard::finish_read(
            tx,
            &who,
            action,
            &[computed.organisation_id],
            serde_json::json!({ "query": q.to_query() }),
        )
        .await?;
        let v = &computed.view;
        let stem = file_stem(&format!(
            "{}-{}-{}-{}",
            v.mpan_core,
            q.view.code(),
            v.query.from.map(|d| d.to_string()).unwrap_or_default(),
            v.query.to.map(|d| d.to_string()).unwrap_or_default()
        ));
        Ok::<_, ApiError>(match out {
            Output::Chart => {
                let svg = computed
                    .svg
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| NOTHING_TO_DRAW.to_string());
                let disposition = format!("inline; filename=\"{stem}.svg\"");
                (
                    [
                        (header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml")),
                        (
                            header::CONTENT_DISPOSITION,
                            HeaderValue::from_str(&disposition)
                                .unwrap_or_else(|_| HeaderValue::from_static("inline")),
                        ),
                        (
                            header::CACHE_CONTROL,
                            HeaderValue::from_static("private, no-store"),
                        ),
                    ],
                    svg,
                )
                    .into_response()
            }
            Output::Table => {
                let mut w = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
                for row in csv_rows(v) {
                    let cells: Vec<String> = row.iter().map(|c| super::csv::text(c).into_owned()).collect();
                    if cells.is_empty() {
                        w.write_record([""]).map_err(|_| ApiError::Internal)?;
                    } else {
                        w.write_record(&cells).map_err(|_| ApiError::Internal)?;
                    }
                }
                let body = w.into_inner().map_err(|_| ApiError::Internal)?;
                attachment("text/csv; charset=utf-8", &format!("{stem}.csv"), body)
            }
        })
    }
    .await;
    result.unwrap_or_else(error)
}
