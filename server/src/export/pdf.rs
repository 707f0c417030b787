//! An invoice as a PDF (`pdf-writer`): A4 pages in the standard Helvetica fonts (no font files to
//! embed), WinAnsi-encoded text. The same figures as the invoices page: account, period, due date,
//! status, lines grouped by supply point (MPAN) with subtotals, net, VAT and total. For a customer
//! user limited to some sites the lines are theirs, their subtotal is "Your sites' subtotal", and
//! the invoice's amounts are labelled as the whole account's.
use app::api::billing::{InvoiceDetail, LineGroup};
use app::domain::units::Pence;
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 48.0;
const BODY: f32 = 9.0;
const ROW: f32 = 13.0;
const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");

/// Helvetica's advance widths (per 1000 em) for ASCII 32..=126, from its AFM metrics; used to
/// right-align amounts and to wrap descriptions. Other characters count as 556.
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // ' '..'/'
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, // '0'..'9'
    278, 278, 584, 584, 584, 556, 1015, // ':'..'@'
    667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722,
    667, 944, 667, 667, 611, // 'A'..'Z'
    278, 278, 278, 469, 556, 333, // '['..'`'
    556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556,
    500, 722, 500, 500, 500, // 'a'..'z'
    334, 260, 334, 584, // '{'..'~'
];

fn char_width(c: char) -> f32 {
    let w = match c as u32 {
        n @ 32..=126 => HELVETICA[(n - 32) as usize],
        _ => 556,
    };
    f32::from(w) / 1000.0
}

pub fn text_width(s: &str, size: f32) -> f32 {
    s.chars().map(char_width).sum::<f32>() * size
}

/// Text in WinAnsiEncoding (Windows-1252): ASCII and Latin-1 as they are, the typographic
/// characters the portal writes mapped to their code points, anything else as `?`.
pub fn win_ansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            ' '..='~' => c as u8,
            '\u{a0}'..='\u{ff}' => c as u32 as u8,
            '€' => 0x80,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '…' => 0x85,
            _ => b'?',
        })
        .collect()
}

/// Splits text into lines no wider than `width` at `size`, at spaces where it can.
pub fn wrap(s: &str, width: f32, size: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in s.split(' ') {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if text_width(&candidate, size) <= width || line.is_empty() {
            line = candidate;
        } else {
            lines.push(std::mem::take(&mut line));
            line = word.to_owned();
        }
    }
    lines.push(line);
    lines
}

/// Pages being written, top to bottom.
struct Layout {
    pages: Vec<Content>,
    y: f32,
}

impl Layout {
    fn new() -> Self {
        let mut l = Layout {
            pages: Vec::new(),
            y: 0.0,
        };
        l.new_page();
        l
    }

    fn new_page(&mut self) {
        self.pages.push(Content::new());
        self.y = PAGE_H - MARGIN;
    }

    fn page(&mut self) -> &mut Content {
        self.pages.last_mut().expect("a page")
    }

    /// Room for `height` more points on this page, or a new page.
    fn need(&mut self, height: f32) {
        if self.y - height < MARGIN {
            self.new_page();
        }
    }

    fn text_at(&mut self, x: f32, y: f32, font: Name<'static>, size: f32, s: &str) {
        let bytes = win_ansi(s);
        let c = self.page();
        c.begin_text();
        c.set_font(font, size);
        c.next_line(x, y);
        c.show(Str(&bytes));
        c.end_text();
    }

    fn right_at(&mut self, right: f32, y: f32, font: Name<'static>, size: f32, s: &str) {
        let x = right - text_width(s, size);
        self.text_at(x, y, font, size, s);
    }

    /// One line of text at the left margin, moving down.
    fn line(&mut self, font: Name<'static>, size: f32, s: &str) {
        self.need(size + 4.0);
        self.y -= size + 4.0;
        let y = self.y;
        self.text_at(MARGIN, y, font, size, s);
    }

    fn gap(&mut self, h: f32) {
        self.y -= h;
    }

