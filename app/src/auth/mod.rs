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
    /// Set while a staff member views a customer's portal as the customer sees it. The role,
    /// organisation and scope above are then the customer's (as a customer admin of it); the
    /// user id and email stay the staff member's (the audit log records who looked), and the
    /// server refuses every change (`server/src/auth/view_as.rs`).
    pub viewing_as: Option<ViewingAs>,
}

/// The staff member behind a "view as customer" session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewingAs {
    pub staff_role: Role,
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

    /// Staff reading customers' data: their reads are recorded in the audit log (also while
    /// viewing as a customer).
    pub fn reads_are_audited(&self) -> bool {
        !self.role.is_customer() || self.viewing_as.is_some()
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
