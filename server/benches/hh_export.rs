//! The HH export benchmark (not a test): prints figures. Needs DATABASE_URL (a server where it may
//! create the database `portal_bench_export`). Run: `./scripts/bench.sh` (or
//! `cargo bench -p server --bench hh_export`).
//!
//! 100 supply points × 365 days of AI at one run (36,500 `hh_day` rows, 1.75 M half-hours),
//! written directly with `generate_series`. A customer admin signs in and downloads the year as
//! the long form (one line per half-hour) and the wide form (one line per day) through the router,
//! in process, reading the body frame by frame as a client would (no Accept-Encoding, so not
//! compressed). Printed: half-hour lines per second against the floor — the same rows fetched
//! from Postgres with sqlx and decoded, without scope, formatting or HTTP — and the growth of the
//! process's peak resident memory during each download (VmHWM reset through /proc/self/clear_refs,
//! so the peak is the download's own). Targets: ≥ 500 k lines/s, ≤ 50 MB growth.
mod common;

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use futures::StreamExt;
use http_body_util::BodyExt;
use server::auth::tokens::SigningKeys;
use server::auth::AuthConfig;
use server::config::{Config, Environment};
use sqlx::Row;
use tower::ServiceExt;

const METERS: usize = 100;
const EMAIL: &str = "bench-export@example.com";
const PASSWORD: &str = "a-benchmark-password-2026";
const RUNS: usize = 3;

fn config() -> Config {
    Config {
        database_url: String::new(),
        pool_size: 4,
        request_timeout: Duration::from_secs(600),
        slow_query: Duration::from_secs(60),
        on_lambda: false,
        environment: Environment::Development,
        auth: AuthConfig {
            keys: SigningKeys::parse("bench-2026:0123456789abcdef0123456789abcdef-bench-key").expect("keys"),
            idle_timeout: Duration::from_secs(3600),
            absolute_timeout: Duration::from_secs(12 * 3600),
            sealing_key: server::auth::totp::SealingKey::derive(b"bench-mfa-secret-0123456789abcdef-bench"),
        },
        app_role: "portal_app".into(),
        auth_role: "portal_auth".into(),
        upload_max_bytes: server::config::DEFAULT_UPLOAD_MAX_BYTES,
        // The benchmark sends no e-mail.
        mail: server::mail::MailConfig::local_sink(2525, "http://127.0.0.1:3000"),
        auth_database_url: None,
        db_credentials: None,
        export_offload: None,
    }
}

/// A field of /proc/self/status in kB (`VmRSS`, `VmHWM`).
fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Resets the peak (VmHWM) to the current RSS; false where the kernel does not allow it.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Runs `f` and returns its result with the growth of peak RSS over the RSS before, in MB.
async fn with_peak<T>(f: impl std::future::Future<Output = T>) -> (T, f64) {
    reset_peak();
    let before = status_kb("VmRSS");
    let out = f.await;
    let peak = status_kb("VmHWM");
    (out, peak.saturating_sub(before) as f64 / 1024.0)
}

struct Pass {
    lines: u64,
    bytes: u64,
    secs: f64,
}

impl Pass {
    fn per_sec(&self) -> f64 {
        self.lines as f64 / self.secs
    }
}

/// Downloads `uri`, counting lines and bytes frame by frame without keeping the body.
async fn download(app: &Router, uri: &str, cookie: &str) -> anyhow::Result<Pass> {
    let t = Instant::now();
    let req = Request::get(uri)
        .header("host", "localhost")
        .header(header::COOKIE, cookie)
        .body(Body::empty())?;
    let res = app.clone().oneshot(req).await?;
    anyhow::ensure!(res.status() == StatusCode::OK, "{uri}: {}", res.status());
    let mut body = res.into_body();
    let (mut lines, mut bytes) = (0u64, 0u64);
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame.map_err(|e| anyhow::anyhow!("{e}"))?.into_data() {
            bytes += data.len() as u64;
            lines += data.iter().filter(|&&b| b == b'\n').count() as u64;
        }
    }
    Ok(Pass {
        lines: lines.saturating_sub(1), // the header
        bytes,
        secs: t.elapsed().as_secs_f64(),
    })
}

