//! HH uploads through the portal (`POST /admin/imports/upload`): the CLI's importer behind a
//! streamed multipart route. A good file imports and reports the CLI's summary, a bad one the CLI's
//! bad lines with nothing written, re-uploading changes nothing, an oversized body is 413 before
//! anything is written, customers and cross-site posts are refused, an account manager's MPANs
//! resolve within their customers only, and the form without JavaScript ends on the results page.
mod common;

use app::api::imports::UploadEvent;
use app::domain::import_upload::ImportOutcome;
use app::domain::settlement_time::{all_periods_utc, SettlementDate};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::NaiveDate;
use common::*;
use sqlx::PgPool;

const BOUNDARY: &str = "----portal-test-boundary-7MA4YWxkTrZu0gW";
const HEADER: &str = "mpan_core,channel,interval_start,value,status,run\n";

async fn mpan(db: &PgPool, site: &str) -> String {
    sqlx::query_scalar(
        "SELECT sp.mpan_core FROM supply_points sp JOIN sites s ON s.id = sp.site_id WHERE s.name = $1
         ORDER BY sp.mpan_core LIMIT 1",
    )
    .bind(site)
    .fetch_one(db)
    .await
    .unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A whole day of one channel and run, values = period × `k` kWh.
fn day_csv(mpan: &str, channel: &str, date: NaiveDate, run: &str, k: f64) -> String {
    let mut s = String::new();
    for (p, start) in all_periods_utc(SettlementDate(date)) {
        s.push_str(&format!(
            "{mpan},{channel},{},{:.3},A,{run}\n",
            start.to_rfc3339(),
            f64::from(p.get()) * k
        ));
    }
    s
}

/// A multipart body with each (file name, content) as a `files` part.
fn multipart(files: &[(&str, &str)]) -> String {
    let mut body = String::new();
    for (name, content) in files {
        body.push_str(&format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n\
             Content-Type: text/csv\r\n\r\n{content}\r\n"
        ));
    }
    body.push_str(&format!("--{BOUNDARY}--\r\n"));
    body
}

fn upload_request(cookie: Option<&str>, accept: &str, body: Body, length: Option<usize>) -> Request<Body> {
    let mut req = Request::post("/admin/imports/upload")
        .header("host", "localhost")
        .header("origin", "http://localhost")
        .header("sec-fetch-site", "same-origin")
        .header(header::ACCEPT, accept)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        );
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    if let Some(n) = length {
        req = req.header(header::CONTENT_LENGTH, n);
    }
    req.body(body).unwrap()
}

/// Uploads as the progress bar does (NDJSON answer).
async fn upload(app: &axum::Router, cookie: Option<&str>, files: &[(&str, &str)]) -> Reply {
    let body = multipart(files);
    let len = body.len();
    send(
        app,
        upload_request(cookie, "application/x-ndjson", Body::from(body), Some(len)),
    )
    .await
}

fn events(reply: &Reply) -> Vec<UploadEvent> {
    reply
        .body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not an event ({e}): {l}")))
        .collect()
}

/// The entries of the `Finished` events, in file order.
fn finished(reply: &Reply) -> Vec<app::api::imports::ImportEntry> {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    events(reply)
        .into_iter()
        .filter_map(|e| match e {
            UploadEvent::Finished { entry, .. } => Some(*entry),
            _ => None,
        })
        .collect()
}

async fn count(db: &PgPool, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(db)
        .await
        .unwrap()
}

