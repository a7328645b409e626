//! Incidents: a channel's span of being down, blocked or throttled, judged
//! from its probes with the same counts the notices use. Pure: the
//! [`Tracker`] is fed samples in time order and says which incident opened,
//! changed or closed; the store keeps what it says, the pages show it.
//!
//! A channel's incident opens when every check of it has failed `after` times
//! in a row (down, blocked or throttled), and starts at the first failed probe
//! of the run that opened it (the latest of its checks' first failures). It
//! closes when one of its checks has answered (up or degraded) `recover_after`
//! times in a row, and ends at the first good probe of that run. `unknown`
//! (this machine's network, or a closed path) and `maintenance` move nothing.
//! A check that has not reported for [`FORGET_MS`] no longer counts, so a
//! check taken out of the configuration does not hold its channel's
//! incidents back forever. The control channel has none.

use std::collections::{BTreeMap, VecDeque};

use serde::Serialize;

use crate::channel::Channel;
use crate::outcome::Outcome;
use crate::reason::Reason;

/// A check silent for this long no longer counts among its channel's.
pub const FORGET_MS: i64 = 6 * 3600 * 1000;

/// Closed incidents kept in memory, newest last, for the pages' "now".
const RECENT_KEPT: usize = 64;

/// The counts that open and close an incident (the notices' `after` and
/// `recover_after`); its default is theirs too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    pub after: u32,
    pub recover_after: u32,
}

impl Default for Rules {
    fn default() -> Rules {
        Rules {
            after: 2,
            recover_after: 2,
        }
    }
}

/// One check's part in an incident: how its last failed probe ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckPart {
    pub check: String,
    pub outcome: Outcome,
    /// Why it failed (with a peer's words; shown escaped).
    pub reason: Option<Reason>,
}

/// A channel's span of being down, blocked or throttled.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Incident {
    pub channel: Channel,
    /// The worst of its checks' failures while it lasted: down, then blocked, then throttled.
    pub state: Outcome,
    pub start_ms: i64,
    /// `None` while it lasts.
    pub end_ms: Option<i64>,
    pub checks: Vec<CheckPart>,
}

impl Incident {
    /// Its identity: a channel has at most one incident starting at an instant.
    pub fn key(&self) -> (Channel, i64) {
        (self.channel, self.start_ms)
    }

    /// How long it lasted, or has lasted by `now_ms` while open.
    pub fn duration_ms(&self, now_ms: i64) -> i64 {
        (self.end_ms.unwrap_or(now_ms) - self.start_ms).max(0)
    }
}

/// Statuspage's impact of an incident in `state`: a channel refused outright
/// or gone is major; one that rate-limits us is minor.
pub fn impact(state: Outcome) -> &'static str {
    if state == Outcome::Throttled {
        "minor"
    } else {
        "major"
    }
}

/// Whether an outcome counts against a channel.
fn is_failure(o: Outcome) -> bool {
    matches!(o, Outcome::Down | Outcome::Blocked | Outcome::Throttled)
}

/// Down before blocked before throttled: the worse of two failures.
fn severity(o: Outcome) -> u8 {
    match o {
        Outcome::Down => 3,
        Outcome::Blocked => 2,
        Outcome::Throttled => 1,
        _ => 0,
    }
}

#[derive(Debug, Clone, Default)]
struct Streak {
    fails: u32,
    goods: u32,
    failing_since: Option<i64>,
    good_since: Option<i64>,
    last_ms: i64,
    last_failure: Option<CheckPart>,
}

#[derive(Debug, Clone, Default)]
struct ChannelTrack {
    checks: BTreeMap<String, Streak>,
    open: Option<Incident>,
}

/// The incidents of every channel as probes come in (pure).
#[derive(Debug, Clone, Default)]
pub struct Tracker {
    rules: Rules,
    channels: BTreeMap<Channel, ChannelTrack>,
    recent: VecDeque<Incident>,
}

impl Tracker {
    pub fn new(rules: Rules) -> Tracker {
        Tracker {
            rules,
            ..Tracker::default()
        }
    }

