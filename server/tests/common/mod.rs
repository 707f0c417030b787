//! Test support: the app in-process over a `#[sqlx::test]` database (queries run as the RLS-bound
//! app role, as in production), demo people, sign-in and request helpers.
#![allow(dead_code)]
use std::time::Duration;

use app::state::AppState;
use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use server::auth::tokens::SigningKeys;
use server::auth::AuthConfig;
use server::config::{Config, Environment};
use sqlx::PgPool;
use tower::ServiceExt;

pub const PASSWORD: &str = server::seed::users::DEMO_PASSWORD;
pub const CUSTOMER_ADMIN: &str = "facilities@castlegate.example";
pub const CUSTOMER_USER: &str = "energy@castlegate.example";
pub const OTHER_ADMIN: &str = "manager@riverside.example";
pub const ACCOUNT_MANAGER: &str = "am@northgate.example";
pub const OPS: &str = "ops@northgate.example";

pub fn keys() -> SigningKeys {
    SigningKeys::parse("test-2026:0123456789abcdef0123456789abcdef-test-key,old-2025:fedcba9876543210fedcba9876543210-old-key")
        .expect("test keys")
}

pub fn config() -> Config {
    Config {
        database_url: String::new(),
        pool_size: 4,
        request_timeout: Duration::from_secs(20),
        slow_query: Duration::from_millis(250),
        on_lambda: false,
        environment: Environment::Development,
        auth: AuthConfig {
            keys: keys(),
            idle_timeout: Duration::from_secs(3600),
            absolute_timeout: Duration::from_secs(12 * 3600),
        },
        app_role: "portal_app".into(),
        auth_role: "portal_auth".into(),
    }
}

pub fn app_with(db: PgPool, config: &Config) -> Router {
    let leptos_options = LeptosOptions::builder()
        .output_name("ic-portal")
        .site_root("target/site")
        .build();
    let app_db = server::db::app_pool((*db.connect_options()).clone(), 4, &config.app_role);
    server::router::app(
        AppState {
            leptos_options,
            db: app_db,
        },
        config,
    )
}

pub fn app(db: PgPool) -> Router {
    app_with(db, &config())
}

/// The app over a database holding the demo customers, sites and users (no HH data).
pub async fn seeded_app(db: PgPool) -> Router {
    server::seed::seed_people(&db, 2026)
        .await
        .expect("demo people load");
    app(db)
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect()
    }
}

pub async fn send(app: &Router, req: Request<Body>) -> Reply {
    let res = app.clone().oneshot(req).await.expect("router is infallible");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

pub async fn get(app: &Router, uri: &str) -> Reply {
    get_as(app, uri, None).await
}

pub async fn get_as(app: &Router, uri: &str, cookie: Option<&str>) -> Reply {
    let mut req = Request::get(uri).header("host", "localhost");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    send(app, req.body(Body::empty()).unwrap()).await
}

/// Calls a server fn the way the hydrated client does: a same-origin form POST.
pub async fn call(app: &Router, uri: &str, form: &str) -> Reply {
    call_as(app, uri, form, None).await
}

pub async fn call_as(app: &Router, uri: &str, form: &str, cookie: Option<&str>) -> Reply {
    let mut req = Request::post(uri)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .header("origin", "http://localhost")
        .header("host", "localhost")
        .header("sec-fetch-site", "same-origin");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    send(app, req.body(Body::from(form.to_owned())).unwrap()).await
}

pub fn form_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Posts the login form; returns the reply (a redirect, with a cookie on success).
pub async fn try_login(app: &Router, email: &str, password: &str) -> Reply {
    let form = format!(
        "email={}&password={}&next=%2F",
        form_encode(email),
        form_encode(password)
    );
    call_as(app, "/auth/login", &form, None).await
}

/// Signs in and returns the `Cookie` header value for the session.
pub async fn login(app: &Router, email: &str) -> String {
    let res = try_login(app, email, PASSWORD).await;
    assert_eq!(
        res.status,
        StatusCode::SEE_OTHER,
        "login of {email} failed: {}",
        res.location()
    );
    let cookie = res
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("__Host-portal_session="))
        .unwrap_or_else(|| panic!("no session cookie for {email}"));
    cookie.split(';').next().unwrap().to_owned()
}

pub async fn id_of(db: &PgPool, sql: &str, name: &str) -> i64 {
    sqlx::query_scalar(sql)
        .bind(name)
        .fetch_one(db)
        .await
        .unwrap_or_else(|e| panic!("{sql} {name}: {e}"))
}

pub async fn site_id(db: &PgPool, name: &str) -> i64 {
    id_of(db, "SELECT id FROM sites WHERE name = $1", name).await
}

pub async fn user_id(db: &PgPool, email: &str) -> i64 {
    id_of(db, "SELECT id FROM users WHERE email = $1", email).await
}
