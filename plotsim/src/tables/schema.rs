//! The table schema: every table a run writes, with its columns' names,
//! logical types and nullability, keys, and how each column is filled. Built
//! once from the [`Plan`]; the only schema the writers see, so every table
//! gets its file, header and types even when it has no rows.

use std::ops::Range;

use plotsim_config::Plan;
use plotsim_config::dsl::column_type::ColumnType;
use plotsim_config::plan::{Grain, TableKind, TablePlan};

use crate::error::GenerateError;
use crate::keys::KeyFormat;

/// Index of a table in the [`Schema`] (its write order).
pub type TableId = usize;

/// The logical type of a column, as every format spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LogicalType {
    /// 64-bit integer.
    Int,
    /// 64-bit float.
    Float,
    /// Boolean.
    Bool,
    /// Calendar date.
    Date,
    /// Timestamp without time zone.
    Timestamp,
    /// UTF-8 text (entity keys and labels too).
    Text,
}

/// One column of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnSchema {
    /// Column name.
    pub name: String,
    /// Logical type.
    pub ty: LogicalType,
    /// Whether a row may hold a null.
    pub nullable: bool,
}

/// A foreign key of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct ForeignKey {
    /// The referencing column.
    pub column: String,
    /// The referenced table.
    pub table: String,
    /// The referenced column (that table's single-column primary key).
    pub references: String,
}

/// The fields of `dim_date`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateField {
    DateKey,
    Date,
    Year,
    Month,
    Quarter,
    MonthName,
    Week,
    PeriodLabel,
    PeriodIndex,
    DayOfWeek,
    DayOfMonth,
    IsWeekend,
}

/// How a column is filled (the table builders' registry).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Fill {
    /// A `dim_date` field.
    Date(DateField),
    /// The entity's own key.
    EntityKey,
    /// The period's `dim_date.date_key`.
    DateKey,
    /// A metric's realised value (plan metric index).
    Metric(usize),
    /// Fake text of a kind (`name`, `company`).
    Fake(String),
    /// A pick from the segment attribute of that name.
    Pool(String),
    /// The lifecycle stage label.
    Stage,
    /// One aggregate of a metric over the entity's (training) window.
    Feature { metric: usize, stat: FeatureStat },
    /// The entity's archetype (its segment's name).
    Archetype,
    /// The entity's raw trajectory position in the last period of the
    /// (training) window.
    FinalPosition,
}

/// The six aggregates of a metric in `_entity_features`, in column order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FeatureStat {
    Mean,
    Std,
    Slope,
    First,
    Last,
    PeakPeriod,
}

impl FeatureStat {
    pub(crate) const ALL: [FeatureStat; 6] = [
        FeatureStat::Mean,
        FeatureStat::Std,
        FeatureStat::Slope,
        FeatureStat::First,
        FeatureStat::Last,
        FeatureStat::PeakPeriod,
    ];

    /// The column suffix (`<metric>_<suffix>`).
    pub(crate) fn suffix(self) -> &'static str {
        match self {
            FeatureStat::Mean => "mean",
            FeatureStat::Std => "std",
            FeatureStat::Slope => "slope",
            FeatureStat::First => "first",
            FeatureStat::Last => "last",
            FeatureStat::PeakPeriod => "peak_period",
        }
    }
}

/// Where a table's rows come from (the builders' registry of table kinds).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RowSource {
    /// One row per period (`dim_date`).
    Periods,
    /// One row per entity (a per-entity dimension).
    Entities,
    /// One row per entity and active period within `periods` (a fact, or
    /// one half of its holdout split).
    EntityPeriods(Range<usize>),
    /// One row of aggregates per entity over `periods` (`_entity_features`).
    Features(Range<usize>),
}

impl RowSource {
    /// Write order: dates, dimensions, facts, features.
    fn rank(&self) -> u8 {
        match self {
            RowSource::Periods => 0,
            RowSource::Entities => 1,
            RowSource::EntityPeriods(_) => 2,
            RowSource::Features(_) => 3,
        }
    }
}

