//! The authorisation matrix: one row per route the router serves (pages, server fns, plain axum
//! routes), one expected status per caller and, where the request names a tenant's record, per
//! tenant (the caller's own, and another). Anonymous callers are sent to the login page (pages) or
//! get 401 (API); another tenant's ids are 404 (a page shows the not-found notice), never 403,
//! never data.
//! `the_matrix_has_a_row_for_every_route_and_no_other` compares the rows with the router's real
//! routes, so a route added without a row, or a row left for a removed route, fails.
mod common;

use std::collections::BTreeSet;

use axum::http::StatusCode;
use common::*;
use server::auth::middleware::url_encode;
use sqlx::PgPool;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Caller {
    Anonymous,
    CustomerUser,
    CustomerAdmin,
    AccountManager,
    Ops,
}

const CALLERS: [Caller; 5] = [
    Caller::Anonymous,
    Caller::CustomerUser,
    Caller::CustomerAdmin,
    Caller::AccountManager,
    Caller::Ops,
];

impl Caller {
    fn email(self) -> Option<&'static str> {
        match self {
            Caller::Anonymous => None,
            Caller::CustomerUser => Some(CUSTOMER_USER),
            Caller::CustomerAdmin => Some(CUSTOMER_ADMIN),
            Caller::AccountManager => Some(ACCOUNT_MANAGER),
            Caller::Ops => Some(OPS),
        }
    }

    /// Whether another tenant's data may appear in this caller's answers at all.
    fn sees_every_tenant(self) -> bool {
        self == Caller::Ops
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Tenant {
    Own,
    Other,
}

/// A route of the router, and whether its request names a tenant's record (then it is called once
/// with the caller's own tenant and once with another; otherwise once).
struct Row {
    method: &'static str,
    path: &'static str,
    names_a_tenant: bool,
}

const fn row(method: &'static str, path: &'static str, names_a_tenant: bool) -> Row {
    Row {
        method,
        path,
        names_a_tenant,
    }
}

const MATRIX: &[Row] = &[
    // Pages (GET, server-rendered).
    row("GET", "/", false),
    row("GET", "/sites", true),
    row("GET", "/consumption", true),
    row("GET", "/analysis", true),
    row("GET", "/export", false),
    row("GET", "/invoices", true),
    row("GET", "/queries", true),
    row("GET", "/contracts", false),
    row("GET", "/bill-validation", false),
    row("GET", "/customers", false),
    row("GET", "/alerts", false),
    row("GET", "/admin", false),
    row("GET", "/admin/imports", false),
    row("GET", "/account", false),
    row("GET", "/login", false),
    row("GET", "/login/mfa", false),
    row("GET", "/login/enrol", false),
    row("GET", "/login/recovery-codes", false),
    row("GET", "/password", false),
    // Users by e-mail: asking for a reset, and the pages an e-mailed link opens (public; without a
    // token of ours they explain that the link is not valid, 404).
    row("GET", "/login/forgot", false),
    row("GET", "/welcome", false),
    row("GET", "/reset-password", false),
    // Server fns.
    row("POST", "/api/me", false),
    row("POST", "/api/login/pending", false),
    row("POST", "/api/login/link", false),
    row("POST", "/api/sites/list", false),
    row("POST", "/api/sites/detail", true),
    row("POST", "/api/invoices/list", false),
    row("POST", "/api/invoices/detail", true),
    row("POST", "/api/contracts/list", false),
    row("POST", "/api/validation/list", false),
    row("POST", "/api/validation/invoice", true),
    row("POST", "/api/queries/list", false),
    row("POST", "/api/queries/detail", true),
    row("POST", "/api/queries/invoice", true),
    row("POST", "/api/queries/raise", true),
    row("POST", "/api/queries/reply", true),
    row("POST", "/api/queries/resolve", true),
    row("POST", "/api/consumption/points", false),
    row("POST", "/api/consumption/view", true),
    row("POST", "/api/consumption/portfolio", false),
    row("POST", "/api/analysis/view", true),
    row("POST", "/api/customers/overview", false),
    // Alerts: the list in scope, acknowledging alerts (named by id: the caller's customer's, or
    // another's), and the caller's own e-mail choices.
    row("POST", "/api/alerts/view", false),
    row("POST", "/api/alerts/acknowledge", true),
    row("POST", "/api/alerts/subscriptions", false),
    row("POST", "/api/customers/account-manager", true),
    row("POST", "/api/admin/overview", false),
    row("POST", "/api/admin/user-create", false),
    row("POST", "/api/admin/user-disabled", true),
    row("POST", "/api/admin/user-sites", true),
    row("POST", "/api/admin/customer-user-disabled", true),
    // An upload's results name history entries: one naming the caller's customer, one another's.
    row("POST", "/api/imports/history", true),
    // Users by e-mail: an organisation's users, inviting (into an organisation named by id),
    // inviting again and changing a role (of a user named by id).
    row("POST", "/api/admin/users", true),
    row("POST", "/api/admin/user-invite", true),
    row("POST", "/api/admin/user-reinvite", true),
    row("POST", "/api/admin/user-role", true),
    // Plain axum routes. The login form carries someone's credentials: the caller's own, or
    // another tenant's user's.
    row("GET", "/healthz", false),
    row("POST", "/auth/login", true),
    row("POST", "/auth/logout", false),
    row("POST", "/auth/view-as", true),
    row("POST", "/auth/view-as/end", false),
    row("POST", "/auth/password", false),
    // Asking for a password reset (the same answer for every address), and choosing a password
    // with an e-mailed link (without a link of ours: back to the link's page).
    row("POST", "/auth/forgot", false),
    row("POST", "/auth/link", false),
    // The second factor's steps: without a pending sign-in of the caller's own they lead back to
    // the login page; setting up and removing belong to a signed-in account.
    row("POST", "/auth/mfa", false),
    row("POST", "/auth/mfa/enrol", false),
    row("POST", "/auth/mfa/continue", false),
    row("POST", "/auth/mfa/setup", false),
    row("POST", "/auth/mfa/remove", false),
    // Invoices to take away: the PDF names an invoice; the CSVs name a site in their filter.
    row("GET", "/invoices/{id}/pdf", true),
    row("GET", "/invoices/export.csv", true),
    row("GET", "/invoices/lines.csv", true),
    // Half-hourly data to take away: names a supply point.
    row("GET", "/consumption/export.csv", true),
    // An analysis view's chart and table name a supply point.
    row("GET", "/analysis/chart.svg", true),
    row("GET", "/analysis/table.csv", true),
    // An HH upload names supply points (MPANs): the caller's customer's, or another's.
    row("POST", "/admin/imports/upload", true),
];

/// Downloads (plain routes): a refused one answers with a plain-text reason, not a page.
fn is_download(path: &str) -> bool {
    path.starts_with("/invoices/") || path.starts_with("/analysis/") || path == "/consumption/export.csv"
}

/// Rows whose success ends the caller's sessions: run after every other row of the caller.
fn ends_sessions(row: &Row) -> bool {
    matches!(row.path, "/auth/logout" | "/auth/password")
}

/// Ids the requests use, looked up by name: the caller's own tenant is Castlegate (the account
/// manager looks after it, the customer user may see Felixstowe and Leicester); the other tenant
/// is Riverside.
struct Ids {
    own_site: i64,
    own_site_2: i64,
    own_site_not_granted: i64,
    other_site: i64,
    own_user: i64,
    other_user: i64,
    /// A customer user of the other tenant (sites can be chosen for customer users only).
    other_customer_user: i64,
    /// Users who have never signed in, so they can be sent an invitation again.
    own_invitee: i64,
    other_invitee: i64,
    own_org: i64,
    other_org: i64,
    own_invoice: i64,
    other_invoice: i64,
    own_point: i64,
    other_point: i64,
    /// Open queries on the whole invoice (so the restricted customer user sees the own one).
    own_query: i64,
    other_query: i64,
    /// Open queries for the resolve row, one per call: a resolved query cannot be resolved again.
    own_queries_to_resolve: Vec<i64>,
    other_queries_to_resolve: Vec<i64>,
    account_manager: i64,
    /// Import history entries (uploaded by operations) naming Castlegate, and Riverside.
    own_import: i64,
    other_import: i64,
    /// Alerts at Felixstowe (which the restricted customer user may see) and at Riverside.
    own_alert: i64,
    other_alert: i64,
    /// MPANs for the upload row.
    own_mpan: String,
    other_mpan: String,
}

impl Ids {
    fn pick(&self, t: Tenant, own: fn(&Ids) -> i64, other: fn(&Ids) -> i64) -> i64 {
        match t {
            Tenant::Own => own(self),
            Tenant::Other => other(self),
        }
    }
}

async fn invoice_for(db: &PgPool, org: &str, number: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO invoices (organisation_id, invoice_number, account_number, period_start, period_end, issued_on,
             due_on, status, net_pence, vat_pence, total_pence)
         SELECT id, $2, account_number, '2026-01-01', '2026-01-31', '2026-02-07', '2026-03-09', 'issued', 1000, 200, 1200
         FROM organisations WHERE name = $1 RETURNING id",
    )
    .bind(org)
    .bind(number)
    .fetch_one(db)
    .await
    .unwrap()
}

