//! Invoice queries: where a query stands, what a message may hold, how a credit note and a
//! re-bill are numbered, and the sums that must reconcile when an invoice is credited.
use serde::{Deserialize, Serialize};

use super::units::Pence;

/// The longest message of a query thread, in characters.
pub const MAX_MESSAGE_CHARS: usize = 4_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "ssr",
    derive(sqlx::Type),
    sqlx(type_name = "text", rename_all = "snake_case")
)]
pub enum QueryStatus {
    Open,
    /// Answered with an explanation; the invoice stands.
    Explained,
    /// The invoice was credited and re-billed.
    Credited,
}

impl QueryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Explained => "explained",
            Self::Credited => "credited",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "Open",
            Self::Explained => "Resolved: explained",
            Self::Credited => "Resolved: credited and re-billed",
        }
    }

    pub fn is_open(self) -> bool {
        self == Self::Open
    }
}

/// How the account manager resolves a query (a form sends its snake-case name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// A message explains why the invoice is right; it goes back to its status before the query.
    Explained,
    /// A credit note reverses the invoice and a re-bill replaces it with corrected lines.
    Credited,
}

/// What a message of a thread did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "ssr",
    derive(sqlx::Type),
    sqlx(type_name = "text", rename_all = "snake_case")
)]
pub enum MessageKind {
    Raised,
    Reply,
    Explained,
    Credited,
}

impl MessageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Raised => "raised",
            Self::Reply => "reply",
            Self::Explained => "explained",
            Self::Credited => "credited",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Raised => "raised the query",
            Self::Reply => "replied",
            Self::Explained => "resolved it: explained",
            Self::Credited => "resolved it: credited and re-billed",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageProblem {
    Empty,
    TooLong { chars: usize },
}

impl MessageProblem {
    pub fn message(self) -> String {
        match self {
            Self::Empty => "Write a message: say what looks wrong, or answer the query.".to_string(),
            Self::TooLong { chars } => {
                format!("The message is {chars} characters long; at most {MAX_MESSAGE_CHARS} are allowed.")
            }
        }
    }
}

/// The message as it is kept (surrounding white space removed), or why it cannot be sent.
pub fn check_message(text: &str) -> Result<&str, MessageProblem> {
    let text = text.trim();
    let chars = text.chars().count();
    if chars == 0 {
        Err(MessageProblem::Empty)
    } else if chars > MAX_MESSAGE_CHARS {
        Err(MessageProblem::TooLong { chars })
    } else {
        Ok(text)
    }
}

/// Why a step of a query was refused although the caller may see the query or invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Credit notes are not queried; the invoice they credit is.
    CreditNote,
    /// The invoice was already credited; its re-bill can be queried.
    AlreadyCredited,
    /// The query is resolved: nothing more can be added.
    Closed,
    /// Credited without a single corrected line.
    NoCorrectedLines,
}

impl Refusal {
    pub fn message(self) -> &'static str {
        match self {
            Self::CreditNote => {
                "A credit note cannot be queried; query the invoice it credits or its re-bill."
            }
            Self::AlreadyCredited => {
                "This invoice has been credited and re-billed; query the re-bill if something is still wrong."
            }
            Self::Closed => "This query is resolved; raise a new query if something is still wrong.",
            Self::NoCorrectedLines => {
                "The invoice cannot be re-billed: no corrected lines could be computed for it."
            }
        }
    }
}

/// The base of an invoice's number without a re-bill suffix (`-R2`), and that revision (0: none).
fn revision(number: &str) -> (&str, u32) {
    if let Some((base, r)) = number.rsplit_once("-R") {
        if !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit()) {
            if let Ok(n) = r.parse() {
                return (base, n);
            }
        }
    }
    (number, 0)
}

/// The number of the credit note for an invoice: `INV-NGE-100234-202602` → `CN-NGE-100234-202602`.
pub fn credit_note_number(invoice_number: &str) -> String {
    format!(
        "CN-{}",
        invoice_number.strip_prefix("INV-").unwrap_or(invoice_number)
    )
}

/// The number of the invoice that re-bills one: `INV-…-202602` → `INV-…-202602-R1`, a re-bill
/// of `…-R1` → `…-R2`.
pub fn rebill_number(invoice_number: &str) -> String {
    let (base, n) = revision(invoice_number);
    format!("{base}-R{}", n + 1)
}

