-- Every geocoded postal code. Postal codes do not move, so a stored row answers every later
-- look-up of the same code without asking the geocoder again.
CREATE TABLE places (
    id             INTEGER PRIMARY KEY,
    -- 'live' or 'simulated': simulated mode invents coordinates, which must never be served
    -- as real ones if the same database file is later used live.
    source         TEXT    NOT NULL CHECK (source IN ('live', 'simulated')),
    -- ISO 3166-1 alpha-2, upper case, as the geocoder spells it.
    country_code   TEXT    NOT NULL CHECK (length(country_code) = 2),
    -- Normalised by the app: upper case, single inner spaces.
    postal_code    TEXT    NOT NULL CHECK (length(postal_code) BETWEEN 1 AND 10),
    name           TEXT    NOT NULL,
    -- State or province and its abbreviation; empty strings where the geocoder has none, so
    -- that no query needs to think about NULL.
    region         TEXT    NOT NULL DEFAULT '',
    region_code    TEXT    NOT NULL DEFAULT '',
    latitude       REAL    NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude      REAL    NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    -- IANA zone, found offline from the coordinates when the row is made.
    time_zone      TEXT    NOT NULL,
    -- RFC 3339 UTC text, which sorts in time order.
    created_at     TEXT    NOT NULL,
    -- Page views: a counter and the last time, enough for "popular" and "recent" without a
    -- row per view.
    view_count     INTEGER NOT NULL DEFAULT 0 CHECK (view_count >= 0),
    last_viewed_at TEXT,
    UNIQUE (source, country_code, postal_code)
);

-- The home page's two lists.
CREATE INDEX places_recently_viewed ON places (source, last_viewed_at DESC)
    WHERE last_viewed_at IS NOT NULL;
CREATE INDEX places_most_viewed ON places (source, view_count DESC)
    WHERE view_count > 0;
