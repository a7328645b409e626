//! One rollup row in and out of SQL, for every table of rollups (the
//! quarter-hours and the hourly sums): the counts of [`COUNTS`] in the order
//! of [`Outcome::code`], then the encoded latency histogram.

use super::COUNTS;
use crate::histogram::Histogram;
use crate::outcome::Outcome;
use crate::pattern::Rollup;

/// The statement that writes one rollup row of `table` (keyed by check and
/// `key`: `slot` or `hour`), whole.
pub fn write_rollup_sql(table: &str, key: &str) -> String {
    let values: Vec<String> = (1..=Outcome::COUNT + 3).map(|i| format!("?{i}")).collect();
    format!(
        "INSERT OR REPLACE INTO {table} (check_id, {key}, {COUNTS}, latency) VALUES ({})",
        values.join(", ")
    )
}

/// Writes the rollup of check `id` at `key` through [`write_rollup_sql`]; the
/// count columns are in the order of [`Outcome::code`].
pub fn write_rollup(
    write: &mut rusqlite::Statement<'_>,
    id: i64,
    key: i64,
    rollup: &Rollup,
) -> rusqlite::Result<()> {
    let counts = rollup.counts.map(|n| n as i64);
    let latency = rollup.latency.encode();
    let mut values: Vec<&dyn rusqlite::ToSql> = vec![&id, &key];
    values.extend(counts.iter().map(|c| c as &dyn rusqlite::ToSql));
    values.push(&latency);
    write.execute(values.as_slice())?;
    Ok(())
}

/// The rollup in a row's columns from `first` on: the counts of [`COUNTS`],
/// then the encoded latency histogram.
pub fn read_rollup(row: &rusqlite::Row<'_>, first: usize) -> rusqlite::Result<Rollup> {
    let counts = read_counts(row, first)?;
    let blob: Vec<u8> = row.get(first + Outcome::COUNT)?;
    Ok(Rollup {
        counts,
        latency: Histogram::decode(&blob).unwrap_or_default(),
    })
}

/// The counts of [`COUNTS`] in a row's columns from `first` on, indexed by
/// [`Outcome::code`].
pub fn read_counts(
    row: &rusqlite::Row<'_>,
    first: usize,
) -> rusqlite::Result<[u64; Outcome::COUNT]> {
    let mut counts = [0u64; Outcome::COUNT];
    for (i, c) in counts.iter_mut().enumerate() {
        *c = row.get::<_, i64>(first + i)? as u64;
    }
    Ok(counts)
}
