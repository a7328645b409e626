//! `status --prometheus URL`: the same hour-of-week pattern as the local store
//! gives, built from `okx_monitor_probes_total` and
//! `okx_monitor_probe_duration_seconds` in Prometheus (summed over every
//! instance and vantage, unless one vantage is chosen).
//!
//! Each step of a range query is one bucket of time: `increase(…[step])` at the
//! end of a step counts what happened in it. Steps are an hour, or a quarter
//! hour when the time zone's offset is not whole hours, and long windows are
//! fetched in pieces under Prometheus's limit of 11,000 points per series. The
//! conversion of answers into weeks ([`add_counts`], [`add_buckets`]) is pure.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Offset, Utc};
use chrono_tz::Tz;

use crate::channel::Channel;
use crate::outcome::Outcome;
use crate::pattern::{CheckWeek, Clock, Week};
use crate::sample::Latest;

/// Prometheus refuses range queries of more points than this per series.
pub const MAX_POINTS: i64 = 11_000;

#[derive(Debug, thiserror::Error)]
pub enum PromError {
    #[error("{}", t!("prom-unreachable", url = url.as_str(), why = why.as_str()))]
    Unreachable { url: String, why: String },
    #[error("{}", t!("prom-answer", url = url.as_str(), why = why.as_str()))]
    Answer { url: String, why: String },
    #[error("{}", t!("prom-no-series", url = url.as_str(), which = which.as_str()))]
    NoSeries { url: String, which: String },
    #[error("{}", t!("prom-bad-url", url = .0.as_str()))]
    BadUrl(String),
}

pub struct Source {
    base: reqwest::Url,
    client: reqwest::Client,
    /// `Some`: only this vantage; `None`: summed over all.
    vantage: Option<String>,
}

/// One series of a range query: its labels and (unix seconds, value) points.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub labels: BTreeMap<String, String>,
    pub points: Vec<(f64, f64)>,
}

