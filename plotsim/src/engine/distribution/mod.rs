//! Our own numerics: every uniform becomes a value through these functions,
//! built on `libm` only, so generated values do not change when a dependency
//! changes its numbers. `statrs` and `rand_distr` check them in tests.
//!
//! A metric value is drawn in "normal-score space": each cell gets a standard
//! normal score z (independent, or correlated through the copula), and the
//! family's quantile function maps Φ(z) to a value around the cell's centre.

pub mod beta;
pub mod exp;
pub mod gamma;
pub mod negbinomial;
pub mod normal;
pub mod poisson;
pub mod table;

use plotsim_config::plan::FamilyParams;

/// Scores are clipped to ±Φ⁻¹(1 - 1e-10) before the quantile maps.
pub const Z_CLIP: f64 = 6.361_340_902_404_056;

/// Smallest centre used for the lognormal (a centre ≤ 0 becomes this).
const LOGNORM_FLOOR: f64 = 1e-9;

/// Share of the range below the range-aware Weibull scale at position 0.
const WEIBULL_FLOOR: f64 = 0.02;

/// The Weibull quantile that the range-aware centre places at the range top.
const WEIBULL_TOP_QUANTILE: f64 = 0.99;

/// A family with its resolved parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Marginal {
    /// Lognormal with log-sd `s`; the centre is the median.
    Lognorm {
        /// Log-scale standard deviation.
        s: f64,
    },
    /// Gamma with shape `k`; the centre is the mean.
    Gamma {
        /// Shape.
        k: f64,
    },
    /// Poisson; the centre is the mean.
    Poisson,
    /// Negative binomial with the centre as its mean and variance
    /// `mean + d * mean^2`.
    NegBinomial {
        /// Over-dispersion d > 0.
        d: f64,
    },
    /// Beta(α, β) shifted so its mean sits at the centre, spread over the
    /// range (or `scale` without a range).
    Beta {
        /// α.
        alpha: f64,
        /// β.
        beta: f64,
        /// Spread without a range.
        scale: f64,
    },
    /// Normal with standard deviation `sigma`; the centre is the mean.
    Normal {
        /// Standard deviation.
        sigma: f64,
    },
    /// Weibull with shape `k`.
    Weibull {
        /// Shape.
        k: f64,
    },
}

impl Marginal {
    /// The marginal of a family with its resolved parameters.
    pub fn new(params: &FamilyParams) -> Self {
        match *params {
            FamilyParams::Lognorm { s, .. } => Marginal::Lognorm { s },
            FamilyParams::Gamma { shape, .. } => Marginal::Gamma { k: shape },
            FamilyParams::Poisson { dispersion, .. } if dispersion > 0.0 => {
                Marginal::NegBinomial { d: dispersion }
            }
            FamilyParams::Poisson { .. } => Marginal::Poisson,
            FamilyParams::Beta { alpha, beta, scale } => Marginal::Beta { alpha, beta, scale },
            FamilyParams::Normal { sigma, .. } => Marginal::Normal { sigma },
            FamilyParams::Weibull { shape, .. } => Marginal::Weibull { k: shape },
        }
    }

    /// Places a unit quantile `r` of a beta or gamma marginal around the
    /// cell's centre (the exact and the table paths share it). A beta
    /// quantile is shifted by its mean and spread over the range (or scaled);
    /// a gamma quantile (mean `k`) is scaled to the centre.
    #[inline]
    fn place(self, r: f64, centre: f64, range: Option<(f64, f64)>) -> f64 {
        match self {
            Marginal::Beta {
                alpha,
                beta: b,
                scale,
            } => {
                let mean = alpha / (alpha + b);
                match range {
                    Some((lo, hi)) => centre + (r - mean) * (hi - lo),
                    None => (r - mean + centre) * scale,
                }
            }
            Marginal::Gamma { k } => centre / k * r,
            _ => r,
        }
    }

