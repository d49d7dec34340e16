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

use std::sync::{Arc, Mutex};

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

/// Spent text buffers, handed back once their bytes are written, for the
/// next blocks' text. A block's text then lands in memory that is mapped
/// and already grown to a block's size: freed, an allocator may return such
/// megabyte buffers to the system, and the next one grows by doubling and
/// is faulted in page by page again (under glibc's default thresholds, a
/// fifth of a 100M-value 2-thread CSV run, in the kernel; see also
/// `keep_blocks_mapped` in the pipeline).
#[derive(Debug, Default)]
pub(crate) struct Buffers(Mutex<Vec<Vec<u8>>>);

impl Buffers {
    /// Buffers kept at most (the ordered queue bounds how many are out).
    const KEEP: usize = 64;

    fn take(&self) -> Vec<u8> {
        self.0
            .lock()
            .ok()
            .and_then(|mut v| v.pop())
            .unwrap_or_default()
    }

    /// Takes back a buffer whose bytes were written, for a later block.
    pub(crate) fn give(&self, mut b: Vec<u8>) {
        b.clear();
        if let Ok(mut v) = self.0.lock()
            && v.len() < Self::KEEP
        {
            v.push(b);
        }
    }
}

/// Encodes batches of a schema's tables in one format.
pub struct Encoder {
    schema: Arc<Schema>,
    buffers: Arc<Buffers>,
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
            buffers: Arc::default(),
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
        let mut out = self.buffers.take();
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

    /// The schema whose tables it encodes.
    pub fn schema(&self) -> &Arc<Schema> {
        &self.schema
    }

    /// The format it encodes in.
    pub fn format(&self) -> OutputFormat {
        self.format
    }

    /// The SQL dialect of its `INSERT`s.
    pub fn dialect(&self) -> SqlDialect {
        self.dialect
    }

    /// Where the files give back the text buffers they have written.
    pub(crate) fn buffers(&self) -> Arc<Buffers> {
        self.buffers.clone()
    }
}

#[cfg(not(feature = "parquet"))]
pub(crate) fn unsupported_parquet() -> WriteError {
    WriteError::Unsupported(
        "the parquet format: this build of plotsim has the `parquet` feature turned off".to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recycled_buffer_holds_only_its_next_batch() {
        let plan = crate::templates::get("quickstart")
            .unwrap()
            .config()
            .unwrap()
            .validate()
            .unwrap();
        let data = crate::generate_with(&plan, Some(7), 64).unwrap();
        let id = data.tables().iter().position(|t| t.rows() > 40).unwrap();
        let table = &data.tables()[id];
        let (long, short) = (table.batch(id, 0..40), table.batch(id, 40..45));
        for format in [OutputFormat::Csv, OutputFormat::Jsonl, OutputFormat::Sql] {
            let bytes = |e: Encoded| match e.part {
                Part::Bytes(b) => b,
                #[cfg(feature = "parquet")]
                Part::RowGroup(_) => unreachable!("a text format"),
            };
            let fresh = Encoder::new(data.schema().clone(), format, SqlDialect::default()).unwrap();
            let want = bytes(fresh.encode(&short).unwrap());
            let reused =
                Encoder::new(data.schema().clone(), format, SqlDialect::default()).unwrap();
            let spent = bytes(reused.encode(&long).unwrap());
            let capacity = spent.capacity();
            reused.buffers.give(spent);
            let got = bytes(reused.encode(&short).unwrap());
            assert_eq!(got, want, "{format}");
            // The long batch's buffer, reused.
            assert_eq!(got.capacity(), capacity, "{format}");
        }
    }
}
