-- Box columns are measured in terminal columns: CJK and emoji take two, combining
-- marks none; a long value widens its column; a line break makes a taller cell.
.mode box
CREATE TABLE words (id INTEGER PRIMARY KEY, word TEXT, note CHAR(100));
INSERT INTO words (word, note) VALUES
  ('日本語', 'three wide characters'),
  ('🦀 crab', 'an emoji, then ASCII'),
  ('Ångström', 'precomposed'),
  ('e' || 'x', NULL),
  ('naïve café', 'Latin with accents'),
  ('first line
second line', 'a value with a line break'),
  ('tab	inside', 'a control character shows as its picture'),
  ('a long value that goes on and on well past the width of the other cells in this column', 'wide');
SELECT id, word, note FROM words ORDER BY id;
.mode table
SELECT word FROM words WHERE id <= 3 ORDER BY id;
