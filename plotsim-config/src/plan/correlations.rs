//! Resolved correlations: baseline pairs and phases.

/// A correlation between two metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct CorrelationPair {
    /// First metric index (as declared).
    pub a: usize,
    /// Second metric index (as declared).
    pub b: usize,
    /// Requested coefficient.
    pub coefficient: f64,
    /// What the coefficient targets.
    pub target: crate::model::CorrelationTarget,
}

/// A resolved correlation phase.
#[derive(Debug, Clone, PartialEq)]
pub struct PhasePlan {
    /// First period.
    pub start_period: u32,
    /// Last period (inclusive).
    pub end_period: u32,
    /// Pairs in force during the phase (empty = the baseline's).
    pub pairs: Vec<CorrelationPair>,
}
