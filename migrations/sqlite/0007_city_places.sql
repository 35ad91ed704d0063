-- Cities get the place page's events board, saves and view counts: a row of `places` is now a
-- postal code's place or a city (by GeoNames id), never both. SQLite cannot loosen a column's
-- constraints in place, so the table is made again and its rows copied, ids kept: events and
-- saved places point at the same rows as before. Migrations run with foreign keys off (see
-- `db::migrate`), or dropping the old table would delete every event and save through their
-- ON DELETE CASCADE; `db::migrate` checks the keys once this has run.
CREATE TABLE places_with_cities (
    id             INTEGER PRIMARY KEY,
    source         TEXT    NOT NULL CHECK (source IN ('live', 'simulated')),
    -- ISO 3166-1 alpha-2, upper case: the postal code's country, or the city's.
    country_code   TEXT    NOT NULL CHECK (length(country_code) = 2),
    -- A postal code's place: the code as the geocoder's data holds it.
    postal_code    TEXT             CHECK (length(postal_code) BETWEEN 1 AND 10),
    -- A city: its GeoNames id. No foreign key: the cities are imported again when their data
    -- changes, and a city's board must outlive that.
    city_id        INTEGER,
    name           TEXT    NOT NULL,
    region         TEXT    NOT NULL DEFAULT '',
    region_code    TEXT    NOT NULL DEFAULT '',
    latitude       REAL    NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude      REAL    NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    time_zone      TEXT    NOT NULL,
    created_at     TEXT    NOT NULL,
    view_count     INTEGER NOT NULL DEFAULT 0 CHECK (view_count >= 0),
    last_viewed_at TEXT,
    CHECK ((postal_code IS NULL) <> (city_id IS NULL))
);

INSERT INTO places_with_cities (id, source, country_code, postal_code, city_id, name, region,
                                region_code, latitude, longitude, time_zone, created_at,
                                view_count, last_viewed_at)
SELECT id, source, country_code, postal_code, NULL, name, region, region_code, latitude,
       longitude, time_zone, created_at, view_count, last_viewed_at
FROM places;

DROP TABLE places;
ALTER TABLE places_with_cities RENAME TO places;

-- One row per postal code, and one per city, in each world.
CREATE UNIQUE INDEX places_by_postal_code ON places (source, country_code, postal_code)
    WHERE postal_code IS NOT NULL;
CREATE UNIQUE INDEX places_by_city ON places (source, city_id) WHERE city_id IS NOT NULL;
-- The home page's two lists.
CREATE INDEX places_recently_viewed ON places (source, last_viewed_at DESC)
    WHERE last_viewed_at IS NOT NULL;
CREATE INDEX places_most_viewed ON places (source, view_count DESC)
    WHERE view_count > 0;
