//! The configuration layer of plotsim: the [`Config`] model that mirrors the
//! YAML builder dialect one to one (serde + typed-builder), the parsers of the
//! small languages inside it ([`dsl`]), and validation into a [`Plan`].
//!
//! This crate has no engine. `plotsim` generates from a `Plan`; the derive
//! macro uses this crate (without the `yaml` and `schema` features) to check
//! its attributes with the very same rules at compile time.
//!
//! # Example
//! ```
//! use plotsim_config::Config;
//!
//! let config = Config::from_yaml_str(r#"
//! about: Subscription companies
//! unit: company
//! window: {start: 2023-01, end: 2024-12, every: monthly}
//! metrics:
//!   - {name: engagement, type: score, polarity: positive}
//!   - {name: mrr, type: amount, polarity: positive, range: [50, 50000]}
//! connections: ["mrr driven_by engagement"]
//! segments:
//!   - {name: growers, count: 20, archetype: growth}
//!   - {name: churners, count: 10, archetype: "flat > decline @ 10"}
//! seed: 7
//! "#)?;
//! let plan = config.validate()?;
//! assert_eq!(plan.cells(), 30 * 24);
//! assert_eq!(plan.tables.len(), 3); // dim_date, dim_company, fct_company
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Features
//! - `yaml` (default): [`Config::from_yaml_str`], [`Config::from_path`], [`Config::to_yaml`].
//! - `schema` (default): `schemars::JsonSchema` for [`Config`] (`plotsim schema`).

#![forbid(unsafe_code)]

pub mod dsl;
#[cfg(feature = "yaml")]
pub mod engine_dialect;
mod error;
mod model;
mod period;
pub mod plan;
#[cfg(feature = "schema")]
mod schema;
mod source;
mod validate;
pub mod words;
#[cfg(feature = "yaml")]
mod yaml;

/// The date crate behind [`Period::date`], so callers can name `NaiveDate`
/// without depending on it themselves.
pub use chrono;
pub use error::{
    ConfigError, ConfigErrors, FieldPath, Location, Note, PathSegment, ValidationError,
};
pub use model::*;
pub use period::Period;
pub use plan::Plan;
