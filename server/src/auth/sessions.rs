//! Session rows: what makes logout, password change and disabling a user take effect at once.
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::tokens::{Claims, AUDIENCE, ISSUER};
use super::AuthConfig;
use app::auth::{Identity, ViewingAs};
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
    sqlx::query!(
        "UPDATE users SET last_sign_in_at = $2 WHERE id = $1",
        user_id,
        now
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
    /// The scope's inputs, read in the same statement: organisations assigned to an account
    /// manager (every organisation for operations admins), sites a customer user is limited to.
    assigned_organisations: Option<Vec<i64>>,
    site_ids: Option<Vec<i64>>,
    must_change_password: bool,
    second_factor: bool,
    /// A customer this staff session views as the customer (`view_as`), with its name.
    viewing_as_organisation_id: Option<i64>,
    viewing_as_organisation: Option<String>,
}

/// How often a live session's `last_seen_at` is written: the idle timeout is measured in minutes,
/// so writing it on every request would only add an UPDATE (and a dead tuple) per request.
pub const TOUCH_INTERVAL_SECS: i64 = 60;

/// The identity behind a verified token, if its session is live: not revoked, not past its
/// absolute expiry, not idle too long, and its user not disabled. Touches `last_seen_at` at most
/// once a minute. One round trip in the common case: the session, the user and the scope's
/// inputs come back from one statement.
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
                  app_organisation_name(u.organisation_id) AS "organisation?", s.last_seen_at,
                  CASE u.role
                      WHEN 'account_manager' THEN ARRAY(
                          SELECT organisation_id FROM account_manager_assignments WHERE user_id = u.id)
                      WHEN 'ops_admin' THEN app_all_organisation_ids()
                  END AS "assigned_organisations?",
                  CASE WHEN u.role = 'customer_user' AND NOT u.all_sites THEN ARRAY(
                      SELECT site_id FROM user_site_access WHERE user_id = u.id)
                  END AS "site_ids?",
                  u.must_change_password,
                  EXISTS (SELECT 1 FROM user_totp t WHERE t.user_id = u.id AND t.confirmed_at IS NOT NULL)
                      AS "second_factor!",
                  s.viewing_as_organisation_id,
                  app_organisation_name(s.viewing_as_organisation_id) AS "viewing_as_organisation?"
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
    let since_seen = Utc::now() - u.last_seen_at;
    if since_seen > idle {
        revoke(db, claims.sid).await?;
        return Ok(None);
    }
    if since_seen > chrono::Duration::seconds(TOUCH_INTERVAL_SECS) {
        sqlx::query!(
            "UPDATE sessions SET last_seen_at = now() WHERE id = $1",
            claims.sid
        )
        .execute(db)
        .await?;
    }
    let role = u.role;
    let scope = scope_from(role, u.organisation_id, u.assigned_organisations, u.site_ids);
    let identity = Identity {
        user_id: u.user_id,
        session_id: claims.sid,
        email: u.email,
        display_name: u.display_name,
        role,
        organisation_id: u.organisation_id,
        organisation: u.organisation,
        client_ip: client_ip.to_owned(),
        scope,
        must_change_password: u.must_change_password,
        second_factor: u.second_factor,
        viewing_as: None,
    };
    Ok(Some(match u.viewing_as_organisation_id {
        Some(org) => viewing_as(identity, org, u.viewing_as_organisation),
        None => identity,
    }))
}

/// A staff identity turned into the customer's view of `organisation_id`: a customer admin of it,
/// scoped to it alone. Checked on every request, so an assignment removed meanwhile ends the view
/// at once (the staff member's own identity is kept then).
pub fn viewing_as(identity: Identity, organisation_id: i64, name: Option<String>) -> Identity {
    if !identity.role.is_staff() || !identity.scope.includes_organisation(organisation_id) {
        return identity;
    }
    Identity {
        viewing_as: Some(ViewingAs {
            staff_role: identity.role,
        }),
        role: Role::CustomerAdmin,
        organisation_id: Some(organisation_id),
        organisation: name,
        scope: Scope::organisations(vec![organisation_id]),
        ..identity
    }
}

/// What a user may read, derived from the database on every request (so a change of assignment
/// or site access applies at once): customers see their organisation (a customer user without
/// `all_sites` only the sites granted, so none when the list is empty: it fails closed), account
/// managers their assigned organisations, operations admins every organisation (and the whole
/// audit log). `site_ids` is `None` exactly when the user has `all_sites`.
pub fn scope_from(
    role: Role,
    organisation_id: Option<i64>,
    assigned_organisations: Option<Vec<i64>>,
    site_ids: Option<Vec<i64>>,
) -> Scope {
    match role {
        Role::CustomerAdmin => Scope::organisations(organisation_id.into_iter().collect()),
        Role::CustomerUser => {
            let scope = Scope::organisations(organisation_id.into_iter().collect());
            match site_ids {
                Some(sites) => scope.with_sites(sites),
                None => scope,
            }
        }
        Role::AccountManager => Scope::organisations(assigned_organisations.unwrap_or_default()),
        Role::OpsAdmin => Scope::all_organisations(assigned_organisations.unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_follow_the_role() {
        let orgs = Some(vec![3, 1]);
        let sites = Some(vec![7]);
        assert_eq!(
            scope_from(Role::CustomerAdmin, Some(1), orgs.clone(), sites.clone()),
            Scope::organisations(vec![1])
        );
        assert_eq!(
            scope_from(Role::CustomerUser, Some(1), None, sites.clone()),
            Scope::organisations(vec![1]).with_sites(vec![7])
        );
        // A restricted customer user whose sites are all gone sees no site, never the whole
        // organisation (only `all_sites`, which comes as no list at all, does that).
        assert_eq!(
            scope_from(Role::CustomerUser, Some(1), None, Some(vec![])),
            Scope::organisations(vec![1]).with_sites(vec![])
        );
        assert_eq!(
            scope_from(Role::CustomerUser, Some(1), None, None),
            Scope::organisations(vec![1])
        );
        assert_eq!(
            scope_from(Role::AccountManager, None, orgs.clone(), None),
            Scope::organisations(vec![1, 3])
        );
        assert_eq!(
            scope_from(Role::OpsAdmin, None, orgs, None),
            Scope::all_organisations(vec![1, 3])
        );
        // No assignments: an empty scope, which RLS answers with nothing.
        assert_eq!(
            scope_from(Role::AccountManager, None, None, None),
            Scope::organisations(vec![])
        );
    }
}
