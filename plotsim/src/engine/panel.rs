//! The per-entity engine: positions, then metric values, for one entity over
//! the whole window. This is the only place values are made; the run, the
//! calibration pilot and (later) the trace all call [`generate_entity`].

use plotsim_config::plan::{FamilyParams, MetricPlan, NoiseDistribution, NoisePlan, Plan};
use plotsim_config::{BaselineLevel, MetricType, Polarity};

use super::correlation::Lower;
use super::distribution::{self as dist, Marginal, round_half_even};
use super::entities::Entity;
use super::rng::{Part, Stream, Words, stream};
use super::trajectory::{self, CurveSegment};

/// Per-metric settings resolved for generation.
#[derive(Debug, Clone)]
pub(crate) struct MetricRt {
    pub(crate) name: String,
    pub(crate) marginal: Marginal,
    pub(crate) sampler: dist::Sampler,
    pub(crate) params: FamilyParams,
    pub(crate) polarity: Polarity,
    pub(crate) count: bool,
    pub(crate) sensitivity: f64,
    pub(crate) lag: Option<plotsim_config::plan::LagPlan>,
}

/// Per-segment settings resolved for generation.
#[derive(Debug, Clone)]
pub(crate) struct SegmentRt {
    pub(crate) name: String,
    pub(crate) curves: Vec<CurveSegment>,
    /// Effective range per metric (the baseline third, or the metric's range).
    pub(crate) ranges: Vec<Option<(f64, f64)>>,
    /// Position band per metric without a range (counts): the baseline third
    /// of positions its centre moves in.
    pub(crate) bands: Vec<Option<(f64, f64)>>,
    /// Per metric: with range truncation, a baseline band holds the cell's
    /// centre too (`lo + p·(hi - lo)` of the band) for the families whose
    /// centre does not read the range (lognorm, gamma, normal), so their
    /// draws fill the band instead of crowding at its edge.
    pub(crate) band_centred: Vec<bool>,
    pub(crate) sensitivity: f64,
    /// (lift, start period, target metric index) for treated entities.
    pub(crate) lift: Option<(f64, u32, Option<usize>)>,
}

/// Which copula factor applies in each period.
#[derive(Debug, Clone, Default)]
pub struct Factors {
    /// Factor per slot (None = independent metrics).
    pub(crate) slots: Vec<Option<Lower>>,
    /// Slot index per period.
    pub(crate) slot_of_period: Vec<usize>,
}

/// Everything the per-entity engine needs, resolved once per run.
#[derive(Debug, Clone)]
pub struct EngineCtx {
    pub(crate) seed: u64,
    pub(crate) n_periods: usize,
    pub(crate) metrics: Vec<MetricRt>,
    pub(crate) lag_order: Vec<usize>,
    pub(crate) segments: Vec<SegmentRt>,
    pub(crate) seasonal: Vec<f64>,
    pub(crate) noise: NoisePlan,
    pub(crate) variation: Option<plotsim_config::Variation>,
    /// Draw inside ranges (truncated inverse CDF) instead of clamping.
    pub(crate) truncate: bool,
}

/// The third of [0, 1] a baseline level selects.
fn third(level: BaselineLevel) -> (f64, f64) {
    match level {
        BaselineLevel::High => (2.0 / 3.0, 1.0),
        BaselineLevel::Mid => (1.0 / 3.0, 2.0 / 3.0),
        BaselineLevel::Low => (0.0, 1.0 / 3.0),
    }
}

/// A baseline narrows a bounded metric's range to a third of it.
fn effective_range(m: &MetricPlan, level: Option<BaselineLevel>) -> Option<(f64, f64)> {
    let (lo, hi) = m.range?;
    let Some((a, b)) = level.map(third) else {
        return Some((lo, hi));
    };
    Some((lo + a * (hi - lo), lo + b * (hi - lo)))
}

/// A baseline on a metric without a range (a count) moves its centre within a
/// third of the positions instead (the original ignored it).
fn position_band(m: &MetricPlan, level: Option<BaselineLevel>) -> Option<(f64, f64)> {
    if m.range.is_some() {
        None
    } else {
        level.map(third)
    }
}

