//! Column storage: typed values with a validity mask, entity keys held as
//! ordinals, and dictionary text; one visitor ([`CellVisitor`]) through
//! which every row-wise encoder reads a cell.

use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};

use crate::keys::KeyFormat;

/// Values of one type with an optional validity mask (`None`: every row holds
/// a value). A null row holds `T::default()` in `values`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Values<T> {
    values: Vec<T>,
    valid: Option<Vec<bool>>,
}

impl<T: Clone + Default> Values<T> {
    /// No rows.
    pub fn new() -> Self {
        Values {
            values: Vec::new(),
            valid: None,
        }
    }

    /// No rows, room for `n`.
    pub fn with_capacity(n: usize) -> Self {
        Values {
            values: Vec::with_capacity(n),
            valid: None,
        }
    }

    /// Every row valid.
    pub fn from_values(values: Vec<T>) -> Self {
        Values {
            values,
            valid: None,
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there is no row.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Appends a value.
    #[inline]
    pub fn push_value(&mut self, v: T) {
        self.values.push(v);
        if let Some(valid) = &mut self.valid {
            valid.push(true);
        }
    }

    /// Appends a null.
    #[inline]
    pub fn push_null(&mut self) {
        let n = self.values.len();
        self.values.push(T::default());
        let valid = self.valid.get_or_insert_with(|| {
            let mut v = Vec::with_capacity(self.values.capacity());
            v.resize(n, true);
            v
        });
        valid.push(false);
    }

    /// Appends a value or a null.
    #[inline]
    pub fn push(&mut self, v: Option<T>) {
        match v {
            Some(v) => self.push_value(v),
            None => self.push_null(),
        }
    }

    /// Appends a value per element of `xs`, a NaN as a null and anything
    /// else as `f(x)`: the rows [`Values::push`] would append one by one, in
    /// two tight loops (an entity's metric cells, say).
    pub fn extend_nan_as_null(&mut self, xs: &[f64], f: impl Fn(f64) -> T) {
        let before = self.values.len();
        self.values.extend(
            xs.iter()
                .map(|&x| if x.is_nan() { T::default() } else { f(x) }),
        );
        if self.valid.is_none() && !xs.iter().any(|x| x.is_nan()) {
            return;
        }
        let capacity = self.values.capacity();
        let valid = self.valid.get_or_insert_with(|| {
            let mut v = Vec::with_capacity(capacity);
            v.resize(before, true);
            v
        });
        valid.extend(xs.iter().map(|x| !x.is_nan()));
    }

    /// The value of row `i` (None when null).
    #[inline]
    pub fn get(&self, i: usize) -> Option<&T> {
        match &self.valid {
            Some(valid) if !valid[i] => None,
            _ => Some(&self.values[i]),
        }
    }

    /// Whether row `i` is null.
    #[inline]
    pub fn is_null(&self, i: usize) -> bool {
        self.valid.as_ref().is_some_and(|v| !v[i])
    }

    /// The raw values (nulls hold the default).
    pub fn values(&self) -> &[T] {
        &self.values
    }

    /// The validity mask, when any row is null.
    pub fn validity(&self) -> Option<&[bool]> {
        self.valid.as_deref()
    }

    /// Makes row `i` null.
    pub fn set_null(&mut self, i: usize) {
        let n = self.values.len();
        self.values[i] = T::default();
        self.valid.get_or_insert_with(|| vec![true; n])[i] = false;
    }

    /// Sets row `i` to a value.
    pub fn set(&mut self, i: usize, v: T) {
        self.values[i] = v;
        if let Some(valid) = &mut self.valid {
            valid[i] = true;
        }
    }

    /// The rows as options.
    pub fn iter(&self) -> impl Iterator<Item = Option<&T>> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// The rows as owned options.
    pub fn to_options(&self) -> Vec<Option<T>> {
        self.iter().map(|v| v.cloned()).collect()
    }

    /// Appends every row of `other`.
    pub fn append(&mut self, other: &Values<T>) {
        match (&mut self.valid, &other.valid) {
            (None, None) => {}
            (Some(a), None) => a.resize(a.len() + other.len(), true),
            (a, Some(b)) => {
                let a = a.get_or_insert_with(|| vec![true; self.values.len()]);
                a.extend_from_slice(b);
            }
        }
        self.values.extend_from_slice(&other.values);
    }

    /// Rows `range`.
    pub fn slice(&self, range: std::ops::Range<usize>) -> Values<T> {
        let valid = self
            .valid
            .as_ref()
            .map(|v| v[range.clone()].to_vec())
            .filter(|v| v.contains(&false));
        Values {
            values: self.values[range].to_vec(),
            valid,
        }
    }
}

impl<T: Clone + Default> Values<T> {
    /// The rows at `rows`, in that order (`None`: a null).
    pub fn take(&self, rows: &[Option<usize>]) -> Values<T> {
        rows.iter()
            .map(|r| r.and_then(|i| self.get(i).cloned()))
            .collect()
    }
}

impl<T: Clone + Default> FromIterator<Option<T>> for Values<T> {
    fn from_iter<I: IntoIterator<Item = Option<T>>>(iter: I) -> Self {
        let iter = iter.into_iter();
        let mut out = Values::with_capacity(iter.size_hint().0);
        for v in iter {
            out.push(v);
        }
        out
    }
}

/// Entity keys, held as entity ordinals and spelled by a [`KeyFormat`]
/// when written.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyColumn {
    /// How the keys are spelled.
    pub format: KeyFormat,
    /// The entity ordinal of every row.
    pub ordinals: Vec<u64>,
}

/// Text from a small fixed set of labels, held as codes into it.
#[derive(Debug, Clone, PartialEq)]
pub struct DictColumn {
    /// The labels.
    pub labels: Arc<[String]>,
    /// The label index of every row (None = null).
    pub codes: Values<u32>,
}

/// The values of one column.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnData {
    /// 64-bit integers.
    Int(Values<i64>),
    /// 64-bit floats.
    Float(Values<f64>),
    /// Booleans.
    Bool(Values<bool>),
    /// Calendar dates.
    Date(Values<NaiveDate>),
    /// Timestamps (no time zone).
    Timestamp(Values<NaiveDateTime>),
    /// Text.
    Text(Values<String>),
    /// Entity keys (text when written).
    Key(KeyColumn),
    /// Dictionary text (text when written).
    Dict(DictColumn),
    /// Nested values (`struct` and `array` columns): JSON objects or lists,
    /// native in Parquet and JSON lines, JSON text elsewhere.
    Nested(Values<serde_json::Value>),
}

