//! Admin queries. Users are filtered by the caller's organisation explicitly, and row-level
//! security limits the app role to the users of the organisations in scope (without their
//! password hashes); customers and sites by scope.
use super::scope::ScopedTx;
use crate::domain::role::Role;

/// A user of an organisation, with the sites they are limited to (when not `all_sites`).
#[derive(Debug, Clone, PartialEq)]
pub struct UserRecord {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub disabled: bool,
    /// Disabled by staff: only staff may enable them again.
    pub disabled_by_staff: bool,
    pub all_sites: bool,
    pub sites: Vec<String>,
    pub site_ids: Vec<i64>,
    /// When they last signed in (UK time, `YYYY-MM-DD HH24:MI`); never when `None`.
    pub last_sign_in: Option<String>,
    /// An invitation not yet used and still valid: until when (UK time).
    pub invitation_until: Option<String>,
    /// Invited and never signed in (whether or not the invitation still works).
    pub invited: bool,
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
                  u.disabled_at IS NOT NULL AS "disabled!", u.disabled_by_staff, u.all_sites,
                  coalesce(array_agg(s.name ORDER BY s.name) FILTER (WHERE s.name IS NOT NULL), '{}') AS "sites!",
                  coalesce(array_agg(s.id ORDER BY s.name) FILTER (WHERE s.id IS NOT NULL), '{}') AS "site_ids!",
                  to_char(u.last_sign_in_at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD HH24:MI') AS last_sign_in,
                  (SELECT to_char(max(l.expires_at) AT TIME ZONE 'Europe/London', 'YYYY-MM-DD HH24:MI')
                   FROM email_links l WHERE l.user_id = u.id AND l.purpose = 'invitation'
                     AND l.used_at IS NULL AND l.expires_at > now()) AS invitation_until,
                  (u.last_sign_in_at IS NULL AND EXISTS (
                      SELECT 1 FROM email_links l WHERE l.user_id = u.id AND l.purpose = 'invitation')) AS "invited!"
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

/// The sites of one organisation (in scope), by name.
#[tracing::instrument(level = "debug", skip_all, fields(organisation_id = organisation_id))]
pub async fn site_names_of(
    tx: &mut ScopedTx<'_>,
    organisation_id: i64,
) -> Result<Vec<SiteName>, sqlx::Error> {
    sqlx::query_as!(
        SiteName,
        "SELECT id, name FROM sites WHERE organisation_id = $1 ORDER BY name",
        organisation_id
    )
    .fetch_all(&mut **tx)
    .await
}

/// The name of an organisation in scope (`None`: no such organisation, or not the caller's).
#[tracing::instrument(level = "debug", skip_all, fields(organisation_id = organisation_id))]
pub async fn organisation_name(
    tx: &mut ScopedTx<'_>,
    organisation_id: i64,
) -> Result<Option<String>, sqlx::Error> {
    let orgs = tx.scope().organisation_ids().to_vec();
    sqlx::query_scalar!(
        "SELECT name FROM organisations WHERE id = $1 AND id = ANY($2)",
        organisation_id,
        &orgs
    )
    .fetch_optional(&mut **tx)
    .await
}

/// The organisation of a customer's user within `organisations` (`None`: not there).
#[tracing::instrument(level = "debug", skip_all, fields(user_id = user_id))]
pub async fn organisation_of_user(
    tx: &mut ScopedTx<'_>,
    organisations: &[i64],
    user_id: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT organisation_id AS "organisation_id!" FROM users
           WHERE id = $1 AND organisation_id = ANY($2) AND role IN ('customer_user', 'customer_admin')"#,
        user_id,
        organisations
    )
    .fetch_optional(&mut **tx)
    .await
}

/// Gives a customer's user another customer role, within `organisations`; the user's
/// organisation and their previous role, or `None` when the user is not there (nothing changed).
#[tracing::instrument(level = "debug", skip_all, fields(user_id = user_id, role = role.as_str()))]
pub async fn set_role(
    tx: &mut ScopedTx<'_>,
    organisations: &[i64],
    user_id: i64,
    role: Role,
) -> Result<Option<(i64, Role)>, sqlx::Error> {
    let Some(current) = sqlx::query!(
        r#"SELECT organisation_id AS "organisation_id!", role AS "role: Role" FROM users
           WHERE id = $1 AND organisation_id = ANY($2) AND role IN ('customer_user', 'customer_admin')
           FOR UPDATE"#,
        user_id,
        organisations
    )
    .fetch_optional(&mut **tx)
    .await?
    else {
        return Ok(None);
    };
    sqlx::query!("UPDATE users SET role = $2 WHERE id = $1", user_id, role.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(Some((current.organisation_id, current.role)))
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

/// What came of enabling or disabling a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisableOutcome {
    /// Done (or already so); the user's organisation, for the audit log.
    Changed { organisation_id: i64 },
    /// No such customer user in `organisations` (nothing changed: the caller says 404).
    NotFound,
    /// Staff disabled the user; a customer admin may not enable them again (nothing changed).
    HeldByStaff,
}

/// Disables or enables a customer's user within `organisations`; disabling ends their sessions.
/// `by_staff`: the caller is an account manager or operations admin; a user they disable stays
/// disabled until staff enable them.
#[tracing::instrument(level = "debug", skip_all, fields(user_id = user_id, disabled = disabled, by_staff = by_staff))]
pub async fn set_disabled(
    tx: &mut ScopedTx<'_>,
    organisations: &[i64],
    user_id: i64,
    disabled: bool,
    by_staff: bool,
) -> Result<DisableOutcome, sqlx::Error> {
    let Some(current) = sqlx::query!(
        "SELECT organisation_id AS \"organisation_id!\", disabled_by_staff FROM users
         WHERE id = $1 AND organisation_id = ANY($2) AND role IN ('customer_user', 'customer_admin')
         FOR UPDATE",
        user_id,
        organisations
    )
    .fetch_optional(&mut **tx)
    .await?
    else {
        return Ok(DisableOutcome::NotFound);
    };
    if !disabled && current.disabled_by_staff && !by_staff {
        return Ok(DisableOutcome::HeldByStaff);
    }
    sqlx::query!(
        "UPDATE users SET disabled_at = CASE WHEN $2 THEN coalesce(disabled_at, now()) ELSE NULL END,
                          disabled_by_staff = CASE WHEN $2 THEN disabled_by_staff OR $3 ELSE false END
         WHERE id = $1",
        user_id,
        disabled,
        by_staff
    )
    .execute(&mut **tx)
    .await?;
    if disabled {
        sqlx::query!(
            "UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL",
            user_id
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(DisableOutcome::Changed {
        organisation_id: current.organisation_id,
    })
}

/// Gives a customer user every site of the organisation (`all_sites`), or exactly `sites` (none
/// when empty: the restriction fails closed); false when the user is not a customer user of
/// `organisation_id` or a site is not the organisation's (then nothing changes).
#[tracing::instrument(level = "debug", skip_all, fields(organisation_id = organisation_id, user_id = user_id, all_sites = all_sites, sites = ?sites))]
pub async fn set_sites(
    tx: &mut ScopedTx<'_>,
    organisation_id: i64,
    user_id: i64,
    all_sites: bool,
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
    sqlx::query!(
        "UPDATE users SET all_sites = $2 WHERE id = $1",
        user_id,
        all_sites
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!("DELETE FROM user_site_access WHERE user_id = $1", user_id)
        .execute(&mut **tx)
        .await?;
    if all_sites {
        return Ok(true);
    }
    sqlx::query!(
        "INSERT INTO user_site_access (user_id, site_id) SELECT $1, unnest($2::bigint[])",
        user_id,
        &own
    )
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

/// What came of adding a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    User(i64),
    /// The address is already a user of this organisation (the caller can see that anyway).
    InThisOrganisation,
    /// The address belongs to a user the caller cannot see (another organisation, or staff):
    /// nothing was created, and the caller must not be able to tell.
    Elsewhere,
}

/// Creates a user in `organisation_id` who sees every site of it (a customer admin can restrict
/// them afterwards) and must change the password (chosen by the admin) at their first sign-in.
#[tracing::instrument(level = "debug", skip_all, fields(organisation_id = organisation_id, role = role.as_str()))]
pub async fn create_user(
    tx: &mut ScopedTx<'_>,
    organisation_id: i64,
    email: &str,
    display_name: &str,
    role: Role,
    password_hash: &str,
) -> Result<Created, sqlx::Error> {
    let id = sqlx::query_scalar!(
        "INSERT INTO users (email, display_name, role, organisation_id, password_hash, all_sites, must_change_password)
         VALUES ($1, $2, $3, $4, $5, true, true) ON CONFLICT (email) DO NOTHING RETURNING id",
        email,
        display_name,
        role.as_str(),
        organisation_id,
        password_hash
    )
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(id) = id {
        return Ok(Created::User(id));
    }
    // Row-level security shows only the users of the organisations in scope.
    let here = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM users WHERE email = $1 AND organisation_id = $2) AS "here!""#,
        email,
        organisation_id
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(if here {
        Created::InThisOrganisation
    } else {
        Created::Elsewhere
    })
}
