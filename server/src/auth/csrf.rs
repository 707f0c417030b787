//! CSRF: state-changing requests (POST, PUT, PATCH, DELETE: server fns and forms) must come from
//! the portal's own pages. Browsers say where a request comes from in `Sec-Fetch-Site` and
//! `Origin`; a cross-site value is refused with 403 before any handler runs.
use axum::extract::Request;
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub fn is_cross_site(req: &Request) -> bool {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    let headers = req.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        // "none" is a user typing or bookmarking; same-site would let a sibling subdomain in.
        if !matches!(site, "same-origin" | "none") {
            return true;
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let origin_host = origin.split("://").nth(1).unwrap_or("");
        if origin == "null" || origin_host != host {
            return true;
        }
    }
    false
}

pub async fn reject_cross_site(req: Request, next: Next) -> Response {
    if is_cross_site(&req) {
        tracing::warn!(path = %req.uri().path(), "cross-site state-changing request refused");
        return (StatusCode::FORBIDDEN, "Cross-site request refused.").into_response();
    }
    next.run(req).await
}
