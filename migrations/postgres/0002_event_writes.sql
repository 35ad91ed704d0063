-- A count of the writes to events, made in each writing transaction (so another instance sees
-- the new count only once the write is visible): every instance keeps the places' boards in
-- memory, and reads this count a few times a second to learn of posts, edits and deletes made
-- by the others.
CREATE TABLE event_writes (
    id    integer PRIMARY KEY CHECK (id = 1),
    count bigint  NOT NULL
);
INSERT INTO event_writes (id, count) VALUES (1, 0);

CREATE FUNCTION count_event_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE event_writes SET count = count + 1 WHERE id = 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER event_written AFTER INSERT OR UPDATE OR DELETE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION count_event_write();
