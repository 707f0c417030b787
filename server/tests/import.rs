//! The HH importer: every bad-line kind reported with its line number, all-or-nothing per file,
//! idempotent re-imports, revisions as new runs, and clock-change days.
mod common;

use app::domain::settlement_time::{all_periods_utc, SettlementDate};
use chrono::NaiveDate;
use server::import::{import_hh, ImportError, ImportSummary};
use sqlx::PgPool;

async fn mpan(db: &PgPool, site: &str) -> String {
    sqlx::query_scalar("SELECT sp.mpan_core FROM supply_points sp JOIN sites s ON s.id = sp.site_id WHERE s.name = $1 LIMIT 1")
        .bind(site)
        .fetch_one(db)
        .await
        .unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A whole day of one channel and run with `interval_start`, values = period × `k` kWh.
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

const HEADER: &str = "mpan_core,channel,interval_start,value,status,run\n";

async fn import(db: &PgPool, text: String) -> Result<ImportSummary, ImportError> {
    import_hh(db, "test.csv", std::io::Cursor::new(text.into_bytes()), ()).await
}

async fn day_rows(db: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM hh_day")
        .fetch_one(db)
        .await
        .unwrap()
}

fn rejected(r: Result<ImportSummary, ImportError>) -> Vec<(u64, String)> {
    match r {
        Err(ImportError::Rejected { errors, .. }) => errors.into_iter().map(|e| (e.line, e.reason)).collect(),
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_good_file_imports_and_again_changes_nothing(db: PgPool) {
    server::seed::seed_people(&db, 1).await.unwrap();
    let m = mpan(&db, "Castlegate House").await;
    let text = format!(
        "{HEADER}{}{}",
        day_csv(&m, "AI", day(2026, 1, 14), "SF", 1.5),
        day_csv(&m, "RI", day(2026, 1, 14), "SF", 0.2)
    );
    let first = import(&db, text.clone()).await.unwrap();
    assert_eq!((first.rows, first.values, first.supply_points), (96, 96, 1));
    assert_eq!((first.day_rows_new, first.day_rows_known), (2, 0));
    assert_eq!(first.runs, vec!["SF"]);
    assert_eq!(first.first_date, Some(day(2026, 1, 14)));
    let total: i64 = sqlx::query_scalar("SELECT day_total FROM hh_day WHERE channel = 1")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(total, (1..=48).map(|p| p * 1500).sum::<i64>(), "exact Wh");

    let batches = |db: PgPool| async move {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM import_batches")
            .fetch_one(&db)
            .await
            .unwrap()
    };
    assert_eq!(batches(db.clone()).await, 1);
    let again = import(&db, text).await.unwrap();
    assert_eq!((again.day_rows_new, again.day_rows_known), (0, 2));
    assert_eq!(again.batch_id, None);
    assert_eq!(batches(db.clone()).await, 1, "re-importing records nothing");
    assert_eq!(day_rows(&db).await, 2);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_later_run_adds_a_revision_and_never_overwrites(db: PgPool) {
    server::seed::seed_people(&db, 1).await.unwrap();
    let m = mpan(&db, "Castlegate House").await;
    let d = day(2026, 1, 14);
    import(&db, format!("{HEADER}{}", day_csv(&m, "AI", d, "SF", 1.0)))
        .await
        .unwrap();
    let r1 = import(&db, format!("{HEADER}{}", day_csv(&m, "AI", d, "R1", 1.1)))
        .await
        .unwrap();
    assert_eq!(r1.day_rows_new, 1);
    let runs: Vec<i16> = sqlx::query_scalar("SELECT run FROM hh_day ORDER BY run")
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(runs, vec![2, 3], "SF and R1 both kept");
    // The same run with other values is refused, and nothing changes.
    let err = rejected(import(&db, format!("{HEADER}{}", day_csv(&m, "AI", d, "SF", 2.0))).await);
    assert_eq!(err.len(), 1);
    assert_eq!(err[0].0, 2, "reported at the day's first line");
    assert!(
        err[0].1.contains("already imported with different values"),
        "{}",
        err[0].1
    );
    assert!(err[0].1.contains(&m));
    assert_eq!(day_rows(&db).await, 2);
}

#[sqlx::test(migrations = "../migrations")]
async fn every_bad_line_is_reported_and_nothing_is_imported(db: PgPool) {
    server::seed::seed_people(&db, 1).await.unwrap();
    let m = mpan(&db, "Castlegate House").await;
    let d = day(2026, 1, 14);
    let good = day_csv(&m, "AI", d, "SF", 1.0);
    let mut bad_check = m.clone();
    let last = bad_check.pop().unwrap();
    bad_check.push(char::from(b'0' + ((last as u8 - b'0' + 1) % 10)));
    let lines = [
        "1012345678903,AI,2026-01-14T00:00:00Z,1.0,A,SF".to_string(), // unknown MPAN (valid check digit)
        format!("{bad_check},AI,2026-01-14T00:00:00Z,1.0,A,SF"),      // wrong check digit
        format!("{m},AI,2026-01-15T00:00:00Z,lots,A,SF"),             // not a number
        format!("{m},XX,2026-01-15T00:00:00Z,1.0,A,SF"),              // channel
        format!("{m},AI,2026-01-15T00:00:00Z,1.0,Q,SF"),              // status
        format!("{m},AI,2026-01-15T00:00:00Z,1.0,A,R9"),              // run
        format!("{m},AI,2026-01-15 00:00,1.0,A,SF"),                  // no offset
        format!("{m},AI,2026-01-15T00:10:00Z,1.0,A,SF"),              // not on a half-hour
        format!("{m},AI,2026-01-15T00:00:00Z,-2,A,SF"),               // negative
        good.lines().next().unwrap().to_string(),                     // duplicate of line 2
    ];
    let text = format!("{HEADER}{good}{}\n", lines.join("\n"));
    let errors = rejected(import(&db, text).await);
    let at = |line: u64| {
        errors
            .iter()
            .find(|(l, _)| *l == line)
            .map(|(_, r)| r.as_str())
            .unwrap_or_else(|| panic!("no error on line {line}: {errors:?}"))
    };
    let base = 2 + 48; // header is line 1, the good day lines 2..=49
    assert!(at(base).contains("unknown MPAN 1012345678903"));
    assert!(at(base + 1).contains("check digit"));
    assert!(at(base + 2).contains("not a number"));
    assert!(at(base + 3).to_lowercase().contains("channel"));
    assert!(at(base + 4).to_lowercase().contains("status"));
    assert!(at(base + 5).contains("settlement run"));
    assert!(at(base + 6).contains("ISO 8601"));
    assert!(at(base + 7).contains("half-hour"));
    assert!(at(base + 8).contains("negative"));
    assert!(at(base + 9).contains("duplicate"));
    assert_eq!(errors.len(), 10, "{errors:?}");
    assert_eq!(
        day_rows(&db).await,
        0,
        "all or nothing: the good day was not imported either"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn settlement_date_and_period_respect_46_and_50_period_days(db: PgPool) {
    server::seed::seed_people(&db, 1).await.unwrap();
    let m = mpan(&db, "Castlegate House").await;
    let rows =
        |date: &str, n: u8| -> String { (1..=n).map(|p| format!("{m},AI,{date},{p},0.5,A,RF\n")).collect() };
    let head = "mpan_core,channel,settlement_date,settlement_period,value,status,run\n";
    let ok = import(
        &db,
        format!("{head}{}{}", rows("2025-03-30", 46), rows("2025-10-26", 50)),
    )
    .await
    .unwrap();
    assert_eq!(ok.values, 96);
    let periods: Vec<i16> = sqlx::query_scalar("SELECT periods FROM hh_day ORDER BY settlement_date")
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(periods, vec![46, 50]);
    let errors = rejected(import(&db, format!("{head}{}", rows("2025-03-31", 49))).await);
    assert!(
        errors
            .iter()
            .any(|(l, r)| *l == 50
                && r.contains("period 49 does not exist on 2025-03-31, which has 48 periods")),
        "{errors:?}"
    );
    let errors = rejected(import(&db, format!("{head}{}", rows("2026-03-29", 47))).await);
    assert!(
        errors
            .iter()
            .any(|(_, r)| r.contains("period 47 does not exist on 2026-03-29, which has 46 periods")),
        "{errors:?}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_autumn_day_from_utc_instants_has_50_periods(db: PgPool) {
    server::seed::seed_people(&db, 1).await.unwrap();
    let m = mpan(&db, "Castlegate House").await;
    import(
        &db,
        format!("{HEADER}{}", day_csv(&m, "AI", day(2026, 10, 25), "II", 1.0)),
    )
    .await
    .unwrap();
    let (periods, date): (i16, NaiveDate) = sqlx::query_as("SELECT periods, settlement_date FROM hh_day")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!((periods, date), (50, day(2026, 10, 25)));
}

#[sqlx::test(migrations = "../migrations")]
async fn an_incomplete_day_is_refused_with_the_missing_periods(db: PgPool) {
    server::seed::seed_people(&db, 1).await.unwrap();
    let m = mpan(&db, "Castlegate House").await;
    let partial: String = day_csv(&m, "AI", day(2026, 1, 14), "SF", 1.0)
        .lines()
        .take(40)
        .map(|l| format!("{l}\n"))
        .collect();
    let errors = rejected(import(&db, format!("{HEADER}{partial}")).await);
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0]
            .1
            .contains("has 40 of 48 periods (missing 41,42,43,44,45,46,47,48)"),
        "{}",
        errors[0].1
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn malformed_files_are_refused_whole(db: PgPool) {
    server::seed::seed_people(&db, 1).await.unwrap();
    for (text, expect) in [
        ("", "empty"),
        ("mpan_core,channel,value,status,run\n", "interval_start"),
        (HEADER, "no data rows"),
        ("mpan_core,channel,interval_start,settlement_date,settlement_period,value,status,run\n1,2,3,4,5,6,7,8\n", "not both"),
    ] {
        match import(&db, text.to_string()).await {
            Err(ImportError::BadFile { reason, .. }) => assert!(reason.contains(expect), "{reason}"),
            other => panic!("{text:?}: {other:?}"),
        }
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn missing_values_may_be_blank_when_flagged_missing(db: PgPool) {
    server::seed::seed_people(&db, 1).await.unwrap();
    let m = mpan(&db, "Castlegate House").await;
    let text: String = day_csv(&m, "AI", day(2026, 1, 14), "II", 1.0)
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i < 4 {
                l.replacen(&format!(",{:.3},A,", (i + 1) as f64), ",,M,", 1) + "\n"
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    import(&db, format!("{HEADER}{text}")).await.unwrap();
    let (missing, statuses): (i16, String) = sqlx::query_as("SELECT missing, statuses FROM hh_day")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(missing, 4);
    assert!(statuses.starts_with("MMMMA"));
}

/// Reads `good` bytes, then fails as a network stream that breaks off does.
struct BreaksOff {
    good: std::io::Cursor<Vec<u8>>,
}

impl std::io::Read for BreaksOff {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.good.read(buf)? {
            0 => Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "the stream broke off",
            )),
            n => Ok(n),
        }
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_read_that_breaks_off_is_an_io_error_not_a_rejected_file(db: PgPool) {
    // The S3 ingest tries an I/O error again later, and moves a rejected file aside for good.
    server::seed::seed_people(&db, 1).await.unwrap();
    let m = mpan(&db, "Castlegate House").await;
    let text = format!("{HEADER}{}", day_csv(&m, "AI", day(2026, 1, 14), "SF", 1.0));
    let half = text.as_bytes()[..text.len() / 2].to_vec();
    let reader = BreaksOff {
        good: std::io::Cursor::new(half),
    };
    match import_hh(&db, "s3.csv", reader, ()).await {
        Err(ImportError::Io { file, source }) => {
            assert_eq!(file, "s3.csv");
            assert_eq!(source.kind(), std::io::ErrorKind::ConnectionReset);
        }
        other => panic!("expected an I/O error, got {other:?}"),
    }
    // Before the header is read, too.
    let reader = BreaksOff {
        good: std::io::Cursor::new(b"mpan_co".to_vec()),
    };
    assert!(matches!(
        import_hh(&db, "s3.csv", reader, ()).await,
        Err(ImportError::Io { .. })
    ));
    assert_eq!(day_rows(&db).await, 0);
}
