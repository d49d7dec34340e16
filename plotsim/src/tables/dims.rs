//! Dimension rows: per-entity dimensions (one row per entity), sub-entity
//! dimensions (`count` rows per entity) and reference dimensions (a fixed
//! list of rows). Random cells come from each (table, column, entity) named
//! stream (each reference row from its own), through the cell registry.

use super::batch::RowBatch;
use super::cells::{self, Cell};
use super::scd::ScdEvent;
use super::schema::{Fill, RowSource, TableSchema};
use crate::engine::panel::EntityPanel;
use crate::engine::rng::{Part, stream};
use plotsim_config::Plan;

/// The rows of a per-entity (`per_entity` = 1), sub-entity or SCD
/// dimension for a block of entities, in entity order: `per_entity` rows per
/// entity, or one per SCD version (each a copy of the entity's row with its
/// version columns), with the SCD tier changes.
pub(crate) fn entity_dim(
    plan: &Plan,
    seed: u64,
    t: &TableSchema,
    panels: &[EntityPanel],
    per_entity: u32,
    entity_key: &dyn Fn(u64) -> String,
) -> (RowBatch, Vec<(u64, ScdEvent)>) {
    let k = u64::from(per_entity.max(1));
    let scd = match &t.source {
        RowSource::Versions(scd) => Some(scd),
        _ => None,
    };
    let versions: Vec<Vec<(usize, usize)>> = panels
        .iter()
        .map(|p| scd.map_or_else(Vec::new, |s| super::scd::versions(s, p)))
        .collect();
    let periods: Vec<plotsim_config::Period> = plan.window.periods().collect();
    let columns = t
        .columns
        .iter()
        .zip(&t.fills)
        .map(|(c, fill)| {
            let mut out = Vec::with_capacity(panels.len() * k as usize);
            for (p, vs) in panels.iter().zip(&versions) {
                let e = &p.entity;
                let seg = &plan.segments[e.segment];
                let first_row = e.ordinal * k;
                // SCD versions copy the entity's one row.
                let reps = if scd.is_some() { vs.len() as u64 } else { k };
                if cells::draws(fill) {
                    let mut s =
                        cells::cell_stream(seed, "dim", &t.name, &c.name, &seg.name, e.index);
                    let draws = if scd.is_some() { 1 } else { k };
                    let drawn: Vec<Cell> = (0..draws)
                        .map(|_| cells::draw(fill, plan, Some(e), &mut s))
                        .collect();
                    for j in 0..reps {
                        out.push(drawn[(j % draws) as usize].clone());
                    }
                    continue;
                }
                let tiers = scd.map_or(1, |s| s.tiers.len());
                for j in 0..reps {
                    let v = j as usize;
                    out.push(match fill {
                        Fill::EntityKey(_) => Cell::Key(e.ordinal),
                        Fill::RowKey(_) => Cell::Key(first_row + j),
                        Fill::Const(l) => Cell::from(l),
                        Fill::SegmentCount => Cell::Int(i64::from(seg.count)),
                        Fill::ScdLabel => {
                            scd.map_or(Cell::Null, |s| Cell::Text(s.tiers[vs[v].1].clone()))
                        }
                        Fill::DimRowId => {
                            Cell::Int(super::scd::dim_row_id(e.ordinal, v, tiers) as i64)
                        }
                        Fill::ValidFrom => Cell::Int(i64::from(periods[vs[v].0].date_key())),
                        Fill::ValidTo => Cell::Int(
                            vs.get(v + 1)
                                .map_or(99_991_231, |n| i64::from(periods[n.0].date_key())),
                        ),
                        Fill::IsCurrent => Cell::Bool(v + 1 == vs.len()),
                        // The entity's mean position over its active periods.
                        Fill::Bucket(labels) => {
                            cells::bucket(labels, p.mean_position().unwrap_or(0.0))
                        }
                        // SCD versions are one place; sub-entity rows each their own.
                        Fill::Geo(f) => {
                            let row = if scd.is_some() { 0 } else { j };
                            let i = super::geo::place_of(seed, &t.name, &seg.name, e.index, row);
                            super::geo::cell(*f, i)
                        }
                        // The schema gives dimensions no other fill.
                        _ => Cell::Null,
                    });
                }
            }
            cells::column(c.ty, fill, out)
        })
        .collect();
    let mut events = Vec::new();
    if let Some(s) = scd {
        let tiers = s.tiers.len();
        for (p, vs) in panels.iter().zip(&versions) {
            let o = p.entity.ordinal;
            for v in 1..vs.len() {
                let (period, tier) = vs[v];
                events.push((
                    o,
                    ScdEvent {
                        dim_table: t.name.clone(),
                        entity_id: entity_key(o),
                        period_index: period,
                        date_key: periods[period].date_key(),
                        old_label: s.tiers[vs[v - 1].1].clone(),
                        new_label: s.tiers[tier].clone(),
                        old_dim_row_id: super::scd::dim_row_id(o, v - 1, tiers),
                        new_dim_row_id: super::scd::dim_row_id(o, v, tiers),
                        trigger_metric: plan.metrics[s.tracks].name.clone(),
                        trigger_position: p.positions[period],
                    },
                ));
            }
        }
    }
    (
        RowBatch {
            table: t.id,
            columns,
        },
        events,
    )
}

/// The rows of a reference dimension (written with the first block).
pub(crate) fn reference_dim(plan: &Plan, seed: u64, t: &TableSchema, rows: u64) -> RowBatch {
    let columns = t
        .columns
        .iter()
        .zip(&t.fills)
        .map(|(c, fill)| {
            let out = (0..rows)
                .map(|i| match fill {
                    Fill::RowKey(_) => Cell::Key(i),
                    Fill::Items(items) if items.len() == 1 => Cell::from(&items[0]),
                    Fill::Items(items) => items.get(i as usize).map_or(Cell::Null, Cell::from),
                    Fill::Const(l) => Cell::from(l),
                    Fill::Geo(f) => {
                        super::geo::cell(*f, super::geo::place_of(seed, &t.name, "", 0, i))
                    }
                    f if cells::draws(f) => {
                        let mut s = stream(
                            seed,
                            &[
                                Part::Str("reference"),
                                Part::Str(&t.name),
                                Part::Str(&c.name),
                                Part::U64(i),
                            ],
                        );
                        cells::draw(f, plan, None, &mut s)
                    }
                    _ => Cell::Null,
                })
                .collect();
            cells::column(c.ty, fill, out)
        })
        .collect();
    RowBatch {
        table: t.id,
        columns,
    }
}
