//! Resolved segments: entity ranges, parsed archetypes, baselines, arrival and treatment.

use indexmap::IndexMap;

use crate::dsl::archetype::ArchetypeSpec;
use crate::model::{Arrival, BaselineLevel, LinearDirection, StepBlock, Treatment};

/// A resolved segment.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentPlan {
    /// Name.
    pub name: String,
    /// Label (declared or derived from the name).
    pub label: String,
    /// Number of entities.
    pub count: u32,
    /// Ordinal of the segment's first entity among all entities.
    pub first_entity: u64,
    /// The archetype DSL as written.
    pub archetype_text: String,
    /// The parsed archetype.
    pub archetype: ArchetypeSpec,
    /// Attribute values per key.
    pub attributes: IndexMap<String, Vec<String>>,
    /// Baseline level per metric index.
    pub baseline: Vec<(usize, BaselineLevel)>,
    /// Seasonal sensitivity of the segment's entities.
    pub seasonal_sensitivity: f64,
    /// Arrival schedule, as declared (see [`SegmentPlan::arrival_plan`] for
    /// the resolved form).
    pub arrival: Option<Arrival>,
    /// Treatment split, as declared (see [`SegmentPlan::treatment_plan`] for
    /// the resolved form).
    pub treatment: Option<Treatment>,
    /// The resolved arrival schedule; `None` means every entity is active
    /// from period 0.
    pub arrival_plan: Option<ArrivalPlan>,
    /// The resolved treatment split; `None` means no entity is treated.
    pub treatment_plan: Option<TreatmentPlan>,
}

/// When each entity of a segment becomes active, with defaults filled in.
///
/// Spans are `[start, end)` in period indices; `end` is the declared one or
/// the default `max(1, n_periods - 2)`, and always above `start`.
#[derive(Debug, Clone, PartialEq)]
pub enum ArrivalPlan {
    /// One uniform integer draw per entity in `[start, end)`.
    Uniform {
        /// First possible start period.
        start: u32,
        /// End of the span (exclusive).
        end: u32,
    },
    /// Triangular schedule over `[start, end)`.
    Linear {
        /// First possible start period.
        start: u32,
        /// End of the span (exclusive).
        end: u32,
        /// Which end of the span is heavier.
        direction: LinearDirection,
    },
    /// Blocks of entities arriving at fixed periods; fractions sum to 1
    /// (within 0.001) and the last block takes the remainder.
    Step {
        /// The blocks, in declaration order.
        blocks: Vec<StepBlock>,
    },
    /// One start period per entity, in entity order (exactly `count` of them).
    Explicit {
        /// Start periods.
        start_periods: Vec<u32>,
    },
}

impl ArrivalPlan {
    /// Resolves a declared schedule for a window of `n_periods` periods.
    pub(crate) fn resolve(a: &Arrival, n_periods: u32) -> Self {
        let default_end = n_periods.saturating_sub(2).max(1);
        let span = |start: u32, end: Option<u32>| end.unwrap_or(default_end).max(start + 1);
        match a {
            Arrival::Uniform { start, end } => ArrivalPlan::Uniform {
                start: *start,
                end: span(*start, *end),
            },
            Arrival::Linear {
                start,
                end,
                direction,
            } => ArrivalPlan::Linear {
                start: *start,
                end: span(*start, *end),
                direction: *direction,
            },
            Arrival::Step { blocks } => ArrivalPlan::Step {
                blocks: blocks.clone(),
            },
            Arrival::Explicit { start_periods } => ArrivalPlan::Explicit {
                start_periods: start_periods.clone(),
            },
        }
    }
}

/// An A/B treatment split with its target metric resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct TreatmentPlan {
    /// Share of the segment in the treatment group, in [0, 1].
    pub fraction: f64,
    /// Lift on the log-odds of the trajectory position (finite, |lift| < 1e6).
    pub lift_log_odds: f64,
    /// First treated period (inside the window).
    pub start_period: u32,
    /// Label of the treated group (non-empty).
    pub treatment_label: String,
    /// Label of the control group (non-empty).
    pub control_label: String,
    /// Index into [`Plan::metrics`](super::Plan::metrics) of the only lifted
    /// metric; `None` lifts every metric.
    pub target: Option<usize>,
}
