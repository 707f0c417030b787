//! Invoices and invoice lines as CSV (RFC 4180 quoting by the `csv` crate): ISO dates, money both
//! as pounds with two decimals and as whole pence. The invoice's own amounts are the whole
//! account's (every site), labelled so; `your_sites_net_*` is what the lines at the caller's sites
//! (and the filtered site, if any) add up to, the same rule as the page and the PDF.
use app::store::billing::{InvoiceRow, LineExportRow};

use super::pounds;

pub const INVOICE_HEADER: [&str; 16] = [
    "invoice_number",
    "customer",
    "account_number",
    "period_start",
    "period_end",
    "issued_on",
    "due_on",
    "status",
    "account_net_all_sites_gbp",
    "account_net_all_sites_pence",
    "account_vat_all_sites_gbp",
    "account_vat_all_sites_pence",
    "account_total_all_sites_gbp",
    "account_total_all_sites_pence",
    "your_sites_net_gbp",
    "your_sites_net_pence",
];

pub const LINE_HEADER: [&str; 14] = [
    "invoice_number",
    "account_number",
    "period_start",
    "period_end",
    "status",
    "mpan_core",
    "site",
    "charge_type",
    "description",
    "quantity",
    "unit",
    "rate_pence",
    "amount_gbp",
    "amount_pence",
];

/// A free-text cell as a spreadsheet will not run it: text starting with `=`, `+`, `-`, `@`, a
/// tab or a carriage return gets a leading `'` (OWASP's advice on CSV injection). Numbers and
/// codes are written as they are, so a credit's `-12.34` stays a number.
pub fn text(s: &str) -> std::borrow::Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}").into(),
        _ => s.into(),
    }
}

fn finish(w: csv::Writer<Vec<u8>>) -> Vec<u8> {
    // Writing into a Vec cannot fail; the buffer is only returned once flushed.
    w.into_inner().unwrap_or_default()
}

pub fn invoices_csv(rows: &[InvoiceRow]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(INVOICE_HEADER)?;
    for r in rows {
        w.write_record([
            r.invoice_number.clone(),
            text(&r.customer).into_owned(),
            r.account_number.clone(),
            r.period_start.to_string(),
            r.period_end.to_string(),
            r.issued_on.to_string(),
            r.due_on.to_string(),
            r.status.as_str().to_owned(),
            pounds(r.net_pence),
            r.net_pence.to_string(),
            pounds(r.vat_pence),
            r.vat_pence.to_string(),
            pounds(r.total_pence),
            r.total_pence.to_string(),
            pounds(r.sites_net_pence),
            r.sites_net_pence.to_string(),
        ])?;
    }
    w.flush()?;
    Ok(finish(w))
}

pub fn lines_csv(rows: &[LineExportRow]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(LINE_HEADER)?;
    for r in rows {
        w.write_record([
            r.invoice_number.as_str(),
            r.account_number.as_str(),
            &r.period_start.to_string(),
            &r.period_end.to_string(),
            r.status.as_str(),
            r.mpan_core.as_deref().unwrap_or(""),
            &text(r.site_name.as_deref().unwrap_or("(account level)")),
            r.charge_type.as_str(),
            &text(&r.description),
            r.quantity.as_str(),
            r.unit.as_str(),
            r.rate_pence.as_str(),
            &pounds(r.amount_pence),
            &r.amount_pence.to_string(),
        ])?;
    }
    w.flush()?;
    Ok(finish(w))
}

#[cfg(test)]
mod tests {
    use app::domain::invoice::InvoiceStatus;
    use chrono::NaiveDate;

    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn text_that_a_spreadsheet_would_run_is_defused() {
        assert_eq!(text("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
        assert_eq!(text("+1"), "'+1");
        assert_eq!(text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(text("-2+3"), "'-2+3");
        assert_eq!(text("Energy, red rate"), "Energy, red rate");
        assert_eq!(text(""), "");
    }

    #[test]
    fn fields_with_commas_quotes_and_newlines_are_quoted() {
        let line = LineExportRow {
            invoice_number: "INV-1".into(),
            account_number: "A1".into(),
            period_start: d(2, 1),
            period_end: d(2, 28),
            status: InvoiceStatus::Paid,
            mpan_core: Some("1012345678903".into()),
            site_name: Some("Works, \"North\" yard".into()),
            charge_type: "energy".into(),
            description: "Energy, red rate\nsecond line".into(),
            quantity: "1234.500".into(),
            unit: "kWh".into(),
            rate_pence: "25.12340".into(),
            amount_pence: -123_456,
        };
        let text = String::from_utf8(lines_csv(&[line]).unwrap()).unwrap();
        let mut rows = text.split_inclusive('\n');
        assert_eq!(rows.next().unwrap(), format!("{}\n", LINE_HEADER.join(",")));
        assert_eq!(
            rows.collect::<String>(),
            "INV-1,A1,2026-02-01,2026-02-28,paid,1012345678903,\"Works, \"\"North\"\" yard\",energy,\
             \"Energy, red rate\nsecond line\",1234.500,kWh,25.12340,-1234.56,-123456\n"
        );
        // And a CSV reader gets the fields back exactly.
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let rec = r.records().next().unwrap().unwrap();
        assert_eq!(&rec[6], "Works, \"North\" yard");
        assert_eq!(&rec[8], "Energy, red rate\nsecond line");
    }

    #[test]
    fn invoice_rows_carry_pounds_and_pence_and_the_account_label() {
        let row = InvoiceRow {
            id: 1,
            organisation_id: 1,
            invoice_number: "INV-2".into(),
            customer: "Castlegate Group Ltd".into(),
            account_number: "NGE-1".into(),
            period_start: d(1, 1),
            period_end: d(1, 31),
            issued_on: d(2, 7),
            due_on: d(3, 9),
            status: InvoiceStatus::Overdue,
            net_pence: 100_005,
            vat_pence: 20_001,
            total_pence: 120_006,
            sites_net_pence: 7,
        };
        let text = String::from_utf8(invoices_csv(&[row]).unwrap()).unwrap();
        assert!(text.starts_with("invoice_number,customer,"));
        assert!(text.contains("account_total_all_sites_gbp"));
        assert!(text.ends_with(
            "INV-2,Castlegate Group Ltd,NGE-1,2026-01-01,2026-01-31,2026-02-07,2026-03-09,overdue,\
             1000.05,100005,200.01,20001,1200.06,120006,0.07,7\n"
        ));
    }
}
