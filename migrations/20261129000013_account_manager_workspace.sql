-- The account manager's workspace (issue 11, items 1 and 2).
--
-- View as customer: a staff session can show one customer's portal exactly as the customer sees
-- it, read-only. The choice belongs to the session (ended by signing out or by "Back to my
-- customers"); the server re-checks on every request that the organisation is still in the staff
-- member's scope, and refuses every change while it is set.
ALTER TABLE sessions ADD COLUMN viewing_as_organisation_id bigint REFERENCES organisations (id) ON DELETE SET NULL;
COMMENT ON COLUMN sessions.viewing_as_organisation_id IS
    'staff sessions: the customer whose portal this session shows read-only (NULL: their own view)';

-- Assignments of account managers to customers: only operations admins (app.all_orgs) read, add
-- or remove them; any other scope sees none (sessions read them as portal_auth, as before).
GRANT SELECT, INSERT, DELETE ON account_manager_assignments TO portal_app;
CREATE POLICY ops_read ON account_manager_assignments FOR SELECT TO portal_app
    USING (app_scope_all() AND organisation_id = ANY (app_scope_orgs()));
CREATE POLICY ops_insert ON account_manager_assignments FOR INSERT TO portal_app
    WITH CHECK (app_scope_all() AND organisation_id = ANY (app_scope_orgs()));
CREATE POLICY ops_delete ON account_manager_assignments FOR DELETE TO portal_app
    USING (app_scope_all() AND organisation_id = ANY (app_scope_orgs()));

-- Operations admins see the account managers (their names, to assign them); customers and
-- account managers still see only the users of the organisations in their scope.
CREATE POLICY ops_staff_read ON users FOR SELECT TO portal_app
    USING (app_scope_all() AND role = 'account_manager');
