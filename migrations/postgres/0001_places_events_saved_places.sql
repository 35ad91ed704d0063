-- The PostgreSQL schema: the same tables as SQLite's migrations leave (migrations/sqlite),
-- begun at once in their present form. Instants are timestamptz; counts and ids bigint (the
-- app reads them as i64). The cities are not here: every instance keeps them in an embedded
-- SQLite file of its own.

CREATE TABLE places (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Which world the row belongs to: places seen by a live server, or made up by a simulated
    -- one (demos, load tests); neither server shows the other's.
    source         text             NOT NULL CHECK (source IN ('live', 'simulated')),
    -- ISO 3166-1 alpha-2, upper case: the postal code's country, or the city's.
    country_code   text             NOT NULL CHECK (char_length(country_code) = 2),
    -- A postal code's place: the code as the geocoder's data holds it.
    postal_code    text             CHECK (char_length(postal_code) BETWEEN 1 AND 10),
    -- A city: its GeoNames id. No foreign key: the cities live in each instance's own file.
    city_id        bigint,
    name           text             NOT NULL,
    region         text             NOT NULL DEFAULT '',
    region_code    text             NOT NULL DEFAULT '',
    latitude       double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude      double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    time_zone      text             NOT NULL,
    -- A city's country as the cities' data names it (the cities are not here to join); NULL
    -- for a postal code's place, whose country is named after its code.
    country_name   text,
    created_at     timestamptz      NOT NULL,
    -- Page views, added in batches by every instance (increments, never overwrites).
    view_count     bigint           NOT NULL DEFAULT 0 CHECK (view_count >= 0),
    last_viewed_at timestamptz,
    CHECK ((postal_code IS NULL) <> (city_id IS NULL))
);

CREATE UNIQUE INDEX places_by_postal_code ON places (source, country_code, postal_code)
    WHERE postal_code IS NOT NULL;
CREATE UNIQUE INDEX places_by_city ON places (source, city_id) WHERE city_id IS NOT NULL;
CREATE INDEX places_recently_viewed ON places (source, last_viewed_at DESC)
    WHERE last_viewed_at IS NOT NULL;
CREATE INDEX places_most_viewed ON places (source, view_count DESC) WHERE view_count > 0;

CREATE TABLE events (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    place_id         bigint      NOT NULL REFERENCES places (id) ON DELETE CASCADE,
    title            text        NOT NULL CHECK (char_length(title) BETWEEN 3 AND 120),
    -- The poster types local wall-clock time; the app converts it with the place's zone.
    starts_at        timestamptz NOT NULL,
    ends_at          timestamptz CHECK (ends_at IS NULL OR ends_at > starts_at),
    -- Plain text; line breaks kept, escaped when shown.
    description      text        NOT NULL DEFAULT '' CHECK (char_length(description) <= 4000),
    -- http(s) only, checked by the app; NULL when none.
    link             text,
    poster_name      text        NOT NULL CHECK (char_length(poster_name) BETWEEN 1 AND 60),
    -- The SHA-256 (hex) of the re-encoded photo, which names its files; NULL without photo.
    photo            text,
    -- Pixel sizes of the photo's display and thumbnail files.
    photo_width      bigint,
    photo_height     bigint,
    thumbnail_width  bigint,
    thumbnail_height bigint,
    -- SHA-256 (hex) of the private edit link's token: the token itself is never stored.
    edit_token_hash  text        NOT NULL,
    -- A random id the form carries: the same form submitted twice stores one event, whichever
    -- instances the two submissions reach.
    submission_id    text        NOT NULL UNIQUE,
    created_at       timestamptz NOT NULL
);

CREATE INDEX events_by_place_and_start ON events (place_id, starts_at);
CREATE INDEX events_by_photo ON events (photo) WHERE photo IS NOT NULL;

CREATE TABLE saved_places (
    visitor_id text        NOT NULL CHECK (char_length(visitor_id) = 32),
    place_id   bigint      NOT NULL REFERENCES places (id) ON DELETE CASCADE,
    saved_at   timestamptz NOT NULL,
    PRIMARY KEY (visitor_id, place_id)
);
