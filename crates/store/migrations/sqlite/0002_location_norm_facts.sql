-- The facts of a location that the housing norms look at. Keep in step with
-- ../postgres/0002_location_norm_facts.sql. Booleans are 0/1 (the `Any` driver reads no
-- SQLite booleans); the date is text, 'YYYY-MM-DD'. Existing locations get no (0) and no date.

ALTER TABLE locations ADD COLUMN new_build INTEGER NOT NULL DEFAULT 0 CHECK (new_build IN (0, 1));
ALTER TABLE locations ADD COLUMN in_use_since TEXT CHECK (in_use_since LIKE '____-__-__');
ALTER TABLE locations ADD COLUMN conversion_permit INTEGER NOT NULL DEFAULT 0 CHECK (conversion_permit IN (0, 1));
ALTER TABLE locations ADD COLUMN bedroom_sharing_agreed INTEGER NOT NULL DEFAULT 0
    CHECK (bedroom_sharing_agreed IN (0, 1));
ALTER TABLE locations ADD COLUMN first_responsible INTEGER NOT NULL DEFAULT 0 CHECK (first_responsible IN (0, 1));
