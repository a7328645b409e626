//! What the tests share: fake peers on 127.0.0.1 bound to port 0, real DNS
//! (dnsmasq) and SMTP (aiosmtpd) servers started per test, and helpers that
//! write a configuration and load it. Nothing here ever leaves 127.0.0.0/8.

#![allow(dead_code)]

pub mod daemon;
pub mod history;
pub mod peers;
pub mod servers;
pub mod ws;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use okx_monitor::config::{self, Check, Config};
use okx_monitor::outcome::Report;
use okx_monitor::runner::Prober;

/// The okx-monitor binary built for these tests.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_okx-monitor"))
}

/// A temporary directory holding one configuration file.
pub struct ConfigDir {
    pub dir: tempfile::TempDir,
}

impl ConfigDir {
    pub fn new(files: &[(&str, &str)]) -> ConfigDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        ConfigDir { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn load(&self) -> Config {
        config::load(self.path()).unwrap_or_else(|e| panic!("config does not load: {e}"))
    }
}

/// Loads `toml` as the only file of a configuration.
pub fn load(toml: &str) -> Config {
    ConfigDir::new(&[("checks.toml", toml)]).load()
}

/// Probes the only check of `toml` once.
pub async fn probe_one(toml: &str) -> Report {
    let config = load(toml);
    assert_eq!(config.checks.len(), 1, "probe_one takes one check");
    probe(&config.checks[0]).await
}

pub async fn probe(check: &Check) -> Report {
    let prober = Prober::new(std::slice::from_ref(check)).expect("prober set-up");
    let report = prober.probe(check).await;
    prober.shutdown().await;
    report
}

/// Runs the binary with `args`, with no colour, and waits for it.
pub async fn run(args: &[&str]) -> Output {
    run_env(args, &[]).await
}

/// Like [`run`], with extra environment variables.
pub async fn run_env(args: &[&str], envs: &[(&str, &str)]) -> Output {
    tokio::process::Command::new(bin())
        .args(args)
        .env("NO_COLOR", "1")
        // English unless a test says otherwise, whatever this machine's locale.
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C.UTF-8")
        .envs(envs.iter().copied())
        .kill_on_drop(true)
        .output()
        .await
        .unwrap()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The shipped check `name` of `checks/{file}`, as a `[[check]]` table of
/// its own, with each of `replace`'s (from, to) applied to its text (a test
/// moves its targets onto loopback and keeps every other key as shipped).
pub fn shipped(file: &str, name: &str, replace: &[(&str, &str)]) -> String {
    let path = format!("{}/checks/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).unwrap();
    let start = text
        .find(&format!("name = \"{name}\""))
        .unwrap_or_else(|| panic!("no shipped check {name} in {file}"));
    let block = &text[start..];
    let mut block = block[..block.find("\n\n").unwrap_or(block.len())].to_string();
    for (from, to) in replace {
        assert!(block.contains(from), "{name}: {from}");
        block = block.replace(from, to);
    }
    format!("[[check]]\n{block}\n")
}

/// One browser test at a time: each starts its own Chromium, and several
/// starting at once on a two-core machine make each other's probes slow.
pub async fn browser_slot() -> tokio::sync::SemaphorePermit<'static> {
    static SLOT: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);
    SLOT.acquire().await.expect("the semaphore is never closed")
}

/// What a busy two-core machine may add around a deadline the product
/// promises: a process's start, the prober's set-up, a late wake-up. A test of
/// a deadline tells "bounded by the timeout" from "unbounded" (a tarpit is
/// forever) or "bounded by something else" (seconds more), never the
/// machine's speed.
pub const BUSY: Duration = Duration::from_secs(2);

/// Asserts that `took` is within `limit`, a deadline the product promises,
/// plus [`BUSY`].
pub fn within(took: Duration, limit: Duration) {
    let limit = limit + BUSY;
    assert!(took <= limit, "took {took:?}, more than {limit:?}");
}

/// A plain HTTP/1.1 GET on loopback: (status, body). Enough for /metrics,
/// /healthz and Prometheus's API, with no TLS machinery.
pub async fn http_get(
    addr: std::net::SocketAddr,
    path_and_query: &str,
) -> std::io::Result<(u16, String)> {
    let (status, _, body) = http_request(addr, path_and_query, &[]).await?;
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

/// A GET with `headers`: (status, the response's head, its body de-chunked).
pub async fn http_request(
    addr: std::net::SocketAddr,
    path_and_query: &str,
    headers: &[(&str, &str)],
) -> std::io::Result<(u16, String, Vec<u8>)> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await?;
    let extra: String = headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}\r\n"))
        .collect();
    s.write_all(
        format!(
            "GET {path_and_query} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n{extra}\r\n"
        )
        .as_bytes(),
    )
    .await?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(raw.len());
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let body = raw.get(split + 4..).unwrap_or_default();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_vec()
    };
    Ok((status, head, body))
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = body.windows(2).position(|w| w == b"\r\n") {
        let size = String::from_utf8_lossy(&body[..end]);
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        let rest = &body[end + 2..];
        if n == 0 || rest.len() < n {
            break;
        }
        out.extend_from_slice(&rest[..n]);
        body = rest[n..].strip_prefix(b"\r\n").unwrap_or(&rest[n..]);
    }
    out
}

