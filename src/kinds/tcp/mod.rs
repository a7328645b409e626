//! The `tcp` kind: connect to `host:port`.

mod probe;

use super::keys::{HostPort, KeyError, Keys};
use super::{Build, Target};

#[derive(Debug, Clone)]
pub struct TcpSpec {
    pub host: String,
    pub port: u16,
}

impl Build for TcpSpec {
    const KEYS: &'static [&'static str] = &["address"];

    fn build(keys: &mut Keys) -> Result<Self, KeyError> {
        let a: HostPort = keys.required("address")?.into_inner();
        Ok(TcpSpec {
            host: a.host,
            port: a.port,
        })
    }
}

impl Target for TcpSpec {
    fn host(&self) -> String {
        self.host.to_ascii_lowercase()
    }

    fn target(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    fn port(&self) -> Option<u16> {
        Some(self.port)
    }
}
