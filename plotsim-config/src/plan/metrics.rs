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
    /// Family parameters (explicit, or the type's defaults).
    pub params: IndexMap<String, f64>,
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
