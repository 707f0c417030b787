//! Demo users, one per role (documented in the README for local use only; `seed-demo` is refused
//! in production). Passwords are hashed like any other; the demo password is not a secret.
use sqlx::PgPool;

use crate::auth::password;

pub const DEMO_PASSWORD: &str = "demo-password-2026";

pub struct DemoUser {
    pub email: &'static str,
    pub name: &'static str,
    pub role: &'static str,
    pub organisation: Option<&'static str>,
    /// Sites a restricted customer user may see.
    pub sites: &'static [&'static str],
    /// Customers an account manager looks after.
    pub assigned: &'static [&'static str],
}

pub const DEMO_USERS: &[DemoUser] = &[
    DemoUser {
        email: "facilities@castlegate.example",
        name: "Priya Shah",
        role: "customer_admin",
        organisation: Some("Castlegate Group Ltd"),
        sites: &[],
        assigned: &[],
    },
    DemoUser {
        email: "energy@castlegate.example",
        name: "Tom Briggs",
        role: "customer_user",
        organisation: Some("Castlegate Group Ltd"),
        sites: &["Felixstowe Cold Store", "Leicester Works"],
        assigned: &[],
    },
    DemoUser {
        email: "manager@riverside.example",
        name: "Aisha Okafor",
        role: "customer_admin",
        organisation: Some("Riverside Leisure Ltd"),
        sites: &[],
        assigned: &[],
    },
    DemoUser {
        email: "am@northgate.example",
        name: "James Whitfield",
        role: "account_manager",
        organisation: None,
        sites: &[],
        assigned: &["Castlegate Group Ltd"],
    },
    DemoUser {
        email: "ops@northgate.example",
        name: "Morgan Lee",
        role: "ops_admin",
        organisation: None,
        sites: &[],
        assigned: &[],
    },
];

pub async fn seed_users(db: &PgPool) -> anyhow::Result<usize> {
    let mut created = 0;
    for u in DEMO_USERS {
        let exists: bool = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM users WHERE email = $1) AS "exists!""#,
            u.email
        )
        .fetch_one(db)
        .await?;
        if exists {
            continue;
        }
        let hash = password::hash(DEMO_PASSWORD.to_owned()).await?;
        let org: Option<i64> = match u.organisation {
            Some(name) => Some(
                sqlx::query_scalar!("SELECT id FROM organisations WHERE name = $1", name)
                    .fetch_one(db)
                    .await?,
            ),
            None => None,
        };
        let mut tx = db.begin().await?;
        let id: i64 = sqlx::query_scalar!(
            "INSERT INTO users (email, display_name, role, organisation_id, password_hash, all_sites)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            u.email,
            u.name,
            u.role,
            org,
            &hash.0,
            u.sites.is_empty()
        )
        .fetch_one(&mut *tx)
        .await?;
        for site in u.sites {
            sqlx::query!(
                "INSERT INTO user_site_access (user_id, site_id)
                 SELECT $1, id FROM sites WHERE name = $2 AND organisation_id = $3",
                id,
                site,
                org
            )
            .execute(&mut *tx)
            .await?;
        }
        for customer in u.assigned {
            sqlx::query!(
                "INSERT INTO account_manager_assignments (user_id, organisation_id)
                 SELECT $1, id FROM organisations WHERE name = $2",
                id,
                customer
            )
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        created += 1;
    }
    Ok(created)
}
