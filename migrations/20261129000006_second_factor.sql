-- Second factor (TOTP, RFC 6238) and the password policy's state.
-- Grants follow the identity tables' model as it stands at this migration (the app role reads and
-- writes them); the identity row-level-security migration after this one narrows them.

-- A password someone else chose (an admin creating the account, or resetting it) must be changed
-- by its owner at the next sign-in.
ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;

-- One authenticator per user. `secret` holds the shared secret sealed by the server (nonce and
-- ciphertext), never the plain key. Until `confirmed_at` is set, enrolment is in progress and the
-- factor is not used for sign-in. `last_used_step` is the RFC 6238 time step of the last accepted
-- code: a code (or an earlier one) is accepted once only.
CREATE TABLE user_totp (
    user_id         bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret          bytea NOT NULL,
    confirmed_at    timestamptz,
    last_used_step  bigint,
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- Single-use recovery codes, stored as hashes only (shown to the user once, at enrolment).
CREATE TABLE user_recovery_codes (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash   text NOT NULL,
    used_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX user_recovery_codes_user_idx ON user_recovery_codes (user_id) WHERE used_at IS NULL;

-- A sign-in between its steps: the password was right, the second factor (or its enrolment, or
-- the acknowledgement of fresh recovery codes) is still to come. Not a session: no `sessions` row
-- exists until the last step. The browser holds a random token in its own cookie; only its SHA-256
-- is stored. Short-lived (`expires_at`), bound to one user, and counts wrong codes (`failures`)
-- so a few wrong codes send the person back to the password. `step` is 'verify' (enter a code),
-- 'enrol' (set up an authenticator) or 'codes' (recovery codes to be shown once; `codes` holds
-- them sealed by the server until then).
CREATE TABLE mfa_challenges (
    token_hash  bytea PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    step        text NOT NULL CHECK (step IN ('verify', 'enrol', 'codes')),
    next_path   text NOT NULL DEFAULT '/',
    failures    integer NOT NULL DEFAULT 0,
    codes       bytea,
    -- Set when the step was started from a signed-in session (optional enrolment from the
    -- Account page): finishing it goes back there instead of starting a new session.
    from_session uuid,
    expires_at  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mfa_challenges_user_idx ON mfa_challenges (user_id);

GRANT SELECT, INSERT, UPDATE, DELETE ON user_totp, user_recovery_codes, mfa_challenges TO portal_app;
