//! `seed-demo`: deterministic demo customers for local use and tests. Idempotent: every insert is
//! keyed on a natural key, so running it again changes nothing.
pub mod billing;
mod catalogue;
mod hh;
mod profiles;
mod rng;
pub mod users;

use std::fmt;

use sqlx::PgPool;

pub use catalogue::{demo_customers, DemoCustomer, DemoSite, DemoSupply};
use rng::SplitMix64;

#[derive(Debug, Default)]
pub struct SeedSummary {
    pub organisations: usize,
    pub sites: usize,
    pub supply_points: usize,
    pub hh: Option<crate::import::ImportSummary>,
    pub invoices_created: usize,
    pub users_created: usize,
    /// The alerts the demo data raises as of the demo's own date.
    pub alerts: app::store::alert_rules::Raised,
}

impl fmt::Display for SeedSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "demo data present: {} organisations, {} sites, {} supply points",
            self.organisations, self.sites, self.supply_points
        )?;
        if let Some(hh) = &self.hh {
            write!(f, "\nHH data: {hh}")?;
        }
        write!(
            f,
            "\ninvoices created: {}; demo users created: {}\n{} as of {}",
            self.invoices_created,
            self.users_created,
            self.alerts,
            hh::as_of()
        )
    }
}

/// A valid 13-digit MPAN core for a distributor, derived from the generator.
fn demo_mpan(distributor: u8, rng: &mut SplitMix64) -> String {
    let mut d = [0u8; 12];
    d[0] = distributor / 10;
    d[1] = distributor % 10;
    for x in d.iter_mut().skip(2) {
        *x = (rng.next_u64() % 10) as u8;
    }
    let check = app::domain::mpan::check_digit(d);
    d.iter()
        .chain(std::iter::once(&check))
        .map(|x| char::from(b'0' + x))
        .collect()
}

/// The demo organisations, sites, supply points and meters.
pub async fn seed_customers(pool: &PgPool, seed: u64) -> anyhow::Result<SeedSummary> {
    let mut tx = pool.begin().await?;
    let mut summary = SeedSummary::default();
    for customer in demo_customers() {
        let org_id: i64 = sqlx::query_scalar!(
            "INSERT INTO organisations (name, account_number) VALUES ($1, $2)
             ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id",
            customer.name,
            customer.account_number
        )
        .fetch_one(&mut *tx)
        .await?;
        summary.organisations += 1;
        for site in customer.sites {
            let site_id: i64 = sqlx::query_scalar!(
                "INSERT INTO sites (organisation_id, name, kind, address_line, town, postcode)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (organisation_id, name) DO UPDATE SET name = EXCLUDED.name RETURNING id",
                org_id,
                site.name,
                site.kind,
                site.address_line,
                site.town,
                site.postcode
            )
            .fetch_one(&mut *tx)
            .await?;
            summary.sites += 1;
            for (i, supply) in site.supplies.into_iter().enumerate() {
                // Keyed on the site and position, so adding a site never renumbers the others.
                let mut rng = SplitMix64::new(seed ^ rng::fnv1a(site.name) ^ (i as u64 + 1));
                let mpan = demo_mpan(supply.distributor_id, &mut rng);
                let serial = format!("{}{:07}", supply.meter_make, rng.next_u64() % 10_000_000);
                let sp_id: i64 = sqlx::query_scalar!(
                    "INSERT INTO supply_points (organisation_id, site_id, mpan_core, profile_class, mtc, llfc,
                         distributor_id, measurement_class, agreed_capacity_kva, has_export, energised_from)
                     VALUES ($1, $2, $3, 0, $4, $5, $6, $7, $8, $9, $10)
                     ON CONFLICT (mpan_core) DO UPDATE SET mpan_core = EXCLUDED.mpan_core RETURNING id",
                    org_id,
                    site_id,
                    &mpan,
                    supply.mtc,
                    supply.llfc,
                    i16::from(supply.distributor_id),
                    supply.measurement_class,
                    supply.agreed_capacity_kva,
                    supply.has_export,
                    supply.energised_from
                )
                .fetch_one(&mut *tx)
                .await?;
                sqlx::query!(
                    "INSERT INTO meters (organisation_id, supply_point_id, serial, installed_on)
                     VALUES ($1, $2, $3, $4) ON CONFLICT (serial) DO NOTHING",
                    org_id,
                    sp_id,
                    &serial,
                    supply.energised_from
                )
                .execute(&mut *tx)
                .await?;
                summary.supply_points += 1;
            }
        }
    }
    tx.commit().await?;
    Ok(summary)
}

/// Customers, sites, DUoS bands and demo users, without HH data or invoices: what the router
/// and authorisation tests need, fast.
pub async fn seed_people(pool: &PgPool, seed: u64) -> anyhow::Result<SeedSummary> {
    let mut summary = seed_customers(pool, seed).await?;
    billing::seed_duos_bands(pool).await?;
    summary.users_created = users::seed_users(pool).await?;
    Ok(summary)
}

/// Everything: customers and sites, DUoS bands, 14+ months of HH data, contracts and invoices.
pub async fn seed_demo(pool: &PgPool, seed: u64) -> anyhow::Result<SeedSummary> {
    let mut summary = seed_customers(pool, seed).await?;
    billing::seed_duos_bands(pool).await?;
    summary.hh = Some(
        hh::seed_hh(pool, seed)
            .await
            .map_err(|e| anyhow::anyhow!(e.report()))?,
    );
    summary.invoices_created = billing::seed_billing(pool).await?;
    summary.users_created = users::seed_users(pool).await?;
    // The demo's alerts, as the daily job would have raised them on the demo's date.
    let organisations: Vec<i64> = sqlx::query_scalar!("SELECT id FROM organisations ORDER BY id")
        .fetch_all(pool)
        .await?;
    let mut conn = pool.acquire().await?;
    summary.alerts = app::store::alert_rules::evaluate(&mut conn, &organisations, hh::as_of()).await?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_mpans_are_deterministic_and_valid() {
        let a = demo_mpan(12, &mut SplitMix64::new(7));
        let b = demo_mpan(12, &mut SplitMix64::new(7));
        assert_eq!(a, b);
        assert!(a.starts_with("12") && a.len() == 13);
        assert!(
            app::domain::mpan::MpanCore::parse(&a).is_ok(),
            "{a} has a valid check digit"
        );
    }
}
