//! Password-guessing throttle: a progressive delay, never a hard block.
//!
//! Every password check (sign-in, and the current password on a password change) first *reserves*
//! its attempt: under a per-account advisory lock, the recent failures are counted and, when no
//! delay is due, a row is written that counts as a failure until the check succeeds. So parallel
//! guesses for one account are serialised at the reservation and cannot all slip under the limit
//! before any failure is written (the race the old check-then-record order had).
//!
//! Three counters, each over the last [`WINDOW_MINUTES`], each with its own free allowance, after
//! which every further failure doubles the wait since the last one (1 s, 2 s, 4 s, …):
//! - **account + address**: the guesser's own pair; capped at [`PAIR_MAX_DELAY_SECS`]. A success
//!   from that pair resets it.
//! - **address**: one address spraying many accounts; same cap.
//! - **account** from every address: a distributed guesser; capped low ([`ACCOUNT_MAX_DELAY_SECS`])
//!   because anyone can drive this one, so it must never lock the real user out, only slow guessing.
//!
//! An attempt refused for a delay is not evaluated and is not counted as a failure, so refused
//! attempts cannot extend a delay. Applies to any e-mail string, existing or not, so it reveals
//! nothing about which accounts exist.
use std::time::Duration;

use sqlx::PgPool;

pub const WINDOW_MINUTES: i32 = 15;
/// Failures allowed before delays start, per account + address pair.
pub const FREE_FAILURES_PER_PAIR: i64 = 5;
/// Failures allowed before delays start, per client address (across accounts).
pub const FREE_FAILURES_PER_ADDRESS: i64 = 20;
/// Failures allowed before delays start, per account (across addresses).
pub const FREE_FAILURES_PER_ACCOUNT: i64 = 10;
pub const PAIR_MAX_DELAY_SECS: i64 = 15 * 60;
pub const ACCOUNT_MAX_DELAY_SECS: i64 = 30;

/// A reserved attempt: counts as a failure until [`succeeded`] says otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt(i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Go ahead and check the password.
    Proceed(Attempt),
    /// Not now: try again after this long. Nothing was recorded.
    Wait(Duration),
}

/// The delay that `failures` earn against a free allowance: none up to the allowance, then 1 s
/// doubling with each further failure, capped.
pub fn delay_for(failures: i64, free: i64, max_secs: i64) -> i64 {
    if failures < free {
        return 0;
    }
    let doublings = (failures - free).min(32) as u32;
    (1i64 << doublings).min(max_secs)
}

struct Counts {
    pair: i64,
    pair_last_secs_ago: Option<f64>,
    address: i64,
    address_last_secs_ago: Option<f64>,
    account: i64,
    account_last_secs_ago: Option<f64>,
}

fn remaining(delay: i64, last_secs_ago: Option<f64>) -> f64 {
    match last_secs_ago {
        Some(ago) if delay > 0 => (delay as f64 - ago).max(0.0),
        _ => 0.0,
    }
}

