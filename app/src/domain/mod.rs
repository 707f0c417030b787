//! Domain types of the UK electricity I&C portal: pure, IO-free, shared by server and WASM client.

pub mod aggregate;
pub mod alerts;
pub mod analysis;
pub mod billing;
pub mod channel;
pub mod consumption_buckets;
pub mod contract_year;
pub mod customer_health;
pub mod date_span;
pub mod duos;
pub mod email_link;
pub mod import_upload;
pub mod invoice;
pub mod invoice_filter;
pub mod invoice_query;
pub mod mpan;
pub mod password;
pub mod role;
pub mod settlement_run;
pub mod settlement_time;
pub mod site;
pub mod units;
