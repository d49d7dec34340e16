//! Fact rows: one row per entity and active period.

use super::{Column, ColumnData, Table, entity_key};
use crate::engine::panel::EntityPanel;
use plotsim_config::Plan;
use plotsim_config::dsl::column_type::ColumnType;
use plotsim_config::plan::{Grain, TableKind};

/// The per-entity-per-period fact rows of a batch of panels, for every such
/// fact of the plan (the auto schema has one).
pub(crate) fn fact_rows(plan: &Plan, panels: &[EntityPanel], prefix: &str) -> Vec<Table> {
    let periods: Vec<_> = plan.window.periods().collect();
    let n_entities = plan.n_entities();
    plan.tables
        .iter()
        .filter(|t| t.kind == TableKind::Fact && t.grain == Grain::PerEntityPerPeriod)
        .map(|t| {
            let rows: Vec<(usize, usize)> = panels
                .iter()
                .enumerate()
                .flat_map(|(pi, p)| {
                    (p.entity.start_period as usize..periods.len()).map(move |tt| (pi, tt))
                })
                .collect();
            let columns = t
                .columns
                .iter()
                .map(|c| {
                    let data = match &c.ty {
                        ColumnType::Ref(target) if target == "dim_date" => ColumnData::Int(
                            rows.iter()
                                .map(|&(_, tt)| Some(i64::from(periods[tt].date_key())))
                                .collect(),
                        ),
                        ColumnType::Ref(_) => ColumnData::Text(
                            rows.iter()
                                .map(|&(pi, _)| {
                                    Some(entity_key(prefix, panels[pi].entity.ordinal, n_entities))
                                })
                                .collect(),
                        ),
                        ColumnType::Metric(m) => {
                            let mi = plan.metric_index(m).unwrap_or(0);
                            if plan.metrics[mi].is_integer() {
                                ColumnData::Int(
                                    rows.iter()
                                        .map(|&(pi, tt)| panels[pi].value(mi, tt).map(|v| v as i64))
                                        .collect(),
                                )
                            } else {
                                ColumnData::Float(
                                    rows.iter()
                                        .map(|&(pi, tt)| panels[pi].value(mi, tt))
                                        .collect(),
                                )
                            }
                        }
                        _ => ColumnData::Text(vec![None; rows.len()]),
                    };
                    Column {
                        name: c.name.clone(),
                        data,
                    }
                })
                .collect();
            Table {
                name: t.name.clone(),
                columns,
            }
        })
        .collect()
}
