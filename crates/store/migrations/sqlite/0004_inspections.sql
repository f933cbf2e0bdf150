-- Inspections, the defects they find, and what they froze. Keep in step with
-- ../postgres/0004_inspections.sql. Dates are text 'YYYY-MM-DD'; JSON is text.

CREATE TABLE inspections (
    id INTEGER PRIMARY KEY,
    location_id INTEGER NOT NULL REFERENCES locations(id) ON DELETE CASCADE,
    -- The operator when the inspection was planned or done: defects sanction its certificates.
    operator_id INTEGER REFERENCES organisations(id),
    -- snf, akf or bouwbesluit (the legal norm).
    scheme TEXT NOT NULL,
    planned_on TEXT NOT NULL CHECK (planned_on LIKE '____-__-__'),
    inspector_id INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    -- planned, done or cancelled.
    status TEXT NOT NULL,
    done_on TEXT CHECK (done_on LIKE '____-__-__'),
    -- Frozen when done: the rule sets with the one version in force on done_on, the facts
    -- of the location from the register, the measured values, and the verdict.
    norms_json TEXT,
    traits_json TEXT,
    measurements_json TEXT,
    verdict_json TEXT,
    permitted INTEGER,
    persons_present INTEGER,
    violations INTEGER,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX inspections_by_location ON inspections(location_id, planned_on);
CREATE INDEX inspections_by_inspector ON inspections(inspector_id, planned_on);

CREATE TABLE defects (
    id INTEGER PRIMARY KEY,
    inspection_id INTEGER NOT NULL REFERENCES inspections(id) ON DELETE CASCADE,
    location_id INTEGER NOT NULL REFERENCES locations(id) ON DELETE CASCADE,
    operator_id INTEGER REFERENCES organisations(id),
    scheme TEXT NOT NULL,
    description TEXT NOT NULL,
    constraint_code TEXT,
    found_on TEXT NOT NULL CHECK (found_on LIKE '____-__-__'),
    deadline TEXT NOT NULL CHECK (deadline LIKE '____-__-__'),
    -- open or resolved; overdue is derived from the deadline.
    status TEXT NOT NULL,
    resolved_on TEXT,
    resolved_by_inspection_id INTEGER REFERENCES inspections(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX defects_by_location ON defects(location_id, status);
CREATE INDEX defects_open_by_deadline ON defects(status, deadline);
