//! The manifest's sections as types: what `manifest.json` holds, built from
//! the resolved plan, the run's set-up and the merged answer key. One type
//! per section, so the written file, [`crate::Dataset::manifest`] and the
//! JSON Schema (`plotsim schema --manifest`, feature `schema`) cannot
//! disagree. Keys serialise sorted (serde_json's map order), 2-space indent.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `manifest.json`: the answer key of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Changes whenever the same config and seed would give different data.
    pub algorithm_version: u32,
    /// One per entity, in entity order.
    pub archetype_assignments: Vec<ArchetypeAssignment>,
    /// Every lag edge, sorted by (driver, target).
    pub causal_graph: Vec<CausalEdge>,
    /// SHA-256 of the config as run (JSON, keys sorted).
    pub config_sha256: String,
    /// Declared pairs the nearest-correlation projection moved (`null`: none).
    pub correlation_adjustments: Option<Vec<CorrelationAdjustment>>,
    /// The copula calibration's summary.
    pub correlation_calibration: CalibrationSummary,
    /// Per declared pair: the copula target calibration chose (`null`: no pairs).
    pub correlation_compensations: Option<Vec<CorrelationCompensation>>,
    /// Time-varying correlation phases.
    pub correlation_phases: Vec<CorrelationPhase>,
    /// Per declared pair and phase: requested, projected, calibrated, realised.
    pub correlations: Vec<CorrelationRecord>,
    /// Every pair of metrics (declared or not) per slot: the latent (copula)
    /// correlation used and the realised pooled, within-entity and
    /// first-difference correlations. Undeclared pairs have latent 0.
    pub latent_correlations: Vec<LatentPairRecord>,
    /// The load-time nearest-correlation projection of each slot's requested
    /// matrix (slots with declared pairs only).
    pub higham_projection: Vec<HighamProjection>,
    /// Cells drawn without the copula because a slot's matrix could not be
    /// factorised, by slot (`baseline`, `phase_<i>`); `{}` when none.
    pub bypass_fallback_counts: BTreeMap<String, u64>,
    /// Every firing of every event table, in entity order.
    pub event_firings: Vec<crate::tables::EventFiring>,
    /// Every SCD tier change (one per version after an entity's first), in
    /// entity order.
    pub scd_events: Vec<crate::tables::ScdEvent>,
    /// Every change quality injection made to the written files (see
    /// [`crate::tables::QualityEffect`] for how to undo each).
    pub quality_injections: Vec<crate::tables::QualityInjection>,
    /// Every entity's associations of every bridge (per block: by bridge,
    /// then entity).
    pub bridge_associations: Vec<crate::tables::BridgeAssociation>,
    /// The temporal holdout (`null`: none).
    pub holdout: Option<HoldoutRecord>,
    /// The noise settings as run.
    pub noise_config: NoiseRecord,
    /// The manifest layout version.
    pub schema_version: String,
    /// Seasonal factors and sensitivities (`{}` without seasonality).
    pub seasonal_decomposition: SeasonalDecomposition,
    /// The run's seed.
    pub seed: u64,
    /// Trajectory positions of the sampled entities, every period.
    pub trajectory_samples: Vec<TrajectoryPoint>,
    /// One per treated segment.
    pub treatment_cohorts: Vec<TreatmentCohort>,
    /// Per metric: what the engine did to values (nulls, outliers, clamps).
    pub value_adjustments: Vec<ValueAdjustment>,
}

/// An entity's archetype and active window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ArchetypeAssignment {
    // Fields in the manifest's (sorted) key order: the run renders entries
    // straight from the struct (tested against the sorted rendering).
    /// First active period and the window's end (exclusive).
    pub active_window: ActiveWindow,
    /// The archetype label (the segment's name).
    pub archetype: String,
    /// Manifest name, `<segment>_<NNNN>` (index from 0).
    pub entity: String,
    /// The entity's key in the tables.
    pub entity_id: String,
    /// The treatment arm, when the segment has a treatment.
    pub treatment: Option<TreatmentArm>,
    /// What the entity drew from the `variation` block (absent without one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variation: Option<crate::engine::panel::EntityVariation>,
}

