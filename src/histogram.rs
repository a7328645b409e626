//! A mergeable latency histogram: logarithmic buckets 2 % wide over
//! microseconds (DDSketch-style), so any quantile read from it is within 1 % of
//! the true sample quantile, and histograms of many quarter-hours, checks or
//! weeks merge by adding counts. Only the span of buckets in use is kept.
//! Pure; the byte encoding is the one the store keeps in its rollups, and the
//! older 10 % encoding still reads (at its own accuracy).

/// Bucket 0 holds 0 µs; bucket `i ≥ 1` holds `[GAMMA^(i-1), GAMMA^i)` µs; the
/// last bucket also holds everything longer (beyond ten minutes).
pub const BUCKETS: usize = 1100;
const GAMMA: f64 = 1.02;
/// Marks the current encoding; the older one's first byte is a bucket below 130.
const FORMAT: u8 = 0xFF;
/// The older encoding's buckets: 10 % wide over milliseconds, 130 of them.
const OLD_BUCKETS: usize = 130;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Histogram {
    /// The first bucket `counts` holds.
    start: usize,
    /// Counts of buckets `start..start + counts.len()`; empty until the first observation.
    counts: Vec<u64>,
}

impl Histogram {
    pub fn new() -> Histogram {
        Histogram::default()
    }

    /// The bucket of a latency of `us` microseconds.
    pub fn bucket_of_us(us: f64) -> usize {
        if us.is_nan() || us < 1.0 {
            return 0;
        }
        let i = (us.ln() / GAMMA.ln()).floor() as usize + 1;
        i.min(BUCKETS - 1)
    }

    /// A representative value of bucket `i`, in ms: the middle of its range,
    /// within `(GAMMA - 1) / (GAMMA + 1)` (under 1 %) of every value in it.
    fn value_of(i: usize) -> f64 {
        if i == 0 {
            0.0
        } else {
            GAMMA.powf(i as f64 - 1.0) * (1.0 + GAMMA) / 2.0 / 1000.0
        }
    }

    pub fn observe(&mut self, ms: f64) {
        self.observe_n(ms, 1);
    }

    /// `n` observations of `ms`.
    pub fn observe_n(&mut self, ms: f64, n: u64) {
        if n > 0 {
            self.add(Self::bucket_of_us(ms * 1000.0), n);
        }
    }

    /// One observation of a latency in whole microseconds.
    pub fn observe_us(&mut self, us: i64) {
        self.add(Self::bucket_of_us(us as f64), 1);
    }

    fn add(&mut self, bucket: usize, n: u64) {
        let bucket = bucket.min(BUCKETS - 1);
        self.cover(bucket, bucket);
        self.counts[bucket - self.start] += n;
    }

    /// Makes `counts` hold buckets `low..=high` (both below [`BUCKETS`]), in one move.
    fn cover(&mut self, low: usize, high: usize) {
        if self.counts.is_empty() {
            self.start = low;
            self.counts.resize(high - low + 1, 0);
            return;
        }
        if low < self.start {
            let grow = self.start - low;
            self.counts.splice(0..0, std::iter::repeat_n(0, grow));
            self.start = low;
        }
        if high >= self.start + self.counts.len() {
            self.counts.resize(high - self.start + 1, 0);
        }
    }

