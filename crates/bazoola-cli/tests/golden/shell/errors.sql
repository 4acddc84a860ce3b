-- A script stops at its first error, with `Error: …` on stderr and status 1; each
-- restart below is a new process on the same directory.
.read data/books.sql
SELECT title FROM no_such_table;
SELECT 'not reached';
-- restart
SELECT no_such_column FROM books;
-- restart
SELECT title FROM books WHERE id = 1;
SELEC title FROM books;
-- restart
INSERT INTO books (title, year) VALUES ('A title', 'not a year');
-- restart
INSERT INTO authors (name) VALUES ('Stanisław Lem');
-- restart
INSERT INTO books (title, author_id) VALUES ('Orphan', 42);
-- restart
INSERT INTO books (year) VALUES (2001);
-- restart
DROP TABLE authors;
-- restart
SELECT count(*) FROM books;
SELECT 'unterminated
-- restart
.frobnicate
-- restart
.mode columns
-- restart
.headers maybe
-- restart
.import books.csv books
-- restart
.exit 3