/// Periods `[start, end)` in which an entity has rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ActiveWindow {
    /// Number of periods of the window (exclusive end).
    pub end: u32,
    /// First active period (arrival).
    pub start: u32,
}

/// An entity's treatment arm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TreatmentArm {
    /// The treatment or control label.
    pub group: String,
    /// The lift, for treated entities.
    pub lift_log_odds: Option<f64>,
    /// First treated period.
    pub start_period: u32,
    /// The lifted metric (`null`: every metric).
    pub target_metric: Option<String>,
}

/// A sampled entity's raw trajectory position in one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TrajectoryPoint {
    /// Manifest name.
    pub entity: String,
    /// The entity's key.
    pub entity_id: String,
    /// Period index.
    pub period_index: usize,
    /// Position in [0, 1] (`null` before arrival).
    pub position: Option<f64>,
}

/// A lag edge of the causal graph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CausalEdge {
    /// The driver metric.
    pub driver: String,
    /// The following metric.
    pub target: String,
    /// Periods of delay.
    pub lag_periods: u32,
    /// Weight of the driver's position (always 1).
    pub blend_weight: f64,
    /// Periods averaged (`null`: the single delayed period).
    pub decay_window: Option<u32>,
    /// `geometric` or `linear` with a decay window.
    pub decay_kernel: Option<String>,
}

/// A declared pair moved by the nearest-correlation projection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CorrelationAdjustment {
    /// First metric.
    pub metric_a: String,
    /// Second metric.
    pub metric_b: String,
    /// Phase (`null`: the baseline).
    pub phase_index: Option<usize>,
    /// Declared coefficient.
    pub requested: f64,
    /// After projection.
    pub achieved: f64,
    /// `achieved - requested`.
    pub delta: f64,
}

/// The calibration's summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CalibrationSummary {
    /// Rounds run.
    pub rounds: usize,
    /// Pilot entities per round.
    pub pilot_entities: u64,
    /// Whether every projection converged (false: eigenvalue clipping used).
    pub projection_converged: bool,
}

/// What calibration chose for a declared pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CorrelationCompensation {
    /// First metric.
    pub metric_a: String,
    /// Second metric.
    pub metric_b: String,
    /// Phase (`null`: the baseline).
    pub phase_index: Option<usize>,
    /// Declared coefficient.
    pub user_target: f64,
    /// The copula (latent) coefficient used.
    pub copula_target: f64,
    /// What the coefficient targets: `pooled` or `within_entity`.
    pub target: String,
    /// The correlation of that kind the pilot realised with it.
    pub pilot_realized: f64,
    /// Whether the declared value is out of reach.
    pub infeasible: bool,
    /// |copula target − projected|.
    pub adjustment: f64,
    /// For an infeasible pair: the lowest and highest pilot correlations
    /// seen with latent values of the declared sign (from no copula help
    /// to the best reachable); `null` when the pair is feasible.
    pub reachable: Option<[f64; 2]>,
}

/// One pair of metrics in one correlation slot, declared or not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct LatentPairRecord {
    /// First metric (declaration order).
    pub metric_a: String,
    /// Second metric.
    pub metric_b: String,
    /// Phase (`null`: the baseline).
    pub phase_index: Option<usize>,
    /// The declared coefficient (`null`: undeclared).
    pub declared: Option<f64>,
    /// The latent (Gaussian copula) correlation used.
    pub latent: f64,
    /// Pooled entity-period Pearson correlation of the generated values.
    pub realized_pooled: Option<f64>,
    /// Correlation of the values demeaned per entity.
    pub realized_within_entity: Option<f64>,
    /// Correlation of the period-to-period changes within entities.
    pub realized_first_difference: Option<f64>,
    /// Entity-periods where both values are present.
    pub n_cells: u64,
    /// Consecutive period pairs where both values are present in both.
    pub n_differences: u64,
}

