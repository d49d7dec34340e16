//! The exponential function of the per-cell paths (a lognormal value, a
//! Poisson's first probability): a table of 2^(j/256) and a short
//! polynomial, within 1 ulp of `libm::exp` at a fraction of its cost.
//!
//! `x = (256 e + j) ln2 / 256 + r` with `|r| <= ln2 / 512`; then
//! `exp(x) = 2^e · 2^(j/256) · (1 + p(r))`, where `p` is the Taylor series
//! of `e^r - 1` to `r⁴` (its first omitted term is below 4e-17 of the
//! result). Every step is IEEE arithmetic in a fixed order and the table is
//! built with `libm`, so the bits are the same on every platform. Outside
//! (-708, 709) (overflow, subnormal results, NaN) it is `libm::exp`.

use std::sync::OnceLock;

/// Table entries per octave.
const N: usize = 256;

/// `ln 2 / N`, split (fdlibm's `ln2_hi` and `ln2_lo` over N): the high
/// part has 32 significant bits, so `k · HI` is exact for every `|k| < 2^21`
/// that the fast range produces.
const LN2_HI_N: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000) / N as f64;
/// The rest of `ln 2 / N`.
const LN2_LO_N: f64 = f64::from_bits(0x3dea_39ef_3579_3c76) / N as f64;

/// `N / ln 2`.
const INV_LN2_N: f64 = N as f64 / std::f64::consts::LN_2;

/// Adding and subtracting this rounds a double of magnitude below 2^51 to
/// the nearest integer (ties to even), without a call to `round`.
const ROUND: f64 = 6_755_399_441_055_744.0; // 1.5 · 2^52

/// `2^(j / N)` for `j` in `0..N`.
fn table() -> &'static [f64; N] {
    static TABLE: OnceLock<[f64; N]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = [0.0; N];
        for (j, v) in t.iter_mut().enumerate() {
            *v = libm::exp2(j as f64 / N as f64);
        }
        t
    })
}

/// `e^x`.
#[inline]
pub fn exp(x: f64) -> f64 {
    if !(x > -708.0 && x < 709.0) {
        return libm::exp(x);
    }
    let kf = (x * INV_LN2_N + ROUND) - ROUND;
    let k = kf as i64;
    let r = (x - kf * LN2_HI_N) - kf * LN2_LO_N;
    let p = r + r * r * (0.5 + r * (1.0 / 6.0 + r * (1.0 / 24.0)));
    let t = table()[(k & (N as i64 - 1)) as usize];
    // 2^e as a double: e = k / N rounded down lies in [-1022, 1023] here.
    let e = k >> N.trailing_zeros();
    let scale = f64::from_bits(((1023 + e) as u64) << 52);
    (t + t * p) * scale
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The distance in units in the last place between two positive finite doubles.
    fn ulps(a: f64, b: f64) -> u64 {
        a.to_bits().abs_diff(b.to_bits())
    }

    #[test]
    fn agrees_with_libm_to_about_one_ulp() {
        let mut worst = 0;
        let n = 2_000_000;
        // A fixed, dense sweep of the fast range plus the points where the
        // reduction changes octave or table entry.
        for i in 0..n {
            let x = -707.9 + 1416.8 * (i as f64 + 0.5) / n as f64;
            worst = worst.max(ulps(exp(x), libm::exp(x)));
        }
        for k in -1000..1000 {
            let x = k as f64 * std::f64::consts::LN_2 / N as f64;
            for x in [x, x.next_up(), x.next_down()] {
                worst = worst.max(ulps(exp(x), libm::exp(x)));
            }
        }
        // Small arguments, where the result is 1 + x.
        for x in [1e-300, -1e-300, 1e-17, -1e-17, 1e-9, -1e-9, 0.0, -0.0] {
            worst = worst.max(ulps(exp(x), libm::exp(x)));
        }
        // The table entries are rounded (half an ulp) and so is the last
        // step: about a quarter of the results are 1 ulp from libm's.
        assert!(worst <= 1, "worst {worst} ulps");
    }

    #[test]
    fn the_reduction_constants_split_ln2() {
        // HI has its low 21 mantissa bits clear (32 significant bits).
        assert_eq!(LN2_HI_N.to_bits() & ((1 << 21) - 1), 0);
        let ln2 = std::f64::consts::LN_2 / N as f64;
        assert!(((LN2_HI_N + LN2_LO_N) - ln2).abs() <= f64::EPSILON * ln2);
        assert!(LN2_LO_N.abs() < 1e-9 * ln2);
    }

    #[test]
    fn edges_fall_back_to_libm() {
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(f64::NEG_INFINITY), 0.0);
        assert_eq!(exp(f64::INFINITY), f64::INFINITY);
        assert!(exp(f64::NAN).is_nan());
        assert_eq!(exp(710.0), f64::INFINITY);
        assert_eq!(exp(-745.2), libm::exp(-745.2));
        assert_eq!(exp(-708.5), libm::exp(-708.5));
    }
}
