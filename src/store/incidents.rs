//! The incidents as the history keeps them: one row per incident, written as
//! it opens, changes and closes; read newest first; derived again from the
//! samples (replayed through [`Tracker`]) after an import and when the daemon
//! starts, so that what is stored is always what the samples say.

use rusqlite::{Connection, params};

use super::replay::{self, InTimeOrder};
use super::{Store, StoreError};
use crate::channel::Channel;
use crate::incident::{CheckPart, FORGET_MS, Incident, Rules, Tracker};
use crate::reason::Reason;

/// Migration 8.
pub const SCHEMA: &str = "CREATE TABLE incidents (
        channel TEXT NOT NULL,
        start_ms INTEGER NOT NULL,
        end_ms INTEGER,
        state TEXT NOT NULL,
        checks TEXT NOT NULL,
        PRIMARY KEY (channel, start_ms)
    ) WITHOUT ROWID;
    CREATE INDEX incidents_by_end ON incidents (end_ms);";

/// Writes (or rewrites) `incidents`, in the caller's transaction.
pub(super) fn save(conn: &Connection, incidents: &[Incident]) -> rusqlite::Result<()> {
    if incidents.is_empty() {
        return Ok(());
    }
    let mut save = conn.prepare_cached(
        "INSERT OR REPLACE INTO incidents (channel, start_ms, end_ms, state, checks)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for i in incidents {
        let checks = serde_json::to_string(&i.checks).unwrap_or_else(|_| "[]".into());
        save.execute(params![
            i.channel.as_str(),
            i.start_ms,
            i.end_ms,
            i.state.as_str(),
            checks
        ])?;
    }
    Ok(())
}

/// Incidents open now or ended at or after `from_ms`, newest first.
fn read(conn: &Connection, from_ms: i64) -> rusqlite::Result<Vec<Incident>> {
    let mut stmt = conn.prepare_cached(
        "SELECT channel, start_ms, end_ms, state, checks FROM incidents
         WHERE end_ms IS NULL OR end_ms >= ?1 ORDER BY start_ms DESC, channel",
    )?;
    let rows = stmt.query_map([from_ms], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, Option<i64>>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (channel, start_ms, end_ms, state, checks) = row?;
        // A row this program did not write is skipped, not a failure of the page.
        let (Ok(channel), Ok(state)) = (channel.parse(), state.parse()) else {
            continue;
        };
        out.push(Incident {
            channel,
            state,
            start_ms,
            end_ms,
            checks: parts(&checks),
        });
    }
    Ok(out)
}

/// The checks of a stored incident, from their JSON.
fn parts(json: &str) -> Vec<CheckPart> {
    let Ok(serde_json::Value::Array(items)) = serde_json::from_str(json) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|v| {
            Some(CheckPart {
                check: v.get("check")?.as_str()?.to_string(),
                outcome: v.get("outcome")?.as_str()?.parse().ok()?,
                reason: v.get("reason").and_then(Reason::from_json),
            })
        })
        .collect()
}