/// The name of the entity features table (the file's stem).
pub const FEATURES_TABLE: &str = "_entity_features";

/// One table of the run.
#[derive(Debug, Clone, PartialEq)]
pub struct TableSchema {
    /// Its index in the schema.
    pub id: TableId,
    /// Table name (the file's stem).
    pub name: String,
    /// Kind.
    pub kind: TableKind,
    /// Row grain.
    pub grain: Grain,
    /// Columns in output order.
    pub columns: Vec<ColumnSchema>,
    /// Primary-key columns.
    pub primary_key: Vec<String>,
    /// Foreign keys.
    pub foreign_keys: Vec<ForeignKey>,
    /// How each column is filled (parallel to `columns`).
    pub(crate) fills: Vec<Fill>,
    /// Where the rows come from.
    pub(crate) source: RowSource,
    /// The key format of the table's entity keys, for per-entity tables.
    pub(crate) keys: Option<KeyFormat>,
}

impl TableSchema {
    /// A column's index by name.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }
}

/// Every table of a run, in write order (dimensions first).
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    tables: Vec<TableSchema>,
}

impl Schema {
    /// The schema of the tables `plan` generates.
    ///
    /// # Errors
    /// [`GenerateError::Unsupported`] for a table or column this release
    /// does not generate.
    pub fn new(plan: &Plan) -> Result<Self, GenerateError> {
        let n_entities = plan.n_entities();
        let mut tables = Vec::new();
        for t in &plan.tables {
            let table = match (t.kind, t.grain) {
                (TableKind::Dimension, Grain::PerPeriod) => date_table(plan),
                (TableKind::Dimension, Grain::PerEntity) => entity_table(plan, t, n_entities)?,
                (TableKind::Fact, Grain::PerEntityPerPeriod) => entity_table(plan, t, n_entities)?,
                _ => {
                    return Err(GenerateError::Unsupported(format!(
                        "table `{}` ({:?} at {:?} grain) is validated but not generated by this release",
                        t.name, t.kind, t.grain
                    )));
                }
            };
            tables.push(table);
        }
        add_stage_column(plan, &mut tables);
        let refs: Vec<(String, Vec<String>, Grain)> = plan
            .tables
            .iter()
            .map(|t| (t.name.clone(), t.primary_key.clone(), t.grain))
            .collect();
        for (table, t) in tables.iter_mut().zip(&plan.tables) {
            table.foreign_keys = foreign_keys(t, &refs);
        }
        let mut tables = split_holdout(plan, tables);
        if let Some(f) = features_table(plan)? {
            tables.push(f);
        }
        // dim_date first, then the other dimensions, then facts (each split
        // fact followed by its halves), then the entity features.
        tables.sort_by_key(|t| t.source.rank());
        for (i, t) in tables.iter_mut().enumerate() {
            t.id = i;
        }
        Ok(Schema { tables })
    }

    /// Every table, in write order.
    pub fn tables(&self) -> &[TableSchema] {
        &self.tables
    }

    /// A table by id.
    pub fn table(&self, id: TableId) -> &TableSchema {
        &self.tables[id]
    }

    /// A table by name.
    pub fn find(&self, name: &str) -> Option<&TableSchema> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// The per-entity dimension of the unit, if any.
    pub fn unit_dim(&self) -> Option<&TableSchema> {
        self.tables.iter().find(|t| t.source == RowSource::Entities)
    }
}

fn column(name: &str, ty: LogicalType, nullable: bool) -> ColumnSchema {
    ColumnSchema {
        name: name.to_owned(),
        ty,
        nullable,
    }
}

