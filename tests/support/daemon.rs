//! The real daemon (`okx-monitor run`) as a child process on a free loopback
//! port, and a real Prometheus server scraping it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use super::{bin, http_get, urlencode};

pub struct Daemon {
    pub child: Child,
    pub addr: SocketAddr,
    pub db: PathBuf,
    pub log: PathBuf,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Daemon {
    /// Starts the daemon on `config` and `db` and waits until /healthz answers.
    pub async fn start(config: &Path, db: &Path) -> Daemon {
        Daemon::start_with(config, db, &[]).await
    }

    pub async fn start_with(config: &Path, db: &Path, extra: &[&str]) -> Daemon {
        Daemon::start_env(config, db, extra, &[]).await
    }

    /// Like [`start_with`](Self::start_with), with extra environment variables.
    pub async fn start_env(
        config: &Path,
        db: &Path,
        extra: &[&str],
        envs: &[(&str, &str)],
    ) -> Daemon {
        let mut d = Daemon::spawn(config, db, extra, envs);
        let started = Instant::now();
        loop {
            if let Ok((200, _)) = http_get(d.addr, "/healthz").await {
                return d;
            }
            d.assert_running();
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "the daemon did not start"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Starts the daemon without waiting for it (for one served over TLS).
    pub fn spawn(config: &Path, db: &Path, extra: &[&str], envs: &[(&str, &str)]) -> Daemon {
        let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
        // Beside the configuration: the database's directory may be read-only.
        let base = if config.is_dir() {
            config
        } else {
            config.parent().unwrap()
        };
        let log = base.join(format!("daemon-{}.log", addr.port()));
        let child = Command::new(bin())
            .arg("--config")
            .arg(config)
            .arg("run")
            .arg("--listen")
            .arg(addr.to_string())
            .arg("--db")
            .arg(db)
            .args(extra)
            .env("RUST_LOG", "info")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env("LANG", "C.UTF-8")
            .envs(envs.iter().copied())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        Daemon {
            child,
            addr,
            db: db.to_path_buf(),
            log,
        }
    }

    /// Panics with the log if the daemon has exited.
    pub fn assert_running(&mut self) {
        if let Some(status) = self.child.try_wait().unwrap() {
            panic!("the daemon exited ({status}): {}", self.log_text());
        }
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub async fn metrics(&self) -> String {
        http_get(self.addr, "/metrics").await.unwrap().1
    }

    pub fn signal(&self, sig: i32) {
        // SAFETY: kill(2) with our own child's pid and a valid signal number.
        unsafe { libc::kill(self.child.id() as i32, sig) };
    }

    /// Waits for the daemon to exit, at most `limit`.
    pub async fn wait_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Some(s) = self.child.try_wait().unwrap() {
                return Some(s);
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        None
    }
}

/// The sum of every sample of metric `name` whose labels contain `labels`
/// (e.g. `check="web"`) in a text exposition.
pub fn metric_sum(text: &str, name: &str, labels: &str) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| {
            l.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with('{') || rest.starts_with(' '))
        })
        .filter(|l| l.contains(labels))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// A real Prometheus (Debian package) scraping `targets` every second, with
/// `rules` (rule file paths) loaded.
pub struct Prometheus {
    pub addr: SocketAddr,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Prometheus {
    pub async fn start(targets: &[SocketAddr]) -> Prometheus {
        Prometheus::start_with(targets, &[]).await
    }

    /// Like [`start`](Self::start), with rule files loaded (evaluated every second).
    pub async fn start_with(targets: &[SocketAddr], rule_files: &[&Path]) -> Prometheus {
        Prometheus::start_full(targets, rule_files, None).await
    }

    /// Like [`start_with`](Self::start_with), on an existing TSDB directory
    /// (e.g. blocks made by `promtool tsdb create-blocks-from`).
    pub async fn start_full(
        targets: &[SocketAddr],
        rule_files: &[&Path],
        data: Option<&Path>,
    ) -> Prometheus {
        let dir = tempfile::tempdir().unwrap();
        let targets: Vec<String> = targets.iter().map(|t| format!("'{t}'")).collect();
        let rules: Vec<String> = rule_files
            .iter()
            .map(|r| format!("  - '{}'\n", r.display()))
            .collect();
        let config = format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n{}scrape_configs:\n  - job_name: okx-monitor\n    static_configs:\n      - targets: [{}]\n",
            if rules.is_empty() {
                "  []\n".to_string()
            } else {
                rules.concat()
            },
            targets.join(", ")
        );
        Prometheus::start_raw(&config, data, dir).await
    }

    /// Prometheus on `config` (a whole prometheus.yml), on `data` or a fresh TSDB.
    pub async fn start_raw(
        config: &str,
        data: Option<&Path>,
        dir: tempfile::TempDir,
    ) -> Prometheus {
        std::fs::write(dir.path().join("prometheus.yml"), config).unwrap();
        let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
        let bin = ["/usr/bin/prometheus", "/usr/local/bin/prometheus"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .expect(
                "prometheus is not installed: run the README's test command, which installs it",
            );
        let child = Command::new(bin)
            .arg(format!(
                "--config.file={}",
                dir.path().join("prometheus.yml").display()
            ))
            .arg(format!(
                "--storage.tsdb.path={}",
                data.map_or_else(|| dir.path().join("data"), Path::to_path_buf)
                    .display()
            ))
            .arg("--storage.tsdb.retention.time=1000d")
            .arg(format!("--web.listen-address={addr}"))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("log")).unwrap())
            .spawn()
            .unwrap();
        let p = Prometheus {
            addr,
            child,
            _dir: dir,
        };
        let started = Instant::now();
        loop {
            if let Ok((200, _)) = http_get(addr, "/-/ready").await {
                return p;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "prometheus did not start"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// An instant query's result vector.
    pub async fn query(&self, q: &str) -> Vec<serde_json::Value> {
        match self.try_query(q).await {
            Ok(r) => r,
            Err(e) => panic!("{q}: {e}"),
        }
    }

    /// An instant query's result vector, or Prometheus's error.
    pub async fn try_query(&self, q: &str) -> Result<Vec<serde_json::Value>, String> {
        let path = format!("/api/v1/query?query={}", urlencode(q));
        let (_, body) = http_get(self.addr, &path)
            .await
            .map_err(|e| e.to_string())?;
        let v: serde_json::Value =
            serde_json::from_str(&body).map_err(|e| format!("{e}: {body}"))?;
        if v["status"] != "success" {
            return Err(v.to_string());
        }
        Ok(v["data"]["result"].as_array().cloned().unwrap_or_default())
    }

    /// The value of a query that returns one number, if it returns any.
    pub async fn scalar(&self, q: &str) -> Option<f64> {
        let r = self.query(q).await;
        r.first()?["value"][1].as_str()?.parse().ok()
    }
}
