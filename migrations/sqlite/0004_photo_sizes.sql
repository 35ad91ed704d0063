-- The pixel sizes of each event's photo, as displayed and as a thumbnail, so that pages give
-- the browser `width`, `height` and a `srcset` to choose from before a picture loads. NULL
-- without a photo; photos stored before this migration get theirs at the next start, read from
-- the files' headers.
ALTER TABLE events ADD COLUMN photo_width INTEGER;
ALTER TABLE events ADD COLUMN photo_height INTEGER;
ALTER TABLE events ADD COLUMN thumbnail_width INTEGER;
ALTER TABLE events ADD COLUMN thumbnail_height INTEGER;
