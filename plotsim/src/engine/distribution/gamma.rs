//! Regularized incomplete gamma functions and the gamma quantile.

const EPS: f64 = 1e-16;
const TINY: f64 = 1e-300;

/// One step of the modified Lentz algorithm for a continued fraction with
/// partial numerator `a` and denominator `b`; returns the factor by which
/// the convergent changes.
#[inline]
pub(super) fn lentz_step(a: f64, b: f64, c: &mut f64, d: &mut f64) -> f64 {
    *d = a * *d + b;
    if d.abs() < TINY {
        *d = TINY;
    }
    *c = b + a / *c;
    if c.abs() < TINY {
        *c = TINY;
    }
    *d = 1.0 / *d;
    *d * *c
}

/// Regularized lower and upper incomplete gamma (P(a, x), Q(a, x)), each
/// accurate on its own (no cancellation in 1 - P).
pub fn incomplete(a: f64, x: f64) -> (f64, f64) {
    if x <= 0.0 {
        return (0.0, 1.0);
    }
    if x.is_infinite() {
        return (1.0, 0.0);
    }
    let ln_front = a * libm::log(x) - x - libm::lgamma(a);
    if x < a + 1.0 {
        // Series: P = e^{-x} x^a / Γ(a+1) · Σ x^n / ((a+1)...(a+n)).
        let mut term = 1.0 / a;
        let mut sum = term;
        let mut ap = a;
        for _ in 0..10_000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * EPS {
                break;
            }
        }
        let p = (sum * libm::exp(ln_front)).min(1.0);
        (p, 1.0 - p)
    } else {
        // Continued fraction for Q (modified Lentz).
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / TINY;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..10_000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            let del = lentz_step(an, b, &mut c, &mut d);
            h *= del;
            if (del - 1.0).abs() < EPS {
                break;
            }
        }
        let q = (libm::exp(ln_front) * h).min(1.0);
        (1.0 - q, q)
    }
}

/// The quantile of Gamma(shape `a`, scale 1): the x with P(a, x) = p, where
/// `q` = 1 - p is passed separately so the upper tail keeps its precision.
pub fn quantile(a: f64, p: f64, q: f64) -> f64 {
    if p <= 0.0 {
        return 0.0;
    }
    if q <= 0.0 {
        return f64::INFINITY;
    }
    let lower = p <= q;
    // Initial guess: Wilson-Hilferty, or the small-x series for the far lower tail.
    let z = if lower {
        super::normal::quantile_tail(p, true)
    } else {
        super::normal::quantile_tail(q, false)
    };
    let t = 1.0 / (9.0 * a);
    let mut x = a * (1.0 - t + z * libm::sqrt(t)).powi(3);
    let small = libm::exp((libm::log(p) + libm::lgamma(a + 1.0)) / a);
    if x <= 0.0 || (lower && small < a * 0.5) {
        x = small.max(TINY);
    }
    let lg = libm::lgamma(a);
    let (mut lo, mut hi) = (0.0_f64, f64::INFINITY);
    for _ in 0..200 {
        let (pp, qq) = incomplete(a, x);
        // Residual in the tail that holds the precision.
        let f = if lower { pp - p } else { q - qq };
        if f < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let pdf = libm::exp((a - 1.0) * libm::log(x) - x - lg);
        let mut next = if pdf > 0.0 && pdf.is_finite() {
            // Halley step.
            let u = f / pdf;
            let corr = (u * ((a - 1.0) / x - 1.0)).clamp(-1.0, 1.0);
            x - u / (1.0 - 0.5 * corr)
        } else {
            f64::NAN
        };
        if !(next > lo && next < hi && next.is_finite()) {
            next = if hi.is_finite() {
                0.5 * (lo + hi)
            } else {
                x * 2.0
            };
        }
        if (next - x).abs() <= 1e-15 * x.max(1e-300) {
            return next;
        }
        x = next;
    }
    x
}
