//! Invitations (issue 11): a customer admin (their own organisation) or an operations admin (any)
//! adds a colleague by e-mail. The user is created at once, with the role and sites chosen, a
//! password nobody knows (a real hash of random bytes, so signing in with it costs what any wrong
//! password costs), and an invitation link stored as its token's hash only; the invitee chooses
//! their own password through the link (server/src/auth/email_links.rs uses it).
use chrono::{DateTime, Utc};

use super::scope::ScopedTx;
use crate::domain::email_link::LinkPurpose;
use crate::domain::role::Role;

/// What came of an invitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invited {
    /// The user is created and the link stored; it works until `expires_at`.
    User { user_id: i64, expires_at: DateTime<Utc> },
    /// The address is already a user of this organisation (the caller can see that anyway).
    InThisOrganisation,
    /// The address belongs to a user the caller cannot see (another organisation, or staff):
    /// nothing was created, and the caller must not be able to tell.
    Elsewhere,
    /// A site chosen is not one of the organisation's (nothing was created).
    NotTheOrganisationsSite,
}

/// The new user and their invitation.
pub struct NewInvitee<'a> {
    pub organisation_id: i64,
    pub email: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    /// Every site of the organisation; otherwise exactly `sites`. Customer admins always see
    /// every site.
    pub all_sites: bool,
    pub sites: &'a [i64],
    /// A hash of a password nobody knows.
    pub unusable_password_hash: &'a str,
    pub token_hash: &'a [u8],
    pub invited_by: i64,
}

#[tracing::instrument(level = "debug", skip_all, fields(organisation_id = n.organisation_id, role = n.role.as_str(), sites = n.sites.len()))]
pub async fn invite(tx: &mut ScopedTx<'_>, n: NewInvitee<'_>) -> Result<Invited, sqlx::Error> {
    let all_sites = n.all_sites || n.role == Role::CustomerAdmin;
    let sites: &[i64] = if all_sites { &[] } else { n.sites };
    let own = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM sites WHERE id = ANY($1) AND organisation_id = $2"#,
        sites,
        n.organisation_id
    )
    .fetch_one(&mut **tx)
    .await?;
    if own != sites.len() as i64 {
        return Ok(Invited::NotTheOrganisationsSite);
    }
    let Some(user_id) = sqlx::query_scalar!(
        "INSERT INTO users (email, display_name, role, organisation_id, password_hash, all_sites, must_change_password)
         VALUES ($1, $2, $3, $4, $5, $6, false) ON CONFLICT (email) DO NOTHING RETURNING id",
        n.email,
        n.display_name,
        n.role.as_str(),
        n.organisation_id,
        n.unusable_password_hash,
        all_sites
    )
    .fetch_optional(&mut **tx)
    .await?
    else {
        // Row-level security shows only the users of the organisations in scope.
        let here = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM users WHERE email = $1 AND organisation_id = $2) AS "here!""#,
            n.email,
            n.organisation_id
        )
        .fetch_one(&mut **tx)
        .await?;
        return Ok(if here {
            Invited::InThisOrganisation
        } else {
            Invited::Elsewhere
        });
    };
    if !sites.is_empty() {
        sqlx::query!(
            "INSERT INTO user_site_access (user_id, site_id) SELECT $1, unnest($2::bigint[])",
            user_id,
            sites
        )
        .execute(&mut **tx)
        .await?;
    }
    let expires_at = issue(tx, user_id, n.token_hash, n.invited_by).await?;
    Ok(Invited::User { user_id, expires_at })
}

/// Stores an invitation link for `user_id`, voiding any earlier one not yet used.
async fn issue(
    tx: &mut ScopedTx<'_>,
    user_id: i64,
    token_hash: &[u8],
    invited_by: i64,
) -> Result<DateTime<Utc>, sqlx::Error> {
    sqlx::query!(
        "UPDATE email_links SET used_at = now() WHERE user_id = $1 AND purpose = 'invitation' AND used_at IS NULL",
        user_id
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query_scalar!(
        "INSERT INTO email_links (token_hash, user_id, purpose, created_by, expires_at)
         VALUES ($1, $2, 'invitation', $3, now() + make_interval(mins => $4))
         RETURNING expires_at",
        token_hash,
        user_id,
        invited_by,
        LinkPurpose::Invitation.lifetime_minutes() as i32
    )
    .fetch_one(&mut **tx)
    .await
}

/// Who a new invitation goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reinvited {
    pub organisation_id: i64,
    pub email: String,
    pub display_name: String,
    pub expires_at: DateTime<Utc>,
}

/// Sends a user who has never signed in a new invitation (the earlier one stops working);
/// `None` when the user is not a customer's user within `organisations`, is disabled, or has
/// signed in already (they can reset their password themselves).
#[tracing::instrument(level = "debug", skip_all, fields(user_id = user_id))]
pub async fn reinvite(
    tx: &mut ScopedTx<'_>,
    organisations: &[i64],
    user_id: i64,
    token_hash: &[u8],
    invited_by: i64,
) -> Result<Option<Reinvited>, sqlx::Error> {
    let Some(u) = sqlx::query!(
        r#"SELECT organisation_id AS "organisation_id!", email, display_name FROM users
           WHERE id = $1 AND organisation_id = ANY($2) AND role IN ('customer_user', 'customer_admin')
             AND disabled_at IS NULL AND last_sign_in_at IS NULL
           FOR UPDATE"#,
        user_id,
        organisations
    )
    .fetch_optional(&mut **tx)
    .await?
    else {
        return Ok(None);
    };
    let expires_at = issue(tx, user_id, token_hash, invited_by).await?;
    Ok(Some(Reinvited {
        organisation_id: u.organisation_id,
        email: u.email,
        display_name: u.display_name,
        expires_at,
    }))
}
