-- ORDER BY (nulls first ascending, last descending), LIMIT and OFFSET.
CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, s CHAR(8));
INSERT INTO t (n, s) VALUES (2, 'b'), (NULL, 'a'), (1, NULL), (2, 'a'), (NULL, NULL), (3, 'c');
SELECT id, n FROM t ORDER BY n, id;
SELECT id, n FROM t ORDER BY n DESC, id;
SELECT id, n FROM t ORDER BY n NULLS LAST, id;
SELECT id, n FROM t ORDER BY n DESC NULLS FIRST, id;
SELECT id, s, n FROM t ORDER BY s DESC, n;
-- By a result column's number or alias, or an expression.
SELECT s AS label, n FROM t ORDER BY 1, 2;
SELECT s AS label, n FROM t ORDER BY label DESC, id;
SELECT id, n FROM t ORDER BY -n, id;
SELECT id FROM t ORDER BY n * 0, id DESC;
SELECT id FROM t ORDER BY 3;
-- LIMIT and OFFSET; a negative limit is none, LIMIT 0 nothing, LIMIT a, b skips a.
SELECT id FROM t ORDER BY id LIMIT 2;
SELECT id FROM t ORDER BY id LIMIT 2 OFFSET 3;
SELECT id FROM t ORDER BY id LIMIT 3, 2;
SELECT id FROM t ORDER BY id LIMIT -1 OFFSET 4;
SELECT id FROM t ORDER BY id LIMIT 0;
SELECT id FROM t ORDER BY id LIMIT 2 OFFSET -1;
SELECT id FROM t ORDER BY id LIMIT 10 OFFSET 10;
SELECT id FROM t LIMIT '2';
SELECT id FROM t LIMIT 1.5;
SELECT id FROM t LIMIT 'x';
-- With an index, the first key is walked in index order and the walk stops early.
CREATE INDEX t_n ON t (n);
SELECT id, n FROM t ORDER BY n DESC, id LIMIT 3;
EXPLAIN SELECT id, n FROM t ORDER BY n DESC, id LIMIT 3;
EXPLAIN SELECT id FROM t ORDER BY s LIMIT 2;
-- DISTINCT.
SELECT DISTINCT n FROM t ORDER BY n;
SELECT DISTINCT n, s IS NULL FROM t ORDER BY 1 DESC, 2;
SELECT DISTINCT n FROM t ORDER BY s;
