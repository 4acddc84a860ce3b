-- Tables, rows, and the basic SELECT: columns, *, aliases, WHERE, ORDER BY, LIMIT.
CREATE TABLE authors (id INTEGER PRIMARY KEY, name CHAR(20) NOT NULL, born INTEGER);
INSERT INTO authors (name, born) VALUES ('Ursula K. Le Guin', 1929), ('Stanislaw Lem', 1921), ('Anonymous', NULL);
SELECT * FROM authors;
SELECT name AS who, born FROM authors WHERE born > 1925;
SELECT id, name FROM authors ORDER BY born DESC;
SELECT id, name FROM authors ORDER BY born;
SELECT name FROM authors ORDER BY name LIMIT 2;
SELECT name FROM authors ORDER BY name LIMIT 2 OFFSET 1;
SELECT name FROM authors ORDER BY name LIMIT 1, 1;
SELECT name FROM authors LIMIT -1 OFFSET 2;
SELECT name FROM authors LIMIT 0;
SELECT authors.name, a.born FROM authors a;
SELECT 1, 'two', NULL, 2.5, -3;
SELECT count(*), min(born), max(born), sum(born), avg(born) FROM authors;
