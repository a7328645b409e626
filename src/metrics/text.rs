//! Prometheus's text exposition format (version 0.0.4), written straight into
//! one `String`: a family's `HELP` and `TYPE` lines before its first sample, the
//! label values escaped, numbers as Prometheus reads them. Pure; no locks, no
//! metric state.

use std::fmt::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    Counter,
    Gauge,
    Histogram,
}

impl Type {
    fn as_str(self) -> &'static str {
        match self {
            Type::Counter => "counter",
            Type::Gauge => "gauge",
            Type::Histogram => "histogram",
        }
    }
}

/// One family: its name, help and type, declared once.
pub struct Family {
    pub name: &'static str,
    pub help: &'static str,
    pub kind: Type,
}

/// A histogram's fixed upper bounds, with their `le` label values written once.
pub struct Bounds {
    pub upper: &'static [f64],
    /// `le="0.005"`, …, and `le="+Inf"` last.
    le: Vec<String>,
}

impl Bounds {
    pub fn new(upper: &'static [f64]) -> Bounds {
        let mut le: Vec<String> = upper
            .iter()
            .map(|b| {
                let mut s = String::from("le=\"");
                number(&mut s, *b);
                s.push('"');
                s
            })
            .collect();
        le.push("le=\"+Inf\"".to_string());
        Bounds { upper, le }
    }
}

/// Observations in fixed buckets, as Prometheus's client libraries keep them.
#[derive(Clone, Debug, PartialEq)]
pub struct Histogram {
    /// Observations per bucket (not cumulative), the last one above every bound.
    counts: Vec<u64>,
    sum: f64,
}

impl Histogram {
    pub fn new(bounds: &Bounds) -> Histogram {
        Histogram {
            counts: vec![0; bounds.upper.len() + 1],
            sum: 0.0,
        }
    }

    pub fn observe(&mut self, bounds: &Bounds, v: f64) {
        let i = bounds.upper.partition_point(|b| *b < v);
        self.counts[i] += 1;
        self.sum += v;
    }
}

/// A sample's value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    Int(i64),
    Float(f64),
}

/// The exposition being written. Every series carries the instance's constant
/// labels (`vantage`) after its own, which come in name order.
pub struct Text {
    out: String,
    /// `vantage="…"`, escaped.
    constant: String,
    /// The family whose header has been written.
    open: Option<&'static str>,
}

impl Text {
    /// `constant`: the label pairs every series ends with.
    pub fn new(constant: &[(&str, &str)], capacity: usize) -> Text {
        let mut c = String::new();
        for (i, (name, value)) in constant.iter().enumerate() {
            if i > 0 {
                c.push(',');
            }
            pair(&mut c, name, value);
        }
        Text {
            out: String::with_capacity(capacity),
            constant: c,
            open: None,
        }
    }

    pub fn finish(self) -> String {
        self.out
    }

    /// One sample of `family`. `labels` are the series' own pairs, already
    /// written by [`labels`]; `extra` one more pair that sorts after them.
    pub fn sample(
        &mut self,
        family: &Family,
        labels: &str,
        extra: Option<(&str, &str)>,
        value: Value,
    ) {
        self.header(family);
        self.line(family.name, "", labels, extra, value);
    }

    /// `name` + `suffix` + `{labels,extra,constant} value`.
    fn line(
        &mut self,
        name: &str,
        suffix: &str,
        labels: &str,
        extra: Option<(&str, &str)>,
        value: Value,
    ) {
        self.out.push_str(name);
        self.out.push_str(suffix);
        self.open_labels(labels, extra);
        self.out.push_str("} ");
        match value {
            Value::Int(v) => int(&mut self.out, v),
            Value::Float(v) => number(&mut self.out, v),
        }
        self.out.push('\n');
    }

    /// A histogram series: cumulative buckets, then `_sum` and `_count`.
    pub fn histogram(&mut self, family: &Family, labels: &str, bounds: &Bounds, h: &Histogram) {
        self.header(family);
        let mut cumulative = 0;
        for (n, le) in h.counts.iter().zip(&bounds.le) {
            cumulative += n;
            self.out.push_str(family.name);
            self.out.push_str("_bucket");
            if self.open_labels(labels, None) {
                self.out.push(',');
            }
            self.out.push_str(le);
            self.out.push_str("} ");
            int(&mut self.out, cumulative as i64);
            self.out.push('\n');
        }
        for (suffix, value) in [
            ("_sum", Value::Float(h.sum)),
            ("_count", Value::Int(cumulative as i64)),
        ] {
            self.line(family.name, suffix, labels, None, value);
        }
    }

    /// `{labels,extra,constant` — the closing brace is the caller's. Whether
    /// any pair was written.
    fn open_labels(&mut self, labels: &str, extra: Option<(&str, &str)>) -> bool {
        self.out.push('{');
        self.out.push_str(labels);
        if let Some((name, value)) = extra {
            if !labels.is_empty() {
                self.out.push(',');
            }
            pair(&mut self.out, name, value);
        }
        if !self.constant.is_empty() {
            if !labels.is_empty() || extra.is_some() {
                self.out.push(',');
            }
            self.out.push_str(&self.constant);
        }
        !(labels.is_empty() && extra.is_none() && self.constant.is_empty())
    }

