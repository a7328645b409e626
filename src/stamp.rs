//! [`Stamp`]: a time as the answers carry it, an instant and the zone it is
//! shown in. JSON and the feeds write it as RFC 3339 to the second in that
//! zone; the words for people are made from the time itself, never from
//! that text read back. Pure.

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;

use crate::i18n::{Lang, words};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    utc: DateTime<Utc>,
    tz: Tz,
}

impl Stamp {
    /// Unix milliseconds `ms` shown in `tz`; `None` out of chrono's range.
    pub fn from_ms(ms: i64, tz: Tz) -> Option<Stamp> {
        DateTime::<Utc>::from_timestamp_millis(ms).map(|utc| Stamp { utc, tz })
    }

    pub fn new(utc: DateTime<Utc>, tz: Tz) -> Stamp {
        Stamp { utc, tz }
    }

    pub fn utc(&self) -> DateTime<Utc> {
        self.utc
    }

    /// The time in its zone, for words.
    pub fn local(&self) -> DateTime<Tz> {
        self.utc.with_timezone(&self.tz)
    }

    pub fn ms(&self) -> i64 {
        self.utc.timestamp_millis()
    }

    /// "Tue 06:55", in its zone.
    pub fn day_time(&self, lang: Lang) -> String {
        words::day_time(lang, &self.local())
    }

    /// "Tue 06:55" within six days of `now`, "Mon 14 Dec 06:55" further away.
    pub fn near(&self, lang: Lang, now: DateTime<Utc>) -> String {
        words::near(lang, &self.local(), now)
    }

    /// RFC 3339 to the second, in its zone (`Z` for UTC).
    pub fn rfc3339(&self) -> String {
        self.local().to_rfc3339_opts(SecondsFormat::Secs, true)
    }
}

impl std::fmt::Display for Stamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.rfc3339())
    }
}

impl serde::Serialize for Stamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A literal time in a unit test's fixture: `"2026-12-03T22:10:00Z".into()`,
/// shown in UTC.
#[cfg(test)]
impl From<&str> for Stamp {
    fn from(t: &str) -> Stamp {
        let utc = DateTime::parse_from_rfc3339(t)
            .expect("a fixture's time")
            .to_utc();
        Stamp::new(utc, chrono_tz::UTC)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_to_the_second_in_its_zone() {
        let ms = 1_764_504_000_123; // 2025-11-30T12:00:00.123Z
        let utc = Stamp::from_ms(ms, chrono_tz::UTC).unwrap();
        assert_eq!(utc.rfc3339(), "2025-11-30T12:00:00Z");
        let sh = Stamp::from_ms(ms, chrono_tz::Asia::Shanghai).unwrap();
        assert_eq!(
            serde_json::to_string(&sh).unwrap(),
            "\"2025-11-30T20:00:00+08:00\""
        );
        assert_eq!(sh.ms(), ms);
    }
}