async fn point_at(db: &PgPool, site: &str) -> i64 {
    id_of(
        db,
        "SELECT sp.id FROM supply_points sp JOIN sites s ON s.id = sp.site_id WHERE s.name = $1
         ORDER BY sp.mpan_core LIMIT 1",
        site,
    )
    .await
}

async fn mpan_at(db: &PgPool, site: &str) -> String {
    sqlx::query_scalar(
        "SELECT sp.mpan_core FROM supply_points sp JOIN sites s ON s.id = sp.site_id WHERE s.name = $1
         ORDER BY sp.mpan_core LIMIT 1",
    )
    .bind(site)
    .fetch_one(db)
    .await
    .unwrap()
}

/// An open capacity alert on the first supply point of `site`.
async fn alert_at(db: &PgPool, site: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO alerts (organisation_id, site_id, supply_point_id, rule, day, measured, reference, period)
         SELECT sp.organisation_id, sp.site_id, sp.id, 'capacity', '2026-11-10', 900, 800, 35
         FROM supply_points sp JOIN sites s ON s.id = sp.site_id WHERE s.name = $1
         ORDER BY sp.mpan_core LIMIT 1 RETURNING id",
    )
    .bind(site)
    .fetch_one(db)
    .await
    .unwrap()
}

/// A history entry of a file uploaded by operations that named `org`'s supply points.
async fn import_entry(db: &PgPool, org: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO import_history (uploaded_by, uploader_email, uploader_role, file_name, bytes, outcome,
             error_count, report, organisation_ids)
         SELECT u.id, u.email, 'ops_admin', 'earlier.csv', 120, 'rejected', 1, 'earlier.csv: rejected', ARRAY[o.id]
         FROM users u, organisations o WHERE u.email = $1 AND o.name = $2 RETURNING id",
    )
    .bind(OPS)
    .bind(org)
    .fetch_one(db)
    .await
    .unwrap()
}

