//! Admin queries. Users are filtered by the caller's organisation explicitly (the identity tables
//! are read before any scope exists, so RLS does not cover them); customers and sites by scope.
use super::scope::ScopedTx;
use crate::domain::role::Role;

/// A user of an organisation, with the sites they are limited to (empty: every site).
#[derive(Debug, Clone, PartialEq)]
pub struct UserRecord {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub disabled: bool,
    pub sites: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SiteName {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CustomerRecord {
    pub id: i64,
    pub name: String,
    pub account_number: String,
    pub sites: i64,
    pub supply_points: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    /// UK local time, `YYYY-MM-DD HH24:MI:SS`.
    pub at: String,
    pub actor_email: Option<String>,
    pub action: String,
    /// The organisation's name, when it is one the caller can see.
    pub organisation: Option<String>,
    pub client_ip: Option<String>,
}

#[tracing::instrument(level = "debug", skip_all, fields(organisation_id = organisation_id))]
pub async fn users_of(tx: &mut ScopedTx<'_>, organisation_id: i64) -> Result<Vec<UserRecord>, sqlx::Error> {
    sqlx::query_as!(
        UserRecord,
        r#"SELECT u.id, u.email, u.display_name, u.role AS "role: Role",
                  u.disabled_at IS NOT NULL AS "disabled!",
                  coalesce(array_agg(s.name ORDER BY s.name) FILTER (WHERE s.name IS NOT NULL), '{}') AS "sites!"
           FROM users u
           LEFT JOIN user_site_access a ON a.user_id = u.id
           LEFT JOIN sites s ON s.id = a.site_id
           WHERE u.organisation_id = $1
           GROUP BY u.id ORDER BY u.display_name"#,
        organisation_id
    )
    .fetch_all(&mut **tx)
    .await
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn site_names(tx: &mut ScopedTx<'_>) -> Result<Vec<SiteName>, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    sqlx::query_as!(
        SiteName,
        "SELECT id, name FROM sites WHERE organisation_id = ANY($1) ORDER BY name",
        &orgs
    )
    .fetch_all(&mut **tx)
    .await
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn customers(tx: &mut ScopedTx<'_>) -> Result<Vec<CustomerRecord>, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    sqlx::query_as!(
        CustomerRecord,
        r#"SELECT o.id, o.name, o.account_number,
                  (SELECT count(*) FROM sites s WHERE s.organisation_id = o.id) AS "sites!",
                  (SELECT count(*) FROM supply_points p WHERE p.organisation_id = o.id) AS "supply_points!"
           FROM organisations o WHERE o.id = ANY($1) ORDER BY o.name"#,
        &orgs
    )
    .fetch_all(&mut **tx)
    .await
}

/// The latest `limit` audit entries the caller's scope shows, newest first.
#[tracing::instrument(level = "debug", skip_all, fields(limit = limit))]
pub async fn recent_audit(tx: &mut ScopedTx<'_>, limit: i64) -> Result<Vec<AuditRecord>, sqlx::Error> {
    // The organisation's name is joined, not required: RLS hides organisations outside the scope.
    sqlx::query_as!(
        AuditRecord,
        r#"SELECT to_char(a.at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD HH24:MI:SS') AS "at!",
                  a.actor_email, a.action, o.name AS "organisation?", a.client_ip
           FROM audit_log a LEFT JOIN organisations o ON o.id = a.organisation_id
           ORDER BY a.at DESC, a.id DESC LIMIT $1"#,
        limit
    )
    .fetch_all(&mut **tx)
    .await
}

/// True when the user exists in `organisation_id` (otherwise nothing changes: the caller says 404).
#[tracing::instrument(level = "debug", skip_all, fields(organisation_id = organisation_id, user_id = user_id, disabled = disabled))]
pub async fn set_disabled(
    tx: &mut ScopedTx<'_>,
    organisation_id: i64,
    user_id: i64,
    disabled: bool,
) -> Result<bool, sqlx::Error> {
    let n = sqlx::query!(
        "UPDATE users SET disabled_at = CASE WHEN $3 THEN coalesce(disabled_at, now()) ELSE NULL END
         WHERE id = $1 AND organisation_id = $2",
        user_id,
        organisation_id,
        disabled
    )
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if n == 1 && disabled {
        sqlx::query!(
            "UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL",
            user_id
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(n == 1)
}

/// Limits a customer user to `sites` (empty: every site); false when the user is not a customer
/// user of `organisation_id` or a site is not the organisation's (then nothing changes).
#[tracing::instrument(level = "debug", skip_all, fields(organisation_id = organisation_id, user_id = user_id, sites = ?sites))]
pub async fn set_sites(
    tx: &mut ScopedTx<'_>,
    organisation_id: i64,
    user_id: i64,
    sites: &[i64],
) -> Result<bool, sqlx::Error> {
    let is_member = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM users WHERE id = $1 AND organisation_id = $2 AND role = 'customer_user') AS "is_member!""#,
        user_id,
        organisation_id
    )
    .fetch_one(&mut **tx)
    .await?;
    if !is_member {
        return Ok(false);
    }
    // Only sites of the caller's own organisation can be granted (RLS hides any other).
    let own: Vec<i64> = sqlx::query_scalar!(
        "SELECT id FROM sites WHERE id = ANY($1) AND organisation_id = $2",
        sites,
        organisation_id
    )
    .fetch_all(&mut **tx)
    .await?;
    if own.len() != sites.len() {
        return Ok(false);
    }
    sqlx::query!("DELETE FROM user_site_access WHERE user_id = $1", user_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query!(
        "INSERT INTO user_site_access (user_id, site_id) SELECT $1, unnest($2::bigint[])",
        user_id,
        &own
    )
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

/// Creates a user in `organisation_id`, who must change the password (chosen by the admin) at
/// their first sign-in; `None` when the email is taken (by anyone, anywhere).
#[tracing::instrument(level = "debug", skip_all, fields(organisation_id = organisation_id, role = role.as_str()))]
pub async fn create_user(
    tx: &mut ScopedTx<'_>,
    organisation_id: i64,
    email: &str,
    display_name: &str,
    role: Role,
    password_hash: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO users (email, display_name, role, organisation_id, password_hash, must_change_password)
         VALUES ($1, $2, $3, $4, $5, true) ON CONFLICT (email) DO NOTHING RETURNING id",
        email,
        display_name,
        role.as_str(),
        organisation_id,
        password_hash
    )
    .fetch_optional(&mut **tx)
    .await
}
