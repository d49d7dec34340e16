//! Quality issues injected into the **written copy** of fact and event
//! tables (the in-memory tables, features, holdout and the validation report
//! stay clean), with every change recorded as a reversible
//! [`QualityInjection`].
//!
//! Every decision is made per row from the issue's own named stream, keyed by
//! the issue, the table, the column, the row's entity block and its position
//! in the block, so injection streams with the blocks and never depends on
//! the thread count or batch size. Within a block a table's rows go through
//! the issues in two passes:
//!
//! 1. **Row issues**, in config order: a `volume_anomaly` drop removes rows
//!    of its periods; `duplicate_rows` and a `volume_anomaly` spike insert a
//!    copy right after the row they copy.
//! 2. **Cell issues**, in config order, on the rows as written (copies
//!    included): `null_injection`, `type_mismatch`, `schema_drift`,
//!    `late_arrival`. On a CDC fact, a row a column-level issue touched gets
//!    `_op` = `U` and `_updated_at` = the window's last period label.
//!
//! Undoing a run's injections (see [`QualityEffect`]): set every cell record
//! back to its clean value; drop the added columns (`_arrival_period`,
//! `<column>_v2`) and read retyped columns as their declared type; delete the
//! inserted rows; re-insert removed rows at their clean index, lowest first.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::RowBatch;
use super::column::{ColumnData, Values};
use super::schema::{ColumnSchema, Fill, LogicalType, Schema, TableId, TableSchema};
use crate::engine::rng::{Part, hash};
use plotsim_config::Plan;
use plotsim_config::{QualityIssueKind, VolumeMode};

/// What an injection did to the written file, and how to undo it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum QualityEffect {
    /// The cell was made null (`null_injection`). Undo: set `clean_value`.
    Nulled,
    /// The cell holds a value of the wrong type (`type_mismatch`; the column
    /// is written as text). Undo: set `clean_value`.
    Retyped,
    /// The value moved to `<column>_v2` and the cell was nulled
    /// (`schema_drift`). Undo: set `clean_value`, drop `<column>_v2`.
    Moved,
    /// `_arrival_period` holds a later period's `date_key`
    /// (`late_arrival`). Undo: drop `_arrival_period`.
    Delayed,
    /// The number became ten times its value (`outliers`). Undo: set
    /// `clean_value`.
    Scaled,
    /// A CDC column changed because another injection touched the row
    /// (`_op` to `U`, `_updated_at`). Undo: set `clean_value`.
    Flagged,
    /// The row at `row` is an inserted copy of the row at `source_row`
    /// (`duplicate_rows`, `volume_anomaly` spike). Undo: delete it.
    Inserted,
    /// The clean row at index `row` was removed (`volume_anomaly` drop);
    /// `clean_value` holds it as an object. Undo: re-insert it there.
    Removed,
}

/// One change quality injection made to a written table: the manifest's
/// `quality_injections` entries, block by block (entity order), and within
/// a block table by table in row order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct QualityInjection {
    /// Position of the issue in the config's `quality` list.
    pub issue_index: usize,
    /// The issue kind (`null_injection`, ...).
    pub issue_type: String,
    /// The table.
    pub table: String,
    /// The column changed (`_rows` for whole rows, `_arrival_period` for late
    /// arrivals).
    pub column: String,
    /// The effect.
    pub effect: QualityEffect,
    /// The row's index in the written file (for [`QualityEffect::Removed`],
    /// its index in the clean table).
    pub row: u64,
    /// For an inserted copy, the written index of the row it copies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_row: Option<u64>,
    /// The clean value (a whole row for a removed row; `null` when there is
    /// nothing to restore).
    pub clean_value: Value,
}

/// A block's injections of one table, with the row counts that place its
/// block-local indices in the whole file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BlockInjections {
    /// The table.
    pub(crate) table: TableId,
    /// Clean rows of the block.
    pub(crate) clean_rows: u64,
    /// Written rows of the block.
    pub(crate) written_rows: u64,
    /// The records, rows relative to the block.
    pub(crate) records: Vec<QualityInjection>,
}

