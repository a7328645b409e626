//! Patterns and `status` on synthetic histories whose right answer is known:
//! imported into a real SQLite store, answered at a fixed `now`.

use chrono::{DateTime, Datelike, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use okx_monitor::channel::Channel;
use okx_monitor::status::{self, Input, Options, Status};
use okx_monitor::store::Store;
use proptest::prelude::*;

use crate::support::history::{every, line};
use crate::support::{ConfigDir, run, stderr, stdout};

/// One sample as a JSON line.
fn status_at(
    lines: &[String],
    now: DateTime<Utc>,
    tz: Tz,
    window_days: u64,
    span: usize,
    min_samples: u64,
) -> Status {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("h.db")).unwrap();
    let text = lines.join("\n");
    store.import(text.as_bytes(), "history").unwrap();
    let window = std::time::Duration::from_secs(window_days * 86_400);
    let input =
        status::from_store(&store, vec![], window, tz, now, status::Patterns::EachCheck).unwrap();
    let opts = Options {
        tz,
        window,
        span,
        min_samples,
        channels: vec![],
        lang: okx_monitor::i18n::Lang::En,
    };
    status::build(&input, &opts, now)
}

fn channel(s: &Status, c: Channel) -> &status::ChannelStatus {
    s.channels
        .iter()
        .find(|x| x.channel == c)
        .unwrap_or_else(|| panic!("no {c} in {s:?}"))
}

/// Monday 2026-11-23 00:00 UTC.
fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap()
}

fn how(t: DateTime<Utc>) -> u32 {
    t.weekday().num_days_from_monday() * 24 + t.hour()
}

#[test]
fn a_fast_window_is_best_in_utc_and_in_shanghai() {
    let lines = every(monday(), 28, 5, |t, out| {
        // Tuesday 06:00–08:00 UTC answers in 60 ms, the rest of the week in 400 ms.
        let ms = if (30..32).contains(&how(t)) {
            60.0
        } else {
            400.0
        };
        out.push(line(t, "website-chat", "chat", "up", Some(ms)));
    });
    let utc = status_at(&lines, monday(), Tz::UTC, 28, 2, 3);
    let best = &channel(&utc, Channel::Chat).best[0];
    assert_eq!((best.weekday, best.hour, best.hours), (2, 6, 2));
    assert_eq!(best.samples, 4 * 24, "4 weeks × 24 samples");
    assert!(best.p50_ms.unwrap() < 70.0);

    let shanghai = status_at(&lines, monday(), chrono_tz::Asia::Shanghai, 28, 2, 3);
    let best = &channel(&shanghai, Channel::Chat).best[0];
    assert_eq!((best.weekday, best.hour), (2, 14), "UTC+8");
    assert_eq!(shanghai.timezone, "Asia/Shanghai");
    assert!(
        shanghai
            .advice
            .iter()
            .any(|a| a.contains("Best time for live chat: tomorrow 14:00–16:00")),
        "{:?}",
        shanghai.advice
    );
}

/// The notifier asks the pattern for each channel's next best start; it is
/// the start `status` names, channel by channel, in any zone.
#[test]
fn the_notifiers_next_best_start_is_the_one_status_names() {
    let lines = every(monday(), 28, 5, |t, out| {
        let fast = (30..32).contains(&how(t));
        out.push(line(
            t,
            "website-chat",
            "chat",
            "up",
            Some(if fast { 60.0 } else { 400.0 }),
        ));
        let early = (3..5).contains(&t.hour());
        out.push(line(
            t,
            "help",
            "help_center",
            "up",
            Some(if early { 50.0 } else { 300.0 }),
        ));
    });
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("h.db")).unwrap();
    store
        .import(lines.join("\n").as_bytes(), "history")
        .unwrap();
    for tz in [Tz::UTC, chrono_tz::Asia::Kolkata] {
        let window = std::time::Duration::from_secs(28 * 86_400);
        let input = status::from_store(
            &store,
            vec![],
            window,
            tz,
            monday(),
            status::Patterns::EachCheck,
        )
        .unwrap();
        let opts = Options {
            tz,
            window,
            span: 2,
            min_samples: 3,
            channels: vec![],
            lang: okx_monitor::i18n::Lang::En,
        };
        let asked = status::next_best_starts(&input, &opts, monday());
        let said: std::collections::BTreeMap<Channel, DateTime<Utc>> =
            status::build(&input, &opts, monday())
                .channels
                .iter()
                .filter_map(|c| Some((c.channel, c.next_best.as_ref()?.start.utc())))
                .collect();
        assert_eq!(asked.len(), 2, "{tz}: {asked:?}");
        assert_eq!(asked, said, "{tz}");
    }
}

