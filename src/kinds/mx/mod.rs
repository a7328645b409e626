//! The `mx` kind: the MX records of a domain, and optionally an SMTP greeting
//! from every mail host.

mod probe;
pub(crate) mod smtp;

use super::keys::{DomainValue, KeyError, Keys};
use super::{Build, Extras, Target};

#[derive(Debug, Clone)]
pub struct MxSpec {
    pub domain: String,
    pub min_records: u32,
    pub smtp: bool,
    pub smtp_port: u16,
}

impl Build for MxSpec {
    const KEYS: &'static [&'static str] = &["domain", "min_records", "smtp", "smtp_port"];

    fn build(keys: &mut Keys) -> Result<Self, KeyError> {
        let domain = keys.required::<DomainValue>("domain")?.into_inner().0;
        let min_records = match keys.take::<u32>("min_records")? {
            Some(m) if *m.get_ref() == 0 => {
                return Err(keys.fail(m.span(), t!("cfg-min-records")));
            }
            Some(m) => m.into_inner(),
            None => 1,
        };
        Ok(MxSpec {
            domain,
            min_records,
            smtp: keys.take::<bool>("smtp")?.is_some_and(|s| s.into_inner()),
            smtp_port: keys
                .take::<u16>("smtp_port")?
                .map_or(25, |p| p.into_inner()),
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
