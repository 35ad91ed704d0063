-- Scratch space for the health check: while a write has been refused for want of space, the
-- check writes a row here and deletes it in the same transaction, to learn whether the
-- database can grow again. Always empty between checks.
CREATE TABLE storage_probe (
    filler BLOB NOT NULL
);
