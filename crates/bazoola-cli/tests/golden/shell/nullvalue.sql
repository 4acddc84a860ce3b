.read data/books.sql
SELECT id, author_id, year FROM books WHERE year IS NULL OR author_id = 4 ORDER BY id;
.nullvalue NULL
SELECT id, author_id, year FROM books WHERE year IS NULL OR author_id = 4 ORDER BY id;
.mode box
SELECT id, author_id, year FROM books WHERE year IS NULL OR author_id = 4 ORDER BY id;
.mode line
SELECT name, country FROM authors WHERE country IS NULL;
-- JSON says null whatever .nullvalue is.
.mode json
SELECT name, country FROM authors WHERE country IS NULL;
.nullvalue '(none)'
.mode csv
SELECT name, country FROM authors WHERE country IS NULL;
