//! Fact rows: one row per entity and active period.

use std::ops::Range;

use super::batch::RowBatch;
use super::cells::{self, Cell};
use super::column::{ColumnData, DictColumn, KeyColumn, Values};
use super::schema::{Fill, TableSchema};
use crate::engine::panel::EntityPanel;
use plotsim_config::Plan;
use plotsim_config::plan::LifecyclePlan;

/// Lifecycle stage index per active period of one entity, from the tracked
/// metric's realised values (nulls included).
///
/// The candidate stage is the highest one whose threshold the value reaches
/// (0 for a null). Free mode uses it as is. `enforce_order` makes stages only
/// move forward; with `downgrade_delay` N a stage steps back down after N
/// consecutive periods below its threshold (a null keeps the stage).
pub fn stages(values: &[Option<f64>], lifecycle: &LifecyclePlan) -> Vec<usize> {
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

/// The periods of `window` in which entity panel `p` has rows (from its
/// arrival), within a window of `n` periods.
pub(crate) fn active_rows(p: &EntityPanel, window: &Range<usize>, n: usize) -> Range<usize> {
    let end = window.end.min(n);
    (p.entity.start_period as usize).max(window.start).min(end)..end
}

/// The rows of a per-entity-per-period fact for a block of entity panels:
/// one row per entity and active period within `periods` (the whole window,
/// or one side of a holdout cutoff).
pub(crate) fn fact_rows(
    plan: &Plan,
    seed: u64,
    t: &TableSchema,
    panels: &[EntityPanel],
    periods: &Range<usize>,
) -> RowBatch {
    let n = plan.window.n_periods as usize;
    let active = |p: &EntityPanel| active_rows(p, periods, n);
    let date_keys: Vec<i64> = plan
        .window
        .periods()
        .map(|p| i64::from(p.date_key()))
        .collect();
    let rows: usize = panels.iter().map(|p| active(p).len()).sum();
    let columns = t
        .columns
        .iter()
        .zip(&t.fills)
        .map(|(c, fill)| match fill {
            Fill::DateKey => {
                let mut v = Vec::with_capacity(rows);
                for p in panels {
                    v.extend_from_slice(&date_keys[active(p)]);
                }
                ColumnData::Int(Values::from_values(v))
            }
            Fill::EntityKey(format) => {
                let mut v = Vec::with_capacity(rows);
                for p in panels {
                    v.extend(std::iter::repeat_n(p.entity.ordinal, active(p).len()));
                }
                ColumnData::Key(KeyColumn {
                    format: format.clone(),
                    ordinals: v,
                })
            }
            &Fill::Metric(m) if plan.metrics[m].is_integer() => {
                let mut v = Values::with_capacity(rows);
                for p in panels {
                    v.extend_nan_as_null(&p.values[m * n..(m + 1) * n][active(p)], |x| x as i64);
                }
                ColumnData::Int(v)
            }
            &Fill::Metric(m) => {
                let mut v = Values::with_capacity(rows);
                for p in panels {
                    v.extend_nan_as_null(&p.values[m * n..(m + 1) * n][active(p)], |x| x);
                }
                ColumnData::Float(v)
            }
            Fill::Stage => stage_column(plan, panels, &active),
            _ => {
                let mut out = Vec::with_capacity(rows);
                for p in panels {
                    row_cells(plan, seed, t, &c.name, fill, p, active(p), &mut out);
                }
                cells::column(c.ty, fill, out)
            }
        })
        .collect();
    RowBatch {
        table: t.id,
        columns,
    }
}

/// The cells of a non-metric column for one entity's rows `rows`. Random
/// cells are drawn for every active period in order (so a holdout half holds
/// exactly the full fact's cells); a reference pick is drawn once per entity.
#[allow(clippy::too_many_arguments)]
fn row_cells(
    plan: &Plan,
    seed: u64,
    t: &TableSchema,
    column: &str,
    fill: &Fill,
    p: &EntityPanel,
    rows: Range<usize>,
    out: &mut Vec<Cell>,
) {
    let e = &p.entity;
    let seg = &plan.segments[e.segment];
    let start = e.start_period as usize;
    match fill {
        Fill::Const(l) => out.extend(rows.map(|_| Cell::from(l))),
        Fill::VersionOf(scd) => {
            let vs = super::scd::versions(scd, p);
            out.extend(rows.map(|t| {
                let v = super::scd::version_at(&vs, t);
                Cell::Int(super::scd::dim_row_id(e.ordinal, v, scd.tiers.len()) as i64)
            }));
        }
        Fill::PeriodLabel => {
            out.extend(rows.map(|t| Cell::Text(plan.window.period(t as u32).to_string())))
        }
        Fill::Timestamp => {
            for t in rows {
                let day = plan.window.period(t as u32).start_date();
                out.push(day.and_hms_opt(0, 0, 0).map_or(Cell::Null, Cell::Timestamp));
            }
        }
        Fill::Bucket(labels) => out.extend(rows.map(|t| cells::bucket(labels, p.positions[t]))),
        Fill::Narrative(n) => {
            // Drawn for every active period, so a holdout half keeps the text.
            let mut s = cells::cell_stream(seed, "fact", &t.name, column, &seg.name, e.index);
            for period in start..rows.end {
                let band = n.band(p.positions[period]);
                let text = n.render(e.segment, band, &mut |k| s.below(k as u64) as usize);
                if period >= rows.start {
                    out.push(Cell::Text(text));
                }
            }
        }
        f if cells::draws(f) => {
            let mut s = cells::cell_stream(seed, "fact", &t.name, column, &seg.name, e.index);
            if let Fill::RefPick { .. } = f {
                let once = cells::draw(f, plan, Some(e), &mut s);
                out.extend(rows.map(|_| once.clone()));
                return;
            }
            for period in start..rows.end {
                let cell = cells::draw(f, plan, Some(e), &mut s);
                if period >= rows.start {
                    out.push(cell);
                }
            }
        }
        // The schema gives facts no other fill.
        _ => out.extend(rows.map(|_| Cell::Null)),
    }
}

/// Stages are computed over each entity's whole active series (a holdout
/// half keeps the stages of the full fact), then cut to its rows.
fn stage_column(
    plan: &Plan,
    panels: &[EntityPanel],
    active: &dyn Fn(&EntityPanel) -> Range<usize>,
) -> ColumnData {
    let Some(l) = &plan.lifecycle else {
        return ColumnData::Text(Values::new());
    };
    let m = l.track;
    let n = plan.window.n_periods as usize;
    let mut codes = Values::new();
    for p in panels {
        let start = p.entity.start_period as usize;
        let values: Vec<Option<f64>> = (start..n).map(|t| p.value(m, t)).collect();
        let rows = active(p);
        for s in &stages(&values, l)[rows.start - start..rows.end - start] {
            codes.push_value(*s as u32);
        }
    }
    ColumnData::Dict(DictColumn {
        labels: l.stages.iter().map(|s| s.name.clone()).collect(),
        codes,
    })
}