/// `dim_date`: date_key, date, year, month, quarter, month_name, week (ISO),
/// period_label, period_index, and for daily windows day_of_week,
/// day_of_month, is_weekend.
fn date_table(plan: &Plan) -> TableSchema {
    use DateField as F;
    use LogicalType as L;
    let mut fields = vec![
        ("date_key", L::Int, F::DateKey),
        ("date", L::Date, F::Date),
        ("year", L::Int, F::Year),
        ("month", L::Int, F::Month),
        ("quarter", L::Int, F::Quarter),
        ("month_name", L::Text, F::MonthName),
        ("week", L::Int, F::Week),
        ("period_label", L::Text, F::PeriodLabel),
        ("period_index", L::Int, F::PeriodIndex),
    ];
    if plan.window.granularity == plotsim_config::Granularity::Daily {
        fields.push(("day_of_week", L::Text, F::DayOfWeek));
        fields.push(("day_of_month", L::Int, F::DayOfMonth));
        fields.push(("is_weekend", L::Bool, F::IsWeekend));
    }
    TableSchema {
        id: 0,
        name: "dim_date".to_owned(),
        kind: TableKind::Dimension,
        grain: Grain::PerPeriod,
        columns: fields
            .iter()
            .map(|(n, t, _)| column(n, *t, false))
            .collect(),
        primary_key: vec!["date_key".to_owned()],
        foreign_keys: Vec::new(),
        fills: fields.iter().map(|(_, _, f)| Fill::Date(*f)).collect(),
        source: RowSource::Periods,
        keys: None,
    }
}

/// A per-entity dimension or per-entity-per-period fact.
fn entity_table(plan: &Plan, t: &TablePlan, n_entities: u64) -> Result<TableSchema, GenerateError> {
    let mut columns = Vec::new();
    let mut fills = Vec::new();
    let unsupported = |c: &str, what: &str| {
        GenerateError::Unsupported(format!(
            "column `{}.{c}` ({what}) is validated but not generated by this release",
            t.name
        ))
    };
    for c in &t.columns {
        let (ty, nullable, fill) = match &c.ty {
            ColumnType::Id => (LogicalType::Text, false, Fill::EntityKey),
            ColumnType::Ref(target) if target == "dim_date" => {
                (LogicalType::Int, false, Fill::DateKey)
            }
            ColumnType::Ref(_) => (LogicalType::Text, false, Fill::EntityKey),
            ColumnType::Metric(m) => {
                let i = plan
                    .metric_index(m)
                    .ok_or_else(|| unsupported(&c.name, "a metric the plan does not have"))?;
                let ty = if plan.metrics[i].is_integer() {
                    LogicalType::Int
                } else {
                    LogicalType::Float
                };
                (ty, true, Fill::Metric(i))
            }
            ColumnType::Faker { kind, .. } => (LogicalType::Text, false, Fill::Fake(kind.clone())),
            ColumnType::Pool(attr) => (LogicalType::Text, true, Fill::Pool(attr.clone())),
            other => return Err(unsupported(&c.name, &format!("{other:?}"))),
        };
        columns.push(column(&c.name, ty, nullable));
        fills.push(fill);
    }
    // Keys of a per-entity table's own ids, or of the unit dimension it refers to.
    let prefix = match t.grain {
        Grain::PerEntity => t.key_prefix.clone(),
        _ => plan
            .tables
            .iter()
            .find(|d| d.kind == TableKind::Dimension && d.grain == Grain::PerEntity)
            .and_then(|d| d.key_prefix.clone()),
    };
    Ok(TableSchema {
        id: 0,
        name: t.name.clone(),
        kind: t.kind,
        grain: t.grain,
        columns,
        primary_key: t.primary_key.clone(),
        foreign_keys: Vec::new(),
        fills,
        source: match t.grain {
            Grain::PerEntity => RowSource::Entities,
            _ => RowSource::EntityPeriods(0..plan.window.n_periods as usize),
        },
        keys: Some(KeyFormat::new(&prefix.unwrap_or_default(), n_entities)),
    })
}

/// The lifecycle's stage table (the first per-entity-per-period fact with a
/// column named after the tracked metric) gets a `stage` column.
fn add_stage_column(plan: &Plan, tables: &mut [TableSchema]) {
    let Some(name) = plan
        .lifecycle
        .as_ref()
        .and_then(|l| l.stage_table)
        .map(|i| &plan.tables[i].name)
    else {
        return;
    };
    if let Some(t) = tables.iter_mut().find(|t| t.name == *name) {
        t.columns.push(column("stage", LogicalType::Text, false));
        t.fills.push(Fill::Stage);
    }
}

