//! Resolved multi-source copies of the unit dimension.

use crate::model::KeyScheme;

/// The `sources` block (2 to 5 sources).
#[derive(Debug, Clone, PartialEq)]
pub struct SourcesPlan {
    /// Index into [`Plan::tables`](super::Plan::tables) of the copied
    /// dimension: the first per-unit dimension.
    pub unit_dim: usize,
    /// The sources in declaration order.
    pub sources: Vec<SourcePlan>,
}

/// One source copy of the unit dimension.
#[derive(Debug, Clone, PartialEq)]
pub struct SourcePlan {
    /// Source name (unique, SQL-safe).
    pub name: String,
    /// Name of the copy, `<unit dimension>_<source>` (no table has it).
    pub table: String,
    /// How the copy's keys are written.
    pub key_scheme: KeyScheme,
    /// Share of names that drift, in [0, 1].
    pub name_drift_rate: f64,
    /// Share of attributes that drift, in [0, 1].
    pub attribute_drift_rate: f64,
}