/// Uploads one settlement day for the tenant's supply point (a day per caller, so every import is
/// new) and checks the answer: refused before anything is read for those who may not upload;
/// imported for operations, and for the account manager within their customer; the other
/// customer's MPAN unknown to the account manager, and nothing of it written.
async fn check_upload_row(
    app: &axum::Router,
    db: &PgPool,
    caller: Caller,
    t: Option<Tenant>,
    cookie: Option<&str>,
    ids: &Ids,
) {
    use app::domain::settlement_time::{all_periods_utc, SettlementDate};
    use axum::body::Body;
    use axum::http::{header, Request};
    let t = t.expect("the upload row names a tenant");
    let mpan = match t {
        Tenant::Own => &ids.own_mpan,
        Tenant::Other => &ids.other_mpan,
    };
    let offset = CALLERS.iter().position(|c| *c == caller).unwrap() as u32;
    let date = chrono::NaiveDate::from_ymd_opt(2026, 2, 1 + offset).unwrap();
    let mut csv = String::from("mpan_core,channel,interval_start,value,status,run\n");
    for (p, start) in all_periods_utc(SettlementDate(date)) {
        csv.push_str(&format!("{mpan},AI,{},{}.5,A,SF\n", start.to_rfc3339(), p.get()));
    }
    let boundary = "matrix-boundary-9f3c";
    let name = match t {
        Tenant::Own => "own.csv",
        Tenant::Other => "other.csv",
    };
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    );
    let rows_before: i64 = sqlx::query_scalar("SELECT count(*) FROM hh_day")
        .fetch_one(db)
        .await
        .unwrap();
    let mut req = Request::post("/admin/imports/upload")
        .header("host", "localhost")
        .header("origin", "http://localhost")
        .header("sec-fetch-site", "same-origin")
        .header(header::ACCEPT, "application/x-ndjson")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        );
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let res = send(app, req.body(Body::from(body)).unwrap()).await;
    let what = format!("{caller:?} POST /admin/imports/upload {t:?}");
    assert_eq!(
        res.status,
        expected("/admin/imports/upload", caller, Some(t)),
        "{what}: {}",
        res.body
    );
    let rows_after: i64 = sqlx::query_scalar("SELECT count(*) FROM hh_day")
        .fetch_one(db)
        .await
        .unwrap();
    if res.status != StatusCode::OK {
        assert_eq!(rows_after, rows_before, "{what}: nothing written");
        return;
    }
    let outcome = res
        .body
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|e| e["event"] == "finished")
        .unwrap_or_else(|| panic!("{what}: no result in {}", res.body))["entry"]["outcome"]
        .as_str()
        .unwrap()
        .to_owned();
    if !caller.sees_every_tenant() {
        assert!(!res.body.contains("Riverside"), "{what} leaked Riverside data");
    }
    let refused = t == Tenant::Other && !caller.sees_every_tenant();
    if refused {
        assert_eq!(outcome, "rejected", "{what}");
        assert!(
            res.body
                .contains(&format!("unknown MPAN {mpan}: not a supply point in the portal")),
            "{what}"
        );
        assert_eq!(rows_after, rows_before, "{what}: nothing written");
    } else {
        assert_eq!(outcome, "imported", "{what}");
        assert_eq!(rows_after, rows_before + 1, "{what}");
    }
}

/// An open query on a whole invoice, raised by its organisation's admin, with its first message.
async fn query_on(db: &PgPool, invoice: i64) -> i64 {
    sqlx::query_scalar(
        "WITH q AS (
             INSERT INTO invoice_queries (organisation_id, invoice_id, raised_by)
             SELECT i.organisation_id, i.id, u.id FROM invoices i
             JOIN users u ON u.organisation_id = i.organisation_id AND u.role = 'customer_admin'
             WHERE i.id = $1 ORDER BY u.id LIMIT 1 RETURNING id, organisation_id, raised_by)
         INSERT INTO invoice_query_messages (query_id, organisation_id, author_user_id, author_name, author_role, kind, body)
         SELECT id, organisation_id, raised_by, 'Admin', 'customer_admin', 'raised', 'Is this right?' FROM q
         RETURNING query_id",
    )
    .bind(invoice)
    .fetch_one(db)
    .await
    .unwrap()
}

async fn queries_on(db: &PgPool, invoice: i64, n: usize) -> Vec<i64> {
    let mut ids = Vec::with_capacity(n);
    for _ in 0..n {
        ids.push(query_on(db, invoice).await);
    }
    ids
}

static NEXT_RESOLVE: [std::sync::atomic::AtomicUsize; 2] = [
    std::sync::atomic::AtomicUsize::new(0),
    std::sync::atomic::AtomicUsize::new(0),
];

/// The next query of the tenant's pool for the resolve row.
fn next_to_resolve(ids: &Ids, t: Tenant) -> i64 {
    let (pool, next) = match t {
        Tenant::Own => (&ids.own_queries_to_resolve, &NEXT_RESOLVE[0]),
        Tenant::Other => (&ids.other_queries_to_resolve, &NEXT_RESOLVE[1]),
    };
    pool[next.fetch_add(1, std::sync::atomic::Ordering::Relaxed)]
}

/// A customer user of `org` who has never signed in (a password nobody knows).
async fn customer_user_in(db: &PgPool, org: &str, email: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO users (email, display_name, role, organisation_id, password_hash, all_sites)
         SELECT $2, 'Colleague', 'customer_user', id, 'not-a-hash', true FROM organisations WHERE name = $1
         RETURNING id",
    )
    .bind(org)
    .bind(email)
    .fetch_one(db)
    .await
    .unwrap()
}

static NEXT_EMAIL: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);

/// The URI (pages) or form (server fns) of a row for a tenant; `None` when the row names none.
fn page_uri(path: &str, t: Option<Tenant>, ids: &Ids) -> String {
    let Some(t) = t else {
        return path.to_owned();
    };
    match path {
        "/sites" => format!("/sites?site={}", ids.pick(t, |i| i.own_site, |i| i.other_site)),
        "/consumption" => format!(
            "/consumption?sp={}&range=30d&run=best",
            ids.pick(t, |i| i.own_point, |i| i.other_point)
        ),
        "/analysis" | "/analysis/chart.svg" | "/analysis/table.csv" => format!(
            "{path}?view=demand&sp={}",
            ids.pick(t, |i| i.own_point, |i| i.other_point)
        ),
        "/invoices" => format!(
            "/invoices?invoice={}",
            ids.pick(t, |i| i.own_invoice, |i| i.other_invoice)
        ),
        "/invoices/{id}/pdf" => format!(
            "/invoices/{}/pdf",
            ids.pick(t, |i| i.own_invoice, |i| i.other_invoice)
        ),
        "/invoices/export.csv" | "/invoices/lines.csv" => format!(
            "{path}?status=issued&site={}",
            ids.pick(t, |i| i.own_site, |i| i.other_site)
        ),
        "/consumption/export.csv" => format!(
            "{path}?sp={}&from=2026-01-01&to=2026-01-31&channels=AI,RI&run=best&form=long",
            ids.pick(t, |i| i.own_point, |i| i.other_point)
        ),
        "/queries" => format!(
            "/queries?query={}",
            ids.pick(t, |i| i.own_query, |i| i.other_query)
        ),
        other => panic!("no tenant link for page {other}: add it to the matrix"),
    }
}

