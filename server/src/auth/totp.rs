//! Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP): HMAC-SHA-1, 6 digits, 30-second
//! steps, one step of clock drift either way. Secrets are 20 random bytes, shown to the person as
//! base32 (and in an `otpauth://` QR code) once, at enrolment, and stored sealed with AES-256-GCM
//! under a key derived from the server's `MFA_SECRET` (see `AuthConfig`), bound to the user's id
//! so a sealed secret copied to another user's row does not open. Recovery codes are random,
//! shown once, and stored as SHA-256 hashes (they carry ~50 bits of entropy, so a slow password
//! hash would add nothing).
use anyhow::{anyhow, Context};
use data_encoding::{BASE32_NOPAD, BASE64};
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};
use sha2::{Digest, Sha256};

pub const STEP_SECS: i64 = 30;
pub const DIGITS: u32 = 6;
/// Steps of drift accepted either side of the server's clock.
pub const WINDOW: i64 = 1;
pub const SECRET_LEN: usize = 20;
pub const RECOVERY_CODES: usize = 10;
pub const ISSUER: &str = "Northgate Energy";

/// HOTP (RFC 4226 §5.3): the `digits`-digit value for `counter`.
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> u32 {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret);
    let tag = hmac::sign(&key, &counter.to_be_bytes());
    let h = tag.as_ref();
    let offset = usize::from(h[h.len() - 1] & 0x0f);
    let binary = u32::from_be_bytes([h[offset] & 0x7f, h[offset + 1], h[offset + 2], h[offset + 3]]);
    binary % 10u32.pow(digits)
}

/// The RFC 6238 time step of a Unix time.
pub fn step_at(unix_secs: i64) -> i64 {
    unix_secs.div_euclid(STEP_SECS)
}

/// The 6-digit code for a step.
pub fn code_for_step(secret: &[u8], step: i64) -> String {
    format!(
        "{:0width$}",
        hotp(secret, step as u64, DIGITS),
        width = DIGITS as usize
    )
}

/// The 6-digit code at a Unix time.
pub fn code_at(secret: &[u8], unix_secs: i64) -> String {
    code_for_step(secret, step_at(unix_secs))
}

