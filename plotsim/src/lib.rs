//! plotsim generates coherent synthetic panel data with a known answer key.
//!
//! Every entity follows a trajectory shaped by its segment's archetype, and
//! every metric of that entity is drawn from the same position, so the
//! metrics move together the way real data does; the manifest records what
//! the engine did, so models trained on the tables can be scored against it.
//!
//! # Quick start
//! ```
//! let plan = plotsim::templates::get("quickstart").unwrap().config()?.validate()?;
//! let data = plotsim::generate_with(&plan, Some(7), plotsim::DEFAULT_BATCH_SIZE)?;
//! assert_eq!(data.table("fct_customer").unwrap().rows(), 100 * 24);
//! assert_eq!(data.manifest()["seed"], 7);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Overview
//! - Configuration ([`Config`], re-exported from `plotsim-config`): YAML or
//!   [`Config::builder`]; [`Config::validate`] gives a [`Plan`] or every error.
//! - [`engine`]: named random streams, our own quantile functions, trajectories,
//!   the calibrated Gaussian copula, the per-entity engine.
//! - [`tables`]: entity panels to rows (`dim_date`, `dim_<unit>`, `fct_<unit>`).
//! - [`truth`]: the manifest, folded entity by entity.
//! - [`write`]: CSV, Parquet, JSON lines, SQL and the atomic output directory.
//! - [`run`] streams a dataset to disk in entity batches (bounded memory);
//!   [`generate`] keeps it in memory as a [`Dataset`].
//! - [`budget`]: the cell budget `run` applies; [`templates`]: the bundled configs.
//!
//! # Crate features
//! - `parquet` (default): the Parquet format.
//! - `polars` (off by default; heavy to build): `Dataset::to_polars`.

#![forbid(unsafe_code)]

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
pub mod budget;
pub mod engine;
mod error;
mod generator;
#[cfg(feature = "polars")]
pub mod polars;
#[cfg(feature = "proptest")]
pub mod proptest;
mod run;
pub mod tables;
pub mod templates;
pub mod truth;
pub mod write;

pub use error::{Error, Result};
pub use generator::{Generator, Rows};
pub use plotsim_config::*;
#[cfg(feature = "derive")]
#[doc = include_str!("derive.md")]
pub use plotsim_derive::Generator;
pub use run::{
    DEFAULT_BATCH_SIZE, Dataset, RunOptions, RunSummary, generate, generate_with, prepare,
    resolve_seed, run, run_with_progress,
};
