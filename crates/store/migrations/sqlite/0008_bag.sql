-- The BAG (Kadaster's register of addresses and buildings) as last imported: the current
-- state of every verblijfsobject, nummeraanduiding, openbare ruimte and woonplaats. An import
-- writes its rows under its own id in one transaction that also makes it the current one and
-- removes the one before, so readers see the old extract until the new one is whole. Keep in
-- step with ../postgres/0008_bag.sql.

CREATE TABLE bag_imports (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    verblijfsobjecten INTEGER NOT NULL,
    nummeraanduidingen INTEGER NOT NULL,
    openbare_ruimten INTEGER NOT NULL,
    woonplaatsen INTEGER NOT NULL,
    linked_by_bag_id INTEGER NOT NULL DEFAULT 0,
    linked_by_address INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE bag_vbo (
    import_id INTEGER NOT NULL,
    id TEXT NOT NULL,
    -- The start of the occurrence kept (the latest, should an object come twice).
    valid_from TEXT,
    main_address TEXT NOT NULL,
    status TEXT NOT NULL,
    -- The uses (gebruiksdoelen), comma-separated.
    uses TEXT NOT NULL,
    floor_area_m2 INTEGER NOT NULL,
    -- RD New metres.
    x REAL,
    y REAL,
    PRIMARY KEY (import_id, id)
);

-- Side addresses (nevenadressen) of verblijfsobjecten.
CREATE TABLE bag_vbo_side (
    import_id INTEGER NOT NULL,
    address_id TEXT NOT NULL,
    valid_from TEXT,
    vbo_id TEXT NOT NULL,
    PRIMARY KEY (import_id, address_id)
);

CREATE TABLE bag_num (
    import_id INTEGER NOT NULL,
    id TEXT NOT NULL,
    valid_from TEXT,
    house_number INTEGER NOT NULL,
    house_letter TEXT,
    house_addition TEXT,
    postcode TEXT,
    street_id TEXT NOT NULL,
    place_id TEXT,
    PRIMARY KEY (import_id, id)
);
CREATE INDEX bag_num_by_postcode ON bag_num(import_id, postcode, house_number);

CREATE TABLE bag_opr (
    import_id INTEGER NOT NULL,
    id TEXT NOT NULL,
    valid_from TEXT,
    name TEXT NOT NULL,
    place_id TEXT NOT NULL,
    PRIMARY KEY (import_id, id)
);

CREATE TABLE bag_wpl (
    import_id INTEGER NOT NULL,
    id TEXT NOT NULL,
    valid_from TEXT,
    name TEXT NOT NULL,
    PRIMARY KEY (import_id, id)
);

-- Register locations and the verblijfsobject they are, by the location's BAG id or else its
-- main address; made again by every import, in its transaction.
CREATE TABLE bag_links (
    location_id INTEGER PRIMARY KEY REFERENCES locations(id) ON DELETE CASCADE,
    vbo_id TEXT NOT NULL,
    -- bag_id or address
    matched_by TEXT NOT NULL
);
