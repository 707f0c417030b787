-- Layout A with exact numeric(12,3) values.
CREATE TABLE a_num (
    supply_point_id int       NOT NULL,
    channel         smallint  NOT NULL,
    run             smallint  NOT NULL,
    interval_start  timestamptz NOT NULL,
    value           numeric(12,3) NOT NULL,
    status          "char"    NOT NULL CHECK (status IN ('A','E','M')),
    PRIMARY KEY (supply_point_id, channel, interval_start, run)
);
