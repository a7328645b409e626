//! The channel state machine of one sink: pure, fed with outcomes in order,
//! it says which notices are due. Hysteresis (Gatus's lesson): a channel is
//! down when every one of its checks has failed `after` times in a row, and
//! recovered when one of them has succeeded `recover_after` times in a row.
//! `unknown` (this machine's network) never moves a channel: it opens a
//! local-outage interval, told once when the network is back.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::channel::Channel;
use crate::config::notify::Event;
use crate::outcome::{Failure, Outcome};

/// Something to tell, before it is put into words.
#[derive(Debug, Clone, PartialEq)]
pub enum Due {
    /// `event` about `channel`, which holds since `since_ms`.
    Channel {
        event: Event,
        channel: Channel,
        since_ms: i64,
        /// A reminder of a down that lasts.
        reminder: bool,
    },
    /// This machine's own network was down from `from_ms` to `to_ms`.
    LocalOutage { from_ms: i64, to_ms: i64 },
    /// OKX itself declares a disruption, `title`, since `since_ms`.
    Incident { title: String, since_ms: i64 },
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
struct Streak {
    fails: u32,
    goods: u32,
    /// When the current run of failures began.
    failing_since: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
struct ChannelState {
    /// `Some(since)` while the channel is down.
    down_since: Option<i64>,
    last_told_ms: Option<i64>,
    throttled: bool,
    blocked: bool,
    maintenance: bool,
    checks: BTreeMap<String, Streak>,
}

/// The state of one sink, serializable so that a restart neither repeats nor loses a notice.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Machine {
    channels: BTreeMap<Channel, ChannelState>,
    local_outage_since: Option<i64>,
    /// The best-window start (ms) already announced, per channel.
    best_told: BTreeMap<Channel, i64>,
    /// The disruptions OKX declared that were already told: (title, begin).
    #[serde(default)]
    incidents_told: std::collections::BTreeSet<(String, i64)>,
}

/// Declared disruptions remembered as told, at most (the oldest go first).
const INCIDENTS_KEPT: usize = 64;

/// The rules of one sink.
#[derive(Debug, Clone)]
pub struct Rules {
    pub after: u32,
    pub recover_after: u32,
    pub remind: Option<Duration>,
    /// The checks of each watched channel (every check must fail for "down").
    pub checks: BTreeMap<Channel, Vec<String>>,
}

/// How long before a best window it is announced.
pub const BEST_WINDOW_LEAD_MS: i64 = 15 * 60 * 1000;

impl Machine {
    /// Takes in the disruptions OKX declares now, (title, begin ms) each;
    /// returns a notice for each one not told before: once per disruption.
    pub fn declared(&mut self, declared: &[(String, i64)]) -> Vec<Due> {
        let mut due = Vec::new();
        for (title, since_ms) in declared {
            if self.incidents_told.insert((title.clone(), *since_ms)) {
                due.push(Due::Incident {
                    title: title.clone(),
                    since_ms: *since_ms,
                });
            }
        }
        while self.incidents_told.len() > INCIDENTS_KEPT {
            let oldest = self
                .incidents_told
                .iter()
                .min_by_key(|(_, since)| *since)
                .cloned();
            if let Some(oldest) = oldest {
                self.incidents_told.remove(&oldest);
            }
        }
        due
    }

