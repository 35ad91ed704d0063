-- GeoNames' cities of 15,000 people or more (geodata/), for finding a place by name. Imported
-- at start from the file built into the binary; `city_data` names the file imported, so a
-- changed file is imported again and an unchanged one never.
CREATE TABLE cities (
    geonameid    INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL,
    country_code TEXT    NOT NULL CHECK (length(country_code) = 2),
    country_name TEXT    NOT NULL,
    -- GeoNames' first-level division code ("OR", "ZH", "08") and, where the data has it, its
    -- name; empty strings where none.
    admin1_code  TEXT    NOT NULL,
    region       TEXT    NOT NULL,
    latitude     REAL    NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude    REAL    NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    population   INTEGER NOT NULL CHECK (population >= 0),
    time_zone    TEXT    NOT NULL
);

-- The nearest city to a point is looked for in a band of latitudes.
CREATE INDEX cities_by_latitude ON cities (latitude);

-- Every name of every city (its own and GeoNames' alternate names, in every script), folded:
-- ASCII, lower case, words separated by one space (src/cities/fold.rs). Exact names and
-- prefixes are ranges of this index.
CREATE TABLE city_names (
    folded    TEXT    NOT NULL,
    geonameid INTEGER NOT NULL REFERENCES cities (geonameid) ON DELETE CASCADE,
    PRIMARY KEY (folded, geonameid)
) WITHOUT ROWID;

-- The distinct folded names by trigram, for names typed with a mistake: candidates share a
-- part of the name typed, then the app keeps those one edit away.
CREATE VIRTUAL TABLE city_name_trigrams USING fts5 (folded, tokenize = 'trigram');

CREATE TABLE city_data (
    -- The SHA-256 (hex) of the imported file.
    version     TEXT NOT NULL,
    imported_at TEXT NOT NULL
);
