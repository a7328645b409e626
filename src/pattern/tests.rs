use super::*;

/// A week where every hour has `n` up samples at `ms`.
fn flat(n: u64, ms: f64) -> Week {
    let mut w = Week::default();
    for h in &mut w.hours {
        h.up = n;
        for _ in 0..n {
            h.latency.observe(ms);
        }
    }
    w
}

fn set(w: &mut Week, hour: usize, up: u64, down: u64, ms: f64) {
    let h = &mut w.hours[hour];
    *h = Hour::default();
    h.up = up;
    h.down = down;
    for _ in 0..up {
        h.latency.observe(ms);
    }
}

#[test]
fn a_fast_window_is_best() {
    let mut w = flat(10, 400.0);
    set(&mut w, 30, 10, 0, 50.0); // Tuesday 06:00
    set(&mut w, 31, 10, 0, 50.0);
    let best = rank(w.windows(2, 3), End::Best, 3);
    assert_eq!((best[0].weekday(), best[0].hour()), (2, 6));
    assert_eq!(best[0].samples, 20);
}

#[test]
fn availability_beats_latency_beyond_half_a_point() {
    let mut w = flat(100, 900.0);
    // Monday 21:00–23:00: very fast but 2% down.
    set(&mut w, 21, 98, 2, 10.0);
    set(&mut w, 22, 98, 2, 10.0);
    let best = rank(w.windows(2, 3), End::Best, 1);
    assert!((best[0].availability - 1.0).abs() < 1e-9, "{best:?}");
    let worst = rank(w.windows(2, 3), End::Worst, 1);
    assert_eq!((worst[0].weekday(), worst[0].hour()), (1, 21));
}

#[test]
fn within_half_a_point_the_faster_wins() {
    let mut w = flat(1000, 900.0);
    // 99.6% available and fast beats 100% and slow.
    set(&mut w, 50, 996, 4, 20.0);
    set(&mut w, 51, 996, 4, 20.0);
    let best = rank(w.windows(2, 3), End::Best, 1);
    assert_eq!(best[0].start, 50);
}

#[test]
fn windows_wrap_from_sunday_into_monday() {
    let mut w = flat(10, 400.0);
    set(&mut w, 167, 10, 0, 5.0); // Sunday 23:00
    set(&mut w, 0, 10, 0, 5.0); // Monday 00:00
    let best = rank(w.windows(2, 3), End::Best, 1);
    assert_eq!(
        (best[0].weekday(), best[0].hour(), best[0].hours),
        (7, 23, 2)
    );
}

#[test]
fn an_under_sampled_hour_disqualifies_its_windows() {
    let mut w = flat(10, 400.0);
    set(&mut w, 80, 2, 0, 1.0);
    let windows = w.windows(3, 3);
    assert!(
        windows
            .iter()
            .all(|x| !(0..3).any(|i| (x.start + i) % HOURS == 80))
    );
    assert_eq!(windows.len(), HOURS - 3);
    assert!(
        Week::default().windows(2, 3).is_empty(),
        "no data, no window"
    );
}

#[test]
fn picked_windows_do_not_overlap() {
    let w = flat(10, 400.0);
    let best = rank(w.windows(2, 3), End::Best, 3);
    assert_eq!(best.len(), 3);
    for (i, a) in best.iter().enumerate() {
        for b in &best[i + 1..] {
            assert!(!a.overlaps(b), "{a:?} {b:?}");
        }
    }
}

#[test]
fn a_faster_hour_stands_out_of_an_even_week() {
    let mut week = Week::default();
    for (i, h) in week.hours.iter_mut().enumerate() {
        for _ in 0..3 {
            h.up += 1;
            h.latency.observe(if i == 6 { 40.0 } else { 150.0 });
        }
    }
    let bands = LatencyBands::of(&week, 3).unwrap();
    assert_eq!(bands.band(40.0), 0);
    assert_eq!(bands.band(150.0), 1);
    assert_eq!(bands.band(250.0), 2);
    assert_eq!(bands.band(400.0), 3);
    assert_eq!(LatencyBands::of(&week, 4), None, "no hour has enough");
}

