//! Opening a directory: create what is missing, roll back a hot journal, and agree on
//! each table's schema with what is on disk.
//!
//! A table with a `{t}__schema.dat` must match its declaration (or is read from it when
//! nothing is declared). A table without one was written by the original package, or is
//! new: its files decide the format width — rows and index entries of the original
//! 0.0.7 release are 6 wide, those of the spec 9 — and the schema file is then written.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use super::alter::migrate::{self, Difference};
use super::alter::{self, Reshape};
use super::database::Database;
use super::engine::Engine;
use crate::error::{AlterError, Error, IoError, IoOp, Result, SchemaError};
use crate::format::constants::{
    data_file, pk_index_file, schema_file, LEGACY_WIDTH, LOCK_FILE, ROW_END, SCHEMA_SUFFIX, SPEC_WIDTH,
};
use crate::format::schema::{check_width, TableSchema};
use crate::format::schema_file;
use crate::storage::change;
use crate::storage::lock::DbLock;
use crate::storage::pager::{Pager, SyncMode, DEFAULT_TXN_MEMORY};

/// Page size of a new index file.
pub const DEFAULT_INDEX_PAGE: u32 = 4096;
use crate::storage::vfs::{OsVfs, Vfs};
use crate::table::Table;

/// How to open a database.
#[derive(Clone)]
pub struct OpenOptions {
    sync: SyncMode,
    vfs: Arc<dyn Vfs>,
    width: Option<usize>,
    spill_at: usize,
    progress: bool,
    index_page_size: u32,
    migrate: bool,
    watch: bool,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            sync: SyncMode::default(),
            vfs: Arc::new(OsVfs),
            width: None,
            spill_at: DEFAULT_TXN_MEMORY,
            progress: true,
            index_page_size: DEFAULT_INDEX_PAGE,
            migrate: false,
            watch: true,
        }
    }
}

impl OpenOptions {
    /// The defaults, as [`OpenOptions::default`].
    pub fn new() -> OpenOptions {
        OpenOptions::default()
    }

    /// Durability of commits; `Normal` unless set.
    pub fn sync(mut self, mode: SyncMode) -> OpenOptions {
        self.sync = mode;
        self
    }

    /// The files under the database (tests use this to inject faults).
    pub fn vfs(mut self, vfs: Arc<dyn Vfs>) -> OpenOptions {
        self.vfs = vfs;
        self
    }

    /// The format width of new tables: 9 (the spec, default) or 6 (readable by the
    /// original `bazoola==0.0.7`). Existing tables keep the width they have.
    pub fn width(mut self, width: usize) -> OpenOptions {
        self.width = Some(width);
        self
    }

    /// How many bytes of changed pages a write transaction keeps in memory before it
    /// writes them to the files early, under the journal (16 MiB unless set). Large
    /// transactions then run in bounded memory; tests set it small to exercise that.
    pub fn txn_memory(mut self, bytes: usize) -> OpenOptions {
        self.spill_at = bytes;
        self
    }

    /// Whether the handle keeps the pages it read between operations, told by a watch on
    /// the directory (inotify, on Linux's local filesystems) which files another process
    /// or a person changed meanwhile (default: yes). That saves the system calls that
    /// would check the journal, the files' lengths and their pages under every lock.
    /// Where no watch can be had (other systems, network filesystems, a `Vfs` without
    /// one) or with `false`, every lock checks the files again.
    pub fn watch(mut self, watch: bool) -> OpenOptions {
        self.watch = watch;
        self
    }

    /// Whether long operations (`check`, `vacuum`) draw a progress bar on standard
    /// error when it is a terminal (default: yes). Never drawn elsewhere.
    pub fn progress(mut self, show: bool) -> OpenOptions {
        self.progress = show;
        self
    }

    /// The page size of index files written from now on (4096 unless set; a power of
    /// two from 256 to 65536). Tests set it small so that a few rows split pages.
    pub fn index_page_size(mut self, bytes: u32) -> OpenOptions {
        self.index_page_size = bytes.clamp(256, 65536).next_power_of_two();
        self
    }

    /// Whether opening with declared tables applies the safe differences between each
    /// declaration and the schema stored on disk (a new nullable field, a wider field,
    /// a field that may now be null, a new index, another field order), rewriting the
    /// tables that need it, as one crash-safe change. Other differences are refused
    /// either way, naming the operation that makes them. Off unless set.
    pub fn migrate(mut self, migrate: bool) -> OpenOptions {
        self.migrate = migrate;
        self
    }