    fn rule(&mut self) {
        let y = self.y - 3.0;
        let c = self.page();
        c.set_line_width(0.5);
        c.move_to(MARGIN, y);
        c.line_to(PAGE_W - MARGIN, y);
        c.stroke();
        self.y -= 6.0;
    }

    /// A label and an amount, right-aligned at the amount column.
    fn total(&mut self, font: Name<'static>, label: &str, pence: i64) {
        self.need(ROW);
        self.y -= ROW;
        let y = self.y;
        self.right_at(COL_RATE_RIGHT, y, font, BODY, label);
        self.right_at(COL_AMOUNT_RIGHT, y, font, BODY, &Pence(pence).to_string());
    }
}

// Table columns: description (wrapped), quantity, unit, rate, amount.
const COL_DESC_W: f32 = 230.0;
const COL_QTY_RIGHT: f32 = MARGIN + COL_DESC_W + 70.0;
const COL_UNIT_X: f32 = COL_QTY_RIGHT + 8.0;
const COL_RATE_RIGHT: f32 = COL_UNIT_X + 50.0 + 50.0;
const COL_AMOUNT_RIGHT: f32 = PAGE_W - MARGIN;

fn table_head(l: &mut Layout) {
    l.need(ROW * 2.0);
    l.y -= ROW;
    let y = l.y;
    l.text_at(MARGIN, y, BOLD, BODY, "Charge");
    l.right_at(COL_QTY_RIGHT, y, BOLD, BODY, "Quantity");
    l.text_at(COL_UNIT_X, y, BOLD, BODY, "Unit");
    l.right_at(COL_RATE_RIGHT, y, BOLD, BODY, "Rate (p)");
    l.right_at(COL_AMOUNT_RIGHT, y, BOLD, BODY, "Amount");
    l.rule();
}

fn group(l: &mut Layout, g: &LineGroup) {
    let head = match (&g.mpan_core, &g.site_name) {
        (Some(mpan), Some(site)) => format!("Supply point MPAN {mpan} · {site}"),
        (Some(mpan), None) => format!("Supply point MPAN {mpan}"),
        (None, _) => "Account-level charges (not for one supply point)".to_owned(),
    };
    l.need(ROW * 3.0);
    l.gap(4.0);
    l.line(BOLD, BODY, &head);
    for line in &g.lines {
        let desc = wrap(g.label(line), COL_DESC_W, BODY);
        l.need(ROW * desc.len() as f32);
        l.y -= ROW;
        let y = l.y;
        l.right_at(COL_QTY_RIGHT, y, REGULAR, BODY, &line.quantity);
        l.text_at(COL_UNIT_X, y, REGULAR, BODY, &line.unit);
        l.right_at(COL_RATE_RIGHT, y, REGULAR, BODY, &line.rate_pence);
        l.right_at(
            COL_AMOUNT_RIGHT,
            y,
            REGULAR,
            BODY,
            &Pence(line.amount_pence).to_string(),
        );
        for (i, part) in desc.iter().enumerate() {
            if i > 0 {
                l.y -= ROW - 2.0;
            }
            let y = l.y;
            l.text_at(MARGIN, y, REGULAR, BODY, part);
        }
    }
    let label = match &g.mpan_core {
        Some(mpan) => format!("Subtotal MPAN {mpan}"),
        None => "Subtotal, account-level charges".to_owned(),
    };
    l.total(BOLD, &label, g.subtotal_pence);
}