/// The floor: the same rows (best run per day) fetched and decoded by sqlx, nothing else.
async fn raw_fetch(db: &sqlx::PgPool, org: i64) -> anyhow::Result<Pass> {
    let t = Instant::now();
    let mut rows = sqlx::query(
        "SELECT DISTINCT ON (supply_point_id, channel, settlement_date)
                supply_point_id, channel, settlement_date, run, vals, statuses
         FROM hh_day WHERE organisation_id = $1 AND channel = 1
           AND settlement_date >= '2025-01-01' AND settlement_date < '2026-01-01'
         ORDER BY supply_point_id, channel, settlement_date, run DESC",
    )
    .bind(org)
    .fetch(db);
    let (mut lines, mut bytes) = (0u64, 0u64);
    while let Some(row) = rows.next().await {
        let row = row?;
        let vals: Vec<i32> = row.try_get("vals")?;
        let statuses: String = row.try_get("statuses")?;
        lines += vals.len() as u64;
        bytes += statuses.len() as u64 + 4 * vals.len() as u64;
    }
    Ok(Pass {
        lines,
        bytes,
        secs: t.elapsed().as_secs_f64(),
    })
}

fn median(mut v: Vec<(Pass, f64)>) -> (Pass, f64) {
    v.sort_by(|a, b| a.0.secs.total_cmp(&b.0.secs));
    v.swap_remove(v.len() / 2)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let scratch = common::Scratch::create("portal_bench_export").await?;
    let db = scratch.db.clone();
    let org = common::customer(&db, "Bench Export Ltd", "BX-1", METERS, (19, 8_000_000_000), 500).await?;
    let hash = app::auth::password::hash(PASSWORD.to_owned()).await?;
    sqlx::query(
        "INSERT INTO users (email, display_name, role, organisation_id, password_hash, all_sites)
         VALUES ($1, 'Bench', 'customer_admin', $2, $3, true)",
    )
    .bind(EMAIL)
    .bind(org)
    .bind(&hash.0)
    .execute(&db)
    .await?;

    // A year of AI at SF for every supply point, 46/48/50 periods by the London calendar.
    let t = Instant::now();
    let inserted = sqlx::query(
        "INSERT INTO hh_day (supply_point_id, organisation_id, channel, settlement_date, run, vals, statuses,
                             day_total, day_max, periods, missing)
         SELECT sp.id, sp.organisation_id, 1, d.d, 2, v.vals, repeat('A', n.n), v.total, v.max, n.n, 0
         FROM supply_points sp
         CROSS JOIN (SELECT t::date AS d FROM generate_series('2025-01-01'::date, '2025-12-31'::date, '1 day') t) d
         CROSS JOIN LATERAL (SELECT (extract(epoch FROM ((d.d + 1)::timestamp AT TIME ZONE 'Europe/London')
                                   - (d.d::timestamp AT TIME ZONE 'Europe/London')) / 1800)::int AS n) n
         CROSS JOIN LATERAL (SELECT array_agg(v) AS vals, sum(v)::bigint AS total, max(v) AS max
                             FROM (SELECT 5000 + ((p * 7919 + sp.id * 104729 + (d.d - '2025-01-01'::date) * 31) % 90000)::int AS v
                                   FROM generate_series(1, n.n) p) x) v
         WHERE sp.organisation_id = $1",
    )
    .bind(org)
    .execute(&db)
    .await?
    .rows_affected();
    sqlx::query("VACUUM ANALYZE hh_day").execute(&db).await?;
    let half_hours: i64 =
        sqlx::query_scalar("SELECT sum(periods)::bigint FROM hh_day WHERE organisation_id = $1")
            .bind(org)
            .fetch_one(&db)
            .await?;
    println!(
        "seeded {inserted} hh_day rows ({half_hours} half-hours) for {METERS} supply points in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let app = server::router::app(
        app::state::AppState {
            leptos_options: leptos::config::LeptosOptions::builder()
                .output_name("ic-portal")
                .site_root("target/site")
                .build(),
            db: server::db::app_pool(scratch.opts.clone(), 4, "portal_app"),
        },
        &config(),
    );
    let login = Request::post("/auth/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "http://localhost")
        .header("host", "localhost")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(format!(
            "email={}&password={PASSWORD}&next=%2F",
            EMAIL.replace('@', "%40")
        )))?;
    let res = app.clone().oneshot(login).await?;
    let cookie = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("__Host-portal_session=") && !c.contains("Max-Age=0"))
        .and_then(|c| c.split(';').next())
        .map(str::to_owned)
        .ok_or_else(|| anyhow::anyhow!("sign-in failed: {}", res.status()))?;

    let range = "from=2025-01-01&to=2025-12-31&channels=AI&run=best";
    let long_uri = format!("/consumption/export.csv?{range}&form=long");
    let wide_uri = format!("/consumption/export.csv?{range}&form=wide");
    // Warm-up: the plan cache, the pool's connections, the table in shared buffers.
    download(&app, &long_uri, &cookie).await?;
    raw_fetch(&db, org).await?;

    let mut floors = Vec::new();
    let mut longs = Vec::new();
    let mut wides = Vec::new();
    for _ in 0..RUNS {
        let (p, mb) = with_peak(raw_fetch(&db, org)).await;
        floors.push((p?, mb));
        let (p, mb) = with_peak(download(&app, &long_uri, &cookie)).await;
        longs.push((p?, mb));
        let (p, mb) = with_peak(download(&app, &wide_uri, &cookie)).await;
        wides.push((p?, mb));
    }
    let max_mb = |v: &[(Pass, f64)]| v.iter().map(|x| x.1).fold(0.0, f64::max);
    let (floor_peak, long_peak, wide_peak) = (max_mb(&floors), max_mb(&longs), max_mb(&wides));
    let (floor, _) = median(floors);
    let (long, _) = median(longs);
    let (wide, _) = median(wides);
    anyhow::ensure!(long.lines as i64 == half_hours, "long form: {} lines", long.lines);
    anyhow::ensure!(
        wide.lines as i64 == inserted as i64,
        "wide form: {} lines",
        wide.lines
    );

    println!("HH export, 1 year × {METERS} supply points, AI, best run (median of {RUNS}):");
    println!(
        "  floor: sqlx fetch + decode of the same rows: {:.2} s, {:.0} k half-hours/s, peak RSS +{floor_peak:.1} MB",
        floor.secs,
        floor.per_sec() / 1e3
    );
    println!(
        "  long form through the router: {} lines, {:.1} MB in {:.2} s = {:.0} k lines/s ({:.2}× the floor's time), \
         peak RSS +{long_peak:.1} MB (target ≥ 500 k lines/s, ≤ 50 MB)",
        long.lines,
        long.bytes as f64 / 1e6,
        long.secs,
        long.per_sec() / 1e3,
        long.secs / floor.secs
    );
    println!(
        "  wide form through the router: {} lines, {:.1} MB in {:.2} s = {:.0} k half-hours/s ({:.2}× the floor's time), \
         peak RSS +{wide_peak:.1} MB",
        wide.lines,
        wide.bytes as f64 / 1e6,
        wide.secs,
        half_hours as f64 / wide.secs / 1e3,
        wide.secs / floor.secs
    );
    if !reset_peak() {
        println!("  (the peak could not be reset: RSS growth is over the whole run)");
    }
    println!("  {}", common::machine());
    scratch.drop().await?;
    Ok(())
}
