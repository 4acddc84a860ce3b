SELECT count(*) FROM books;

SELECT title FROM no_such_table;
SELECT 'never printed' FROM books;
