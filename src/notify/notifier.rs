//! The daemon's notifier: one task that owns every sink's state machine, is
//! fed each probe's outcome in order, puts what is due into words and hands
//! it to each sink's own delivery queue (never waiting on it: a full queue
//! drops).

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use chrono_tz::Tz;
use tokio::sync::{mpsc, watch};

use super::deliver::{Queue, Target};
use super::{CheckLine, Due, Machine, Rules, notice};
use crate::channel::Channel;
use crate::config::Check;
use crate::config::notify::Notify;
use crate::outcome::{Failure, Outcome};

/// One probe's outcome, as the notifier needs it.
#[derive(Debug, Clone)]
pub struct Observation {
    pub check: String,
    pub channel: Channel,
    pub outcome: Outcome,
    pub failure: Option<Failure>,
    pub reason: crate::reason::Reason,
    pub at_ms: i64,
    /// The disruptions OKX declares in this probe's answer (an `okx_status`
    /// check's): (title, begin ms).
    pub declared: Vec<(String, i64)>,
}

/// Counts a notice (sink, event) dropped because its sink's queue was full.
pub type Dropped = Box<dyn Fn(&str, &str) + Send + Sync>;
/// Keeps a sink's state (JSON) where a restart finds it.
pub type Save = Box<dyn Fn(&str, String) + Send + Sync>;

/// Where the notifier's output goes.
pub struct Outlets {
    pub vantage: String,
    pub tz: Tz,
    pub dropped: Dropped,
    pub save: Save,
}

/// How often time alone is looked at (reminders, best windows).
pub const TICK: Duration = Duration::from_secs(15);

struct Watch {
    spec: Notify,
    /// The sink's own queue (and delivery task).
    queue: Queue,
    rules: Rules,
    machine: Machine,
    /// The state as last saved, so that only a change is written.
    saved: String,
}

pub struct Notifier {
    watches: Vec<Watch>,
    vantage: String,
    tz: Tz,
    /// Each check's latest outcome and reason, for the notice's check lines
    /// and for "what works instead".
    latest: HashMap<String, (Channel, Outcome, crate::reason::Reason)>,
    /// Counts a notice dropped because the queue was full.
    dropped: Dropped,
    save: Save,
}

impl Notifier {
    /// `open` starts a sink's delivery and returns its queue; it is called
    /// once for each of `notify`.
    pub fn new(
        notify: &[Notify],
        checks: &[Check],
        to: Outlets,
        saved: &HashMap<String, String>,
        mut open: impl FnMut(Target) -> Queue,
    ) -> Notifier {
        let Outlets {
            vantage,
            tz,
            dropped,
            save,
        } = to;
        let watches = notify
            .iter()
            .map(|n| {
                let mut members: BTreeMap<Channel, Vec<String>> = BTreeMap::new();
                for c in checks.iter().filter(|c| n.channels.contains(&c.channel)) {
                    members.entry(c.channel).or_default().push(c.name.clone());
                }
                Watch {
                    queue: open(Target {
                        name: n.name.clone(),
                        sink: std::sync::Arc::new(n.sink.clone()),
                    }),
                    rules: Rules {
                        after: n.after,
                        recover_after: n.recover_after,
                        remind: n.remind,
                        checks: members,
                    },
                    // A state that does not read (another version's) starts afresh.
                    machine: saved
                        .get(&n.name)
                        .and_then(|s| serde_json::from_str(s).ok())
                        .unwrap_or_default(),
                    saved: saved.get(&n.name).cloned().unwrap_or_default(),
                    spec: n.clone(),
                }
            })
            .collect();
        Notifier {
            watches,
            vantage,
            tz,
            latest: HashMap::new(),
            dropped,
            save,
        }
    }

