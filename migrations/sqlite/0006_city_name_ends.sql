-- The distinct folded names written backwards: a name typed with one mistake near its start
-- still ends as the name meant does, and an index finds that end as a prefix of these. (The
-- trigram index of 0005 now finds names that hold what was typed; typos go through this.)
CREATE TABLE city_name_ends (
    reversed TEXT PRIMARY KEY
) WITHOUT ROWID;

-- The cities are imported again at the next start, filling this table.
DELETE FROM city_data;