    /// Takes in one probe of `check` (of `channel`) at `at_ms`; returns what is due.
    /// `failure` tells an `unknown` of this machine's network from one of a
    /// closed path (port 25 blocked here): that says nothing of OKX and is no
    /// outage of this machine, so it moves nothing.
    pub fn observe(
        &mut self,
        rules: &Rules,
        channel: Channel,
        check: &str,
        (outcome, failure): (Outcome, Option<Failure>),
        at_ms: i64,
    ) -> Vec<Due> {
        let mut due = Vec::new();
        if outcome == Outcome::Unknown {
            if failure != Some(Failure::PathClosed) {
                self.local_outage_since.get_or_insert(at_ms);
            }
            return due;
        }
        if let Some(from_ms) = self.local_outage_since.take() {
            due.push(Due::LocalOutage {
                from_ms,
                to_ms: at_ms,
            });
        }
        let Some(members) = rules.checks.get(&channel) else {
            return due;
        };
        let c = self.channels.entry(channel).or_default();
        let streak = c.checks.entry(check.to_string()).or_default();
        let tell = |event, since_ms| Due::Channel {
            event,
            channel,
            since_ms,
            reminder: false,
        };
        match outcome {
            Outcome::Up | Outcome::Degraded => {
                streak.goods += 1;
                streak.fails = 0;
                streak.failing_since = None;
                c.throttled = false;
                c.blocked = false;
                c.maintenance = false;
                if let Some(since) = c.down_since
                    && streak.goods >= rules.recover_after
                {
                    c.down_since = None;
                    c.last_told_ms = Some(at_ms);
                    due.push(tell(Event::Recovered, since));
                }
            }
            Outcome::Down => {
                streak.fails += 1;
                streak.goods = 0;
                streak.failing_since.get_or_insert(at_ms);
                let all_failed = members
                    .iter()
                    .all(|m| c.checks.get(m).is_some_and(|s| s.fails >= rules.after));
                if c.down_since.is_none() && all_failed {
                    let since = c
                        .checks
                        .values()
                        .filter_map(|s| s.failing_since)
                        .max()
                        .unwrap_or(at_ms);
                    c.down_since = Some(since);
                    c.last_told_ms = Some(at_ms);
                    due.push(tell(Event::Down, since));
                }
            }
            Outcome::Throttled if !c.throttled => {
                c.throttled = true;
                due.push(tell(Event::Throttled, at_ms));
            }
            Outcome::Blocked if !c.blocked => {
                c.blocked = true;
                due.push(tell(Event::Blocked, at_ms));
            }
            Outcome::Maintenance if !c.maintenance => {
                c.maintenance = true;
                due.push(tell(Event::Maintenance, at_ms));
            }
            _ => {}
        }
        due
    }

    /// What time alone makes due at `now_ms`: reminders of a lasting down, and
    /// a best window starting within [`BEST_WINDOW_LEAD_MS`] (`next_best`: the
    /// start of each watched channel's next best window).
    pub fn tick(
        &mut self,
        rules: &Rules,
        now_ms: i64,
        next_best: &BTreeMap<Channel, i64>,
    ) -> Vec<Due> {
        let mut due = Vec::new();
        if let Some(every) = rules.remind {
            let every = every.as_millis() as i64;
            for (channel, c) in &mut self.channels {
                if let (Some(since), Some(last)) = (c.down_since, c.last_told_ms)
                    && now_ms - last >= every
                {
                    c.last_told_ms = Some(now_ms);
                    due.push(Due::Channel {
                        event: Event::Down,
                        channel: *channel,
                        since_ms: since,
                        reminder: true,
                    });
                }
            }
        }
        for (channel, start) in next_best {
            let soon = *start - now_ms <= BEST_WINDOW_LEAD_MS && *start > now_ms;
            if soon && self.best_told.get(channel) != Some(start) {
                self.best_told.insert(*channel, *start);
                due.push(Due::Channel {
                    event: Event::BestWindow,
                    channel: *channel,
                    since_ms: *start,
                    reminder: false,
                });
            }
        }
        due
    }

