.read data/books.sql
.mode markdown
SELECT a.name, b.title, b.year FROM books b JOIN authors a ON b.author_id = a.id ORDER BY b.year;
INSERT INTO books (title, author_id, year) VALUES ('A | B', 1, 2000);
SELECT title FROM books WHERE year = 2000;
