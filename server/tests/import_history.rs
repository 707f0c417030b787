//! The import history's store (`app::store::import_history`) on Postgres, as the app role: who
//! sees which uploads, in what order, and row-level security under the store's own filter.
mod common;

use app::domain::import_upload::ImportOutcome;
use app::domain::role::Role;
use app::store::import_history::{self, EntryRecord, NewEntry};
use app::store::scope::Scope;
use common::*;
use sqlx::PgPool;

struct People {
    ops: i64,
    am: i64,
    castlegate: i64,
    riverside: i64,
    app_db: PgPool,
}

async fn people(db: &PgPool) -> People {
    server::seed::seed_people(db, 2026).await.unwrap();
    let org = |name: &'static str| async move {
        id_of(db, "SELECT id FROM organisations WHERE name = $1", name).await
    };
    People {
        ops: user_id(db, OPS).await,
        am: user_id(db, ACCOUNT_MANAGER).await,
        castlegate: org("Castlegate Group Ltd").await,
        riverside: org("Riverside Leisure Ltd").await,
        app_db: server::db::app_pool((*db.connect_options()).clone(), 2, "portal_app"),
    }
}

impl People {
    fn ops_scope(&self) -> Scope {
        Scope::all_organisations(vec![self.castlegate, self.riverside])
    }

    fn am_scope(&self) -> Scope {
        Scope::organisations(vec![self.castlegate])
    }

    fn uploader(&self, user: i64) -> (&'static str, Role) {
        if user == self.ops {
            (OPS, Role::OpsAdmin)
        } else {
            (ACCOUNT_MANAGER, Role::AccountManager)
        }
    }

