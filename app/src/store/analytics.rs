//! Analytics over HH data at the best run: portfolio and site totals, monthly maximum demand,
//! DUoS band totals and data completeness. Queries fetch day rows; the arithmetic is the domain's.
use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, TimeDelta};

use super::hh::{series, DayValues, SiteDayTotal, SupplyPointRef};
use super::scope::ScopedTx;
use crate::domain::channel::Channel;
use crate::domain::duos::{Band, BandRule, BandTable, DayType};
use crate::domain::settlement_run::RunChoice;
use crate::domain::settlement_time::{all_periods_utc, periods_between, periods_in_day, SettlementDate};
use crate::domain::units::{HalfHourEnergy, MaximumDemand};

/// The first day of the month after `month_start`'s month.
pub fn next_month(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(d)
}

/// The portfolio curve: per settlement day, the sum over sites (kWh).
pub fn portfolio_daily_kwh(site_days: &[SiteDayTotal]) -> Vec<(NaiveDate, f64)> {
    let mut by_day: BTreeMap<NaiveDate, i64> = BTreeMap::new();
    for t in site_days {
        *by_day.entry(t.date).or_default() += t.total;
    }
    by_day
        .into_iter()
        .map(|(d, wh)| (d, wh as f64 / 1000.0))
        .collect()
}

#[derive(Debug, Clone, PartialEq)]
pub struct SiteTotal {
    pub site_id: i64,
    pub site_name: String,
    pub kwh: f64,
    pub missing_periods: i64,
}

/// Active import per site over `[from, to)`, largest first, from the sites' daily totals. Missing
/// = periods expected while each supply point was energised, minus periods with a value: days with
/// no data at all count as well as periods flagged missing.
pub fn site_totals(
    points: &[SupplyPointRef],
    site_days: &[SiteDayTotal],
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<SiteTotal> {
    let mut by_site: BTreeMap<i64, SiteTotal> = BTreeMap::new();
    for p in points {
        let s = by_site.entry(p.site_id).or_insert_with(|| SiteTotal {
            site_id: p.site_id,
            site_name: p.site_name.clone(),
            kwh: 0.0,
            missing_periods: 0,
        });
        s.missing_periods += periods_between(from.max(p.energised_from), to);
    }
    for t in site_days {
        if let Some(s) = by_site.get_mut(&t.site_id) {
            s.kwh += t.total as f64 / 1000.0;
            s.missing_periods -= t.periods_present;
        }
    }
    let mut out: Vec<SiteTotal> = by_site.into_values().collect();
    out.sort_by(|a, b| b.kwh.total_cmp(&a.kwh));
    out
}

/// The half-hours of a supply point over `[from, to)` with active and reactive energy, at `run`.
#[tracing::instrument(level = "debug", skip_all, fields(supply_point_id = supply_point_id, %from, %to, run = run.code()))]
pub async fn half_hours(
    tx: &mut ScopedTx<'_>,
    supply_point_id: i64,
    from: NaiveDate,
    to: NaiveDate,
    run: RunChoice,
) -> Result<Vec<HalfHourEnergy>, sqlx::Error> {
    let ai = series(tx, supply_point_id, Channel::ActiveImport, from, to, run).await?;
    half_hours_with_reactive(tx, supply_point_id, &ai, from, to, run).await
}

/// As `half_hours`, for active-import days the caller has already read.
#[tracing::instrument(level = "debug", skip_all, fields(supply_point_id = supply_point_id, %from, %to, run = run.code()))]
pub async fn half_hours_with_reactive(
    tx: &mut ScopedTx<'_>,
    supply_point_id: i64,
    ai: &[DayValues],
    from: NaiveDate,
    to: NaiveDate,
    run: RunChoice,
) -> Result<Vec<HalfHourEnergy>, sqlx::Error> {
    let ri = series(tx, supply_point_id, Channel::ReactiveImport, from, to, run).await?;
    let re = series(tx, supply_point_id, Channel::ReactiveExport, from, to, run).await?;
    Ok(combine_half_hours(ai, &ri, &re))
}

/// Joins active and reactive days into half-hours; periods flagged missing are left out.
pub fn combine_half_hours(ai: &[DayValues], ri: &[DayValues], re: &[DayValues]) -> Vec<HalfHourEnergy> {
    let index = |days: &[DayValues]| -> BTreeMap<NaiveDate, Vec<i32>> {
        days.iter().map(|d| (d.date, d.vals.clone())).collect()
    };
    let (ri, re) = (index(ri), index(re));
    let mut out = Vec::with_capacity(ai.len() * 48);
    for day in ai {
        for ((p, start), wh) in all_periods_utc(SettlementDate(day.date)).zip(day.vals.iter()) {
            let i = usize::from(p.get() - 1);
            if day.statuses.as_bytes().get(i) == Some(&b'M') {
                continue;
            }
            let r = |m: &BTreeMap<NaiveDate, Vec<i32>>| {
                m.get(&day.date)
                    .and_then(|v| v.get(i))
                    .map_or(0.0, |v| f64::from(*v) / 1000.0)
            };
            out.push(HalfHourEnergy {
                start,
                kwh: f64::from(*wh) / 1000.0,
                kvarh_import: r(&ri),
                kvarh_export: r(&re),
            });
        }
    }
    out
}

/// The month's maximum demand (highest half-hourly kVA) and when it happened.
#[tracing::instrument(level = "debug", skip_all, fields(supply_point_id = supply_point_id, %month_start))]
pub async fn monthly_max_demand(
    tx: &mut ScopedTx<'_>,
    supply_point_id: i64,
    month_start: NaiveDate,
) -> Result<Option<MaximumDemand>, sqlx::Error> {
    let hh = half_hours(
        tx,
        supply_point_id,
        month_start,
        next_month(month_start),
        RunChoice::Best,
    )
    .await?;
    Ok(MaximumDemand::from_half_hours(hh))
}

/// The DUoS band table held in the database.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn band_table(tx: &mut ScopedTx<'_>) -> Result<BandTable, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT distributor_id, valid_from, valid_to, day_type, band, start_time, end_time
           FROM duos_band_rules ORDER BY distributor_id, valid_from"#
    )
    .fetch_all(&mut **tx)
    .await?;
    let rules = rows
        .into_iter()
        .filter_map(|r| {
            Some(BandRule {
                distributor_id: u8::try_from(r.distributor_id).ok()?,
                valid_from: r.valid_from,
                valid_to: r.valid_to,
                day_type: if r.day_type == "weekend" {
                    DayType::Weekend
                } else {
                    DayType::Weekday
                },
                band: match r.band.as_str() {
                    "red" => Band::Red,
                    "amber" => Band::Amber,
                    _ => Band::Green,
                },
                start: r.start_time,
                end: r.end_time,
            })
        })
        .collect();
    Ok(BandTable { rules })
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct BandTotals {
    pub red_kwh: f64,
    pub amber_kwh: f64,
    pub green_kwh: f64,
}

