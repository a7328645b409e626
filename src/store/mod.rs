//! The history: every sample in an embedded SQLite file (WAL mode), with
//! quarter-hour rollups per check (counts by outcome and a mergeable latency
//! histogram) that outlive the raw samples. Import and export as JSON Lines.
//!
//! Only this module speaks SQL: `write.rs` adds samples (the daemon's batches,
//! imports) and keeps the rollups; `read.rs` answers `status` and `export`.
//! It does no networking; the daemon writes through
//! [`writer::Writer`], which keeps SQLite off the async runtime's threads.
//!
//! Rollups are per quarter-hour rather than per hour so that local wall-clock
//! hours are exact in every time zone (UTC+5:30 and +5:45 included); the
//! hours that ended are summed again by UTC hour (`hourly.rs`), which is
//! exact wherever the offset is whole hours, for reading long histories.

mod fold;
mod hourly;
mod incidents;
pub mod jsonl;
mod read;
mod replay;
mod rollup_row;
mod schema;
mod write;
pub mod writer;

pub use write::Imported;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rusqlite::Connection;

use crate::channel::Channel;

/// check name → (channel, row id) pairs; looked up by `&str`, so a sample costs no allocation.
type Ids = HashMap<String, Vec<(Channel, i64)>>;

/// The rollups' count columns, named after the outcomes they count, in the
/// order of [`Outcome::code`](crate::outcome::Outcome::code).
const COUNTS: &str = "up, degraded, throttled, down, unknown, maintenance, blocked";
/// Every count of a rollup row, summed.
const ALL_COUNTS: &str = "up + degraded + throttled + down + unknown + maintenance + blocked";
/// Every count of a rollup row but `up`, summed.
const NOT_UP_COUNTS: &str = "degraded + throttled + down + unknown + maintenance + blocked";

/// Length of a rollup slot.
pub const SLOT_MS: i64 = 15 * 60 * 1000;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{}", t!("db-error", path = path.display().to_string(), why = source.to_string()))]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("{}", t!("db-missing", path = path.display().to_string()))]
    Missing { path: PathBuf },
    /// A file that will not become a database by waiting: refused, never overwritten.
    #[error("{}", t!("db-not-ours", path = path.display().to_string(), why = why.as_str()))]
    NotOurs { path: PathBuf, why: String },
    #[error("{}", t!(
        "db-newer",
        path = path.display().to_string(),
        found = found.to_string(),
        known = known.to_string()
    ))]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    /// A line of an import is malformed; nothing of the import was applied.
    #[error("{}", t!(
        "import-line",
        source = source_name.as_str(),
        line = line.to_string(),
        why = message.as_str()
    ))]
    BadLine {
        source_name: String,
        line: u64,
        message: String,
    },
    #[error("{}", t!("import-read", source = source_name.as_str(), why = source.to_string()))]
    Read {
        source_name: String,
        source: std::io::Error,
    },
    #[error("{}: {why}", t!("cannot-write-export"), why = .0)]
    Write(std::io::Error),
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// (check, channel) → row id in `checks`, so that a sample costs no look-up.
    /// Cleared when a transaction rolls back, since it may hold ids of that transaction.
    ids: Ids,
    /// Whether the schema is this version's (hourly rollups, incidents): every
    /// database this version opens is (only tests build older ones, and write
    /// into them).
    hourly: bool,
    /// The counts an import judges incidents with (the notices' own).
    pub incident_rules: crate::incident::Rules,
}

impl Store {
    /// Opens the database at `path`, creating it (and migrating its schema) as needed.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open(path).map_err(|source| StoreError::Sqlite {
            path: path.to_path_buf(),
            source,
        })?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            ids: HashMap::new(),
            hourly: true,
            incident_rules: Default::default(),
        };
        // Whose file is it? Asked before anything is written to it (even the
        // journal mode), so that someone else's file is left as it was.
        let not_ours = |why| StoreError::NotOurs {
            path: path.to_path_buf(),
            why,
        };
        match store.foreign() {
            Ok(false) => {}
            Ok(true) => return Err(not_ours(t!("db-not-ours-other"))),
            Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) => {
                return Err(not_ours(t!("db-not-ours-file")));
            }
            Err(e) => return Err(store.err(e)),
        }
        store.setup().map_err(|e| store.err(e))?;
        schema::migrate(&mut store.conn, path)?;
        Ok(store)
    }

    /// Opens an existing database; a missing one is an error, not an empty history.
    pub fn open_existing(path: &Path) -> Result<Store, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        Store::open(path)
    }

    /// An SQLite database okx-monitor never migrated that holds tables anyway:
    /// someone else's, which must not be written into.
    fn foreign(&self) -> rusqlite::Result<bool> {
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let tables: i64 = self.conn.query_row(
            "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'",
            [],
            |r| r.get(0),
        )?;
        Ok(version == 0 && tables > 0)
    }

    fn setup(&self) -> rusqlite::Result<()> {
        // WAL: readers (status, export) never block the writer; NORMAL sync is
        // durable across a crash of this process (kill -9), which is the failure
        // that matters here; an OS crash may lose the last commits.
        self.conn.pragma_update(None, "journal_mode", "WAL")?;
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        self.conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads through a memory map rather than copying pages: faster for a pass
    /// over a year of rollups (`status`). Not for the daemon's writer, whose
    /// resident size would then grow with the file.
    pub fn map_for_reading(&self) -> Result<(), StoreError> {
        self.conn
            .pragma_update(None, "mmap_size", 1i64 << 30)
            .map_err(|e| self.err(e))
    }

    fn err(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// `PRAGMA integrity_check`'s verdict: "ok" for a sound database.
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        self.conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests;
