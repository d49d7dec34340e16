//! Resolved machine-learning blocks: the temporal holdout and the entity
//! features table.

/// The `holdout` block: a temporal train/holdout split.
#[derive(Debug, Clone, PartialEq)]
pub struct HoldoutPlan {
    /// Index into [`Plan::metrics`](super::Plan::metrics) of the target metric
    /// (it has a column on some fact).
    pub target: usize,
    /// Number of held-out periods (the last ones of the window).
    pub periods: u32,
    /// Minimum training periods (at least 1; `cutoff >= min_training_periods`).
    pub min_training_periods: u32,
    /// First held-out period index, `n_periods - periods`, the same for every
    /// entity: training is `index < cutoff`, holdout `index >= cutoff`.
    pub cutoff: u32,
    /// Indices into [`Plan::tables`](super::Plan::tables) of the tables that
    /// are split: per-entity-per-period facts with a `ref.dim_date` column,
    /// in table order.
    pub tables: Vec<usize>,
}

/// The `entity_features` block: one row of aggregates per entity.
#[derive(Debug, Clone, PartialEq)]
pub struct FeaturesPlan {
    /// Indices into [`Plan::metrics`](super::Plan::metrics) of the aggregated
    /// metrics, in declaration order: the listed ones (or, for an empty list,
    /// every metric with a column on some fact), without the holdout target.
    pub metrics: Vec<usize>,
    /// Whether `archetype` and `final_trajectory_position` columns are added.
    pub include_labels: bool,
    /// Index into [`Plan::tables`](super::Plan::tables) of the anchor: the
    /// first per-unit dimension (`None` when the schema has none).
    pub anchor: Option<usize>,
}
