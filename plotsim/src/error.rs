//! The library's error type.

use plotsim_config::{ConfigError, ConfigErrors};

/// Everything that can go wrong in plotsim.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The config could not be read.
    #[error(transparent)]
    Load(#[from] ConfigError),
    /// The config is invalid.
    #[error("invalid config:\n{0}")]
    Invalid(#[from] ConfigErrors),
    /// The run is larger than the cell budget and was not allowed.
    #[error(
        "the config produces {cells} cells (entities x periods), above the cell budget of {budget}; pass --allow-large-dataset (RunOptions::allow_large_dataset) or raise output.cell_budget / PLOTSIM_CELL_BUDGET"
    )]
    OverBudget {
        /// Cells of the run.
        cells: u64,
        /// The budget.
        budget: u64,
    },
    /// A typed row struct does not fit the plan it was asked to generate.
    #[error("rows do not fit the plan: {0}")]
    Rows(String),
    /// The config uses something this release does not generate yet.
    #[error("not supported yet: {0}")]
    Unsupported(String),
    /// The output directory was refused or could not be written.
    #[error(transparent)]
    Dir(#[from] crate::write::dir::DirError),
    /// A file could not be written.
    #[error("cannot write `{path}`: {source}")]
    Write {
        /// The file.
        path: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
