//! The library's errors, one enum per layer: [`GenerateError`] (engine and
//! tables), [`WriteError`] (files; defined in `write`), wrapped with the
//! config errors by [`Error`].

use plotsim_config::{ConfigError, ConfigErrors};

pub use crate::write::WriteError;

/// What can stop generation itself (before any file is involved).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GenerateError {
    /// The plan uses something this release does not generate yet.
    #[error("not supported yet: {0}")]
    Unsupported(String),
}

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
    /// A trace was asked for a cell that does not exist.
    #[error("trace: {0}")]
    Trace(String),
    /// Generation failed.
    #[error(transparent)]
    Generate(#[from] GenerateError),
    /// `--strict` (RunOptions::strict): the validation report has errors, so
    /// nothing was written.
    #[error("--strict: validation has {} error(s); aborting before write", .0.errors)]
    Strict(Box<crate::report::ValidationReport>),
    /// Writing the dataset failed.
    #[error(transparent)]
    Write(#[from] WriteError),
}

impl From<crate::write::dir::DirError> for Error {
    fn from(e: crate::write::dir::DirError) -> Self {
        Error::Write(WriteError::Dir(e))
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
