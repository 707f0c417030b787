-- Links sent by e-mail (issue 11, part 3): invitations to a new colleague and password resets.
--
-- Each link carries a random token; only its SHA-256 is stored here, so a copy of this table opens
-- nothing. A link is single-use (`used_at`, set when it is used, or when a newer link of the same
-- purpose replaces it) and expires (`expires_at`: 72 hours for invitations, 1 hour for resets).
CREATE TABLE email_links (
    token_hash   bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose      text NOT NULL CHECK (purpose IN ('invitation', 'password_reset')),
    -- Who sent an invitation (a customer admin or operations admin); none for a reset the user
    -- asked for.
    created_by   bigint REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz,
    CHECK (expires_at > created_at)
);
CREATE INDEX email_links_user_idx ON email_links (user_id, purpose, created_at DESC);

-- When the user last started a session (after every factor), for the Admin page.
ALTER TABLE users ADD COLUMN last_sign_in_at timestamptz;

-- portal_auth: asks for a reset (inserts the link), reads a link by its hash, uses it (sets the
-- password, ends the user's sessions), and notes each sign-in.
GRANT SELECT, INSERT, UPDATE ON email_links TO portal_auth;
GRANT UPDATE (last_sign_in_at) ON users TO portal_auth;

-- portal_app: customer admins and operations admins invite (insert an invitation for a user of
-- the scope, and void the earlier ones of that user when sending a new one) and see the state of
-- their users' invitations, never the token hashes; they change a user's role within the
-- organisation (the users policy already keeps it a customer role of an organisation in scope)
-- and see the last sign-in.
REVOKE ALL ON email_links FROM portal_app, PUBLIC;
GRANT SELECT (user_id, purpose, created_at, expires_at, used_at) ON email_links TO portal_app;
GRANT INSERT (token_hash, user_id, purpose, created_by, expires_at) ON email_links TO portal_app;
GRANT UPDATE (used_at) ON email_links TO portal_app;
GRANT SELECT (last_sign_in_at) ON users TO portal_app;
GRANT UPDATE (role) ON users TO portal_app;

ALTER TABLE email_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE email_links FORCE ROW LEVEL SECURITY;
CREATE POLICY auth ON email_links TO portal_auth USING (true) WITH CHECK (true);
CREATE POLICY tenant ON email_links TO portal_app
    USING (user_id IN (SELECT id FROM users))
    WITH CHECK (purpose = 'invitation' AND user_id IN (SELECT id FROM users));
