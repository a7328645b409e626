//! The next occurrence of a contact window, stepping over maintenance OKX has
//! announced, and how to say when it is ("today 06:00–08:00, in 5 h"). Pure:
//! the time and the announcements are handed in.

use chrono::{DateTime, Datelike, Duration as TimeDelta, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use crate::i18n::{Lang, words};
use crate::outcome::Maintenance;

/// How many weeks ahead an occurrence free of maintenance is looked for.
const WEEKS_AHEAD: i64 = 8;

/// One occurrence of a window, and the announced maintenance skipped to reach it.
#[derive(Debug, Clone, PartialEq)]
pub struct Occurrence {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Titles of the maintenance that overlapped the earlier occurrences.
    pub skipped: Vec<String>,
}

/// The next occurrence (the current one, while it lasts) of the window that
/// starts at ISO `weekday`/`hour` in `tz` and lasts `hours`, that no pending
/// maintenance in `maintenance` overlaps.
pub fn next_occurrence(
    weekday: u32,
    hour: u32,
    hours: usize,
    now: DateTime<Utc>,
    tz: Tz,
    maintenance: &[Maintenance],
) -> Option<Occurrence> {
    let local_now = now.with_timezone(&tz);
    let monday = local_now.date_naive()
        - TimeDelta::days(i64::from(local_now.weekday().num_days_from_monday()));
    let mut skipped = Vec::new();
    // From last week: a window that began then may still be running.
    for week in -1..=WEEKS_AHEAD {
        let date = monday + TimeDelta::days(i64::from(weekday.clamp(1, 7)) - 1 + 7 * week);
        let Some(start) = local_start(date, hour, tz) else {
            continue;
        };
        let end = start + TimeDelta::hours(hours as i64);
        if end <= now {
            continue;
        }
        let over: Vec<&Maintenance> = maintenance
            .iter()
            .filter(|m| m.state.is_pending() && overlaps(m, start, end))
            .collect();
        if over.is_empty() {
            return Some(Occurrence {
                start,
                end,
                skipped,
            });
        }
        for m in over {
            if !skipped.contains(&m.title) {
                skipped.push(m.title.clone());
            }
        }
    }
    None
}

/// `hour`:00 of `date` in `tz`; a start inside a DST gap begins when the gap ends.
fn local_start(date: NaiveDate, hour: u32, tz: Tz) -> Option<DateTime<Utc>> {
    let naive = date.and_hms_opt(hour, 0, 0)?;
    tz.from_local_datetime(&naive)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(naive + TimeDelta::hours(1)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
}

/// Whether announced maintenance `m` (open-ended without an end) meets `[start, end)`.
fn overlaps(m: &Maintenance, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
    let begin = m.begin_ms.unwrap_or(i64::MIN);
    let finish = m.end_ms.unwrap_or(i64::MAX);
    begin < end.timestamp_millis() && finish > start.timestamp_millis()
}

/// "now, until 08:00", "today 06:00–08:00, in 5 h", "tomorrow …",
/// "Wednesday …", and beyond a week "Tue 9 Dec 06:00–08:00, in 13 d 2 h".
pub fn describe(o: &Occurrence, now: DateTime<Utc>, tz: Tz, lang: Lang) -> String {
    let (start, end) = (o.start.with_timezone(&tz), o.end.with_timezone(&tz));
    let range = format!("{}–{}", start.format("%H:%M"), end.format("%H:%M"));
    if o.start <= now {
        return tl!(lang, "when-now", end = end.format("%H:%M").to_string());
    }
    let local_now = now.with_timezone(&tz);
    let wait = words::wait(lang, o.start - now);
    match (start.date_naive() - local_now.date_naive()).num_days() {
        0 => tl!(lang, "when-today", range = range, wait = wait),
        1 => tl!(lang, "when-tomorrow", range = range, wait = wait),
        days => {
            let day = if days <= 7 {
                words::weekday_long(lang, start.weekday().number_from_monday())
            } else {
                words::date_short(lang, &start)
            };
            tl!(lang, "when-day", day = day, range = range, wait = wait)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::MaintenanceState;

    fn at(y: i32, mo: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, 0, 0).unwrap()
    }

    fn upgrade(from: DateTime<Utc>, hours: i64) -> Maintenance {
        Maintenance {
            title: "Spot upgrade".into(),
            state: MaintenanceState::Scheduled,
            begin_ms: Some(from.timestamp_millis()),
            end_ms: Some((from + TimeDelta::hours(hours)).timestamp_millis()),
            service_type: None,
            system: None,
            href: None,
            maint_type: None,
        }
    }

    #[test]
    fn the_next_occurrence_and_the_one_after_a_maintenance() {
        // Wednesday 2026-12-02 10:00 UTC; the window is Monday 22:00–24:00 UTC.
        let now = at(2026, 12, 2, 10);
        let o = next_occurrence(1, 22, 2, now, Tz::UTC, &[]).unwrap();
        assert_eq!((o.start, o.end), (at(2026, 12, 7, 22), at(2026, 12, 8, 0)));
        assert!(o.skipped.is_empty());
        assert_eq!(
            describe(&o, now, Tz::UTC, Lang::En),
            "Monday 22:00–00:00, in 5 d 12 h"
        );
        let m = upgrade(at(2026, 12, 7, 21), 2);
        let o = next_occurrence(1, 22, 2, now, Tz::UTC, &[m]).unwrap();
        assert_eq!(o.start, at(2026, 12, 14, 22), "the week after");
        assert_eq!(o.skipped, vec!["Spot upgrade".to_string()]);
        // Completed maintenance is no obstacle.
        let mut done = upgrade(at(2026, 12, 7, 21), 2);
        done.state = MaintenanceState::Completed;
        assert_eq!(
            next_occurrence(1, 22, 2, now, Tz::UTC, &[done])
                .unwrap()
                .start,
            at(2026, 12, 7, 22)
        );
    }

    #[test]
    fn inside_the_window_it_is_now_and_zones_are_local() {
        let now = at(2026, 12, 7, 23);
        let o = next_occurrence(1, 22, 2, now, Tz::UTC, &[]).unwrap();
        assert_eq!(describe(&o, now, Tz::UTC, Lang::En), "now, until 00:00");
        // Tuesday 06:00 in Shanghai is Monday 22:00 UTC.
        let o =
            next_occurrence(2, 6, 2, at(2026, 12, 2, 10), chrono_tz::Asia::Shanghai, &[]).unwrap();
        assert_eq!(o.start, at(2026, 12, 7, 22));
    }
}
