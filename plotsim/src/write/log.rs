//! Event logs (`log_format`): one line per event row, LF-terminated, the
//! template's `{column}` placeholders replaced by the row's cells as CSV
//! writes them (`{column:.Nf}` rounds a number to N decimals; `{{` and `}}`
//! are literal braces). Rendered per block in the parallel stage, from the
//! clean rows, and appended in block order to `<event>.log` (or
//! `log_filename`).

use std::io::Write;

use super::out::OutFile;
use std::path::Path;

use super::{WriteError, io_err};
use crate::tables::{RowBatch, Schema, TableId, TableSchema};
use plotsim_config::Plan;

#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Text(String),
    /// A column, with an optional number of decimals.
    Column(usize, Option<usize>),
}

/// One event table's log template.
#[derive(Debug, Clone, PartialEq)]
pub struct LogTemplate {
    /// The event table.
    pub table: TableId,
    /// The file name.
    pub file: String,
    pieces: Vec<Piece>,
}

impl LogTemplate {
    /// The templates of every event table of `plan` with a `log_format`.
    pub fn all(plan: &Plan, schema: &Schema) -> Vec<LogTemplate> {
        plan.tables
            .iter()
            .filter_map(|t| {
                let log = t.log.as_ref()?;
                let ts = schema.find(&t.name)?;
                Some(LogTemplate {
                    table: ts.id,
                    file: log.file.clone(),
                    pieces: parse(&log.format, ts),
                })
            })
            .collect()
    }

    /// Appends the lines of a batch.
    pub fn render(&self, batch: &RowBatch, out: &mut Vec<u8>) {
        for r in 0..batch.rows() {
            for p in &self.pieces {
                match p {
                    Piece::Text(t) => out.extend_from_slice(t.as_bytes()),
                    Piece::Column(c, decimals) => {
                        let col = &batch.columns[*c];
                        let text = match (decimals, col.f64_at(r)) {
                            (Some(d), Some(x)) => format!("{x:.d$}"),
                            _ => col.text_at(r).unwrap_or_default(),
                        };
                        out.extend_from_slice(text.as_bytes());
                    }
                }
            }
            out.push(b'\n');
        }
    }
}

fn parse(format: &str, t: &TableSchema) -> Vec<Piece> {
    use plotsim_config::dsl::template::{Piece as P, parse};
    parse(format)
        .into_iter()
        .map(|p| match p {
            P::Text(s) => Piece::Text(s),
            P::Field { name, spec } => {
                let decimals = spec
                    .as_deref()
                    .and_then(|s| s.strip_prefix('.'))
                    .and_then(|s| s.strip_suffix('f'))
                    .and_then(|n| n.parse().ok());
                match t.column_index(&name) {
                    Some(i) => Piece::Column(i, decimals),
                    // Validation names the columns; keep anything else as text.
                    None => Piece::Text(format!("{{{name}}}")),
                }
            }
        })
        .collect()
}

/// The open log files of a dataset being written.
pub struct LogFiles {
    files: Vec<(TableId, OutFile)>,
}

impl LogFiles {
    /// Creates every template's file in `dir`.
    ///
    /// # Errors
    /// A file that cannot be created.
    pub fn create(dir: &Path, templates: &[LogTemplate]) -> Result<Self, WriteError> {
        let files = templates
            .iter()
            .map(|t| {
                let path = dir.join(&t.file);
                Ok((t.table, OutFile::create(&path).map_err(io_err(&path))?))
            })
            .collect::<Result<_, WriteError>>()?;
        Ok(LogFiles { files })
    }

    /// Appends a block's lines of a table's log.
    ///
    /// # Errors
    /// A failed write.
    pub fn append(&mut self, table: TableId, bytes: &[u8]) -> Result<(), WriteError> {
        for (id, out) in &mut self.files {
            if *id == table {
                out.write_all(bytes).map_err(io_err(out.path()))?;
            }
        }
        Ok(())
    }

    /// Writes the last of every file.
    ///
    /// # Errors
    /// A failed write.
    pub fn finish(self) -> Result<(), WriteError> {
        for (_, out) in self.files {
            let path = out.path().to_path_buf();
            out.finish().map_err(io_err(&path))?;
        }
        Ok(())
    }
}
