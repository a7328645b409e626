use super::*;
use chrono::TimeZone;

#[test]
fn channel_state_from_its_checks() {
    use Outcome::*;
    assert_eq!(channel_now(&[]), None);
    assert_eq!(channel_now(&[Up, Up]), Some(Up));
    assert_eq!(channel_now(&[Up, Degraded]), Some(Degraded));
    assert_eq!(channel_now(&[Up, Down]), Some(Degraded), "partly");
    assert_eq!(channel_now(&[Unknown, Down]), Some(Down));
    assert_eq!(channel_now(&[Unknown, Throttled]), Some(Throttled));
    assert_eq!(channel_now(&[Unknown]), Some(Unknown));
}

#[test]
fn when_phrases() {
    let tz = chrono_tz::Asia::Shanghai;
    // Monday 2026-11-02 01:00 in Shanghai.
    let now = tz
        .with_ymd_and_hms(2026, 11, 2, 1, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    assert_eq!(
        when(1, 6, 2, now, tz, Lang::En),
        "today 06:00–08:00, in 5 h"
    );
    assert_eq!(
        when(2, 6, 2, now, tz, Lang::En),
        "tomorrow 06:00–08:00, in 1 d 5 h"
    );
    assert_eq!(when(1, 0, 2, now, tz, Lang::En), "now, until 02:00");
    assert_eq!(
        when(4, 22, 2, now, tz, Lang::En),
        "Thursday 22:00–00:00, in 3 d 21 h"
    );
    assert_eq!(
        when(1, 0, 1, now, tz, Lang::En),
        "Monday 00:00–01:00, in 6 d 23 h"
    );
    assert_eq!(
        when(7, 23, 3, now, tz, Lang::En),
        "now, until 02:00",
        "wraps into Monday"
    );
    assert_eq!(
        when(2, 6, 2, now, tz, Lang::ZhCn),
        "明天 06:00–08:00，1 天 5 小时后"
    );
    assert_eq!(
        when(4, 22, 2, now, tz, Lang::ZhCn),
        "周四 22:00–00:00，3 天 21 小时后"
    );
}
