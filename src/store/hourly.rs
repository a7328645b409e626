//! Hourly rollups: each check's quarter-hour rollups summed by UTC hour, for
//! every hour below a watermark. `status` reads a long history as a quarter of
//! the rows wherever the time zone's offset is a whole number of hours (most
//! zones, summer time included); where it is not (India's +5:30, Nepal's
//! +5:45), the quarter-hours are read, as before.
//!
//! One rule keeps them true: an hourly row exists for an hour exactly when
//! the hour is below the watermark, and it is the sum of that hour's
//! quarter-hour rows. A quarter-hour written below the watermark lowers it to
//! its hour (the hourly rows from there are dropped, [`lower`]); [`compact`]
//! sums the hours from the watermark to the last one that ended
//! [`SETTLE_MS`] ago, and raises it.

use std::collections::BTreeMap;

use rusqlite::{Connection, Transaction};

use super::rollup_row::{read_counts, write_rollup, write_rollup_sql};
use super::{COUNTS, SLOT_MS};
use crate::outcome::Outcome;
use crate::pattern::Rollup;

pub const HOUR_MS: i64 = 3_600_000;
/// Quarter-hour slots in an hour.
pub const SLOTS_PER_HOUR: i64 = HOUR_MS / SLOT_MS;
/// An hour is summed once it ended this long ago, so that a probe still
/// running at its end, or a batch written late, seldom lowers the watermark.
pub const SETTLE_MS: i64 = 10 * 60 * 1000;

/// The first hour (unix ms / [`HOUR_MS`]) without hourly rows.
pub fn watermark(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT hour FROM rollups_hourly_until", [], |r| r.get(0))
}

/// Quarter-hour rollups from `slot` on were just written: below the watermark,
/// it comes down to `slot`'s hour.
pub fn lower(tx: &Transaction, slot: i64) -> rusqlite::Result<()> {
    let hour = slot.div_euclid(SLOTS_PER_HOUR);
    if hour < watermark(tx)? {
        tx.execute("DELETE FROM rollups_hourly WHERE hour >= ?1", [hour])?;
        tx.execute("UPDATE rollups_hourly_until SET hour = ?1", [hour])?;
    }
    Ok(())
}

/// Sums every hour from the watermark up to the last one that ended
/// [`SETTLE_MS`] before `now_ms`, and raises the watermark past them.
pub fn compact(tx: &Transaction, now_ms: i64) -> rusqlite::Result<()> {
    let from = watermark(tx)?;
    let until = (now_ms - SETTLE_MS).div_euclid(HOUR_MS);
    if until <= from {
        return Ok(());
    }
    let mut read = tx.prepare(&format!(
        "SELECT check_id, slot, {COUNTS}, latency FROM rollups WHERE slot >= ?1 AND slot < ?2"
    ))?;
    let mut write = tx.prepare(&write_rollup_sql("rollups_hourly", "hour"))?;
    // Rows come in key order, (slot, check_id): one hour at a time.
    let mut hour = None;
    let mut sums: BTreeMap<i64, Rollup> = BTreeMap::new();
    let mut flush = |hour: Option<i64>, sums: &mut BTreeMap<i64, Rollup>| match hour {
        Some(h) => std::mem::take(sums)
            .iter()
            .try_for_each(|(id, sum)| write_rollup(&mut write, *id, h, sum)),
        None => Ok(()),
    };
    let mut rows = read.query([from * SLOTS_PER_HOUR, until * SLOTS_PER_HOUR])?;
    while let Some(row) = rows.next()? {
        let (id, slot): (i64, i64) = (row.get(0)?, row.get(1)?);
        let this = slot.div_euclid(SLOTS_PER_HOUR);
        if hour != Some(this) {
            flush(hour, &mut sums)?;
            hour = Some(this);
        }
        let latency = row.get_ref(2 + Outcome::COUNT)?;
        sums.entry(id)
            .or_default()
            .add_stored(read_counts(row, 2)?, latency.as_blob().unwrap_or_default());
    }
    flush(hour, &mut sums)?;
    tx.execute("UPDATE rollups_hourly_until SET hour = ?1", [until])?;
    Ok(())
}