/// Derives the incidents again from the samples from about `from_ms` on:
/// every stored incident that ends at or after `from_ms` (or is open) is
/// replaced by what the samples say. Returns the tracker as the last sample
/// left it, for the daemon to go on with.
pub(super) fn rebuild(conn: &Connection, from_ms: i64, rules: Rules) -> rusqlite::Result<Tracker> {
    // Start before every incident that reaches `from_ms`, so none is cut in two.
    let earliest: Option<i64> = conn.query_row(
        "SELECT min(start_ms) FROM incidents WHERE end_ms IS NULL OR end_ms >= ?1",
        [from_ms],
        |r| r.get(0),
    )?;
    let from_ms = earliest.map_or(from_ms, |e| e.min(from_ms));
    conn.execute(
        "DELETE FROM incidents WHERE end_ms IS NULL OR end_ms >= ?1",
        [from_ms],
    )?;
    let mut tracker = Tracker::new(rules);
    // A lead-in gives the checks' streaks; what it opens before `from_ms` is
    // stored already (it ended before `from_ms`) and is not written again.
    let mut changed: std::collections::BTreeMap<(Channel, i64), Incident> = Default::default();
    let checks = replay::checks(conn)?;
    let mut statements = replay::statements(conn, checks.len())?;
    let mut samples =
        InTimeOrder::new(&checks, &mut statements, from_ms.saturating_sub(FORGET_MS))?;
    while let Some((check, s)) = samples.next()? {
        let (_, name, channel) = &checks[check];
        let reason = s
            .detail
            .and_then(|d| serde_json::from_str::<serde_json::Value>(&d).ok())
            .and_then(|d| Reason::from_json(d.get("reason")?));
        if let Some(i) = tracker.observe(name, *channel, s.outcome, reason.as_ref(), s.ts_ms)
            && i.start_ms >= from_ms
        {
            changed.insert(i.key(), i);
        }
    }
    let changed: Vec<Incident> = changed.into_values().collect();
    save(conn, &changed)?;
    Ok(tracker)
}

impl Store {
    /// Incidents open now or ended at or after `from_ms`, newest first.
    pub fn incidents(&self, from_ms: i64) -> Result<Vec<Incident>, StoreError> {
        read(&self.conn, from_ms).map_err(|e| self.err(e))
    }

    /// Derives the incidents from `from_ms` on again from the samples (see
    /// [`rebuild`]), in one transaction; returns the tracker the samples left.
    pub fn rebuild_incidents(&mut self, from_ms: i64, rules: Rules) -> Result<Tracker, StoreError> {
        let result = (|| {
            let tx = self.conn.transaction()?;
            let tracker = rebuild(&tx, from_ms, rules)?;
            tx.commit()?;
            Ok(tracker)
        })();
        result.map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channel::Channel;
    use crate::outcome::Outcome;
    use crate::sample::Sample;

    fn sample(ts_ms: i64, outcome: Outcome) -> Sample {
        Sample {
            ts_ms,
            check: "chat-page".into(),
            channel: Channel::Chat,
            outcome,
            latency_us: outcome.is_success().then_some(1000),
            dns_us: None,
            connect_us: None,
            first_byte_us: None,
            http_status: None,
            detail: (!outcome.is_success())
                .then(|| r#"{"reason":"connection refused"}"#.to_string()),
        }
    }

    #[test]
    fn incidents_are_derived_from_the_samples_kept_and_rebuilt_alike() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("h.db")).unwrap();
        use Outcome::*;
        let outcomes = [Up, Down, Down, Down, Up, Up, Up, Down, Down];
        let samples: Vec<Sample> = outcomes
            .iter()
            .enumerate()
            .map(|(i, o)| sample(1_000_000 + i as i64 * 60_000, *o))
            .collect();
        store.insert(&samples).unwrap();
        let tracker = store.rebuild_incidents(0, Rules::default()).unwrap();
        let found = store.incidents(0).unwrap();
        assert_eq!(found.len(), 2, "{found:?}");
        let (open, closed) = (&found[0], &found[1]);
        assert_eq!(open.end_ms, None);
        assert_eq!(open.start_ms, 1_000_000 + 7 * 60_000);
        assert_eq!(closed.start_ms, 1_000_000 + 60_000);
        assert_eq!(closed.end_ms, Some(1_000_000 + 4 * 60_000));
        assert_eq!(
            closed.checks[0].reason.as_ref().map(|r| r.to_string()),
            Some("connection refused".to_string())
        );
        assert_eq!(tracker.open().count(), 1, "the tracker goes on from here");
        // Rebuilt again from the middle: the same two, once each.
        store
            .rebuild_incidents(1_000_000 + 3 * 60_000, Rules::default())
            .unwrap();
        assert_eq!(store.incidents(0).unwrap(), found);
        // A window that starts after the closed one ended lists the open one alone.
        assert_eq!(store.incidents(1_000_000 + 5 * 60_000).unwrap().len(), 1);
    }
}
