//! Once-per-run set-up: entity expansion, correlation matrices (projected to
//! the nearest correlation matrix where needed) and their calibration.
//!
//! Calibration: all metrics of an entity share one trajectory, so the
//! realised correlation of two metrics is the copula's plus what the shared
//! trajectory (and the marginals, noise and clamps) add or take away. The
//! copula targets are therefore adjusted on a pilot until the pilot's pooled
//! entity-period correlation of every declared pair matches the request. The
//! pilot is a deterministic sample of the run's entities generated from their
//! own named streams (`pilot`), so `prepare` is a pure function of the plan
//! and the seed, and every batch, thread and shard computes the same result.

use nalgebra::DMatrix;
use rayon::prelude::*;

use plotsim_config::Plan;

use super::correlation::{Lower, assemble, cholesky, nearest_correlation};
use super::entities::Entities;
use super::panel::{EngineCtx, EntityPanel, Factors, record_entity, replay_entity};
pub use crate::stats::CoMoment;

/// Pilot size: enough entity-periods for a correlation standard error of
/// about 0.005, or every entity of a smaller run.
const PILOT_CELLS: u64 = 40_000;
/// Most calibration rounds.
const MAX_ROUNDS: usize = 12;
/// A pair whose best pilot correlation is further than this from its target
/// is recorded as infeasible.
const INFEASIBLE_GAP: f64 = 0.02;
/// Calibration stops when every pilot correlation is this close to its target.
const TOLERANCE: f64 = 0.005;

/// One declared pair in one slot (the baseline or a phase).
#[derive(Debug, Clone, PartialEq)]
pub struct PairRecord {
    /// Slot: 0 = baseline, i + 1 = `connection_phases[i]`.
    pub slot: usize,
    /// First metric index.
    pub a: usize,
    /// Second metric index.
    pub b: usize,
    /// The requested correlation.
    pub requested: f64,
    /// After projecting the requested matrix to the nearest correlation matrix.
    pub projected: f64,
    /// The copula correlation after calibration.
    pub calibrated: f64,
    /// The pilot's realised correlation with the calibrated copula.
    pub pilot_realized: f64,
    /// Whether no valid copula reaches the request (the closest was used).
    pub infeasible: bool,
}

/// One copula matrix per slot.
type Matrices = Vec<DMatrix<f64>>;
/// A slot's best calibration round: score, copula matrix, pilot correlations.
type BestRound = (f64, DMatrix<f64>, Vec<f64>);
/// Pilot correlations per slot and pair.
type Correlations = Vec<Vec<f64>>;

/// One correlation slot: the periods it covers and its declared pairs.
#[derive(Debug, Clone)]
pub(crate) struct Slot {
    pub(crate) periods: Vec<bool>,
    pub(crate) pairs: Vec<(usize, usize, f64)>,
}

/// The once-per-run state shared by every batch.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Resolved engine settings.
    pub ctx: EngineCtx,
    /// The entities.
    pub entities: Entities,
    /// Copula factors per period.
    pub factors: Factors,
    /// Correlation records per declared pair.
    pub pairs: Vec<PairRecord>,
    /// Calibration rounds run.
    pub calibration_rounds: usize,
    /// Pilot entities used.
    pub pilot_entities: u64,
    /// The slots (periods and declared pairs).
    pub(crate) slots: Vec<Slot>,
    /// Whether every nearest-correlation projection converged (false: the
    /// eigenvalue-clipping fallback was used somewhere).
    pub projection_converged: bool,
}

fn slots(plan: &Plan) -> Vec<Slot> {
    let n = plan.window.n_periods as usize;
    let base = |p: &plotsim_config::plan::CorrelationPair| (p.a, p.b, p.coefficient);
    let mut slots = vec![Slot {
        periods: vec![true; n],
        pairs: plan.correlations.iter().map(base).collect(),
    }];
    for ph in &plan.phases {
        let mut periods = vec![false; n];
        let span = ph.start_period as usize..=(ph.end_period as usize).min(n - 1);
        periods[span.clone()].fill(true);
        slots[0].periods[span].fill(false);
        // A phase without pairs keeps the baseline's correlations.
        let pairs = if ph.pairs.is_empty() {
            slots[0].pairs.clone()
        } else {
            ph.pairs.iter().map(base).collect()
        };
        slots.push(Slot { periods, pairs });
    }
    slots
}

