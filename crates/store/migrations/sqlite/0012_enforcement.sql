-- Complaints, enforcement cases and the bed-for-bed ledger (issue 7). Keep in step with
-- ../postgres/0012_enforcement.sql.

-- A complaint from the public form, routed to the municipality of its address. Contact
-- details only if the reporter gave them. The follow-up code is kept only as its SHA-256:
-- the code is the reporter's key, not ours to read back.
CREATE TABLE complaints (
    id INTEGER PRIMARY KEY,
    code_hash TEXT NOT NULL UNIQUE,
    -- The form's nonce: the same form sent twice is one complaint.
    submission TEXT NOT NULL UNIQUE,
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    address_key TEXT NOT NULL,
    postcode TEXT NOT NULL,
    house_number INTEGER NOT NULL,
    house_letter TEXT,
    house_addition TEXT,
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    contact TEXT,
    language TEXT NOT NULL,
    received_at TEXT NOT NULL,
    -- Handled without a case ("no action", with the reason): closed for the reporter too.
    dismissed_on TEXT,
    dismissed_by TEXT,
    dismissed_reason TEXT,
    case_id INTEGER
);
CREATE INDEX complaints_by_municipality ON complaints(municipality_code, received_at);

-- A case keeps the workflow version it opened under. `next_step` and `due_on` are the
-- workflow's answer after the last step, written with every step, for the deadline overview.
CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    workflow_version INTEGER NOT NULL,
    source TEXT NOT NULL,
    signal_id INTEGER REFERENCES signals(id),
    complaint_id INTEGER REFERENCES complaints(id),
    address_key TEXT NOT NULL,
    address TEXT NOT NULL,
    -- The register location at the address, if any: what legalising is measured against.
    location_id INTEGER REFERENCES locations(id) ON DELETE SET NULL,
    -- RD New metres, from the register or the BAG: vacancies are proposed nearest first.
    x REAL,
    y REAL,
    stay_type TEXT NOT NULL,
    summary TEXT NOT NULL,
    assignee_id INTEGER REFERENCES accounts(id),
    opened_on TEXT NOT NULL,
    closed_on TEXT,
    next_step TEXT,
    due_on TEXT,
    penalty_amount_cents INTEGER,
    penalty_per TEXT,
    penalty_maximum_cents INTEGER,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX cases_by_municipality ON cases(municipality_code, closed_on, due_on);
CREATE INDEX cases_by_assignee ON cases(assignee_id);

CREATE TABLE case_steps (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    step TEXT NOT NULL,
    done_on TEXT NOT NULL,
    due_on TEXT,
    -- Who the case was assigned to when the step was done, and who recorded it.
    assignee_id INTEGER REFERENCES accounts(id),
    done_by TEXT NOT NULL,
    note TEXT NOT NULL,
    decision TEXT,
    inspection_id INTEGER REFERENCES inspections(id),
    recorded_at TEXT NOT NULL,
    UNIQUE (case_id, step)
);

-- The ledger: one row per bed or person found. Open while `outcome` is NULL; a relocation
-- names the stay (issue 4's check-in) and the location that received the person.
CREATE TABLE case_beds (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    found_on TEXT NOT NULL,
    outcome TEXT CHECK (outcome IN ('legalised', 'relocated', 'departed')),
    outcome_on TEXT,
    stay_id INTEGER REFERENCES stays(id),
    to_location_id INTEGER REFERENCES locations(id) ON DELETE SET NULL,
    note TEXT NOT NULL DEFAULT '',
    CHECK ((outcome IS NULL) = (outcome_on IS NULL)),
    CHECK ((outcome = 'relocated') = (stay_id IS NOT NULL))
);
CREATE INDEX case_beds_by_case ON case_beds(case_id, outcome);
CREATE INDEX case_beds_by_receiver ON case_beds(to_location_id);

-- Penalties forfeited under a case's penalty order, each capped so the total never passes
-- the order's maximum.
CREATE TABLE case_forfeits (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    forfeited_on TEXT NOT NULL,
    units INTEGER NOT NULL,
    amount_cents INTEGER NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX case_forfeits_by_case ON case_forfeits(case_id);

-- Vacancy proposals scan a region's locations of one stay type nearest first: everything the
-- scan reads is in this index, so it never touches the table (a 10× shorter scan at scale 10).
CREATE INDEX locations_for_vacancies
    ON locations(municipality_code, stay_type, legal_status, beds_in_service, operator_id, rd_x, rd_y);
