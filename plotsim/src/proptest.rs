//! Property testing with generated panels (feature `proptest`).
//!
//! [`panels`] turns any [`Generator`] struct into a proptest [`Strategy`]:
//! each case is a whole panel generated with its own seed and its own
//! segment sizes, and failing cases shrink toward fewer entities. The window,
//! archetypes, metrics and connections stay the struct's, so DSL change
//! points and delays stay valid. This module only varies the config; the
//! rows come from [`Generator::generate_from`].
//!
//! # Example
//! ```
//! use plotsim::proptest::panels;
//! use proptest::prelude::*;
//!
//! #[derive(plotsim::Generator)]
//! #[plotsim(unit = "shop", window(start = "2024-01", end = "2024-06"))]
//! #[segment(name = "steady", count = 6, archetype = "flat")]
//! struct ShopMonth {
//!     #[entity] shop: String,
//!     #[period] month: plotsim::Period,
//!     #[metric(type = "count", polarity = "positive")] orders: u32,
//! }
//!
//! proptest!(ProptestConfig::with_cases(8), |(panel in panels::<ShopMonth>())| {
//!     // Every shop has one row per month of the window.
//!     let shops = panel.rows.iter().map(|r| &r.shop).collect::<std::collections::BTreeSet<_>>();
//!     prop_assert_eq!(panel.rows.len(), shops.len() * 6);
//!     prop_assert!(shops.len() >= 3);
//!     # let _ = panel.rows.iter().map(|r| (r.month, r.orders)).count();
//! });
//! ```

use std::fmt;

use ::proptest::prelude::*;

use crate::Generator;

/// One generated panel: its seed, the size of each segment, and the rows.
pub struct Panel<T> {
    /// The seed the rows were generated with.
    pub seed: u64,
    /// `(segment name, entity count)` in segment order.
    pub segment_counts: Vec<(String, u32)>,
    /// The rows, entity by entity, period by period.
    pub rows: Vec<T>,
}

impl<T> Panel<T> {
    /// Number of entities in the panel.
    pub fn entities(&self) -> u64 {
        self.segment_counts.iter().map(|(_, c)| u64::from(*c)).sum()
    }
}

// Manual, so that `T` need not be `Debug`; a failing case prints what is
// needed to reproduce it (seed and segment sizes).
impl<T> fmt::Debug for Panel<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Panel")
            .field("seed", &self.seed)
            .field("segment_counts", &self.segment_counts)
            .field("rows", &self.rows.len())
            .finish()
    }
}

/// The fewest entities a segment gets (as validation requires).
pub const MIN_SEGMENT_ENTITIES: u32 = 3;

/// A strategy of panels of `T`: the seed varies over all `u64`, and each
/// segment's count over `3..=max(3, declared)`; shrinking lowers the counts
/// toward 3 (and the seed toward 0).
///
/// # Panics
/// When generating, only if the struct's config with changed counts fails to
/// validate or generate, which would be a bug in plotsim.
pub fn panels<T: Generator + 'static>() -> impl Strategy<Value = Panel<T>> {
    let config = T::config();
    let counts: Vec<_> = config
        .segments
        .iter()
        .map(|s| MIN_SEGMENT_ENTITIES..=s.count.max(MIN_SEGMENT_ENTITIES))
        .collect();
    (any::<u64>(), counts).prop_map(move |(seed, counts)| {
        let mut c = config.clone();
        for (s, n) in c.segments.iter_mut().zip(&counts) {
            s.count = *n;
        }
        let plan = match c.validate() {
            Ok(plan) => plan,
            Err(e) => {
                panic!("plotsim bug: a panel config with other segment counts is invalid:\n{e}")
            }
        };
        let rows = match T::generate_from(&plan, seed) {
            Ok(rows) => rows,
            Err(e) => panic!("plotsim bug: a panel config cannot be generated: {e}"),
        };
        Panel {
            seed,
            segment_counts: c
                .segments
                .iter()
                .map(|s| (s.name.clone(), s.count))
                .collect(),
            rows,
        }
    })
}
