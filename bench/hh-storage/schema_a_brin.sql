-- Layout A + BRIN on interval_start (same DDL as a_real plus this index).
-- Loaded separately so the COPY cost of maintaining the BRIN is measured.
CREATE TABLE a_brin (
    supply_point_id int       NOT NULL,
    channel         smallint  NOT NULL,
    run             smallint  NOT NULL,
    interval_start  timestamptz NOT NULL,
    value           real      NOT NULL,
    status          "char"    NOT NULL CHECK (status IN ('A','E','M')),
    PRIMARY KEY (supply_point_id, channel, interval_start, run)
);
CREATE INDEX a_brin_ts_brin ON a_brin USING brin (interval_start) WITH (pages_per_range = 32);
