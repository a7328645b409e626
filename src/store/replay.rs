//! Every check's samples from a time on, in time order, for the incidents'
//! replay ([`super::incidents::rebuild`]).
//!
//! The samples are keyed by (check, time). Up to [`MAX_MERGED`] checks, each is
//! read in that key order and the checks are merged here; `ORDER BY ts_ms` over
//! every check made SQLite sort millions of rows, a fifth of a year's import.
//! Beyond it, one sorted query: a merge holds one statement and one B-tree page
//! per check, which at thousands of checks would be tens of MB.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use rusqlite::{Connection, Rows, Statement, params};

use crate::channel::Channel;
use crate::outcome::Outcome;

/// The most checks merged here; beyond, SQLite sorts.
const MAX_MERGED: usize = 256;

/// One check's samples from a time on, in time order.
const ONE_CHECK_SQL: &str = "SELECT check_id, ts_ms, outcome, detail FROM samples
     WHERE check_id = ?1 AND ts_ms >= ?2 ORDER BY ts_ms";

/// Every check's samples from a time on, sorted by time.
const SORTED_SQL: &str = "SELECT check_id, ts_ms, outcome, detail FROM samples
     WHERE ts_ms >= ?1 ORDER BY ts_ms";

/// One sample as the replay reads it: the detail only where it can hold a
/// failure's reason.
pub struct Replayed {
    pub ts_ms: i64,
    pub outcome: Outcome,
    pub detail: Option<String>,
}

/// The checks whose samples are replayed: (id, name, channel), by id.
pub fn checks(conn: &Connection) -> rusqlite::Result<Vec<(i64, String, Channel)>> {
    Ok(super::read::check_names(conn)?
        .into_iter()
        .enumerate()
        .filter_map(|(id, check)| {
            let (name, channel) = check?;
            Some((i64::try_from(id).ok()?, name, channel))
        })
        .collect())
}

/// The statements [`InTimeOrder`] reads `checks` checks with: one each, or
/// one for all beyond [`MAX_MERGED`]. They outlive the rows read from them.
pub fn statements(conn: &Connection, checks: usize) -> rusqlite::Result<Vec<Statement<'_>>> {
    statements_merging_up_to(conn, checks, MAX_MERGED)
}

fn statements_merging_up_to(
    conn: &Connection,
    checks: usize,
    max_merged: usize,
) -> rusqlite::Result<Vec<Statement<'_>>> {
    if checks > max_merged {
        return Ok(vec![conn.prepare(SORTED_SQL)?]);
    }
    (0..checks).map(|_| conn.prepare(ONE_CHECK_SQL)).collect()
}

pub struct InTimeOrder<'s> {
    /// Check id → index in the checks given.
    index: HashMap<i64, usize>,
    /// One cursor per check (merged), or one for all (sorted).
    rows: Vec<Rows<'s>>,
    /// The next sample of each cursor.
    heads: Vec<Option<(usize, Replayed)>>,
    /// (time, check index, cursor) of every head, earliest first; ties in
    /// check order.
    queue: BinaryHeap<Reverse<(i64, usize, usize)>>,
}

