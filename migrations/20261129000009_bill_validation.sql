-- Bill validation: rates set by government or distributors as dated data, the contract fields a
-- shadow bill needs, and a component on invoice lines so each can be paired with its shadow.

-- Dated regulated rates. `value` is p/kWh for the levy, a ratio for the reactive allowance and a
-- percentage for the climate change agreement discount. A NULL distributor applies to all;
-- `valid_to` is the last settlement date the value applies on (NULL while current).
CREATE TABLE regulated_rates (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('ccl_main', 'ccl_cca_percent', 'reactive_allowance')),
    distributor_id  smallint CHECK (distributor_id BETWEEN 10 AND 99),
    valid_from      date NOT NULL,
    valid_to        date CHECK (valid_to IS NULL OR valid_to >= valid_from),
    value           numeric(12, 5) NOT NULL CHECK (value >= 0),
    source          text NOT NULL,
    UNIQUE NULLS NOT DISTINCT (kind, distributor_id, valid_from)
);
GRANT SELECT ON regulated_rates TO portal_app;

INSERT INTO regulated_rates (kind, distributor_id, valid_from, valid_to, value, source) VALUES
    ('ccl_main', NULL, '2021-04-01', '2026-03-31', 0.77500, 'gov.uk Climate Change Levy rates: electricity main rate'),
    ('ccl_main', NULL, '2026-04-01', NULL, 0.80100, 'gov.uk Climate Change Levy rates: electricity main rate'),
    ('ccl_cca_percent', NULL, '2019-04-01', NULL, 8.00000, 'gov.uk: climate change agreement holders pay 8 % of the main rate for electricity'),
    ('reactive_allowance', NULL, '2010-04-01', NULL, 0.32870, 'DNO charging statements: kVArh above 0.95 power factor (tan(acos 0.95)) per kWh');

-- The levy is dated data now; a contract says only how it applies to the customer.
ALTER TABLE contracts DROP COLUMN ccl_p_per_kwh;
ALTER TABLE contracts
    ADD COLUMN levy_treatment text NOT NULL DEFAULT 'main' CHECK (levy_treatment IN ('main', 'cca', 'exempt')),
    -- The night window of a day/night contract, UK clock time, [start, end), may wrap midnight.
    ADD COLUMN night_starts time NOT NULL DEFAULT '00:00',
    ADD COLUMN night_ends time NOT NULL DEFAULT '07:00';

-- What distinguishes lines of one charge type on one supply point: the rate name of an energy line
-- ('red', 'night', 'all'), the first date of the levy rate of a levy line; NULL when one line of
-- the type is all there is.
ALTER TABLE invoice_lines ADD COLUMN component text;
