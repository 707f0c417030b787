-- Earlier version of the recommended layout-B DDL (v1): as schema_recommended.sql but WITHOUT the
-- stored "periods" column and WITHOUT the covering INCLUDE on the primary key (run 1 called it hh_day).

CREATE FUNCTION hh_int_array_sum_nc(int[]) RETURNS bigint
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN (SELECT sum(x) FROM unnest($1) AS x);

CREATE TABLE hh_day_nocov (
    supply_point_id int      NOT NULL,          -- surrogate id of the MPAN / meter
    channel         smallint NOT NULL,          -- 1 AI kWh, 2 AE kWh, 3 RI kVArh, 4 RE kVArh
    run             smallint NOT NULL,          -- quality order: 1 II, 2 SF, 3 R1, 4 R2, 5 R3, 6 RF, 7 DF
    settlement_date date     NOT NULL,          -- Europe/London settlement day
    day_total       bigint   GENERATED ALWAYS AS (hh_int_array_sum_nc(vals)) STORED,   -- Wh
    vals            int[]    NOT NULL,          -- Wh per settlement period, 46/48/50 elements
    statuses        text     NOT NULL,          -- one char per period: A actual, E estimated, M missing
    CONSTRAINT hh_day_nocov_shape CHECK (cardinality(vals) BETWEEN 46 AND 50
                                   AND length(statuses) = cardinality(vals)
                                   AND statuses ~ '^[AEM]+$'),
    PRIMARY KEY (supply_point_id, channel, settlement_date, run)
) PARTITION BY RANGE (settlement_date);

CREATE TABLE hh_day_nocov_2023 PARTITION OF hh_day_nocov FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE hh_day_nocov_2024 PARTITION OF hh_day_nocov FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE hh_day_nocov_default PARTITION OF hh_day_nocov DEFAULT;
