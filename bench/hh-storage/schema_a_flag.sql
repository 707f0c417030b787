-- Layout A + precomputed is_best flag, plus a partial covering index on the best rows
-- (this partial index is in effect a "best" materialisation maintained by PostgreSQL).
CREATE TABLE a_flag (
    supply_point_id int       NOT NULL,
    channel         smallint  NOT NULL,
    run             smallint  NOT NULL,
    interval_start  timestamptz NOT NULL,
    value           real      NOT NULL,
    status          "char"    NOT NULL CHECK (status IN ('A','E','M')),
    is_best         boolean   NOT NULL,
    PRIMARY KEY (supply_point_id, channel, interval_start, run)
);
CREATE UNIQUE INDEX a_flag_best ON a_flag (supply_point_id, channel, interval_start)
    INCLUDE (value, status, run) WHERE is_best;
