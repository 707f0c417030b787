-- Layout B with numeric[] values.
CREATE TABLE b_num (
    supply_point_id int       NOT NULL,
    channel         smallint  NOT NULL,
    run             smallint  NOT NULL,
    settlement_date date      NOT NULL,
    vals            numeric[] NOT NULL,
    statuses        text      NOT NULL,
    CHECK (cardinality(vals) BETWEEN 46 AND 50 AND length(statuses) = cardinality(vals)),
    PRIMARY KEY (supply_point_id, channel, settlement_date, run)
);