fn factor(m: usize, matrix: &DMatrix<f64>, pairs: &[(usize, usize, f64)]) -> Option<Lower> {
    if pairs.is_empty() || m < 2 {
        return None;
    }
    cholesky(matrix)
}

/// Pooled pilot correlations per slot and pair.
///
/// The first round records each pilot entity's draws into `tapes`; later
/// rounds replay them (the draws do not depend on the copula, so a replay
/// gives exactly the values a fresh stream would).
fn measure(
    ctx: &EngineCtx,
    slots: &[Slot],
    factors: &Factors,
    pilot: &[(u64, super::entities::Entity)],
    tapes: &mut Vec<Vec<Vec<f64>>>,
) -> Vec<Vec<CoMoment>> {
    let per_entity: Vec<Vec<Vec<CoMoment>>> = if tapes.is_empty() {
        let (moments, recorded): (Vec<_>, Vec<_>) = pilot
            .par_iter()
            .map(|(replica, e)| {
                let (panel, tape) = record_entity(ctx, factors, e, *replica);
                (accumulate(&panel, slots), tape)
            })
            .unzip();
        *tapes = recorded;
        moments
    } else {
        pilot
            .par_iter()
            .zip(tapes.par_iter())
            .map(|((_, e), tape)| accumulate(&replay_entity(ctx, factors, e, tape), slots))
            .collect()
    };
    let mut total: Vec<Vec<CoMoment>> = slots
        .iter()
        .map(|s| vec![CoMoment::default(); s.pairs.len()])
        .collect();
    for e in &per_entity {
        for (ts, es) in total.iter_mut().zip(e) {
            for (t, x) in ts.iter_mut().zip(es) {
                t.merge(x);
            }
        }
    }
    total
}

pub(crate) fn accumulate(panel: &EntityPanel, slots: &[Slot]) -> Vec<Vec<CoMoment>> {
    let n = panel.positions.len();
    slots
        .iter()
        .map(|s| {
            s.pairs
                .iter()
                .map(|&(a, b, _)| {
                    let mut c = CoMoment::default();
                    for t in (0..n).filter(|&t| s.periods[t]) {
                        if let (Some(x), Some(y)) = (panel.value(a, t), panel.value(b, t)) {
                            c.add(x, y);
                        }
                    }
                    c
                })
                .collect()
        })
        .collect()
}

