//! plotsim generates coherent synthetic panel data with a known answer key.
//!
//! This crate is the facade: it re-exports the configuration model and
//! validation of [`plotsim_config`]. The engine lands in a later release.

#![forbid(unsafe_code)]

pub use plotsim_config::*;
