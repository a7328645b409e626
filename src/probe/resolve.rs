//! Name resolution for every probe kind: through the configured DNS server
//! (hickory, UDP with TCP fallback) or, when none is configured, the system's
//! resolver. Also the hook through which the HTTP client resolves, so that HTTP
//! checks see the same DNS as the others.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use hickory_resolver::TokioResolver;
use hickory_resolver::config::{NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts};
use hickory_resolver::net::NetError;
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::RData;

use crate::reason;
use crate::reason::Reason;

/// Why a name did not resolve, in words for the user.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct ResolveError(pub Reason);

pub struct NameResolver {
    /// `None`: the system resolver.
    server: Option<SocketAddr>,
    /// Hickory for MX look-ups always, and for addresses when `server` is set.
    /// An error when the system configuration could not be read; it is reported by
    /// each probe that needs it rather than stopping the program.
    dns: Result<TokioResolver, Reason>,
}

impl NameResolver {
    /// Must be called inside a tokio runtime.
    pub fn new(server: Option<SocketAddr>) -> NameResolver {
        let mut opts = ResolverOpts::default();
        // A probe measures the network now: never answer from a cache.
        opts.cache_size = 0;
        opts.use_hosts_file = ResolveHosts::Never;
        opts.timeout = Duration::from_secs(5);
        opts.attempts = 1;
        let dns = match server {
            Some(addr) => {
                let mut ns = NameServerConfig::udp_and_tcp(addr.ip());
                for c in &mut ns.connections {
                    c.port = addr.port();
                }
                let config = ResolverConfig::from_name_servers(vec![ns]);
                TokioResolver::builder_with_config(config, TokioRuntimeProvider::default())
                    .with_options(opts)
                    .build()
                    .map_err(|e| {
                        reason!(
                            "dns_server_unusable",
                            server = addr.to_string(),
                            error = e.to_string()
                        )
                    })
            }
            None => hickory_resolver::system_conf::read_system_conf()
                .map_err(|e| reason!("dns_system_unreadable", error = e.to_string()))
                .and_then(|(config, mut sys_opts)| {
                    sys_opts.cache_size = 0;
                    TokioResolver::builder_with_config(config, TokioRuntimeProvider::default())
                        .with_options(sys_opts)
                        .build()
                        .map_err(|e| reason!("dns_system_unusable", error = e.to_string()))
                }),
        };
        NameResolver { server, dns }
    }

    pub fn server(&self) -> Option<SocketAddr> {
        self.server
    }

    fn dns(&self) -> Result<&TokioResolver, ResolveError> {
        self.dns.as_ref().map_err(|e| ResolveError(e.clone()))
    }

    /// The addresses of `host` (an IP literal is its own answer).
    pub async fn lookup_ip(&self, host: &str) -> Result<Vec<IpAddr>, ResolveError> {
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = bare.parse::<IpAddr>() {
            return Ok(vec![ip]);
        }
        let addrs: Vec<IpAddr> = match self.server {
            None => tokio::net::lookup_host((host, 0))
                .await
                .map_err(|e| {
                    // getaddrinfo's text repeats itself; keep the reason.
                    let e = e.to_string();
                    let why = e.trim_start_matches("failed to lookup address information: ");
                    ResolveError(reason!("not_resolved", host = host, error = why))
                })?
                .map(|sa| sa.ip())
                .collect(),
            Some(_) => self
                .dns()?
                .lookup_ip(host)
                .await
                .map_err(|e| self.describe(host, &e))?
                .iter()
                .collect(),
        };
        if addrs.is_empty() {
            return Err(ResolveError(reason!("no_address", host = host)));
        }
        Ok(addrs)
    }

    /// The MX records of `domain` as (preference, exchange host), best first.
    pub async fn lookup_mx(&self, domain: &str) -> Result<Vec<(u16, String)>, ResolveError> {
        let lookup = match self.dns()?.mx_lookup(domain).await {
            Ok(l) => l,
            Err(e) if e.is_no_records_found() && !e.is_nx_domain() => return Ok(Vec::new()),
            Err(e) => return Err(self.describe(domain, &e)),
        };
        let mut mx: Vec<(u16, String)> = lookup
            .answers()
            .iter()
            .filter_map(|r| match &r.data {
                RData::MX(mx) => Some((
                    mx.preference,
                    mx.exchange.to_utf8().trim_end_matches('.').to_string(),
                )),
                _ => None,
            })
            .collect();
        mx.sort();
        Ok(mx)
    }

    fn describe(&self, name: &str, e: &NetError) -> ResolveError {
        // The system's resolver, or the one named: a code of its own each,
        // so that each language says it its way.
        let (at, server) = match self.server {
            Some(s) => (true, s.to_string()),
            None => (false, String::new()),
        };
        let r = if e.is_nx_domain() {
            if at {
                reason!("nxdomain_at", name = name, server = server)
            } else {
                reason!("nxdomain", name = name)
            }
        } else if e.is_no_records_found() {
            if at {
                reason!("no_records_at", name = name, server = server)
            } else {
                reason!("no_records", name = name)
            }
        } else if matches!(e, NetError::Timeout) {
            if at {
                reason!("dns_no_answer_at", name = name, server = server)
            } else {
                reason!("dns_no_answer", name = name)
            }
        } else if at {
            reason!(
                "dns_failed_at",
                name = name,
                server = server,
                error = e.to_string()
            )
        } else {
            reason!("dns_failed", name = name, error = e.to_string())
        };
        ResolveError(r)
    }
}
