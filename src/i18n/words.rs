//! Dates, times, waits and table columns in a language's words: "Tue 06:55" /
//! "周二 06:55", "in 3 d 4 h" / "3 天 4 小时后", and text measured in the
//! columns a terminal gives it (a Han character takes two).

use chrono::{DateTime, Datelike, TimeZone};
use unicode_width::UnicodeWidthStr;

use super::Lang;

/// Monday is 1, Sunday 7 (ISO 8601).
pub fn weekday_short(lang: Lang, day: u32) -> String {
    let id = [
        "day-short-1",
        "day-short-2",
        "day-short-3",
        "day-short-4",
        "day-short-5",
        "day-short-6",
        "day-short-7",
    ];
    lang.tr(id[(day.clamp(1, 7) - 1) as usize], &[])
}

/// Monday is 1, Sunday 7 (ISO 8601).
pub fn weekday_long(lang: Lang, day: u32) -> String {
    let id = [
        "day-long-1",
        "day-long-2",
        "day-long-3",
        "day-long-4",
        "day-long-5",
        "day-long-6",
        "day-long-7",
    ];
    lang.tr(id[(day.clamp(1, 7) - 1) as usize], &[])
}

/// "Tue 06:55".
pub fn day_time<Tz: TimeZone>(lang: Lang, t: &DateTime<Tz>) -> String
where
    Tz::Offset: std::fmt::Display,
{
    tl!(
        lang,
        "day-time",
        day = weekday_short(lang, t.weekday().number_from_monday()),
        time = t.format("%H:%M").to_string()
    )
}

/// "Mon 14 Dec" / "12月14日 周一".
pub fn date_short<Tz: TimeZone>(lang: Lang, t: &DateTime<Tz>) -> String {
    let months = [
        "month-1", "month-2", "month-3", "month-4", "month-5", "month-6", "month-7", "month-8",
        "month-9", "month-10", "month-11", "month-12",
    ];
    tl!(
        lang,
        "date-short",
        weekday = weekday_short(lang, t.weekday().number_from_monday()),
        day = t.day().to_string(),
        month = lang.tr(months[(t.month0() as usize).min(11)], &[])
    )
}

/// A week's window: "Tue 14:00–16:00 (100.0%)".
pub fn window(lang: Lang, weekday: u32, hour: u32, hours: usize, availability: f64) -> String {
    tl!(
        lang,
        "window",
        day = weekday_short(lang, weekday),
        from = format!("{hour:02}:00"),
        to = format!("{:02}:00", (hour as usize + hours) % 24),
        percent = format!("{:.1}", availability * 100.0)
    )
}

/// How long until something: "in 3 d 4 h", "in 5 h", "in 20 min".
pub fn wait(lang: Lang, wait: chrono::TimeDelta) -> String {
    let (h, m) = (wait.num_hours(), wait.num_minutes() % 60);
    if h >= 24 {
        tl!(lang, "wait-days", days = h / 24, hours = h % 24)
    } else if h >= 1 {
        tl!(lang, "wait-hours", hours = h)
    } else {
        tl!(lang, "wait-minutes", minutes = m)
    }
}

/// A span of seconds a person waits: "45 s", "3 min".
pub fn seconds(lang: Lang, secs: f64) -> String {
    if secs < 90.0 {
        tl!(lang, "seconds", n = format!("{secs:.0}"))
    } else {
        tl!(lang, "minutes", n = format!("{:.0}", (secs / 60.0).ceil()))
    }
}

/// How long something lasted: "45 s", "12 min", "3 h 5 min", "2 d 4 h".
pub fn duration(lang: Lang, secs: i64) -> String {
    let secs = secs.max(0);
    let (m, h) = (secs / 60, secs / 3600);
    if secs < 90 {
        tl!(lang, "seconds", n = secs.to_string())
    } else if m < 90 {
        tl!(lang, "minutes", n = m.to_string())
    } else if h < 48 {
        tl!(lang, "lasted-hours", hours = h, minutes = m % 60)
    } else {
        tl!(lang, "lasted-days", days = h / 24, hours = h % 24)
    }
}

/// A time as a person reads it at `now`: "Tue 06:55" within six days,
/// "Mon 14 Dec 06:55" further away (a weekday alone would be ambiguous).
pub fn near<Tz: TimeZone>(lang: Lang, t: &DateTime<Tz>, now: DateTime<chrono::Utc>) -> String
where
    Tz::Offset: std::fmt::Display,
{
    if (now - t.with_timezone(&chrono::Utc)).num_seconds().abs() > 6 * 86_400 {
        tl!(
            lang,
            "date-time",
            date = date_short(lang, t),
            time = t.format("%H:%M").to_string()
        )
    } else {
        day_time(lang, t)
    }
}

/// Items of a list, joined as the language does: "a, b" / "a、b".
pub fn list(lang: Lang, items: &[String]) -> String {
    items.join(&lang.tr("list-sep", &[]))
}

/// "386 ms".
pub fn millis(lang: Lang, ms: f64) -> String {
    tl!(lang, "milliseconds", n = format!("{ms:.0}"))
}

/// The columns `text` takes in a terminal: a Han character two, a combining
/// mark none.
pub fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// `text` padded with spaces to `columns` terminal columns.
pub fn pad(text: &str, columns: usize) -> String {
    let mut out = text.to_string();
    out.extend(std::iter::repeat_n(
        ' ',
        columns.saturating_sub(width(text)),
    ));
    out
}

/// A time in milliseconds since the epoch as "Tue 06:55" in `tz`.
pub fn ms_day_time(lang: Lang, ms: i64, tz: chrono_tz::Tz) -> String {
    DateTime::<chrono::Utc>::from_timestamp_millis(ms)
        .map(|t| day_time(lang, &t.with_timezone(&tz)))
        .unwrap_or_default()
}
