//! The `metrics[]` block.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use typed_builder::TypedBuilder;

use super::default_one;
use crate::words::word_enum;

word_enum! {
    /// What a metric measures; decides its default distribution and range rules.
    pub enum MetricType ("metric type") {
        /// A score in [0, 1] (beta by default).
        Score = "score",
        /// A non-negative amount in a declared `range` (lognormal or beta).
        Amount = "amount",
        /// A non-negative integer count (poisson); no `range`.
        Count = "count",
        /// An index in a declared `range` (normal).
        Index = "index",
    }
}

word_enum! {
    /// Whether a higher trajectory position means a higher (`positive`) or a lower
    /// (`negative`) value.
    pub enum Polarity ("polarity") {
        /// Value rises with the trajectory position.
        Positive = "positive",
        /// Value falls as the trajectory position rises.
        Negative = "negative",
    }
}

word_enum! {
    /// An explicit distribution family.
    pub enum Family ("distribution") {
        /// Lognormal; params `{s}`.
        Lognorm = "lognorm",
        /// Gamma; params `{shape}`.
        Gamma = "gamma",
        /// Poisson; no params.
        Poisson = "poisson",
        /// Beta; params `{alpha, beta}` and optional `scale`.
        Beta = "beta",
        /// Normal; params `{sigma}`.
        Normal = "normal",
        /// Weibull; params `{shape}`.
        Weibull = "weibull",
    }
}

impl Family {
    /// The parameter keys the family requires.
    pub fn required_params(self) -> &'static [&'static str] {
        match self {
            Family::Lognorm => &["s"],
            Family::Gamma | Family::Weibull => &["shape"],
            Family::Poisson => &[],
            Family::Beta => &["alpha", "beta"],
            Family::Normal => &["sigma"],
        }
    }

    /// The parameter keys the family accepts but does not require: the
    /// location parameters of the centre (see the crate docs of `plotsim`,
    /// "Distribution families"). A metric with a range ignores them for the
    /// range-aware families (beta, weibull, poisson).
    pub fn optional_params(self) -> &'static [&'static str] {
        match self {
            Family::Lognorm => &["loc", "scale"],
            Family::Gamma | Family::Beta | Family::Weibull => &["scale"],
            Family::Poisson => &["lambda", "dispersion"],
            Family::Normal => &["mu"],
        }
    }
}

word_enum! {
    /// Weighting of the decay window of a causal lag.
    #[derive(Default)]
    pub enum DecayKernel ("decay kernel") {
        /// Weights halve every period back.
        #[default]
        Geometric = "geometric",
        /// Weights fall linearly to the end of the window.
        Linear = "linear",
    }
}

/// One metric: every entity gets one value per period.
///
/// # Example
/// ```
/// use plotsim_config::{Metric, MetricType, Polarity};
/// let mrr = Metric::builder()
///     .name("mrr")
///     .r#type(MetricType::Amount)
///     .polarity(Polarity::Positive)
///     .range([50.0, 50_000.0])
///     .build();
/// assert_eq!(mrr.seasonal_sensitivity, 1.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TypedBuilder)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Metric {
    /// Name: letters, digits and underscores; unique.
    #[builder(setter(into))]
    pub name: String,
    /// `score`, `amount`, `count` or `index`.
    pub r#type: MetricType,
    /// `positive` or `negative`.
    pub polarity: Polarity,
    /// Human label (default: the name with `_` as spaces, title-cased).
    #[builder(default, setter(into, strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// `[min, max]`: required for amount and index, forbidden for count.
    #[builder(default, setter(into, strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<[f64; 2]>,
    /// The metric this one follows with a delay (requires `delay`).
    #[builder(default, setter(into, strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follows: Option<String>,
    /// Periods of delay behind `follows` (at least 1).
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay: Option<u32>,
    /// Spread the lag over this many past periods (requires `follows`).
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decay_window: Option<u32>,
    /// Weighting of the decay window.
    #[builder(default)]
    #[serde(default)]
    pub decay_kernel: DecayKernel,
    /// Multiplier on the global seasonality (0 = immune, negative = inverted).
    #[builder(default = 1.0)]
    #[serde(default = "default_one")]
    pub seasonal_sensitivity: f64,
    /// Explicit distribution family (overrides the type's choice).
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution: Option<Family>,
    /// Parameters of the explicit family (e.g. `{shape: 1.5}` for weibull).
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution_params: Option<IndexMap<String, f64>>,
}

impl Metric {
    /// The label, or the default derived from the name (`support_tickets` -> `Support Tickets`).
    pub fn display_label(&self) -> String {
        match &self.label {
            Some(l) => l.clone(),
            None => title_case(&self.name),
        }
    }
}

/// `support_tickets` -> `Support Tickets`.
pub(crate) fn title_case(name: &str) -> String {
    name.split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
