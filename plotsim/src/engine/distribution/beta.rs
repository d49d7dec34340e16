//! The regularized incomplete beta function and the beta quantile.

use super::gamma::lentz_step;

const EPS: f64 = 1e-16;
const TINY: f64 = 1e-300;

/// ln B(a, b).
fn ln_beta(a: f64, b: f64) -> f64 {
    libm::lgamma(a) + libm::lgamma(b) - libm::lgamma(a + b)
}

/// Continued fraction of the incomplete beta (modified Lentz).
fn cf(a: f64, b: f64, x: f64) -> f64 {
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..10_000 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let even = m * (b - m) * x / ((qam + m2) * (a + m2));
        h *= lentz_step(even, 1.0, &mut c, &mut d);
        let odd = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        let del = lentz_step(odd, 1.0, &mut c, &mut d);
        h *= del;
        if (del - 1.0).abs() < EPS {
            break;
        }
    }
    h
}

/// I_x(a, b) and 1 - I_x(a, b), each accurate on its own.
pub fn incomplete(a: f64, b: f64, x: f64) -> (f64, f64) {
    if x <= 0.0 {
        return (0.0, 1.0);
    }
    if x >= 1.0 {
        return (1.0, 0.0);
    }
    let front = libm::exp(a * libm::log(x) + b * libm::log1p(-x) - ln_beta(a, b));
    if x < (a + 1.0) / (a + b + 2.0) {
        let p = front * cf(a, b, x) / a;
        (p, 1.0 - p)
    } else {
        let q = front * cf(b, a, 1.0 - x) / b;
        (1.0 - q, q)
    }
}

/// The quantile of Beta(a, b): the x with I_x(a, b) = p, where `q` = 1 - p
/// is passed separately so the upper tail keeps its precision.
pub fn quantile(a: f64, b: f64, p: f64, q: f64) -> f64 {
    if p <= 0.0 {
        return 0.0;
    }
    if q <= 0.0 {
        return 1.0;
    }
    let lower = p <= q;
    let lbeta = ln_beta(a, b);
    // Initial guess (Numerical Recipes, after Abramowitz & Stegun 26.5.22).
    let mut x = if a >= 1.0 && b >= 1.0 {
        let pp = if lower { p } else { q };
        let t = libm::sqrt(-2.0 * libm::log(pp));
        let mut z = (2.30753 + t * 0.27061) / (1.0 + t * (0.99229 + t * 0.04481)) - t;
        if lower {
            z = -z;
        }
        let al = (z * z - 3.0) / 6.0;
        let h = 2.0 / (1.0 / (2.0 * a - 1.0) + 1.0 / (2.0 * b - 1.0));
        let w = z * libm::sqrt(al + h) / h
            - (1.0 / (2.0 * b - 1.0) - 1.0 / (2.0 * a - 1.0)) * (al + 5.0 / 6.0 - 2.0 / (3.0 * h));
        a / (a + b * libm::exp(2.0 * w))
    } else {
        let lna = libm::log(a / (a + b));
        let lnb = libm::log(b / (a + b));
        let t = libm::exp(a * lna) / a;
        let u = libm::exp(b * lnb) / b;
        let w = t + u;
        if p < t / w {
            libm::pow(a * w * p, 1.0 / a)
        } else {
            1.0 - libm::pow(b * w * q, 1.0 / b)
        }
    };
    if !(x > 0.0 && x < 1.0) {
        x = 0.5;
    }
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    for _ in 0..300 {
        let (pp, qq) = incomplete(a, b, x);
        let f = if lower { pp - p } else { q - qq };
        if f < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let pdf = libm::exp((a - 1.0) * libm::log(x) + (b - 1.0) * libm::log1p(-x) - lbeta);
        let mut next = if pdf > 0.0 && pdf.is_finite() {
            let u = f / pdf;
            let corr = (u * ((a - 1.0) / x - (b - 1.0) / (1.0 - x))).clamp(-1.0, 1.0);
            x - u / (1.0 - 0.5 * corr)
        } else {
            f64::NAN
        };
        if !(next > lo && next < hi && next.is_finite()) {
            next = 0.5 * (lo + hi);
        }
        if (next - x).abs() <= 1e-15 * x.min(1.0 - x).max(1e-300) || hi - lo < 1e-300 {
            return next;
        }
        x = next;
    }
    x
}