#[test]
fn local_hours_follow_the_zone() {
    let mut w = Week::default();
    let mut r = Rollup::default();
    r.add(Outcome::Up, Some(1000));
    // 2026-11-02 (a Monday) 22:00 UTC is Tuesday 06:00 in Shanghai.
    let ms = Utc
        .with_ymd_and_hms(2026, 11, 2, 22, 0, 0)
        .unwrap()
        .timestamp_millis();
    w.add(ms, chrono_tz::Asia::Shanghai, &r);
    assert_eq!(w.hours[24 + 6].up, 1);
    // Kolkata is UTC+5:30: the 22:30 UTC quarter-hour is Tuesday 04:00 local.
    let ms = Utc
        .with_ymd_and_hms(2026, 11, 2, 22, 30, 0)
        .unwrap()
        .timestamp_millis();
    w.add(ms, chrono_tz::Asia::Kolkata, &r);
    assert_eq!(w.hours[24 + 4].up, 1);
}

#[test]
fn the_clock_agrees_with_chrono_across_a_dst_change() {
    let tz = chrono_tz::Europe::Berlin;
    let mut clock = Clock::new(tz);
    let start = Utc
        .with_ymd_and_hms(2026, 10, 24, 0, 0, 0)
        .unwrap()
        .timestamp_millis();
    for q in 0..(3 * 96) {
        let ms = start + q * 15 * 60 * 1000;
        let t = DateTime::<Utc>::from_timestamp_millis(ms)
            .unwrap()
            .with_timezone(&tz);
        assert_eq!(clock.hour_of_week(ms), hour_of_week(&t), "{t}");
    }
    let mut kolkata = Clock::new(chrono_tz::Asia::Kolkata);
    let ms = Utc
        .with_ymd_and_hms(2026, 11, 2, 22, 30, 0)
        .unwrap()
        .timestamp_millis();
    assert_eq!(kolkata.hour_of_week(ms), 24 + 4);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn week() -> impl Strategy<Value = Week> {
        prop::collection::vec((0u64..6, 0u64..3, 1u32..3000), HOURS).prop_map(|hours| {
            let mut w = Week::default();
            for (h, (up, down, ms)) in w.hours.iter_mut().zip(hours) {
                h.up = up;
                h.down = down;
                for _ in 0..up {
                    h.latency.observe(f64::from(ms));
                }
            }
            w
        })
    }

    proptest! {
        /// A window qualifies exactly when every hour of it has `min` samples.
        #[test]
        fn under_sampled_hours_never_qualify(w in week(), span in 1usize..6, min in 1u64..6) {
            let windows = w.windows(span, min);
            for start in 0..HOURS {
                let full = (0..span).all(|i| w.hours[(start + i) % HOURS].samples() >= min);
                prop_assert_eq!(full, windows.iter().any(|x| x.start == start), "start {}", start);
            }
        }

        /// The first best is within half a point of the best availability; the
        /// first worst within half a point of the worst; picks never overlap.
        #[test]
        fn ranking_respects_the_rule(w in week(), span in 1usize..5) {
            let windows = w.windows(span, 1);
            prop_assume!(!windows.is_empty());
            let top = windows.iter().map(|x| x.availability).fold(f64::MIN, f64::max);
            let bottom = windows.iter().map(|x| x.availability).fold(f64::MAX, f64::min);
            let best = rank(windows.clone(), End::Best, 3);
            let worst = rank(windows, End::Worst, 3);
            prop_assert!(best[0].availability > top - TIE);
            prop_assert!(worst[0].availability < bottom + TIE);
            for picks in [&best, &worst] {
                for (i, a) in picks.iter().enumerate() {
                    for b in &picks[i + 1..] {
                        prop_assert!(!a.overlaps(b));
                    }
                }
            }
        }
    }
}
