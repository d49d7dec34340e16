//! Quantile tables indexed by normal score.
//!
//! The beta and gamma marginals of a metric have a fixed shape (the centre
//! only shifts or scales them), so their quantile as a function of the normal
//! score z is one smooth curve per metric. It is tabulated once per run from
//! the exact quantile functions on a uniform z grid over ±[`super::Z_CLIP`],
//! with exact derivatives (φ(z) / pdf(q)), and evaluated by cubic Hermite
//! interpolation: about 20 ns instead of a Newton iteration of incomplete
//! beta or gamma functions, with a relative error below 1e-10 (tested). The
//! table is a pure function of the shape parameters, so values stay
//! reproducible.

/// Grid points of a table.
const POINTS: usize = 8193;

/// A tabulated quantile function q(z).
#[derive(Debug, Clone, PartialEq)]
pub struct ZTable {
    lo: f64,
    step: f64,
    values: Vec<f64>,
    slopes: Vec<f64>,
}

impl ZTable {
    /// Tabulates `quantile(p, 1 - p)` (as a function of z) with the density `pdf`.
    pub fn new(quantile: impl Fn(f64, f64) -> f64, pdf: impl Fn(f64) -> f64) -> Self {
        let lo = -super::Z_CLIP;
        let step = 2.0 * super::Z_CLIP / (POINTS - 1) as f64;
        let mut values = Vec::with_capacity(POINTS);
        let mut slopes = Vec::with_capacity(POINTS);
        for i in 0..POINTS {
            let z = lo + step * i as f64;
            let q = quantile(super::normal::cdf(z), super::normal::sf(z));
            let density = pdf(q);
            let phi = libm::exp(-0.5 * z * z) / (2.0 * std::f64::consts::PI).sqrt();
            values.push(q);
            slopes.push(if density > 0.0 && density.is_finite() {
                phi / density
            } else {
                0.0
            });
        }
        ZTable {
            lo,
            step,
            values,
            slopes,
        }
    }

    /// q(z), for z already clipped to the table's range.
    #[inline]
    pub fn eval(&self, z: f64) -> f64 {
        let t = ((z - self.lo) / self.step).clamp(0.0, (POINTS - 1) as f64);
        let i = (t as usize).min(POINTS - 2);
        let s = t - i as f64;
        let (y0, y1) = (self.values[i], self.values[i + 1]);
        let (m0, m1) = (self.slopes[i] * self.step, self.slopes[i + 1] * self.step);
        let s2 = s * s;
        let s3 = s2 * s;
        (2.0 * s3 - 3.0 * s2 + 1.0) * y0
            + (s3 - 2.0 * s2 + s) * m0
            + (-2.0 * s3 + 3.0 * s2) * y1
            + (s3 - s2) * m1
    }
}

/// The quantile table of Beta(a, b).
pub fn beta(a: f64, b: f64) -> ZTable {
    let lb = libm::lgamma(a) + libm::lgamma(b) - libm::lgamma(a + b);
    ZTable::new(
        |p, q| super::beta::quantile(a, b, p, q),
        |x| libm::exp((a - 1.0) * libm::log(x) + (b - 1.0) * libm::log1p(-x) - lb),
    )
}

/// The quantile table of Gamma(k, 1).
pub fn gamma(k: f64) -> ZTable {
    let lg = libm::lgamma(k);
    ZTable::new(
        |p, q| super::gamma::quantile(k, p, q),
        |x| libm::exp((k - 1.0) * libm::log(x) - x - lg),
    )
}
