//! `Dataset::to_polars()` frames equal the tables (dtypes and values); the
//! tables equal the CSV files byte for byte (see `formats.rs`).

#![cfg(feature = "polars")]
#![allow(clippy::unwrap_used)]

use plotsim::polars::prelude::{AnyValue, DataType};
use plotsim::tables::ColumnData;

#[test]
fn frames_equal_the_tables() {
    let plan = plotsim::Config::from_path(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/golden/tiny.yaml"
    ))
    .unwrap()
    .validate()
    .unwrap();
    let data = plotsim::generate(&plan).unwrap();
    let frames = data.to_polars().unwrap();
    assert_eq!(frames.len(), data.tables().len());
    for ((name, df), t) in frames.iter().zip(data.tables()) {
        assert_eq!(name, &t.name);
        assert_eq!(df.height(), t.rows());
        for c in &t.columns {
            let col = df.column(&c.name).unwrap();
            let want = match &c.data {
                ColumnData::Int(_) => DataType::Int64,
                ColumnData::Float(_) => DataType::Float64,
                ColumnData::Date(_) => DataType::Date,
                ColumnData::Bool(_) => DataType::Boolean,
                _ => DataType::String,
            };
            assert_eq!(col.dtype(), &want, "{name}.{}", c.name);
            let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
            for r in 0..t.rows() {
                let v = col.get(r).unwrap();
                let same = match (&c.data, &v) {
                    (ColumnData::Int(x), AnyValue::Int64(y)) => x.get(r) == Some(y),
                    (ColumnData::Float(x), AnyValue::Float64(y)) => x.get(r) == Some(y),
                    (ColumnData::Bool(x), AnyValue::Boolean(y)) => x.get(r) == Some(y),
                    (ColumnData::Date(x), AnyValue::Date(days)) => {
                        x.get(r).map(|d| (*d - epoch).num_days()) == Some(i64::from(*days))
                    }
                    (data, AnyValue::String(y)) => data.text_at(r).as_deref() == Some(*y),
                    (data, AnyValue::Null) => data.is_null(r),
                    _ => false,
                };
                assert!(same, "{name}.{} row {r}: {v:?}", c.name);
            }
        }
    }
}
