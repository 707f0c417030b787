//! Invoices to take away: the PDF (text read back out of it), the invoice and line CSVs with their
//! filters and quoting, the same rule for a user limited to some sites in both, and who may
//! download what (own tenant 200, another tenant 404, signed out to the login page, bad input 400).
mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use http_body_util::BodyExt;
use server::auth::middleware::url_encode;
use sqlx::PgPool;
use tower::ServiceExt;

/// A reply with its body as bytes (a PDF is not text).
struct Download {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Download {
    fn header(&self, name: header::HeaderName) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("UTF-8")
    }
}

async fn download(app: &axum::Router, uri: &str, cookie: Option<&str>) -> Download {
    let mut req = Request::get(uri).header("host", "localhost");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let res = app
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Download {
        status,
        headers,
        body,
    }
}

/// The text of every page of a PDF, as a reader extracts it.
fn pdf_text(bytes: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(bytes).expect("a PDF lopdf can read");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    assert!(!pages.is_empty());
    doc.extract_text(&pages).expect("text")
}

struct Fixture {
    castlegate_invoice: i64,
    castlegate_invoice_2: i64,
    riverside_invoice: i64,
    felixstowe: i64,
    house: i64,
    riverside_site: i64,
}

async fn point_at(db: &PgPool, site: &str) -> i64 {
    id_of(
        db,
        "SELECT sp.id FROM supply_points sp JOIN sites s ON s.id = sp.site_id WHERE s.name = $1
         ORDER BY sp.mpan_core LIMIT 1",
        site,
    )
    .await
}

async fn invoice(db: &PgPool, org: &str, number: &str, period: (&str, &str), status: &str, net: i64) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO invoices (organisation_id, invoice_number, account_number, period_start, period_end, issued_on,
             due_on, status, net_pence, vat_pence, total_pence)
         SELECT id, $2, account_number, $3::date, $4::date, $4::date + 7, $4::date + 37, $5, $6, $6 / 5, $6 + $6 / 5
         FROM organisations WHERE name = $1 RETURNING id",
    )
    .bind(org)
    .bind(number)
    .bind(period.0)
    .bind(period.1)
    .bind(status)
    .bind(net)
    .fetch_one(db)
    .await
    .unwrap()
}

async fn line(
    db: &PgPool,
    invoice: i64,
    point: Option<i64>,
    description: &str,
    qty: &str,
    rate: &str,
    pence: i64,
) {
    sqlx::query(
        "INSERT INTO invoice_lines (invoice_id, organisation_id, supply_point_id, charge_type, description, quantity,
             unit, rate_pence, amount_pence)
         SELECT $1, organisation_id, $2, 'energy', $3, $4::numeric, 'kWh', $5::numeric, $6 FROM invoices WHERE id = $1",
    )
    .bind(invoice)
    .bind(point)
    .bind(description)
    .bind(qty)
    .bind(rate)
    .bind(pence)
    .execute(db)
    .await
    .unwrap();
}

