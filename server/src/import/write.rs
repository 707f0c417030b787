//! The import transaction: parse on a blocking thread, COPY whole days into a staging table,
//! check against what is stored, insert what is new, record the batch; roll back on any error.
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::io::Read;

use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use tokio::sync::mpsc;

use super::days::{DayAssembler, DayRow};
use super::format::{parse_line, Columns, DayCache, LineError, MAX_REPORTED_ERRORS};
use super::{ImportError, KnownSupply, Progress};
use app::store::hh::{channel_code, run_code};

#[derive(Debug, Clone, Default)]
pub struct ImportSummary {
    pub file_name: String,
    pub sha256: String,
    pub rows: u64,
    pub values: u64,
    pub supply_points: usize,
    pub first_date: Option<NaiveDate>,
    pub last_date: Option<NaiveDate>,
    pub runs: Vec<String>,
    /// Distinct settlement days in the file.
    pub days: usize,
    /// The organisations whose supply points the file names (those it resolved).
    pub organisations: Vec<i64>,
    pub day_rows_new: u64,
    pub day_rows_known: u64,
    pub batch_id: Option<i64>,
}

struct Parsed {
    summary: ImportSummary,
    errors: Vec<LineError>,
    total_errors: usize,
}

const BATCH_DAYS: usize = 512;

/// Reads through a SHA-256 and reports bytes to the progress bar.
struct Tee<R, P> {
    inner: R,
    hash: Sha256,
    progress: P,
}

impl<R: Read, P: Progress> Read for Tee<R, P> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        self.progress.advance(n as u64);
        Ok(n)
    }
}

fn parse_all<R: Read, P: Progress>(
    reader: R,
    file: &str,
    known: &HashMap<u64, KnownSupply>,
    out: mpsc::Sender<Vec<DayRow>>,
    progress: P,
) -> Result<Parsed, ImportError> {
    let mut tee = Tee {
        inner: reader,
        hash: Sha256::new(),
        progress,
    };
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .buffer_capacity(1 << 20)
        .from_reader(&mut tee);
    let bad = |reason: String| ImportError::BadFile {
        file: file.to_owned(),
        reason,
    };
    // A read that fails (a stream from S3 that breaks off) is no fault of the file: `Io`, so the
    // caller can try again, never a rejection.
    let io = |e: csv::Error| match e.into_kind() {
        csv::ErrorKind::Io(source) => ImportError::Io {
            file: file.to_owned(),
            source,
        },
        other => bad(format!("{other:?}")),
    };
    let header = match csv.byte_headers() {
        Ok(h) => h.clone(),
        Err(e) if e.is_io_error() => return Err(io(e)),
        Err(e) => return Err(bad(format!("the header cannot be read: {e}"))),
    };
    if header.is_empty() || header.iter().all(|h| h.is_empty()) {
        return Err(bad("the file is empty; a header line is required".into()));
    }
    let cols = Columns::from_header(&header).map_err(bad)?;
    let mut days = DayAssembler::default();
    let mut cache = DayCache::default();
    let mut rec = csv::ByteRecord::new();
    let mut batch = Vec::with_capacity(BATCH_DAYS);
    let mut errors = Vec::new();
    let mut total_errors = 0usize;
    let mut s = ImportSummary {
        file_name: file.to_owned(),
        ..Default::default()
    };
    let mut supplies = BTreeSet::new();
    let mut organisations = BTreeSet::new();
    let mut dates = BTreeSet::new();
    let mut runs = BTreeSet::new();
    let mut report = |errors: &mut Vec<LineError>, line: u64, reason: String| {
        total_errors += 1;
        if errors.len() < MAX_REPORTED_ERRORS {
            errors.push(LineError { line, reason });
        }
    };
    loop {
        match csv.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) if e.is_io_error() => return Err(io(e)),
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                report(&mut errors, line, format!("not readable as CSV: {e}"));
                continue;
            }
        }
        let line = rec.position().map_or(0, |p| p.line());
        s.rows += 1;
        if rec.len() == 1 && rec.get(0).is_some_and(|f| f.is_empty()) {
            s.rows -= 1; // a blank line
            continue;
        }
        let value = match parse_line(&rec, &cols, known, &mut cache) {
            Ok(v) => v,
            Err(reason) => {
                report(&mut errors, line, reason);
                continue;
            }
        };
        match days.push(value, line) {
            Ok(Some(day)) => {
                s.values += day.vals.len() as u64;
                supplies.insert(day.supply_point_id);
                organisations.insert(day.organisation_id);
                dates.insert(day.date);
                runs.insert(day.run);
                s.first_date = Some(s.first_date.map_or(day.date, |d| d.min(day.date)));
                s.last_date = Some(s.last_date.map_or(day.date, |d| d.max(day.date)));
                if errors.is_empty() {
                    batch.push(day);
                    if batch.len() == BATCH_DAYS
                        && out
                            .blocking_send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH_DAYS)))
                            .is_err()
                    {
                        // The writer stopped (a database error); it reports why.
                        return Ok(Parsed {
                            summary: s,
                            errors,
                            total_errors,
                        });
                    }
                }
            }
            Ok(None) => {}
            Err(reason) => report(&mut errors, line, reason),
        }
    }
    for (line, reason) in days.incomplete() {
        report(&mut errors, line, reason);
    }
    if s.rows == 0 {
        return Err(bad("the file has a header but no data rows".into()));
    }
    if errors.is_empty() && !batch.is_empty() {
        let _ = out.blocking_send(batch);
    }
    drop(csv);
    s.sha256 = format!("{:x}", tee.hash.finalize());
    s.supply_points = supplies.len();
    s.organisations = organisations.into_iter().collect();
    s.days = dates.len();
    s.runs = runs.into_iter().map(|r| r.to_string()).collect();
    errors.sort_by_key(|e| e.line);
    Ok(Parsed {
        summary: s,
        errors,
        total_errors,
    })
}

