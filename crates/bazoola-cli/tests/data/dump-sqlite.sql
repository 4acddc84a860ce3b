-- Bazoola dump of DIR (sqlite dialect)
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE authors (
  id INTEGER PRIMARY KEY,
  name VARCHAR(20) NOT NULL,
  bio TEXT
);
CREATE TABLE books (
  id INTEGER PRIMARY KEY,
  title VARCHAR(20) NOT NULL UNIQUE,
  author_id INTEGER NOT NULL REFERENCES authors (id) ON DELETE CASCADE,
  year INTEGER,
  isbn INTEGER
);
CREATE TABLE topics (
  id INTEGER PRIMARY KEY,
  name VARCHAR(10) NOT NULL,
  parent_id INTEGER REFERENCES topics (id) ON DELETE RESTRICT
);
INSERT INTO authors (id, name, bio) VALUES
(1, 'O''Brien', 'one
two, "three"	\'),
(2, 'Lem', NULL);
INSERT INTO books (id, title, author_id, year, isbn) VALUES
(1, 'Solaris', 2, 1961, 9780156027601),
(2, 'Untitled', 2, NULL, 9780156027601);
INSERT INTO topics (id, name, parent_id) VALUES
(1, 'root', NULL),
(2, 'leaf', 1);
CREATE INDEX books_author_id_idx ON books (author_id);
CREATE INDEX books_year_idx ON books (year);
CREATE INDEX topics_parent_id_idx ON topics (parent_id);
COMMIT;
