//! Alerts as users read and act on them: the list in scope, how many are open, acknowledging, and
//! each user's e-mail digest choices. Every read filters by the scope itself (organisations, and
//! for a user restricted to some sites, those sites) under the same rule in row-level security.
use chrono::{DateTime, Utc};

use super::scope::ScopedTx;
use crate::domain::alerts::{Alert, AlertStatus, Rule};

/// Which alerts a list holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub status: AlertStatus,
    /// `None`: every rule.
    pub rules: Option<Vec<Rule>>,
    /// Raised after this instant (the e-mail digest: since the last one)…
    pub raised_after: Option<DateTime<Utc>>,
    /// …and up to this one.
    pub raised_until: Option<DateTime<Utc>>,
}

/// The alerts in scope that `f` holds, newest day first (at most `limit`).
#[tracing::instrument(level = "debug", skip_all, fields(status = f.status.as_str()))]
pub async fn list(tx: &mut ScopedTx<'_>, f: &Filter, limit: i64) -> Result<Vec<Alert>, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    let sites = tx.scope().site_ids().map(<[i64]>::to_vec);
    let rules: Option<Vec<&str>> = f.rules.as_ref().map(|r| r.iter().map(|r| r.as_str()).collect());
    let rows = sqlx::query!(
        r#"SELECT a.id, a.organisation_id, o.name AS organisation, a.rule, a.day, a.site_id, s.name AS "site?",
                  a.supply_point_id, p.mpan_core AS "mpan_core?", a.contract_id, c.reference AS "contract?",
                  a.measured, a.reference, a.period, a.raised_at, a.cleared_at, a.acknowledged_at,
                  a.acknowledged_by_name
           FROM alerts a
           JOIN organisations o ON o.id = a.organisation_id
           LEFT JOIN sites s ON s.id = a.site_id
           LEFT JOIN supply_points p ON p.id = a.supply_point_id
           LEFT JOIN contracts c ON c.id = a.contract_id
           WHERE a.organisation_id = ANY($1)
             AND ($2::bigint[] IS NULL OR a.site_id IS NULL OR a.site_id = ANY($2))
             AND CASE $3 WHEN 'open' THEN a.acknowledged_at IS NULL AND a.cleared_at IS NULL
                         WHEN 'acknowledged' THEN a.acknowledged_at IS NOT NULL OR a.cleared_at IS NOT NULL
                         ELSE true END
             AND ($4::text[] IS NULL OR a.rule = ANY($4))
             AND ($5::timestamptz IS NULL OR a.raised_at > $5)
             AND ($6::timestamptz IS NULL OR a.raised_at <= $6)
           ORDER BY a.day DESC, o.name, s.name NULLS FIRST, a.rule, a.id
           LIMIT $7"#,
        &orgs,
        sites.as_deref(),
        f.status.as_str(),
        rules.as_deref() as Option<&[&str]>,
        f.raised_after,
        f.raised_until,
        limit
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(Alert {
                id: r.id,
                organisation_id: r.organisation_id,
                organisation: r.organisation,
                rule: Rule::parse(&r.rule)?,
                day: r.day,
                site_id: r.site_id,
                site: r.site,
                supply_point_id: r.supply_point_id,
                mpan_core: r.mpan_core,
                contract_id: r.contract_id,
                contract: r.contract,
                measured: r.measured,
                reference: r.reference,
                period: r.period,
                raised_at: r.raised_at,
                cleared_at: r.cleared_at,
                acknowledged_at: r.acknowledged_at,
                acknowledged_by: r.acknowledged_by_name,
            })
        })
        .collect())
}

