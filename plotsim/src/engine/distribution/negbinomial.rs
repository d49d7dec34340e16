//! The negative binomial (over-dispersed counts): mean `mu`, variance
//! `mu + d·mu²`, i.e. size `r = 1/d` and success probability `r / (r + mu)`.

use super::beta;

/// P(X <= k), from the regularized incomplete beta: I_p(r, k + 1).
pub fn cdf(mu: f64, d: f64, k: f64) -> f64 {
    if k < 0.0 {
        return 0.0;
    }
    if mu <= 0.0 {
        return 1.0;
    }
    let r = 1.0 / d;
    beta::incomplete(r, libm::floor(k) + 1.0, r / (r + mu)).0
}

/// ln P(X = k).
fn ln_pmf(mu: f64, d: f64, k: f64) -> f64 {
    let r = 1.0 / d;
    libm::lgamma(k + r) - libm::lgamma(r) - libm::lgamma(k + 1.0)
        + r * libm::log(r / (r + mu))
        + k * libm::log(mu / (r + mu))
}

/// The smallest k with P(X <= k) >= p: start from the normal approximation,
/// evaluate the CDF there exactly, then step with the pmf.
pub fn quantile(mu: f64, d: f64, p: f64) -> f64 {
    if mu <= 0.0 || p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let sd = libm::sqrt(mu + d * mu * mu);
    let z = super::normal::quantile(p);
    let mut k = (mu + z * sd).round().max(0.0);
    let mut f = cdf(mu, d, k);
    if f >= p {
        // Step down while the previous value still meets p.
        while k > 0.0 {
            let below = f - libm::exp(ln_pmf(mu, d, k));
            if below < p {
                break;
            }
            k -= 1.0;
            f = below;
        }
    } else {
        let mut steps = 0;
        while f < p && steps < 1_000_000 {
            k += 1.0;
            f += libm::exp(ln_pmf(mu, d, k));
            steps += 1;
        }
    }
    k
}
