.read data/books.sql
-- list is the default when the output is not a terminal; no header row until asked.
.mode
SELECT id, title, year FROM books ORDER BY id;
.mode list
SELECT count(*), min(year), max(year), avg(year) FROM books;
