.read data/books.sql
.headers on
SELECT id, title FROM books WHERE id <= 2 ORDER BY id;
.mode csv
SELECT id, title FROM books WHERE id <= 2 ORDER BY id;
.headers off
SELECT id, title FROM books WHERE id <= 2 ORDER BY id;
-- A grid always has its header, as in sqlite3.
.mode table
SELECT id, title FROM books WHERE id <= 2 ORDER BY id;
.headers yes
.mode list
SELECT id FROM books WHERE id = 1;
