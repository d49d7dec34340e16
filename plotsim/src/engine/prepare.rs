//! Once-per-run set-up: entity expansion, correlation matrices (projected to
//! the nearest correlation matrix where needed) and their calibration.
//!
//! Calibration: all metrics of an entity share one trajectory, so the
//! realised correlation of two metrics is the copula's plus what the shared
//! trajectory (and the marginals, noise and clamps) add or take away. The
//! copula targets are therefore adjusted on a pilot until the pilot's pooled
//! entity-period correlation of every declared pair matches the request. The
//! pilot is a deterministic sample of the plan's entities generated from
//! their own named streams (`pilot`) under a fixed pilot seed, so the
//! calibration is a pure function of the plan (the same for every run seed)
//! and every batch, thread and shard computes the same result.

use nalgebra::DMatrix;
use rayon::prelude::*;

use plotsim_config::Plan;

use super::correlation::{Limits, Lower, assemble, cholesky, nearest_correlation, sign_interval};
use super::entities::Entities;
use super::panel::{CellDraws, EngineCtx, EntityPanel, Factors, record_entity, replay_entity};
pub use crate::stats::{CoMoment, EntitySeries, PairMoments};
use plotsim_config::CorrelationTarget;

/// Pilot size: enough entity-periods for a correlation standard error of
/// about 0.005, or every entity of a smaller run.
const PILOT_CELLS: u64 = 40_000;
/// A small run's pilot is this many times its own cells (at least
/// [`PILOT_MIN_CELLS`]): its calibration error stays well below the run's
/// own sampling error, and the set-up scales with the run.
const PILOT_RUN_FACTOR: u64 = 4;
/// The smallest pilot.
const PILOT_MIN_CELLS: u64 = 2_000;
/// Most calibration rounds.
const MAX_ROUNDS: usize = 12;
/// A pair whose best pilot correlation is further than this from its target
/// is recorded as infeasible.
const INFEASIBLE_GAP: f64 = 0.02;
/// Calibration stops when every pilot correlation is this close to its target
/// (or pinned, see [`STALL`]).
const TOLERANCE: f64 = 0.005;
/// A pair whose calibration step moves its latent value by no more than this
/// is pinned (at a limit or the sign boundary): it stops holding calibration
/// open.
const STALL: f64 = 1e-6;
/// Bisection rounds that walk an infeasible pair's latent value back toward 0.
const BISECT_ROUNDS: usize = 6;

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
    /// The pilot's realised correlation with the calibrated copula (of the
    /// kind the pair targets).
    pub pilot_realized: f64,
    /// What the coefficient targets.
    pub target: CorrelationTarget,
    /// Whether no valid copula reaches the request (the closest was used).
    pub infeasible: bool,
    /// The lowest and highest pilot correlations calibration observed with
    /// latent values of the declared sign (for an infeasible pair: from no
    /// copula help to the best reachable).
    pub reachable: (f64, f64),
}