/// The invoice as a PDF. `limited_sites` names the caller's sites when they see only some.
pub fn invoice_pdf(d: &InvoiceDetail, limited_sites: Option<&[String]>) -> Vec<u8> {
    let inv = &d.invoice;
    let limited = d.limited_to_sites;
    let mut l = Layout::new();
    l.line(BOLD, 16.0, &format!("Invoice {}", inv.number));
    l.line(REGULAR, 10.0, "Northgate Energy · Business electricity");
    l.gap(6.0);
    for (k, v) in [
        ("Customer", inv.customer.as_str()),
        ("Account", inv.account_number.as_str()),
        (
            "Billing period",
            &format!("{} – {}", inv.period_start, inv.period_end),
        ),
        ("Issued", inv.issued_on.as_str()),
        ("Due", inv.due_on.as_str()),
        ("Status", inv.status.label()),
    ] {
        l.need(ROW);
        l.y -= ROW;
        let y = l.y;
        l.text_at(MARGIN, y, BOLD, BODY, k);
        l.text_at(MARGIN + 90.0, y, REGULAR, BODY, v);
    }
    let mpans: Vec<&str> = d.lines.iter().filter_map(|l| l.mpan_core.as_deref()).collect();
    let mut mpans_unique = mpans.clone();
    mpans_unique.dedup();
    let label = "Supply points";
    let list = if mpans_unique.is_empty() {
        "none on this invoice".to_owned()
    } else {
        mpans_unique.join(", ")
    };
    for (i, part) in wrap(&list, PAGE_W - 2.0 * MARGIN - 90.0, BODY).iter().enumerate() {
        l.need(ROW);
        l.y -= ROW;
        let y = l.y;
        if i == 0 {
            l.text_at(MARGIN, y, BOLD, BODY, label);
        }
        l.text_at(MARGIN + 90.0, y, REGULAR, BODY, part);
    }
    if limited {
        l.gap(6.0);
        let sites = limited_sites.map(|s| s.join(", ")).unwrap_or_default();
        for part in wrap(
            &format!(
                "You see the lines of your sites only ({sites}). The invoice's net, VAT and total are the whole account's (all sites)."
            ),
            PAGE_W - 2.0 * MARGIN,
            BODY,
        ) {
            l.line(REGULAR, BODY, &part);
        }
    }
    l.gap(8.0);
    table_head(&mut l);
    let groups = d.groups();
    if groups.is_empty() {
        l.line(REGULAR, BODY, "No lines to show.");
    }
    for g in &groups {
        group(&mut l, g);
    }
    l.gap(6.0);
    l.need(ROW * 6.0);
    l.rule();
    if limited {
        l.total(BOLD, "Your sites' subtotal (net)", d.sites_net_pence());
        if d.account_level_pence() != 0 {
            l.total(REGULAR, "Account-level charges (net)", d.account_level_pence());
        }
        l.gap(4.0);
        l.total(REGULAR, "Account net (all sites)", inv.net_pence);
        l.total(REGULAR, "Account VAT (all sites)", inv.vat_pence);
        l.total(BOLD, "Account total (all sites)", inv.total_pence);
    } else {
        l.total(REGULAR, "Net", inv.net_pence);
        l.total(REGULAR, "VAT", inv.vat_pence);
        l.total(BOLD, "Total", inv.total_pence);
    }
    write(l.pages, &inv.number)
}

