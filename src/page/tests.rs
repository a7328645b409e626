use super::*;

fn status(local_network: Option<Outcome>) -> Status {
    Status {
        generated_at: "2026-12-04T10:00:00Z".into(),
        timezone: "UTC".into(),
        window: crate::duration::Span(std::time::Duration::from_secs(28 * 86_400)),
        channels: Vec::new(),
        advice: Vec::new(),
        local_network,
        maintenance: Vec::new(),
        okx_declares: Vec::new(),
        closed_paths: Vec::new(),
    }
}

const NONE: Extras<'static> = Extras {
    incidents: &[],
    keep: &[],
};

#[test]
fn incidents_are_listed_with_their_reasons_escaped() {
    let incidents = vec![crate::status::IncidentOut {
        channel: Channel::Chat,
        state: Outcome::Down,
        start: "2026-12-03T22:10:00Z".into(),
        end: Some("2026-12-03T22:31:00Z".into()),
        duration_s: 1260,
        checks: vec![crate::status::CheckOut {
            check: "web".into(),
            outcome: Outcome::Down,
            reason: Some("<img src=x onerror=alert(1)>".into()),
            reason_code: None,
        }],
        start_ms: 0,
    }];
    let mut s = status(Some(Outcome::Up));
    s.generated_at = "2026-12-04T10:00:00Z".into();
    let extras = Extras {
        incidents: &incidents,
        keep: &[("lang".into(), "en".into())],
    };
    let page = render(&s, &extras, Lang::En);
    assert!(page.contains("✗ Live chat down"), "{page}");
    assert!(page.contains("Thu 22:10 – Thu 22:31 (21 min)"), "{page}");
    assert!(
        page.contains("web: &lt;img src=x onerror=alert(1)&gt;"),
        "{page}"
    );
    assert!(!page.contains("<img"), "{page}");
    assert!(
        page.contains("<input type=\"hidden\" name=\"lang\" value=\"en\">"),
        "the form keeps the rest of the query"
    );
}

#[test]
fn the_headline_blames_no_channel_when_this_machine_is_offline() {
    let page = render(&status(Some(Outcome::Down)), &NONE, Lang::En);
    assert!(
        page.contains("<h1>This machine&#39;s network is down"),
        "{page}"
    );
    let page = render(&status(Some(Outcome::Down)), &NONE, Lang::ZhCn);
    assert!(page.contains("<h1>这台机器的网络断了"), "{page}");
    let page = render(&status(Some(Outcome::Up)), &NONE, Lang::En);
    assert!(page.contains("<h1>No data yet"), "{page}");
}
