//! The Admin area: customer admins manage their users; account managers see the customers they
//! look after; operations admins see every customer and the audit log.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;
use crate::domain::role::Role;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub disabled: bool,
    /// Disabled by Northgate staff: only staff can enable the user again.
    pub disabled_by_staff: bool,
    /// Every site of the organisation; otherwise exactly `sites` (none when empty).
    pub all_sites: bool,
    pub sites: Vec<String>,
    pub site_ids: Vec<i64>,
    /// UK time, `YYYY-MM-DD HH:MM`; `None`: never signed in.
    pub last_sign_in: Option<String>,
    /// An invitation waiting to be used: until when (UK time).
    pub invitation_until: Option<String>,
    /// Invited and never signed in.
    pub invited: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerRow {
    pub id: i64,
    pub name: String,
    pub account_number: String,
    pub sites: i64,
    pub supply_points: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRow {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub organisation: Option<String>,
    pub client_ip: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteOption {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum AdminView {
    Users {
        organisation_id: i64,
        /// The caller (whose own role and status are not changed here).
        you: i64,
        organisation: String,
        users: Vec<UserRow>,
        sites: Vec<SiteOption>,
    },
    Customers {
        customers: Vec<CustomerRow>,
    },
    Operations {
        customers: Vec<CustomerRow>,
        audit: Vec<AuditRow>,
    },
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::store::admin::{AuditRecord, CustomerRecord, SiteName, UserRecord};

    impl From<UserRecord> for UserRow {
        fn from(u: UserRecord) -> Self {
            UserRow {
                id: u.id,
                email: u.email,
                display_name: u.display_name,
                role: u.role,
                disabled: u.disabled,
                disabled_by_staff: u.disabled_by_staff,
                all_sites: u.all_sites,
                sites: u.sites,
                site_ids: u.site_ids,
                last_sign_in: u.last_sign_in,
                invitation_until: u.invitation_until,
                invited: u.invited,
            }
        }
    }

    impl From<SiteName> for SiteOption {
        fn from(s: SiteName) -> Self {
            SiteOption {
                id: s.id,
                name: s.name,
            }
        }
    }

    impl From<CustomerRecord> for CustomerRow {
        fn from(c: CustomerRecord) -> Self {
            CustomerRow {
                id: c.id,
                name: c.name,
                account_number: c.account_number,
                sites: c.sites,
                supply_points: c.supply_points,
            }
        }
    }

    impl From<AuditRecord> for AuditRow {
        fn from(a: AuditRecord) -> Self {
            AuditRow {
                at: a.at,
                actor: a.actor_email.unwrap_or_else(|| "—".into()),
                action: a.action,
                organisation: a.organisation,
                client_ip: a.client_ip.unwrap_or_default(),
            }
        }
    }

    pub fn rows<R, W: From<R>>(records: Vec<R>) -> Vec<W> {
        records.into_iter().map(W::from).collect()
    }
}

#[server(prefix = "/api", endpoint = "admin/overview")]
#[cfg_attr(feature = "ssr", tracing::instrument(name = "admin_overview", skip_all, fields(user_id = tracing::field::Empty, role = tracing::field::Empty)))]
pub async fn admin_overview() -> Result<AdminView, ApiError> {
    use crate::store::admin;
    use ssr::rows;
    super::respond(
        async {
            let (state, id) =
                super::guard::require_role(&[Role::CustomerAdmin, Role::AccountManager, Role::OpsAdmin])?;
            let mut tx = id.scope.begin(&state.db).await?;
            Ok(match id.role {
                Role::CustomerAdmin => {
                    let org = id.organisation_id.ok_or(ApiError::Forbidden)?;
                    AdminView::Users {
                        organisation_id: org,
                        you: id.user_id,
                        organisation: id.organisation.clone().unwrap_or_default(),
                        users: rows(admin::users_of(&mut tx, org).await?),
                        sites: rows(admin::site_names(&mut tx).await?),
                    }
                }
                Role::AccountManager => AdminView::Customers {
                    customers: rows(admin::customers(&mut tx).await?),
                },
                _ => AdminView::Operations {
                    customers: rows(admin::customers(&mut tx).await?),
                    audit: rows(admin::recent_audit(&mut tx, 200).await?),
                },
            })
        }
        .await,
    )
}

/// Disables or re-enables a user of the caller's organisation; disabling ends their sessions.
/// A user that staff disabled stays disabled: only staff can enable them again.
#[server(prefix = "/api", endpoint = "admin/user-disabled")]
#[cfg_attr(feature = "ssr", tracing::instrument(name = "set_user_disabled", skip_all, fields(user_id = tracing::field::Empty, role = tracing::field::Empty, target_user_id = user_id, disabled = disabled)))]
pub async fn set_user_disabled(user_id: i64, disabled: bool) -> Result<(), ApiError> {
    use crate::store::admin;
    super::respond(
        async {
            let (state, id) = super::guard::require_role(&[Role::CustomerAdmin])?;
            if user_id == id.user_id {
                return Err(ApiError::BadRequest(
                    "You cannot disable your own account.".into(),
                ));
            }
            let org = id.organisation_id.ok_or(ApiError::Forbidden)?;
            let mut tx = id.scope.begin(&state.db).await?;
            match admin::set_disabled(&mut tx, &[org], user_id, disabled, false).await? {
                admin::DisableOutcome::Changed { .. } => {}
                admin::DisableOutcome::NotFound => return Err(ApiError::NotFound),
                admin::DisableOutcome::HeldByStaff => {
                    return Err(ApiError::BadRequest(
                        "Northgate staff disabled this user; only they can enable them again. Please contact your account manager."
                            .into(),
                    ))
                }
            }
            crate::store::audit::record_in(
                &mut tx,
                id.actor(),
                if disabled { "user.disabled" } else { "user.enabled" },
                serde_json::json!({ "user_id": user_id }),
            )
            .await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

/// Staff (operations admins; account managers for the customers they look after) disable or
/// enable a customer's user. A user disabled here cannot be enabled by the customer's own admin.
#[server(prefix = "/api", endpoint = "admin/customer-user-disabled")]
#[cfg_attr(feature = "ssr", tracing::instrument(name = "staff_set_user_disabled", skip_all, fields(user_id = tracing::field::Empty, role = tracing::field::Empty, target_user_id = user_id, disabled = disabled)))]
pub async fn staff_set_user_disabled(user_id: i64, disabled: bool) -> Result<(), ApiError> {
    use crate::store::admin;
    super::respond(
        async {
            let (state, id) = super::guard::require_role(&[Role::AccountManager, Role::OpsAdmin])?;
            let orgs = id.scope.organisation_ids().to_vec();
            let mut tx = id.scope.begin(&state.db).await?;
            let organisation_id = match admin::set_disabled(&mut tx, &orgs, user_id, disabled, true).await? {
                admin::DisableOutcome::Changed { organisation_id } => organisation_id,
                admin::DisableOutcome::NotFound | admin::DisableOutcome::HeldByStaff => {
                    return Err(ApiError::NotFound)
                }
            };
            crate::store::audit::record_against(
                &mut tx,
                id.actor(),
                Some(organisation_id),
                if disabled {
                    "user.disabled_by_staff"
                } else {
                    "user.enabled_by_staff"
                },
                serde_json::json!({ "user_id": user_id }),
            )
            .await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

/// Gives a customer user every site (`all_sites`), or limits them to `site_ids` (none when empty:
/// "every site" is an explicit choice, never what an empty list means). Customer admins for their
/// own organisation; operations admins for any.
#[server(prefix = "/api", endpoint = "admin/user-sites")]
#[cfg_attr(feature = "ssr", tracing::instrument(name = "set_user_sites", skip_all, fields(user_id = tracing::field::Empty, role = tracing::field::Empty, target_user_id = user_id, all_sites = all_sites, site_ids = ?site_ids)))]
pub async fn set_user_sites(
    user_id: i64,
    #[server(default)] all_sites: bool,
    #[server(default)] site_ids: Vec<i64>,
) -> Result<(), ApiError> {
    use crate::store::admin;
    super::respond(
        async {
            let (state, id) = super::guard::require_role(&[Role::CustomerAdmin, Role::OpsAdmin])?;
            if all_sites && !site_ids.is_empty() {
                return Err(ApiError::BadRequest(
                    "Choose either every site or a list of sites.".into(),
                ));
            }
            let mut sites = site_ids;
            sites.sort_unstable();
            sites.dedup();
            let mut tx = id.scope.begin(&state.db).await?;
            let org = match id.role {
                Role::CustomerAdmin => id.organisation_id.ok_or(ApiError::Forbidden)?,
                _ => {
                    let orgs = id.scope.organisation_ids().to_vec();
                    admin::organisation_of_user(&mut tx, &orgs, user_id)
                        .await?
                        .ok_or(ApiError::NotFound)?
                }
            };
            admin::set_sites(&mut tx, org, user_id, all_sites, &sites)
                .await?
                .then_some(())
                .ok_or(ApiError::NotFound)?;
            crate::store::audit::record_against(
                &mut tx,
                id.actor(),
                Some(org),
                "user.sites_changed",
                serde_json::json!({ "user_id": user_id, "all_sites": all_sites, "sites": sites }),
            )
            .await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

/// Adds a colleague to the caller's organisation with a first password they must change at their
/// first sign-in. An address that belongs to someone the caller cannot see (another organisation, or staff) gets
/// the same answer as success, so the form reveals nothing about other customers; nothing is
/// created, and the attempt is in the audit log for operations.
#[server(prefix = "/api", endpoint = "admin/user-create")]
#[cfg_attr(feature = "ssr", tracing::instrument(name = "create_user", skip_all, fields(user_id = tracing::field::Empty, role = tracing::field::Empty, new_role = role.as_str())))]
pub async fn create_user(
    email: String,
    display_name: String,
    role: Role,
    password: String,
) -> Result<(), ApiError> {
    use crate::domain::password::{PasswordProblem, MIN_PASSWORD_LEN};
    use crate::store::admin;
    super::respond(
        async {
            let (state, id) = super::guard::require_role(&[Role::CustomerAdmin])?;
            let org = id.organisation_id.ok_or(ApiError::Forbidden)?;
            let email = email.trim().to_lowercase();
            let display_name = display_name.trim().to_string();
            if !role.is_customer() {
                return Err(ApiError::BadRequest(
                    "Choose customer user or customer admin.".into(),
                ));
            }
            let plausible = email.len() <= 254
                && email
                    .split_once('@')
                    .is_some_and(|(a, b)| !a.is_empty() && b.contains('.'));
            if !plausible {
                return Err(ApiError::BadRequest("Enter a valid email address.".into()));
            }
            if display_name.is_empty() || display_name.len() > 120 {
                return Err(ApiError::BadRequest("Enter the person's name.".into()));
            }
            match crate::auth::policy::check_new_password(&password) {
                Ok(()) => {}
                Err(PasswordProblem::TooShort) => {
                    return Err(ApiError::BadRequest(format!(
                        "The first password must have at least {MIN_PASSWORD_LEN} characters."
                    )))
                }
                Err(problem) => return Err(ApiError::BadRequest(problem.message())),
            }
            let hash = crate::auth::password::hash(password).await.map_err(|e| {
                tracing::error!(error = %e, "hashing a new user's password");
                ApiError::Internal
            })?;
            let mut tx = id.scope.begin(&state.db).await?;
            match admin::create_user(&mut tx, org, &email, &display_name, role, &hash.0).await? {
                admin::Created::User(new_id) => {
                    crate::store::audit::record_in(
                        &mut tx,
                        id.actor(),
                        "user.created",
                        serde_json::json!({ "user_id": new_id, "role": role.as_str() }),
                    )
                    .await?
                }
                admin::Created::InThisOrganisation => {
                    return Err(ApiError::BadRequest(
                        "This email address is already a user of your organisation.".into(),
                    ))
                }
                // Recorded against no organisation: operations see it, the customer does not.
                admin::Created::Elsewhere => {
                    crate::store::audit::record_against(
                        &mut tx,
                        id.actor(),
                        None,
                        "user.create_conflict",
                        serde_json::json!({ "organisation_id": org, "email": email }),
                    )
                    .await?
                }
            }
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}
