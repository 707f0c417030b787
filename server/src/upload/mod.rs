//! `POST /admin/imports/upload`: HH files uploaded from the Imports page, for account managers and
//! operations admins. The body (multipart, field `files`, up to `MAX_FILES` files) is streamed to
//! temporary files within the size limit (`spool`), then each file goes through the CLI's importer
//! in the uploader's scoped transaction (`run`): all or nothing per file, idempotent, MPANs
//! resolved within the uploader's customers.
//!
//! A request that accepts `application/x-ndjson` (the page's progress bar) gets the import's
//! progress as newline-delimited JSON ([`UploadEvent`]), one line per step; any other (the form
//! without JavaScript) is redirected to the results page once every file is imported. Refusals
//! come before anything is imported: 401/403 (not signed in / not staff), 415 (not multipart),
//! 413 (too large), 400, 408 (stalled).
pub mod run;
pub mod spool;

use std::time::Duration;

use app::api::imports::{results_href, ReceivedFile, UploadEvent, IMPORTS_PAGE, PROGRESS_MEDIA_TYPE};
use app::api::ApiError;
use app::auth::Identity;
use app::domain::import_upload::human_bytes;
use app::domain::role::Role;
use app::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use futures::StreamExt;
use tokio::sync::mpsc;
use tracing::Instrument;

use run::{import_file, BytesRead};
use spool::{SpoolError, SpooledFile};

/// How often the importer's progress is reported while a file imports.
const PROGRESS_EVERY: Duration = Duration::from_millis(200);

fn accepts(headers: &HeaderMap, media_type: &str) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|v| {
            v.split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case(media_type))
        })
}

/// A refusal: a short page for a browser's form, the sentence alone for anything else.
fn refuse(state: &AppState, headers: &HeaderMap, status: StatusCode, message: &str) -> Response {
    if accepts(headers, "text/html") {
        let body = format!(
            "<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>Upload not imported · Northgate Energy</title>\
             {}</head><body><main class=\"main\">\
             <h1>Upload not imported</h1><p class=\"state state--error\" role=\"alert\">{}</p>\
             <p><a href=\"{IMPORTS_PAGE}\">Back to Imports</a></p></main></body></html>",
            crate::site::stylesheet_link(&state.leptos_options),
            html_escape(message)
        );
        (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
    } else {
        (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            message.to_owned(),
        )
            .into_response()
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("multipart/form-data"))
}

/// The route's handler; `limit` is the configured `UPLOAD_MAX_BYTES`.
pub async fn upload(
    State(state): State<AppState>,
    identity: Option<Extension<Identity>>,
    limit: u64,
    req: Request,
) -> Response {
    let headers = req.headers().clone();
    let Some(Extension(who)) = identity else {
        if accepts(&headers, "text/html") {
            return Redirect::to(&format!(
                "/login?next={}",
                crate::auth::middleware::url_encode(IMPORTS_PAGE)
            ))
            .into_response();
        }
        return refuse(
            &state,
            &headers,
            StatusCode::UNAUTHORIZED,
            &ApiError::Unauthenticated.to_string(),
        );
    };
    if !who.has_role(&[Role::AccountManager, Role::OpsAdmin]) {
        return refuse(
            &state,
            &headers,
            StatusCode::FORBIDDEN,
            &ApiError::Forbidden.to_string(),
        );
    }
    if !is_multipart(&headers) {
        return refuse(
            &state,
            &headers,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Send the files as multipart/form-data, as the Imports page's form does.",
        );
    }
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        let e = SpoolError::too_large(limit);
        return refuse(&state, &headers, e.status(), &e.to_string());
    }
    let multipart = match Multipart::from_request(req, &state).await {
        Ok(m) => m,
        Err(e) => return refuse(&state, &headers, e.status(), &e.body_text()),
    };
    let files = match spool::receive(multipart, limit).await {
        Ok(files) => files,
        Err(e) => {
            if let SpoolError::Storage(source) = &e {
                tracing::error!(error = %source, "an upload could not be stored");
            }
            tracing::info!(reason = %e, "upload refused");
            return refuse(&state, &headers, e.status(), &e.to_string());
        }
    };
    tracing::info!(
        files = files.len(),
        bytes = %human_bytes(files.iter().map(|f| f.bytes).sum()),
        "upload received"
    );
    if accepts(&headers, PROGRESS_MEDIA_TYPE) {
        streamed(state, who, files)
    } else {
        redirected(&state, &who, &files, &headers).await
    }
}