#[test]
fn a_failing_window_is_worst_and_named_to_avoid() {
    let lines = every(monday(), 28, 5, |t, out| {
        // Monday 21:00–23:00: every other probe fails.
        let fail = (21..23).contains(&how(t)) && t.minute() % 10 == 0;
        if fail {
            out.push(line(t, "website-chat", "chat", "down", None));
        } else {
            out.push(line(t, "website-chat", "chat", "up", Some(300.0)));
        }
    });
    let s = status_at(&lines, monday(), Tz::UTC, 28, 2, 3);
    let c = channel(&s, Channel::Chat);
    assert_eq!((c.worst[0].weekday, c.worst[0].hour), (1, 21));
    assert!((c.worst[0].availability - 0.5).abs() < 1e-9);
    assert!(
        s.advice
            .iter()
            .any(|a| a.starts_with("Avoid today 21:00–23:00, in 21 h")),
        "{:?}",
        s.advice
    );
}

#[test]
fn availability_beats_latency() {
    // Every minute: enough samples that 100 % against 91.7 % is measurable.
    let lines = every(monday(), 28, 1, |t, out| {
        let h = how(t);
        let (outcome, ms) = if (3 * 24 + 10..3 * 24 + 12).contains(&h) {
            ("up", Some(500.0)) // Thursday 10:00–12:00: never fails, slowish
        } else if (2 * 24 + 3..2 * 24 + 5).contains(&h) && t.minute() % 12 == 0 && h % 2 == 1 {
            ("down", None) // Wednesday 03:00–05:00: fast, one failure in 24
        } else if (2 * 24 + 3..2 * 24 + 5).contains(&h) {
            ("up", Some(20.0))
        } else if t.minute() % 12 == 0 {
            ("down", None) // everywhere else: one failure in 12
        } else {
            ("up", Some(400.0))
        };
        out.push(line(t, "website-chat", "chat", outcome, ms));
    });
    let s = status_at(&lines, monday(), Tz::UTC, 28, 2, 3);
    let best = &channel(&s, Channel::Chat).best;
    assert_eq!((best[0].weekday, best[0].hour), (4, 10), "{best:?}");
    assert_eq!(
        (best[1].weekday, best[1].hour),
        (3, 3),
        "the fast one comes second: {best:?}"
    );
}

#[test]
fn blocked_samples_change_no_availability() {
    let up = every(monday(), 7, 10, |t, out| {
        out.push(line(t, "website-chat", "chat", "up", Some(200.0)));
    });
    let mut with_blocked = up.clone();
    with_blocked.extend(every(monday(), 7, 10, |t, out| {
        let t = t + chrono::Duration::seconds(30);
        out.push(line(t, "website-chat", "chat", "blocked", None));
    }));
    let a = status_at(&up, monday(), Tz::UTC, 7, 2, 3);
    let b = status_at(&with_blocked, monday(), Tz::UTC, 7, 2, 3);
    let (a, b) = (channel(&a, Channel::Chat), channel(&b, Channel::Chat));
    assert_eq!(a.availability, b.availability);
    assert_eq!(a.samples, b.samples, "blocked counts in no pattern");
}

#[test]
fn throttled_unknown_and_maintenance_count_in_no_pattern() {
    let lines = every(monday(), 28, 5, |t, out| {
        let fast = (30..32).contains(&how(t));
        out.push(line(
            t,
            "website-chat",
            "chat",
            "up",
            Some(if fast { 60.0 } else { 400.0 }),
        ));
        if fast {
            out.push(line(t, "website-chat", "chat", "throttled", Some(5.0)));
            out.push(line(t, "website-chat", "chat", "unknown", None));
            out.push(line(t, "website-chat", "chat", "maintenance", None));
        }
    });
    let s = status_at(&lines, monday(), Tz::UTC, 28, 2, 3);
    let c = channel(&s, Channel::Chat);
    assert_eq!((c.best[0].weekday, c.best[0].hour), (2, 6));
    assert_eq!(c.best[0].availability, 1.0);
    assert_eq!(c.best[0].samples, 96, "only up/degraded/down count");
    assert_eq!(c.samples, 28 * 288);
}

