//! The caller's identity on the server: put into the request's extensions by the server's
//! authentication middleware (session cookie → user → scope), read here by pages and server fns.
pub mod password;

use uuid::Uuid;

use crate::api::auth::{Me, Role};
use crate::api::ApiError;
use crate::state::AppState;
use crate::store::scope::Scope;

#[derive(Debug, Clone)]
pub struct Identity {
    pub user_id: i64,
    pub session_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub organisation_id: Option<i64>,
    pub organisation: Option<String>,
    pub client_ip: String,
    /// What this caller may read: derived on the server only.
    pub scope: Scope,
}

impl Identity {
    pub fn me(&self) -> Me {
        Me {
            user_id: self.user_id,
            email: self.email.clone(),
            display_name: self.display_name.clone(),
            role: self.role,
            organisation: self.organisation.clone(),
        }
    }
}

/// The identity of the request being served, if signed in.
pub fn identity() -> Option<Identity> {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Identity>().cloned())
}

/// State and identity for a server fn or page that needs a signed-in caller.
pub fn require() -> Result<(AppState, Identity), ApiError> {
    let identity = identity().ok_or(ApiError::Unauthenticated)?;
    Ok((AppState::current()?, identity))
}

/// As `require`, and the caller must have one of `roles` (otherwise 403).
pub fn require_role(roles: &[Role]) -> Result<(AppState, Identity), ApiError> {
    let (state, identity) = require()?;
    if roles.contains(&identity.role) {
        Ok((state, identity))
    } else {
        Err(ApiError::Forbidden)
    }
}
