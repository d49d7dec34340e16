//! The engine: from a [`plotsim_config::Plan`] and a seed to entity panels
//! (positions and realised metric values). It knows nothing of tables or
//! files.
//!
//! - [`rng`]: named ChaCha8 streams.
//! - [`distribution`]: our own quantile functions and noise samplers on `libm`.
//! - [`trajectory`]: curves and archetype stitching.
//! - [`entities`]: segments expanded into entities (arrival, treatment).
//! - [`correlation`]: matrices, nearest-correlation projection, Cholesky.
//! - [`panel`]: the per-entity engine.
//! - [`prepare`]: once-per-run set-up, including copula calibration.

pub mod correlation;
pub mod distribution;
pub mod entities;
pub mod panel;
pub mod prepare;
pub mod rng;
pub mod trajectory;
