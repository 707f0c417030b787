//! The password rule every form and handler shares, on both targets (the UI's hints and
//! `minlength` come from the same constant as the server's check).

/// The fewest characters (not bytes) a new password may have.
pub const MIN_PASSWORD_LEN: usize = 12;

/// Whether `password` is long enough to be set as a new password.
pub fn is_long_enough(password: &str) -> bool {
    password.chars().count() >= MIN_PASSWORD_LEN
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
}
