//! Where an invoice stands: the statuses `invoices.status` allows, with their labels.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "ssr",
    derive(sqlx::Type),
    sqlx(type_name = "text", rename_all = "snake_case")
)]
pub enum InvoiceStatus {
    Issued,
    Paid,
    Overdue,
    Queried,
    Credited,
}

impl InvoiceStatus {
    pub const ALL: [InvoiceStatus; 5] = [
        Self::Issued,
        Self::Paid,
        Self::Overdue,
        Self::Queried,
        Self::Credited,
    ];

    /// The name stored in the database (the `invoices.status` check constraint).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Issued => "issued",
            Self::Paid => "paid",
            Self::Overdue => "overdue",
            Self::Queried => "queried",
            Self::Credited => "credited",
        }
    }

    /// How the status reads on screen (the stored name, as the invoices page has always shown it).
    pub fn label(self) -> &'static str {
        self.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_serialise_as_their_stored_names() {
        for s in InvoiceStatus::ALL {
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{}\"", s.as_str()));
        }
        assert!(serde_json::from_str::<InvoiceStatus>("\"lost\"").is_err());
    }
}
