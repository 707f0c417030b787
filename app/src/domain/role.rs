//! The roles a user can have: their names in the database and on the wire, and their labels.
use serde::{Deserialize, Serialize};

/// What a user is to the portal. Serialised (wire, database, forms) by its snake-case name, so a
/// server fn taking a `Role` refuses any other value with a 400 before its body runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "ssr",
    derive(sqlx::Type),
    sqlx(type_name = "text", rename_all = "snake_case")
)]
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

    /// The roles a customer admin may give a colleague.
    pub fn is_customer(self) -> bool {
        matches!(self, Role::CustomerUser | Role::CustomerAdmin)
    }

    /// Seniority: a caller never gives anyone a role above their own.
    pub fn rank(self) -> u8 {
        match self {
            Role::CustomerUser => 0,
            Role::CustomerAdmin => 1,
            Role::AccountManager => 2,
            Role::OpsAdmin => 3,
        }
    }

    /// Whether a caller with this role may give `role` to a user of an organisation (inviting
    /// them, or changing their role): customer admins and operations admins only, a customer
    /// role only (users of an organisation are customers; staff are made otherwise), and never
    /// above the caller's own.
    pub fn may_grant(self, role: Role) -> bool {
        matches!(self, Role::CustomerAdmin | Role::OpsAdmin)
            && role.is_customer()
            && role.rank() <= self.rank()
    }

    /// Who sees the Admin area (each sees a different part of it).
    pub fn sees_admin(self) -> bool {
        self != Role::CustomerUser
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_names() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
            let json = serde_json::to_string(&r).unwrap();
            assert_eq!(json, format!("\"{}\"", r.as_str()));
            assert_eq!(serde_json::from_str::<Role>(&json).unwrap(), r);
        }
        assert_eq!(Role::parse("root"), None);
        assert!(serde_json::from_str::<Role>("\"root\"").is_err());
    }

    #[test]
    fn roles_are_granted_within_the_organisation_and_never_above_the_caller() {
        use Role::*;
        assert!(CustomerAdmin.may_grant(CustomerUser) && CustomerAdmin.may_grant(CustomerAdmin));
        assert!(!CustomerAdmin.may_grant(AccountManager) && !CustomerAdmin.may_grant(OpsAdmin));
        assert!(OpsAdmin.may_grant(CustomerUser) && OpsAdmin.may_grant(CustomerAdmin));
        // Staff roles are not given to an organisation's users, even by operations.
        assert!(!OpsAdmin.may_grant(AccountManager) && !OpsAdmin.may_grant(OpsAdmin));
        for r in Role::ALL {
            assert!(!CustomerUser.may_grant(r), "{r:?}");
            assert!(!AccountManager.may_grant(r), "{r:?}");
        }
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
