//! The figures of the account manager's home (`domain::customer_health`), for every customer in
//! the transaction's scope: four statements, each over all customers at once, joined here.
use std::collections::HashMap;

use chrono::NaiveDate;

use super::scope::ScopedTx;
use crate::domain::customer_health::{CustomerHealth, Windows, CONSUMPTION_DAYS};

/// Every customer in scope with its figures as of `w.today`, by name.
#[tracing::instrument(level = "debug", skip_all, fields(today = %w.today))]
pub async fn customer_health(tx: &mut ScopedTx<'_>, w: &Windows) -> Result<Vec<CustomerHealth>, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    // Money, queries, renewals and assignments. An invoice is overdue when marked so, or still
    // issued (unpaid, not queried) after its due date. A contract is up for renewal when it ends
    // within the horizon and something it supplies has no other contract from the day after: one
    // of its supply points, or (a contract without supply points) the customer.
    let base = sqlx::query!(
        r#"WITH renewals AS (
               SELECT c.organisation_id, c.ends_on FROM contracts c
               WHERE c.organisation_id = ANY($1) AND c.ends_on BETWEEN $2 AND $3
                 AND (EXISTS (SELECT 1 FROM contract_supply_points cs WHERE cs.contract_id = c.id
                              AND NOT EXISTS (SELECT 1 FROM contract_supply_points ns
                                              JOIN contracts n ON n.id = ns.contract_id
                                              WHERE ns.supply_point_id = cs.supply_point_id AND n.id <> c.id
                                                AND c.ends_on + 1 BETWEEN n.starts_on AND n.ends_on))
                      OR (NOT EXISTS (SELECT 1 FROM contract_supply_points cs WHERE cs.contract_id = c.id)
                          AND NOT EXISTS (SELECT 1 FROM contracts n WHERE n.organisation_id = c.organisation_id
                                          AND n.id <> c.id AND c.ends_on + 1 BETWEEN n.starts_on AND n.ends_on))))
           SELECT o.id, o.name, o.account_number,
                  ARRAY(SELECT u.display_name FROM account_manager_assignments a
                        JOIN users u ON u.id = a.user_id
                        WHERE a.organisation_id = o.id ORDER BY u.display_name) AS "account_managers!",
                  (SELECT count(*) FROM invoices i WHERE i.organisation_id = o.id
                       AND (i.status = 'overdue' OR (i.status = 'issued' AND i.due_on < $2))) AS "overdue_invoices!",
                  (SELECT coalesce(sum(i.total_pence), 0)::bigint FROM invoices i WHERE i.organisation_id = o.id
                       AND (i.status = 'overdue' OR (i.status = 'issued' AND i.due_on < $2))) AS "overdue_pence!",
                  (SELECT count(*) FROM invoice_queries q WHERE q.organisation_id = o.id AND q.status = 'open') AS "open_queries!",
                  (SELECT count(*) FROM renewals r WHERE r.organisation_id = o.id) AS "contracts_ending!",
                  (SELECT min(r.ends_on) FROM renewals r WHERE r.organisation_id = o.id) AS "next_contract_end"
           FROM organisations o WHERE o.id = ANY($1) ORDER BY o.name"#,
        &orgs,
        w.today,
        w.renewals_to
    )
    .fetch_all(&mut **tx)
    .await?;

    // Import over the latest CONSUMPTION_DAYS days with data (up to today) and the same before.
    let consumption: HashMap<i64, (NaiveDate, i64, i64)> = sqlx::query!(
        r#"WITH latest AS (
               SELECT organisation_id, max(settlement_date) AS last_day FROM hh_daily_best
               WHERE channel = 1 AND settlement_date <= $1 AND organisation_id = ANY($3)
               GROUP BY organisation_id)
           SELECT l.organisation_id AS "organisation_id!", l.last_day AS "last_day!",
                  coalesce(sum(b.day_total) FILTER (WHERE b.settlement_date > l.last_day - $2::int), 0)::bigint AS "last_wh!",
                  coalesce(sum(b.day_total) FILTER (WHERE b.settlement_date <= l.last_day - $2::int), 0)::bigint AS "previous_wh!"
           FROM latest l
           JOIN hh_daily_best b ON b.organisation_id = l.organisation_id AND b.channel = 1
                AND b.settlement_date > l.last_day - 2 * $2::int AND b.settlement_date <= l.last_day
           GROUP BY l.organisation_id, l.last_day"#,
        w.today,
        CONSUMPTION_DAYS as i32,
        &orgs
    )
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .map(|r| (r.organisation_id, (r.last_day, r.last_wh, r.previous_wh)))
    .collect();

    // Highest half-hourly kVA this month per supply point (best run of import and of reactive
    // import, as everywhere else), against its agreed capacity.
    let over_capacity: HashMap<i64, i64> = sqlx::query!(
        r#"WITH periods AS (
               SELECT h.supply_point_id, h.settlement_date, h.channel, v.n, v.wh
               FROM hh_daily_best b
               JOIN hh_day h ON h.supply_point_id = b.supply_point_id AND h.channel = b.channel
                    AND h.settlement_date = b.settlement_date AND h.run = b.run
               CROSS JOIN LATERAL unnest(h.vals) WITH ORDINALITY AS v(wh, n)
               WHERE b.channel IN (1, 3) AND b.settlement_date BETWEEN $1 AND $2
                 AND h.settlement_date BETWEEN $1 AND $2 AND b.organisation_id = ANY($3)),
           peaks AS (
               SELECT a.supply_point_id,
                      max(2.0 * sqrt(a.wh::float8 ^ 2 + coalesce(r.wh, 0)::float8 ^ 2) / 1000.0) AS kva
               FROM periods a
               LEFT JOIN periods r ON r.channel = 3 AND r.supply_point_id = a.supply_point_id
                    AND r.settlement_date = a.settlement_date AND r.n = a.n
               WHERE a.channel = 1
               GROUP BY a.supply_point_id)
           SELECT p.organisation_id, count(*) AS "points!"
           FROM peaks k JOIN supply_points p ON p.id = k.supply_point_id
           WHERE k.kva > p.agreed_capacity_kva
           GROUP BY p.organisation_id"#,
        w.month_from,
        w.today,
        &orgs
    )
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .map(|r| (r.organisation_id, r.points))
    .collect();

    // Missing import half-hours over the gap window, per energised supply point: a day without
    // a row counts all of its periods (46, 48 or 50, from the domain), a day with one its `M`s.
    let (days, periods) = w.gap_days();
    let gaps: HashMap<i64, (i64, i64)> = sqlx::query!(
        r#"WITH days AS (SELECT * FROM unnest($1::date[], $2::int[]) AS d(day, periods)),
           missing AS (
               SELECT p.organisation_id, p.id,
                      sum(CASE WHEN b.settlement_date IS NULL THEN d.periods ELSE b.missing END) AS n
               FROM supply_points p
               JOIN days d ON d.day >= p.energised_from AND (p.energised_to IS NULL OR d.day <= p.energised_to)
               LEFT JOIN hh_daily_best b ON b.supply_point_id = p.id AND b.channel = 1 AND b.settlement_date = d.day
               WHERE p.organisation_id = ANY($3)
               GROUP BY p.organisation_id, p.id)
           SELECT organisation_id, count(*) FILTER (WHERE n > 0) AS "points!", coalesce(sum(n), 0)::bigint AS "periods!"
           FROM missing GROUP BY organisation_id"#,
        &days,
        &periods,
        &orgs
    )
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .map(|r| (r.organisation_id, (r.points, r.periods)))
    .collect();

    Ok(base
        .into_iter()
        .map(|b| {
            let (consumption_to, kwh_last, kwh_previous) = match consumption.get(&b.id) {
                Some((to, last, previous)) => (Some(*to), *last as f64 / 1000.0, *previous as f64 / 1000.0),
                None => (None, 0.0, 0.0),
            };
            let (gap_points, missing_periods) = gaps.get(&b.id).copied().unwrap_or((0, 0));
            CustomerHealth {
                organisation_id: b.id,
                name: b.name,
                account_number: b.account_number,
                account_managers: b.account_managers,
                consumption_to,
                kwh_last,
                kwh_previous,
                overdue_invoices: b.overdue_invoices,
                overdue_pence: b.overdue_pence,
                open_queries: b.open_queries,
                over_capacity_points: over_capacity.get(&b.id).copied().unwrap_or(0),
                gap_points,
                missing_periods,
                contracts_ending: b.contracts_ending,
                next_contract_end: b.next_contract_end,
            }
        })
        .collect())
}