#[test]
fn a_channel_with_too_few_samples_says_so() {
    let mut lines = every(monday(), 28, 5, |t, out| {
        out.push(line(t, "website-chat", "chat", "up", Some(100.0)))
    });
    // E-mail: one sample every 30 hours, never 3 in one hour of the week.
    lines.extend(every(monday(), 28, 30 * 60, |t, out| {
        out.push(line(t, "support-mail", "email", "up", Some(900.0)))
    }));
    let s = status_at(&lines, monday(), Tz::UTC, 28, 2, 3);
    let email = channel(&s, Channel::Email);
    assert!(!email.enough_data);
    assert!(
        email.best.is_empty() && email.worst.is_empty(),
        "no guessing"
    );
    assert!(channel(&s, Channel::Chat).enough_data);
    assert!(
        s.advice
            .iter()
            .any(|a| a.starts_with("Not enough history yet to name good times for email")),
        "{:?}",
        s.advice
    );
}

#[test]
fn a_week_across_a_daylight_saving_change() {
    // Berlin leaves summer time on Sunday 2026-10-25 (03:00 CEST → 02:00 CET).
    let berlin = chrono_tz::Europe::Berlin;
    let now = Utc.with_ymd_and_hms(2026, 11, 9, 0, 0, 0).unwrap();
    let lines = every(now, 35, 5, |t, out| {
        let local = t.with_timezone(&berlin);
        // Tuesday 06:00–08:00 Berlin time is fast, before and after the change.
        let fast = local.weekday() == chrono::Weekday::Tue && (6..8).contains(&local.hour());
        out.push(line(
            t,
            "website-chat",
            "chat",
            "up",
            Some(if fast { 60.0 } else { 400.0 }),
        ));
    });
    let s = status_at(&lines, now, berlin, 35, 2, 3);
    let best = &channel(&s, Channel::Chat).best[0];
    assert_eq!((best.weekday, best.hour), (2, 6));
    assert_eq!(
        best.samples,
        5 * 24,
        "all five Tuesdays, summer and winter time"
    );
    assert!(
        best.p50_ms.unwrap() < 70.0,
        "not smeared across two UTC hours: {best:?}"
    );
}

