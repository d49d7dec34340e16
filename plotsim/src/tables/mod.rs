//! Tables: turn entity panels into rows. Columnar, typed, one batch of
//! entities at a time; the writers format them.
//!
//! This release builds the auto schema (`dim_date`, `dim_<unit>`,
//! `fct_<unit>`); declared schemas come next.

mod dims;
mod facts;

pub(crate) use dims::{UnitDim, unit_dim_rows};
pub use dims::{dim_date, entity_key};
pub(crate) use facts::fact_rows;
pub use facts::stages;

use chrono::NaiveDate;

/// The values of one column.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnData {
    /// Integers (None = null).
    Int(Vec<Option<i64>>),
    /// Floats (None = null).
    Float(Vec<Option<f64>>),
    /// Text (None = null).
    Text(Vec<Option<String>>),
    /// Calendar dates.
    Date(Vec<NaiveDate>),
    /// Booleans.
    Bool(Vec<bool>),
}

impl ColumnData {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            ColumnData::Int(v) => v.len(),
            ColumnData::Float(v) => v.len(),
            ColumnData::Text(v) => v.len(),
            ColumnData::Date(v) => v.len(),
            ColumnData::Bool(v) => v.len(),
        }
    }

    /// Whether there is no row.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn empty_like(&self) -> ColumnData {
        match self {
            ColumnData::Int(_) => ColumnData::Int(Vec::new()),
            ColumnData::Float(_) => ColumnData::Float(Vec::new()),
            ColumnData::Text(_) => ColumnData::Text(Vec::new()),
            ColumnData::Date(_) => ColumnData::Date(Vec::new()),
            ColumnData::Bool(_) => ColumnData::Bool(Vec::new()),
        }
    }

    fn append(&mut self, other: ColumnData) {
        match (self, other) {
            (ColumnData::Int(a), ColumnData::Int(b)) => a.extend(b),
            (ColumnData::Float(a), ColumnData::Float(b)) => a.extend(b),
            (ColumnData::Text(a), ColumnData::Text(b)) => a.extend(b),
            (ColumnData::Date(a), ColumnData::Date(b)) => a.extend(b),
            (ColumnData::Bool(a), ColumnData::Bool(b)) => a.extend(b),
            _ => {}
        }
    }
}

/// A named column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Column name.
    pub name: String,
    /// Its values.
    pub data: ColumnData,
}

/// A table, or one batch of its rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Table name.
    pub name: String,
    /// Columns, in output order.
    pub columns: Vec<Column>,
}

impl Table {
    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, |c| c.data.len())
    }

    /// A column by name.
    pub fn column(&self, name: &str) -> Option<&ColumnData> {
        self.columns
            .iter()
            .find(|c| c.name == name)
            .map(|c| &c.data)
    }

    /// The same columns with no rows.
    pub fn empty_like(&self) -> Table {
        Table {
            name: self.name.clone(),
            columns: self
                .columns
                .iter()
                .map(|c| Column {
                    name: c.name.clone(),
                    data: c.data.empty_like(),
                })
                .collect(),
        }
    }

    /// Appends another batch of the same table.
    pub fn append(&mut self, batch: Table) {
        for (a, b) in self.columns.iter_mut().zip(batch.columns) {
            a.data.append(b.data);
        }
    }
}