fn server_fn_body(path: &str, t: Option<Tenant>, ids: &Ids) -> String {
    match (path, t) {
        (
            "/api/sites/list"
            | "/api/me"
            | "/api/login/pending"
            | "/api/login/link"
            | "/api/admin/overview"
            | "/api/invoices/list"
            | "/api/contracts/list"
            | "/api/validation/list"
            | "/api/consumption/points"
            | "/api/consumption/portfolio"
            | "/api/queries/list"
            | "/api/customers/overview"
            | "/api/alerts/view",
            None,
        ) => String::new(),
        // Acknowledging an alert that is already acknowledged answers 200 as well.
        ("/api/alerts/acknowledge", Some(t)) => format!(
            "ids={}",
            ids.pick(t, |i| i.own_alert, |i| i.other_alert)
        ),
        ("/api/alerts/subscriptions", None) => "capacity=on&data_gap=on".to_string(),
        // Assigning the account manager Castlegate already has, or nobody to Riverside (which has
        // none): the assignments the later rows rely on stay as they are.
        ("/api/customers/account-manager", Some(Tenant::Own)) => {
            format!("organisation_id={}&account_manager={}", ids.own_org, ids.account_manager)
        }
        ("/api/customers/account-manager", Some(Tenant::Other)) => {
            format!("organisation_id={}&account_manager=", ids.other_org)
        }
        ("/api/validation/invoice", Some(t)) => format!(
            "invoice_id={}",
            ids.pick(t, |i| i.own_invoice, |i| i.other_invoice)
        ),
        ("/api/queries/detail", Some(t)) => format!(
            "query_id={}",
            ids.pick(t, |i| i.own_query, |i| i.other_query)
        ),
        ("/api/queries/invoice", Some(t)) => format!(
            "invoice_id={}",
            ids.pick(t, |i| i.own_invoice, |i| i.other_invoice)
        ),
        ("/api/queries/raise", Some(t)) => format!(
            "invoice_id={}&message=Why+is+this+so+high%3F",
            ids.pick(t, |i| i.own_invoice, |i| i.other_invoice)
        ),
        ("/api/queries/reply", Some(t)) => format!(
            "query_id={}&message=Any+news%3F",
            ids.pick(t, |i| i.own_query, |i| i.other_query)
        ),
        // Explained: crediting needs a shadow bill (contract and HH data), which these invoices
        // lack; tests/invoice_queries.rs covers it.
        ("/api/queries/resolve", Some(t)) => format!(
            "query_id={}&resolution=explained&message=Correct+as+billed",
            next_to_resolve(ids, t)
        ),
        ("/api/invoices/detail", Some(t)) => format!(
            "invoice_id={}",
            ids.pick(t, |i| i.own_invoice, |i| i.other_invoice)
        ),
        // A list argument travels as indexed keys; the span as a preset or as dates.
        ("/api/consumption/view", Some(t)) => format!(
            "supply_point_ids%5B0%5D={}&from=2026-01-01&to=2026-01-31&unit=kva&run=best",
            ids.pick(t, |i| i.own_point, |i| i.other_point)
        ),
        // A struct argument travels as bracketed keys (serde_qs): query[view]=…&query[sp]=…
        ("/api/analysis/view", Some(t)) => format!(
            "query%5Bview%5D=bands&query%5Bsp%5D={}",
            ids.pick(t, |i| i.own_point, |i| i.other_point)
        ),
        ("/api/imports/history", Some(t)) => format!(
            "entries%5B0%5D={}",
            ids.pick(t, |i| i.own_import, |i| i.other_import)
        ),
        ("/api/sites/detail", Some(t)) => {
            format!("site_id={}", ids.pick(t, |i| i.own_site, |i| i.other_site))
        }
        ("/api/admin/user-disabled", Some(t)) => format!(
            "user_id={}&disabled=false",
            ids.pick(t, |i| i.own_user, |i| i.other_user)
        ),
        // Enabling a user who is enabled changes nothing, so later rows still sign in.
        ("/api/admin/customer-user-disabled", Some(t)) => format!(
            "user_id={}&disabled=false",
            ids.pick(t, |i| i.own_user, |i| i.other_user)
        ),
        // Granting the customer user the sites they already have keeps the later checks meaningful.
        // A list argument travels as indexed keys (serde_qs): site_ids[0]=…&site_ids[1]=…
        ("/api/admin/user-sites", Some(Tenant::Own)) => format!(
            "user_id={}&site_ids%5B0%5D={}&site_ids%5B1%5D={}",
            ids.own_user, ids.own_site, ids.own_site_2
        ),
        ("/api/admin/user-sites", Some(Tenant::Other)) => {
            format!(
                "user_id={}&site_ids%5B0%5D={}",
                ids.other_customer_user, ids.other_site
            )
        }
        ("/api/admin/users", Some(t)) => format!(
            "organisation_id={}",
            ids.pick(t, |i| i.own_org, |i| i.other_org)
        ),
        // An invitation to every site of the organisation named; the e-mail goes to the sink.
        ("/api/admin/user-invite", Some(t)) => format!(
            "organisation_id={}&email=invited-{}%40example.com&display_name=Invited+Colleague&role=customer_user&all_sites=true",
            ids.pick(t, |i| i.own_org, |i| i.other_org),
            NEXT_EMAIL.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ),
        ("/api/admin/user-reinvite", Some(t)) => format!(
            "user_id={}",
            ids.pick(t, |i| i.own_invitee, |i| i.other_invitee)
        ),
        // Each user keeps the role they have, so later rows sign in as before.
        ("/api/admin/user-role", Some(Tenant::Own)) => {
            format!("user_id={}&role=customer_user", ids.own_user)
        }
        ("/api/admin/user-role", Some(Tenant::Other)) => {
            format!("user_id={}&role=customer_admin", ids.other_user)
        }
        // No tenant in the request: a customer admin always adds to their own organisation.
        ("/api/admin/user-create", None) => format!(
            "email=new-{}%40castlegate.example&display_name=New+Colleague&role=customer_user&password=a-long-first-password",
            NEXT_EMAIL.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ),
        (other, t) => panic!("no request for server fn {other} ({t:?}): add it to the matrix"),
    }
}