fn equal_in_constant_time(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The step (within `WINDOW` of `now`) whose code is `code`, if any. Every candidate is computed
/// and compared in constant time. The caller must still refuse a step at or before the last one
/// used (replay).
pub fn matching_step(secret: &[u8], code: &str, unix_now: i64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_at(unix_now);
    let mut found = None;
    for step in now - WINDOW..=now + WINDOW {
        if equal_in_constant_time(code_for_step(secret, step).as_bytes(), code.as_bytes()) {
            found = Some(step);
        }
    }
    found
}

pub fn new_secret() -> anyhow::Result<[u8; SECRET_LEN]> {
    let mut secret = [0u8; SECRET_LEN];
    SystemRandom::new()
        .fill(&mut secret)
        .map_err(|_| anyhow!("no randomness"))?;
    Ok(secret)
}

/// The secret as people type it into an authenticator app: base32 in groups of four.
pub fn secret_for_display(secret: &[u8]) -> String {
    BASE32_NOPAD
        .encode(secret)
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn uri_component(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'@' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The Key URI authenticator apps read from the QR code.
pub fn otpauth_uri(secret: &[u8], account: &str) -> String {
    format!(
        "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        issuer = uri_component(ISSUER),
        account = uri_component(account),
        secret = BASE32_NOPAD.encode(secret),
    )
}

/// The QR code of `uri` as an SVG image in a `data:` URI (the pages' CSP allows `img-src data:`;
/// no script, no external request).
pub fn qr_data_uri(uri: &str) -> anyhow::Result<String> {
    use qrcode::render::svg;
    let code = qrcode::QrCode::new(uri.as_bytes()).context("QR code")?;
    let svg = code
        .render::<svg::Color>()
        .min_dimensions(200, 200)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    Ok(format!(
        "data:image/svg+xml;base64,{}",
        BASE64.encode(svg.as_bytes())
    ))
}

/// The key that seals second-factor secrets at rest, derived from the server's secret.
#[derive(Clone)]
pub struct SealingKey([u8; 32]);

impl SealingKey {
    /// HKDF-SHA-256 of the configured secret (at least 32 bytes), for this one purpose.
    pub fn derive(secret: &[u8]) -> Self {
        struct Len32;
        impl ring::hkdf::KeyType for Len32 {
            fn len(&self) -> usize {
                32
            }
        }
        let salt = ring::hkdf::Salt::new(ring::hkdf::HKDF_SHA256, b"ic-portal second factor");
        let prk = salt.extract(secret);
        let mut key = [0u8; 32];
        prk.expand(&[b"sealing key v1".as_slice()], Len32)
            .and_then(|okm| okm.fill(&mut key))
            .expect("32 bytes is a valid HKDF-SHA-256 output length");
        Self(key)
    }

    fn key(&self) -> LessSafeKey {
        LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &self.0).expect("a 32-byte AES-256 key"))
    }

    /// `version || nonce || ciphertext+tag`; `context` (what and whose) is authenticated, so the
    /// result opens only for the same context.
    pub fn seal(&self, context: &str, plaintext: &[u8]) -> anyhow::Result<Vec<u8>> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| anyhow!("no randomness"))?;
        let mut data = plaintext.to_vec();
        self.key()
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(context.as_bytes()),
                &mut data,
            )
            .map_err(|_| anyhow!("sealing failed"))?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + data.len());
        out.push(1);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&data);
        Ok(out)
    }

    pub fn open(&self, context: &str, sealed: &[u8]) -> anyhow::Result<Vec<u8>> {
        anyhow::ensure!(
            sealed.len() > 1 + NONCE_LEN && sealed[0] == 1,
            "not a sealed value"
        );
        let nonce =
            Nonce::try_assume_unique_for_key(&sealed[1..1 + NONCE_LEN]).map_err(|_| anyhow!("nonce"))?;
        let mut data = sealed[1 + NONCE_LEN..].to_vec();
        let plain = self
            .key()
            .open_in_place(nonce, Aad::from(context.as_bytes()), &mut data)
            .map_err(|_| anyhow!("the sealed value does not open with this key and context"))?;
        Ok(plain.to_vec())
    }
}

/// What a user's TOTP secret is sealed for.
pub fn secret_context(user_id: i64) -> String {
    format!("user_totp.secret:{user_id}")
}

const CODE_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// Ten fresh recovery codes, `xxxxx-xxxxx` from 31 unambiguous characters (~49.5 bits each).
pub fn new_recovery_codes() -> anyhow::Result<Vec<String>> {
    let rng = SystemRandom::new();
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 10];
            rng.fill(&mut bytes).map_err(|_| anyhow!("no randomness"))?;
            let chars: String = bytes
                .iter()
                // 256 is not a multiple of 31: the bias (≤ 1/8 on a few letters) costs < 0.2 bits.
                .map(|b| CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()] as char)
                .collect();
            Ok(format!("{}-{}", &chars[..5], &chars[5..]))
        })
        .collect()
}

