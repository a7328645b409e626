//! The tests behind "measurably better": is a contact window's availability,
//! or its latency, different from the rest of the week's, given how many
//! samples each side holds? Pure arithmetic; no I/O.
//!
//! - Availability: the two-proportion z-test (pooled), the textbook test of
//!   two binomial rates, exact enough at the sample counts a window needs.
//! - Latency: the Mann–Whitney U test on the two sides' latency histograms,
//!   with the correction for ties (a histogram's bucket is a tie). It compares
//!   whole distributions by rank, so it needs no assumption about their shape
//!   (latencies are skewed), and it reads straight from the rollups' buckets.
//! - Many windows are compared at once, so the level is Bonferroni-corrected:
//!   95 % confidence for the whole family of windows, not for each.

use crate::histogram::Histogram;

/// The standard normal's upper tail, P(Z > z).
pub fn normal_tail(z: f64) -> f64 {
    0.5 * erfc(z / std::f64::consts::SQRT_2)
}

/// erfc by Numerical Recipes' Chebyshev fit (relative error below 1.2e-7).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

/// The two-sided critical |z| at family-wise confidence `confidence` over
/// `comparisons` comparisons (Bonferroni).
pub fn critical_z(confidence: f64, comparisons: usize) -> f64 {
    let alpha = (1.0 - confidence) / comparisons.max(1) as f64;
    // Bisection on the monotone tail: 80 halvings reach machine precision.
    let (mut lo, mut hi) = (0.0, 40.0);
    for _ in 0..80 {
        let mid = (lo + hi) / 2.0;
        if 2.0 * normal_tail(mid) > alpha {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi
}

/// z of the two-proportion test: positive when `a` succeeds more often than
/// `b`; 0 when either side is empty or both never (or always) succeed.
pub fn proportions_z(a_ok: u64, a_n: u64, b_ok: u64, b_n: u64) -> f64 {
    if a_n == 0 || b_n == 0 {
        return 0.0;
    }
    let (n1, n2) = (a_n as f64, b_n as f64);
    let p = (a_ok + b_ok) as f64 / (n1 + n2);
    let se = (p * (1.0 - p) * (1.0 / n1 + 1.0 / n2)).sqrt();
    if se == 0.0 {
        return 0.0;
    }
    (a_ok as f64 / n1 - b_ok as f64 / n2) / se
}

/// z of the Mann–Whitney U test with ties: positive when `a`'s latencies tend
/// to be longer than `b`'s; 0 when either side is empty or all are tied.
pub fn mann_whitney_z(a: &Histogram, b: &Histogram) -> f64 {
    let (n1, n2) = (a.count() as f64, b.count() as f64);
    if n1 == 0.0 || n2 == 0.0 {
        return 0.0;
    }
    let n = n1 + n2;
    // U counts the pairs (x from a, y from b) with x > y, ties as a half.
    let (mut u, mut below_b, mut ties) = (0.0, 0.0, 0.0);
    // Only the buckets either side uses: outside them both counts are 0.
    let (sa, sb) = (a.span(), b.span());
    let range = sa.start.min(sb.start)..sa.end.max(sb.end);
    for (ca, cb) in a.bucket_counts(range.clone()).zip(b.bucket_counts(range)) {
        let (ca, cb) = (ca as f64, cb as f64);
        u += ca * (below_b + cb / 2.0);
        below_b += cb;
        let t = ca + cb;
        ties += t * t * t - t;
    }
    let variance = n1 * n2 / 12.0 * ((n + 1.0) - ties / (n * (n - 1.0)));
    if variance <= 0.0 {
        return 0.0;
    }
    (u - n1 * n2 / 2.0) / variance.sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_normal_tail_and_its_critical_values() {
        assert!((normal_tail(0.0) - 0.5).abs() < 1e-7);
        assert!((normal_tail(1.959_964) - 0.025).abs() < 1e-6);
        assert!((critical_z(0.95, 1) - 1.959_964).abs() < 1e-4);
        // 0.05 / 168 two-sided: about 3.62.
        let z = critical_z(0.95, 168);
        assert!((3.5..3.7).contains(&z), "{z}");
    }

    #[test]
    fn proportions() {
        assert!(
            proportions_z(100, 100, 90, 100) > 2.5,
            "100% vs 90% of 100 each"
        );
        assert!(
            proportions_z(10, 10, 9, 10).abs() < 1.96,
            "10 vs 9 of 10: too few"
        );
        assert_eq!(proportions_z(5, 5, 50, 50), 0.0, "both always succeed");
        assert_eq!(proportions_z(0, 0, 5, 5), 0.0);
    }

    #[test]
    fn mann_whitney_sees_a_shift_and_not_a_tie() {
        let h = |values: &[(f64, u64)]| {
            let mut h = Histogram::new();
            for (ms, n) in values {
                h.observe_n(*ms, *n);
            }
            h
        };
        let fast = h(&[(50.0, 40)]);
        let slow = h(&[(400.0, 400)]);
        assert!(mann_whitney_z(&fast, &slow) < -5.0);
        assert!(mann_whitney_z(&slow, &fast) > 5.0);
        assert_eq!(mann_whitney_z(&slow, &slow), 0.0, "all tied");
        let mixed = h(&[(400.0, 390), (380.0, 10)]);
        assert!(mann_whitney_z(&fast, &mixed) < -5.0);
        assert!(
            mann_whitney_z(&h(&[(50.0, 2)]), &h(&[(60.0, 2)])).abs() < 1.96,
            "too few"
        );
    }
}
