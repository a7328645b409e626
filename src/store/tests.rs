//! The store's own tests: schema, imports, rollups and their sums.

use super::*;
use crate::outcome::Outcome;

#[test]
fn the_count_columns_follow_the_outcome_codes() {
    let names: Vec<&str> = Outcome::ALL.iter().map(|o| o.as_str()).collect();
    assert_eq!(COUNTS, names.join(", "));
    assert_eq!(ALL_COUNTS, names.join(" + "));
    assert_eq!(NOT_UP_COUNTS, names[1..].join(" + "));
}
use crate::sample::Sample;

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
    assert_foreign_keys_hold(&store);
    // The id cache was cleared with the rollback: the same check imports fine now.
    assert_eq!(
        store
            .import(format!("{good}\n").as_bytes(), "in.jsonl")
            .unwrap()
            .new,
        1
    );
    assert_eq!(store.rollups(0, i64::MAX / 2).unwrap().len(), 1);
    assert_foreign_keys_hold(&store);
}

/// The import checks no foreign key row by row: after it, whether it
/// failed or not, they are enforced again, and every row it wrote has its check.
fn assert_foreign_keys_hold(store: &Store) {
    let on: i64 = store
        .conn
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(on, 1);
    let broken: i64 = store
        .conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(broken, 0);
}

/// The rollups counted afresh from the raw samples, by (check, slot start).
fn rebuilt(store: &Store) -> Vec<(String, i64, crate::pattern::Rollup)> {
    let mut out = Vec::new();
    store.export(&mut out).unwrap();
    let mut by: std::collections::BTreeMap<(String, i64), crate::pattern::Rollup> =
        Default::default();
    for line in String::from_utf8(out).unwrap().lines() {
        let s = jsonl::parse_line(line).unwrap();
        by.entry((s.check, s.ts_ms.div_euclid(SLOT_MS) * SLOT_MS))
            .or_default()
            .add(s.outcome, s.latency_us);
    }
    by.into_iter().map(|((c, slot), r)| (c, slot, r)).collect()
}

fn stored(store: &Store) -> Vec<(String, i64, crate::pattern::Rollup)> {
    let mut v: Vec<_> = store
        .rollups(0, i64::MAX / 2)
        .unwrap()
        .into_iter()
        .map(|(c, _, slot, r)| (c, slot, r))
        .collect();
    v.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    v
}

fn lines(from_min: i64, to_min: i64) -> String {
    (from_min..to_min)
        .map(|m| {
            let ts = chrono::DateTime::from_timestamp(1_793_000_000 + m * 60, 0).unwrap();
            let (outcome, latency) = if m % 5 == 0 { ("down", "null") } else { ("up", "120.5") };
            format!(
                "{{\"ts\":\"{}\",\"check\":\"chat\",\"channel\":\"chat\",\"outcome\":\"{outcome}\",\"latency_ms\":{latency}}}\n",
                ts.to_rfc3339()
            )
        })
        .collect()
}

#[test]
fn importing_twice_or_overlapping_stores_each_sample_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("t.db")).unwrap();
    let first = store.import(lines(0, 100).as_bytes(), "a").unwrap();
    assert_eq!((first.new, first.already), (100, 0));
    let again = store.import(lines(0, 100).as_bytes(), "a").unwrap();
    assert_eq!((again.new, again.already), (0, 100));
    let overlap = store.import(lines(50, 150).as_bytes(), "b").unwrap();
    assert_eq!((overlap.new, overlap.already), (50, 50));
    assert_eq!(store.sample_count().unwrap(), 150);
    assert_eq!(
        stored(&store),
        rebuilt(&store),
        "rollups match the raw samples"
    );
    let total: u64 = stored(&store)
        .iter()
        .map(|r| r.2.counts.iter().sum::<u64>())
        .sum();
    assert_eq!(total, 150);
    assert_foreign_keys_hold(&store);
}

/// Samples of two checks from `start`, every `step_ms`, for `days`.
fn history(start: i64, days: i64, step_ms: i64) -> Vec<Sample> {
    (0..days * 86_400_000 / step_ms)
        .map(|i| {
            let outcome = match i % 11 {
                0 => Outcome::Down,
                1 => Outcome::Degraded,
                2 => Outcome::Throttled,
                _ => Outcome::Up,
            };
            let check = if i % 3 == 0 { "chat" } else { "mail" };
            sample(start + i * step_ms, check, outcome, Some(40 + i * 37 % 900))
        })
        .collect()
}

