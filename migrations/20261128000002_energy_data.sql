-- Half-hourly data, DUoS bands, contracts, invoices and import batches.
-- HH layout chosen by measurement (docs/hh-storage.md): one row per supply point × channel ×
-- settlement day × settlement run, values as exact integers (Wh / VArh) in an array indexed by
-- settlement period (46/48/50). Every run is kept; the best run is picked at query time.

CREATE TABLE import_batches (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    file_name       text NOT NULL,
    sha256          text NOT NULL,
    imported_at     timestamptz NOT NULL DEFAULT now(),
    source_rows     bigint NOT NULL,
    day_rows_new    bigint NOT NULL,
    day_rows_known  bigint NOT NULL,
    supply_points   integer NOT NULL,
    first_date      date,
    last_date       date,
    runs            text[] NOT NULL
);
CREATE INDEX import_batches_sha_idx ON import_batches (sha256);

CREATE TABLE hh_day (
    supply_point_id  bigint   NOT NULL REFERENCES supply_points (id),
    organisation_id  bigint   NOT NULL REFERENCES organisations (id),
    channel          smallint NOT NULL CHECK (channel BETWEEN 1 AND 4),  -- 1 AI, 2 AE, 3 RI, 4 RE
    settlement_date  date     NOT NULL,
    run              smallint NOT NULL CHECK (run BETWEEN 1 AND 7),      -- 1 II … 7 DF (quality order)
    vals             integer[] NOT NULL,                                 -- Wh/VArh per settlement period
    statuses         text     NOT NULL,                                  -- one of A/E/M per period
    -- Summaries written by the importer (it has the values in hand; computing them in SQL for every
    -- row cost ~10 % of import throughput). The checks keep the cheap ones honest.
    day_total        bigint   NOT NULL,
    day_max          integer  NOT NULL,
    periods          smallint NOT NULL CHECK (periods = cardinality(vals)),
    missing          smallint NOT NULL CHECK (missing = length(statuses) - length(replace(statuses, 'M', ''))),
    import_batch_id  bigint   REFERENCES import_batches (id),
    CONSTRAINT hh_day_shape CHECK (
        cardinality(vals) BETWEEN 46 AND 50
        AND length(statuses) = cardinality(vals)
        AND statuses ~ '^[AEM]+$'
        AND array_position(vals, NULL) IS NULL
    ),
    CONSTRAINT hh_day_pkey PRIMARY KEY (supply_point_id, channel, settlement_date, run)
        INCLUDE (organisation_id, day_total, day_max, periods, missing)
) PARTITION BY RANGE (settlement_date);

CREATE TABLE hh_day_before_2024 PARTITION OF hh_day FOR VALUES FROM (MINVALUE) TO ('2024-01-01');
CREATE TABLE hh_day_2024 PARTITION OF hh_day FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE hh_day_2025 PARTITION OF hh_day FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE hh_day_2026 PARTITION OF hh_day FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE hh_day_2027 PARTITION OF hh_day FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
CREATE TABLE hh_day_later PARTITION OF hh_day DEFAULT;

-- DUoS time bands as data: per distributor area, validity dates, weekday/weekend, local times.
CREATE TABLE duos_band_rules (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    distributor_id  smallint NOT NULL CHECK (distributor_id BETWEEN 10 AND 99),
    valid_from      date NOT NULL,
    valid_to        date,
    day_type        text NOT NULL CHECK (day_type IN ('weekday', 'weekend')),
    band            text NOT NULL CHECK (band IN ('red', 'amber', 'green')),
    start_time      time NOT NULL,
    end_time        time NOT NULL,
    UNIQUE (distributor_id, valid_from, day_type, band, start_time)
);

CREATE TABLE contracts (
    id                                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id                   bigint NOT NULL REFERENCES organisations (id),
    reference                         text NOT NULL UNIQUE,
    starts_on                         date NOT NULL,
    ends_on                           date NOT NULL CHECK (ends_on > starts_on),
    rate_structure                    text NOT NULL CHECK (rate_structure IN ('flat', 'day_night', 'banded')),
    -- Rates in pence with fractions (p/kWh, p/day, p/kVA/day): numeric, never float.
    standing_charge_p_per_day         numeric(12, 4) NOT NULL,
    capacity_charge_p_per_kva_day     numeric(12, 4) NOT NULL,
    excess_capacity_p_per_kva_day     numeric(12, 4) NOT NULL,
    reactive_p_per_kvarh              numeric(12, 4) NOT NULL,
    ccl_p_per_kwh                     numeric(12, 4) NOT NULL,
    vat_rate_percent                  numeric(5, 2) NOT NULL,
    annual_volume_kwh                 bigint NOT NULL,
    volume_tolerance_percent          numeric(5, 2) NOT NULL,
    third_party_costs                 text NOT NULL CHECK (third_party_costs IN ('pass_through', 'fixed'))
);
CREATE INDEX contracts_organisation_idx ON contracts (organisation_id);

-- Unit rates by name: 'all' (flat), 'day'/'night', or 'red'/'amber'/'green' (banded).
CREATE TABLE contract_rates (
    contract_id     bigint NOT NULL REFERENCES contracts (id) ON DELETE CASCADE,
    organisation_id bigint NOT NULL REFERENCES organisations (id),
    rate_name       text NOT NULL CHECK (rate_name IN ('all', 'day', 'night', 'red', 'amber', 'green')),
    p_per_kwh       numeric(12, 4) NOT NULL CHECK (p_per_kwh >= 0),
    PRIMARY KEY (contract_id, rate_name)
);

CREATE TABLE contract_supply_points (
    contract_id      bigint NOT NULL REFERENCES contracts (id) ON DELETE CASCADE,
    supply_point_id  bigint NOT NULL REFERENCES supply_points (id),
    organisation_id  bigint NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (contract_id, supply_point_id)
);

CREATE TABLE invoices (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id    bigint NOT NULL REFERENCES organisations (id),
    contract_id        bigint REFERENCES contracts (id),
    invoice_number     text NOT NULL UNIQUE,
    account_number     text NOT NULL,
    period_start       date NOT NULL,
    period_end         date NOT NULL CHECK (period_end >= period_start),
    issued_on          date NOT NULL,
    due_on             date NOT NULL,
    status             text NOT NULL CHECK (status IN ('issued', 'paid', 'overdue', 'queried', 'credited')),
    net_pence          bigint NOT NULL,
    vat_pence          bigint NOT NULL,
    total_pence        bigint NOT NULL CHECK (total_pence = net_pence + vat_pence),
    credits_invoice_id bigint REFERENCES invoices (id)
);
CREATE INDEX invoices_organisation_idx ON invoices (organisation_id, period_start DESC);

CREATE TABLE invoice_lines (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invoice_id       bigint NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    organisation_id  bigint NOT NULL REFERENCES organisations (id),
    supply_point_id  bigint REFERENCES supply_points (id),
    charge_type      text NOT NULL,
    description      text NOT NULL,
    quantity         numeric(16, 3) NOT NULL,
    unit             text NOT NULL,
    rate_pence       numeric(14, 5) NOT NULL,
    amount_pence     bigint NOT NULL
);
CREATE INDEX invoice_lines_invoice_idx ON invoice_lines (invoice_id);
