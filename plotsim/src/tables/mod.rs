//! Tables: entity panels to rows. Values only; no I/O.
//!
//! The [`Schema`] is built once from the plan; `build_batch` turns one
//! block of entity panels into every table's rows for that block
//! ([`BatchRows`]), columnar and typed ([`ColumnData`]). The writers see the
//! schema and the batches, nothing else.
//!
//! This release builds the auto schema (`dim_date`, `dim_<unit>`,
//! `fct_<unit>`), the halves of a holdout split (`<fact>_train`,
//! `<fact>_holdout`) and `_entity_features`; declared schemas come next.

mod batch;
mod bridges;
mod cells;
mod column;
mod date;
mod dims;
mod events;
mod facts;
mod fakes;
mod features;
mod geo;
pub(crate) mod quality;
mod scd;
pub(crate) mod schema;
mod wide;

pub use batch::{BatchRows, Column, RowBatch, Table};
pub use bridges::BridgeAssociation;
pub use column::{CellVisitor, ColumnData, DictColumn, KeyColumn, Values};
pub use events::EventFiring;
pub use facts::stages;
pub use features::{FeatureStats, feature_stats};
pub use quality::{QualityEffect, QualityInjection};
pub use scd::ScdEvent;
pub use schema::{
    ColumnSchema, FEATURES_TABLE, ForeignKey, LogicalType, Schema, TableId, TableSchema,
};

use crate::engine::panel::EntityPanel;
use plotsim_config::Plan;
use schema::RowSource;

/// Every table's rows for one block of entities (`dim_date` and reference
/// dimensions with the first block, so that all rows flow through one path),
/// with the builders' notes (event firings) for truth.
pub(crate) fn build_batch(
    plan: &Plan,
    seed: u64,
    schema: &Schema,
    first_block: bool,
    panels: &[EntityPanel],
) -> (BatchRows, Notes) {
    let unit_keys = schema.unit_dim().and_then(|t| t.keys.clone());
    let key = |o: u64| unit_keys.as_ref().map_or_else(String::new, |k| k.key(o));
    let mut firings = Vec::new();
    let mut scd = Vec::new();
    let mut links = Vec::new();
    let mut dim = |t: &TableSchema, k: u32| {
        let (rows, notes) = dims::entity_dim(plan, seed, t, panels, k, &key);
        scd.extend(notes.into_iter().map(|(o, e)| ((o, t.id), e)));
        rows
    };
    let mut rows = schema
        .tables()
        .iter()
        .filter_map(|t| match &t.source {
            RowSource::Periods => first_block.then(|| date::dim_date(t, &plan.window)),
            RowSource::Entities | RowSource::Versions(_) => Some(dim(t, 1)),
            RowSource::SubEntities(k) => Some(dim(t, *k)),
            RowSource::Reference(rows) => {
                first_block.then(|| dims::reference_dim(plan, seed, t, *rows))
            }
            RowSource::EntityPeriods(periods) => {
                Some(facts::fact_rows(plan, seed, t, panels, periods))
            }
            RowSource::Events(trigger) => {
                let (rows, notes) = events::event_rows(plan, seed, t, trigger, panels, &key);
                // Facts of a variable grain are not events.
                if t.kind == plotsim_config::plan::TableKind::Event {
                    firings.extend(notes.into_iter().map(|(o, f)| ((o, t.id), f)));
                }
                Some(rows)
            }
            RowSource::Features(periods) => Some(features::feature_rows(plan, t, panels, periods)),
            RowSource::Bridge(b) => {
                let (rows, notes) = bridges::bridge_rows(plan, seed, t, b, panels, &key);
                links.extend(notes.into_iter().map(|(o, a)| ((o, t.id), a)));
                Some(rows)
            }
            // Joined below, from the other tables' rows.
            RowSource::Wide(_) => None,
        })
        .collect::<Vec<_>>();
    let wide: Vec<RowBatch> = schema
        .tables()
        .iter()
        .filter_map(|t| match &t.source {
            RowSource::Wide(w) => Some(wide::wide_rows(plan, seed, schema, t, w, &rows)),
            _ => None,
        })
        .collect();
    rows.extend(wide);
    // Entity-major (then table, then period) whatever the batch size.
    firings.sort_by_key(|(k, _)| *k);
    scd.sort_by_key(|(k, _)| *k);
    // Bridges by name, then entity (as the manifest lists them within a block).
    links.sort_by(
        |((o1, _), a1): &((u64, usize), BridgeAssociation), ((o2, _), a2)| {
            (&a1.bridge, o1).cmp(&(&a2.bridge, o2))
        },
    );
    let notes = Notes {
        firings: firings.into_iter().map(|(_, f)| f).collect(),
        scd: scd.into_iter().map(|(_, e)| e).collect(),
        bridges: links.into_iter().map(|(_, a)| a).collect(),
    };
    (BatchRows { rows }, notes)
}

/// What the builders did besides rows, for truth to record.
#[derive(Debug, Default)]
pub(crate) struct Notes {
    /// Event firings, entity-major.
    pub(crate) firings: Vec<EventFiring>,
    /// SCD tier changes, entity-major.
    pub(crate) scd: Vec<ScdEvent>,
    /// Bridge associations, by bridge then entity.
    pub(crate) bridges: Vec<BridgeAssociation>,
}
