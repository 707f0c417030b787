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
            sealing_key: server::auth::totp::SealingKey::derive(b"test-mfa-secret-0123456789abcdef-test"),
        },
        app_role: "portal_app".into(),
        auth_role: "portal_auth".into(),
        upload_max_bytes: server::config::DEFAULT_UPLOAD_MAX_BYTES,
        mail: mail_config(),
        auth_database_url: None,
        db_credentials: None,
        export_offload: None,
    }
}

/// Mail goes to the SMTP sink that `scripts/mail.sh` starts on loopback (`SMTP_PORT`, exported by
/// `mail_start`; scripts/test.sh starts it), and lands in its Maildir (`PORTAL_MAILDIR`).
pub fn mail_config() -> server::mail::MailConfig {
    let port = std::env::var("SMTP_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(2525);
    server::mail::MailConfig::local_sink(port, PUBLIC_BASE_URL)
}

/// The portal's address in the tests' e-mails.
pub const PUBLIC_BASE_URL: &str = "http://portal.test";

/// The sink's Maildir: where every message the tests send is delivered.
pub fn maildir() -> std::path::PathBuf {
    match std::env::var_os("PORTAL_MAILDIR") {
        Some(d) => d.into(),
        None => std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/mail/maildir"),
    }
}

/// A delivered message: its raw text, and the decoded plain-text part.
#[derive(Debug, Clone)]
pub struct Delivered {
    pub raw: String,
    pub text: String,
}

impl Delivered {
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.raw.split("\n\n").next().unwrap_or("");
        let prefix = format!("{}:", name.to_ascii_lowercase());
        head.lines()
            .find(|l| l.to_ascii_lowercase().starts_with(&prefix))
            .map(|l| l[prefix.len()..].trim().to_owned())
    }

    /// The first link in the text that starts with `prefix`.
    pub fn link(&self, prefix: &str) -> Option<String> {
        let start = self.text.find(prefix)?;
        Some(
            self.text[start..]
                .split(|c: char| c.is_whitespace())
                .next()
                .unwrap_or("")
                .to_owned(),
        )
    }
}

