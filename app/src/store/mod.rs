//! The sqlx store: plain async functions over a scoped transaction, returning rows or wire types.
//! Server fns call these; `#[sqlx::test]` tests exercise them against a real Postgres.
pub mod admin;
pub mod analytics;
pub mod audit;
pub mod billing;
pub mod consumption;
pub mod hh;
pub mod scope;
pub mod sites;
