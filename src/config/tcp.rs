//! The `tcp` kind: connect to `host:port`.

use super::ConfigError;
use super::kind::{Build, Ctx, Target};
use super::raw::RawCheck;

#[derive(Debug, Clone)]
pub struct TcpSpec {
    pub host: String,
    pub port: u16,
}

impl Build for TcpSpec {
    const KEYS: &'static [&'static str] = &["address"];

    fn build(raw: &mut RawCheck, at: &Ctx) -> Result<Self, ConfigError> {
        let a = raw
            .address
            .take()
            .ok_or_else(|| at.missing("address"))?
            .into_inner();
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
