//! Session tokens: HS256 JWTs (the one algorithm accepted), with `kid` in the header so keys can
//! rotate, and `sub`, `sid`, `iat`, `nbf`, `exp`, `aud`, `iss` all required and checked. A valid
//! token is only half the story: its session row must also be live (see `sessions`).
use std::collections::HashMap;
use std::sync::Arc;

use jsonwebtoken::{decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const AUDIENCE: &str = "northgate-business-portal";
pub const ISSUER: &str = "https://portal.northgate-energy.example";
const ALGORITHM: Algorithm = Algorithm::HS256;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub sid: Uuid,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub aud: String,
    pub iss: String,
}

#[derive(Clone)]
pub struct SigningKeys {
    current: String,
    keys: Arc<HashMap<String, Vec<u8>>>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("malformed token")]
    Malformed,
    #[error("unknown key id")]
    UnknownKey,
    #[error("token rejected: {0}")]
    Invalid(String),
}

impl SigningKeys {
    pub fn parse(spec: &str) -> anyhow::Result<Self> {
        let mut keys = HashMap::new();
        let mut current = None;
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (kid, secret) = part
                .split_once(':')
                .ok_or_else(|| anyhow::anyhow!("expected kid:secret"))?;
            anyhow::ensure!(!kid.is_empty(), "empty key id");
            anyhow::ensure!(
                secret.len() >= 32,
                "the secret for key {kid} is shorter than 32 bytes"
            );
            current.get_or_insert_with(|| kid.to_owned());
            keys.insert(kid.to_owned(), secret.as_bytes().to_vec());
        }
        let current = current.ok_or_else(|| anyhow::anyhow!("no keys given"))?;
        Ok(Self {
            current,
            keys: Arc::new(keys),
        })
    }

    pub fn random() -> Self {
        let mut secret = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut secret);
        let kid = format!("dev-{:08x}", rand::thread_rng().next_u32());
        Self {
            current: kid.clone(),
            keys: Arc::new(HashMap::from([(kid, secret.to_vec())])),
        }
    }

    pub fn sign(&self, claims: &Claims) -> Result<String, jsonwebtoken::errors::Error> {
        let mut header = Header::new(ALGORITHM);
        header.kid = Some(self.current.clone());
        let key = self
            .keys
            .get(&self.current)
            .expect("the current key is in the map");
        encode(&header, claims, &EncodingKey::from_secret(key))
    }

    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let header = decode_header(token).map_err(|_| TokenError::Malformed)?;
        if header.alg != ALGORITHM {
            return Err(TokenError::Invalid("algorithm".into()));
        }
        let kid = header.kid.ok_or(TokenError::UnknownKey)?;
        let secret = self.keys.get(&kid).ok_or(TokenError::UnknownKey)?;
        let mut v = Validation::new(ALGORITHM);
        v.algorithms = vec![ALGORITHM];
        v.set_audience(&[AUDIENCE]);
        v.set_issuer(&[ISSUER]);
        v.set_required_spec_claims(&["exp", "nbf", "iat", "aud", "iss", "sub"]);
        v.validate_nbf = true;
        v.leeway = 5;
        decode::<Claims>(token, &DecodingKey::from_secret(secret), &v)
            .map(|d| d.claims)
            .map_err(|e| TokenError::Invalid(format!("{:?}", e.kind())))
    }
}
