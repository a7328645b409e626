//! `run --web-config`: /metrics over TLS with basic authentication (bcrypt), in
//! exporter-toolkit's format, scraped by a real Prometheus.

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::daemon::{Daemon, Prometheus};
use crate::support::peers::{self, response};
use crate::support::{ConfigDir, run, stderr};

/// GET `path` over TLS trusting `ca_pem`, with basic auth when given: (status, body).
async fn https_get(
    addr: std::net::SocketAddr,
    ca_pem: &str,
    path: &str,
    auth: Option<(&str, &str)>,
) -> (u16, String) {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        roots.add(c.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let mut tls = connector.connect(name, tcp).await.unwrap();
    let mut request = format!("GET {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n");
    if let Some((user, password)) = auth {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        request.push_str(&format!("authorization: Basic {token}\r\n"));
    }
    request.push_str("\r\n");
    tls.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    let _ = tls.read_to_end(&mut raw).await;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, text)
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_over_tls_with_basic_auth_scraped_by_prometheus() {
    let peer = peers::http(|_| response(200, &[], "ok")).await;
    let dir = ConfigDir::new(&[(
        "checks.toml",
        &format!(
            "[[check]]\nname = \"web\"\nchannel = \"chat\"\nkind = \"http\"\nurl = \"{}\"\nschedule = \"* * * * * *\"\n",
            peer.url("/")
        ),
    )]);
    let pki = peers::pki((2031, 6, 15));
    std::fs::write(dir.path().join("ca.pem"), &pki.ca_pem).unwrap();
    std::fs::write(dir.path().join("server.pem"), &pki.server_cert_pem).unwrap();
    std::fs::write(dir.path().join("server.key"), &pki.server_key_pem).unwrap();
    let hash = bcrypt::hash("s3cret", 4).unwrap();
    let web = dir.path().join("web.yml");
    std::fs::write(
        &web,
        format!("# exporter-toolkit format\ntls_server_config:\n  cert_file: server.pem\n  key_file: server.key\nbasic_auth_users:\n  prometheus: {hash}\n"),
    )
    .unwrap();
    let mut daemon = Daemon::spawn(
        dir.path(),
        &dir.path().join("m.db"),
        &["--web-config", web.to_str().unwrap()],
        &[],
    );
    let started = Instant::now();
    loop {
        daemon.assert_running();
        if tokio::net::TcpStream::connect(daemon.addr).await.is_ok()
            && https_get(
                daemon.addr,
                &pki.ca_pem,
                "/healthz",
                Some(("prometheus", "s3cret")),
            )
            .await
            .0 == 200
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the daemon did not start: {}",
            daemon.log_text()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let (status, _) = https_get(
        daemon.addr,
        &pki.ca_pem,
        "/metrics",
        Some(("prometheus", "wrong")),
    )
    .await;
    assert_eq!(status, 401, "a wrong password");
    let (status, text) = https_get(daemon.addr, &pki.ca_pem, "/metrics", None).await;
    assert_eq!(status, 401, "no password");
    assert!(
        text.to_ascii_lowercase()
            .contains("www-authenticate: basic"),
        "{text}"
    );
    let (status, _) = https_get(
        daemon.addr,
        &pki.ca_pem,
        "/metrics",
        Some(("nobody", "s3cret")),
    )
    .await;
    assert_eq!(status, 401, "an unknown user");
    let (status, text) = https_get(
        daemon.addr,
        &pki.ca_pem,
        "/metrics",
        Some(("prometheus", "s3cret")),
    )
    .await;
    assert_eq!(status, 200);
    assert!(text.contains("okx_monitor_build_info"));
    // Plain HTTP is not served on a TLS port.
    let plain = crate::support::http_get(daemon.addr, "/metrics").await;
    assert!(!matches!(plain, Ok((200, _))), "{plain:?}");

    // A real Prometheus scraping over TLS with basic auth.
    let prom_dir = tempfile::tempdir().unwrap();
    let config = format!(
        "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: okx-monitor\n    scheme: https\n    tls_config:\n      ca_file: '{}'\n    basic_auth:\n      username: prometheus\n      password: s3cret\n    static_configs:\n      - targets: ['{}']\n",
        dir.path().join("ca.pem").display(),
        daemon.addr
    );
    let prom = Prometheus::start_raw(&config, None, prom_dir).await;
    let started = Instant::now();
    while prom
        .scalar("sum(okx_monitor_probes_total)")
        .await
        .unwrap_or(0.0)
        < 2.0
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "scraped over TLS with basic auth"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test]
async fn a_bad_web_config_names_its_place_and_exits_2() {
    let dir = ConfigDir::new(&[(
        "checks.toml",
        "[[check]]\nname = \"web\"\nchannel = \"chat\"\nkind = \"tcp\"\naddress = \"127.0.0.1:1\"\n",
    )]);
    let cases = [
        (
            "basic_auth_users:\n  alice: $2y$10$abc\ntls_server_confg: {}\n",
            "web.yml:3:1: unknown field `tls_server_confg`",
        ),
        (
            "basic_auth_users:\n  alice: plaintext\n",
            "the password hash of user `alice` is not a bcrypt hash",
        ),
        (
            "tls_server_config:\n  cert_file: missing.pem\n  key_file: missing.key\n",
            "cert_file `missing.pem`",
        ),
        (
            "tls_server_config:\n  cert_file: a.pem\n  key_file: a.key\n  client_auth_type: RequestClientCert\n",
            "web.yml",
        ),
    ];
    for (text, words) in cases {
        let web = dir.path().join("web.yml");
        std::fs::write(&web, text).unwrap();
        let out = run(&[
            "--config",
            dir.path().to_str().unwrap(),
            "run",
            "--listen",
            "127.0.0.1:0",
            "--web-config",
            web.to_str().unwrap(),
        ])
        .await;
        assert_eq!(out.status.code(), Some(2), "{text}: {}", stderr(&out));
        assert!(stderr(&out).contains(words), "{text}: {}", stderr(&out));
        assert_eq!(stderr(&out).trim().lines().count(), 1, "{}", stderr(&out));
    }
}
