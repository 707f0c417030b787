//! What the AWS deployment relies on, tested without AWS (infra/README.md):
//!
//! - one database login per role, connecting **without `SET ROLE`** (so RDS Proxy multiplexes):
//!   row-level security holds as with `SET ROLE`, each login reaches only its role, and the
//!   whole portal serves through such logins;
//! - secrets read from the Parameters and Secrets extension's HTTP interface (a stand-in on
//!   loopback here), and a rotated database password reaching the pools;
//! - pages that name their `/pkg` files on the static files' origin (`ASSET_ORIGIN`), with the
//!   Content-Security-Policy allowing that origin only.
mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::state::AppState;
use app::store::scope::Scope;
use axum::http::StatusCode;
use leptos::config::LeptosOptions;
use server::secrets::{DbCredentials, DbSecret, Login, SecretsClient};
use sqlx::postgres::PgConnectOptions;
use sqlx::PgPool;

/// The static files' origin every page of this test process names (read once per process).
const ASSET_ORIGIN: &str = "https://static.portal.test";

fn set_asset_origin() {
    // Every test of this file sets the same value before anything reads it.
    std::env::set_var("ASSET_ORIGIN", ASSET_ORIGIN);
}

/// A login name of its own per test: roles belong to the whole cluster, and tests run at once.
fn login_name(prefix: &str) -> String {
    format!("{prefix}_{:08x}", rand::random::<u32>())
}

/// `db`'s connect options, as `login` (trust authentication on the test cluster: the password
/// is carried, not checked).
fn as_login(db: &PgPool, login: &str, password: &str) -> PgConnectOptions {
    (*db.connect_options()).clone().username(login).password(password)
}

async fn make_login(db: &PgPool, login: &str, role: &str) {
    let mut conn = db.acquire().await.unwrap();
    server::db::ensure_login(&mut conn, login, "first-password", role, false)
        .await
        .unwrap();
}

async fn drop_login(db: &PgPool, login: &str) {
    // Best effort: the role owns nothing; its grants and settings go with it.
    let _ = sqlx::raw_sql(&format!("DROP ROLE IF EXISTS {login}"))
        .execute(db)
        .await;
}

async fn org(db: &PgPool, name: &str) -> i64 {
    common::id_of(db, "SELECT id FROM organisations WHERE name = $1", name).await
}

