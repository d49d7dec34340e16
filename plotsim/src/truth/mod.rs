//! The answer key: what the engine did, folded entity by entity into one
//! partial per entity block ([`AnswerKey`], mergeable and serialisable), the
//! partials merged left to right in block order (in a single run exactly as
//! in a merge of shards), and the manifest built from the result. Reads
//! engine and tables types; writes nothing.

mod manifest;
mod trace;

#[cfg(feature = "schema")]
pub use manifest::manifest_json_schema;
pub use manifest::{
    ActiveWindow, ArchetypeAssignment, CalibrationSummary, CausalEdge, CorrelationAdjustment,
    CorrelationCompensation, CorrelationPhase, CorrelationRecord, HighamProjection, HoldoutRecord,
    LatentPairRecord, Manifest, NoiseRecord, SeasonalDecomposition, TrajectoryPoint, TreatmentArm,
    TreatmentCohort, ValueAdjustment,
};
pub use trace::{Trace, TraceLag, TraceTreatment, Tracer, trace_metric_cell};

use std::collections::BTreeMap;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::engine::entities::Entity;
use crate::engine::panel::EntityPanel;
pub use crate::engine::panel::MetricCounts;
use crate::engine::prepare::Prepared;
use crate::stats::PairMoments;
use plotsim_config::{Config, Plan};

/// Changes whenever the same config and seed would give different data.
pub const ALGORITHM_VERSION: u32 = 7;

/// The manifest schema version (the original's key layout).
pub const SCHEMA_VERSION: &str = "1.10";

/// Which entities' trajectories go into the manifest: every entity up to
/// 1,000 (or the configured share), evenly spaced over the entity order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TrajectorySample {
    total: u64,
    take: u64,
}

impl TrajectorySample {
    pub(crate) fn new(plan: &Plan, total: u64) -> Self {
        let take = match plan.settings.manifest.trajectory_sample_rate {
            Some(r) => ((total as f64 * r).ceil() as u64).clamp(1, total.max(1)),
            None => total.min(1000),
        };
        TrajectorySample { total, take }
    }

    /// Whether entity `ordinal` is sampled: ordinals ⌊j·total/take⌋, j < take.
    pub(crate) fn contains(&self, ordinal: u64) -> bool {
        if self.take == 0 {
            return false;
        }
        let (t, n) = (u128::from(self.total), u128::from(self.take));
        let j = (u128::from(ordinal) * n).div_ceil(t);
        j < n && j * t / n == u128::from(ordinal)
    }
}

/// The manifest name of an entity: `<segment>_<index, 4 digits>`.
pub(crate) fn entity_name(plan: &Plan, e: &Entity) -> String {
    format!("{}_{:04}", plan.segments[e.segment].name, e.index)
}

/// What one entity adds to the manifest's per-entity arrays:
/// its archetype assignment, and its trajectory if it is sampled.
pub(crate) fn entity_records(
    plan: &Plan,
    samples: &TrajectorySample,
    key: &str,
    panel: &EntityPanel,
) -> (ArchetypeAssignment, Vec<TrajectoryPoint>) {
    let e = &panel.entity;
    let name = entity_name(plan, e);
    let seg = &plan.segments[e.segment];
    let treatment = seg.treatment.as_ref().map(|t| TreatmentArm {
        group: if e.treated {
            t.treatment_label.clone()
        } else {
            t.control_label.clone()
        },
        lift_log_odds: e.treated.then_some(t.lift_log_odds),
        start_period: t.start_period,
        target_metric: t.target_metric.clone(),
    });
    let assignment = ArchetypeAssignment {
        entity: name.clone(),
        entity_id: key.to_owned(),
        archetype: seg.name.clone(),
        active_window: ActiveWindow {
            start: e.start_period,
            end: plan.window.n_periods,
        },
        treatment,
        variation: panel.variation.clone(),
    };
    let samples = if samples.contains(e.ordinal) {
        panel
            .positions
            .iter()
            .enumerate()
            .map(|(t, &p)| TrajectoryPoint {
                entity: name.clone(),
                entity_id: key.to_owned(),
                period_index: t,
                position: p.is_finite().then_some(p),
            })
            .collect()
    } else {
        Vec::new()
    };
    (assignment, samples)
}

/// Every pair `(a, b)`, `a < b`, of `m` metrics, in the order the answer
/// key and the manifest list them.
pub(crate) fn all_pairs(m: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..m).flat_map(move |a| (a + 1..m).map(move |b| (a, b)))
}

/// Index of pair `(a, b)` (either order) in [`all_pairs`].
fn pair_index(m: usize, a: usize, b: usize) -> usize {
    let (a, b) = if a < b { (a, b) } else { (b, a) };
    a * m - a * (a + 1) / 2 + (b - a - 1)
}

/// The mergeable part of the answer key: the realised moments (pooled,
/// within-entity, first-difference) of every pair of metrics per
/// correlation slot, and value counts per metric. One partial per entity
/// block; partials merge left to right in block order.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AnswerKey {
    moments: Vec<Vec<PairMoments>>,
    counts: Vec<MetricCounts>,
}