/// Without JavaScript: import every file, then show their results.
async fn redirected(
    state: &AppState,
    who: &Identity,
    files: &[SpooledFile],
    headers: &HeaderMap,
) -> Response {
    let mut ids = Vec::with_capacity(files.len());
    for file in files {
        match import_file(state, who, file, BytesRead::default()).await {
            Ok(entry) => ids.push(entry.id),
            Err(e) => {
                tracing::error!(error = %e, "an upload could not be imported or recorded");
                return refuse(
                    state,
                    headers,
                    StatusCode::INTERNAL_SERVER_ERROR,
                    run::FAILED_REPORT,
                );
            }
        }
    }
    Redirect::to(&results_href(&ids)).into_response()
}

fn line(event: &UploadEvent) -> Bytes {
    let mut text = serde_json::to_string(event).unwrap_or_default();
    text.push('\n');
    Bytes::from(text)
}

/// With the progress bar: the events as the files import. The imports go on if the browser goes
/// away (each file is still all or nothing, and is recorded in the history).
fn streamed(state: AppState, who: Identity, files: Vec<SpooledFile>) -> Response {
    let (events, receiver) = mpsc::channel::<UploadEvent>(16);
    let task = async move {
        let received = files
            .iter()
            .map(|f| ReceivedFile {
                name: f.name.clone(),
                bytes: f.bytes,
            })
            .collect();
        let _ = events.send(UploadEvent::Received { files: received }).await;
        let mut ids = Vec::with_capacity(files.len());
        for (i, file) in files.iter().enumerate() {
            let read = BytesRead::default();
            let import = import_file(&state, &who, file, read.clone());
            tokio::pin!(import);
            let mut reported = None;
            let result = loop {
                tokio::select! {
                    result = &mut import => break result,
                    () = tokio::time::sleep(PROGRESS_EVERY) => {
                        let bytes = read.get().min(file.bytes);
                        if reported != Some(bytes) {
                            reported = Some(bytes);
                            let _ = events.send(UploadEvent::Progress { file: i, bytes, total: file.bytes }).await;
                        }
                    }
                }
            };
            match result {
                Ok(entry) => {
                    ids.push(entry.id);
                    let _ = events
                        .send(UploadEvent::Finished {
                            file: i,
                            entry: Box::new(entry),
                        })
                        .await;
                }
                Err(e) => {
                    tracing::error!(error = %e, "an upload could not be imported or recorded");
                    let _ = events
                        .send(UploadEvent::Failed {
                            file: i,
                            message: run::FAILED_REPORT.to_owned(),
                        })
                        .await;
                }
            }
        }
        let _ = events.send(UploadEvent::Done { entries: ids }).await;
    };
    tokio::spawn(task.instrument(tracing::Span::current()));
    let body = tokio_stream_of(receiver).map(|e| Ok::<_, std::convert::Infallible>(line(&e)));
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(PROGRESS_MEDIA_TYPE),
            ),
            // Compressed, the small lines would wait in the encoder's buffer until the end.
            (header::CONTENT_ENCODING, HeaderValue::from_static("identity")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (
                axum::http::HeaderName::from_static("x-accel-buffering"),
                HeaderValue::from_static("no"),
            ),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

/// The receiver as a stream (no tokio-stream dependency for one adapter).
fn tokio_stream_of<T: Send + 'static>(mut receiver: mpsc::Receiver<T>) -> impl futures::Stream<Item = T> {
    futures::stream::poll_fn(move |cx| receiver.poll_recv(cx))
}
