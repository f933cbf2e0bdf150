-- Occupancy: pseudonymous workers, their stays on beds with the rental terms, the event ids
-- providers' systems sent, and the log of reads of worker-level data. Keep in step with
-- ../postgres/0006_occupancy.sql. Dates are text 'YYYY-MM-DD'.

-- A worker as one housing provider knows them: its own reference, never a name. The BSN,
-- when given, is kept only as a keyed hash (the key is configuration, not data) to match
-- the same person across providers. Purged after the retention period.
CREATE TABLE workers (
    id INTEGER PRIMARY KEY,
    provider_id INTEGER NOT NULL REFERENCES organisations(id),
    reference TEXT NOT NULL,
    -- ISO 3166-1 alpha-2.
    nationality TEXT NOT NULL,
    employer_id INTEGER REFERENCES organisations(id),
    -- brp, rni or none; brp with the municipality, brp and rni with the date.
    registration TEXT NOT NULL,
    brp_municipality TEXT REFERENCES municipalities(code),
    registered_on TEXT CHECK (registered_on LIKE '____-__-__'),
    bsn_hash TEXT,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (provider_id, reference)
);
CREATE INDEX workers_by_bsn ON workers(bsn_hash);

-- A stay on one bed, from the check-in day up to (not including) the check-out day. What
-- the counts need (location, bed, nationality, dates, the registration flag) stays on the
-- row when the worker is purged, so counts and charts do not change.
CREATE TABLE stays (
    id INTEGER PRIMARY KEY,
    location_id INTEGER NOT NULL REFERENCES locations(id),
    bed_id INTEGER NOT NULL REFERENCES beds(id),
    worker_id INTEGER REFERENCES workers(id) ON DELETE SET NULL,
    provider_id INTEGER NOT NULL REFERENCES organisations(id),
    nationality TEXT NOT NULL,
    check_in TEXT NOT NULL CHECK (check_in LIKE '____-__-__'),
    check_out TEXT CHECK (check_out LIKE '____-__-__' AND check_out > check_in),
    -- Rental terms: a rental contract apart from the employment contract, its start, the
    -- rent and notice, and rent deducted from the wage (0 when none).
    separate_contract INTEGER NOT NULL CHECK (separate_contract IN (0, 1)),
    contract_start TEXT NOT NULL CHECK (contract_start LIKE '____-__-__'),
    rent_per_week REAL NOT NULL CHECK (rent_per_week >= 0),
    notice_days INTEGER NOT NULL CHECK (notice_days >= 0),
    deduction_per_week REAL NOT NULL CHECK (deduction_per_week >= 0),
    written_authorisation INTEGER NOT NULL CHECK (written_authorisation IN (0, 1)),
    hours_per_week REAL NOT NULL CHECK (hours_per_week >= 0),
    agricultural_cao INTEGER NOT NULL CHECK (agricultural_cao IN (0, 1)),
    -- Codes of the deduction's problems when recorded, comma-separated ('' when valid).
    deduction_problems TEXT NOT NULL,
    -- Housed more than 4 months within 6 while not BRP-registered (refreshed daily).
    unregistered_long INTEGER NOT NULL CHECK (unregistered_long IN (0, 1)),
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- An open stay runs for ever, so a bed has at most one: the database's own guard.
CREATE UNIQUE INDEX stays_one_open_per_bed ON stays(bed_id) WHERE check_out IS NULL;
CREATE INDEX stays_by_bed ON stays(bed_id, check_in);
CREATE INDEX stays_by_location ON stays(location_id, check_in);
CREATE INDEX stays_by_worker ON stays(worker_id);

-- Events from providers' systems that were applied, by the sender's own id: a re-sent
-- event is answered "duplicate" and changes nothing.
CREATE TABLE occupancy_events (
    sender TEXT NOT NULL,
    event_id TEXT NOT NULL,
    stay_id INTEGER,
    received_at TEXT NOT NULL,
    PRIMARY KEY (sender, event_id)
);

-- Who read worker-level data, when, and what.
CREATE TABLE worker_reads (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    account_id INTEGER,
    actor TEXT NOT NULL,
    what TEXT NOT NULL,
    subject_id INTEGER,
    records INTEGER NOT NULL
);

-- Counts changes to stays, as register_generation does for the register: the occupancy
-- views are cached until the sum of these counters moves. The count is spread over 16 rows,
-- each change moving one at random (chosen once per statement), so that concurrent events do not all wait for one row
-- lock until they commit.
CREATE TABLE occupancy_generation (
    id INTEGER PRIMARY KEY CHECK (id BETWEEN 0 AND 15),
    generation INTEGER NOT NULL
);
INSERT INTO occupancy_generation (id, generation) VALUES
    (0, 0), (1, 0), (2, 0), (3, 0), (4, 0), (5, 0), (6, 0), (7, 0),
    (8, 0), (9, 0), (10, 0), (11, 0), (12, 0), (13, 0), (14, 0), (15, 0);

-- Every change to stays moves the occupancy generation, in the same statement: no writer
-- can forget it, and it costs no round trip.
CREATE TRIGGER stays_inserted AFTER INSERT ON stays
BEGIN UPDATE occupancy_generation SET generation = generation + 1 WHERE id = (SELECT abs(random()) % 16); END;
CREATE TRIGGER stays_updated AFTER UPDATE ON stays
BEGIN UPDATE occupancy_generation SET generation = generation + 1 WHERE id = (SELECT abs(random()) % 16); END;
CREATE TRIGGER stays_deleted AFTER DELETE ON stays
BEGIN UPDATE occupancy_generation SET generation = generation + 1 WHERE id = (SELECT abs(random()) % 16); END;
