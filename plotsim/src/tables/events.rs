//! Event rows: a trigger reads each entity's realised series and makes rows —
//! proportional (`round_half_even(value x scale)` rows per period, a null
//! counting as none) or threshold (one row at the first period that ends a
//! run of `for` periods strictly above or below the value; a null resets the
//! run). The builder returns the rows and the firings, which truth records.

use serde::{Deserialize, Serialize};

use super::batch::RowBatch;
use super::cells::{self, Cell};
use super::schema::{Fill, TableSchema};
use crate::engine::distribution::round_half_even;
use crate::engine::panel::EntityPanel;
use plotsim_config::Plan;
use plotsim_config::plan::TriggerPlan;

/// One firing of an event: an entity, a period, and the rows it made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct EventFiring {
    /// The event table.
    pub event: String,
    /// The entity's key.
    pub entity_id: String,
    /// Period index.
    pub period_index: usize,
    /// The period's `date_key`.
    pub date_key: u32,
    /// Rows written for this firing.
    pub rows: u64,
    /// The trigger metric's value in that period.
    pub value: f64,
}

/// A group of rows of one entity: its period, row count, the trigger's
/// value, and for a child fact the sequence number (within the entity) of
/// the parent row.
#[derive(Debug, Clone, Copy)]
struct Group {
    period: usize,
    rows: u64,
    value: f64,
    parent: u64,
}

/// The row groups of one entity, in period order.
fn firings(
    plan: &Plan,
    seed: u64,
    table: &str,
    trigger: &TriggerPlan,
    p: &EntityPanel,
) -> Vec<Group> {
    let n = p.positions.len();
    let start = p.entity.start_period as usize;
    let group = |period, rows, value| Group {
        period,
        rows,
        value,
        parent: 0,
    };
    match *trigger {
        TriggerPlan::Proportional { metric, scale } => (start..n)
            .filter_map(|t| {
                let v = p.value(metric, t)?;
                let rows = round_half_even(v * scale).max(0.0) as u64;
                (rows > 0).then_some(group(t, rows, v))
            })
            .collect(),
        TriggerPlan::PerParentRow { parent, min, max } => {
            let Some(pt) = plan.tables.get(parent) else {
                return Vec::new();
            };
            let Some(parent_trigger) = pt.trigger else {
                return Vec::new();
            };
            let seg = &plan.segments[p.entity.segment];
            let mut s = cells::cell_stream(seed, "children", table, "", &seg.name, p.entity.index);
            let mut out = Vec::new();
            let mut seq = 0;
            for g in firings(plan, seed, &pt.name, &parent_trigger, p) {
                for _ in 0..g.rows {
                    let k = u64::from(min) + s.below(u64::from(max.saturating_sub(min)) + 1);
                    if k > 0 {
                        out.push(Group {
                            period: g.period,
                            rows: k,
                            value: k as f64,
                            parent: seq,
                        });
                    }
                    seq += 1;
                }
            }
            out
        }
        TriggerPlan::Threshold {
            metric,
            above,
            value,
            periods,
        } => {
            let mut run = 0;
            for t in start..n {
                match p.value(metric, t) {
                    Some(v) if (above && v > value) || (!above && v < value) => {
                        run += 1;
                        if run >= periods {
                            return vec![group(t, 1, v)];
                        }
                    }
                    _ => run = 0,
                }
            }
            Vec::new()
        }
    }
}

