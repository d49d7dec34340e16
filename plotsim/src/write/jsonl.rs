//! JSON lines: one object per row, keys in column order, native numbers and
//! booleans, ISO dates, `null` for null. Floats are rounded to 10 decimals
//! and written in their shortest form.

use std::fmt::Write as _;

use crate::tables::{ColumnData, Table};

fn round10(x: f64) -> f64 {
    let r = (x * 1e10).round() / 1e10;
    if r.is_finite() { r } else { x }
}

/// The lines of a table (or batch).
pub fn rows(table: &Table) -> String {
    let keys: Vec<String> = table
        .columns
        .iter()
        .map(|c| serde_json::to_string(&c.name).unwrap_or_default())
        .collect();
    let mut out = String::with_capacity(table.rows() * table.columns.len() * 16);
    for r in 0..table.rows() {
        out.push('{');
        for (i, c) in table.columns.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&keys[i]);
            out.push(':');
            match &c.data {
                ColumnData::Int(v) => match v[r] {
                    Some(x) => {
                        let _ = write!(out, "{x}");
                    }
                    None => out.push_str("null"),
                },
                ColumnData::Float(v) => match v[r].filter(|x| x.is_finite()) {
                    Some(x) => out.push_str(
                        &serde_json::Number::from_f64(round10(x))
                            .map_or_else(|| "null".into(), |n| n.to_string()),
                    ),
                    None => out.push_str("null"),
                },
                ColumnData::Text(v) => match &v[r] {
                    Some(s) => out.push_str(&serde_json::to_string(s).unwrap_or_default()),
                    None => out.push_str("null"),
                },
                ColumnData::Date(v) => {
                    let _ = write!(out, "\"{}\"", v[r].format("%Y-%m-%d"));
                }
                ColumnData::Bool(v) => out.push_str(if v[r] { "true" } else { "false" }),
            }
        }
        out.push_str("}\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::Column;

    #[test]
    fn one_object_per_line() {
        let t = Table {
            name: "t".into(),
            columns: vec![
                Column {
                    name: "id".into(),
                    data: ColumnData::Text(vec![Some("c-001".into()), Some("é \"q\"".into())]),
                },
                Column {
                    name: "v".into(),
                    data: ColumnData::Float(vec![Some(0.078_554_532_61), None]),
                },
                Column {
                    name: "n".into(),
                    data: ColumnData::Int(vec![Some(3), None]),
                },
                Column {
                    name: "d".into(),
                    data: ColumnData::Date(vec![
                        chrono::NaiveDate::from_ymd_opt(2024, 1, 1)
                            .unwrap();
                        2
                    ]),
                },
            ],
        };
        assert_eq!(
            rows(&t),
            "{\"id\":\"c-001\",\"v\":0.0785545326,\"n\":3,\"d\":\"2024-01-01\"}\n{\"id\":\"é \\\"q\\\"\",\"v\":null,\"n\":null,\"d\":\"2024-01-01\"}\n"
        );
    }
}