impl Source {
    pub fn new(url: &str, vantage: Option<String>) -> Result<Source, PromError> {
        let base: reqwest::Url = url
            .parse()
            .map_err(|_| PromError::BadUrl(url.to_string()))?;
        if !matches!(base.scheme(), "http" | "https") || base.host_str().is_none() {
            return Err(PromError::BadUrl(url.to_string()));
        }
        let client = crate::tls::web_client()
            .map_err(|e| PromError::BadUrl(format!("{url} ({e})")))?
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| PromError::BadUrl(format!("{url} ({e})")))?;
        Ok(Source {
            base,
            client,
            vantage,
        })
    }

    fn url(&self) -> String {
        self.base.as_str().trim_end_matches('/').to_string()
    }

    /// The label selector of the chosen vantage, or none.
    fn selector(&self) -> String {
        match &self.vantage {
            Some(v) => format!(
                "{{vantage=\"{}\"}}",
                v.replace('\\', "\\\\").replace('"', "\\\"")
            ),
            None => String::new(),
        }
    }

    async fn get(
        &self,
        path: &str,
        params: &[(&str, String)],
    ) -> Result<serde_json::Value, PromError> {
        let mut url = self.base.clone();
        url.set_path(&format!("{}{path}", self.base.path().trim_end_matches('/')));
        url.query_pairs_mut()
            .extend_pairs(params.iter().map(|(k, v)| (*k, v.as_str())));
        let answer = self
            .client
            .get(url)
            .send()
            .await
            .map_err(|e| PromError::Unreachable {
                url: self.url(),
                why: innermost(&e),
            })?;
        let status = answer.status();
        let body = answer.text().await.map_err(|e| PromError::Unreachable {
            url: self.url(),
            why: innermost(&e),
        })?;
        let v: serde_json::Value = serde_json::from_str(&body).map_err(|_| PromError::Answer {
            url: self.url(),
            why: format!("HTTP {status} and no JSON (is this Prometheus's address?)"),
        })?;
        if v["status"] != "success" {
            return Err(PromError::Answer {
                url: self.url(),
                why: v["error"].as_str().unwrap_or("unknown error").to_string(),
            });
        }
        Ok(v["data"].clone())
    }

    /// A range query over `[start, end]` (unix s) in pieces of at most
    /// [`MAX_POINTS`] steps; the pieces' series are joined by their labels.
    pub async fn range(
        &self,
        query: &str,
        start: i64,
        end: i64,
        step: i64,
    ) -> Result<Vec<Series>, PromError> {
        let mut by_labels: BTreeMap<BTreeMap<String, String>, Vec<(f64, f64)>> = BTreeMap::new();
        let piece = step * (MAX_POINTS - 1);
        let mut from = start;
        while from <= end {
            let to = (from + piece).min(end);
            let data = self
                .get(
                    "/api/v1/query_range",
                    &[
                        ("query", query.to_string()),
                        ("start", from.to_string()),
                        ("end", to.to_string()),
                        ("step", step.to_string()),
                    ],
                )
                .await?;
            for s in parse_matrix(&data) {
                by_labels.entry(s.labels).or_default().extend(s.points);
            }
            from = to + step;
        }
        Ok(by_labels
            .into_iter()
            .map(|(labels, points)| Series { labels, points })
            .collect())
    }

    /// Each check's week over `[now - window, now]` in `tz`, and each check's
    /// state now (from `okx_monitor_probe_success`).
    pub async fn weeks(
        &self,
        now: DateTime<Utc>,
        window: Duration,
        tz: Tz,
    ) -> Result<(Vec<CheckWeek>, Vec<Latest>), PromError> {
        let step = step_for(tz, now, window);
        // Points at step boundaries, the last one the boundary after now, so
        // that each point counts exactly one local hour (or quarter), the
        // current, partial one included.
        let end = (now.timestamp() + step - 1).div_euclid(step) * step;
        let steps = (window.as_secs() as i64 + step - 1) / step;
        let start = end - (steps - 1) * step;
        let sel = self.selector();
        let counts = self
            .range(
                &format!("sum by (check, channel, outcome) (increase(okx_monitor_probes_total{sel}[{step}s]))"),
                start,
                end,
                step,
            )
            .await?;
        if counts.is_empty() {
            let which = match &self.vantage {
                Some(v) => format!(" for vantage `{v}`"),
                None => String::new(),
            };
            return Err(PromError::NoSeries {
                url: self.url(),
                which,
            });
        }
        let buckets = self
            .range(
                &format!("sum by (check, channel, le) (increase(okx_monitor_probe_duration_seconds_bucket{sel}[{step}s]))"),
                start,
                end,
                step,
            )
            .await?;
        let mut weeks: BTreeMap<(String, Channel), Week> = BTreeMap::new();
        add_counts(&mut weeks, &counts, step, tz);
        add_buckets(&mut weeks, &buckets, step, tz);
        let now_data = self
            .get(
                "/api/v1/query",
                &[
                    // Per vantage: one vantage up and another down reads as "partly".
                    (
                        "query",
                        format!(
                            "max by (vantage, check, channel) (okx_monitor_probe_success{sel})"
                        ),
                    ),
                    ("time", now.timestamp().to_string()),
                ],
            )
            .await?;
        let latest = parse_vector(&now_data)
            .into_iter()
            .filter_map(|(labels, value)| {
                let channel: Channel = labels.get("channel")?.parse().ok()?;
                Some(Latest {
                    check: labels.get("check")?.clone(),
                    channel,
                    outcome: if value >= 1.0 {
                        Outcome::Up
                    } else {
                        Outcome::Down
                    },
                    ts_ms: now.timestamp_millis(),
                    since_ms: now.timestamp_millis(),
                    maintenance: Vec::new(),
                    reason: None,
                    failure: None,
                })
            })
            .collect();
        Ok((
            weeks
                .into_iter()
                .map(|((check, channel), week)| CheckWeek {
                    check,
                    channel,
                    week,
                })
                .collect(),
            latest,
        ))
    }
}