    /// Takes in one probe; returns the incident it opened, changed or closed
    /// (as it now stands), if any.
    pub fn observe(
        &mut self,
        check: &str,
        channel: Channel,
        outcome: Outcome,
        reason: Option<&Reason>,
        at_ms: i64,
    ) -> Option<Incident> {
        if channel == Channel::Control || !(is_failure(outcome) || outcome.is_success()) {
            return None;
        }
        let rules = self.rules;
        let track = self.channels.entry(channel).or_default();
        track
            .checks
            .retain(|name, s| name == check || at_ms - s.last_ms <= FORGET_MS);
        let streak = track.checks.entry(check.to_string()).or_default();
        streak.last_ms = streak.last_ms.max(at_ms);
        if outcome.is_success() {
            streak.goods += 1;
            streak.fails = 0;
            streak.failing_since = None;
            let good_since = *streak.good_since.get_or_insert(at_ms);
            if streak.goods >= rules.recover_after
                && let Some(mut closed) = track.open.take()
            {
                closed.end_ms = Some(good_since.max(closed.start_ms));
                self.recent.push_back(closed.clone());
                while self.recent.len() > RECENT_KEPT {
                    self.recent.pop_front();
                }
                return Some(closed);
            }
            return None;
        }
        streak.fails += 1;
        streak.goods = 0;
        streak.good_since = None;
        streak.failing_since.get_or_insert(at_ms);
        streak.last_failure = Some(CheckPart {
            check: check.to_string(),
            outcome,
            reason: reason.cloned(),
        });
        let parts: Vec<CheckPart> = track
            .checks
            .values()
            .filter_map(|s| s.last_failure.clone().filter(|_| s.fails > 0))
            .collect();
        let worst = parts
            .iter()
            .map(|p| p.outcome)
            .max_by_key(|o| severity(*o))
            .unwrap_or(outcome);
        match &mut track.open {
            Some(open) => {
                let state = if severity(worst) > severity(open.state) {
                    worst
                } else {
                    open.state
                };
                if state == open.state && parts == open.checks {
                    return None;
                }
                open.state = state;
                open.checks = parts;
                Some(open.clone())
            }
            None => {
                if !track.checks.values().all(|s| s.fails >= rules.after) {
                    return None;
                }
                let start_ms = track
                    .checks
                    .values()
                    .filter_map(|s| s.failing_since)
                    .max()
                    .unwrap_or(at_ms);
                let opened = Incident {
                    channel,
                    state: worst,
                    start_ms,
                    end_ms: None,
                    checks: parts,
                };
                track.open = Some(opened.clone());
                Some(opened)
            }
        }
    }

    /// The incidents open now, by channel.
    pub fn open(&self) -> impl Iterator<Item = &Incident> {
        self.channels.values().filter_map(|t| t.open.as_ref())
    }

    /// The incidents this tracker saw close, oldest first (a bounded few).
    pub fn recently_closed(&self) -> impl Iterator<Item = &Incident> {
        self.recent.iter()
    }
}

/// `stored` (as read from the history, newest first) brought up to date with
/// `fresh`, what the tracker knows now (its open incidents and those it saw
/// close): each replaces its stored row, and a stored open incident that is
/// no longer open is dropped; newest first. Incidents that ended before
/// `from_ms` are left out.
pub fn merge_now(mut stored: Vec<Incident>, fresh: &[Incident], from_ms: i64) -> Vec<Incident> {
    for f in fresh {
        if f.end_ms.is_some_and(|end| end < from_ms) {
            continue;
        }
        match stored.iter_mut().find(|s| s.key() == f.key()) {
            Some(s) => *s = f.clone(),
            None => stored.push(f.clone()),
        }
    }
    stored.retain(|s| {
        s.end_ms.is_some()
            || fresh
                .iter()
                .any(|f| f.key() == s.key() && f.end_ms.is_none())
    });
    stored.sort_by(|a, b| b.start_ms.cmp(&a.start_ms).then(a.channel.cmp(&b.channel)));
    stored
}

#[cfg(test)]
mod tests {
    use super::*;
    use Outcome::*;

    fn feed(t: &mut Tracker, probes: &[(&str, Outcome, i64)]) -> Vec<Incident> {
        probes
            .iter()
            .filter_map(|(check, o, at)| {
                t.observe(
                    check,
                    Channel::Chat,
                    *o,
                    Some(&crate::reason!("redirect_loop")),
                    *at,
                )
            })
            .collect()
    }

