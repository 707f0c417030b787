-- Layout B + precomputed is_best flag with a partial unique index on the best row per day.
CREATE TABLE b_flag (
    supply_point_id int      NOT NULL,
    channel         smallint NOT NULL,
    run             smallint NOT NULL,
    settlement_date date     NOT NULL,
    vals            real[]   NOT NULL,
    statuses        text     NOT NULL,
    is_best         boolean  NOT NULL,
    CHECK (cardinality(vals) BETWEEN 46 AND 50 AND length(statuses) = cardinality(vals)),
    PRIMARY KEY (supply_point_id, channel, settlement_date, run)
);
CREATE UNIQUE INDEX b_flag_best ON b_flag (supply_point_id, channel, settlement_date) WHERE is_best;
