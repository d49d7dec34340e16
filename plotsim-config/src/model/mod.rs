//! The configuration model: plain serde + typed-builder structs that mirror the
//! YAML builder dialect one to one.
//!
//! Every struct rejects unknown keys, every shorthand of the YAML is accepted
//! (and the builder accepts the same shorthands through `Into`), and no
//! semantic rule is checked here: that is [`crate::Config::validate`]'s job.
//! DSL strings (archetypes, connection shorthands, column types) stay strings.

mod blocks;
mod connection;
mod metric;
mod schema;
mod segment;
mod settings;
mod window;

pub use blocks::{
    Bridge, BridgeColumn, EntityFeatures, Holdout, KeyScheme, Lifecycle, QualityIssue,
    QualityIssueKind, SeasonalEffect, Source, Stage, Variation, VolumeMode,
};
pub use connection::{Connection, ConnectionPair, ConnectionPhase, CorrelationTarget};
pub(crate) use metric::title_case;
pub use metric::{DecayKernel, Family, Metric, MetricType, Polarity};
pub use schema::{Column, DimPer, Dimension, Event, Fact, Lexicons, Number, Trigger};
pub use segment::{
    Arrival, ArrivalKind, AttributeValues, BaselineLevel, LinearDirection, Segment, StepBlock,
    Treatment,
};
pub use settings::{
    JoinMode, Locale, ManifestOptions, Noise, NoiseFamily, NoisePreset, Output, OutputFormat,
    RangeHandling, Realism, SqlDialect,
};
#[cfg(feature = "yaml")]
pub(crate) use settings::{deserialize_noise, deserialize_output};
pub use window::{Granularity, Window};

use serde::{Deserialize, Serialize};
use typed_builder::TypedBuilder;

use crate::source::SourceMap;

/// A plotsim configuration in the builder dialect.
///
/// Build it from YAML ([`Config::from_yaml_str`], [`Config::from_path`]) or in
/// code with [`Config::builder`]; both produce the same value. Field names are
/// the YAML keys.
///
/// # Example
/// ```
/// use plotsim_config::{Config, Metric, MetricType, Polarity, Segment};
///
/// let config = Config::builder()
///     .about("Tiny SaaS panel")
///     .unit("company")
///     .window(("2023-01", "2024-12"))
///     .metrics(vec![
///         Metric::builder().name("engagement").r#type(MetricType::Score).polarity(Polarity::Positive).build(),
///     ])
///     .segments(vec![
///         Segment::builder().name("growers").count(10).archetype("growth").build(),
///     ])
///     .seed(7)
///     .build();
/// let plan = config.validate().expect("valid");
/// assert_eq!(plan.window.n_periods, 24);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TypedBuilder)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// What the dataset is about (free text, non-empty).
    #[builder(setter(into))]
    pub about: String,
    /// The entity unit, e.g. `company`; used in table and column names.
    #[builder(setter(into))]
    pub unit: String,
    /// The time window: `{start, end, every}`, `[start, end]` or `[start, end, every]`.
    #[builder(setter(into))]
    pub window: Window,
    /// The metrics every entity carries in every period.
    pub metrics: Vec<Metric>,
    /// Groups of entities sharing an archetype.
    pub segments: Vec<Segment>,
    /// Correlations between metrics (`"a driven_by b"`, `[a, 0.3, b]` or a map).
    #[builder(default)]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub connections: Vec<Connection>,
    /// What declared coefficients target: `pooled` (default) or
    /// `within_entity`; a map-form connection may override it with `target`.
    #[builder(default)]
    #[serde(default, skip_serializing_if = "is_pooled")]
    pub correlation_target: CorrelationTarget,
    /// Time-varying correlation phases.
    #[builder(default)]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub connection_phases: Vec<ConnectionPhase>,
    /// Lifecycle stages tracked on one metric (YAML alias: `stages`).
    #[builder(default, setter(strip_option))]
    #[serde(default, alias = "stages", skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<Lifecycle>,
    /// Declared dimension tables (all three schema lists empty = the auto schema).
    #[builder(default)]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dimensions: Vec<Dimension>,
    /// Declared fact tables.
    #[builder(default)]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub facts: Vec<Fact>,
    /// Declared event tables.
    #[builder(default)]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Event>,
    /// Seasonal effects by calendar month.
    #[builder(default)]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seasonality: Vec<SeasonalEffect>,
    /// Bridge (many-to-many) tables.
    #[builder(default)]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bridges: Vec<Bridge>,
    /// Data-quality issues injected into the written copy.
    #[builder(default)]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quality: Vec<QualityIssue>,
    /// Per-entity variation of the trajectories (the difficulty knob).
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variation: Option<Variation>,
    /// Temporal holdout split for forecasting.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holdout: Option<Holdout>,
    /// The `_entity_features` table (YAML `true` means all defaults).
    #[builder(default, setter(strip_option))]
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "blocks::deserialize_entity_features"
    )]
    #[cfg_attr(
        feature = "schema",
        schemars(schema_with = "blocks::entity_features_schema")
    )]
    pub entity_features: Option<EntityFeatures>,
    /// Multi-source copies of the unit dimension (0 or 2-5 entries).
    #[builder(default)]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
    /// Noise: a preset name or a map.
    #[builder(default, setter(into))]
    #[serde(default, deserialize_with = "settings::deserialize_noise")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "settings::noise_schema"))]
    pub noise: Noise,
    /// Output: a format name or a map.
    #[builder(default, setter(into))]
    #[serde(default, deserialize_with = "settings::deserialize_output")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "settings::output_schema"))]
    pub output: Output,
    /// Fake-data locale(s): one name or a list.
    #[builder(default, setter(into))]
    #[serde(default)]
    pub locale: Locale,
    /// The seed; omitted means one is drawn and recorded in the output.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// What the manifest includes.
    #[builder(default)]
    #[serde(default, skip_serializing_if = "ManifestOptions::is_default")]
    pub manifest: ManifestOptions,
    /// Realism settings (range truncation, continuous archetype joins); all
    /// default to the original's behaviour.
    #[builder(default)]
    #[serde(default, skip_serializing_if = "Realism::is_default")]
    pub realism: Realism,
    /// Where each field came from in the YAML source (not part of the value).
    #[builder(default, setter(skip))]
    #[serde(skip)]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub(crate) source_map: SourceMap,
}

fn is_pooled(t: &CorrelationTarget) -> bool {
    *t == CorrelationTarget::Pooled
}

pub(crate) fn default_true() -> bool {
    true
}

pub(crate) fn default_one() -> f64 {
    1.0
}
