.read data/books.sql
-- sqlite3 prints nothing for INSERT, UPDATE and DELETE; .changes on asks for the count.
UPDATE books SET year = 1970 WHERE year < 1975;
.changes on
UPDATE books SET year = 1971 WHERE year = 1970;
DELETE FROM books WHERE year IS NULL;
INSERT INTO authors (name) VALUES ('Iain M. Banks');
.changes off
DELETE FROM authors WHERE name = 'Iain M. Banks';
SELECT count(*) FROM books;
