//! Password rules the browser and the server share.

/// The shortest password anyone may set (first passwords and changes alike).
pub const MIN_PASSWORD_LEN: usize = 12;

/// True when `password` is long enough (counted in characters, not bytes).
pub fn long_enough(password: &str) -> bool {
    password.chars().count() >= MIN_PASSWORD_LEN
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_counts_characters_not_bytes() {
        assert!(!long_enough("elevenchars"));
        assert!(long_enough("twelve chars"));
        assert!(!long_enough("ééééééééééé"));
    }
}
