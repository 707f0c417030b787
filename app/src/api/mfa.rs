//! A sign-in between the password and the session (second factor, its enrolment, fresh recovery
//! codes): what its pages show. The server's authentication middleware puts the pending step of
//! the request's `__Host-portal_mfa` cookie into the request's extensions; this reads it. No
//! session is involved, so anonymous callers get an answer (`None` without a pending sign-in).
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum PendingStep {
    /// Enter a code from the authenticator app, or a recovery code.
    Verify,
    /// Set up an authenticator: the secret (base32, grouped), the `otpauth://` URI and its QR code
    /// as a `data:` URI of an SVG image.
    Enrol {
        secret: String,
        otpauth_uri: String,
        qr_code: String,
    },
    /// Recovery codes to write down: present the first time only (then empty).
    RecoveryCodes { codes: Vec<String> },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingSignIn {
    pub email: String,
    pub step: PendingStep,
    /// Wrong codes left before the sign-in starts again from the password.
    pub attempts_left: u32,
}

/// The pending sign-in of this browser, if any.
#[server(prefix = "/api", endpoint = "login/pending")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "current_pending_sign_in", skip_all)
)]
pub async fn current_pending_sign_in() -> Result<Option<PendingSignIn>, ApiError> {
    Ok(use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<PendingSignIn>().cloned()))
}
