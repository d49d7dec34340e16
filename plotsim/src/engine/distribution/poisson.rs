//! The Poisson quantile.

/// Means below this (with `p <=` [`SEQUENTIAL_UP_TO`]) sum the pmf from 0.
const SEQUENTIAL_BELOW: f64 = 30.0;
/// Probabilities up to this (with the mean below [`SEQUENTIAL_BELOW`]) sum
/// the pmf from 0.
const SEQUENTIAL_UP_TO: f64 = 0.999;

/// [`quantile`] at `p = Φ(z)`, `q = 1 - Φ(z)`: the upper tail is computed
/// only where the quantile needs it (the sequential branch reads it only to
/// see that it is positive, which `1 - p` shows there), with the same result.
pub fn quantile_at_score(lambda: f64, z: f64) -> f64 {
    quantile_with_cdf(lambda, super::normal::cdf(z), z)
}

/// [`quantile_at_score`] given `cdf`, Φ(z) from a table (within 2e-13
/// of it): the sequential branch sums the pmf up to `cdf`; the others, where
/// the tails' precision matters, compute Φ(z) and 1 - Φ(z) exactly.
pub fn quantile_with_cdf(lambda: f64, cdf: f64, z: f64) -> f64 {
    if lambda < SEQUENTIAL_BELOW && cdf <= SEQUENTIAL_UP_TO {
        quantile(lambda, cdf, 1.0 - cdf)
    } else {
        quantile(lambda, super::normal::cdf(z), super::normal::sf(z))
    }
}

/// The smallest k with P(X <= k) >= p for X ~ Poisson(lambda); `q` = 1 - p
/// is passed separately so the upper tail keeps its precision.
pub fn quantile(lambda: f64, p: f64, q: f64) -> f64 {
    if lambda <= 0.0 || p <= 0.0 {
        return 0.0;
    }
    if q <= 0.0 {
        return f64::INFINITY;
    }
    if lambda < SEQUENTIAL_BELOW && p <= SEQUENTIAL_UP_TO {
        // Sequential summation of the pmf from 0.
        let mut pmf = super::exp::exp(-lambda);
        let mut cdf = pmf;
        let mut k = 0.0;
        while cdf < p && k < 10_000.0 {
            k += 1.0;
            pmf *= lambda / k;
            cdf += pmf;
        }
        return k;
    }
    // Start from the normal approximation, then step with exact tails:
    // P(X <= k) = Q(k + 1, lambda), P(X > k) = P(k + 1, lambda).
    let lower = p <= q;
    let z = if lower {
        super::normal::quantile_tail(p, true)
    } else {
        super::normal::quantile_tail(q, false)
    };
    let mut k = (lambda + z * libm::sqrt(lambda) + (z * z - 1.0) / 6.0)
        .round()
        .max(0.0);
    // meets(k): P(X <= k) >= p.
    let meets = |k: f64| {
        let (pk, qk) = super::gamma::incomplete(k + 1.0, lambda);
        if lower { qk >= p } else { pk <= q }
    };
    if meets(k) {
        while k > 0.0 && meets(k - 1.0) {
            k -= 1.0;
        }
    } else {
        while !meets(k) {
            k += 1.0;
        }
    }
    k
}
