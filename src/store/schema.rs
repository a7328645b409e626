//! The database schema and its migrations, versioned by `PRAGMA user_version`.
//! A migration is appended, never edited: databases in the field ran the old ones.

use std::path::Path;

use rusqlite::{Connection, Transaction};

use super::StoreError;
use super::rollup_row::{write_rollup, write_rollup_sql};
use crate::outcome::Outcome;
use crate::pattern::Rollup;

/// One step of the schema: SQL, or Rust where SQL alone cannot do it.
enum Step {
    Sql(&'static str),
    Rust(fn(&Transaction) -> rusqlite::Result<()>),
}

/// Migration `i` takes a database from version `i` to `i + 1`.
const MIGRATIONS: &[Step] = &[
    // 1: checks, samples, quarter-hour rollups.
    Step::Sql(
        "CREATE TABLE checks (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        channel TEXT NOT NULL,
        UNIQUE (name, channel)
    );
    CREATE TABLE samples (
        ts_ms INTEGER NOT NULL,
        check_id INTEGER NOT NULL REFERENCES checks (id),
        outcome INTEGER NOT NULL,
        latency_us INTEGER,
        dns_us INTEGER,
        connect_us INTEGER,
        first_byte_us INTEGER,
        http_status INTEGER,
        detail TEXT
    );
    CREATE INDEX samples_by_time ON samples (ts_ms);
    CREATE TABLE rollups (
        check_id INTEGER NOT NULL REFERENCES checks (id),
        slot INTEGER NOT NULL,
        up INTEGER NOT NULL,
        degraded INTEGER NOT NULL,
        throttled INTEGER NOT NULL,
        down INTEGER NOT NULL,
        unknown INTEGER NOT NULL,
        maintenance INTEGER NOT NULL,
        latency BLOB NOT NULL,
        PRIMARY KEY (slot, check_id)
    ) WITHOUT ROWID;",
    ),
    // 2: per-check look-ups for `status`: the latest sample, and since when its
    // outcome holds. `rollups_not_up` holds only the slots that saw anything but
    // `up`, so "up since when?" is one index look-up however long the history.
    Step::Sql(
        "CREATE INDEX samples_by_check ON samples (check_id, ts_ms);
     CREATE INDEX rollups_by_check
         ON rollups (check_id, slot, up, degraded, throttled, down, unknown, maintenance);
     CREATE INDEX rollups_not_up ON rollups (check_id, slot)
         WHERE degraded + throttled + down + unknown + maintenance > 0;",
    ),
    // 3: the outcome `blocked` (code 6) has a count of its own.
    Step::Sql(
        "ALTER TABLE rollups ADD COLUMN blocked INTEGER NOT NULL DEFAULT 0;
         DROP INDEX rollups_by_check;
         DROP INDEX rollups_not_up;
         CREATE INDEX rollups_by_check
             ON rollups (check_id, slot, up, degraded, throttled, down, unknown, maintenance, blocked);
         CREATE INDEX rollups_not_up ON rollups (check_id, slot)
             WHERE degraded + throttled + down + unknown + maintenance + blocked > 0;",
    ),
    // 4: a sample is stored once (see `one_sample_once`).
    Step::Rust(one_sample_once),
    // 5: the notifier's state per sink, so that a restart neither repeats nor
    // loses a notice.
    Step::Sql("CREATE TABLE notify_state (sink TEXT PRIMARY KEY, state TEXT NOT NULL);"),
    // 6: a compact sample row. The sample's identity (check, instant, outcome,
    // latency; -1 for none) is the primary key of a table without rowid, so
    // the row is the index: no rowid, no time index, no identity index beside
    // it (66–71 bytes a sample before). Retention and export scan by key.
    Step::Sql(
        "CREATE TABLE samples_compact (
            check_id INTEGER NOT NULL REFERENCES checks (id),
            ts_ms INTEGER NOT NULL,
            outcome INTEGER NOT NULL,
            latency_us INTEGER NOT NULL,
            dns_us INTEGER,
            connect_us INTEGER,
            first_byte_us INTEGER,
            http_status INTEGER,
            detail TEXT,
            PRIMARY KEY (check_id, ts_ms, outcome, latency_us)
        ) WITHOUT ROWID;
        INSERT OR IGNORE INTO samples_compact
            SELECT check_id, ts_ms, outcome, ifnull(latency_us, -1), dns_us, connect_us,
                   first_byte_us, http_status, detail
            FROM samples ORDER BY check_id, ts_ms, outcome, ifnull(latency_us, -1);
        DROP TABLE samples;
        ALTER TABLE samples_compact RENAME TO samples;",
    ),
    // 7: hourly rollups below a watermark, for reading a long history as a
    // quarter of the rows (see `hourly.rs`); every ended hour summed now.
    Step::Rust(hourly_sums),
    // 8: incidents, derived from the samples (see `incidents.rs`).
    Step::Rust(incidents),
];