/// Receives one cell of a column; every row-wise encoder implements it, so
/// the storage is matched in one place ([`ColumnData::visit`]).
pub trait CellVisitor {
    /// A null.
    fn null(&mut self);
    /// An integer.
    fn int(&mut self, v: i64);
    /// A float.
    fn float(&mut self, v: f64);
    /// A boolean.
    fn bool(&mut self, v: bool);
    /// A date.
    fn date(&mut self, v: NaiveDate);
    /// A timestamp.
    fn timestamp(&mut self, v: NaiveDateTime);
    /// Text.
    fn text(&mut self, v: &str);
    /// An entity key; by default, its text.
    fn key(&mut self, format: &KeyFormat, ordinal: u64) {
        self.text(&format.key(ordinal));
    }
    /// A nested value; by default, its JSON text.
    fn json(&mut self, v: &serde_json::Value) {
        self.text(&v.to_string());
    }
}

impl ColumnData {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            ColumnData::Int(v) => v.len(),
            ColumnData::Float(v) => v.len(),
            ColumnData::Bool(v) => v.len(),
            ColumnData::Date(v) => v.len(),
            ColumnData::Timestamp(v) => v.len(),
            ColumnData::Text(v) => v.len(),
            ColumnData::Key(k) => k.ordinals.len(),
            ColumnData::Dict(d) => d.codes.len(),
            ColumnData::Nested(v) => v.len(),
        }
    }

    /// Whether there is no row.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// An empty column of a logical type (plain storage).
    pub fn empty_of(ty: super::schema::LogicalType) -> ColumnData {
        use super::schema::LogicalType as L;
        match ty {
            L::Int => ColumnData::Int(Values::new()),
            L::Float => ColumnData::Float(Values::new()),
            L::Bool => ColumnData::Bool(Values::new()),
            L::Date => ColumnData::Date(Values::new()),
            L::Timestamp => ColumnData::Timestamp(Values::new()),
            L::Text => ColumnData::Text(Values::new()),
            L::Nested => ColumnData::Nested(Values::new()),
        }
    }

    /// Hands cell `row` to `v`.
    #[inline]
    pub fn visit<V: CellVisitor + ?Sized>(&self, row: usize, v: &mut V) {
        match self {
            ColumnData::Int(c) => match c.get(row) {
                Some(&x) => v.int(x),
                None => v.null(),
            },
            ColumnData::Float(c) => match c.get(row) {
                Some(&x) => v.float(x),
                None => v.null(),
            },
            ColumnData::Bool(c) => match c.get(row) {
                Some(&x) => v.bool(x),
                None => v.null(),
            },
            ColumnData::Date(c) => match c.get(row) {
                Some(&x) => v.date(x),
                None => v.null(),
            },
            ColumnData::Timestamp(c) => match c.get(row) {
                Some(&x) => v.timestamp(x),
                None => v.null(),
            },
            ColumnData::Text(c) => match c.get(row) {
                Some(x) => v.text(x),
                None => v.null(),
            },
            ColumnData::Key(k) => v.key(&k.format, k.ordinals[row]),
            ColumnData::Dict(d) => match d.codes.get(row) {
                Some(&c) => v.text(&d.labels[c as usize]),
                None => v.null(),
            },
            ColumnData::Nested(c) => match c.get(row) {
                Some(x) => v.json(x),
                None => v.null(),
            },
        }
    }

    /// Cell `row` as a number (integers and floats), None when null or not numeric.
    pub fn f64_at(&self, row: usize) -> Option<f64> {
        match self {
            ColumnData::Int(c) => c.get(row).map(|&x| x as f64),
            ColumnData::Float(c) => c.get(row).copied(),
            _ => None,
        }
    }

    /// Every cell as a number (see [`ColumnData::f64_at`]).
    pub fn f64s(&self) -> Vec<Option<f64>> {
        (0..self.len()).map(|r| self.f64_at(r)).collect()
    }

    /// Every cell of an integer column (None for other columns' cells).
    pub fn i64s(&self) -> Vec<Option<i64>> {
        match self {
            ColumnData::Int(c) => c.to_options(),
            _ => vec![None; self.len()],
        }
    }

    /// Cell `row` as text, as CSV writes it (None when null).
    pub fn text_at(&self, row: usize) -> Option<String> {
        struct Text(Option<String>);
        impl CellVisitor for Text {
            fn null(&mut self) {}
            fn int(&mut self, v: i64) {
                self.0 = Some(v.to_string());
            }
            fn float(&mut self, v: f64) {
                self.0 = Some(format!("{v:.4}"));
            }
            fn bool(&mut self, v: bool) {
                self.0 = Some(v.to_string());
            }
            fn date(&mut self, v: NaiveDate) {
                self.0 = Some(v.format("%Y-%m-%d").to_string());
            }
            fn timestamp(&mut self, v: NaiveDateTime) {
                self.0 = Some(v.format("%Y-%m-%d %H:%M:%S").to_string());
            }
            fn text(&mut self, v: &str) {
                self.0 = Some(v.to_owned());
            }
        }
        let mut t = Text(None);
        self.visit(row, &mut t);
        t.0
    }

    /// Cell `row` as a JSON value: numbers (full precision), booleans, text,
    /// ISO dates and timestamps, `null`.
    pub fn json_at(&self, row: usize) -> serde_json::Value {
        use serde_json::Value;
        struct Json(Value);
        impl CellVisitor for Json {
            fn null(&mut self) {}
            fn int(&mut self, v: i64) {
                self.0 = Value::from(v);
            }
            fn float(&mut self, v: f64) {
                self.0 = serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number);
            }
            fn bool(&mut self, v: bool) {
                self.0 = Value::Bool(v);
            }
            fn date(&mut self, v: NaiveDate) {
                self.0 = Value::String(v.format("%Y-%m-%d").to_string());
            }
            fn timestamp(&mut self, v: NaiveDateTime) {
                self.0 = Value::String(v.format("%Y-%m-%d %H:%M:%S%.f").to_string());
            }
            fn text(&mut self, v: &str) {
                self.0 = Value::String(v.to_owned());
            }
            fn json(&mut self, v: &Value) {
                self.0 = v.clone();
            }
        }
        let mut j = Json(Value::Null);
        self.visit(row, &mut j);
        j.0
    }

    /// Makes cell `row` null (an entity key column becomes text first).
    pub fn set_null(&mut self, row: usize) {
        if let ColumnData::Key(_) = self {
            *self = ColumnData::Text(self.texts().into_iter().collect());
        }
        match self {
            ColumnData::Int(c) => c.set_null(row),
            ColumnData::Float(c) => c.set_null(row),
            ColumnData::Bool(c) => c.set_null(row),
            ColumnData::Date(c) => c.set_null(row),
            ColumnData::Timestamp(c) => c.set_null(row),
            ColumnData::Text(c) => c.set_null(row),
            ColumnData::Dict(d) => d.codes.set_null(row),
            ColumnData::Nested(c) => c.set_null(row),
            ColumnData::Key(_) => {}
        }
    }

    /// The column as plain text values, as CSV writes each cell.
    pub fn to_text(&self) -> Values<String> {
        match self {
            ColumnData::Text(v) => v.clone(),
            _ => self.texts().into_iter().collect(),
        }
    }

    /// Every cell as text (see [`ColumnData::text_at`]).
    pub fn texts(&self) -> Vec<Option<String>> {
        (0..self.len()).map(|r| self.text_at(r)).collect()
    }

    /// Whether cell `row` is null.
    pub fn is_null(&self, row: usize) -> bool {
        match self {
            ColumnData::Int(c) => c.is_null(row),
            ColumnData::Float(c) => c.is_null(row),
            ColumnData::Bool(c) => c.is_null(row),
            ColumnData::Date(c) => c.is_null(row),
            ColumnData::Timestamp(c) => c.is_null(row),
            ColumnData::Text(c) => c.is_null(row),
            ColumnData::Key(_) => false,
            ColumnData::Dict(d) => d.codes.is_null(row),
            ColumnData::Nested(c) => c.is_null(row),
        }
    }

    /// Appends the rows of another batch of the same column (a column of
    /// another kind is a bug in the table builders and is ignored).
    pub fn append(&mut self, other: &ColumnData) {
        match (self, other) {
            (ColumnData::Int(a), ColumnData::Int(b)) => a.append(b),
            (ColumnData::Float(a), ColumnData::Float(b)) => a.append(b),
            (ColumnData::Bool(a), ColumnData::Bool(b)) => a.append(b),
            (ColumnData::Date(a), ColumnData::Date(b)) => a.append(b),
            (ColumnData::Timestamp(a), ColumnData::Timestamp(b)) => a.append(b),
            (ColumnData::Text(a), ColumnData::Text(b)) => a.append(b),
            (ColumnData::Key(a), ColumnData::Key(b)) => a.ordinals.extend_from_slice(&b.ordinals),
            (ColumnData::Dict(a), ColumnData::Dict(b)) => a.codes.append(&b.codes),
            (ColumnData::Nested(a), ColumnData::Nested(b)) => a.append(b),
            _ => debug_assert!(false, "appending a column of another kind"),
        }
    }

    /// The rows at `rows` as a new column (`None`: a null; keys with a null
    /// become text).
    pub fn take(&self, rows: &[Option<usize>]) -> ColumnData {
        match self {
            ColumnData::Int(c) => ColumnData::Int(c.take(rows)),
            ColumnData::Float(c) => ColumnData::Float(c.take(rows)),
            ColumnData::Bool(c) => ColumnData::Bool(c.take(rows)),
            ColumnData::Date(c) => ColumnData::Date(c.take(rows)),
            ColumnData::Timestamp(c) => ColumnData::Timestamp(c.take(rows)),
            ColumnData::Text(c) => ColumnData::Text(c.take(rows)),
            ColumnData::Key(k) if rows.iter().all(Option::is_some) => ColumnData::Key(KeyColumn {
                format: k.format.clone(),
                ordinals: rows.iter().flatten().map(|&i| k.ordinals[i]).collect(),
            }),
            ColumnData::Key(_) => ColumnData::Text(
                rows.iter()
                    .map(|r| r.and_then(|i| self.text_at(i)))
                    .collect(),
            ),
            ColumnData::Dict(d) => ColumnData::Dict(DictColumn {
                labels: d.labels.clone(),
                codes: d.codes.take(rows),
            }),
            ColumnData::Nested(c) => ColumnData::Nested(c.take(rows)),
        }
    }

    /// Rows `range` as a new column.
    pub fn slice(&self, range: std::ops::Range<usize>) -> ColumnData {
        match self {
            ColumnData::Int(c) => ColumnData::Int(c.slice(range)),
            ColumnData::Float(c) => ColumnData::Float(c.slice(range)),
            ColumnData::Bool(c) => ColumnData::Bool(c.slice(range)),
            ColumnData::Date(c) => ColumnData::Date(c.slice(range)),
            ColumnData::Timestamp(c) => ColumnData::Timestamp(c.slice(range)),
            ColumnData::Text(c) => ColumnData::Text(c.slice(range)),
            ColumnData::Key(k) => ColumnData::Key(KeyColumn {
                format: k.format.clone(),
                ordinals: k.ordinals[range].to_vec(),
            }),
            ColumnData::Dict(d) => ColumnData::Dict(DictColumn {
                labels: d.labels.clone(),
                codes: d.codes.slice(range),
            }),
            ColumnData::Nested(c) => ColumnData::Nested(c.slice(range)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_is_kept_through_push_append_and_slice() {
        let mut a: Values<i64> = [Some(1), Some(2)].into_iter().collect();
        assert!(a.validity().is_none());
        a.push(None);
        a.push(Some(4));
        assert_eq!(a.to_options(), vec![Some(1), Some(2), None, Some(4)]);
        let b: Values<i64> = [Some(5)].into_iter().collect();
        a.append(&b);
        let mut c: Values<i64> = Values::new();
        c.append(&a);
        assert_eq!(
            c.to_options(),
            vec![Some(1), Some(2), None, Some(4), Some(5)]
        );
        assert_eq!(c.slice(2..4).to_options(), vec![None, Some(4)]);
        assert!(c.slice(3..5).validity().is_none());
    }

    #[test]
    fn extending_from_floats_is_pushing_each() {
        let runs: [&[f64]; 4] = [&[1.0, 2.5], &[], &[f64::NAN, 3.0], &[4.0]];
        for first in [0, 2] {
            let (mut bulk, mut each) = (Values::new(), Values::new());
            for xs in &runs[first..] {
                bulk.extend_nan_as_null(xs, |x| x as i64);
                for &x in *xs {
                    each.push((!x.is_nan()).then_some(x as i64));
                }
            }
            assert_eq!(bulk, each, "from run {first}");
        }
        let mut clean = Values::new();
        clean.extend_nan_as_null(&[1.0, 2.0], |x| x);
        assert!(clean.validity().is_none());
    }

    #[test]
    fn keys_and_labels_read_as_text() {
        let k = ColumnData::Key(KeyColumn {
            format: KeyFormat::new("c", 10),
            ordinals: vec![0, 9],
        });
        assert_eq!(k.texts(), vec![Some("c-001".into()), Some("c-010".into())]);
        let d = ColumnData::Dict(DictColumn {
            labels: vec!["a".to_owned(), "b".to_owned()].into(),
            codes: [Some(1), None].into_iter().collect(),
        });
        assert_eq!(d.texts(), vec![Some("b".into()), None]);
        assert!(d.is_null(1));
    }
}