impl BlockInjections {
    /// The records with their rows made file-wide, given the clean and
    /// written rows of the table before this block.
    pub(crate) fn placed(self, clean_before: u64, written_before: u64) -> Vec<QualityInjection> {
        self.records
            .into_iter()
            .map(|mut r| {
                if r.effect == QualityEffect::Removed {
                    r.row += clean_before;
                } else {
                    r.row += written_before;
                    r.source_row = r.source_row.map(|s| s + written_before);
                }
                r
            })
            .collect()
    }
}

/// One issue resolved against the schema.
#[derive(Debug, Clone, PartialEq)]
struct Issue {
    index: usize,
    kind: QualityIssueKind,
    table: TableId,
    /// Target columns (clean schema indices) of a cell issue.
    columns: Vec<usize>,
    rate: f64,
    seed: u64,
    volume: Option<(VolumeMode, Vec<u32>)>,
}

impl Issue {
    fn is_row_issue(&self) -> bool {
        matches!(
            self.kind,
            QualityIssueKind::DuplicateRows | QualityIssueKind::VolumeAnomaly
        )
    }

    /// Whether the issue picks clean row `row` (copy `copy`) of block
    /// `block`, for `column` (a name).
    fn picks(&self, table: &str, column: &str, block: u64, row: usize, copy: u32) -> bool {
        uniform(self.draw("pick", table, column, block, row, copy)) < self.rate
    }

    fn draw(
        &self,
        what: &str,
        table: &str,
        column: &str,
        block: u64,
        row: usize,
        copy: u32,
    ) -> u64 {
        hash(
            self.seed,
            &[
                Part::Str("quality"),
                Part::U64(self.index as u64),
                Part::Str(what),
                Part::Str(table),
                Part::Str(column),
                Part::U64(block),
                Part::U64(row as u64),
                Part::U64(u64::from(copy)),
            ],
        )
    }

    fn record(
        &self,
        table: &str,
        column: &str,
        effect: QualityEffect,
        row: usize,
    ) -> QualityInjection {
        QualityInjection {
            issue_index: self.index,
            issue_type: self.kind.to_string(),
            table: table.to_owned(),
            column: column.to_owned(),
            effect,
            row: row as u64,
            source_row: None,
            clean_value: Value::Null,
        }
    }
}

