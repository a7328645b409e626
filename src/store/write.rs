//! Adding samples: the daemon's batches and imports, each in one transaction,
//! with the quarter-hour rollups they add to; and retention.

use std::collections::HashMap;
use std::io::BufRead;

use rusqlite::{OptionalExtension, Transaction, params};

use super::rollup_row::{read_rollup, write_rollup, write_rollup_sql};
use super::{COUNTS, Ids, SLOT_MS, Store, StoreError, hourly, jsonl};
use crate::channel::Channel;
use crate::pattern::Rollup;
use crate::sample::Sample;

/// What an import did: samples new to the database, and samples it held already.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Imported {
    pub new: u64,
    pub already: u64,
}

impl Imported {
    pub fn total(&self) -> u64 {
        self.new + self.already
    }
}

impl Store {
    /// Writes `samples` and their rollups in one transaction; a sample the
    /// database already holds is not stored again.
    pub fn insert(&mut self, samples: &[Sample]) -> Result<(), StoreError> {
        self.insert_with_states(samples, &HashMap::new(), &[])
    }

    /// [`insert`](Self::insert), with the notifier's state of some sinks and
    /// the incidents these samples opened, changed or closed, in the same
    /// transaction.
    pub fn insert_with_states(
        &mut self,
        samples: &[Sample],
        states: &HashMap<String, String>,
        incidents: &[crate::incident::Incident],
    ) -> Result<(), StoreError> {
        let result = (|| {
            let tx = self.conn.transaction()?;
            let mut batch = Batch::new(&tx, self.hourly)?;
            for s in samples {
                batch.add(&tx, &mut self.ids, s)?;
            }
            batch.flush_rollups(&tx)?;
            drop(batch);
            let mut save = tx.prepare_cached(
                "INSERT OR REPLACE INTO notify_state (sink, state) VALUES (?1, ?2)",
            )?;
            for (sink, state) in states {
                save.execute(params![sink, state])?;
            }
            drop(save);
            super::incidents::save(&tx, incidents)?;
            tx.commit()
        })();
        result.map_err(|e| {
            self.ids.clear();
            self.err(e)
        })
    }

    /// Imports JSON Lines from `input` in one transaction: all or nothing.
    /// A sample the database already holds is stored once (see `schema.rs`
    /// for a sample's identity); the answer counts both kinds.
    pub fn import(
        &mut self,
        input: impl BufRead,
        source_name: &str,
    ) -> Result<Imported, StoreError> {
        // Every check id the import writes comes from the checks row it wrote
        // or found first (`check_id`), so the foreign keys' look-up of that row
        // for each sample and rollup proves nothing: a tenth of a year's import.
        // The pragma takes effect outside a transaction only, hence here.
        self.conn
            .pragma_update(None, "foreign_keys", false)
            .map_err(|e| self.err(e))?;
        let mut result = self.import_inner(input, source_name);
        if let Err(e) = self.conn.pragma_update(None, "foreign_keys", true) {
            result = result.and(Err(self.err(e)));
        }
        if result.is_err() {
            self.ids.clear();
        }
        result
    }

    fn import_inner(
        &mut self,
        input: impl BufRead,
        source_name: &str,
    ) -> Result<Imported, StoreError> {
        let path = self.path.clone();
        let sql = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(sql)?;
        let mut batch = Batch::new(&tx, self.hourly).map_err(sql)?;
        let mut counts = Imported::default();
        let mut input = input;
        // One buffer for every line (a line's allocation was 3 % of an import).
        let mut line = String::new();
        let mut line_no = 0u64;
        let mut earliest_new = i64::MAX;
        loop {
            line.clear();
            let read = input
                .read_line(&mut line)
                .map_err(|source| StoreError::Read {
                    source_name: source_name.to_string(),
                    source,
                })?;
            if read == 0 {
                break;
            }
            line_no += 1;
            if line.trim().is_empty() {
                continue;
            }
            let sample = jsonl::parse_line(&line).map_err(|message| StoreError::BadLine {
                source_name: source_name.to_string(),
                line: line_no,
                message,
            })?;
            if batch.add(&tx, &mut self.ids, &sample).map_err(sql)? {
                counts.new += 1;
                earliest_new = earliest_new.min(sample.ts_ms);
            } else {
                counts.already += 1;
            }
        }
        batch.flush_rollups(&tx).map_err(sql)?;
        drop(batch);
        if self.hourly {
            hourly::compact(&tx, chrono::Utc::now().timestamp_millis()).map_err(sql)?;
        }
        // The incidents the new samples make, judged as the daemon judges them.
        if counts.new > 0 && self.hourly {
            super::incidents::rebuild(&tx, earliest_new, self.incident_rules).map_err(sql)?;
        }
        tx.commit().map_err(sql)?;
        Ok(counts)
    }

