-- Layout B partitioned by calendar month of settlement_date.
CREATE TABLE b_month (
    supply_point_id int      NOT NULL,
    channel         smallint NOT NULL,
    run             smallint NOT NULL,
    settlement_date date     NOT NULL,
    vals            real[]   NOT NULL,
    statuses        text     NOT NULL,
    CHECK (cardinality(vals) BETWEEN 46 AND 50 AND length(statuses) = cardinality(vals)),
    PRIMARY KEY (supply_point_id, channel, settlement_date, run)
) PARTITION BY RANGE (settlement_date);
DO $$
DECLARE m date;
BEGIN
  FOR m IN SELECT generate_series(date '2023-01-01', date '2023-12-01', interval '1 month')::date LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF b_month FOR VALUES FROM (%L) TO (%L)',
                   'b_month_' || to_char(m, 'YYYYMM'), m, (m + interval '1 month')::date);
  END LOOP;
END $$;
CREATE TABLE b_month_default PARTITION OF b_month DEFAULT;
