//! Reading the history: every sample as JSON Lines, rollup slots, the latest
//! sample of every check, and hour-of-week patterns folded as they are read.

use std::collections::HashMap;
use std::io::Write;

use rusqlite::{Connection, OptionalExtension, params};

use super::rollup_row::read_counts;
use super::{ALL_COUNTS, COUNTS, NOT_UP_COUNTS, SLOT_MS, Store, StoreError, hourly, jsonl};
use crate::channel::Channel;
use crate::histogram::Histogram;
use crate::outcome::Outcome;
use crate::pattern::{CheckWeek, Clock, Rollup, Week};
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
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT c.name, c.channel, r.slot, {COUNTS}, r.latency
                 FROM rollups r JOIN checks c ON c.id = r.check_id
                 WHERE r.slot >= ?1 AND r.slot < ?2"
            ))
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(
                [from_ms.div_euclid(SLOT_MS), to_ms.div_euclid(SLOT_MS)],
                |row| {
                    let counts = read_counts(row, 3)?;
                    let blob: Vec<u8> = row.get(3 + Outcome::COUNT)?;
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
        let weeks = self
            .fold_window(from_slot, to_slot, tz, &known)
            .map_err(|e| self.err(e))?;
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
}

/// Where rollups are read from: quarter-hours, or the hours summed below the
/// watermark (`hourly.rs`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Table {
    Slots,
    Hours,
}

impl Table {
    /// The table and its time key column.
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Table::Slots => ("rollups", "slot"),
            Table::Hours => ("rollups_hourly", "hour"),
        }
    }

    fn unit_ms(self) -> i64 {
        match self {
            Table::Slots => SLOT_MS,
            Table::Hours => hourly::HOUR_MS,
        }
    }
}

/// One week per check id (indexed by id).
type Weeks = Vec<Option<Week>>;

impl Store {
    /// The weeks of slots `[from_slot, to_slot)` in `tz`: the whole hours
    /// below the watermark from the hourly rollups, when `tz`'s offset is a
    /// whole number of hours at every one of them, and the rest from the
    /// quarter-hours; all from the quarter-hours otherwise.
    fn fold_window(
        &self,
        from_slot: i64,
        to_slot: i64,
        tz: chrono_tz::Tz,
        known: &[bool],
    ) -> rusqlite::Result<Weeks> {
        let per = hourly::SLOTS_PER_HOUR;
        let first_hour = (from_slot + per - 1).div_euclid(per);
        let end_hour = to_slot.div_euclid(per).min(hourly::watermark(&self.conn)?);
        if first_hour < end_hour
            && let Some(mut weeks) = self.fold(Table::Hours, first_hour, end_hour, tz, known)?
        {
            for (lo, hi) in [(from_slot, first_hour * per), (end_hour * per, to_slot)] {
                if let Some(edge) = self.fold(Table::Slots, lo, hi, tz, known)? {
                    merge_weeks(&mut weeks, edge);
                }
            }
            return Ok(weeks);
        }
        Ok(self
            .fold(Table::Slots, from_slot, to_slot, tz, known)?
            .unwrap_or_else(|| vec![None; known.len()]))
    }

    /// The rollups of `table` keyed `[from, to)`, folded; `None` for hours
    /// when one of them is not a whole-hour offset in `tz`. A long history is
    /// folded in two halves at once, on a second read-only connection (WAL
    /// lets readers run side by side).
    fn fold(
        &self,
        table: Table,
        from: i64,
        to: i64,
        tz: chrono_tz::Tz,
        known: &[bool],
    ) -> rusqlite::Result<Option<Weeks>> {
        if from >= to {
            return Ok(Some(vec![None; known.len()]));
        }
        let (name, key) = table.names();
        let (lo, hi): (Option<i64>, Option<i64>) = self.conn.query_row(
            // Two sub-queries: SQLite answers a lone min() or max() with one
            // look-up in the key, but both in one SELECT with a scan.
            &format!(
                "SELECT (SELECT min({key}) FROM {name} WHERE {key} >= ?1 AND {key} < ?2),
                        (SELECT max({key}) FROM {name} WHERE {key} >= ?1 AND {key} < ?2)"
            ),
            [from, to],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let (Some(lo), Some(hi)) = (lo, hi) else {
            return Ok(Some(vec![None; known.len()]));
        };
        // Sixty days: below it, a second thread costs more than it saves.
        const SPLIT_FROM_MS: i64 = 60 * 86_400_000;
        if (hi - lo) * table.unit_ms() < SPLIT_FROM_MS {
            return fold_weeks(&self.conn, table, lo, hi + 1, tz, known);
        }
        let mid = lo + (hi - lo) / 2;
        let second = Connection::open_with_flags(
            &self.path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .and_then(|c| c.pragma_update(None, "mmap_size", 1i64 << 30).map(|_| c))?;
        let (earlier, later) = std::thread::scope(|s| {
            let later = s.spawn(move || fold_weeks(&second, table, mid, hi + 1, tz, known));
            (
                fold_weeks(&self.conn, table, lo, mid, tz, known),
                later.join(),
            )
        });
        let later = match later {
            Ok(r) => r?,
            // The fold does not panic; if it did, that is a bug to surface.
            Err(p) => std::panic::resume_unwind(p),
        };
        Ok(match (earlier?, later) {
            (Some(mut weeks), Some(later)) => {
                merge_weeks(&mut weeks, later);
                Some(weeks)
            }
            _ => None,
        })
    }
}

/// Adds `more` into `weeks`, check by check.
fn merge_weeks(weeks: &mut Weeks, more: Weeks) {
    for (mine, theirs) in weeks.iter_mut().zip(more) {
        match (mine.as_mut(), theirs) {
            (Some(m), Some(t)) => m.merge(&t),
            (None, Some(t)) => *mine = Some(t),
            (_, None) => {}
        }
    }
}

/// Folds the rollups of `table` keyed `[from, to)` into one week per check id
/// (indexed by id) in `tz`; ids not `known` are passed over. `None` when an
/// hourly row falls where `tz`'s offset is not whole hours.
fn fold_weeks(
    conn: &Connection,
    table: Table,
    from: i64,
    to: i64,
    tz: chrono_tz::Tz,
    known: &[bool],
) -> rusqlite::Result<Option<Weeks>> {
    let mut weeks: Weeks = vec![None; known.len()];
    let mut clock = Clock::new(tz);
    let (name, key) = table.names();
    let unit = table.unit_ms();
    // Only what a pattern counts: throttled, unknown, maintenance and blocked count in none.
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT check_id, {key}, up, degraded, down, latency
         FROM {name} WHERE {key} >= ?1 AND {key} < ?2"
    ))?;
    let mut rows = stmt.query([from, to])?;
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
        let at_ms = int(1) * unit;
        if table == Table::Hours && !clock.whole_hours(at_ms) {
            return Ok(None);
        }
        let mut counts = [0u64; Outcome::COUNT];
        counts[Outcome::Up.code()] = int(2) as u64;
        counts[Outcome::Degraded.code()] = int(3) as u64;
        counts[Outcome::Down.code()] = int(4) as u64;
        let latency = row
            .get_ref(5)
            .ok()
            .and_then(|v| v.as_blob().ok())
            .unwrap_or(&[]);
        let how = clock.hour_of_week(at_ms);
        weeks[id]
            .get_or_insert_with(Default::default)
            .add_stored(how, &counts, latency);
    }
    Ok(Some(weeks))
}
