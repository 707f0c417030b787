//! Session rows: what makes logout, password change and disabling a user take effect at once.
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::tokens::{Claims, AUDIENCE, ISSUER};
use super::AuthConfig;
use app::auth::Identity;
use app::domain::role::Role;
use app::store::scope::Scope;

/// Creates a fresh session (a new id at every login) and its signed token.
pub async fn start(
    db: &PgPool,
    cfg: &AuthConfig,
    user_id: i64,
    client_ip: &str,
    user_agent: &str,
) -> anyhow::Result<(String, Uuid)> {
    let sid = Uuid::new_v4();
    let now = Utc::now();
    let expires = now + chrono::Duration::from_std(cfg.absolute_timeout)?;
    sqlx::query!(
        "INSERT INTO sessions (id, user_id, expires_at, client_ip, user_agent) VALUES ($1, $2, $3, $4, $5)",
        sid,
        user_id,
        expires,
        client_ip,
        user_agent.chars().take(300).collect::<String>()
    )
    .execute(db)
    .await?;
    let claims = Claims {
        sub: user_id.to_string(),
        sid,
        iat: now.timestamp(),
        nbf: now.timestamp(),
        exp: expires.timestamp(),
        aud: AUDIENCE.into(),
        iss: ISSUER.into(),
    };
    Ok((cfg.keys.sign(&claims)?, sid))
}

pub async fn revoke(db: &PgPool, sid: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL",
        sid
    )
    .execute(db)
    .await
    .map(|_| ())
}

/// Ends every session of a user (password change, disabling).
pub async fn revoke_all(db: &PgPool, user_id: i64) -> Result<u64, sqlx::Error> {
    sqlx::query!(
        "UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL",
        user_id
    )
    .execute(db)
    .await
    .map(|r| r.rows_affected())
}

struct SessionUser {
    user_id: i64,
    email: String,
    display_name: String,
    role: Role,
    organisation_id: Option<i64>,
    organisation: Option<String>,
    last_seen_at: DateTime<Utc>,
}

/// The identity behind a verified token, if its session is live: not revoked, not past its
/// absolute expiry, not idle too long, and its user not disabled. Touches `last_seen_at`.
pub async fn resolve(
    db: &PgPool,
    cfg: &AuthConfig,
    claims: &Claims,
    client_ip: &str,
) -> Result<Option<Identity>, sqlx::Error> {
    let Ok(user_id) = claims.sub.parse::<i64>() else {
        return Ok(None);
    };
    let idle = chrono::Duration::from_std(cfg.idle_timeout).unwrap_or(chrono::Duration::hours(1));
    let row = sqlx::query_as!(
        SessionUser,
        r#"SELECT u.id AS user_id, u.email, u.display_name, u.role AS "role: Role", u.organisation_id,
                  app_organisation_name(u.organisation_id) AS "organisation?", s.last_seen_at
           FROM sessions s
           JOIN users u ON u.id = s.user_id
           WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL AND s.expires_at > now()
             AND u.disabled_at IS NULL"#,
        claims.sid,
        user_id
    )
    .fetch_optional(db)
    .await?;
    let Some(u) = row else { return Ok(None) };
    if Utc::now() - u.last_seen_at > idle {
        revoke(db, claims.sid).await?;
        return Ok(None);
    }
    if Utc::now() - u.last_seen_at > chrono::Duration::seconds(60) {
        sqlx::query!(
            "UPDATE sessions SET last_seen_at = now() WHERE id = $1",
            claims.sid
        )
        .execute(db)
        .await?;
    }
    let role = u.role;
    let scope = scope_for(db, u.user_id, role, u.organisation_id).await?;
    Ok(Some(Identity {
        user_id: u.user_id,
        session_id: claims.sid,
        email: u.email,
        display_name: u.display_name,
        role,
        organisation_id: u.organisation_id,
        organisation: u.organisation,
        client_ip: client_ip.to_owned(),
        scope,
    }))
}

/// What a user may read, derived from the database on every request (so a change of assignment
/// or site access applies at once).
pub async fn scope_for(
    db: &PgPool,
    user_id: i64,
    role: Role,
    organisation_id: Option<i64>,
) -> Result<Scope, sqlx::Error> {
    Ok(match role {
        Role::CustomerAdmin => Scope::organisations(organisation_id.into_iter().collect()),
        Role::CustomerUser => {
            let scope = Scope::organisations(organisation_id.into_iter().collect());
            let sites: Vec<i64> =
                sqlx::query_scalar!("SELECT site_id FROM user_site_access WHERE user_id = $1", user_id)
                    .fetch_all(db)
                    .await?;
            if sites.is_empty() {
                scope
            } else {
                scope.with_sites(sites)
            }
        }
        Role::AccountManager => Scope::organisations(
            sqlx::query_scalar!(
                "SELECT organisation_id FROM account_manager_assignments WHERE user_id = $1",
                user_id
            )
            .fetch_all(db)
            .await?,
        ),
        Role::OpsAdmin => Scope::organisations(
            sqlx::query_scalar!(r#"SELECT app_all_organisation_ids() AS "ids!""#)
                .fetch_one(db)
                .await?,
        ),
    })
}