/// Quoted-printable (RFC 2045) decoding: soft line breaks and `=XX` escapes.
pub fn quoted_printable(s: &str) -> String {
    let s = s.replace("=\n", "");
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' && i + 2 < b.len() {
            if let Some(v) = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The text/plain part of a (multipart) message, decoded.
fn plain_text(raw: &str) -> String {
    let lower = raw.to_ascii_lowercase();
    let Some(at) = lower.find("content-type: text/plain") else {
        return raw.to_owned();
    };
    let part = &raw[at..];
    let (head, body) = part.split_once("\n\n").unwrap_or((part, ""));
    let body = body.split("\n--").next().unwrap_or(body);
    if head.to_ascii_lowercase().contains("quoted-printable") {
        quoted_printable(body)
    } else {
        body.to_owned()
    }
}

/// Every message the sink delivered to `to` (by the SMTP envelope), oldest first.
pub fn mail_to(to: &str) -> Vec<Delivered> {
    let dir = maildir().join("new");
    let mut found: Vec<(std::time::SystemTime, Delivered)> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| {
                    // Line ends as LF only, whatever the sink kept.
                    let raw = std::fs::read_to_string(e.path()).ok()?.replace("\r\n", "\n");
                    let rcpt = raw.lines().find(|l| l.starts_with("X-Sink-Rcpt-To:"))?;
                    if !rcpt["X-Sink-Rcpt-To:".len()..]
                        .split(',')
                        .any(|a| a.trim().eq_ignore_ascii_case(to))
                    {
                        return None;
                    }
                    let at = e.metadata().and_then(|m| m.modified()).ok()?;
                    let text = plain_text(&raw);
                    Some((at, Delivered { raw, text }))
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort_by_key(|(at, _)| *at);
    found.into_iter().map(|(_, d)| d).collect()
}

/// Waits (up to 15 s) until the sink holds a message to `to` whose link (starting with
/// `link_prefix`) satisfies `wanted`, and returns it. Fails with a hint when the sink is not
/// running.
pub async fn wait_for_mail(
    to: &str,
    link_prefix: &str,
    mut wanted: impl FnMut(&str) -> bool,
) -> (Delivered, String) {
    for _ in 0..150 {
        for m in mail_to(to).into_iter().rev() {
            if let Some(link) = m.link(link_prefix) {
                if wanted(&link) {
                    return (m, link);
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "no mail to {to} with a link {link_prefix}… in {} (is the SMTP sink running? \
         `source scripts/lib.sh; source scripts/mail.sh; mail_start`)",
        maildir().display()
    );
}

/// The token of a link (`…?token=…`).
pub fn token_of(link: &str) -> String {
    link.split_once("token=")
        .map(|(_, t)| t.to_owned())
        .unwrap_or_default()
}

/// Whether `token` is one of this test database's links (the sink is shared by tests running at
/// once; each test has its own database).
pub async fn is_link_of(db: &PgPool, token: &str) -> bool {
    use sha2::{Digest, Sha256};
    let hash = Sha256::digest(token.as_bytes()).to_vec();
    sqlx::query_scalar::<_, bool>("SELECT EXISTS (SELECT 1 FROM email_links WHERE token_hash = $1)")
        .bind(hash)
        .fetch_one(db)
        .await
        .unwrap()
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

/// A built site in a temporary directory, as scripts/build-site.sh --release leaves one: pkg/
/// files under content-hashed names with `.br` and `.gz` variants (whose bodies say which one was
/// sent), hash.txt naming them, and a public file. Removed when dropped.
pub struct FixtureSite {
    pub root: std::path::PathBuf,
}

/// Hashes of the fixture's files (22 characters of URL-safe base64, as build-site.sh writes them).
pub const JS_HASH: &str = "Jx9aTq0uYvS4bW2cR7e-_w";
pub const WASM_HASH: &str = "Wm3pLk8dQz1nHf5tXa0b_A";
pub const CSS_HASH: &str = "Cs7yUe2oPi6rTw4qEs1d-g";

impl FixtureSite {
    pub fn new() -> Self {
        let root = std::env::temp_dir().join(format!("ic-portal-site-{}", uuid::Uuid::new_v4()));
        let pkg = root.join("pkg");
        std::fs::create_dir_all(&pkg).expect("fixture site");
        for (name, raw) in [
            (
                format!("ic-portal.{JS_HASH}.js"),
                "export default function init() {}\n",
            ),
            (format!("ic-portal.{WASM_HASH}.wasm"), "\0asm raw bytes"),
            (format!("ic-portal.{CSS_HASH}.css"), "body { margin: 0 }\n"),
        ] {
            std::fs::write(pkg.join(&name), raw).unwrap();
            std::fs::write(pkg.join(format!("{name}.br")), format!("brotli of {name}")).unwrap();
            std::fs::write(pkg.join(format!("{name}.gz")), format!("gzip of {name}")).unwrap();
        }
        // As `cargo leptos watch` leaves wasm-bindgen's snippets: no hash in the name.
        std::fs::create_dir_all(pkg.join("snippets/x-1")).unwrap();
        std::fs::write(pkg.join("snippets/x-1/inline0.js"), "export const x = 1;\n").unwrap();
        std::fs::write(
            root.join(server::site::HASH_FILE),
            format!("js: {JS_HASH}\nwasm: {WASM_HASH}\ncss: {CSS_HASH}\n"),
        )
        .unwrap();
        std::fs::write(
            root.join("favicon.svg"),
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        )
        .unwrap();
        Self { root }
    }

    pub fn root(&self) -> &str {
        self.root.to_str().expect("a UTF-8 temporary directory")
    }
}

impl Drop for FixtureSite {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// The app serving the site at `site_root`, with the Leptos options `server serve` derives from it
/// (`server::site::with_site_hash_file`).
pub fn app_with_site(db: PgPool, site_root: &str) -> Router {
    let leptos_options = server::site::with_site_hash_file(
        LeptosOptions::builder()
            .output_name("ic-portal")
            .site_root(site_root)
            .build(),
    );
    let app_db = server::db::app_pool((*db.connect_options()).clone(), 4, "portal_app");
    server::router::app(
        AppState {
            leptos_options,
            db: app_db,
        },
        &config(),
    )
}

/// A GET with extra request headers; the body as raw bytes (compressed bodies are not text).
pub async fn get_with(app: &Router, uri: &str, headers: &[(&str, &str)]) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut req = Request::get(uri).header("host", "localhost");
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let res = app
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .expect("router is infallible");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    (status, headers, bytes.to_vec())
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

/// Signs in (password, then the second factor when asked for one) and returns the `Cookie`
/// header value for the session.
pub async fn login(app: &Router, email: &str) -> String {
    login_with(app, email, PASSWORD).await
}

/// As `login`, with a given password.
pub async fn login_with(app: &Router, email: &str, password: &str) -> String {
    let res = pass_second_factor(app, email, try_login(app, email, password).await).await;
    assert_eq!(
        res.status,
        StatusCode::SEE_OTHER,
        "login of {email} failed: {}",
        res.location()
    );
    cookie_of(&res, "__Host-portal_session").unwrap_or_else(|| panic!("no session cookie for {email}"))
}

/// The `name=value` a reply sets for cookie `name` (not a clearing one).
pub fn cookie_of(res: &Reply, name: &str) -> Option<String> {
    res.set_cookies()
        .into_iter()
        .find(|c| c.starts_with(&format!("{name}=")) && !c.contains("Max-Age=0"))
        .map(|c| c.split(';').next().unwrap().to_owned())
}

pub const PENDING_COOKIE: &str = "__Host-portal_mfa";

/// An authenticator app as the tests hold it: the secret read from the enrolment page, the last
/// time step whose code was sent (the server accepts each step once), and unused recovery codes.
#[derive(Clone, Debug)]
pub struct Authenticator {
    pub secret: Vec<u8>,
    pub last_step: i64,
    pub recovery_codes: Vec<String>,
}

thread_local! {
    /// Authenticators enrolled in this test, by email. Every `#[sqlx::test]` and `#[tokio::test]`
    /// runs on its own thread with its own database, so this is per test.
    static AUTHENTICATORS: std::cell::RefCell<std::collections::HashMap<String, Authenticator>> =
        Default::default();
}

pub fn authenticator(email: &str) -> Option<Authenticator> {
    AUTHENTICATORS.with(|a| a.borrow().get(email).cloned())
}

fn remember(email: &str, a: Authenticator) {
    AUTHENTICATORS.with(|m| m.borrow_mut().insert(email.to_owned(), a));
}

pub fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The next code this test's authenticator for `email` may send: the earliest time step the server
/// still accepts (one step of drift either way) after the last one sent; a recovery code when
/// every such step is used (many sign-ins within one 30-second step).
pub fn next_code(email: &str) -> String {
    use server::auth::totp;
    let mut a = authenticator(email).unwrap_or_else(|| panic!("{email} has no authenticator in this test"));
    let now = totp::step_at(unix_now());
    let step = (now - totp::WINDOW).max(a.last_step + 1);
    let code = if step <= now + totp::WINDOW {
        a.last_step = step;
        totp::code_for_step(&a.secret, step)
    } else {
        a.recovery_codes.pop().expect("a recovery code left")
    };
    remember(email, a);
    code
}

/// The pending sign-in a pending cookie stands for, as the pages see it.
pub async fn pending(app: &Router, pending_cookie: &str) -> serde_json::Value {
    let res = call_as(app, "/api/login/pending", "", Some(pending_cookie)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res.json()
}

/// Enrols an authenticator from the enrolment step `res` sent the browser to: reads the key the
/// page shows, confirms with the code computed from it, reads the recovery codes and continues.
/// Returns the final reply (the session, or back to the Account page).
pub async fn enrol(app: &Router, email: &str, res: &Reply) -> Reply {
    enrol_in(app, email, res, None).await
}

/// As `enrol`, for an enrolment started from the signed-in `session` (the Account page).
pub async fn enrol_in(app: &Router, email: &str, res: &Reply, session: Option<&str>) -> Reply {
    use server::auth::totp;
    assert_eq!(res.location(), "/login/enrol", "{email}");
    let cookie = cookie_of(res, PENDING_COOKIE).expect("a pending sign-in cookie");
    let shown = pending(app, &cookie).await;
    let key = shown["step"]["Enrol"]["secret"]
        .as_str()
        .unwrap_or_else(|| panic!("no key on the enrolment page: {shown}"))
        .replace(' ', "");
    let secret = data_encoding::BASE32_NOPAD
        .decode(key.as_bytes())
        .expect("base32 key");
    let step = totp::step_at(unix_now());
    let form = format!("code={}", totp::code_for_step(&secret, step));
    let confirmed = call_as(app, "/auth/mfa/enrol", &form, Some(&cookie)).await;
    assert_eq!(confirmed.location(), "/login/recovery-codes", "{email}");
    let codes: Vec<String> = pending(app, &cookie).await["step"]["RecoveryCodes"]["codes"]
        .as_array()
        .expect("recovery codes")
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 10);
    remember(
        email,
        Authenticator {
            secret,
            last_step: step,
            recovery_codes: codes,
        },
    );
    let cookies = match session {
        Some(s) => format!("{s}; {cookie}"),
        None => cookie,
    };
    call_as(app, "/auth/mfa/continue", "", Some(&cookies)).await
}

/// Completes a sign-in that `res` (the login form's reply) left pending: enrols an authenticator,
/// or sends the next code of the one enrolled. Any other reply is returned as it is.
pub async fn pass_second_factor(app: &Router, email: &str, res: Reply) -> Reply {
    match res.location() {
        "/login/enrol" => enrol(app, email, &res).await,
        "/login/mfa" => {
            let cookie = cookie_of(&res, PENDING_COOKIE).expect("a pending sign-in cookie");
            let form = format!("code={}", form_encode(&next_code(email)));
            call_as(app, "/auth/mfa", &form, Some(&cookie)).await
        }
        _ => res,
    }
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

/// The link (starting with the public base URL) of the newest message to `to` whose token is one
/// of this test database's, waiting up to 15 s for it.
pub async fn link_of_this_test(db: &PgPool, to: &str) -> String {
    for _ in 0..150 {
        for m in mail_to(to).into_iter().rev() {
            if let Some(l) = m.link(PUBLIC_BASE_URL) {
                if is_link_of(db, &token_of(&l)).await {
                    return l;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "no mail to {to} with a link of this test in {} (is the SMTP sink running? \
         `source scripts/lib.sh; source scripts/mail.sh; mail_start`)",
        maildir().display()
    );
}
