//! The `okx_status` kind: OKX's system-status API, read for announced maintenance.

pub(crate) mod probe;

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use toml::Spanned;

use super::keys::{KeyError, Keys, web_host, web_url};
use super::{Build, Extras, Target};

/// The default URL of OKX's system-status API, used when an `okx_status` check names none.
pub const OKX_STATUS_URL: &str = "https://www.okx.com/api/v5/system/status";

/// [`OKX_STATUS_URL`] parsed; `None` only if the constant were broken, which a
/// unit test rules out (a check then has to name its `url`).
static DEFAULT_URL: LazyLock<Option<reqwest::Url>> =
    LazyLock::new(|| reqwest::Url::parse(OKX_STATUS_URL).ok());

#[derive(Debug, Clone)]
pub struct OkxStatusSpec {
    pub url: reqwest::Url,
    pub tls_ca_file: Option<PathBuf>,
}

impl Build for OkxStatusSpec {
    const KEYS: &'static [&'static str] = &["url", "tls_ca_file"];

    fn build(keys: &mut Keys) -> Result<Self, KeyError> {
        let url = if keys.holds("url") {
            web_url(keys, &["http", "https"])?
        } else {
            DEFAULT_URL.clone().ok_or_else(|| keys.missing("url"))?
        };
        Ok(OkxStatusSpec {
            url,
            tls_ca_file: keys.take("tls_ca_file")?.map(Spanned::into_inner),
        })
    }
}

impl Target for OkxStatusSpec {
    fn host(&self) -> String {
        web_host(&self.url)
    }

    fn target(&self) -> String {
        self.url.to_string()
    }

    fn extras(&self) -> Extras<'_> {
        Extras {
            maintenance: true,
            ..Extras::default()
        }
    }

    fn tls(&self) -> Option<Option<&Path>> {
        Some(self.tls_ca_file.as_deref())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_default_url_parses() {
        assert!(super::DEFAULT_URL.is_some());
    }
}
