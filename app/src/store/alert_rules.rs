//! Raising alerts: reads the settlement days and contracts the rules need (`domain::alerts`), and
//! keeps what they find. Runs after every import (the CLI's and the browser upload's, for the
//! customers the file named) and daily for every customer. Idempotent: an alert that exists for
//! the same rule, supply point and day (or contract and threshold) is left as it is, so running it
//! twice raises nothing new and an acknowledged alert stays acknowledged.
//!
//! Takes a plain connection: the CLI and the daily job run as the database owner, an upload inside
//! the uploader's scoped transaction (row-level security then limits the writes to that scope).
use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use sqlx::PgConnection;

use crate::domain::alerts::{self, renewal_threshold, Day, NewAlert, Rule, SupplyPointDays, Window};

/// What one evaluation did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Raised {
    /// New alerts by rule.
    pub new: BTreeMap<Rule, u64>,
    /// Data-gap alerts whose day now has every half-hour.
    pub gaps_resolved: u64,
}

impl Raised {
    pub fn total(&self) -> u64 {
        self.new.values().sum()
    }
}

impl std::fmt::Display for Raised {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .new
            .iter()
            .map(|(rule, n)| format!("{} {n}", rule.label().to_lowercase()))
            .collect();
        write!(f, "alerts: {} raised", self.total())?;
        if !parts.is_empty() {
            write!(f, " ({})", parts.join(", "))?;
        }
        write!(f, ", {} data gap(s) resolved", self.gaps_resolved)
    }
}

/// Runs every rule for `organisations` as of `today`, and keeps the alerts found.
#[tracing::instrument(level = "debug", skip_all, fields(today = %today, organisations = organisations.len()))]
pub async fn evaluate(
    conn: &mut PgConnection,
    organisations: &[i64],
    today: NaiveDate,
) -> Result<Raised, sqlx::Error> {
    let w = Window::of(today);
    let mut raise = Vec::new();
    let mut complete: Vec<(i64, NaiveDate)> = Vec::new();
    for sp in supply_point_days(conn, organisations, &w).await? {
        let e = alerts::evaluate(&w, &sp);
        raise.extend(e.raise);
        complete.extend(e.complete_days.into_iter().map(|d| (sp.id, d)));
    }
    raise.extend(renewals(conn, organisations, &w).await?);

    let mut raised = Raised {
        new: insert(conn, &raise).await?,
        ..Raised::default()
    };
    raised.gaps_resolved = settle_gaps(conn, &raise, &complete).await?;
    Ok(raised)
}

/// The energised supply points of `organisations` with their best-run import and reactive days
/// from the window's reference weeks to today.
async fn supply_point_days(
    conn: &mut PgConnection,
    organisations: &[i64],
    w: &Window,
) -> Result<Vec<SupplyPointDays>, sqlx::Error> {
    let mut points: HashMap<i64, SupplyPointDays> = sqlx::query!(
        r#"SELECT id, organisation_id, site_id, agreed_capacity_kva, energised_from, energised_to
           FROM supply_points
           WHERE organisation_id = ANY($1) AND energised_from <= $3
             AND (energised_to IS NULL OR energised_to >= $2)"#,
        organisations,
        w.from,
        w.today
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| {
        let sp = SupplyPointDays {
            id: r.id,
            organisation_id: r.organisation_id,
            site_id: r.site_id,
            agreed_capacity_kva: f64::from(r.agreed_capacity_kva),
            energised_from: r.energised_from,
            energised_to: r.energised_to,
            days: BTreeMap::new(),
        };
        (r.id, sp)
    })
    .collect();
    let ids: Vec<i64> = points.keys().copied().collect();
    let rows = sqlx::query!(
        r#"SELECT h.supply_point_id, h.channel, h.settlement_date, h.vals, h.statuses
           FROM hh_daily_best b
           JOIN hh_day h ON h.supply_point_id = b.supply_point_id AND h.channel = b.channel
                AND h.settlement_date = b.settlement_date AND h.run = b.run
           WHERE b.supply_point_id = ANY($1) AND b.channel IN (1, 3)
             AND b.settlement_date BETWEEN $2 AND $3 AND h.settlement_date BETWEEN $2 AND $3"#,
        &ids,
        w.reference_from,
        w.today
    )
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        let Some(sp) = points.get_mut(&r.supply_point_id) else {
            continue;
        };
        let day: &mut Day = sp.days.entry(r.settlement_date).or_default();
        if r.channel == 1 {
            day.import = Some((r.vals, r.statuses));
        } else {
            day.reactive = Some(r.vals);
        }
    }
    let mut points: Vec<SupplyPointDays> = points.into_values().collect();
    points.sort_by_key(|p| p.id);
    Ok(points)
}