/// Migration 8: the incidents table, and the incidents of the history kept so far.
fn incidents(tx: &Transaction) -> rusqlite::Result<()> {
    tx.execute_batch(super::incidents::SCHEMA)?;
    super::incidents::rebuild(tx, 0, crate::incident::Rules::default()).map(drop)
}

/// Migration 7: the tables of the hourly sums, and every ended hour summed.
fn hourly_sums(tx: &Transaction) -> rusqlite::Result<()> {
    tx.execute_batch(
        "CREATE TABLE rollups_hourly (
            check_id INTEGER NOT NULL REFERENCES checks (id),
            hour INTEGER NOT NULL,
            up INTEGER NOT NULL,
            degraded INTEGER NOT NULL,
            throttled INTEGER NOT NULL,
            down INTEGER NOT NULL,
            unknown INTEGER NOT NULL,
            maintenance INTEGER NOT NULL,
            blocked INTEGER NOT NULL,
            latency BLOB NOT NULL,
            PRIMARY KEY (hour, check_id)
        ) WITHOUT ROWID;
        CREATE TABLE rollups_hourly_until (hour INTEGER NOT NULL);
        INSERT INTO rollups_hourly_until VALUES (0);",
    )?;
    super::hourly::compact(tx, chrono::Utc::now().timestamp_millis())
}

/// The version whose migration rewrites every sample (6): a database that
/// crosses it is vacuumed once after, to give the old layout's pages back.
const COMPACT_SAMPLES: usize = 6;

/// A sample's identity is what a line of JSON Lines carries: its check (and
/// channel), its instant in milliseconds, its outcome and its latency. Two
/// probes of one check at one instant that ended alike are one sample, so an
/// import of a file twice, or of a file that overlaps the database, adds
/// nothing twice. Databases written before this rule may hold copies from
/// such imports: they are removed, and the rollups of the quarter-hours they
/// touched are counted again from the raw samples. The unique index replaces
/// `samples_by_check`, whose columns it begins with.
fn one_sample_once(tx: &Transaction) -> rusqlite::Result<()> {
    tx.execute_batch(
        "CREATE TEMP TABLE kept AS SELECT min(rowid) AS id FROM samples
             GROUP BY check_id, ts_ms, outcome, ifnull(latency_us, -1);
         CREATE TEMP TABLE touched AS SELECT DISTINCT check_id, ts_ms / 900000 AS slot
             FROM samples WHERE rowid NOT IN (SELECT id FROM kept);
         DELETE FROM samples WHERE rowid NOT IN (SELECT id FROM kept);
         DROP TABLE kept;",
    )?;
    let touched: Vec<(i64, i64)> = tx
        .prepare("SELECT check_id, slot FROM touched")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut read = tx.prepare(
        "SELECT outcome, latency_us FROM samples WHERE check_id = ?1 AND ts_ms >= ?2 AND ts_ms < ?3",
    )?;
    let mut write = tx.prepare_cached(&write_rollup_sql("rollups", "slot"))?;
    for (id, slot) in touched {
        let start = slot * super::SLOT_MS;
        let mut rollup = Rollup::default();
        let mut rows = read.query([id, start, start + super::SLOT_MS])?;
        while let Some(row) = rows.next()? {
            if let Some(outcome) = Outcome::from_code(row.get(0)?) {
                rollup.add(outcome, row.get(1)?);
            }
        }
        write_rollup(&mut write, id, slot, &rollup)?;
    }
    drop(write);
    drop(read);
    tx.execute_batch(
        "DROP TABLE touched;
         DROP INDEX samples_by_check;
         CREATE UNIQUE INDEX samples_identity
             ON samples (check_id, ts_ms, outcome, ifnull(latency_us, -1));",
    )
}

pub fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    migrate_to(conn, path, MIGRATIONS.len())
}

/// Migrates up to schema version `target` (tests build older databases with it).
pub fn migrate_to(conn: &mut Connection, path: &Path, target: usize) -> Result<(), StoreError> {
    let sql = |source| StoreError::Sqlite {
        path: path.to_path_buf(),
        source,
    };
    let known = MIGRATIONS.len() as i64;
    let found: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(sql)?;
    if found > known {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found,
            known,
        });
    }
    for (version, migration) in MIGRATIONS
        .iter()
        .enumerate()
        .take(target)
        .skip(found as usize)
    {
        let tx = conn.transaction().map_err(sql)?;
        match migration {
            Step::Sql(text) => tx.execute_batch(text),
            Step::Rust(step) => step(&tx),
        }
        .map_err(sql)?;
        tx.pragma_update(None, "user_version", version as i64 + 1)
            .map_err(sql)?;
        tx.commit().map_err(sql)?;
    }
    if (found as usize) < COMPACT_SAMPLES && target >= COMPACT_SAMPLES {
        conn.execute_batch("VACUUM").map_err(sql)?;
    }
    Ok(())
}
