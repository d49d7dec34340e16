//! Writes the tables of a dataset in one format: each table's file is created
//! on its first batch and appended to in entity order.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

#[cfg(feature = "parquet")]
use super::parquet::ParquetFile;
use super::sql::Spool;
use super::{csv, jsonl, sql};
use crate::error::{Error, Result};
use crate::tables::Table;
use plotsim_config::plan::TablePlan;
use plotsim_config::{OutputFormat, SqlDialect};

pub(crate) fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Write {
        path: path.display().to_string(),
        source,
    }
}

#[cfg(feature = "parquet")]
fn parquet_err(path: &Path) -> impl FnOnce(super::parquet::ParquetError) -> Error + '_ {
    move |e| Error::Write {
        path: path.display().to_string(),
        source: std::io::Error::other(e.to_string()),
    }
}

/// A text file (CSV or JSON lines) being appended to.
struct TextFile {
    path: PathBuf,
    out: BufWriter<std::fs::File>,
    rows: u64,
    csv: bool,
}

enum Out {
    Text(TextFile),
    #[cfg(feature = "parquet")]
    Parquet(PathBuf, Box<ParquetFile>),
    Sql(Box<Spool>),
}

/// The files of one dataset in one format.
pub struct DatasetWriter {
    dir: PathBuf,
    format: OutputFormat,
    dialect: SqlDialect,
    plans: Vec<TablePlan>,
    outs: Vec<(String, Out)>,
}

impl std::fmt::Debug for DatasetWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "DatasetWriter({}, {}, {} tables)",
            self.dir.display(),
            self.format,
            self.outs.len()
        )
    }
}

impl DatasetWriter {
    /// Writes into `dir` (which exists) in `format`.
    pub fn new(dir: &Path, format: OutputFormat, dialect: SqlDialect, plans: &[TablePlan]) -> Self {
        DatasetWriter {
            dir: dir.to_path_buf(),
            format,
            dialect,
            plans: plans.to_vec(),
            outs: Vec::new(),
        }
    }

    fn open(&self, t: &Table) -> Result<Out> {
        let file = |ext: &str| self.dir.join(format!("{}.{ext}", t.name));
        Ok(match self.format {
            OutputFormat::Csv | OutputFormat::Jsonl => {
                let csv = self.format == OutputFormat::Csv;
                let path = file(if csv { "csv" } else { "jsonl" });
                let f = std::fs::File::create(&path).map_err(io_err(&path))?;
                let mut out = BufWriter::with_capacity(1 << 20, f);
                if csv {
                    out.write_all(csv::header(t).as_bytes())
                        .map_err(io_err(&path))?;
                }
                Out::Text(TextFile {
                    path,
                    out,
                    rows: 0,
                    csv,
                })
            }
            #[cfg(feature = "parquet")]
            OutputFormat::Parquet => {
                let path = file("parquet");
                let w = ParquetFile::create(&self.dir, t).map_err(parquet_err(&path))?;
                Out::Parquet(path, Box::new(w))
            }
            #[cfg(not(feature = "parquet"))]
            OutputFormat::Parquet => {
                return Err(Error::Unsupported(
                    "the parquet format: this build of plotsim has the `parquet` feature turned off".to_owned(),
                ));
            }
            OutputFormat::Sql => {
                let plan = self.plans.iter().find(|p| p.name == t.name);
                let spool = Spool::new(&self.dir, t, plan, &self.plans, self.dialect)
                    .map_err(io_err(&self.dir))?;
                Out::Sql(Box::new(spool))
            }
        })
    }

    /// Appends a batch of a table's rows.
    pub fn append(&mut self, t: &Table) -> Result<()> {
        let i = match self.outs.iter().position(|(n, _)| *n == t.name) {
            Some(i) => i,
            None => {
                let out = self.open(t)?;
                self.outs.push((t.name.clone(), out));
                self.outs.len() - 1
            }
        };
        match &mut self.outs[i].1 {
            Out::Text(f) => {
                f.rows += t.rows() as u64;
                let text = if f.csv { csv::rows(t) } else { jsonl::rows(t) };
                f.out.write_all(text.as_bytes()).map_err(io_err(&f.path))
            }
            #[cfg(feature = "parquet")]
            Out::Parquet(path, w) => w.append(t).map_err(parquet_err(path)),
            Out::Sql(s) => s.append(t).map_err(io_err(&self.dir)),
        }
    }

    /// Finishes every file; returns rows per table in order.
    pub fn finish(self) -> Result<Vec<(String, u64)>> {
        let mut counts = Vec::new();
        let mut spools = Vec::new();
        for (name, out) in self.outs {
            match out {
                Out::Text(mut f) => {
                    f.out.flush().map_err(io_err(&f.path))?;
                    counts.push((name, f.rows));
                }
                #[cfg(feature = "parquet")]
                Out::Parquet(path, w) => {
                    counts.push((name, w.finish().map_err(parquet_err(&path))?))
                }
                Out::Sql(s) => {
                    counts.push((name, s.rows));
                    spools.push(*s);
                }
            }
        }
        if !spools.is_empty() {
            sql::assemble(&self.dir, spools, self.dialect).map_err(io_err(&self.dir))?;
        }
        Ok(counts)
    }
}