/// The one status each caller gets from each row, per tenant where the row names one.
fn expected(path: &str, c: Caller, t: Option<Tenant>) -> StatusCode {
    use Caller::*;
    use StatusCode as S;
    // Operations admins see every customer: there is no "other tenant" for them.
    let other = t == Some(Tenant::Other) && !c.sees_every_tenant();
    let own_or_404 = if other { S::NOT_FOUND } else { S::OK };
    match path {
        // Plain routes: forms answer with redirects whoever calls.
        "/healthz" => S::OK,
        "/auth/login" | "/auth/logout" | "/auth/password" | "/auth/view-as/end" => S::SEE_OTHER,
        // Staff open the portal of a customer they look after as the customer sees it.
        "/auth/view-as" => match c {
            Anonymous => S::SEE_OTHER,
            CustomerUser | CustomerAdmin => S::FORBIDDEN,
            AccountManager | Ops if other => S::NOT_FOUND,
            AccountManager | Ops => S::SEE_OTHER,
        },
        _ if path.starts_with("/auth/mfa") => S::SEE_OTHER,
        // Uploads are staff-only; without a session the answer is 401 (or, for a browser's form,
        // the login page: tests/upload.rs).
        "/admin/imports/upload" => match c {
            Anonymous => S::UNAUTHORIZED,
            CustomerUser | CustomerAdmin => S::FORBIDDEN,
            AccountManager | Ops => S::OK,
        },
        // The pending sign-in's pages are public (no session exists yet).
        "/login" | "/login/mfa" | "/login/enrol" | "/login/recovery-codes" | "/login/forgot" => S::OK,
        "/welcome" | "/reset-password" => S::NOT_FOUND,
        "/auth/forgot" | "/auth/link" => S::SEE_OTHER,
        _ if path.starts_with("/api/") && c == Anonymous => {
            if path == "/api/me" || path == "/api/login/pending" || path == "/api/login/link" {
                S::OK
            } else {
                S::UNAUTHORIZED
            }
        }
        _ if c == Anonymous => S::SEE_OTHER,
        "/" | "/contracts" | "/bill-validation" | "/account" | "/password" | "/export" | "/alerts" => S::OK,
        // Everyone signed in reads the alerts in their scope, acknowledges them (another
        // customer's are not there for them) and chooses their own e-mails.
        "/api/alerts/view" | "/api/alerts/subscriptions" => S::OK,
        "/api/alerts/acknowledge" => own_or_404,
        "/api/me"
        | "/api/login/pending"
        | "/api/login/link"
        | "/api/sites/list"
        | "/api/invoices/list"
        | "/api/contracts/list"
        | "/api/validation/list"
        | "/api/consumption/points"
        | "/api/consumption/portfolio"
        | "/api/queries/list" => S::OK,
        "/sites" | "/consumption" | "/invoices" | "/queries" => own_or_404,
        "/api/sites/detail"
        | "/api/invoices/detail"
        | "/api/validation/invoice"
        | "/api/consumption/view"
        | "/api/analysis/view" => own_or_404,
        "/analysis" | "/analysis/chart.svg" | "/analysis/table.csv" => own_or_404,
        "/invoices/{id}/pdf" | "/invoices/export.csv" | "/invoices/lines.csv" | "/consumption/export.csv" => {
            own_or_404
        }
        // Everyone signed in reads and answers the queries they may see.
        "/api/queries/detail" | "/api/queries/invoice" | "/api/queries/reply" => own_or_404,
        // Customers raise queries; staff resolve them.
        "/api/queries/raise" => match c {
            CustomerUser | CustomerAdmin => own_or_404,
            _ => S::FORBIDDEN,
        },
        "/api/queries/resolve" => match c {
            AccountManager | Ops => own_or_404,
            _ => S::FORBIDDEN,
        },
        "/customers" | "/api/customers/overview" => match c {
            AccountManager | Ops => S::OK,
            _ => S::FORBIDDEN,
        },
        "/api/customers/account-manager" => match c {
            Ops => own_or_404,
            _ => S::FORBIDDEN,
        },
        "/admin" | "/api/admin/overview" => {
            if c == CustomerUser {
                S::FORBIDDEN
            } else {
                S::OK
            }
        }
        // Imports are for staff; an entry naming another customer is not there for an account
        // manager.
        "/admin/imports" => match c {
            AccountManager | Ops => S::OK,
            _ => S::FORBIDDEN,
        },
        "/api/imports/history" => match c {
            AccountManager | Ops => own_or_404,
            _ => S::FORBIDDEN,
        },
        "/api/admin/user-create" => {
            if c == CustomerAdmin {
                S::OK
            } else {
                S::FORBIDDEN
            }
        }
        // Staff act on the users of the customers they look after (operations: every customer).
        "/api/admin/customer-user-disabled" => match c {
            AccountManager | Ops => own_or_404,
            _ => S::FORBIDDEN,
        },
        "/api/admin/user-disabled" => match c {
            // The other tenant's user is not there for a customer admin.
            CustomerAdmin => own_or_404,
            _ => S::FORBIDDEN,
        },
        // Customer admins manage their own organisation's users (another's are not there for
        // them); operations admins any customer's; account managers and customer users none.
        "/api/admin/user-sites"
        | "/api/admin/users"
        | "/api/admin/user-invite"
        | "/api/admin/user-reinvite"
        | "/api/admin/user-role" => match c {
            CustomerAdmin | Ops => own_or_404,
            _ => S::FORBIDDEN,
        },
        other => panic!("no expectation for {other}: add it to the matrix"),
    }
}

