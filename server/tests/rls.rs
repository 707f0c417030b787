//! Row-level security on its own: queries as the app role with a tenant's scope see only that
//! tenant's rows, even with no filter of the store layer's in the SQL.
mod common;

use sqlx::{PgPool, Row};

async fn org(db: &PgPool, name: &str) -> i64 {
    common::id_of(db, "SELECT id FROM organisations WHERE name = $1", name).await
}

async fn count_as_app(db: &PgPool, orgs: Option<&str>, sites: Option<&str>, table: &str) -> i64 {
    let mut tx = db.begin().await.unwrap();
    sqlx::query("SET LOCAL ROLE portal_app")
        .execute(&mut *tx)
        .await
        .unwrap();
    if let Some(o) = orgs {
        sqlx::query("SELECT set_config('app.org_ids', $1, true), set_config('app.site_ids', $2, true)")
            .bind(o)
            .bind(sites.unwrap_or("*"))
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    let n: i64 = sqlx::query(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(&mut *tx)
        .await
        .unwrap()
        .get(0);
    tx.rollback().await.unwrap();
    n
}

#[sqlx::test(migrations = "../migrations")]
async fn the_app_role_sees_only_the_scoped_tenant(db: PgPool) {
    server::seed::seed_people(&db, 7).await.unwrap();
    let castlegate = org(&db, "Castlegate Group Ltd").await;
    let riverside = org(&db, "Riverside Leisure Ltd").await;
    // As owner (no RLS) there are 8 sites.
    let all: i64 = sqlx::query_scalar("SELECT count(*) FROM sites")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(all, 8);
    assert_eq!(
        count_as_app(&db, Some(&riverside.to_string()), None, "sites").await,
        2
    );
    assert_eq!(
        count_as_app(&db, Some(&castlegate.to_string()), None, "sites").await,
        6
    );
    assert_eq!(
        count_as_app(&db, Some(&riverside.to_string()), None, "supply_points").await,
        2
    );
    assert_eq!(
        count_as_app(&db, Some(&riverside.to_string()), None, "organisations").await,
        1
    );
    // Another tenant's rows by id: nothing, even asked for directly.
    let mut tx = db.begin().await.unwrap();
    sqlx::query("SET LOCAL ROLE portal_app")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("SELECT set_config('app.org_ids', $1, true), set_config('app.site_ids', '*', true)")
        .bind(riverside.to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
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
    tx.rollback().await.unwrap();
}

#[sqlx::test(migrations = "../migrations")]
async fn without_a_scope_the_app_role_sees_nothing(db: PgPool) {
    server::seed::seed_people(&db, 7).await.unwrap();
    for table in [
        "organisations",
        "sites",
        "supply_points",
        "meters",
        "hh_day",
        "invoices",
        "contracts",
    ] {
        assert_eq!(count_as_app(&db, None, None, table).await, 0, "{table}");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_site_restriction_limits_sites_and_supply_points(db: PgPool) {
    server::seed::seed_people(&db, 7).await.unwrap();
    let castlegate = org(&db, "Castlegate Group Ltd").await.to_string();
    let felixstowe = common::site_id(&db, "Felixstowe Cold Store").await.to_string();
    assert_eq!(
        count_as_app(&db, Some(&castlegate), Some(&felixstowe), "sites").await,
        1
    );
    assert_eq!(
        count_as_app(&db, Some(&castlegate), Some(&felixstowe), "supply_points").await,
        1
    );
    assert_eq!(
        count_as_app(&db, Some(&castlegate), Some(&felixstowe), "meters").await,
        1
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn scope_settings_do_not_outlive_their_transaction(db: PgPool) {
    let mut conn = db.acquire().await.unwrap();
    let mut tx = sqlx::Acquire::begin(&mut *conn).await.unwrap();
    sqlx::query("SELECT set_config('app.org_ids', '1,2', true)")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let after: Option<String> = sqlx::query_scalar("SELECT nullif(current_setting('app.org_ids', true), '')")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(after, None);
}
