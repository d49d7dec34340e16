//! Bridges: many-to-many associations between the unit's dimension and
//! another dimension. Each entity gets
//! `round_half_even(min + (max - min) q)` distinct rows of the right side
//! (at most its row count), where `q` is the entity's mean position over
//! its active periods as its driver sees it (`1 - position` for a driver of
//! negative polarity), so entities whose driver runs higher get more; the
//! targets are a uniform sample without replacement from the entity's own
//! stream, in key order. Every entity's list is in
//! `manifest.bridge_associations`.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::batch::RowBatch;
use super::cells::{self, Cell};
use super::schema::{Fill, TableSchema};
use crate::engine::distribution::round_half_even;
use crate::engine::panel::EntityPanel;
use crate::keys::KeyFormat;
use plotsim_config::plan::BridgePlan;
use plotsim_config::{Plan, Polarity};

/// One entity's associations in a bridge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct BridgeAssociation {
    /// The bridge table.
    pub bridge: String,
    /// The entity's key.
    pub entity_id: String,
    /// The keys of the right-hand rows, in key order.
    pub targets: Vec<String>,
    /// How many (the length of `targets`).
    pub cardinality: u64,
}

/// Where a bridge's rows come from: its plan and the right-hand rows.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BridgeSource {
    /// Sides, cardinality, driver.
    pub(crate) plan: BridgePlan,
    /// Keys of the right-hand dimension.
    pub(crate) right_keys: KeyFormat,
    /// Rows of the right-hand dimension.
    pub(crate) right_rows: u64,
}

/// The share in [0, 1] that sets an entity's association count.
fn drive(plan: &Plan, b: &BridgePlan, p: &EntityPanel) -> f64 {
    let Some(mean) = p.mean_position() else {
        return 0.0;
    };
    let negative = b
        .driver
        .is_some_and(|m| plan.metrics[m].polarity == Polarity::Negative);
    let q = if negative { 1.0 - mean } else { mean };
    q.clamp(0.0, 1.0)
}

/// `n` distinct numbers below `pool`, uniformly (Floyd's algorithm), sorted.
fn sample(n: u64, pool: u64, s: &mut crate::engine::rng::Stream) -> Vec<u64> {
    let mut chosen = BTreeSet::new();
    for j in pool - n..pool {
        let t = s.below(j + 1);
        if !chosen.insert(t) {
            chosen.insert(j);
        }
    }
    chosen.into_iter().collect()
}

/// The rows of a bridge for a block of entity panels, with each entity's
/// associations.
pub(crate) fn bridge_rows(
    plan: &Plan,
    seed: u64,
    t: &TableSchema,
    b: &BridgeSource,
    panels: &[EntityPanel],
    entity_key: &dyn Fn(u64) -> String,
) -> (RowBatch, Vec<(u64, BridgeAssociation)>) {
    let bp = &b.plan;
    let targets: Vec<Vec<u64>> = panels
        .iter()
        .map(|p| {
            let e = &p.entity;
            let seg = &plan.segments[e.segment];
            let q = drive(plan, bp, p);
            let span = f64::from(bp.max.saturating_sub(bp.min));
            let n = (round_half_even(f64::from(bp.min) + span * q) as u64)
                .clamp(u64::from(bp.min), u64::from(bp.max))
                .min(b.right_rows);
            let mut s = cells::cell_stream(seed, "bridge", &t.name, "", &seg.name, e.index);
            sample(n, b.right_rows, &mut s)
        })
        .collect();
    let columns = t
        .columns
        .iter()
        .zip(&t.fills)
        .map(|(c, fill)| {
            let mut out = Vec::new();
            for (p, ts) in panels.iter().zip(&targets) {
                let e = &p.entity;
                let seg = &plan.segments[e.segment];
                let mut stream = cells::draws(fill).then(|| {
                    cells::cell_stream(seed, "bridge", &t.name, &c.name, &seg.name, e.index)
                });
                for &target in ts {
                    out.push(match fill {
                        Fill::EntityKey(_) => Cell::Key(e.ordinal),
                        Fill::BridgeTarget(_) => Cell::Key(target),
                        Fill::CurrentVersion(scd) => {
                            let vs = super::scd::versions(scd, p);
                            let v = vs.len().saturating_sub(1);
                            Cell::Int(super::scd::dim_row_id(e.ordinal, v, scd.tiers.len()) as i64)
                        }
                        Fill::EntityMean(m) => {
                            let n = p.positions.len();
                            let vals: Vec<f64> = (e.start_period as usize..n)
                                .filter_map(|t| p.value(*m, t))
                                .collect();
                            if vals.is_empty() {
                                Cell::Null
                            } else {
                                Cell::Float(vals.iter().sum::<f64>() / vals.len() as f64)
                            }
                        }
                        Fill::Const(l) => Cell::from(l),
                        f => stream
                            .as_mut()
                            .map_or(Cell::Null, |s| cells::draw(f, plan, Some(e), s)),
                    });
                }
            }
            cells::column(c.ty, fill, out)
        })
        .collect();
    let notes = panels
        .iter()
        .zip(&targets)
        .map(|(p, ts)| {
            let a = BridgeAssociation {
                bridge: t.name.clone(),
                entity_id: entity_key(p.entity.ordinal),
                targets: ts.iter().map(|&k| b.right_keys.key(k)).collect(),
                cardinality: ts.len() as u64,
            };
            (p.entity.ordinal, a)
        })
        .collect();
    (
        RowBatch {
            table: t.id,
            columns,
        },
        notes,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_distinct_sorted_and_cover_the_pool() {
        let mut s = crate::engine::rng::stream(1, &[]);
        let mut seen = BTreeSet::new();
        for _ in 0..200 {
            let x = sample(3, 7, &mut s);
            assert_eq!(x.len(), 3);
            assert!(x.windows(2).all(|w| w[0] < w[1]) && x[2] < 7);
            seen.extend(x);
        }
        assert_eq!(seen.len(), 7);
        assert_eq!(sample(7, 7, &mut s), (0..7).collect::<Vec<_>>());
        assert!(sample(0, 7, &mut s).is_empty());
    }
}
