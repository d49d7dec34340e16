//! Encoders: a table's rows for one entity block to the bytes (or Parquet
//! column chunks) of that block in the file. Pure functions of the table
//! schema and the rows, so they run in the parallel stage and a block's
//! bytes never depend on the others.

pub mod csv;
pub mod jsonl;
#[cfg(feature = "parquet")]
pub mod parquet;
pub mod sql;
mod text;

use std::sync::Arc;

use super::WriteError;
use crate::tables::{RowBatch, Schema, TableId};
use plotsim_config::{OutputFormat, SqlDialect};

/// One table's encoded rows for one block.
#[derive(Debug)]
pub enum Part {
    /// Text to append (CSV, JSON lines, SQL `INSERT`s).
    Bytes(Vec<u8>),
    /// One Parquet row group's column chunks.
    #[cfg(feature = "parquet")]
    RowGroup(Vec<::parquet::arrow::arrow_writer::ArrowColumnChunk>),
}

/// An encoded batch of one table.
#[derive(Debug)]
pub struct Encoded {
    /// The table.
    pub table: TableId,
    /// Rows it holds.
    pub rows: u64,
    /// The encoded rows.
    pub part: Part,
}

/// Encodes batches of a schema's tables in one format.
pub struct Encoder {
    schema: Arc<Schema>,
    format: OutputFormat,
    dialect: SqlDialect,
    #[cfg(feature = "parquet")]
    factories: Vec<::parquet::arrow::arrow_writer::ArrowRowGroupWriterFactory>,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Encoder({})", self.format)
    }
}

impl Encoder {
    /// An encoder of `schema`'s tables in `format`.
    ///
    /// # Errors
    /// [`WriteError::Unsupported`] for Parquet in a build without the
    /// `parquet` feature.
    pub fn new(
        schema: Arc<Schema>,
        format: OutputFormat,
        dialect: SqlDialect,
    ) -> Result<Self, WriteError> {
        #[cfg(feature = "parquet")]
        let factories = if format == OutputFormat::Parquet {
            schema
                .tables()
                .iter()
                .map(|t| parquet::factory(t).map_err(super::parquet_err(&t.name)))
                .collect::<Result<_, _>>()?
        } else {
            Vec::new()
        };
        #[cfg(not(feature = "parquet"))]
        if format == OutputFormat::Parquet {
            return Err(unsupported_parquet());
        }
        Ok(Encoder {
            schema,
            format,
            dialect,
            #[cfg(feature = "parquet")]
            factories,
        })
    }

    /// Encodes one table's rows for one block.
    ///
    /// # Errors
    /// A Parquet encoding failure.
    pub fn encode(&self, batch: &RowBatch) -> Result<Encoded, WriteError> {
        let t = self.schema.table(batch.table);
        let mut out = Vec::new();
        match self.format {
            OutputFormat::Csv => csv::rows(batch, &mut out),
            OutputFormat::Jsonl => jsonl::rows(t, batch, &mut out),
            OutputFormat::Sql => sql::inserts(t, batch, self.dialect, &mut out),
            #[cfg(feature = "parquet")]
            OutputFormat::Parquet => {
                let chunks = parquet::encode_row_group(&self.factories[t.id], t, batch)
                    .map_err(super::parquet_err(&t.name))?;
                return Ok(Encoded {
                    table: t.id,
                    rows: batch.rows() as u64,
                    part: Part::RowGroup(chunks),
                });
            }
            #[cfg(not(feature = "parquet"))]
            OutputFormat::Parquet => return Err(unsupported_parquet()),
        }
        Ok(Encoded {
            table: t.id,
            rows: batch.rows() as u64,
            part: Part::Bytes(out),
        })
    }
}

#[cfg(not(feature = "parquet"))]
pub(crate) fn unsupported_parquet() -> WriteError {
    WriteError::Unsupported(
        "the parquet format: this build of plotsim has the `parquet` feature turned off".to_owned(),
    )
}