    pub fn observe(&mut self, o: &Observation) {
        self.latest
            .insert(o.check.clone(), (o.channel, o.outcome, o.reason.clone()));
        for i in 0..self.watches.len() {
            let w = &mut self.watches[i];
            let mut due = w.machine.declared(&o.declared);
            let seen = (o.outcome, o.failure);
            due.extend(
                w.machine
                    .observe(&w.rules, o.channel, &o.check, seen, o.at_ms),
            );
            self.send(i, due);
        }
    }

    pub fn tick(&mut self, now_ms: i64, next_best: &BTreeMap<Channel, i64>) {
        for i in 0..self.watches.len() {
            let w = &mut self.watches[i];
            let due = w.machine.tick(&w.rules, now_ms, next_best);
            self.send(i, due);
        }
    }

    fn send(&mut self, i: usize, due: Vec<Due>) {
        self.keep(i);
        // The common case, every probe: nothing to tell, nothing to compute.
        if due.is_empty() {
            return;
        }
        let working: Vec<Channel> = Channel::PREFERENCE
            .into_iter()
            .filter(|c| {
                self.latest
                    .values()
                    .any(|(ch, o, _)| ch == c && o.is_success())
            })
            .collect();
        let w = &self.watches[i];
        for d in due {
            let event = match &d {
                Due::Channel { event, .. } => Some(*event),
                Due::Incident { .. } => Some(crate::config::notify::Event::OkxIncident),
                Due::LocalOutage { .. } => None,
            };
            if event.is_some_and(|e| !w.spec.events.contains(&e)) {
                continue;
            }
            let channel = match &d {
                Due::Channel { channel, .. } => Some(*channel),
                Due::LocalOutage { .. } | Due::Incident { .. } => None,
            };
            let lines = self
                .latest
                .iter()
                .filter(|(_, (ch, _, _))| Some(*ch) == channel)
                .map(|(check, (_, outcome, reason))| CheckLine {
                    check: check.clone(),
                    outcome: *outcome,
                    reason: crate::reason::Said::new(reason, w.spec.lang),
                })
                .collect();
            let n = notice(&d, &self.vantage, self.tz, &working, lines, w.spec.lang);
            let event = n.event;
            if !w.queue.offer(n) {
                (self.dropped)(w.queue.sink(), event.as_str());
            }
        }
    }
}

impl Notifier {
    /// Saves sink `i`'s state when it changed.
    fn keep(&mut self, i: usize) {
        let w = &mut self.watches[i];
        if let Ok(now) = serde_json::to_string(&w.machine)
            && now != w.saved
        {
            (self.save)(&w.spec.name, now.clone());
            w.saved = now;
        }
    }
}

/// How often the next best windows are read again from the history.
pub const BEST_REFRESH: Duration = Duration::from_secs(600);

/// The start (ms) of each channel's next best window, read from the history.
pub type NextBest = std::sync::Arc<dyn Fn() -> BTreeMap<Channel, i64> + Send + Sync>;

/// Runs the notifier until `shutdown`: observations in order, and a tick that
/// tells reminders and best windows (`next_best` is read on a blocking thread
/// every [`BEST_REFRESH`]).
pub async fn run(
    mut notifier: Notifier,
    mut observations: mpsc::Receiver<Observation>,
    next_best: NextBest,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(TICK);
    let mut best = BTreeMap::new();
    let mut read_at: Option<tokio::time::Instant> = None;
    loop {
        tokio::select! {
            o = observations.recv() => match o {
                Some(o) => notifier.observe(&o),
                None => return,
            },
            _ = tick.tick() => {
                if read_at.is_none_or(|t| t.elapsed() >= BEST_REFRESH) {
                    read_at = Some(tokio::time::Instant::now());
                    let read = next_best.clone();
                    best = tokio::task::spawn_blocking(move || read()).await.unwrap_or_default();
                }
                notifier.tick(chrono::Utc::now().timestamp_millis(), &best);
            }
            _ = stopped(&mut shutdown) => return,
        }
    }
}

/// Resolves once `shutdown` turns true (the watch's guard is not held on).
async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|s| *s).await;
}
