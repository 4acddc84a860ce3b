-- [LEFT] JOIN … ON an FK = id: forward (the row an FK points at) and inverse (the rows
-- pointing here), chained, with and without a match.
CREATE TABLE authors (id INTEGER PRIMARY KEY, name CHAR(20) NOT NULL, mentor_id INTEGER REFERENCES authors ON DELETE SET NULL);
CREATE TABLE books (id INTEGER PRIMARY KEY, title CHAR(20) NOT NULL, author_id INTEGER REFERENCES authors, year INTEGER);
CREATE TABLE reviews (id INTEGER PRIMARY KEY, book_id INTEGER NOT NULL REFERENCES books ON DELETE CASCADE, stars INTEGER);
INSERT INTO authors (name, mentor_id) VALUES ('Le Guin', NULL), ('Lem', 1), ('Nobody', NULL);
INSERT INTO books (title, author_id, year) VALUES ('Earthsea', 1, 1968), ('Solaris', 2, 1961), ('Anonymous', NULL, 1900), ('Fiasco', 2, 1986);
INSERT INTO reviews (book_id, stars) VALUES (2, 5), (2, 4), (4, NULL);
-- Forward: each book with its author; the book without one is dropped, unless LEFT.
SELECT b.title, a.name FROM books b JOIN authors a ON b.author_id = a.id ORDER BY b.id;
SELECT b.title, a.name FROM books b LEFT JOIN authors a ON a.id = b.author_id ORDER BY b.id;
-- Inverse: each author with each of their books; an author without books only with LEFT.
SELECT a.name, b.title FROM authors a JOIN books b ON b.author_id = a.id ORDER BY a.id, b.id;
SELECT a.name, b.title, b.year FROM authors a LEFT JOIN books b ON b.author_id = a.id ORDER BY a.id, b.id;
-- Chains, and a table joined to itself.
SELECT a.name, b.title, r.stars FROM authors a JOIN books b ON b.author_id = a.id LEFT JOIN reviews r ON r.book_id = b.id ORDER BY a.id, b.id, r.id;
SELECT a.name, b.title, r.stars FROM authors a LEFT JOIN books b ON b.author_id = a.id JOIN reviews r ON r.book_id = b.id ORDER BY r.id;
SELECT r.id, b.title, a.name FROM reviews r JOIN books b ON r.book_id = b.id JOIN authors a ON b.author_id = a.id ORDER BY r.id;
SELECT s.name AS student, m.name AS mentor FROM authors s LEFT JOIN authors m ON s.mentor_id = m.id ORDER BY s.id;
-- `*`, `t.*`, conditions on either table, ordering by a joined column.
SELECT * FROM books b JOIN authors a ON b.author_id = a.id WHERE a.name = 'Lem' ORDER BY b.id;
SELECT a.*, b.title FROM authors a LEFT JOIN books b ON b.author_id = a.id WHERE b.id IS NULL;
SELECT b.title FROM books b LEFT JOIN authors a ON b.author_id = a.id WHERE a.name IS NULL OR a.name < 'Lem' ORDER BY a.name DESC, b.title;
SELECT b.title, a.name FROM books b JOIN authors a ON b.author_id = a.id ORDER BY a.name, b.year DESC LIMIT 2;
EXPLAIN SELECT b.title, a.name FROM books b JOIN authors a ON b.author_id = a.id WHERE b.year > 1950 AND a.name LIKE 'L%';
-- Names: ambiguous, unknown, qualified by a table that has an alias.
SELECT id FROM books b JOIN authors a ON b.author_id = a.id;
SELECT b.nope FROM books b JOIN authors a ON b.author_id = a.id;
SELECT x.title FROM books b;
SELECT books.title FROM books b;
-- Joins outside the subset.
SELECT * FROM books b JOIN authors a ON b.year = a.id;
SELECT * FROM books b JOIN authors a ON b.author_id = a.id AND a.name = 'Lem';
SELECT * FROM books b JOIN authors a USING (id);
SELECT * FROM books, authors;
SELECT * FROM books b RIGHT JOIN authors a ON b.author_id = a.id;
SELECT * FROM books b CROSS JOIN authors a;
SELECT * FROM (SELECT * FROM books) b;
SELECT * FROM books b JOIN books b ON b.id = b.id;
