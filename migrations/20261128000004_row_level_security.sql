-- Row-level security: the second line of tenant isolation, under the store layer's own filters.
-- The portal's queries run as `portal_app` (no BYPASSRLS; the server does SET ROLE after
-- connecting). Each transaction states its scope with set_config(..., true):
--   app.org_ids  = '12,57'   organisations the caller may read ('' = none)
--   app.site_ids = '*' | '3,4' sites within them ('*' = all)
-- Without a scope nothing is visible.

-- Roles are cluster-wide: another database on the same server (tests create many at once) may
-- have created it already, or be creating it right now (then unique_violation, not duplicate_object).
DO $$
BEGIN
    CREATE ROLE portal_app NOLOGIN NOSUPERUSER NOBYPASSRLS;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;

CREATE FUNCTION app_scope_orgs() RETURNS bigint[] LANGUAGE sql STABLE PARALLEL SAFE
    RETURN coalesce(string_to_array(nullif(current_setting('app.org_ids', true), ''), ',')::bigint[], '{}');

CREATE FUNCTION app_scope_sites() RETURNS bigint[] LANGUAGE sql STABLE PARALLEL SAFE
    RETURN CASE coalesce(current_setting('app.site_ids', true), '')
        WHEN '*' THEN NULL
        WHEN '' THEN '{}'::bigint[]
        ELSE string_to_array(current_setting('app.site_ids', true), ',')::bigint[] END;

GRANT USAGE ON SCHEMA public TO portal_app;
GRANT SELECT ON organisations, sites, supply_points, meters, hh_day, contracts, contract_rates,
    contract_supply_points, invoices, invoice_lines, duos_band_rules TO portal_app;
GRANT SELECT, INSERT, UPDATE ON users, user_site_access, account_manager_assignments, sessions TO portal_app;
GRANT DELETE ON user_site_access TO portal_app;
GRANT SELECT, INSERT ON login_attempts, audit_log TO portal_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO portal_app;
GRANT EXECUTE ON FUNCTION app_scope_orgs(), app_scope_sites() TO portal_app;

ALTER TABLE organisations ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON organisations USING (id = ANY (app_scope_orgs()));

ALTER TABLE sites ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON sites USING (
    organisation_id = ANY (app_scope_orgs()) AND (app_scope_sites() IS NULL OR id = ANY (app_scope_sites())));

ALTER TABLE supply_points ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON supply_points USING (
    organisation_id = ANY (app_scope_orgs()) AND (app_scope_sites() IS NULL OR site_id = ANY (app_scope_sites())));

ALTER TABLE meters ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON meters USING (
    organisation_id = ANY (app_scope_orgs())
    AND (app_scope_sites() IS NULL OR supply_point_id IN (SELECT id FROM supply_points)));

ALTER TABLE hh_day ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON hh_day USING (
    organisation_id = ANY (app_scope_orgs())
    AND (app_scope_sites() IS NULL OR supply_point_id IN (SELECT id FROM supply_points)));

ALTER TABLE contracts ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON contracts USING (organisation_id = ANY (app_scope_orgs()));
ALTER TABLE contract_rates ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON contract_rates USING (organisation_id = ANY (app_scope_orgs()));
ALTER TABLE contract_supply_points ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON contract_supply_points USING (organisation_id = ANY (app_scope_orgs()));

ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON invoices USING (organisation_id = ANY (app_scope_orgs()));
ALTER TABLE invoice_lines ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON invoice_lines USING (organisation_id = ANY (app_scope_orgs()));

-- Identity tables: authentication must find a user before any scope exists, so users and sessions
-- are readable by the app role; the store only exposes them through authentication and scoped
-- user management. The audit log is append-only for the app role (no UPDATE/DELETE granted).

-- Authentication needs two facts before any scope exists: every organisation's id (for operations
-- admins) and the name of the user's own organisation. These definer functions give exactly that.
CREATE FUNCTION app_all_organisation_ids() RETURNS bigint[] LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = public
    RETURN (SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM organisations);
CREATE FUNCTION app_organisation_name(bigint) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = public
    RETURN (SELECT name FROM organisations WHERE id = $1);
REVOKE ALL ON FUNCTION app_all_organisation_ids(), app_organisation_name(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_all_organisation_ids(), app_organisation_name(bigint) TO portal_app;