    /// The channels down now, with since when.
    pub fn down(&self) -> Vec<(Channel, i64)> {
        self.channels
            .iter()
            .filter_map(|(c, s)| s.down_since.map(|t| (*c, t)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rules(after: u32, recover_after: u32) -> Rules {
        Rules {
            after,
            recover_after,
            remind: None,
            checks: BTreeMap::from([(Channel::Chat, vec!["chat".to_string()])]),
        }
    }

    fn events(due: &[Due]) -> Vec<Event> {
        due.iter()
            .filter_map(|d| match d {
                Due::Channel { event, .. } => Some(*event),
                Due::Incident { .. } => Some(Event::OkxIncident),
                Due::LocalOutage { .. } => None,
            })
            .collect()
    }

    #[test]
    fn a_declared_disruption_is_told_once() {
        let mut m = Machine::default();
        let d = vec![("Spot trading disruption".to_string(), 1_000)];
        assert_eq!(events(&m.declared(&d)), vec![Event::OkxIncident]);
        assert!(m.declared(&d).is_empty(), "once per disruption");
        // The state survives a restart (it is saved as JSON).
        let mut again: Machine = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
        assert!(again.declared(&d).is_empty());
        let next = vec![("Another".to_string(), 2_000)];
        assert_eq!(again.declared(&next).len(), 1, "a new one is told");
        // A state saved before incidents were told still reads.
        let old: Machine =
            serde_json::from_str(r#"{"channels":{},"local_outage_since":null,"best_told":{}}"#)
                .unwrap();
        assert_eq!(old, Machine::default());
    }

    fn feed(m: &mut Machine, r: &Rules, outcomes: &[Outcome]) -> Vec<Due> {
        outcomes
            .iter()
            .enumerate()
            .flat_map(|(i, o)| m.observe(r, Channel::Chat, "chat", (*o, None), i as i64 * 1000))
            .collect()
    }

    #[test]
    fn one_down_and_one_recovered_per_outage_and_no_notice_for_a_flap() {
        use Outcome::*;
        let r = rules(2, 2);
        let mut m = Machine::default();
        let due = feed(
            &mut m,
            &r,
            &[Up, Down, Up, Up, Down, Down, Down, Up, Up, Up],
        );
        assert_eq!(events(&due), vec![Event::Down, Event::Recovered]);
        match &due[0] {
            Due::Channel { since_ms, .. } => assert_eq!(*since_ms, 4000, "since the first failure"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_local_outage_moves_nothing_and_is_told_once_when_back() {
        use Outcome::*;
        let r = rules(2, 2);
        let mut m = Machine::default();
        let due = feed(&mut m, &r, &[Up, Unknown, Unknown, Unknown, Up]);
        assert!(events(&due).is_empty());
        assert_eq!(
            due,
            vec![Due::LocalOutage {
                from_ms: 1000,
                to_ms: 4000
            }]
        );
    }

    #[test]
    fn every_check_must_fail_and_reminders_repeat() {
        let mut r = rules(1, 1);
        r.checks.insert(Channel::Chat, vec!["a".into(), "b".into()]);
        r.remind = Some(Duration::from_secs(60));
        let mut m = Machine::default();
        assert!(
            m.observe(&r, Channel::Chat, "a", (Outcome::Down, None), 0)
                .is_empty(),
            "b still works"
        );
        assert_eq!(
            events(&m.observe(&r, Channel::Chat, "b", (Outcome::Down, None), 1000)),
            vec![Event::Down]
        );
        assert!(m.tick(&r, 30_000, &BTreeMap::new()).is_empty());
        let again = m.tick(&r, 61_000, &BTreeMap::new());
        assert!(matches!(
            again[..],
            [Due::Channel {
                event: Event::Down,
                reminder: true,
                ..
            }]
        ));
        // Round-trips through its stored form.
        let back: Machine = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn the_best_window_is_told_once_fifteen_minutes_before() {
        let r = rules(2, 2);
        let mut m = Machine::default();
        let start = 10 * 3_600_000;
        let next = BTreeMap::from([(Channel::Chat, start)]);
        assert!(m.tick(&r, start - 20 * 60_000, &next).is_empty());
        assert_eq!(
            events(&m.tick(&r, start - 14 * 60_000, &next)),
            vec![Event::BestWindow]
        );
        assert!(m.tick(&r, start - 10 * 60_000, &next).is_empty(), "once");
    }

    proptest! {
        /// Whatever the outcomes: downs and recoveries alternate, starting
        /// with a down, and `unknown` changes nothing about the channel.
        #[test]
        fn downs_and_recoveries_alternate(
            codes in prop::collection::vec(0usize..7, 0..200),
            after in 1u32..4,
            recover in 1u32..4,
        ) {
            let r = rules(after, recover);
            let outcomes: Vec<Outcome> = codes.iter().map(|c| Outcome::ALL[*c]).collect();
            let mut m = Machine::default();
            let told: Vec<Event> = events(&feed(&mut m, &r, &outcomes))
                .into_iter()
                .filter(|e| matches!(e, Event::Down | Event::Recovered))
                .collect();
            for (i, e) in told.iter().enumerate() {
                let want = if i % 2 == 0 { Event::Down } else { Event::Recovered };
                prop_assert_eq!(*e, want);
            }
            let known: Vec<Outcome> = outcomes.iter().copied().filter(|o| *o != Outcome::Unknown).collect();
            let mut n = Machine::default();
            let without: Vec<Event> = events(&feed(&mut n, &r, &known))
                .into_iter()
                .filter(|e| matches!(e, Event::Down | Event::Recovered))
                .collect();
            prop_assert_eq!(told, without);
        }
    }
}
