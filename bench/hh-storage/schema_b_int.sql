-- Layout B with exact integer Wh / VArh values (int4[]; kWh = Wh / 1000).
CREATE TABLE b_int (
    supply_point_id int      NOT NULL,
    channel         smallint NOT NULL,
    run             smallint NOT NULL,
    settlement_date date     NOT NULL,
    vals            int[]    NOT NULL,
    statuses        text     NOT NULL,
    CHECK (cardinality(vals) BETWEEN 46 AND 50 AND length(statuses) = cardinality(vals)),
    PRIMARY KEY (supply_point_id, channel, settlement_date, run)
);
