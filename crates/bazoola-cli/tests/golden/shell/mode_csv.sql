.read data/books.sql
.mode csv
INSERT INTO authors (name, country) VALUES ('Gene Wolfe, Jr.', 'USA'), ('"Doc" Smith', NULL);
SELECT id, name, country FROM authors ORDER BY id;
.headers on
SELECT title, year FROM books WHERE year >= 1979 ORDER BY year;
