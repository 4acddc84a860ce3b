-- WHERE with SQL's three-valued logic: a row is kept only where the condition is TRUE.
CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, s CHAR(8));
INSERT INTO t (n, s) VALUES (1, 'one'), (2, 'Two'), (NULL, 'none'), (3, NULL), (NULL, NULL);
SELECT id FROM t WHERE n = 1;
SELECT id FROM t WHERE n <> 1;
SELECT id FROM t WHERE NOT (n = 1);
SELECT id FROM t WHERE n = NULL;
SELECT id FROM t WHERE n <> NULL;
SELECT id FROM t WHERE n IS NULL;
SELECT id FROM t WHERE n IS NOT NULL;
SELECT id FROM t WHERE NOT (n IS NULL AND s IS NULL);
SELECT id FROM t WHERE n > 1 OR s = 'none';
SELECT id FROM t WHERE NOT (n > 1 OR s = 'none');
SELECT id FROM t WHERE n IN (1, 3);
SELECT id FROM t WHERE n IN (1, NULL);
SELECT id FROM t WHERE n NOT IN (1, 3);
SELECT id FROM t WHERE n NOT IN (1, NULL);
SELECT id FROM t WHERE n IN ();
SELECT id FROM t WHERE n NOT IN ();
SELECT id FROM t WHERE n BETWEEN 2 AND 3;
SELECT id FROM t WHERE n NOT BETWEEN 2 AND 3;
SELECT id FROM t WHERE n BETWEEN NULL AND 3;
SELECT id FROM t WHERE n NOT BETWEEN NULL AND 1;
SELECT id FROM t WHERE n IS DISTINCT FROM 1;
SELECT id FROM t WHERE n IS NOT DISTINCT FROM NULL;
-- The truth values themselves.
SELECT n, n > 1, NOT n > 1, n > 1 AND s IS NULL, n > 1 OR s IS NULL, n IN (1, NULL) FROM t;
-- LIKE: case-insensitive for ASCII, % and _, ESCAPE; numbers as their text.
SELECT id FROM t WHERE s LIKE 'T%';
SELECT id FROM t WHERE s LIKE '_o%';
SELECT id FROM t WHERE s NOT LIKE '%o%';
SELECT id FROM t WHERE n LIKE '3';
SELECT id FROM t WHERE s LIKE NULL;
SELECT 'a%b' LIKE 'a!%b' ESCAPE '!', 'axb' LIKE 'a!%b' ESCAPE '!', 'Ä' LIKE 'ä', 'ä' LIKE 'ä';
SELECT id FROM t WHERE s LIKE 'a' ESCAPE 'xy';
-- Integers against text, as SQLite's affinities decide.
SELECT id FROM t WHERE n = '1';
SELECT id FROM t WHERE n < '2';
SELECT id FROM t WHERE n < 'abc';
SELECT id FROM t WHERE n > 'abc';
SELECT id FROM t WHERE s = 1;
SELECT id FROM t WHERE n = 1.0;
SELECT id FROM t WHERE n > 1.5;
SELECT 1 = '1', 1 < 'a', '10' < '9', 10 < 9, NULL = NULL, NULL IS NULL;
-- Columns compared with columns, and expressions.
SELECT id FROM t WHERE n + 1 = 3;
SELECT id FROM t WHERE n * 2 > id;
SELECT id, n || s FROM t WHERE s || '!' = 'one!';
