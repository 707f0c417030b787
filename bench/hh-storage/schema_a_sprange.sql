-- Layout A, declaratively partitioned by RANGE of supply_point_id (25 meters per partition here;
-- at thousands of meters this would be e.g. 500-1000 meters per partition).
CREATE TABLE a_sprange (
    supply_point_id int       NOT NULL,
    channel         smallint  NOT NULL,
    run             smallint  NOT NULL,
    interval_start  timestamptz NOT NULL,
    value           real      NOT NULL,
    status          "char"    NOT NULL CHECK (status IN ('A','E','M')),
    PRIMARY KEY (supply_point_id, channel, interval_start, run)
) PARTITION BY RANGE (supply_point_id);
DO $$
DECLARE lo int;
BEGIN
  FOR lo IN SELECT generate_series(1, 76, 25) LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF a_sprange FOR VALUES FROM (%s) TO (%s)',
                   'a_sprange_' || lo, lo, lo + 25);
  END LOOP;
END $$;
CREATE TABLE a_sprange_default PARTITION OF a_sprange DEFAULT;
