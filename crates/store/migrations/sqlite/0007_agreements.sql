-- Agreements and the monitor: parties, the national declaration, regional agreements in
-- immutable versions, pipeline projects with their dated stages and delivered locations, and
-- monthly snapshots of the monitor. Keep in step with ../postgres/0007_agreements.sql.
-- Dates are text 'YYYY-MM-DD'.

-- A body that signs agreements or is responsible for projects: a municipality, a housing
-- corporation, an employer, a sector body, the ministry.
CREATE TABLE parties (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    municipality_code TEXT REFERENCES municipalities(code),
    organisation_id INTEGER REFERENCES organisations(id),
    created_at TEXT NOT NULL
);

CREATE TABLE declarations (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL UNIQUE,
    signed_on TEXT NOT NULL CHECK (signed_on LIKE '____-__-__'),
    summary TEXT NOT NULL,
    source TEXT NOT NULL
);

CREATE TABLE declaration_commitments (
    declaration_id INTEGER NOT NULL REFERENCES declarations(id) ON DELETE CASCADE,
    party_id INTEGER NOT NULL REFERENCES parties(id),
    position INTEGER NOT NULL,
    commitment TEXT NOT NULL,
    PRIMARY KEY (declaration_id, party_id)
);

-- One agreement per region; a change to it is a new version.
CREATE TABLE agreements (
    id INTEGER PRIMARY KEY,
    region_id INTEGER NOT NULL UNIQUE REFERENCES regions(id),
    created_at TEXT NOT NULL
);

-- A version is never changed: a revision is a new row that applies from a later date. The
-- terms (task, signatories, splits, pace) are one validated JSON document, read whole.
CREATE TABLE agreement_versions (
    agreement_id INTEGER NOT NULL REFERENCES agreements(id),
    version INTEGER NOT NULL,
    applies_from TEXT NOT NULL CHECK (applies_from LIKE '____-__-__'),
    terms TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (agreement_id, version),
    UNIQUE (agreement_id, applies_from)
);

CREATE TABLE projects (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    party_id INTEGER NOT NULL REFERENCES parties(id),
    agreement_id INTEGER REFERENCES agreements(id),
    planned_short INTEGER NOT NULL CHECK (planned_short >= 0),
    planned_mid INTEGER NOT NULL CHECK (planned_mid >= 0),
    planned_long INTEGER NOT NULL CHECK (planned_long >= 0),
    synthetic INTEGER NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX projects_by_agreement ON projects(agreement_id);

-- Every stage a project reached, in order.
CREATE TABLE project_stages (
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    stage TEXT NOT NULL,
    reached_on TEXT NOT NULL CHECK (reached_on LIKE '____-__-__'),
    PRIMARY KEY (project_id, position)
);

-- The register locations a project delivered; a location belongs to one project at most.
CREATE TABLE project_locations (
    location_id INTEGER PRIMARY KEY REFERENCES locations(id) ON DELETE CASCADE,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE
);
CREATE INDEX project_locations_by_project ON project_locations(project_id);

-- The monitor of a month as it was computed: a past month renders from here, unchanged by
-- later edits.
CREATE TABLE monitor_snapshots (
    month TEXT PRIMARY KEY CHECK (month LIKE '____-__'),
    as_of TEXT NOT NULL CHECK (as_of LIKE '____-__-__'),
    created_at TEXT NOT NULL,
    body TEXT NOT NULL
);