fn baseline_of(s: &plotsim_config::plan::SegmentPlan, metric: usize) -> Option<BaselineLevel> {
    s.baseline
        .iter()
        .find(|(j, _)| *j == metric)
        .map(|(_, l)| *l)
}

impl EngineCtx {
    /// Resolves a plan for generation with a run seed.
    pub fn new(plan: &Plan, seed: u64) -> Self {
        let truncate = plan.settings.realism.range == plotsim_config::RangeHandling::Truncate;
        let metrics = plan
            .metrics
            .iter()
            .map(|m| MetricRt {
                name: m.name.clone(),
                marginal: Marginal::new(&m.family_params),
                sampler: dist::Sampler::new(Marginal::new(&m.family_params)),
                params: m.family_params,
                polarity: m.polarity,
                count: m.kind == MetricType::Count,
                sensitivity: m.seasonal_sensitivity,
                lag: m.lag.clone(),
            })
            .collect();
        let segments = plan
            .segments
            .iter()
            .map(|s| SegmentRt {
                name: s.name.clone(),
                curves: trajectory::segments_with(
                    &s.archetype,
                    plan.window.n_periods,
                    plan.settings.realism.joins == plotsim_config::JoinMode::Continuous,
                ),
                ranges: plan
                    .metrics
                    .iter()
                    .enumerate()
                    .map(|(i, m)| effective_range(m, baseline_of(s, i)))
                    .collect(),
                band_centred: plan
                    .metrics
                    .iter()
                    .enumerate()
                    .map(|(i, m)| {
                        truncate
                            && m.range.is_some()
                            && baseline_of(s, i).is_some()
                            && matches!(
                                m.family_params,
                                FamilyParams::Lognorm { .. }
                                    | FamilyParams::Gamma { .. }
                                    | FamilyParams::Normal { .. }
                            )
                    })
                    .collect(),
                bands: plan
                    .metrics
                    .iter()
                    .enumerate()
                    .map(|(i, m)| position_band(m, baseline_of(s, i)))
                    .collect(),
                sensitivity: s.seasonal_sensitivity,
                lift: s
                    .treatment_plan
                    .as_ref()
                    .map(|t| (t.lift_log_odds, t.start_period, t.target)),
            })
            .collect();
        EngineCtx {
            seed,
            n_periods: plan.window.n_periods as usize,
            metrics,
            lag_order: plan.lag_order.clone(),
            segments,
            seasonal: plan.seasonality.factors.clone(),
            noise: plan.settings.noise.clone(),
            variation: plan.variation,
            truncate,
        }
    }

    /// Number of metrics.
    pub fn n_metrics(&self) -> usize {
        self.metrics.len()
    }
}

/// What one entity drew from the `variation` block.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct EntityVariation {
    // Fields in the manifest's (sorted) key order: see `ArchetypeAssignment`.
    /// The stretch `a`: positions are `0.5 + (1 + a)(p - 0.5)`, before the level shift.
    pub amplitude: f64,
    /// The segment whose archetype is mixed in (index into the plan's
    /// segments; `None` without a blend).
    #[serde(skip)]
    pub blend_segment: Option<usize>,
    /// Its weight: positions are `(1 - w) own + w other`, before stretch and level.
    pub blend_weight: f64,
    /// The name of that segment.
    pub blend_with: Option<String>,
    /// The shift added to every position (then clamped to [0, 1]).
    pub level: f64,
    /// The factor on the jitter sigma.
    pub noise_scale: f64,
    /// Periods every change point moved by.
    pub timing_shift: i64,
}

