//! The one way from the history to `status`'s [`Input`]: the hour-of-week
//! pattern of every check over the window, and the latest sample of each.
//! `status`, `diagnose` and the status page all read through here.

use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::Input;
use crate::channel::Channel;
use crate::pattern::Weeks;
use crate::store::{SLOT_MS, Store, StoreError};

/// How much history `status` reads unless told otherwise.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(28 * 86_400);
/// The length of a contact window, in hours, unless told otherwise.
pub const DEFAULT_SPAN: usize = 2;
/// The longest contact window: the whole week.
pub const MAX_SPAN: usize = 168;

/// Where a window of history ending at `now_ms` starts (Unix ms).
pub fn window_start(now_ms: i64, window: Duration) -> i64 {
    now_ms - i64::try_from(window.as_millis()).unwrap_or(i64::MAX / 2)
}

/// Whose hour-of-week patterns are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Patterns {
    /// Each check's, for an answer that lists each check's own history
    /// (`status`, the page's JSON).
    EachCheck,
    /// Each channel's alone, summed as they are read: what the page, its
    /// feeds and the advice need, at a fraction of the cost with many checks.
    EachChannel,
}

/// `status`'s input from `store`: the `window` before `now`, hours in `tz`;
/// `configured` are the channels of the configuration, shown even before they
/// have data.
pub fn from_store(
    store: &Store,
    configured: Vec<Channel>,
    window: Duration,
    tz: Tz,
    now: DateTime<Utc>,
    patterns: Patterns,
) -> Result<Input, StoreError> {
    let now_ms = now.timestamp_millis();
    let from = window_start(now_ms, window);
    let recent = store.channel_rollups(now_ms - 86_400_000, now_ms + SLOT_MS)?;
    Ok(Input {
        // Up to the end of the current quarter-hour, so that its samples count.
        weeks: match patterns {
            Patterns::EachCheck => {
                Weeks::PerCheck(store.check_weeks(from, now_ms + SLOT_MS, tz)?)
            }
            Patterns::EachChannel => store.channel_weeks(from, now_ms + SLOT_MS, tz)?,
        },
        latest: store.latest()?,
        configured,
        recent,
        intervals: Default::default(),
        judged: Default::default(),
    })
}