impl AnswerKey {
    /// An empty key for a run.
    pub(crate) fn new(prepared: &Prepared) -> Self {
        let m = prepared.ctx.n_metrics();
        AnswerKey {
            moments: prepared
                .slots
                .iter()
                .map(|_| vec![PairMoments::default(); all_pairs(m).count()])
                .collect(),
            counts: vec![MetricCounts::default(); m],
        }
    }

    /// Folds one generated entity in: its panel, with the counts the kernel
    /// kept on it.
    pub(crate) fn fold_entity(&mut self, prepared: &Prepared, panel: &EntityPanel) {
        let m = prepared.ctx.n_metrics();
        for (acc, slot) in self.moments.iter_mut().zip(&prepared.slots) {
            let entity = crate::engine::prepare::pair_moments(panel, &slot.periods, all_pairs(m));
            for (x, y) in acc.iter_mut().zip(&entity) {
                x.merge(y);
            }
        }
        for (a, b) in self.counts.iter_mut().zip(&panel.counts) {
            a.merge(b);
        }
    }

    /// Merges the partial of the following entities into this one.
    pub fn merge(&mut self, other: &AnswerKey) {
        for (a, b) in self.moments.iter_mut().zip(&other.moments) {
            for (x, y) in a.iter_mut().zip(b) {
                x.merge(y);
            }
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            a.merge(b);
        }
    }

    /// Value counts per metric, in plan order.
    pub fn counts(&self) -> &[MetricCounts] {
        &self.counts
    }
}