    #[test]
    fn an_incident_opens_after_every_check_failed_twice_and_closes_after_two_good() {
        let mut t = Tracker::new(Rules::default());
        let seen = feed(
            &mut t,
            &[
                ("a", Up, 0),
                ("a", Down, 10),
                ("b", Down, 11),
                ("a", Down, 20),
                ("b", Up, 21),
            ],
        );
        assert!(seen.is_empty(), "b answered: not every check failed twice");
        let seen = feed(&mut t, &[("b", Down, 31), ("a", Down, 30), ("b", Down, 41)]);
        assert_eq!(seen.len(), 1, "{seen:?}");
        let opened = &seen[0];
        assert_eq!(
            (opened.state, opened.start_ms, opened.end_ms),
            (Down, 31, None)
        );
        assert_eq!(opened.checks.len(), 2);
        assert_eq!(t.open().count(), 1);
        // One good probe is not yet a recovery; a failure in between resets it.
        assert!(feed(&mut t, &[("a", Up, 50), ("a", Down, 60), ("a", Up, 70)]).is_empty());
        let closed = feed(&mut t, &[("a", Up, 80)]);
        assert_eq!(closed.len(), 1);
        assert_eq!(
            closed[0].end_ms,
            Some(70),
            "the first good probe of the run"
        );
        assert_eq!(t.open().count(), 0);
        assert_eq!(t.recently_closed().count(), 1);
    }

    #[test]
    fn unknown_and_maintenance_move_nothing_and_the_state_is_the_worst_seen() {
        let mut t = Tracker::new(Rules {
            after: 1,
            recover_after: 1,
        });
        assert!(feed(&mut t, &[("a", Unknown, 0), ("a", Maintenance, 1)]).is_empty());
        let opened = feed(&mut t, &[("a", Throttled, 2)]);
        assert_eq!(opened[0].state, Throttled);
        assert_eq!(impact(opened[0].state), "minor");
        let worse = feed(&mut t, &[("a", Unknown, 3), ("a", Down, 4)]);
        assert_eq!((worse[0].state, worse[0].start_ms), (Down, 2));
        assert_eq!(impact(worse[0].state), "major");
        assert!(
            feed(&mut t, &[("a", Down, 5)]).is_empty(),
            "nothing new to say"
        );
        let back = feed(&mut t, &[("a", Throttled, 6)]);
        assert_eq!(back[0].state, Down, "the worst seen stays");
        assert_eq!(
            back[0].checks[0].outcome, Throttled,
            "its check's last failure"
        );
    }

    #[test]
    fn a_silent_check_stops_counting_and_control_has_no_incidents() {
        let mut t = Tracker::new(Rules {
            after: 1,
            recover_after: 1,
        });
        assert!(feed(&mut t, &[("old", Up, 0)]).is_empty());
        assert!(
            feed(&mut t, &[("new", Down, 1)]).is_empty(),
            "old still counts"
        );
        let opened = feed(&mut t, &[("new", Down, FORGET_MS + 2)]);
        assert_eq!(opened.len(), 1, "old has been silent too long");
        assert!(
            t.observe("c", Channel::Control, Down, None, 5).is_none()
                && t.observe("c", Channel::Control, Down, None, 6).is_none()
        );
    }

    #[test]
    fn what_the_tracker_knows_now_overrides_the_stored_rows() {
        let mut t = Tracker::new(Rules {
            after: 1,
            recover_after: 1,
        });
        feed(&mut t, &[("a", Down, 100)]);
        let stored_open = Incident {
            channel: Channel::Chat,
            state: Down,
            start_ms: 100,
            end_ms: None,
            checks: Vec::new(),
        };
        let stale_open = Incident {
            start_ms: 10,
            ..stored_open.clone()
        };
        let fresh: Vec<Incident> = t.recently_closed().chain(t.open()).cloned().collect();
        let merged = merge_now(vec![stored_open, stale_open.clone()], &fresh, 0);
        assert_eq!(merged.len(), 1, "{merged:?}");
        assert_eq!(merged[0].checks.len(), 1, "the tracker's copy");
        feed(&mut t, &[("a", Up, 200)]);
        let fresh: Vec<Incident> = t.recently_closed().chain(t.open()).cloned().collect();
        let merged = merge_now(Vec::new(), &fresh, 0);
        assert_eq!(merged[0].end_ms, Some(200));
        assert!(
            merge_now(Vec::new(), &fresh, 300).is_empty(),
            "ended before the window"
        );
    }
}
