//! Half-hourly data to take away (`GET /consumption/export.csv`): the long form imports back into a
//! fresh database as the same `hh_day` rows (clock-change days and every run included), the wide
//! form's layout and blanks, the best run per day, a restricted user's sites only (404 for any
//! other), bad parameters (400 with the reason), the headers of a download, staff downloads in the
//! audit log, and a large file arriving in chunks rather than in one piece.
mod common;

use app::domain::settlement_time::periods_in_day;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::NaiveDate;
use common::*;
use http_body_util::BodyExt;
use server::export::hh::{wide_header, LONG_HEADER};
use sqlx::postgres::PgConnectOptions;
use sqlx::{Executor, PgPool};
use tower::ServiceExt;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

async fn point_at(db: &PgPool, site: &str) -> (i64, String) {
    sqlx::query_as(
        "SELECT sp.id, sp.mpan_core FROM supply_points sp JOIN sites s ON s.id = sp.site_id WHERE s.name = $1
         ORDER BY sp.mpan_core LIMIT 1",
    )
    .bind(site)
    .fetch_one(db)
    .await
    .unwrap()
}

/// A whole day of one channel and run in the settlement-day form: values and statuses vary by
/// period (some estimated, some missing — blank or carrying a value) and by `k`.
fn day_lines(mpan: &str, channel: &str, date: NaiveDate, run: &str, k: u32) -> String {
    let mut s = String::new();
    for p in 1..=u32::from(periods_in_day(date)) {
        let (value, status) = match p % 11 {
            0 => (String::new(), "M"),
            5 => (format!("{}.{:03}", k, p), "M"),
            3 | 7 => (format!("{}.{:03}", p * k / 3, (p * 37 + k) % 1000), "E"),
            _ => (format!("{}.{:03}", p * k, (p * 101 + k) % 1000), "A"),
        };
        s.push_str(&format!("{mpan},{channel},{date},{p},{value},{status},{run}\n"));
    }
    s
}

struct Fixture {
    felixstowe: (i64, String),
    house: (i64, String),
    riverside: (i64, String),
}

const AUTUMN: (i32, u32, u32) = (2025, 10, 26);
const SPRING: (i32, u32, u32) = (2026, 3, 29);

/// Castlegate's Felixstowe (AI at SF on four days around both clock changes, R1 on the two
/// clock-change days, RF on the spring one; RI at SF) and Castlegate House (AI at SF), and
/// Riverside's centre (AI at SF), imported through the importer.
async fn fixture(db: &PgPool) -> Fixture {
    server::seed::seed_people(db, 2026).await.expect("demo people");
    let f = Fixture {
        felixstowe: point_at(db, "Felixstowe Cold Store").await,
        house: point_at(db, "Castlegate House").await,
        riverside: point_at(db, "Riverside Leisure Centre").await,
    };
    let days = [
        day(2025, 10, 25),
        day(AUTUMN.0, AUTUMN.1, AUTUMN.2),
        day(SPRING.0, SPRING.1, SPRING.2),
        day(2026, 3, 30),
    ];
    let mut csv = String::from("mpan_core,channel,settlement_date,settlement_period,value,status,run\n");
    for d in days {
        csv += &day_lines(&f.felixstowe.1, "AI", d, "SF", 2);
        csv += &day_lines(&f.felixstowe.1, "RI", d, "SF", 1);
        csv += &day_lines(&f.house.1, "AI", d, "SF", 5);
        csv += &day_lines(&f.riverside.1, "AI", d, "SF", 9);
    }
    for d in [
        day(AUTUMN.0, AUTUMN.1, AUTUMN.2),
        day(SPRING.0, SPRING.1, SPRING.2),
    ] {
        csv += &day_lines(&f.felixstowe.1, "AI", d, "R1", 3);
    }
    csv += &day_lines(&f.felixstowe.1, "AI", day(SPRING.0, SPRING.1, SPRING.2), "RF", 4);
    server::import::import_hh(db, "fixture.csv", std::io::Cursor::new(csv.into_bytes()), ())
        .await
        .expect("the fixture imports");
    f
}

