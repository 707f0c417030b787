//! The password policy for new passwords (a password change, a first password set by an admin):
//! long enough, and not a common password. Server only: the list (30,000 passwords, ~240 kB,
//! source and licence in its header) is compiled into the server, never into the WASM client.
use std::collections::HashSet;
use std::sync::OnceLock;

use crate::domain::password::{is_long_enough, PasswordProblem};

const LIST: &str = include_str!("common_passwords.txt");

fn common() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        LIST.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

/// Whether `password` is a common password: on the list (ignoring case), or a listed password of
/// four or more characters with only digits, punctuation or spaces around it ("Password2026!",
/// "!!dragon1234"), which is how a short common password is usually stretched to a minimum
/// length.
pub fn is_common(password: &str) -> bool {
    let lower = password.to_lowercase();
    let list = common();
    if list.contains(lower.as_str()) {
        return true;
    }
    let core =
        lower.trim_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation() || c.is_whitespace());
    core.chars().count() >= 4 && list.contains(core)
}

/// The policy for a new password.
pub fn check_new_password(password: &str) -> Result<(), PasswordProblem> {
    if !is_long_enough(password) {
        return Err(PasswordProblem::TooShort);
    }
    if is_common(password) {
        return Err(PasswordProblem::Common);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_loaded_without_its_header() {
        assert_eq!(common().len(), 30_000);
        assert!(common().contains("123456"));
        assert!(!common().iter().any(|p| p.starts_with('#')));
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case() {
        for p in ["qwertyuiop123", "1qaz2wsx3edc", "QAZWSXEDCRFV", "leavemealone"] {
            assert_eq!(check_new_password(p), Err(PasswordProblem::Common), "{p}");
        }
    }

    #[test]
    fn a_common_password_padded_to_the_minimum_length_is_refused() {
        for p in [
            "Password2026!",
            "password12345",
            "!!dragon123456",
            "  monkey 2026 ",
            "Letmein-1234",
        ] {
            assert_eq!(check_new_password(p), Err(PasswordProblem::Common), "{p}");
        }
    }

    #[test]
    fn short_passwords_are_refused_before_the_list() {
        assert_eq!(check_new_password("password"), Err(PasswordProblem::TooShort));
        assert_eq!(check_new_password("x7#kQ"), Err(PasswordProblem::TooShort));
    }

    #[test]
    fn uncommon_long_passwords_pass() {
        for p in [
            "correct horse battery staple",
            "demo-password-2026",
            "a-much-longer-password",
            "first-password-123",
            "Tw7!rq-plover-quay",
        ] {
            assert_eq!(check_new_password(p), Ok(()), "{p}");
        }
    }
}