#[sqlx::test(migrations = "../migrations")]
async fn a_login_per_role_keeps_row_level_security_without_set_role(db: PgPool) {
    server::seed::seed_people(&db, 7).await.unwrap();
    let (app_login, auth_login) = (login_name("t_web_app"), login_name("t_web_auth"));
    make_login(&db, &app_login, "portal_app").await;
    make_login(&db, &auth_login, "portal_auth").await;
    let app = server::db::login_pool(as_login(&db, &app_login, "x"), 1);
    let auth = server::db::login_pool(as_login(&db, &auth_login, "x"), 1);

    // No statement ran on connect: the session is the login's own, its settings from the role.
    let (user, role, parallel): (String, String, String) = sqlx::query_as(
        "SELECT current_user::text, current_setting('role'), current_setting('max_parallel_workers_per_gather')",
    )
    .fetch_one(&app)
    .await
    .unwrap();
    assert_eq!(
        (user.as_str(), role.as_str(), parallel.as_str()),
        (app_login.as_str(), "none", "0")
    );

    // Row-level security as with SET ROLE portal_app: a scope sees its own tenant only.
    let castlegate = org(&db, "Castlegate Group Ltd").await;
    let riverside = org(&db, "Riverside Leisure Ltd").await;
    for (o, other) in [(castlegate, riverside), (riverside, castlegate)] {
        let mut tx = Scope::organisations(vec![o]).begin(&app).await.unwrap();
        let seen: Vec<i64> = sqlx::query_scalar("SELECT DISTINCT organisation_id FROM sites")
            .fetch_all(&mut *tx)
            .await
            .unwrap();
        assert_eq!(seen, vec![o], "scope {o} sees only its sites, not {other}'s");
    }
    // Outside any scope: nothing at all.
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM sites")
        .fetch_one(&app)
        .await
        .unwrap();
    assert_eq!(n, 0);
    // The app's login cannot read password hashes; the authentication's login can, but no tenant data.
    let hashes = sqlx::query("SELECT password_hash FROM users LIMIT 1")
        .fetch_all(&app)
        .await;
    assert!(hashes.is_err(), "the app login read password hashes");
    let hashes: Vec<String> = sqlx::query_scalar("SELECT password_hash FROM users")
        .fetch_all(&auth)
        .await
        .unwrap();
    assert!(!hashes.is_empty());
    assert!(sqlx::query("SELECT 1 FROM sites LIMIT 1")
        .fetch_all(&auth)
        .await
        .is_err());

    // The start-up checks pass for these logins, and find a login that reaches both roles.
    let mut conn = sqlx::ConnectOptions::connect(&as_login(&db, &app_login, "x"))
        .await
        .unwrap();
    assert!(
        server::db::login_role_problems(&mut conn, "portal_app", "portal_auth")
            .await
            .unwrap()
            .is_empty()
    );
    assert!(server::db::login_privilege_problems(&mut conn)
        .await
        .unwrap()
        .is_empty());
    let both = login_name("t_web_both");
    make_login(&db, &both, "portal_app").await;
    make_login(&db, &both, "portal_auth").await;
    let mut conn = sqlx::ConnectOptions::connect(&as_login(&db, &both, "x"))
        .await
        .unwrap();
    let problems = server::db::login_role_problems(&mut conn, "portal_app", "portal_auth")
        .await
        .unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("also a member of portal_auth"),
        "{problems:?}"
    );
    // What production runs at start-up, one connection per login.
    server::db::refuse_unfit_role_login(&as_login(&db, &app_login, "x"), "portal_app", "portal_auth")
        .await
        .unwrap();
    let refused =
        server::db::refuse_unfit_role_login(&as_login(&db, &both, "x"), "portal_app", "portal_auth")
            .await
            .unwrap_err();
    assert!(refused.to_string().contains("not fit"), "{refused}");
    drop(conn);
    let mut conn = sqlx::ConnectOptions::connect(&as_login(&db, &app_login, "x"))
        .await
        .unwrap();
    let problems = server::db::login_role_problems(&mut conn, "portal_auth", "portal_app")
        .await
        .unwrap();
    assert!(
        problems
            .iter()
            .any(|p| p.contains("does not inherit portal_auth")),
        "{problems:?}"
    );
    drop(conn);
    app.close().await;
    auth.close().await;
    for l in [&app_login, &auth_login, &both] {
        drop_login(&db, l).await;
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn ensure_login_is_idempotent_and_keeps_a_rotated_password(db: PgPool) {
    let login = login_name("t_web_idem");
    let mut conn = db.acquire().await.unwrap();
    let first = server::db::ensure_login(&mut conn, &login, "one", "portal_app", false)
        .await
        .unwrap();
    assert!(first.created && first.password_set);
    // A rotation changed the password since: a later deploy does not set it back.
    let again = server::db::ensure_login(&mut conn, &login, "two", "portal_app", false)
        .await
        .unwrap();
    assert!(!again.created && !again.password_set);
    let forced = server::db::ensure_login(&mut conn, &login, "three", "portal_app", true)
        .await
        .unwrap();
    assert!(forced.password_set);
    // A login that could bypass row-level security is refused, not quietly used.
    sqlx::raw_sql(&format!("ALTER ROLE {login} CREATEDB"))
        .execute(&mut *conn)
        .await
        .unwrap();
    let err = server::db::ensure_login(&mut conn, &login, "x", "portal_app", false)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("must not have"), "{err}");
    // A name that would need quoting is quoted, not run as SQL.
    let odd = format!("{}; DROP TABLE sites; --", login_name("t_odd"));
    server::db::ensure_login(&mut conn, &odd, "p'w", "portal_app", false)
        .await
        .unwrap();
    let sites: i64 = sqlx::query_scalar("SELECT count(*) FROM sites")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(sites, 0, "the table is still there");
    drop(conn);
    drop_login(&db, &login).await;
    let drop_odd: String = sqlx::query_scalar("SELECT format('DROP ROLE %I', $1::text)")
        .bind(&odd)
        .fetch_one(&db)
        .await
        .unwrap();
    sqlx::raw_sql(&drop_odd).execute(&db).await.unwrap();
}

