.read data/books.sql
.mode box
SELECT id, title, year FROM books ORDER BY id;
SELECT name, country FROM authors WHERE country IS NULL;
-- An empty result prints nothing, not an empty box.
SELECT title FROM books WHERE year > 3000;
