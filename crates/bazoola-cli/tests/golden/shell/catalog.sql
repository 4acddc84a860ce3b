.read data/books.sql
CREATE TABLE book_tags (id INTEGER PRIMARY KEY, book_id INTEGER NOT NULL REFERENCES books(id) ON DELETE CASCADE, tag CHAR(20) NOT NULL);
CREATE UNIQUE INDEX book_tags_tag ON book_tags(tag);
.tables
.tables book%
.schema
.schema authors
.indexes
.indexes books
-- A name that matches nothing is an error, with the engine's message.
.schema no_such_table
