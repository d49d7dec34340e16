//! Parquet: snappy-compressed, one file per table, logical types (64-bit
//! integers, doubles, UTF-8 strings, dates, timestamps, booleans). Each
//! entity block's rows are one row group, encoded in the parallel stage
//! (column chunks from [`encode_row_group`]) and spliced into the file in
//! block order; `created_by` is fixed. So the bytes depend on the plan and
//! seed only, never on batch size or threads. Dictionary encoding is on for
//! text columns only (floats and integers gain nothing from it).

use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, Float64Array, Int64Array, RecordBatch, StringArray,
    TimestampMicrosecondArray,
};
use arrow_buffer::{NullBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, Schema as ArrowSchema, SchemaRef, TimeUnit};
use chrono::NaiveDate;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_writer::{ArrowColumnChunk, ArrowRowGroupWriterFactory, compute_leaves};
use parquet::basic::Compression;
use parquet::file::properties::{WriterProperties, WriterPropertiesPtr};
use parquet::schema::types::ColumnPath;

use crate::tables::schema::Fill;
use crate::tables::{ColumnData, LogicalType, RowBatch, TableSchema, Values};
use arrow_array::{ListArray, StructArray};
use arrow_buffer::OffsetBuffer;
use arrow_schema::Fields;
use plotsim_config::plan::{NestedPlan, NestedScalar};
use serde_json::Value;

/// The `created_by` recorded in every file.
pub const CREATED_BY: &str = "plotsim";

/// Errors of the Parquet writer.
pub type ParquetError = parquet::errors::ParquetError;

fn scalar_type(s: NestedScalar) -> DataType {
    match s {
        NestedScalar::Int => DataType::Int64,
        NestedScalar::Float => DataType::Float64,
        NestedScalar::Text => DataType::Utf8,
        NestedScalar::Boolean => DataType::Boolean,
    }
}

fn struct_fields(fields: &[(String, NestedScalar)]) -> Fields {
    fields
        .iter()
        .map(|(k, s)| Field::new(k, scalar_type(*s), true))
        .collect()
}

fn item_field(element: NestedScalar) -> Arc<Field> {
    Arc::new(Field::new("item", scalar_type(element), true))
}

/// A column's Arrow type; a nested column's shape is its fill.
fn data_type(ty: LogicalType, fill: Option<&Fill>) -> DataType {
    match (ty, fill) {
        (LogicalType::Nested, Some(Fill::Nested(NestedPlan::Struct(fields)))) => {
            DataType::Struct(struct_fields(fields))
        }
        (LogicalType::Nested, Some(Fill::Nested(NestedPlan::Array { element, .. }))) => {
            DataType::List(item_field(*element))
        }
        (ty, _) => plain_type(ty),
    }
}

fn plain_type(ty: LogicalType) -> DataType {
    match ty {
        LogicalType::Nested => DataType::Utf8,
        LogicalType::Int => DataType::Int64,
        LogicalType::Float => DataType::Float64,
        LogicalType::Text => DataType::Utf8,
        LogicalType::Date => DataType::Date32,
        LogicalType::Timestamp => DataType::Timestamp(TimeUnit::Microsecond, None),
        LogicalType::Bool => DataType::Boolean,
    }
}

/// The Arrow schema of a table.
pub fn arrow_schema(table: &TableSchema) -> SchemaRef {
    Arc::new(ArrowSchema::new(
        table
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| Field::new(&c.name, data_type(c.ty, table.fills.get(i)), c.nullable))
            .collect::<Vec<_>>(),
    ))
}

/// The writer properties of a table's file.
pub fn properties(table: &TableSchema) -> WriterPropertiesPtr {
    let mut b = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_created_by(CREATED_BY.to_owned())
        .set_dictionary_enabled(false)
        .set_max_row_group_row_count(None);
    for c in table.columns.iter().filter(|c| c.ty == LogicalType::Text) {
        b = b.set_column_dictionary_enabled(ColumnPath::from(c.name.as_str()), true);
    }
    Arc::new(b.build())
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

fn nulls<T: Clone + Default>(v: &Values<T>) -> Option<NullBuffer> {
    v.validity().map(NullBuffer::from)
}

fn scalar_array<'a>(s: NestedScalar, vals: impl Iterator<Item = Option<&'a Value>>) -> ArrayRef {
    match s {
        NestedScalar::Int => Arc::new(Int64Array::from_iter(
            vals.map(|v| v.and_then(Value::as_i64)),
        )),
        NestedScalar::Float => Arc::new(Float64Array::from_iter(
            vals.map(|v| v.and_then(Value::as_f64)),
        )),
        NestedScalar::Text => Arc::new(StringArray::from_iter(
            vals.map(|v| v.and_then(Value::as_str)),
        )),
        NestedScalar::Boolean => Arc::new(BooleanArray::from_iter(
            vals.map(|v| v.and_then(Value::as_bool)),
        )),
    }
}

/// A nested column as a native struct or list array.
fn nested_array(n: &NestedPlan, v: &Values<Value>) -> ArrayRef {
    match n {
        NestedPlan::Struct(fields) => {
            let children = fields
                .iter()
                .map(|(k, s)| scalar_array(*s, v.values().iter().map(|x| x.get(k))))
                .collect();
            Arc::new(StructArray::new(struct_fields(fields), children, nulls(v)))
        }
        NestedPlan::Array { element, .. } => {
            let lens = v.values().iter().map(|x| x.as_array().map_or(0, Vec::len));
            let offsets = OffsetBuffer::from_lengths(lens);
            let items = scalar_array(
                *element,
                v.values()
                    .iter()
                    .flat_map(|x| x.as_array().into_iter().flatten().map(Some)),
            );
            Arc::new(ListArray::new(
                item_field(*element),
                offsets,
                items,
                nulls(v),
            ))
        }
    }
}