    /// Sums the hours that ended a while before `now_ms` into hourly rollups
    /// (see `hourly.rs`); the daemon's writer calls it every few minutes.
    pub fn compact_hours(&mut self, now_ms: i64) -> Result<(), StoreError> {
        let result = self
            .conn
            .transaction()
            .and_then(|tx| hourly::compact(&tx, now_ms).and_then(|()| tx.commit()));
        result.map_err(|e| self.err(e))
    }

    /// Deletes raw samples older than `before_ms` (rollups stay); returns how many.
    pub fn delete_before(&mut self, before_ms: i64) -> Result<u64, StoreError> {
        let mut total = 0;
        loop {
            // In chunks, so the writer never holds the database for long.
            let n = self
                .conn
                .execute(
                    "DELETE FROM samples WHERE (check_id, ts_ms, outcome, latency_us) IN
                     (SELECT check_id, ts_ms, outcome, latency_us FROM samples
                      WHERE ts_ms < ?1 LIMIT 10000)",
                    [before_ms],
                )
                .map_err(|e| self.err(e))?;
            total += n as u64;
            if n < 10000 {
                self.conn
                    .execute("DELETE FROM incidents WHERE end_ms < ?1", [before_ms])
                    .map_err(|e| self.err(e))?;
                return Ok(total);
            }
        }
    }
}

/// Samples of one transaction and the rollups they add to, with the insert
/// prepared once for all of them.
struct Batch<'t> {
    rollups: HashMap<(i64, i64), Rollup>,
    insert: rusqlite::Statement<'t>,
    /// Whether the schema keeps hourly rollups to lower.
    hourly: bool,
}

impl<'t> Batch<'t> {
    /// Rollup slots gathered before they are merged into the table, so that an
    /// import of millions of samples runs in bounded memory.
    const MAX_PENDING_SLOTS: usize = 20_000;

    fn new(tx: &'t Transaction, hourly: bool) -> rusqlite::Result<Batch<'t>> {
        Ok(Batch {
            rollups: HashMap::new(),
            hourly,
            insert: tx.prepare(
                "INSERT OR IGNORE INTO samples (ts_ms, check_id, outcome, latency_us, dns_us,
                                  connect_us, first_byte_us, http_status, detail)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?,
        })
    }

    /// Adds one sample; false when the database already held it (then it
    /// adds to no rollup).
    fn add(&mut self, tx: &Transaction, ids: &mut Ids, s: &Sample) -> rusqlite::Result<bool> {
        let id = check_id(tx, ids, &s.check, s.channel)?;
        let added = self.insert.execute(params![
            s.ts_ms,
            id,
            s.outcome.code() as i64,
            // The identity's latency: -1 for none (a key column is never NULL).
            s.latency_us.unwrap_or(-1),
            s.dns_us,
            s.connect_us,
            s.first_byte_us,
            s.http_status,
            s.detail
        ])?;
        if added == 0 {
            return Ok(false);
        }
        self.rollups
            .entry((id, s.ts_ms.div_euclid(SLOT_MS)))
            .or_default()
            .add(s.outcome, s.latency_us);
        if self.rollups.len() >= Self::MAX_PENDING_SLOTS {
            self.flush_rollups(tx)?;
        }
        Ok(true)
    }

    fn flush_rollups(&mut self, tx: &Transaction) -> rusqlite::Result<()> {
        let mut read = tx.prepare_cached(&format!(
            "SELECT {COUNTS}, latency FROM rollups WHERE check_id = ?1 AND slot = ?2"
        ))?;
        let mut write = tx.prepare_cached(&write_rollup_sql("rollups", "slot"))?;
        let lowest = self.rollups.keys().map(|(_, slot)| *slot).min();
        for ((id, slot), mut rollup) in self.rollups.drain() {
            let stored = read
                .query_row([id, slot], |row| read_rollup(row, 0))
                .optional()?;
            if let Some(stored) = stored {
                rollup.merge(&stored);
            }
            write_rollup(&mut write, id, slot, &rollup)?;
        }
        if let Some(slot) = lowest.filter(|_| self.hourly) {
            hourly::lower(tx, slot)?;
        }
        Ok(())
    }
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
