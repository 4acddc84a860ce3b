//! Dot-commands (SPEC §10).
