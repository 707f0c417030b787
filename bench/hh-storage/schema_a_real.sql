-- Layout A, baseline: one row per half-hour value, value as real, B-tree PK.
-- channel: 1 AI kWh, 2 AE kWh, 3 RI kVArh, 4 RE kVArh
-- run (quality order): 1 II, 2 SF, 3 R1, 4 R2, 5 R3, 6 RF, 7 DF
-- status: "char" (1 byte, internal type) A actual / E estimated / M missing
CREATE TABLE a_real (
    supply_point_id int       NOT NULL,
    channel         smallint  NOT NULL,
    run             smallint  NOT NULL,
    interval_start  timestamptz NOT NULL,
    value           real      NOT NULL,
    status          "char"    NOT NULL CHECK (status IN ('A','E','M')),
    PRIMARY KEY (supply_point_id, channel, interval_start, run)
);
