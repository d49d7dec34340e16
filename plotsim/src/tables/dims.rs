//! Dimension rows: per-entity dimensions (one row per entity), sub-entity
//! dimensions (`count` rows per entity) and reference dimensions (a fixed
//! list of rows). Random cells come from each (table, column, entity) named
//! stream (each reference row from its own), through the cell registry.

use super::batch::RowBatch;
use super::cells::{self, Cell};
use super::schema::{Fill, TableSchema};
use crate::engine::entities::Entity;
use crate::engine::rng::{Part, stream};
use plotsim_config::Plan;

/// The rows of a per-entity (`per_entity` = 1) or sub-entity dimension for
/// a block of entities: `per_entity` rows per entity, in entity order.
pub(crate) fn entity_dim(
    plan: &Plan,
    seed: u64,
    t: &TableSchema,
    entities: &[Entity],
    per_entity: u32,
) -> RowBatch {
    let k = u64::from(per_entity.max(1));
    let locales = &plan.settings.locales;
    let columns = t
        .columns
        .iter()
        .zip(&t.fills)
        .map(|(c, fill)| {
            let mut out = Vec::with_capacity(entities.len() * k as usize);
            for e in entities {
                let seg = &plan.segments[e.segment];
                let first_row = e.ordinal * k;
                if cells::draws(fill) {
                    let pool = match fill {
                        Fill::Pool(attr) => seg.attributes.get(attr).map(Vec::as_slice),
                        _ => None,
                    };
                    let mut s =
                        cells::cell_stream(seed, "dim", &t.name, &c.name, &seg.name, e.index);
                    for _ in 0..k {
                        out.push(cells::draw(fill, locales, pool, first_row, &mut s));
                    }
                    continue;
                }
                for j in 0..k {
                    out.push(match fill {
                        Fill::EntityKey(_) => Cell::Key(e.ordinal),
                        Fill::RowKey(_) => Cell::Key(first_row + j),
                        Fill::Const(l) => Cell::from(l),
                        Fill::SegmentCount => Cell::Int(i64::from(seg.count)),
                        // The schema gives dimensions no other fill.
                        _ => Cell::Null,
                    });
                }
            }
            cells::column(c.ty, fill, out)
        })
        .collect();
    RowBatch {
        table: t.id,
        columns,
    }
}

/// The rows of a reference dimension (written with the first block).
pub(crate) fn reference_dim(plan: &Plan, seed: u64, t: &TableSchema, rows: u64) -> RowBatch {
    let locales = &plan.settings.locales;
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
                        cells::draw(f, locales, None, 0, &mut s)
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
