//! Resolved metrics: family, parameters, range and causal lag.

use indexmap::IndexMap;

use crate::model::{DecayKernel, Family, MetricType, Polarity};

/// A resolved metric.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricPlan {
    /// Name.
    pub name: String,
    /// Label (declared or derived from the name).
    pub label: String,
    /// Declared type.
    pub kind: MetricType,
    /// Polarity.
    pub polarity: Polarity,
    /// Value range, when bounded (`[0, 1]` for scores).
    pub range: Option<(f64, f64)>,
    /// Distribution family (explicit or chosen by type).
    pub family: Family,
    /// Family parameters (explicit, or the type's defaults), by name; see
    /// [`MetricPlan::family_params`] for the typed form.
    pub params: IndexMap<String, f64>,
    /// The family with every parameter as a number (`params` with the
    /// engine's defaults filled in).
    pub family_params: FamilyParams,
    /// Whether the family was given explicitly.
    pub explicit_family: bool,
    /// Causal lag behind another metric.
    pub lag: Option<LagPlan>,
    /// Multiplier on the global seasonality.
    pub seasonal_sensitivity: f64,
}

impl MetricPlan {
    /// Whether values are integers (counts, and the poisson family).
    pub fn is_integer(&self) -> bool {
        self.family == Family::Poisson || self.kind == MetricType::Count
    }
}

/// A resolved `follows`/`delay`.
#[derive(Debug, Clone, PartialEq)]
pub struct LagPlan {
    /// Index of the driver metric.
    pub driver: usize,
    /// Delay in periods.
    pub delay: u32,
    /// Decay window in periods, when set.
    pub decay_window: Option<u32>,
    /// Decay weighting.
    pub decay_kernel: DecayKernel,
}

/// A distribution family with its parameters as numbers, every one filled in.
///
/// The names and defaults are the engine's: a parameter the config does not
/// give (explicit families take only their required keys, see
/// [`Family::required_params`]) takes the value the engine would use.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FamilyParams {
    /// Lognormal; the cell centre is the median `loc + scale * position`.
    Lognorm {
        /// Log-scale standard deviation (`s`, default 0.85).
        s: f64,
        /// Location of the centre (`loc`, default 0).
        loc: f64,
        /// Scale of the centre (`scale`, default 1).
        scale: f64,
    },
    /// Gamma; the cell centre is the mean `shape * scale * position`.
    Gamma {
        /// Shape (`shape`, default 2).
        shape: f64,
        /// Scale of the centre (`scale`, default 1).
        scale: f64,
    },
    /// Poisson; the cell centre is the mean `lambda * position`. With
    /// `dispersion` d > 0 it is the negative binomial of the same mean and
    /// variance `mean + d * mean^2` (over-dispersed counts).
    Poisson {
        /// Mean at position 1 (`lambda`, default 1).
        lambda: f64,
        /// Over-dispersion (`dispersion`, default 0: Poisson).
        dispersion: f64,
    },
    /// Beta(alpha, beta) shifted so its mean sits at the centre, spread over
    /// the range (or `scale` without one).
    Beta {
        /// α (`alpha`, default 2).
        alpha: f64,
        /// β (`beta`, default 5).
        beta: f64,
        /// Spread without a range (`scale`, default 1).
        scale: f64,
    },
    /// Normal; the cell centre is the mean `mu * position`.
    Normal {
        /// Mean at position 1 (`mu`, default 0).
        mu: f64,
        /// Standard deviation (`sigma`, default 1).
        sigma: f64,
    },
    /// Weibull; range-aware centre with a range, else `scale * position`.
    Weibull {
        /// Shape (`shape`, default 1).
        shape: f64,
        /// Scale without a range (`scale`, default 1).
        scale: f64,
    },
}

impl FamilyParams {
    /// The parameters of `family` from a name map; missing names take the
    /// engine's defaults and names the family does not read are ignored.
    ///
    /// # Example
    /// ```
    /// use indexmap::IndexMap;
    /// use plotsim_config::Family;
    /// use plotsim_config::plan::FamilyParams;
    /// let params = IndexMap::from([("shape".to_owned(), 3.0)]);
    /// assert_eq!(
    ///     FamilyParams::new(Family::Gamma, &params),
    ///     FamilyParams::Gamma { shape: 3.0, scale: 1.0 }
    /// );
    /// ```
    pub fn new(family: Family, params: &IndexMap<String, f64>) -> Self {
        let get = |k: &str, d: f64| params.get(k).copied().unwrap_or(d);
        match family {
            Family::Lognorm => FamilyParams::Lognorm {
                s: get("s", 0.85),
                loc: get("loc", 0.0),
                scale: get("scale", 1.0),
            },
            Family::Gamma => FamilyParams::Gamma {
                shape: get("shape", 2.0),
                scale: get("scale", 1.0),
            },
            Family::Poisson => FamilyParams::Poisson {
                lambda: get("lambda", 1.0),
                dispersion: get("dispersion", 0.0),
            },
            Family::Beta => FamilyParams::Beta {
                alpha: get("alpha", 2.0),
                beta: get("beta", 5.0),
                scale: get("scale", 1.0),
            },
            Family::Normal => FamilyParams::Normal {
                mu: get("mu", 0.0),
                sigma: get("sigma", 1.0),
            },
            Family::Weibull => FamilyParams::Weibull {
                shape: get("shape", 1.0),
                scale: get("scale", 1.0),
            },
        }
    }

    /// The family.
    pub fn family(&self) -> Family {
        match self {
            FamilyParams::Lognorm { .. } => Family::Lognorm,
            FamilyParams::Gamma { .. } => Family::Gamma,
            FamilyParams::Poisson { .. } => Family::Poisson,
            FamilyParams::Beta { .. } => Family::Beta,
            FamilyParams::Normal { .. } => Family::Normal,
            FamilyParams::Weibull { .. } => Family::Weibull,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_params_take_the_engine_defaults() {
        let none = IndexMap::new();
        let all = [
            (
                Family::Lognorm,
                FamilyParams::Lognorm {
                    s: 0.85,
                    loc: 0.0,
                    scale: 1.0,
                },
            ),
            (
                Family::Gamma,
                FamilyParams::Gamma {
                    shape: 2.0,
                    scale: 1.0,
                },
            ),
            (
                Family::Poisson,
                FamilyParams::Poisson {
                    lambda: 1.0,
                    dispersion: 0.0,
                },
            ),
            (
                Family::Beta,
                FamilyParams::Beta {
                    alpha: 2.0,
                    beta: 5.0,
                    scale: 1.0,
                },
            ),
            (
                Family::Normal,
                FamilyParams::Normal {
                    mu: 0.0,
                    sigma: 1.0,
                },
            ),
            (
                Family::Weibull,
                FamilyParams::Weibull {
                    shape: 1.0,
                    scale: 1.0,
                },
            ),
        ];
        for (family, expected) in all {
            let p = FamilyParams::new(family, &none);
            assert_eq!(p, expected);
            assert_eq!(p.family(), family);
        }
    }

    #[test]
    fn given_params_are_read_by_name() {
        let params: IndexMap<String, f64> = [("alpha", 3.0), ("beta", 4.0), ("scale", 2.0)]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        assert_eq!(
            FamilyParams::new(Family::Beta, &params),
            FamilyParams::Beta {
                alpha: 3.0,
                beta: 4.0,
                scale: 2.0
            }
        );
    }
}
