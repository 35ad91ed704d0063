-- An event's id is never given again: without AUTOINCREMENT SQLite gives a deleted newest
-- event's id to the next one, and the deleted event's shared link, bookmark or calendar entry
-- (its UID is the id) then named someone else's event. SQLite cannot add AUTOINCREMENT in
-- place, so the table is made again and its rows copied, ids kept (as in 0007; migrations run
-- with foreign keys off, and `db::migrate` checks them after).
CREATE TABLE events_numbered (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    place_id         INTEGER NOT NULL REFERENCES places (id) ON DELETE CASCADE,
    title            TEXT    NOT NULL CHECK (length(title) BETWEEN 3 AND 120),
    -- Instants as RFC 3339 UTC text (fixed width, so text order is time order). The poster
    -- types local wall-clock time; the app converts it with the place's zone before storing.
    starts_at        TEXT    NOT NULL,
    ends_at          TEXT             CHECK (ends_at IS NULL OR ends_at > starts_at),
    -- Plain text; line breaks kept, escaped when shown.
    description      TEXT    NOT NULL DEFAULT '' CHECK (length(description) <= 4000),
    -- http(s) only, checked by the app; NULL when none.
    link             TEXT,
    poster_name      TEXT    NOT NULL CHECK (length(poster_name) BETWEEN 1 AND 60),
    -- The SHA-256 (hex) of the re-encoded photo, which names its files; NULL without photo.
    photo            TEXT,
    -- SHA-256 (hex) of the private edit link's token: the token itself is never stored, so a
    -- copy of the database cannot edit events.
    edit_token_hash  TEXT    NOT NULL,
    -- A random id the form carries: the same form submitted twice (double click, reload)
    -- stores one event.
    submission_id    TEXT    NOT NULL UNIQUE,
    created_at       TEXT    NOT NULL,
    -- Pixel sizes of the photo's display and thumbnail files (0004).
    photo_width      INTEGER,
    photo_height     INTEGER,
    thumbnail_width  INTEGER,
    thumbnail_height INTEGER
);

INSERT INTO events_numbered (id, place_id, title, starts_at, ends_at, description, link,
                             poster_name, photo, edit_token_hash, submission_id, created_at,
                             photo_width, photo_height, thumbnail_width, thumbnail_height)
SELECT id, place_id, title, starts_at, ends_at, description, link, poster_name, photo,
       edit_token_hash, submission_id, created_at, photo_width, photo_height, thumbnail_width,
       thumbnail_height
FROM events;

DROP TABLE events;
ALTER TABLE events_numbered RENAME TO events;

-- The place page's upcoming and recent lists, and the API's listing.
CREATE INDEX events_by_place_and_start ON events (place_id, starts_at);
