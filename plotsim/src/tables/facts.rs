//! Fact rows: one row per entity and active period.

use super::{Column, ColumnData, Table, entity_key};
use crate::engine::panel::EntityPanel;
use plotsim_config::Plan;
use plotsim_config::dsl::column_type::ColumnType;
use plotsim_config::plan::{Grain, TableKind};

/// Lifecycle stage index per active period of one entity, from the tracked
/// metric's realised values (nulls included).
///
/// The candidate stage is the highest one whose threshold the value reaches
/// (0 for a null). Free mode uses it as is. `enforce_order` makes stages only
/// move forward; with `downgrade_delay` N a stage steps back down after N
/// consecutive periods below its threshold (a null keeps the stage).
pub fn stages(values: &[Option<f64>], lifecycle: &plotsim_config::Lifecycle) -> Vec<usize> {
    let thresholds: Vec<f64> = lifecycle.stages.iter().map(|s| s.threshold).collect();
    let top = thresholds.len().saturating_sub(1);
    let candidate = |v: Option<f64>| {
        v.map_or(0, |v| {
            thresholds
                .iter()
                .filter(|&&t| t <= v)
                .count()
                .saturating_sub(1)
                .min(top)
        })
    };
    let mut out = Vec::with_capacity(values.len());
    let mut cursor = 0usize;
    let mut low = 0u32;
    for (i, &v) in values.iter().enumerate() {
        let actual = candidate(v);
        let stage = match (lifecycle.enforce_order, lifecycle.downgrade_delay) {
            (false, _) => actual,
            (true, None) => {
                cursor = if i == 0 { actual } else { cursor.max(actual) };
                cursor
            }
            (true, Some(delay)) => {
                if i == 0 || actual > cursor {
                    cursor = actual;
                    low = 0;
                } else if let Some(v) = v {
                    if v < thresholds[cursor] {
                        low += 1;
                        if low >= delay {
                            cursor = actual;
                            low = 0;
                        }
                    } else {
                        low = 0;
                    }
                }
                cursor
            }
        };
        out.push(stage);
    }
    out
}

/// The per-entity-per-period fact rows of a batch of panels, for every such
/// fact of the plan (the auto schema has one). The first fact with a column
/// named after the lifecycle's tracked metric also gets a `stage` column.
pub(crate) fn fact_rows(plan: &Plan, panels: &[EntityPanel], prefix: &str) -> Vec<Table> {
    let periods: Vec<_> = plan.window.periods().collect();
    let n_entities = plan.n_entities();
    let stage_fact = stage_fact(plan);
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
            let mut table = Table {
                name: t.name.clone(),
                columns,
            };
            if stage_fact.as_deref() == Some(t.name.as_str())
                && let Some(l) = &plan.config.lifecycle
            {
                table.columns.push(stage_column(plan, l, panels));
            }
            table
        })
        .collect()
}

/// The first per-entity-per-period fact holding a column named after the
/// tracked metric.
fn stage_fact(plan: &Plan) -> Option<String> {
    let track = &plan.config.lifecycle.as_ref()?.track;
    plan.tables
        .iter()
        .filter(|t| t.kind == TableKind::Fact && t.grain == Grain::PerEntityPerPeriod)
        .find(|t| t.columns.iter().any(|c| c.name == *track))
        .map(|t| t.name.clone())
}

fn stage_column(plan: &Plan, l: &plotsim_config::Lifecycle, panels: &[EntityPanel]) -> Column {
    let m = plan.metric_index(&l.track).unwrap_or(0);
    let n = plan.window.n_periods as usize;
    let mut labels = Vec::new();
    for p in panels {
        let values: Vec<Option<f64>> = (p.entity.start_period as usize..n)
            .map(|t| p.value(m, t))
            .collect();
        labels.extend(
            stages(&values, l)
                .into_iter()
                .map(|s| Some(l.stages[s].name.clone())),
        );
    }
    Column {
        name: "stage".to_owned(),
        data: ColumnData::Text(labels),
    }
}
