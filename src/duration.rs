//! Durations as users write them (`500ms`, `10s`, `5m`, `2h`, `28d`): parsing and
//! printing. Pure; knows nothing of files or time zones.

use std::time::Duration;

/// Parses `<whole number><unit>` with unit `ms`, `s`, `m`, `h` or `d`.
///
/// The error is a phrase meant to follow "invalid duration": it says what was wrong.
pub fn parse(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| t!("dur-no-unit", text = text))?;
    let (number, unit) = text.split_at(split);
    if number.is_empty() {
        return Err(t!("dur-no-number", text = text));
    }
    let n: u64 = number
        .parse()
        .map_err(|_| t!("dur-too-large", text = text))?;
    let millis_per_unit: u64 = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        other => {
            return Err(t!("dur-unit", text = text, unit = other));
        }
    };
    n.checked_mul(millis_per_unit)
        .map(Duration::from_millis)
        .ok_or_else(|| t!("dur-too-large", text = text))
}

/// [`parse`], and longer than 0: a window, an interval, a timeout a person gives.
pub fn parse_positive(text: &str) -> Result<Duration, String> {
    parse(text).and_then(|d| {
        if d.is_zero() {
            Err(t!("must-be-positive"))
        } else {
            Ok(d)
        }
    })
}

/// A span the answers carry (a window of history): written as [`format`]
/// spells it in JSON, and in words for people ([`Span::words`]: "28 天").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span(pub Duration);

impl Span {
    /// The span in the reader's language, in its largest whole unit.
    pub fn words(&self, lang: crate::i18n::Lang) -> String {
        let ms = self.0.as_millis();
        let whole = |size: u128| ms > 0 && ms.is_multiple_of(size);
        if whole(86_400_000) {
            tl!(lang, "span-days", n = (ms / 86_400_000).to_string())
        } else if whole(3_600_000) {
            tl!(lang, "span-hours", n = (ms / 3_600_000).to_string())
        } else if whole(60_000) {
            tl!(lang, "span-minutes", n = (ms / 60_000).to_string())
        } else if whole(1_000) {
            tl!(lang, "span-seconds", n = (ms / 1_000).to_string())
        } else {
            tl!(lang, "span-millis", n = ms.to_string())
        }
    }
}

impl serde::Serialize for Span {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(self.0))
    }
}

/// The shortest exact spelling of `d` in the units `parse` accepts.
pub fn format(d: Duration) -> String {
    let ms = d.as_millis();
    for (unit, size) in [
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1_000),
    ] {
        if ms > 0 && ms.is_multiple_of(size) {
            return format!("{}{unit}", ms / size);
        }
    }
    format!("{ms}ms")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_unit() {
        assert_eq!(parse("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse("28d"), Ok(Duration::from_secs(28 * 86_400)));
    }

    #[test]
    fn rejects_what_is_not_a_duration() {
        for bad in [
            "",
            "10",
            "s",
            "1.5s",
            "10 sec",
            "-1s",
            "99999999999999999999d",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn format_round_trips() {
        for text in ["500ms", "10s", "5m", "2h", "28d", "1500ms", "90s"] {
            assert_eq!(format(parse(text).unwrap()), text);
        }
    }
}