    fn header(&mut self, family: &Family) {
        if self.open == Some(family.name) {
            return;
        }
        self.open = Some(family.name);
        let _ = writeln!(
            self.out,
            "# HELP {} {}",
            family.name,
            Escaped(family.help, false)
        );
        let _ = writeln!(self.out, "# TYPE {} {}", family.name, family.kind.as_str());
    }
}

/// A series' own label pairs, in the order given (name order), escaped once.
pub fn labels(pairs: &[(&str, &str)]) -> String {
    let mut s = String::new();
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        pair(&mut s, name, value);
    }
    s
}

fn pair(out: &mut String, name: &str, value: &str) {
    out.push_str(name);
    out.push_str("=\"");
    let _ = write!(out, "{}", Escaped(value, true));
    out.push('"');
}

/// A label value (`\`, `"` and newline escaped) or help text (`\` and newline).
struct Escaped<'a>(&'a str, bool);

impl std::fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Escaped(s, quotes) = *self;
        let mut rest = s;
        while let Some(i) = rest.find(|c| c == '\\' || c == '\n' || (quotes && c == '"')) {
            f.write_str(&rest[..i])?;
            f.write_str(match rest.as_bytes()[i] {
                b'\\' => "\\\\",
                b'\n' => "\\n",
                _ => "\\\"",
            })?;
            rest = &rest[i + 1..];
        }
        f.write_str(rest)
    }
}

/// An integer in decimal, without going through `fmt`.
fn int(out: &mut String, v: i64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut n = v.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        out.push('-');
    }
    // Only ASCII digits were written.
    out.push_str(std::str::from_utf8(&buf[i..]).unwrap_or_default());
}

/// A float as Prometheus reads it: the shortest decimal that reads back the
/// same, `+Inf`, `-Inf`, `NaN`.
pub fn number(out: &mut String, v: f64) {
    if v.is_nan() {
        out.push_str("NaN");
    } else if v.is_infinite() {
        out.push_str(if v > 0.0 { "+Inf" } else { "-Inf" });
    } else if v.fract() == 0.0 && v.abs() < 1e15 && !(v == 0.0 && v.is_sign_negative()) {
        int(out, v as i64);
    } else {
        let _ = write!(out, "{v}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(v: f64) -> String {
        let mut s = String::new();
        number(&mut s, v);
        s
    }

    #[test]
    fn numbers_read_back_the_same() {
        for v in [
            0.0,
            1.0,
            -3.0,
            0.005,
            31.123,
            1_793_000_000.25,
            1.5e12,
            1e300,
            -0.0,
        ] {
            assert_eq!(num(v).parse::<f64>().unwrap().to_bits(), v.to_bits(), "{v}");
        }
        assert_eq!(num(1_793_000_120.0), "1793000120");
        assert_eq!(num(f64::INFINITY), "+Inf");
        assert_eq!(num(f64::NEG_INFINITY), "-Inf");
        assert_eq!(num(f64::NAN), "NaN");
        let mut s = String::new();
        int(&mut s, i64::MIN);
        assert_eq!(s, i64::MIN.to_string());
    }

    #[test]
    fn label_values_and_help_are_escaped() {
        assert_eq!(labels(&[("a", "x\"y\\z\nw")]), r#"a="x\"y\\z\nw""#);
        let family = Family {
            name: "m",
            help: "a \\ \"b\"\nc",
            kind: Type::Gauge,
        };
        let mut t = Text::new(&[("vantage", "v")], 0);
        t.sample(&family, "", None, Value::Int(1));
        t.sample(&family, "", Some(("k", "\"")), Value::Float(0.5));
        assert_eq!(
            t.finish(),
            "# HELP m a \\\\ \"b\"\\nc\n# TYPE m gauge\nm{vantage=\"v\"} 1\nm{k=\"\\\"\",vantage=\"v\"} 0.5\n"
        );
    }

    #[test]
    fn a_histogram_counts_each_observation_in_the_first_bucket_it_fits() {
        let bounds = Bounds::new(&[0.1, 1.0]);
        let mut h = Histogram::new(&bounds);
        for v in [0.1, 0.5, 2.0] {
            h.observe(&bounds, v);
        }
        let family = Family {
            name: "d",
            help: "h",
            kind: Type::Histogram,
        };
        let mut t = Text::new(&[], 0);
        t.histogram(&family, "c=\"x\"", &bounds, &h);
        assert_eq!(
            t.finish(),
            "# HELP d h\n# TYPE d histogram\n\
             d_bucket{c=\"x\",le=\"0.1\"} 1\nd_bucket{c=\"x\",le=\"1\"} 2\nd_bucket{c=\"x\",le=\"+Inf\"} 3\n\
             d_sum{c=\"x\"} 2.6\nd_count{c=\"x\"} 3\n"
        );
    }
}
