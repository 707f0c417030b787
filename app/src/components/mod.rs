//! Reusable UI pieces.
pub mod flash;
pub mod layout;
pub mod states;