    /// The marginal's CDF at the range bounds for a cell centred on
    /// `centre`: `(P(V < lo), P(V <= hi))`. A truncated draw maps Φ(z) into
    /// this interval ([`truncate_z`]), so the value falls inside the range
    /// with the marginal's own shape and no mass piles up on a bound.
    pub fn unit_bounds(self, centre: f64, (lo, hi): (f64, f64)) -> (f64, f64) {
        match self {
            Marginal::Normal { sigma } => (
                normal::cdf((lo - centre) / sigma),
                normal::cdf((hi - centre) / sigma),
            ),
            Marginal::Lognorm { s } => {
                let c = centre.max(LOGNORM_FLOOR);
                let f = |x: f64| {
                    if x <= 0.0 {
                        0.0
                    } else {
                        normal::cdf(libm::log(x / c) / s)
                    }
                };
                (f(lo), f(hi))
            }
            Marginal::Gamma { k } => {
                if centre <= 0.0 {
                    return (0.0, 1.0);
                }
                (
                    gamma::incomplete(k, lo * k / centre).0,
                    gamma::incomplete(k, hi * k / centre).0,
                )
            }
            Marginal::Beta { alpha, beta: b, .. } => {
                let mean = alpha / (alpha + b);
                let r = |x: f64| (x - centre) / (hi - lo) + mean;
                (
                    beta::incomplete(alpha, b, r(lo)).0,
                    beta::incomplete(alpha, b, r(hi)).0,
                )
            }
            Marginal::Poisson => {
                // P(X <= k) = Q(k + 1, λ).
                let lambda = centre.max(0.0);
                let below = if lo < 1.0 {
                    0.0
                } else {
                    gamma::incomplete(libm::ceil(lo), lambda).1
                };
                (below, gamma::incomplete(libm::floor(hi) + 1.0, lambda).1)
            }
            Marginal::NegBinomial { d } => {
                let mu = centre.max(0.0);
                let below = if lo < 1.0 {
                    0.0
                } else {
                    negbinomial::cdf(mu, d, libm::ceil(lo) - 1.0)
                };
                (below, negbinomial::cdf(mu, d, libm::floor(hi)))
            }
            Marginal::Weibull { k } => {
                if centre <= lo {
                    return (0.0, 1.0);
                }
                let top = weibull_unit(k, 1.0 - WEIBULL_TOP_QUANTILE);
                let w_hi = (hi - lo) * top / (centre - lo);
                (0.0, -libm::expm1(-libm::pow(w_hi, k)))
            }
        }
    }

    /// Whether values are integers.
    pub fn is_integer(self) -> bool {
        matches!(self, Marginal::Poisson | Marginal::NegBinomial { .. })
    }

    /// The value at normal score `z` for a cell centred on `centre`; `range`
    /// is the metric's (effective) range. Values may fall outside the range;
    /// the caller clamps after noise.
    #[inline(always)]
    pub fn value(self, z: f64, centre: f64, range: Option<(f64, f64)>) -> f64 {
        let z = z.clamp(-Z_CLIP, Z_CLIP);
        match self {
            Marginal::Normal { sigma } => centre + sigma * z,
            Marginal::Lognorm { s } => centre.max(LOGNORM_FLOOR) * exp::exp(s * z),
            Marginal::Gamma { k } => {
                if centre <= 0.0 {
                    return 0.0;
                }
                let (p, q) = (normal::cdf(z), normal::sf(z));
                self.place(gamma::quantile(k, p, q), centre, range)
            }
            Marginal::Poisson => poisson::quantile_at_score(centre.max(0.0), z),
            Marginal::NegBinomial { d } => {
                negbinomial::quantile(centre.max(0.0), d, normal::cdf(z))
            }
            Marginal::Beta { alpha, beta: b, .. } => {
                let (p, q) = (normal::cdf(z), normal::sf(z));
                self.place(beta::quantile(alpha, b, p, q), centre, range)
            }
            Marginal::Weibull { k } => {
                let w = weibull_unit(k, normal::sf(z));
                match range {
                    // Range-aware: `centre` is where the 99th percentile sits.
                    Some((lo, _)) => {
                        let top = weibull_unit(k, 1.0 - WEIBULL_TOP_QUANTILE);
                        lo + (centre - lo).max(0.0) * w / top
                    }
                    None if centre <= 0.0 => 0.0,
                    None => centre * w,
                }
            }
        }
    }

    /// The centre of a cell at (polarity-adjusted) position `p` in [0, 1].
    ///
    /// Follows the original's mapping per family (lognormal median
    /// `loc + scale·p`, gamma mean `shape·scale·p`, poisson mean `lambda·p`,
    /// beta `lo + p·(hi - lo)`, normal `mu·p`), except that a poisson with a
    /// range (a count with `range: [lo, hi]`) has the mean `lo + p·(hi - lo)`,
    /// and the Weibull's centre is range-aware with a range: the 99th percentile
    /// moves from `lo + 2%` of the range at position 0 to `hi` at position 1,
    /// so time-to-event values lengthen with the trajectory without piling up
    /// at the bounds.
    pub fn centre(params: &FamilyParams, p: f64, range: Option<(f64, f64)>) -> f64 {
        match *params {
            FamilyParams::Lognorm { loc, scale, .. } => loc + scale * p,
            FamilyParams::Gamma { shape, scale } => shape * scale * p,
            FamilyParams::Poisson { lambda, .. } => match range {
                Some((lo, hi)) => lo + p * (hi - lo),
                None => lambda * p,
            },
            FamilyParams::Beta { .. } => match range {
                Some((lo, hi)) => lo + p * (hi - lo),
                None => p,
            },
            FamilyParams::Normal { mu, .. } => mu * p,
            FamilyParams::Weibull { scale, .. } => match range {
                Some((lo, hi)) => lo + (hi - lo) * (WEIBULL_FLOOR + (1.0 - WEIBULL_FLOOR) * p),
                None => scale * p,
            },
        }
    }
}

