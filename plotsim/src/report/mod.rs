//! The post-generation validation report (`run --validate`): checks of the
//! **clean** tables (quality injection never trips them), folded block by
//! block. Each block's rows are reduced on the worker to a `BlockChecks`
//! (key hashes, null counts, per-entity lag and threshold findings); the
//! sink folds them in entity order into a `Checks`, which holds a set of
//! key hashes per keyed table (about 25 bytes a row: on `bench/bench_10m.yaml`,
//! 10M fact rows, `--validate` adds 255 MB and 2 s) and ends as a
//! [`ValidationReport`].
//! Nothing re-scans a whole table.
//!
//! Checks, in report order: `correlation_psd`, `pk_uniqueness`,
//! `fk_integrity`, `date_spine`, `causal_coherence`, `null_policy`,
//! `empty_event_table`, `cross_dim_fk_cardinality`, `temporal_coherence`,
//! `scd_integrity`, `bridge_integrity` (pairs unique and foreign keys
//! resolving are `pk_uniqueness` and `fk_integrity`).

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::engine::panel::EntityPanel;
use crate::engine::rng::{Part, hash};
use crate::keys::KeyFormat;
use crate::tables::schema::{Fill, RowSource};
use crate::tables::{BatchRows, CellVisitor, ColumnData, LogicalType, RowBatch, Schema, TableId};
use plotsim_config::Plan;
use plotsim_config::plan::{TableKind, TriggerPlan};

/// The check ids, in report order.
pub const CHECKS: [&str; 11] = [
    "correlation_psd",
    "pk_uniqueness",
    "fk_integrity",
    "date_spine",
    "causal_coherence",
    "null_policy",
    "empty_event_table",
    "cross_dim_fk_cardinality",
    "temporal_coherence",
    "scd_integrity",
    "bridge_integrity",
];

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The dataset breaks a guarantee (`--strict` fails the run).
    Error,
    /// Worth a look; the dataset is still valid.
    Warning,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportIssue {
    /// The check id (see [`CHECKS`]).
    pub check: String,
    /// Error or warning.
    pub severity: Severity,
    /// The table, when the finding is about one.
    pub table: Option<String>,
    /// What is wrong.
    pub message: String,
    /// Counts and samples (at most 5 rows).
    pub details: BTreeMap<String, Value>,
}

/// The report: `validation.json`, and `validation_report.txt` as text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidationReport {
    /// No errors.
    pub ok: bool,
    /// Number of errors.
    pub errors: usize,
    /// Number of warnings.
    pub warnings: usize,
    /// Findings per check id (every check listed, 0 when it passed).
    pub by_check: BTreeMap<String, usize>,
    /// The findings, in check order.
    pub issues: Vec<ReportIssue>,
}

impl ValidationReport {
    fn new(issues: Vec<ReportIssue>) -> Self {
        let errors = issues
            .iter()
            .filter(|i| i.severity == Severity::Error)
            .count();
        let mut by_check: BTreeMap<String, usize> =
            CHECKS.iter().map(|c| ((*c).to_owned(), 0)).collect();
        for i in &issues {
            *by_check.entry(i.check.clone()).or_default() += 1;
        }
        ValidationReport {
            ok: errors == 0,
            errors,
            warnings: issues.len() - errors,
            by_check,
            issues,
        }
    }

    /// `validation_report.txt`: a header with the counts and status, then
    /// one line per finding (`[ERROR]` / `[WARN ]`, check, table, message)
    /// with its details indented below; `stamp` identifies the run.
    pub fn to_text(&self, stamp: &str) -> String {
        let mut out = String::new();
        out.push_str("Plotsim Validation Report\n==========================\n");
        out.push_str(&format!("Generated: {stamp}\n"));
        out.push_str(&format!(
            "Errors: {} | Warnings: {} | Total: {}\n",
            self.errors,
            self.warnings,
            self.issues.len()
        ));
        out.push_str(&format!("Status: {}\n\n", self.status()));
        if self.issues.is_empty() {
            out.push_str("All checks passed cleanly.\n");
        }
        for i in &self.issues {
            out.push_str(&format!("{}\n", i.line()));
            for (k, v) in &i.details {
                out.push_str(&format!("        {k}: {v}\n"));
            }
        }
        out
    }

    /// `VALID` or `INVALID`.
    pub fn status(&self) -> &'static str {
        if self.ok { "VALID" } else { "INVALID" }
    }
}

impl ReportIssue {
    /// `[ERROR] check (table) - message`.
    pub fn line(&self) -> String {
        let tag = match self.severity {
            Severity::Error => "[ERROR]",
            Severity::Warning => "[WARN ]",
        };
        format!(
            "{tag} {} ({}) - {}",
            self.check,
            self.table.as_deref().unwrap_or("-"),
            self.message
        )
    }
}

/// Hashes a cell as its text (keys spelled out), so a foreign key and the
/// key it names hash alike whatever their storage.
struct CellHash(u64);

