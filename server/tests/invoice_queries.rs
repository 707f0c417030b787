//! Invoice queries (issue 9, item 4) on real Postgres, through the RLS-bound app role: the
//! lifecycle (raise, reply, explain, the invoice's status and back), crediting with totals that
//! reconcile, a restricted user's scope, the other tenant kept out, the audit log, and the server
//! fns' answers to bad input.
mod common;

use app::domain::invoice::InvoiceStatus;
use app::domain::invoice_query::{QueryStatus, Refusal, Totals, MAX_MESSAGE_CHARS};
use app::domain::role::Role;
use app::domain::units::Pence;
use app::store::audit::Actor;
use app::store::credit::{self, CorrectedLine, Rebill};
use app::store::queries::{self, Filter, Outcome, Participant};
use app::store::scope::Scope;
use axum::http::StatusCode;
use common::*;
use serde_json::Value;
use sqlx::PgPool;

fn app_pool(db: &PgPool) -> PgPool {
    server::db::app_pool((*db.connect_options()).clone(), 2, "portal_app")
}

async fn org(db: &PgPool, name: &str) -> i64 {
    id_of(db, "SELECT id FROM organisations WHERE name = $1", name).await
}

/// A person of the demo data as a thread shows them.
struct Person {
    id: i64,
    email: &'static str,
    name: &'static str,
    role: Role,
    organisation_id: Option<i64>,
}

impl Person {
    fn by(&self) -> Participant<'_> {
        Participant {
            actor: Actor {
                user_id: self.id,
                email: self.email,
                organisation_id: self.organisation_id,
                client_ip: "192.0.2.1",
            },
            name: self.name,
            role: self.role,
        }
    }
}

struct Fixture {
    db: PgPool,
    app: PgPool,
    castlegate: i64,
    /// Castlegate's whole scope (its admin, and its account manager).
    whole: Scope,
    /// The customer user's: Felixstowe Cold Store and Leicester Works.
    restricted: Scope,
    riverside: Scope,
    admin: Person,
    user: Person,
    manager: Person,
    /// A paid Castlegate invoice: lines at Felixstowe (granted to the user), at Castlegate House
    /// (not granted), and one account-level line.
    invoice: i64,
    felixstowe_line: i64,
    house_line: i64,
    account_line: i64,
    riverside_invoice: i64,
    felixstowe_point: i64,
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

/// An invoice with lines (supply point or none, amount in pence), its net the lines' sum and
/// VAT 20 %. Returns its id and its lines' ids.
async fn invoice_with_lines(
    db: &PgPool,
    organisation: i64,
    number: &str,
    status: &str,
    lines: &[(Option<i64>, i64)],
) -> (i64, Vec<i64>) {
    let net: i64 = lines.iter().map(|l| l.1).sum();
    let vat = net / 5;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO invoices (organisation_id, invoice_number, account_number, period_start, period_end, issued_on,
             due_on, status, net_pence, vat_pence, total_pence)
         SELECT id, $2, account_number, '2026-02-01', '2026-02-28', '2026-03-08', '2026-04-07', $3, $4, $5, $4 + $5
         FROM organisations WHERE id = $1 RETURNING id",
    )
    .bind(organisation)
    .bind(number)
    .bind(status)
    .bind(net)
    .bind(vat)
    .fetch_one(db)
    .await
    .unwrap();
    let mut ids = Vec::new();
    for (i, (point, amount)) in lines.iter().enumerate() {
        let line: i64 = sqlx::query_scalar(
            "INSERT INTO invoice_lines (invoice_id, organisation_id, supply_point_id, charge_type, description,
                 quantity, unit, rate_pence, amount_pence)
             VALUES ($1, $2, $3, 'standing_charge', $4, 28, 'day', $5::numeric / 28, $5) RETURNING id",
        )
        .bind(id)
        .bind(organisation)
        .bind(point)
        .bind(format!("Line {}", i + 1))
        .bind(amount)
        .fetch_one(db)
        .await
        .unwrap();
        ids.push(line);
    }
    (id, ids)
}

