//! A link from an e-mail (invitation or password reset) as its page shows it. The server's
//! authentication middleware looks the link's token up (as `portal_auth`, by its hash) when one of
//! the link pages is requested, and puts what it found into the request's extensions; this reads
//! it, like the pending sign-in (`api::mfa`). No session is involved.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;
use crate::domain::email_link::{LinkPurpose, LinkState};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkView {
    /// `None` when the token matches no link.
    pub purpose: Option<LinkPurpose>,
    pub state: LinkState,
    /// Whose link it is (only when it still works).
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub organisation: Option<String>,
    /// Until when it works (UK time), when it still does.
    pub expires: Option<String>,
}

/// The link of the page being served (`None` outside a link page). A link that does not work
/// answers 410 (expired, used, disabled) or 404 (unknown), with the page explaining why.
#[server(prefix = "/api", endpoint = "login/link")]
#[cfg_attr(feature = "ssr", tracing::instrument(name = "current_email_link", skip_all))]
pub async fn current_email_link() -> Result<Option<LinkView>, ApiError> {
    let view = use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<LinkView>().cloned());
    if let (Some(v), Some(opts)) = (&view, use_context::<leptos_axum::ResponseOptions>()) {
        match v.state {
            LinkState::Valid => {}
            LinkState::Unknown => opts.set_status(http::StatusCode::NOT_FOUND),
            _ => opts.set_status(http::StatusCode::GONE),
        }
    }
    Ok(view)
}
