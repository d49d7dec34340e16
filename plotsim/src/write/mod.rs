//! Writers: CSV files and the output directory (a sibling temporary
//! directory swapped into place, so a target holds the old dataset or the
//! complete new one).

pub mod csv;
pub mod dir;
