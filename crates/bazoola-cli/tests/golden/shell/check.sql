.read data/books.sql
.check
DELETE FROM books WHERE author_id = 1;
UPDATE authors SET country = 'Poland (PL)' WHERE id = 2;
.check