/// Net, VAT and total of an invoice; the total is always net + VAT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub net: Pence,
    pub vat: Pence,
    pub total: Pence,
}

impl Totals {
    pub fn new(net: Pence, vat: Pence) -> Self {
        Totals {
            net,
            vat,
            total: net + vat,
        }
    }

    /// The credit note of an invoice: every figure reversed, so the two sum to zero.
    pub fn reversed(self) -> Self {
        Totals::new(-self.net, -self.vat)
    }

    /// A re-bill: net is the sum of its lines, VAT as the engine computed it.
    pub fn of_lines(amounts: impl IntoIterator<Item = Pence>, vat: Pence) -> Self {
        Totals::new(amounts.into_iter().sum(), vat)
    }
}

/// How long a query has been open, as a queue shows it: "12 min", "5 h", "3 days".
pub fn age_label(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..3_600 => format!("{} min", s / 60),
        3_600..86_400 => format!("{} h", s / 3_600),
        _ => match s / 86_400 {
            1 => "1 day".to_string(),
            d => format!("{d} days"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_trimmed_and_bounded() {
        assert_eq!(check_message("  Why 31 days?\n"), Ok("Why 31 days?"));
        assert_eq!(check_message(""), Err(MessageProblem::Empty));
        assert_eq!(check_message(" \n\t "), Err(MessageProblem::Empty));
        let longest = "é".repeat(MAX_MESSAGE_CHARS);
        assert_eq!(
            check_message(&longest),
            Ok(longest.as_str()),
            "characters, not bytes"
        );
        assert_eq!(
            check_message(&"x".repeat(MAX_MESSAGE_CHARS + 1)),
            Err(MessageProblem::TooLong { chars: 4_001 })
        );
        assert!(MessageProblem::TooLong { chars: 4_001 }
            .message()
            .contains("at most 4000"));
    }

    #[test]
    fn credit_notes_and_rebills_are_numbered_from_the_invoice() {
        assert_eq!(
            credit_note_number("INV-NGE-100234-202602"),
            "CN-NGE-100234-202602"
        );
        assert_eq!(credit_note_number("T-1"), "CN-T-1");
        assert_eq!(rebill_number("INV-NGE-100234-202602"), "INV-NGE-100234-202602-R1");
        assert_eq!(
            rebill_number("INV-NGE-100234-202602-R1"),
            "INV-NGE-100234-202602-R2"
        );
        assert_eq!(
            credit_note_number("INV-NGE-100234-202602-R1"),
            "CN-NGE-100234-202602-R1"
        );
        // A suffix that is not a revision stays part of the number.
        assert_eq!(rebill_number("INV-X-R"), "INV-X-R-R1");
        assert_eq!(rebill_number("INV-X-Rb"), "INV-X-Rb-R1");
    }

    #[test]
    fn an_invoice_and_its_credit_note_sum_to_zero() {
        let invoice = Totals::new(Pence(1_234_567), Pence(246_913));
        assert_eq!(invoice.total, Pence(1_481_480));
        let credit = invoice.reversed();
        assert_eq!(credit.net + invoice.net, Pence::ZERO);
        assert_eq!(credit.vat + invoice.vat, Pence::ZERO);
        assert_eq!(credit.total + invoice.total, Pence::ZERO);
        let rebill = Totals::of_lines([Pence(1_000), Pence(-250), Pence(33)], Pence(157));
        assert_eq!(rebill.net, Pence(783));
        assert_eq!(rebill.total, Pence(940));
    }

    #[test]
    fn ages_read_in_the_largest_whole_unit() {
        assert_eq!(age_label(-5), "0 min");
        assert_eq!(age_label(59), "0 min");
        assert_eq!(age_label(12 * 60), "12 min");
        assert_eq!(age_label(5 * 3_600 + 59), "5 h");
        assert_eq!(age_label(86_400), "1 day");
        assert_eq!(age_label(3 * 86_400 + 10), "3 days");
    }

    #[test]
    fn statuses_and_resolutions_use_their_stored_names() {
        for s in [QueryStatus::Open, QueryStatus::Explained, QueryStatus::Credited] {
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{}\"", s.as_str()));
        }
        assert_eq!(
            serde_json::from_str::<Resolution>("\"credited\"").unwrap(),
            Resolution::Credited
        );
        assert!(serde_json::from_str::<Resolution>("\"refunded\"").is_err());
    }
}