impl EntityVariation {
    /// The entity's draws, from its own stream `("variation", segment, index)`
    /// (drawn in a fixed order whatever the settings, so changing one knob
    /// moves no other draw).
    fn draw(ctx: &EngineCtx, v: &plotsim_config::Variation, segment: usize, index: u64) -> Self {
        let mut s = stream(
            ctx.seed,
            &[
                Part::Str("variation"),
                Part::Str(&ctx.segments[segment].name),
                Part::U64(index),
            ],
        );
        let span = 2 * u64::from(v.timing) + 1;
        let timing_shift = s.below(span) as i64 - i64::from(v.timing);
        let amplitude = v.amplitude * (2.0 * s.uniform() - 1.0);
        let level = v.level * (2.0 * s.uniform() - 1.0);
        let g = s.normal();
        let others = ctx.segments.len() as u64 - 1;
        let other = s.below(others.max(1)) as usize;
        let other = other + usize::from(other >= segment);
        let blend_weight = v.blend * s.uniform();
        let blend_segment = (others > 0 && blend_weight > 0.0).then_some(other);
        EntityVariation {
            timing_shift,
            amplitude,
            level,
            noise_scale: if v.noise > 0.0 {
                libm::exp(v.noise * g)
            } else {
                1.0
            },
            blend_segment,
            blend_with: blend_segment.map(|o| ctx.segments[o].name.clone()),
            blend_weight: if blend_segment.is_some() {
                blend_weight
            } else {
                0.0
            },
        }
    }

    /// Applies the blend, stretch and level shift to the active positions.
    fn apply(&self, ctx: &EngineCtx, start_period: u32, x: &mut [f64]) {
        if let Some(o) = self.blend_segment {
            let mut other = vec![0.0; x.len()];
            trajectory::positions_shifted(
                &ctx.segments[o].curves,
                start_period,
                self.timing_shift,
                &mut other,
            );
            let w = self.blend_weight;
            for (p, q) in x.iter_mut().zip(&other) {
                if !p.is_nan() {
                    *p = (1.0 - w) * *p + w * q;
                }
            }
        }
        if self.amplitude == 0.0 && self.level == 0.0 {
            return;
        }
        for p in x.iter_mut().filter(|p| !p.is_nan()) {
            *p = (0.5 + (1.0 + self.amplitude) * (*p - 0.5) + self.level).clamp(0.0, 1.0);
        }
    }
}

/// Per-metric counts of what the engine did to values: notes the kernel
/// keeps while it makes an entity's cells, which the answer key folds.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
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

impl MetricCounts {
    /// Adds another count.
    pub fn merge(&mut self, b: &MetricCounts) {
        self.cells += b.cells;
        self.nulls += b.nulls;
        self.outliers += b.outliers;
        self.clamped_low += b.clamped_low;
        self.clamped_high += b.clamped_high;
    }
}

/// One entity's panel: trajectory positions and realised values.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityPanel {
    /// The entity.
    pub entity: Entity,
    /// Its draws from the `variation` block, when there is one.
    pub variation: Option<EntityVariation>,
    /// Raw trajectory position per period (NaN before arrival).
    pub positions: Vec<f64>,
    /// Values, metric-major: `values[m * n_periods + t]`; NaN = null or inactive.
    pub values: Vec<f64>,
    /// What the engine did to each metric's cells, in plan order.
    pub counts: Vec<MetricCounts>,
}

impl EntityPanel {
    /// The mean trajectory position over the entity's active periods (None
    /// when it has none).
    pub fn mean_position(&self) -> Option<f64> {
        let start = (self.entity.start_period as usize).min(self.positions.len());
        let active: Vec<f64> = self.positions[start..]
            .iter()
            .copied()
            .filter(|x| !x.is_nan())
            .collect();
        (!active.is_empty()).then(|| active.iter().sum::<f64>() / active.len() as f64)
    }

    /// The value of metric `m` in period `t` (None for null or inactive).
    pub fn value(&self, m: usize, t: usize) -> Option<f64> {
        let n = self.positions.len();
        let v = self.values[m * n + t];
        (!v.is_nan()).then_some(v)
    }
}

