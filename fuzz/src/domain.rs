//! `app::domain`: the files the parsers use.
#[path = "../../app/src/domain/channel.rs"]
pub mod channel;
#[path = "../../app/src/domain/mpan.rs"]
pub mod mpan;
#[path = "../../app/src/domain/settlement_run.rs"]
pub mod settlement_run;
#[path = "../../app/src/domain/settlement_time.rs"]
pub mod settlement_time;
