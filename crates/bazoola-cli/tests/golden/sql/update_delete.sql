-- UPDATE and DELETE: rows found as SELECT finds them, changed by id, atomically.
CREATE TABLE authors (id INTEGER PRIMARY KEY, name CHAR(12) NOT NULL);
CREATE TABLE books (id INTEGER PRIMARY KEY, title CHAR(12) NOT NULL, author_id INTEGER REFERENCES authors, pages INTEGER);
CREATE TABLE notes (id INTEGER PRIMARY KEY, book_id INTEGER REFERENCES books ON DELETE CASCADE, body TEXT);
CREATE TABLE loans (id INTEGER PRIMARY KEY, book_id INTEGER REFERENCES books ON DELETE SET NULL);
INSERT INTO authors (name) VALUES ('Le Guin'), ('Lem');
INSERT INTO books (title, author_id, pages) VALUES ('Earthsea', 1, 200), ('Solaris', 2, NULL), ('Fiasco', 2, 300);
INSERT INTO notes (book_id, body) VALUES (2, 'a'), (2, 'b'), (3, 'c');
INSERT INTO loans (book_id) VALUES (2), (3);
-- SET sees the old row; a WHERE that is unknown changes nothing.
UPDATE books SET pages = pages + 10 WHERE pages > 100;
UPDATE books SET pages = 1 WHERE pages = NULL;
UPDATE books SET title = upper_title WHERE id = 1;
UPDATE books SET title = title || '!', pages = id * 1000 WHERE author_id = 2 RETURNING id, title, pages;
UPDATE books SET pages = '55' WHERE id = 1 RETURNING *;
SELECT * FROM books;
UPDATE books SET pages = NULL;
-- What the fields and keys refuse; a failed UPDATE changes no row.
UPDATE books SET title = 'a title far too long' WHERE id = 3;
UPDATE books SET title = NULL;
UPDATE books SET author_id = 99 WHERE id = 1;
UPDATE books SET id = 7 WHERE id = 1;
UPDATE books SET title = 'x' || title WHERE id < 3;
UPDATE books SET nope = 1;
SELECT id, title FROM books;
-- DELETE applies each foreign key's rule: RESTRICT refuses, CASCADE follows, SET NULL clears.
DELETE FROM authors WHERE id = 2;
DELETE FROM books WHERE id = 2 RETURNING title;
SELECT * FROM notes;
SELECT * FROM loans;
DELETE FROM books WHERE pages IS NULL AND title LIKE 'E%';
DELETE FROM notes;
DELETE FROM notes;
SELECT count(*) FROM books;
-- A self-referencing cascade: rows removed by an earlier row's cascade are not counted twice.
CREATE TABLE tree (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES tree ON DELETE CASCADE);
INSERT INTO tree (parent_id) VALUES (NULL), (1), (2), (NULL);
DELETE FROM tree WHERE id <= 3;
SELECT * FROM tree;
-- Outside the subset.
UPDATE books SET (title, pages) = ('a', 1);
UPDATE books SET pages = 1 FROM authors;
DELETE FROM books ORDER BY id LIMIT 1;
DELETE FROM books b USING authors a WHERE b.author_id = a.id;
