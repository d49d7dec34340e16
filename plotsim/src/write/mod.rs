//! Writers: `(Schema, encoded blocks in order) -> files`. Sees the tables'
//! types only.
//!
//! - [`encode`]: CSV, JSON lines, SQL and Parquet encoders, pure functions
//!   of (table schema, block of rows), run in the parallel stage.
//! - [`files`]: every table's file opened from the schema at the start
//!   (so a table without rows still gets its file and header), appended to
//!   in block order.
//! - [`log`]: event logs (`log_format`), rendered per block.
//! - [`manifest`]: the one serialiser of `manifest.json`.
//! - [`dir`]: the staging directory swapped into place, so a target holds
//!   the old dataset or the complete new one.

pub mod dir;
pub mod encode;
pub mod files;
pub mod log;
pub mod manifest;
pub mod out;

use std::path::Path;

/// What can go wrong while writing a dataset.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// The output directory was refused or could not be prepared.
    #[error(transparent)]
    Dir(#[from] dir::DirError),
    /// A file could not be written.
    #[error("cannot write `{path}`: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The Parquet encoder failed.
    #[cfg(feature = "parquet")]
    #[error("cannot write `{path}`: {source}")]
    Parquet {
        /// The file (or table) being encoded.
        path: String,
        /// The encoder's error.
        #[source]
        source: encode::parquet::ParquetError,
    },
    /// This build cannot write the format.
    #[error("{0}")]
    Unsupported(String),
}

pub(crate) fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.display().to_string(),
        source,
    }
}

#[cfg(feature = "parquet")]
pub(crate) fn parquet_err(
    path: impl std::fmt::Display,
) -> impl FnOnce(encode::parquet::ParquetError) -> WriteError {
    move |source| WriteError::Parquet {
        path: path.to_string(),
        source,
    }
}
