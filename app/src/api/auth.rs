//! Who is signed in: the signed-in user as the UI sees it, and `current_user`.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;
use crate::domain::role::Role;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub user_id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub organisation: Option<String>,
    /// Signs in with an authenticator app code as well as the password.
    #[serde(default)]
    pub second_factor: bool,
    /// Must choose a new password before anything else (it was set by an admin).
    #[serde(default)]
    pub must_change_password: bool,
    /// A staff member viewing this customer's portal as the customer sees it (read-only); the
    /// role and organisation above are the customer's.
    #[serde(default)]
    pub viewing_as: bool,
}

#[cfg(feature = "ssr")]
impl From<&crate::auth::Identity> for Me {
    fn from(i: &crate::auth::Identity) -> Self {
        Me {
            user_id: i.user_id,
            email: i.email.clone(),
            display_name: i.display_name.clone(),
            role: i.role,
            organisation: i.organisation.clone(),
            second_factor: i.second_factor,
            must_change_password: i.must_change_password,
            viewing_as: i.viewing_as.is_some(),
        }
    }
}

/// The signed-in user, or `None`.
#[server(prefix = "/api", endpoint = "me")]
#[cfg_attr(feature = "ssr", tracing::instrument(name = "current_user", skip_all, fields(user_id = tracing::field::Empty)))]
pub async fn current_user() -> Result<Option<Me>, ApiError> {
    let me = crate::auth::identity().map(|i| Me::from(&i));
    if let Some(me) = &me {
        tracing::Span::current().record("user_id", me.user_id);
    }
    Ok(me)
}
