//! Per-entity dimension rows (the unit dimension): keys, fake text and
//! segment attribute picks, each drawn from the entity's own named stream.

use fake::Fake;
use fake::faker::company::raw::CompanyName;
use fake::faker::name::raw::Name;
use fake::locales;

use super::batch::RowBatch;
use super::column::{ColumnData, KeyColumn, Values};
use super::schema::{Fill, TableSchema};
use crate::engine::entities::Entity;
use crate::engine::rng::{Part, Stream, stream};
use plotsim_config::Plan;

/// A fake value of `kind` in `locale`, drawn from `rng`.
fn fake_text(kind: &str, locale: &str, rng: &mut rand::rngs::ChaCha8Rng) -> String {
    macro_rules! by_locale {
        ($faker:ident) => {
            match locale {
                "fr_FR" => $faker(locales::FR_FR).fake_with_rng(rng),
                "de_DE" => $faker(locales::DE_DE).fake_with_rng(rng),
                "it_IT" => $faker(locales::IT_IT).fake_with_rng(rng),
                "pt_BR" => $faker(locales::PT_BR).fake_with_rng(rng),
                "pt_PT" => $faker(locales::PT_PT).fake_with_rng(rng),
                "ja_JP" => $faker(locales::JA_JP).fake_with_rng(rng),
                "zh_CN" => $faker(locales::ZH_CN).fake_with_rng(rng),
                "zh_TW" => $faker(locales::ZH_TW).fake_with_rng(rng),
                "nl_NL" => $faker(locales::NL_NL).fake_with_rng(rng),
                _ => $faker(locales::EN).fake_with_rng(rng),
            }
        };
    }
    match kind {
        "name" => by_locale!(Name),
        _ => by_locale!(CompanyName),
    }
}

/// The stream of one (table, column, entity) cell.
fn cell_stream(seed: u64, table: &str, column: &str, segment: &str, index: u64) -> Stream {
    stream(
        seed,
        &[
            Part::Str("dim"),
            Part::Str(table),
            Part::Str(column),
            Part::Str(segment),
            Part::U64(index),
        ],
    )
}

/// The rows of a per-entity dimension for a block of entities.
pub(crate) fn entity_dim(plan: &Plan, seed: u64, t: &TableSchema, entities: &[Entity]) -> RowBatch {
    let locales = &plan.settings.locales;
    let columns = t
        .columns
        .iter()
        .zip(&t.fills)
        .map(|(c, fill)| match fill {
            Fill::EntityKey => ColumnData::Key(KeyColumn {
                format: t
                    .keys
                    .clone()
                    .unwrap_or_else(|| crate::keys::KeyFormat::new("", 0)),
                ordinals: entities.iter().map(|e| e.ordinal).collect(),
            }),
            Fill::Fake(kind) => ColumnData::Text(Values::from_values(
                entities
                    .iter()
                    .map(|e| {
                        let seg = &plan.segments[e.segment].name;
                        let mut s = cell_stream(seed, &t.name, &c.name, seg, e.index);
                        let n = locales.len().max(1);
                        let locale = locales
                            .get(s.below(n as u64) as usize % n)
                            .map_or("en", String::as_str);
                        fake_text(kind, locale, s.rng())
                    })
                    .collect(),
            )),
            Fill::Pool(attr) => ColumnData::Text(
                entities
                    .iter()
                    .map(|e| {
                        let seg = &plan.segments[e.segment];
                        let values = seg.attributes.get(attr)?;
                        let mut s = cell_stream(seed, &t.name, &c.name, &seg.name, e.index);
                        Some(values[s.below(values.len() as u64) as usize].clone())
                    })
                    .collect(),
            ),
            // The schema gives per-entity dimensions no other fill.
            _ => ColumnData::Text(entities.iter().map(|_| None).collect()),
        })
        .collect();
    RowBatch {
        table: t.id,
        columns,
    }
}
