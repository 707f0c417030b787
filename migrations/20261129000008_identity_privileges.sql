-- Identity tables under row-level security and least privilege (issue 8, findings 4 and 5).
--
-- Two roles serve the portal, both NOLOGIN, NOSUPERUSER, NOBYPASSRLS; the server's login is a
-- member of both and picks one per pool with SET ROLE:
--   portal_auth  authentication only (the server's AuthState pool): finds a user by email with
--                their password hash, keeps sessions, login attempts and the second factor, writes
--                sign-in events to the audit log. It reads no tenant data.
--   portal_app   everything else (pages and server fns): tenant data, and the identity tables only
--                within the transaction's scope, without password hashes, sessions' details, login
--                attempts or second-factor secrets.
-- Every table with a policy is FORCE ROW LEVEL SECURITY, so a table owner without BYPASSRLS is
-- held to the policies too (it has none, so it sees nothing): migrations, `server import` and
-- `server seed-demo` must run as a role with BYPASSRLS (in development the superuser), and the
-- server refuses to serve in production when its login is a superuser, has BYPASSRLS or owns
-- these tables (server/src/db.rs).

DO $$
BEGIN
    CREATE ROLE portal_auth NOLOGIN NOSUPERUSER NOBYPASSRLS;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
GRANT USAGE ON SCHEMA public TO portal_auth;

-- Finding 4: a customer user's site restriction fails closed. `all_sites` says "every site of the
-- organisation" explicitly; without it the user sees exactly the sites in user_site_access, so
-- none when those rows are gone (a deleted site cascades its grants away, never widening access).
ALTER TABLE users ADD COLUMN all_sites boolean NOT NULL DEFAULT false;
UPDATE users u SET all_sites = NOT EXISTS (SELECT 1 FROM user_site_access a WHERE a.user_id = u.id);
COMMENT ON COLUMN users.all_sites IS
    'customer users: true = every site of the organisation; false = only the sites in user_site_access (none when it has no rows)';

-- Finding 6: who disabled a user. A user disabled by staff (account manager, operations admin)
-- can be re-enabled by staff only, never by the customer's own admin.
ALTER TABLE users ADD COLUMN disabled_by_staff boolean NOT NULL DEFAULT false;
ALTER TABLE users ADD CONSTRAINT users_disabled_by_staff_check CHECK (NOT disabled_by_staff OR disabled_at IS NOT NULL);

-- The app scope's third setting: operations admins read the whole audit log, including entries
-- that belong to no organisation (staff sign-ins, failures for unknown addresses).
CREATE FUNCTION app_scope_all() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE
    RETURN coalesce(current_setting('app.all_orgs', true), '') = 'on';
GRANT EXECUTE ON FUNCTION app_scope_all() TO portal_app;

-- ---------------------------------------------------------------------------------------------
-- Privileges: start from nothing on the identity tables, then grant what each role needs.
REVOKE ALL ON users, user_site_access, account_manager_assignments, sessions, login_attempts,
    audit_log, user_totp, user_recovery_codes, mfa_challenges FROM portal_app;
REVOKE ALL ON users, user_site_access, account_manager_assignments, sessions, login_attempts,
    audit_log, user_totp, user_recovery_codes, mfa_challenges FROM PUBLIC;

-- portal_auth: sign-in, session resolution, password change, second factor.
GRANT SELECT ON users, user_site_access, account_manager_assignments TO portal_auth;
GRANT UPDATE (password_hash, must_change_password) ON users TO portal_auth;
GRANT SELECT, INSERT, UPDATE ON sessions TO portal_auth;
GRANT SELECT, INSERT, DELETE ON login_attempts TO portal_auth;
-- A password check reserves its attempt first and marks it succeeded after (server/src/auth/throttle.rs).
GRANT UPDATE (succeeded) ON login_attempts TO portal_auth;
GRANT INSERT ON audit_log TO portal_auth;
GRANT SELECT, INSERT, UPDATE, DELETE ON user_totp, user_recovery_codes, mfa_challenges TO portal_auth;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO portal_auth;
GRANT EXECUTE ON FUNCTION app_all_organisation_ids(), app_organisation_name(bigint) TO portal_auth;

-- portal_app: users of the organisations in scope, never the password hash (it may set one when
-- creating a user, not read it back); enabling/disabling and site access; ending a disabled
-- user's sessions; the audit log of the organisations in scope.
GRANT SELECT (id, email, display_name, role, organisation_id, disabled_at, created_at,
              must_change_password, all_sites, disabled_by_staff) ON users TO portal_app;
GRANT INSERT (email, display_name, role, organisation_id, password_hash, must_change_password,
              all_sites) ON users TO portal_app;
GRANT UPDATE (disabled_at, disabled_by_staff, all_sites) ON users TO portal_app;
GRANT SELECT, INSERT, DELETE ON user_site_access TO portal_app;
GRANT SELECT (id, user_id, revoked_at), UPDATE (revoked_at) ON sessions TO portal_app;
GRANT SELECT, INSERT ON audit_log TO portal_app;
-- The app role keeps no way to call the authentication-only definer functions.
REVOKE EXECUTE ON FUNCTION app_all_organisation_ids(), app_organisation_name(bigint) FROM portal_app;

-- ---------------------------------------------------------------------------------------------
-- Policies. portal_auth's are "all rows" (it must find any user by email before a scope exists);
-- portal_app's follow the transaction's scope.
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY auth ON users TO portal_auth USING (true) WITH CHECK (true);
CREATE POLICY tenant ON users TO portal_app
    USING (organisation_id = ANY (app_scope_orgs()))
    WITH CHECK (organisation_id = ANY (app_scope_orgs()) AND role IN ('customer_user', 'customer_admin'));

ALTER TABLE user_site_access ENABLE ROW LEVEL SECURITY;
CREATE POLICY auth ON user_site_access FOR SELECT TO portal_auth USING (true);
CREATE POLICY tenant ON user_site_access TO portal_app
    USING (user_id IN (SELECT id FROM users) AND site_id IN (SELECT id FROM sites))
    WITH CHECK (user_id IN (SELECT id FROM users) AND site_id IN (SELECT id FROM sites));

ALTER TABLE account_manager_assignments ENABLE ROW LEVEL SECURITY;
CREATE POLICY auth ON account_manager_assignments FOR SELECT TO portal_auth USING (true);

ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
CREATE POLICY auth ON sessions TO portal_auth USING (true) WITH CHECK (true);
CREATE POLICY tenant ON sessions TO portal_app USING (user_id IN (SELECT id FROM users));

ALTER TABLE login_attempts ENABLE ROW LEVEL SECURITY;
CREATE POLICY auth ON login_attempts TO portal_auth USING (true) WITH CHECK (true);

ALTER TABLE user_totp ENABLE ROW LEVEL SECURITY;
CREATE POLICY auth ON user_totp TO portal_auth USING (true) WITH CHECK (true);
ALTER TABLE user_recovery_codes ENABLE ROW LEVEL SECURITY;
CREATE POLICY auth ON user_recovery_codes TO portal_auth USING (true) WITH CHECK (true);
ALTER TABLE mfa_challenges ENABLE ROW LEVEL SECURITY;
CREATE POLICY auth ON mfa_challenges TO portal_auth USING (true) WITH CHECK (true);

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY auth_insert ON audit_log FOR INSERT TO portal_auth WITH CHECK (true);
CREATE POLICY tenant_read ON audit_log FOR SELECT TO portal_app
    USING (app_scope_all() OR organisation_id = ANY (app_scope_orgs()));
CREATE POLICY tenant_insert ON audit_log FOR INSERT TO portal_app
    WITH CHECK (organisation_id IS NULL OR organisation_id = ANY (app_scope_orgs()));

-- ---------------------------------------------------------------------------------------------
-- FORCE: the owner is held to the policies too (superusers and BYPASSRLS roles still are not).
ALTER TABLE users FORCE ROW LEVEL SECURITY;
ALTER TABLE user_site_access FORCE ROW LEVEL SECURITY;
ALTER TABLE account_manager_assignments FORCE ROW LEVEL SECURITY;
ALTER TABLE sessions FORCE ROW LEVEL SECURITY;
ALTER TABLE login_attempts FORCE ROW LEVEL SECURITY;
ALTER TABLE user_totp FORCE ROW LEVEL SECURITY;
ALTER TABLE user_recovery_codes FORCE ROW LEVEL SECURITY;
ALTER TABLE mfa_challenges FORCE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
ALTER TABLE organisations FORCE ROW LEVEL SECURITY;
ALTER TABLE sites FORCE ROW LEVEL SECURITY;
ALTER TABLE supply_points FORCE ROW LEVEL SECURITY;
ALTER TABLE meters FORCE ROW LEVEL SECURITY;
ALTER TABLE hh_day FORCE ROW LEVEL SECURITY;
ALTER TABLE hh_daily_best FORCE ROW LEVEL SECURITY;
ALTER TABLE contracts FORCE ROW LEVEL SECURITY;
ALTER TABLE contract_rates FORCE ROW LEVEL SECURITY;
ALTER TABLE contract_supply_points FORCE ROW LEVEL SECURITY;
ALTER TABLE invoices FORCE ROW LEVEL SECURITY;
ALTER TABLE invoice_lines FORCE ROW LEVEL SECURITY;

-- ---------------------------------------------------------------------------------------------
-- Definer functions resolve names in public only, with pg_temp last, so a caller's temporary
-- objects can never stand in for ours. (A test lists every SECURITY DEFINER function and checks.)
ALTER FUNCTION app_all_organisation_ids() SET search_path = public, pg_temp;
ALTER FUNCTION app_organisation_name(bigint) SET search_path = public, pg_temp;
