-- Layout B: one row per supply point x channel x settlement day x run, values as real[]
-- indexed by settlement period (1..46/48/50), statuses as a text of the same length.
CREATE TABLE b_real (
    supply_point_id int      NOT NULL,
    channel         smallint NOT NULL,
    run             smallint NOT NULL,
    settlement_date date     NOT NULL,           -- local (Europe/London) day
    vals            real[]   NOT NULL,
    statuses        text     NOT NULL,           -- 'AAEA...', one char per period
    CHECK (cardinality(vals) BETWEEN 46 AND 50 AND length(statuses) = cardinality(vals)),
    PRIMARY KEY (supply_point_id, channel, settlement_date, run)
);
