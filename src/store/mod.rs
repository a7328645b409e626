//! The history: every sample in an embedded SQLite file (WAL mode), with
//! quarter-hour rollups per check (counts by outcome and a mergeable latency
//! histogram) that outlive the raw samples. Import and export as JSON Lines.
//!
//! Only this module speaks SQL. It does no networking; the daemon writes through
//! [`writer::Writer`], which keeps SQLite off the async runtime's threads.
//!
//! Rollups are per quarter-hour rather than per hour so that local wall-clock
//! hours are exact in every time zone (UTC+5:30 and +5:45 included).

pub mod jsonl;
mod schema;
pub mod writer;

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::config::{Channel, Check};
use crate::histogram::Histogram;
use crate::outcome::{Outcome, Report};

/// check name → (channel, row id) pairs; looked up by `&str`, so a sample costs no allocation.
type Ids = HashMap<String, Vec<(Channel, i64)>>;

/// Length of a rollup slot.
pub const SLOT_MS: i64 = 15 * 60 * 1000;

/// One probe's result as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// Unix milliseconds, when the probe started.
    pub ts_ms: i64,
    pub check: String,
    pub channel: Channel,
    pub outcome: Outcome,
    /// Microseconds to a complete answer; `None` when none came.
    pub latency_us: Option<i64>,
    pub dns_us: Option<i64>,
    pub connect_us: Option<i64>,
    pub first_byte_us: Option<i64>,
    pub http_status: Option<u16>,
    /// JSON of the rest worth keeping (reason of a failure, MX hosts, extracted
    /// values, maintenance, certificate expiry); `None` when there is nothing.
    pub detail: Option<String>,
}

impl Sample {
    /// The sample of `report`, a probe of `check` that started at `ts_ms`.
    pub fn from_report(check: &Check, ts_ms: i64, report: &Report) -> Sample {
        let us = |d: Option<std::time::Duration>| d.map(|d| d.as_micros() as i64);
        let d = &report.detail;
        let mut detail = serde_json::Map::new();
        if !report.outcome.is_success() {
            detail.insert("reason".into(), report.reason.clone().into());
            if let Some(f) = report.failure {
                detail.insert("failure".into(), serde_json::json!(f));
            }
        }
        let mut put = |key: &str, value: serde_json::Value, present: bool| {
            if present {
                detail.insert(key.into(), value);
            }
        };
        put(
            "mx_records",
            serde_json::json!(d.mx_records),
            d.mx_records.is_some(),
        );
        put(
            "mx_hosts",
            serde_json::json!(d.mx_hosts),
            !d.mx_hosts.is_empty(),
        );
        put(
            "extracted",
            serde_json::json!(d.extracted),
            !d.extracted.is_empty(),
        );
        put(
            "maintenance",
            serde_json::json!(d.maintenance),
            !d.maintenance.is_empty(),
        );
        put(
            "tls_not_after",
            serde_json::json!(d.tls_not_after),
            d.tls_not_after.is_some(),
        );
        Sample {
            ts_ms,
            check: check.name.clone(),
            channel: check.channel,
            outcome: report.outcome,
            latency_us: us(report.latency),
            dns_us: us(report.phases.dns),
            connect_us: us(report.phases.connect),
            first_byte_us: us(report.phases.first_byte),
            http_status: d.http_status,
            detail: (!detail.is_empty()).then(|| serde_json::Value::Object(detail).to_string()),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {}: {source}", path.display())]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("database {} does not exist", path.display())]
    Missing { path: PathBuf },
    #[error(
        "database {} has schema version {found}, newer than this okx-monitor knows ({known}); use a newer okx-monitor",
        path.display()
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    /// A line of an import is malformed; nothing of the import was applied.
    #[error("{source_name}:{line}: {message}; nothing was imported")]
    BadLine {
        source_name: String,
        line: u64,
        message: String,
    },
    #[error("cannot read {source_name}: {source}")]
    Read {
        source_name: String,
        source: std::io::Error,
    },
    #[error("cannot write the export: {0}")]
    Write(std::io::Error),
}

/// The hour-of-week pattern of one check.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckWeek {
    pub check: String,
    pub channel: Channel,
    pub week: crate::pattern::Week,
}

/// Counts by outcome and a latency histogram: one rollup slot of one check.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rollup {
    pub counts: [u64; 6],
    pub latency: Histogram,
}

