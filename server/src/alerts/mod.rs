//! The daily alert job (`server alerts daily`): raise what the rules find for every customer as of
//! today (UK), then send each user who opted in one e-mail of the alerts raised since their last
//! one, of the rules they chose, in their own scope (the same list the Alerts page shows them).
//! Runs as the database owner, like the importer; each user's list is read through their scope.
use anyhow::Context;
use app::domain::alerts::{self, AlertStatus, Rule};
use app::domain::role::Role;
use app::mail::Mailer;
use app::store::alert_rules::{self, Raised};
use app::store::alerts::{self as store, Filter};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;

use crate::auth::sessions::scope_from;

/// At most this many alerts go into one e-mail (grouped, far fewer lines).
const DIGEST_LIMIT: i64 = 200;

/// What one daily run did.
#[derive(Debug, Default)]
pub struct DailyRun {
    pub raised: Raised,
    pub emails_sent: usize,
    pub alerts_emailed: usize,
    /// Subscribers with nothing new (no e-mail).
    pub nothing_new: usize,
    /// Subscribers whose e-mail could not be sent (tried again next run: nothing is lost).
    pub failed: Vec<String>,
}

impl std::fmt::Display for DailyRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}\ndigests: {} e-mail(s) sent with {} alert(s); {} subscriber(s) with nothing new",
            self.raised, self.emails_sent, self.alerts_emailed, self.nothing_new
        )?;
        for e in &self.failed {
            write!(f, "\nnot sent (will be tried again): {e}")?;
        }
        Ok(())
    }
}

/// Raises today's alerts for every customer, then sends the digests.
pub async fn daily(db: &PgPool, mailer: &Mailer, today: NaiveDate) -> anyhow::Result<DailyRun> {
    let organisations: Vec<i64> = sqlx::query_scalar!("SELECT id FROM organisations ORDER BY id")
        .fetch_all(db)
        .await?;
    let mut tx = db.begin().await?;
    let raised = alert_rules::evaluate(&mut tx, &organisations, today)
        .await
        .context("Failed to evaluate the alert rules")?;
    tx.commit().await?;
    let mut run = send_digests(db, mailer).await?;
    run.raised = raised;
    Ok(run)
}

struct Subscriber {
    user_id: i64,
    email: String,
    display_name: String,
    role: Role,
    organisation_id: Option<i64>,
    assigned_organisations: Option<Vec<i64>>,
    site_ids: Option<Vec<i64>>,
    rules: Vec<String>,
    since: DateTime<Utc>,
}

/// One e-mail per subscriber with alerts raised after their last digest (or, before the first,
/// after they opted in) up to now.
pub async fn send_digests(db: &PgPool, mailer: &Mailer) -> anyhow::Result<DailyRun> {
    let until: DateTime<Utc> = sqlx::query_scalar!(r#"SELECT now() AS "now!""#)
        .fetch_one(db)
        .await?;
    // The same inputs of a scope as a session resolves (`auth::sessions::resolve`).
    let subscribers = sqlx::query_as!(
        Subscriber,
        r#"SELECT u.id AS user_id, u.email, u.display_name, u.role AS "role: Role", u.organisation_id,
                  CASE u.role
                      WHEN 'account_manager' THEN ARRAY(
                          SELECT organisation_id FROM account_manager_assignments WHERE user_id = u.id)
                      WHEN 'ops_admin' THEN ARRAY(SELECT id FROM organisations ORDER BY id)
                  END AS "assigned_organisations?",
                  CASE WHEN u.role = 'customer_user' AND NOT u.all_sites THEN ARRAY(
                      SELECT site_id FROM user_site_access WHERE user_id = u.id)
                  END AS "site_ids?",
                  array_agg(s.rule ORDER BY s.rule) AS "rules!",
                  coalesce(d.sent_through, min(s.created_at)) AS "since!"
           FROM alert_subscriptions s
           JOIN users u ON u.id = s.user_id AND u.disabled_at IS NULL
           LEFT JOIN alert_digests d ON d.user_id = u.id
           GROUP BY u.id, d.sent_through
           ORDER BY u.id"#
    )
    .fetch_all(db)
    .await?;
    let mut run = DailyRun::default();
    for s in subscribers {
        let rules: Vec<Rule> = s.rules.iter().filter_map(|r| Rule::parse(r)).collect();
        let scope = scope_from(s.role, s.organisation_id, s.assigned_organisations, s.site_ids);
        let mut tx = scope.begin(db).await?;
        let filter = Filter {
            status: AlertStatus::Open,
            rules: Some(rules.clone()),
            raised_after: Some(s.since),
            raised_until: Some(until),
        };
        let found = store::list(&mut tx, &filter, DIGEST_LIMIT).await?;
        drop(tx);
        let count = found.len();
        if count == 0 {
            run.nothing_new += 1;
        } else {
            let groups = alerts::group(found);
            let link = format!("{}/alerts", mailer.base_url());
            let mail = app::mail::messages::alert_digest(&s.email, &s.display_name, &groups, &rules, &link);
            if let Err(e) = mailer.send(mail).await {
                tracing::warn!(user_id = s.user_id, error = %e, "alert digest not sent");
                run.failed.push(format!("{}: {e}", s.email));
                continue;
            }
            run.emails_sent += 1;
            run.alerts_emailed += count;
        }
        sqlx::query!(
            r#"INSERT INTO alert_digests (user_id, sent_through, alerts_sent) VALUES ($1, $2, $3)
               ON CONFLICT (user_id) DO UPDATE SET sent_through = EXCLUDED.sent_through,
                   alerts_sent = alert_digests.alerts_sent + EXCLUDED.alerts_sent"#,
            s.user_id,
            until,
            count as i32
        )
        .execute(db)
        .await?;
    }
    Ok(run)
}
