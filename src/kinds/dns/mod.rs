//! The `dns` kind: look up a host's addresses (A and AAAA) through the
//! check's resolver and, with `expect_addresses`, require one of the answers
//! to be among them. A name that stops resolving, or resolves elsewhere (a
//! resolver that rewrites OKX's names), is seen on its own, apart from the
//! connection that would follow.

mod probe;

use std::net::IpAddr;

use toml::Spanned;

use super::keys::{KeyError, Keys};
use super::{Build, Target};

#[derive(Debug, Clone)]
pub struct DnsSpec {
    /// The name looked up, lower-cased.
    pub host: String,
    /// One answer must be among these; empty: any answer will do.
    pub expect_addresses: Vec<IpAddr>,
}

impl Build for DnsSpec {
    const KEYS: &'static [&'static str] = &["host", "expect_addresses"];

    fn build(keys: &mut Keys) -> Result<Self, KeyError> {
        let host = keys
            .required::<super::keys::DomainValue>("host")?
            .into_inner()
            .0;
        let expect_addresses = match keys.take::<Vec<IpAddr>>("expect_addresses")? {
            Some(list) if list.get_ref().is_empty() => {
                return Err(keys.fail(list.span(), t!("cfg-expect-addresses-empty")));
            }
            Some(list) => Spanned::into_inner(list),
            None => Vec::new(),
        };
        Ok(DnsSpec {
            host,
            expect_addresses,
        })
    }
}

impl Target for DnsSpec {
    fn host(&self) -> String {
        self.host.clone()
    }

    fn target(&self) -> String {
        match self.expect_addresses.as_slice() {
            [] => format!("A/AAAA {}", self.host),
            list => {
                let list: Vec<String> = list.iter().map(IpAddr::to_string).collect();
                format!("A/AAAA {} in {}", self.host, list.join(", "))
            }
        }
    }
}
