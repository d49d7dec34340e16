//! Batches of rows: what the table builders hand on for one entity block,
//! and the in-memory whole table of a [`crate::Dataset`].

use super::column::ColumnData;
use super::schema::{TableId, TableSchema};

/// Rows of one table for one block of entities, columns in schema order.
#[derive(Debug, Clone, PartialEq)]
pub struct RowBatch {
    /// The table.
    pub table: TableId,
    /// Its columns, in the schema's order.
    pub columns: Vec<ColumnData>,
}

impl RowBatch {
    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, ColumnData::len)
    }

    /// Rows `range` of this batch.
    pub fn slice(&self, range: std::ops::Range<usize>) -> RowBatch {
        RowBatch {
            table: self.table,
            columns: self
                .columns
                .iter()
                .map(|c| c.slice(range.clone()))
                .collect(),
        }
    }
}

/// Every table's rows for one entity block, indexed by [`TableId`] (a table
/// without rows in the block has an empty batch or none).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BatchRows {
    /// One batch per table that has rows in the block.
    pub rows: Vec<RowBatch>,
}

impl BatchRows {
    /// Appends the rows of the next entities (table by table).
    pub fn append(&mut self, other: &BatchRows) {
        for b in &other.rows {
            match self.rows.iter_mut().find(|a| a.table == b.table) {
                Some(a) => {
                    for (x, y) in a.columns.iter_mut().zip(&b.columns) {
                        x.append(y);
                    }
                }
                None => self.rows.push(b.clone()),
            }
        }
    }
}

/// A named column of a whole table.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Column name.
    pub name: String,
    /// Its values.
    pub data: ColumnData,
}

/// A whole table held in memory (a [`crate::Dataset`]'s).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Table name.
    pub name: String,
    /// Columns, in output order.
    pub columns: Vec<Column>,
}

impl Table {
    /// An empty table of a schema.
    pub(crate) fn empty(schema: &TableSchema, first: Option<&RowBatch>) -> Table {
        Table {
            name: schema.name.clone(),
            columns: schema
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| Column {
                    name: c.name.clone(),
                    data: first.map_or_else(
                        || super::column::ColumnData::empty_of(c.ty),
                        |b| b.columns[i].slice(0..0),
                    ),
                })
                .collect(),
        }
    }

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

    /// Appends a batch of this table's rows.
    pub(crate) fn append(&mut self, batch: &RowBatch) {
        if self.rows() == 0 {
            // The first batch fixes each column's storage (keys, labels).
            for (a, b) in self.columns.iter_mut().zip(&batch.columns) {
                a.data = b.clone();
            }
            return;
        }
        for (a, b) in self.columns.iter_mut().zip(&batch.columns) {
            a.data.append(b);
        }
    }

    /// Rows `range` as a batch of table `id` (its index in the schema).
    pub fn batch(&self, id: TableId, range: std::ops::Range<usize>) -> RowBatch {
        RowBatch {
            table: id,
            columns: self
                .columns
                .iter()
                .map(|c| c.data.slice(range.clone()))
                .collect(),
        }
    }
}
