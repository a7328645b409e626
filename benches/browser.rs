//! The `browser` kind's costs on this machine, printed, not asserted:
//! - browser probes per minute sustained (10 browser checks due every second,
//!   `browser_concurrency` 2), with the CPU time and the RSS per probe of the
//!   daemon and its Chromium together;
//! - the peak RSS of the daemon plus its browser with 10 browser checks every
//!   minute, and the Chromium processes left after SIGTERM;
//! - issue 30's ratio: a browser probe's CPU (the daemon and every Chromium
//!   process it started, reaped, over the whole run, divided by the probes)
//!   against headless Chromium loading the same page by itself
//!   (`chromium --headless --dump-dom URL`, the daemon's switches, a fresh
//!   profile), measured the same way in the same run.
//!
//! Every page and WebSocket is served on 127.0.0.1. Run: `cargo bench --bench
//! browser` (release build; about four minutes; `-- ratio`, two). Needs
//! Debian's `chromium`.

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
        let by_itself = reference(&url);
        let per_probe = sustained(&url, "* * * * * *", Duration::from_secs(60)).await;
        println!(
            "a browser probe's CPU {:.0} ms against Chromium loading the page by itself {:.0} ms: {:.2}x (goal 1.3x)",
            per_probe * 1000.0,
            by_itself * 1000.0,
            per_probe / by_itself
        );
        // `-- ratio`: the ratio alone, without the two minutes at one probe a minute.
        if !std::env::args().any(|a| a == "ratio") {
            sustained(&url, "0 * * * * *", Duration::from_secs(130)).await;
        }
    });
}

/// CPU seconds (user and system) of every child this process has reaped,
/// theirs included.
fn children_cpu() -> f64 {
    // SAFETY: getrusage(2) fills the struct we hand it.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage
    };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

/// The median CPU seconds of headless Chromium loading `url` by itself, with
/// the daemon's switches and a fresh profile, over 9 runs.
fn reference(url: &str) -> f64 {
    let chromium = ["chromium", "chromium-browser"]
        .into_iter()
        .find(|c| {
            std::process::Command::new(c)
                .arg("--version")
                .output()
                .is_ok()
        })
        .expect("the bench needs Debian's chromium");
    let mut runs: Vec<f64> = (0..9)
        .map(|_| {
            let profile = tempfile::tempdir().unwrap();
            let before = children_cpu();
            let out = std::process::Command::new(chromium)
                // The daemon's switches; the page's DOM on standard output
                // instead of DevTools on a pipe.
                .args(
                    okx_monitor::probe::chromium::FLAGS
                        .iter()
                        .filter(|f| **f != "--remote-debugging-pipe"),
                )
                .arg("--dump-dom")
                .arg(format!("--user-data-dir={}", profile.path().display()))
                .arg(url)
                .output()
                .unwrap();
            assert!(
                String::from_utf8_lossy(&out.stdout).contains("<script>"),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            children_cpu() - before
        })
        .collect();
    runs.sort_by(f64::total_cmp);
    runs[runs.len() / 2]
}

/// Ten browser checks on `schedule` for `run_for`: probes, CPU and RSS.
/// Returns the CPU seconds per probe of the daemon and its browser.
async fn sustained(url: &str, schedule: &str, run_for: Duration) -> f64 {
    let toml: String = (0..10)
        .map(|i| format!(
            "[[check]]\nname = \"chat-{i}\"\nchannel = \"chat\"\nkind = \"browser\"\nurl = \"{url}\"\nwait_for = \"#chat-launcher\"\nclick = true\nexpect_websocket = \"/ws\"\nschedule = \"{schedule}\"\ntimeout = \"10s\"\n"
        ))
        .collect();
    let dir = support::ConfigDir::new(&[("checks.toml", &toml)]);
    let mark = format!("bench-{}", std::process::id());
    let cpu_before = children_cpu();
    let mut daemon = Daemon::start_env(
        dir.path(),
        &dir.path().join("b.db"),
        &[],
        &[("OKX_LEAK_MARK", &mark)],
    )
    .await;
    let started = Instant::now();
    let (mut peak_rss, mut peak_procs, mut rss_sum, mut readings) = (0u64, 0usize, 0u64, 0u64);
    while started.elapsed() < run_for {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let procs = support::marked(&mark);
        let rss: u64 = procs.iter().map(|p| p.1).sum();
        peak_rss = peak_rss.max(rss);
        peak_procs = peak_procs.max(procs.len());
        rss_sum += rss;
        readings += 1;
    }
    let text = daemon.metrics().await;
    let probes = metric_sum(&text, "okx_monitor_probes_total", "");
    let up = metric_sum(&text, "okx_monitor_probes_total", "outcome=\"up\"");
    daemon.signal(libc::SIGTERM);
    daemon.wait_exit(Duration::from_secs(20)).await;
    // The daemon reaped its Chromium, which reaped its own processes: all of
    // their CPU is counted now, renderers that came and went included.
    let cpu = children_cpu() - cpu_before;
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
    cpu / probes.max(1.0)
}
