//! Real servers the tests start on 127.0.0.0/8: dnsmasq for DNS (MX and address
//! records), aiosmtpd for SMTP. Both are Debian packages that the test command
//! installs; each server is killed when its handle is dropped.

use std::net::{SocketAddr, UdpSocket};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running server process, killed on drop.
pub struct Server {
    pub addr: SocketAddr,
    child: Child,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port free for both UDP and TCP on 127.0.0.1 (bound, then released).
fn free_port() -> u16 {
    loop {
        let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = udp.local_addr().unwrap().port();
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// dnsmasq answering only from its arguments: `records` are dnsmasq options
/// such as `--mx-host=okx.test,mx1.okx.test,10` or `--host-record=a.test,127.0.0.1`.
pub fn dnsmasq(records: &[String]) -> Server {
    let bin = ["/usr/sbin/dnsmasq", "/usr/bin/dnsmasq"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .expect("dnsmasq is not installed: run the README's test command, which installs it");
    for _attempt in 0..5 {
        let port = free_port();
        let child = Command::new(bin)
            .args([
                "--keep-in-foreground",
                "--conf-file=/dev/null",
                "--listen-address=127.0.0.1",
                "--bind-interfaces",
                "--no-resolv",
                "--no-hosts",
                "--user=root",
                "--pid-file=",
                &format!("--port={port}"),
            ])
            .args(records)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start dnsmasq");
        let server = Server {
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            child,
        };
        if wait_for_dns(server.addr) {
            return server;
        }
    }
    panic!("dnsmasq did not start");
}

/// Whether a DNS server answers a query at `addr` within 5 s.
fn wait_for_dns(addr: SocketAddr) -> bool {
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    // A query for `probe.` type A.
    let query = [
        0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 5, b'p', b'r', b'o', b'b', b'e', 0, 0, 1, 0, 1,
    ];
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(5) {
        let _ = sock.send_to(&query, addr);
        let mut buf = [0u8; 512];
        if sock.recv(&mut buf).is_ok() {
            return true;
        }
    }
    false
}

/// aiosmtpd (the real Python SMTP server) listening on `ip`:`port`, offering
/// STARTTLS when given a certificate and key.
pub fn aiosmtpd(ip: &str, port: u16, tls: Option<(&std::path::Path, &std::path::Path)>) -> Server {
    let mut cmd = Command::new("/usr/bin/python3");
    cmd.args(["-m", "aiosmtpd", "-n", "-l", &format!("{ip}:{port}")]);
    if let Some((cert, key)) = tls {
        cmd.arg("--tlscert")
            .arg(cert)
            .arg("--tlskey")
            .arg(key)
            .arg("--no-requiretls");
    }
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start aiosmtpd (Debian package python3-aiosmtpd)");
    let addr: SocketAddr = format!("{ip}:{port}").parse().unwrap();
    let server = Server { addr, child };
    let started = Instant::now();
    while std::net::TcpStream::connect(addr).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "aiosmtpd did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    server
}

/// A TCP port free on every address of 127.0.0.0/8 used by the tests.
pub fn free_tcp_port() -> u16 {
    free_port()
}
