//! The validated, resolved form of a [`Config`]: what the engine reads.
//!
//! A `Plan` has no "not checked yet" states: names are resolved to indices,
//! the window to a period count, DSL strings to their parsed form, metric
//! types to distribution families, and the schema to concrete tables.
//!
//! The module mirrors `model/` and `validate/`: one file per part, each
//! produced by the validator of the same name.

mod correlations;
mod metrics;
mod segments;
mod tables;
mod window;

pub use correlations::{CorrelationPair, PhasePlan};
pub use metrics::{LagPlan, MetricPlan};
pub use segments::SegmentPlan;
pub use tables::{ColumnPlan, Grain, TableKind, TablePlan};
pub use window::{BoundError, ResolvedWindow, WindowError};

use crate::model::Config;

/// A validated config, ready for generation.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The config this plan was validated from.
    pub config: Config,
    /// The resolved window.
    pub window: ResolvedWindow,
    /// Metrics in declaration order.
    pub metrics: Vec<MetricPlan>,
    /// Metric indices in dependency order (every driver before its followers).
    pub lag_order: Vec<usize>,
    /// Segments in declaration order.
    pub segments: Vec<SegmentPlan>,
    /// Baseline correlation pairs with non-zero coefficients.
    pub correlations: Vec<CorrelationPair>,
    /// Correlation phases.
    pub phases: Vec<PhasePlan>,
    /// The tables that will be written.
    pub tables: Vec<TablePlan>,
    /// Whether the tables are the auto schema (no schema declared).
    pub auto_schema: bool,
    /// Non-fatal findings (the config is valid but probably not what was meant).
    pub warnings: Vec<String>,
}

impl Plan {
    /// Total number of entities.
    pub fn n_entities(&self) -> u64 {
        self.segments.iter().map(|s| u64::from(s.count)).sum()
    }

    /// Entity-period cells: entities x periods (the cell-budget measure).
    pub fn cells(&self) -> u64 {
        self.n_entities() * u64::from(self.window.n_periods)
    }

    /// Index of a metric by name.
    pub fn metric_index(&self, name: &str) -> Option<usize> {
        self.metrics.iter().position(|m| m.name == name)
    }

    /// A table by name.
    pub fn table(&self, name: &str) -> Option<&TablePlan> {
        self.tables.iter().find(|t| t.name == name)
    }
}
