//! Invoices to take away: an invoice as PDF, the invoice list and the lines as CSV. Plain axum
//! routes behind the same session and scope as the invoices page: the caller's `Identity` from the
//! authentication middleware, a scoped transaction, the same store functions and filters as the
//! page's server fns, and staff downloads recorded in the audit log like staff reads. Half-hourly
//! data leaves as a streamed CSV (`hh`).
pub mod analysis;
pub mod csv;
pub mod hh;
pub mod offload;
pub mod pdf;

use app::api::billing::ssr::{checked_filter, detail};
use app::api::ApiError;
use app::auth::Identity;
use app::domain::invoice_filter::InvoiceFilterInput;
use app::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;

/// Pence as pounds with two decimals and no symbol or grouping (`-1234.56`), for files.
pub fn pounds(pence: i64) -> String {
    let sign = if pence < 0 { "-" } else { "" };
    let abs = pence.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// A name safe in a `Content-Disposition` header: letters, digits, `-` and `_` kept.
pub fn file_stem(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn error(e: ApiError) -> Response {
    let status = StatusCode::from_u16(e.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        e.to_string(),
    )
        .into_response()
}

fn attachment(content_type: &'static str, file_name: &str, body: Vec<u8>) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            ),
        ],
        body,
    )
        .into_response()
}

fn signed_in(identity: Option<Extension<Identity>>) -> Result<Identity, ApiError> {
    identity.map(|Extension(i)| i).ok_or(ApiError::Unauthenticated)
}

/// `GET /invoices/{id}/pdf`: the invoice as the page shows it to the caller, as a PDF.
pub async fn invoice_pdf(
    State(state): State<AppState>,
    identity: Option<Extension<Identity>>,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let who = signed_in(identity)?;
        let id: i64 = id
            .parse()
            .map_err(|_| ApiError::BadRequest(format!("An invoice id is a whole number, not \"{id}\".")))?;
        let mut tx = who.scope.begin(&state.db).await?;
        let (invoice, lines) = app::store::billing::invoice(&mut tx, id)
            .await?
            .ok_or(ApiError::NotFound)?;
        let org = invoice.organisation_id;
        let site_names = match who.scope.site_ids() {
            Some(_) => Some(
                app::store::sites::list_sites(&mut tx)
                    .await?
                    .into_iter()
                    .filter(|s| s.organisation == invoice.customer)
                    .map(|s| s.name)
                    .collect::<Vec<_>>(),
            ),
            None => None,
        };
        app::api::guard::finish_read(
            tx,
            &who,
            "staff.export.invoice_pdf",
            &[org],
            serde_json::json!({ "id": id }),
        )
        .await?;
        let d = detail(invoice, lines, who.scope.site_ids().is_some());
        let name = format!("{}.pdf", file_stem(&d.invoice.number));
        Ok::<_, ApiError>(attachment(
            "application/pdf",
            &name,
            pdf::invoice_pdf(&d, site_names.as_deref()),
        ))
    }
    .await;
    result.unwrap_or_else(error)
}

/// `GET /invoices/export.csv?status=&from=&to=&site=`: the filtered invoice list.
pub async fn invoices_csv(
    State(state): State<AppState>,
    identity: Option<Extension<Identity>>,
    Query(input): Query<InvoiceFilterInput>,
) -> Response {
    filtered_csv(state, identity, input, CsvFile::Invoices).await
}

/// `GET /invoices/lines.csv?status=&from=&to=&site=`: the lines of the filtered invoices.
pub async fn invoice_lines_csv(
    State(state): State<AppState>,
    identity: Option<Extension<Identity>>,
    Query(input): Query<InvoiceFilterInput>,
) -> Response {
    filtered_csv(state, identity, input, CsvFile::Lines).await
}

/// The two CSV downloads of the invoices page, which differ only in what they read and write.
#[derive(Clone, Copy)]
enum CsvFile {
    Invoices,
    Lines,
}

impl CsvFile {
    /// The audit action of a staff download and the file's name.
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Self::Invoices => ("staff.export.invoices_csv", "invoices.csv"),
            Self::Lines => ("staff.export.invoice_lines_csv", "invoice-lines.csv"),
        }
    }
}

/// A filtered CSV download: the caller's scope, the page's filter (400 with the reason when it is
/// bad), the store read, a staff download recorded like a staff read, the file.
async fn filtered_csv(
    state: AppState,
    identity: Option<Extension<Identity>>,
    input: InvoiceFilterInput,
    file: CsvFile,
) -> Response {
    let (action, file_name) = file.names();
    let result = async {
        let who = signed_in(identity)?;
        let mut tx = who.scope.begin(&state.db).await?;
        let filter = checked_filter(&mut tx, &input).await?;
        let body = match file {
            CsvFile::Invoices => csv::invoices_csv(&app::store::billing::invoices(&mut tx, &filter).await?),
            CsvFile::Lines => csv::lines_csv(&app::store::billing::lines_for_export(&mut tx, &filter).await?),
        };
        let orgs = who.scope.organisation_ids().to_vec();
        app::api::guard::finish_read(
            tx,
            &who,
            action,
            &orgs,
            serde_json::json!({ "filter": filter.to_query() }),
        )
        .await?;
        let body = body.map_err(|e| {
            tracing::error!(error = %e, file = file_name, "writing a CSV download");
            ApiError::Internal
        })?;
        Ok::<_, ApiError>(attachment("text/csv; charset=utf-8", file_name, body))
    }
    .await;
    result.unwrap_or_else(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pounds_have_two_decimals_and_a_sign() {
        assert_eq!(pounds(0), "0.00");
        assert_eq!(pounds(5), "0.05");
        assert_eq!(pounds(123_456), "1234.56");
        assert_eq!(pounds(-7), "-0.07");
        assert_eq!(pounds(-123_400), "-1234.00");
    }

    #[test]
    fn file_names_keep_only_safe_characters() {
        assert_eq!(file_stem("INV-NGE-100234-202602"), "INV-NGE-100234-202602");
        assert_eq!(file_stem("a\"b;c/d"), "a_b_c_d");
    }
}
