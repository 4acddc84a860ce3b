-- Bazoola dump of DIR (bazoola dialect)
CREATE TABLE authors (
  id INTEGER PRIMARY KEY,
  name CHAR(20) NOT NULL,
  bio TEXT
);
CREATE TABLE books (
  id INTEGER PRIMARY KEY,
  title CHAR(20) NOT NULL UNIQUE,
  author_id INTEGER NOT NULL REFERENCES authors(id) ON DELETE CASCADE,
  year INTEGER,
  isbn INT(13)
);
CREATE INDEX books_year ON books(year);
CREATE TABLE topics (
  id INTEGER PRIMARY KEY,
  name CHAR(10) NOT NULL,
  parent_id INTEGER REFERENCES topics(id)
);
BEGIN;
INSERT INTO authors (id, name, bio) VALUES
(1, 'O''Brien', 'one
two, "three"	\'),
(2, 'Lem', NULL);
INSERT INTO books (id, title, author_id, year, isbn) VALUES
(1, 'Solaris', 2, 1961, 9780156027601),
(2, 'Untitled', 2, NULL, 9780156027601);
INSERT INTO topics (id, name, parent_id) VALUES
(1, 'root', NULL),
(2, 'leaf', NULL);
UPDATE topics SET parent_id = 1 WHERE id = 2;
COMMIT;
