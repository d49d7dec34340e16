//! JSON lines: one object per row, keys in column order, native numbers and
//! booleans, ISO dates, `null` for null. Floats are rounded to 10 decimals
//! and written in their shortest form.

use chrono::{NaiveDate, NaiveDateTime};

use super::text::{push_date, push_int, push_timestamp};
use crate::keys::KeyFormat;
use crate::tables::{CellVisitor, RowBatch, TableSchema};

fn round10(x: f64) -> f64 {
    let r = (x * 1e10).round() / 1e10;
    if r.is_finite() { r } else { x }
}

fn string(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(serde_json::to_string(s).unwrap_or_default().as_bytes());
}

struct Cells<'a>(&'a mut Vec<u8>);

impl CellVisitor for Cells<'_> {
    fn null(&mut self) {
        self.0.extend_from_slice(b"null");
    }
    fn int(&mut self, v: i64) {
        push_int(self.0, v);
    }
    fn float(&mut self, v: f64) {
        match serde_json::Number::from_f64(round10(v)) {
            Some(n) if v.is_finite() => self.0.extend_from_slice(n.to_string().as_bytes()),
            _ => self.null(),
        }
    }
    fn bool(&mut self, v: bool) {
        self.0.extend_from_slice(if v { b"true" } else { b"false" });
    }
    fn date(&mut self, v: NaiveDate) {
        self.0.push(b'"');
        push_date(self.0, v);
        self.0.push(b'"');
    }
    fn timestamp(&mut self, v: NaiveDateTime) {
        self.0.push(b'"');
        push_timestamp(self.0, v);
        self.0.push(b'"');
    }
    fn text(&mut self, v: &str) {
        string(self.0, v);
    }
    fn key(&mut self, format: &KeyFormat, ordinal: u64) {
        string(self.0, &format.key(ordinal));
    }
    fn json(&mut self, v: &serde_json::Value) {
        self.0.extend_from_slice(v.to_string().as_bytes());
    }
}

/// Appends the lines of a batch.
pub fn rows(table: &TableSchema, batch: &RowBatch, out: &mut Vec<u8>) {
    let keys: Vec<String> = table
        .columns
        .iter()
        .map(|c| serde_json::to_string(&c.name).unwrap_or_default())
        .collect();
    out.reserve(batch.rows() * batch.columns.len() * 16);
    for r in 0..batch.rows() {
        out.push(b'{');
        for (i, c) in batch.columns.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(keys[i].as_bytes());
            out.push(b':');
            c.visit(r, &mut Cells(out));
        }
        out.extend_from_slice(b"}\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::{ColumnData, ColumnSchema, KeyColumn, LogicalType, Values};

    #[test]
    fn one_object_per_line() {
        let col = |name: &str, ty| ColumnSchema {
            name: name.into(),
            ty,
            nullable: true,
        };
        let table = TableSchema {
            id: 0,
            name: "t".into(),
            kind: plotsim_config::plan::TableKind::Fact,
            grain: plotsim_config::plan::Grain::PerEntityPerPeriod,
            columns: vec![
                col("id", LogicalType::Text),
                col("s", LogicalType::Text),
                col("v", LogicalType::Float),
                col("n", LogicalType::Int),
                col("d", LogicalType::Date),
            ],
            primary_key: Vec::new(),
            foreign_keys: Vec::new(),
            fills: Vec::new(),
            source: crate::tables::schema::RowSource::EntityPeriods(0..1),
            keys: None,
        };
        let batch = RowBatch {
            table: 0,
            columns: vec![
                ColumnData::Key(KeyColumn {
                    format: KeyFormat::new("c", 2),
                    ordinals: vec![0, 1],
                }),
                ColumnData::Text(Values::from_values(vec!["a".into(), "é \"q\"".into()])),
                ColumnData::Float([Some(0.078_554_532_61), None].into_iter().collect()),
                ColumnData::Int([Some(3), None].into_iter().collect()),
                ColumnData::Date(Values::from_values(vec![
                    NaiveDate::from_ymd_opt(2024, 1, 1)
                        .unwrap();
                    2
                ])),
            ],
        };
        let mut out = Vec::new();
        rows(&table, &batch, &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"id\":\"c-001\",\"s\":\"a\",\"v\":0.0785545326,\"n\":3,\"d\":\"2024-01-01\"}\n{\"id\":\"c-002\",\"s\":\"é \\\"q\\\"\",\"v\":null,\"n\":null,\"d\":\"2024-01-01\"}\n"
        );
    }
}
