-- How the shell finds where a statement ends: a ';' outside strings and comments.
CREATE TABLE notes (
  id INTEGER PRIMARY KEY,   -- a comment; with a semicolon
  body TEXT /* a block comment; too */
);
INSERT INTO notes (body) VALUES ('semi; colon'), ('it''s'), ('two
lines');
SELECT count(*) FROM notes; SELECT body FROM notes WHERE id = 1;
SELECT body
  FROM notes
 WHERE id = 2
;
/* only a comment */
;
-- The last statement may end without its ';'.
SELECT id FROM notes WHERE body LIKE '%lines' ORDER BY id
