-- RECOMMENDED portal schema (layout B): one row per supply point x channel x settlement day x run.
-- Values are exact integers in Wh / VArh (kWh = Wh / 1000.0); element i = settlement period i (1..46/48/50).
-- Every settlement run is kept (append-only, never updated); the best run is chosen at query time with
-- DISTINCT ON over the primary key.  day_total / periods are computed once at import (generated columns)
-- and carried in the primary-key index (INCLUDE), so daily totals are an index-only scan.
-- Partitioned by settlement year for retention / maintenance (detach, repack, drop), not for speed.

CREATE FUNCTION hh_int_array_sum(int[]) RETURNS bigint
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN (SELECT sum(x) FROM unnest($1) AS x);

CREATE TABLE hh_day (
    supply_point_id int      NOT NULL,          -- surrogate id of the MPAN / meter
    channel         smallint NOT NULL,          -- 1 AI kWh, 2 AE kWh, 3 RI kVArh, 4 RE kVArh
    run             smallint NOT NULL,          -- quality order: 1 II, 2 SF, 3 R1, 4 R2, 5 R3, 6 RF, 7 DF
    settlement_date date     NOT NULL,          -- Europe/London settlement day
    periods         smallint GENERATED ALWAYS AS (cardinality(vals)) STORED,           -- 46 / 48 / 50
    day_total       bigint   GENERATED ALWAYS AS (hh_int_array_sum(vals)) STORED,    -- Wh
    vals            int[]    NOT NULL,          -- Wh per settlement period
    statuses        text     NOT NULL,          -- one char per period: A actual, E estimated, M missing
    CONSTRAINT hh_day_shape CHECK (cardinality(vals) BETWEEN 46 AND 50
                                   AND length(statuses) = cardinality(vals)
                                   AND statuses ~ '^[AEM]+$'),
    CONSTRAINT hh_day_pkey PRIMARY KEY (supply_point_id, channel, settlement_date, run)
        INCLUDE (day_total, periods)
) PARTITION BY RANGE (settlement_date);

CREATE TABLE hh_day_2023 PARTITION OF hh_day FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE hh_day_2024 PARTITION OF hh_day FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE hh_day_default PARTITION OF hh_day DEFAULT;
