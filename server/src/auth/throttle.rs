//! Login throttling: too many failures for one account, or from one client address, within a
//! window block further attempts for a while. Applies to any email string, existing or not, so it
//! reveals nothing about which accounts exist.
use sqlx::PgPool;

pub const WINDOW_MINUTES: i32 = 15;
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;

pub async fn is_throttled(db: &PgPool, email: &str, client_ip: &str) -> Result<bool, sqlx::Error> {
    let failures = sqlx::query!(
        r#"SELECT count(*) FILTER (WHERE email = $1) AS "by_account!",
                  count(*) FILTER (WHERE client_ip = $2) AS "by_address!"
           FROM login_attempts
           WHERE NOT succeeded AND at > now() - make_interval(mins => $3) AND (email = $1 OR client_ip = $2)"#,
        email,
        client_ip,
        WINDOW_MINUTES
    )
    .fetch_one(db)
    .await?;
    Ok(failures.by_account >= MAX_FAILURES_PER_ACCOUNT || failures.by_address >= MAX_FAILURES_PER_ADDRESS)
}

pub async fn record(db: &PgPool, email: &str, client_ip: &str, succeeded: bool) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO login_attempts (email, client_ip, succeeded) VALUES ($1, $2, $3)",
        email,
        client_ip,
        succeeded
    )
    .execute(db)
    .await
    .map(|_| ())
}
