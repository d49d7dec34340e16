//! The attribute vocabulary, as data: every key the derive accepts.

use std::fmt;

/// An attribute or key name.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Symbol(pub(crate) &'static str);

impl fmt::Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl PartialEq<Symbol> for syn::Ident {
    fn eq(&self, word: &Symbol) -> bool {
        let s = self.to_string();
        s.strip_prefix("r#").unwrap_or(&s) == word.0
    }
}

// Struct attributes.
pub(crate) const PLOTSIM: Symbol = Symbol("plotsim");
pub(crate) const SEGMENT: Symbol = Symbol("segment");
pub(crate) const SEGMENTS: Symbol = Symbol("segments");
pub(crate) const CONNECTIONS: Symbol = Symbol("connections");
pub(crate) const CONNECTION: Symbol = Symbol("connection");
pub(crate) const SEASONALITY: Symbol = Symbol("seasonality");
// Field attributes.
pub(crate) const ENTITY: Symbol = Symbol("entity");
pub(crate) const PERIOD: Symbol = Symbol("period");
pub(crate) const SEGMENT_NAME: Symbol = Symbol("segment_name");
pub(crate) const METRIC: Symbol = Symbol("metric");

// `#[plotsim(...)]` keys.
pub(crate) const ABOUT: Symbol = Symbol("about");
pub(crate) const UNIT: Symbol = Symbol("unit");
pub(crate) const WINDOW: Symbol = Symbol("window");
pub(crate) const SEED: Symbol = Symbol("seed");
pub(crate) const NOISE: Symbol = Symbol("noise");
pub(crate) const CRATE: Symbol = Symbol("crate");
pub(crate) const LIFECYCLE: Symbol = Symbol("lifecycle");
pub(crate) const VARIATION: Symbol = Symbol("variation");
pub(crate) const REALISM: Symbol = Symbol("realism");
pub(crate) const CORRELATION_TARGET: Symbol = Symbol("correlation_target");
// `window(...)` keys.
pub(crate) const START: Symbol = Symbol("start");
pub(crate) const END: Symbol = Symbol("end");
pub(crate) const EVERY: Symbol = Symbol("every");
// `noise(...)` keys.
pub(crate) const GAUSSIAN_SIGMA: Symbol = Symbol("gaussian_sigma");
pub(crate) const OUTLIER_RATE: Symbol = Symbol("outlier_rate");
pub(crate) const MCAR_RATE: Symbol = Symbol("mcar_rate");
pub(crate) const SCALE_WITH_TRAJECTORY: Symbol = Symbol("scale_with_trajectory");
pub(crate) const NOISE_FAMILY: Symbol = Symbol("noise_family");
pub(crate) const DEGREES_OF_FREEDOM: Symbol = Symbol("degrees_of_freedom");
// `#[segment(...)]` keys.
pub(crate) const NAME: Symbol = Symbol("name");
pub(crate) const COUNT: Symbol = Symbol("count");
pub(crate) const ARCHETYPE: Symbol = Symbol("archetype");
pub(crate) const LABEL: Symbol = Symbol("label");
pub(crate) const SEASONAL_SENSITIVITY: Symbol = Symbol("seasonal_sensitivity");
pub(crate) const BASELINE: Symbol = Symbol("baseline");
pub(crate) const ARRIVAL: Symbol = Symbol("arrival");
pub(crate) const TREATMENT: Symbol = Symbol("treatment");
pub(crate) const ATTRIBUTES: Symbol = Symbol("attributes");
// `#[connection(...)]` keys.
pub(crate) const METRIC_A: Symbol = Symbol("metric_a");
pub(crate) const METRIC_B: Symbol = Symbol("metric_b");
pub(crate) const RELATIONSHIP: Symbol = Symbol("relationship");
pub(crate) const COEFFICIENT: Symbol = Symbol("coefficient");
// `#[seasonality(...)]` keys.
pub(crate) const MONTHS: Symbol = Symbol("months");
pub(crate) const STRENGTH: Symbol = Symbol("strength");
// `#[metric(...)]` keys.
pub(crate) const TYPE: Symbol = Symbol("type");
pub(crate) const POLARITY: Symbol = Symbol("polarity");
pub(crate) const RANGE: Symbol = Symbol("range");
pub(crate) const FOLLOWS: Symbol = Symbol("follows");
pub(crate) const DELAY: Symbol = Symbol("delay");
pub(crate) const DECAY_WINDOW: Symbol = Symbol("decay_window");
pub(crate) const DECAY_KERNEL: Symbol = Symbol("decay_kernel");
pub(crate) const DISTRIBUTION: Symbol = Symbol("distribution");
pub(crate) const PARAMS: Symbol = Symbol("params");
