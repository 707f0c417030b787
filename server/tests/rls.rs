//! Row-level security on its own: queries on the server's app pool (the RLS-bound role), inside a
//! transaction opened by `Scope::begin`, see only that scope's rows, even with no filter of the
//! store layer's in the SQL.
mod common;

use app::store::scope::Scope;
use sqlx::PgPool;

/// The pool the server runs on: every connection `SET ROLE portal_app`. One connection, so
/// consecutive transactions reuse it.
fn app_pool(db: &PgPool) -> PgPool {
    server::db::app_pool((*db.connect_options()).clone(), 1, "portal_app")
}

async fn org(db: &PgPool, name: &str) -> i64 {
    common::id_of(db, "SELECT id FROM organisations WHERE name = $1", name).await
}

/// Rows of `table` belonging to `organisation`, counted as the owner (no RLS).
async fn owned_by(db: &PgPool, table: &str, organisation: i64) -> i64 {
    sqlx::query_scalar(&format!(
        "SELECT count(*) FROM {table} WHERE organisation_id = $1"
    ))
    .bind(organisation)
    .fetch_one(db)
    .await
    .unwrap()
}

async fn count_in(app: &PgPool, scope: &Scope, table: &str) -> i64 {
    let mut tx = scope.begin(app).await.unwrap();
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(&mut *tx)
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn the_app_role_sees_only_the_scoped_tenant(db: PgPool) {
    server::seed::seed_people(&db, 7).await.unwrap();
    let app = app_pool(&db);
    let castlegate = org(&db, "Castlegate Group Ltd").await;
    let riverside = org(&db, "Riverside Leisure Ltd").await;
    for table in ["sites", "supply_points", "meters"] {
        for o in [castlegate, riverside] {
            let mine = owned_by(&db, table, o).await;
            assert!(mine > 0, "{table} of {o}");
            assert_eq!(
                count_in(&app, &Scope::organisations(vec![o]), table).await,
                mine,
                "{table} of {o}"
            );
        }
    }
    assert_eq!(
        count_in(&app, &Scope::organisations(vec![riverside]), "organisations").await,
        1
    );
    // Another tenant's rows, asked for directly by their organisation: nothing.
    let mut tx = Scope::organisations(vec![riverside]).begin(&app).await.unwrap();
    let leaked: i64 = sqlx::query_scalar("SELECT count(*) FROM sites WHERE organisation_id = $1")
        .bind(castlegate)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(leaked, 0);
    // And the app role cannot write tenant data at all.
    assert!(sqlx::query("UPDATE sites SET name = 'x'")
        .execute(&mut *tx)
        .await
        .is_err());
}

#[sqlx::test(migrations = "../migrations")]
async fn without_a_scope_the_app_role_sees_nothing(db: PgPool) {
    server::seed::seed_people(&db, 7).await.unwrap();
    let app = app_pool(&db);
    for table in [
        "organisations",
        "sites",
        "supply_points",
        "meters",
        "hh_day",
        "invoices",
        "contracts",
    ] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(&app)
            .await
            .unwrap();
        assert_eq!(n, 0, "{table}");
        let empty_scope = count_in(&app, &Scope::organisations(vec![]), table).await;
        assert_eq!(empty_scope, 0, "{table} with an empty scope");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_site_restriction_limits_sites_and_supply_points(db: PgPool) {
    server::seed::seed_people(&db, 7).await.unwrap();
    let app = app_pool(&db);
    let castlegate = org(&db, "Castlegate Group Ltd").await;
    let felixstowe = common::site_id(&db, "Felixstowe Cold Store").await;
    let scope = Scope::organisations(vec![castlegate]).with_sites(vec![felixstowe]);
    assert_eq!(count_in(&app, &scope, "sites").await, 1);
    assert_eq!(count_in(&app, &scope, "supply_points").await, 1);
    assert_eq!(count_in(&app, &scope, "meters").await, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_scope_ends_with_its_transaction_on_a_reused_connection(db: PgPool) {
    server::seed::seed_people(&db, 7).await.unwrap();
    let app = app_pool(&db);
    let castlegate = org(&db, "Castlegate Group Ltd").await;
    let riverside = org(&db, "Riverside Leisure Ltd").await;
    let felixstowe = common::site_id(&db, "Felixstowe Cold Store").await;
    let find = "SELECT name FROM sites WHERE id = $1";

    // Castlegate's scope, committed: its site is visible inside.
    let mut tx = Scope::organisations(vec![castlegate]).begin(&app).await.unwrap();
    let seen: Option<String> = sqlx::query_scalar(find)
        .bind(felixstowe)
        .fetch_optional(&mut *tx)
        .await
        .unwrap();
    assert_eq!(seen.as_deref(), Some("Felixstowe Cold Store"));
    tx.commit().await.unwrap();

    // The same (only) connection afterwards, with no scope: the site is gone.
    let after: Option<String> = sqlx::query_scalar(find)
        .bind(felixstowe)
        .fetch_optional(&app)
        .await
        .unwrap();
    assert_eq!(after, None, "a committed scope outlived its transaction");

    // And with another tenant's scope on that connection: still invisible.
    let mut tx = Scope::organisations(vec![riverside]).begin(&app).await.unwrap();
    let other: Option<String> = sqlx::query_scalar(find)
        .bind(felixstowe)
        .fetch_optional(&mut *tx)
        .await
        .unwrap();
    assert_eq!(other, None, "Riverside's scope shows a Castlegate site");
}
