//! `server::import`: the line format and the day assembly, without the database writer.
#[path = "../../server/src/import/days.rs"]
pub mod days;
#[path = "../../server/src/import/format.rs"]
pub mod format;

/// As `server::import::KnownSupply` (server/src/import/mod.rs), which `format` fills in.
#[derive(Debug, Clone, Copy)]
pub struct KnownSupply {
    pub id: i64,
    pub organisation_id: i64,
}
