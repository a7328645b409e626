//! The daemon's pages: `/`, `/api/status` and badges, from a known history,
//! in a real headless Chromium (Debian's) with JavaScript off, at a desktop
//! and a phone size.

use std::time::Duration;

use chrono::{Timelike, Utc};
use serde_json::json;

use okx_monitor::probe::chromium::{Chromium, Running};

use crate::support::daemon::Daemon;
use crate::support::history::{every, line};
use crate::support::peers;
use crate::support::{ConfigDir, http_get, http_request, run};

/// 14 days of live chat (fast at 06:00 UTC, down for an hour two days ago)
/// and e-mail, one check whose name is markup, and a daemon over it whose one
/// check runs hourly.
async fn site() -> (ConfigDir, Daemon, peers::Peer) {
    let now = Utc::now();
    let outage = (
        now - chrono::Duration::hours(50),
        now - chrono::Duration::hours(49),
    );
    let lines = every(now, 14, 10, |t, out| {
        let ms = if t.hour() == 6 { 40.0 } else { 150.0 };
        // One hour of chat down two days ago: an incident on the page.
        if t >= outage.0 && t < outage.1 {
            out.push(line(t, "website-chat", "chat", "down", None));
        } else {
            out.push(line(t, "website-chat", "chat", "up", Some(ms)));
        }
        out.push(line(
            t,
            "<img src=x onerror=alert(1)>",
            "email",
            "up",
            Some(90.0),
        ));
    });
    let control = peers::tarpit().await;
    let toml = format!(
        "[[check]]\nname = \"control-web\"\nchannel = \"control\"\nkind = \"tcp\"\naddress = \"{}\"\nschedule = \"0 0 * * * *\"\n",
        control.addr
    );
    let dir = ConfigDir::new(&[("checks.toml", &toml), ("history.jsonl", &lines.join("\n"))]);
    let db = dir.path().join("p.db");
    let file = dir.path().join("history.jsonl");
    let out = run(&[
        "import",
        file.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(0));
    let daemon = Daemon::start(dir.path(), &db).await;
    // The start-up probe, then nothing until the next hour.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    (dir, daemon, control)
}

#[tokio::test(flavor = "multi_thread")]
async fn api_status_is_the_status_command_and_badges_and_escaping_hold() {
    let (dir, daemon, _control) = site().await;
    // The imported hour of chat down is an incident, rebuilt by `import`.
    let (code, incidents) = http_get(daemon.addr, "/api/incidents").await.unwrap();
    assert_eq!(code, 200, "{incidents}");
    let incidents: serde_json::Value = serde_json::from_str(&incidents).unwrap();
    let list = incidents["incidents"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{incidents}");
    assert_eq!(
        (&list[0]["channel"], &list[0]["state"]),
        (&json!("chat"), &json!("down"))
    );
    assert_eq!(
        list[0]["duration_s"], 3600,
        "from its first failed probe to its first good one"
    );
    let (code, api) = http_get(daemon.addr, "/api/status?tz=Asia/Shanghai&span=2")
        .await
        .unwrap();
    assert_eq!(code, 200, "{api}");
    let cli = run(&[
        "--config",
        dir.path().to_str().unwrap(),
        "status",
        "--db",
        daemon.db.to_str().unwrap(),
        "--format",
        "json",
        "--tz",
        "Asia/Shanghai",
    ])
    .await;
    let (api, cli): (serde_json::Value, serde_json::Value) = (
        serde_json::from_str(&api).unwrap(),
        serde_json::from_slice(&cli.stdout).unwrap(),
    );
    assert_eq!(api["channels"], cli["channels"]);
    assert_eq!(
        (&api["timezone"], &api["window"]),
        (&cli["timezone"], &cli["window"])
    );
    assert!(
        !api["channels"][0]["best"].as_array().unwrap().is_empty(),
        "{api}"
    );

    let (code, body) = http_get(daemon.addr, "/api/status?tz=Mars/Olympus")
        .await
        .unwrap();
    assert_eq!(code, 400);
    let err: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(err["error"].as_str().unwrap().contains("Mars/Olympus"));

    let (code, svg) = http_get(daemon.addr, "/badge/chat.svg").await.unwrap();
    assert_eq!(code, 200);
    assert!(
        svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\"")
            && svg.trim_end().ends_with("</svg>"),
        "{svg}"
    );
    assert!(svg.contains(">up</text>"), "{svg}");
    // In the reader's language, as wide as its words.
    let (code, zh) = http_get(daemon.addr, "/badge/chat.svg?lang=zh-CN")
        .await
        .unwrap();
    assert_eq!(code, 200);
    assert!(
        zh.contains(">在线客服</text>") && zh.contains(">正常</text>"),
        "{zh}"
    );
    assert_eq!(
        http_get(daemon.addr, "/badge/fax.svg").await.unwrap().0,
        404
    );

    let (code, page) = http_get(daemon.addr, "/").await.unwrap();
    assert_eq!(code, 200);
    assert!(
        page.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "escaped"
    );
    assert!(!page.contains("<img"), "never an element");
    // Self-contained: nothing is fetched from anywhere (the SVG namespace is a name).
    let elsewhere = page.replace("http://www.w3.org/2000/svg", "");
    assert!(
        !elsewhere.contains("http://") && !elsewhere.contains("https://"),
        "no other host"
    );
    assert!(!page.contains("<script"), "no script");
    assert!(page.contains("The last 24 hours"), "the day's strip");
    assert!(page.contains("<html lang=\"en\">"), "a lang attribute");

    // In Chinese by the query or by the browser's Accept-Language; the query wins.
    let (_, _, zh) = http_request(daemon.addr, "/?lang=zh-CN", &[])
        .await
        .unwrap();
    let zh = String::from_utf8(zh).unwrap();
    for words in [
        "<html lang=\"zh-CN\">",
        "在线客服现在可以用",
        "现在该怎么做",
        "最近 24 小时",
        "周一",
    ] {
        assert!(zh.contains(words), "`{words}` missing");
    }
    assert!(
        zh.contains("&lt;img src=x onerror=alert(1)&gt;") && !zh.contains("<img"),
        "escaped in Chinese too"
    );
    let browser = [("accept-language", "zh-CN,zh;q=0.9,en;q=0.8")];
    let (_, _, by_header) = http_request(daemon.addr, "/", &browser).await.unwrap();
    assert!(
        String::from_utf8(by_header)
            .unwrap()
            .contains("在线客服现在可以用")
    );
    let (_, _, en) = http_request(daemon.addr, "/?lang=en", &browser)
        .await
        .unwrap();
    assert!(
        String::from_utf8(en)
            .unwrap()
            .contains("Live chat works now")
    );
    let (code, _, bad) = http_request(daemon.addr, "/api/status?lang=fr", &[])
        .await
        .unwrap();
    assert_eq!(code, 400, "{}", String::from_utf8_lossy(&bad));

    // Sent gzipped to a browser that asks, tagged, under a policy that loads
    // nothing. The page is rendered again when a probe comes in or the minute
    // turns (it says when it was generated): two fetches back to back are the
    // same page unless one of those fell between them, so up to three tries.
    let gzip = [("accept-encoding", "gzip, br")];
    let mut tries = Vec::new();
    for _ in 0..3 {
        let (_, page) = http_get(daemon.addr, "/").await.unwrap();
        let (code, head, gz) = http_request(daemon.addr, "/", &gzip).await.unwrap();
        assert_eq!(code, 200);
        let head = head.to_ascii_lowercase();
        assert!(head.contains("content-encoding: gzip"), "{head}");
        assert!(
            head.contains("content-security-policy: default-src 'none'"),
            "{head}"
        );
        assert!(head.contains("cache-control: no-cache"), "{head}");
        let mut plain = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut plain)
            .unwrap();
        assert!(gz.len() * 5 < page.len(), "{} of {}", gz.len(), page.len());
        let etag = head
            .lines()
            .find_map(|l| l.strip_prefix("etag: "))
            .expect("an etag")
            .to_string();
        let (code, _, body) = http_request(daemon.addr, "/", &[("if-none-match", &etag)])
            .await
            .unwrap();
        let same = plain == page;
        tries.push((same, code, body.len()));
        if same && code == 304 {
            break;
        }
    }
    assert!(
        tries.iter().any(|(same, _, _)| *same),
        "the same page, compressed: {tries:?}"
    );
    assert!(
        tries.iter().any(|(_, code, len)| (*code, *len) == (304, 0)),
        "unchanged: nothing sent again: {tries:?}"
    );
}

