//! Admin queries. Users are filtered by the caller's organisation explicitly (the identity tables
//! are read before any scope exists, so RLS does not cover them); customers and sites by scope.
use super::scope::ScopedTx;
use crate::api::admin::{AuditRow, CustomerRow, SiteOption, UserRow};
use crate::api::auth::Role;
use crate::api::ApiError;

pub async fn users_of(tx: &mut ScopedTx<'_>, organisation_id: i64) -> Result<Vec<UserRow>, ApiError> {
    type UserTuple = (i64, String, String, String, bool, Vec<String>);
    let rows: Vec<UserTuple> = sqlx::query_as(
        "SELECT u.id, u.email, u.display_name, u.role, u.disabled_at IS NOT NULL,
                coalesce(array_agg(s.name ORDER BY s.name) FILTER (WHERE s.name IS NOT NULL), '{}')
         FROM users u
         LEFT JOIN user_site_access a ON a.user_id = u.id
         LEFT JOIN sites s ON s.id = a.site_id
         WHERE u.organisation_id = $1
         GROUP BY u.id ORDER BY u.display_name",
    )
    .bind(organisation_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, email, display_name, role, disabled, sites)| {
            Some(UserRow {
                id,
                email,
                display_name,
                role: Role::parse(&role)?,
                disabled,
                sites,
            })
        })
        .collect())
}

pub async fn site_options(tx: &mut ScopedTx<'_>) -> Result<Vec<SiteOption>, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, name FROM sites WHERE organisation_id = ANY($1) ORDER BY name")
            .bind(&orgs)
            .fetch_all(&mut **tx)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| SiteOption { id, name })
        .collect())
}

pub async fn customers(tx: &mut ScopedTx<'_>) -> Result<Vec<CustomerRow>, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    let rows: Vec<(i64, String, String, i64, i64)> = sqlx::query_as(
        "SELECT o.id, o.name, o.account_number,
                (SELECT count(*) FROM sites s WHERE s.organisation_id = o.id),
                (SELECT count(*) FROM supply_points p WHERE p.organisation_id = o.id)
         FROM organisations o WHERE o.id = ANY($1) ORDER BY o.name",
    )
    .bind(&orgs)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, account_number, sites, supply_points)| CustomerRow {
            id,
            name,
            account_number,
            sites,
            supply_points,
        })
        .collect())
}

/// `(at, actor, action, organisation id, client ip)`
type AuditTuple = (String, Option<String>, String, Option<i64>, Option<String>);

pub async fn recent_audit(tx: &mut ScopedTx<'_>, limit: i64) -> Result<Vec<AuditRow>, sqlx::Error> {
    let rows: Vec<AuditTuple> = sqlx::query_as(
        "SELECT to_char(at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD HH24:MI:SS'), actor_email, action,
                organisation_id, client_ip
         FROM audit_log ORDER BY at DESC, id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(&mut **tx)
    .await?;
    let names: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM organisations")
        .fetch_all(&mut **tx)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(at, actor, action, org, ip)| AuditRow {
            at,
            actor: actor.unwrap_or_else(|| "—".into()),
            action,
            organisation: org.and_then(|o| names.iter().find(|(id, _)| *id == o).map(|(_, n)| n.clone())),
            client_ip: ip.unwrap_or_default(),
        })
        .collect())
}

/// True when the user exists in `organisation_id` (otherwise nothing changes: the caller says 404).
pub async fn set_disabled(
    tx: &mut ScopedTx<'_>,
    organisation_id: i64,
    user_id: i64,
    disabled: bool,
) -> Result<bool, sqlx::Error> {
    let n = sqlx::query(
        "UPDATE users SET disabled_at = CASE WHEN $3 THEN coalesce(disabled_at, now()) ELSE NULL END
         WHERE id = $1 AND organisation_id = $2",
    )
    .bind(user_id)
    .bind(organisation_id)
    .bind(disabled)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if n == 1 && disabled {
        sqlx::query("UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL")
            .bind(user_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(n == 1)
}

pub async fn set_sites(
    tx: &mut ScopedTx<'_>,
    organisation_id: i64,
    user_id: i64,
    sites: &[i64],
) -> Result<bool, sqlx::Error> {
    let is_member: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM users WHERE id = $1 AND organisation_id = $2 AND role = 'customer_user')",
    )
    .bind(user_id)
    .bind(organisation_id)
    .fetch_one(&mut **tx)
    .await?;
    if !is_member {
        return Ok(false);
    }
    // Only sites of the caller's own organisation can be granted (RLS hides any other).
    let own: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM sites WHERE id = ANY($1) AND organisation_id = $2")
            .bind(sites)
            .bind(organisation_id)
            .fetch_all(&mut **tx)
            .await?;
    if own.len() != sites.len() {
        return Ok(false);
    }
    sqlx::query("DELETE FROM user_site_access WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("INSERT INTO user_site_access (user_id, site_id) SELECT $1, unnest($2::bigint[])")
        .bind(user_id)
        .bind(&own)
        .execute(&mut **tx)
        .await?;
    Ok(true)
}

/// Creates a user in `organisation_id`; `None` when the email is taken (by anyone, anywhere).
pub async fn create_user(
    tx: &mut ScopedTx<'_>,
    organisation_id: i64,
    email: &str,
    display_name: &str,
    role: Role,
    password_hash: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO users (email, display_name, role, organisation_id, password_hash)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (email) DO NOTHING RETURNING id",
    )
    .bind(email)
    .bind(display_name)
    .bind(role.as_str())
    .bind(organisation_id)
    .bind(password_hash)
    .fetch_optional(&mut **tx)
    .await
}
