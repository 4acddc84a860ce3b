.read data/books.sql
.mode table
SELECT id, title, author_id, year FROM books WHERE year < 1980 ORDER BY year;
