//! The API surface shared by server and client: wire types and `#[server]` functions.
//! Server fns are thin: identity → scope → store → map rows to wire types, store errors to
//! `ApiError`. Only this layer knows about `ApiError`; the layers below return their own errors.
pub mod admin;
pub mod analysis;
pub mod auth;
pub mod billing;
pub mod consumption;
pub mod email_link;
mod error;
#[cfg(feature = "ssr")]
pub mod guard;
pub mod mfa;
pub mod queries;
pub mod sites;
pub mod users;
pub mod validation;

#[cfg(feature = "ssr")]
pub use error::respond;
pub use error::ApiError;