/// With a holdout, each split fact is followed by `<fact>_train` (periods
/// before the cutoff) and `<fact>_holdout` (from the cutoff on): every column,
/// the target's included.
fn split_holdout(plan: &Plan, tables: Vec<TableSchema>) -> Vec<TableSchema> {
    let Some(h) = &plan.holdout else {
        return tables;
    };
    let n = plan.window.n_periods as usize;
    let cutoff = h.cutoff as usize;
    let mut out = Vec::with_capacity(tables.len() + 2 * h.tables.len());
    for t in tables {
        let split = h.tables.iter().any(|&i| plan.tables[i].name == t.name);
        let halves = split.then(|| {
            [("train", 0..cutoff), ("holdout", cutoff..n)].map(|(suffix, periods)| TableSchema {
                name: format!("{}_{suffix}", t.name),
                source: RowSource::EntityPeriods(periods),
                ..t.clone()
            })
        });
        out.push(t);
        out.extend(halves.into_iter().flatten());
    }
    out
}

/// `_entity_features`: the anchor's key, six aggregates per metric over the
/// training window, then (with labels) `archetype` and
/// `final_trajectory_position`.
fn features_table(plan: &Plan) -> Result<Option<TableSchema>, GenerateError> {
    let Some(f) = &plan.features else {
        return Ok(None);
    };
    let anchor = f
        .anchor
        .map(|a| &plan.tables[a])
        .filter(|a| a.primary_key.len() == 1)
        .ok_or_else(|| {
            GenerateError::Unsupported(
                "entity_features: the schema has no per-entity dimension with a one-column primary key to anchor the rows"
                    .into(),
            )
        })?;
    let pk = anchor.primary_key[0].clone();
    let mut columns = vec![column(&pk, LogicalType::Text, false)];
    let mut fills = vec![Fill::EntityKey];
    for &m in &f.metrics {
        for stat in FeatureStat::ALL {
            let name = format!("{}_{}", plan.metrics[m].name, stat.suffix());
            columns.push(column(&name, LogicalType::Float, true));
            fills.push(Fill::Feature { metric: m, stat });
        }
    }
    if f.include_labels {
        columns.push(column("archetype", LogicalType::Text, false));
        fills.push(Fill::Archetype);
        columns.push(column(
            "final_trajectory_position",
            LogicalType::Float,
            true,
        ));
        fills.push(Fill::FinalPosition);
    }
    let n = plan.window.n_periods as usize;
    let end = plan.holdout.as_ref().map_or(n, |h| h.cutoff as usize);
    Ok(Some(TableSchema {
        id: 0,
        name: FEATURES_TABLE.to_owned(),
        kind: TableKind::Dimension,
        grain: Grain::PerEntity,
        columns,
        primary_key: vec![pk.clone()],
        foreign_keys: vec![ForeignKey {
            column: pk.clone(),
            table: anchor.name.clone(),
            references: pk,
        }],
        fills,
        source: RowSource::Features(0..end),
        keys: Some(KeyFormat::new(
            anchor.key_prefix.as_deref().unwrap_or_default(),
            plan.n_entities(),
        )),
    }))
}

/// Foreign keys: every `ref.` column to a table with a single-column key.
fn foreign_keys(t: &TablePlan, all: &[(String, Vec<String>, Grain)]) -> Vec<ForeignKey> {
    t.columns
        .iter()
        .filter_map(|c| {
            let ColumnType::Ref(target) = &c.ty else {
                return None;
            };
            let (name, pk, _) = all
                .iter()
                .find(|(n, _, g)| n == target && *g != Grain::Variable)?;
            let [pk] = pk.as_slice() else {
                return None;
            };
            Some(ForeignKey {
                column: c.name.clone(),
                table: name.clone(),
                references: pk.clone(),
            })
        })
        .collect()
}
