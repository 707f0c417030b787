-- Layout A, declaratively partitioned by local (Europe/London) calendar month of interval_start.
CREATE TABLE a_month (
    supply_point_id int       NOT NULL,
    channel         smallint  NOT NULL,
    run             smallint  NOT NULL,
    interval_start  timestamptz NOT NULL,
    value           real      NOT NULL,
    status          "char"    NOT NULL CHECK (status IN ('A','E','M')),
    PRIMARY KEY (supply_point_id, channel, interval_start, run)
) PARTITION BY RANGE (interval_start);
DO $$
DECLARE m date;
BEGIN
  FOR m IN SELECT generate_series(date '2023-01-01', date '2023-12-01', interval '1 month')::date LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF a_month FOR VALUES FROM (%L) TO (%L)',
                   'a_month_' || to_char(m, 'YYYYMM'),
                   (m::timestamp AT TIME ZONE 'Europe/London'),
                   ((m + interval '1 month')::date::timestamp AT TIME ZONE 'Europe/London'));
  END LOOP;
END $$;
CREATE TABLE a_month_default PARTITION OF a_month DEFAULT;