    /// The width asked for new tables, if any.
    pub(crate) fn new_table_width(&self) -> Option<usize> {
        self.width
    }

    /// Opens `dir` with these tables declared.
    pub fn open(
        &self,
        dir: impl AsRef<Path>,
        tables: impl IntoIterator<Item = TableSchema>,
    ) -> Result<Database> {
        let declared: Vec<TableSchema> = tables.into_iter().collect();
        self.open_inner(dir.as_ref(), Some(declared))
    }

    /// Opens `dir` with the tables its schema files describe.
    pub fn open_existing(&self, dir: impl AsRef<Path>) -> Result<Database> {
        self.open_inner(dir.as_ref(), None)
    }

    fn open_inner(&self, dir: &Path, declared: Option<Vec<TableSchema>>) -> Result<Database> {
        let engine = self.open_engine(dir, declared.clone(), &[])?;
        Ok(Database::from_engine(engine, self.clone(), declared))
    }

    /// Opens the directory: rolls back a hot journal, removes what an interrupted schema
    /// change left, agrees on the schemas (migrating if asked) and opens every table.
    /// `known` are the tables a handle opening the directory again had: one of them
    /// without a schema file now was dropped or renamed, not new.
    pub(crate) fn open_engine(
        &self,
        dir: &Path,
        declared: Option<Vec<TableSchema>>,
        known: &[String],
    ) -> Result<Engine> {
        if let Some(width) = self.width {
            check_width(width)?;
        }
        std::fs::create_dir_all(dir).map_err(|source| IoError {
            path: dir.to_path_buf(),
            op: IoOp::CreateDir,
            source,
        })?;
        let lock = DbLock::open(&dir.join(LOCK_FILE))?;
        let mut pager = Pager::open(dir, self.vfs.clone(), self.sync, self.spill_at, self.watch)?;
        let mut migrated = Vec::new();
        let tables = {
            let _exclusive = lock.write()?;
            pager.recover()?;
            change::remove_leftovers(&pager)?;
            let schemas = match declared {
                Some(declared) => {
                    let (schemas, migration) = self.agree(dir, declared, known)?;
                    if let Some((stored, reshape)) = migration {
                        check_references(&stored)?;
                        check_references(&schemas)?;
                        migrated = (0..stored.len()).filter(|&k| stored[k] != reshape.new[k]).collect();
                        let old_pager =
                            Pager::open(dir, self.vfs.clone(), self.sync, self.spill_at, self.watch)?;
                        let old =
                            self.build_engine(dir, DbLock::open(&dir.join(LOCK_FILE))?, old_pager, stored)?;
                        alter::run::run(&old, &reshape)?;
                    }
                    schemas
                }
                None => {
                    pager.watch_new_tables();
                    read_schemas(dir)?
                }
            };
            check_references(&schemas)?;
            self.open_tables(&mut pager, schemas)?
        };
        if self.sync == SyncMode::Full {
            self.vfs.sync_dir(dir).map_err(|source| IoError {
                path: dir.to_path_buf(),
                op: IoOp::Sync,
                source,
            })?;
        }
        let engine = assemble(dir, lock, pager, tables, self.progress);
        if !migrated.is_empty() {
            engine.build_indexes(&migrated)?;
        }
        Ok(engine)
    }

    /// Opens the files of every table in `pager`, watching their schema files.
    fn open_tables(&self, pager: &mut Pager, schemas: Vec<TableSchema>) -> Result<Vec<Table>> {
        let mut tables = Vec::with_capacity(schemas.len());
        for schema in schemas {
            pager.watch(&schema_file(&schema.name))?;
            tables.push(Table::open(pager, schema, self.index_page_size)?);
        }
        Ok(tables)
    }

    /// An engine over `schemas` with its own pager and lock handle (the tables as they
    /// are before a migration), for the caller holding the directory's lock.
    fn build_engine(
        &self,
        dir: &Path,
        lock: DbLock,
        mut pager: Pager,
        schemas: Vec<TableSchema>,
    ) -> Result<Engine> {
        let tables = self.open_tables(&mut pager, schemas)?;
        Ok(assemble(dir, lock, pager, tables, self.progress))
    }

