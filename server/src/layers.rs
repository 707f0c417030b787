//! The tower-http middleware every response passes through: request ids, tracing, compression,
//! timeouts and security headers. Pages set their own nonce-based CSP; everything else gets a
//! strict default.
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::Router;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use crate::config::Config;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Headers set on every response unless a handler set them already.
pub const SECURITY_HEADERS: &[(&str, &str)] = &[
    ("strict-transport-security", "max-age=63072000; includeSubDomains"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    ("x-frame-options", "DENY"),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=(), payment=()",
    ),
    ("cross-origin-opener-policy", "same-origin"),
    (
        "content-security-policy",
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
];

pub fn apply(router: Router, config: &Config) -> Router {
    let mut router = router;
    for (name, value) in SECURITY_HEADERS {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        ));
    }
    router.layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(|req: &axum::http::Request<_>| {
                        let id = req
                            .headers()
                            .get(REQUEST_ID)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("-");
                        tracing::info_span!("request", method = %req.method(), uri = %req.uri().path(), request_id = %id)
                    })
                    .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
            )
            .layer(PropagateRequestIdLayer::new(REQUEST_ID))
            .layer(CompressionLayer::new())
            .layer(axum::middleware::from_fn_with_state(config.request_timeout, timeout))
            .layer(SetResponseHeaderLayer::if_not_present(
                header::CACHE_CONTROL,
                HeaderValue::from_static("no-store"),
            )),
    )
}

/// Requests not held to `REQUEST_TIMEOUT_SECS`: an upload takes as long as the network needs
/// (it has its own idle timeout, `upload::spool::IDLE_TIMEOUT`, and its size limit).
pub const UNTIMED_PATHS: &[&str] = &[app::api::imports::UPLOAD_PATH];

/// Answers 504 when a response has not started within `limit` (as tower-http's `TimeoutLayer`),
/// except on [`UNTIMED_PATHS`].
async fn timeout(
    axum::extract::State(limit): axum::extract::State<std::time::Duration>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if UNTIMED_PATHS.contains(&req.uri().path()) {
        return next.run(req).await;
    }
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => StatusCode::GATEWAY_TIMEOUT.into_response(),
    }
}

/// Server fns answer every error with 500 (e.g. arguments that do not decode). The body is an
/// `ApiError`; this gives the response the status that error stands for, in one place.
pub async fn server_fn_error_status(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use http_body_util::BodyExt;
    let res = next.run(req).await;
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR || !res.headers().contains_key("serverfnerror") {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = match http_body_util::Limited::new(body, 64 * 1024).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => return (StatusCode::INTERNAL_SERVER_ERROR, "").into_response(),
    };
    if let Ok(err) = serde_json::from_slice::<app::api::ApiError>(&bytes) {
        parts.status = StatusCode::from_u16(err.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    axum::response::Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// The largest request body a server fn accepts. Every server fn takes a few form fields (the
/// largest, a user's site list, is well under 8 KiB); anything bigger is not the portal's client.
pub const MAX_SERVER_FN_BODY: usize = 64 * 1024;

/// Checks a server fn call's body before the server fn sees it, so malformed input gets a clear
/// 4xx instead of a 500 and the body is never read unbounded: a content type other than the form
/// encoding the client uses is 415, a body over [`MAX_SERVER_FN_BODY`] is 413, and a body that is
/// not UTF-8 is 400. The answers are `ApiError`-shaped JSON like the server fns' own errors.
pub async fn server_fn_body_guard(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use http_body_util::BodyExt;
    if req.method() != axum::http::Method::POST || !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"));
    if !form {
        return rejection(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Send the arguments as application/x-www-form-urlencoded.",
        );
    }
    let declared_too_big = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|n| n > MAX_SERVER_FN_BODY as u64);
    if declared_too_big {
        return too_large();
    }
    let (parts, body) = req.into_parts();
    let bytes = match http_body_util::Limited::new(body, MAX_SERVER_FN_BODY)
        .collect()
        .await
    {
        Ok(b) => b.to_bytes(),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => return too_large(),
        Err(_) => return rejection(StatusCode::BAD_REQUEST, "The request body could not be read."),
    };
    if std::str::from_utf8(&bytes).is_err() {
        return rejection(StatusCode::BAD_REQUEST, "The request body is not valid UTF-8.");
    }
    next.run(axum::extract::Request::from_parts(
        parts,
        axum::body::Body::from(bytes),
    ))
    .await
}

fn too_large() -> axum::response::Response {
    rejection(
        StatusCode::PAYLOAD_TOO_LARGE,
        &format!(
            "The request body is larger than {} KiB.",
            MAX_SERVER_FN_BODY / 1024
        ),
    )
}

fn rejection(status: StatusCode, message: &str) -> axum::response::Response {
    let body = serde_json::to_string(&app::api::ApiError::BadRequest(message.to_owned())).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}
