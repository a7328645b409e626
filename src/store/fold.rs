//! Hour-of-week patterns folded as the rollups are read: each check's
//! ([`Store::check_weeks`]), or summed by channel ([`Store::channel_weeks`]).
//! The cost is one pass over the window's rollup rows and no allocation per
//! row; the whole hours below the watermark are read from the hourly sums
//! where the zone's offset allows (`hourly.rs`).

use std::collections::BTreeMap;

use rusqlite::Connection;

use super::read::{Names, check_names};
use super::{SLOT_MS, Store, StoreError, hourly};
use crate::channel::Channel;
use crate::outcome::Outcome;
use crate::pattern::{CheckWeek, Clock, Week, Weeks};

impl Store {
    /// The hour-of-week pattern of every check over `[from_ms, to_ms)`, in `tz`.
    pub fn check_weeks(
        &self,
        from_ms: i64,
        to_ms: i64,
        tz: chrono_tz::Tz,
    ) -> Result<Vec<CheckWeek>, StoreError> {
        let names = self.names()?;
        let groups: Vec<Option<usize>> = names
            .iter()
            .enumerate()
            .map(|(id, n)| n.as_ref().map(|_| id))
            .collect();
        let folded = self.folded(from_ms, to_ms, tz, &groups)?;
        Ok(folded
            .weeks
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

    /// The hour-of-week pattern of every channel over `[from_ms, to_ms)`, in
    /// `tz`, summed as it is read, with the checks that have history in it:
    /// what the status page shows. At 1,000 checks a week per check, then
    /// summed, was most of a page's cost.
    pub fn channel_weeks(
        &self,
        from_ms: i64,
        to_ms: i64,
        tz: chrono_tz::Tz,
    ) -> Result<Weeks, StoreError> {
        let names = self.names()?;
        let channels: Vec<Channel> = Channel::ALL.to_vec();
        let groups: Vec<Option<usize>> = names
            .iter()
            .map(|n| {
                let (_, channel) = n.as_ref()?;
                channels.iter().position(|c| c == channel)
            })
            .collect();
        let folded = self.folded(from_ms, to_ms, tz, &groups)?;
        Ok(Weeks::PerChannel {
            weeks: channels
                .into_iter()
                .zip(folded.weeks)
                .filter_map(|(channel, week)| Some((channel, week?)))
                .collect::<BTreeMap<_, _>>(),
            checks: names
                .into_iter()
                .zip(folded.seen)
                .filter_map(|(name, seen)| name.filter(|_| seen))
                .collect(),
        })
    }

    /// Every check's (name, channel), by id.
    pub(super) fn names(&self) -> Result<Names, StoreError> {
        check_names(&self.conn).map_err(|e| self.err(e))
    }

    /// `[from_ms, to_ms)` folded into one week per group; `groups` gives each
    /// check id's group (none: passed over).
    fn folded(
        &self,
        from_ms: i64,
        to_ms: i64,
        tz: chrono_tz::Tz,
        groups: &[Option<usize>],
    ) -> Result<Folded, StoreError> {
        let (from_slot, to_slot) = (from_ms.div_euclid(SLOT_MS), to_ms.div_euclid(SLOT_MS));
        self.fold_window(from_slot, to_slot, tz, groups)
            .map_err(|e| self.err(e))
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

/// A fold's result: one week per group (indexed by group), and which check
/// ids had a row (indexed by id).
struct Folded {
    weeks: Vec<Option<Week>>,
    seen: Vec<bool>,
}

impl Folded {
    fn new(groups: &[Option<usize>]) -> Folded {
        let n = groups.iter().flatten().max().map_or(0, |g| g + 1);
        Folded {
            weeks: vec![None; n],
            seen: vec![false; groups.len()],
        }
    }

    /// Adds `more` in, group by group.
    fn merge(&mut self, more: Folded) {
        for (mine, theirs) in self.weeks.iter_mut().zip(more.weeks) {
            match (mine.as_mut(), theirs) {
                (Some(m), Some(t)) => m.merge(&t),
                (None, Some(t)) => *mine = Some(t),
                (_, None) => {}
            }
        }
        for (mine, theirs) in self.seen.iter_mut().zip(more.seen) {
            *mine |= theirs;
        }
    }
}

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
        groups: &[Option<usize>],
    ) -> rusqlite::Result<Folded> {
        let per = hourly::SLOTS_PER_HOUR;
        let first_hour = (from_slot + per - 1).div_euclid(per);
        let end_hour = to_slot.div_euclid(per).min(hourly::watermark(&self.conn)?);
        if first_hour < end_hour
            && let Some(mut weeks) = self.fold(Table::Hours, first_hour, end_hour, tz, groups)?
        {
            for (lo, hi) in [(from_slot, first_hour * per), (end_hour * per, to_slot)] {
                if let Some(edge) = self.fold(Table::Slots, lo, hi, tz, groups)? {
                    weeks.merge(edge);
                }
            }
            return Ok(weeks);
        }
        Ok(self
            .fold(Table::Slots, from_slot, to_slot, tz, groups)?
            .unwrap_or_else(|| Folded::new(groups)))
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
        groups: &[Option<usize>],
    ) -> rusqlite::Result<Option<Folded>> {
        if from >= to {
            return Ok(Some(Folded::new(groups)));
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
            return Ok(Some(Folded::new(groups)));
        };
        // Sixty days: below it, a second thread costs more than it saves.
        const SPLIT_FROM_MS: i64 = 60 * 86_400_000;
        if (hi - lo) * table.unit_ms() < SPLIT_FROM_MS {
            return fold_weeks(&self.conn, table, lo, hi + 1, tz, groups);
        }
        let mid = lo + (hi - lo) / 2;
        let second = Connection::open_with_flags(
            &self.path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .and_then(|c| c.pragma_update(None, "mmap_size", 1i64 << 30).map(|_| c))?;
        let (earlier, later) = std::thread::scope(|s| {
            let later = s.spawn(move || fold_weeks(&second, table, mid, hi + 1, tz, groups));
            (
                fold_weeks(&self.conn, table, lo, mid, tz, groups),
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
                weeks.merge(later);
                Some(weeks)
            }
            _ => None,
        })
    }
}

/// Folds the rollups of `table` keyed `[from, to)` in `tz`, each check id's
/// into its group's week (an id without a group is passed over). `None` when
/// an hourly row falls where `tz`'s offset is not whole hours.
fn fold_weeks(
    conn: &Connection,
    table: Table,
    from: i64,
    to: i64,
    tz: chrono_tz::Tz,
    groups: &[Option<usize>],
) -> rusqlite::Result<Option<Folded>> {
    let mut folded = Folded::new(groups);
    let mut clock = Clock::new(tz);
    let (name, key) = table.names();
    let unit = table.unit_ms();
    // Only what a pattern counts: throttled, unknown, maintenance and blocked count in none.
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT check_id, {key}, up, degraded, down, latency
         FROM {name} WHERE {key} >= ?1 AND {key} < ?2"
    ))?;
    let mut rows = stmt.query([from, to])?;
    // Rows come in key order, (time, check): a time's hour of the week is
    // worked out once for all the checks at it.
    let mut at: Option<(i64, usize)> = None;
    while let Some(row) = rows.next()? {
        let int = |i| {
            row.get_ref(i)
                .ok()
                .and_then(|v| v.as_i64().ok())
                .unwrap_or(0)
        };
        let Some((id, group)) = usize::try_from(int(0))
            .ok()
            .and_then(|id| Some((id, (*groups.get(id)?)?)))
        else {
            continue;
        };
        let at_ms = int(1) * unit;
        let how = match at {
            Some((ms, how)) if ms == at_ms => how,
            _ => {
                if table == Table::Hours && !clock.whole_hours(at_ms) {
                    return Ok(None);
                }
                let how = clock.hour_of_week(at_ms);
                at = Some((at_ms, how));
                how
            }
        };
        let mut counts = [0u64; Outcome::COUNT];
        counts[Outcome::Up.code()] = int(2) as u64;
        counts[Outcome::Degraded.code()] = int(3) as u64;
        counts[Outcome::Down.code()] = int(4) as u64;
        let latency = row
            .get_ref(5)
            .ok()
            .and_then(|v| v.as_blob().ok())
            .unwrap_or(&[]);
        folded.weeks[group]
            .get_or_insert_with(Default::default)
            .add_stored(how, &counts, latency);
        folded.seen[id] = true;
    }
    Ok(Some(folded))
}