    /// Records a rejected file named `file` by `user` naming `orgs`, in `scope`.
    async fn record(&self, scope: &Scope, user: i64, file: &str, orgs: &[i64]) -> Result<i64, sqlx::Error> {
        let (email, role) = self.uploader(user);
        let mut tx = scope.begin(&self.app_db).await?;
        let id = import_history::record(
            &mut tx,
            &NewEntry {
                uploaded_by: user,
                uploader_email: email,
                uploader_role: role,
                file_name: file,
                bytes: 1234,
                sha256: None,
                outcome: ImportOutcome::Rejected,
                source_rows: 10,
                supply_points: orgs.len() as i32,
                days: 1,
                first_date: None,
                last_date: None,
                runs: &["SF".to_owned()],
                day_rows_new: 0,
                day_rows_known: 0,
                error_count: 2,
                report: &format!("{file}: rejected, nothing imported: 2 bad line(s)"),
                import_batch_id: None,
                organisation_ids: orgs,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn recent(&self, scope: &Scope, user: i64) -> Vec<EntryRecord> {
        let mut tx = scope.begin(&self.app_db).await.unwrap();
        import_history::recent(&mut tx, user, 50).await.unwrap()
    }
}

fn files(entries: &[EntryRecord]) -> Vec<&str> {
    entries.iter().map(|e| e.file_name.as_str()).collect()
}

#[sqlx::test(migrations = "../migrations")]
async fn operations_see_every_upload_and_account_managers_theirs_and_their_customers(db: PgPool) {
    let p = people(&db).await;
    let (ops, am) = (p.ops_scope(), p.am_scope());
    p.record(&ops, p.ops, "ops-castlegate.csv", &[p.castlegate])
        .await
        .unwrap();
    p.record(&ops, p.ops, "ops-riverside.csv", &[p.riverside])
        .await
        .unwrap();
    p.record(&ops, p.ops, "ops-bad-header.csv", &[]).await.unwrap();
    p.record(&am, p.am, "am-bad-header.csv", &[]).await.unwrap();
    let am_castlegate = p
        .record(&am, p.am, "am-castlegate.csv", &[p.castlegate])
        .await
        .unwrap();

    let all = p.recent(&ops, p.ops).await;
    assert_eq!(
        files(&all),
        vec![
            "am-castlegate.csv",
            "am-bad-header.csv",
            "ops-bad-header.csv",
            "ops-riverside.csv",
            "ops-castlegate.csv"
        ],
        "newest first"
    );
    assert!(
        all.iter().all(|e| e.report.is_none()),
        "the list carries no reports"
    );
    assert_eq!(all[3].customers, vec!["Riverside Leisure Ltd"]);
    assert_eq!(all[0].uploader_email, ACCOUNT_MANAGER);

    // The account manager: their own uploads (even one naming no customer) and any naming their
    // customer; not operations' upload for another customer, nor one naming nobody.
    let theirs = p.recent(&am, p.am).await;
    assert_eq!(
        files(&theirs),
        vec!["am-castlegate.csv", "am-bad-header.csv", "ops-castlegate.csv"]
    );

    // Entries asked for one by one come in the order asked, with their reports; another's is absent.
    let riverside_id = all[3].id;
    let castlegate_id = all[4].id;
    let mut tx = am.begin(&p.app_db).await.unwrap();
    let asked = import_history::entries(&mut tx, p.am, &[castlegate_id, am_castlegate, riverside_id])
        .await
        .unwrap();
    assert_eq!(files(&asked), vec!["ops-castlegate.csv", "am-castlegate.csv"]);
    assert_eq!(
        asked[1].report.as_deref(),
        Some("am-castlegate.csv: rejected, nothing imported: 2 bad line(s)")
    );
    assert_eq!(
        (asked[1].error_count, asked[1].source_rows, asked[1].bytes),
        (2, 10, 1234)
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn row_level_security_holds_the_history_to_the_scope_and_the_uploader(db: PgPool) {
    let p = people(&db).await;
    let (ops, am) = (p.ops_scope(), p.am_scope());
    p.record(&ops, p.ops, "ops-castlegate.csv", &[p.castlegate])
        .await
        .unwrap();
    p.record(&ops, p.ops, "ops-riverside.csv", &[p.riverside])
        .await
        .unwrap();
    p.record(&ops, p.ops, "ops-nobody.csv", &[]).await.unwrap();
    p.record(&am, p.am, "am-nobody.csv", &[]).await.unwrap();

    // An account manager cannot record an upload naming another customer.
    let err = p.record(&am, p.am, "x.csv", &[p.riverside]).await.unwrap_err();
    assert!(err.to_string().contains("row-level security"), "{err}");

    // Without the store's filter, the policy alone shows the account manager the same rows.
    let visible = |scope: Scope, user: Option<i64>| {
        let app_db = p.app_db.clone();
        async move {
            let mut tx = scope.begin(&app_db).await.unwrap();
            if let Some(u) = user {
                sqlx::query("SELECT set_config('app.user_id', $1, true)")
                    .bind(u.to_string())
                    .execute(&mut *tx)
                    .await
                    .unwrap();
            }
            sqlx::query_scalar::<_, String>("SELECT file_name FROM import_history ORDER BY file_name")
                .fetch_all(&mut *tx)
                .await
                .unwrap()
        }
    };
    assert_eq!(
        visible(am.clone(), Some(p.am)).await,
        vec!["am-nobody.csv", "ops-castlegate.csv"]
    );
    assert_eq!(
        visible(am, None).await,
        vec!["ops-castlegate.csv"],
        "no uploader set: none of theirs"
    );
    assert_eq!(visible(ops, Some(p.ops)).await.len(), 4);

    // An imported file names its batch; any other outcome none.
    let err = sqlx::query(
        "INSERT INTO import_history (uploaded_by, uploader_email, uploader_role, file_name, bytes, outcome, report)
         VALUES ($1, 'ops@northgate.example', 'ops_admin', 'x.csv', 1, 'imported', 'x')",
    )
    .bind(p.ops)
    .execute(&db)
    .await
    .unwrap_err();
    assert!(err.to_string().contains("import_history_batch"), "{err}");
}
