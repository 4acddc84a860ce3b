//! SQL: parsing (sqlparser) and lowering onto the engine; [`render`] turns schemas back
//! into SQL.

pub mod render;

pub use session_impl::Session;

mod session_impl {
    /// Placeholder until the SQL layer lands.
    pub struct Session;
}