    /// (bucket, count) of every bucket in use, in order of latency.
    fn used(&self) -> impl Iterator<Item = (usize, u64)> + '_ {
        self.counts
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(i, n)| (self.start + i, *n))
    }

    pub fn merge(&mut self, other: &Histogram) {
        if other.counts.is_empty() {
            return;
        }
        self.cover(other.start, other.start + other.counts.len() - 1);
        let at = other.start - self.start;
        for (mine, theirs) in self.counts[at..].iter_mut().zip(&other.counts) {
            *mine += theirs;
        }
    }

    /// The buckets in use, as a range (empty when nothing was observed).
    pub fn span(&self) -> std::ops::Range<usize> {
        self.start..self.start + self.counts.len()
    }

    /// The counts of buckets `range`, in order of latency.
    pub fn bucket_counts(&self, range: std::ops::Range<usize>) -> impl Iterator<Item = u64> + '_ {
        range.map(|i| {
            i.checked_sub(self.start)
                .and_then(|j| self.counts.get(j))
                .copied()
                .unwrap_or(0)
        })
    }

    /// What is left of `self` without `part` (which must be part of it).
    pub fn minus(&self, part: &Histogram) -> Histogram {
        let mut out = self.clone();
        for (i, n) in part.used() {
            if let Some(c) = i.checked_sub(out.start).and_then(|j| out.counts.get_mut(j)) {
                *c = c.saturating_sub(n);
            }
        }
        out
    }

    pub fn count(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// The `q`-quantile (0 ≤ q ≤ 1) in ms, or `None` when empty: the value of
    /// the smallest observation with at least q·total observations at or below
    /// it (the nearest rank), within 1 %.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let total = self.count();
        if total == 0 {
            return None;
        }
        let rank = ((q.clamp(0.0, 1.0) * total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (i, n) in self.used() {
            seen += n;
            if seen >= rank {
                return Some(Self::value_of(i));
            }
        }
        None
    }

    /// Sparse encoding: the format byte, then (bucket step from the previous
    /// used bucket, count) pairs, both LEB128.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![FORMAT];
        let mut previous = 0;
        for (i, n) in self.used() {
            leb128(&mut out, (i - previous) as u64);
            leb128(&mut out, n);
            previous = i;
        }
        out
    }

    /// Adds the counts of an encoded histogram without building it; false (and
    /// nothing added past the fault) when the bytes are not an encoding.
    pub fn merge_encoded(&mut self, bytes: &[u8]) -> bool {
        match bytes.split_first() {
            None => true,
            Some((&FORMAT, rest)) => {
                // Decoded once into a small buffer (a quarter-hour's rollup
                // uses a few buckets), the span grown in one move, then added.
                let mut pairs = [(0usize, 0u64); 64];
                let mut used = 0;
                let mut it = rest.iter();
                let mut bucket = 0usize;
                while !it.as_slice().is_empty() {
                    let (Some(step), Some(n)) = (read_leb128(&mut it), read_leb128(&mut it)) else {
                        return false;
                    };
                    bucket = bucket.saturating_add(usize::try_from(step).unwrap_or(usize::MAX));
                    if bucket >= BUCKETS {
                        return false;
                    }
                    if used == pairs.len() {
                        // A wide one: the rest goes in bucket by bucket.
                        let (low, high) = (pairs[0].0, pairs[used - 1].0);
                        self.cover(low, high);
                        for (b, n) in &pairs[..used] {
                            self.counts[b - self.start] += n;
                        }
                        used = 0;
                    }
                    pairs[used] = (bucket, n);
                    used += 1;
                }
                if used > 0 {
                    self.cover(pairs[0].0, pairs[used - 1].0);
                    for (b, n) in &pairs[..used] {
                        self.counts[b - self.start] += n;
                    }
                }
                true
            }
            Some(_) => self.merge_old(bytes),
        }
    }

    /// The older encoding: (bucket byte, LEB128 count) pairs of 10 % buckets
    /// over milliseconds; each old bucket lands where its middle falls.
    fn merge_old(&mut self, bytes: &[u8]) -> bool {
        let mut it = bytes.iter();
        while let Some(&bucket) = it.next() {
            if bucket as usize >= OLD_BUCKETS {
                return false;
            }
            let Some(n) = read_leb128(&mut it) else {
                return false;
            };
            let ms = if bucket == 0 {
                0.5
            } else {
                1.1f64.powf(f64::from(bucket) - 0.5)
            };
            self.add(Self::bucket_of_us(ms * 1000.0), n);
        }
        true
    }

    /// Decodes [`encode`](Self::encode)'s bytes; `None` when they are not such bytes.
    pub fn decode(bytes: &[u8]) -> Option<Histogram> {
        let mut h = Histogram::new();
        h.merge_encoded(bytes).then_some(h)
    }
}

fn leb128(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn read_leb128(it: &mut std::slice::Iter<'_, u8>) -> Option<u64> {
    // Most counts and steps fit one byte.
    if let Some(&b) = it.as_slice().first()
        && b < 0x80
    {
        it.next();
        return Some(u64::from(b));
    }
    let mut n: u64 = 0;
    let mut shift = 0;
    loop {
        let b = *it.next()?;
        if shift > 63 {
            return None;
        }
        n |= u64::from(b & 0x7f) << shift;
        shift += 7;
        if b & 0x80 == 0 {
            return Some(n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_within_one_percent() {
        let mut h = Histogram::new();
        for ms in 1..=1000 {
            h.observe(ms as f64);
        }
        for (q, exact) in [(0.5, 500.0), (0.95, 950.0), (0.99, 990.0)] {
            let got = h.quantile(q).unwrap();
            assert!((got - exact).abs() / exact < 0.01, "q{q}: {got} vs {exact}");
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
        assert!(bytes.len() < 16, "sparse: {} bytes", bytes.len());
        assert_eq!(Histogram::decode(&bytes), Some(h));
        assert_eq!(Histogram::decode(&[]), Some(Histogram::new()));
        assert_eq!(Histogram::decode(&[200, 1]), None);
        assert_eq!(Histogram::decode(&[5, 0x80]), None);
        assert_eq!(
            Histogram::decode(&[FORMAT, 0xff, 0x7f, 1]),
            None,
            "past the last bucket"
        );
    }

    #[test]
    fn the_older_encoding_still_reads() {
        // Old bucket 55 (10 % buckets over ms) is about 181 ms.
        let h = Histogram::decode(&[55, 3]).unwrap();
        assert_eq!(h.count(), 3);
        let ms = h.quantile(0.5).unwrap();
        assert!((ms - 1.1f64.powf(54.5)).abs() / ms < 0.01, "{ms}");
    }
}
