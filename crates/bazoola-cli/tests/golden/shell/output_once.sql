.read data/books.sql
.output all.txt
SELECT id, title FROM books WHERE id <= 2 ORDER BY id;
.tables
.output
SELECT 'back on stdout';
.once once.txt
SELECT 'only this goes to once.txt';
SELECT 'and this is on stdout again';
.output stdout
.once
