//! Output modes (SPEC §10): box, table, list, csv, json, markdown, line.