/// The rows of an event table for a block of entity panels, and its
/// firings (with the entity ordinal).
pub(crate) fn event_rows(
    plan: &Plan,
    seed: u64,
    t: &TableSchema,
    trigger: &TriggerPlan,
    panels: &[EntityPanel],
    entity_key: &dyn Fn(u64) -> String,
) -> (RowBatch, Vec<(u64, EventFiring)>) {
    let per_entity: Vec<Vec<Group>> = panels
        .iter()
        .map(|p| firings(plan, seed, &t.name, trigger, p))
        .collect();
    let periods: Vec<plotsim_config::Period> = plan.window.periods().collect();
    let columns = t
        .columns
        .iter()
        .zip(&t.fills)
        .map(|(c, fill)| {
            let mut out = Vec::new();
            for (p, fired) in panels.iter().zip(&per_entity) {
                let e = &p.entity;
                let seg = &plan.segments[e.segment];
                // Only the fills that draw have a stream.
                let random = matches!(fill, Fill::RowTime | Fill::SiblingPick { .. });
                let mut stream = (cells::draws(fill) || random).then(|| {
                    cells::cell_stream(seed, "event", &t.name, &c.name, &seg.name, e.index)
                });
                let versions = match fill {
                    Fill::VersionOf(scd) => super::scd::versions(scd, p),
                    _ => Vec::new(),
                };
                // A sibling's rows of this entity, cumulative by period.
                let sibling: Vec<(usize, u64)> = match fill {
                    Fill::SiblingPick { table, .. } => plan
                        .tables
                        .get(*table)
                        .and_then(|st| Some((st, st.trigger?)))
                        .map(|(st, tr)| {
                            let mut total = 0;
                            firings(plan, seed, &st.name, &tr, p)
                                .iter()
                                .map(|g| {
                                    total += g.rows;
                                    (g.period, total)
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                    _ => Vec::new(),
                };
                let mut seq = 0;
                for g in fired {
                    let period = g.period;
                    for _ in 0..g.rows {
                        out.push(match fill {
                            Fill::EventKey(k) => Cell::Text(k.key(e.ordinal, seq)),
                            Fill::ParentKey(k) => Cell::Text(k.key(e.ordinal, g.parent)),
                            Fill::SiblingPick { keys, .. } => {
                                let avail = sibling
                                    .iter()
                                    .take_while(|(sp, _)| *sp <= period)
                                    .last()
                                    .map_or(0, |x| x.1);
                                match stream.as_mut() {
                                    Some(s) if avail > 0 => {
                                        Cell::Text(keys.key(e.ordinal, s.below(avail)))
                                    }
                                    _ => Cell::Null,
                                }
                            }
                            Fill::PeriodLabel => Cell::Text(periods[period].to_string()),
                            Fill::DateKey => Cell::Int(i64::from(periods[period].date_key())),
                            Fill::EntityKey(_) => Cell::Key(e.ordinal),
                            Fill::Flag => Cell::Bool(true),
                            Fill::VersionOf(scd) => {
                                let v = super::scd::version_at(&versions, period);
                                let id = super::scd::dim_row_id(e.ordinal, v, scd.tiers.len());
                                Cell::Int(id as i64)
                            }
                            Fill::Const(l) => Cell::from(l),
                            Fill::RowTime => stream
                                .as_mut()
                                .map_or(Cell::Null, |s| row_time(&periods, period, s)),
                            Fill::Bucket(labels) => cells::bucket(labels, p.positions[period]),
                            f if cells::draws(f) => stream
                                .as_mut()
                                .map_or(Cell::Null, |s| cells::draw(f, plan, Some(e), s)),
                            // The schema gives events no other fill.
                            _ => Cell::Null,
                        });
                        seq += 1;
                    }
                }
            }
            cells::column(c.ty, fill, out)
        })
        .collect();
    let notes = panels
        .iter()
        .zip(&per_entity)
        .flat_map(|(p, fired)| {
            fired.iter().map(|g| {
                let firing = EventFiring {
                    event: t.name.clone(),
                    entity_id: entity_key(p.entity.ordinal),
                    period_index: g.period,
                    date_key: periods[g.period].date_key(),
                    rows: g.rows,
                    value: g.value,
                };
                (p.entity.ordinal, firing)
            })
        })
        .collect();
    (
        RowBatch {
            table: t.id,
            columns,
        },
        notes,
    )
}

/// A uniform instant within period `t` (to the microsecond).
fn row_time(
    periods: &[plotsim_config::Period],
    t: usize,
    s: &mut crate::engine::rng::Stream,
) -> Cell {
    let start = periods[t].start_date();
    let end = match periods.get(t + 1) {
        Some(next) => next.start_date(),
        None => match periods[t].granularity() {
            plotsim_config::Granularity::Monthly => start
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(start),
            plotsim_config::Granularity::Weekly => start + chrono::Duration::days(7),
            plotsim_config::Granularity::Daily => start + chrono::Duration::days(1),
        },
    };
    let micros = (end - start).num_microseconds().unwrap_or(0).max(1) as u64;
    let offset = s.below(micros) as i64;
    start.and_hms_opt(0, 0, 0).map_or(Cell::Null, |d| {
        Cell::Timestamp(d + chrono::Duration::microseconds(offset))
    })
}
