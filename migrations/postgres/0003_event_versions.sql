-- Each edit of an event counts up its version, and an edit lands only on the version its form
-- was opened at: of two edits sent from forms opened alike, the second is sent back to its
-- writer instead of silently undoing the first.
ALTER TABLE events ADD COLUMN version bigint NOT NULL DEFAULT 1;