/// Open alerts in scope (neither acknowledged nor resolved), by rule.
pub async fn open_counts(tx: &mut ScopedTx<'_>) -> Result<Vec<(Rule, i64)>, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    let sites = tx.scope().site_ids().map(<[i64]>::to_vec);
    let rows = sqlx::query!(
        r#"SELECT rule, count(*) AS "n!" FROM alerts
           WHERE organisation_id = ANY($1) AND ($2::bigint[] IS NULL OR site_id IS NULL OR site_id = ANY($2))
             AND acknowledged_at IS NULL AND cleared_at IS NULL
           GROUP BY rule"#,
        &orgs,
        sites.as_deref()
    )
    .fetch_all(&mut **tx)
    .await?;
    let mut counts: Vec<(Rule, i64)> = rows
        .into_iter()
        .filter_map(|r| Some((Rule::parse(&r.rule)?, r.n)))
        .collect();
    counts.sort();
    Ok(counts)
}

/// What acknowledging did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Acknowledged {
    /// These were open and are now acknowledged (the rest already were): their organisations.
    Done(Vec<i64>),
    /// None of the ids is an alert in scope.
    NotFound,
}

/// Acknowledges the alerts `ids` in scope as `user_id` (named `by` for those who cannot read
/// that user, such as a customer reading their account manager's acknowledgement).
pub async fn acknowledge(
    tx: &mut ScopedTx<'_>,
    user_id: i64,
    by: &str,
    ids: &[i64],
) -> Result<Acknowledged, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    let sites = tx.scope().site_ids().map(<[i64]>::to_vec);
    let visible = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM alerts
           WHERE id = ANY($1) AND organisation_id = ANY($2)
             AND ($3::bigint[] IS NULL OR site_id IS NULL OR site_id = ANY($3))"#,
        ids,
        &orgs,
        sites.as_deref()
    )
    .fetch_one(&mut **tx)
    .await?;
    if visible == 0 {
        return Ok(Acknowledged::NotFound);
    }
    let done = sqlx::query_scalar!(
        r#"UPDATE alerts SET acknowledged_at = now(), acknowledged_by = $1, acknowledged_by_name = $2
           WHERE id = ANY($3) AND organisation_id = ANY($4)
             AND ($5::bigint[] IS NULL OR site_id IS NULL OR site_id = ANY($5))
             AND acknowledged_at IS NULL
           RETURNING organisation_id"#,
        user_id,
        by,
        ids,
        &orgs,
        sites.as_deref()
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(Acknowledged::Done(done))
}

/// States the user for row-level security in this transaction (their own subscriptions).
async fn as_user(tx: &mut ScopedTx<'_>, user_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query_scalar!("SELECT set_config('app.user_id', $1, true)", user_id.to_string())
        .fetch_one(&mut **tx)
        .await
        .map(|_| ())
}

/// The rules `user_id` gets a daily e-mail digest of, and when the last digest went.
pub async fn subscriptions(
    tx: &mut ScopedTx<'_>,
    user_id: i64,
) -> Result<(Vec<Rule>, Option<DateTime<Utc>>), sqlx::Error> {
    as_user(tx, user_id).await?;
    let mut rules: Vec<Rule> =
        sqlx::query_scalar!("SELECT rule FROM alert_subscriptions WHERE user_id = $1", user_id)
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .filter_map(|r| Rule::parse(r))
            .collect();
    rules.sort();
    let last = sqlx::query_scalar!(
        "SELECT sent_through FROM alert_digests WHERE user_id = $1",
        user_id
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok((rules, last))
}

/// Replaces the rules `user_id` gets by e-mail.
pub async fn set_subscriptions(
    tx: &mut ScopedTx<'_>,
    user_id: i64,
    rules: &[Rule],
) -> Result<(), sqlx::Error> {
    as_user(tx, user_id).await?;
    let names: Vec<&str> = rules.iter().map(|r| r.as_str()).collect();
    sqlx::query!(
        "DELETE FROM alert_subscriptions WHERE user_id = $1 AND NOT (rule = ANY($2))",
        user_id,
        &names as &[&str]
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        r#"INSERT INTO alert_subscriptions (user_id, rule) SELECT $1, r FROM unnest($2::text[]) AS r
           ON CONFLICT DO NOTHING"#,
        user_id,
        &names as &[&str]
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
