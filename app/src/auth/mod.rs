//! The caller's identity on the server: put into the request's extensions by the server's
//! authentication middleware (session cookie → user → scope), read here by pages and server fns.
pub mod link_token;
pub mod password;
pub mod policy;

use uuid::Uuid;

use crate::domain::role::Role;
use crate::store::audit::Actor;
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
    /// The password was set by someone else (an admin): until its owner changes it, the session
    /// reaches only the change-password page (the server's middleware enforces it).
    pub must_change_password: bool,
    /// A confirmed authenticator app (TOTP) is needed at sign-in.
    pub second_factor: bool,
}

impl Identity {
    /// The caller as the audit log records them.
    pub fn actor(&self) -> Actor<'_> {
        Actor {
            user_id: self.user_id,
            email: &self.email,
            organisation_id: self.organisation_id,
            client_ip: &self.client_ip,
        }
    }

    pub fn has_role(&self, roles: &[Role]) -> bool {
        roles.contains(&self.role)
    }
}

/// The identity of the request being served, if signed in.
pub fn identity() -> Option<Identity> {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Identity>().cloned())
}
