//! Tables: entity panels to rows. Values only; no I/O.
//!
//! The [`Schema`] is built once from the plan; `build_batch` turns one
//! block of entity panels into every table's rows for that block
//! ([`BatchRows`]), columnar and typed ([`ColumnData`]). The writers see the
//! schema and the batches, nothing else.
//!
//! This release builds the auto schema (`dim_date`, `dim_<unit>`,
//! `fct_<unit>`); declared schemas come next.

mod batch;
mod column;
mod date;
mod dims;
mod facts;
mod schema;

pub use batch::{BatchRows, Column, RowBatch, Table};
pub use column::{CellVisitor, ColumnData, DictColumn, KeyColumn, Values};
pub use facts::stages;
pub use schema::{ColumnSchema, ForeignKey, LogicalType, Schema, TableId, TableSchema};

use crate::engine::entities::Entity;
use crate::engine::panel::EntityPanel;
use plotsim_config::Plan;
use plotsim_config::plan::{Grain, TableKind};

/// Every table's rows for one block of entities (`dim_date` with the first
/// block, so that all rows flow through one path).
pub(crate) fn build_batch(
    plan: &Plan,
    seed: u64,
    schema: &Schema,
    first_block: bool,
    panels: &[EntityPanel],
) -> BatchRows {
    let entities: Vec<Entity> = panels.iter().map(|p| p.entity.clone()).collect();
    let rows = schema
        .tables()
        .iter()
        .filter_map(|t| match (t.kind, t.grain) {
            (TableKind::Dimension, Grain::PerPeriod) => {
                first_block.then(|| date::dim_date(t, &plan.window))
            }
            (TableKind::Dimension, Grain::PerEntity) => {
                Some(dims::entity_dim(plan, seed, t, &entities))
            }
            (TableKind::Fact, Grain::PerEntityPerPeriod) => Some(facts::fact_rows(plan, t, panels)),
            _ => None,
        })
        .collect();
    BatchRows { rows }
}
