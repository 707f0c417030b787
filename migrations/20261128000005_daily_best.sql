-- Best-run daily totals, kept by the importer (the only writer of hh_day): one row per supply point
-- × channel × settlement day with the day total of its best run so far. Portfolio views read
-- these instead of picking the best run among every run's rows of many meters at query time.
CREATE TABLE hh_daily_best (
    supply_point_id  bigint   NOT NULL REFERENCES supply_points (id),
    organisation_id  bigint   NOT NULL REFERENCES organisations (id),
    channel          smallint NOT NULL,
    settlement_date  date     NOT NULL,
    run              smallint NOT NULL,
    day_total        bigint   NOT NULL,
    periods          smallint NOT NULL,
    missing          smallint NOT NULL,
    PRIMARY KEY (supply_point_id, channel, settlement_date)
        INCLUDE (organisation_id, run, day_total, periods, missing)
);

INSERT INTO hh_daily_best
SELECT DISTINCT ON (supply_point_id, channel, settlement_date)
       supply_point_id, organisation_id, channel, settlement_date, run, day_total, periods, missing
FROM hh_day
ORDER BY supply_point_id, channel, settlement_date, run DESC;

GRANT SELECT ON hh_daily_best TO portal_app;
ALTER TABLE hh_daily_best ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON hh_daily_best USING (
    organisation_id = ANY (app_scope_orgs())
    AND (app_scope_sites() IS NULL OR supply_point_id IN (SELECT id FROM supply_points)));
