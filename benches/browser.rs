//! The `browser` kind's costs on this machine, printed, not asserted:
//! - browser probes per minute sustained (10 browser checks due every second,
//!   `browser_concurrency` 2), with the CPU time and the RSS per probe of the
//!   daemon and its Chromium together;
//! - the peak RSS of the daemon plus its browser with 10 browser checks every
//!   minute, and the Chromium processes left after SIGTERM.
//!
//! Every page and WebSocket is served on 127.0.0.1. Run: `cargo bench --bench
//! browser` (release build; about three minutes). Needs Debian's `chromium`.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use support::daemon::{Daemon, metric_sum};
use support::peers::{self, response};
use support::ws::{self, Behaviour};

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let chat = ws::peer(Behaviour::Acknowledge).await;
        let ws_url = chat.url("ws");
        let site = peers::http(move |_| {
            response(
                200,
                &[("content-type", "text/html")],
                &format!(
                    "<html><body><script>setTimeout(() => {{ const b = document.createElement('button'); b.id = 'chat-launcher'; b.onclick = () => new WebSocket('{ws_url}'); document.body.appendChild(b); }}, 200);</script></body></html>"
                ),
            )
        })
        .await;
        let url = site.url("/");
        sustained(&url, "* * * * * *", Duration::from_secs(60)).await;
        sustained(&url, "0 * * * * *", Duration::from_secs(130)).await;
    });
}

/// Ten browser checks on `schedule` for `run_for`: probes, CPU and RSS.
async fn sustained(url: &str, schedule: &str, run_for: Duration) {
    let toml: String = (0..10)
        .map(|i| format!(
            "[[check]]\nname = \"chat-{i}\"\nchannel = \"chat\"\nkind = \"browser\"\nurl = \"{url}\"\nwait_for = \"#chat-launcher\"\nclick = true\nexpect_websocket = \"/ws\"\nschedule = \"{schedule}\"\ntimeout = \"10s\"\n"
        ))
        .collect();
    let dir = support::ConfigDir::new(&[("checks.toml", &toml)]);
    let mark = format!("bench-{}", std::process::id());
    let mut daemon = Daemon::start_env(
        dir.path(),
        &dir.path().join("b.db"),
        &[],
        &[("OKX_LEAK_MARK", &mark)],
    )
    .await;
    let started = Instant::now();
    let (mut peak_rss, mut peak_procs, mut rss_sum, mut readings) = (0u64, 0usize, 0u64, 0u64);
    let mut cpu = 0.0;
    while started.elapsed() < run_for {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let procs = support::marked(&mark);
        let rss: u64 = procs.iter().map(|p| p.1).sum();
        peak_rss = peak_rss.max(rss);
        peak_procs = peak_procs.max(procs.len());
        rss_sum += rss;
        readings += 1;
        // CPU only grows; the last reading before the stop is the total.
        cpu = procs.iter().map(|p| p.2).sum::<f64>();
    }
    let text = daemon.metrics().await;
    let probes = metric_sum(&text, "okx_monitor_probes_total", "");
    let up = metric_sum(&text, "okx_monitor_probes_total", "outcome=\"up\"");
    daemon.signal(libc::SIGTERM);
    daemon.wait_exit(Duration::from_secs(20)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let left = support::marked(&mark).len();
    let minutes = run_for.as_secs_f64() / 60.0;
    println!(
        "10 browser checks at `{schedule}` for {:.0} s: {probes} probes ({up} up), {:.1} per minute; \
         CPU {:.0} ms per probe; RSS mean {:.0} MB, peak {:.0} MB in {peak_procs} processes; \
         {left} processes left after SIGTERM",
        run_for.as_secs_f64(),
        probes / minutes,
        cpu * 1000.0 / probes.max(1.0),
        rss_sum as f64 / readings.max(1) as f64 / 1024.0,
        peak_rss as f64 / 1024.0,
    );
}
