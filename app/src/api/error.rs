//! The one error type every server fn returns. Internal details are logged on the server and never
//! sent to a browser; the client sees a kind and a message meant for people.
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ApiError {
    #[error("Please sign in to continue.")]
    Unauthenticated,
    #[error("You do not have access to this.")]
    Forbidden,
    /// Also what a caller gets for another customer's ids: existence is not disclosed.
    #[error("Not found.")]
    NotFound,
    #[error("{0}")]
    BadRequest(String),
    #[error("Something went wrong on our side. It has been logged; please try again.")]
    Internal,
    #[error("Could not reach the portal: {0}")]
    Transport(String),
    /// Something the portal relies on (the mail server) did not answer; what was done is kept.
    #[error("{0}")]
    Unavailable(String),
}

impl ApiError {
    pub fn status_code(&self) -> u16 {
        match self {
            ApiError::Unauthenticated => 401,
            ApiError::Forbidden => 403,
            ApiError::NotFound => 404,
            ApiError::BadRequest(_) => 400,
            ApiError::Internal => 500,
            ApiError::Transport(_) => 502,
            ApiError::Unavailable(_) => 503,
        }
    }
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::MissingArg(m) => ApiError::BadRequest(m),
            ServerFnErrorErr::Request(m) | ServerFnErrorErr::Response(m) => ApiError::Transport(m),
            _ => ApiError::Internal,
        }
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::ApiError;

    impl From<sqlx::Error> for ApiError {
        fn from(e: sqlx::Error) -> Self {
            match e {
                sqlx::Error::RowNotFound => ApiError::NotFound,
                e => {
                    tracing::error!(error = %e, "database error");
                    ApiError::Internal
                }
            }
        }
    }

    /// Sets the HTTP status of the current server-fn or page response from the error, so the
    /// status matches what happened (401, 404, ...) and not a blanket 500.
    pub fn respond<T>(result: Result<T, ApiError>) -> Result<T, ApiError> {
        if let Err(e) = &result {
            if let Some(opts) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
                opts.set_status(
                    http::StatusCode::from_u16(e.status_code())
                        .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
                );
            }
        }
        result
    }
}
#[cfg(feature = "ssr")]
pub use ssr::respond;