fn tenants(row: &Row) -> Vec<Option<Tenant>> {
    if row.names_a_tenant {
        vec![Some(Tenant::Own), Some(Tenant::Other)]
    } else {
        vec![None]
    }
}

fn session_cookie_of(reply: &Reply) -> Option<String> {
    reply
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("__Host-portal_session=ey"))
        .map(|c| c.split(';').next().unwrap().to_owned())
}

fn clears_the_session_cookie(reply: &Reply) -> bool {
    reply
        .set_cookies()
        .iter()
        .any(|c| c.starts_with("__Host-portal_session=;") && c.contains("Max-Age=0"))
}

/// Who a cookie signs in as, according to the app (`None`: not signed in).
async fn signed_in_as(app: &axum::Router, cookie: &str) -> Option<String> {
    let me = call_as(app, "/api/me", "", Some(cookie)).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    me.json()["email"].as_str().map(str::to_owned)
}

/// What a page shows in place of a record the caller may not see (`ErrorNotice` of `NotFound`).
const NOT_FOUND_NOTICE: &str = "state--error\">Not found.";

const NEW_PASSWORD: &str = "a-new-password-for-the-matrix";

fn password_form(current: &str, new: &str) -> String {
    format!(
        "current_password={}&new_password={}",
        form_encode(current),
        form_encode(new)
    )
}

/// Calls one plain `/auth/*` row and asserts what its answer means, beyond the status.
async fn check_auth_row(
    app: &axum::Router,
    path: &str,
    caller: Caller,
    t: Option<Tenant>,
    cookie: Option<&str>,
    ids: &Ids,
) {
    let want = expected(path, caller, t);
    match path {
        "/auth/login" => {
            // An anonymous visitor signs in as the customer admin; a signed-in caller as themself
            // (own) or as another tenant's user (other): the new session is whoever signed in.
            let email = match t {
                Some(Tenant::Own) => caller.email().unwrap_or(CUSTOMER_ADMIN),
                Some(Tenant::Other) => OTHER_ADMIN,
                None => unreachable!("the login row names a tenant"),
            };
            let form = format!(
                "email={}&password={}&next=%2Fsites",
                form_encode(email),
                form_encode(PASSWORD)
            );
            let res = call_as(app, path, &form, cookie).await;
            assert_eq!(res.status, want, "{caller:?} POST {path} {t:?}");
            // Staff pass their second factor first; no session exists before it.
            if matches!(caller, Caller::AccountManager | Caller::Ops) && t == Some(Tenant::Own) {
                assert_eq!(res.location(), "/login/mfa", "{caller:?} is asked for a code");
                assert_eq!(
                    session_cookie_of(&res),
                    None,
                    "{caller:?} no session before the code"
                );
            }
            let res = pass_second_factor(app, email, res).await;
            assert_eq!(res.location(), "/sites", "{caller:?} login goes to next");
            let session = session_cookie_of(&res).expect("a session cookie");
            assert_eq!(signed_in_as(app, &session).await.as_deref(), Some(email));
        }
        "/auth/logout" => {
            // A session of its own, so the caller's main one lives on for the password row.
            let session = match caller.email() {
                Some(e) => Some(login(app, e).await),
                None => None,
            };
            let res = call_as(app, path, "", session.as_deref()).await;
            assert_eq!(res.status, want, "{caller:?} POST {path}");
            assert_eq!(res.location(), "/login?signed_out=1");
            assert!(
                clears_the_session_cookie(&res),
                "{caller:?} logout clears the cookie"
            );
            if let Some(s) = session {
                assert_eq!(signed_in_as(app, &s).await, None, "{caller:?} session ended");
            }
            if let Some(c) = cookie {
                assert!(signed_in_as(app, c).await.is_some(), "other sessions live on");
            }
        }
        "/auth/password" => {
            let res = call_as(app, path, &password_form(PASSWORD, NEW_PASSWORD), cookie).await;
            assert_eq!(res.status, want, "{caller:?} POST {path}");
            let Some(email) = caller.email() else {
                assert_eq!(res.location(), "/login");
                return;
            };
            assert_eq!(res.location(), "/login?changed=1", "{caller:?}");
            assert!(clears_the_session_cookie(&res));
            assert_eq!(signed_in_as(app, cookie.unwrap()).await, None, "sessions end");
            assert!(try_login(app, email, PASSWORD)
                .await
                .location()
                .starts_with("/login?error=invalid"));
            let fresh = login_with(app, email, NEW_PASSWORD).await;
            // Back to the demo password for the checks after the matrix.
            let back = call_as(app, path, &password_form(NEW_PASSWORD, PASSWORD), Some(&fresh)).await;
            assert_eq!(back.location(), "/login?changed=1");
        }
        "/auth/forgot" => {
            // Whoever asks, for whichever address: the same answer, and no session.
            for email in [CUSTOMER_ADMIN, "nobody@nowhere.example"] {
                let res = call_as(app, path, &format!("email={}", form_encode(email)), cookie).await;
                assert_eq!(res.status, want, "{caller:?} POST {path} {email}");
                assert_eq!(
                    res.location(),
                    "/login/forgot?sent=1",
                    "{caller:?} POST {path} {email}"
                );
                assert_eq!(session_cookie_of(&res), None);
            }
        }
        "/auth/link" => {
            // A token that is not one of ours: back to the page, which says so; nothing changes.
            let token = "0".repeat(64);
            let form = format!(
                "token={token}&new_password=a-long-new-password&confirm_password=a-long-new-password"
            );
            let res = call_as(app, path, &form, cookie).await;
            assert_eq!(res.status, want, "{caller:?} POST {path}");
            assert_eq!(
                res.location(),
                format!("/reset-password?token={token}&error=link"),
                "{caller:?} POST {path}"
            );
            assert_eq!(session_cookie_of(&res), None);
        }
        "/auth/mfa" | "/auth/mfa/enrol" | "/auth/mfa/continue" => {
            // No pending sign-in: back to the password, and no session is made.
            let res = call_as(app, path, "code=123456", cookie).await;
            assert_eq!(res.status, want, "{caller:?} POST {path}");
            assert_eq!(res.location(), "/login?error=expired", "{caller:?} POST {path}");
            assert_eq!(session_cookie_of(&res), None);
        }
        "/auth/mfa/setup" => {
            let res = call_as(app, path, "", cookie).await;
            assert_eq!(res.status, want, "{caller:?} POST {path}");
            let goes_to = match caller {
                Caller::Anonymous => "/login",
                // Staff enrolled at sign-in.
                Caller::AccountManager | Caller::Ops => "/account?mfa_error=already",
                Caller::CustomerUser | Caller::CustomerAdmin => "/login/enrol",
            };
            assert_eq!(res.location(), goes_to, "{caller:?} POST {path}");
            if let Some(c) = cookie {
                assert!(signed_in_as(app, c).await.is_some(), "the session lives on");
            }
        }
        "/auth/mfa/remove" => {
            let res = call_as(app, path, "password=not-my-password", cookie).await;
            assert_eq!(res.status, want, "{caller:?} POST {path}");
            let goes_to = match caller {
                Caller::Anonymous => "/login",
                Caller::AccountManager | Caller::Ops => "/account?mfa_error=required",
                Caller::CustomerUser | Caller::CustomerAdmin => "/account?mfa_error=password",
            };
            assert_eq!(res.location(), goes_to, "{caller:?} POST {path}");
        }
        "/auth/view-as" => {
            // A session of its own, so the caller's main one stays their own view.
            let org = match t {
                Some(t) => ids.pick(t, |i| i.own_org, |i| i.other_org),
                None => unreachable!("the view-as row names a tenant"),
            };
            let session = match caller.email() {
                Some(e) => Some(login(app, e).await),
                None => None,
            };
            let form = format!("organisation_id={org}&next=%2Finvoices");
            let res = call_as(app, path, &form, session.as_deref()).await;
            assert_eq!(res.status, want, "{caller:?} POST {path} {t:?}: {}", res.body);
            match (caller, res.status) {
                (Caller::Anonymous, _) => assert_eq!(res.location(), "/login"),
                (_, StatusCode::SEE_OTHER) => {
                    let s = session.as_deref().unwrap();
                    assert_eq!(res.location(), "/invoices", "{caller:?}");
                    let me = call_as(app, "/api/me", "", Some(s)).await.json();
                    assert_eq!(me["viewing_as"], true, "{caller:?} views as the customer");
                    let end = call_as(app, "/auth/view-as/end", "", Some(s)).await;
                    assert_eq!(end.location(), "/customers");
                    let me = call_as(app, "/api/me", "", Some(s)).await.json();
                    assert_eq!(me["viewing_as"], false, "{caller:?} back to their own view");
                }
                _ => {
                    let me = call_as(app, "/api/me", "", session.as_deref()).await.json();
                    assert_eq!(me["viewing_as"], false, "{caller:?} refused: nothing changed");
                }
            }
            if let Some(c) = cookie {
                let me = call_as(app, "/api/me", "", Some(c)).await.json();
                assert_eq!(me["viewing_as"], false, "other sessions are untouched");
            }
        }
        "/auth/view-as/end" => {
            // Not viewing as anyone: ending is harmless and leads to the staff home (or sign-in).
            let res = call_as(app, path, "", cookie).await;
            assert_eq!(res.status, want, "{caller:?} POST {path}");
            let goes_to = if caller == Caller::Anonymous {
                "/login"
            } else {
                "/customers"
            };
            assert_eq!(res.location(), goes_to, "{caller:?} POST {path}");
        }
        other => panic!("no check for {other}"),
    }
}