impl CellVisitor for CellHash {
    fn null(&mut self) {
        self.0 = 0;
    }
    fn int(&mut self, v: i64) {
        self.text(&v.to_string());
    }
    fn float(&mut self, v: f64) {
        self.text(&format!("{v}"));
    }
    fn bool(&mut self, v: bool) {
        self.text(if v { "true" } else { "false" });
    }
    fn date(&mut self, v: chrono::NaiveDate) {
        self.text(&v.to_string());
    }
    fn timestamp(&mut self, v: chrono::NaiveDateTime) {
        self.text(&v.to_string());
    }
    fn text(&mut self, v: &str) {
        self.0 = hash(0x7e9, &[Part::Str(v)]) | 1;
    }
    fn key(&mut self, format: &KeyFormat, ordinal: u64) {
        self.text(&format.key(ordinal));
    }
}

fn cell_hash(c: &ColumnData, row: usize) -> Option<u64> {
    let mut h = CellHash(0);
    c.visit(row, &mut h);
    (h.0 != 0).then_some(h.0)
}

/// One table's reductions for one block.
#[derive(Debug, Default)]
struct TableChecks {
    rows: u64,
    /// Hash of every row's primary-key tuple.
    pk: Vec<u64>,
    /// Per foreign key (schema order): every row's value hash (None: null).
    fks: Vec<Vec<Option<u64>>>,
    /// Per referenced column of this table (see `Checks::referenced`): hashes.
    keys: Vec<(usize, Vec<u64>)>,
    /// Per column: null count.
    nulls: Vec<u64>,
    /// Date cells outside the window, per column.
    outside: Vec<u64>,
    /// SCD: current versions, versions with valid_from > valid_to.
    current: u64,
    inverted: u64,
}

/// A block's reductions, made on the worker.
#[derive(Debug, Default)]
pub(crate) struct BlockChecks {
    tables: BTreeMap<TableId, TableChecks>,
    /// Per lagged metric: (entities compared, entities where the metric
    /// follows its driver).
    lags: Vec<(u64, u64)>,
    /// Per threshold event table: (rows checked, rows not meeting the
    /// condition).
    thresholds: BTreeMap<TableId, (u64, u64)>,
    /// `dim_date` dates, with the first block.
    dates: Vec<chrono::NaiveDate>,
    /// Per bridge: (entities, entities whose association count is outside
    /// the cardinality).
    bridges: BTreeMap<TableId, (u64, u64)>,
}

impl BlockChecks {
    /// Appends the next chunk's reductions.
    pub(crate) fn append(&mut self, other: BlockChecks) {
        for (id, t) in other.tables {
            let mine = self.tables.entry(id).or_default();
            if mine.nulls.is_empty() {
                *mine = t;
                continue;
            }
            mine.rows += t.rows;
            mine.pk.extend(t.pk);
            for (a, b) in mine.fks.iter_mut().zip(t.fks) {
                a.extend(b);
            }
            for ((_, a), (_, b)) in mine.keys.iter_mut().zip(t.keys) {
                a.extend(b);
            }
            for (a, b) in mine.nulls.iter_mut().zip(t.nulls) {
                *a += b;
            }
            for (a, b) in mine.outside.iter_mut().zip(t.outside) {
                *a += b;
            }
            mine.current += t.current;
            mine.inverted += t.inverted;
        }
        if self.lags.is_empty() {
            self.lags = other.lags;
        } else {
            for (a, b) in self.lags.iter_mut().zip(other.lags) {
                a.0 += b.0;
                a.1 += b.1;
            }
        }
        add_counts(&mut self.thresholds, other.thresholds);
        self.dates.extend(other.dates);
        add_counts(&mut self.bridges, other.bridges);
    }
}

fn add_counts(a: &mut BTreeMap<TableId, (u64, u64)>, b: BTreeMap<TableId, (u64, u64)>) {
    for (id, (n, bad)) in b {
        let e = a.entry(id).or_default();
        e.0 += n;
        e.1 += bad;
    }
}

/// Which columns of which tables foreign keys name: (table, column).
fn referenced(schema: &Schema) -> Vec<(TableId, usize)> {
    let mut out: Vec<(TableId, usize)> = Vec::new();
    for t in schema.tables() {
        for fk in &t.foreign_keys {
            if let Some(p) = schema.find(&fk.table)
                && let Some(c) = p.column_index(&fk.references)
                && !out.contains(&(p.id, c))
            {
                out.push((p.id, c));
            }
        }
        for f in &t.fills {
            if let Fill::VersionOf(scd) = f
                && let Some(d) = scd_dim(schema, scd)
                && let Some(c) = schema.table(d).column_index("dim_row_id")
                && !out.contains(&(d, c))
            {
                out.push((d, c));
            }
        }
    }
    out
}

