//! The sqlx store: plain async functions over a scoped transaction, returning their own row types
//! or domain types and `sqlx::Error`, never wire types or `ApiError` (the API layer maps them).
//! Server fns call these; `#[sqlx::test]` tests exercise them against a real Postgres.
pub mod admin;
pub mod alert_rules;
pub mod alerts;
pub mod analysis;
pub mod analytics;
pub mod audit;
pub mod billing;
pub mod consumption;
pub mod contract_usage;
pub mod credit;
pub mod customer_health;
pub mod hh;
pub mod hh_export;
pub mod import_history;
pub mod invitations;
pub mod meter_days;
pub mod queries;
pub mod scope;
pub mod sites;
pub mod validation;