/// What happened to one cell, for tracing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellTrace {
    /// Entity ordinal.
    pub entity: u64,
    /// Period index.
    pub period: usize,
    /// Metric index.
    pub metric: usize,
    /// Raw trajectory position.
    pub position: f64,
    /// Position after lag and treatment.
    pub effective_position: f64,
    /// The position the centre is placed at: after polarity (1 − position
    /// for a negative metric) and a count's baseline band.
    pub centre_position: f64,
    /// Centre before seasonality.
    pub centre: f64,
    /// Effective seasonal strength (S·metric sensitivity·entity sensitivity).
    pub seasonal: f64,
    /// Centre after seasonality.
    pub modulated_centre: f64,
    /// The metric's own (independent) normal score.
    pub independent_z: f64,
    /// The normal score after the copula (equal to `independent_z` without
    /// correlations).
    pub z: f64,
    /// Value from the marginal, before noise.
    pub drawn: f64,
    /// Value after jitter and outliers, before the clamp (NaN when nulled).
    pub noised: f64,
    /// Whether an outlier replaced the value.
    pub outlier: bool,
    /// Whether the cell was nulled.
    pub null: bool,
    /// -1 if clamped up to the range minimum, 1 if down to the maximum, else 0.
    pub clamped: i8,
    /// Final value (NaN when null).
    pub value: f64,
}

/// Receives every cell the engine makes; the production run passes [`NoTrace`].
pub trait CellObserver {
    /// Called once per (period, metric) cell of an active period.
    fn cell(&mut self, trace: &CellTrace);
}

/// The observer that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoTrace;

impl CellObserver for NoTrace {
    #[inline]
    fn cell(&mut self, _: &CellTrace) {}
}

fn logistic(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + libm::exp(-x))
    } else {
        let e = libm::exp(x);
        e / (1.0 + e)
    }
}

/// Effective positions per metric: lag blend (drivers before followers), then
/// the treatment lift.
fn effective_positions(ctx: &EngineCtx, seg: &SegmentRt, entity: &Entity, x: &[f64]) -> Vec<f64> {
    let n = x.len();
    let start = entity.start_period as usize;
    let mut eff = vec![f64::NAN; ctx.metrics.len() * n];
    let lifted = entity.treated && seg.lift.is_some_and(|(lift, _, _)| lift != 0.0);
    for &m in &ctx.lag_order {
        if ctx.metrics[m].lag.is_none() && !lifted {
            // Neither blended nor lifted: the positions themselves.
            eff[m * n + start.min(n)..(m + 1) * n].copy_from_slice(&x[start.min(n)..]);
            continue;
        }
        for t in start..n {
            let mut e = x[t];
            if let Some(lag) = &ctx.metrics[m].lag {
                let k = lag.delay as usize;
                let driver = &eff[lag.driver * n..(lag.driver + 1) * n];
                if t >= k {
                    let w = lag.decay_window.unwrap_or(1) as usize;
                    let (mut num, mut den) = (0.0, 0.0);
                    for s in 0..w {
                        let Some(at) = (t - k).checked_sub(s) else {
                            break;
                        };
                        let d = driver[at];
                        if d.is_nan() {
                            continue;
                        }
                        let weight = match (lag.decay_window, lag.decay_kernel) {
                            (None, _) => 1.0,
                            (Some(_), plotsim_config::DecayKernel::Geometric) => {
                                libm::pow(0.5, s as f64)
                            }
                            (Some(win), plotsim_config::DecayKernel::Linear) => {
                                (win as usize - s) as f64
                            }
                        };
                        num += weight * d;
                        den += weight;
                    }
                    if den > 0.0 {
                        e = num / den;
                    }
                }
            }
            if entity.treated
                && let Some((lift, t0, target)) = seg.lift
                && lift != 0.0
                && t >= t0 as usize
                && target.is_none_or(|tm| tm == m)
            {
                let c = e.clamp(1e-12, 1.0 - 1e-12);
                e = logistic(libm::log(c / (1.0 - c)) + lift);
            }
            eff[m * n + t] = e;
        }
    }
    eff
}