fn scd_dim(schema: &Schema, scd: &plotsim_config::plan::ScdPlan) -> Option<TableId> {
    schema
        .tables()
        .iter()
        .find(|t| matches!(&t.source, RowSource::Versions(s) if s == scd))
        .map(|t| t.id)
}

/// The foreign keys of a table as (column, parent table, parent column):
/// declared ones, then `dim_row_id` of SCD-linked rows.
fn links(schema: &Schema, id: TableId) -> Vec<(usize, TableId, usize)> {
    let t = schema.table(id);
    let mut out = Vec::new();
    for fk in &t.foreign_keys {
        if let (Some(c), Some(p)) = (t.column_index(&fk.column), schema.find(&fk.table))
            && let Some(pc) = p.column_index(&fk.references)
        {
            out.push((c, p.id, pc));
        }
    }
    for (c, f) in t.fills.iter().enumerate() {
        if let Fill::VersionOf(scd) = f
            && let Some(d) = scd_dim(schema, scd)
            && let Some(pc) = schema.table(d).column_index("dim_row_id")
        {
            out.push((c, d, pc));
        }
    }
    out
}

/// Reduces one chunk: its rows and the panels they came from.
pub(crate) fn block_checks(
    plan: &Plan,
    schema: &Schema,
    rows: &BatchRows,
    panels: &[EntityPanel],
) -> BlockChecks {
    let refs = referenced(schema);
    let mut out = BlockChecks::default();
    for b in &rows.rows {
        out.tables
            .insert(b.table, table_checks(plan, schema, &refs, b));
        let t = schema.table(b.table);
        if t.source == RowSource::Periods
            && let Some(c) = t.column_index("date")
            && let ColumnData::Date(v) = &b.columns[c]
        {
            out.dates = v.iter().flatten().copied().collect();
        }
        if let RowSource::Bridge(src) = &t.source {
            // Rows come entity by entity: count the runs of the left key.
            let left = &b.columns[0];
            let mut counts: Vec<u64> = Vec::new();
            let mut last = None;
            for r in 0..b.rows() {
                let h = cell_hash(left, r);
                if h != last || counts.is_empty() {
                    counts.push(0);
                    last = h;
                }
                if let Some(c) = counts.last_mut() {
                    *c += 1;
                }
            }
            let (lo, hi) = (
                u64::from(src.plan.min).min(src.right_rows),
                u64::from(src.plan.max),
            );
            let missing = (panels.len() as u64).saturating_sub(counts.len() as u64);
            let bad = counts.iter().filter(|&&c| c < lo || c > hi).count() as u64
                + if lo > 0 { missing } else { 0 };
            add_counts(
                &mut out.bridges,
                [(b.table, (panels.len() as u64, bad))].into(),
            );
        }
        if let RowSource::Events(TriggerPlan::Threshold {
            metric,
            above,
            value,
            periods,
        }) = &t.source
        {
            let mut by_entity: HashMap<u64, &EntityPanel> = HashMap::new();
            for p in panels {
                by_entity.insert(p.entity.ordinal, p);
            }
            let entity = t.fills.iter().position(|f| matches!(f, Fill::EntityKey(_)));
            let date = t.fills.iter().position(|f| *f == Fill::DateKey);
            let (Some(ec), Some(dc)) = (entity, date) else {
                continue;
            };
            let period_of: HashMap<i64, usize> = plan
                .window
                .periods()
                .map(|p| (i64::from(p.date_key()), p.index() as usize))
                .collect();
            let e = out.thresholds.entry(b.table).or_default();
            for r in 0..b.rows() {
                let (ColumnData::Key(k), ColumnData::Int(d)) = (&b.columns[ec], &b.columns[dc])
                else {
                    continue;
                };
                e.0 += 1;
                let met = d.get(r).and_then(|dk| period_of.get(dk)).is_some_and(|&t| {
                    let p = by_entity.get(&k.ordinals[r]);
                    let n = *periods as usize;
                    t + 1 >= n
                        && p.is_some_and(|p| {
                            (t + 1 - n..=t).all(|s| {
                                p.value(*metric, s)
                                    .is_some_and(|v| if *above { v > *value } else { v < *value })
                            })
                        })
                });
                if !met {
                    e.1 += 1;
                }
            }
        }
    }
    out.lags = plan
        .metrics
        .iter()
        .enumerate()
        .filter_map(|(m, mp)| mp.lag.as_ref().map(|l| (m, l)))
        .map(|(m, l)| {
            let mut n = 0;
            let mut better = 0;
            for p in panels {
                if let Some(shifted_wins) = lag_aligns(p, m, l.driver, l.delay as usize) {
                    n += 1;
                    better += u64::from(shifted_wins);
                }
            }
            (n, better)
        })
        .collect();
    out
}

