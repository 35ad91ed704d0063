-- A count of the writes to events, made in each writing transaction: every instance keeps the
-- places' boards in memory, and reads this count a few times a second to learn of posts,
-- edits and deletes made by another instance sharing the database file.
CREATE TABLE event_writes (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    count INTEGER NOT NULL
);
INSERT INTO event_writes (id, count) VALUES (1, 0);

CREATE TRIGGER event_inserted AFTER INSERT ON events
BEGIN
    UPDATE event_writes SET count = count + 1 WHERE id = 1;
END;
CREATE TRIGGER event_updated AFTER UPDATE ON events
BEGIN
    UPDATE event_writes SET count = count + 1 WHERE id = 1;
END;
CREATE TRIGGER event_deleted AFTER DELETE ON events
BEGIN
    UPDATE event_writes SET count = count + 1 WHERE id = 1;
END;
