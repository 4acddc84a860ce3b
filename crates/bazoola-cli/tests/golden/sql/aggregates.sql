-- Aggregates as SQLite computes them, GROUP BY and HAVING.
CREATE TABLE t (id INTEGER PRIMARY KEY, g CHAR(4), n INTEGER, s TEXT);
SELECT count(*), count(n), sum(n), total(n), avg(n), min(n), max(s) FROM t;
SELECT g, count(*) FROM t GROUP BY g;
INSERT INTO t (g, n, s) VALUES ('a', 1, 'x'), ('a', NULL, 'y'), ('b', 3, NULL), (NULL, 4, 'z'), ('b', 3, 'w'), (NULL, NULL, NULL);
SELECT count(*), count(n), sum(n), total(n), avg(n), min(n), max(n), min(s), max(s) FROM t;
SELECT count(*) FROM t WHERE n > 100;
SELECT sum(n), avg(n), min(n) FROM t WHERE n > 100;
SELECT g, count(*), count(n), sum(n), avg(n) FROM t GROUP BY g;
SELECT g, count(*) AS c FROM t GROUP BY g HAVING c > 1 ORDER BY c DESC, g;
SELECT g, sum(n) FROM t GROUP BY g HAVING sum(n) IS NULL OR max(s) > 'x';
SELECT g, count(*) FROM t WHERE n IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1;
SELECT n % 2 AS parity, count(*) FROM t GROUP BY n % 2 ORDER BY parity;
SELECT count(DISTINCT n), sum(DISTINCT n), count(DISTINCT g) FROM t;
SELECT g, n, count(*) FROM t GROUP BY g, n ORDER BY g, n;
SELECT count(*) * 2 + 1, max(n) - min(n), 'total: ' || sum(n) FROM t;
SELECT sum(s), avg(s), total(g) FROM t;
SELECT count(*) FROM t HAVING count(*) > 10;
-- The engine computes the aggregate itself (index runs, without reading a row) when it can.
CREATE INDEX t_g ON t (g);
EXPLAIN SELECT g, count(*) FROM t GROUP BY g;
EXPLAIN SELECT g, count(*) FROM t WHERE n > 1 GROUP BY g HAVING count(*) > 1 ORDER BY 2;
EXPLAIN SELECT g, count(DISTINCT n) FROM t GROUP BY g;
-- Misuse.
SELECT g, n FROM t GROUP BY g;
SELECT n, count(*) FROM t;
SELECT * FROM t GROUP BY g;
SELECT id FROM t WHERE count(*) > 1;
SELECT sum(count(*)) FROM t;
SELECT sum(n, n) FROM t;
SELECT id FROM t HAVING id > 1;
SELECT upper(s) FROM t;
SELECT count(*) OVER () FROM t;
SELECT group_concat(s) FROM t;
-- Integer overflow, as SQLite reports it.
CREATE TABLE big (id INTEGER PRIMARY KEY, v INT(19));
INSERT INTO big (v) VALUES (9000000000000000000), (9000000000000000000);
SELECT sum(v) FROM big;
SELECT total(v), avg(v) FROM big;
