-- The rooms with beds of each location as "area:beds-in-service" separated by spaces, kept by
-- the store with every write, so the national capacity report reads one row per location
-- instead of every bed. Keep in step with ../postgres/0005_location_bedrooms.sql.
ALTER TABLE locations ADD COLUMN bedrooms TEXT NOT NULL DEFAULT '';
UPDATE locations SET bedrooms = COALESCE((
    SELECT group_concat(r.area_m2 || ':' || (SELECT COUNT(*) FROM beds b WHERE b.room_id = r.id AND b.out_of_service_reason IS NULL), ' ')
    FROM rooms r WHERE r.location_id = locations.id AND EXISTS (SELECT 1 FROM beds b WHERE b.room_id = r.id)
), '');