/// Which random streams an entity's values are drawn from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Draws {
    /// The dataset: streams `("metric", segment, index, metric)`.
    Run,
    /// Calibration pilot replica r: streams `("pilot", r, segment, index,
    /// metric)`, never shared with the data they calibrate.
    Pilot(u64),
}

/// The metric streams of an entity, one per metric, keyed by names.
fn metric_streams(ctx: &EngineCtx, draws: Draws, seg: &SegmentRt, entity: &Entity) -> Vec<Stream> {
    ctx.metrics
        .iter()
        .map(|m| {
            let (seg, index, metric) = (
                Part::Str(&seg.name),
                Part::U64(entity.index),
                Part::Str(&m.name),
            );
            match draws {
                Draws::Run => stream(ctx.seed, &[Part::Str("metric"), seg, index, metric]),
                Draws::Pilot(r) => stream(
                    ctx.seed,
                    &[Part::Str("pilot"), Part::U64(r), seg, index, metric],
                ),
            }
        })
        .collect()
}

/// Range truncation when the cell's whole distribution lies beyond a bound
/// (more than 1 - 1e-10 of its mass outside, past the score clip): the value
/// comes from an exponential tail just inside that bound, `lo + 2 % of the
/// range x E` with `E = -ln(1 - Φ(z))` from the cell's own score (mirrored at
/// the top), so it still varies with the score and never sits on the bound.
fn tail_inside(drawn: f64, z: f64, lo: f64, hi: f64) -> f64 {
    let width = hi - lo;
    if drawn < lo {
        let e = -libm::log(dist::normal::sf(z).max(f64::MIN_POSITIVE));
        (lo + width * (0.02 * e).min(0.5)).min(hi)
    } else if drawn > hi {
        let e = -libm::log(dist::normal::cdf(z).max(f64::MIN_POSITIVE));
        (hi - width * (0.02 * e).min(0.5)).max(lo)
    } else {
        drawn
    }
}

/// Every draw of an entity's cells, taken from the metric streams before any
/// value is made (none of them depends on a value or on the copula, so the
/// calibration pilot keeps them and replays its entities with other
/// factors). Stream `m` gives, for the periods from the entity's arrival,
/// the cells' copula scores, then their noise draws (when the config has
/// noise), then the outlier cells, each as the gap to it ([`gap`]) followed
/// by the outlier's size, then the MCAR cells, as gaps. All indexed
/// metric-major like the panel's values.
#[derive(Debug, Clone)]
pub(crate) struct CellDraws {
    /// Independent normal score per cell.
    z: Vec<f64>,
    /// Noise draw per cell (0 without noise).
    noise: Vec<f64>,
    /// The outlier's size draw where one fires, NaN elsewhere.
    outlier: Vec<f64>,
    /// Whether the cell is nulled (MCAR).
    null: Vec<bool>,
}

impl CellDraws {
    fn take(noise: &NoisePlan, streams: Vec<Stream>, start: usize, n: usize) -> Self {
        let cells = streams.len() * n;
        let mut d = CellDraws {
            z: vec![0.0; cells],
            noise: vec![0.0; cells],
            outlier: vec![f64::NAN; cells],
            null: vec![false; cells],
        };
        let outlier = Gaps::new(noise.outlier_rate);
        let mcar = Gaps::new(noise.mcar_rate);
        for (m, s) in streams.into_iter().enumerate() {
            let mut s = s.words();
            let cells = m * n + start..(m + 1) * n;
            for z in &mut d.z[cells.clone()] {
                *z = s.normal();
            }
            if noise.gaussian_sigma > 0.0 {
                for e in &mut d.noise[cells] {
                    *e = match noise.family {
                        NoiseDistribution::Gaussian => s.normal(),
                        NoiseDistribution::StudentT { degrees_of_freedom } => {
                            dist::student_t(&mut s, degrees_of_freedom)
                        }
                        NoiseDistribution::Laplace => dist::laplace(s.uniform()),
                    };
                }
            }
            let at = m * n;
            outlier.each(&mut s, start, n, |s, t| d.outlier[at + t] = s.uniform());
            mcar.each(&mut s, start, n, |_, t| d.null[at + t] = true);
        }
        d
    }
}

