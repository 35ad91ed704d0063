-- The events board: what people post about a place.
CREATE TABLE events (
    id              INTEGER PRIMARY KEY,
    place_id        INTEGER NOT NULL REFERENCES places (id) ON DELETE CASCADE,
    title           TEXT    NOT NULL CHECK (length(title) BETWEEN 3 AND 120),
    -- Instants as RFC 3339 UTC text (fixed width, so text order is time order). The poster
    -- types local wall-clock time; the app converts it with the place's zone before storing.
    starts_at       TEXT    NOT NULL,
    ends_at         TEXT             CHECK (ends_at IS NULL OR ends_at > starts_at),
    -- Plain text; line breaks kept, escaped when shown.
    description     TEXT    NOT NULL DEFAULT '' CHECK (length(description) <= 4000),
    -- http(s) only, checked by the app; NULL when none.
    link            TEXT,
    poster_name     TEXT    NOT NULL CHECK (length(poster_name) BETWEEN 1 AND 60),
    -- The SHA-256 (hex) of the re-encoded photo, which names its files; NULL without photo.
    photo           TEXT,
    -- SHA-256 (hex) of the private edit link's token: the token itself is never stored, so a
    -- copy of the database cannot edit events.
    edit_token_hash TEXT    NOT NULL,
    -- A random id the form carries: the same form submitted twice (double click, reload)
    -- stores one event.
    submission_id   TEXT    NOT NULL UNIQUE,
    created_at      TEXT    NOT NULL
);

-- The place page's upcoming and recent lists, and the API's listing.
CREATE INDEX events_by_place_and_start ON events (place_id, starts_at);

-- Places a browser saved: an anonymous id from a cookie, no accounts.
CREATE TABLE saved_places (
    visitor_id TEXT    NOT NULL CHECK (length(visitor_id) = 32),
    place_id   INTEGER NOT NULL REFERENCES places (id) ON DELETE CASCADE,
    saved_at   TEXT    NOT NULL,
    PRIMARY KEY (visitor_id, place_id)
);
