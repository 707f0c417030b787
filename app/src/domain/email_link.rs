//! Links sent by e-mail: an invitation to set a first password, and a password reset. What they
//! are for, how long they last, and what a person is told when one no longer works.
use serde::{Deserialize, Serialize};

/// How long an invitation link works.
pub const INVITATION_HOURS: i64 = 72;
/// How long a password-reset link works.
pub const RESET_MINUTES: i64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkPurpose {
    Invitation,
    PasswordReset,
}

impl LinkPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkPurpose::Invitation => "invitation",
            LinkPurpose::PasswordReset => "password_reset",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [LinkPurpose::Invitation, LinkPurpose::PasswordReset]
            .into_iter()
            .find(|p| p.as_str() == s)
    }

    /// How long a link of this purpose works, in minutes.
    pub fn lifetime_minutes(self) -> i64 {
        match self {
            LinkPurpose::Invitation => INVITATION_HOURS * 60,
            LinkPurpose::PasswordReset => RESET_MINUTES,
        }
    }

    /// The lifetime in words, as the e-mail and the pages say it.
    pub fn lifetime_words(self) -> &'static str {
        match self {
            LinkPurpose::Invitation => "72 hours",
            LinkPurpose::PasswordReset => "1 hour",
        }
    }

    /// The page the link opens.
    pub fn page(self) -> &'static str {
        match self {
            LinkPurpose::Invitation => "/welcome",
            LinkPurpose::PasswordReset => "/reset-password",
        }
    }
}

/// Why a link opened does not work (or that it does).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkState {
    /// Not a link we sent: mistyped, cut short by the mail program, or altered.
    Unknown,
    /// Past its time.
    Expired,
    /// Used already, or replaced by a newer link of the same kind.
    Used,
    /// The account was disabled since.
    Disabled,
    /// Good: the person may choose their password.
    Valid,
}

impl LinkState {
    /// The state of a link that exists, from its row: used (or replaced) first, then expired,
    /// then an account disabled since.
    pub fn of(used: bool, expired: bool, disabled: bool) -> Self {
        if used {
            LinkState::Used
        } else if expired {
            LinkState::Expired
        } else if disabled {
            LinkState::Disabled
        } else {
            LinkState::Valid
        }
    }

    /// What the page says when the link does not work, and what to do instead.
    pub fn problem(self, purpose: Option<LinkPurpose>) -> Option<String> {
        let again = match purpose {
            Some(LinkPurpose::Invitation) => "Please ask your administrator to send you a new invitation.",
            _ => "You can ask for a new link below.",
        };
        let what = match self {
            LinkState::Valid => return None,
            LinkState::Unknown => {
                "This link is not valid. It may have been copied incompletely from the e-mail.".to_string()
            }
            LinkState::Expired => match purpose {
                Some(p) => format!(
                    "This link has expired: links like it work for {}.",
                    p.lifetime_words()
                ),
                None => "This link has expired.".to_string(),
            },
            LinkState::Used => {
                "This link has already been used, or a newer one has been sent since.".to_string()
            }
            LinkState::Disabled => {
                return Some(
                    "This account is disabled. Please contact your administrator or account manager."
                        .to_string(),
                )
            }
        };
        Some(format!("{what} {again}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purposes_round_trip_and_last_as_documented() {
        for p in [LinkPurpose::Invitation, LinkPurpose::PasswordReset] {
            assert_eq!(LinkPurpose::parse(p.as_str()), Some(p));
        }
        assert_eq!(LinkPurpose::parse("login"), None);
        assert_eq!(LinkPurpose::Invitation.lifetime_minutes(), 72 * 60);
        assert_eq!(LinkPurpose::PasswordReset.lifetime_minutes(), 60);
    }

    #[test]
    fn only_a_valid_link_has_no_problem() {
        assert_eq!(LinkState::Valid.problem(Some(LinkPurpose::Invitation)), None);
        let expired = LinkState::Expired
            .problem(Some(LinkPurpose::PasswordReset))
            .unwrap();
        assert!(
            expired.contains("1 hour") && expired.contains("new link"),
            "{expired}"
        );
        let used = LinkState::Used.problem(Some(LinkPurpose::Invitation)).unwrap();
        assert!(
            used.contains("already been used") && used.contains("administrator"),
            "{used}"
        );
        assert!(LinkState::Unknown.problem(None).unwrap().contains("not valid"));
    }
}
