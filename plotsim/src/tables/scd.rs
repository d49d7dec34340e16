//! SCD Type 2: an `scd` column's tier follows the entity's trajectory
//! position through the thresholds, never moving down; each rise starts a
//! new version of the entity's dimension row. Version keys (`dim_row_id`)
//! are `ordinal x tiers + version + 1`: unique, and a pure function of the
//! entity and its own versions (no coordination between blocks).

use serde::{Deserialize, Serialize};

use crate::engine::panel::EntityPanel;
use plotsim_config::plan::ScdPlan;

/// One tier change of an entity (every version after its first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ScdEvent {
    /// The dimension.
    pub dim_table: String,
    /// The entity's key.
    pub entity_id: String,
    /// First period of the new version.
    pub period_index: usize,
    /// That period's `date_key` (the new version's `valid_from`).
    pub date_key: u32,
    /// The tier before.
    pub old_label: String,
    /// The tier from this period on.
    pub new_label: String,
    /// The version before.
    pub old_dim_row_id: u64,
    /// The new version.
    pub new_dim_row_id: u64,
    /// The metric the column `tracks`.
    pub trigger_metric: String,
    /// The trajectory position that crossed the threshold.
    pub trigger_position: f64,
}

/// The versions of one entity: (first period, tier), from its arrival. The
/// tier is the number of thresholds at or below the position, as a running
/// maximum; a jump over two tiers makes one version.
pub(crate) fn versions(scd: &ScdPlan, p: &EntityPanel) -> Vec<(usize, usize)> {
    let n = p.positions.len();
    let top = scd.tiers.len().saturating_sub(1);
    let tier = |x: f64| scd.at.iter().filter(|&&a| a <= x).count().min(top);
    let start = (p.entity.start_period as usize).min(n.saturating_sub(1));
    let mut out = vec![(start, tier(p.positions[start]))];
    for t in start + 1..n {
        let b = tier(p.positions[t]);
        if b > out[out.len() - 1].1 {
            out.push((t, b));
        }
    }
    out
}

/// The `dim_row_id` of version `v` of entity `ordinal`.
pub(crate) fn dim_row_id(ordinal: u64, v: usize, tiers: usize) -> u64 {
    ordinal * tiers as u64 + v as u64 + 1
}

/// The index of the version in force in period `t`.
pub(crate) fn version_at(versions: &[(usize, usize)], t: usize) -> usize {
    versions.iter().rposition(|&(s, _)| s <= t).unwrap_or(0)
}