impl Rollup {
    pub fn add(&mut self, outcome: Outcome, latency_us: Option<i64>) {
        self.counts[outcome_code(outcome) as usize] += 1;
        // Only answers as expected have a latency that describes the channel.
        if outcome.is_success()
            && let Some(us) = latency_us
        {
            self.latency.observe(us as f64 / 1000.0);
        }
    }

    pub fn merge(&mut self, other: &Rollup) {
        for (a, b) in self.counts.iter_mut().zip(other.counts) {
            *a += b;
        }
        self.latency.merge(&other.latency);
    }

    pub fn count(&self, outcome: Outcome) -> u64 {
        self.counts[outcome_code(outcome) as usize]
    }
}

/// The stored code of an outcome; fixed forever (it is in every database).
pub fn outcome_code(o: Outcome) -> i64 {
    match o {
        Outcome::Up => 0,
        Outcome::Degraded => 1,
        Outcome::Throttled => 2,
        Outcome::Down => 3,
        Outcome::Unknown => 4,
        Outcome::Maintenance => 5,
    }
}

fn outcome_of(code: i64) -> Option<Outcome> {
    Outcome::ALL.into_iter().find(|o| outcome_code(*o) == code)
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// (check, channel) → row id in `checks`, so that a sample costs no look-up.
    /// Cleared when a transaction rolls back, since it may hold ids of that transaction.
    ids: Ids,
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
        };
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

    /// Writes `samples` and their rollups in one transaction.
    pub fn insert(&mut self, samples: &[Sample]) -> Result<(), StoreError> {
        let result = (|| {
            let tx = self.conn.transaction()?;
            let mut batch = Batch::new();
            for s in samples {
                batch.add(&tx, &mut self.ids, s)?;
            }
            batch.flush_rollups(&tx)?;
            tx.commit()
        })();
        result.map_err(|e| {
            self.ids.clear();
            self.err(e)
        })
    }

    /// Imports JSON Lines from `input` in one transaction: all or nothing.
    /// Returns the number of samples imported.
    pub fn import(&mut self, input: impl BufRead, source_name: &str) -> Result<u64, StoreError> {
        let result = self.import_inner(input, source_name);
        if result.is_err() {
            self.ids.clear();
        }
        result
    }

    fn import_inner(&mut self, input: impl BufRead, source_name: &str) -> Result<u64, StoreError> {
        let path = self.path.clone();
        let sql = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(sql)?;
        let mut batch = Batch::new();
        let mut n = 0;
        for (i, line) in input.lines().enumerate() {
            let line_no = i as u64 + 1;
            let line = line.map_err(|source| StoreError::Read {
                source_name: source_name.to_string(),
                source,
            })?;
            if line.trim().is_empty() {
                continue;
            }
            let sample = jsonl::parse_line(&line).map_err(|message| StoreError::BadLine {
                source_name: source_name.to_string(),
                line: line_no,
                message,
            })?;
            batch.add(&tx, &mut self.ids, &sample).map_err(sql)?;
            n += 1;
        }
        batch.flush_rollups(&tx).map_err(sql)?;
        tx.commit().map_err(sql)?;
        Ok(n)
    }

    /// Writes every sample as JSON Lines, oldest first; returns how many.
    pub fn export(&self, mut out: impl Write) -> Result<u64, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT s.ts_ms, c.name, c.channel, s.outcome, s.latency_us
                 FROM samples s JOIN checks c ON c.id = s.check_id
                 ORDER BY s.ts_ms, c.name, s.rowid",
            )
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        let mut n = 0;
        let mut line = String::new();
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let (ts, name, channel, outcome, latency): (i64, String, String, i64, Option<i64>) = (
                row.get(0).map_err(|e| self.err(e))?,
                row.get(1).map_err(|e| self.err(e))?,
                row.get(2).map_err(|e| self.err(e))?,
                row.get(3).map_err(|e| self.err(e))?,
                row.get(4).map_err(|e| self.err(e))?,
            );
            let (Ok(channel), Some(outcome)) = (channel.parse::<Channel>(), outcome_of(outcome))
            else {
                // Written by this program, so this is a damaged database.
                return Err(self.err(rusqlite::Error::InvalidQuery));
            };
            line.clear();
            jsonl::format_line(&mut line, ts, &name, channel, outcome, latency);
            line.push('\n');
            out.write_all(line.as_bytes()).map_err(StoreError::Write)?;
            n += 1;
        }
        out.flush().map_err(StoreError::Write)?;
        Ok(n)
    }

    /// Deletes raw samples older than `before_ms` (rollups stay); returns how many.
    pub fn delete_before(&mut self, before_ms: i64) -> Result<u64, StoreError> {
        let mut total = 0;
        loop {
            // In chunks, so the writer never holds the database for long.
            let n = self
                .conn
                .execute(
                    "DELETE FROM samples WHERE rowid IN
                     (SELECT rowid FROM samples WHERE ts_ms < ?1 LIMIT 10000)",
                    [before_ms],
                )
                .map_err(|e| self.err(e))?;
            total += n as u64;
            if n < 10000 {
                return Ok(total);
            }
        }
    }

    pub fn sample_count(&self) -> Result<u64, StoreError> {
        self.conn
            .query_row("SELECT count(*) FROM samples", [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(|e| self.err(e))
    }

    /// Every rollup slot of `[from_ms, to_ms)`, as (check, channel, slot start ms, rollup).
    pub fn rollups(
        &self,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<(String, Channel, i64, Rollup)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT c.name, c.channel, r.slot, r.up, r.degraded, r.throttled, r.down,
                        r.unknown, r.maintenance, r.latency
                 FROM rollups r JOIN checks c ON c.id = r.check_id
                 WHERE r.slot >= ?1 AND r.slot < ?2",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(
                [from_ms.div_euclid(SLOT_MS), to_ms.div_euclid(SLOT_MS)],
                |row| {
                    let mut counts = [0u64; 6];
                    for (i, c) in counts.iter_mut().enumerate() {
                        *c = row.get::<_, i64>(3 + i)? as u64;
                    }
                    let blob: Vec<u8> = row.get(9)?;
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, i64>(2)? * SLOT_MS,
                        counts,
                        blob,
                    ))
                },
            )
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (name, channel, slot_ms, counts, blob) = row.map_err(|e| self.err(e))?;
            let (Ok(channel), Some(latency)) = (channel.parse(), Histogram::decode(&blob)) else {
                return Err(self.err(rusqlite::Error::InvalidQuery));
            };
            out.push((name, channel, slot_ms, Rollup { counts, latency }));
        }
        Ok(out)
    }

    /// The latest sample of every check, with since when its outcome holds.
    /// Samples of one instant are ordered by outcome, the failure first, so
    /// that the answer does not depend on the order they were written in.
    pub fn latest(&self) -> Result<Vec<crate::status::Latest>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT c.id, c.name, c.channel, s.outcome, s.ts_ms, s.detail
                 FROM checks c JOIN samples s ON s.rowid =
                   (SELECT rowid FROM samples WHERE check_id = c.id ORDER BY ts_ms DESC, outcome DESC LIMIT 1)",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, check, channel, code, ts_ms, detail) = row.map_err(|e| self.err(e))?;
            let (Ok(channel), Some(outcome)) = (channel.parse(), outcome_of(code)) else {
                return Err(self.err(rusqlite::Error::InvalidQuery));
            };
            let maintenance = detail
                .and_then(|d| serde_json::from_str::<serde_json::Value>(&d).ok())
                .and_then(|d| serde_json::from_value(d.get("maintenance")?.clone()).ok())
                .unwrap_or_default();
            out.push(crate::status::Latest {
                since_ms: self.since(id, code, ts_ms)?,
                check,
                channel,
                outcome,
                ts_ms,
                maintenance,
            });
        }
        Ok(out)
    }

    /// When check `id`'s current run of outcome `code` began. The rollups find
    /// the last quarter-hour with another outcome, so that a check up for a year
    /// costs one slot's scan, not a year's.
    fn since(&self, id: i64, code: i64, latest_ms: i64) -> Result<i64, StoreError> {
        const COLUMNS: [&str; 6] = [
            "up",
            "degraded",
            "throttled",
            "down",
            "unknown",
            "maintenance",
        ];
        let same = COLUMNS.get(code as usize).copied().unwrap_or("up");
        let sql = if code == outcome_code(Outcome::Up) {
            // The partial index `rollups_not_up` answers this at once.
            "SELECT max(slot) FROM rollups INDEXED BY rollups_not_up WHERE check_id = ?1
             AND degraded + throttled + down + unknown + maintenance > 0"
                .to_string()
        } else {
            // Newest first, stopping at the first slot with another outcome:
            // the cost is the length of the current run, not of the history.
            format!(
                "SELECT slot FROM rollups WHERE check_id = ?1
                 AND up + degraded + throttled + down + unknown + maintenance > {same}
                 ORDER BY slot DESC LIMIT 1"
            )
        };
        let last_other_slot: Option<i64> = self
            .conn
            .query_row(&sql, [id], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))?
            .flatten();
        let Some(slot) = last_other_slot else {
            // Never another outcome: since the first sample.
            return self
                .conn
                .query_row(
                    "SELECT min(ts_ms) FROM samples WHERE check_id = ?1",
                    [id],
                    |r| r.get(0),
                )
                .map_err(|e| self.err(e));
        };
        let since: Option<i64> = self
            .conn
            .query_row(
                "SELECT min(ts_ms) FROM samples WHERE check_id = ?1 AND ts_ms > coalesce(
                   (SELECT max(ts_ms) FROM samples
                    WHERE check_id = ?1 AND ts_ms >= ?2 AND outcome != ?3), ?2 - 1)",
                params![id, slot * SLOT_MS, code],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        Ok(since.unwrap_or(latest_ms))
    }

    /// The hour-of-week pattern of every check over `[from_ms, to_ms)`, in `tz`:
    /// the rollups are folded as they are read, so the cost is one pass over the
    /// window's rollup rows and no allocation per row.
    pub fn check_weeks(
        &self,
        from_ms: i64,
        to_ms: i64,
        tz: chrono_tz::Tz,
    ) -> Result<Vec<CheckWeek>, StoreError> {
        // Check ids are small and dense: vectors indexed by id beat a hash map per row.
        let mut names: Vec<Option<(String, Channel)>> = Vec::new();
        {
            let mut stmt = self
                .conn
                .prepare("SELECT id, name, channel FROM checks")
                .map_err(|e| self.err(e))?;
            let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
            while let Some(r) = rows.next().map_err(|e| self.err(e))? {
                let (id, name, channel): (i64, String, String) = (
                    r.get(0).map_err(|e| self.err(e))?,
                    r.get(1).map_err(|e| self.err(e))?,
                    r.get(2).map_err(|e| self.err(e))?,
                );
                let (Ok(id), Ok(channel)) = (usize::try_from(id), channel.parse()) else {
                    continue;
                };
                if names.len() <= id {
                    names.resize(id + 1, None);
                }
                names[id] = Some((name, channel));
            }
        }
        let known: Vec<bool> = names.iter().map(Option::is_some).collect();
        let (from_slot, to_slot) = (from_ms.div_euclid(SLOT_MS), to_ms.div_euclid(SLOT_MS));
        let (lo, hi): (Option<i64>, Option<i64>) = self
            .conn
            .query_row(
                "SELECT min(slot), max(slot) FROM rollups WHERE slot >= ?1 AND slot < ?2",
                [from_slot, to_slot],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|e| self.err(e))?;
        let (Some(lo), Some(hi)) = (lo, hi) else {
            return Ok(Vec::new());
        };
        // A long history is folded in two halves at once, on a second read-only
        // connection (WAL lets readers run side by side).
        const SPLIT_FROM: i64 = 96 * 60;
        let weeks = if hi - lo < SPLIT_FROM {
            fold_weeks(&self.conn, lo, hi + 1, tz, &known).map_err(|e| self.err(e))?
        } else {
            let mid = lo + (hi - lo) / 2;
            let second = Connection::open_with_flags(
                &self.path,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                    | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .and_then(|c| c.pragma_update(None, "mmap_size", 1i64 << 30).map(|_| c))
            .map_err(|e| self.err(e))?;
            let (earlier, later) = std::thread::scope(|s| {
                let known = &known;
                let later = s.spawn(move || fold_weeks(&second, mid, hi + 1, tz, known));
                (fold_weeks(&self.conn, lo, mid, tz, known), later.join())
            });
            let later = match later {
                Ok(r) => r.map_err(|e| self.err(e))?,
                // The fold does not panic; if it did, that is a bug to surface.
                Err(p) => std::panic::resume_unwind(p),
            };
            let mut weeks = earlier.map_err(|e| self.err(e))?;
            for (mine, theirs) in weeks.iter_mut().zip(later) {
                match (mine.as_mut(), theirs) {
                    (Some(m), Some(t)) => m.merge(&t),
                    (None, Some(t)) => *mine = Some(t),
                    (_, None) => {}
                }
            }
            weeks
        };
        Ok(weeks
            .into_iter()
            .zip(names)
            .filter_map(|(week, name)| {
                let (check, channel) = name?;
                Some(CheckWeek {
                    check,
                    channel,
                    week: week?,
                })
            })
            .collect())
    }

    /// `PRAGMA integrity_check`'s verdict: "ok" for a sound database.
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        self.conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }
}