/// The cells of a per-cell Bernoulli(rate) event (an outlier, an MCAR
/// null), found by geometric gaps: one draw per event instead of one test
/// per cell, with the same distribution (the gap before the next event is
/// `G = ⌊ln U / ln(1 - rate)⌋`, so `P(G ≥ k) = (1 - rate)^k`).
#[derive(Debug, Clone, Copy)]
struct Gaps {
    /// `ln(1 - rate)`; `None` for rate 0 (no events, no draws).
    ln_keep: Option<f64>,
}

impl Gaps {
    fn new(rate: f64) -> Self {
        Gaps {
            ln_keep: (rate > 0.0).then(|| libm::log1p(-rate.min(1.0))),
        }
    }

    /// Calls `event` on each event cell of periods `start..n`, in order.
    fn each(self, s: &mut Words, start: usize, n: usize, mut event: impl FnMut(&mut Words, usize)) {
        let Some(ln_keep) = self.ln_keep else {
            return;
        };
        let mut t = start;
        while t < n {
            let g = gap(s, ln_keep);
            if g >= (n - t) as f64 {
                return;
            }
            t += g as usize;
            event(s, t);
            t += 1;
        }
    }
}

/// The number of cells before the next event, `⌊ln U / ln(1 - rate)⌋` (0
/// for every cell when the rate is 1; any size past the window means none).
fn gap(s: &mut Words, ln_keep: f64) -> f64 {
    let u = s.uniform();
    if ln_keep == f64::NEG_INFINITY {
        return 0.0;
    }
    (libm::log(u) / ln_keep).floor()
}

/// The copula's correlated scores from the independent ones (metric-major
/// like `z`), each run of periods with the same factor at once.
fn copula_scores(factors: &Factors, z: &[f64], n: usize, start: usize) -> Vec<f64> {
    let mut y = z.to_vec();
    let mut t0 = start;
    while t0 < n {
        let slot = factors.slot_of_period.get(t0);
        let t1 = (t0 + 1..n)
            .find(|&t| factors.slot_of_period.get(t) != slot)
            .unwrap_or(n);
        if let Some(l) = slot
            .and_then(|&i| factors.slots.get(i))
            .and_then(Option::as_ref)
        {
            l.apply_series(z, &mut y, n, t0..t1);
        }
        t0 = t1;
    }
    y
}

/// Applies cell `i`'s jitter, outlier and MCAR null ([`CellDraws`]) to a
/// drawn value. Returns the value (NaN when nulled) and whether an outlier
/// fired.
///
/// With `inside` (range truncation), jitter that leaves the range is
/// reflected back at the bound, and an outlier beyond a bound lands between
/// the value and that bound (in its outer half), so nothing lands on a bound.
fn add_noise(
    scale_with_trajectory: bool,
    sigma: f64,
    draws: &CellDraws,
    i: usize,
    v: f64,
    position: f64,
    inside: Option<(f64, f64)>,
) -> (f64, bool) {
    let mut v = v;
    if sigma > 0.0 {
        let scale = if scale_with_trajectory {
            sigma * position
        } else if v == 0.0 {
            sigma
        } else {
            sigma * v.abs()
        };
        v += scale * draws.noise[i];
        if let Some((lo, hi)) = inside {
            if v < lo {
                v = (2.0 * lo - v).min(hi);
            } else if v > hi {
                v = (2.0 * hi - v).max(lo);
            }
        }
    }
    let f = draws.outlier[i];
    let outlier = !f.is_nan();
    if outlier {
        let mag = if v == 0.0 { 1.0 } else { v.abs() };
        let sign = if v < 0.0 { -1.0 } else { 1.0 };
        let out = sign * mag * (3.0 + 7.0 * f);
        v = match inside {
            Some((lo, _)) if out < lo => v + (lo - v) * (0.5 + 0.5 * f),
            Some((_, hi)) if out > hi => v + (hi - v) * (0.5 + 0.5 * f),
            _ => out,
        };
    }
    if draws.null[i] {
        return (f64::NAN, outlier);
    }
    (v, outlier)
}

