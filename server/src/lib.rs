//! The portal server: configuration, router assembly, middleware, transports and the CLI.
//! `main.rs` only parses the command line; everything here is testable in-process.
pub mod alerts;
pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod export;
pub mod health;
pub mod import;
#[cfg(feature = "aws")]
pub mod ingest;
#[cfg(feature = "aws")]
pub mod jobs;
pub mod lambda_event;
pub mod layers;
pub mod mail;
pub mod router;
pub mod secrets;
pub mod seed;
pub mod site;
pub mod telemetry;
pub mod transport;
pub mod upload;
