.echo off
-- The fixture most scripts start from: two tables, an FK, a unique and a plain index,
-- nulls, and text beyond ASCII.
CREATE TABLE authors (
  id INTEGER PRIMARY KEY,
  name CHAR(30) NOT NULL UNIQUE,
  country CHAR(20)
);
CREATE TABLE books (
  id INTEGER PRIMARY KEY,
  title CHAR(40) NOT NULL,
  author_id INTEGER REFERENCES authors(id),
  year INTEGER
);
CREATE INDEX books_year ON books(year);
INSERT INTO authors (name, country) VALUES
  ('Ursula K. Le Guin', 'USA'),
  ('Stanisław Lem', 'Poland'),
  ('Haruki Murakami', 'Japan'),
  ('Octavia E. Butler', NULL);
INSERT INTO books (title, author_id, year) VALUES
  ('The Dispossessed', 1, 1974),
  ('Solaris', 2, 1961),
  ('ノルウェイの森', 3, 1987),
  ('Kindred', 4, 1979),
  ('The Lathe of Heaven', 1, 1971),
  ('Untitled draft', NULL, NULL);
.echo on