/// Samples of one transaction and the rollups they add to.
struct Batch {
    rollups: HashMap<(i64, i64), Rollup>,
}

impl Batch {
    /// Rollup slots gathered before they are merged into the table, so that an
    /// import of millions of samples runs in bounded memory.
    const MAX_PENDING_SLOTS: usize = 20_000;

    fn new() -> Batch {
        Batch {
            rollups: HashMap::new(),
        }
    }

    fn add(&mut self, tx: &Transaction, ids: &mut Ids, s: &Sample) -> rusqlite::Result<()> {
        let id = check_id(tx, ids, &s.check, s.channel)?;
        tx.prepare_cached(
            "INSERT INTO samples (ts_ms, check_id, outcome, latency_us, dns_us, connect_us,
                                  first_byte_us, http_status, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            s.ts_ms,
            id,
            outcome_code(s.outcome),
            s.latency_us,
            s.dns_us,
            s.connect_us,
            s.first_byte_us,
            s.http_status,
            s.detail
        ])?;
        self.rollups
            .entry((id, s.ts_ms.div_euclid(SLOT_MS)))
            .or_default()
            .add(s.outcome, s.latency_us);
        if self.rollups.len() >= Self::MAX_PENDING_SLOTS {
            self.flush_rollups(tx)?;
        }
        Ok(())
    }

    fn flush_rollups(&mut self, tx: &Transaction) -> rusqlite::Result<()> {
        let mut read = tx.prepare_cached(
            "SELECT up, degraded, throttled, down, unknown, maintenance, latency
             FROM rollups WHERE check_id = ?1 AND slot = ?2",
        )?;
        let mut write = tx.prepare_cached(
            "INSERT OR REPLACE INTO rollups
             (check_id, slot, up, degraded, throttled, down, unknown, maintenance, latency)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        for ((id, slot), mut rollup) in self.rollups.drain() {
            let stored = read
                .query_row([id, slot], |row| {
                    let mut counts = [0u64; 6];
                    for (i, c) in counts.iter_mut().enumerate() {
                        *c = row.get::<_, i64>(i)? as u64;
                    }
                    let blob: Vec<u8> = row.get(6)?;
                    Ok(Rollup {
                        counts,
                        latency: Histogram::decode(&blob).unwrap_or_default(),
                    })
                })
                .optional()?;
            if let Some(stored) = stored {
                rollup.merge(&stored);
            }
            let c = rollup.counts.map(|n| n as i64);
            write.execute(params![
                id,
                slot,
                c[0],
                c[1],
                c[2],
                c[3],
                c[4],
                c[5],
                rollup.latency.encode()
            ])?;
        }
        Ok(())
    }
}