/// Generates one entity over the whole window.
///
/// `draws` names the random streams (the run's, or a calibration pilot's).
pub fn generate_entity<O: CellObserver>(
    ctx: &EngineCtx,
    factors: &Factors,
    entity: &Entity,
    draws: Draws,
    obs: &mut O,
) -> EntityPanel {
    let cells = entity_draws(ctx, draws, entity);
    generate_entity_from(ctx, factors, entity, &cells, obs)
}

/// Every cell draw of an entity, from its metric streams.
fn entity_draws(ctx: &EngineCtx, draws: Draws, entity: &Entity) -> CellDraws {
    let seg = &ctx.segments[entity.segment];
    let streams = metric_streams(ctx, draws, seg, entity);
    let start = (entity.start_period as usize).min(ctx.n_periods);
    CellDraws::take(&ctx.noise, streams, start, ctx.n_periods)
}

/// The pilot's first round: generates an entity from pilot replica
/// `replica`'s streams, and returns its draws too (for [`replay_entity`]).
pub(crate) fn record_entity(
    ctx: &EngineCtx,
    factors: &Factors,
    entity: &Entity,
    replica: u64,
) -> (EntityPanel, CellDraws) {
    let cells = entity_draws(ctx, Draws::Pilot(replica), entity);
    let panel = generate_entity_from(ctx, factors, entity, &cells, &mut NoTrace);
    (panel, cells)
}

/// The pilot's later rounds: the same entity from its recorded draws (which
/// do not depend on the copula factors), with other factors.
pub(crate) fn replay_entity(
    ctx: &EngineCtx,
    factors: &Factors,
    entity: &Entity,
    cells: &CellDraws,
) -> EntityPanel {
    generate_entity_from(ctx, factors, entity, cells, &mut NoTrace)
}

