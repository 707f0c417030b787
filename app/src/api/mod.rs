//! The API surface shared by server and client: wire types and `#[server]` functions.
//! Server fns are thin: identity → scope → store → map rows to wire types, store errors to
//! `ApiError`. Only this layer knows about `ApiError`; the layers below return their own errors.
pub mod admin;
pub mod alerts;
pub mod analysis;
pub mod auth;
pub mod billing;
pub mod consumption;
pub mod customers;
pub mod email_link;
mod error;
pub mod flash;
#[cfg(feature = "ssr")]
pub mod guard;
pub mod imports;
pub mod mfa;
pub mod queries;
pub mod sites;
pub mod users;
pub mod validation;

#[cfg(feature = "ssr")]
pub use error::respond;
pub use error::ApiError;

/// The server fns that only read. While a staff member views a customer's portal as the customer
/// (`server/src/auth/view_as.rs`), these are the only server fns the server lets through: a new
/// server fn is refused there until it is listed here, so a change can never slip through.
/// The authorisation matrix checks the list against every server fn.
pub const READ_ONLY_FNS: &[&str] = &[
    "/api/me",
    "/api/login/pending",
    "/api/sites/list",
    "/api/sites/detail",
    "/api/invoices/list",
    "/api/invoices/detail",
    "/api/contracts/list",
    "/api/validation/list",
    "/api/validation/invoice",
    "/api/queries/list",
    "/api/queries/detail",
    "/api/queries/invoice",
    "/api/consumption/points",
    "/api/consumption/view",
    "/api/consumption/portfolio",
    "/api/analysis/view",
    "/api/admin/overview",
    "/api/admin/users",
    "/api/customers/overview",
    "/api/imports/history",
    "/api/login/link",
    "/api/alerts/view",
];
