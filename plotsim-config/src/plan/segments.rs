//! Resolved segments: entity ranges, parsed archetypes, baselines, arrival and treatment.

use indexmap::IndexMap;

use crate::dsl::archetype::ArchetypeSpec;
use crate::model::{Arrival, BaselineLevel, Treatment};

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
    /// Arrival schedule.
    pub arrival: Option<Arrival>,
    /// Treatment split.
    pub treatment: Option<Treatment>,
}
