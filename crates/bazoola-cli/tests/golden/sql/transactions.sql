-- BEGIN, COMMIT, ROLLBACK: the engine's transactions.
CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL);
BEGIN;
INSERT INTO t (v) VALUES (1), (2);
UPDATE t SET v = v * 10;
SELECT * FROM t;
ROLLBACK;
SELECT count(*) FROM t;
BEGIN TRANSACTION;
INSERT INTO t (v) VALUES (3);
DELETE FROM t WHERE v = 3;
INSERT INTO t (v) VALUES (4);
COMMIT;
SELECT * FROM t;
-- The committed rows are in the files.
-- @reopen
SELECT * FROM t;
-- Transaction statements out of place.
COMMIT;
ROLLBACK;
BEGIN;
BEGIN;
CREATE TABLE u (id INTEGER PRIMARY KEY);
ROLLBACK;
-- A statement refused before it wrote leaves the transaction usable …
BEGIN;
INSERT INTO t (v) VALUES (5);
INSERT INTO t (v) VALUES (NULL);
INSERT INTO t (v) VALUES (6);
COMMIT;
SELECT * FROM t;
-- … one that failed half-way aborts it (SQLite would undo just the statement): later
-- statements are refused, and COMMIT rolls back.
BEGIN;
INSERT INTO t (v) VALUES (7);
INSERT INTO t (v) VALUES (8), (NULL);
INSERT INTO t (v) VALUES (9);
COMMIT;
SELECT * FROM t;
-- Savepoints are not in the subset.
SAVEPOINT a;
