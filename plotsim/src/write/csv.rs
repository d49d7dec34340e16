//! CSV: RFC 4180 with minimal quoting, LF line ends, floats with 4 decimals,
//! `true`/`false`, ISO dates, and an empty field for null.

use std::fmt::Write as _;

use crate::tables::{ColumnData, Table};

/// Appends a field, quoting it when it holds a comma, quote or line break.
fn field(out: &mut String, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

/// The header line of a table.
pub fn header(table: &Table) -> String {
    let mut out = String::new();
    for (i, c) in table.columns.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        field(&mut out, &c.name);
    }
    out.push('\n');
    out
}

/// The data lines of a table (or batch).
pub fn rows(table: &Table) -> String {
    let mut out = String::with_capacity(table.rows() * table.columns.len() * 8);
    for r in 0..table.rows() {
        for (i, c) in table.columns.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            match &c.data {
                ColumnData::Int(v) => {
                    if let Some(x) = v[r] {
                        let _ = write!(out, "{x}");
                    }
                }
                ColumnData::Float(v) => {
                    if let Some(x) = v[r] {
                        let _ = write!(out, "{x:.4}");
                    }
                }
                ColumnData::Text(v) => {
                    if let Some(s) = &v[r] {
                        field(&mut out, s);
                    }
                }
                ColumnData::Date(v) => {
                    let _ = write!(out, "{}", v[r].format("%Y-%m-%d"));
                }
                ColumnData::Bool(v) => out.push_str(if v[r] { "true" } else { "false" }),
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::Column;

    #[test]
    fn formats_per_the_dialect() {
        let t = Table {
            name: "t".into(),
            columns: vec![
                Column {
                    name: "a,b".into(),
                    data: ColumnData::Int(vec![Some(1), None]),
                },
                Column {
                    name: "f".into(),
                    data: ColumnData::Float(vec![Some(0.123_45), Some(-2.0)]),
                },
                Column {
                    name: "s".into(),
                    data: ColumnData::Text(vec![Some("x \"y\"".into()), Some("plain".into())]),
                },
                Column {
                    name: "b".into(),
                    data: ColumnData::Bool(vec![true, false]),
                },
            ],
        };
        assert_eq!(header(&t), "\"a,b\",f,s,b\n");
        assert_eq!(
            rows(&t),
            "1,0.1235,\"x \"\"y\"\"\",true\n,-2.0000,plain,false\n"
        );
    }
}
