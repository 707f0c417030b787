//! Outgoing e-mail (server only): what the portal sends and the handle it sends it through.
//!
//! The handle ([`Mailer`]) is made by the server from its configuration (an SMTP transport, see
//! `server/src/mail/`) and put into every request's extensions, so server fns and the server's
//! own routes reach it the same way the caller's identity is reached. The portal's public base URL
//! travels with it, so the links in a message point at the portal the recipient knows.
pub mod messages;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::domain::email_link::LinkPurpose;

/// A message ready to send: plain text, and the same in simple HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub to_email: String,
    pub to_name: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// What delivers a message (the server's SMTP transport).
pub trait Transport: Send + Sync {
    fn send(&self, mail: Mail) -> Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send + '_>>;
}

#[derive(Clone)]
pub struct Mailer {
    transport: Arc<dyn Transport>,
    base_url: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("base_url", &self.base_url)
            .finish()
    }
}

impl Mailer {
    /// `base_url`: the portal's public address (`https://portal.example.co.uk`), without a
    /// trailing slash.
    pub fn new(transport: Arc<dyn Transport>, base_url: &str) -> Self {
        Mailer {
            transport,
            base_url: base_url.trim_end_matches('/').to_owned(),
        }
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The link a message carries for `token`.
    pub fn link(&self, purpose: LinkPurpose, token: &str) -> String {
        format!("{}{}?token={token}", self.base_url, purpose.page())
    }

    pub async fn send(&self, mail: Mail) -> anyhow::Result<()> {
        self.transport.send(mail).await
    }

    /// The mailer of the request being served (the server puts it in every request).
    pub fn current() -> Option<Mailer> {
        leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<Mailer>().cloned())
    }
}
