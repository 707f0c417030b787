//! Which invoices a list, a CSV download or the invoices page shows: by status, billing period and
//! site. Parsed from the query string the page's GET form sends, with a message for each bad field,
//! and written back to a query string for download links.
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::invoice::InvoiceStatus;

/// Invoices whose billing period overlaps `[from, to]` (both inclusive, either open), with
/// `status`, and with at least one line at a supply point of `site_id`. Empty: every invoice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceFilter {
    pub status: Option<InvoiceStatus>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub site_id: Option<i64>,
}

/// The raw fields as the form sends them (absent and empty both mean "any").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceFilterInput {
    pub status: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub site: Option<String>,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn date(field: &str, v: &Option<String>) -> Result<Option<NaiveDate>, String> {
    given(v)
        .map(|s| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| format!("{field} must be a date written like 2026-01-31, not \"{s}\"."))
        })
        .transpose()
}

impl InvoiceFilterInput {
    /// The filter, or a message saying which field is wrong and how to write it.
    pub fn parse(&self) -> Result<InvoiceFilter, String> {
        let status = given(&self.status)
            .map(|s| {
                InvoiceStatus::ALL
                    .into_iter()
                    .find(|st| st.as_str() == s)
                    .ok_or_else(|| {
                        let names: Vec<&str> = InvoiceStatus::ALL.iter().map(|s| s.as_str()).collect();
                        format!("Unknown status \"{s}\": use one of {}.", names.join(", "))
                    })
            })
            .transpose()?;
        let from = date("Period from", &self.from)?;
        let to = date("Period to", &self.to)?;
        if let (Some(f), Some(t)) = (from, to) {
            if f > t {
                return Err(format!("Period from ({f}) is after period to ({t})."));
            }
        }
        let site_id = given(&self.site)
            .map(|s| {
                s.parse::<i64>()
                    .ok()
                    .filter(|id| *id > 0)
                    .ok_or_else(|| format!("Site must be a site's number, not \"{s}\"."))
            })
            .transpose()?;
        Ok(InvoiceFilter {
            status,
            from,
            to,
            site_id,
        })
    }
}

impl InvoiceFilter {
    pub fn is_empty(&self) -> bool {
        *self == InvoiceFilter::default()
    }

    /// The status names, for the store's `text` comparison.
    pub fn status_name(&self) -> Option<&'static str> {
        self.status.map(InvoiceStatus::as_str)
    }

    /// `status=…&from=…&to=…&site=…` with only the fields set (no leading `?`); values are plain
    /// ASCII (names, ISO dates, numbers), so they need no escaping.
    pub fn to_query(&self) -> String {
        let mut parts = Vec::new();
        if let Some(s) = self.status {
            parts.push(format!("status={}", s.as_str()));
        }
        if let Some(d) = self.from {
            parts.push(format!("from={d}"));
        }
        if let Some(d) = self.to {
            parts.push(format!("to={d}"));
        }
        if let Some(s) = self.site_id {
            parts.push(format!("site={s}"));
        }
        parts.join("&")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(status: &str, from: &str, to: &str, site: &str) -> InvoiceFilterInput {
        let o = |s: &str| Some(s.to_owned());
        InvoiceFilterInput {
            status: o(status),
            from: o(from),
            to: o(to),
            site: o(site),
        }
    }

    #[test]
    fn empty_fields_mean_any() {
        assert_eq!(input("", " ", "", "").parse(), Ok(InvoiceFilter::default()));
        assert_eq!(
            InvoiceFilterInput::default().parse(),
            Ok(InvoiceFilter::default())
        );
        assert!(InvoiceFilter::default().is_empty());
        assert_eq!(InvoiceFilter::default().to_query(), "");
    }

    #[test]
    fn a_full_filter_round_trips_through_the_query_string() {
        let f = input("overdue", "2026-01-01", "2026-03-31", "7").parse().unwrap();
        assert_eq!(f.status, Some(InvoiceStatus::Overdue));
        assert_eq!(f.from, NaiveDate::from_ymd_opt(2026, 1, 1));
        assert_eq!(f.site_id, Some(7));
        assert_eq!(
            f.to_query(),
            "status=overdue&from=2026-01-01&to=2026-03-31&site=7"
        );
        assert_eq!(f.status_name(), Some("overdue"));
    }

    #[test]
    fn bad_fields_say_what_is_wrong() {
        assert_eq!(
            input("lost", "", "", "").parse().unwrap_err(),
            "Unknown status \"lost\": use one of issued, paid, overdue, queried, credited."
        );
        assert_eq!(
            input("", "31/01/2026", "", "").parse().unwrap_err(),
            "Period from must be a date written like 2026-01-31, not \"31/01/2026\"."
        );
        assert!(input("", "", "2026-02-30", "")
            .parse()
            .unwrap_err()
            .starts_with("Period to"));
        assert_eq!(
            input("", "2026-03-01", "2026-02-01", "").parse().unwrap_err(),
            "Period from (2026-03-01) is after period to (2026-02-01)."
        );
        assert_eq!(
            input("", "", "", "x1").parse().unwrap_err(),
            "Site must be a site's number, not \"x1\"."
        );
        assert!(input("", "", "", "-3").parse().is_err());
    }
}