/// Folds the rollups of slots `[from_slot, to_slot)` into one week per check
/// id (indexed by id) in `tz`; ids not `known` are passed over.
fn fold_weeks(
    conn: &Connection,
    from_slot: i64,
    to_slot: i64,
    tz: chrono_tz::Tz,
    known: &[bool],
) -> rusqlite::Result<Vec<Option<crate::pattern::Week>>> {
    let mut weeks: Vec<Option<crate::pattern::Week>> = vec![None; known.len()];
    let mut clock = crate::pattern::Clock::new(tz);
    // Only what a pattern counts: throttled, unknown and maintenance count in none.
    let mut stmt = conn.prepare_cached(
        "SELECT check_id, slot, up, degraded, down, latency
         FROM rollups WHERE slot >= ?1 AND slot < ?2",
    )?;
    let mut rows = stmt.query([from_slot, to_slot])?;
    while let Some(row) = rows.next()? {
        let int = |i| {
            row.get_ref(i)
                .ok()
                .and_then(|v| v.as_i64().ok())
                .unwrap_or(0)
        };
        let Some(id) = usize::try_from(int(0))
            .ok()
            .filter(|id| known.get(*id) == Some(&true))
        else {
            continue;
        };
        let counts = [int(2) as u64, int(3) as u64, 0, int(4) as u64, 0, 0];
        let latency = row
            .get_ref(5)
            .ok()
            .and_then(|v| v.as_blob().ok())
            .unwrap_or(&[]);
        let how = clock.hour_of_week(int(1) * SLOT_MS);
        weeks[id]
            .get_or_insert_with(Default::default)
            .add_stored(how, &counts, latency);
    }
    Ok(weeks)
}

