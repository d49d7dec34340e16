//! The validated, resolved form of a [`Config`]: what the engine reads.
//!
//! A `Plan` has no "not checked yet" states: names are resolved to indices,
//! the window to a period count, DSL strings to their parsed form, metric
//! types to distribution families, and the schema to concrete tables.
//!
//! The module mirrors `model/` and `validate/`: one file per part, each
//! produced by the validator of the same name.
//!
//! Ids are indices: a metric id indexes [`Plan::metrics`], a segment id
//! [`Plan::segments`], a table id [`Plan::tables`] and a column id that
//! table's `columns`. Indices follow declaration order, so a plan's ids are
//! stable for one config; streams of random draws are keyed by names, not by
//! these indices.

mod correlations;
mod metrics;
mod ml;
mod quality;
mod segments;
mod settings;
mod sources;
mod tables;
mod window;

pub use correlations::{CorrelationPair, PhasePlan};
pub use metrics::{FamilyParams, LagPlan, MetricPlan};
pub use ml::{FeaturesPlan, HoldoutPlan};
pub use quality::{QualityPlan, VolumePlan};
pub use segments::{ArrivalPlan, SegmentPlan, TreatmentPlan};
pub use settings::{
    LifecyclePlan, ManifestPlan, NoiseDistribution, NoisePlan, OutputPlan, SeasonalEffectPlan,
    SeasonalityPlan, Settings, StagePlan,
};
pub use sources::{SourcePlan, SourcesPlan};
pub use tables::{
    BridgePlan, ColumnPlan, Grain, LogPlan, NarrativePlan, NestedPlan, NestedScalar, RangePlan,
    ScdPlan, TableKind, TablePlan, TemplatePiece, TriggerPlan,
};
pub use window::{BoundError, ResolvedWindow, WindowError};

use crate::model::Config;

/// A validated config, ready for generation.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The config this plan was validated from.
    ///
    /// Kept while the engine moves to the resolved fields; new code reads
    /// those, and [`Plan::source_config`] where the source itself is needed.
    pub config: Config,
    /// What the dataset is about (`about`, non-empty).
    pub about: String,
    /// The entity unit (`unit`, a SQL identifier), as used in table and
    /// column names.
    pub unit: String,
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
    /// Lifecycle stages tracked on one metric (`lifecycle`), when declared.
    pub lifecycle: Option<LifecyclePlan>,
    /// Seasonal effects and their summed strength per period (`seasonality`).
    pub seasonality: SeasonalityPlan,
    /// Data-quality issues in application order (`quality`).
    pub quality: Vec<QualityPlan>,
    /// Per-entity variation (`variation`), when declared.
    pub variation: Option<crate::model::Variation>,
    /// The temporal holdout split (`holdout`), when declared.
    pub holdout: Option<HoldoutPlan>,
    /// The entity features table (`entity_features`), when declared.
    pub features: Option<FeaturesPlan>,
    /// Multi-source copies of the unit dimension (`sources`), when declared.
    pub sources: Option<SourcesPlan>,
    /// Noise, output, manifest, locales and seed.
    pub settings: Settings,
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

    /// The config this plan was validated from, as written.
    ///
    /// Only for what must reproduce the source: the `config.yaml` written
    /// with a dataset and the config hash in the manifest. Everything else
    /// reads the resolved fields of the plan.
    ///
    /// # Example
    /// ```
    /// use plotsim_config::Config;
    /// let yaml = "about: x\nunit: company\nwindow: [2023-01, 2023-12]\n\
    ///             metrics:\n  - {name: engagement, type: score, polarity: positive}\n\
    ///             segments:\n  - {name: s, count: 3, archetype: growth}\n";
    /// let config = Config::from_yaml_str(yaml)?;
    /// let plan = config.validate()?;
    /// assert_eq!(plan.source_config(), &config);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn source_config(&self) -> &Config {
        &self.config
    }
}
