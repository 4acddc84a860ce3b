-- Expressions: arithmetic, ||, affinity, precedence.
SELECT 7 / 2, 7 % 3, -7 / 2, -7 % 3, 7 / 0, 7 % 0, 7.0 / 2, 1 + 1.5, 2 * 3 + 4, 2 + 3 * 4;
SELECT 9223372036854775807 + 1, -9223372036854775808, 9223372036854775808, 3 % 2.5, 5 % '2abc';
SELECT '3' + 4, '3.5' * 2, 'abc' + 1, '12abc' + 1, NULL + 1, -'5', - -3;
SELECT 'a' || 'b', 1 || 2, 1.5 || 'x', NULL || 'x', 2.0 || '', 1e20 || '', 0.1 + 0.2;
SELECT 1 < 2, 2 <= 1, 'a' < 'b', 'B' < 'a', 1 < 'a', NULL < 1, 1 = 1.0, '1' = 1;
SELECT NOT 0, NOT 1, NOT NULL, NOT 'abc', NOT '1x', 1 AND NULL, 0 AND NULL, 1 OR NULL, 0 OR NULL;
SELECT 5 BETWEEN 1 AND 10, 5 NOT BETWEEN 5 AND 5, 'b' BETWEEN 'a' AND 'c', 3 IN (1, 2, 3), 4 IN (1, NULL);
SELECT 1 IS TRUE, 0 IS FALSE, NULL IS NOT TRUE, 'x' IS FALSE, NULL IS NULL, 1 IS NOT NULL, TRUE, FALSE;
SELECT (1 IS DISTINCT FROM NULL), (NULL IS NOT DISTINCT FROM NULL), (1 IS NOT DISTINCT FROM '1');
-- Where sqlparser would group operators unlike SQLite, parentheses are asked for.
SELECT 1 = 2 < 3;
SELECT 1 = (2 < 3), (1 = 2) < 3;
SELECT 2 * 3 || 4;
SELECT 1 IS DISTINCT FROM 2 OR 1;
SELECT 'a' LIKE 'a' = 1;
SELECT NULL IS NULL + 1;
