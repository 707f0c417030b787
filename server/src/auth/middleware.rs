//! Turns the session cookie into an `Identity` in the request's extensions (or none), and sends
//! anonymous page requests to the login page, keeping where they were going.
use std::net::SocketAddr;

use app::auth::Identity;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::PgPool;

use super::{email_links, mfa, sessions, view_as, AuthConfig, COOKIE_NAME};

#[derive(Clone)]
pub struct AuthState {
    pub db: PgPool,
    pub cfg: AuthConfig,
    /// Behind API Gateway the client address comes from the gateway, not from the socket.
    pub on_lambda: bool,
    /// The site's options: the refusal page names the stylesheet by its hashed name.
    pub site: leptos::config::LeptosOptions,
}

/// Paths anyone may fetch without signing in.
pub fn is_public(path: &str) -> bool {
    matches!(
        path,
        "/login" | "/healthz" | "/favicon.svg" | "/robots.txt" | "/auth/login"
    ) || path.starts_with("/pkg/")
        || is_pending_step(path)
        || is_email_link_step(path)
}

/// Asking for a password reset, and the pages and form of a link from an e-mail: public (whoever
/// holds the link; see `email_links`).
pub fn is_email_link_step(path: &str) -> bool {
    matches!(path, email_links::FORGOT_PAGE | "/auth/forgot" | "/auth/link")
        || email_links::is_link_page(path)
}

/// The pages of a sign-in between password and session (`mfa`): public, since no session exists
/// yet, and what they show comes from the pending sign-in's own cookie.
pub fn is_pending_step(path: &str) -> bool {
    matches!(path, mfa::VERIFY_PAGE | mfa::ENROL_PAGE | mfa::CODES_PAGE)
}

/// What a session whose password was set by an admin may reach until its owner changes it: the
/// change-password page and form, signing out, who am I, and static files.
pub fn allowed_before_password_change(path: &str) -> bool {
    matches!(
        path,
        "/password"
            | "/auth/password"
            | "/auth/logout"
            | "/api/me"
            | "/login"
            | "/healthz"
            | "/favicon.svg"
            | "/robots.txt"
    ) || path.starts_with("/pkg/")
}

/// The server fn that reads the pending sign-in (`app::api::mfa::current_pending_sign_in`).
const PENDING_SIGN_IN_FN: &str = "/api/login/pending";

pub fn cookie_value<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub fn client_ip(req: &Request, on_lambda: bool) -> String {
    if on_lambda {
        use lambda_http::request::RequestContext;
        if let Some(ctx) = req.extensions().get::<RequestContext>() {
            match ctx {
                RequestContext::ApiGatewayV2(c) => {
                    if let Some(ip) = &c.http.source_ip {
                        return ip.clone();
                    }
                }
                RequestContext::ApiGatewayV1(c) => {
                    if let Some(ip) = &c.identity.source_ip {
                        return ip.clone();
                    }
                }
                _ => {}
            }
        }
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

pub fn expired_cookie() -> HeaderValue {
    HeaderValue::from_static("__Host-portal_session=; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=0")
}

pub fn session_cookie(token: &str, max_age_secs: u64) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{COOKIE_NAME}={token}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age={max_age_secs}"
    ))
    .unwrap_or_else(|_| expired_cookie())
}

/// Where to send an anonymous visitor of `uri`: the login page, then back.
pub fn login_redirect(path_and_query: &str) -> Redirect {
    let next: String = url_encode(path_and_query);
    Redirect::to(&format!("/login?next={next}"))
}

pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub async fn authenticate(State(st): State<AuthState>, mut req: Request, next: Next) -> Response {
    let ip = client_ip(&req, st.on_lambda);
    let mut clear_cookie = false;
    if let Some(token) = cookie_value(&req, COOKIE_NAME).map(str::to_owned) {
        match st.cfg.keys.verify(&token) {
            Ok(claims) => match sessions::resolve(&st.db, &st.cfg, &claims, &ip).await {
                // Staff without a confirmed second factor (say, an authenticator removed in the
                // database) have no session: they sign in again and enrol.
                Ok(Some(identity)) if mfa::required_for(identity.role) && !identity.second_factor => {
                    clear_cookie = true;
                }
                Ok(Some(identity)) => {
                    req.extensions_mut().insert::<Identity>(identity);
                }
                Ok(None) => clear_cookie = true,
                Err(e) => {
                    tracing::error!(error = %e, "session lookup failed");
                    return (
                        axum::http::StatusCode::SERVICE_UNAVAILABLE,
                        "Please try again shortly.",
                    )
                        .into_response();
                }
            },
            Err(e) => {
                tracing::info!(reason = %e, "session token rejected");
                clear_cookie = true;
            }
        }
    }
    let anonymous = req.extensions().get::<Identity>().is_none();
    let path = req.uri().path().to_owned();
    if is_pending_step(&path) || path == PENDING_SIGN_IN_FN {
        let token = mfa::pending_token(&req);
        match mfa::pending_view(&st, token.as_deref()).await {
            Ok(Some(view)) => {
                req.extensions_mut().insert(view);
            }
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "reading the pending sign-in failed"),
        }
    }
    if email_links::is_link_page(&path) {
        let token = email_links::token_in_query(req.uri().query());
        match email_links::view(&st.db, &path, token.as_deref()).await {
            Ok(view) => {
                req.extensions_mut().insert(view);
            }
            Err(e) => tracing::error!(error = %e, "reading an e-mailed link failed"),
        }
    }
    let must_change = req
        .extensions()
        .get::<Identity>()
        .is_some_and(|i| i.must_change_password);
    if must_change && !allowed_before_password_change(&path) {
        return if path.starts_with("/api/") {
            (
                axum::http::StatusCode::FORBIDDEN,
                "Please choose a new password first.",
            )
                .into_response()
        } else {
            Redirect::to("/password").into_response()
        };
    }
    let viewing_as = req
        .extensions()
        .get::<Identity>()
        .is_some_and(|i| i.viewing_as.is_some());
    if viewing_as && !view_as::permits(req.method(), &path) {
        tracing::info!(path = %path, "change refused while viewing as a customer");
        return view_as::refused(&st.site);
    }
    let page_request = matches!(*req.method(), Method::GET | Method::HEAD)
        && !is_public(&path)
        && !path.starts_with("/api/")
        && !path.starts_with("/auth/");
    let mut res = if anonymous && page_request {
        let pq = req.uri().path_and_query().map_or("/", |p| p.as_str()).to_owned();
        login_redirect(&pq).into_response()
    } else {
        next.run(req).await
    };
    if clear_cookie {
        res.headers_mut().append(header::SET_COOKIE, expired_cookie());
    }
    res
}