#[test]
fn hours_summed_below_the_watermark_read_as_their_quarter_hours() {
    let dir = tempfile::tempdir().unwrap();
    let mut summed = Store::open(&dir.path().join("summed.db")).unwrap();
    let mut plain = Store::open(&dir.path().join("plain.db")).unwrap();
    // 70 days across the end of summer time in Europe and America (long
    // enough to be folded in two halves), a sample every 11 minutes.
    let start = 1_790_000_000_000i64;
    let end = start + 70 * 86_400_000;
    let samples = history(start, 70, 660_000);
    for store in [&mut summed, &mut plain] {
        store.insert(&samples).unwrap();
    }
    summed.compact_hours(end + 86_400_000).unwrap();
    assert!(hourly::watermark(&summed.conn).unwrap() * hourly::HOUR_MS >= end);
    assert!(
        hourly::watermark(&plain.conn).unwrap() <= start.div_euclid(hourly::HOUR_MS),
        "the samples came below a new database's watermark and lowered it"
    );
    let zones = [
        chrono_tz::Asia::Shanghai,
        chrono_tz::Europe::Berlin,
        chrono_tz::America::New_York,
        chrono_tz::Asia::Kolkata,
        chrono_tz::Asia::Kathmandu,
        chrono_tz::Australia::Lord_Howe,
    ];
    // Whole windows, and windows that begin and end inside an hour.
    let windows = [(start, end), (start + 420_000 + 7, end - 1_000_003)];
    let same = |summed: &Store, plain: &Store| {
        for tz in zones {
            for (from, to) in windows {
                let weeks = summed.check_weeks(from, to, tz).unwrap();
                assert_eq!(weeks.len(), 2);
                assert_eq!(weeks, plain.check_weeks(from, to, tz).unwrap(), "{tz}");
            }
        }
    };
    same(&summed, &plain);
    // A sample written late, below the watermark, lowers it to its hour;
    // summing again raises it.
    let late = start + 5 * 86_400_000 + 60_000;
    for store in [&mut summed, &mut plain] {
        store
            .insert(&[sample(late, "chat", Outcome::Down, None)])
            .unwrap();
    }
    assert_eq!(
        hourly::watermark(&summed.conn).unwrap(),
        late.div_euclid(hourly::HOUR_MS)
    );
    same(&summed, &plain);
    summed.compact_hours(end + 86_400_000).unwrap();
    assert!(hourly::watermark(&summed.conn).unwrap() * hourly::HOUR_MS >= end);
    same(&summed, &plain);
}

/// A database as an older okx-monitor left it, at schema `version` (before
/// the hourly sums), written through this version's store.
fn store_at_version(path: &std::path::Path, version: usize) -> Store {
    let mut conn = Connection::open(path).unwrap();
    schema::migrate_to(&mut conn, path, version).unwrap();
    Store {
        conn,
        path: path.to_path_buf(),
        ids: HashMap::new(),
        hourly: false,
        incident_rules: Default::default(),
    }
}

#[test]
fn a_database_with_copies_from_old_imports_is_repaired_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        // A database of schema version 3, where imports stored copies.
        let mut store = store_at_version(&path, 3);
        store.import(lines(0, 60).as_bytes(), "a").unwrap();
        store.import(lines(0, 60).as_bytes(), "a").unwrap();
        assert_eq!(store.sample_count().unwrap(), 120, "version 3 kept copies");
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.sample_count().unwrap(), 60);
    assert_eq!(stored(&store), rebuilt(&store));
}

#[test]
fn a_database_of_the_previous_layout_keeps_every_sample_in_the_compact_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v5.db");
    let before = {
        // Schema version 5 as the previous okx-monitor wrote it: a rowid
        // table, NULL for no latency, an identity index beside it.
        let mut store = store_at_version(&path, 5);
        store.import(lines(0, 300).as_bytes(), "a").unwrap();
        store
            .conn
            .execute(
                "UPDATE samples SET latency_us = NULL WHERE latency_us = -1",
                [],
            )
            .unwrap();
        let mut out = Vec::new();
        store.export(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    assert!(
        before.contains("\"latency_ms\":null"),
        "some samples without latency"
    );
    let store = Store::open(&path).unwrap();
    let version: i64 = store
        .conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 8);
    assert!(
        store.conn.prepare("SELECT rowid FROM samples").is_err(),
        "a table without rowid"
    );
    let mut out = Vec::new();
    store.export(&mut out).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        before,
        "every sample, as it was"
    );
    assert_eq!(store.sample_count().unwrap(), 300);
    assert_eq!(stored(&store), rebuilt(&store));
    // Every hour that ended is summed, as the quarter-hours say.
    assert!(
        hourly::watermark(&store.conn).unwrap() * hourly::HOUR_MS
            > 1_793_000_000_000 + 300 * 60_000
    );
    let (from, to) = (1_792_990_000_000, 1_793_100_000_000);
    let hours: u64 = store
        .conn
        .query_row("SELECT sum(up + down) FROM rollups_hourly", [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap() as u64;
    assert_eq!(hours, 300);
    assert!(
        !store
            .check_weeks(from, to, chrono_tz::UTC)
            .unwrap()
            .is_empty()
    );
}
