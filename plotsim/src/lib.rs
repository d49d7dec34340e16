//! plotsim generates coherent synthetic panel data with a known answer key.
//!
//! Every entity follows a trajectory shaped by its segment's archetype, and
//! every metric of that entity is drawn from the same position, so the
//! metrics move together the way real data does. This release provides the
//! configuration model, its validation into a [`Plan`], the bundled
//! [`templates`] and the [`budget`] rule; the generation engine comes next.
//!
//! # Example
//! ```
//! let config = plotsim::templates::get("saas").unwrap().config()?;
//! let plan = config.validate()?;
//! assert_eq!(plan.n_entities(), 100);
//! assert_eq!(plan.window.n_periods, 24);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]

pub mod budget;
pub mod engine;
mod error;
#[cfg(feature = "polars")]
pub mod polars;
mod run;
pub mod tables;
pub mod templates;
pub mod truth;
pub mod write;

pub use error::{Error, Result};
pub use plotsim_config::*;
pub use run::{
    DEFAULT_BATCH_SIZE, Dataset, RunOptions, RunSummary, generate, generate_with, prepare,
    resolve_seed, run, run_with_progress,
};
