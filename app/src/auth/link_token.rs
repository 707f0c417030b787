//! The token of a link sent by e-mail: 32 random bytes from the operating system, written as 64
//! hexadecimal characters in the link. Only its SHA-256 is stored (`email_links.token_hash`), so
//! the table alone opens nothing; the link is looked up by hashing what the browser brings.
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Characters in a token as it appears in a link.
pub const TOKEN_LEN: usize = 64;

/// A fresh token and its hash.
pub fn new_token() -> (String, Vec<u8>) {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let hash = hash(&token);
    (token, hash)
}

/// The stored form of a token.
pub fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Whether `token` has the shape of one of ours (64 lower-case hex characters); anything else is
/// not looked up at all.
pub fn well_formed(token: &str) -> bool {
    token.len() == TOKEN_LEN
        && token
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_fresh_well_formed_and_hashed() {
        let (a, ha) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert!(well_formed(&a) && well_formed(&b));
        assert_eq!(ha.len(), 32);
        assert_eq!(hash(&a), ha);
        assert_ne!(ha, a.as_bytes());
        assert!(!well_formed(&a[1..]));
        assert!(!well_formed(&a.to_uppercase()));
        assert!(!well_formed(&format!("{}z", &a[1..])));
    }
}
