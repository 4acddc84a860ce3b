-- INSERT: several rows, a column list, NULL for what is left out, RETURNING.
CREATE TABLE items (id INTEGER PRIMARY KEY, name CHAR(10) NOT NULL, qty INTEGER, note TEXT);
INSERT INTO items VALUES (1, 'bolt', 10, 'steel'), (2, 'nut', NULL, NULL);
INSERT INTO items (name) VALUES ('washer');
INSERT INTO items (qty, name) VALUES (5, 'screw') RETURNING *;
INSERT INTO items (id, name) VALUES (NULL, 'pin') RETURNING id, name AS what, qty + 1;
INSERT INTO items (id, name) VALUES (10, 'gear');
INSERT INTO items (name) VALUES ('spring') RETURNING id;
SELECT * FROM items;
-- Values take the column's affinity, as SQLite stores them.
INSERT INTO items (name, qty, note) VALUES (12345, '42', 3.5) RETURNING *;
INSERT INTO items (name, qty) VALUES ('x', ' 7 ') RETURNING qty;
INSERT INTO items (name, qty) VALUES ('x', '7.0') RETURNING qty;
INSERT INTO items (name, qty) VALUES ('x', 2.0) RETURNING qty;
INSERT INTO items (name, qty) VALUES ('x', 'seven');
INSERT INTO items (name, qty) VALUES ('x', 2.5);
-- What the fields refuse; a failed INSERT of several rows inserts none.
INSERT INTO items (name) VALUES ('far too long a name');
INSERT INTO items (qty) VALUES (1);
INSERT INTO items (name, qty) VALUES ('big', 1234567890);
INSERT INTO items (id, name) VALUES (1, 'again');
INSERT INTO items (id, name) VALUES (0, 'zero');
INSERT INTO items (name) VALUES ('ok1'), ('ok2'), (NULL);
SELECT count(*) FROM items WHERE name LIKE 'ok%';
INSERT INTO items (name, nope) VALUES ('a', 1);
INSERT INTO items (name, name) VALUES ('a', 'b');
INSERT INTO items (name, qty) VALUES ('a');
INSERT INTO items VALUES (1, 'a');
INSERT INTO nowhere VALUES (1);
INSERT INTO items (name) VALUES (qty);
-- INSERT … SELECT.
CREATE TABLE names (id INTEGER PRIMARY KEY, name CHAR(10));
INSERT INTO names (name) SELECT name FROM items WHERE qty IS NOT NULL ORDER BY name;
SELECT * FROM names;
-- Constructs outside the subset.
INSERT OR REPLACE INTO items (id, name) VALUES (1, 'x');
INSERT INTO items (id, name) VALUES (1, 'x') ON CONFLICT (id) DO NOTHING;
REPLACE INTO items (id, name) VALUES (1, 'x');
INSERT INTO items (name) VALUES (?);
