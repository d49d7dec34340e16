//! The column-type registry of the row builders: how each fill makes a cell
//! (random fills from the cell's own named stream) and how a column of cells
//! becomes typed column data. Every table builder goes through it, so a
//! column type behaves the same on a dimension, a reference table and a fact.

use super::column::{ColumnData, KeyColumn, Values};
use super::fakes::{FakeValue, fake_value};
use super::schema::{Fill, Literal, LogicalType};
use crate::engine::entities::Entity;
use crate::engine::rng::{Part, Stream, stream};
use crate::keys::KeyFormat;
use plotsim_config::Plan;

/// One cell before it joins its column.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Null,
    Int(i64),
    Float(f64),
    Text(String),
    Bool(bool),
    Timestamp(chrono::NaiveDateTime),
    /// A row ordinal of the table a key column refers to.
    Key(u64),
    /// A nested value.
    Json(serde_json::Value),
}

impl From<&Literal> for Cell {
    fn from(l: &Literal) -> Self {
        match l {
            Literal::Float(x) => Cell::Float(*x),
            Literal::Text(t) => Cell::Text(t.clone()),
        }
    }
}

/// Whether a fill draws from a random stream.
pub(crate) fn draws(fill: &Fill) -> bool {
    matches!(
        fill,
        Fill::Fake { .. }
            | Fill::Pool(_)
            | Fill::RefPick { .. }
            | Fill::SubPick { .. }
            | Fill::Range(_)
            | Fill::Choice(_)
            | Fill::Nested(_)
    )
}

/// The stream of one column of one entity (`part` names the table family).
pub(crate) fn cell_stream(
    seed: u64,
    part: &str,
    table: &str,
    column: &str,
    segment: &str,
    index: u64,
) -> Stream {
    stream(
        seed,
        &[
            Part::Str(part),
            Part::Str(table),
            Part::Str(column),
            Part::Str(segment),
            Part::U64(index),
        ],
    )
}

/// Draws one cell of a random fill for the row of `entity` (none for a
/// reference dimension's row): a pool column picks from the entity's segment
/// attribute, a sub-entity pick among the entity's own rows.
pub(crate) fn draw(fill: &Fill, plan: &Plan, entity: Option<&Entity>, s: &mut Stream) -> Cell {
    let locales = &plan.settings.locales;
    match fill {
        Fill::Fake { kind, kwargs } => {
            let n = locales.len().max(1);
            let locale = locales
                .get(s.below(n as u64) as usize % n)
                .map_or("en", String::as_str);
            match fake_value(kind, kwargs, locale, s) {
                FakeValue::Int(i) => Cell::Int(i),
                FakeValue::Text(t) => Cell::Text(t),
            }
        }
        Fill::Pool(attr) => {
            let pool = entity.and_then(|e| plan.segments[e.segment].attributes.get(attr));
            match pool {
                Some(v) if !v.is_empty() => Cell::Text(v[s.below(v.len() as u64) as usize].clone()),
                _ => Cell::Null,
            }
        }
        Fill::RefPick { rows, .. } => Cell::Key(s.below((*rows).max(1))),
        Fill::SubPick { per_entity, .. } => {
            let k = u64::from((*per_entity).max(1));
            let first_row = entity.map_or(0, |e| e.ordinal * k);
            Cell::Key(first_row + s.below(k))
        }
        Fill::Range(r) if r.integer => {
            let (lo, hi) = (r.lo as i64, r.hi as i64);
            Cell::Int(lo + s.below((hi - lo).max(0) as u64 + 1) as i64)
        }
        Fill::Range(r) => Cell::Float(r.lo + (r.hi - r.lo) * s.uniform()),
        Fill::Nested(n) => Cell::Json(nested_value(n, s)),
        Fill::Choice(items) if !items.is_empty() => {
            Cell::from(&items[s.below(items.len() as u64) as usize])
        }
        _ => Cell::Null,
    }
}

/// A random value of a nested shape: integers in 0-999, floats in [0, 1),
/// strings like `v00042`, booleans.
fn nested_value(n: &plotsim_config::plan::NestedPlan, s: &mut Stream) -> serde_json::Value {
    use plotsim_config::plan::{NestedPlan, NestedScalar};
    use serde_json::Value;
    let mut scalar = |t: NestedScalar| match t {
        NestedScalar::Int => Value::from(s.below(1000)),
        NestedScalar::Float => Value::from(s.uniform()),
        NestedScalar::Text => Value::from(format!("v{:05}", s.below(100_000))),
        NestedScalar::Boolean => Value::from(s.below(2) == 1),
    };
    match n {
        NestedPlan::Struct(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, t)| (k.clone(), scalar(*t)))
                .collect(),
        ),
        NestedPlan::Array { element, length } => {
            Value::Array((0..*length).map(|_| scalar(*element)).collect())
        }
    }
}

/// The label of a trajectory position: `min(floor(p N), N - 1)`.
pub(crate) fn bucket(labels: &[String], position: f64) -> Cell {
    let n = labels.len().max(1);
    let i = ((position * n as f64).floor().max(0.0) as usize).min(n - 1);
    labels.get(i).map_or(Cell::Null, |l| Cell::Text(l.clone()))
}

/// The key format of a fill that writes keys.
fn key_format(fill: &Fill) -> Option<&KeyFormat> {
    match fill {
        Fill::EntityKey(k)
        | Fill::RowKey(k)
        | Fill::RefPick { keys: k, .. }
        | Fill::SubPick { keys: k, .. }
        | Fill::BridgeTarget(k) => Some(k),
        _ => None,
    }
}

/// A column of cells as typed column data.
pub(crate) fn column(ty: LogicalType, fill: &Fill, cells: Vec<Cell>) -> ColumnData {
    if let Some(format) = key_format(fill) {
        let ordinals = cells
            .into_iter()
            .map(|c| match c {
                Cell::Key(k) => k,
                _ => 0,
            })
            .collect();
        return ColumnData::Key(KeyColumn {
            format: format.clone(),
            ordinals,
        });
    }
    match ty {
        LogicalType::Int => ColumnData::Int(collect(cells, |c| match c {
            Cell::Int(i) => Some(i),
            _ => None,
        })),
        LogicalType::Float => ColumnData::Float(collect(cells, |c| match c {
            Cell::Float(x) => Some(x),
            Cell::Int(i) => Some(i as f64),
            _ => None,
        })),
        LogicalType::Bool => ColumnData::Bool(collect(cells, |c| match c {
            Cell::Bool(b) => Some(b),
            _ => None,
        })),
        LogicalType::Nested => ColumnData::Nested(collect(cells, |c| match c {
            Cell::Json(v) => Some(v),
            _ => None,
        })),
        LogicalType::Timestamp => ColumnData::Timestamp(collect(cells, |c| match c {
            Cell::Timestamp(t) => Some(t),
            _ => None,
        })),
        _ => ColumnData::Text(collect(cells, |c| match c {
            Cell::Text(t) => Some(t),
            _ => None,
        })),
    }
}

fn collect<T: Clone + Default>(cells: Vec<Cell>, f: impl Fn(Cell) -> Option<T>) -> Values<T> {
    let mut v = Values::with_capacity(cells.len());
    for c in cells {
        v.push(f(c));
    }
    v
}