/// The normalised form of a typed recovery code (case, spaces and dashes ignored).
pub fn normalise_recovery_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// What is stored for a recovery code: the SHA-256 of its normalised form, hex.
pub fn recovery_code_hash(code: &str) -> String {
    Sha256::digest(normalise_recovery_code(code).as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B: the SHA-1 seed and the 8-digit values at its test times.
    const RFC_SEED: &[u8] = b"12345678901234567890";
    const RFC_VECTORS: &[(i64, u32)] = &[
        (59, 94287082),
        (1111111109, 7081804),
        (1111111111, 14050471),
        (1234567890, 89005924),
        (2000000000, 69279037),
        (20000000000, 65353130),
    ];

    #[test]
    fn rfc_6238_sha1_test_vectors() {
        for &(t, want) in RFC_VECTORS {
            assert_eq!(hotp(RFC_SEED, step_at(t) as u64, 8), want, "T = {t}");
            // Six digits are the last six of the same value.
            assert_eq!(
                code_at(RFC_SEED, t),
                format!("{:06}", want % 1_000_000),
                "T = {t}"
            );
        }
    }

    #[test]
    fn rfc_4226_hotp_test_vectors() {
        let want = [
            755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489,
        ];
        for (counter, w) in want.into_iter().enumerate() {
            assert_eq!(hotp(RFC_SEED, counter as u64, 6), w, "counter {counter}");
        }
    }

    #[test]
    fn a_code_matches_within_one_step_of_drift_only() {
        let t = 1_800_000_015;
        let code = code_at(RFC_SEED, t);
        assert_eq!(matching_step(RFC_SEED, &code, t), Some(step_at(t)));
        assert_eq!(matching_step(RFC_SEED, &code, t + 30), Some(step_at(t)));
        assert_eq!(matching_step(RFC_SEED, &code, t - 30), Some(step_at(t)));
        assert_eq!(matching_step(RFC_SEED, &code, t + 60), None);
        assert_eq!(matching_step(RFC_SEED, &code, t - 60), None);
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(matching_step(RFC_SEED, &spaced, t), Some(step_at(t)));
        for bad in ["", "12345", "1234567", "abcdef", "12345x"] {
            assert_eq!(matching_step(RFC_SEED, bad, t), None, "{bad:?}");
        }
    }

    #[test]
    fn sealed_secrets_open_only_with_the_same_key_and_context() {
        let key = SealingKey::derive(b"0123456789abcdef0123456789abcdef");
        let secret = new_secret().unwrap();
        let sealed = key.seal(&secret_context(7), &secret).unwrap();
        assert_eq!(sealed.len(), 1 + NONCE_LEN + SECRET_LEN + 16);
        assert!(
            !sealed.windows(SECRET_LEN).any(|w| w == secret),
            "not stored in clear"
        );
        assert_eq!(key.open(&secret_context(7), &sealed).unwrap(), secret);
        // Another user's row, another key, a flipped bit: refused.
        assert!(key.open(&secret_context(8), &sealed).is_err());
        let other = SealingKey::derive(b"another secret of at least 32 bytes!");
        assert!(other.open(&secret_context(7), &sealed).is_err());
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(key.open(&secret_context(7), &tampered).is_err());
        // A fresh nonce every time.
        assert_ne!(sealed, key.seal(&secret_context(7), &secret).unwrap());
    }

    #[test]
    fn recovery_codes_are_distinct_and_hash_whatever_their_typing() {
        let codes = new_recovery_codes().unwrap();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), RECOVERY_CODES);
        let c = &codes[0];
        assert_eq!(c.len(), 11);
        assert_eq!(
            recovery_code_hash(c),
            recovery_code_hash(&c.to_uppercase().replace('-', " "))
        );
        assert_ne!(recovery_code_hash(c), recovery_code_hash(&codes[1]));
        assert_eq!(recovery_code_hash(c).len(), 64);
    }

    #[test]
    fn the_key_uri_and_qr_code_carry_the_secret() {
        let uri = otpauth_uri(RFC_SEED, "am@northgate.example");
        assert_eq!(
            uri,
            "otpauth://totp/Northgate%20Energy:am@northgate.example?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\
             &issuer=Northgate%20Energy&algorithm=SHA1&digits=6&period=30"
        );
        assert_eq!(
            secret_for_display(RFC_SEED),
            "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"
        );
        let qr = qr_data_uri(&uri).unwrap();
        assert!(qr.starts_with("data:image/svg+xml;base64,"));
        let svg =
            String::from_utf8(BASE64.decode(qr.split_once(',').unwrap().1.as_bytes()).unwrap()).unwrap();
        assert!(svg.contains("<svg") && svg.contains("<path"));
    }
}
