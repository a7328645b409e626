//! Reads the expiry (`notAfter`) of a DER-encoded X.509 certificate. Pure.
//!
//! Only the path to `tbsCertificate.validity` is walked; nothing is verified here
//! (rustls has verified the chain before we ever see the certificate).

/// Unix seconds of the certificate's `notAfter`, or `None` when the bytes are not
/// a certificate this reader understands.
pub fn not_after(der: &[u8]) -> Option<i64> {
    let (cert, _) = element(der, 0x30)?;
    let (mut tbs, _) = element(cert, 0x30)?;
    // [0] EXPLICIT version, optional.
    if tbs.first() == Some(&0xa0) {
        tbs = element(tbs, 0xa0)?.1;
    }
    let tbs = skip(tbs, 0x02)?; // serialNumber
    let tbs = skip(tbs, 0x30)?; // signature algorithm
    let tbs = skip(tbs, 0x30)?; // issuer
    let (validity, _) = element(tbs, 0x30)?;
    let validity = skip_any(validity)?; // notBefore
    let tag = *validity.first()?;
    let (time, _) = element(validity, tag)?;
    parse_time(tag, std::str::from_utf8(time).ok()?)
}

/// The contents of the element at the start of `input` if it has tag `tag`, and
/// what follows it.
fn element(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    if *input.first()? != tag {
        return None;
    }
    let first = *input.get(1)? as usize;
    let (len, header) = if first < 0x80 {
        (first, 2)
    } else {
        let n = first & 0x7f;
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | *input.get(2 + i)? as usize;
        }
        (len, 2 + n)
    };
    let end = header.checked_add(len)?;
    Some((input.get(header..end)?, input.get(end..)?))
}

fn skip(input: &[u8], tag: u8) -> Option<&[u8]> {
    element(input, tag).map(|(_, rest)| rest)
}

fn skip_any(input: &[u8]) -> Option<&[u8]> {
    skip(input, *input.first()?)
}

/// UTCTime (`YYMMDDHHMMSSZ`, tag 0x17) or GeneralizedTime (`YYYYMMDDHHMMSSZ`, 0x18).
fn parse_time(tag: u8, text: &str) -> Option<i64> {
    let text = text.strip_suffix('Z')?;
    let full = match tag {
        0x17 if text.len() == 12 => {
            let yy: i32 = text[..2].parse().ok()?;
            // RFC 5280: 50–99 are 19xx, 00–49 are 20xx.
            let century = if yy >= 50 { "19" } else { "20" };
            format!("{century}{text}")
        }
        0x18 if text.len() == 14 => text.to_string(),
        _ => return None,
    };
    let dt = chrono::NaiveDateTime::parse_from_str(&full, "%Y%m%d%H%M%S").ok()?;
    Some(dt.and_utc().timestamp())
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
