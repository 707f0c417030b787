//! The API surface shared by server and client: wire types and `#[server]` functions.
//! Server fns are thin: resolve state, call a store function, map rows to wire types.
pub mod admin;
pub mod auth;
pub mod billing;
pub mod consumption;
mod error;
pub mod sites;

#[cfg(feature = "ssr")]
pub use error::respond;
pub use error::ApiError;

/// The state and scope of the signed-in caller of a server fn or page (401 when there is none).
#[cfg(feature = "ssr")]
pub async fn caller() -> Result<(crate::state::AppState, crate::store::scope::Scope), ApiError> {
    let (state, identity) = crate::auth::require()?;
    Ok((state, identity.scope))
}
