//! Support items for the code `#[derive(Generator)]` expands to. Not public
//! API: names here may change in any release. (The field traits, which
//! compile errors name, are public: [`crate::fields`].)

pub use crate::generator::Cell;
pub use plotsim_config::{
    Config, Connection, ConnectionPair, DecayKernel, Family, Granularity, Metric, MetricType,
    Noise, NoiseFamily, Period, Polarity, SeasonalEffect, Segment, Window,
};

/// What the derive knows about one metric field.
#[derive(Debug, Clone, Copy)]
pub struct MetricField {
    /// The metric's name (the field's name).
    pub name: &'static str,
    /// The declared metric type.
    pub kind: MetricType,
}

/// A config block (arrival, treatment, baseline, attributes, lifecycle,
/// variation, realism, correlation target) from the JSON its serde impl
/// wrote when the derive checked it at compile time.
///
/// # Panics
/// Only if the JSON no longer reads, which would mean the derive and this
/// crate disagree on the model (both are the same release).
pub fn from_json<T: serde::de::DeserializeOwned>(json: &str) -> T {
    match serde_json::from_str(json) {
        Ok(v) => v,
        Err(e) => {
            panic!("plotsim derive: a block checked at compile time does not read ({e}): {json}")
        }
    }
}

/// A distribution-parameter map from `(name, value)` pairs.
pub fn params(pairs: &[(&str, f64)]) -> indexmap::IndexMap<String, f64> {
    pairs.iter().map(|&(k, v)| (k.to_owned(), v)).collect()
}