/// Reserves an attempt for `email` from `client_ip`, or says how long to wait.
pub async fn reserve(db: &PgPool, email: &str, client_ip: &str) -> Result<Verdict, sqlx::Error> {
    let mut tx = db.begin().await?;
    // One lock per account, then one per address, always in that order (no deadlock): concurrent
    // attempts on either key queue here until the previous reservation is committed.
    sqlx::query!(
        "SELECT pg_advisory_xact_lock(hashtextextended('login-account:' || $1, 0)),
                pg_advisory_xact_lock(hashtextextended('login-address:' || $2, 0))",
        email,
        client_ip
    )
    .execute(&mut *tx)
    .await?;
    let c = sqlx::query_as!(
        Counts,
        r#"WITH recent AS (
               SELECT email, client_ip, succeeded, at FROM login_attempts
               WHERE at > now() - make_interval(mins => $3) AND (email = $1 OR client_ip = $2)
           ), pair_reset AS (
               SELECT max(at) AS at FROM recent WHERE succeeded AND email = $1 AND client_ip = $2
           ), failed AS (
               SELECT r.* FROM recent r WHERE NOT r.succeeded
           )
           SELECT
               count(*) FILTER (WHERE email = $1 AND client_ip = $2
                                  AND at > coalesce((SELECT at FROM pair_reset), '-infinity')) AS "pair!",
               extract(epoch FROM now() - max(at) FILTER (WHERE email = $1 AND client_ip = $2))::float8 AS pair_last_secs_ago,
               count(*) FILTER (WHERE client_ip = $2) AS "address!",
               extract(epoch FROM now() - max(at) FILTER (WHERE client_ip = $2))::float8 AS address_last_secs_ago,
               count(*) FILTER (WHERE email = $1) AS "account!",
               extract(epoch FROM now() - max(at) FILTER (WHERE email = $1))::float8 AS account_last_secs_ago
           FROM failed"#,
        email,
        client_ip,
        WINDOW_MINUTES
    )
    .fetch_one(&mut *tx)
    .await?;
    let wait = [
        remaining(
            delay_for(c.pair, FREE_FAILURES_PER_PAIR, PAIR_MAX_DELAY_SECS),
            c.pair_last_secs_ago,
        ),
        remaining(
            delay_for(c.address, FREE_FAILURES_PER_ADDRESS, PAIR_MAX_DELAY_SECS),
            c.address_last_secs_ago,
        ),
        remaining(
            delay_for(c.account, FREE_FAILURES_PER_ACCOUNT, ACCOUNT_MAX_DELAY_SECS),
            c.account_last_secs_ago,
        ),
    ]
    .into_iter()
    .fold(0.0f64, f64::max);
    if wait > 0.0 {
        // Nothing recorded: a refused attempt never lengthens the delay.
        return Ok(Verdict::Wait(Duration::from_secs_f64(wait.ceil())));
    }
    let id = sqlx::query_scalar!(
        "INSERT INTO login_attempts (email, client_ip, succeeded) VALUES ($1, $2, false) RETURNING id",
        email,
        client_ip
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Verdict::Proceed(Attempt(id)))
}

/// The reserved attempt succeeded: it no longer counts as a failure.
pub async fn succeeded(db: &PgPool, attempt: Attempt) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE login_attempts SET succeeded = true WHERE id = $1",
        attempt.0
    )
    .execute(db)
    .await
    .map(|_| ())
}

/// A failure that had no reservation: a wrong second-factor code after a right password. It counts
/// like a wrong password, so the next password step for this account (and address) meets the
/// same delays.
pub async fn record_failure(db: &PgPool, email: &str, client_ip: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO login_attempts (email, client_ip, succeeded) VALUES ($1, $2, false)",
        email,
        client_ip
    )
    .execute(db)
    .await
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_start_after_the_allowance_and_double_up_to_the_cap() {
        assert_eq!(delay_for(0, 5, 900), 0);
        assert_eq!(delay_for(4, 5, 900), 0);
        assert_eq!(delay_for(5, 5, 900), 1);
        assert_eq!(delay_for(6, 5, 900), 2);
        assert_eq!(delay_for(9, 5, 900), 16);
        assert_eq!(delay_for(20, 5, 900), 900);
        assert_eq!(delay_for(i64::MAX, 5, 900), 900, "no overflow");
        assert_eq!(delay_for(50, 10, ACCOUNT_MAX_DELAY_SECS), 30);
    }

    #[test]
    fn the_wait_is_what_is_left_of_the_delay() {
        assert_eq!(remaining(0, Some(0.0)), 0.0);
        assert_eq!(remaining(4, None), 0.0);
        assert_eq!(remaining(4, Some(1.5)), 2.5);
        assert_eq!(remaining(4, Some(10.0)), 0.0);
    }
}