struct Download {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
    /// Data frames the body arrived in.
    frames: usize,
}

impl Download {
    fn header(&self, name: header::HeaderName) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    fn lines(&self) -> Vec<&str> {
        self.body.lines().collect()
    }
}

async fn download(app: &axum::Router, uri: &str, cookie: &str) -> Download {
    let req = Request::get(uri)
        .header("host", "localhost")
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let mut body = res.into_body();
    let (mut bytes, mut frames) = (Vec::new(), 0);
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame.expect("the body completes").into_data() {
            frames += 1;
            bytes.extend_from_slice(&data);
        }
    }
    Download {
        status,
        headers,
        body: String::from_utf8(bytes).expect("UTF-8"),
        frames,
    }
}

/// `hh_day` rows of one organisation, by MPAN (ids differ between databases).
type DayRowKey = (String, i16, NaiveDate, i16, Vec<i32>, String, i64, i32, i16, i16);

async fn day_rows(db: &PgPool, organisation: &str) -> Vec<DayRowKey> {
    sqlx::query_as(
        "SELECT sp.mpan_core, h.channel, h.settlement_date, h.run, h.vals, h.statuses, h.day_total, h.day_max,
                h.periods, h.missing
         FROM hh_day h JOIN supply_points sp ON sp.id = h.supply_point_id
         JOIN organisations o ON o.id = h.organisation_id
         WHERE o.name = $1
         ORDER BY 1, 2, 3, 4",
    )
    .bind(organisation)
    .fetch_all(db)
    .await
    .unwrap()
}

/// A database of its own on the same server: migrated, with the same demo customers (the same
/// MPANs), and nothing else.
struct FreshDb {
    admin: PgPool,
    name: String,
    db: PgPool,
}

impl FreshDb {
    async fn create(from: &PgPool) -> Self {
        let opts: PgConnectOptions = (*from.connect_options()).clone();
        let name = format!(
            "hh_export_rt_{}_{}",
            std::process::id(),
            chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
        );
        let admin = PgPool::connect_with(opts.clone().database("postgres"))
            .await
            .unwrap();
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .unwrap();
        let db = PgPool::connect_with(opts.database(&name)).await.unwrap();
        server::db::migrate(&db).await.unwrap();
        server::seed::seed_people(&db, 2026).await.unwrap();
        FreshDb { admin, name, db }
    }

    async fn drop(self) {
        self.db.close().await;
        self.admin
            .execute(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name).as_str())
            .await
            .unwrap();
    }
}

const RANGE: &str = "from=2025-10-25&to=2026-03-30";

