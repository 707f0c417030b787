-- Invoice queries (issue 9, item 4): a customer questions an invoice or one of its lines, the
-- account manager answers in a thread and resolves it: explained, or credited (a credit note that
-- reverses the invoice and a re-bill with corrected lines).

-- The status an invoice had before it was queried, so that it can go back when the query is
-- explained; and, for a re-bill, the invoice it replaces (a credit note already points at the
-- invoice it credits with credits_invoice_id).
ALTER TABLE invoices
    ADD COLUMN status_before_query text CHECK (status_before_query IN ('issued', 'paid', 'overdue')),
    ADD COLUMN rebills_invoice_id bigint REFERENCES invoices (id);
COMMENT ON COLUMN invoices.status_before_query IS
    'while status = queried: the status to go back to when every query on the invoice is explained';
COMMENT ON COLUMN invoices.rebills_invoice_id IS 'a re-bill: the credited invoice it replaces';

CREATE TABLE invoice_queries (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id  bigint NOT NULL REFERENCES organisations (id),
    invoice_id       bigint NOT NULL REFERENCES invoices (id),
    -- NULL: the whole invoice. The line's supply point is copied here so that the site
    -- restriction of a customer user (store filter and RLS) needs no join through the line.
    invoice_line_id  bigint REFERENCES invoice_lines (id),
    supply_point_id  bigint REFERENCES supply_points (id),
    raised_by        bigint NOT NULL REFERENCES users (id),
    raised_at        timestamptz NOT NULL DEFAULT now(),
    status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'explained', 'credited')),
    resolved_by      bigint REFERENCES users (id),
    resolved_at      timestamptz,
    credit_note_id   bigint REFERENCES invoices (id),
    rebill_id        bigint REFERENCES invoices (id),
    CHECK ((status = 'open') = (resolved_at IS NULL)),
    CHECK ((status = 'open') = (resolved_by IS NULL)),
    CHECK ((status = 'credited') = (credit_note_id IS NOT NULL AND rebill_id IS NOT NULL)),
    CHECK (supply_point_id IS NULL OR invoice_line_id IS NOT NULL)
);
CREATE INDEX invoice_queries_invoice_idx ON invoice_queries (invoice_id);
CREATE INDEX invoice_queries_open_idx ON invoice_queries (organisation_id, raised_at) WHERE status = 'open';

-- The thread. Author name and role are kept as written: customers cannot read staff users' rows.
CREATE TABLE invoice_query_messages (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    query_id         bigint NOT NULL REFERENCES invoice_queries (id),
    organisation_id  bigint NOT NULL REFERENCES organisations (id),
    author_user_id   bigint NOT NULL REFERENCES users (id),
    author_name      text NOT NULL,
    author_role      text NOT NULL CHECK (author_role IN ('customer_user', 'customer_admin', 'account_manager', 'ops_admin')),
    at               timestamptz NOT NULL DEFAULT now(),
    -- What the message did: opened the query, replied, or resolved it.
    kind             text NOT NULL CHECK (kind IN ('raised', 'reply', 'explained', 'credited')),
    body             text NOT NULL CHECK (length(body) BETWEEN 1 AND 4000)
);
CREATE INDEX invoice_query_messages_query_idx ON invoice_query_messages (query_id, at);

-- ---------------------------------------------------------------------------------------------
-- Privileges: the app role raises and answers queries, and issues credit notes and re-bills
-- (new invoices and lines; of an existing invoice only its status changes).
GRANT SELECT, INSERT ON invoice_queries, invoice_query_messages TO portal_app;
GRANT UPDATE (status, resolved_by, resolved_at, credit_note_id, rebill_id) ON invoice_queries TO portal_app;
GRANT INSERT ON invoices, invoice_lines TO portal_app;
GRANT UPDATE (status, status_before_query) ON invoices TO portal_app;
GRANT USAGE ON SEQUENCE invoice_queries_id_seq, invoice_query_messages_id_seq, invoices_id_seq,
    invoice_lines_id_seq TO portal_app;

-- Policies: the transaction's organisations; a customer user restricted to some sites sees the
-- queries on whole invoices and on lines of those sites (or account-level lines) only, and the
-- messages of the queries they see.
ALTER TABLE invoice_queries ENABLE ROW LEVEL SECURITY;
ALTER TABLE invoice_queries FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON invoice_queries TO portal_app
    USING (organisation_id = ANY (app_scope_orgs())
           AND (app_scope_sites() IS NULL OR supply_point_id IS NULL
                OR supply_point_id IN (SELECT id FROM supply_points)))
    WITH CHECK (organisation_id = ANY (app_scope_orgs())
           AND (app_scope_sites() IS NULL OR supply_point_id IS NULL
                OR supply_point_id IN (SELECT id FROM supply_points)));

ALTER TABLE invoice_query_messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE invoice_query_messages FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON invoice_query_messages TO portal_app
    USING (organisation_id = ANY (app_scope_orgs()) AND query_id IN (SELECT id FROM invoice_queries))
    WITH CHECK (organisation_id = ANY (app_scope_orgs()) AND query_id IN (SELECT id FROM invoice_queries));
