.read data/books.sql
.mode line
SELECT id, name, country FROM authors WHERE id IN (1, 4) ORDER BY id;
SELECT count(*) AS books_without_year FROM books WHERE year IS NULL;
