-- Alerts (issue 11, item 5): capacity breaches, data gaps, usage out of profile and contract
-- renewals, raised by `domain::alerts` after every import and by the daily job, at most one per
-- rule per supply point per settlement day (and one per contract per renewal threshold).
-- The figures are kept as numbers; the sentences are written by the domain when shown, so the
-- page, the e-mail digest and the export say the same thing.
CREATE TABLE alerts (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id  bigint NOT NULL REFERENCES organisations (id),
    -- The site, for users restricted to some sites; NULL for a contract without supply points.
    site_id          bigint REFERENCES sites (id),
    supply_point_id  bigint REFERENCES supply_points (id),
    contract_id      bigint REFERENCES contracts (id),
    rule             text NOT NULL CHECK (rule IN ('capacity', 'data_gap', 'out_of_profile', 'renewal')),
    -- The settlement day the alert is about (renewal: the contract's last day).
    day              date NOT NULL,
    -- capacity: peak kVA; data_gap: missing half-hours; out_of_profile: mean kW; renewal: days left.
    measured         double precision NOT NULL,
    -- capacity: agreed kVA; data_gap: half-hours in the day; out_of_profile: the 4-week mean kW;
    -- renewal: the threshold crossed (120, 60 or 30 days).
    reference        double precision NOT NULL,
    -- capacity: the settlement period of the peak; out_of_profile: 1 for the night (00:00-05:00
    -- local), 2 for a whole weekend day; otherwise NULL.
    period           smallint,
    raised_at        timestamptz NOT NULL DEFAULT now(),
    -- Data gaps only: the data arrived later (the alert stays, marked as resolved).
    cleared_at       timestamptz,
    acknowledged_at  timestamptz,
    acknowledged_by  bigint REFERENCES users (id),
    -- Kept by name: a customer cannot read the user row of the account manager who acknowledged.
    acknowledged_by_name text,
    CONSTRAINT alerts_subject CHECK (
        CASE rule WHEN 'renewal' THEN contract_id IS NOT NULL AND supply_point_id IS NULL
                  ELSE supply_point_id IS NOT NULL AND site_id IS NOT NULL AND contract_id IS NULL END),
    CONSTRAINT alerts_acknowledged CHECK (
        (acknowledged_at IS NULL) = (acknowledged_by IS NULL) AND (acknowledged_by IS NULL) = (acknowledged_by_name IS NULL))
);
CREATE UNIQUE INDEX alerts_supply_point_day ON alerts (rule, supply_point_id, day) WHERE supply_point_id IS NOT NULL;
CREATE UNIQUE INDEX alerts_renewal_threshold ON alerts (contract_id, reference) WHERE rule = 'renewal';
CREATE INDEX alerts_recent_idx ON alerts (organisation_id, raised_at DESC);
CREATE INDEX alerts_open_idx ON alerts (organisation_id) WHERE acknowledged_at IS NULL;

GRANT SELECT, INSERT ON alerts TO portal_app;
GRANT UPDATE (acknowledged_at, acknowledged_by, acknowledged_by_name, cleared_at, measured) ON alerts TO portal_app;
GRANT USAGE ON SEQUENCE alerts_id_seq TO portal_app;
ALTER TABLE alerts ENABLE ROW LEVEL SECURITY;
-- Like the supply points: the organisations in scope, and within them the sites (an alert about a
-- contract belongs to no site and is shown to whoever sees the contract).
CREATE POLICY tenant ON alerts USING (
    organisation_id = ANY (app_scope_orgs())
    AND (app_scope_sites() IS NULL OR site_id IS NULL OR site_id = ANY (app_scope_sites())));

-- Who wants which rules by e-mail: one daily digest listing what was raised since the last one.
-- Each user manages their own (app.user_id, set per transaction by the store).
CREATE TABLE alert_subscriptions (
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    rule        text NOT NULL CHECK (rule IN ('capacity', 'data_gap', 'out_of_profile', 'renewal')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, rule)
);
-- The last digest per user: alerts raised after `sent_through` go into the next one.
CREATE TABLE alert_digests (
    user_id       bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    sent_through  timestamptz NOT NULL,
    alerts_sent   integer NOT NULL DEFAULT 0
);

GRANT SELECT, INSERT, DELETE ON alert_subscriptions TO portal_app;
ALTER TABLE alert_subscriptions ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON alert_subscriptions USING (user_id = app_scope_user());
-- The digest job runs as the owner; the portal only shows a user when their last digest went.
GRANT SELECT ON alert_digests TO portal_app;
ALTER TABLE alert_digests ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON alert_digests FOR SELECT USING (user_id = app_scope_user());
