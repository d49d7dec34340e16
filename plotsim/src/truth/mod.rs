//! The answer key: per-entity truth folded into run-wide accumulators (in
//! entity order, so the result does not depend on threads or batch sizes),
//! and the manifest built from them.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::engine::entities::Entity;
use crate::engine::panel::{CellObserver, CellTrace, EntityPanel};
use crate::engine::prepare::{CoMoment, Prepared};
use crate::tables::entity_key;
use plotsim_config::{Config, Plan};

/// Changes whenever the same config and seed would give different data.
pub const ALGORITHM_VERSION: u32 = 1;

/// The manifest schema version (the original's key layout).
pub const SCHEMA_VERSION: &str = "1.10";

/// Per-metric counts of what the engine did to values.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MetricCounts {
    /// Cells generated.
    pub cells: u64,
    /// Cells set to null (MCAR).
    pub nulls: u64,
    /// Cells replaced by outliers.
    pub outliers: u64,
    /// Cells raised to the range minimum.
    pub clamped_low: u64,
    /// Cells lowered to the range maximum.
    pub clamped_high: u64,
}

/// Counts cells while an entity is generated.
#[derive(Debug, Clone, Default)]
pub(crate) struct Counter(pub(crate) Vec<MetricCounts>);

impl CellObserver for Counter {
    #[inline]
    fn cell(&mut self, c: &CellTrace) {
        let m = &mut self.0[c.metric];
        m.cells += 1;
        m.nulls += u64::from(c.null);
        m.outliers += u64::from(c.outlier);
        m.clamped_low += u64::from(c.clamped < 0);
        m.clamped_high += u64::from(c.clamped > 0);
    }
}

/// What one entity contributes to the answer key.
#[derive(Debug, Clone)]
pub(crate) struct EntityTruth {
    pub(crate) assignment: Value,
    pub(crate) samples: Vec<Value>,
    pub(crate) comoments: Vec<Vec<CoMoment>>,
    pub(crate) counts: Vec<MetricCounts>,
}

/// Which entities' trajectories go into the manifest: every entity up to
/// 1,000 (or the configured share), evenly spaced over the entity order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TrajectorySample {
    total: u64,
    take: u64,
}