async fn fixture(db: PgPool) -> Fixture {
    server::seed::seed_people(&db, 3).await.unwrap();
    let castlegate = org(&db, "Castlegate Group Ltd").await;
    let riverside = org(&db, "Riverside Leisure Ltd").await;
    let felixstowe = point_at(&db, "Felixstowe Cold Store").await;
    let house = point_at(&db, "Castlegate House").await;
    let (invoice, lines) = invoice_with_lines(
        &db,
        castlegate,
        "INV-NGE-100234-202602",
        "paid",
        &[(Some(felixstowe), 51_800), (Some(house), 12_345), (None, 2_500)],
    )
    .await;
    let river_point = point_at(&db, "Riverside Leisure Centre").await;
    let (riverside_invoice, _) = invoice_with_lines(
        &db,
        riverside,
        "INV-RL-1",
        "issued",
        &[(Some(river_point), 9_999)],
    )
    .await;
    let granted = vec![
        site_id(&db, "Felixstowe Cold Store").await,
        site_id(&db, "Leicester Works").await,
    ];
    let person = |email: &'static str, name: &'static str, role: Role, organisation_id: Option<i64>| {
        let db = db.clone();
        async move {
            Person {
                id: user_id(&db, email).await,
                email,
                name,
                role,
                organisation_id,
            }
        }
    };
    Fixture {
        app: app_pool(&db),
        castlegate,
        whole: Scope::organisations(vec![castlegate]),
        restricted: Scope::organisations(vec![castlegate]).with_sites(granted),
        riverside: Scope::organisations(vec![riverside]),
        admin: person(
            CUSTOMER_ADMIN,
            "Facilities",
            Role::CustomerAdmin,
            Some(castlegate),
        )
        .await,
        user: person(CUSTOMER_USER, "Energy", Role::CustomerUser, Some(castlegate)).await,
        manager: person(ACCOUNT_MANAGER, "Account Manager", Role::AccountManager, None).await,
        invoice,
        felixstowe_line: lines[0],
        house_line: lines[1],
        account_line: lines[2],
        riverside_invoice,
        felixstowe_point: felixstowe,
        db,
    }
}

async fn status_of(db: &PgPool, invoice: i64) -> (String, Option<String>) {
    sqlx::query_as("SELECT status, status_before_query FROM invoices WHERE id = $1")
        .bind(invoice)
        .fetch_one(db)
        .await
        .unwrap()
}

async fn audit(db: &PgPool) -> Vec<(String, Option<i64>, Value)> {
    sqlx::query_as(
        "SELECT action, organisation_id, detail FROM audit_log
         WHERE action LIKE 'invoice_query.%' OR action = 'invoice.credited' ORDER BY id",
    )
    .fetch_all(db)
    .await
    .unwrap()
}

