//! Set-up the benchmarks share: a scratch database, one customer with one site of supply points,
//! MPANs with valid check digits, and the line that notes the machine a figure was measured on.
use sqlx::postgres::PgConnectOptions;
use sqlx::{Executor, PgPool};

/// A scratch database `name` on the server of DATABASE_URL, dropped first if it is there, migrated.
pub struct Scratch {
    admin: PgPool,
    name: &'static str,
    pub opts: PgConnectOptions,
    pub db: PgPool,
}

impl Scratch {
    pub async fn create(name: &'static str) -> anyhow::Result<Self> {
        let url = std::env::var("DATABASE_URL").map_err(|_| anyhow::anyhow!("set DATABASE_URL"))?;
        let admin = PgPool::connect(&url).await?;
        admin
            .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
            .await?;
        admin.execute(format!("CREATE DATABASE {name}").as_str()).await?;
        let opts = url.parse::<PgConnectOptions>()?.database(name);
        let db = PgPool::connect_with(opts.clone()).await?;
        server::db::migrate(&db).await?;
        Ok(Scratch {
            admin,
            name,
            opts,
            db,
        })
    }

    /// Closes the pool and drops the database.
    pub async fn drop(self) -> anyhow::Result<()> {
        self.db.close().await;
        self.admin
            .execute(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name).as_str())
            .await?;
        Ok(())
    }
}

/// The `i`-th MPAN core of distributor `distributor` (check digit computed).
pub fn mpan(distributor: u8, base: u64, i: usize) -> String {
    let mut d = [0u8; 12];
    let s = format!("{distributor}{:010}", base + i as u64);
    for (k, b) in s.bytes().enumerate() {
        d[k] = b - b'0';
    }
    format!("{s}{}", app::domain::mpan::check_digit(d))
}

/// A customer with one site holding `meters` supply points of `distributor` at `kva` agreed
/// capacity, energised since 2020; returns the organisation's id.
pub async fn customer(
    db: &PgPool,
    name: &str,
    account: &str,
    meters: usize,
    (distributor, base): (u8, u64),
    kva: i32,
) -> anyhow::Result<i64> {
    let org: i64 =
        sqlx::query_scalar("INSERT INTO organisations (name, account_number) VALUES ($1, $2) RETURNING id")
            .bind(name)
            .bind(account)
            .fetch_one(db)
            .await?;
    let site: i64 = sqlx::query_scalar(
        "INSERT INTO sites (organisation_id, name, kind, address_line, town, postcode)
         VALUES ($1, 'Bench site', 'factory', '1 Road', 'Town', 'AB1 2CD') RETURNING id",
    )
    .bind(org)
    .fetch_one(db)
    .await?;
    for i in 0..meters {
        sqlx::query(
            "INSERT INTO supply_points (organisation_id, site_id, mpan_core, profile_class, mtc, llfc, distributor_id,
                 measurement_class, agreed_capacity_kva, energised_from) VALUES ($1, $2, $3, 0, 845, 500, $4, 'C', $5, '2020-01-01')",
        )
        .bind(org)
        .bind(site)
        .bind(mpan(distributor, base, i))
        .bind(i16::from(distributor))
        .bind(kva)
        .execute(db)
        .await?;
    }
    Ok(org)
}

/// `machine: 2 cores, load average …`, printed under every benchmark's figures.
pub fn machine() -> String {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    format!(
        "machine: {} cores, load average {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load.trim()
    )
}