/// The load-time projection of one slot's requested matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectionRecord {
    /// Slot: 0 = baseline, i + 1 = `connection_phases[i]`.
    pub slot: usize,
    /// Whether the requested matrix had to change.
    pub adjusted: bool,
    /// Whether the alternating projections converged.
    pub converged: bool,
    /// Frobenius distance between the requested and the projected matrix.
    pub distance: f64,
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
    /// What each declared pair's coefficient targets.
    pub(crate) kinds: Vec<CorrelationTarget>,
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
    /// The latent (copula) correlation matrix of each slot, as used.
    pub latent: Vec<DMatrix<f64>>,
    /// The load-time projection of each slot's requested matrix.
    pub projections: Vec<ProjectionRecord>,
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
    let kinds = |pairs: &[plotsim_config::plan::CorrelationPair]| {
        pairs.iter().map(|p| p.target).collect::<Vec<_>>()
    };
    let mut slots = vec![Slot {
        periods: vec![true; n],
        pairs: plan.correlations.iter().map(base).collect(),
        kinds: kinds(&plan.correlations),
    }];
    for ph in &plan.phases {
        let mut periods = vec![false; n];
        let span = ph.start_period as usize..=(ph.end_period as usize).min(n - 1);
        periods[span.clone()].fill(true);
        slots[0].periods[span].fill(false);
        // A phase without pairs keeps the baseline's correlations.
        let (pairs, kinds) = if ph.pairs.is_empty() {
            (slots[0].pairs.clone(), slots[0].kinds.clone())
        } else {
            (ph.pairs.iter().map(base).collect(), kinds(&ph.pairs))
        };
        slots.push(Slot {
            periods,
            pairs,
            kinds,
        });
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
/// The first round keeps each pilot entity's cell draws in `kept`; later
/// rounds replay them (the draws do not depend on the copula, so a replay
/// gives exactly the values fresh streams would).
fn measure(
    ctx: &EngineCtx,
    slots: &[Slot],
    factors: &Factors,
    pilot: &[(u64, super::entities::Entity)],
    kept: &mut Vec<CellDraws>,
) -> Vec<Vec<PairMoments>> {
    let per_entity: Vec<Vec<Vec<PairMoments>>> = if kept.is_empty() {
        let (moments, recorded): (Vec<_>, Vec<_>) = pilot
            .par_iter()
            .map(|(replica, e)| {
                let (panel, draws) = record_entity(ctx, factors, e, *replica);
                (accumulate(&panel, slots), draws)
            })
            .unzip();
        *kept = recorded;
        moments
    } else {
        pilot
            .par_iter()
            .zip(kept.par_iter())
            .map(|((_, e), draws)| accumulate(&replay_entity(ctx, factors, e, draws), slots))
            .collect()
    };
    let mut total: Vec<Vec<PairMoments>> = slots
        .iter()
        .map(|s| vec![PairMoments::default(); s.pairs.len()])
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

/// The moments of every declared pair of every slot over one entity.
pub(crate) fn accumulate(panel: &EntityPanel, slots: &[Slot]) -> Vec<Vec<PairMoments>> {
    slots
        .iter()
        .map(|s| pair_moments(panel, &s.periods, s.pairs.iter().map(|&(a, b, _)| (a, b))))
        .collect()
}

/// The moments of `pairs` over one entity's periods where `periods` is set
/// (a period outside the slot breaks the chain of differences).
pub(crate) fn pair_moments(
    panel: &EntityPanel,
    periods: &[bool],
    pairs: impl Iterator<Item = (usize, usize)>,
) -> Vec<PairMoments> {
    let series = EntitySeries::new(&panel.values, panel.positions.len(), Some(periods));
    pairs.map(|(a, b)| series.pair(a, b)).collect()
}

/// The seed of the calibration pilot's own draws and entities: calibration
/// depends on the config, not on the run seed.
const PILOT_SEED: u64 = 0x5EED_CA1B_0000_0001;

/// Runs the once-per-run set-up for `plan` with the run seed.
///
/// The copula calibration depends on the plan only (its pilot draws from
/// a fixed pilot seed), so the last few calibrations are kept per process: a
/// fixture generated again with the same config, whatever the seed (every
/// test of a suite calling `T::generate(seed)`, a loop over seeds), skips the
/// pilot and gets the values a fresh process would.
pub fn prepare(plan: &Plan, seed: u64) -> Prepared {
    use std::sync::{Mutex, PoisonError};
    /// Entries kept; a Prepared is small (matrices and records, no panels).
    const KEEP: usize = 8;
    static CACHE: Mutex<Vec<(String, Prepared)>> = Mutex::new(Vec::new());
    // The key: the plan without its seed (the run seed does not calibrate).
    let key = {
        let mut p = plan.clone();
        p.settings.seed = None;
        p.config.seed = None;
        format!("{p:?}")
    };
    let cached = {
        let cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
        cache
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, p)| p.clone())
    };
    let mut prepared = match cached {
        Some(p) => p,
        None => {
            let p = calibrate(plan);
            let mut cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
            if cache.len() >= KEEP {
                cache.remove(0);
            }
            cache.push((key, p.clone()));
            p
        }
    };
    // The context's tables (quantile tables, curves) do not depend on the
    // seed; only its seed field does.
    prepared.ctx.seed = seed;
    prepared.entities = Entities::new(plan, seed);
    prepared
}

