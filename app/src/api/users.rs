//! Users by e-mail (issue 11): inviting a colleague, sending an invitation again, changing a
//! user's role within the organisation, and the users of one organisation for operations.
//! Customer admins act on their own organisation; operations admins on any; nobody gives a role
//! above their own, and a customer never a staff role (`Role::may_grant`). Every change is in the
//! audit log against the user's organisation.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::admin::{SiteOption, UserRow};
use super::ApiError;
use crate::domain::role::Role;

/// One organisation's users, for its administrators (and operations).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganisationUserList {
    pub organisation_id: i64,
    /// The caller (whose own role and status are not changed here).
    pub you: i64,
    pub organisation: String,
    pub users: Vec<UserRow>,
    pub sites: Vec<SiteOption>,
}

/// What the Admin page says after an invitation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvitationSent {
    pub email: String,
    /// UK time.
    pub expires: String,
}

impl InvitationSent {
    /// What the admin is told once the invitation is on its way.
    pub fn message(&self) -> String {
        format!(
            "Invitation sent to {}. The link works until {} (UK time).",
            self.email, self.expires
        )
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::auth::Identity;
    use crate::mail::{messages, Mailer};

    /// The organisation the caller acts on: a customer admin's own (any other id is not there
    /// for them: 404), or the one an operations admin names.
    pub fn target_organisation(id: &Identity, organisation_id: Option<i64>) -> Result<i64, ApiError> {
        match id.role {
            Role::CustomerAdmin => {
                let own = id.organisation_id.ok_or(ApiError::Forbidden)?;
                match organisation_id {
                    Some(other) if other != own => Err(ApiError::NotFound),
                    _ => Ok(own),
                }
            }
            Role::OpsAdmin => {
                organisation_id.ok_or_else(|| ApiError::BadRequest("Choose the customer.".into()))
            }
            _ => Err(ApiError::Forbidden),
        }
    }

    pub fn check_grant(id: &Identity, role: Role) -> Result<(), ApiError> {
        if id.role.may_grant(role) {
            Ok(())
        } else if !role.is_customer() {
            Err(ApiError::BadRequest(
                "Users of a customer are customer users or customer admins.".into(),
            ))
        } else {
            Err(ApiError::BadRequest(
                "You cannot give a role above your own.".into(),
            ))
        }
    }

    /// A password hash nobody can sign in with (the hash of 32 random bytes nobody keeps), so a
    /// sign-in attempt for an invited address costs what any wrong password costs.
    pub async fn unusable_password_hash() -> Result<String, ApiError> {
        let (secret, _) = crate::auth::link_token::new_token();
        crate::auth::password::hash(secret)
            .await
            .map(|h| h.0)
            .map_err(|e| {
                tracing::error!(error = %e, "hashing an unusable password");
                ApiError::Internal
            })
    }

    /// Sends an invitation e-mail; the invitation is saved whatever happens here.
    pub async fn send_invitation(
        id: &Identity,
        organisation: &str,
        email: &str,
        display_name: &str,
        token: &str,
        expires_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<InvitationSent, ApiError> {
        let mailer = Mailer::current().ok_or_else(|| {
            tracing::error!("no mailer in the request");
            ApiError::Internal
        })?;
        let link = mailer.link(crate::domain::email_link::LinkPurpose::Invitation, token);
        let inviter = if id.role.is_staff() {
            format!("{} (Northgate Energy)", id.display_name)
        } else {
            id.display_name.clone()
        };
        let mail = messages::invitation(email, display_name, &inviter, organisation, &link, expires_at);
        if let Err(e) = mailer.send(mail).await {
            tracing::error!(error = %e, "sending an invitation");
            return Err(ApiError::Unavailable(
                "The invitation is saved, but the e-mail could not be sent just now. Use \u{201c}Send the invitation again\u{201d} in the list of users in a few minutes."
                    .into(),
            ));
        }
        Ok(InvitationSent {
            email: email.to_owned(),
            expires: messages::uk_time(expires_at),
        })
    }
}

/// The users and sites of one organisation: a customer admin's own, or any for operations.
#[server(prefix = "/api", endpoint = "admin/users")]
#[cfg_attr(feature = "ssr", tracing::instrument(name = "organisation_users", skip_all, fields(user_id = tracing::field::Empty, role = tracing::field::Empty, organisation_id = organisation_id)))]
pub async fn organisation_users(organisation_id: i64) -> Result<OrganisationUserList, ApiError> {
    use crate::store::admin;
    super::respond(
        async {
            let (state, id) = super::guard::require_role(&[Role::CustomerAdmin, Role::OpsAdmin])?;
            let org = ssr::target_organisation(&id, Some(organisation_id))?;
            let mut tx = id.scope.begin(&state.db).await?;
            let organisation = admin::organisation_name(&mut tx, org)
                .await?
                .ok_or(ApiError::NotFound)?;
            let users = admin::users_of(&mut tx, org).await?;
            let sites = admin::site_names_of(&mut tx, org).await?;
            super::guard::finish_read(tx, &id, "admin.users_read", &[org], serde_json::json!({})).await?;
            Ok(OrganisationUserList {
                organisation_id: org,
                you: id.user_id,
                organisation,
                users: users.into_iter().map(UserRow::from).collect(),
                sites: sites.into_iter().map(SiteOption::from).collect(),
            })
        }
        .await,
    )
}

/// Invites a colleague by e-mail: creates the user with the role and sites chosen and e-mails them
/// a single-use link (72 hours) to choose their password. An address that belongs to someone the
/// caller cannot see gets the same answer as success and nothing is created or sent (recorded for
/// operations), as when adding a user.
#[server(prefix = "/api", endpoint = "admin/user-invite")]
#[cfg_attr(feature = "ssr", tracing::instrument(name = "invite_user", skip_all, fields(user_id = tracing::field::Empty, role = tracing::field::Empty, new_role = role.as_str(), organisation_id = organisation_id)))]
pub async fn invite_user(
    email: String,
    display_name: String,
    role: Role,
    #[server(default)] organisation_id: Option<i64>,
    #[server(default)] all_sites: bool,
    #[server(default)] site_ids: Vec<i64>,
) -> Result<InvitationSent, ApiError> {
    use crate::store::{admin, invitations};
    let answer = super::respond(
        async {
            let (state, id) = super::guard::require_role(&[Role::CustomerAdmin, Role::OpsAdmin])?;
            let org = ssr::target_organisation(&id, organisation_id)?;
            ssr::check_grant(&id, role)?;
            let email = email.trim().to_lowercase();
            let display_name = display_name.trim().to_string();
            let plausible = email.len() <= 254
                && !email.contains(char::is_whitespace)
                && email
                    .split_once('@')
                    .is_some_and(|(a, b)| !a.is_empty() && b.contains('.') && !b.contains('@'));
            if !plausible {
                return Err(ApiError::BadRequest("Enter a valid email address.".into()));
            }
            if display_name.is_empty() || display_name.chars().count() > 120 {
                return Err(ApiError::BadRequest("Enter the person's name.".into()));
            }
            if role == Role::CustomerUser && !all_sites && site_ids.is_empty() {
                return Err(ApiError::BadRequest(
                    "Choose the sites they may see, or every site.".into(),
                ));
            }
            if all_sites && !site_ids.is_empty() {
                return Err(ApiError::BadRequest(
                    "Choose either every site or a list of sites.".into(),
                ));
            }
            let mut sites = site_ids;
            sites.sort_unstable();
            sites.dedup();
            let unusable = ssr::unusable_password_hash().await?;
            let (token, token_hash) = crate::auth::link_token::new_token();
            let mut tx = id.scope.begin(&state.db).await?;
            let organisation = admin::organisation_name(&mut tx, org)
                .await?
                .ok_or(ApiError::NotFound)?;
            let outcome = invitations::invite(
                &mut tx,
                invitations::NewInvitee {
                    organisation_id: org,
                    email: &email,
                    display_name: &display_name,
                    role,
                    all_sites,
                    sites: &sites,
                    unusable_password_hash: &unusable,
                    token_hash: &token_hash,
                    invited_by: id.user_id,
                },
            )
            .await?;
            let expires_at = match outcome {
                invitations::Invited::User { user_id, expires_at } => {
                    crate::store::audit::record_against(
                        &mut tx,
                        id.actor(),
                        Some(org),
                        "user.invited",
                        serde_json::json!({ "user_id": user_id, "role": role.as_str(), "all_sites": all_sites || role == Role::CustomerAdmin, "sites": sites }),
                    )
                    .await?;
                    expires_at
                }
                invitations::Invited::InThisOrganisation => {
                    return Err(ApiError::BadRequest(
                        "This email address is already a user of this organisation.".into(),
                    ))
                }
                invitations::Invited::NotTheOrganisationsSite => return Err(ApiError::NotFound),
                // Recorded against no organisation: operations see it, the customer does not.
                invitations::Invited::Elsewhere => {
                    crate::store::audit::record_against(
                        &mut tx,
                        id.actor(),
                        None,
                        "user.invite_conflict",
                        serde_json::json!({ "organisation_id": org, "email": email }),
                    )
                    .await?;
                    tx.commit().await?;
                    let expires_at = chrono::Utc::now()
                        + chrono::Duration::minutes(crate::domain::email_link::LinkPurpose::Invitation.lifetime_minutes());
                    return Ok(InvitationSent {
                        email,
                        expires: crate::mail::messages::uk_time(expires_at),
                    });
                }
            };
            tx.commit().await?;
            ssr::send_invitation(&id, &organisation, &email, &display_name, &token, expires_at).await
        }
        .await,
    );
    if let Ok(sent) = &answer {
        super::flash::set(&sent.message());
    }
    answer
}

/// Sends a user who has not signed in yet a new invitation; the earlier link stops working.
#[server(prefix = "/api", endpoint = "admin/user-reinvite")]
#[cfg_attr(feature = "ssr", tracing::instrument(name = "resend_invitation", skip_all, fields(user_id = tracing::field::Empty, role = tracing::field::Empty, target_user_id = user_id)))]
pub async fn resend_invitation(user_id: i64) -> Result<InvitationSent, ApiError> {
    use crate::store::{admin, invitations};
    let answer = super::respond(
        async {
            let (state, id) = super::guard::require_role(&[Role::CustomerAdmin, Role::OpsAdmin])?;
            let orgs = match id.role {
                Role::CustomerAdmin => vec![id.organisation_id.ok_or(ApiError::Forbidden)?],
                _ => id.scope.organisation_ids().to_vec(),
            };
            let (token, token_hash) = crate::auth::link_token::new_token();
            let mut tx = id.scope.begin(&state.db).await?;
            let Some(r) = invitations::reinvite(&mut tx, &orgs, user_id, &token_hash, id.user_id).await?
            else {
                return Err(ApiError::NotFound);
            };
            let organisation = admin::organisation_name(&mut tx, r.organisation_id)
                .await?
                .unwrap_or_default();
            crate::store::audit::record_against(
                &mut tx,
                id.actor(),
                Some(r.organisation_id),
                "user.reinvited",
                serde_json::json!({ "user_id": user_id }),
            )
            .await?;
            tx.commit().await?;
            ssr::send_invitation(
                &id,
                &organisation,
                &r.email,
                &r.display_name,
                &token,
                r.expires_at,
            )
            .await
        }
        .await,
    );
    if let Ok(sent) = &answer {
        super::flash::set(&sent.message());
    }
    answer
}

/// Changes a user's role within their organisation (customer user ↔ customer admin). Not one's
/// own role, never above the caller's.
#[server(prefix = "/api", endpoint = "admin/user-role")]
#[cfg_attr(feature = "ssr", tracing::instrument(name = "set_user_role", skip_all, fields(user_id = tracing::field::Empty, role = tracing::field::Empty, target_user_id = user_id, new_role = role.as_str())))]
pub async fn set_user_role(user_id: i64, role: Role) -> Result<(), ApiError> {
    use crate::store::admin;
    super::respond(
        async {
            let (state, id) = super::guard::require_role(&[Role::CustomerAdmin, Role::OpsAdmin])?;
            ssr::check_grant(&id, role)?;
            if user_id == id.user_id {
                return Err(ApiError::BadRequest("You cannot change your own role.".into()));
            }
            let orgs = match id.role {
                Role::CustomerAdmin => vec![id.organisation_id.ok_or(ApiError::Forbidden)?],
                _ => id.scope.organisation_ids().to_vec(),
            };
            let mut tx = id.scope.begin(&state.db).await?;
            let (org, from) = admin::set_role(&mut tx, &orgs, user_id, role)
                .await?
                .ok_or(ApiError::NotFound)?;
            crate::store::audit::record_against(
                &mut tx,
                id.actor(),
                Some(org),
                "user.role_changed",
                serde_json::json!({ "user_id": user_id, "from": from.as_str(), "to": role.as_str() }),
            )
            .await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}
