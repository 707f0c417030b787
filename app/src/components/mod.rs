//! Reusable UI pieces.
pub mod layout;
pub mod states;
