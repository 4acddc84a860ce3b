-- ALTER TABLE, CREATE/DROP INDEX and DROP TABLE: the engine's schema changes.
CREATE TABLE authors (id INTEGER PRIMARY KEY, name CHAR(10) NOT NULL);
CREATE TABLE books (id INTEGER PRIMARY KEY, title CHAR(10), author_id INTEGER REFERENCES authors);
INSERT INTO authors (name) VALUES ('Lem'), ('Le Guin');
INSERT INTO books (title, author_id) VALUES ('Solaris', 1), (NULL, 2);
-- ADD COLUMN: the rows there get the DEFAULT (later INSERTs that leave it out get NULL).
ALTER TABLE books ADD COLUMN year INTEGER DEFAULT 1970;
ALTER TABLE books ADD pages INTEGER;
ALTER TABLE books ADD COLUMN isbn CHAR(13) NOT NULL;
ALTER TABLE books ADD COLUMN isbn CHAR(13) NOT NULL DEFAULT 'unknown';
INSERT INTO books (title, author_id, isbn) VALUES ('Fiasco', 1, '978');
SELECT * FROM books;
-- RENAME COLUMN, RENAME TO (FKs of other tables follow), DROP COLUMN.
ALTER TABLE books RENAME COLUMN title TO name;
ALTER TABLE authors RENAME TO writers;
-- @cat books__schema.dat
ALTER TABLE books DROP COLUMN pages;
ALTER TABLE books DROP COLUMN id;
ALTER TABLE books DROP COLUMN nope;
SELECT b.name, w.name FROM books b JOIN writers w ON b.author_id = w.id ORDER BY b.id;
-- ALTER COLUMN: NOT NULL, a size; refused when a row does not allow it.
ALTER TABLE books ALTER COLUMN name SET NOT NULL;
UPDATE books SET name = 'Untitled' WHERE name IS NULL;
ALTER TABLE books ALTER COLUMN name SET NOT NULL;
ALTER TABLE books ALTER COLUMN name SET DATA TYPE CHAR(3);
ALTER TABLE books ALTER COLUMN name SET DATA TYPE CHAR(40);
ALTER TABLE books ALTER COLUMN name SET DATA TYPE INTEGER;
ALTER TABLE books ALTER COLUMN year DROP NOT NULL;
ALTER TABLE books ADD COLUMN a INTEGER, ADD COLUMN b INTEGER;
-- Indexes: made and dropped; their names are table_column.
CREATE INDEX any_name ON books (year);
CREATE UNIQUE INDEX books_isbn ON books (isbn);
UPDATE books SET isbn = '978' WHERE id = 1;
CREATE UNIQUE INDEX books_name ON books (name);
INSERT INTO books (name, author_id, isbn) VALUES ('Solaris', 2, '979');
-- @cat books__schema.dat
EXPLAIN SELECT * FROM books WHERE year = 1970;
DROP INDEX books_year;
DROP INDEX any_name;
DROP INDEX IF EXISTS any_name;
DROP INDEX books_name;
INSERT INTO books (name, author_id, isbn) VALUES ('Solaris', 2, '980');
CREATE INDEX i ON books (year, name);
CREATE INDEX i ON books (lower(name));
CREATE INDEX i ON books (year) WHERE year > 0;
CREATE INDEX i ON nowhere (year);
-- DROP TABLE: refused while another table refers to it, unless CASCADE.
DROP TABLE writers;
DROP TABLE IF EXISTS nowhere;
DROP TABLE nowhere;
DROP TABLE writers CASCADE;
-- @cat books__schema.dat
-- @files
DROP TABLE books;
-- @files
DROP VIEW v;
