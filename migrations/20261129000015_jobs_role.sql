-- Jobs that work across every customer without BYPASSRLS (issue 13).
--
-- The HH importer, the daily alerts with their digests, and the demo data read and write every
-- customer's rows, as the tables' owner. Locally that owner is a superuser, which row-level
-- security never holds. On Amazon RDS it is the master user: not a superuser, without BYPASSRLS,
-- and unable to get it (PostgreSQL lets only a role that has BYPASSRLS give it). Every table with
-- a policy is FORCE ROW LEVEL SECURITY (migration 8), so there the owner would see no row and
-- could write none: imports and alerts would fail on AWS.
--
-- `portal_jobs` (NOLOGIN, NOSUPERUSER, NOBYPASSRLS) has a policy on every table under row-level
-- security that lets it see and write every row, and the role that runs the migrations (the
-- owner) becomes a member that inherits it. The portal's logins must never reach it: the server
-- refuses to serve in production through a login that can (server/src/db.rs). A table that
-- enables row-level security later must give `portal_jobs` the same policy; a store test fails
-- otherwise (server/tests/rls.rs).

DO $$
BEGIN
    CREATE ROLE portal_jobs NOLOGIN NOSUPERUSER NOBYPASSRLS;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;

DO $$
DECLARE
    t regclass;
BEGIN
    FOR t IN
        SELECT c.oid::regclass
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relrowsecurity
        ORDER BY c.relname
    LOOP
        EXECUTE format('CREATE POLICY jobs_all ON %s TO portal_jobs USING (true) WITH CHECK (true)', t);
    END LOOP;
END $$;

-- The owner's membership. From PostgreSQL 16 a grant says whether it is inherited (a role that
-- CREATEROLE created is granted to its creator without inheritance); policies apply only through
-- inherited membership, so say it. A superuser (local development, tests) is unaffected either way.
DO $$
BEGIN
    IF current_setting('server_version_num')::int >= 160000 THEN
        EXECUTE 'GRANT portal_jobs TO CURRENT_USER WITH INHERIT TRUE';
    ELSE
        EXECUTE 'GRANT portal_jobs TO CURRENT_USER';
    END IF;
END $$;
