//! Resolved run-wide settings: noise, seasonality, lifecycle, output,
//! manifest, locales and seed.

use chrono::Datelike;

use super::window::ResolvedWindow;
use crate::model::{Granularity, OutputFormat, SqlDialect};

/// The run settings that are not tied to one metric, segment or table.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Engine-level noise (part of the data everywhere).
    pub noise: NoisePlan,
    /// Output format and location.
    pub output: OutputPlan,
    /// What the manifest includes.
    pub manifest: ManifestPlan,
    /// Fake-data locales (at least one, each `language_COUNTRY`).
    pub locales: Vec<String>,
    /// The declared seed; `None` means the run draws one and records it.
    pub seed: Option<u64>,
    /// Realism settings.
    pub realism: crate::model::Realism,
}

/// The `noise` block, with the noise family's parameter attached to it.
#[derive(Debug, Clone, PartialEq)]
pub struct NoisePlan {
    /// Relative Gaussian jitter, in [0, 5].
    pub gaussian_sigma: f64,
    /// Share of cells replaced by outliers, in [0, 1].
    pub outlier_rate: f64,
    /// Share of cells missing completely at random, in [0, 1].
    pub mcar_rate: f64,
    /// Whether the jitter scales with the trajectory position.
    pub scale_with_trajectory: bool,
    /// The distribution of the jitter.
    pub family: NoiseDistribution,
}

/// The distribution of the noise jitter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NoiseDistribution {
    /// Standard normal.
    Gaussian,
    /// Student-t.
    StudentT {
        /// Degrees of freedom (finite, >= 1).
        degrees_of_freedom: f64,
    },
    /// Laplace(0, 1).
    Laplace,
}

/// The `seasonality` block, with the summed strength of every period.
#[derive(Debug, Clone, PartialEq)]
pub struct SeasonalityPlan {
    /// The effects in declaration order (empty: no seasonality).
    pub effects: Vec<SeasonalEffectPlan>,
    /// Summed strength of the effects covering each period's calendar month,
    /// one per period of the window (all 0 without effects). A weekly period
    /// that starts before the window's first day takes that day's month.
    pub factors: Vec<f64>,
}

impl SeasonalityPlan {
    /// Whether no seasonal effect is declared.
    pub fn is_empty(&self) -> bool {
        self.effects.is_empty()
    }

    /// Resolves the effects over a window: the summed strength per period.
    pub(crate) fn resolve(effects: Vec<SeasonalEffectPlan>, w: &ResolvedWindow) -> Self {
        let factors = w
            .periods()
            .map(|p| {
                let mut d = p.start_date();
                if w.granularity == Granularity::Weekly && d < w.first_day {
                    d = w.first_day;
                }
                let month = d.month();
                effects
                    .iter()
                    .filter(|e| e.months.contains(&month))
                    .map(|e| e.strength)
                    .sum()
            })
            .collect();
        SeasonalityPlan { effects, factors }
    }
}

/// One seasonal effect.
#[derive(Debug, Clone, PartialEq)]
pub struct SeasonalEffectPlan {
    /// Calendar months (1-12, distinct) the effect covers.
    pub months: Vec<u32>,
    /// Strength, in [-10, 10].
    pub strength: f64,
}

/// The `lifecycle` block: stages tracked on one metric.
#[derive(Debug, Clone, PartialEq)]
pub struct LifecyclePlan {
    /// Index into [`Plan::metrics`](super::Plan::metrics) of the tracked metric.
    pub track: usize,
    /// 2 to 10 stages with strictly ascending thresholds in [0, 1].
    pub stages: Vec<StagePlan>,
    /// Whether stages may only move forward.
    pub enforce_order: bool,
    /// Periods below a threshold before a downgrade (1-120), when set.
    pub downgrade_delay: Option<u32>,
    /// Index into [`Plan::tables`](super::Plan::tables) of the table that
    /// carries the stage column: the first per-entity-per-period fact with a
    /// column named after the tracked metric; `None` when there is none.
    pub stage_table: Option<usize>,
}

/// One lifecycle stage.
#[derive(Debug, Clone, PartialEq)]
pub struct StagePlan {
    /// Stage name (unique within the lifecycle).
    pub name: String,
    /// Lower threshold on the tracked metric, in [0, 1].
    pub threshold: f64,
}

/// The `output` block.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputPlan {
    /// File format.
    pub format: OutputFormat,
    /// Output directory (non-empty).
    pub directory: String,
    /// Cell budget from the config, when set (the run applies it, not validation).
    pub cell_budget: Option<u64>,
    /// Whether wide (denormalized) tables are written too.
    pub denormalized: bool,
    /// Column to partition Parquet output by (format parquet only). A name,
    /// not an index: it selects that column in every table that has it.
    pub partition_by: Option<String>,
    /// SQL dialect (a non-default one only with format sql).
    pub sql_dialect: SqlDialect,
}

/// The `manifest` block.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ManifestPlan {
    /// Whether `manifest.json` is written.
    pub include: bool,
    /// Share of entities whose trajectories are recorded, in (0, 1]; `None`
    /// means the engine's default sample.
    pub trajectory_sample_rate: Option<f64>,
}
