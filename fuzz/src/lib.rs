//! The portal's parsers, compiled from their own source files so that the fuzz build stays small.
//!
//! The modules below are the very files of `app` and `server` (by `#[path]`), arranged so that their
//! `use app::domain::…` and `super::…` paths resolve as they do in the portal: `app` names this
//! crate, and `import` holds what `server::import` gives its `format` and `days` modules.

extern crate self as app;

/// The pure domain types that the parsers use (`app::domain`).
pub mod domain;
/// The HH importer's line format and day assembly (`server::import`).
pub mod import;
/// API Gateway events into requests (`server::lambda_event`).
#[path = "../../server/src/lambda_event.rs"]
pub mod lambda_event;
