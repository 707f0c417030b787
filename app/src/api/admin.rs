//! The Admin area: customer admins manage their users; account managers see the customers they
//! look after; operations admins see every customer and the audit log.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::auth::Role;
use super::ApiError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub disabled: bool,
    /// Empty: every site of the organisation.
    pub sites: Vec<String>,
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

#[server(prefix = "/api", endpoint = "admin/overview")]
pub async fn admin_overview() -> Result<AdminView, ApiError> {
    use crate::store::admin;
    super::respond(
        async {
            let (state, id) =
                crate::auth::require_role(&[Role::CustomerAdmin, Role::AccountManager, Role::OpsAdmin])?;
            let mut tx = id.scope.begin(&state.db).await?;
            Ok(match id.role {
                Role::CustomerAdmin => {
                    let org = id.organisation_id.ok_or(ApiError::Forbidden)?;
                    AdminView::Users {
                        organisation: id.organisation.clone().unwrap_or_default(),
                        users: admin::users_of(&mut tx, org).await?,
                        sites: admin::site_options(&mut tx).await?,
                    }
                }
                Role::AccountManager => AdminView::Customers {
                    customers: admin::customers(&mut tx).await?,
                },
                _ => AdminView::Operations {
                    customers: admin::customers(&mut tx).await?,
                    audit: admin::recent_audit(&mut tx, 200).await?,
                },
            })
        }
        .await,
    )
}

/// Disables or re-enables a user of the caller's organisation; disabling ends their sessions.
#[server(prefix = "/api", endpoint = "admin/user-disabled")]
pub async fn set_user_disabled(user_id: i64, disabled: bool) -> Result<(), ApiError> {
    use crate::store::admin;
    super::respond(
        async {
            let (state, id) = crate::auth::require_role(&[Role::CustomerAdmin])?;
            if user_id == id.user_id {
                return Err(ApiError::BadRequest(
                    "You cannot disable your own account.".into(),
                ));
            }
            let org = id.organisation_id.ok_or(ApiError::Forbidden)?;
            let mut tx = id.scope.begin(&state.db).await?;
            admin::set_disabled(&mut tx, org, user_id, disabled)
                .await?
                .then_some(())
                .ok_or(ApiError::NotFound)?;
            crate::store::audit::record_in(
                &mut tx,
                &id,
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

/// Limits a customer user to some sites (`site_ids` comma-separated; empty: all sites).
#[server(prefix = "/api", endpoint = "admin/user-sites")]
pub async fn set_user_sites(user_id: i64, site_ids: String) -> Result<(), ApiError> {
    use crate::store::admin;
    super::respond(
        async {
            let (state, id) = crate::auth::require_role(&[Role::CustomerAdmin])?;
            let org = id.organisation_id.ok_or(ApiError::Forbidden)?;
            let sites: Vec<i64> = site_ids
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse()
                        .map_err(|_| ApiError::BadRequest(format!("{s:?} is not a site id")))
                })
                .collect::<Result<_, _>>()?;
            let mut tx = id.scope.begin(&state.db).await?;
            admin::set_sites(&mut tx, org, user_id, &sites)
                .await?
                .then_some(())
                .ok_or(ApiError::NotFound)?;
            crate::store::audit::record_in(
                &mut tx,
                &id,
                "user.sites_changed",
                serde_json::json!({ "user_id": user_id, "sites": sites }),
            )
            .await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

/// Adds a colleague to the caller's organisation with a first password they should change.
#[server(prefix = "/api", endpoint = "admin/user-create")]
pub async fn create_user(
    email: String,
    display_name: String,
    role: String,
    password: String,
) -> Result<i64, ApiError> {
    use crate::store::admin;
    super::respond(
        async {
            let (state, id) = crate::auth::require_role(&[Role::CustomerAdmin])?;
            let org = id.organisation_id.ok_or(ApiError::Forbidden)?;
            let email = email.trim().to_lowercase();
            let display_name = display_name.trim().to_string();
            let role = match Role::parse(&role) {
                Some(r @ (Role::CustomerUser | Role::CustomerAdmin)) => r,
                _ => {
                    return Err(ApiError::BadRequest(
                        "Choose customer user or customer admin.".into(),
                    ))
                }
            };
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
            if password.chars().count() < 12 {
                return Err(ApiError::BadRequest(
                    "The first password must have at least 12 characters.".into(),
                ));
            }
            let hash = crate::auth::password::hash(password).await.map_err(|e| {
                tracing::error!(error = %e, "hashing a new user's password");
                ApiError::Internal
            })?;
            let mut tx = id.scope.begin(&state.db).await?;
            let new_id = admin::create_user(&mut tx, org, &email, &display_name, role, &hash.0)
                .await?
                .ok_or_else(|| ApiError::BadRequest("This email address cannot be used.".into()))?;
            crate::store::audit::record_in(
                &mut tx,
                &id,
                "user.created",
                serde_json::json!({ "user_id": new_id, "role": role.as_str() }),
            )
            .await?;
            tx.commit().await?;
            Ok(new_id)
        }
        .await,
    )
}
