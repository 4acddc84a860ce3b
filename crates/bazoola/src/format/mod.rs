//! The on-disk format, byte for byte (SPEC §2, `docs/file-format.md`): the widths and
//! markers as named constants, how a value becomes the bytes of a fixed-width slot and
//! back, the schema model, and the readable `{t}__schema.dat` text.
//!
//! Nothing here does I/O; the layers above hand this module bytes.

pub mod codec;
pub mod constants;
pub mod schema;
pub mod schema_file;
