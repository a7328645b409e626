//! What every HTTP client of okx-monitor shares: the TLS client set-up (the
//! ring provider, the bundled web roots plus a user's extra CA file) and the
//! User-Agent. Used by the probes and by `status --prometheus`.

use std::sync::Arc;

/// How okx-monitor names itself to every server it asks.
pub const USER_AGENT: &str = concat!(
    "okx-monitor/",
    env!("CARGO_PKG_VERSION"),
    " (support reachability monitor)"
);

/// The rustls client configuration of every HTTP client: the ring
/// provider, safe protocol versions, and `roots`.
pub fn client_config(roots: rustls::RootCertStore) -> Result<rustls::ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS set-up: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// The bundled web roots, plus the PEM certificates of `extra` when given.
pub fn roots(extra: Option<&std::path::Path>) -> Result<rustls::RootCertStore, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = extra {
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject;
        let certs = CertificateDer::pem_file_iter(path)
            .map_err(|e| format!("tls_ca_file `{}`: {e}", path.display()))?;
        let mut added = 0;
        for cert in certs {
            let cert = cert.map_err(|e| format!("tls_ca_file `{}`: {e}", path.display()))?;
            roots
                .add(cert)
                .map_err(|e| format!("tls_ca_file `{}`: {e}", path.display()))?;
            added += 1;
        }
        if added == 0 {
            return Err(format!(
                "tls_ca_file `{}` holds no PEM certificate",
                path.display()
            ));
        }
    }
    Ok(roots)
}

/// A client for plain web requests (not probes): the bundled web roots, our
/// User-Agent, no proxy. Used by `status --prometheus` and the notice sinks.
pub fn web_client() -> Result<reqwest::ClientBuilder, String> {
    let tls = roots(None).and_then(client_config)?;
    Ok(reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .user_agent(USER_AGENT)
        .no_proxy())
}
