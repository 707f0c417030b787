//! The password rule every form and handler shares, on both targets (the UI's hints and
//! `minlength` come from the same constant as the server's check). The check against common
//! passwords runs on the server only (`auth::policy`), so its list never reaches the WASM bundle.

/// The fewest characters (not bytes) a new password may have.
pub const MIN_PASSWORD_LEN: usize = 12;

/// Whether `password` is long enough to be set as a new password.
pub fn is_long_enough(password: &str) -> bool {
    password.chars().count() >= MIN_PASSWORD_LEN
}

/// Why a new password is refused. Travels as a short code in form redirects (`?error=common`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort,
    /// On the list of common passwords, or one of them with digits or symbols around it.
    Common,
    /// The same as the password it replaces.
    Unchanged,
}

impl PasswordProblem {
    pub const fn code(self) -> &'static str {
        match self {
            PasswordProblem::TooShort => "short",
            PasswordProblem::Common => "common",
            PasswordProblem::Unchanged => "unchanged",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::TooShort, Self::Common, Self::Unchanged]
            .into_iter()
            .find(|p| p.code() == code)
    }

    pub fn message(self) -> String {
        match self {
            PasswordProblem::TooShort => {
                format!("The new password must have at least {MIN_PASSWORD_LEN} characters.")
            }
            PasswordProblem::Common => "This password is too common and easy to guess: choose another \
                 (a few unrelated words make a good one)."
                .to_string(),
            PasswordProblem::Unchanged => "Choose a password different from the current one.".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_counted_in_characters_not_bytes() {
        assert!(!is_long_enough("eleven-char"));
        assert!(is_long_enough("twelve-chars"));
        // 11 characters but 22 bytes: still too short.
        assert!(!is_long_enough("ééééééééééé"));
    }

    #[test]
    fn problems_round_trip_through_their_codes() {
        for p in [
            PasswordProblem::TooShort,
            PasswordProblem::Common,
            PasswordProblem::Unchanged,
        ] {
            assert_eq!(PasswordProblem::from_code(p.code()), Some(p));
            assert!(!p.message().is_empty());
        }
        assert_eq!(PasswordProblem::from_code("current"), None);
    }
}