/// Whether `target` follows `driver`: it correlates more with the driver
/// `delay` periods earlier than with the driver `delay` periods later (a
/// same-period correlation and a smooth trajectory raise both alike, so
/// only the direction in time decides; None: too few periods to tell, or a
/// constant trajectory, which has no timing to follow).
fn lag_aligns(p: &EntityPanel, target: usize, driver: usize, delay: usize) -> Option<bool> {
    let n = p.positions.len();
    if delay == 0 {
        return None;
    }
    let (lo, hi) = p
        .positions
        .iter()
        .filter(|x| !x.is_nan())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    if hi - lo < 1e-9 {
        return None;
    }
    let after: Vec<(f64, f64)> = (delay..n)
        .filter_map(|t| Some((p.value(target, t)?, p.value(driver, t - delay)?)))
        .collect();
    let before: Vec<(f64, f64)> = (0..n.saturating_sub(delay))
        .filter_map(|t| Some((p.value(target, t)?, p.value(driver, t + delay)?)))
        .collect();
    if after.len() < 4 || before.len() < 4 {
        return None;
    }
    // Either sign: a follower of opposite polarity moves against its driver.
    Some(pearson(&after)?.abs() > pearson(&before)?.abs())
}

fn pearson(xy: &[(f64, f64)]) -> Option<f64> {
    let n = xy.len() as f64;
    let (mx, my) = xy
        .iter()
        .fold((0.0, 0.0), |(a, b), (x, y)| (a + x / n, b + y / n));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in xy {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

fn table_checks(
    plan: &Plan,
    schema: &Schema,
    refs: &[(TableId, usize)],
    b: &RowBatch,
) -> TableChecks {
    let t = schema.table(b.table);
    let n = b.rows();
    let pk: Vec<usize> = t
        .primary_key
        .iter()
        .filter_map(|k| t.column_index(k))
        .collect();
    let mut out = TableChecks {
        rows: n as u64,
        nulls: b
            .columns
            .iter()
            .map(|c| (0..n).filter(|&r| c.is_null(r)).count() as u64)
            .collect(),
        ..TableChecks::default()
    };
    if !pk.is_empty() {
        out.pk = (0..n)
            .map(|r| {
                pk.iter().fold(0x51_u64, |h, &c| {
                    hash(h, &[Part::U64(cell_hash(&b.columns[c], r).unwrap_or(0))])
                })
            })
            .collect();
    }
    out.fks = links(schema, b.table)
        .iter()
        .map(|&(c, _, _)| (0..n).map(|r| cell_hash(&b.columns[c], r)).collect())
        .collect();
    out.keys = refs
        .iter()
        .filter(|(id, _)| *id == b.table)
        .map(|&(_, c)| {
            (
                c,
                (0..n).filter_map(|r| cell_hash(&b.columns[c], r)).collect(),
            )
        })
        .collect();
    let (first, last) = (plan.window.first_day, plan.window.last_day);
    out.outside = t
        .columns
        .iter()
        .zip(&b.columns)
        .map(|(s, c)| match (t.kind, s.ty, c) {
            (TableKind::Dimension, LogicalType::Date, ColumnData::Date(v))
                if t.source != RowSource::Periods =>
            {
                v.iter()
                    .flatten()
                    .filter(|d| **d < first || **d > last)
                    .count() as u64
            }
            _ => 0,
        })
        .collect();
    if let RowSource::Versions(_) = t.source {
        if let Some(ColumnData::Bool(v)) = t.column_index("is_current").map(|c| &b.columns[c]) {
            out.current = v.iter().flatten().filter(|x| **x).count() as u64;
        }
        if let (Some(ColumnData::Int(f)), Some(ColumnData::Int(to))) = (
            t.column_index("valid_from").map(|c| &b.columns[c]),
            t.column_index("valid_to").map(|c| &b.columns[c]),
        ) {
            out.inverted = f
                .iter()
                .zip(to.iter())
                .filter(|(a, b)| matches!((a, b), (Some(a), Some(b)) if a > b))
                .count() as u64;
        }
    }
    out
}

/// The run's checks, folded in entity order (the sink's).
#[derive(Debug, Default)]
pub(crate) struct Checks {
    rows: Vec<u64>,
    /// Per table: PK hashes seen, duplicates and a sample of their rows.
    pk_seen: HashMap<TableId, HashSet<u64>>,
    pk_dups: HashMap<TableId, (u64, Vec<u64>)>,
    /// Per referenced (table, column): the key hashes.
    keys: HashMap<(TableId, usize), HashSet<u64>>,
    /// Per (table, fk index): values not (yet) among the parent's keys, with
    /// their rows (a parent built per block can come later, e.g. the right
    /// side of a bridge), checked again at the end; nulls.
    misses: HashMap<(TableId, usize), Vec<(u64, u64)>>,
    fk_nulls: HashMap<(TableId, usize), u64>,
    /// Per (table, fk index): the first value, and whether another appeared.
    fk_first: HashMap<(TableId, usize), (u64, bool)>,
    nulls: HashMap<TableId, Vec<u64>>,
    outside: HashMap<TableId, Vec<u64>>,
    scd: HashMap<TableId, (u64, u64)>,
    lags: Vec<(u64, u64)>,
    thresholds: BTreeMap<TableId, (u64, u64)>,
    dates: Vec<chrono::NaiveDate>,
    bridges: BTreeMap<TableId, (u64, u64)>,
}

impl Checks {
    /// Folds the next block.
    pub(crate) fn fold(&mut self, schema: &Schema, block: BlockChecks) {
        let n = schema.tables().len();
        self.rows.resize(n, 0);
        // Parents first (dimensions come before the tables naming them).
        for (&id, t) in &block.tables {
            for (c, hashes) in &t.keys {
                self.keys.entry((id, *c)).or_default().extend(hashes);
            }
        }
        for (id, t) in block.tables {
            let before = self.rows[id];
            if !t.pk.is_empty() {
                let seen = self.pk_seen.entry(id).or_default();
                let dups = self.pk_dups.entry(id).or_default();
                for (r, h) in t.pk.iter().enumerate() {
                    if !seen.insert(*h) {
                        dups.0 += 1;
                        if dups.1.len() < 5 {
                            dups.1.push(before + r as u64);
                        }
                    }
                }
            }
            for (i, ((_, parent, pc), values)) in
                links(schema, id).into_iter().zip(t.fks).enumerate()
            {
                let keys = self.keys.get(&(parent, pc));
                for (r, v) in values.iter().enumerate() {
                    match v {
                        None => *self.fk_nulls.entry((id, i)).or_default() += 1,
                        Some(h) => {
                            let first = self.fk_first.entry((id, i)).or_insert((*h, false));
                            first.1 |= first.0 != *h;
                            if !keys.is_some_and(|k| k.contains(h)) {
                                let m = self.misses.entry((id, i)).or_default();
                                m.push((*h, before + r as u64));
                            }
                        }
                    }
                }
            }
            add(self.nulls.entry(id).or_default(), &t.nulls);
            add(self.outside.entry(id).or_default(), &t.outside);
            let s = self.scd.entry(id).or_default();
            s.0 += t.current;
            s.1 += t.inverted;
            self.rows[id] += t.rows;
        }
        if self.lags.is_empty() {
            self.lags = block.lags;
        } else {
            for (a, b) in self.lags.iter_mut().zip(block.lags) {
                a.0 += b.0;
                a.1 += b.1;
            }
        }
        add_counts(&mut self.thresholds, block.thresholds);
        self.dates.extend(block.dates);
        add_counts(&mut self.bridges, block.bridges);
    }

    /// The report.
    pub(crate) fn finish(
        self,
        plan: &Plan,
        schema: &Schema,
        projection_converged: bool,
    ) -> ValidationReport {
        let mut issues = Vec::new();
        let mut push = |check: &str,
                        severity,
                        table: Option<&str>,
                        message: String,
                        details: Vec<(&str, Value)>| {
            issues.push(ReportIssue {
                check: check.to_owned(),
                severity,
                table: table.map(str::to_owned),
                message,
                details: details
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect(),
            });
        };
        if !projection_converged {
            push(
                "correlation_psd",
                Severity::Warning,
                None,
                "a correlation matrix needed the eigenvalue-clipping fallback to become valid"
                    .into(),
                vec![],
            );
        }
        let rows = |id: TableId| self.rows.get(id).copied().unwrap_or(0);
        for t in schema.tables() {
            if let Some((n, sample)) = self.pk_dups.get(&t.id).filter(|d| d.0 > 0) {
                push(
                    "pk_uniqueness",
                    Severity::Error,
                    Some(&t.name),
                    format!(
                        "{n} row(s) repeat a primary key ({})",
                        t.primary_key.join(", ")
                    ),
                    vec![("duplicates", json!(n)), ("sample_rows", json!(sample))],
                );
            }
        }
        for t in schema.tables() {
            for (i, (c, parent, pc)) in links(schema, t.id).into_iter().enumerate() {
                let (col, p) = (&t.columns[c].name, schema.table(parent));
                let keys = self.keys.get(&(parent, pc));
                let orphans: Vec<u64> = self
                    .misses
                    .get(&(t.id, i))
                    .into_iter()
                    .flatten()
                    .filter(|(h, _)| !keys.is_some_and(|k| k.contains(h)))
                    .map(|(_, row)| *row)
                    .collect();
                let n = orphans.len();
                let sample: Vec<u64> = orphans.into_iter().take(5).collect();
                if n > 0 {
                    push(
                        "fk_integrity",
                        Severity::Error,
                        Some(&t.name),
                        format!(
                            "{n} value(s) of `{col}` have no row in `{}.{}`",
                            p.name, p.columns[pc].name
                        ),
                        vec![("orphans", json!(n)), ("sample_rows", json!(sample))],
                    );
                }
                if let Some(n) = self.fk_nulls.get(&(t.id, i)) {
                    push(
                        "fk_integrity",
                        Severity::Warning,
                        Some(&t.name),
                        format!("{n} null value(s) in foreign key `{col}`"),
                        vec![("nulls", json!(n))],
                    );
                }
                let collapsed = self.fk_first.get(&(t.id, i)).is_some_and(|f| !f.1);
                if collapsed && rows(t.id) > 1 && rows(parent) > 1 {
                    push(
                        "cross_dim_fk_cardinality",
                        Severity::Warning,
                        Some(&t.name),
                        format!(
                            "every row of `{col}` names the same `{}` row of {}",
                            p.name,
                            rows(parent)
                        ),
                        vec![("rows", json!(rows(t.id)))],
                    );
                }
            }
        }
        // The date spine.
        if let Some(d) = schema
            .tables()
            .iter()
            .find(|t| t.source == RowSource::Periods)
        {
            let expected: Vec<chrono::NaiveDate> =
                plan.window.periods().map(|p| p.start_date()).collect();
            if self.dates != expected {
                let at = self
                    .dates
                    .iter()
                    .zip(&expected)
                    .position(|(a, b)| a != b)
                    .unwrap_or(self.dates.len().min(expected.len()));
                push(
                    "date_spine",
                    Severity::Error,
                    Some(&d.name),
                    format!(
                        "dates are not one row per {} period, in order, without gaps (first difference at row {at})",
                        plan.window.granularity
                    ),
                    vec![
                        ("rows", json!(self.dates.len())),
                        ("periods", json!(expected.len())),
                    ],
                );
            }
        }
        let lagged = plan.metrics.iter().filter(|m| m.lag.is_some());
        for (m, (n, better)) in lagged.zip(&self.lags) {
            if *n > 0 && better * 2 <= *n {
                let l = m.lag.as_ref().map_or(0, |l| l.delay);
                push(
                    "causal_coherence",
                    Severity::Error,
                    None,
                    format!(
                        "`{}` follows its driver (correlates more with it {l} period(s) earlier than {l} later) in only {better} of {n} entities",
                        m.name
                    ),
                    vec![("entities", json!(n)), ("aligned", json!(better))],
                );
            }
        }
        for (id, (n, bad)) in &self.thresholds {
            if *bad > 0 {
                push(
                    "causal_coherence",
                    Severity::Error,
                    Some(&schema.table(*id).name),
                    format!(
                        "{bad} of {n} threshold event row(s) sit where the condition did not hold"
                    ),
                    vec![("rows", json!(n)), ("violations", json!(bad))],
                );
            }
        }
        // Nulls: metric columns within MCAR's binomial bound, generated
        // columns of dimensions and facts none.
        let p = plan.settings.noise.mcar_rate;
        for t in schema.tables() {
            if !matches!(t.kind, TableKind::Dimension | TableKind::Fact)
                || matches!(t.source, RowSource::Wide(_) | RowSource::Features(_))
            {
                continue;
            }
            let Some(nulls) = self.nulls.get(&t.id) else {
                continue;
            };
            let n = rows(t.id) as f64;
            for ((c, fill), &k) in t.columns.iter().zip(&t.fills).zip(nulls) {
                let (allowed, what) = match fill {
                    Fill::Metric(_) => (
                        (n * p + 3.0 * (n * p * (1.0 - p)).sqrt()).floor() as u64
                            + u64::from(p > 0.0),
                        "above the MCAR rate's bound",
                    ),
                    _ if c.nullable => continue,
                    _ => (0, "in a column that takes none"),
                };
                if k > allowed {
                    push(
                        "null_policy",
                        Severity::Error,
                        Some(&t.name),
                        format!("`{}` has {k} null(s), {what} ({allowed})", c.name),
                        vec![
                            ("nulls", json!(k)),
                            ("allowed", json!(allowed)),
                            ("rows", json!(n as u64)),
                        ],
                    );
                }
            }
        }
        for t in schema
            .tables()
            .iter()
            .filter(|t| t.kind == TableKind::Event)
        {
            if rows(t.id) == 0 {
                push(
                    "empty_event_table",
                    Severity::Warning,
                    Some(&t.name),
                    "the event never fired".into(),
                    vec![("table", json!(t.name)), ("row_count", json!(0))],
                );
            }
        }
        for t in schema.tables() {
            for (c, &k) in t
                .columns
                .iter()
                .zip(self.outside.get(&t.id).into_iter().flatten())
            {
                if k > 0 {
                    push(
                        "temporal_coherence",
                        Severity::Warning,
                        Some(&t.name),
                        format!("{k} date(s) of `{}` fall outside the window", c.name),
                        vec![("dates", json!(k))],
                    );
                }
            }
        }
        for t in schema
            .tables()
            .iter()
            .filter(|t| matches!(t.source, RowSource::Versions(_)))
        {
            let (current, inverted) = self.scd.get(&t.id).copied().unwrap_or_default();
            let entities = plan.n_entities();
            if current != entities || inverted > 0 {
                push(
                    "scd_integrity",
                    Severity::Error,
                    Some(&t.name),
                    format!(
                        "{current} current version(s) for {entities} entities; {inverted} version(s) end before they start"
                    ),
                    vec![
                        ("current", json!(current)),
                        ("entities", json!(entities)),
                        ("inverted", json!(inverted)),
                    ],
                );
            }
        }
        for (id, (n, bad)) in &self.bridges {
            if *bad > 0 {
                push(
                    "bridge_integrity",
                    Severity::Error,
                    Some(&schema.table(*id).name),
                    format!(
                        "{bad} of {n} entities have an association count outside the cardinality"
                    ),
                    vec![("entities", json!(n)), ("outside", json!(bad))],
                );
            }
        }
        ValidationReport::new(issues)
    }
}

fn add(a: &mut Vec<u64>, b: &[u64]) {
    if a.len() < b.len() {
        a.resize(b.len(), 0);
    }
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::pipeline::{Job, Pool};

    const YAML: &str = "\
about: checks
unit: shop
seed: 5
window: [2023-01, 2024-12]
noise: {gaussian_sigma: 0.05, mcar_rate: 0.02}
metrics:
  - {name: visits, type: score, polarity: positive}
  - {name: sales, type: score, polarity: positive, follows: visits, delay: 3}
segments:
  - {name: rising, count: 20, archetype: growth}
  - {name: falling, count: 20, archetype: decline}
dimensions:
  - name: dim_date
    per: period
    columns: [{name: date_key, type: id}]
  - name: dim_region
    reference: true
    columns:
      - {name: region_id, type: id}
      - {name: region, type: \"static.north,south\"}
  - name: dim_shop
    per: unit
    columns:
      - {name: shop_id, type: id}
      - {name: region_id, type: ref.dim_region}
      - {name: owner, type: faker.name}
      - {name: tier, type: scd, tracks: visits, tiers: [low, high], at: [0.5]}
facts:
  - name: fct_shop
    columns:
      - {name: date_key, type: ref.dim_date}
      - {name: shop_id, type: ref.dim_shop}
      - {name: visits, type: metric.visits}
      - {name: sales, type: metric.sales}
      - {name: note, type: faker.word}
bridges:
  - {name: bridge_shop_region, left: dim_shop, right: dim_region, cardinality: [1, 2]}
events:
  - name: evt_slump
    trigger: threshold
    metric: visits
    below: 0.3
    for: 2
    columns:
      - {name: slump_id, type: id}
      - {name: date_key, type: ref.dim_date}
      - {name: shop_id, type: ref.dim_shop}
";

    /// The report of the run, after `tamper` changed its rows.
    fn report(tamper: impl Fn(&Schema, &mut BatchRows)) -> ValidationReport {
        report_with(tamper, |_| {})
    }

    fn report_with(
        tamper: impl Fn(&Schema, &mut BatchRows),
        tamper_panel: impl Fn(&mut EntityPanel),
    ) -> ValidationReport {
        let plan = plotsim_config::Config::from_yaml_str(YAML)
            .unwrap()
            .validate()
            .unwrap();
        let job = Job::new(&plan, 5, 256, &Pool::Global).unwrap();
        let mut checks = Checks::default();
        for b in 0..job.n_blocks() {
            let mut rows = job.produce(b, true, None).unwrap().rows.unwrap();
            tamper(&job.schema, &mut rows);
            let mut panels: Vec<EntityPanel> = job.block_range(b).map(|o| job.panel(o)).collect();
            panels.iter_mut().for_each(&tamper_panel);
            checks.fold(
                &job.schema,
                block_checks(&plan, &job.schema, &rows, &panels),
            );
        }
        checks.finish(&plan, &job.schema, true)
    }

    fn batch<'a>(schema: &Schema, rows: &'a mut BatchRows, table: &str) -> &'a mut RowBatch {
        let id = schema.find(table).unwrap().id;
        rows.rows.iter_mut().find(|b| b.table == id).unwrap()
    }

    fn col(schema: &Schema, table: &str, c: &str) -> usize {
        schema.find(table).unwrap().column_index(c).unwrap()
    }

    fn checks_of(r: &ValidationReport) -> Vec<(&str, Severity)> {
        r.issues
            .iter()
            .map(|i| (i.check.as_str(), i.severity))
            .collect()
    }

    #[test]
    fn a_clean_run_passes_every_check() {
        let r = report(|_, _| {});
        assert!(r.ok && r.issues.is_empty(), "{}", r.to_text("-"));
        assert_eq!(r.by_check.len(), CHECKS.len());
    }

    #[test]
    fn each_broken_guarantee_is_reported_by_its_check() {
        // A repeated key (and a duplicate event id).
        let r = report(|s, rows| {
            let c = col(s, "fct_shop", "shop_id");
            if let ColumnData::Key(k) = &mut batch(s, rows, "fct_shop").columns[c] {
                // Shop 1's first row claims shop 0's first period.
                k.ordinals[24] = 0;
            }
        });
        assert!(
            checks_of(&r).contains(&("pk_uniqueness", Severity::Error)),
            "{}",
            r.to_text("-")
        );
        // An orphan foreign key and a null one.
        let r = report(|s, rows| {
            let c = col(s, "fct_shop", "date_key");
            let b = batch(s, rows, "fct_shop");
            if let ColumnData::Int(v) = &mut b.columns[c] {
                v.set(3, 19990101);
            }
            let c = col(s, "dim_shop", "region_id");
            batch(s, rows, "dim_shop").columns[c].set_null(0);
        });
        let found = checks_of(&r);
        assert!(
            found.contains(&("fk_integrity", Severity::Error)),
            "{found:?}"
        );
        assert!(
            found.contains(&("fk_integrity", Severity::Warning)),
            "{found:?}"
        );
        assert!(
            found.contains(&("null_policy", Severity::Error)),
            "{found:?}"
        );
        // A gap in the date spine.
        let r = report(|s, rows| {
            if let Some(b) = rows
                .rows
                .iter_mut()
                .find(|b| b.table == s.find("dim_date").unwrap().id)
            {
                let keep: Vec<Option<usize>> =
                    (0..b.rows()).filter(|&r| r != 5).map(Some).collect();
                for c in &mut b.columns {
                    *c = c.take(&keep);
                }
            }
        });
        assert!(checks_of(&r).contains(&("date_spine", Severity::Error)));
        // Metric nulls above MCAR's bound, in a column that allows some.
        let r = report(|s, rows| {
            let c = col(s, "fct_shop", "visits");
            let b = batch(s, rows, "fct_shop");
            for i in 0..b.rows() / 5 {
                b.columns[c].set_null(i);
            }
        });
        assert!(checks_of(&r).contains(&("null_policy", Severity::Error)));
        // Two current versions of one shop.
        let r = report(|s, rows| {
            let c = col(s, "dim_shop", "is_current");
            if let ColumnData::Bool(v) = &mut batch(s, rows, "dim_shop").columns[c] {
                for i in 0..v.len() {
                    v.set(i, true);
                }
            }
        });
        let found = checks_of(&r);
        assert!(
            found.contains(&("scd_integrity", Severity::Error)),
            "{found:?}"
        );
        // A threshold event moved to a period where its condition did not hold.
        let r = report(|s, rows| {
            let c = col(s, "evt_slump", "date_key");
            if let ColumnData::Int(v) = &mut batch(s, rows, "evt_slump").columns[c] {
                v.set(0, 20230101);
            }
        });
        assert!(checks_of(&r).contains(&("causal_coherence", Severity::Error)));
        // A bridge row moved to another shop: one shop has too many, one too few.
        let r = report(|s, rows| {
            let c = col(s, "bridge_shop_region", "shop_dim_row_id");
            if let ColumnData::Int(v) = &mut batch(s, rows, "bridge_shop_region").columns[c] {
                let (a, b) = (
                    *v.get(0).unwrap(),
                    v.values()
                        .iter()
                        .copied()
                        .find(|x| *x != *v.get(0).unwrap())
                        .unwrap(),
                );
                let n = v.values().iter().filter(|x| **x == b).count();
                for i in 0..v.len() {
                    if *v.get(i).unwrap() == b && n > 0 {
                        v.set(i, a);
                    }
                }
            }
        });
        let found = checks_of(&r);
        assert!(
            found.contains(&("bridge_integrity", Severity::Error)),
            "{found:?}"
        );
        // A follower that moves with its driver, not after it.
        let r = report_with(
            |_, _| {},
            |p| {
                let n = p.positions.len();
                let (visits, sales) = p.values.split_at_mut(n);
                sales[..n].copy_from_slice(visits);
            },
        );
        let i = r
            .issues
            .iter()
            .find(|i| i.check == "causal_coherence")
            .unwrap();
        assert!(i.message.contains("`sales`"), "{}", i.message);
    }

    #[test]
    fn the_text_report_lists_findings_with_details() {
        let r = ValidationReport::new(vec![ReportIssue {
            check: "fk_integrity".into(),
            severity: Severity::Warning,
            table: Some("fct".into()),
            message: "2 null value(s)".into(),
            details: [("nulls".to_owned(), json!(2))].into_iter().collect(),
        }]);
        assert!(r.ok);
        let text = r.to_text("now");
        assert!(
            text.contains("Errors: 0 | Warnings: 1 | Total: 1\nStatus: VALID\n"),
            "{text}"
        );
        assert!(text.contains("[WARN ] fk_integrity (fct) - 2 null value(s)\n        nulls: 2\n"));
    }
}