#[sqlx::test(migrations = "../migrations")]
async fn the_long_form_imports_back_into_a_fresh_database_as_the_same_rows(db: PgPool) {
    let f = fixture(&db).await;
    let app = app(db.clone());
    let admin = login(&app, CUSTOMER_ADMIN).await;
    let res = download(
        &app,
        &format!("/consumption/export.csv?{RANGE}&run=all&form=long"),
        &admin,
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let lines = res.lines();
    assert_eq!(
        lines[0],
        "mpan_core,channel,settlement_date,settlement_period,value,status,run"
    );
    assert_eq!(lines[0], LONG_HEADER);
    // Felixstowe AI: 4 days at SF + 2 at R1 + 1 at RF; RI: 4 at SF; House AI: 4 at SF.
    let all_days = 48 + 50 + 46 + 48;
    assert_eq!(lines.len() - 1, 3 * all_days + 50 + 46 + 46);
    assert!(
        lines.iter().any(|l| l.contains(",2025-10-26,50,")),
        "the autumn day's 50th period"
    );
    assert!(
        lines.iter().any(|l| l.contains(",2026-03-29,46,")),
        "the spring day's 46th period"
    );
    assert!(!lines.iter().any(|l| l.contains(",2026-03-29,47,")));
    assert!(
        !lines.iter().any(|l| l.starts_with(&f.riverside.1)),
        "another tenant's data"
    );

    let castlegate = day_rows(&db, "Castlegate Group Ltd").await;
    assert_eq!(castlegate.len(), 4 * 3 + 3);
    assert!(castlegate.iter().any(|r| r.8 == 46) && castlegate.iter().any(|r| r.8 == 50));
    let fresh = FreshDb::create(&db).await;
    let summary = server::import::import_hh(
        &fresh.db,
        "export.csv",
        std::io::Cursor::new(res.body.clone().into_bytes()),
        (),
    )
    .await
    .unwrap_or_else(|e| panic!("the export imports: {}", e.report()));
    assert_eq!(summary.day_rows_new, castlegate.len() as u64);
    let back = day_rows(&fresh.db, "Castlegate Group Ltd").await;
    fresh.drop().await;
    assert_eq!(back, castlegate, "the same hh_day rows after export and import");
}

#[sqlx::test(migrations = "../migrations")]
async fn the_wide_form_has_a_line_per_day_and_blanks_past_a_46_period_day(db: PgPool) {
    let f = fixture(&db).await;
    let app = app(db.clone());
    let admin = login(&app, CUSTOMER_ADMIN).await;
    let res = download(
        &app,
        &format!(
            "/consumption/export.csv?sp={}&from=2026-03-28&to=2026-03-30&channels=AI&run=best&form=wide",
            f.felixstowe.0
        ),
        &admin,
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let lines = res.lines();
    let header = (1..=50).fold(
        String::from("mpan_core,channel,settlement_date,run,periods,total"),
        |h, p| format!("{h},P{p:02}"),
    );
    assert_eq!(lines[0], header);
    assert_eq!(lines[0], wide_header());
    assert_eq!(lines.len(), 3, "two days with data: {lines:?}");
    let spring: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(spring.len(), 56);
    assert_eq!(
        &spring[..5],
        [f.felixstowe.1.as_str(), "AI", "2026-03-29", "RF", "46"]
    );
    // RF's values (k = 4): period 1 is 4.105, period 11 is missing and blank, 46 is 184.650.
    assert_eq!(spring[6], "4.105");
    assert_eq!(spring[16], "");
    assert_eq!(spring[51], "184.650");
    assert_eq!(&spring[52..], ["", "", "", ""], "P47…P50 do not exist that day");
    let next: Vec<&str> = lines[2].split(',').collect();
    assert_eq!(&next[2..5], ["2026-03-30", "SF", "48"]);
    assert_ne!(next[53], "");
    assert_eq!(&next[54..], ["", ""]);
    // The total is the day's sum, as the importer stored it.
    let total: i64 = sqlx::query_scalar(
        "SELECT day_total FROM hh_day WHERE supply_point_id = $1 AND channel = 1 AND settlement_date = '2026-03-29' AND run = 6",
    )
    .bind(f.felixstowe.0)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(spring[5], format!("{}.{:03}", total / 1000, total % 1000));
    assert_eq!(
        res.header(header::CONTENT_DISPOSITION),
        format!(
            "attachment; filename=\"hh-{}-best-wide-2026-03-28-2026-03-30.csv\"",
            f.felixstowe.1
        )
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn best_run_is_chosen_per_day_and_a_named_run_only_where_it_exists(db: PgPool) {
    let f = fixture(&db).await;
    let app = app(db.clone());
    let admin = login(&app, CUSTOMER_ADMIN).await;
    let runs_by_day = |body: &str| -> Vec<(String, String, usize)> {
        let mut out: Vec<(String, String, usize)> = Vec::new();
        for l in body.lines().skip(1) {
            let c: Vec<&str> = l.split(',').collect();
            match out.last_mut() {
                Some((d, r, n)) if d.as_str() == c[2] && r.as_str() == c[6] => *n += 1,
                _ => out.push((c[2].to_owned(), c[6].to_owned(), 1)),
            }
        }
        out
    };
    let uri = |run: &str| {
        format!(
            "/consumption/export.csv?sp={}&{RANGE}&channels=AI&run={run}",
            f.felixstowe.0
        )
    };
    let best = download(&app, &uri("best"), &admin).await;
    assert_eq!(best.status, StatusCode::OK, "{}", best.body);
    let s = |d: &str, r: &str, n| (d.to_owned(), r.to_owned(), n);
    assert_eq!(
        runs_by_day(&best.body),
        vec![
            s("2025-10-25", "SF", 48),
            s("2025-10-26", "R1", 50),
            s("2026-03-29", "RF", 46),
            s("2026-03-30", "SF", 48),
        ]
    );
    let r1 = download(&app, &uri("R1"), &admin).await;
    assert_eq!(
        runs_by_day(&r1.body),
        vec![s("2025-10-26", "R1", 50), s("2026-03-29", "R1", 46)]
    );
    let all = download(&app, &uri("all"), &admin).await;
    assert_eq!(runs_by_day(&all.body).len(), 4 + 2 + 1);
    // `to` is inclusive: one day is from = to.
    let one = download(
        &app,
        &format!(
            "/consumption/export.csv?sp={}&from=2025-10-26&to=2025-10-26&channels=AI",
            f.felixstowe.0
        ),
        &admin,
    )
    .await;
    assert_eq!(runs_by_day(&one.body), vec![s("2025-10-26", "R1", 50)]);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_restricted_user_gets_their_sites_only_and_404_for_any_other(db: PgPool) {
    let f = fixture(&db).await;
    let app = app(db.clone());
    let user = login(&app, CUSTOMER_USER).await;
    // Everything in scope: Felixstowe's data, not Castlegate House's.
    let res = download(&app, &format!("/consumption/export.csv?{RANGE}"), &user).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let mpans: std::collections::BTreeSet<&str> = res
        .lines()
        .iter()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(
        mpans.into_iter().collect::<Vec<_>>(),
        vec![f.felixstowe.1.as_str()]
    );
    // A site of their company they were not given, alone or beside one of theirs: 404, no file.
    for sp in [
        f.house.0.to_string(),
        format!("{},{}", f.felixstowe.0, f.house.0),
        f.riverside.0.to_string(),
        "999999".to_owned(),
    ] {
        let res = download(&app, &format!("/consumption/export.csv?sp={sp}&{RANGE}"), &user).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "sp={sp}");
        assert_eq!(res.body, "Not found.");
    }
    // Another tenant's supply point is 404 for a customer admin too.
    let admin = login(&app, CUSTOMER_ADMIN).await;
    let res = download(
        &app,
        &format!("/consumption/export.csv?sp={}&{RANGE}", f.riverside.0),
        &admin,
    )
    .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}

#[sqlx::test(migrations = "../migrations")]
async fn bad_parameters_are_400_with_the_reason(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let admin = login(&app, CUSTOMER_ADMIN).await;
    for (query, says) in [
        ("from=2026-01-01", "`to` is missing"),
        ("from=2026-01-01&to=31-01-2026", "is not a date"),
        ("from=2026-02-01&to=2026-01-31", "is after `to`"),
        ("from=2025-01-01&to=2026-03-01", "at most 400 days"),
        (
            "from=2026-01-01&to=2026-01-31&channels=AI,KW",
            "unknown channel \"KW\"",
        ),
        ("from=2026-01-01&to=2026-01-31&run=R4", "unknown run \"R4\""),
        ("from=2026-01-01&to=2026-01-31&form=tall", "unknown form"),
        ("from=2026-01-01&to=2026-01-31&sp=abc", "not a supply point id"),
        ("from=2026-01-01&to=2026-01-31&site=1", "unknown parameter `site`"),
    ] {
        let res = download(&app, &format!("/consumption/export.csv?{query}"), &admin).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(res.body.contains(says), "{query}: {}", res.body);
        assert!(res.header(header::CONTENT_TYPE).starts_with("text/plain"));
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_download_is_an_attachment_not_cached_and_staff_downloads_are_audited(db: PgPool) {
    let f = fixture(&db).await;
    let app = app(db.clone());
    let am = login(&app, ACCOUNT_MANAGER).await;
    let res = download(
        &app,
        &format!("/consumption/export.csv?{RANGE}&channels=RI&form=long"),
        &am,
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.header(header::CONTENT_TYPE), "text/csv; charset=utf-8");
    assert_eq!(res.header(header::CACHE_CONTROL), "private, no-store");
    assert_eq!(
        res.header(header::CONTENT_DISPOSITION),
        "attachment; filename=\"hh-best-long-2025-10-25-2026-03-30.csv\""
    );
    assert_eq!(res.lines().len(), 1 + 48 + 50 + 46 + 48);
    assert!(res.lines()[1].starts_with(&format!("{},RI,2025-10-25,1,", f.felixstowe.1)));
    let audit: Vec<(String, serde_json::Value)> =
        sqlx::query_as("SELECT action, detail FROM audit_log WHERE action LIKE 'staff.export.%' ORDER BY id")
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].0, "staff.export.hh_csv");
    assert_eq!(audit[0].1["channels"], serde_json::json!(["RI"]));
    assert_eq!(audit[0].1["from"], "2025-10-25");
    // A customer's download is theirs alone: not audited.
    let admin = login(&app, CUSTOMER_ADMIN).await;
    download(&app, &format!("/consumption/export.csv?{RANGE}"), &admin).await;
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'staff.export.hh_csv'")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(n, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_large_file_arrives_in_chunks_and_nothing_is_an_empty_success(db: PgPool) {
    let f = fixture(&db).await;
    // Two months of AI at II for Castlegate House, written directly (as the benchmark does).
    sqlx::query(
        "INSERT INTO hh_day (supply_point_id, organisation_id, channel, settlement_date, run, vals, statuses,
                             day_total, day_max, periods, missing)
         SELECT sp.id, sp.organisation_id, 1, d.d, 1, v.vals, repeat('A', n.n), v.total, v.max, n.n, 0
         FROM supply_points sp
         CROSS JOIN (SELECT t::date AS d FROM generate_series('2026-01-01'::date, '2026-02-28'::date, '1 day') t) d
         CROSS JOIN LATERAL (SELECT (extract(epoch FROM ((d.d + 1)::timestamp AT TIME ZONE 'Europe/London')
                                   - (d.d::timestamp AT TIME ZONE 'Europe/London')) / 1800)::int AS n) n
         CROSS JOIN LATERAL (SELECT array_agg(1000 + p) AS vals, sum(1000 + p)::bigint AS total, max(1000 + p) AS max
                             FROM generate_series(1, n.n) p) v
         WHERE sp.id = $1",
    )
    .bind(f.house.0)
    .execute(&db)
    .await
    .unwrap();
    let app = app(db.clone());
    let admin = login(&app, CUSTOMER_ADMIN).await;
    let res = download(
        &app,
        &format!(
            "/consumption/export.csv?sp={}&from=2026-01-01&to=2026-02-28&channels=AI&run=II",
            f.house.0
        ),
        &admin,
    )
    .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.lines().len(), 1 + 59 * 48);
    assert!(res.body.len() > server::export::hh::CHUNK_BYTES);
    assert!(
        res.frames >= 2,
        "{} bytes came in {} frame(s)",
        res.body.len(),
        res.frames
    );
    assert_eq!(
        res.lines()[1],
        format!("{},AI,2026-01-01,1,1.001,A,II", f.house.1)
    );
    // A range without data is a file with its header only (the supply point is the caller's).
    let empty = download(
        &app,
        &format!(
            "/consumption/export.csv?sp={}&from=2024-01-01&to=2024-01-31",
            f.house.0
        ),
        &admin,
    )
    .await;
    assert_eq!(empty.status, StatusCode::OK);
    assert_eq!(empty.body, format!("{LONG_HEADER}\n"));
}
