use super::*;

fn down() -> Report {
    Report::failed(
        Failure::Connect,
        crate::reason!("connect_refused", addr = "127.0.0.1:443"),
    )
}

#[test]
fn codes_are_fixed_and_round_trip() {
    let codes: Vec<usize> = Outcome::ALL.iter().map(|o| o.code()).collect();
    assert_eq!(codes, vec![0, 1, 2, 3, 4, 5, 6], "stored in every database");
    for o in Outcome::ALL {
        assert_eq!(Outcome::from_code(o.code() as i64), Some(o));
    }
    assert_eq!(Outcome::from_code(7), None);
}

#[test]
fn the_control_rule() {
    use Outcome::*;
    assert_eq!(local_network_up([]), None, "no control, no judgement");
    assert_eq!(local_network_up([Down, Unknown]), Some(false));
    assert_eq!(local_network_up([Down, Throttled]), Some(true));
    assert_eq!(local_network_up([Maintenance]), Some(true));
}

#[test]
fn maintenance_states_keep_what_okx_wrote() {
    for s in [
        "scheduled",
        "ongoing",
        "pre_open",
        "completed",
        "canceled",
        "paused",
    ] {
        assert_eq!(MaintenanceState::from(s.to_string()).as_str(), s);
    }
    assert!(MaintenanceState::PreOpen.is_underway());
    assert!(MaintenanceState::Scheduled.is_pending());
    assert!(!MaintenanceState::Completed.is_pending());
}

#[test]
fn grading() {
    let slow = Duration::from_secs(1);
    assert_eq!(grade(Duration::from_millis(999), slow).0, Outcome::Up);
    assert_eq!(grade(Duration::from_millis(1000), slow).0, Outcome::Up);
    assert_eq!(
        grade(Duration::from_millis(1001), slow).0,
        Outcome::Degraded
    );
}

fn item<'a>(
    channel: Channel,
    covers: Option<&'a [Channel]>,
    report: &'a mut Report,
) -> RunItem<'a> {
    RunItem {
        channel,
        covers,
        port: covers.map(|_| 25),
        report,
    }
}

#[test]
fn all_controls_down_makes_failures_unknown() {
    let (mut a, mut b, mut c, mut d) = (
        down(),
        down(),
        Report::new(Outcome::Up, crate::reason!("ok")),
        down(),
    );
    let mut run = [
        item(Channel::Control, None, &mut a),
        item(Channel::Chat, None, &mut b),
        item(Channel::Email, None, &mut c),
        item(Channel::Control, None, &mut d),
    ];
    judge_run(&mut run);
    assert_eq!(
        run[0].report.outcome,
        Outcome::Down,
        "controls keep their outcome"
    );
    assert_eq!(run[1].report.outcome, Outcome::Unknown);
    assert_eq!(run[1].report.failure, Some(Failure::LocalNetwork));
    assert_eq!(
        run[2].report.outcome,
        Outcome::Up,
        "a success stays a success"
    );
}

#[test]
fn one_working_control_keeps_down_as_down() {
    let (mut a, mut b, mut c) = (
        down(),
        Report::new(Outcome::Up, crate::reason!("ok")),
        down(),
    );
    let mut run = [
        item(Channel::Control, None, &mut a),
        item(Channel::Control, None, &mut b),
        item(Channel::Chat, None, &mut c),
    ];
    judge_run(&mut run);
    assert_eq!(run[2].report.outcome, Outcome::Down);
}

/// A path control (`covers = ["email"]`) that fails makes e-mail's
/// failure unknown, naming the port, and nothing else's; one that answers
/// leaves e-mail's failure a `down`.
#[test]
fn a_closed_path_makes_only_its_channels_failures_unknown() {
    let email = [Channel::Email];
    let (mut web, mut smtp, mut mail, mut chat) = (
        Report::new(Outcome::Up, crate::reason!("ok")),
        down(),
        down(),
        down(),
    );
    let mut run = [
        item(Channel::Control, None, &mut web),
        item(Channel::Control, Some(&email), &mut smtp),
        item(Channel::Email, None, &mut mail),
        item(Channel::Chat, None, &mut chat),
    ];
    judge_run(&mut run);
    assert_eq!(run[2].report.outcome, Outcome::Unknown);
    assert_eq!(run[2].report.failure, Some(Failure::PathClosed));
    assert!(
        run[2]
            .report
            .reason
            .to_string()
            .starts_with("outbound port 25 is blocked on this network"),
        "{}",
        run[2].report.reason
    );
    assert_eq!(run[3].report.outcome, Outcome::Down, "chat's path is open");

    let seen = |covers, outcome| ControlSeen {
        covers,
        port: Some(25),
        outcome,
    };
    let open = [seen(None, Outcome::Up), seen(Some(&email[..]), Outcome::Up)];
    assert_eq!(closed_for(Channel::Email, &open), None);
    let net_down = [
        seen(None, Outcome::Down),
        seen(Some(&email[..]), Outcome::Up),
    ];
    assert_eq!(
        closed_for(Channel::Chat, &net_down),
        Some(Closed::LocalNetwork)
    );
    let only_path = [seen(Some(&email[..]), Outcome::Down)];
    assert_eq!(
        closed_for(Channel::Email, &only_path),
        Some(Closed::Path { port: Some(25) })
    );
    assert_eq!(closed_for(Channel::Chat, &only_path), None);
}

#[test]
fn without_controls_nothing_is_unknown() {
    let mut a = down();
    let mut run = [item(Channel::Chat, None, &mut a)];
    judge_run(&mut run);
    assert_eq!(run[0].report.outcome, Outcome::Down);
}