fn uniform(h: u64) -> f64 {
    (h >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Columns an issue never touches: keys, periods, versions and CDC columns.
fn protected(t: &TableSchema, i: usize) -> bool {
    let name = t.columns[i].name.as_str();
    t.primary_key.iter().any(|k| k == name)
        || t.foreign_keys.iter().any(|f| f.column == name)
        || matches!(
            t.fills[i],
            Fill::DateKey | Fill::EntityKey(_) | Fill::EventKey(_) | Fill::VersionOf(_)
        )
        || matches!(
            name,
            "date_key"
                | "period"
                | "period_index"
                | "period_label"
                | "dim_row_id"
                | "_inserted_at"
                | "_updated_at"
                | "_op"
        )
}

/// The run's quality issues, resolved once.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Quality {
    issues: Vec<Issue>,
    /// `date_key` to period index, over the window.
    period_of: HashMap<i64, u32>,
    window: plotsim_config::plan::ResolvedWindow,
    last_label: String,
}

impl Quality {
    /// The plan's issues against the clean schema (`None` without issues).
    pub(crate) fn new(plan: &Plan, seed: u64, schema: &Schema) -> Option<Quality> {
        if plan.quality.is_empty() {
            return None;
        }
        let issues = plan
            .quality
            .iter()
            .enumerate()
            .filter_map(|(index, q)| {
                let t = schema.find(&plan.tables[q.table].name)?;
                let columns = match q.column {
                    _ if matches!(
                        q.kind,
                        QualityIssueKind::DuplicateRows
                            | QualityIssueKind::VolumeAnomaly
                            | QualityIssueKind::LateArrival
                    ) =>
                    {
                        Vec::new()
                    }
                    Some(c) => t
                        .column_index(&plan.tables[q.table].columns[c].name)
                        .into_iter()
                        .collect(),
                    None => (0..t.columns.len())
                        .filter(|&i| !protected(t, i))
                        .filter(|&i| {
                            q.kind != QualityIssueKind::Outliers
                                || matches!(t.columns[i].ty, LogicalType::Int | LogicalType::Float)
                        })
                        .collect(),
                };
                Some(Issue {
                    index,
                    kind: q.kind,
                    table: t.id,
                    columns,
                    rate: q.rate,
                    seed: seed.wrapping_add(q.seed_offset),
                    volume: q.volume.as_ref().map(|v| (v.mode, v.periods.clone())),
                })
            })
            .collect();
        let window = plan.window;
        let period_of = window
            .periods()
            .map(|p| (i64::from(p.date_key()), p.index()))
            .collect();
        let last_label = window
            .period(window.n_periods.saturating_sub(1))
            .to_string();
        Some(Quality {
            issues,
            period_of,
            window,
            last_label,
        })
    }

    fn of(&self, table: TableId) -> impl Iterator<Item = &Issue> {
        self.issues.iter().filter(move |i| i.table == table)
    }

    /// The schema of the written files: retyped columns become text,
    /// targeted columns nullable, and the added columns come last
    /// (`<column>_v2`, `_arrival_period`, in config order).
    pub(crate) fn written_schema(&self, clean: &Schema) -> Schema {
        clean.map_tables(|t| {
            let mut t = t.clone();
            for issue in self.of(t.id) {
                // Copies repeat their key: the written table declares none.
                if issue.is_row_issue() && !matches!(issue.volume, Some((VolumeMode::Drop, _))) {
                    t.primary_key.clear();
                }
                for &c in &issue.columns {
                    let col = &mut t.columns[c];
                    col.nullable = true;
                    if issue.kind == QualityIssueKind::TypeMismatch {
                        col.ty = LogicalType::Text;
                    }
                }
                for added in added_columns(issue, &t) {
                    if t.column_index(&added.name).is_none() {
                        t.columns.push(added);
                        t.fills
                            .push(Fill::Const(super::schema::Literal::Text(String::new())));
                    }
                }
            }
            t
        })
    }

    /// The written copy of one clean batch of block `block`, with its
    /// records (`None` when the table has no issue).
    pub(crate) fn inject(
        &self,
        clean: &TableSchema,
        written: &TableSchema,
        block: u64,
        batch: &RowBatch,
    ) -> Option<(RowBatch, BlockInjections)> {
        let issues: Vec<&Issue> = self.of(batch.table).collect();
        if issues.is_empty() {
            return None;
        }
        let table = clean.name.as_str();
        let n = batch.rows();
        let date_col = clean.fills.iter().position(|f| *f == Fill::DateKey);
        let period = |r: usize| -> Option<u32> {
            let key = match &batch.columns[date_col?] {
                ColumnData::Int(v) => *v.get(r)?,
                _ => return None,
            };
            self.period_of.get(&key).copied()
        };
        let in_periods = |issue: &Issue, r: usize| match &issue.volume {
            Some((_, ps)) => period(r).is_some_and(|p| ps.contains(&p)),
            None => true,
        };
        let mut records = Vec::new();

        // 1. Row issues: the written rows as (clean row, copy number).
        let mut layout: Vec<(usize, u32)> = Vec::with_capacity(n);
        let mut reshaped = false;
        let rows_issues: Vec<&&Issue> = issues.iter().filter(|i| i.is_row_issue()).collect();
        for r in 0..n {
            let dropped = rows_issues.iter().find(|i| {
                matches!(i.volume, Some((VolumeMode::Drop, _)))
                    && in_periods(i, r)
                    && i.picks(table, "_rows", block, r, 0)
            });
            if let Some(issue) = dropped {
                let mut rec = issue.record(table, "_rows", QualityEffect::Removed, r);
                rec.clean_value = row_object(clean, batch, r);
                records.push(rec);
                reshaped = true;
                continue;
            }
            let source = layout.len();
            layout.push((r, 0));
            let mut copy = 0;
            for issue in &rows_issues {
                let copies = !matches!(issue.volume, Some((VolumeMode::Drop, _)));
                if copies && in_periods(issue, r) && issue.picks(table, "_rows", block, r, 0) {
                    copy += 1;
                    let mut rec =
                        issue.record(table, "_rows", QualityEffect::Inserted, layout.len());
                    rec.source_row = Some(source as u64);
                    records.push(rec);
                    layout.push((r, copy));
                    reshaped = true;
                }
            }
        }
        let take: Vec<Option<usize>> = layout.iter().map(|&(r, _)| Some(r)).collect();
        let mut columns: Vec<ColumnData> = if !reshaped {
            batch.columns.clone()
        } else {
            batch.columns.iter().map(|c| c.take(&take)).collect()
        };

        // 2. Cell issues, on the written rows.
        let w = layout.len();
        let mut touched: Vec<Option<usize>> = vec![None; w];
        let mut added: HashMap<String, ColumnData> = HashMap::new();
        for issue in issues.iter().filter(|i| !i.is_row_issue()) {
            if issue.kind == QualityIssueKind::LateArrival {
                let col = added
                    .entry("_arrival_period".to_owned())
                    .or_insert_with(|| ColumnData::Int((0..w).map(|_| None).collect()));
                for (wr, &(r, copy)) in layout.iter().enumerate() {
                    let Some(p) = period(r) else { continue };
                    if !col.is_null(wr) || !issue.picks(table, "_arrival_period", block, r, copy) {
                        continue;
                    }
                    let delay =
                        1 + issue.draw("delay", table, "_arrival_period", block, r, copy) % 5;
                    let key = self.window.period(p + delay as u32).date_key();
                    if let ColumnData::Int(v) = col {
                        v.set(wr, i64::from(key));
                    }
                    records.push(issue.record(
                        table,
                        "_arrival_period",
                        QualityEffect::Delayed,
                        wr,
                    ));
                }
                continue;
            }
            for &c in &issue.columns {
                let name = clean.columns[c].name.as_str();
                let clean_col = &batch.columns[c];
                if issue.kind == QualityIssueKind::TypeMismatch {
                    columns[c] = ColumnData::Text(exact_text(&columns[c]));
                }
                let mut moved = vec![None; w];
                for (wr, &(r, copy)) in layout.iter().enumerate() {
                    if columns[c].is_null(wr) || !issue.picks(table, name, block, r, copy) {
                        continue;
                    }
                    let effect = match issue.kind {
                        QualityIssueKind::TypeMismatch => {
                            if let ColumnData::Text(v) = &mut columns[c] {
                                v.set(wr, mistyped(clean_col, r));
                            }
                            QualityEffect::Retyped
                        }
                        QualityIssueKind::SchemaDrift => {
                            moved[wr] = Some(wr);
                            QualityEffect::Moved
                        }
                        QualityIssueKind::Outliers => {
                            match &mut columns[c] {
                                ColumnData::Int(v) => {
                                    let x = v.get(wr).copied().unwrap_or(0);
                                    v.set(wr, if x == 0 { 1000 } else { x.saturating_mul(10) });
                                }
                                ColumnData::Float(v) => {
                                    let x = v.get(wr).copied().unwrap_or(0.0);
                                    v.set(wr, if x == 0.0 { 1000.0 } else { x * 10.0 });
                                }
                                _ => continue,
                            }
                            QualityEffect::Scaled
                        }
                        _ => {
                            columns[c].set_null(wr);
                            QualityEffect::Nulled
                        }
                    };
                    let mut rec = issue.record(table, name, effect, wr);
                    rec.clean_value = clean_col.json_at(r);
                    records.push(rec);
                    touched[wr].get_or_insert(issue.index);
                }
                if issue.kind == QualityIssueKind::SchemaDrift {
                    // A second drift of the column adds to the same `_v2`.
                    let fresh = columns[c].take(&moved);
                    let v2 = match added.remove(&format!("{name}_v2")) {
                        Some(mut old) if old.len() == w => {
                            let picks: Vec<Option<usize>> = (0..w)
                                .map(|i| {
                                    if moved[i].is_some() {
                                        Some(w + i)
                                    } else {
                                        Some(i)
                                    }
                                })
                                .collect();
                            old.append(&fresh);
                            old.take(&picks)
                        }
                        _ => fresh,
                    };
                    added.insert(format!("{name}_v2"), v2);
                    for wr in moved.iter().flatten() {
                        columns[c].set_null(*wr);
                    }
                }
            }
        }

        // 3. CDC: touched rows are updates.
        let op = clean.column_index("_op");
        let updated = clean.column_index("_updated_at");
        if let (Some(op), Some(updated)) = (op, updated) {
            let mut ops = columns[op].to_text();
            let mut ups = columns[updated].to_text();
            for (wr, first) in touched.iter().enumerate() {
                let Some(index) = *first else { continue };
                let Some(issue) = issues.iter().find(|i| i.index == index) else {
                    continue;
                };
                for (c, vals, new) in [
                    (op, &mut ops, "U"),
                    (updated, &mut ups, self.last_label.as_str()),
                ] {
                    let mut rec =
                        issue.record(table, &clean.columns[c].name, QualityEffect::Flagged, wr);
                    rec.clean_value = columns[c].json_at(wr);
                    records.push(rec);
                    vals.set(wr, new.to_owned());
                }
            }
            columns[op] = ColumnData::Text(ops);
            columns[updated] = ColumnData::Text(ups);
        }

        // Added columns (all null where no row was picked).
        for c in &written.columns[clean.columns.len()..] {
            let col = added
                .remove(&c.name)
                .unwrap_or_else(|| ColumnData::empty_of(c.ty).take(&vec![None; w]));
            columns.push(col);
        }
        records.sort_by_key(|r| (r.effect == QualityEffect::Removed, r.row));
        Some((
            RowBatch {
                table: batch.table,
                columns,
            },
            BlockInjections {
                table: batch.table,
                clean_rows: n as u64,
                written_rows: w as u64,
                records,
            },
        ))
    }
}

/// The columns an issue adds to its table.
fn added_columns(issue: &Issue, t: &TableSchema) -> Vec<ColumnSchema> {
    match issue.kind {
        QualityIssueKind::LateArrival => vec![ColumnSchema {
            name: "_arrival_period".to_owned(),
            ty: LogicalType::Int,
            nullable: true,
        }],
        QualityIssueKind::SchemaDrift => issue
            .columns
            .iter()
            .map(|&c| ColumnSchema {
                name: format!("{}_v2", t.columns[c].name),
                ty: t.columns[c].ty,
                nullable: true,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A retyped column's text: floats in their shortest exact form (so a
/// reader parsing the column back gets the clean value), the rest as CSV
/// writes it.
fn exact_text(c: &ColumnData) -> Values<String> {
    match c {
        ColumnData::Float(v) => v.iter().map(|x| x.map(|x| format!("{x}"))).collect(),
        _ => c.to_text(),
    }
}

/// The wrong-typed text of a clean cell: a number is written with a
/// decimal comma (it reads as a number to a person, fails every numeric
/// parse, also in CSV); text becomes a number, FNV-1a 64 of its bytes mod 1000.
fn mistyped(clean: &ColumnData, row: usize) -> String {
    match clean {
        ColumnData::Int(_) | ColumnData::Float(_) => {
            let text = match clean {
                ColumnData::Float(v) => v.get(row).map(|x| format!("{x}")).unwrap_or_default(),
                _ => clean.text_at(row).unwrap_or_default(),
            };
            match text.split_once('.') {
                Some((int, frac)) => format!("{int},{frac}"),
                None => format!("{text},0"),
            }
        }
        _ => {
            let s = clean.text_at(row).unwrap_or_default();
            let mut h: u64 = 0xcbf2_9ce4_8422_2325;
            for b in s.bytes() {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0000_0100_0000_01b3);
            }
            (h % 1000).to_string()
        }
    }
}

/// Clean row `r` as a JSON object, columns in schema order.
fn row_object(t: &TableSchema, batch: &RowBatch, r: usize) -> Value {
    Value::Object(
        t.columns
            .iter()
            .zip(&batch.columns)
            .map(|(c, d)| (c.name.clone(), d.json_at(r)))
            .collect(),
    )
}