    /// Reconciles each declared table with its files; writes missing schema files. With
    /// `migrate`, also returns the tables as stored and the change that makes them the
    /// declared ones, if there is one to make.
    fn agree(
        &self,
        dir: &Path,
        declared: Vec<TableSchema>,
        known: &[String],
    ) -> Result<(Vec<TableSchema>, Option<Migration>)> {
        let mut names = std::collections::HashSet::new();
        for schema in &declared {
            schema.validate()?;
            if !names.insert(schema.name.clone()) {
                return Err(SchemaError::DuplicateTable { table: schema.name.clone() }.into());
            }
        }
        // Tables without a schema file take the width their files show; those whose files
        // show nothing take the width the rest of the directory uses.
        let mut stored = Vec::new();
        for schema in &declared {
            stored.push(read_schema(dir, &schema.name)?);
        }
        let evidence: Vec<Option<usize>> = declared
            .iter()
            .zip(&stored)
            .map(|(schema, stored)| if stored.is_some() { Ok(None) } else { detect_width(dir, schema) })
            .collect::<Result<_>>()?;
        let dir_width =
            stored.iter().flatten().map(|s| s.width).chain(evidence.iter().flatten().copied()).next();
        let mut result = Vec::new();
        let mut before = Vec::new();
        let mut sources = Vec::new();
        let mut new_tables = Vec::new();
        for ((mut schema, stored), evidence) in declared.into_iter().zip(stored).zip(evidence) {
            match stored {
                Some(stored) => {
                    schema.width = self.width.unwrap_or(stored.width);
                    let mut fields = None;
                    if let Some(SchemaError::Mismatch { table, position, stored: s, declared: d, .. }) =
                        schema_file::first_difference(&stored, &schema)
                    {
                        match (migrate::difference(&stored, &schema), self.migrate) {
                            (Difference::Safe { fields: f, .. }, true) => fields = Some(f),
                            (Difference::Unsafe { change, how }, true) => {
                                return Err(AlterError::NotMigratable { table, change, how }.into())
                            }
                            (difference, false) => {
                                let change = match difference {
                                    Difference::Safe { change, .. } => {
                                        format!(
                                            "the declared schema {change}: open with migrate to apply that"
                                        )
                                    }
                                    Difference::Unsafe { change, how } => {
                                        format!(
                                            "the declared schema {change}, which migrate does not do: {how}"
                                        )
                                    }
                                };
                                let stored = s;
                                let declared = d;
                                return Err(SchemaError::Mismatch {
                                    table,
                                    position,
                                    stored,
                                    declared,
                                    change,
                                }
                                .into());
                            }
                        }
                    }
                    sources.push(fields);
                    before.push(stored);
                }
                None if known.contains(&schema.name) => {
                    return Err(SchemaError::Gone { table: schema.name.clone() }.into());
                }
                None => {
                    schema.width = evidence.or(dir_width).or(self.width).unwrap_or(SPEC_WIDTH);
                    if let (Some(found), Some(wanted)) = (evidence, self.width) {
                        if found != wanted {
                            return Err(SchemaError::Invalid {
                                table: schema.name.clone(),
                                problem: format!(
                                    "its files are {found} wide, but width {wanted} was asked for"
                                ),
                            }
                            .into());
                        }
                    }
                    new_tables.push(result.len());
                    sources.push(None);
                    before.push(schema.clone());
                }
            }
            result.push(schema);
        }
        // Schema files of new tables are written only once every table agrees.
        check_references(&result)?;
        for &k in &new_tables {
            write_schema(dir, &result[k])?;
        }
        if sources.iter().all(Option::is_none) {
            return Ok((result, None));
        }
        let mut reshape = Reshape::identity(&before);
        reshape.new = result.clone();
        for (k, fields) in sources.into_iter().enumerate() {
            if let Some(fields) = fields {
                reshape.tables[k].fields = fields;
            }
        }
        Ok((result, Some((before, reshape))))
    }
}

fn schema_path(dir: &Path, table: &str) -> PathBuf {
    dir.join(schema_file(table))
}

fn read_schema(dir: &Path, table: &str) -> Result<Option<TableSchema>> {
    let path = schema_path(dir, table);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some(schema_file::parse(table, &text, &path)?)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(IoError { path, op: IoOp::Read, source }.into()),
    }
}