/// `expression`'s value in the page of `session` (DevTools evaluates it even
/// with the page's scripts off).
async fn evaluate(browser: &Running, session: Option<&str>, expression: &str) -> serde_json::Value {
    browser
        .call(
            session,
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true}),
        )
        .await
        .unwrap()["result"]["value"]
        .clone()
}

/// Waits (up to 30 s: a busy machine, not a slow page) until the page is
/// loaded and `readyState|location.search|innerText|rects` starts with
/// `prefix`; returns that text.
async fn loaded(browser: &Running, session: Option<&str>, prefix: &str) -> String {
    let mut text = String::new();
    for _ in 0..300 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        text = evaluate(
            browser,
            session,
            "document.readyState + '|' + location.search + '|' + document.body.innerText + '|' + document.querySelectorAll('svg rect').length",
        )
        .await
        .as_str()
        .unwrap_or("")
        .to_string();
        if text.starts_with(prefix) {
            break;
        }
    }
    text
}

#[tokio::test(flavor = "multi_thread")]
async fn the_page_reads_in_a_real_browser_without_javascript_on_a_desktop_and_a_phone() {
    let (dir, daemon, _control) = site().await;
    let _slot = crate::support::browser_slot().await;
    let chromium = Chromium::new(
        okx_monitor::config::Settings::default()
            .find_browser()
            .expect("Debian's chromium (installed by the test command)"),
    );
    let browser = chromium.get().await.unwrap();
    let ctx = browser
        .call(None, "Target.createBrowserContext", json!({}))
        .await
        .unwrap();
    let target = browser
        .call(
            None,
            "Target.createTarget",
            json!({"url": "about:blank", "browserContextId": ctx["browserContextId"]}),
        )
        .await
        .unwrap();
    let session = browser
        .call(
            None,
            "Target.attachToTarget",
            json!({"targetId": target["targetId"], "flatten": true}),
        )
        .await
        .unwrap()["sessionId"]
        .as_str()
        .unwrap()
        .to_string();
    let s = Some(session.as_str());
    browser
        .call(
            s,
            "Emulation.setScriptExecutionDisabled",
            json!({"value": true}),
        )
        .await
        .unwrap();
    let sizes = [(1280u64, 1800, false), (390, 844, true)];
    let cases = [
        ("en", "Live chat works now", "What to do now", "Generated "),
        ("zh-CN", "在线客服现在可以用", "现在该怎么做", "生成于"),
    ];
    for ((width, height, mobile), (lang, headline, section, generated)) in cases
        .iter()
        .flat_map(|c| sizes.iter().map(move |s| (*s, *c)))
    {
        browser
            .call(
                s,
                "Emulation.setDeviceMetricsOverride",
                json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}),
            )
            .await
            .unwrap();
        let url = format!("http://{}/?tz=UTC&lang={lang}", daemon.addr);
        browser
            .call(s, "Page.navigate", json!({"url": url}))
            .await
            .unwrap();
        let text = loaded(&browser, s, "complete|").await;
        assert!(text.contains(headline), "{text}");
        assert!(text.contains(section), "{text}");
        let rects: usize = text.rsplit('|').next().unwrap().parse().unwrap();
        assert!(rects >= 4 * 168, "two grids per channel: {rects}");
        // Every cell is drawn: the classes size and colour them.
        let blank = evaluate(
            &browser,
            s,
            "[...document.querySelectorAll('rect.c')].filter(r => r.getBBox().width === 0).length",
        )
        .await;
        assert_eq!(blank, 0, "cells without a size");
        // Nothing is cut off or needs scrolling sideways, on a phone too.
        let scroll = evaluate(&browser, s, "document.documentElement.scrollWidth").await;
        assert!(
            scroll.as_u64().unwrap() <= width,
            "{lang} at {width} px scrolls sideways: {scroll}"
        );
        // Hour labels on every grid and a legend under it, the generated time.
        let labelled = evaluate(&browser, s, "[...document.querySelectorAll('figure svg')].filter(g => g.querySelectorAll('rect.c').length).every(g => [...g.querySelectorAll('text')].some(t => t.textContent === '21')) && [...document.querySelectorAll('figure')].filter(f => f.querySelector('rect.c')).every(f => f.querySelector('ul.legend li'))").await;
        assert_eq!(labelled, true, "hour labels and a legend on every grid");
        assert!(text.contains(generated), "{text}");
        let shot = browser
            .call(s, "Page.captureScreenshot", json!({"format": "png"}))
            .await
            .unwrap();
        use base64::Engine as _;
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap())
            .unwrap();
        let file = std::env::var_os("OKX_PAGE_SHOTS")
            .map_or_else(|| dir.path().to_path_buf(), std::path::PathBuf::from)
            .join(format!("page-{lang}-{width}x{height}.png"));
        std::fs::write(&file, &png).unwrap();
        let png = png.len();
        // A blank page of this size compresses to a few KB.
        assert!(png > 20_000, "{width}x{height}: {png} bytes");
    }
    // The time-zone form, submitted as a person would with JavaScript off:
    // the page comes back in that zone, the rest of the query kept.
    let hour = |text: &str| -> u32 {
        let line = text
            .lines()
            .find(|l| l.starts_with("Generated "))
            .unwrap_or_else(|| panic!("{text}"));
        let time = line.split_whitespace().nth(2).unwrap();
        time[..2].parse().unwrap()
    };
    let url = format!("http://{}/?tz=UTC&lang=en", daemon.addr);
    browser
        .call(s, "Page.navigate", json!({"url": url}))
        .await
        .unwrap();
    let utc_page = loaded(&browser, s, "complete|?tz=UTC&lang=en|").await;
    let utc = hour(&utc_page);
    browser
        .call(
            s,
            "Runtime.evaluate",
            json!({"expression": "document.querySelector('form.tz input[name=tz]').value = 'Asia/Shanghai'; document.querySelector('form.tz button').click(); 1"}),
        )
        .await
        .unwrap();
    let shown = loaded(&browser, s, "complete|?tz=Asia").await;
    assert!(
        shown.starts_with("complete|?tz=Asia%2FShanghai&lang=en|"),
        "{shown}"
    );
    let shanghai = hour(&shown);
    assert!(
        [(utc + 8) % 24, (utc + 9) % 24].contains(&shanghai),
        "{utc} UTC is {shanghai} in Shanghai?"
    );
    chromium.shutdown().await;
    drop(daemon);
}

#[tokio::test(flavor = "multi_thread")]
async fn under_basic_auth_every_page_needs_credentials() {
    let control = peers::tarpit().await;
    let toml = format!(
        "[[check]]\nname = \"control-web\"\nchannel = \"control\"\nkind = \"tcp\"\naddress = \"{}\"\nschedule = \"0 0 * * * *\"\n",
        control.addr
    );
    let dir = ConfigDir::new(&[("checks.toml", &toml)]);
    let hash = bcrypt::hash("s3cret", 4).unwrap();
    let web = dir.path().join("web.yml");
    std::fs::write(&web, format!("basic_auth_users:\n  alice: {hash}\n")).unwrap();
    let mut daemon = Daemon::spawn(
        dir.path(),
        &dir.path().join("a.db"),
        &["--web-config", web.to_str().unwrap()],
        &[],
    );
    let started = std::time::Instant::now();
    while http_get(daemon.addr, "/healthz").await.is_err() {
        daemon.assert_running();
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the daemon did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for path in ["/", "/api/status", "/badge/chat.svg", "/metrics"] {
        assert_eq!(http_get(daemon.addr, path).await.unwrap().0, 401, "{path}");
    }
}
