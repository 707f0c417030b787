//! Who is signed in: roles, the signed-in user as the UI sees it, and `current_user`.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    CustomerUser,
    CustomerAdmin,
    AccountManager,
    OpsAdmin,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::CustomerUser,
        Role::CustomerAdmin,
        Role::AccountManager,
        Role::OpsAdmin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::CustomerUser => "customer_user",
            Role::CustomerAdmin => "customer_admin",
            Role::AccountManager => "account_manager",
            Role::OpsAdmin => "ops_admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::CustomerUser => "Customer user",
            Role::CustomerAdmin => "Customer admin",
            Role::AccountManager => "Account manager",
            Role::OpsAdmin => "Operations admin",
        }
    }

    pub fn is_staff(self) -> bool {
        matches!(self, Role::AccountManager | Role::OpsAdmin)
    }

    /// Who sees the Admin area (each sees a different part of it).
    pub fn sees_admin(self) -> bool {
        self != Role::CustomerUser
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub user_id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub organisation: Option<String>,
}

/// The signed-in user, or `None`.
#[server(prefix = "/api", endpoint = "me")]
pub async fn current_user() -> Result<Option<Me>, ApiError> {
    Ok(crate::auth::identity().map(|i| i.me()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_names() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn only_customer_users_lack_the_admin_area() {
        assert!(!Role::CustomerUser.sees_admin());
        assert!(
            Role::CustomerAdmin.sees_admin()
                && Role::AccountManager.sees_admin()
                && Role::OpsAdmin.sees_admin()
        );
    }
}
