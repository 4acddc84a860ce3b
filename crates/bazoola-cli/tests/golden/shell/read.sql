-- .read runs a file's SQL and dot-commands; its settings stay afterwards.
.read data/books.sql
.read data/queries.sql
SELECT count(*) AS books FROM books;
-- The first error of a .read file stops it and is the .read's error: file and line.
.read data/broken.sql
SELECT 'not reached';
-- restart
.read data/no_such_file.sql
