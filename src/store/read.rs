//! Reading the history: every sample as JSON Lines, rollup slots, the latest
//! sample of every check, and hour-of-week patterns folded as they are read.

use std::collections::HashMap;
use std::io::Write;

use rusqlite::{OptionalExtension, params};

use super::rollup_row::read_counts;
use super::{ALL_COUNTS, COUNTS, NOT_UP_COUNTS, SLOT_MS, Store, StoreError, jsonl};
use crate::channel::Channel;
use crate::histogram::Histogram;
use crate::outcome::Outcome;
use crate::pattern::Rollup;
use crate::sample::Latest;

impl Store {
    /// The notifier's saved state of every sink (JSON by sink name).
    pub fn notify_states(&self) -> Result<HashMap<String, String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT sink, state FROM notify_state")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
    }

    /// Writes every sample as JSON Lines, oldest first; returns how many.
    pub fn export(&self, mut out: impl Write) -> Result<u64, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT s.ts_ms, c.name, c.channel, s.outcome, nullif(s.latency_us, -1)
                 FROM samples s JOIN checks c ON c.id = s.check_id
                 ORDER BY s.ts_ms, c.name, s.outcome, s.latency_us",
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
            let (Ok(channel), Some(outcome)) =
                (channel.parse::<Channel>(), Outcome::from_code(outcome))
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
        let names = self.names()?;
        let mut out = Vec::new();
        self.each_rollup(from_ms, to_ms, |id, slot_ms, counts, latency| {
            let (check, channel) = names.get(usize::try_from(id).ok()?)?.as_ref()?;
            let latency = Histogram::decode(latency)?;
            out.push((check.clone(), *channel, slot_ms, Rollup { counts, latency }));
            Some(())
        })?;
        Ok(out)
    }

    /// Every channel's rollup of each slot of `[from_ms, to_ms)` (the sum of
    /// its checks'), as (channel, slot start ms, rollup), summed as the rows
    /// are read: at 1,000 checks a rollup per check and slot, with its name,
    /// was a sixth of the status page's cost.
    pub fn channel_rollups(
        &self,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<(Channel, i64, Rollup)>, StoreError> {
        let names = self.names()?;
        let mut sums: std::collections::BTreeMap<(Channel, i64), Rollup> = Default::default();
        self.each_rollup(from_ms, to_ms, |id, slot_ms, counts, latency| {
            let (_, channel) = names.get(usize::try_from(id).ok()?)?.as_ref()?;
            sums.entry((*channel, slot_ms))
                .or_default()
                .add_stored(counts, latency);
            Some(())
        })?;
        Ok(sums
            .into_iter()
            .map(|((c, slot_ms), r)| (c, slot_ms, r))
            .collect())
    }

    /// Hands every rollup row of `[from_ms, to_ms)` to `f` as stored: (check
    /// id, slot start ms, counts, encoded histogram). A row `f` cannot read
    /// (`None`: a check or histogram this version does not know) is an error.
    fn each_rollup(
        &self,
        from_ms: i64,
        to_ms: i64,
        mut f: impl FnMut(i64, i64, [u64; Outcome::COUNT], &[u8]) -> Option<()>,
    ) -> Result<(), StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT check_id, slot, {COUNTS}, latency FROM rollups WHERE slot >= ?1 AND slot < ?2"
            ))
            .map_err(|e| self.err(e))?;
        let mut rows = stmt
            .query([from_ms.div_euclid(SLOT_MS), to_ms.div_euclid(SLOT_MS)])
            .map_err(|e| self.err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let read = || -> rusqlite::Result<(i64, i64, [u64; Outcome::COUNT])> {
                Ok((row.get(0)?, row.get(1)?, read_counts(row, 2)?))
            };
            let (id, slot, counts) = read().map_err(|e| self.err(e))?;
            let latency = row
                .get_ref(2 + Outcome::COUNT)
                .map_err(|e| self.err(e))?
                .as_blob()
                .unwrap_or_default();
            f(id, slot * SLOT_MS, counts, latency)
                .ok_or_else(|| self.err(rusqlite::Error::InvalidQuery))?;
        }
        Ok(())
    }

    /// The latest sample of every check, with since when its outcome holds.
    /// Samples of one instant are ordered by outcome, the failure first, so
    /// that the answer does not depend on the order they were written in.
    pub fn latest(&self) -> Result<Vec<Latest>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT c.id, c.name, c.channel, s.outcome, s.ts_ms, s.detail
                 FROM checks c JOIN samples s ON (s.check_id, s.ts_ms, s.outcome, s.latency_us) =
                   (SELECT check_id, ts_ms, outcome, latency_us FROM samples
                    WHERE check_id = c.id ORDER BY ts_ms DESC, outcome DESC LIMIT 1)",
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
            let (Ok(channel), Some(outcome)) = (channel.parse(), Outcome::from_code(code)) else {
                return Err(self.err(rusqlite::Error::InvalidQuery));
            };
            let detail = detail.and_then(|d| serde_json::from_str::<serde_json::Value>(&d).ok());
            let maintenance = detail
                .as_ref()
                .and_then(|d| serde_json::from_value(d.get("maintenance")?.clone()).ok())
                .unwrap_or_default();
            let reason = detail
                .as_ref()
                .and_then(|d| crate::reason::Reason::from_json(d.get("reason")?));
            let failure = detail
                .as_ref()
                .and_then(|d| serde_json::from_value(d.get("failure")?.clone()).ok());
            out.push(Latest {
                since_ms: self.since(id, code, ts_ms)?,
                check,
                channel,
                outcome,
                ts_ms,
                maintenance,
                reason,
                failure,
            });
        }
        Ok(out)
    }

    /// When check `id`'s current run of outcome `code` began. The rollups find
    /// the last quarter-hour with another outcome, so that a check up for a year
    /// costs one slot's scan, not a year's.
    fn since(&self, id: i64, code: i64, latest_ms: i64) -> Result<i64, StoreError> {
        // The rollup columns are named after the outcomes they count.
        let outcome = Outcome::from_code(code).unwrap_or(Outcome::Up);
        let same = outcome.as_str();
        let sql = if outcome == Outcome::Up {
            // The partial index `rollups_not_up` answers this at once.
            format!(
                "SELECT max(slot) FROM rollups INDEXED BY rollups_not_up WHERE check_id = ?1
                 AND {NOT_UP_COUNTS} > 0"
            )
        } else {
            // Newest first, stopping at the first slot with another outcome:
            // the cost is the length of the current run, not of the history.
            format!(
                "SELECT slot FROM rollups WHERE check_id = ?1
                 AND {ALL_COUNTS} > {same}
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
}

/// The checks by id: (name, channel), or none for an id not in use or a
/// channel this version does not know. Ids are small and dense, so vectors
/// indexed by id beat a hash map per row.
pub(super) type Names = Vec<Option<(String, Channel)>>;

/// The checks table as [`Names`]: the one place it is read whole.
pub(super) fn check_names(conn: &rusqlite::Connection) -> rusqlite::Result<Names> {
    let mut names: Names = Vec::new();
    let mut stmt = conn.prepare("SELECT id, name, channel FROM checks")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (id, name, channel): (i64, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
        let (Ok(id), Ok(channel)) = (usize::try_from(id), channel.parse()) else {
            continue;
        };
        if names.len() <= id {
            names.resize(id + 1, None);
        }
        names[id] = Some((name, channel));
    }
    Ok(names)
}
