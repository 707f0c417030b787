//! `GET /consumption/export.csv`: half-hourly data as CSV, streamed. Formats and parameters are in
//! docs/exports.md.
//!
//! The parameters are checked first (400 with the reason), then the supply points against the
//! caller's scope (404 for any that is not theirs: never an empty file), a staff download is
//! recorded in the audit log, and only then does the body start. The body is written by a task
//! that owns a scoped transaction, reads `hh_day` as a stream (`store::hh_export::rows`), formats
//! each day-row into CSV lines and sends them in chunks of about 64 KB through a small bounded
//! channel: memory stays at a few chunks whatever the file's size, and a client that stops
//! reading stops the query (the task ends when the channel closes).
use std::collections::HashMap;
use std::time::Instant;

use app::api::ApiError;
use app::auth::Identity;
use app::domain::channel::Channel;
use app::domain::settlement_run::SettlementRun;
use app::state::AppState;
use app::store::hh::{channel_from_code, run_from_code};
use app::store::hh_export::{self, ExportQuery, ExportRow, ExportRuns};
use app::store::scope::ScopedTx;
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use chrono::{NaiveDate, TimeDelta};
use futures::StreamExt;
use tokio::sync::mpsc;
use tracing::Instrument;

use super::{error, file_stem, signed_in};

/// The long form's header: the importer's columns (docs/import-format.md), settlement day and
/// period rather than instants, so 46- and 50-period days need no offsets.
pub const LONG_HEADER: &str = "mpan_core,channel,settlement_date,settlement_period,value,status,run";

/// The most settlement periods a day has (the autumn clock change): the wide form's columns.
pub const WIDE_PERIODS: usize = 50;

/// The longest range one download may cover, in settlement days.
pub const MAX_DAYS: i64 = 400;

/// A chunk of the body: lines are sent once this many bytes are ready.
pub const CHUNK_BYTES: usize = 64 * 1024;

/// Chunks in flight between the task reading Postgres and the socket.
const CHUNKS_IN_FLIGHT: usize = 4;

/// The wide form's header: `mpan_core,channel,settlement_date,run,periods,total,P01,…,P50`.
pub fn wide_header() -> String {
    let mut h = String::from("mpan_core,channel,settlement_date,run,periods,total");
    for p in 1..=WIDE_PERIODS {
        h.push_str(&format!(",P{p:02}"));
    }
    h
}

/// One line per half-hour (the import format), or one line per day with a column per period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Long,
    Wide,
}

impl Form {
    pub fn code(self) -> &'static str {
        match self {
            Form::Long => "long",
            Form::Wide => "wide",
        }
    }
}

/// A checked request. `to` is inclusive: the last settlement day in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRequest {
    /// `None`: every supply point in the caller's scope.
    pub supply_points: Option<Vec<i64>>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub channels: Vec<Channel>,
    pub runs: ExportRuns,
    pub form: Form,
}

const PARAMETERS: &str = "sp, from, to, channels, run, form";

