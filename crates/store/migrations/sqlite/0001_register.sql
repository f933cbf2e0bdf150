-- The register: geography, organisations, accounts, locations with rooms and beds, audit.
-- Keep in step with ../postgres/0001_register.sql: same tables, columns and constraints;
-- only the dialect differs (INTEGER PRIMARY KEY vs BIGINT identity, REAL vs DOUBLE PRECISION).

CREATE TABLE municipalities (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    province_code TEXT NOT NULL
);

CREATE TABLE regions (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE region_members (
    region_id INTEGER NOT NULL REFERENCES regions(id) ON DELETE CASCADE,
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    PRIMARY KEY (region_id, municipality_code)
);
CREATE INDEX region_members_by_municipality ON region_members(municipality_code);

CREATE TABLE organisations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kvk TEXT UNIQUE,
    kind TEXT NOT NULL,
    municipality_code TEXT REFERENCES municipalities(code),
    created_at TEXT NOT NULL
);

CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    region_id INTEGER REFERENCES regions(id),
    municipality_code TEXT REFERENCES municipalities(code),
    organisation_id INTEGER REFERENCES organisations(id),
    created_at TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL
);

CREATE TABLE locations (
    id INTEGER PRIMARY KEY,
    address_key TEXT NOT NULL UNIQUE,
    postcode TEXT NOT NULL,
    house_number INTEGER NOT NULL,
    house_letter TEXT,
    house_addition TEXT,
    street TEXT NOT NULL,
    place TEXT NOT NULL,
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    bag_vbo_id TEXT,
    housing_form TEXT NOT NULL,
    zoned_residential INTEGER NOT NULL CHECK (zoned_residential IN (0, 1)),
    floor_area_m2 REAL NOT NULL,
    legal_status TEXT NOT NULL,
    stay_type TEXT NOT NULL,
    operator_id INTEGER REFERENCES organisations(id),
    toilets INTEGER NOT NULL,
    showers INTEGER NOT NULL,
    kitchens INTEGER NOT NULL,
    washing_machines INTEGER NOT NULL,
    rd_x REAL,
    rd_y REAL,
    room_count INTEGER NOT NULL,
    bed_count INTEGER NOT NULL,
    beds_in_service INTEGER NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX locations_by_municipality ON locations(municipality_code, street, house_number);
CREATE INDEX locations_by_operator ON locations(operator_id);
CREATE INDEX locations_by_postcode ON locations(postcode, house_number);
CREATE INDEX locations_by_bag_id ON locations(bag_vbo_id);
-- The list's sort orders, so a page never sorts the whole register.
CREATE INDEX locations_by_address ON locations(place, street, house_number, id);
CREATE INDEX locations_by_beds ON locations(bed_count, id);
CREATE INDEX locations_by_updated ON locations(updated_at, id);

CREATE TABLE rooms (
    id INTEGER PRIMARY KEY,
    location_id INTEGER NOT NULL REFERENCES locations(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    area_m2 REAL NOT NULL
);
CREATE INDEX rooms_by_location ON rooms(location_id);

CREATE TABLE beds (
    id INTEGER PRIMARY KEY,
    room_id INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    location_id INTEGER NOT NULL REFERENCES locations(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    label TEXT NOT NULL,
    out_of_service_reason TEXT
);
CREATE INDEX beds_by_room ON beds(room_id);
CREATE INDEX beds_by_location ON beds(location_id);

-- Totals of the register per municipality and category, kept in step with `locations` in
-- the same transaction as every change, so dashboards never scan the locations.
CREATE TABLE register_totals (
    municipality_code TEXT NOT NULL,
    housing_form TEXT NOT NULL,
    legal_status TEXT NOT NULL,
    stay_type TEXT NOT NULL,
    locations INTEGER NOT NULL,
    beds INTEGER NOT NULL,
    beds_in_service INTEGER NOT NULL,
    PRIMARY KEY (municipality_code, housing_form, legal_status, stay_type)
);

-- Counts the changes to register_totals. Readers cache the totals and re-read them only
-- when this number has moved; it is updated in the same transaction as the totals.
CREATE TABLE register_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL
);
INSERT INTO register_generation (id, generation) VALUES (1, 0);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    account_id INTEGER,
    actor TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id INTEGER NOT NULL,
    action TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX audit_by_entity ON audit_log(entity, entity_id, id);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