/// The set-up with the pilot's seed: projection and calibration (the
/// caller puts the run seed's context and entities in).
fn calibrate(plan: &Plan) -> Prepared {
    let seed = PILOT_SEED;
    let ctx = EngineCtx::new(plan, seed);
    let entities = Entities::new(plan, seed);
    let m = ctx.n_metrics();
    let slots = slots(plan);
    let n = plan.window.n_periods as usize;
    let slot_of_period: Vec<usize> = (0..n)
        .map(|t| slots.iter().rposition(|s| s.periods[t]).unwrap_or(0))
        .collect();
    let requested: Vec<DMatrix<f64>> = slots.iter().map(|s| assemble(m, &s.pairs)).collect();
    let limits: Vec<Limits> = slots
        .iter()
        .map(|s| Limits::declared(m, &s.pairs))
        .collect();
    let projected_all: Vec<_> = requested
        .iter()
        .zip(&limits)
        .map(|(r, l)| nearest_correlation(r, l))
        .collect();
    let projection_converged = projected_all.iter().all(|p| p.converged);
    let projections: Vec<ProjectionRecord> = projected_all
        .iter()
        .enumerate()
        .map(|(slot, p)| ProjectionRecord {
            slot,
            adjusted: p.adjusted,
            converged: p.converged,
            distance: p.distance,
        })
        .collect();
    let projected: Vec<DMatrix<f64>> = projected_all.into_iter().map(|p| p.matrix).collect();
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
    let pilot_cells = total
        .saturating_mul(per_entity_cells)
        .saturating_mul(PILOT_RUN_FACTOR)
        .clamp(PILOT_MIN_CELLS, PILOT_CELLS);
    let pilot_n = total.min(pilot_cells.div_ceil(per_entity_cells).max(200));
    let sampled: Vec<_> = (0..pilot_n)
        .map(|j| entities.get(plan, seed, j * total / pilot_n.max(1)))
        .collect();
    let active: u64 = sampled
        .iter()
        .map(|e| per_entity_cells - u64::from(e.start_period))
        .sum();
    let replicas = pilot_cells.div_ceil(active.max(1)).clamp(1, 64);
    let pilot: Vec<(u64, _)> = (0..replicas)
        .flat_map(|r| sampled.iter().map(move |e| (r, e.clone())))
        .collect();

    let has_pairs = slots.iter().any(|s| !s.pairs.is_empty());
    let mut rounds = 0;
    let mut realized: Correlations = slots.iter().map(|s| vec![0.0; s.pairs.len()]).collect();
    let mut reach: Vec<Vec<(f64, f64)>> = slots
        .iter()
        .map(|s| vec![(f64::INFINITY, f64::NEG_INFINITY); s.pairs.len()])
        .collect();
    if has_pairs && m >= 2 && !pilot.is_empty() {
        let mut kept = Vec::new();
        // One pilot measurement: the targeted correlation of every declared
        // pair, and the (correlation, cells) seen so far per pair.
        let mut probe =
            |mats: &[DMatrix<f64>], rounds: &mut usize| -> (Correlations, Vec<Vec<f64>>) {
                *rounds += 1;
                let measured = measure(&ctx, &slots, &build(mats), &pilot, &mut kept);
                let mut r = Vec::new();
                let mut cells = Vec::new();
                for (si, s) in slots.iter().enumerate() {
                    let rs: Vec<f64> = measured[si]
                        .iter()
                        .zip(&s.kinds)
                        .map(|(x, &k)| x.get(k).unwrap_or(0.0))
                        .collect();
                    for (pi, &v) in rs.iter().enumerate() {
                        let e = &mut reach[si][pi];
                        *e = (e.0.min(v), e.1.max(v));
                    }
                    cells.push(measured[si].iter().map(PairMoments::n).collect());
                    r.push(rs);
                }
                (r, cells)
            };
        let mut prev: Option<(Matrices, Correlations)> = None;
        // Slots (the baseline and each phase) cover disjoint periods, so each
        // keeps its own best round: an unreachable pair in one phase does not
        // hold back the others. A round's score is its slot's sum of squared
        // errors.
        let mut best: Vec<Option<BestRound>> = vec![None; slots.len()];
        let mut cells: Vec<Vec<f64>> = Vec::new();
        while rounds < MAX_ROUNDS {
            let (r, c) = probe(&current, &mut rounds);
            cells = c;
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
            // Secant step per pair (the first round assumes a slope of 1),
            // kept to the declared sign, then projected within the limits.
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
                    let (lo, hi) = sign_interval(target);
                    let v = (c + (target - r[si][pi]) / slope).clamp(lo, hi);
                    next[si][(a, b)] = v;
                    next[si][(b, a)] = v;
                }
                next[si] = nearest_correlation(&next[si], &limits[si]).matrix;
            }
            // Converged: every pair is within the tolerance or pinned (its
            // step no longer moves it: held at a limit or at the sign
            // boundary). More rounds would only refine the converged pairs
            // past what the pilot can tell.
            let settled = slots.iter().enumerate().all(|(si, s)| {
                s.pairs.iter().enumerate().all(|(pi, &(a, b, target))| {
                    (target - r[si][pi]).abs() <= TOLERANCE
                        || (next[si][(a, b)] - current[si][(a, b)]).abs() <= STALL
                })
            });
            prev = Some((current, r));
            current = next;
            if settled {
                break;
            }
        }
        for (si, b) in best.into_iter().enumerate() {
            if let Some((_, mat, r)) = b {
                current[si] = mat;
                realized[si] = r;
            }
        }
        // An infeasible pair stops at the boundary: the least extreme latent
        // value whose pilot correlation is within one standard error of the
        // best one reached (bisection between 0 and the best latent value).
        let mut walk: Vec<(usize, usize, f64, f64, f64, f64)> = Vec::new();
        for (si, s) in slots.iter().enumerate() {
            for (pi, &(a, b, target)) in s.pairs.iter().enumerate() {
                let r_best = realized[si][pi];
                let latent = current[si][(a, b)];
                if (r_best - target).abs() > INFEASIBLE_GAP && latent != 0.0 {
                    let n_cells = cells
                        .get(si)
                        .and_then(|c| c.get(pi))
                        .copied()
                        .unwrap_or(1.0);
                    let se = (1.0 - r_best * r_best) / n_cells.max(4.0).sqrt();
                    walk.push((si, pi, 0.0, latent, r_best, se));
                }
            }
        }
        if !walk.is_empty() {
            for _ in 0..BISECT_ROUNDS {
                let mut trial = current.clone();
                for &(si, pi, lo, hi, _, _) in &walk {
                    let (a, b, _) = slots[si].pairs[pi];
                    let mid = 0.5 * (lo + hi);
                    trial[si][(a, b)] = mid;
                    trial[si][(b, a)] = mid;
                }
                let trial: Matrices = trial
                    .iter()
                    .zip(&limits)
                    .map(|(t, l)| nearest_correlation(t, l).matrix)
                    .collect();
                let (r, _) = probe(&trial, &mut rounds);
                for w in &mut walk {
                    let (si, pi, lo, hi, r_best, se) = *w;
                    let mid = 0.5 * (lo + hi);
                    if (r[si][pi] - r_best).abs() <= se {
                        *w = (si, pi, lo, mid, r_best, se);
                    } else {
                        *w = (si, pi, mid, hi, r_best, se);
                    }
                }
            }
            for &(si, pi, _, hi, _, _) in &walk {
                let (a, b, _) = slots[si].pairs[pi];
                current[si][(a, b)] = hi;
                current[si][(b, a)] = hi;
            }
            for (c, l) in current.iter_mut().zip(&limits) {
                *c = nearest_correlation(c, l).matrix;
            }
            // Record what the matrix actually used realises on the pilot.
            realized = probe(&current, &mut rounds).0;
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
            let seen = reach[si][pi];
            pairs.push(PairRecord {
                slot: si,
                a,
                b,
                requested: target,
                projected: projected[si][(a, b)],
                calibrated,
                pilot_realized,
                target: s.kinds[pi],
                infeasible,
                reachable: if seen.0 <= seen.1 {
                    seen
                } else {
                    (pilot_realized, pilot_realized)
                },
            });
        }
    }
    Prepared {
        ctx,
        entities,
        factors,
        latent: current,
        projections,
        pairs,
        calibration_rounds: rounds,
        pilot_entities: pilot.len() as u64,
        slots,
        projection_converged,
    }
}
