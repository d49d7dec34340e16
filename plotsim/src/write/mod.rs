//! Writers: CSV, JSON lines, Parquet and SQL files, and the output
//! directory (a sibling temporary directory swapped into place, so a target
//! holds the old dataset or the complete new one).

pub mod csv;
pub mod dir;
pub mod jsonl;
#[cfg(feature = "parquet")]
pub mod parquet;
mod sink;
pub mod sql;

pub use sink::DatasetWriter;
pub(crate) use sink::io_err;