/// The account managers an operations admin can assign (RLS shows them only to operations).
#[derive(Debug, Clone, PartialEq)]
pub struct AccountManager {
    pub id: i64,
    pub display_name: String,
}

pub async fn account_managers(tx: &mut ScopedTx<'_>) -> Result<Vec<AccountManager>, sqlx::Error> {
    sqlx::query_as!(
        AccountManager,
        r#"SELECT id, display_name FROM users
           WHERE role = 'account_manager' AND disabled_at IS NULL ORDER BY display_name"#
    )
    .fetch_all(&mut **tx)
    .await
}

/// What an assignment change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assignment {
    Changed,
    /// The customer is not in scope, or the user is not an active account manager.
    NotFound,
}

/// Makes `account_manager` (or nobody) the account manager of `organisation_id`, replacing any
/// before. Operations only: row-level security refuses the insert and delete to anyone else.
pub async fn set_account_manager(
    tx: &mut ScopedTx<'_>,
    organisation_id: i64,
    account_manager: Option<i64>,
) -> Result<Assignment, sqlx::Error> {
    if !tx.scope().includes_organisation(organisation_id) {
        return Ok(Assignment::NotFound);
    }
    if let Some(user) = account_manager {
        let is_am = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM users WHERE id = $1 AND role = 'account_manager'
                              AND disabled_at IS NULL) AS "ok!""#,
            user
        )
        .fetch_one(&mut **tx)
        .await?;
        if !is_am {
            return Ok(Assignment::NotFound);
        }
    }
    sqlx::query!(
        "DELETE FROM account_manager_assignments WHERE organisation_id = $1",
        organisation_id
    )
    .execute(&mut **tx)
    .await?;
    if let Some(user) = account_manager {
        sqlx::query!(
            "INSERT INTO account_manager_assignments (user_id, organisation_id) VALUES ($1, $2)",
            user,
            organisation_id
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(Assignment::Changed)
}
