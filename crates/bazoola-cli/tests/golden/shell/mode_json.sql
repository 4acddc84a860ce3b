.read data/books.sql
.mode json
SELECT id, title, author_id, year FROM books ORDER BY id;
INSERT INTO authors (name, country) VALUES ('Say "hi" \ back', 'tab	here');
SELECT name, country FROM authors WHERE id = 5;
SELECT count(*) AS n, avg(year) AS mean, sum(year) AS total FROM books;
-- Nothing at all for an empty result, as sqlite3 -json.
SELECT title FROM books WHERE id = 99;
