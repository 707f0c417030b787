//! What a contract's supply points have used: active import in the contract year and the last 12
//! months from the best-run daily roll-up (`hh_daily_best`, never raw half-hours of a portfolio
//! year), and each supply point's monthly maximum demand (`analytics::monthly_max_demand`).
use chrono::{Datelike, Months, NaiveDate};

use super::analytics::monthly_max_demand;
use super::hh::{channel_code, latest_day, SupplyPointRef};
use super::scope::ScopedTx;
use crate::domain::channel::Channel;
use crate::domain::contract_year::{contract_year, VolumeToDate};
use crate::domain::units::MaximumDemand;

/// The supply points of a contract that the scope shows.
#[tracing::instrument(level = "debug", skip_all, fields(contract_id = contract_id))]
pub async fn contract_points(
    tx: &mut ScopedTx<'_>,
    contract_id: i64,
) -> Result<Vec<SupplyPointRef>, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    let sites = tx.scope().site_ids().map(<[i64]>::to_vec);
    sqlx::query_as!(
        SupplyPointRef,
        r#"SELECT sp.id, sp.organisation_id, sp.site_id, s.name AS site_name, sp.mpan_core, sp.distributor_id,
                  sp.agreed_capacity_kva, sp.has_export, sp.energised_from
           FROM contract_supply_points cs
           JOIN supply_points sp ON sp.id = cs.supply_point_id
           JOIN sites s ON s.id = sp.site_id
           WHERE cs.contract_id = $1 AND cs.organisation_id = ANY($2)
             AND ($3::bigint[] IS NULL OR sp.site_id = ANY($3))
           ORDER BY s.name, sp.mpan_core"#,
        contract_id,
        &orgs,
        sites.as_deref()
    )
    .fetch_all(&mut **tx)
    .await
}

/// Active import of some supply points over `[from, to)`: Wh, how many supply-point-days had
/// data and how many supply points had any (to tell a complete span from a partial one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct VolumeSum {
    pub wh: i64,
    pub point_days: i64,
    pub points: i64,
}

#[tracing::instrument(level = "debug", skip_all, fields(supply_points = ids.len(), %from, %to))]
pub async fn active_import(
    tx: &mut ScopedTx<'_>,
    ids: &[i64],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<VolumeSum, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    let r = sqlx::query!(
        r#"SELECT coalesce(sum(day_total), 0)::bigint AS "wh!", count(*) AS "point_days!",
                  count(DISTINCT supply_point_id) AS "points!"
           FROM hh_daily_best
           WHERE supply_point_id = ANY($1) AND channel = $2 AND settlement_date >= $3
             AND settlement_date < $4 AND organisation_id = ANY($5)"#,
        ids,
        channel_code(Channel::ActiveImport),
        from,
        to,
        &orgs
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(VolumeSum {
        wh: r.wh,
        point_days: r.point_days,
        points: r.points,
    })
}

/// A supply point's maximum demand in each month that has data.
#[derive(Debug, Clone, PartialEq)]
pub struct PointDemand {
    pub point: SupplyPointRef,
    pub months: Vec<(NaiveDate, MaximumDemand)>,
}

/// A contract's usage as of `today`, over the supply points the scope shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ContractUsage {
    /// The contract year holding `today`, `[start, end)`.
    pub year: (NaiveDate, NaiveDate),
    /// The last settlement day with data at any of the supply points (today at the latest).
    pub data_until: Option<NaiveDate>,
    pub to_date: VolumeToDate,
    /// Active import over the 12 months that end with `data_until`.
    pub last_12_months_wh: i64,
    pub points_in_view: usize,
    /// Maximum demand per supply point, the 12 months ending with `data_until`'s month.
    pub demand: Vec<PointDemand>,
}

fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn months_back(d: NaiveDate, n: u32) -> NaiveDate {
    d.checked_sub_months(Months::new(n)).unwrap_or(d)
}

/// The usage of the contract `[starts_on, ends_on]` with id `contract_id` on `today`.
#[tracing::instrument(level = "debug", skip_all, fields(contract_id = contract_id, %today))]
pub async fn usage(
    tx: &mut ScopedTx<'_>,
    contract_id: i64,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    today: NaiveDate,
) -> Result<ContractUsage, sqlx::Error> {
    let (start, end) = contract_year(starts_on, ends_on, today);
    let points = contract_points(tx, contract_id).await?;
    let ids: Vec<i64> = points.iter().map(|p| p.id).collect();
    // Data up to today only (a day past it would be a clock or test-data oddity).
    let data_until = if ids.is_empty() {
        None
    } else {
        latest_day(tx, &ids, Channel::ActiveImport)
            .await?
            .map(|d| d.min(today))
    };
    let mut usage = ContractUsage {
        year: (start, end),
        data_until,
        to_date: VolumeToDate {
            consumed_wh: 0,
            days_elapsed: 0,
            days_left: (end - start).num_days(),
            same_dates_last_year_wh: None,
        },
        last_12_months_wh: 0,
        points_in_view: points.len(),
        demand: Vec::new(),
    };
    let Some(last) = data_until else {
        return Ok(usage);
    };
    // Days with data so far this contract year: [start, cut).
    let cut = last.succ_opt().unwrap_or(last).clamp(start, end);
    let so_far = active_import(tx, &ids, start, cut).await?;
    let days_left = (end - cut).num_days();
    let a_year_before = (months_back(cut, 12), months_back(end, 12));
    let last_year = active_import(tx, &ids, a_year_before.0, a_year_before.1).await?;
    // Last year's dates stand in for the rest of this year only if every supply point with data
    // this year had data on each of them (a new supply point has no such history: run rate).
    let span = (a_year_before.1 - a_year_before.0).num_days();
    let complete = so_far.points > 0 && last_year.point_days >= span * so_far.points;
    usage.to_date = VolumeToDate {
        consumed_wh: so_far.wh,
        days_elapsed: (cut - start).num_days(),
        days_left,
        same_dates_last_year_wh: (days_left > 0 && complete).then_some(last_year.wh),
    };
    let after_last = last.succ_opt().unwrap_or(last);
    usage.last_12_months_wh = active_import(tx, &ids, months_back(after_last, 12), after_last)
        .await?
        .wh;
    let first_month = months_back(month_start(last), 11);
    for p in points {
        let mut months = Vec::with_capacity(12);
        let mut m = first_month;
        while m <= last {
            if let Some(md) = monthly_max_demand(tx, p.id, m).await? {
                months.push((m, md));
            }
            m = super::analytics::next_month(m);
        }
        usage.demand.push(PointDemand { point: p, months });
    }
    Ok(usage)
}
