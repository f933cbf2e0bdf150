-- A lighter daily signal run (issue 6). What the BAG says of each BRP line's address is joined
-- when the extract is uploaded and again when a BAG import replaces the BAG (store/src/brp.rs,
-- join_brp_with_bag), so the run reads it without joining the BAG every day; and the run
-- compares its findings with the signals in memory and writes only what changed
-- (store/src/signals.rs, merge_findings), so its staging table goes. Keep in step with
-- ../postgres/0011_signal_run.sql.

-- bag_key: the address key the run judges the line under (the BAG's for the address, else
-- the extract's own, else 'NUM:' and the nummeraanduiding id); the verblijfsobject with the
-- address as main address, else as side address; its floor area and position (RD New, whole
-- metres); the names of its street and woonplaats.
ALTER TABLE brp_counts ADD COLUMN bag_key TEXT;
ALTER TABLE brp_counts ADD COLUMN vbo_id TEXT;
ALTER TABLE brp_counts ADD COLUMN floor_area_m2 BIGINT;
ALTER TABLE brp_counts ADD COLUMN x BIGINT;
ALTER TABLE brp_counts ADD COLUMN y BIGINT;
ALTER TABLE brp_counts ADD COLUMN street TEXT;
ALTER TABLE brp_counts ADD COLUMN town TEXT;
UPDATE brp_counts SET bag_key = COALESCE(address_key, 'NUM:' || nummeraanduiding_id);
-- The extracts already uploaded, joined with the BAG as last imported.
UPDATE brp_counts SET bag_key = COALESCE(n.address_key, brp_counts.bag_key), vbo_id = COALESCE(v.id, sv.id),
    floor_area_m2 = COALESCE(v.floor_area_m2, sv.floor_area_m2),
    x = CAST(ROUND(COALESCE(v.x, sv.x)) AS BIGINT), y = CAST(ROUND(COALESCE(v.y, sv.y)) AS BIGINT),
    street = o.name, town = w.name
FROM bag_num n
LEFT JOIN bag_vbo v ON v.import_id = n.import_id AND v.main_address = n.id
LEFT JOIN bag_vbo_side s ON s.import_id = n.import_id AND s.address_id = n.id
LEFT JOIN bag_vbo sv ON sv.import_id = s.import_id AND sv.id = s.vbo_id
LEFT JOIN bag_opr o ON o.import_id = n.import_id AND o.id = n.street_id
LEFT JOIN bag_wpl w ON w.import_id = n.import_id AND w.id = COALESCE(n.place_id, o.place_id)
WHERE n.import_id = (SELECT MAX(id) FROM bag_imports) AND n.address_key = brp_counts.address_key;
UPDATE brp_counts SET bag_key = COALESCE(n.address_key, brp_counts.bag_key), vbo_id = COALESCE(v.id, sv.id),
    floor_area_m2 = COALESCE(v.floor_area_m2, sv.floor_area_m2),
    x = CAST(ROUND(COALESCE(v.x, sv.x)) AS BIGINT), y = CAST(ROUND(COALESCE(v.y, sv.y)) AS BIGINT),
    street = o.name, town = w.name
FROM bag_num n
LEFT JOIN bag_vbo v ON v.import_id = n.import_id AND v.main_address = n.id
LEFT JOIN bag_vbo_side s ON s.import_id = n.import_id AND s.address_id = n.id
LEFT JOIN bag_vbo sv ON sv.import_id = s.import_id AND sv.id = s.vbo_id
LEFT JOIN bag_opr o ON o.import_id = n.import_id AND o.id = n.street_id
LEFT JOIN bag_wpl w ON w.import_id = n.import_id AND w.id = COALESCE(n.place_id, o.place_id)
WHERE n.import_id = (SELECT MAX(id) FROM bag_imports) AND n.id = brp_counts.nummeraanduiding_id;
DROP INDEX brp_counts_by_extract;
CREATE UNIQUE INDEX brp_counts_by_line ON brp_counts(extract_id, line);

DROP TABLE signal_findings;