/// Active import by DUoS time band over `[from, to)`, using the supply point's distributor bands.
#[tracing::instrument(level = "debug", skip_all, fields(supply_point_id = point.id, %from, %to))]
pub async fn band_totals(
    tx: &mut ScopedTx<'_>,
    point: &SupplyPointRef,
    table: &BandTable,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<BandTotals, sqlx::Error> {
    let days = series(tx, point.id, Channel::ActiveImport, from, to, RunChoice::Best).await?;
    Ok(band_split(&days, table, point.distributor_id))
}

/// Splits days of active import by the distributor's DUoS time bands.
pub fn band_split(days: &[DayValues], table: &BandTable, distributor_id: i16) -> BandTotals {
    let dist = u8::try_from(distributor_id).unwrap_or(0);
    let mut t = BandTotals::default();
    for day in days {
        for ((_, start), wh) in all_periods_utc(SettlementDate(day.date)).zip(day.vals.iter()) {
            let kwh = f64::from(*wh) / 1000.0;
            match table.classify(dist, start) {
                Band::Red => t.red_kwh += kwh,
                Band::Amber => t.amber_kwh += kwh,
                Band::Green => t.green_kwh += kwh,
            }
        }
    }
    t
}

#[derive(Debug, Clone, PartialEq)]
pub struct Completeness {
    pub supply_point_id: i64,
    pub month: NaiveDate,
    /// Settlement periods in the month while energised (46/50 on clock-change days).
    pub expected: i64,
    /// Periods with a value at the best run, by status.
    pub actual: i64,
    pub estimated: i64,
    /// Periods flagged missing plus periods of days with no data at all.
    pub missing: i64,
}

/// Data completeness of one supply point for each month in `[from, to)`, up to `data_until`.
#[tracing::instrument(level = "debug", skip_all, fields(supply_point_id = point.id, %from, %to))]
pub async fn completeness(
    tx: &mut ScopedTx<'_>,
    point: &SupplyPointRef,
    from: NaiveDate,
    to: NaiveDate,
    data_until: NaiveDate,
) -> Result<Vec<Completeness>, sqlx::Error> {
    let days = series(tx, point.id, Channel::ActiveImport, from, to, RunChoice::Best).await?;
    let mut by_month: BTreeMap<NaiveDate, Completeness> = BTreeMap::new();
    let month_of = |d: NaiveDate| d.with_day(1).unwrap_or(d);
    let mut d = from.max(point.energised_from);
    while d < to && d < data_until {
        let m = month_of(d);
        let c = by_month.entry(m).or_insert(Completeness {
            supply_point_id: point.id,
            month: m,
            expected: 0,
            actual: 0,
            estimated: 0,
            missing: 0,
        });
        c.expected += i64::from(periods_in_day(d));
        d += TimeDelta::days(1);
    }
    for day in days {
        if let Some(c) = by_month.get_mut(&month_of(day.date)) {
            for s in day.statuses.bytes() {
                match s {
                    b'A' => c.actual += 1,
                    b'E' => c.estimated += 1,
                    _ => {}
                }
            }
        }
    }
    Ok(by_month
        .into_values()
        .map(|mut c| {
            c.missing = c.expected - c.actual - c.estimated;
            c
        })
        .collect())
}
