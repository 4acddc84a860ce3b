.read data/books.sql
.timer on
SELECT count(*) FROM books;
UPDATE books SET year = year + 1 WHERE id = 1;
.timer off
SELECT year FROM books WHERE id = 1;
