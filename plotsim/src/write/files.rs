//! The files of one dataset in one format: every table's file is opened from
//! the schema at the start (CSV headers, Parquet schemas, SQL `CREATE
//! TABLE`s), then receives encoded blocks in entity order.

use std::io::{BufWriter, Write};

use super::out::OutFile;
use std::path::{Path, PathBuf};

use std::sync::Arc;

use super::encode::{Buffers, Encoded, Encoder, Part, csv, sql};
use super::{WriteError, io_err};
use plotsim_config::{OutputFormat, SqlDialect};

enum Out {
    /// CSV, JSON lines, or a table's SQL `INSERT`s spooled to a scratch file.
    Text(OutFile),
    #[cfg(feature = "parquet")]
    Parquet(PathBuf, Box<super::encode::parquet::ParquetFile>),
}

/// Every table's file of a dataset being written.
pub struct DatasetFiles {
    dir: PathBuf,
    format: OutputFormat,
    dialect: SqlDialect,
    names: Vec<String>,
    creates: Vec<String>,
    outs: Vec<Out>,
    rows: Vec<u64>,
    /// The encoder's spent text buffers, given back once written.
    buffers: Arc<Buffers>,
}

impl std::fmt::Debug for DatasetFiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DatasetFiles({}, {})", self.dir.display(), self.format)
    }
}

fn text_file(path: PathBuf, head: &[u8], spool: bool) -> Result<Out, WriteError> {
    let create = if spool {
        OutFile::spool
    } else {
        OutFile::create
    };
    let mut out = create(&path).map_err(io_err(&path))?;
    out.write_all(head).map_err(io_err(&path))?;
    Ok(Out::Text(out))
}

impl DatasetFiles {
    /// Opens, in `dir` (which exists), every table's file of the blocks
    /// `encoder` encodes: its schema, format and SQL dialect.
    ///
    /// # Errors
    /// A file that cannot be created; Parquet without the `parquet` feature.
    pub fn create(dir: &Path, encoder: &Encoder) -> Result<Self, WriteError> {
        let (schema, format, dialect) = (encoder.schema(), encoder.format(), encoder.dialect());
        let mut outs = Vec::new();
        for t in schema.tables() {
            let file = |ext: &str| dir.join(format!("{}.{ext}", t.name));
            outs.push(match format {
                OutputFormat::Csv => text_file(file("csv"), &csv::header(t), false)?,
                OutputFormat::Jsonl => text_file(file("jsonl"), b"", false)?,
                // Spooled, then copied into `data.sql` at the end.
                OutputFormat::Sql => {
                    text_file(dir.join(format!(".{}.sql.tmp", t.name)), b"", true)?
                }
                #[cfg(feature = "parquet")]
                OutputFormat::Parquet => {
                    let path = file("parquet");
                    let f = super::encode::parquet::ParquetFile::create(&path, t)
                        .map_err(super::parquet_err(path.display()))?;
                    Out::Parquet(path, Box::new(f))
                }
                #[cfg(not(feature = "parquet"))]
                OutputFormat::Parquet => return Err(super::encode::unsupported_parquet()),
            });
        }
        Ok(DatasetFiles {
            dir: dir.to_path_buf(),
            format,
            dialect,
            names: schema.tables().iter().map(|t| t.name.clone()).collect(),
            creates: schema
                .tables()
                .iter()
                .map(|t| sql::create_table(t, dialect))
                .collect(),
            rows: vec![0; outs.len()],
            outs,
            buffers: encoder.buffers(),
        })
    }

    /// Appends one encoded block of a table (a text block's buffer goes
    /// back to the encoder, for a later block).
    ///
    /// # Errors
    /// A failed write.
    pub fn append(&mut self, e: Encoded) -> Result<(), WriteError> {
        self.rows[e.table] += e.rows;
        match (&mut self.outs[e.table], e.part) {
            (Out::Text(out), Part::Bytes(b)) => {
                out.write_all(&b).map_err(io_err(out.path()))?;
                self.buffers.give(b);
                Ok(())
            }
            #[cfg(feature = "parquet")]
            (Out::Parquet(path, f), Part::RowGroup(chunks)) => {
                f.append(chunks).map_err(super::parquet_err(path.display()))
            }
            #[cfg(feature = "parquet")]
            _ => Err(WriteError::Unsupported(
                "an encoded block of another format".to_owned(),
            )),
        }
    }

    /// Finishes every file (and assembles `data.sql`); returns rows per
    /// table in schema order.
    ///
    /// # Errors
    /// A failed write.
    pub fn finish(self) -> Result<Vec<(String, u64)>, WriteError> {
        let mut spools = Vec::new();
        for out in self.outs {
            match out {
                Out::Text(out) => {
                    let path = out.path().to_path_buf();
                    out.finish().map_err(io_err(&path))?;
                    spools.push(path);
                }
                #[cfg(feature = "parquet")]
                Out::Parquet(path, f) => f.finish().map_err(super::parquet_err(path.display()))?,
            }
        }
        if self.format == OutputFormat::Sql {
            assemble(
                &self.dir,
                &self.names,
                &self.creates,
                &spools,
                &self.rows,
                self.dialect,
            )?;
        }
        Ok(self.names.into_iter().zip(self.rows).collect())
    }
}

/// `data.sql`: the preamble, every `CREATE TABLE`, then each table's
/// spooled `INSERT`s in schema order; the spools are removed.
fn assemble(
    dir: &Path,
    names: &[String],
    creates: &[String],
    spools: &[PathBuf],
    rows: &[u64],
    dialect: SqlDialect,
) -> Result<(), WriteError> {
    let path = dir.join("data.sql");
    // Through the cache, copied in the kernel (`copy_file_range`) from
    // the spools: nothing waits for the disk at the end of the run.
    let f = std::fs::File::create(&path).map_err(io_err(&path))?;
    let mut out = BufWriter::new(f);
    let tables: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut head = sql::preamble(&tables, dialect);
    for c in creates {
        head.push('\n');
        head.push_str(c);
    }
    out.write_all(head.as_bytes()).map_err(io_err(&path))?;
    for (spool, &n) in spools.iter().zip(rows) {
        if n > 0 {
            out.write_all(b"\n").map_err(io_err(&path))?;
            let mut f = std::fs::File::open(spool).map_err(io_err(spool))?;
            std::io::copy(&mut f, &mut out).map_err(io_err(&path))?;
        }
        std::fs::remove_file(spool).map_err(io_err(spool))?;
    }
    out.flush().map_err(io_err(&path))
}