/// Nothing of any upload was kept: no HH rows, no batch, no history.
async fn assert_nothing_written(db: &PgPool, what: &str) {
    assert_eq!(count(db, "hh_day").await, 0, "{what}: HH rows");
    assert_eq!(count(db, "hh_daily_best").await, 0, "{what}: daily totals");
    assert_eq!(count(db, "import_batches").await, 0, "{what}: batches");
    assert_eq!(count(db, "import_history").await, 0, "{what}: history");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_good_file_imports_with_the_clis_summary_and_again_changes_nothing(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let am = login(&app, ACCOUNT_MANAGER).await;
    let m = mpan(&db, "Castlegate House").await;
    let csv = format!(
        "{HEADER}{}{}",
        day_csv(&m, "AI", day(2026, 1, 14), "SF", 1.5),
        day_csv(&m, "RI", day(2026, 1, 14), "SF", 0.2)
    );
    let reply = upload(&app, Some(&am), &[("castlegate jan.csv", &csv)]).await;
    assert_eq!(
        reply.headers[header::CONTENT_TYPE],
        "application/x-ndjson",
        "{}",
        reply.body
    );
    let all = events(&reply);
    assert!(
        matches!(&all[0], UploadEvent::Received { files } if files.len() == 1 && files[0].name == "castlegate jan.csv" && files[0].bytes == csv.len() as u64),
        "{all:?}"
    );
    assert!(
        matches!(all.last(), Some(UploadEvent::Done { entries }) if entries.len() == 1),
        "{all:?}"
    );
    let entry = finished(&reply).remove(0);
    assert_eq!(entry.outcome, ImportOutcome::Imported);
    assert_eq!(
        entry.report.as_deref(),
        Some("castlegate jan.csv: 96 rows, 96 values, 1 supply point(s), 2026-01-14 to 2026-01-14, runs SF; 2 new day-rows, 0 already present"),
        "the CLI's summary line"
    );
    assert_eq!((entry.rows, entry.supply_points, entry.days), (96, 1, 1));
    assert_eq!(entry.runs, vec!["SF"]);
    assert_eq!(entry.customers, vec!["Castlegate Group Ltd"]);
    assert_eq!(entry.uploaded_by, ACCOUNT_MANAGER);
    assert_eq!(count(&db, "hh_day").await, 2);
    let total: i64 = sqlx::query_scalar("SELECT day_total FROM hh_day WHERE channel = 1")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(total, (1..=48).map(|p| p * 1500).sum::<i64>(), "exact Wh");
    let (batch, orgs): (Option<i64>, Vec<i64>) =
        sqlx::query_as("SELECT import_batch_id, organisation_ids FROM import_history")
            .fetch_one(&db)
            .await
            .unwrap();
    assert!(batch.is_some());
    assert_eq!(
        orgs,
        vec![
            id_of(
                &db,
                "SELECT id FROM organisations WHERE name = $1",
                "Castlegate Group Ltd"
            )
            .await
        ]
    );
    let audited: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'import.uploaded'")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(audited, 1, "the upload is in the customer's audit log");

    // Again: nothing changes, and the history says so.
    let again = finished(&upload(&app, Some(&am), &[("castlegate jan.csv", &csv)]).await).remove(0);
    assert_eq!(again.outcome, ImportOutcome::Unchanged);
    assert_eq!(
        again.report.as_deref(),
        Some("castlegate jan.csv: 96 rows, 96 values, 1 supply point(s), 2026-01-14 to 2026-01-14, runs SF; 0 new day-rows, 2 already present (nothing changed)")
    );
    assert_eq!(count(&db, "hh_day").await, 2);
    assert_eq!(
        count(&db, "import_batches").await,
        1,
        "a re-import records no batch"
    );
    assert_eq!(
        count(&db, "import_history").await,
        2,
        "but the upload is in the history"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_bad_file_shows_the_clis_line_errors_and_writes_nothing(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let ops = login(&app, OPS).await;
    let m = mpan(&db, "Castlegate House").await;
    let good = day_csv(&m, "AI", day(2026, 1, 14), "SF", 1.0);
    let csv = format!(
        "{HEADER}{good}1012345678903,AI,2026-01-15T00:00:00Z,1.0,A,SF\n{m},AI,2026-01-15T00:10:00Z,lots,A,SF\n{m},AI,2026-01-16T00:00:00Z,1.0,A,SF\n"
    );
    let reply = upload(
        &app,
        Some(&ops),
        &[("bad.csv", &csv), ("good.csv", &format!("{HEADER}{good}"))],
    )
    .await;
    let entries = finished(&reply);
    assert_eq!(entries.len(), 2);
    let bad = &entries[0];
    assert_eq!(bad.outcome, ImportOutcome::Rejected);
    assert_eq!(bad.error_count, 3);
    // The good file of the same upload is imported on its own.
    assert_eq!(entries[1].outcome, ImportOutcome::Imported);
    assert_eq!(count(&db, "hh_day").await, 1);

    // The report is the CLI's, word for word: the same file through the CLI's function.
    let cli = server::import::import_hh(&db, "bad.csv", std::io::Cursor::new(csv.clone().into_bytes()), ())
        .await
        .expect_err("the CLI rejects it too");
    assert_eq!(bad.report.as_deref(), Some(cli.report().as_str()));
    let report = bad.report.as_deref().unwrap();
    assert!(
        report.starts_with("bad.csv: rejected, nothing imported: 3 bad line(s)"),
        "{report}"
    );
    assert!(
        report.contains("\n  line 50: unknown MPAN 1012345678903: not a supply point in the portal"),
        "{report}"
    );
    assert!(report.contains("\n  line 51: "), "{report}");
    assert!(report.contains("line 52: incomplete day: 2026-01-16"), "{report}");
    assert_eq!(count(&db, "hh_day").await, 1, "nothing of the bad file");
}

#[sqlx::test(migrations = "../migrations")]
async fn an_oversized_upload_is_413_with_the_limit_and_nothing_is_written(db: PgPool) {
    let config = server::config::Config {
        upload_max_bytes: 4_000,
        ..config()
    };
    server::seed::seed_people(&db, 2026).await.unwrap();
    let app = app_with(db.clone(), &config);
    let am = login(&app, ACCOUNT_MANAGER).await;
    let m = mpan(&db, "Castlegate House").await;
    let csv = format!(
        "{HEADER}{}{}",
        day_csv(&m, "AI", day(2026, 1, 14), "SF", 1.0),
        day_csv(&m, "AI", day(2026, 1, 15), "SF", 1.0)
    );
    let body = multipart(&[("big.csv", &csv)]);
    assert!(body.len() > 4_000, "{}", body.len());
    let message =
        "The upload is larger than 4.0 KB, the most the portal takes at once; nothing was imported.";

    // Declared too large: refused before the body is read.
    let len = body.len();
    let res = send(
        &app,
        upload_request(
            Some(&am),
            "application/x-ndjson",
            Body::from(body.clone()),
            Some(len),
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res.body.starts_with(message), "{}", res.body);

    // Sent without a length, in chunks: refused once the limit is passed.
    let chunks: Vec<Result<String, std::io::Error>> = body
        .as_bytes()
        .chunks(1000)
        .map(|c| Ok(String::from_utf8(c.to_vec()).unwrap()))
        .collect();
    let streamed = Body::from_stream(futures::stream::iter(chunks));
    let res = send(
        &app,
        upload_request(Some(&am), "application/x-ndjson", streamed, None),
    )
    .await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res.body.starts_with(message), "{}", res.body);

    // A browser's form gets the same sentence on a page with the way back.
    let res = send(
        &app,
        upload_request(
            Some(&am),
            "text/html,application/xhtml+xml",
            Body::from(body),
            Some(len),
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res.body.contains(message), "{}", res.body);
    assert!(res.body.contains("href=\"/admin/imports\""), "{}", res.body);
    assert_nothing_written(&db, "oversized").await;

    // Within the limit it imports.
    let small = format!("{HEADER}{}", day_csv(&m, "AI", day(2026, 1, 14), "SF", 1.0));
    let entries = finished(&upload(&app, Some(&am), &[("small.csv", &small)]).await);
    assert_eq!(entries[0].outcome, ImportOutcome::Imported);
}

#[sqlx::test(migrations = "../migrations")]
async fn customers_and_anonymous_callers_cannot_upload(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let m = mpan(&db, "Castlegate House").await;
    let csv = format!("{HEADER}{}", day_csv(&m, "AI", day(2026, 1, 14), "SF", 1.0));
    for email in [CUSTOMER_ADMIN, CUSTOMER_USER] {
        let cookie = login(&app, email).await;
        let res = upload(&app, Some(&cookie), &[("mine.csv", &csv)]).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{email}");
        assert_eq!(res.body, "You do not have access to this.");
    }
    let res = upload(&app, None, &[("mine.csv", &csv)]).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    // The form without a session goes to the sign-in page, and back to Imports after.
    let body = multipart(&[("mine.csv", &csv)]);
    let len = body.len();
    let res = send(
        &app,
        upload_request(None, "text/html", Body::from(body), Some(len)),
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), "/login?next=/admin/imports");
    assert_nothing_written(&db, "refused callers").await;
}

#[sqlx::test(migrations = "../migrations")]
async fn a_cross_site_upload_is_refused(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let am = login(&app, ACCOUNT_MANAGER).await;
    let m = mpan(&db, "Castlegate House").await;
    let body = multipart(&[(
        "x.csv",
        &format!("{HEADER}{}", day_csv(&m, "AI", day(2026, 1, 14), "SF", 1.0)),
    )]);
    for (site, origin) in [
        ("cross-site", "https://evil.example"),
        ("same-site", "https://portal.evil.example"),
    ] {
        let req = Request::post("/admin/imports/upload")
            .header("host", "localhost")
            .header("origin", origin)
            .header("sec-fetch-site", site)
            .header(header::COOKIE, &am)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(Body::from(body.clone()))
            .unwrap();
        let res = send(&app, req).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{site}");
        assert_eq!(res.body, "Cross-site request refused.");
    }
    // An old browser without Sec-Fetch-Site: the Origin alone decides.
    let req = Request::post("/admin/imports/upload")
        .header("host", "localhost")
        .header("origin", "https://evil.example")
        .header(header::COOKIE, &am)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(body))
        .unwrap();
    assert_eq!(send(&app, req).await.status, StatusCode::FORBIDDEN);
    assert_nothing_written(&db, "cross-site").await;
}

#[sqlx::test(migrations = "../migrations")]
async fn an_account_managers_mpans_resolve_within_their_customers(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let am = login(&app, ACCOUNT_MANAGER).await;
    let ops = login(&app, OPS).await;
    let riverside = mpan(&db, "Riverside Leisure Centre").await;
    let csv = format!(
        "{HEADER}{}",
        day_csv(&riverside, "AI", day(2026, 1, 14), "SF", 1.0)
    );
    // Riverside is not the account manager's customer: its MPAN is as unknown as a made-up one.
    let entry = finished(&upload(&app, Some(&am), &[("riverside.csv", &csv)]).await).remove(0);
    assert_eq!(entry.outcome, ImportOutcome::Rejected);
    assert_eq!(entry.error_count, 48);
    let report = entry.report.unwrap();
    assert!(
        report.contains(&format!(
            "line 2: unknown MPAN {riverside}: not a supply point in the portal"
        )),
        "{report}"
    );
    assert_eq!(count(&db, "hh_day").await, 0);
    // Operations look after every customer.
    let entry = finished(&upload(&app, Some(&ops), &[("riverside.csv", &csv)]).await).remove(0);
    assert_eq!(entry.outcome, ImportOutcome::Imported);
    assert_eq!(entry.customers, vec!["Riverside Leisure Ltd"]);
    assert_eq!(count(&db, "hh_day").await, 1);

    // The account manager's history: their own (rejected) upload, not Riverside's import by ops;
    // asking for that entry is 404.
    let history = call_as(&app, "/api/imports/history", "", Some(&am)).await;
    assert_eq!(history.status, StatusCode::OK, "{}", history.body);
    let rows = history.json()["history"].as_array().unwrap().clone();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["uploaded_by"], ACCOUNT_MANAGER);
    let res = call_as(
        &app,
        "/api/imports/history",
        &format!("entries%5B0%5D={}", entry.id),
        Some(&am),
    )
    .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let all = call_as(&app, "/api/imports/history", "", Some(&ops)).await.json();
    assert_eq!(all["history"].as_array().unwrap().len(), 2);
}

#[sqlx::test(migrations = "../migrations")]
async fn without_javascript_the_form_ends_on_the_results_page(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let am = login(&app, ACCOUNT_MANAGER).await;
    let m = mpan(&db, "Castlegate House").await;
    let good = format!("{HEADER}{}", day_csv(&m, "AI", day(2026, 1, 14), "SF", 1.0));
    let bad = format!("{HEADER}{m},AI,2026-01-14T00:00:00,1.0,A,SF\n");
    // A file input left empty sends a part with no file name: it is not a file.
    let body = multipart(&[("good.csv", &good), ("bad.csv", &bad), ("", "")]);
    let len = body.len();
    let res = send(
        &app,
        upload_request(
            Some(&am),
            "text/html,application/xhtml+xml",
            Body::from(body),
            Some(len),
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM import_history ORDER BY id")
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(ids.len(), 2);
    assert_eq!(
        res.location(),
        format!("/admin/imports?entry={}&entry={}", ids[0], ids[1])
    );
    let page = get_as(&app, res.location(), Some(&am)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("good.csv: 48 rows, 48 values, 1 supply point(s)"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("bad.csv: rejected, nothing imported: 1 bad line(s)\n  line 2: interval_start \"2026-01-14T00:00:00\" is not an ISO 8601 time with an offset"),
        "{}",
        page.body
    );
    // Nothing chosen at all.
    let body = multipart(&[("", "")]);
    let len = body.len();
    let res = send(
        &app,
        upload_request(Some(&am), "application/x-ndjson", Body::from(body), Some(len)),
    )
    .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(res.body, "Choose at least one CSV file to upload.");
    // Not a multipart form.
    let res = call_as(&app, "/admin/imports/upload", "files=x", Some(&am)).await;
    assert_eq!(res.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}