/// Writes a new table's schema file whole or not at all: under a staged name first
/// (which the next open removes if this one dies), then renamed into place.
fn write_schema(dir: &Path, schema: &TableSchema) -> Result<()> {
    let path = schema_path(dir, &schema.name);
    let staged = dir.join(change::staged_name(&schema_file(&schema.name)));
    let error = |path: &Path, op| {
        let path = path.to_path_buf();
        move |source| Error::Io(IoError { path, op, source })
    };
    std::fs::write(&staged, schema_file::render(schema)).map_err(error(&staged, IoOp::Write))?;
    std::fs::rename(&staged, &path).map_err(error(&staged, IoOp::Rename))?;
    Ok(())
}

/// Every table described by a schema file in `dir`, by name.
fn read_schemas(dir: &Path) -> Result<Vec<TableSchema>> {
    let entries = std::fs::read_dir(dir).map_err(|source| IoError {
        path: dir.to_path_buf(),
        op: IoOp::ListDir,
        source,
    })?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| IoError { path: dir.to_path_buf(), op: IoOp::ListDir, source })?;
        if let Some(name) = entry.file_name().to_str().and_then(|n| n.strip_suffix(SCHEMA_SUFFIX)) {
            names.push(name.to_string());
        }
    }
    names.sort();
    let mut schemas = Vec::new();
    for name in names {
        if let Some(schema) = read_schema(dir, &name)? {
            schemas.push(schema);
        }
    }
    Ok(schemas)
}

/// The width a table's existing files were written in, when they show it.
fn detect_width(dir: &Path, schema: &TableSchema) -> Result<Option<usize>> {
    let read = |name: String| -> Result<Vec<u8>> {
        let path = dir.join(name);
        match std::fs::read(&path) {
            Ok(bytes) => Ok(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(source) => Err(Error::Io(IoError { path, op: IoOp::Read, source })),
        }
    };
    let candidates = [SPEC_WIDTH, LEGACY_WIDTH];
    let data = read(data_file(&schema.name))?;
    if !data.is_empty() {
        let fits = |width: usize| {
            let row_size = schema.clone().with_width(width).layout().row_size;
            data.len() % row_size == 0 && data.get(row_size - 1) == Some(&ROW_END)
        };
        return match candidates.into_iter().find(|&w| fits(w)) {
            Some(width) => Ok(Some(width)),
            None => Err(SchemaError::Invalid {
                table: schema.name.clone(),
                problem: "its data file does not hold rows of the declared fields".into(),
            }
            .into()),
        };
    }
    let index = read(pk_index_file(&schema.name))?;
    if !index.is_empty() && index.len() % SPEC_WIDTH != 0 && index.len() % LEGACY_WIDTH == 0 {
        return Ok(Some(LEGACY_WIDTH));
    }
    Ok(None)
}

fn check_references(schemas: &[TableSchema]) -> Result<(), SchemaError> {
    for schema in schemas {
        for (field, target, _) in schema.references() {
            if !schemas.iter().any(|s| s.name == target) {
                return Err(SchemaError::UnknownTarget {
                    table: schema.name.clone(),
                    field: schema.fields[field].name.clone(),
                    target: target.to_string(),
                });
            }
        }
    }
    Ok(())
}

/// The tables as stored, and the change that makes them the declared ones.
type Migration = (Vec<TableSchema>, Reshape);

/// An engine over opened tables.
fn assemble(dir: &Path, lock: DbLock, pager: Pager, tables: Vec<Table>, progress: bool) -> Engine {
    let by_name: HashMap<String, usize> =
        tables.iter().enumerate().map(|(i, t)| (t.name().to_string(), i)).collect();
    let mut referrers = vec![Vec::new(); tables.len()];
    for (i, table) in tables.iter().enumerate() {
        for (field, target, rule) in table.schema.references() {
            if let Some(&t) = by_name.get(target) {
                referrers[t].push((i, field, rule));
            }
        }
    }
    Engine {
        dir: dir.to_path_buf(),
        pager,
        tables,
        by_name,
        referrers,
        lock,
        open_txn: Mutex::new(None),
        progress,
        retired: AtomicBool::new(false),
        joined_columns: Mutex::default(),
    }
}