/// Contracts ending within the horizon that leave a supply point (or, without supply points, the
/// customer) with no contract from the next day: the same test as the account manager's list.
async fn renewals(
    conn: &mut PgConnection,
    organisations: &[i64],
    w: &Window,
) -> Result<Vec<NewAlert>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT c.id, c.organisation_id, c.ends_on FROM contracts c
           WHERE c.organisation_id = ANY($1) AND c.ends_on BETWEEN $2 AND $3
             AND (EXISTS (SELECT 1 FROM contract_supply_points cs WHERE cs.contract_id = c.id
                          AND NOT EXISTS (SELECT 1 FROM contract_supply_points ns
                                          JOIN contracts n ON n.id = ns.contract_id
                                          WHERE ns.supply_point_id = cs.supply_point_id AND n.id <> c.id
                                            AND c.ends_on + 1 BETWEEN n.starts_on AND n.ends_on))
                  OR (NOT EXISTS (SELECT 1 FROM contract_supply_points cs WHERE cs.contract_id = c.id)
                      AND NOT EXISTS (SELECT 1 FROM contracts n WHERE n.organisation_id = c.organisation_id
                                      AND n.id <> c.id AND c.ends_on + 1 BETWEEN n.starts_on AND n.ends_on)))
           ORDER BY c.id"#,
        organisations,
        w.today,
        w.renewals_to
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let threshold = renewal_threshold(r.ends_on, w.today)?;
            Some(NewAlert {
                organisation_id: r.organisation_id,
                site_id: None,
                supply_point_id: None,
                contract_id: Some(r.id),
                rule: Rule::Renewal,
                day: r.ends_on,
                measured: (r.ends_on - w.today).num_days() as f64,
                reference: threshold as f64,
                period: None,
            })
        })
        .collect())
}

/// Inserts the alerts not already held; returns how many were new, by rule.
async fn insert(conn: &mut PgConnection, raise: &[NewAlert]) -> Result<BTreeMap<Rule, u64>, sqlx::Error> {
    let mut new = BTreeMap::new();
    if raise.is_empty() {
        return Ok(new);
    }
    let rules: Vec<&str> = raise.iter().map(|a| a.rule.as_str()).collect();
    let rows = sqlx::query_scalar!(
        r#"INSERT INTO alerts (organisation_id, site_id, supply_point_id, contract_id, rule, day, measured,
                               reference, period)
           SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::date[],
                                $7::float8[], $8::float8[], $9::smallint[])
           ON CONFLICT DO NOTHING
           RETURNING rule"#,
        &raise.iter().map(|a| a.organisation_id).collect::<Vec<_>>(),
        &raise.iter().map(|a| a.site_id).collect::<Vec<_>>() as &[Option<i64>],
        &raise.iter().map(|a| a.supply_point_id).collect::<Vec<_>>() as &[Option<i64>],
        &raise.iter().map(|a| a.contract_id).collect::<Vec<_>>() as &[Option<i64>],
        &rules as &[&str],
        &raise.iter().map(|a| a.day).collect::<Vec<_>>(),
        &raise.iter().map(|a| a.measured).collect::<Vec<_>>(),
        &raise.iter().map(|a| a.reference).collect::<Vec<_>>(),
        &raise.iter().map(|a| a.period).collect::<Vec<_>>() as &[Option<i16>]
    )
    .fetch_all(&mut *conn)
    .await?;
    for rule in rows.iter().filter_map(|r| Rule::parse(r)) {
        *new.entry(rule).or_insert(0) += 1;
    }
    Ok(new)
}

/// Keeps open data-gap alerts current: a day that is now complete resolves its alert; a day still
/// short has its count of missing half-hours brought up to date. Returns how many were resolved.
async fn settle_gaps(
    conn: &mut PgConnection,
    raise: &[NewAlert],
    complete: &[(i64, NaiveDate)],
) -> Result<u64, sqlx::Error> {
    let gaps: Vec<&NewAlert> = raise.iter().filter(|a| a.rule == Rule::DataGap).collect();
    if !gaps.is_empty() {
        sqlx::query!(
            r#"UPDATE alerts a SET measured = g.missing
               FROM unnest($1::bigint[], $2::date[], $3::float8[]) AS g(supply_point_id, day, missing)
               WHERE a.rule = 'data_gap' AND a.supply_point_id = g.supply_point_id AND a.day = g.day
                 AND a.cleared_at IS NULL AND a.measured <> g.missing"#,
            &gaps.iter().filter_map(|a| a.supply_point_id).collect::<Vec<_>>(),
            &gaps.iter().map(|a| a.day).collect::<Vec<_>>(),
            &gaps.iter().map(|a| a.measured).collect::<Vec<_>>()
        )
        .execute(&mut *conn)
        .await?;
    }
    if complete.is_empty() {
        return Ok(0);
    }
    let (points, days): (Vec<i64>, Vec<NaiveDate>) = complete.iter().copied().unzip();
    let resolved = sqlx::query!(
        r#"UPDATE alerts a SET cleared_at = now()
           FROM unnest($1::bigint[], $2::date[]) AS c(supply_point_id, day)
           WHERE a.rule = 'data_gap' AND a.supply_point_id = c.supply_point_id AND a.day = c.day
             AND a.cleared_at IS NULL"#,
        &points,
        &days
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(resolved)
}