#[tokio::test]
async fn the_matrix_has_a_row_for_every_route_and_no_other() {
    // Assembling the router sets up Leptos's executor, which listing the routes needs; the server
    // fns it mounts are the ones `server_fn_paths` lists.
    let nowhere = sqlx::postgres::PgConnectOptions::new().host("127.0.0.1").port(9);
    let state = app::state::AppState {
        leptos_options: leptos::config::LeptosOptions::builder()
            .output_name("ic-portal")
            .build(),
        db: server::db::app_pool(nowhere, 1, "portal_app"),
    };
    let _ = server::router::app(state, &config());
    let pages = leptos_axum::generate_route_list(app::shell::App)
        .into_iter()
        .map(|r| ("GET".to_owned(), r.path().to_owned()));
    let server_fns = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, method)| (method.to_string(), path.to_owned()));
    let plain = server::router::PLAIN_ROUTES
        .into_iter()
        .map(|r| (r.method().to_string(), r.path().to_owned()));
    let served: BTreeSet<(String, String)> = pages.chain(server_fns).chain(plain).collect();

    let rows: Vec<(String, String)> = MATRIX
        .iter()
        .map(|r| (r.method.to_owned(), r.path.to_owned()))
        .collect();
    let in_matrix: BTreeSet<(String, String)> = rows.iter().cloned().collect();
    assert_eq!(rows.len(), in_matrix.len(), "a route has two rows");
    let missing: Vec<_> = served.difference(&in_matrix).collect();
    let stale: Vec<_> = in_matrix.difference(&served).collect();
    assert!(missing.is_empty(), "routes without a matrix row: {missing:?}");
    assert!(
        stale.is_empty(),
        "matrix rows for routes the router does not serve: {stale:?}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn every_role_against_own_and_other_tenant(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let ids = Ids {
        own_site: site_id(&db, "Felixstowe Cold Store").await,
        own_site_2: site_id(&db, "Leicester Works").await,
        own_site_not_granted: site_id(&db, "Castlegate House").await,
        other_site: site_id(&db, "Riverside Leisure Centre").await,
        own_user: user_id(&db, CUSTOMER_USER).await,
        other_user: user_id(&db, OTHER_ADMIN).await,
        other_customer_user: customer_user_in(&db, "Riverside Leisure Ltd", "staff@riverside.example").await,
        own_invitee: customer_user_in(&db, "Castlegate Group Ltd", "invitee@castlegate.example").await,
        other_invitee: customer_user_in(&db, "Riverside Leisure Ltd", "invitee@riverside.example").await,
        own_org: id_of(
            &db,
            "SELECT id FROM organisations WHERE name = $1",
            "Castlegate Group Ltd",
        )
        .await,
        other_org: id_of(
            &db,
            "SELECT id FROM organisations WHERE name = $1",
            "Riverside Leisure Ltd",
        )
        .await,
        own_invoice: invoice_for(&db, "Castlegate Group Ltd", "T-1").await,
        other_invoice: invoice_for(&db, "Riverside Leisure Ltd", "T-2").await,
        own_point: point_at(&db, "Felixstowe Cold Store").await,
        other_point: point_at(&db, "Riverside Leisure Centre").await,
        own_query: 0,
        other_query: 0,
        own_queries_to_resolve: Vec::new(),
        other_queries_to_resolve: Vec::new(),
        account_manager: user_id(&db, ACCOUNT_MANAGER).await,
        own_import: import_entry(&db, "Castlegate Group Ltd").await,
        other_import: import_entry(&db, "Riverside Leisure Ltd").await,
        own_alert: alert_at(&db, "Felixstowe Cold Store").await,
        other_alert: alert_at(&db, "Riverside Leisure Centre").await,
        own_mpan: mpan_at(&db, "Felixstowe Cold Store").await,
        other_mpan: mpan_at(&db, "Riverside Leisure Centre").await,
    };
    let ids = Ids {
        own_query: query_on(&db, ids.own_invoice).await,
        other_query: query_on(&db, ids.other_invoice).await,
        own_queries_to_resolve: queries_on(&db, ids.own_invoice, CALLERS.len()).await,
        other_queries_to_resolve: queries_on(&db, ids.other_invoice, CALLERS.len()).await,
        ..ids
    };
    for caller in CALLERS {
        let cookie = match caller.email() {
            Some(e) => Some(login(&app, e).await),
            None => None,
        };
        let cookie = cookie.as_deref();
        let (last, first): (Vec<&Row>, Vec<&Row>) = MATRIX.iter().partition(|r| ends_sessions(r));
        for row in first.into_iter().chain(last) {
            for t in tenants(row) {
                let want = expected(row.path, caller, t);
                let what = format!("{caller:?} {} {} {t:?}", row.method, row.path);
                if row.path.starts_with("/auth/") {
                    check_auth_row(&app, row.path, caller, t, cookie, &ids).await;
                    continue;
                }
                if row.path == "/admin/imports/upload" {
                    check_upload_row(&app, &db, caller, t, cookie, &ids).await;
                    continue;
                }
                let res = if row.method == "GET" {
                    let uri = if row.path == "/healthz" {
                        row.path.to_owned()
                    } else {
                        page_uri(row.path, t, &ids)
                    };
                    let res = get_as(&app, &uri, cookie).await;
                    if want == StatusCode::SEE_OTHER {
                        assert_eq!(
                            res.location(),
                            format!("/login?next={}", url_encode(&uri)),
                            "{what}"
                        );
                    }
                    res
                } else {
                    call_as(&app, row.path, &server_fn_body(row.path, t, &ids), cookie).await
                };
                assert_eq!(res.status, want, "{what}: {}", res.body);
                let refused = t == Some(Tenant::Other) && !caller.sees_every_tenant();
                if is_download(row.path) && caller != Caller::Anonymous && refused {
                    assert_eq!(
                        res.body, "Not found.",
                        "{what}: a refused download says only that"
                    );
                }
                if row.method == "GET" && t.is_some() && caller != Caller::Anonymous && !is_download(row.path)
                {
                    let hidden = t == Some(Tenant::Other) && !caller.sees_every_tenant();
                    assert_eq!(
                        res.body.contains(NOT_FOUND_NOTICE),
                        hidden,
                        "{what}: the not-found notice shows exactly when the record is another tenant's"
                    );
                }
                if res.status == StatusCode::OK && caller != Caller::Anonymous && !caller.sees_every_tenant()
                {
                    assert!(!res.body.contains("Riverside"), "{what} leaked Riverside data");
                }
            }
        }
    }
    // The restricted customer user cannot open a site of their own company they were not given.
    let user = login(&app, CUSTOMER_USER).await;
    let res = call_as(
        &app,
        "/api/sites/detail",
        &format!("site_id={}", ids.own_site_not_granted),
        Some(&user),
    )
    .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let list = call_as(&app, "/api/sites/list", "", Some(&user)).await.json();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Felixstowe Cold Store", "Leicester Works"]);
    // The account manager sees exactly the assigned customer.
    let am = login(&app, ACCOUNT_MANAGER).await;
    let list = call_as(&app, "/api/sites/list", "", Some(&am)).await.json();
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["organisation"] == "Castlegate Group Ltd"));
    assert_eq!(list.as_array().unwrap().len(), 6);
    // The one user the customer admin added belongs to Castlegate.
    let added: Vec<(String, Option<i64>)> =
        sqlx::query_as("SELECT email, organisation_id FROM users WHERE email LIKE 'new-%' ORDER BY email")
            .fetch_all(&db)
            .await
            .unwrap();
    let castlegate = id_of(
        &db,
        "SELECT id FROM organisations WHERE name = $1",
        "Castlegate Group Ltd",
    )
    .await;
    assert_eq!(added.len(), 1, "only the customer admin may add users");
    assert_eq!(added[0].1, Some(castlegate));
}
