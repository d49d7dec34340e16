//! Denormalized `<fact>_wide` rows: each fact row of a block left-joined one
//! hop to the dimensions it refers to. Per-entity dimensions come from the
//! same block's rows; `dim_date` and reference dimensions (written once, with
//! the first block) are rebuilt here, which is cheap and deterministic.

use std::borrow::Cow;
use std::collections::HashMap;

use super::batch::RowBatch;
use super::schema::{RowSource, Schema, TableSchema, WidePlan};
use super::{date, dims};
use plotsim_config::Plan;

/// Column `name` of batch `b` of table `ts`.
fn col<'b>(ts: Option<&TableSchema>, b: &'b RowBatch, name: &str) -> Option<&'b super::ColumnData> {
    ts.and_then(|ts| ts.column_index(name))
        .map(|i| &b.columns[i])
}

/// The wide rows of one block, from the block's other batches.
pub(crate) fn wide_rows(
    plan: &Plan,
    seed: u64,
    schema: &Schema,
    t: &TableSchema,
    w: &WidePlan,
    block: &[RowBatch],
) -> RowBatch {
    // Tables written with the first block only are rebuilt; the others are
    // borrowed from this block's rows.
    let batch_of = |name: &str| -> Option<Cow<'_, RowBatch>> {
        let ts = schema.find(name)?;
        match &ts.source {
            RowSource::Periods => Some(Cow::Owned(date::dim_date(ts, &plan.window))),
            RowSource::Reference(rows) => {
                Some(Cow::Owned(dims::reference_dim(plan, seed, ts, *rows)))
            }
            _ => block.iter().find(|b| b.table == ts.id).map(Cow::Borrowed),
        }
    };
    let Some(fact) = batch_of(&w.fact) else {
        return RowBatch {
            table: t.id,
            columns: t
                .columns
                .iter()
                .map(|c| super::ColumnData::empty_of(c.ty))
                .collect(),
        };
    };
    let fact_schema = schema.find(&w.fact);
    let mut columns = fact.columns.clone();
    for j in &w.joins {
        let dim_schema = schema.find(&j.dim);
        let Some(dim) = batch_of(&j.dim) else {
            continue;
        };
        let index: HashMap<String, usize> = col(dim_schema, &dim, &j.key)
            .map(|c| {
                (0..c.len())
                    .filter_map(|r| Some((c.text_at(r)?, r)))
                    .collect()
            })
            .unwrap_or_default();
        let rows: Vec<Option<usize>> = match col(fact_schema, &fact, &j.column) {
            Some(c) => (0..c.len())
                .map(|r| c.text_at(r).and_then(|k| index.get(&k).copied()))
                .collect(),
            None => vec![None; fact.rows()],
        };
        for name in &j.columns {
            if let Some(c) = col(dim_schema, &dim, name) {
                columns.push(c.take(&rows));
            }
        }
    }
    RowBatch {
        table: t.id,
        columns,
    }
}