fn check_id(
    tx: &Transaction,
    ids: &mut Ids,
    name: &str,
    channel: Channel,
) -> rusqlite::Result<i64> {
    if let Some(id) = ids
        .get(name)
        .and_then(|v| v.iter().find(|(c, _)| *c == channel))
    {
        return Ok(id.1);
    }
    tx.prepare_cached("INSERT OR IGNORE INTO checks (name, channel) VALUES (?1, ?2)")?
        .execute(params![name, channel.as_str()])?;
    let id: i64 = tx
        .prepare_cached("SELECT id FROM checks WHERE name = ?1 AND channel = ?2")?
        .query_row(params![name, channel.as_str()], |r| r.get(0))?;
    ids.entry(name.to_string()).or_default().push((channel, id));
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(ts_ms: i64, check: &str, outcome: Outcome, latency_ms: Option<i64>) -> Sample {
        Sample {
            ts_ms,
            check: check.to_string(),
            channel: Channel::Chat,
            outcome,
            latency_us: latency_ms.map(|ms| ms * 1000),
            dns_us: None,
            connect_us: None,
            first_byte_us: None,
            http_status: None,
            detail: None,
        }
    }

    #[test]
    fn rollups_count_outcomes_and_merge_across_batches() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("t.db")).unwrap();
        let slot = 1_793_000_700_000 / SLOT_MS * SLOT_MS;
        store
            .insert(&[
                sample(slot + 1, "chat", Outcome::Up, Some(100)),
                sample(slot + 2, "chat", Outcome::Down, None),
                sample(slot + SLOT_MS, "chat", Outcome::Up, Some(300)),
            ])
            .unwrap();
        // A later batch into the same slot merges with it.
        store
            .insert(&[
                sample(slot + 3, "chat", Outcome::Degraded, Some(200)),
                sample(slot + 4, "chat", Outcome::Throttled, Some(5)),
            ])
            .unwrap();
        let rollups = store.rollups(slot, slot + 2 * SLOT_MS).unwrap();
        assert_eq!(rollups.len(), 2);
        let (name, channel, start, r) = &rollups.iter().find(|r| r.2 == slot).unwrap();
        assert_eq!(
            (name.as_str(), *channel, *start),
            ("chat", Channel::Chat, slot)
        );
        assert_eq!(r.count(Outcome::Up), 1);
        assert_eq!(r.count(Outcome::Degraded), 1);
        assert_eq!(r.count(Outcome::Down), 1);
        assert_eq!(r.count(Outcome::Throttled), 1);
        assert_eq!(
            r.latency.count(),
            2,
            "only up and degraded latencies describe the channel"
        );
        assert_eq!(store.sample_count().unwrap(), 5);
    }

    #[test]
    fn retention_deletes_raw_samples_and_keeps_rollups() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("t.db")).unwrap();
        let samples: Vec<Sample> = (0..25_000)
            .map(|i| sample(i * 1000, "chat", Outcome::Up, Some(10)))
            .collect();
        store.insert(&samples).unwrap();
        assert_eq!(store.delete_before(20_000 * 1000).unwrap(), 20_000);
        assert_eq!(store.sample_count().unwrap(), 5_000);
        let kept: u64 = store
            .rollups(0, i64::MAX / 2)
            .unwrap()
            .iter()
            .map(|r| r.3.count(Outcome::Up))
            .sum();
        assert_eq!(kept, 25_000);
    }

    #[test]
    fn folding_in_two_halves_equals_folding_each_rollup() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("t.db")).unwrap();
        // 90 days, one sample every 20 minutes: long enough to be folded in halves.
        let start = 1_790_000_000_000i64;
        let samples: Vec<Sample> = (0..90 * 72)
            .map(|i| {
                let outcome = if i % 7 == 0 {
                    Outcome::Down
                } else {
                    Outcome::Up
                };
                sample(start + i * 1_200_000, "chat", outcome, Some(50 + i % 400))
            })
            .collect();
        store.insert(&samples).unwrap();
        let tz = chrono_tz::Asia::Kolkata;
        let end = start + 91 * 86_400_000;
        let folded = store.check_weeks(start, end, tz).unwrap();
        let mut expected = crate::pattern::Week::default();
        for (_, _, slot_ms, rollup) in store.rollups(start, end).unwrap() {
            expected.add(slot_ms, tz, &rollup);
        }
        assert_eq!(folded.len(), 1);
        assert_eq!(
            (folded[0].check.as_str(), folded[0].channel),
            ("chat", Channel::Chat)
        );
        assert_eq!(folded[0].week, expected);
        assert_eq!(expected.total().samples(), 90 * 72);
    }

    #[test]
    fn a_database_from_a_newer_version_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        drop(Store::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        let e = Store::open(&path).err().unwrap().to_string();
        assert!(e.contains("schema version 99"), "{e}");
    }

    #[test]
    fn a_failed_import_leaves_nothing_and_the_store_usable() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("t.db")).unwrap();
        let good = r#"{"ts":"2026-11-02T06:00:00Z","check":"new-check","channel":"chat","outcome":"up","latency_ms":1}"#;
        let input = format!("{good}\n{good}\n{{\"oops\n");
        let e = store
            .import(input.as_bytes(), "in.jsonl")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("in.jsonl:3: "), "{e}");
        assert_eq!(store.sample_count().unwrap(), 0);
        // The id cache was cleared with the rollback: the same check imports fine now.
        assert_eq!(
            store
                .import(format!("{good}\n").as_bytes(), "in.jsonl")
                .unwrap(),
            1
        );
        assert_eq!(store.rollups(0, i64::MAX / 2).unwrap().len(), 1);
    }
}
