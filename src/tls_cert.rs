//! Reads the expiry (`notAfter`) of a DER-encoded X.509 certificate, with a
//! maintained parser (`x509-parser`). Pure; nothing is verified here (rustls
//! has verified the chain before we ever see the certificate).

/// Unix seconds of the certificate's `notAfter`, or `None` when the bytes are
/// not a certificate.
pub fn not_after(der: &[u8]) -> Option<i64> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    Some(cert.validity().not_after.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_not_after_of_a_generated_certificate() {
        let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        params.not_before = rcgen::date_time_ymd(2024, 1, 1);
        params.not_after = rcgen::date_time_ymd(2031, 6, 15);
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        let expected = chrono::NaiveDate::from_ymd_opt(2031, 6, 15)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp();
        assert_eq!(not_after(cert.der()), Some(expected));
    }

    #[test]
    fn generalized_time_after_2049() {
        let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        params.not_after = rcgen::date_time_ymd(2051, 2, 3);
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        let got = not_after(cert.der()).unwrap();
        assert_eq!(
            chrono::DateTime::from_timestamp(got, 0)
                .unwrap()
                .format("%Y-%m-%d")
                .to_string(),
            "2051-02-03"
        );
    }

    #[test]
    fn garbage_is_none_not_a_panic() {
        for bytes in [
            &[][..],
            &[0x30],
            &[0x30, 0x84, 0xff, 0xff, 0xff, 0xff],
            &[0x30, 0x02, 0x30, 0x00],
        ] {
            assert_eq!(not_after(bytes), None);
        }
    }
}
