//! Entities: segments expanded into numbered members, each with its arrival
//! period and treatment arm. Expansion is lazy: any entity can be described
//! from its ordinal alone (arrival draws come from the entity's own stream);
//! only the treatment selection, which picks an exact number of members per
//! segment, is computed once per run.

use plotsim_config::{Arrival, LinearDirection, Plan};

use super::distribution::round_half_even;
use super::rng::{Part, stream};

/// One entity of the panel.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    /// 0-based ordinal over all entities (segment by segment).
    pub ordinal: u64,
    /// Index of the entity's segment.
    pub segment: usize,
    /// 0-based index within its segment.
    pub index: u64,
    /// First active period.
    pub start_period: u32,
    /// Whether the entity is in its segment's treatment arm.
    pub treated: bool,
}

/// The entities of a plan.
#[derive(Debug, Clone)]
pub struct Entities {
    /// First ordinal of each segment, plus the total at the end.
    starts: Vec<u64>,
    /// Treatment arm membership per segment (empty without a treatment).
    treated: Vec<Vec<bool>>,
}

impl Entities {
    /// Expands the plan's segments (treatment selection is drawn here).
    pub fn new(plan: &Plan, seed: u64) -> Self {
        let mut starts = Vec::with_capacity(plan.segments.len() + 1);
        let mut acc = 0u64;
        let mut treated = Vec::new();
        for s in &plan.segments {
            starts.push(acc);
            acc += u64::from(s.count);
            treated.push(match &s.treatment {
                Some(t) => select_treated(seed, &s.name, s.count, t.fraction),
                None => Vec::new(),
            });
        }
        starts.push(acc);
        Entities { starts, treated }
    }

    /// Number of entities.
    pub fn len(&self) -> u64 {
        self.starts.last().copied().unwrap_or(0)
    }

    /// Whether there is no entity.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The entity with this ordinal (must be < `len()`).
    pub fn get(&self, plan: &Plan, seed: u64, ordinal: u64) -> Entity {
        let segment = self
            .starts
            .partition_point(|&s| s <= ordinal)
            .saturating_sub(1);
        let index = ordinal - self.starts[segment];
        let start_period = arrival(plan, seed, segment, index);
        let treated = self.treated[segment]
            .get(index as usize)
            .copied()
            .unwrap_or(false);
        Entity {
            ordinal,
            segment,
            index,
            start_period,
            treated,
        }
    }
}

/// Picks exactly round(fraction · count) members, by a partial Fisher-Yates
/// shuffle on the segment's treatment stream.
fn select_treated(seed: u64, segment: &str, count: u32, fraction: f64) -> Vec<bool> {
    let n = count as usize;
    let k = (round_half_even(fraction * f64::from(count)) as usize).min(n);
    let mut idx: Vec<u32> = (0..count).collect();
    let mut s = stream(seed, &[Part::Str("treatment"), Part::Str(segment)]);
    for i in 0..k {
        let j = i + s.below((n - i) as u64) as usize;
        idx.swap(i, j);
    }
    let mut out = vec![false; n];
    for &i in &idx[..k] {
        out[i as usize] = true;
    }
    out
}

/// The arrival period of member `index` of segment `segment`.
fn arrival(plan: &Plan, seed: u64, segment: usize, index: u64) -> u32 {
    let seg = &plan.segments[segment];
    let n = plan.window.n_periods;
    let default_end = n.saturating_sub(2).max(1);
    let draw = || {
        stream(
            seed,
            &[Part::Str("arrival"), Part::Str(&seg.name), Part::U64(index)],
        )
        .uniform()
    };
    match &seg.arrival {
        None => 0,
        Some(Arrival::Uniform { start, end }) => {
            let end = end.unwrap_or(default_end).max(start + 1);
            start + (draw() * f64::from(end - start)) as u32
        }
        Some(Arrival::Linear {
            start,
            end,
            direction,
        }) => {
            let end = end.unwrap_or(default_end).max(start + 1);
            let span = f64::from(end - start);
            let u = draw();
            let offset = match direction {
                LinearDirection::Increasing => span * libm::sqrt(u),
                LinearDirection::Decreasing => span * (1.0 - libm::sqrt(1.0 - u)),
            };
            start + (offset as u32).min(end - start - 1)
        }
        Some(Arrival::Step { blocks }) => {
            let mut taken = 0u64;
            for (i, b) in blocks.iter().enumerate() {
                let size = if i + 1 == blocks.len() {
                    u64::from(seg.count).saturating_sub(taken)
                } else {
                    round_half_even(b.fraction * f64::from(seg.count)) as u64
                };
                if index < taken + size {
                    return b.period;
                }
                taken += size;
            }
            blocks.last().map_or(0, |b| b.period)
        }
        Some(Arrival::Explicit { start_periods }) => {
            start_periods.get(index as usize).copied().unwrap_or(0)
        }
    }
}