/// The nearest-correlation projection of one slot's requested matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct HighamProjection {
    /// Phase (`null`: the baseline).
    pub phase_index: Option<usize>,
    /// Whether the requested matrix had to change (its per-pair changes are
    /// in `correlation_adjustments`).
    pub adjusted: bool,
    /// Whether the alternating projections converged.
    pub converged: bool,
    /// Frobenius distance between the requested and the projected matrix.
    pub frobenius_distance: f64,
}

/// A time-varying correlation phase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CorrelationPhase {
    /// Index among the phases.
    pub phase_index: usize,
    /// First period.
    pub start: u32,
    /// Last period.
    pub end: u32,
    /// Pairs declared in the phase.
    pub n_pairs: usize,
}

/// A declared pair: requested, projected, calibrated and realised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CorrelationRecord {
    /// First metric.
    pub metric_a: String,
    /// Second metric.
    pub metric_b: String,
    /// Phase (`null`: the baseline).
    pub phase_index: Option<usize>,
    /// Declared coefficient.
    pub requested: f64,
    /// After projection.
    pub projected: f64,
    /// The copula coefficient used.
    pub calibrated: f64,
    /// Pooled Pearson correlation over the generated cells (`null`: undefined).
    pub realized: Option<f64>,
    /// Cells where both values are present.
    pub n_cells: u64,
    /// Whether the declared value is out of reach.
    pub infeasible: bool,
}

/// The temporal holdout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct HoldoutRecord {
    /// The target metric.
    pub target_metric: String,
    /// Held-out periods.
    pub holdout_periods: u32,
    /// First held-out period index (training is `index < cutoff`).
    pub cutoff_period_index: u32,
    /// Minimum training periods.
    pub min_training_periods: u32,
}

/// The noise settings as run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NoiseRecord {
    /// Jitter scale.
    pub gaussian_sigma: f64,
    /// Outlier probability per cell.
    pub outlier_rate: f64,
    /// MCAR null probability per cell.
    pub mcar_rate: f64,
    /// Whether jitter scales with the trajectory position.
    pub scale_with_trajectory: bool,
    /// `gaussian`, `student_t` or `laplace`.
    pub noise_family: String,
    /// Student-t degrees of freedom.
    pub degrees_of_freedom: Option<f64>,
}

/// Seasonal factors and sensitivities; every field absent without seasonality.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SeasonalDecomposition {
    /// Calendar factor per period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seasonal_factors: Option<Vec<f64>>,
    /// Per metric.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_seasonal_sensitivities: Option<BTreeMap<String, f64>>,
    /// Per segment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment_seasonal_sensitivities: Option<BTreeMap<String, f64>>,
}

/// A treated segment's arms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TreatmentCohort {
    /// The segment.
    pub segment: String,
    /// Label of the treated arm.
    pub treatment_label: String,
    /// Label of the control arm.
    pub control_label: String,
    /// Treated entities.
    pub n_treated: usize,
    /// Control entities.
    pub n_control: usize,
    /// Lift in log-odds.
    pub lift_log_odds: f64,
    /// First treated period.
    pub start_period: u32,
    /// The lifted metric (`null`: every metric).
    pub target_metric: Option<String>,
}

/// What the engine did to a metric's values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ValueAdjustment {
    /// The metric.
    pub metric: String,
    /// Cells generated.
    pub cells: u64,
    /// Cells nulled (MCAR).
    pub nulls: u64,
    /// Cells replaced by outliers.
    pub outliers: u64,
    /// Cells raised to the range minimum.
    pub clamped_low: u64,
    /// Cells lowered to the range maximum.
    pub clamped_high: u64,
}

/// The JSON Schema of `manifest.json`.
#[cfg(feature = "schema")]
pub fn manifest_json_schema() -> schemars::Schema {
    schemars::schema_for!(Manifest)
}
