//! The caller's scope: which organisations (and, within them, which sites) a request may read.
//! Derived from the session on the server only. Every store function that reads tenant data
//! takes a `ScopedTx`, and the only way to get one is `Scope::begin`, which also sets the scope for
//! Postgres row-level security for that transaction (`set_config(…, true)`), never for the session.
use std::ops::{Deref, DerefMut};

use sqlx::{PgConnection, PgPool, Postgres, Transaction};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    organisations: Vec<i64>,
    /// `None`: every site of those organisations; `Some`: only these (none when empty).
    sites: Option<Vec<i64>>,
    /// Every organisation there is (operations admins): also the audit log's entries that belong
    /// to no organisation. Set for RLS as `app.all_orgs = 'on'`.
    every_organisation: bool,
}

impl Scope {
    pub fn organisations(mut organisations: Vec<i64>) -> Self {
        organisations.sort_unstable();
        organisations.dedup();
        Self {
            organisations,
            sites: None,
            every_organisation: false,
        }
    }

    /// Every organisation (`organisations` lists them all, as read when the session resolved).
    pub fn all_organisations(organisations: Vec<i64>) -> Self {
        Self {
            every_organisation: true,
            ..Self::organisations(organisations)
        }
    }

    pub fn is_every_organisation(&self) -> bool {
        self.every_organisation
    }

    pub fn with_sites(mut self, mut sites: Vec<i64>) -> Self {
        sites.sort_unstable();
        sites.dedup();
        self.sites = Some(sites);
        self
    }

    pub fn organisation_ids(&self) -> &[i64] {
        &self.organisations
    }

    pub fn site_ids(&self) -> Option<&[i64]> {
        self.sites.as_deref()
    }

    pub fn includes_organisation(&self, id: i64) -> bool {
        self.organisations.binary_search(&id).is_ok()
    }

    pub fn includes_site(&self, organisation_id: i64, site_id: i64) -> bool {
        self.includes_organisation(organisation_id)
            && self
                .sites
                .as_ref()
                .is_none_or(|s| s.binary_search(&site_id).is_ok())
    }

    fn csv(ids: &[i64]) -> String {
        ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
    }

    /// The statement that opens a scoped transaction: `BEGIN` and the scope for RLS in one round
    /// trip. Only integers (formatted here) go into it, so nothing can be injected.
    /// Dynamic SQL because `begin_with` takes the whole statement, which the macros cannot check.
    fn begin_statement(&self) -> String {
        // An empty organisation list yields '' and RLS then shows nothing at all.
        let sites = match &self.sites {
            None => "*".to_string(),
            Some(s) => Self::csv(s),
        };
        let all = if self.every_organisation {
            ", set_config('app.all_orgs', 'on', true)"
        } else {
            ""
        };
        format!(
            "BEGIN; SELECT set_config('app.org_ids', '{}', true), set_config('app.site_ids', '{sites}', true){all}",
            Self::csv(&self.organisations)
        )
    }

    /// Starts a transaction limited to this scope, for the store layer and for RLS.
    #[tracing::instrument(level = "debug", skip_all, fields(organisations = ?self.organisations, sites = ?self.sites))]
    pub async fn begin<'c>(&self, db: &PgPool) -> Result<ScopedTx<'c>, sqlx::Error> {
        let tx = db.begin_with(self.begin_statement()).await?;
        Ok(ScopedTx {
            tx,
            scope: self.clone(),
        })
    }
}

/// A transaction carrying a scope. Read-only store functions may simply drop it (rollback).
pub struct ScopedTx<'c> {
    tx: Transaction<'c, Postgres>,
    scope: Scope,
}

impl ScopedTx<'_> {
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

impl Deref for ScopedTx<'_> {
    type Target = PgConnection;
    fn deref(&self) -> &PgConnection {
        &self.tx
    }
}

impl DerefMut for ScopedTx<'_> {
    fn deref_mut(&mut self) -> &mut PgConnection {
        &mut self.tx
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_begin_statement_holds_only_the_scope_ids() {
        let s = Scope::organisations(vec![12, 3, 12]).with_sites(vec![9, 4]);
        assert_eq!(
            s.begin_statement(),
            "BEGIN; SELECT set_config('app.org_ids', '3,12', true), set_config('app.site_ids', '4,9', true)"
        );
        assert!(Scope::organisations(vec![])
            .begin_statement()
            .contains("'app.org_ids', ''"));
        assert!(Scope::organisations(vec![1])
            .begin_statement()
            .contains("'app.site_ids', '*'"));
        // A restricted user with no sites left: an empty list (RLS shows no site), not '*'.
        assert!(Scope::organisations(vec![1])
            .with_sites(vec![])
            .begin_statement()
            .contains("'app.site_ids', '', true)"));
        assert!(!s.begin_statement().contains("app.all_orgs"));
        assert!(Scope::all_organisations(vec![1, 2])
            .begin_statement()
            .ends_with(", set_config('app.all_orgs', 'on', true)"));
    }

    #[test]
    fn site_restrictions_apply_within_the_organisations_only() {
        let s = Scope::organisations(vec![1]).with_sites(vec![5]);
        assert!(s.includes_site(1, 5));
        assert!(!s.includes_site(1, 6));
        assert!(!s.includes_site(2, 5));
        assert!(Scope::organisations(vec![1]).includes_site(1, 6));
        assert!(!Scope::organisations(vec![1])
            .with_sites(vec![])
            .includes_site(1, 6));
    }
}