impl<'s> InTimeOrder<'s> {
    /// Reads `checks` (from [`checks`]) with `statements` (from [`statements`]).
    pub fn new(
        checks: &[(i64, String, Channel)],
        statements: &'s mut [Statement<'_>],
        from_ms: i64,
    ) -> rusqlite::Result<InTimeOrder<'s>> {
        let index = checks
            .iter()
            .enumerate()
            .map(|(i, (id, _, _))| (*id, i))
            .collect();
        let mut rows = Vec::with_capacity(statements.len());
        if statements.len() == checks.len() {
            for ((id, _, _), stmt) in checks.iter().zip(statements) {
                rows.push(stmt.query(params![id, from_ms])?);
            }
        } else {
            for stmt in statements {
                rows.push(stmt.query([from_ms])?);
            }
        }
        let mut replay = Self {
            index,
            heads: (0..rows.len()).map(|_| None).collect(),
            rows,
            queue: BinaryHeap::new(),
        };
        for cursor in 0..replay.rows.len() {
            replay.advance(cursor)?;
        }
        Ok(replay)
    }

    /// Reads a cursor's next sample of a replayed check into its head.
    fn advance(&mut self, cursor: usize) -> rusqlite::Result<()> {
        self.heads[cursor] = None;
        while let Some(row) = self.rows[cursor].next()? {
            let (Some(&check), Some(outcome)) = (
                self.index.get(&row.get::<_, i64>(0)?),
                Outcome::from_code(row.get(2)?),
            ) else {
                continue;
            };
            let s = Replayed {
                ts_ms: row.get(1)?,
                outcome,
                detail: if outcome.is_success() {
                    None
                } else {
                    row.get(3)?
                },
            };
            self.queue.push(Reverse((s.ts_ms, check, cursor)));
            self.heads[cursor] = Some((check, s));
            break;
        }
        Ok(())
    }

    /// The earliest sample not read yet, with its check's index in the checks given.
    pub fn next(&mut self) -> rusqlite::Result<Option<(usize, Replayed)>> {
        let Some(Reverse((_, _, cursor))) = self.queue.pop() else {
            return Ok(None);
        };
        let head = self.heads[cursor].take();
        self.advance(cursor)?;
        Ok(head)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::Sample;
    use crate::store::Store;

    /// Merged and sorted, the replay reads the same samples in time order.
    #[test]
    fn merged_and_sorted_read_the_same_samples_in_time_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("r.db")).unwrap();
        let samples: Vec<Sample> = (0..60i64)
            .map(|i| Sample {
                // Three checks at times that interleave, some at the same instant.
                ts_ms: 1_000_000 + (i * 7919) % 50 * 1000,
                check: format!("check-{}", i % 3),
                channel: Channel::Chat,
                outcome: if i % 4 == 0 {
                    Outcome::Down
                } else {
                    Outcome::Up
                },
                latency_us: Some(1000 + i),
                dns_us: None,
                connect_us: None,
                first_byte_us: None,
                http_status: None,
                detail: Some(format!(r#"{{"n":{i}}}"#)),
            })
            .collect();
        store.insert(&samples).unwrap();
        let conn = &store.conn;
        let checks = checks(conn).unwrap();
        let read = |max_merged| {
            let mut statements = statements_merging_up_to(conn, checks.len(), max_merged).unwrap();
            let mut replay = InTimeOrder::new(&checks, &mut statements, 1_010_000).unwrap();
            let mut out = Vec::new();
            while let Some((check, s)) = replay.next().unwrap() {
                out.push((s.ts_ms, check, s.outcome, s.detail));
            }
            out
        };
        let merged = read(MAX_MERGED);
        assert!(merged.windows(2).all(|w| w[0].0 <= w[1].0), "{merged:?}");
        assert!(merged.iter().all(|s| s.0 >= 1_010_000));
        assert_eq!(
            merged.len(),
            samples.iter().filter(|s| s.ts_ms >= 1_010_000).count()
        );
        // A failure keeps its detail, a success does not.
        assert!(
            merged
                .iter()
                .all(|s| s.3.is_some() == (s.2 == Outcome::Down))
        );
        let mut sorted = read(0);
        assert!(sorted.windows(2).all(|w| w[0].0 <= w[1].0), "{sorted:?}");
        // Ties at one instant may come in another order.
        let mut merged = merged;
        merged.sort_by(|a, b| (a.0, a.1, &a.3).cmp(&(b.0, b.1, &b.3)));
        sorted.sort_by(|a, b| (a.0, a.1, &a.3).cmp(&(b.0, b.1, &b.3)));
        assert_eq!(merged, sorted);
    }
}
