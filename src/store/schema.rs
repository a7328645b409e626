//! The database schema and its migrations, versioned by `PRAGMA user_version`.
//! A migration is appended, never edited: databases in the field ran the old ones.

use std::path::Path;

use rusqlite::Connection;

use super::StoreError;

/// Migration `i` takes a database from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: checks, samples, quarter-hour rollups.
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
    // 2: per-check look-ups for `status`: the latest sample, and since when its
    // outcome holds. `rollups_not_up` holds only the slots that saw anything but
    // `up`, so "up since when?" is one index look-up however long the history.
    "CREATE INDEX samples_by_check ON samples (check_id, ts_ms);
     CREATE INDEX rollups_by_check
         ON rollups (check_id, slot, up, degraded, throttled, down, unknown, maintenance);
     CREATE INDEX rollups_not_up ON rollups (check_id, slot)
         WHERE degraded + throttled + down + unknown + maintenance > 0;",
];

pub fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
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
    for (version, migration) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction().map_err(sql)?;
        tx.execute_batch(migration).map_err(sql)?;
        tx.pragma_update(None, "user_version", version as i64 + 1)
            .map_err(sql)?;
        tx.commit().map_err(sql)?;
    }
    Ok(())
}