fn write(pages: Vec<Content>, title: &str) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let info = Ref::new(5);
    let first_page = 6;
    let page_ids: Vec<Ref> = (0..pages.len())
        .map(|i| Ref::new(first_page + 2 * i as i32))
        .collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().copied())
        .count(page_ids.len() as i32);
    pdf.type1_font(regular)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.document_info(info)
        .title(TextStr(&format!("Invoice {title}")))
        .producer(TextStr("Northgate Energy business portal"));
    let count = pages.len();
    for (i, content) in pages.into_iter().enumerate() {
        let page_id = page_ids[i];
        let content_id = Ref::new(page_id.get() + 1);
        let mut footer = content;
        let label = format!("Page {} of {count}", i + 1);
        footer.begin_text();
        footer.set_font(REGULAR, 8.0);
        footer.next_line(PAGE_W - MARGIN - text_width(&label, 8.0), MARGIN / 2.0);
        footer.show(Str(label.as_bytes()));
        footer.end_text();
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H));
        page.parent(tree);
        page.contents(content_id);
        let mut resources = page.resources();
        resources.fonts().pair(REGULAR, regular).pair(BOLD, bold);
        resources.finish();
        page.finish();
        pdf.stream(content_id, &footer.finish());
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detail(lines: usize, limited: bool) -> InvoiceDetail {
        use app::api::billing::{InvoiceLineView, InvoiceSummary};
        use app::domain::invoice::InvoiceStatus;
        let line = |i: usize| InvoiceLineView {
            mpan_core: Some(format!("10{:011}", i / 10)),
            site_name: Some("Works".into()),
            charge_type: "energy".into(),
            description: format!(
                "Energy, line {i} with a description long enough to wrap onto a second line"
            ),
            quantity: "1.000".into(),
            unit: "kWh".into(),
            rate_pence: "100.00000".into(),
            amount_pence: 100,
        };
        let n = i64::try_from(lines).unwrap();
        InvoiceDetail {
            invoice: InvoiceSummary {
                id: 1,
                number: "INV-LONG".into(),
                customer: "C".into(),
                account_number: "A".into(),
                period_start: "01 Jan 2026".into(),
                period_end: "31 Jan 2026".into(),
                issued_on: "07 Feb 2026".into(),
                due_on: "09 Mar 2026".into(),
                status: InvoiceStatus::Issued,
                net_pence: n * 100 + 5,
                vat_pence: 20,
                total_pence: n * 100 + 25,
                sites_net_pence: n * 100,
            },
            lines: (0..lines).map(line).collect(),
            limited_to_sites: limited,
        }
    }

    fn read_back(pdf: &[u8]) -> (usize, String) {
        let doc = lopdf::Document::load_mem(pdf).unwrap();
        let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
        (pages.len(), doc.extract_text(&pages).unwrap())
    }

    #[test]
    fn long_invoices_run_onto_numbered_pages_with_every_line() {
        let (pages, text) = read_back(&invoice_pdf(&detail(120, false), None));
        assert!(pages >= 3, "{pages} pages");
        assert!(text.contains(&format!("Page {pages} of {pages}")));
        assert!(text.contains("Energy, line 0 ") && text.contains("Energy, line 119 "));
        assert!(text.contains("Subtotal MPAN 1000000000011"));
        assert!(text.contains("£120.25"), "the total on the last page");
    }

    #[test]
    fn a_limited_reader_gets_their_subtotal_and_the_account_total_labelled() {
        let sites = ["Works".to_owned()];
        let (_, text) = read_back(&invoice_pdf(&detail(3, true), Some(&sites)));
        assert!(text.contains("You see the lines of your sites only (Works)"));
        assert!(text.contains("Your sites' subtotal (net)"));
        assert!(text.contains("Account total (all sites)"));
        assert!(text.contains("£3.00") && text.contains("£3.25"));
        let (_, text) = read_back(&invoice_pdf(&detail(3, false), None));
        assert!(!text.contains("Your sites"));
        assert!(text.contains("Total"));
    }

    #[test]
    fn text_is_win_ansi_encoded() {
        assert_eq!(win_ansi("£1 — a·b × c"), b"\xa31 \x97 a\xb7b \xd7 c".to_vec());
        assert_eq!(win_ansi("→"), b"?".to_vec());
    }

    #[test]
    fn widths_follow_helvetica_and_wrapping_keeps_within_them() {
        assert!((text_width("0123456789", 10.0) - 55.6).abs() < 1e-3);
        assert!((text_width("£1,000.00", 10.0) - (556.0 * 6.0 + 278.0 * 2.0 + 556.0) / 100.0).abs() < 1e-3);
        let parts = wrap(
            "Excess capacity: maximum demand 612 kVA on 12 Jan 17:30 over 550 kVA agreed",
            120.0,
            9.0,
        );
        assert!(parts.len() > 1);
        assert!(parts.iter().all(|p| text_width(p, 9.0) <= 120.0));
        assert_eq!(
            parts.join(" "),
            "Excess capacity: maximum demand 612 kVA on 12 Jan 17:30 over 550 kVA agreed"
        );
    }
}
