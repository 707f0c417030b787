//! One module per page of the portal.
pub mod account;
pub mod admin;
pub mod analysis;
pub mod bill_validation;
pub mod consumption;
pub mod contracts;
pub mod dashboard;
pub mod data_export;
pub mod email_link;
pub mod invoice_query;
pub mod invoice_validation;
pub mod invoices;
pub mod login;
pub mod not_found;
pub mod queries;
pub mod second_factor;
pub mod sites;