fn date_param(name: &str, value: Option<String>) -> Result<NaiveDate, String> {
    let v = value.ok_or_else(|| {
        format!("`{name}` is missing: give a settlement date as YYYY-MM-DD, e.g. {name}=2026-01-31.")
    })?;
    NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{name}` {v:?} is not a date: give it as YYYY-MM-DD, e.g. 2026-01-31."))
}

/// Reads the query string. Lists (`sp`, `channels`) are comma-separated and may also be repeated
/// (`sp=1&sp=2`); any other parameter given twice, or a parameter not listed, is refused so a
/// typing mistake never silently widens a download.
pub fn parse_request(query: Option<&str>) -> Result<ExportRequest, String> {
    let mut sp: Option<Vec<String>> = None;
    let mut channels: Option<Vec<String>> = None;
    let mut single: HashMap<&'static str, String> = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        let list = |into: &mut Option<Vec<String>>| {
            into.get_or_insert_with(Vec::new)
                .extend(v.split(',').map(|s| s.trim().to_owned()))
        };
        match &*k {
            "sp" => list(&mut sp),
            "channels" => list(&mut channels),
            name @ ("from" | "to" | "run" | "form") => {
                let name = match name {
                    "from" => "from",
                    "to" => "to",
                    "run" => "run",
                    _ => "form",
                };
                if single.insert(name, v.into_owned()).is_some() {
                    return Err(format!("`{name}` is given more than once."));
                }
            }
            other => {
                return Err(format!(
                    "unknown parameter `{other}`; the parameters are {PARAMETERS}."
                ))
            }
        }
    }
    let supply_points = match sp {
        None => None,
        Some(items) => {
            let mut ids = Vec::with_capacity(items.len());
            for s in items {
                if s.is_empty() {
                    return Err(
                        "`sp` has an empty item: give supply point ids separated by commas (sp=12,13), \
                         or leave `sp` out for every supply point."
                            .into(),
                    );
                }
                let id: i64 = s
                    .parse()
                    .map_err(|_| format!("`sp` {s:?} is not a supply point id (a whole number)."))?;
                ids.push(id);
            }
            ids.sort_unstable();
            ids.dedup();
            Some(ids)
        }
    };
    let from = date_param("from", single.remove("from"))?;
    let to = date_param("to", single.remove("to"))?;
    if from > to {
        return Err(format!(
            "`from` ({from}) is after `to` ({to}); `to` is the last settlement day included."
        ));
    }
    let days = (to - from).num_days() + 1;
    if days > MAX_DAYS {
        return Err(format!(
            "{from} to {to} is {days} days; one download covers at most {MAX_DAYS} days: split it into several."
        ));
    }
    let channels = match channels {
        None => Channel::ALL.to_vec(),
        Some(items) => {
            let mut out = Vec::new();
            for s in items {
                if s.is_empty() {
                    return Err(
                        "`channels` has an empty item: give channels separated by commas (channels=AI,RI)."
                            .into(),
                    );
                }
                let c: Channel = s.parse().map_err(|_| {
                    format!("unknown channel {s:?} in `channels`; expected AI, AE, RI or RE.")
                })?;
                if !out.contains(&c) {
                    out.push(c);
                }
            }
            out.sort_unstable();
            out
        }
    };
    let lower = |v: Option<String>| v.map(|s| (s.trim().to_ascii_lowercase(), s));
    let runs = match lower(single.remove("run")) {
        None => ExportRuns::Best,
        Some((l, _)) if l == "best" => ExportRuns::Best,
        Some((l, _)) if l == "all" => ExportRuns::All,
        Some((_, r)) => ExportRuns::Exactly(r.parse::<SettlementRun>().map_err(|_| {
            format!("unknown run {r:?}; expected best, all, or one of II, SF, R1, R2, R3, RF, DF.")
        })?),
    };
    let form = match lower(single.remove("form")) {
        None => Form::Long,
        Some((l, _)) if l == "long" => Form::Long,
        Some((l, _)) if l == "wide" => Form::Wide,
        Some((_, f)) => return Err(format!("unknown form {f:?}; expected long or wide.")),
    };
    Ok(ExportRequest {
        supply_points,
        from,
        to,
        channels,
        runs,
        form,
    })
}

/// Appends the decimal digits of `n`.
fn push_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// Wh as kWh with exactly three decimals (`12345` → `12.345`, `-5` → `-0.005`): what the importer
/// reads back to the same integer (`import::format::parse_milli`).
fn push_milli(out: &mut Vec<u8>, wh: i64) {
    if wh < 0 {
        out.push(b'-');
    }
    let a = wh.unsigned_abs();
    push_u64(out, a / 1000);
    let frac = a % 1000;
    out.extend_from_slice(&[
        b'.',
        b'0' + (frac / 100) as u8,
        b'0' + (frac / 10 % 10) as u8,
        b'0' + (frac % 10) as u8,
    ]);
}

/// A value's cell: blank for a missing half-hour that carries no value (as the importer reads a
/// blank `M`), otherwise the value.
fn push_value(out: &mut Vec<u8>, wh: i32, status: u8) {
    if !(status == b'M' && wh == 0) {
        push_milli(out, i64::from(wh));
    }
}

/// Turns `hh_day` rows into CSV lines. Every field is a code, a date or a number written here, so
/// no cell can start a spreadsheet formula (the guard in `csv.rs` is for free text, which these
/// files have none of) and none needs quoting.
pub struct LineWriter {
    form: Form,
    mpans: HashMap<i64, String>,
    prefix: Vec<u8>,
}

impl LineWriter {
    /// `mpans`: the MPAN core of each supply point the rows may name.
    pub fn new(form: Form, mpans: HashMap<i64, String>) -> Self {
        Self {
            form,
            mpans,
            prefix: Vec::with_capacity(64),
        }
    }

    pub fn header(&self, out: &mut Vec<u8>) {
        match self.form {
            Form::Long => out.extend_from_slice(LONG_HEADER.as_bytes()),
            Form::Wide => out.extend_from_slice(wide_header().as_bytes()),
        }
        out.push(b'\n');
    }

    /// Appends the lines of one day-row; returns how many lines.
    pub fn row(&mut self, r: &ExportRow, out: &mut Vec<u8>) -> Result<usize, String> {
        let mpan = self
            .mpans
            .get(&r.supply_point_id)
            .ok_or_else(|| format!("supply point {} is not among those exported", r.supply_point_id))?;
        let channel = channel_from_code(r.channel).ok_or_else(|| format!("channel code {}", r.channel))?;
        let run = run_from_code(r.run).ok_or_else(|| format!("run code {}", r.run))?;
        let statuses = r.statuses.as_bytes();
        if statuses.len() != r.vals.len() || r.vals.len() > WIDE_PERIODS {
            return Err(format!(
                "{} {} {}: {} values, {} statuses",
                mpan,
                channel.code(),
                r.settlement_date,
                r.vals.len(),
                statuses.len()
            ));
        }
        // `mpan,channel,date,` once per row; chrono writes dates as YYYY-MM-DD.
        self.prefix.clear();
        self.prefix.extend_from_slice(mpan.as_bytes());
        self.prefix.push(b',');
        self.prefix.extend_from_slice(channel.code().as_bytes());
        self.prefix.push(b',');
        self.prefix
            .extend_from_slice(r.settlement_date.format("%Y-%m-%d").to_string().as_bytes());
        self.prefix.push(b',');
        let run = run.as_str().as_bytes();
        match self.form {
            Form::Long => {
                for (i, (&v, &s)) in r.vals.iter().zip(statuses).enumerate() {
                    out.extend_from_slice(&self.prefix);
                    push_u64(out, i as u64 + 1);
                    out.push(b',');
                    push_value(out, v, s);
                    out.extend_from_slice(&[b',', s, b',']);
                    out.extend_from_slice(run);
                    out.push(b'\n');
                }
                Ok(r.vals.len())
            }
            Form::Wide => {
                out.extend_from_slice(&self.prefix);
                out.extend_from_slice(run);
                out.push(b',');
                push_u64(out, r.vals.len() as u64);
                out.push(b',');
                push_milli(out, r.vals.iter().map(|&v| i64::from(v)).sum());
                for (&v, &s) in r.vals.iter().zip(statuses) {
                    out.push(b',');
                    push_value(out, v, s);
                }
                // Blank cells after the day's last period (P47…P50 on a 46-period day).
                out.resize(out.len() + WIDE_PERIODS - r.vals.len(), b',');
                out.push(b'\n');
                Ok(1)
            }
        }
    }
}

/// The file's name: what, for which supply point when there is one, and the days.
pub fn file_name(req: &ExportRequest, single_mpan: Option<&str>) -> String {
    let who = single_mpan
        .map(|m| format!("{}-", file_stem(m)))
        .unwrap_or_default();
    format!(
        "hh-{who}{}-{}-{}-{}.csv",
        req.runs.code().to_ascii_lowercase(),
        req.form.code(),
        req.from,
        req.to
    )
}

type Chunk = Result<Bytes, std::io::Error>;

/// Reads the rows and sends the file in chunks; ends early when the client has gone (the channel
/// is closed) and aborts the body on a database error, so a failed download is never mistaken for
/// a complete file. Dropping the transaction at the end rolls it back: nothing was written.
async fn pump(
    mut tx: ScopedTx<'static>,
    query: ExportQuery,
    mut writer: LineWriter,
    sender: mpsc::Sender<Chunk>,
) {
    let started = Instant::now();
    let (mut day_rows, mut lines, mut bytes) = (0u64, 0u64, 0u64);
    let mut buf = Vec::with_capacity(CHUNK_BYTES + 4096);
    writer.header(&mut buf);
    let mut rows = hh_export::rows(&mut tx, &query);
    let failure = loop {
        let row = match rows.next().await {
            None => break None,
            Some(Ok(row)) => row,
            Some(Err(e)) => break Some(format!("reading hh_day: {e}")),
        };
        match writer.row(&row, &mut buf) {
            Ok(n) => lines += n as u64,
            Err(e) => break Some(format!("an hh_day row the export cannot write: {e}")),
        }
        day_rows += 1;
        if buf.len() >= CHUNK_BYTES {
            bytes += buf.len() as u64;
            let chunk = std::mem::replace(&mut buf, Vec::with_capacity(CHUNK_BYTES + 4096));
            if sender.send(Ok(Bytes::from(chunk))).await.is_err() {
                tracing::info!(day_rows, lines, bytes, "HH export: the client went away");
                return;
            }
        }
    };
    drop(rows);
    match failure {
        None => {
            bytes += buf.len() as u64;
            // A client gone at the last chunk needs no report.
            let _ = sender.send(Ok(Bytes::from(buf))).await;
            tracing::info!(
                day_rows,
                lines,
                bytes,
                ms = started.elapsed().as_millis() as u64,
                "HH export written"
            );
        }
        Some(reason) => {
            tracing::error!(day_rows, lines, bytes, error = %reason, "HH export failed part-way; the body is aborted");
            let _ = sender
                .send(Err(std::io::Error::other("the export failed part-way")))
                .await;
        }
    }
}

/// `GET /consumption/export.csv?sp=&from=&to=&channels=&run=&form=`.
pub async fn hh_csv(
    State(state): State<AppState>,
    identity: Option<Extension<Identity>>,
    offload: Option<Extension<std::sync::Arc<super::offload::Offload>>>,
    RawQuery(query): RawQuery,
) -> Response {
    let result = async {
        let who = signed_in(identity)?;
        let req = parse_request(query.as_deref()).map_err(ApiError::BadRequest)?;
        // The supply points: every one in scope, or those asked for, each of which must be.
        let mut tx = who.scope.begin(&state.db).await?;
        let in_scope = app::store::hh::supply_points_in_scope(&mut tx).await?;
        let chosen: Vec<_> = match &req.supply_points {
            None => in_scope,
            Some(ids) => {
                let chosen: Vec<_> = in_scope.into_iter().filter(|p| ids.contains(&p.id)).collect();
                if chosen.len() != ids.len() {
                    return Err(ApiError::NotFound);
                }
                chosen
            }
        };
        let mut orgs: Vec<i64> = chosen.iter().map(|p| p.organisation_id).collect();
        orgs.sort_unstable();
        orgs.dedup();
        app::api::guard::finish_read(
            tx,
            &who,
            "staff.export.hh_csv",
            &orgs,
            serde_json::json!({
                "supply_points": chosen.iter().map(|p| p.id).collect::<Vec<_>>(),
                "from": req.from,
                "to": req.to,
                "channels": req.channels.iter().map(|c| c.code()).collect::<Vec<_>>(),
                "run": req.runs.code(),
                "form": req.form.code(),
            }),
        )
        .await?;
        let single = match chosen.as_slice() {
            [one] if req.supply_points.is_some() => Some(one.mpan_core.clone()),
            _ => None,
        };
        let name = file_name(&req, single.as_deref());
        let query = ExportQuery {
            supply_point_ids: chosen.iter().map(|p| p.id).collect(),
            channels: req.channels.clone(),
            from: req.from,
            until: req.to + TimeDelta::days(1),
            runs: req.runs,
        };
        let writer = LineWriter::new(
            req.form,
            chosen.into_iter().map(|p| (p.id, p.mpan_core)).collect(),
        );
        // The body's own transaction, opened before the answer so a database that is down is a
        // 500, not a 200 with an aborted body.
        let tx = who.scope.begin(&state.db).await?;
        let (sender, mut receiver) = mpsc::channel::<Chunk>(CHUNKS_IN_FLIGHT);
        tokio::spawn(pump(tx, query, writer, sender).instrument(tracing::Span::current()));
        if let Some(Extension(offload)) = offload {
            // On Lambda: the file goes to S3 and the browser is sent to it (offload.rs).
            let link = offload
                .upload(&name, "text/csv; charset=utf-8", receiver)
                .await
                .map_err(|e| {
                    tracing::error!(error = %e, "HH export: the file could not be stored for download");
                    ApiError::Unavailable(
                        "The file could not be prepared for download. Nothing was changed; please try again."
                            .into(),
                    )
                })?;
            let location = HeaderValue::from_str(&link).map_err(|_| ApiError::Internal)?;
            return Ok((
                StatusCode::SEE_OTHER,
                [
                    (header::LOCATION, location),
                    (
                        header::CACHE_CONTROL,
                        HeaderValue::from_static("private, no-store"),
                    ),
                ],
            )
                .into_response());
        }
        let body = Body::from_stream(futures::stream::poll_fn(move |cx| receiver.poll_recv(cx)));
        let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
            .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
        Ok::<_, ApiError>(
            (
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("text/csv; charset=utf-8"),
                    ),
                    (header::CONTENT_DISPOSITION, disposition),
                    (
                        header::CACHE_CONTROL,
                        HeaderValue::from_static("private, no-store"),
                    ),
                ],
                body,
            )
                .into_response(),
        )
    }
    .await;
    result.unwrap_or_else(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn defaults_are_every_channel_best_run_long_form() {
        let r = parse_request(Some("from=2026-01-01&to=2026-01-31")).unwrap();
        assert_eq!(r.supply_points, None);
        assert_eq!((r.from, r.to), (d(2026, 1, 1), d(2026, 1, 31)));
        assert_eq!(r.channels, Channel::ALL.to_vec());
        assert_eq!((r.runs, r.form), (ExportRuns::Best, Form::Long));
    }

    #[test]
    fn lists_are_comma_separated_or_repeated() {
        let r = parse_request(Some(
            "sp=3,1&sp=2,3&from=2026-01-01&to=2026-01-01&channels=RI,AI&channels=ai&run=all&form=wide",
        ))
        .unwrap();
        assert_eq!(r.supply_points, Some(vec![1, 2, 3]));
        assert_eq!(r.channels, vec![Channel::ActiveImport, Channel::ReactiveImport]);
        assert_eq!((r.runs, r.form), (ExportRuns::All, Form::Wide));
        let r = parse_request(Some("from=2026-01-01&to=2026-01-02&run=R1&sp=%205%20")).unwrap();
        assert_eq!(r.runs, ExportRuns::Exactly(SettlementRun::R1));
        assert_eq!(r.supply_points, Some(vec![5]));
    }

    #[test]
    fn bad_parameters_say_what_is_wrong() {
        let err = |q: &str| parse_request(Some(q)).unwrap_err();
        assert!(err("to=2026-01-01").contains("`from` is missing"));
        assert!(err("from=2026-01-01").contains("`to` is missing"));
        assert!(err("from=1/2/2026&to=2026-01-01").contains("is not a date"));
        assert!(err("from=2026-02-01&to=2026-01-01").contains("is after `to`"));
        assert!(err("from=2025-01-01&to=2026-02-05").contains("at most 400 days"));
        assert!(err("from=2026-01-01&to=2026-01-02&channels=AI,XX").contains("unknown channel \"XX\""));
        assert!(err("from=2026-01-01&to=2026-01-02&run=R4").contains("unknown run \"R4\""));
        assert!(err("from=2026-01-01&to=2026-01-02&form=tall").contains("unknown form"));
        assert!(err("from=2026-01-01&to=2026-01-02&sp=1,x").contains("not a supply point id"));
        assert!(err("from=2026-01-01&to=2026-01-02&sp=").contains("empty item"));
        assert!(err("from=2026-01-01&to=2026-01-02&chanels=AI").contains("unknown parameter `chanels`"));
        assert!(err("from=2026-01-01&to=2026-01-02&from=2026-01-01").contains("more than once"));
        // 400 days is the limit, inclusive of both ends.
        assert!(parse_request(Some("from=2025-01-01&to=2026-02-05")).is_err());
        assert!(parse_request(Some("from=2025-01-01&to=2026-02-04")).is_ok());
    }

    #[test]
    fn values_are_kwh_with_three_decimals() {
        let s = |wh: i64| {
            let mut v = Vec::new();
            push_milli(&mut v, wh);
            String::from_utf8(v).unwrap()
        };
        assert_eq!(s(0), "0.000");
        assert_eq!(s(5), "0.005");
        assert_eq!(s(12_345), "12.345");
        assert_eq!(s(1_000), "1.000");
        assert_eq!(s(-5), "-0.005");
        assert_eq!(s(i64::from(i32::MAX)), "2147483.647");
    }

    fn row(vals: Vec<i32>, statuses: &str) -> ExportRow {
        ExportRow {
            supply_point_id: 7,
            channel: 3,
            settlement_date: d(2026, 3, 29),
            run: 6,
            vals,
            statuses: statuses.into(),
        }
    }

    #[test]
    fn long_lines_are_the_import_format() {
        let mut w = LineWriter::new(Form::Long, HashMap::from([(7, "1012345678903".to_owned())]));
        let mut out = Vec::new();
        w.header(&mut out);
        let mut vals = vec![1500; 46];
        vals[1] = 0;
        let statuses = format!("AM{}", "E".repeat(44));
        assert_eq!(w.row(&row(vals, &statuses), &mut out), Ok(46));
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 47);
        assert_eq!(lines[0], LONG_HEADER);
        assert_eq!(lines[1], "1012345678903,RI,2026-03-29,1,1.500,A,RF");
        assert_eq!(lines[2], "1012345678903,RI,2026-03-29,2,,M,RF");
        assert_eq!(lines[46], "1012345678903,RI,2026-03-29,46,1.500,E,RF");
    }

    #[test]
    fn wide_lines_have_fifty_period_cells_blank_past_the_day() {
        let mut w = LineWriter::new(Form::Wide, HashMap::from([(7, "1012345678903".to_owned())]));
        let mut out = Vec::new();
        w.header(&mut out);
        let vals: Vec<i32> = (1..=46).collect();
        assert_eq!(w.row(&row(vals, &"A".repeat(46)), &mut out), Ok(1));
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let header: Vec<&str> = lines[0].split(',').collect();
        assert_eq!(header.len(), 56);
        assert_eq!(
            &header[..7],
            [
                "mpan_core",
                "channel",
                "settlement_date",
                "run",
                "periods",
                "total",
                "P01"
            ]
        );
        assert_eq!(header[55], "P50");
        let cells: Vec<&str> = lines[1].split(',').collect();
        assert_eq!(cells.len(), 56);
        assert_eq!(
            &cells[..8],
            [
                "1012345678903",
                "RI",
                "2026-03-29",
                "RF",
                "46",
                "1.081",
                "0.001",
                "0.002"
            ]
        );
        assert_eq!(cells[51], "0.046");
        assert_eq!(&cells[52..], ["", "", "", ""]);
    }

    #[test]
    fn a_row_of_an_unknown_supply_point_is_an_error_not_a_line() {
        let mut w = LineWriter::new(Form::Long, HashMap::new());
        assert!(w
            .row(&row(vec![1; 48], &"A".repeat(48)), &mut Vec::new())
            .is_err());
    }

    #[test]
    fn file_names_say_what_and_when() {
        let r = parse_request(Some("from=2026-01-01&to=2026-01-31&run=R1&form=wide")).unwrap();
        assert_eq!(file_name(&r, None), "hh-r1-wide-2026-01-01-2026-01-31.csv");
        assert_eq!(
            file_name(&r, Some("1012345678903")),
            "hh-1012345678903-r1-wide-2026-01-01-2026-01-31.csv"
        );
    }
}
