//! `--web-config FILE`: TLS and basic authentication for `/metrics` and
//! `/healthz`, in the file format of Prometheus's exporter-toolkit, so that the
//! same file (and the same Prometheus scrape settings) serve here too.
//!
//! Read and checked when the daemon starts; errors name the file, line and
//! column. Password hashes are bcrypt; a successful check is remembered (by a
//! SHA-256 of the credentials, never the password) because bcrypt is slow on
//! purpose and Prometheus asks on every scrape.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use serde::Deserialize;

#[derive(Debug, thiserror::Error)]
#[error("{}{}: {message}", path.display(), at.map(|(l, c)| format!(":{l}:{c}")).unwrap_or_default())]
pub struct WebConfigError {
    pub path: PathBuf,
    pub at: Option<(usize, usize)>,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    tls_server_config: Option<RawTls>,
    #[serde(default)]
    basic_auth_users: BTreeMap<String, String>,
    http_server_config: Option<RawHttp>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTls {
    cert_file: Option<PathBuf>,
    key_file: Option<PathBuf>,
    cert: Option<String>,
    key: Option<String>,
    client_auth_type: Option<String>,
    client_ca_file: Option<PathBuf>,
    min_version: Option<String>,
    max_version: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHttp {
    /// HTTP/2 is not served here; the key is accepted so shared files load.
    #[allow(dead_code)]
    http2: Option<bool>,
}

/// A checked web configuration.
pub struct WebConfig {
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// User → bcrypt hash; empty: no authentication.
    users: BTreeMap<String, String>,
    /// SHA-256 of "user:password" pairs that verified, to skip bcrypt next time.
    verified: Mutex<HashSet<[u8; 32]>>,
}

impl WebConfig {
    pub fn load(path: &Path) -> Result<WebConfig, WebConfigError> {
        let err = |at: Option<(usize, usize)>, message: String| WebConfigError {
            path: path.to_path_buf(),
            at,
            message,
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| err(None, t!("web-cannot-read", why = e.to_string())))?;
        let raw: Raw = serde_yaml_ng::from_str(&text).map_err(|e| {
            let at = e.location().map(|l| (l.line(), l.column()));
            let message = e.to_string();
            // The library appends " at line L column C"; the place is ours to say.
            let message = message
                .split(" at line ")
                .next()
                .unwrap_or(&message)
                .to_string();
            err(at, message)
        })?;
        let _ = raw.http_server_config;
        let base = path.parent().unwrap_or(Path::new("."));
        let tls = raw
            .tls_server_config
            .map(|t| tls_config(t, base))
            .transpose()
            .map_err(|m| err(None, m))?;
        for (user, hash) in &raw.basic_auth_users {
            let ok =
                hash.len() == 60 && ["$2a$", "$2b$", "$2y$"].iter().any(|p| hash.starts_with(p));
            if !ok {
                return Err(err(None, t!("web-bcrypt", user = user)));
            }
        }
        Ok(WebConfig {
            tls,
            users: raw.basic_auth_users,
            verified: Mutex::new(HashSet::new()),
        })
    }

    pub fn needs_auth(&self) -> bool {
        !self.users.is_empty()
    }

    /// Whether an `Authorization` header value admits its sender. Slow (bcrypt)
    /// the first time for given credentials: call it off the async threads.
    pub fn admits(&self, authorization: Option<&str>) -> bool {
        if self.users.is_empty() {
            return true;
        }
        let Some(encoded) = authorization.and_then(|a| a.strip_prefix("Basic ")) else {
            return false;
        };
        let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
            return false;
        };
        let Ok(pair) = String::from_utf8(decoded) else {
            return false;
        };
        let Some((user, password)) = pair.split_once(':') else {
            return false;
        };
        let Some(hash) = self.users.get(user) else {
            return false;
        };
        let digest: [u8; 32] = ring::digest::digest(&ring::digest::SHA256, pair.as_bytes())
            .as_ref()
            .try_into()
            .unwrap_or([0; 32]);
        let mut verified = self.verified.lock().unwrap_or_else(|p| p.into_inner());
        if verified.contains(&digest) {
            return true;
        }
        drop(verified);
        if bcrypt::verify(password, hash).unwrap_or(false) {
            verified = self.verified.lock().unwrap_or_else(|p| p.into_inner());
            if verified.len() >= 64 {
                verified.clear();
            }
            verified.insert(digest);
            true
        } else {
            false
        }
    }
}

fn tls_config(t: RawTls, base: &Path) -> Result<Arc<rustls::ServerConfig>, String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let resolve = |p: &Path| {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            base.join(p)
        }
    };
    let certs: Vec<CertificateDer<'static>> = match (&t.cert_file, &t.cert) {
        (Some(f), None) => CertificateDer::pem_file_iter(resolve(f))
            .and_then(|i| i.collect::<Result<_, _>>())
            .map_err(|e| format!("tls_server_config.cert_file `{}`: {e}", f.display()))?,
        (None, Some(pem)) => CertificateDer::pem_slice_iter(pem.as_bytes())
            .collect::<Result<_, _>>()
            .map_err(|e| format!("tls_server_config.cert: {e}"))?,
        _ => return Err(t!("web-one-of", key = "cert_file", other = "cert")),
    };
    if certs.is_empty() {
        return Err(t!("web-no-cert"));
    }
    let key: PrivateKeyDer<'static> = match (&t.key_file, &t.key) {
        (Some(f), None) => PrivateKeyDer::from_pem_file(resolve(f))
            .map_err(|e| format!("tls_server_config.key_file `{}`: {e}", f.display()))?,
        (None, Some(pem)) => PrivateKeyDer::from_pem_slice(pem.as_bytes())
            .map_err(|e| format!("tls_server_config.key: {e}"))?,
        _ => return Err(t!("web-one-of", key = "key_file", other = "key")),
    };
    let version = |v: &Option<String>, field: &str| -> Result<Option<u8>, String> {
        match v.as_deref() {
            None => Ok(None),
            Some("TLS12") => Ok(Some(12)),
            Some("TLS13") => Ok(Some(13)),
            Some(other) => Err(t!("web-version", field = field, value = other)),
        }
    };
    let (min, max) = (
        version(&t.min_version, "min_version")?.unwrap_or(12),
        version(&t.max_version, "max_version")?.unwrap_or(13),
    );
    let mut versions: Vec<&'static rustls::SupportedProtocolVersion> = Vec::new();
    if min <= 12 && max >= 12 {
        versions.push(&rustls::version::TLS12);
    }
    if min <= 13 && max >= 13 {
        versions.push(&rustls::version::TLS13);
    }
    if versions.is_empty() {
        return Err(t!("web-versions"));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&versions)
        .map_err(|e| format!("tls_server_config: {e}"))?;
    let builder = match (
        t.client_auth_type.as_deref().unwrap_or("NoClientCert"),
        &t.client_ca_file,
    ) {
        ("NoClientCert", None) => builder.with_no_client_auth(),
        ("RequireAndVerifyClientCert", Some(ca)) => {
            let mut roots = rustls::RootCertStore::empty();
            for c in CertificateDer::pem_file_iter(resolve(ca))
                .map_err(|e| format!("client_ca_file `{}`: {e}", ca.display()))?
            {
                roots
                    .add(c.map_err(|e| format!("client_ca_file `{}`: {e}", ca.display()))?)
                    .map_err(|e| format!("client_ca_file `{}`: {e}", ca.display()))?;
            }
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider,
            )
            .build()
            .map_err(|e| format!("client_ca_file `{}`: {e}", ca.display()))?;
            builder.with_client_cert_verifier(verifier)
        }
        ("RequireAndVerifyClientCert", None) => {
            return Err(t!("web-client-ca"));
        }
        (other, _) => {
            return Err(t!("web-client-auth", value = other));
        }
    };
    let config = builder
        .with_single_cert(certs, key)
        .map_err(|e| t!("web-key-fit", why = e.to_string()))?;
    Ok(Arc::new(config))
}
