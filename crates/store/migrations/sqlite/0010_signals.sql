-- Overcrowding signals (issue 6): per municipality, address and rule one signal, refreshed by
-- every run — updated while its cause lasts, closed when it is gone, opened again if it comes
-- back. About addresses, never persons. Keep in step with ../postgres/0010_signals.sql.

-- One address key for the register, the BAG and BRP extracts: 'POSTCODE|number|LETTER|ADDITION'
-- (as locations.address_key), so the three join on one indexed equality.
ALTER TABLE bag_num ADD COLUMN address_key TEXT;
UPDATE bag_num SET address_key = postcode || '|' || CAST(house_number AS TEXT) || '|'
    || UPPER(COALESCE(house_letter, '')) || '|' || UPPER(COALESCE(house_addition, ''))
    WHERE postcode IS NOT NULL;
DROP INDEX bag_num_by_postcode;
CREATE INDEX bag_num_by_address ON bag_num(import_id, address_key);
CREATE INDEX bag_vbo_by_main_address ON bag_vbo(import_id, main_address);

ALTER TABLE brp_counts ADD COLUMN address_key TEXT;
UPDATE brp_counts SET address_key = postcode || '|' || CAST(house_number AS TEXT) || '|'
    || UPPER(COALESCE(house_letter, '')) || '|' || UPPER(COALESCE(house_addition, ''))
    WHERE postcode IS NOT NULL;

-- A municipality's own thresholds; a rule without a row uses data/signals/rules.toml.
CREATE TABLE signal_thresholds (
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    rule TEXT NOT NULL,
    threshold REAL NOT NULL,
    changed_at TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    PRIMARY KEY (municipality_code, rule)
);

CREATE TABLE signals (
    id INTEGER PRIMARY KEY,
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    address_key TEXT NOT NULL,
    rule TEXT NOT NULL,
    -- 'Laan 12a-3, 2511 AB Den Haag' as far as known.
    address TEXT NOT NULL,
    vbo_id TEXT,
    location_id INTEGER,
    -- RD New metres, from the BAG.
    x REAL,
    y REAL,
    -- The numbers that triggered it, as a JSON object.
    evidence TEXT NOT NULL,
    score REAL NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    closed_on TEXT,
    -- "Seen, no action": until the signal closes.
    dismissed_at TEXT,
    dismissed_by TEXT,
    dismissed_reason TEXT,
    UNIQUE (municipality_code, address_key, rule)
);
CREATE INDEX signals_by_state ON signals(municipality_code, closed_on);

-- A run's findings, written and merged into signals in the run's transaction, then removed.
CREATE TABLE signal_findings (
    municipality_code TEXT NOT NULL,
    address_key TEXT NOT NULL,
    rule TEXT NOT NULL,
    address TEXT NOT NULL,
    vbo_id TEXT,
    location_id INTEGER,
    x REAL,
    y REAL,
    evidence TEXT NOT NULL,
    score REAL NOT NULL,
    PRIMARY KEY (municipality_code, address_key, rule)
);

-- The last run per municipality; its row also serialises two runs of one municipality.
CREATE TABLE signal_runs (
    municipality_code TEXT PRIMARY KEY REFERENCES municipalities(code),
    run_at TEXT NOT NULL,
    run_on TEXT NOT NULL,
    addresses INTEGER NOT NULL,
    opened INTEGER NOT NULL,
    closed INTEGER NOT NULL,
    open_signals INTEGER NOT NULL
);
