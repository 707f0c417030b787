-- Users, roles, sessions, login throttling and the audit log.

CREATE TABLE users (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email            text NOT NULL CHECK (email = lower(email) AND email LIKE '%_@_%'),
    display_name     text NOT NULL,
    role             text NOT NULL CHECK (role IN ('customer_user', 'customer_admin', 'account_manager', 'ops_admin')),
    -- Customers belong to exactly one organisation; staff to none.
    organisation_id  bigint REFERENCES organisations (id),
    password_hash    text NOT NULL,
    disabled_at      timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((role IN ('customer_user', 'customer_admin')) = (organisation_id IS NOT NULL))
);
CREATE UNIQUE INDEX users_email_idx ON users (email);
CREATE INDEX users_organisation_idx ON users (organisation_id);

-- A customer user with rows here sees only these sites; without rows, all of the organisation's.
CREATE TABLE user_site_access (
    user_id  bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    site_id  bigint NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, site_id)
);

CREATE TABLE account_manager_assignments (
    user_id          bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organisation_id  bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, organisation_id)
);

CREATE TABLE sessions (
    id            uuid PRIMARY KEY,
    user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    revoked_at    timestamptz,
    client_ip     text,
    user_agent    text
);
CREATE INDEX sessions_user_idx ON sessions (user_id) WHERE revoked_at IS NULL;

CREATE TABLE login_attempts (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email       text NOT NULL,
    client_ip   text NOT NULL,
    succeeded   boolean NOT NULL,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_attempts_email_idx ON login_attempts (email, at);
CREATE INDEX login_attempts_ip_idx ON login_attempts (client_ip, at);

-- Append-only: the app role may insert and read, never change or delete (see the RLS migration),
-- and a trigger stops anyone else short of dropping it.
CREATE TABLE audit_log (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at               timestamptz NOT NULL DEFAULT now(),
    actor_user_id    bigint REFERENCES users (id),
    actor_email      text,
    action           text NOT NULL,
    organisation_id  bigint REFERENCES organisations (id),
    detail           jsonb NOT NULL DEFAULT '{}',
    client_ip        text
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