/// Percent-encodes a query parameter value.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Runs the binary with `args` (its output thrown away): its exit code and its
/// own peak RSS, in bytes.
///
/// Measured from a small parent (Python, about 9 MB): Linux starts a child's
/// `ru_maxrss` at its parent's RSS when it is spawned (`execve` keeps the
/// high-water mark of the memory it replaces), and this test binary's own RSS
/// grows to hundreds of MB as other tests run beside it. Read from here, a
/// child's peak was the test binary's, not its own (242 MB once, against a
/// child that never used 60).
pub fn run_measuring_rss(args: &[&str]) -> (i32, u64) {
    const SPAWN: &str = "import os, sys\n\
        null = [(os.POSIX_SPAWN_OPEN, fd, '/dev/null', os.O_WRONLY, 0) for fd in (1, 2)]\n\
        pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ, file_actions=null)\n\
        _, status, usage = os.wait4(pid, 0)\n\
        print(os.waitstatus_to_exitcode(status), usage.ru_maxrss * 1024)\n";
    let out = std::process::Command::new("/usr/bin/python3")
        .arg("-c")
        .arg(SPAWN)
        .arg(bin())
        .args(args)
        .output()
        .expect("/usr/bin/python3 (the test command installs it with python3-aiosmtpd)");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut words = text.split_whitespace();
    let mut next = || -> i64 {
        words
            .next()
            .and_then(|w| w.parse().ok())
            .unwrap_or_else(|| panic!("the RSS helper printed {text:?}: {}", stderr(&out)))
    };
    let code = next() as i32;
    (code, next() as u64)
}

/// (pid, RSS KiB, CPU seconds including reaped children) of every process
/// whose environment holds `OKX_LEAK_MARK=mark`: a daemon started with that
/// variable and every process it started.
pub fn marked(mark: &str) -> Vec<(u32, u64, f64)> {
    let needle = format!("OKX_LEAK_MARK={mark}");
    let tick = 100.0; // USER_HZ on Linux
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(env) = std::fs::read(entry.path().join("environ")) else {
            continue;
        };
        if !env.split(|b| *b == 0).any(|v| v == needle.as_bytes()) {
            continue;
        }
        let status = std::fs::read_to_string(entry.path().join("status")).unwrap_or_default();
        let rss = status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))
            .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            .unwrap_or(0);
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        // Fields after the command's closing parenthesis: utime is the 12th.
        let rest: Vec<&str> = stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .split_whitespace()
            .collect();
        let ticks: f64 = [11, 12, 13, 14]
            .iter()
            .filter_map(|i| rest.get(*i)?.parse::<f64>().ok())
            .sum();
        out.push((pid, rss, ticks / tick));
    }
    out
}