fn innermost(e: &reqwest::Error) -> String {
    use std::error::Error as _;
    let mut source: Option<&dyn std::error::Error> = e.source();
    let mut last = e.to_string();
    while let Some(s) = source {
        last = s.to_string();
        source = s.source();
    }
    last
}

/// An hour, or a quarter hour when `tz` is off whole hours at any time of the window.
pub fn step_for(tz: Tz, now: DateTime<Utc>, window: Duration) -> i64 {
    let whole_hours =
        |t: DateTime<Utc>| t.with_timezone(&tz).offset().fix().local_minus_utc() % 3600 == 0;
    let days = (window.as_secs() / 86_400).min(800) as i64;
    // Offsets change a few times a year at most: a look a week apart finds them.
    let all_whole = (0..=days / 7 + 1).all(|w| whole_hours(now - chrono::Duration::days(w * 7)));
    if all_whole { 3600 } else { 900 }
}

fn parse_matrix(data: &serde_json::Value) -> Vec<Series> {
    data["result"]
        .as_array()
        .map(|r| {
            r.iter()
                .map(|s| Series {
                    labels: labels_of(&s["metric"]),
                    points: s["values"]
                        .as_array()
                        .map(|v| v.iter().filter_map(point).collect())
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn parse_vector(data: &serde_json::Value) -> Vec<(BTreeMap<String, String>, f64)> {
    data["result"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter_map(|s| Some((labels_of(&s["metric"]), point(&s["value"])?.1)))
                .collect()
        })
        .unwrap_or_default()
}

fn labels_of(metric: &serde_json::Value) -> BTreeMap<String, String> {
    metric
        .as_object()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

fn point(v: &serde_json::Value) -> Option<(f64, f64)> {
    let t = v.get(0)?.as_f64()?;
    let x: f64 = v.get(1)?.as_str()?.parse().ok()?;
    x.is_finite().then_some((t, x))
}

/// The (check, channel) of a series, if it has both.
fn key(labels: &BTreeMap<String, String>) -> Option<(String, Channel)> {
    Some((
        labels.get("check")?.clone(),
        labels.get("channel")?.parse().ok()?,
    ))
}

/// Adds outcome counts: each point counts the step that ends at its time.
pub fn add_counts(
    weeks: &mut BTreeMap<(String, Channel), Week>,
    series: &[Series],
    step: i64,
    tz: Tz,
) {
    let mut clock = Clock::new(tz);
    for s in series {
        let (Some(k), Some(outcome)) = (key(&s.labels), s.labels.get("outcome")) else {
            continue;
        };
        let Ok(outcome) = outcome.parse::<Outcome>() else {
            continue;
        };
        let week = weeks.entry(k).or_default();
        for (t, n) in &s.points {
            // The week counts what a pattern counts, and passes over the rest.
            let mut counts = [0u64; Outcome::COUNT];
            counts[outcome.code()] = n.round().max(0.0) as u64;
            let how = clock.hour_of_week((*t as i64 - step) * 1000);
            week.add_stored(how, &counts, &[]);
        }
    }
}

/// Unix second → (le, cumulative count) of one check's histogram.
type BucketsByTime = BTreeMap<i64, Vec<(f64, f64)>>;

/// Adds latency histograms: the cumulative `le` buckets of each step become
/// counts at each bucket's geometric middle (as fine as Prometheus's buckets).
pub fn add_buckets(
    weeks: &mut BTreeMap<(String, Channel), Week>,
    series: &[Series],
    step: i64,
    tz: Tz,
) {
    // (check, channel) → time → [(le, cumulative count)]
    let mut grouped: BTreeMap<(String, Channel), BucketsByTime> = BTreeMap::new();
    for s in series {
        let (Some(k), Some(le)) = (key(&s.labels), s.labels.get("le")) else {
            continue;
        };
        let le = if le == "+Inf" {
            f64::INFINITY
        } else {
            le.parse().unwrap_or(f64::NAN)
        };
        if le.is_nan() {
            continue;
        }
        for (t, n) in &s.points {
            grouped
                .entry(k.clone())
                .or_default()
                .entry(*t as i64)
                .or_default()
                .push((le, *n));
        }
    }
    let mut clock = Clock::new(tz);
    for (k, times) in grouped {
        let week = weeks.entry(k).or_default();
        for (t, mut buckets) in times {
            buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
            let how = clock.hour_of_week((t - step) * 1000);
            let mut below = (0.0, 0.0);
            for (le, cumulative) in buckets {
                let n = (cumulative - below.1).round();
                if n >= 1.0 {
                    let ms = if le.is_infinite() {
                        below.0 * 1500.0
                    } else if below.0 == 0.0 {
                        le * 500.0
                    } else {
                        (below.0 * le).sqrt() * 1000.0
                    };
                    week.hours[how].latency.observe_n(ms, n as u64);
                }
                below = (le, cumulative.max(below.1));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn series(labels: &[(&str, &str)], points: &[(f64, f64)]) -> Series {
        Series {
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            points: points.to_vec(),
        }
    }

    #[test]
    fn a_point_counts_the_step_that_ends_at_it() {
        // 1970-01-05 was a Monday; the point at 01:00 counts 00:00–01:00.
        let monday_1am = 4.0 * 86_400.0 + 3600.0;
        let mut weeks = BTreeMap::new();
        let up = series(
            &[("check", "c"), ("channel", "chat"), ("outcome", "up")],
            &[(monday_1am, 11.6)],
        );
        let down = series(
            &[("check", "c"), ("channel", "chat"), ("outcome", "down")],
            &[(monday_1am, 1.0)],
        );
        let throttled = series(
            &[
                ("check", "c"),
                ("channel", "chat"),
                ("outcome", "throttled"),
            ],
            &[(monday_1am, 9.0)],
        );
        add_counts(&mut weeks, &[up, down, throttled], 3600, Tz::UTC);
        let w = &weeks[&("c".to_string(), Channel::Chat)];
        assert_eq!((w.hours[0].up, w.hours[0].down), (12, 1));
        assert_eq!(w.total().samples(), 13, "throttled counts in no pattern");
    }

    #[test]
    fn buckets_become_a_histogram_with_the_right_median() {
        let t = 4.0 * 86_400.0 + 3600.0;
        let le =
            |v: &str, n: f64| series(&[("check", "c"), ("channel", "chat"), ("le", v)], &[(t, n)]);
        // 10 answers at 50–100 ms, 2 at 300–500 ms.
        let buckets = [
            le("0.05", 0.0),
            le("0.1", 10.0),
            le("0.3", 10.0),
            le("0.5", 12.0),
            le("+Inf", 12.0),
        ];
        let mut weeks = BTreeMap::new();
        add_buckets(&mut weeks, &buckets, 3600, Tz::UTC);
        let h = &weeks[&("c".to_string(), Channel::Chat)].hours[0].latency;
        assert_eq!(h.count(), 12);
        let p50 = h.quantile(0.5).unwrap();
        assert!((50.0..100.0).contains(&p50), "{p50}");
    }

    #[test]
    fn steps_follow_the_zone() {
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 0, 0, 0).unwrap();
        let year = Duration::from_secs(400 * 86_400);
        assert_eq!(step_for(Tz::UTC, now, year), 3600);
        assert_eq!(step_for(chrono_tz::Europe::Berlin, now, year), 3600);
        assert_eq!(step_for(chrono_tz::Asia::Kolkata, now, year), 900);
    }
}
