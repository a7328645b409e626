//! When checks run: the next time of a cron schedule in a time zone, a small
//! per-check jitter. Pure but for [`system_tz`], which reads the environment.

use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::config::Check;

/// The first time of `check`'s schedule strictly after `after`, in `tz`.
pub fn next_run(check: &Check, tz: Tz, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    check
        .schedule
        .cron
        .after(&after.with_timezone(&tz))
        .next()
        .map(|t| t.with_timezone(&Utc))
}

/// The longest gap between `check`'s next few runs after `now`: how often it
/// is probed at the least (pure).
pub fn interval(check: &Check, tz: Tz, now: DateTime<Utc>) -> Duration {
    let times: Vec<DateTime<Tz>> = check
        .schedule
        .cron
        .after(&now.with_timezone(&tz))
        .take(8)
        .collect();
    times
        .windows(2)
        .filter_map(|w| (w[1] - w[0]).to_std().ok())
        .max()
        .unwrap_or(Duration::ZERO)
}

/// Each channel's longest probe interval among `checks` (pure).
pub fn channel_intervals(
    checks: &[Check],
    tz: Tz,
    now: DateTime<Utc>,
) -> std::collections::BTreeMap<crate::channel::Channel, Duration> {
    let mut out = std::collections::BTreeMap::new();
    for c in checks {
        let i = interval(c, tz, now);
        out.entry(c.channel)
            .and_modify(|d: &mut Duration| *d = (*d).max(i))
            .or_insert(i);
    }
    out
}

/// Jitter comes in steps of this much: checks in one step start together, so
/// one wake-up of the scheduler starts several probes (each wake-up costs more
/// CPU than a probe's own work), while the steps still spread a second's checks.
pub const JITTER_STEP: Duration = Duration::from_millis(10);

/// A fixed offset for `check`, so that checks sharing a second do not hit one
/// host in a burst: a hash of its name, below a quarter of its period and 1 s,
/// in whole [`JITTER_STEP`]s.
pub fn jitter(check: &Check, tz: Tz, now: DateTime<Utc>) -> Duration {
    let mut times = check.schedule.cron.after(&now.with_timezone(&tz));
    let period = match (times.next(), times.next()) {
        (Some(a), Some(b)) => (b - a).to_std().unwrap_or(Duration::ZERO),
        _ => Duration::ZERO,
    };
    let steps =
        ((period / 4).min(Duration::from_secs(1)).as_millis() / JITTER_STEP.as_millis()) as u64;
    if steps == 0 {
        return Duration::ZERO;
    }
    JITTER_STEP * (fnv1a(check.name.as_bytes()) % steps) as u32
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The system's time zone: `TZ`, else `/etc/localtime`'s zone name, else UTC.
pub fn system_tz() -> Tz {
    let from_env = std::env::var("TZ")
        .ok()
        .and_then(|t| t.trim_start_matches(':').parse::<Tz>().ok());
    from_env
        .or_else(|| {
            let link = std::fs::read_link("/etc/localtime").ok()?;
            let s = link.to_string_lossy();
            let name = s.split("zoneinfo/").nth(1)?;
            name.parse::<Tz>().ok()
        })
        .or_else(|| {
            std::fs::read_to_string("/etc/timezone")
                .ok()?
                .trim()
                .parse::<Tz>()
                .ok()
        })
        .unwrap_or(Tz::UTC)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn check(schedule: &str) -> Check {
        let toml = format!(
            "[[check]]\nname = \"help-center\"\nchannel = \"help_center\"\nkind = \"http\"\nurl = \"https://WWW.okx.com/help\"\nschedule = \"{schedule}\"\n"
        );
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("c.toml"), toml).unwrap();
        crate::config::load(dir.path()).unwrap().checks.remove(0)
    }

    #[test]
    fn next_run_follows_the_time_zone() {
        // Every day at 06:00 in Shanghai is 22:00 UTC the day before.
        let c = check("0 0 6 * * *");
        let now = Utc.with_ymd_and_hms(2026, 11, 2, 12, 0, 0).unwrap();
        let next = next_run(&c, chrono_tz::Asia::Shanghai, now).unwrap();
        assert_eq!(next, Utc.with_ymd_and_hms(2026, 11, 2, 22, 0, 0).unwrap());
        let next = next_run(&c, Tz::UTC, now).unwrap();
        assert_eq!(next, Utc.with_ymd_and_hms(2026, 11, 3, 6, 0, 0).unwrap());
    }

    #[test]
    fn jitter_is_bounded_by_the_period() {
        let now = Utc.with_ymd_and_hms(2026, 11, 2, 12, 0, 0).unwrap();
        assert!(jitter(&check("* * * * * *"), Tz::UTC, now) < Duration::from_millis(250));
        assert!(jitter(&check("0 */5 * * * *"), Tz::UTC, now) < Duration::from_secs(1));
        let a = jitter(&check("0 */5 * * * *"), Tz::UTC, now);
        assert_eq!(a, jitter(&check("0 */5 * * * *"), Tz::UTC, now), "stable");
    }

    #[test]
    fn host_is_lower_case() {
        assert_eq!(check("0 * * * * *").host(), "www.okx.com");
    }
}
