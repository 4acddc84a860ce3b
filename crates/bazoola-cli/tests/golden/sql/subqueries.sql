-- Subqueries: counts over a foreign key become the engine's relation counts (each
-- relation counted on its own, never their product); others run once, as constants.
CREATE TABLE stores (id INTEGER PRIMARY KEY, name CHAR(10) NOT NULL);
CREATE TABLE departments (id INTEGER PRIMARY KEY, store_id INTEGER NOT NULL REFERENCES stores, name CHAR(10));
CREATE TABLE employees (id INTEGER PRIMARY KEY, department_id INTEGER NOT NULL REFERENCES departments, name CHAR(10), salary INTEGER);
CREATE TABLE products (id INTEGER PRIMARY KEY, store_id INTEGER REFERENCES stores, price INTEGER);
INSERT INTO stores (name) VALUES ('north'), ('south'), ('empty');
INSERT INTO departments (store_id, name) VALUES (1, 'toys'), (1, 'food'), (2, 'tools');
INSERT INTO employees (department_id, name, salary) VALUES (1, 'ann', 100), (1, 'bob', NULL), (2, 'cy', 300), (3, 'di', 400);
INSERT INTO products (store_id, price) VALUES (1, 5), (1, 50), (2, 7), (NULL, 1), (1, NULL);
-- The cartesian trap, counted per relation.
SELECT s.name,
       (SELECT COUNT(*) FROM products p WHERE p.store_id = s.id) AS products,
       (SELECT COUNT(*) FROM employees e JOIN departments d ON e.department_id = d.id WHERE d.store_id = s.id) AS employees
FROM stores s ORDER BY s.id;
EXPLAIN SELECT s.name,
       (SELECT COUNT(*) FROM products p WHERE p.store_id = s.id) AS products,
       (SELECT COUNT(*) FROM employees e JOIN departments d ON e.department_id = d.id WHERE d.store_id = s.id) AS employees
FROM stores s;
-- Conditions on the counted rows, COUNT(col), the two tables written the other way round.
SELECT s.name, (SELECT COUNT(p.price) FROM products p WHERE s.id = p.store_id AND p.price < 10) FROM stores s ORDER BY s.id;
SELECT s.name, (SELECT COUNT(*) FROM departments d JOIN employees e ON e.department_id = d.id WHERE d.store_id = s.id AND e.salary > 150 AND d.name <> 'toys') AS rich FROM stores s ORDER BY s.id;
-- In WHERE and ORDER BY; EXISTS and NOT EXISTS.
SELECT s.name FROM stores s WHERE (SELECT COUNT(*) FROM products p WHERE p.store_id = s.id) >= 1 ORDER BY (SELECT COUNT(*) FROM products p WHERE p.store_id = s.id) DESC;
SELECT s.name FROM stores s WHERE EXISTS (SELECT 1 FROM departments d WHERE d.store_id = s.id) ORDER BY s.id;
SELECT s.name FROM stores s WHERE NOT EXISTS (SELECT * FROM products p WHERE p.store_id = s.id AND p.price > 6);
-- From a joined table's rows.
SELECT d.name, s.name, (SELECT COUNT(*) FROM employees e WHERE e.department_id = d.id) AS staff FROM departments d JOIN stores s ON d.store_id = s.id ORDER BY d.id;
-- Uncorrelated: run once.
SELECT name, (SELECT COUNT(*) FROM products) AS all_products, (SELECT max(price) FROM products) AS top FROM stores ORDER BY id;
SELECT name FROM stores WHERE id IN (SELECT store_id FROM departments) ORDER BY id;
SELECT name FROM stores WHERE id NOT IN (SELECT store_id FROM products) ORDER BY id;
SELECT name FROM stores WHERE id NOT IN (SELECT store_id FROM products WHERE store_id IS NOT NULL) ORDER BY id;
SELECT (SELECT name FROM stores WHERE id = 2), (SELECT name FROM stores WHERE id = 99);
SELECT (SELECT id, name FROM stores);
-- Outside the subset.
SELECT s.name, (SELECT max(p.price) FROM products p WHERE p.store_id = s.id) FROM stores s;
SELECT s.name, (SELECT COUNT(*) FROM products p WHERE p.price > s.id) FROM stores s;
SELECT s.name FROM stores s WHERE s.id IN (SELECT p.store_id FROM products p WHERE p.price > s.id);
SELECT s.name, count(*), (SELECT COUNT(*) FROM products p WHERE p.store_id = s.id) FROM stores s GROUP BY s.name;