/// SHA-256 (hex) of the config as JSON with sorted keys.
pub fn config_sha256(config: &Config) -> String {
    let json = serde_json::to_value(config)
        .map(|v| v.to_string())
        .unwrap_or_default();
    Sha256::digest(json.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// Every manifest section except the two per-entity arrays
/// (`archetype_assignments`, `trajectory_samples`, left empty), which are
/// streamed.
pub(crate) fn manifest_fixed(
    plan: &Plan,
    config: &Config,
    prepared: &Prepared,
    acc: &AnswerKey,
    seed: u64,
) -> Manifest {
    let metric = |i: usize| plan.metrics[i].name.clone();
    let phase = |slot: usize| slot.checked_sub(1);
    let mut correlations = Vec::new();
    let mut adjustments = Vec::new();
    let mut calibration = Vec::new();
    for p in &prepared.pairs {
        let realized = acc.moments[p.slot][pair_index(plan.metrics.len(), p.a, p.b)].pooled;
        correlations.push(CorrelationRecord {
            metric_a: metric(p.a),
            metric_b: metric(p.b),
            phase_index: phase(p.slot),
            requested: p.requested,
            projected: round6(p.projected),
            calibrated: round6(p.calibrated),
            realized: realized.defined_correlation().map(round6),
            n_cells: realized.n as u64,
            infeasible: p.infeasible,
        });
        if (p.projected - p.requested).abs() > 1e-12 {
            adjustments.push(CorrelationAdjustment {
                metric_a: metric(p.a),
                metric_b: metric(p.b),
                phase_index: phase(p.slot),
                requested: p.requested,
                achieved: round6(p.projected),
                delta: round6(p.projected - p.requested),
            });
        }
        calibration.push(CorrelationCompensation {
            metric_a: metric(p.a),
            metric_b: metric(p.b),
            phase_index: phase(p.slot),
            user_target: p.requested,
            copula_target: round6(p.calibrated),
            pilot_realized: round6(p.pilot_realized),
            target: p.target.to_string(),
            infeasible: p.infeasible,
            reachable: p
                .infeasible
                .then(|| [round6(p.reachable.0), round6(p.reachable.1)]),
            adjustment: round6((p.calibrated - p.projected).abs()),
        });
    }
    let mut causal_graph: Vec<CausalEdge> = plan
        .metrics
        .iter()
        .filter_map(|m| {
            let l = m.lag.as_ref()?;
            Some(CausalEdge {
                driver: metric(l.driver),
                target: m.name.clone(),
                lag_periods: l.delay,
                blend_weight: 1.0,
                decay_window: l.decay_window,
                decay_kernel: l.decay_window.map(|_| l.decay_kernel.as_str().to_owned()),
            })
        })
        .collect();
    causal_graph.sort_by(|a, b| (&a.driver, &a.target).cmp(&(&b.driver, &b.target)));
    let correlation_phases = plan
        .phases
        .iter()
        .enumerate()
        .map(|(i, p)| CorrelationPhase {
            phase_index: i,
            start: p.start_period,
            end: p.end_period,
            n_pairs: p.pairs.len(),
        })
        .collect();
    let seasonal_decomposition = if config.seasonality.is_empty() {
        SeasonalDecomposition::default()
    } else {
        SeasonalDecomposition {
            seasonal_factors: Some(prepared.ctx.seasonal.clone()),
            metric_seasonal_sensitivities: Some(
                plan.metrics
                    .iter()
                    .map(|m| (m.name.clone(), m.seasonal_sensitivity))
                    .collect(),
            ),
            segment_seasonal_sensitivities: Some(
                plan.segments
                    .iter()
                    .map(|s| (s.name.clone(), s.seasonal_sensitivity))
                    .collect(),
            ),
        }
    };
    let treatment_cohorts = plan
        .segments
        .iter()
        .filter_map(|s| {
            let t = s.treatment.as_ref()?;
            let treated = (0..u64::from(s.count))
                .filter(|&i| {
                    prepared
                        .entities
                        .get(plan, seed, s.first_entity + i)
                        .treated
                })
                .count();
            Some(TreatmentCohort {
                segment: s.name.clone(),
                treatment_label: t.treatment_label.clone(),
                control_label: t.control_label.clone(),
                n_treated: treated,
                n_control: s.count as usize - treated,
                lift_log_odds: t.lift_log_odds,
                start_period: t.start_period,
                target_metric: t.target_metric.clone(),
            })
        })
        .collect();
    let value_adjustments = plan
        .metrics
        .iter()
        .zip(&acc.counts)
        .map(|(m, c)| ValueAdjustment {
            metric: m.name.clone(),
            cells: c.cells,
            nulls: c.nulls,
            outliers: c.outliers,
            clamped_low: c.clamped_low,
            clamped_high: c.clamped_high,
        })
        .collect();
    let m = plan.metrics.len();
    let mut latent_correlations = Vec::new();
    let mut bypass_fallback_counts = BTreeMap::new();
    for (si, slot) in prepared.slots.iter().enumerate() {
        for (k, (a, b)) in all_pairs(m).enumerate() {
            let x = &acc.moments[si][k];
            let declared = slot
                .pairs
                .iter()
                .find(|&&(i, j, _)| (i, j) == (a, b) || (j, i) == (a, b))
                .map(|p| p.2);
            latent_correlations.push(LatentPairRecord {
                metric_a: metric(a),
                metric_b: metric(b),
                phase_index: phase(si),
                declared,
                latent: round6(prepared.latent[si][(a, b)]),
                realized_pooled: x.pooled().map(round6),
                realized_within_entity: x.within_entity().map(round6),
                realized_first_difference: x.first_difference().map(round6),
                n_cells: x.n() as u64,
                n_differences: x.differences.n as u64,
            });
        }
        // A slot with declared pairs but no copula factor draws its cells
        // independently (cannot happen after the projection; counted if it does).
        if !slot.pairs.is_empty() && prepared.factors.slots[si].is_none() {
            let cells = acc.moments[si].first().map_or(0, |x| x.n() as u64);
            bypass_fallback_counts.insert(
                phase(si).map_or("baseline".to_owned(), |p| format!("phase_{p}")),
                cells,
            );
        }
    }
    let higham_projection = prepared
        .projections
        .iter()
        .filter(|p| !prepared.slots[p.slot].pairs.is_empty())
        .map(|p| HighamProjection {
            phase_index: phase(p.slot),
            adjusted: p.adjusted,
            converged: p.converged,
            frobenius_distance: round6(p.distance),
        })
        .collect();
    let n = &config.noise;
    Manifest {
        algorithm_version: ALGORITHM_VERSION,
        archetype_assignments: Vec::new(),
        causal_graph,
        config_sha256: config_sha256(config),
        correlation_adjustments: (!adjustments.is_empty()).then_some(adjustments),
        correlation_calibration: CalibrationSummary {
            rounds: prepared.calibration_rounds,
            pilot_entities: prepared.pilot_entities,
            projection_converged: prepared.projection_converged,
        },
        correlation_compensations: (!calibration.is_empty()).then_some(calibration),
        correlation_phases,
        correlations,
        latent_correlations,
        higham_projection,
        bypass_fallback_counts,
        holdout: plan.holdout.as_ref().map(|h| HoldoutRecord {
            target_metric: metric(h.target),
            holdout_periods: h.periods,
            cutoff_period_index: h.cutoff,
            min_training_periods: h.min_training_periods,
        }),
        noise_config: NoiseRecord {
            gaussian_sigma: n.gaussian_sigma,
            outlier_rate: n.outlier_rate,
            mcar_rate: n.mcar_rate,
            scale_with_trajectory: n.scale_with_trajectory,
            noise_family: n.noise_family.as_str().to_owned(),
            degrees_of_freedom: n.degrees_of_freedom,
        },
        schema_version: SCHEMA_VERSION.to_owned(),
        seasonal_decomposition,
        seed,
        trajectory_samples: Vec::new(),
        event_firings: Vec::new(),
        scd_events: Vec::new(),
        quality_injections: Vec::new(),
        bridge_associations: Vec::new(),
        treatment_cohorts,
        value_adjustments,
    }
}

/// The manifest's sections as JSON values by key, without the streamed
/// per-entity arrays.
pub(crate) fn fixed_sections(m: &Manifest) -> serde_json::Map<String, Value> {
    let mut map = match serde_json::to_value(m) {
        Ok(Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    for name in crate::pipeline::STREAMED {
        map.remove(name);
    }
    map
}
