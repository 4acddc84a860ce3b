//! SQL: the subset of SPEC §10, parsed with sqlparser (SQLite dialect) and lowered onto
//! the engine's planner, with SQLite's answers. One query, step by step:
//!
//! ```sql
//! SELECT a.name, COUNT(*) AS n FROM books b JOIN authors a ON b.author_id = a.id
//! WHERE b.year >= 1970 AND a.name LIKE 'U%' GROUP BY a.name ORDER BY n DESC LIMIT 3
//! ```
//!
//! 1. [`parse`] cuts the script at its semicolons and parses each statement on its
//!    own, keeping line and column for errors.
//! 2. [`from`] makes the FROM clause a [`scope`]: `books` is read by the planner,
//!    `authors` joined to each book through the FK `author_id` (a forward join).
//! 3. [`bind`] resolves names to slots of a flat row (books' columns, then authors'),
//!    building [`expr`] trees evaluated with SQLite's [`value`] rules and three-valued
//!    logic; `COUNT(*)` becomes an aggregate, `n` an alias of it.
//! 4. [`select`] divides the work: `b.year >= 1970` reads only books, so [`pushdown`]
//!    turns it into the engine's `Ge(year, 1970)` (an index range, if `year` has an
//!    index); `a.name LIKE 'U%'` is checked by the SQL layer on each joined row; the
//!    grouping of joined rows is the SQL layer's ([`aggregate`]), as are ORDER BY `n`
//!    and LIMIT.
//! 5. [`run`] streams the engine's rows, flattens the joined ones, filters, groups,
//!    sorts and cuts — or, for EXPLAIN, prints the engine's plan and these steps.
//!
//! Other statements: [`dml`] (INSERT, UPDATE, DELETE), [`ddl`] (CREATE, DROP, ALTER —
//! the engine's schema changes), transactions in [`session`]. Column types are mapped
//! in [`types`]; correlated counting subqueries become relation counts in
//! [`subquery`]. Anything outside the subset is refused by name, with its position.

pub mod aggregate;
pub mod bind;
pub mod ddl;
pub mod dml;
pub mod expr;
pub mod from;
pub mod like;
pub mod parse;
pub mod pushdown;
pub mod render;
pub mod run;
pub mod scope;
pub mod select;
pub mod session;
pub mod shape;
pub mod subquery;
pub mod types;
pub mod value;

pub use parse::{split_statements, Statement, StatementText};
pub use session::Session;
