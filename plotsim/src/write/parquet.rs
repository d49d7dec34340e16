//! Parquet: snappy-compressed, one file per table, logical types (64-bit
//! integers, doubles, UTF-8 strings, dates, booleans). Row groups hold a fixed
//! number of rows whatever the generation batches, and `created_by` is fixed,
//! so files are byte-stable for a seed.

use std::path::Path;
use std::sync::Arc;

use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, Float64Array, Int64Array, RecordBatch, StringArray,
};
use arrow_schema::{DataType, Field, Schema};
use chrono::NaiveDate;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use crate::tables::{ColumnData, Table};

/// Rows per row group.
pub const ROW_GROUP_ROWS: usize = 131_072;

/// The `created_by` recorded in every file.
pub const CREATED_BY: &str = "plotsim";

fn data_type(d: &ColumnData) -> DataType {
    match d {
        ColumnData::Int(_) => DataType::Int64,
        ColumnData::Float(_) => DataType::Float64,
        ColumnData::Text(_) => DataType::Utf8,
        ColumnData::Date(_) => DataType::Date32,
        ColumnData::Bool(_) => DataType::Boolean,
    }
}

/// The Arrow schema of a table.
pub fn schema(table: &Table) -> Arc<Schema> {
    let nullable = |d: &ColumnData| !matches!(d, ColumnData::Date(_) | ColumnData::Bool(_));
    Arc::new(Schema::new(
        table
            .columns
            .iter()
            .map(|c| Field::new(&c.name, data_type(&c.data), nullable(&c.data)))
            .collect::<Vec<_>>(),
    ))
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

/// A table (or batch) as an Arrow record batch.
pub fn record_batch(table: &Table) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let arrays: Vec<ArrayRef> = table
        .columns
        .iter()
        .map(|c| -> ArrayRef {
            match &c.data {
                ColumnData::Int(v) => Arc::new(Int64Array::from(v.clone())),
                ColumnData::Float(v) => Arc::new(Float64Array::from(v.clone())),
                ColumnData::Text(v) => Arc::new(StringArray::from(v.clone())),
                ColumnData::Date(v) => Arc::new(Date32Array::from(
                    v.iter()
                        .map(|d| (*d - epoch()).num_days() as i32)
                        .collect::<Vec<_>>(),
                )),
                ColumnData::Bool(v) => Arc::new(BooleanArray::from(v.clone())),
            }
        })
        .collect();
    RecordBatch::try_new(schema(table), arrays)
}

/// A table's Parquet file being appended batch by batch.
pub struct ParquetFile {
    writer: ArrowWriter<std::fs::File>,
    /// Rows written.
    pub rows: u64,
}

impl std::fmt::Debug for ParquetFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ParquetFile({} rows)", self.rows)
    }
}

/// Errors of the Parquet writer.
pub type ParquetError = parquet::errors::ParquetError;

impl ParquetFile {
    /// Creates `<dir>/<table>.parquet` for the table of `first`.
    pub fn create(dir: &Path, first: &Table) -> Result<ParquetFile, ParquetError> {
        let path = dir.join(format!("{}.parquet", first.name));
        let file = std::fs::File::create(&path)?;
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by(CREATED_BY.to_owned())
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .build();
        Ok(ParquetFile {
            writer: ArrowWriter::try_new(file, schema(first), Some(props))?,
            rows: 0,
        })
    }

    /// Appends a batch (row groups are cut by row count, not by batch).
    pub fn append(&mut self, t: &Table) -> Result<(), ParquetError> {
        self.rows += t.rows() as u64;
        self.writer.write(&record_batch(t)?)
    }

    /// Finishes the file.
    pub fn finish(self) -> Result<u64, ParquetError> {
        self.writer.close()?;
        Ok(self.rows)
    }
}
