-- Customers, their sites, supply points and meters.
-- Every tenant table carries organisation_id so scoping and row-level security need no joins.

CREATE TABLE organisations (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text NOT NULL UNIQUE,
    account_number  text NOT NULL UNIQUE,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sites (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id bigint NOT NULL REFERENCES organisations (id),
    name            text NOT NULL,
    kind            text NOT NULL,
    address_line    text NOT NULL,
    town            text NOT NULL,
    postcode        text NOT NULL CHECK (postcode ~ '^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2}$'),
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organisation_id, name)
);
CREATE INDEX sites_organisation_idx ON sites (organisation_id);

CREATE TABLE supply_points (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id     bigint NOT NULL REFERENCES organisations (id),
    site_id             bigint NOT NULL REFERENCES sites (id),
    mpan_core           text NOT NULL UNIQUE CHECK (mpan_core ~ '^[0-9]{13}$'),
    profile_class       smallint NOT NULL CHECK (profile_class BETWEEN 0 AND 8),
    mtc                 smallint NOT NULL CHECK (mtc BETWEEN 0 AND 999),
    llfc                smallint NOT NULL CHECK (llfc BETWEEN 0 AND 999),
    distributor_id      smallint NOT NULL CHECK (distributor_id BETWEEN 10 AND 99),
    measurement_class   char(1) NOT NULL CHECK (measurement_class IN ('A','B','C','D','E','F','G')),
    agreed_capacity_kva integer NOT NULL CHECK (agreed_capacity_kva > 0),
    has_export          boolean NOT NULL DEFAULT false,
    energised_from      date NOT NULL,
    energised_to        date,
    CHECK (energised_to IS NULL OR energised_to >= energised_from)
);
CREATE INDEX supply_points_site_idx ON supply_points (site_id);
CREATE INDEX supply_points_organisation_idx ON supply_points (organisation_id);

CREATE TABLE meters (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id bigint NOT NULL REFERENCES organisations (id),
    supply_point_id bigint NOT NULL REFERENCES supply_points (id),
    serial          text NOT NULL UNIQUE,
    installed_on    date NOT NULL,
    removed_on      date
);
CREATE INDEX meters_supply_point_idx ON meters (supply_point_id);