impl TrajectorySample {
    pub(crate) fn new(plan: &Plan, total: u64) -> Self {
        let take = match plan.config.manifest.trajectory_sample_rate {
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

/// The truth of one generated entity.
pub(crate) fn entity_truth(
    plan: &Plan,
    prepared: &Prepared,
    samples: &TrajectorySample,
    key_prefix: &str,
    panel: &EntityPanel,
    counts: Vec<MetricCounts>,
) -> EntityTruth {
    let e = &panel.entity;
    let name = entity_name(plan, e);
    let id = entity_key(key_prefix, e.ordinal, plan.n_entities());
    let seg = &plan.segments[e.segment];
    let treatment = seg.treatment.as_ref().map(|t| {
        json!({
            "group": if e.treated { &t.treatment_label } else { &t.control_label },
            "lift_log_odds": if e.treated { Some(t.lift_log_odds) } else { None },
            "start_period": t.start_period,
            "target_metric": t.target_metric,
        })
    });
    let assignment = json!({
        "entity": name,
        "entity_id": id,
        "archetype": seg.name,
        "active_window": {"start": e.start_period, "end": plan.window.n_periods},
        "treatment": treatment,
    });
    let samples = if samples.contains(e.ordinal) {
        panel
            .positions
            .iter()
            .enumerate()
            .map(|(t, &p)| json!({"entity": name, "entity_id": id, "period_index": t, "position": p.is_finite().then_some(p)}))
            .collect()
    } else {
        Vec::new()
    };
    EntityTruth {
        assignment,
        samples,
        comoments: crate::engine::prepare::accumulate(panel, &prepared.slots),
        counts,
    }
}

/// Run-wide accumulators, folded entity by entity in entity order.
#[derive(Debug, Clone)]
pub(crate) struct Accumulators {
    comoments: Vec<Vec<CoMoment>>,
    counts: Vec<MetricCounts>,
}

impl Accumulators {
    pub(crate) fn new(prepared: &Prepared) -> Self {
        Accumulators {
            comoments: prepared
                .slots
                .iter()
                .map(|s| vec![CoMoment::default(); s.pairs.len()])
                .collect(),
            counts: vec![MetricCounts::default(); prepared.ctx.n_metrics()],
        }
    }

    pub(crate) fn fold(&mut self, t: &EntityTruth) {
        for (a, b) in self.comoments.iter_mut().zip(&t.comoments) {
            for (x, y) in a.iter_mut().zip(b) {
                x.merge(y);
            }
        }
        for (a, b) in self.counts.iter_mut().zip(&t.counts) {
            a.cells += b.cells;
            a.nulls += b.nulls;
            a.outliers += b.outliers;
            a.clamped_low += b.clamped_low;
            a.clamped_high += b.clamped_high;
        }
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

/// Every manifest key except the two per-entity arrays
/// (`archetype_assignments`, `trajectory_samples`), which are streamed.
pub(crate) fn manifest_fixed(
    plan: &Plan,
    config: &Config,
    prepared: &Prepared,
    acc: &Accumulators,
    seed: u64,
) -> serde_json::Map<String, Value> {
    let metric = |i: usize| plan.metrics[i].name.as_str();
    let phase = |slot: usize| {
        if slot == 0 {
            Value::Null
        } else {
            json!(slot - 1)
        }
    };
    let mut correlations = Vec::new();
    let mut adjustments = Vec::new();
    let mut calibration = Vec::new();
    let mut slot_pair = vec![0usize; prepared.slots.len()];
    for p in &prepared.pairs {
        let pi = slot_pair[p.slot];
        slot_pair[p.slot] += 1;
        let realized = acc.comoments[p.slot][pi];
        correlations.push(json!({
            "metric_a": metric(p.a), "metric_b": metric(p.b), "phase_index": phase(p.slot),
            "requested": p.requested, "projected": round6(p.projected), "calibrated": round6(p.calibrated),
            "realized": realized.defined_correlation().map(round6), "n_cells": realized.n as u64,
            "infeasible": p.infeasible,
        }));
        if (p.projected - p.requested).abs() > 1e-12 {
            adjustments.push(json!({
                "metric_a": metric(p.a), "metric_b": metric(p.b), "phase_index": phase(p.slot),
                "requested": p.requested, "achieved": round6(p.projected), "delta": round6(p.projected - p.requested),
            }));
        }
        calibration.push(json!({
            "metric_a": metric(p.a), "metric_b": metric(p.b), "phase_index": phase(p.slot),
            "user_target": p.requested, "copula_target": round6(p.calibrated),
            "pilot_realized": round6(p.pilot_realized), "infeasible": p.infeasible,
            "adjustment": round6((p.calibrated - p.projected).abs()),
        }));
    }
    let mut graph: Vec<Value> = plan
        .metrics
        .iter()
        .filter_map(|m| {
            let l = m.lag.as_ref()?;
            Some(json!({
                "driver": metric(l.driver), "target": m.name, "lag_periods": l.delay, "blend_weight": 1.0,
                "decay_window": l.decay_window, "decay_kernel": l.decay_window.map(|_| l.decay_kernel.as_str()),
            }))
        })
        .collect();
    graph.sort_by(|a, b| {
        (a["driver"].as_str(), a["target"].as_str())
            .cmp(&(b["driver"].as_str(), b["target"].as_str()))
    });
    let phases: Vec<Value> = plan
        .phases
        .iter()
        .enumerate()
        .map(|(i, p)| json!({"phase_index": i, "start": p.start_period, "end": p.end_period, "n_pairs": p.pairs.len()}))
        .collect();
    let seasonal = if config.seasonality.is_empty() {
        json!({})
    } else {
        json!({
            "seasonal_factors": prepared.ctx.seasonal,
            "metric_seasonal_sensitivities": plan.metrics.iter().map(|m| (m.name.clone(), json!(m.seasonal_sensitivity))).collect::<serde_json::Map<_, _>>(),
            "segment_seasonal_sensitivities": plan.segments.iter().map(|s| (s.name.clone(), json!(s.seasonal_sensitivity))).collect::<serde_json::Map<_, _>>(),
        })
    };
    let cohorts: Vec<Value> = plan
        .segments
        .iter()
        .filter_map(|s| {
            let t = s.treatment.as_ref()?;
            let treated = (0..u64::from(s.count))
                .filter(|&i| prepared.entities.get(plan, seed, s.first_entity + i).treated)
                .count();
            Some(json!({
                "segment": s.name, "treatment_label": t.treatment_label, "control_label": t.control_label,
                "n_treated": treated, "n_control": s.count as usize - treated,
                "lift_log_odds": t.lift_log_odds, "start_period": t.start_period, "target_metric": t.target_metric,
            }))
        })
        .collect();
    let adjust: Vec<Value> = plan
        .metrics
        .iter()
        .zip(&acc.counts)
        .map(|(m, c)| {
            json!({"metric": m.name, "cells": c.cells, "nulls": c.nulls, "outliers": c.outliers,
                   "clamped_low": c.clamped_low, "clamped_high": c.clamped_high})
        })
        .collect();
    let n = &config.noise;
    let mut m = serde_json::Map::new();
    m.insert("algorithm_version".into(), json!(ALGORITHM_VERSION));
    m.insert("causal_graph".into(), json!(graph));
    m.insert("config_sha256".into(), json!(config_sha256(config)));
    m.insert(
        "correlation_adjustments".into(),
        if adjustments.is_empty() {
            Value::Null
        } else {
            json!(adjustments)
        },
    );
    m.insert(
        "correlation_compensations".into(),
        if calibration.is_empty() {
            Value::Null
        } else {
            json!(calibration)
        },
    );
    m.insert(
        "correlation_calibration".into(),
        json!({"rounds": prepared.calibration_rounds, "pilot_entities": prepared.pilot_entities,
               "projection_converged": prepared.projection_converged}),
    );
    m.insert("correlation_phases".into(), json!(phases));
    m.insert("correlations".into(), json!(correlations));
    m.insert(
        "noise_config".into(),
        json!({"gaussian_sigma": n.gaussian_sigma, "outlier_rate": n.outlier_rate, "mcar_rate": n.mcar_rate,
               "scale_with_trajectory": n.scale_with_trajectory, "noise_family": n.noise_family.as_str(),
               "degrees_of_freedom": n.degrees_of_freedom}),
    );
    m.insert("schema_version".into(), json!(SCHEMA_VERSION));
    m.insert("seasonal_decomposition".into(), seasonal);
    m.insert("seed".into(), json!(seed));
    m.insert("treatment_cohorts".into(), json!(cohorts));
    m.insert("value_adjustments".into(), json!(adjust));
    m
}

/// A JSON value pretty-printed as an element of a top-level array of a
/// pretty-printed object (4-space base indent), like `serde_json` would.
pub(crate) fn array_element(v: &Value) -> String {
    let pretty = serde_json::to_string_pretty(v).unwrap_or_default();
    pretty
        .lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