#[test]
fn maintenance_ahead_is_announced() {
    use okx_monitor::outcome::Maintenance;
    let now = monday();
    let begin = now + chrono::Duration::hours(26);
    let input = Input {
        latest: vec![okx_monitor::sample::Latest {
            check: "okx-maintenance".into(),
            channel: Channel::Status,
            outcome: okx_monitor::outcome::Outcome::Up,
            ts_ms: now.timestamp_millis(),
            since_ms: now.timestamp_millis(),
            maintenance: vec![Maintenance {
                title: "Spot trading upgrade".into(),
                state: okx_monitor::outcome::MaintenanceState::Scheduled,
                begin_ms: Some(begin.timestamp_millis()),
                end_ms: Some((begin + chrono::Duration::hours(2)).timestamp_millis()),
                service_type: None,
                system: None,
                href: None,
                maint_type: None,
            }],
            reason: None,
            failure: None,
        }],
        ..Input::default()
    };
    let opts = Options {
        tz: Tz::UTC,
        window: std::time::Duration::from_secs(86_400),
        span: 2,
        min_samples: 3,
        channels: vec![],
        lang: okx_monitor::i18n::Lang::En,
    };
    let s = status::build(&input, &opts, now);
    assert_eq!(s.maintenance.len(), 1);
    assert!(
        s.advice.iter().any(
            |a| a == "OKX plans maintenance: Spot trading upgrade from Tue 02:00 to Tue 04:00."
        ),
        "{:?}",
        s.advice
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cli_answers_in_the_product_shape() {
    let now = Utc::now();
    let lines = every(now, 14, 10, |t, out| {
        // One fast hour a day, so there is a best window to show.
        let ms = if t.hour() == 6 { 40.0 } else { 150.0 };
        out.push(line(t, "website-chat", "chat", "up", Some(ms)));
        out.push(line(t, "control-web", "control", "up", Some(50.0)));
    });
    let dir = ConfigDir::new(&[("history.jsonl", &lines.join("\n"))]);
    let (db, file) = (dir.path().join("h.db"), dir.path().join("history.jsonl"));
    let (db, file) = (db.to_str().unwrap(), file.to_str().unwrap());
    assert_eq!(
        run(&["import", file, "--db", db]).await.status.code(),
        Some(0)
    );
    let out = run(&[
        "--config",
        "/nonexistent",
        "status",
        "--db",
        db,
        "--format",
        "json",
        "--tz",
        "Asia/Shanghai",
    ])
    .await;
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["timezone"], "Asia/Shanghai");
    assert_eq!(v["window"], "28d");
    let chat = &v["channels"][0];
    assert_eq!(
        v["channels"].as_array().unwrap().len(),
        1,
        "control is no support channel"
    );
    for key in [
        "channel",
        "now",
        "availability",
        "p50_ms",
        "p95_ms",
        "samples",
        "best",
        "worst",
    ] {
        assert!(chat.get(key).is_some(), "missing {key}: {chat}");
    }
    assert_eq!(chat["now"], "up");
    for key in [
        "weekday",
        "hour",
        "hours",
        "availability",
        "p50_ms",
        "samples",
    ] {
        assert!(
            chat["best"][0].get(key).is_some(),
            "missing best.{key}: {chat}"
        );
    }
    assert!(
        v["advice"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a.as_str().unwrap().starts_with("Use live chat now"))
    );

    let out = run(&[
        "--config",
        "/nonexistent",
        "status",
        "--db",
        db,
        "--heatmap",
        "--span",
        "3",
    ])
    .await;
    let text = stdout(&out);
    assert!(
        text.contains("chat — availability by hour of the week"),
        "{text}"
    );
    for day in ["Mon  ", "Sun  "] {
        assert!(text.lines().any(|l| l.starts_with(day)), "{text}");
    }
    assert!(text.contains("legend: # ≥99.5%"), "{text}");
    // The latency grid too: the fast hour (06:00) in the lightest shade.
    assert!(
        text.contains("chat — median latency by hour of the week"),
        "{text}"
    );
    assert!(text.contains("legend: ░ ≤"), "{text}");
    assert!(text.contains('░') && text.contains('█'), "{text}");
    assert!(!text.contains('\x1b'), "no colour off a terminal");

    let out = run(&[
        "--config",
        "/nonexistent",
        "status",
        "--db",
        db,
        "--channel",
        "email",
        "--format",
        "json",
    ])
    .await;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["channels"].as_array().unwrap().len(), 1);
    assert_eq!(v["channels"][0]["channel"], "email");
    assert_eq!(v["channels"][0]["now"], serde_json::Value::Null);

    let out = run(&[
        "--config",
        "/nonexistent",
        "status",
        "--db",
        db,
        "--tz",
        "Mars/Base",
    ])
    .await;
    assert_eq!(out.status.code(), Some(2));
    let out = run(&[
        "--config",
        "/nonexistent",
        "status",
        "--db",
        "/nonexistent/x.db",
    ])
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(crate::support::stderr(&out).contains("does not exist"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// The answer does not depend on the order samples arrive in.
    #[test]
    fn sample_order_does_not_change_the_answer(
        samples in prop::collection::vec((0i64..7 * 24 * 60, 0u8..5, 1u32..2000), 200..600),
        seed in any::<u64>(),
    ) {
        let start = monday() - chrono::Duration::days(7);
        let outcomes = ["up", "degraded", "down", "throttled", "unknown"];
        let lines: Vec<String> = samples
            .iter()
            .map(|(minute, o, ms)| {
                let ts = start + chrono::Duration::minutes(*minute);
                let outcome = outcomes[*o as usize];
                let latency = (outcome != "down" && outcome != "unknown").then_some(*ms as f64);
                line(ts, "website-chat", "chat", outcome, latency)
            })
            .collect();
        let mut shuffled = lines.clone();
        // A seeded Fisher–Yates shuffle.
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let a = status_at(&lines, monday(), Tz::UTC, 7, 2, 1);
        let b = status_at(&shuffled, monday(), Tz::UTC, 7, 2, 1);
        prop_assert_eq!(serde_json::to_value(&a).unwrap(), serde_json::to_value(&b).unwrap());
    }
}

#[test]
fn each_check_has_its_own_model_inside_its_channel() {
    let lines = every(monday(), 14, 10, |t, out| {
        out.push(line(t, "help-center", "help_center", "up", Some(200.0)));
        // The FAQ fails every other probe.
        let faq = if t.minute() % 20 == 0 {
            ("down", None)
        } else {
            ("up", Some(600.0))
        };
        out.push(line(t, "help-faq", "help_center", faq.0, faq.1));
    });
    let s = status_at(&lines, monday(), Tz::UTC, 14, 2, 3);
    let c = channel(&s, Channel::HelpCenter);
    assert_eq!(c.availability, Some(0.75));
    assert_eq!(
        c.now,
        Some(okx_monitor::outcome::Outcome::Up),
        "both answered at 23:50"
    );
    let names: Vec<&str> = c.checks.iter().map(|x| x.check.as_str()).collect();
    assert_eq!(names, ["help-center", "help-faq"]);
    assert_eq!(c.checks[0].availability, Some(1.0));
    assert_eq!(c.checks[1].availability, Some(0.5));
    assert!(c.checks[0].p50_ms.unwrap() < c.checks[1].p50_ms.unwrap());
    // The help center's own check is as good at every hour: nothing to name.
    assert_eq!(c.checks[0].best.len(), 0);
    assert_eq!(c.samples, c.checks[0].samples + c.checks[1].samples);
}

/// Importing the same file twice, then a file that overlaps it, stores each
/// sample once: `import` says how many were new, and `export` and `status`
/// count every probe once.
#[tokio::test(flavor = "multi_thread")]
async fn importing_twice_and_overlapping_counts_each_sample_once() {
    let now = Utc::now();
    let all = every(now, 3, 10, |t, out| {
        out.push(line(t, "website-chat", "chat", "up", Some(150.0)));
    });
    let dir = tempfile::tempdir().unwrap();
    let (whole, part) = (dir.path().join("a.jsonl"), dir.path().join("b.jsonl"));
    std::fs::write(&whole, all.join("\n")).unwrap();
    // The second half again, and a day beyond nothing: an overlap.
    std::fs::write(&part, all[all.len() / 2..].join("\n")).unwrap();
    let db = dir.path().join("h.db");
    let db = db.to_str().unwrap();
    let n = all.len();
    let import = |file: std::path::PathBuf| async move {
        let out = run(&["import", file.to_str().unwrap(), "--db", db]).await;
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            crate::support::stderr(&out)
        );
        crate::support::stderr(&out)
    };
    let first = import(whole.clone()).await;
    assert!(
        first.contains(&format!("imported {n} samples: {n} new, 0 already there")),
        "{first}"
    );
    let second = import(whole).await;
    assert!(
        second.contains(&format!("{n} samples: 0 new, {n} already there")),
        "{second}"
    );
    let third = import(part).await;
    assert!(third.contains(" 0 new, "), "{third}");

    let exported = stdout(&run(&["export", "--db", db]).await);
    assert_eq!(exported.lines().count(), n);
    let out = run(&["status", "--db", db, "--format", "json", "--window", "7d"]).await;
    let s: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(s["channels"][0]["samples"], n as u64, "{s}");
}

/// Advice that is true: only windows measurably different from the rest of
/// the week are named (issue 15). Every history is synthetic and exact.
mod significance {
    use super::*;

    fn chat(s: &Status) -> &status::ChannelStatus {
        channel(s, Channel::Chat)
    }

    /// 28 days every 5 minutes; `f(hour of week, minute)` says what one probe saw.
    fn history(f: impl Fn(u32, u32) -> (&'static str, Option<f64>)) -> Vec<String> {
        every(monday(), 28, 5, |t, out| {
            let (o, ms) = f(how(t), t.minute());
            out.push(line(t, "website-chat", "chat", o, ms));
        })
    }

    #[test]
    fn a_flat_channel_names_no_window_and_says_any_time_is_as_good() {
        let lines = history(|_, _| ("up", Some(500.0)));
        let s = status_at(&lines, monday(), Tz::UTC, 28, 2, 3);
        assert!(
            chat(&s).best.is_empty() && chat(&s).worst.is_empty(),
            "{:?}",
            chat(&s)
        );
        assert!(chat(&s).next_best.is_none());
        assert!(
            s.advice.iter().any(|a| a == "Live chat is as good at any hour: no time of the week was measurably better or worse over 28d."),
            "{:?}",
            s.advice
        );
        assert!(
            !s.advice.iter().any(|a| a.starts_with("Avoid")),
            "{:?}",
            s.advice
        );
    }

    #[test]
    fn one_fast_window_among_equal_hours_is_listed_alone() {
        // Tuesday 06:00–08:00 answers in 60 ms, every other hour in 500 ms.
        let lines = history(|h, _| ("up", Some(if (30..32).contains(&h) { 60.0 } else { 500.0 })));
        for tz in [Tz::UTC, chrono_tz::Asia::Shanghai] {
            let s = status_at(&lines, monday(), tz, 28, 2, 3);
            let c = chat(&s);
            assert_eq!(c.best.len(), 1, "{tz}: {:?}", c.best);
            // Tuesday 06:00 UTC is Tuesday 14:00 in Shanghai.
            let expected = if tz == Tz::UTC { (2, 6) } else { (2, 14) };
            assert_eq!((c.best[0].weekday, c.best[0].hour), expected, "{tz}");
            assert!(c.worst.is_empty(), "{tz}: {:?}", c.worst);
            assert!(c.next_best.is_some());
        }
    }

    #[test]
    fn one_failing_window_is_worst_and_nothing_is_best() {
        // Friday 20:00–22:00 fails one probe in three; the rest never fails.
        let lines = history(|h, m| {
            if (4 * 24 + 20..4 * 24 + 22).contains(&h) && m % 15 == 0 {
                ("down", None)
            } else {
                ("up", Some(300.0))
            }
        });
        let s = status_at(&lines, monday(), Tz::UTC, 28, 2, 3);
        let c = chat(&s);
        assert!(c.best.is_empty(), "{:?}", c.best);
        assert_eq!(c.worst.len(), 1, "{:?}", c.worst);
        assert_eq!((c.worst[0].weekday, c.worst[0].hour), (5, 20));
        assert!(
            s.advice.iter().any(|a| a.starts_with("Avoid")),
            "{:?}",
            s.advice
        );
    }

    #[test]
    fn a_margin_too_few_samples_cannot_support_is_not_listed() {
        // One probe an hour (28 per hour of the week), one failure in 14
        // everywhere but Wednesday 10:00–12:00, which never failed: 100 % of 56
        // against 92.9 % is no evidence over 168 windows.
        let lines: Vec<String> = every(monday(), 28, 60, |t, out| {
            let h = how(t);
            let fails = !(2 * 24 + 10..2 * 24 + 12).contains(&h) && t.day() % 14 == 0;
            let (o, ms) = if fails {
                ("down", None)
            } else {
                ("up", Some(300.0))
            };
            out.push(line(t, "website-chat", "chat", o, ms));
        });
        let s = status_at(&lines, monday(), Tz::UTC, 28, 2, 1);
        assert!(chat(&s).best.is_empty(), "{:?}", chat(&s).best);
    }
}

/// `next_best` steps over maintenance OKX announces: the daemon probes a
/// loopback `okx_status` peer that announces an upgrade over the next best
/// window, and `status` names the occurrence after it and the maintenance.
#[tokio::test(flavor = "multi_thread")]
async fn next_best_steps_over_announced_maintenance() {
    use crate::support::daemon::Daemon;
    use crate::support::peers::{self, response};
    let now = Utc::now();
    // Tuesday 06:00–08:00 UTC is fast, every other hour slow.
    let lines = every(now, 28, 5, |t, out| {
        let ms = if (30..32).contains(&how(t)) {
            60.0
        } else {
            500.0
        };
        out.push(line(t, "website-chat", "chat", "up", Some(ms)));
    });
    let next = status::next_occurrence(2, 6, 2, now, Tz::UTC, &[]).unwrap();
    let begin = next.start - chrono::Duration::minutes(30);
    let body = format!(
        r#"{{"code":"0","msg":"","data":[{{"begin":"{}","end":"{}","state":"scheduled","title":"Spot trading upgrade","serviceType":"0","system":"unified","href":""}}]}}"#,
        begin.timestamp_millis(),
        (next.start + chrono::Duration::hours(1)).timestamp_millis()
    );
    let peer = peers::http(move |_| response(200, &[], &body)).await;
    let toml = format!(
        "[[check]]\nname = \"okx-maintenance\"\nchannel = \"status\"\nkind = \"okx_status\"\nurl = \"{}\"\nschedule = \"0 0 * * * *\"\n",
        peer.url("/api/v5/system/status")
    );
    let dir = ConfigDir::new(&[("checks.toml", &toml), ("history.jsonl", &lines.join("\n"))]);
    let db = dir.path().join("n.db");
    let (db_s, file) = (db.to_str().unwrap(), dir.path().join("history.jsonl"));
    let out = run(&["import", file.to_str().unwrap(), "--db", db_s]).await;
    assert_eq!(out.status.code(), Some(0));
    let daemon = Daemon::start(dir.path(), &db).await;
    let started = std::time::Instant::now();
    while !stdout(&run(&["export", "--db", db_s]).await).contains("okx-maintenance") {
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    drop(daemon);
    let config = dir.path().join("checks.toml");
    let out = run(&[
        "--config",
        config.to_str().unwrap(),
        "status",
        "--db",
        db_s,
        "--format",
        "json",
        "--tz",
        "UTC",
    ])
    .await;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let chat = v["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["channel"] == "chat")
        .unwrap();
    let after = next.start + chrono::Duration::days(7);
    let start =
        chrono::DateTime::parse_from_rfc3339(chat["next_best"]["start"].as_str().unwrap()).unwrap();
    assert_eq!(start.with_timezone(&Utc), after, "{chat}");
    assert!(
        v["advice"].as_array().unwrap().iter().any(|a| a
            .as_str()
            .unwrap()
            .contains("Spot trading upgrade")
            && a.as_str().unwrap().starts_with("Best time")),
        "{v}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    /// p50 and p95 as `status` reports them are within 2 % of the exact
    /// (nearest-rank) quantiles of the imported latencies, whatever their
    /// distribution: spread over a few ms to a minute, or clustered.
    #[test]
    fn reported_quantiles_are_within_two_percent(
        latencies in prop::collection::vec((10.0f64..60_000.0, 0.0f64..1.0), 50..800),
        cluster in 0.0f64..1.0,
    ) {
        let start = monday() - chrono::Duration::days(7);
        // Some samples clustered around one value, the rest spread log-uniformly.
        let values: Vec<f64> = latencies
            .iter()
            .map(|(x, u)| {
                let spread = (10.0f64.ln() + u * (60_000.0f64.ln() - 10.0f64.ln())).exp();
                let v = if *u < cluster { 200.0 + x / 1000.0 } else { spread };
                (v * 1000.0).round() / 1000.0
            })
            .collect();
        let lines: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, ms)| line(start + chrono::Duration::minutes(i as i64), "website-chat", "chat", "up", Some(*ms)))
            .collect();
        let s = status_at(&lines, monday(), Tz::UTC, 7, 2, 1);
        let c = channel(&s, Channel::Chat);
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        let exact = |q: f64| sorted[((q * sorted.len() as f64).ceil() as usize).max(1) - 1];
        for (q, got) in [(0.5, c.p50_ms), (0.95, c.p95_ms)] {
            let (got, want) = (got.unwrap(), exact(q));
            prop_assert!((got - want).abs() / want <= 0.02, "q{}: {} vs exact {}", q, got, want);
        }
    }
}

/// Stale data is never shown as now: a channel whose newest sample is two
/// hours old (probed every minute) is `unknown` and `stale`, `as_of` its
/// newest sample; one probed ten seconds ago is what it was.
#[tokio::test(flavor = "multi_thread")]
async fn stale_data_is_not_now() {
    let toml = "[defaults]\nschedule = \"0 * * * * *\"\n\n\
        [[check]]\nname = \"help-center\"\nchannel = \"help_center\"\nkind = \"http\"\nurl = \"http://127.0.0.1:9/\"\n\n\
        [[check]]\nname = \"live-chat\"\nchannel = \"chat\"\nkind = \"http\"\nurl = \"http://127.0.0.1:9/\"\n";
    let now = chrono::Utc::now();
    let help_newest = now - chrono::Duration::hours(2);
    let chat_newest = now - chrono::Duration::seconds(10);
    let mut lines = Vec::new();
    for i in 0..180 {
        let back = chrono::Duration::minutes(i);
        lines.push(line(
            help_newest - back,
            "help-center",
            "help_center",
            "up",
            Some(80.0),
        ));
        lines.push(line(
            chat_newest - back,
            "live-chat",
            "chat",
            "up",
            Some(120.0),
        ));
    }
    let dir = ConfigDir::new(&[("checks.toml", toml), ("h.jsonl", &lines.join("\n"))]);
    let db = dir.path().join("s.db");
    let (db_s, file) = (db.to_str().unwrap(), dir.path().join("h.jsonl"));
    let out = run(&["import", file.to_str().unwrap(), "--db", db_s]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let config = dir.path().join("checks.toml");
    let args = [
        "--config",
        config.to_str().unwrap(),
        "status",
        "--db",
        db_s,
        "--tz",
        "UTC",
    ];
    let out = run(&[&args[..], &["--format", "json"]].concat()).await;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["generated_at"].as_str().is_some_and(|t| !t.is_empty()),
        "{v}"
    );
    let ch = |name: &str| {
        v["channels"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["channel"] == name)
            .cloned()
            .unwrap()
    };
    let help = ch("help_center");
    assert_eq!(help["now"], "unknown", "{help}");
    assert_eq!(help["stale"], true);
    let at =
        |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    assert_eq!(help["as_of"], at(help_newest));
    let chat = ch("chat");
    assert_eq!(
        (chat["now"].as_str(), chat["stale"].as_bool()),
        (Some("up"), Some(false))
    );
    assert!(
        v["advice"][0]
            .as_str()
            .unwrap()
            .starts_with("No fresh data for the help center"),
        "{v}"
    );
    let table = stdout(&run(&args).await);
    assert!(table.contains("no fresh data"), "{table}");
}

/// The page reads its patterns summed by channel as they are read; every
/// channel's answer is the one read check by check, in a zone read from the
/// hourly sums (Shanghai) and in one read from the quarter-hours (Kolkata),
/// and the same checks are listed. Only each check's own history is left out.
#[test]
fn patterns_read_by_channel_answer_as_those_read_by_check() {
    let lines = every(monday(), 35, 5, |t, out| {
        let h = how(t);
        let slow = if (40..44).contains(&h) { 900.0 } else { 200.0 };
        let chat = if h % 7 == 3 { "down" } else { "up" };
        out.push(line(t, "website-chat", "chat", chat, Some(slow)));
        out.push(line(
            t,
            "app-chat",
            "chat",
            "up",
            Some(slow / 2.0 + h as f64),
        ));
        let mail = if (100..104).contains(&h) {
            "down"
        } else {
            "up"
        };
        out.push(line(t, "support-mail", "email", mail, Some(300.0)));
    });
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("h.db")).unwrap();
    store
        .import(lines.join("\n").as_bytes(), "history")
        .unwrap();
    let window = std::time::Duration::from_secs(28 * 86_400);
    for tz in [Tz::UTC, chrono_tz::Asia::Shanghai, chrono_tz::Asia::Kolkata] {
        let opts = Options {
            tz,
            window,
            span: 2,
            min_samples: 3,
            channels: vec![],
            lang: okx_monitor::i18n::Lang::En,
        };
        let answer = |patterns| {
            let input = status::from_store(&store, vec![], window, tz, monday(), patterns).unwrap();
            let mut json = serde_json::to_value(status::build(&input, &opts, monday())).unwrap();
            // Each check's own history, which only the answer read by check has.
            let mut own = Vec::new();
            for c in json["channels"].as_array_mut().unwrap() {
                for check in c["checks"].as_array_mut().unwrap() {
                    let check = check.as_object_mut().unwrap();
                    own.push(
                        ["availability", "p50_ms", "p95_ms", "samples", "best"]
                            .map(|k| check.remove(k)),
                    );
                }
            }
            (json, own)
        };
        let (by_check, own) = answer(status::Patterns::EachCheck);
        let (by_channel, none) = answer(status::Patterns::EachChannel);
        assert_eq!(by_check, by_channel, "in {tz}");
        assert_eq!(by_check["channels"].as_array().unwrap().len(), 2);
        assert_eq!(own.len(), 3, "three checks listed");
        assert!(
            own.iter().all(|o| o[3] != Some(serde_json::json!(0))),
            "{own:?}"
        );
        assert!(
            none.iter().all(|o| o[3] == Some(serde_json::json!(0))),
            "{none:?}"
        );
        assert!(
            !by_channel["channels"][0]["best"]
                .as_array()
                .unwrap()
                .is_empty()
        );
    }
}