/// The kernel: one entity over the whole window from its cells' draws.
fn generate_entity_from<O: CellObserver>(
    ctx: &EngineCtx,
    factors: &Factors,
    entity: &Entity,
    draws: &CellDraws,
    obs: &mut O,
) -> EntityPanel {
    let n = ctx.n_periods;
    let m_count = ctx.metrics.len();
    let seg = &ctx.segments[entity.segment];
    let mut x = vec![0.0; n];
    let variation = ctx
        .variation
        .as_ref()
        .map(|v| EntityVariation::draw(ctx, v, entity.segment, entity.index));
    let shift = variation.as_ref().map_or(0, |v| v.timing_shift);
    trajectory::positions_shifted(&seg.curves, entity.start_period, shift, &mut x);
    if let Some(v) = &variation {
        v.apply(ctx, entity.start_period, &mut x);
    }
    let sigma = ctx.noise.gaussian_sigma * variation.as_ref().map_or(1.0, |v| v.noise_scale);
    let eff = effective_positions(ctx, seg, entity, &x);
    let start = (entity.start_period as usize).min(n);
    let scores = copula_scores(factors, &draws.z, n, start);
    let mut values = vec![f64::NAN; m_count * n];
    let mut counts = vec![MetricCounts::default(); m_count];
    // One metric's centre positions, centres, modulated centres, (truncated)
    // scores and drawn values.
    let mut scratch = vec![0.0; 5 * n];
    // Metric by metric (each metric's cells only read its own draws, scores
    // and positions, so the order of this loop changes no value).
    for (m, rt) in ctx.metrics.iter().enumerate() {
        let band = seg.bands[m];
        let range = seg.ranges[m];
        let inside = range.filter(|_| ctx.truncate);
        let centre_floor = match range {
            // With truncation a lognorm or gamma centre (which scales to 0
            // at position 0) stays 1 % of the range above its bottom, so
            // position 0 does not collapse every draw onto the bound.
            Some((lo, hi))
                if ctx.truncate
                    && matches!(
                        rt.params,
                        FamilyParams::Lognorm { .. } | FamilyParams::Gamma { .. }
                    ) =>
            {
                Some(lo + 0.01 * (hi - lo))
            }
            _ => None,
        };
        let band_centred = seg.band_centred[m];
        let integer = rt.count || rt.marginal.is_integer();
        let strength = rt.sensitivity * seg.sensitivity;
        let cells = m * n + start..(m + 1) * n;
        // In passes over the metric's cells, each a tight loop: centres,
        // then values from the marginal (one loop per family), then noise,
        // the clamp and the counts. Every cell goes through the same
        // operations as one cell at a time would.
        let (p, rest) = scratch.split_at_mut(n);
        let (centre, rest) = rest.split_at_mut(n);
        let (modulated, rest) = rest.split_at_mut(n);
        let (zd, drawn) = rest.split_at_mut(n);
        for t in start..n {
            let e = eff[m * n + t];
            let mut q = match rt.polarity {
                Polarity::Positive => e,
                Polarity::Negative => 1.0 - e,
            };
            if let Some((a, b)) = band {
                q = a + q * (b - a);
            }
            p[t] = q;
            let c = match (range, centre_floor) {
                (Some((lo, hi)), _) if band_centred => lo + q * (hi - lo),
                (_, Some(floor)) => Marginal::centre(&rt.params, q, range).max(floor),
                _ => Marginal::centre(&rt.params, q, range),
            };
            centre[t] = c;
            let seasonal = ctx.seasonal[t] * strength;
            let mut mc = c;
            if seasonal != 0.0 {
                mc *= 1.0 + seasonal;
                if let Some((lo, hi)) = range {
                    mc = mc.clamp(lo, hi);
                }
            }
            modulated[t] = mc;
        }
        let y = &scores[cells.clone()];
        let z = match inside {
            Some(r) => {
                for ((zd, &y), &mc) in zd[start..].iter_mut().zip(y).zip(&modulated[start..]) {
                    *zd = dist::truncate_z(y, rt.marginal.unit_bounds(mc, r));
                }
                &zd[start..]
            }
            None => y,
        };
        rt.sampler
            .values(z, &modulated[start..], range, &mut drawn[start..]);
        if let Some((lo, hi)) = inside {
            for (d, &y) in drawn[start..].iter_mut().zip(y) {
                *d = tail_inside(*d, y, lo, hi);
            }
        }
        // Tallied in locals (not through the observer): one register each.
        let mut c = MetricCounts::default();
        for (t, &position) in x.iter().enumerate().skip(start) {
            let i = m * n + t;
            let (mut v, outlier) = add_noise(
                ctx.noise.scale_with_trajectory,
                sigma,
                draws,
                i,
                drawn[t],
                position,
                inside,
            );
            let noised = v;
            let mut clamped = 0;
            if !v.is_nan() {
                if let Some((lo, hi)) = range {
                    clamped = if v < lo {
                        -1
                    } else if v > hi {
                        1
                    } else {
                        0
                    };
                    v = v.clamp(lo, hi);
                }
                if integer {
                    v = round_half_even(v.max(0.0));
                }
            }
            values[i] = v;
            c.cells += 1;
            c.nulls += u64::from(v.is_nan());
            c.outliers += u64::from(outlier);
            c.clamped_low += u64::from(clamped < 0);
            c.clamped_high += u64::from(clamped > 0);
            obs.cell(&CellTrace {
                entity: entity.ordinal,
                period: t,
                metric: m,
                position,
                effective_position: eff[i],
                centre_position: p[t],
                centre: centre[t],
                seasonal: ctx.seasonal[t] * strength,
                modulated_centre: modulated[t],
                independent_z: draws.z[i],
                z: scores[i],
                drawn: drawn[t],
                noised,
                outlier,
                null: v.is_nan(),
                clamped,
                value: v,
            });
        }
        counts[m] = c;
    }
    EntityPanel {
        entity: entity.clone(),
        variation,
        positions: x,
        values,
        counts,
    }
}
