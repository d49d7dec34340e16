//! Property testing with generated panels (feature `proptest`).
//!
//! [`panels`] turns any [`Generator`] struct into a proptest [`Strategy`]:
//! each case is a whole panel generated with its own seed and its own
//! segment sizes, and failing cases shrink toward fewer entities (and, with
//! [`panels_with`], fewer periods) while keeping their seed. The window,
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
//!     prop_assert!(!shops.is_empty());
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
    /// Periods of the panel's window.
    pub periods: u32,
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
            .field("periods", &self.periods)
            .field("rows", &self.rows.len())
            .finish()
    }
}

/// The fewest entities a segment gets (as validation requires).
pub const MIN_SEGMENT_ENTITIES: u32 = 1;

/// Bounds of the panels [`panels_with`] draws.
///
/// # Example
/// ```
/// use plotsim::proptest::{PanelOptions, panels_with};
/// use proptest::prelude::*;
///
/// #[derive(plotsim::Generator)]
/// #[plotsim(unit = "shop", window(start = "2024-01", end = "2024-12"))]
/// #[segment(name = "steady", count = 6, archetype = "flat")]
/// struct ShopMonth {
///     #[entity] shop: String,
///     #[period] month: plotsim::Period,
///     #[metric(type = "count", polarity = "positive")] orders: u32,
/// }
///
/// let options = PanelOptions { counts: Some(2..=4), periods: Some(3..=12), seeds: Some(0..=99) };
/// proptest!(ProptestConfig::with_cases(8), |(panel in panels_with::<ShopMonth>(options.clone()))| {
///     prop_assert!((2..=4).contains(&panel.entities()));
///     prop_assert!((3..=12).contains(&panel.periods));
///     prop_assert_eq!(panel.rows.len() as u64, panel.entities() * u64::from(panel.periods));
///     # let _ = panel.rows.iter().map(|r| (&r.shop, r.month, r.orders)).count();
/// });
/// ```
#[derive(Debug, Clone, Default)]
pub struct PanelOptions {
    /// Entities per segment (default `1..=` the declared count).
    pub counts: Option<std::ops::RangeInclusive<u32>>,
    /// Periods from the window's start (default: the declared window only).
    /// The lower end is raised to the shortest window the struct's
    /// archetypes and delays fit in.
    pub periods: Option<std::ops::RangeInclusive<u32>>,
    /// Seeds (default: any `u64`). Seeds never shrink: a failing case keeps
    /// its seed while counts and periods shrink.
    pub seeds: Option<std::ops::RangeInclusive<u64>>,
}

/// A strategy of panels of `T`: the seed varies over all `u64`, and each
/// segment's count over `1..=declared`; shrinking keeps the seed and lowers
/// the counts to 1. See [`panels_with`] for bounds.
///
/// # Panics
/// When generating, only if the struct's config with changed counts fails to
/// validate or generate, which would be a bug in plotsim.
pub fn panels<T: Generator + 'static>() -> impl Strategy<Value = Panel<T>> {
    panels_with::<T>(PanelOptions::default())
}

/// The config's window cut to its first `n` periods.
fn window_of(config: &crate::Config, n: u32) -> Option<crate::Window> {
    let w = &config.window;
    let resolved = crate::plan::ResolvedWindow::resolve(&w.start, &w.end, w.every).ok()?;
    let last = resolved.period(n.checked_sub(1)?).start_date();
    let end = match w.every {
        crate::Granularity::Monthly => last.format("%Y-%m").to_string(),
        _ => last.format("%Y-%m-%d").to_string(),
    };
    Some(crate::Window::new(w.start.clone(), end, w.every))
}

/// [`panels`] within bounds: entity counts per segment, window length and
/// seeds. Counts and periods shrink toward their lower bounds; the seed
/// stays fixed while a failure shrinks.
///
/// # Panics
/// When generating, only if a config within the bounds fails to validate or
/// generate, which would be a bug in plotsim.
pub fn panels_with<T: Generator + 'static>(
    options: PanelOptions,
) -> impl Strategy<Value = Panel<T>> {
    let config = T::config();
    let declared = crate::plan::ResolvedWindow::resolve(
        &config.window.start,
        &config.window.end,
        config.window.every,
    )
    .map_or(1, |w| w.n_periods);
    let counts: Vec<_> = config
        .segments
        .iter()
        .map(|s| match &options.counts {
            Some(r) => {
                (*r.start()).max(MIN_SEGMENT_ENTITIES)..=(*r.end()).max(MIN_SEGMENT_ENTITIES)
            }
            None => MIN_SEGMENT_ENTITIES..=s.count.max(MIN_SEGMENT_ENTITIES),
        })
        .collect();
    let (lo, hi) = options
        .periods
        .as_ref()
        .map_or((declared, declared), |r| (*r.start(), *r.end()));
    // The shortest window the archetypes and delays fit in.
    let fits = |n: u32| {
        let mut c = config.clone();
        window_of(&config, n).is_some_and(|w| {
            c.window = w;
            c.validate().is_ok()
        })
    };
    let lo = (lo.max(1)..=hi).find(|&n| fits(n)).unwrap_or(hi);
    let seeds = options.seeds.clone().unwrap_or(0..=u64::MAX);
    (seeds.no_shrink(), counts, lo..=hi.max(lo)).prop_map(move |(seed, counts, periods)| {
        let mut c = config.clone();
        for (s, n) in c.segments.iter_mut().zip(&counts) {
            s.count = *n;
        }
        if periods != declared
            && let Some(w) = window_of(&config, periods)
        {
            c.window = w;
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
            periods: plan.window.n_periods,
            segment_counts: c
                .segments
                .iter()
                .map(|s| (s.name.clone(), s.count))
                .collect(),
            rows,
        }
    })
}
