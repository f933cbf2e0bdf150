-- Housing norms as dated rule sets, and the certificates that decide which norms apply.
-- Keep in step with ../postgres/0003_norms_certificates.sql.

CREATE TABLE rule_sets (
    code TEXT PRIMARY KEY,
    scheme TEXT NOT NULL,
    name TEXT NOT NULL,
    -- 1 for the sets shipped in data/norms/, kept in step with those files at start-up.
    builtin INTEGER NOT NULL CHECK (builtin IN (0, 1)),
    created_at TEXT NOT NULL
);

CREATE TABLE rule_set_municipalities (
    rule_set_code TEXT NOT NULL REFERENCES rule_sets(code),
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    PRIMARY KEY (rule_set_code, municipality_code)
);

-- A published version is never updated: a change is a new row with a later start.
CREATE TABLE rule_set_versions (
    rule_set_code TEXT NOT NULL REFERENCES rule_sets(code),
    version INTEGER NOT NULL,
    valid_from TEXT NOT NULL,
    valid_until TEXT,
    -- The version with its rules, as flexwonen_core::norms::RuleSetVersion in JSON.
    version_json TEXT NOT NULL,
    published_at TEXT NOT NULL,
    published_by TEXT NOT NULL,
    PRIMARY KEY (rule_set_code, version)
);

CREATE TABLE certificates (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    scheme TEXT NOT NULL,
    number TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_until TEXT,
    -- The status today; the dated history is in certificate_statuses.
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (scheme, number)
);
CREATE INDEX certificates_by_organisation ON certificates(organisation_id);

-- Every status a certificate had, from which day, and why.
CREATE TABLE certificate_statuses (
    id INTEGER PRIMARY KEY,
    certificate_id INTEGER NOT NULL REFERENCES certificates(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    since TEXT NOT NULL,
    reason TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX certificate_statuses_by_certificate ON certificate_statuses(certificate_id, since, id);