fn copy_line(buf: &mut String, d: &DayRow) {
    let _ = write!(
        buf,
        "{}\t{}\t{}\t{}\t{}\t{{",
        d.supply_point_id,
        d.organisation_id,
        channel_code(d.channel),
        d.date,
        run_code(d.run)
    );
    for (i, v) in d.vals.iter().enumerate() {
        if i > 0 {
            buf.push(',');
        }
        let _ = write!(buf, "{v}");
    }
    let total: i64 = d.vals.iter().map(|v| i64::from(*v)).sum();
    let missing = d.statuses.bytes().filter(|b| *b == b'M').count();
    let max = d.vals.iter().copied().max().unwrap_or(0);
    let _ = writeln!(
        buf,
        "}}\t{}\t{}\t{total}\t{max}\t{}\t{missing}",
        d.statuses,
        d.first_line,
        d.vals.len()
    );
}

/// Runs one import inside the caller's transaction `conn` (the CLI's, or a request's scoped one):
/// parse, stage, check, write. On `Err` nothing may be committed: the caller rolls back. On `Ok`
/// the caller commits when `batch_id` is set (new day-rows were written) and may roll back
/// otherwise (nothing new: the batch record is not kept, so a re-import changes nothing).
pub async fn import_in<R: Read + Send + 'static>(
    conn: &mut PgConnection,
    file_name: &str,
    reader: R,
    known: HashMap<u64, KnownSupply>,
    progress: impl Progress,
) -> Result<ImportSummary, ImportError> {
    let (sender, mut receiver) = mpsc::channel::<Vec<DayRow>>(4);
    let name = file_name.to_owned();
    let parser = tokio::task::spawn_blocking(move || parse_all(reader, &name, &known, sender, progress));

    // The staging table is per transaction (a temp table), so the statements that read it cannot be
    // checked at compile time: it does not exist when the macros describe them. They stay dynamic.
    sqlx::query(
        "CREATE TEMP TABLE hh_stage (
            supply_point_id bigint, organisation_id bigint, channel smallint, settlement_date date,
            run smallint, vals integer[], statuses text, first_line bigint,
            day_total bigint, day_max integer, periods smallint, missing smallint
         ) ON COMMIT DROP",
    )
    .execute(&mut *conn)
    .await?;
    let mut copy = conn.copy_in_raw("COPY hh_stage FROM STDIN").await?;
    let mut buf = String::with_capacity(BATCH_DAYS * 400);
    while let Some(batch) = receiver.recv().await {
        buf.clear();
        for d in &batch {
            copy_line(&mut buf, d);
        }
        copy.send(buf.as_bytes()).await?;
    }
    copy.finish().await?;
    let parsed = parser.await.map_err(|e| ImportError::BadFile {
        file: file_name.to_owned(),
        reason: format!("the parser stopped: {e}"),
    })??;
    let mut summary = parsed.summary;
    if parsed.total_errors > 0 {
        return Err(ImportError::Rejected {
            file: file_name.to_owned(),
            errors: parsed.errors,
            total: parsed.total_errors,
            read: Box::new(summary),
        });
    }

    // A run already imported with other values is not revised in place: revisions are new runs.
    // Dynamic: reads the temp staging table (see above).
    let conflicts: Vec<(i64, String, i16, NaiveDate, i16)> = sqlx::query_as(
        "SELECT s.first_line, sp.mpan_core, s.channel, s.settlement_date, s.run
         FROM hh_stage s
         JOIN hh_day d USING (supply_point_id, channel, settlement_date, run)
         JOIN supply_points sp ON sp.id = s.supply_point_id
         WHERE d.vals <> s.vals OR d.statuses <> s.statuses
         ORDER BY s.first_line LIMIT $1",
    )
    .bind(MAX_REPORTED_ERRORS as i64)
    .fetch_all(&mut *conn)
    .await?;
    if !conflicts.is_empty() {
        let total = conflicts.len();
        let errors = conflicts
            .into_iter()
            .map(|(line, mpan, channel, date, run)| LineError {
                line: line as u64,
                reason: format!(
                    "MPAN {mpan} channel {} on {date} run {} was already imported with different values; \
                     send corrections as a later settlement run",
                    app::store::hh::channel_from_code(channel).map_or("?", |c| c.code()),
                    app::store::hh::run_from_code(run).map_or("?".into(), |r| r.to_string()),
                ),
            })
            .collect();
        return Err(ImportError::Rejected {
            file: file_name.to_owned(),
            errors,
            total,
            read: Box::new(summary),
        });
    }

    // Dynamic: reads the temp staging table (see above).
    let staged: i64 = sqlx::query_scalar("SELECT count(*) FROM hh_stage")
        .fetch_one(&mut *conn)
        .await?;
    let batch_id = sqlx::query_scalar!(
        "INSERT INTO import_batches (file_name, sha256, source_rows, day_rows_new, day_rows_known,
             supply_points, first_date, last_date, runs)
         VALUES ($1, $2, $3, 0, 0, $4, $5, $6, $7) RETURNING id",
        file_name,
        &summary.sha256,
        summary.rows as i64,
        summary.supply_points as i32,
        summary.first_date,
        summary.last_date,
        &summary.runs
    )
    .fetch_one(&mut *conn)
    .await?;
    // Dynamic: reads the temp staging table (see above).
    let inserted = sqlx::query(
        "INSERT INTO hh_day (supply_point_id, organisation_id, channel, settlement_date, run, vals, statuses,
             day_total, day_max, periods, missing, import_batch_id)
         SELECT supply_point_id, organisation_id, channel, settlement_date, run, vals, statuses,
                day_total, day_max, periods, missing, $1
         FROM hh_stage
         ON CONFLICT (supply_point_id, channel, settlement_date, run) DO NOTHING",
    )
    .bind(batch_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    summary.day_rows_known = staged as u64 - inserted;
    // Keep the best-run daily totals: a staged run replaces the day's row only if it is better.
    // Dynamic: reads the temp staging table (see above).
    sqlx::query(
        "INSERT INTO hh_daily_best (supply_point_id, organisation_id, channel, settlement_date, run, day_total,
             periods, missing)
         SELECT DISTINCT ON (supply_point_id, channel, settlement_date)
                supply_point_id, organisation_id, channel, settlement_date, run, day_total, periods, missing
         FROM hh_stage
         ORDER BY supply_point_id, channel, settlement_date, run DESC
         ON CONFLICT (supply_point_id, channel, settlement_date) DO UPDATE
             SET run = EXCLUDED.run, day_total = EXCLUDED.day_total, periods = EXCLUDED.periods,
                 missing = EXCLUDED.missing
             WHERE EXCLUDED.run > hh_daily_best.run",
    )
    .execute(&mut *conn)
    .await?;
    if inserted == 0 {
        // Everything is already there: importing the same file again changes nothing at all (the
        // caller rolls back, so the batch record goes too).
        return Ok(summary);
    }
    sqlx::query!(
        "UPDATE import_batches SET day_rows_new = $2, day_rows_known = $3 WHERE id = $1",
        batch_id,
        inserted as i64,
        summary.day_rows_known as i64
    )
    .execute(&mut *conn)
    .await?;
    summary.day_rows_new = inserted;
    summary.batch_id = Some(batch_id);
    Ok(summary)
}
