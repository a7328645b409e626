//! The `mx` kind: the MX records of a domain, and optionally an SMTP greeting
//! from every mail host.

use toml::Spanned;

use super::ConfigError;
use super::kind::{Build, Ctx, Extras, Target};
use super::raw::RawCheck;

#[derive(Debug, Clone)]
pub struct MxSpec {
    pub domain: String,
    pub min_records: u32,
    pub smtp: bool,
    pub smtp_port: u16,
}

impl Build for MxSpec {
    const KEYS: &'static [&'static str] = &["domain", "min_records", "smtp", "smtp_port"];

    fn build(raw: &mut RawCheck, at: &Ctx) -> Result<Self, ConfigError> {
        let domain = raw
            .domain
            .take()
            .ok_or_else(|| at.missing("domain"))?
            .into_inner()
            .0;
        let min_records = match raw.min_records.take() {
            Some(m) if *m.get_ref() == 0 => {
                return Err(at.fail(m.span(), t!("cfg-min-records")));
            }
            Some(m) => m.into_inner(),
            None => 1,
        };
        Ok(MxSpec {
            domain,
            min_records,
            smtp: raw.smtp.take().is_some_and(Spanned::into_inner),
            smtp_port: raw.smtp_port.take().map_or(25, Spanned::into_inner),
        })
    }
}

impl Target for MxSpec {
    fn host(&self) -> String {
        self.domain.clone()
    }

    fn target(&self) -> String {
        if self.smtp {
            format!("MX {} + SMTP :{}", self.domain, self.smtp_port)
        } else {
            format!("MX {}", self.domain)
        }
    }

    fn port(&self) -> Option<u16> {
        self.smtp.then_some(self.smtp_port)
    }

    /// The mail domain need not have an address; its MX look-up is the check.
    fn looked_up(&self) -> Option<String> {
        None
    }

    fn extras(&self) -> Extras<'_> {
        Extras {
            smtp: self.smtp,
            ..Extras::default()
        }
    }
}
