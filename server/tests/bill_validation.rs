//! Bill validation on the demo data, on real Postgres through the app's RLS-bound role: the
//! deliberately mis-billed invoice is flagged with exactly its two errors, every other demo
//! invoice is OK (no false positives), the levy follows its dated rate, and a user restricted to
//! some sites gets the check of those sites only.
mod common;

use app::domain::billing::{ChargeType, Outcome, Verdict};
use app::store::scope::Scope;
use app::store::validation::{validate_all, validate_invoice};
use sqlx::PgPool;

fn app_pool(db: &PgPool) -> PgPool {
    server::db::app_pool((*db.connect_options()).clone(), 2, "portal_app")
}

async fn org(db: &PgPool, name: &str) -> i64 {
    common::id_of(db, "SELECT id FROM organisations WHERE name = $1", name).await
}

#[sqlx::test(migrations = "../migrations")]
async fn the_demo_invoices_hold_exactly_the_two_known_errors(db: PgPool) {
    server::seed::seed_demo(&db, 2026).await.expect("demo data");
    let app_db = app_pool(&db);
    let castlegate = org(&db, "Castlegate Group Ltd").await;
    let riverside = org(&db, "Riverside Leisure Ltd").await;
    let scope = Scope::all_organisations(vec![castlegate, riverside]);
    let mut tx = scope.begin(&app_db).await.unwrap();
    let checks = validate_all(&mut tx).await.unwrap();
    assert_eq!(checks.len(), 28, "14 monthly invoices for each of 2 customers");

    for c in &checks {
        let flagged: Vec<_> = c
            .validation
            .lines
            .iter()
            .filter(|l| l.outcome.is_flagged())
            .collect();
        if c.invoice.invoice_number == "INV-NGE-100234-202602" {
            assert_eq!(c.validation.verdict, Verdict::Query, "{}", c.validation.summary);
            assert_eq!(flagged.len(), 2, "{flagged:#?}");
            let standing = flagged
                .iter()
                .find(|l| l.expected.as_ref().unwrap().charge_type == ChargeType::StandingCharge)
                .expect("the standing charge is flagged");
            assert_eq!(standing.outcome, Outcome::OverBilled);
            assert_eq!(
                standing.reason,
                "Standing charge billed for 31 days; the period has 28."
            );
            let red = flagged
                .iter()
                .find(|l| l.expected.as_ref().unwrap().component == "red")
                .expect("the red-band energy is flagged");
            assert_eq!(red.outcome, Outcome::OverBilled);
            assert!(red.reason.contains("(+12.0 %)"), "{}", red.reason);
            assert!(c.validation.at_stake.0 > 0);
            assert!(!c.validation.volume.within_tolerance);
        } else {
            assert_eq!(
                c.validation.verdict,
                Verdict::Ok,
                "{}: {} {flagged:#?}",
                c.invoice.invoice_number,
                c.validation.summary
            );
        }
        // The levy line carries the rate in force for the period.
        let shadow = c.shadow.as_ref().expect("a shadow bill");
        let levy = if c.invoice.period_start >= "2026-04-01".parse().unwrap() {
            "0.801"
        } else {
            "0.775"
        };
        for l in shadow
            .lines
            .iter()
            .filter(|l| l.charge_type == ChargeType::ClimateChangeLevy)
        {
            assert_eq!(l.rate.to_string(), levy, "{}", c.invoice.invoice_number);
        }
        assert!(c.shadow.as_ref().unwrap().runs_used() != "no data");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_restricted_user_gets_the_check_of_their_sites_only(db: PgPool) {
    server::seed::seed_demo(&db, 2026).await.expect("demo data");
    let app_db = app_pool(&db);
    let castlegate = org(&db, "Castlegate Group Ltd").await;
    let sites: Vec<i64> = sqlx::query_scalar(
        "SELECT site_id FROM user_site_access a JOIN users u ON u.id = a.user_id WHERE u.email = 'energy@castlegate.example'",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(sites.len(), 2);
    let invoice = common::id_of(
        &db,
        "SELECT id FROM invoices WHERE invoice_number = $1",
        "INV-NGE-100234-202602",
    )
    .await;
    let all_points: i64 = sqlx::query_scalar("SELECT count(*) FROM supply_points WHERE organisation_id = $1")
        .bind(castlegate)
        .fetch_one(&db)
        .await
        .unwrap();
    let mine: Vec<i64> = sqlx::query_scalar("SELECT id FROM supply_points WHERE site_id = ANY($1)")
        .bind(&sites)
        .fetch_all(&db)
        .await
        .unwrap();
    assert!((mine.len() as i64) < all_points);

    let scope = Scope::organisations(vec![castlegate]).with_sites(sites);
    let mut tx = scope.begin(&app_db).await.unwrap();
    let c = validate_invoice(&mut tx, invoice)
        .await
        .unwrap()
        .expect("in scope");
    assert!(!c.whole_invoice);
    assert!(c.validation.vat.is_none(), "no VAT check on part of an invoice");
    for l in &c.validation.lines {
        let sp = l
            .billed
            .as_ref()
            .and_then(|b| b.supply_point_id)
            .or(l.expected.as_ref().and_then(|e| e.supply_point_id));
        assert!(
            sp.is_none_or(|sp| mine.contains(&sp)),
            "a line of another site: {l:#?}"
        );
    }
    assert_eq!(c.validation.data.len(), mine.len());

    // Another tenant's scope does not see the invoice at all.
    let riverside = org(&db, "Riverside Leisure Ltd").await;
    let mut tx = Scope::organisations(vec![riverside])
        .begin(&app_db)
        .await
        .unwrap();
    assert!(validate_invoice(&mut tx, invoice).await.unwrap().is_none());
}