/// Two Castlegate invoices (one with lines at Felixstowe, which the customer user may see, and at
/// Castlegate House, which they may not, plus an account-level line) and one of Riverside's.
async fn fixture(db: &PgPool) -> Fixture {
    let felixstowe_point = point_at(db, "Felixstowe Cold Store").await;
    let house_point = point_at(db, "Castlegate House").await;
    let jan = invoice(
        db,
        "Castlegate Group Ltd",
        "INV-T-202601",
        ("2026-01-01", "2026-01-31"),
        "paid",
        123_456,
    )
    .await;
    line(
        db,
        jan,
        Some(felixstowe_point),
        "Energy, red rate — MPAN at the cold store",
        "1000.000",
        "30.00000",
        30_000,
    )
    .await;
    line(
        db,
        jan,
        Some(house_point),
        "Energy, \"amber\" rate, head office",
        "2000.000",
        "40.00000",
        80_000,
    )
    .await;
    line(
        db,
        jan,
        None,
        "Account management fee",
        "1.000",
        "13456.00000",
        13_456,
    )
    .await;
    let feb = invoice(
        db,
        "Castlegate Group Ltd",
        "INV-T-202602",
        ("2026-02-01", "2026-02-28"),
        "overdue",
        50_000,
    )
    .await;
    line(
        db,
        feb,
        Some(house_point),
        "Standing charge, 28 days",
        "28.000",
        "1785.71400",
        50_000,
    )
    .await;
    let riverside = invoice(
        db,
        "Riverside Leisure Ltd",
        "INV-R-202601",
        ("2026-01-01", "2026-01-31"),
        "issued",
        9_999,
    )
    .await;
    Fixture {
        castlegate_invoice: jan,
        castlegate_invoice_2: feb,
        riverside_invoice: riverside,
        felixstowe: site_id(db, "Felixstowe Cold Store").await,
        house: site_id(db, "Castlegate House").await,
        riverside_site: site_id(db, "Riverside Leisure Centre").await,
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn the_invoice_pdf_holds_the_numbers_the_page_shows(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let f = fixture(&db).await;
    let admin = login(&app, CUSTOMER_ADMIN).await;
    let res = download(
        &app,
        &format!("/invoices/{}/pdf", f.castlegate_invoice),
        Some(&admin),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.header(header::CONTENT_TYPE), "application/pdf");
    assert_eq!(
        res.header(header::CONTENT_DISPOSITION),
        "attachment; filename=\"INV-T-202601.pdf\""
    );
    assert!(res.body.starts_with(b"%PDF-"));
    let text = pdf_text(&res.body);
    for expected in [
        "Invoice INV-T-202601",
        "Castlegate Group Ltd",
        "01 Jan 2026",
        "31 Jan 2026",
        "paid",
        // A line, with its amount, and the supply point subtotals.
        "Energy, red rate",
        "£300.00",
        "Subtotal MPAN",
        "£800.00",
        "Account management fee",
        // Net, VAT (a fifth) and total, as the invoice holds them.
        "£1,234.56",
        "£246.91",
        "£1,481.47",
    ] {
        assert!(text.contains(expected), "the PDF lacks {expected:?}:\n{text}");
    }
    assert!(
        !text.contains("Your sites"),
        "an unrestricted reader sees no site label"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_user_limited_to_some_sites_gets_their_lines_and_the_account_total_labelled(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let f = fixture(&db).await;
    let user = login(&app, CUSTOMER_USER).await;

    let res = download(
        &app,
        &format!("/invoices/{}/pdf", f.castlegate_invoice),
        Some(&user),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK);
    let text = pdf_text(&res.body);
    assert!(text.contains("Energy, red rate"), "{text}");
    assert!(
        !text.contains("head office"),
        "a line of a site they may not see: {text}"
    );
    assert!(text.contains("Your sites' subtotal (net)"), "{text}");
    assert!(text.contains("£300.00"));
    assert!(text.contains("Account total (all sites)"), "{text}");
    assert!(text.contains("£1,481.47"));

    // The page says the same.
    let page = get_as(
        &app,
        &format!("/invoices?invoice={}", f.castlegate_invoice),
        Some(&user),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Your sites&#x27; subtotal") || page.body.contains("Your sites' subtotal"));
    assert!(page.body.contains("Account total (all sites)"));
    assert!(!page.body.contains("head office"));

    // And the CSVs: the list carries the account's amounts and their sites' net; the lines, theirs.
    let list = download(&app, "/invoices/export.csv", Some(&user)).await.text();
    let jan = list
        .lines()
        .find(|l| l.starts_with("INV-T-202601,"))
        .expect("the January invoice");
    assert!(
        jan.ends_with(",1234.56,123456,246.91,24691,1481.47,148147,300.00,30000"),
        "{jan}"
    );
    let feb = list
        .lines()
        .find(|l| l.starts_with("INV-T-202602,"))
        .expect("the February invoice");
    assert!(feb.ends_with(",0.00,0"), "no line of theirs in February: {feb}");
    let lines = download(&app, "/invoices/lines.csv", Some(&user)).await.text();
    assert!(lines.contains("Energy, red rate"));
    assert!(
        lines.contains("Account management fee"),
        "account-level lines stay visible"
    );
    assert!(!lines.contains("head office"));
    assert!(!lines.contains("Standing charge, 28 days"));
}

#[sqlx::test(migrations = "../migrations")]
async fn csv_downloads_filter_by_status_period_and_site_and_quote_fields(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let f = fixture(&db).await;
    let admin = login(&app, CUSTOMER_ADMIN).await;
    let numbers = |csv: &str| -> Vec<String> {
        let mut r = csv::Reader::from_reader(csv.as_bytes());
        r.records().map(|r| r.unwrap()[0].to_owned()).collect()
    };

    let all = download(&app, "/invoices/export.csv", Some(&admin)).await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(all.header(header::CONTENT_TYPE), "text/csv; charset=utf-8");
    assert_eq!(
        all.header(header::CONTENT_DISPOSITION),
        "attachment; filename=\"invoices.csv\""
    );
    assert!(all
        .text()
        .starts_with("invoice_number,customer,account_number,period_start,"));
    assert_eq!(numbers(&all.text()), ["INV-T-202602", "INV-T-202601"]);

    let overdue = download(&app, "/invoices/export.csv?status=overdue", Some(&admin)).await;
    assert_eq!(numbers(&overdue.text()), ["INV-T-202602"]);
    // Billing periods overlapping 15 Jan – 10 Feb: both; from 1 Feb: February only.
    let both = download(
        &app,
        "/invoices/export.csv?from=2026-01-15&to=2026-02-10",
        Some(&admin),
    )
    .await;
    assert_eq!(numbers(&both.text()), ["INV-T-202602", "INV-T-202601"]);
    let feb = download(&app, "/invoices/export.csv?from=2026-02-01&status=", Some(&admin)).await;
    assert_eq!(numbers(&feb.text()), ["INV-T-202602"]);
    let to_jan = download(&app, "/invoices/export.csv?to=2026-01-31", Some(&admin)).await;
    assert_eq!(numbers(&to_jan.text()), ["INV-T-202601"]);
    // By site: invoices with a line there; the site's net beside the account's.
    let cold_store = download(
        &app,
        &format!("/invoices/export.csv?site={}", f.felixstowe),
        Some(&admin),
    )
    .await;
    let text = cold_store.text();
    assert_eq!(numbers(&text), ["INV-T-202601"]);
    assert!(text.trim_end().ends_with(",300.00,30000"), "{text}");

    // Lines: only the chosen site's, quoted where a field holds a comma or quotes.
    let lines = download(
        &app,
        &format!("/invoices/lines.csv?site={}", f.house),
        Some(&admin),
    )
    .await;
    assert_eq!(lines.status, StatusCode::OK);
    assert_eq!(
        lines.header(header::CONTENT_DISPOSITION),
        "attachment; filename=\"invoice-lines.csv\""
    );
    let text = lines.text();
    assert!(
        text.contains(",Castlegate House,energy,\"Energy, \"\"amber\"\" rate, head office\",2000.000,kWh,40.00000,800.00,80000\n"),
        "{text}"
    );
    assert!(text.contains("Standing charge, 28 days"));
    assert!(!text.contains("red rate"));
    assert!(
        !text.contains("Account management fee"),
        "a site filter leaves account-level lines out"
    );
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(reader.records().count(), 2);
    let _ = f.castlegate_invoice_2;
}

#[sqlx::test(migrations = "../migrations")]
async fn downloads_are_scoped_like_the_page(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let f = fixture(&db).await;
    let admin = login(&app, CUSTOMER_ADMIN).await;
    let other = login(&app, OTHER_ADMIN).await;
    let user = login(&app, CUSTOMER_USER).await;

    // Own tenant 200; another tenant's invoice or site 404, with nothing of it in the answer.
    let own = format!("/invoices/{}/pdf", f.castlegate_invoice);
    assert_eq!(download(&app, &own, Some(&admin)).await.status, StatusCode::OK);
    let res = download(&app, &own, Some(&other)).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(res.text(), "Not found.");
    let theirs = format!("/invoices/{}/pdf", f.riverside_invoice);
    assert_eq!(
        download(&app, &theirs, Some(&admin)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(download(&app, &theirs, Some(&other)).await.status, StatusCode::OK);
    let other_site = format!("/invoices/export.csv?site={}", f.riverside_site);
    assert_eq!(
        download(&app, &other_site, Some(&admin)).await.status,
        StatusCode::NOT_FOUND
    );
    let other_site_lines = format!("/invoices/lines.csv?site={}", f.riverside_site);
    assert_eq!(
        download(&app, &other_site_lines, Some(&admin)).await.status,
        StatusCode::NOT_FOUND
    );
    // Riverside's list holds Riverside's invoice only.
    let list = download(&app, "/invoices/export.csv", Some(&other)).await.text();
    assert!(
        list.contains("INV-R-202601") && !list.contains("INV-T-"),
        "{list}"
    );
    // A site of their own company that the limited user was not given is not theirs either.
    let house = format!("/invoices/export.csv?site={}", f.house);
    assert_eq!(
        download(&app, &house, Some(&user)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(download(&app, &house, Some(&admin)).await.status, StatusCode::OK);

    // Signed out: to the login page, and back here afterwards.
    for uri in [
        own.as_str(),
        "/invoices/export.csv?status=paid",
        "/invoices/lines.csv",
    ] {
        let res = get(&app, uri).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{uri}");
        assert_eq!(
            res.location(),
            format!("/login?next={}", url_encode(uri)),
            "{uri}"
        );
    }

    // Bad input: 400 with a message that says what is wrong.
    for (uri, message) in [
        (
            "/invoices/abc/pdf",
            "An invoice id is a whole number, not \"abc\".",
        ),
        (
            "/invoices/export.csv?status=lost",
            "Unknown status \"lost\": use one of issued, paid, overdue, queried, credited.",
        ),
        (
            "/invoices/lines.csv?from=31%2F01%2F2026",
            "Period from must be a date written like 2026-01-31, not \"31/01/2026\".",
        ),
        (
            "/invoices/export.csv?from=2026-03-01&to=2026-02-01",
            "Period from (2026-03-01) is after period to (2026-02-01).",
        ),
        (
            "/invoices/export.csv?site=first",
            "Site must be a site's number, not \"first\".",
        ),
    ] {
        let res = download(&app, uri, Some(&admin)).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(res.text(), message, "{uri}");
    }
    // The page answers a bad filter the same way.
    let page = get_as(&app, "/invoices?status=lost", Some(&admin)).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("Unknown status"));
}

#[sqlx::test(migrations = "../migrations")]
async fn staff_downloads_are_audited(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let f = fixture(&db).await;
    let am = login(&app, ACCOUNT_MANAGER).await;
    let res = download(
        &app,
        &format!("/invoices/{}/pdf", f.castlegate_invoice),
        Some(&am),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(
        download(&app, "/invoices/lines.csv?status=paid", Some(&am))
            .await
            .status,
        StatusCode::OK
    );
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE action LIKE 'staff.export.%' ORDER BY id")
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(
        actions,
        ["staff.export.invoice_pdf", "staff.export.invoice_lines_csv"]
    );
}
