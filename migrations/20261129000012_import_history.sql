-- HH files uploaded through the portal (/admin/imports, issue 11 item 4): who uploaded which file
-- when, and what came of it. The upload runs the CLI's importer inside the uploader's scoped
-- transaction as `portal_app`, so that role may now write HH data, under the policies that already
-- limit it to the organisations in scope.

-- The uploader, for row-level security: set per transaction (set_config(..., true)) by the store
-- functions that write or read the history, from the session's identity.
CREATE FUNCTION app_scope_user() RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE
    RETURN nullif(current_setting('app.user_id', true), '')::bigint;
GRANT EXECUTE ON FUNCTION app_scope_user() TO portal_app;

CREATE TABLE import_history (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uploaded_at      timestamptz NOT NULL DEFAULT now(),
    -- Staff only: their user rows belong to no organisation, so the name is kept here as well.
    uploaded_by      bigint NOT NULL REFERENCES users (id),
    uploader_email   text NOT NULL,
    uploader_role    text NOT NULL CHECK (uploader_role IN ('account_manager', 'ops_admin')),
    file_name        text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
    bytes            bigint NOT NULL CHECK (bytes >= 0),
    sha256           text,
    -- imported: new day-rows written; unchanged: all already held (a re-import);
    -- rejected: bad lines or a bad file, nothing written; failed: our error, nothing written.
    outcome          text NOT NULL CHECK (outcome IN ('imported', 'unchanged', 'rejected', 'failed')),
    source_rows      bigint NOT NULL DEFAULT 0,
    supply_points    integer NOT NULL DEFAULT 0,
    days             integer NOT NULL DEFAULT 0,
    first_date       date,
    last_date        date,
    runs             text[] NOT NULL DEFAULT '{}',
    day_rows_new     bigint NOT NULL DEFAULT 0,
    day_rows_known   bigint NOT NULL DEFAULT 0,
    -- Bad lines in all (the report lists the first 1,000).
    error_count      integer NOT NULL DEFAULT 0 CHECK (error_count >= 0),
    -- What the CLI prints for the file: its summary line, or the rejection and every listed line.
    report           text NOT NULL,
    import_batch_id  bigint REFERENCES import_batches (id),
    -- The customers whose supply points the file named (those the importer resolved).
    organisation_ids bigint[] NOT NULL DEFAULT '{}',
    CONSTRAINT import_history_batch CHECK ((outcome = 'imported') = (import_batch_id IS NOT NULL))
);
CREATE INDEX import_history_recent_idx ON import_history (uploaded_at DESC, id DESC);
CREATE INDEX import_history_uploader_idx ON import_history (uploaded_by, uploaded_at DESC);
CREATE INDEX import_history_organisations_idx ON import_history USING gin (organisation_ids);

GRANT SELECT, INSERT ON import_history TO portal_app;
GRANT USAGE ON SEQUENCE import_history_id_seq TO portal_app;
ALTER TABLE import_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE import_history FORCE ROW LEVEL SECURITY;
-- Operations see every upload; anyone else the uploads that named a customer in their scope, and
-- their own (a file refused before any MPAN resolved names no customer).
CREATE POLICY tenant_read ON import_history FOR SELECT TO portal_app
    USING (app_scope_all() OR organisation_ids && app_scope_orgs() OR uploaded_by = app_scope_user());
CREATE POLICY tenant_insert ON import_history FOR INSERT TO portal_app
    WITH CHECK (uploaded_by = app_scope_user() AND (app_scope_all() OR organisation_ids <@ app_scope_orgs()));

-- Writing HH data as portal_app. hh_day and hh_daily_best keep their `tenant` policies (for every
-- command), so a row is written only for an organisation in the transaction's scope; the importer
-- resolves MPANs through supply_points under the same scope. Batches name no organisation.
GRANT INSERT ON hh_day TO portal_app;
GRANT INSERT, UPDATE ON hh_daily_best TO portal_app;
GRANT SELECT (id), INSERT ON import_batches TO portal_app;
GRANT UPDATE (day_rows_new, day_rows_known) ON import_batches TO portal_app;
