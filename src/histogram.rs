//! A mergeable latency histogram: logarithmic buckets 10% wide, so any quantile
//! read from it is within about 5% of the true value, and histograms of many
//! quarter-hours, checks or weeks merge by adding counts. Pure; the byte
//! encoding is the one the store keeps in its rollups.

/// Bucket 0 holds latencies under 1 ms; bucket `i ≥ 1` holds `[GROWTH^(i-1), GROWTH^i)` ms;
/// the last bucket also holds everything longer.
pub const BUCKETS: usize = 130;
const GROWTH: f64 = 1.1;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Histogram {
    /// Empty until the first observation, then `BUCKETS` long.
    counts: Vec<u64>,
}

impl Histogram {
    pub fn new() -> Histogram {
        Histogram::default()
    }

    pub fn bucket_of(ms: f64) -> usize {
        if ms.is_nan() || ms < 1.0 {
            return 0;
        }
        let i = (ms.ln() / GROWTH.ln()).floor() as usize + 1;
        i.min(BUCKETS - 1)
    }

    /// A representative value of bucket `i`, in ms: its geometric middle.
    fn value_of(i: usize) -> f64 {
        if i == 0 {
            0.5
        } else {
            GROWTH.powf(i as f64 - 0.5)
        }
    }

    pub fn observe(&mut self, ms: f64) {
        self.add(Self::bucket_of(ms), 1);
    }

    /// `n` observations of `ms`.
    pub fn observe_n(&mut self, ms: f64, n: u64) {
        if n > 0 {
            self.add(Self::bucket_of(ms), n);
        }
    }

    fn add(&mut self, bucket: usize, n: u64) {
        if self.counts.is_empty() {
            self.counts = vec![0; BUCKETS];
        }
        self.counts[bucket] += n;
    }

    pub fn merge(&mut self, other: &Histogram) {
        for (i, n) in other.counts.iter().enumerate() {
            if *n > 0 {
                self.add(i, *n);
            }
        }
    }

    /// Every bucket's count, in order of latency (all `BUCKETS` of them).
    pub fn bucket_counts(&self) -> impl Iterator<Item = u64> + '_ {
        (0..BUCKETS).map(|i| self.counts.get(i).copied().unwrap_or(0))
    }

    /// What is left of `self` without `part` (which must be part of it).
    pub fn minus(&self, part: &Histogram) -> Histogram {
        let mut out = self.clone();
        for (i, n) in part.counts.iter().enumerate() {
            if let Some(c) = out.counts.get_mut(i) {
                *c = c.saturating_sub(*n);
            }
        }
        out
    }

    pub fn count(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// The `q`-quantile (0 ≤ q ≤ 1) in ms, or `None` when empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let total = self.count();
        if total == 0 {
            return None;
        }
        // The rank of the quantile, 1-based: the smallest value with at least
        // q·total observations at or below it.
        let rank = ((q.clamp(0.0, 1.0) * total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (i, n) in self.counts.iter().enumerate() {
            seen += n;
            if seen >= rank {
                return Some(Self::value_of(i));
            }
        }
        None
    }

    /// Sparse encoding: (bucket as one byte, count as LEB128) pairs.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (i, n) in self.counts.iter().enumerate() {
            if *n > 0 {
                out.push(i as u8);
                let mut n = *n;
                loop {
                    let byte = (n & 0x7f) as u8;
                    n >>= 7;
                    if n == 0 {
                        out.push(byte);
                        break;
                    }
                    out.push(byte | 0x80);
                }
            }
        }
        out
    }

    /// Adds the counts of an encoded histogram without building it; false (and
    /// nothing added past the fault) when the bytes are not an encoding.
    pub fn merge_encoded(&mut self, bytes: &[u8]) -> bool {
        let mut it = bytes.iter();
        while let Some(&bucket) = it.next() {
            if bucket as usize >= BUCKETS {
                return false;
            }
            let mut n: u64 = 0;
            let mut shift = 0;
            loop {
                let Some(&b) = it.next() else { return false };
                if shift > 63 {
                    return false;
                }
                n |= u64::from(b & 0x7f) << shift;
                shift += 7;
                if b & 0x80 == 0 {
                    break;
                }
            }
            self.add(bucket as usize, n);
        }
        true
    }

    /// Decodes [`encode`](Self::encode)'s bytes; `None` when they are not such bytes.
    pub fn decode(bytes: &[u8]) -> Option<Histogram> {
        let mut h = Histogram::new();
        h.merge_encoded(bytes).then_some(h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_within_five_percent() {
        let mut h = Histogram::new();
        for ms in 1..=1000 {
            h.observe(ms as f64);
        }
        for (q, exact) in [(0.5, 500.0), (0.95, 950.0), (0.99, 990.0)] {
            let got = h.quantile(q).unwrap();
            assert!((got - exact).abs() / exact < 0.05, "q{q}: {got} vs {exact}");
        }
        assert_eq!(Histogram::new().quantile(0.5), None);
    }

    #[test]
    fn merging_equals_observing_together() {
        let (mut a, mut b, mut both) = (Histogram::new(), Histogram::new(), Histogram::new());
        for ms in [0.3, 12.0, 180.0, 4000.0, 1e9] {
            a.observe(ms);
            both.observe(ms);
        }
        for ms in [15.0, 15.0, 200.0] {
            b.observe(ms);
            both.observe(ms);
        }
        a.merge(&b);
        assert_eq!(a, both);
        assert_eq!(a.count(), 8);
    }

    #[test]
    fn encoding_round_trips() {
        let mut h = Histogram::new();
        for (ms, n) in [(0.2, 1), (95.0, 300), (180.0, 70_000)] {
            for _ in 0..n {
                h.observe(ms);
            }
        }
        let bytes = h.encode();
        assert!(bytes.len() < 12, "sparse: {} bytes", bytes.len());
        assert_eq!(Histogram::decode(&bytes), Some(h));
        assert_eq!(Histogram::decode(&[]), Some(Histogram::new()));
        assert_eq!(Histogram::decode(&[200, 1]), None);
        assert_eq!(Histogram::decode(&[5, 0x80]), None);
    }
}