#[sqlx::test(migrations = "../migrations")]
async fn the_portal_serves_through_one_login_per_role(db: PgPool) {
    set_asset_origin();
    server::seed::seed_people(&db, 2026).await.unwrap();
    let (app_login, auth_login) = (login_name("t_srv_app"), login_name("t_srv_auth"));
    make_login(&db, &app_login, "portal_app").await;
    make_login(&db, &auth_login, "portal_auth").await;
    let auth_url = {
        let o = as_login(&db, &auth_login, "x");
        format!(
            "postgres://{auth_login}:x@{}:{}/{}",
            o.get_host(),
            o.get_port(),
            o.get_database().unwrap()
        )
    };
    let config = server::config::Config {
        auth_database_url: Some(auth_url),
        ..common::config()
    };
    let leptos_options = LeptosOptions::builder()
        .output_name("ic-portal")
        .site_root("target/site")
        .build();
    let app = server::router::app(
        AppState {
            leptos_options,
            db: server::db::login_pool(as_login(&db, &app_login, "x"), 2),
        },
        &config,
    );
    // Sign-in (the auth login), a page and a server fn (the app login).
    let cookie = common::login(&app, common::CUSTOMER_ADMIN).await;
    let page = common::get_as(&app, "/sites", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Felixstowe Cold Store"));
    let felixstowe = common::site_id(&db, "Felixstowe Cold Store").await;
    let res = common::call_as(
        &app,
        "/api/sites/detail",
        &format!("site_id={felixstowe}"),
        Some(&cookie),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.json()["site"]["name"], "Felixstowe Cold Store");
    drop(app);
    for l in [&app_login, &auth_login] {
        drop_login(&db, l).await;
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn pages_name_their_pkg_files_on_the_asset_origin(db: PgPool) {
    set_asset_origin();
    let app = common::app(db);
    let page = common::get(&app, "/login").await;
    assert_eq!(page.status, StatusCode::OK);
    // The client (module and WASM), the stylesheet and the loader's root, whatever the files'
    // names (content-hashed ones too).
    for wanted in [
        format!(r#"rel="modulepreload" href="{ASSET_ORIGIN}/pkg/ic-portal"#),
        format!(r#"rel="preload" href="{ASSET_ORIGIN}/pkg/ic-portal"#),
        format!(r#"rel="stylesheet" href="{ASSET_ORIGIN}/pkg/ic-portal"#),
        format!(r#"("{ASSET_ORIGIN}", "pkg","#),
    ] {
        assert!(page.body.contains(&wanted), "{wanted} not in {}", page.body);
    }
    assert!(
        !page.body.contains(r#"href="/pkg/"#),
        "a /pkg file on the portal's own origin"
    );
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    for directive in [
        "script-src 'self' https://static.portal.test 'nonce-",
        "style-src 'self' https://static.portal.test;",
        "connect-src 'self' https://static.portal.test;",
    ] {
        assert!(csp.contains(directive), "{directive} not in {csp}");
    }
}

/// A stand-in for the Parameters and Secrets extension: `GET /secretsmanager/get?secretId=…`
/// with the session token in `X-Aws-Parameters-Secrets-Token`, answering as GetSecretValue.
#[derive(Clone, Default)]
struct FakeExtension {
    secrets: Arc<Mutex<std::collections::HashMap<String, String>>>,
    calls: Arc<Mutex<Vec<String>>>,
}

impl FakeExtension {
    fn set(&self, id: &str, value: &str) {
        self.secrets.lock().unwrap().insert(id.into(), value.into());
    }

    async fn start(&self) -> String {
        use axum::extract::{Query, State};
        use axum::http::HeaderMap;
        async fn get(
            State(fake): State<FakeExtension>,
            headers: HeaderMap,
            Query(q): Query<std::collections::HashMap<String, String>>,
        ) -> (StatusCode, String) {
            if headers
                .get("x-aws-parameters-secrets-token")
                .map(|v| v.as_bytes())
                != Some(b"session-token")
            {
                return (StatusCode::UNAUTHORIZED, "no token".into());
            }
            let id = q.get("secretId").cloned().unwrap_or_default();
            fake.calls.lock().unwrap().push(id.clone());
            match fake.secrets.lock().unwrap().get(&id) {
                Some(v) => (
                    StatusCode::OK,
                    serde_json::json!({"ARN": id, "Name": "n", "SecretString": v, "VersionId": "v1",
                                       "VersionStages": ["AWSCURRENT"], "CreatedDate": "2026-11-29T00:00:00Z"})
                    .to_string(),
                ),
                None => (StatusCode::BAD_REQUEST, "ResourceNotFoundException".into()),
            }
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = axum::Router::new()
            .route("/secretsmanager/get", axum::routing::get(get))
            .with_state(self.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}")
    }
}

const APP_ARN: &str = "arn:aws:secretsmanager:eu-west-2:111122223333:secret:portal/dev/app-login-AbCdEf";

#[tokio::test]
async fn secrets_come_from_the_extension_and_become_the_configuration() {
    let fake = FakeExtension::default();
    fake.set("arn:keys", "k2026:0123456789abcdef0123456789abcdef0123");
    fake.set("arn:smtp", r#"{"username":"AKIAEXAMPLE","password":"smtp pass"}"#);
    fake.set(
        APP_ARN,
        r#"{"username":"portal_web_app","password":"s3cr3t/+","engine":"postgres","host":"db.internal","port":5432,"dbname":"portal"}"#,
    );
    let base = fake.start().await;
    let client = SecretsClient::new(base.clone(), "session-token");
    let env = |name: &str| -> Option<String> {
        match name {
            "SESSION_KEYS_SECRET_ARN" => Some("arn:keys".into()),
            "SMTP_SECRET_ARN" => Some("arn:smtp".into()),
            "DB_APP_SECRET_ARN" => Some(APP_ARN.into()),
            "DB_HOST" => Some("proxy.internal".into()),
            _ => None,
        }
    };
    assert!(server::secrets::wanted(&env));
    let values = server::secrets::resolve(&client, &env).await.unwrap();
    let get = |k: &str| values.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone());
    assert_eq!(
        get("SESSION_KEYS").as_deref(),
        Some("k2026:0123456789abcdef0123456789abcdef0123")
    );
    assert_eq!(get("SMTP_USERNAME").as_deref(), Some("AKIAEXAMPLE"));
    assert_eq!(get("SMTP_PASSWORD").as_deref(), Some("smtp pass"));
    let url = get("DATABASE_URL").unwrap();
    assert_eq!(
        url,
        "postgres://portal_web_app:s3cr3t%2F%2B@proxy.internal:5432/portal?sslmode=verify-full"
    );
    assert_eq!(get("AUTH_DATABASE_URL"), None);
    // The URL parses back to the secret's credentials.
    let opts: PgConnectOptions = url.parse().unwrap();
    assert_eq!(opts.get_username(), "portal_web_app");
    assert!(format!("{opts:?}").contains("\"s3cr3t/+\""));

    // A missing secret, or a wrong token, is an error that names the secret, not a panic.
    let err = client.get("arn:missing").await.unwrap_err().to_string();
    assert!(err.contains("arn:missing") && err.contains("400"), "{err}");
    let wrong = SecretsClient::new(base, "other-token");
    assert!(wrong
        .get("arn:keys")
        .await
        .unwrap_err()
        .to_string()
        .contains("401"));
    // Nothing listening: refused after a few quick tries.
    let nobody = SecretsClient::new("http://127.0.0.1:9", "session-token");
    let started = std::time::Instant::now();
    assert!(matches!(
        nobody.get("arn:keys").await,
        Err(server::secrets::SecretError::Unreachable { .. })
    ));
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_rotated_database_password_reaches_the_pools(db: PgPool) {
    let fake = FakeExtension::default();
    fake.set(APP_ARN, r#"{"username":"portal_web_app","password":"before"}"#);
    let client = SecretsClient::new(fake.start().await, "session-token");
    let credentials = DbCredentials::new(client, Duration::ZERO, APP_ARN.into(), None);
    let pool = server::db::login_pool(as_login(&db, "postgres", "before"), 1);
    credentials.track(Login::App, &pool);
    // The first check sets what the pool already has; a rotation then changes it once.
    assert_eq!(credentials.refresh().await.unwrap(), 1);
    assert_eq!(credentials.refresh().await.unwrap(), 0, "nothing changed");
    fake.set(
        APP_ARN,
        r#"{"username":"portal_web_app","password":"after-rotation"}"#,
    );
    credentials.refresh_if_due().await;
    let options = format!("{:?}", pool.connect_options());
    assert!(options.contains("\"after-rotation\""), "{options}");
    assert!(options.contains("\"portal_web_app\""), "{options}");
    // A secret that cannot be read leaves the pool as it is (and the request goes on).
    fake.set(APP_ARN, "not json");
    credentials.refresh_if_due().await;
    assert!(format!("{:?}", pool.connect_options()).contains("\"after-rotation\""));
    let parsed = DbSecret::parse("x", r#"{"username":"u","password":"p"}"#).unwrap();
    assert_eq!(parsed.username, "u");
}

/// Amazon RDS's owner login (the master user) is not a superuser, has no BYPASSRLS and cannot be
/// given it, and the policies are forced, so as the owner the importer and the daily alerts saw
/// no customer. Such a login (CREATEROLE, CREATEDB, owning its database, as on RDS) runs the
/// migrations, writes customers, imports a file and raises an alert, through `portal_jobs`
/// (migration 15); without that membership it sees no row; and a serving login that can become
/// `portal_jobs` is refused.
#[sqlx::test(migrations = false)]
async fn an_owner_without_bypassrls_migrates_imports_and_raises_alerts(admin: PgPool) {
    use app::domain::alerts::Rule;
    use app::domain::settlement_time::{all_periods_utc, SettlementDate};
    let owner = login_name("t_rds_owner");
    let database = login_name("t_rds_db");
    sqlx::raw_sql(&format!(
        "CREATE ROLE {owner} LOGIN NOSUPERUSER NOBYPASSRLS CREATEROLE CREATEDB INHERIT PASSWORD 'x'"
    ))
    .execute(&admin)
    .await
    .unwrap();
    sqlx::raw_sql(&format!("CREATE DATABASE {database} OWNER {owner}"))
        .execute(&admin)
        .await
        .unwrap();
    let options = as_login(&admin, &owner, "x").database(&database);
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(2)
        .connect_with(options.clone())
        .await
        .unwrap();
    server::db::migrate(&pool).await.unwrap();
    let mut conn = pool.acquire().await.unwrap();
    assert!(server::db::owner_sees_every_row(&mut conn).await.unwrap());
    drop(conn);
    server::seed::seed_people(&pool, 7).await.unwrap();

    // One day at twice the agreed capacity on a supply point of the seeded customers.
    let (mpan, kva): (String, i32) = sqlx::query_as(
        "SELECT mpan_core, agreed_capacity_kva FROM supply_points
         WHERE agreed_capacity_kva IS NOT NULL ORDER BY mpan_core LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let day: chrono::NaiveDate = "2026-11-10".parse().unwrap();
    let mut csv = String::from("mpan_core,channel,interval_start,value,status,run\n");
    for (_, t) in all_periods_utc(SettlementDate(day)) {
        let start = t.to_rfc3339();
        csv += &format!("{mpan},AI,{start},{kva}.000,A,RF\n{mpan},RI,{start},0.000,A,RF\n");
    }
    let summary = server::import::import_hh(&pool, "rds.csv", std::io::Cursor::new(csv), ())
        .await
        .unwrap();
    assert!(summary.day_rows_new > 0, "{summary}");
    let mut conn = pool.acquire().await.unwrap();
    let organisations: Vec<i64> = sqlx::query_scalar("SELECT id FROM organisations ORDER BY id")
        .fetch_all(&mut *conn)
        .await
        .unwrap();
    assert_eq!(organisations.len(), 2, "{organisations:?}");
    let raised = app::store::alert_rules::evaluate(&mut conn, &organisations, day + chrono::Days::new(2))
        .await
        .unwrap();
    assert_eq!(raised.new.get(&Rule::Capacity), Some(&1), "{raised:?}");
    drop(conn);
    pool.close().await;

    // The membership is what let it see the rows.
    sqlx::raw_sql(&format!("REVOKE portal_jobs FROM {owner}"))
        .execute(&admin)
        .await
        .unwrap();
    let mut conn = sqlx::ConnectOptions::connect(&options).await.unwrap();
    assert!(!server::db::owner_sees_every_row(&mut conn).await.unwrap());
    let seen: i64 = sqlx::query_scalar("SELECT count(*) FROM supply_points")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(seen, 0);
    sqlx::Connection::close(conn).await.unwrap();

    // A login that serves the portal must not reach portal_jobs.
    let web = login_name("t_web_jobs");
    make_login(&admin, &web, "portal_app").await;
    sqlx::raw_sql(&format!("GRANT portal_jobs TO {web}"))
        .execute(&admin)
        .await
        .unwrap();
    let mut conn = sqlx::ConnectOptions::connect(&as_login(&admin, &web, "x"))
        .await
        .unwrap();
    let problems = server::db::login_privilege_problems(&mut conn).await.unwrap();
    assert!(problems.iter().any(|p| p.contains("portal_jobs")), "{problems:?}");
    sqlx::Connection::close(conn).await.unwrap();

    sqlx::raw_sql(&format!("DROP DATABASE {database} WITH (FORCE)"))
        .execute(&admin)
        .await
        .unwrap();
    drop_login(&admin, &web).await;
    drop_login(&admin, &owner).await;
}