/// Runs the once-per-run set-up for `plan` with the run seed.
pub fn prepare(plan: &Plan, seed: u64) -> Prepared {
    let ctx = EngineCtx::new(plan, seed);
    let entities = Entities::new(plan, seed);
    let m = ctx.n_metrics();
    let slots = slots(plan);
    let n = plan.window.n_periods as usize;
    let slot_of_period: Vec<usize> = (0..n)
        .map(|t| slots.iter().rposition(|s| s.periods[t]).unwrap_or(0))
        .collect();
    let requested: Vec<DMatrix<f64>> = slots.iter().map(|s| assemble(m, &s.pairs)).collect();
    let projections: Vec<_> = requested.iter().map(nearest_correlation).collect();
    let projection_converged = projections.iter().all(|p| p.converged);
    let projected: Vec<DMatrix<f64>> = projections.into_iter().map(|p| p.matrix).collect();
    let mut current = projected.clone();
    let build = |mats: &[DMatrix<f64>]| Factors {
        slots: mats
            .iter()
            .zip(&slots)
            .map(|(mat, s)| factor(m, mat, &s.pairs))
            .collect(),
        slot_of_period: slot_of_period.clone(),
    };

    // The pilot: up to PILOT_CELLS entity-periods from evenly spaced entities;
    // a small run is repeated in replicas with their own streams until the
    // pilot is that large, so calibration does not fit a small sample's noise.
    let total = entities.len();
    let per_entity_cells = n.max(1) as u64;
    let pilot_n = total.min(PILOT_CELLS.div_ceil(per_entity_cells).max(200));
    let sampled: Vec<_> = (0..pilot_n)
        .map(|j| entities.get(plan, seed, j * total / pilot_n.max(1)))
        .collect();
    let active: u64 = sampled
        .iter()
        .map(|e| per_entity_cells - u64::from(e.start_period))
        .sum();
    let replicas = PILOT_CELLS.div_ceil(active.max(1)).clamp(1, 64);
    let pilot: Vec<(u64, _)> = (0..replicas)
        .flat_map(|r| sampled.iter().map(move |e| (r, e.clone())))
        .collect();

    let has_pairs = slots.iter().any(|s| !s.pairs.is_empty());
    let mut rounds = 0;
    let mut realized: Vec<Vec<f64>> = slots.iter().map(|s| vec![0.0; s.pairs.len()]).collect();
    if has_pairs && m >= 2 && !pilot.is_empty() {
        let mut prev: Option<(Matrices, Correlations)> = None;
        let mut tapes = Vec::new();
        // Slots (the baseline and each phase) cover disjoint periods, so each
        // keeps its own best round: an unreachable pair in one phase does not
        // hold back the others. A round's score is its slot's sum of squared
        // errors.
        let mut best: Vec<Option<BestRound>> = vec![None; slots.len()];
        while rounds < MAX_ROUNDS {
            rounds += 1;
            let measured = measure(&ctx, &slots, &build(&current), &pilot, &mut tapes);
            let r: Vec<Vec<f64>> = measured
                .iter()
                .map(|s| s.iter().map(CoMoment::correlation).collect())
                .collect();
            let mut worst: f64 = 0.0;
            for (si, s) in slots.iter().enumerate() {
                let errors = s.pairs.iter().zip(&r[si]).map(|(p, x)| (p.2 - x).abs());
                let score: f64 = errors.clone().map(|e| e * e).sum();
                worst = worst.max(errors.fold(0.0, f64::max));
                if best[si].as_ref().is_none_or(|b| score < b.0) {
                    best[si] = Some((score, current[si].clone(), r[si].clone()));
                }
            }
            if worst <= TOLERANCE {
                break;
            }
            // Secant step per pair; the first round assumes a slope of 1.
            let mut next = current.clone();
            for (si, s) in slots.iter().enumerate() {
                for (pi, &(a, b, target)) in s.pairs.iter().enumerate() {
                    let c = current[si][(a, b)];
                    let mut slope = 1.0;
                    if let Some((pc, pr)) = &prev {
                        let dc = c - pc[si][(a, b)];
                        let dr = r[si][pi] - pr[si][pi];
                        if dc.abs() > 1e-6 && dr.abs() > 1e-6 {
                            slope = (dr / dc).clamp(0.2, 5.0);
                        }
                    }
                    let v = (c + (target - r[si][pi]) / slope).clamp(-0.999, 0.999);
                    next[si][(a, b)] = v;
                    next[si][(b, a)] = v;
                }
                next[si] = nearest_correlation(&next[si]).matrix;
            }
            prev = Some((current, r));
            current = next;
        }
        for (si, b) in best.into_iter().enumerate() {
            if let Some((_, mat, r)) = b {
                current[si] = mat;
                realized[si] = r;
            }
        }
    }
    let factors = build(&current);
    let mut pairs = Vec::new();
    for (si, s) in slots.iter().enumerate() {
        for (pi, &(a, b, target)) in s.pairs.iter().enumerate() {
            let calibrated = current[si][(a, b)];
            let pilot_realized = realized[si][pi];
            // Calibration searched the valid copulas and the best one still misses:
            // the shared trajectory (or the marginals) do not allow the request.
            let infeasible = (pilot_realized - target).abs() > INFEASIBLE_GAP;
            pairs.push(PairRecord {
                slot: si,
                a,
                b,
                requested: target,
                projected: projected[si][(a, b)],
                calibrated,
                pilot_realized,
                infeasible,
            });
        }
    }
    Prepared {
        ctx,
        entities,
        factors,
        pairs,
        calibration_rounds: rounds,
        pilot_entities: pilot.len() as u64,
        slots,
        projection_converged,
    }
}