/// One column as an Arrow array (numbers are copied in bulk, with the
/// validity mask as the null buffer).
fn array(c: &ColumnData, fill: Option<&Fill>) -> ArrayRef {
    match c {
        ColumnData::Nested(v) => match fill {
            Some(Fill::Nested(n)) => nested_array(n, v),
            _ => Arc::new(StringArray::from_iter(
                v.iter().map(|x| x.map(Value::to_string)),
            )),
        },
        ColumnData::Int(v) => Arc::new(Int64Array::new(
            ScalarBuffer::from(v.values().to_vec()),
            nulls(v),
        )),
        ColumnData::Float(v) => Arc::new(Float64Array::new(
            ScalarBuffer::from(v.values().to_vec()),
            nulls(v),
        )),
        ColumnData::Bool(v) => Arc::new(BooleanArray::from_iter(v.iter().map(|x| x.copied()))),
        ColumnData::Date(v) => Arc::new(Date32Array::from_iter(
            v.iter()
                .map(|d| d.map(|d| (*d - epoch()).num_days() as i32)),
        )),
        ColumnData::Timestamp(v) => Arc::new(TimestampMicrosecondArray::from_iter(
            v.iter().map(|t| t.map(|t| t.and_utc().timestamp_micros())),
        )),
        ColumnData::Text(v) => Arc::new(StringArray::from_iter(
            v.iter().map(|x| x.map(String::as_str)),
        )),
        ColumnData::Key(k) => {
            let n = k.ordinals.len();
            let mut b = StringBuilder::with_capacity(n, n * (k.format.prefix().len() + 8));
            // A fact holds an entity's key on each of its rows in a run:
            // formatted once per run.
            let mut key = String::new();
            let mut last = None;
            for &o in &k.ordinals {
                if last != Some(o) {
                    key = k.format.key(o);
                    last = Some(o);
                }
                b.append_value(&key);
            }
            Arc::new(b.finish())
        }
        ColumnData::Dict(d) => Arc::new(StringArray::from_iter(
            d.codes
                .iter()
                .map(|c| c.map(|&c| d.labels[c as usize].as_str())),
        )),
    }
}

/// A batch as an Arrow record batch.
pub fn record_batch(
    table: &TableSchema,
    batch: &RowBatch,
) -> Result<RecordBatch, arrow_schema::ArrowError> {
    RecordBatch::try_new(
        arrow_schema(table),
        batch
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| array(c, table.fills.get(i)))
            .collect(),
    )
}

/// Encodes a table's rows for one block into the column chunks of one row
/// group. Pure: the chunks depend on the rows only.
pub fn encode_row_group(
    factory: &ArrowRowGroupWriterFactory,
    table: &TableSchema,
    batch: &RowBatch,
) -> Result<Vec<ArrowColumnChunk>, ParquetError> {
    let schema = arrow_schema(table);
    let mut writers = factory.create_column_writers(0)?;
    let mut w = writers.iter_mut();
    for (i, (field, c)) in schema.fields().iter().zip(&batch.columns).enumerate() {
        for leaf in compute_leaves(field, &array(c, table.fills.get(i)))? {
            if let Some(w) = w.next() {
                w.write(&leaf)?;
            }
        }
    }
    writers.into_iter().map(|w| w.close()).collect()
}

/// The row-group factory of a table (for [`encode_row_group`]), made from a
/// writer over nothing: chunks from it splice into the real file.
pub fn factory(table: &TableSchema) -> Result<ArrowRowGroupWriterFactory, ParquetError> {
    let props = Arc::unwrap_or_clone(properties(table));
    let w = ArrowWriter::try_new(std::io::sink(), arrow_schema(table), Some(props))?;
    Ok(w.into_serialized_writer()?.1)
}

/// A table's Parquet file, receiving encoded row groups in block order.
pub struct ParquetFile {
    writer: parquet::file::writer::SerializedFileWriter<crate::write::out::OutFile>,
}

impl std::fmt::Debug for ParquetFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ParquetFile")
    }
}

impl ParquetFile {
    /// Creates the file for `table` at `path`.
    pub fn create(path: &std::path::Path, table: &TableSchema) -> Result<Self, ParquetError> {
        let file = crate::write::out::OutFile::create(path)?;
        let props = Arc::unwrap_or_clone(properties(table));
        let w = ArrowWriter::try_new(file, arrow_schema(table), Some(props))?;
        Ok(ParquetFile {
            writer: w.into_serialized_writer()?.0,
        })
    }

    /// Appends one row group.
    pub fn append(&mut self, chunks: Vec<ArrowColumnChunk>) -> Result<(), ParquetError> {
        let mut rg = self.writer.next_row_group()?;
        for c in chunks {
            c.append_to_row_group(&mut rg)?;
        }
        rg.close()?;
        Ok(())
    }

    /// Finishes the file: the footer, then the last buffered bytes.
    pub fn finish(self) -> Result<(), ParquetError> {
        self.writer.into_inner()?.finish()?;
        Ok(())
    }
}