fn done<T: std::fmt::Debug>(o: Outcome<T>) -> T {
    match o {
        Outcome::Done(t) => t,
        other => panic!("expected Done, got {other:?}"),
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_query_is_raised_answered_and_explained_and_the_invoice_goes_back(db: PgPool) {
    let f = fixture(db).await;
    let mut tx = f.whole.begin(&f.app).await.unwrap();
    let whole = done(
        queries::raise(
            &mut tx,
            f.admin.by(),
            f.invoice,
            None,
            "Why 31 days of standing charge?",
        )
        .await
        .unwrap(),
    );
    let on_line = done(
        queries::raise(
            &mut tx,
            f.admin.by(),
            f.invoice,
            Some(f.felixstowe_line),
            "Red band looks high.",
        )
        .await
        .unwrap(),
    );
    tx.commit().await.unwrap();
    assert_eq!(
        status_of(&f.db, f.invoice).await,
        ("queried".into(), Some("paid".into())),
        "queried, remembering it was paid"
    );

    let mut tx = f.whole.begin(&f.app).await.unwrap();
    done(
        queries::reply(&mut tx, f.manager.by(), whole, "Looking into it.")
            .await
            .unwrap(),
    );
    done(
        queries::reply(&mut tx, f.admin.by(), whole, "Thank you.")
            .await
            .unwrap(),
    );
    done(
        queries::explain(
            &mut tx,
            f.manager.by(),
            whole,
            "The period has 28 days; see the re-bill.",
        )
        .await
        .unwrap(),
    );
    tx.commit().await.unwrap();
    assert_eq!(
        status_of(&f.db, f.invoice).await.0,
        "queried",
        "another query on the invoice is still open"
    );

    let mut tx = f.whole.begin(&f.app).await.unwrap();
    let found = queries::find(
        &mut tx,
        Filter {
            invoice_id: Some(f.invoice),
            ..Filter::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        found.iter().map(|q| (q.id, q.status)).collect::<Vec<_>>(),
        vec![(on_line, QueryStatus::Open), (whole, QueryStatus::Explained)],
        "open first, then resolved"
    );
    assert_eq!(
        found[0].amount_pence, 51_800,
        "a line query shows the line's amount"
    );
    assert_eq!(found[0].line_description.as_deref(), Some("Line 1"));
    assert_eq!(
        found[1].amount_pence,
        66_645 + 13_329,
        "a whole-invoice query shows the total"
    );
    assert_eq!(found[1].raised_by, "Facilities");
    assert_eq!(found[1].messages, 4);
    let thread = queries::messages(&mut tx, &[whole]).await.unwrap();
    assert_eq!(
        thread
            .iter()
            .map(|m| (m.author_name.as_str(), m.author_role, m.kind.as_str()))
            .collect::<Vec<_>>(),
        vec![
            ("Facilities", Role::CustomerAdmin, "raised"),
            ("Account Manager", Role::AccountManager, "reply"),
            ("Facilities", Role::CustomerAdmin, "reply"),
            ("Account Manager", Role::AccountManager, "explained"),
        ]
    );
    assert_eq!(thread[0].body, "Why 31 days of standing charge?");
    // Nothing more on a resolved query.
    assert_eq!(
        queries::reply(&mut tx, f.admin.by(), whole, "One more thing")
            .await
            .unwrap(),
        Outcome::Refused(Refusal::Closed)
    );
    assert_eq!(
        queries::explain(&mut tx, f.manager.by(), whole, "Again")
            .await
            .unwrap(),
        Outcome::Refused(Refusal::Closed)
    );
    done(
        queries::explain(&mut tx, f.manager.by(), on_line, "The red band is right.")
            .await
            .unwrap(),
    );
    tx.commit().await.unwrap();
    assert_eq!(
        status_of(&f.db, f.invoice).await,
        ("paid".into(), None),
        "every query explained: back to paid"
    );

    let entries = audit(&f.db).await;
    let actions: Vec<&str> = entries.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        actions,
        vec![
            "invoice_query.raised",
            "invoice_query.raised",
            "invoice_query.replied",
            "invoice_query.replied",
            "invoice_query.resolved",
            "invoice_query.resolved",
        ]
    );
    assert!(
        entries.iter().all(|e| e.1 == Some(f.castlegate)),
        "against the customer"
    );
    assert_eq!(entries[1].2["line_id"], f.felixstowe_line);
    assert_eq!(entries[4].2["resolution"], "explained");
}

/// The re-bill's lines for the Felixstowe supply: the standing charge for 28 days, and energy.
fn corrected(f: &Fixture) -> Vec<CorrectedLine> {
    vec![
        CorrectedLine {
            supply_point_id: Some(f.felixstowe_point),
            charge_type: "standing_charge".into(),
            component: String::new(),
            description: "Standing charge, 28 days".into(),
            quantity_milli: 28_000,
            unit: "day".into(),
            rate_e5: 18_500_000,
            amount: Pence(5_180),
        },
        CorrectedLine {
            supply_point_id: Some(f.felixstowe_point),
            charge_type: "energy".into(),
            component: "red".into(),
            description: "Energy, red rate".into(),
            quantity_milli: 1_234_567,
            unit: "kWh".into(),
            rate_e5: 3_841_200,
            amount: Pence(47_422),
        },
        CorrectedLine {
            supply_point_id: None,
            charge_type: "account".into(),
            component: String::new(),
            description: "Account charge".into(),
            quantity_milli: 1_000,
            unit: "month".into(),
            rate_e5: 250_000_000,
            amount: Pence(2_500),
        },
    ]
}

/// Net, VAT, total, status, what it credits, what it re-bills.
type Head = (i64, i64, i64, String, Option<i64>, Option<i64>);

async fn head(db: &PgPool, id: i64) -> Head {
    sqlx::query_as(
        "SELECT net_pence, vat_pence, total_pence, status, credits_invoice_id, rebills_invoice_id
         FROM invoices WHERE id = $1",
    )
    .bind(id)
    .fetch_one(db)
    .await
    .unwrap()
}

/// Each line's (supply point, charge type, quantity as text, rate as text, amount), in order.
async fn lines_of(db: &PgPool, id: i64) -> Vec<(Option<i64>, String, String, String, i64)> {
    sqlx::query_as(
        "SELECT supply_point_id, charge_type, quantity::text, rate_pence::text, amount_pence
         FROM invoice_lines WHERE invoice_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(db)
    .await
    .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn crediting_issues_a_credit_note_and_a_rebill_whose_totals_reconcile(db: PgPool) {
    let f = fixture(db).await;
    let mut tx = f.whole.begin(&f.app).await.unwrap();
    let q = done(
        queries::raise(
            &mut tx,
            f.admin.by(),
            f.invoice,
            Some(f.felixstowe_line),
            "Standing charge for 31 days?",
        )
        .await
        .unwrap(),
    );
    tx.commit().await.unwrap();

    let lines = corrected(&f);
    let vat = Pence(11_020);
    let mut tx = f.whole.begin(&f.app).await.unwrap();
    let none: &[CorrectedLine] = &[];
    assert_eq!(
        credit::credit_and_rebill(&mut tx, f.manager.by(), q, "x", Rebill { lines: none, vat })
            .await
            .unwrap(),
        Outcome::Refused(Refusal::NoCorrectedLines),
        "a re-bill needs lines"
    );
    let c = done(
        credit::credit_and_rebill(
            &mut tx,
            f.manager.by(),
            q,
            "Credited and re-billed for 28 days.",
            Rebill { lines: &lines, vat },
        )
        .await
        .unwrap(),
    );
    tx.commit().await.unwrap();
    assert_eq!(c.credit_note_number, "CN-NGE-100234-202602");
    assert_eq!(c.rebill_number, "INV-NGE-100234-202602-R1");

    let original = head(&f.db, f.invoice).await;
    let note = head(&f.db, c.credit_note_id).await;
    let rebill = head(&f.db, c.rebill_id).await;
    assert_eq!(original.3, "credited");
    assert_eq!(status_of(&f.db, f.invoice).await.1, None);
    // Original + credit note = 0, figure by figure; the credit note references the invoice.
    assert_eq!(
        (original.0 + note.0, original.1 + note.1, original.2 + note.2),
        (0, 0, 0)
    );
    assert_eq!(note.2, -79_974);
    assert_eq!(
        (note.3.as_str(), note.4, note.5),
        ("issued", Some(f.invoice), None)
    );
    let note_lines = lines_of(&f.db, c.credit_note_id).await;
    let original_lines = lines_of(&f.db, f.invoice).await;
    assert_eq!(note_lines.len(), original_lines.len());
    assert_eq!(
        note_lines.iter().map(|l| l.4).sum::<i64>(),
        note.0,
        "credit note lines = its net"
    );
    for (n, o) in note_lines.iter().zip(&original_lines) {
        assert_eq!(
            (n.0, &n.1, &n.3, n.4),
            (o.0, &o.1, &o.3, -o.4),
            "each line reversed"
        );
        assert_eq!(n.2, format!("-{}", o.2), "quantity reversed");
    }
    // The re-bill: its lines are the corrected ones, net their sum, total net + VAT.
    assert_eq!(rebill.0, 5_180 + 47_422 + 2_500);
    assert_eq!((rebill.1, rebill.2), (11_020, rebill.0 + 11_020));
    assert_eq!(
        (rebill.3.as_str(), rebill.4, rebill.5),
        ("issued", None, Some(f.invoice))
    );
    assert_eq!(
        c.rebill,
        Totals::new(Pence(rebill.0), Pence(rebill.1)),
        "what the store reports is what it wrote"
    );
    assert_eq!(c.credit_note, Totals::new(Pence(note.0), Pence(note.1)));
    assert_eq!(
        lines_of(&f.db, c.rebill_id).await,
        vec![
            (
                Some(f.felixstowe_point),
                "standing_charge".into(),
                "28.000".into(),
                "185.00000".into(),
                5_180
            ),
            (
                Some(f.felixstowe_point),
                "energy".into(),
                "1234.567".into(),
                "38.41200".into(),
                47_422
            ),
            (None, "account".into(), "1.000".into(), "2500.00000".into(), 2_500),
        ]
    );
    // The re-bill's payment terms are the original's (30 days).
    let terms: i32 = sqlx::query_scalar("SELECT due_on - issued_on FROM invoices WHERE id = $1")
        .bind(c.rebill_id)
        .fetch_one(&f.db)
        .await
        .unwrap();
    assert_eq!(terms, 30);

    // The query is resolved with both documents; a credited invoice and a credit note cannot be
    // queried, and nothing can be credited twice.
    let mut tx = f.whole.begin(&f.app).await.unwrap();
    let found = queries::find(
        &mut tx,
        Filter {
            query_id: Some(q),
            ..Filter::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(found[0].status, QueryStatus::Credited);
    assert_eq!(found[0].invoice_status, InvoiceStatus::Credited);
    assert_eq!(
        found[0].credit_note_number.as_deref(),
        Some("CN-NGE-100234-202602")
    );
    assert_eq!(found[0].rebill_id, Some(c.rebill_id));
    assert_eq!(
        credit::credit_and_rebill(&mut tx, f.manager.by(), q, "again", Rebill { lines: &lines, vat })
            .await
            .unwrap(),
        Outcome::Refused(Refusal::Closed)
    );
    assert_eq!(
        queries::raise(&mut tx, f.admin.by(), f.invoice, None, "Still wrong")
            .await
            .unwrap(),
        Outcome::Refused(Refusal::AlreadyCredited)
    );
    assert_eq!(
        queries::raise(&mut tx, f.admin.by(), c.credit_note_id, None, "What is this?")
            .await
            .unwrap(),
        Outcome::Refused(Refusal::CreditNote)
    );
    // The re-bill itself can be queried (and would be re-billed as -R2).
    done(
        queries::raise(&mut tx, f.admin.by(), c.rebill_id, None, "Checking the re-bill")
            .await
            .unwrap(),
    );
    tx.commit().await.unwrap();

    let entries = audit(&f.db).await;
    let actions: Vec<&str> = entries.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        actions,
        vec![
            "invoice_query.raised",
            "invoice_query.resolved",
            "invoice.credited",
            "invoice_query.raised"
        ]
    );
    assert_eq!(entries[1].2["resolution"], "credited");
    assert_eq!(entries[2].2["credit_note"], "CN-NGE-100234-202602");
    assert_eq!(entries[2].2["credit_total_pence"], -79_974);
    assert_eq!(entries[2].2["rebill_total_pence"], rebill.2);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_restricted_user_sees_and_raises_queries_on_their_sites_only(db: PgPool) {
    let f = fixture(db).await;
    let mut tx = f.restricted.begin(&f.app).await.unwrap();
    let options: Vec<i64> = queries::line_options(&mut tx, f.invoice)
        .await
        .unwrap()
        .iter()
        .map(|l| l.id)
        .collect();
    assert_eq!(
        options,
        vec![f.felixstowe_line, f.account_line],
        "not Castlegate House's line"
    );
    let own = done(
        queries::raise(
            &mut tx,
            f.user.by(),
            f.invoice,
            Some(f.felixstowe_line),
            "Cold store red band?",
        )
        .await
        .unwrap(),
    );
    assert_eq!(
        queries::raise(&mut tx, f.user.by(), f.invoice, Some(f.house_line), "Not mine")
            .await
            .unwrap(),
        Outcome::NotFound,
        "a line of a site not granted"
    );
    assert_eq!(
        queries::raise(&mut tx, f.user.by(), f.riverside_invoice, None, "Theirs")
            .await
            .unwrap(),
        Outcome::NotFound
    );
    tx.commit().await.unwrap();

    // The admin queries the Castlegate House line and the whole invoice.
    let mut tx = f.whole.begin(&f.app).await.unwrap();
    let house = done(
        queries::raise(
            &mut tx,
            f.admin.by(),
            f.invoice,
            Some(f.house_line),
            "Office capacity?",
        )
        .await
        .unwrap(),
    );
    let whole = done(
        queries::raise(&mut tx, f.admin.by(), f.invoice, None, "Overall")
            .await
            .unwrap(),
    );
    assert_eq!(queries::find(&mut tx, Filter::default()).await.unwrap().len(), 3);
    tx.commit().await.unwrap();

    let mut tx = f.restricted.begin(&f.app).await.unwrap();
    let seen: Vec<i64> = queries::find(&mut tx, Filter::default())
        .await
        .unwrap()
        .iter()
        .map(|q| q.id)
        .collect();
    assert_eq!(
        seen,
        vec![own, whole],
        "their line's query and the whole invoice's"
    );
    assert!(queries::messages(&mut tx, &[house]).await.unwrap().is_empty());
    assert_eq!(
        queries::reply(&mut tx, f.user.by(), house, "Can I see it?")
            .await
            .unwrap(),
        Outcome::NotFound
    );
    done(
        queries::reply(&mut tx, f.user.by(), whole, "Me too")
            .await
            .unwrap(),
    );
    // Row-level security alone (no store filter) hides the other site's query and its messages.
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM invoice_queries")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    let messages: i64 = sqlx::query_scalar("SELECT count(*) FROM invoice_query_messages WHERE query_id = $1")
        .bind(house)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!((rows, messages), (2, 0));
    tx.commit().await.unwrap();
}

#[sqlx::test(migrations = "../migrations")]
async fn the_other_tenant_cannot_see_or_touch_a_query(db: PgPool) {
    let f = fixture(db).await;
    let mut tx = f.whole.begin(&f.app).await.unwrap();
    let q = done(
        queries::raise(&mut tx, f.admin.by(), f.invoice, Some(f.felixstowe_line), "Ours")
            .await
            .unwrap(),
    );
    tx.commit().await.unwrap();

    let other = Person {
        id: user_id(&f.db, OTHER_ADMIN).await,
        email: OTHER_ADMIN,
        name: "Riverside",
        role: Role::CustomerAdmin,
        organisation_id: Some(org(&f.db, "Riverside Leisure Ltd").await),
    };
    let mut tx = f.riverside.begin(&f.app).await.unwrap();
    assert!(queries::find(&mut tx, Filter::default())
        .await
        .unwrap()
        .is_empty());
    assert!(queries::messages(&mut tx, &[q]).await.unwrap().is_empty());
    assert_eq!(queries::invoice_head(&mut tx, f.invoice).await.unwrap(), None);
    assert!(queries::line_options(&mut tx, f.invoice)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        queries::raise(&mut tx, other.by(), f.invoice, None, "Theirs")
            .await
            .unwrap(),
        Outcome::NotFound
    );
    assert_eq!(
        queries::reply(&mut tx, other.by(), q, "Hello").await.unwrap(),
        Outcome::NotFound
    );
    assert_eq!(
        queries::explain(&mut tx, other.by(), q, "Done").await.unwrap(),
        Outcome::NotFound
    );
    let lines = corrected(&f);
    assert_eq!(
        credit::credit_and_rebill(
            &mut tx,
            other.by(),
            q,
            "Done",
            Rebill {
                lines: &lines,
                vat: Pence(1)
            }
        )
        .await
        .unwrap(),
        Outcome::NotFound
    );
    let (rows, messages): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM invoice_queries), (SELECT count(*) FROM invoice_query_messages)",
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    assert_eq!((rows, messages), (0, 0), "row-level security shows nothing");
    drop(tx);
    assert_eq!(status_of(&f.db, f.invoice).await.0, "queried", "nothing changed");
    assert_eq!(audit(&f.db).await.len(), 1, "only the raise was recorded");
}

// ---- The server fns ----------------------------------------------------------------------------

#[sqlx::test(migrations = "../migrations")]
async fn the_server_fns_refuse_bad_input_with_a_clear_message(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let castlegate = org(&db, "Castlegate Group Ltd").await;
    let felixstowe = point_at(&db, "Felixstowe Cold Store").await;
    let (invoice, lines) =
        invoice_with_lines(&db, castlegate, "INV-T-1", "issued", &[(Some(felixstowe), 1_000)]).await;
    let admin = login(&app, CUSTOMER_ADMIN).await;
    let raise = |form: String| {
        let app = app.clone();
        let admin = admin.clone();
        async move { call_as(&app, "/api/queries/raise", &form, Some(&admin)).await }
    };
    let bad = |res: Reply, says: &str| {
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.body);
        assert!(res.body.contains(says), "{} should say {says}", res.body);
    };
    bad(
        raise(format!("invoice_id={invoice}&message=+%0A+")).await,
        "Write a message",
    );
    bad(
        raise(format!(
            "invoice_id={invoice}&message={}",
            "x".repeat(MAX_MESSAGE_CHARS + 1)
        ))
        .await,
        "4001 characters long; at most 4000",
    );
    bad(
        raise(format!("invoice_id={invoice}&line_id=abc&message=Hi")).await,
        "Choose the whole invoice or one of its lines",
    );
    bad(
        raise(format!("invoice_id={invoice}&line_id=-3&message=Hi")).await,
        "Choose the whole invoice or one of its lines",
    );
    let res = raise("invoice_id=abc&message=Hi".to_string()).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.body);
    // A line of another invoice is not there.
    let (other_invoice, _) = invoice_with_lines(&db, castlegate, "INV-T-2", "issued", &[(None, 5)]).await;
    let res = raise(format!(
        "invoice_id={other_invoice}&line_id={}&message=Hi",
        lines[0]
    ))
    .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.body);
    // The longest message is fine, and the query is raised on the line.
    let res = raise(format!(
        "invoice_id={invoice}&line_id={}&message={}",
        lines[0],
        "x".repeat(MAX_MESSAGE_CHARS)
    ))
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let query: i64 = res.body.parse().unwrap();

    let am = login(&app, ACCOUNT_MANAGER).await;
    let resolve = |form: String, who: String| {
        let app = app.clone();
        async move { call_as(&app, "/api/queries/resolve", &form, Some(&who)).await }
    };
    let res = resolve(
        format!("query_id={query}&resolution=refunded&message=Hi"),
        am.clone(),
    )
    .await;
    assert_eq!(
        res.status,
        StatusCode::BAD_REQUEST,
        "an unknown resolution: {}",
        res.body
    );
    bad(
        resolve(
            format!("query_id={query}&resolution=explained&message="),
            am.clone(),
        )
        .await,
        "Write a message",
    );
    // Customers do not resolve; staff do not raise.
    let res = resolve(
        format!("query_id={query}&resolution=explained&message=Fine"),
        admin.clone(),
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = call_as(
        &app,
        "/api/queries/raise",
        &format!("invoice_id={invoice}&message=Hi"),
        Some(&am),
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // Without a contract and HH data there is no shadow bill to re-bill from: said, not guessed.
    bad(
        resolve(
            format!("query_id={query}&resolution=credited&message=Credited"),
            am.clone(),
        )
        .await,
        "cannot be rebuilt from its contract and half-hourly data",
    );
    // Explained: the customer sees the thread with both messages, and the invoice is issued again.
    let res = resolve(
        format!("query_id={query}&resolution=explained&message=Correct+as+billed"),
        am.clone(),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let res = call_as(
        &app,
        "/api/queries/detail",
        &format!("query_id={query}"),
        Some(&admin),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let thread = res.json();
    assert_eq!(thread["query"]["status"], "explained");
    assert_eq!(thread["can_reply"], false);
    assert_eq!(thread["messages"][1]["body"], "Correct as billed");
    assert_eq!(thread["messages"][1]["staff"], true);
    assert_eq!(status_of(&db, invoice).await, ("issued".into(), None));
    bad(
        call_as(
            &app,
            "/api/queries/reply",
            &format!("query_id={query}&message=More"),
            Some(&admin),
        )
        .await,
        "This query is resolved",
    );
}

/// The issue's case on the demo data, through the server fns: the customer queries the
/// mis-billed February invoice, the account manager credits it; the re-bill is the shadow bill
/// (28 days of standing charge, the red band as metered), passes bill validation, and the totals
/// reconcile.
#[sqlx::test(migrations = "../migrations")]
async fn crediting_the_mis_billed_demo_invoice_rebills_it_from_the_half_hourly_data(db: PgPool) {
    use app::domain::billing::Verdict;
    use app::store::validation::{shadow_bill, validate_invoice};
    server::seed::seed_demo(&db, 2026).await.expect("demo data");
    let app = app(db.clone());
    let invoice = id_of(
        &db,
        "SELECT id FROM invoices WHERE invoice_number = $1",
        "INV-NGE-100234-202602",
    )
    .await;
    let standing_line: i64 = sqlx::query_scalar(
        "SELECT l.id FROM invoice_lines l JOIN supply_points sp ON sp.id = l.supply_point_id
         JOIN sites s ON s.id = sp.site_id
         WHERE l.invoice_id = $1 AND l.charge_type = 'standing_charge' AND s.name = 'Felixstowe Cold Store'",
    )
    .bind(invoice)
    .fetch_one(&db)
    .await
    .unwrap();
    let original = head(&db, invoice).await;

    // The restricted user may query the cold store's line; the customer admin does.
    let user = login(&app, CUSTOMER_USER).await;
    let res = call_as(
        &app,
        "/api/queries/invoice",
        &format!("invoice_id={invoice}"),
        Some(&user),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let panel = res.json();
    assert_eq!(panel["can_raise"], true);
    assert!(panel["lines"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["id"] == standing_line));
    let admin = login(&app, CUSTOMER_ADMIN).await;
    let res = call_as(
        &app,
        "/api/queries/raise",
        &format!("invoice_id={invoice}&line_id={standing_line}&message=31+days+in+February%3F"),
        Some(&admin),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let query: i64 = res.body.parse().unwrap();

    let am = login(&app, ACCOUNT_MANAGER).await;
    let res = call_as(&app, "/api/queries/list", "", Some(&am)).await;
    let queue = res.json();
    assert_eq!(queue["staff"], true);
    assert_eq!(queue["queries"][0]["id"], query);
    assert_eq!(queue["queries"][0]["invoice_status"], "queried");
    assert!(queue["queries"][0]["about"]
        .as_str()
        .unwrap()
        .starts_with("Standing charge, 31 days"));
    let credit_form = format!("query_id={query}&resolution=credited&message=Credited+and+re-billed");
    let credit = || call_as(&app, "/api/queries/resolve", &credit_form, Some(&am));
    // A shadow bill that cannot be complete (the contract prices no green-band energy) is no
    // basis for a re-bill: refused with the reason, and nothing is written.
    let green: String = sqlx::query_scalar(
        "DELETE FROM contract_rates r USING contracts c
         WHERE c.id = r.contract_id AND c.reference = 'CG-2025-HH-01' AND r.rate_name = 'green'
         RETURNING r.p_per_kwh::text",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    let res = credit().await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.body);
    assert!(
        res.body.contains("cannot be re-billed from the half-hourly data"),
        "{}",
        res.body
    );
    assert_eq!(head(&db, invoice).await.3, "queried");
    sqlx::query(
        "INSERT INTO contract_rates (contract_id, organisation_id, rate_name, p_per_kwh)
         SELECT id, organisation_id, 'green', $1::numeric FROM contracts WHERE reference = 'CG-2025-HH-01'",
    )
    .bind(&green)
    .execute(&db)
    .await
    .unwrap();
    let res = credit().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);

    let res = call_as(
        &app,
        "/api/queries/detail",
        &format!("query_id={query}"),
        Some(&admin),
    )
    .await;
    let thread = res.json();
    assert_eq!(thread["query"]["status"], "credited");
    let credit_note = thread["query"]["credit_note"]["id"].as_i64().unwrap();
    let rebill = thread["query"]["rebill"]["id"].as_i64().unwrap();
    let note = head(&db, credit_note).await;
    let re = head(&db, rebill).await;
    assert_eq!(head(&db, invoice).await.3, "credited");
    assert_eq!(original.2 + note.2, 0, "invoice + credit note = 0");
    assert_eq!(
        lines_of(&db, credit_note).await.iter().map(|l| l.4).sum::<i64>(),
        note.0
    );
    let re_lines = lines_of(&db, rebill).await;
    assert_eq!(
        re_lines.iter().map(|l| l.4).sum::<i64>(),
        re.0,
        "re-bill net = its lines"
    );
    assert_eq!(re.2, re.0 + re.1, "re-bill total = net + VAT");
    assert!(
        re.2 < original.2,
        "the re-bill is lower: {} vs {}",
        re.2,
        original.2
    );

    // The re-bill is exactly the shadow bill, and bill validation finds nothing wrong with it.
    let castlegate = org(&db, "Castlegate Group Ltd").await;
    let mut tx = Scope::organisations(vec![castlegate])
        .begin(&app_pool(&db))
        .await
        .unwrap();
    let shadow = shadow_bill(&mut tx, invoice)
        .await
        .unwrap()
        .expect("a shadow bill");
    assert_eq!((re.0, re.1, re.2), (shadow.net.0, shadow.vat.0, shadow.total.0));
    assert_eq!(re_lines.len(), shadow.lines.len());
    assert!(re_lines
        .iter()
        .any(|l| l.0.is_some() && l.1 == "standing_charge" && l.2 == "28.000"));
    assert!(re_lines
        .iter()
        .all(|l| l.1 != "standing_charge" || l.2 == "28.000"));
    let check = validate_invoice(&mut tx, rebill)
        .await
        .unwrap()
        .expect("in scope");
    assert_eq!(
        check.validation.verdict,
        Verdict::Ok,
        "{}",
        check.validation.summary
    );
}
