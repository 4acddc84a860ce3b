.mode csv
.headers on
SELECT name, country FROM authors WHERE country IS NOT NULL ORDER BY name;
