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
//! # Three routes to the same dataset
//! A config can be YAML, the typed builder, or a struct with
//! `#[derive(Generator)]`; all three are the same [`Config`], so for the same
//! seed they give the same tables, byte for byte.
//! ```
//! use plotsim::{Config, Metric, MetricType, Polarity, Segment, Window};
//!
//! // 1. YAML (a file, `plotsim template`, or a string).
//! let yaml = Config::from_yaml_str(r#"
//! about: Shops.
//! unit: shop
//! window: {start: 2024-01, end: 2024-12}
//! metrics:
//!   - {name: orders, type: count, polarity: positive}
//! segments:
//!   - {name: steady, count: 5, archetype: flat}
//! "#)?;
//!
//! // 2. The builder: the same structs, field for field.
//! let built = Config::builder()
//!     .about("Shops.")
//!     .unit("shop")
//!     .window(("2024-01", "2024-12"))
//!     .metrics(vec![Metric::builder().name("orders").r#type(MetricType::Count).polarity(Polarity::Positive).build()])
//!     .segments(vec![Segment::builder().name("steady").count(5).archetype("flat").build()])
//!     .build();
//!
//! // 3. A derived struct: one row of the fact, checked at compile time.
//! /// Shops.
//! #[derive(plotsim::Generator)]
//! #[plotsim(unit = "shop", window(start = "2024-01", end = "2024-12"))]
//! #[segment(name = "steady", count = 5, archetype = "flat")]
//! struct ShopMonth {
//!     #[entity] shop: String,
//!     #[period] month: plotsim::Period,
//!     #[metric(type = "count", polarity = "positive")] orders: u32,
//! }
//!
//! assert_eq!(yaml.to_yaml(), built.to_yaml());
//! assert_eq!(ShopMonth::config().to_yaml(), yaml.to_yaml());
//!
//! let fct = plotsim::generate_with(&yaml.validate()?, Some(7), 64)?;
//! let orders = fct.table("fct_shop").unwrap().column("orders").unwrap().i64s();
//! let rows = ShopMonth::generate(7);
//! assert!(rows.iter().zip(&orders).all(|(r, o)| Some(i64::from(r.orders)) == *o));
//! # let _ = (&rows[0].shop, rows[0].month);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Overview
//! - Configuration ([`Config`], re-exported from `plotsim-config`): YAML or
//!   [`Config::builder`]; [`Config::validate`] gives a [`Plan`] or every error.
//! - [`Generator`](macro@Generator): the derive for typed rows ([`Rows`],
//!   [`Generator`](trait@Generator)); `proptest::panels` with the `proptest` feature.
//! - [`engine`]: named random streams, our own quantile functions, trajectories,
//!   the calibrated Gaussian copula, the per-entity engine.
//! - [`tables`]: the [`tables::Schema`] and entity panels to rows
//!   (`dim_date`, `dim_<unit>`, `fct_<unit>`); values only, no I/O.
//! - [`truth`]: the answer key, folded per entity block and merged in order.
//! - [`write`](mod@write): CSV, Parquet, JSON lines, SQL encoders, the
//!   dataset's files, `manifest.json`, and the atomic output directory.
//! - [`pipeline`]: the one driver. [`run`] streams a dataset to disk in
//!   entity blocks (bounded memory, encoding in parallel); [`generate`] keeps
//!   it in memory as a [`Dataset`]; `T::iter` pulls typed rows.
//! - [`keys`]: the documented key formats; [`stats`]: mergeable statistics.
//! - [`budget`]: the cell budget `run` applies; [`templates`]: the bundled configs.
//!
//! # Crate features
//! - `derive` (default): `#[derive(plotsim::Generator)]`.
//! - `parquet` (default): the Parquet format.
//! - `proptest` (off by default): `plotsim::proptest::panels`, a proptest
//!   strategy of generated panels.
//! - `polars` (off by default; heavy to build): `Dataset::to_polars`.

#![forbid(unsafe_code)]

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
pub mod budget;
pub mod engine;
mod error;
pub mod fields;
mod generator;
pub mod keys;
pub mod pipeline;
#[cfg(feature = "polars")]
pub mod polars;
#[cfg(feature = "proptest")]
pub mod proptest;
pub mod report;
pub mod stats;
pub mod tables;
pub mod templates;
pub mod truth;
pub mod write;

pub use error::{Error, GenerateError, Result, WriteError};
pub use generator::{Generator, Rows};
pub use pipeline::{
    DEFAULT_BATCH_SIZE, Dataset, RunOptions, RunSummary, generate, generate_with, resolve_seed,
    run, run_with_progress,
};
pub use plotsim_config::*;
#[cfg(feature = "derive")]
#[doc = include_str!("derive.md")]
pub use plotsim_derive::Generator;
pub use truth::{Trace, Tracer, trace_metric_cell};

/// The once-per-run set-up for `plan` with `seed`: nearest-correlation
/// projection, copula calibration, Cholesky factors. A pure function of the
/// plan and the seed (every batch, thread and shard computes the same).
///
/// # Errors
/// [`Error::Generate`] for a plan this release does not generate.
pub fn prepare(plan: &Plan, seed: u64) -> Result<engine::prepare::Prepared> {
    pipeline::supported(plan)?;
    Ok(engine::prepare::prepare(plan, seed))
}
