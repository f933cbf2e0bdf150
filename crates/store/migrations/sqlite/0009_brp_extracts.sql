-- A municipality's BRP extract: how many persons are registered per address, and how many of
-- them in the last 12 months — counts, never persons. Only the uploading municipality reads
-- it; a new upload replaces its previous one whole. Keep in step with
-- ../postgres/0009_brp_extracts.sql.

CREATE TABLE brp_extracts (
    id INTEGER PRIMARY KEY,
    municipality_code TEXT NOT NULL UNIQUE REFERENCES municipalities(code),
    uploaded_at TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    addresses INTEGER NOT NULL,
    registered INTEGER NOT NULL
);

-- An address is a postcode with number, letter and addition, or a nummeraanduiding id.
CREATE TABLE brp_counts (
    extract_id INTEGER NOT NULL REFERENCES brp_extracts(id) ON DELETE CASCADE,
    line INTEGER NOT NULL,
    postcode TEXT,
    house_number INTEGER,
    house_letter TEXT,
    house_addition TEXT,
    nummeraanduiding_id TEXT,
    registered INTEGER NOT NULL CHECK (registered >= 0),
    registered_last_12_months INTEGER NOT NULL CHECK (registered_last_12_months >= 0)
);
CREATE INDEX brp_counts_by_extract ON brp_counts(extract_id);