/// A metric's marginal with its quantile table (beta and gamma; for the
/// Poisson, a table of Φ), used by the engine; [`Marginal::value`] is the
/// exact reference it must agree with.
#[derive(Debug, Clone, PartialEq)]
pub struct Sampler {
    /// The family and parameters.
    pub marginal: Marginal,
    table: Option<std::sync::Arc<table::ZTable>>,
}

impl Sampler {
    /// Builds the sampler (and its table, for beta and gamma).
    pub fn new(marginal: Marginal) -> Self {
        let table = match marginal {
            Marginal::Beta { alpha, beta, .. } => {
                Some(table::shared(table::Shape::Beta(alpha, beta)))
            }
            Marginal::Gamma { k } => Some(table::shared(table::Shape::Gamma(k))),
            Marginal::Poisson => Some(table::shared(table::Shape::Uniform)),
            _ => None,
        };
        Sampler { marginal, table }
    }

    /// [`Sampler::value`] of each score `z[i]` and centre `centre[i]`, into
    /// `out[i]`: one loop per family, so each loop's body is that family's
    /// code alone (the same operations as one value at a time).
    pub fn values(&self, z: &[f64], centre: &[f64], range: Option<(f64, f64)>, out: &mut [f64]) {
        #[inline(always)]
        fn each(
            s: &Sampler,
            z: &[f64],
            centre: &[f64],
            range: Option<(f64, f64)>,
            out: &mut [f64],
        ) {
            for ((o, &z), &c) in out.iter_mut().zip(z).zip(centre) {
                *o = s.value(z, c, range);
            }
        }
        match self.marginal {
            Marginal::Beta { .. } => each(self, z, centre, range, out),
            Marginal::Gamma { .. } => each(self, z, centre, range, out),
            Marginal::Poisson => each(self, z, centre, range, out),
            Marginal::Lognorm { .. } => each(self, z, centre, range, out),
            Marginal::Normal { .. } => each(self, z, centre, range, out),
            Marginal::NegBinomial { .. } | Marginal::Weibull { .. } => {
                each(self, z, centre, range, out);
            }
        }
    }

    /// Like [`Marginal::value`], through the table where there is one.
    #[inline(always)]
    pub fn value(&self, z: f64, centre: f64, range: Option<(f64, f64)>) -> f64 {
        let Some(t) = &self.table else {
            return self.marginal.value(z, centre, range);
        };
        let z = z.clamp(-Z_CLIP, Z_CLIP);
        match self.marginal {
            m @ Marginal::Beta { .. } => m.place(t.eval(z), centre, range),
            m @ Marginal::Gamma { .. } if centre > 0.0 => m.place(t.eval(z), centre, range),
            Marginal::Gamma { .. } => 0.0,
            Marginal::Poisson => poisson::quantile_with_cdf(centre.max(0.0), t.eval(z), z),
            m => m.value(z, centre, range),
        }
    }
}

/// The normal score whose probability is `Φ(z)` moved into `[u_lo, u_hi]`:
/// drawing at it is drawing from the marginal truncated to the range. An
/// empty interval (the range lies outside the cell's support) leaves `z`.
pub fn truncate_z(z: f64, (u_lo, u_hi): (f64, f64)) -> f64 {
    if u_hi.partial_cmp(&u_lo) != Some(std::cmp::Ordering::Greater) || (u_lo <= 0.0 && u_hi >= 1.0)
    {
        return z;
    }
    let u = u_lo + normal::cdf(z) * (u_hi - u_lo);
    normal::quantile(u.clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON / 2.0))
}

/// The unit-scale Weibull quantile from the upper-tail probability `q`.
fn weibull_unit(k: f64, q: f64) -> f64 {
    libm::pow(-libm::log(q), 1.0 / k)
}

/// A standard Student-t draw (Bailey's polar method) from a stream.
pub fn student_t(s: &mut super::rng::Words, df: f64) -> f64 {
    loop {
        let u = 2.0 * s.uniform() - 1.0;
        let v = 2.0 * s.uniform() - 1.0;
        let w = u * u + v * v;
        if w < 1.0 && w > 0.0 {
            let c2 = u * u / w;
            let r2 = df * (libm::pow(w, -2.0 / df) - 1.0);
            return u.signum() * libm::sqrt(c2 * r2);
        }
    }
}

/// A Laplace(0, 1) draw by inversion.
pub fn laplace(u: f64) -> f64 {
    if u < 0.5 {
        libm::log(2.0 * u)
    } else {
        -libm::log(2.0 * (1.0 - u))
    }
}

/// Round half to even (for integer families).
///
/// Adding and subtracting 2^52 rounds a magnitude below 2^52 to an integer
/// in the default rounding mode, which is to nearest with ties to even;
/// larger magnitudes are integers already. No call to `round`/`trunc`
/// (baseline x86-64 has no instruction for them); the sign, zero included,
/// is kept.
pub fn round_half_even(x: f64) -> f64 {
    const TWO_52: f64 = 4_503_599_627_370_496.0;
    let a = x.abs();
    if a.is_nan() || a >= TWO_52 {
        return x;
    }
    ((a + TWO_52) - TWO_52).copysign(x)
}
