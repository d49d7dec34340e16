//! The table schema: every table a run writes, with its columns' names,
//! logical types and nullability, keys, and how each column is filled. Built
//! once from the [`Plan`]; the only schema the writers see, so every table
//! gets its file, header and types even when it has no rows.

use std::ops::Range;

use plotsim_config::Plan;
use plotsim_config::dsl::column_type::ColumnType;
use plotsim_config::plan::{
    ColumnPlan, Grain, RangePlan, ScdPlan, TableKind, TablePlan, TriggerPlan,
};

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
    /// A nested value (`struct` / `array`; its shape is the column's fill).
    Nested,
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
    /// The entity's key, spelled as the unit dimension it names spells it.
    EntityKey(KeyFormat),
    /// The row's own sequential key (sub-entity and reference dimensions).
    RowKey(KeyFormat),
    /// A key of a reference dimension of `rows` rows, drawn uniformly: once
    /// per entity on per-entity rows and per-entity-per-period facts.
    RefPick { keys: KeyFormat, rows: u64 },
    /// A key among the entity's `per_entity` rows of a sub-entity
    /// dimension, drawn per row.
    SubPick { keys: KeyFormat, per_entity: u32 },
    /// A literal on every row.
    Const(Literal),
    /// Row i of a reference dimension takes item i (a single item is broadcast).
    Items(Vec<Literal>),
    /// The entity's segment size.
    SegmentCount,
    /// A uniform number in a range, per row.
    Range(RangePlan),
    /// Midnight of the period's anchor date.
    Timestamp,
    /// A uniform instant within the row's period (microseconds), per row.
    RowTime,
    /// An event row's own key.
    EventKey(crate::keys::EventKeyFormat),
    /// A child fact row's parent key.
    ParentKey(crate::keys::EventKeyFormat),
    /// A key of a row of a sibling variable-grain fact (plan table index) of
    /// the same entity in the row's period or before, drawn per row (null
    /// when there is none).
    SiblingPick {
        table: usize,
        keys: crate::keys::EventKeyFormat,
    },
    /// One item of a `static.` comma list, drawn per row (repeated items
    /// weigh more).
    Choice(Vec<Literal>),
    /// A bridge row's right-hand key.
    BridgeTarget(KeyFormat),
    /// The `dim_row_id` of the entity's current SCD version.
    CurrentVersion(ScdPlan),
    /// The mean of a metric over the entity's active periods.
    EntityMean(usize),
    /// A random nested value of a shape, per row.
    Nested(plotsim_config::plan::NestedPlan),
    /// `true` on every row (a threshold event's flag).
    Flag,
    /// The row's `period_label` (CDC `_inserted_at` / `_updated_at`).
    PeriodLabel,
    /// An SCD version's tier label.
    ScdLabel,
    /// An SCD version's key.
    DimRowId,
    /// An SCD version's first `date_key`.
    ValidFrom,
    /// The next version's `valid_from`, or 99991231 for the current one.
    ValidTo,
    /// Whether the version is the entity's last.
    IsCurrent,
    /// The `dim_row_id` of the SCD dimension's version in force in the row's period.
    VersionOf(ScdPlan),
    /// The label of the entity's trajectory position: `min(floor(p N), N - 1)`.
    Bucket(Vec<String>),
    /// The period's `dim_date.date_key`.
    DateKey,
    /// A metric's realised value (plan metric index).
    Metric(usize),
    /// A fake value of a kind, with its keyword arguments.
    Fake {
        kind: String,
        kwargs: Vec<(String, String)>,
    },
    /// A pick from the segment attribute of that name.
    Pool(String),
    /// The lifecycle stage label.
    Stage,
    /// A narrative: one phrase per slot at the row's band.
    Narrative(Box<plotsim_config::plan::NarrativePlan>),
    /// A field of the row's place (`geo.<field>`, dimensions only).
    Geo(plotsim_config::dsl::column_type::GeoField),
    /// One aggregate of a metric over the entity's (training) window.
    Feature { metric: usize, stat: FeatureStat },
    /// The entity's archetype (its segment's name).
    Archetype,
    /// The entity's raw trajectory position in the last period of the
    /// (training) window.
    FinalPosition,
}

/// A literal cell: a number when the whole literal parses as one.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Literal {
    Float(f64),
    Text(String),
}

impl Literal {
    fn parse(text: &str) -> Literal {
        match text.trim().parse::<f64>() {
            Ok(x) if x.is_finite() => Literal::Float(x),
            _ => Literal::Text(text.to_owned()),
        }
    }

    fn ty(&self) -> LogicalType {
        match self {
            Literal::Float(_) => LogicalType::Float,
            Literal::Text(_) => LogicalType::Text,
        }
    }
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
    /// `k` rows per entity (a sub-entity dimension).
    SubEntities(u32),
    /// A fixed list of rows (a reference dimension), with the first block.
    Reference(u64),
    /// One row per entity and SCD version (a per-entity dimension with an
    /// `scd` column).
    Versions(ScdPlan),
    /// Rows made by an event trigger, per entity and period.
    Events(plotsim_config::plan::TriggerPlan),
    /// A fact's rows joined one hop to every dimension it refers to
    /// (`output.denormalized`).
    Wide(WidePlan),
    /// One row per entity and active period within `periods` (a fact, or
    /// one half of its holdout split).
    EntityPeriods(Range<usize>),
    /// One row of aggregates per entity over `periods` (`_entity_features`).
    Features(Range<usize>),
    /// A bridge's associations, per entity.
    Bridge(super::bridges::BridgeSource),
}

impl RowSource {
    /// Write order: dates, dimensions, facts, features.
    fn rank(&self) -> u8 {
        match self {
            RowSource::Periods => 0,
            RowSource::Entities
            | RowSource::Versions(_)
            | RowSource::SubEntities(_)
            | RowSource::Reference(_) => 1,
            RowSource::EntityPeriods(_)
            | RowSource::Events(_)
            | RowSource::Wide(_)
            | RowSource::Bridge(_) => 2,
            RowSource::Features(_) => 3,
        }
    }
}

/// How a wide table is joined: the fact, then per foreign key the
/// dimension's other columns.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WidePlan {
    /// The fact.
    pub(crate) fact: String,
    /// One join per foreign key, in the fact's order.
    pub(crate) joins: Vec<WideJoin>,
}

/// One left join of a wide table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WideJoin {
    /// The dimension.
    pub(crate) dim: String,
    /// The fact's foreign-key column.
    pub(crate) column: String,
    /// The dimension's key column.
    pub(crate) key: String,
    /// The dimension's columns brought in (all but the key).
    pub(crate) columns: Vec<String>,
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
        let formats = key_formats(plan);
        let mut tables = Vec::new();
        for t in &plan.tables {
            let table = match (t.kind, t.grain) {
                (TableKind::Dimension, Grain::PerPeriod) => date_table(plan, t),
                (
                    TableKind::Dimension,
                    Grain::PerEntity | Grain::PerReference | Grain::Variable,
                )
                | (
                    TableKind::Fact,
                    Grain::PerEntityPerPeriod | Grain::Variable | Grain::PerParentRow,
                )
                | (TableKind::Event, _) => table_schema(plan, t, &formats)?,
                (TableKind::Bridge, _) => bridge_table(plan, t, &formats)?,
                _ => {
                    return Err(GenerateError::Unsupported(format!(
                        "table `{}` ({}) is validated but not generated by this release",
                        t.name,
                        describe(t)
                    )));
                }
            };
            tables.push(table);
        }

        let refs: Vec<(String, Vec<String>, bool)> = plan
            .tables
            .iter()
            .map(|t| {
                // Variable-grain facts and events have no stable key to refer to.
                let keyed = t.kind == TableKind::Dimension || t.grain != Grain::Variable;
                (t.name.clone(), t.primary_key.clone(), keyed)
            })
            .collect();
        for (table, t) in tables.iter_mut().zip(&plan.tables) {
            // A bridge comes with its two.
            let own = std::mem::take(&mut table.foreign_keys);
            table.foreign_keys = foreign_keys(t, &refs);
            table.foreign_keys.extend(own);
            // A child fact refers to its parent row.
            if let Some(TriggerPlan::PerParentRow { parent, .. }) = t.trigger
                && let Some(p) = plan.tables.get(parent)
                && let [pk] = p.primary_key.as_slice()
            {
                table.foreign_keys.push(ForeignKey {
                    column: pk.clone(),
                    table: p.name.clone(),
                    references: pk.clone(),
                });
            }
            order_columns(table);
        }
        add_version_columns(plan, &mut tables);
        add_stage_column(plan, &mut tables);
        add_cdc_columns(plan, &mut tables);
        if plan.settings.output.denormalized {
            let wide = wide_tables(&tables);
            tables.extend(wide);
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

    /// The schema with every table mapped by `f` (ids and order kept).
    pub(crate) fn map_tables(&self, f: impl Fn(&TableSchema) -> TableSchema) -> Schema {
        Schema {
            tables: self.tables.iter().map(f).collect(),
        }
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
        self.tables
            .iter()
            .find(|t| matches!(t.source, RowSource::Entities | RowSource::Versions(_)))
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
/// day_of_month, is_weekend. The layout is fixed; the declared columns only
/// set the order (declared fields first, the others after them).
fn date_table(plan: &Plan, t: &TablePlan) -> TableSchema {
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
    let declared = |name: &str| t.columns.iter().position(|c| c.name == name);
    fields.sort_by_key(|(n, _, _)| declared(n).unwrap_or(usize::MAX));
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

/// What a table is, for messages.
fn describe(t: &TablePlan) -> &'static str {
    match (t.kind, t.grain) {
        (TableKind::Event, _) => "an event table",
        (TableKind::Bridge, _) | (_, Grain::Bridge) => "a bridge",
        (TableKind::Fact, Grain::Variable) => "a variable-grain fact (`row_count_driver`)",
        (TableKind::Fact, Grain::PerParentRow) => "a child fact (`parent_table`)",
        (TableKind::Dimension, Grain::PerReference) => "a reference dimension",
        (TableKind::Dimension, Grain::Variable) => "a sub-entity dimension",
        (TableKind::Dimension, _) => "a dimension",
        (TableKind::Fact, _) => "a fact",
    }
}

/// The key format of every table with sequential keys, by table name: `<prefix>-NNN`
/// over the table's row count (entities, entities x rows per entity, or the
/// reference rows).
fn key_formats(plan: &Plan) -> Vec<(String, KeyFormat, u64)> {
    let n = plan.n_entities();
    plan.tables
        .iter()
        .filter(|t| t.kind == TableKind::Dimension && t.grain != Grain::PerPeriod)
        .map(|t| {
            let rows = match t.grain {
                Grain::PerReference => t.reference_rows(),
                Grain::Variable => n * u64::from(t.rows_per_entity),
                _ => n,
            };
            let prefix = t.key_prefix.as_deref().unwrap_or_default();
            (t.name.clone(), KeyFormat::new(prefix, rows), rows)
        })
        .collect()
}

/// A declared or auto table other than `dim_date`: each column's type and fill.
fn table_schema(
    plan: &Plan,
    t: &TablePlan,
    formats: &[(String, KeyFormat, u64)],
) -> Result<TableSchema, GenerateError> {
    let n_periods = plan.window.n_periods as usize;
    let scd = t.columns.iter().find_map(|c| c.scd.clone());
    let source = match (t.kind, t.grain) {
        (TableKind::Dimension, Grain::PerEntity) => match scd {
            Some(scd) => RowSource::Versions(scd),
            None => RowSource::Entities,
        },
        (TableKind::Dimension, Grain::Variable) => RowSource::SubEntities(t.rows_per_entity),
        (TableKind::Dimension, _) => RowSource::Reference(t.reference_rows()),
        (TableKind::Event | TableKind::Fact, Grain::Variable | Grain::PerParentRow)
        | (TableKind::Event, _) => match t.trigger {
            Some(trigger) => RowSource::Events(trigger),
            None => {
                return Err(GenerateError::Unsupported(format!(
                    "event `{}` has no trigger",
                    t.name
                )));
            }
        },
        _ => RowSource::EntityPeriods(0..n_periods),
    };
    let own = formats
        .iter()
        .find(|(n, _, _)| *n == t.name)
        .map(|(_, f, _)| f.clone());
    let mut columns = Vec::new();
    let mut fills = Vec::new();
    for c in &t.columns {
        let (ty, nullable, fill) = column_fill(plan, t, c, &source, own.as_ref(), formats)?;
        columns.push(column(&c.name, ty, nullable));
        fills.push(fill);
    }
    if let Some(TriggerPlan::PerParentRow { parent, .. }) = t.trigger
        && let Some(p) = plan.tables.get(parent)
        && let [pk] = p.primary_key.as_slice()
        && !columns.iter().any(|c: &ColumnSchema| c.name == *pk)
    {
        let prefix = p.key_prefix.as_deref().unwrap_or_default();
        columns.push(column(pk, LogicalType::Text, false));
        fills.push(Fill::ParentKey(crate::keys::EventKeyFormat::new(
            prefix,
            plan.n_entities(),
        )));
    }
    let mut primary_key = t.primary_key.clone();
    if let RowSource::Versions(_) = source {
        // The version columns; a version is the unique row.
        for (name, ty, fill) in [
            ("dim_row_id", LogicalType::Int, Fill::DimRowId),
            ("valid_from", LogicalType::Int, Fill::ValidFrom),
            ("valid_to", LogicalType::Int, Fill::ValidTo),
            ("is_current", LogicalType::Bool, Fill::IsCurrent),
        ] {
            columns.push(column(name, ty, false));
            fills.push(fill);
        }
        primary_key = vec!["dim_row_id".to_owned()];
    }
    Ok(TableSchema {
        id: 0,
        name: t.name.clone(),
        kind: t.kind,
        grain: t.grain,
        columns,
        primary_key,
        foreign_keys: Vec::new(),
        fills,
        source,
        keys: own,
    })
}

/// A bridge: the left key (the entity's, or its current `dim_row_id` when
/// the left dimension is SCD), the right key, then the declared columns.
fn bridge_table(
    plan: &Plan,
    t: &TablePlan,
    formats: &[(String, KeyFormat, u64)],
) -> Result<TableSchema, GenerateError> {
    let unsupported = |what: String| {
        GenerateError::Unsupported(format!(
            "bridge `{}`: {what} is validated but not generated by this release",
            t.name
        ))
    };
    let b = t
        .bridge
        .clone()
        .ok_or_else(|| unsupported("a bridge without sides".into()))?;
    let side = |name: &str| plan.tables.iter().find(|x| x.name == name);
    let format = |name: &str| formats.iter().find(|(n, _, _)| n == name);
    let (Some(left), Some((_, left_keys, _))) = (side(&b.left), format(&b.left)) else {
        return Err(unsupported(format!("the left side `{}`", b.left)));
    };
    let Some((_, right_keys, right_rows)) = format(&b.right) else {
        return Err(unsupported(format!("the right side `{}`", b.right)));
    };
    if side(&b.right).is_some_and(|r| r.columns.iter().any(|c| c.scd.is_some())) {
        return Err(unsupported(format!(
            "an SCD dimension (`{}`) on the right",
            b.right
        )));
    }
    let stem = |d: &str| d.strip_prefix("dim_").unwrap_or(d).to_owned();
    let scd = left.columns.iter().find_map(|c| c.scd.clone());
    let (left_col, left_fill, left_ty, left_ref) = match scd {
        Some(s) => (
            format!("{}_dim_row_id", stem(&b.left)),
            Fill::CurrentVersion(s),
            LogicalType::Int,
            "dim_row_id".to_owned(),
        ),
        None => (
            format!("{}_id", stem(&b.left)),
            Fill::EntityKey(left_keys.clone()),
            LogicalType::Text,
            left.primary_key.first().cloned().unwrap_or_default(),
        ),
    };
    let right_col = format!("{}_id", stem(&b.right));
    let right_ref = side(&b.right)
        .and_then(|r| r.primary_key.first().cloned())
        .unwrap_or_default();
    let mut columns = vec![
        column(&left_col, left_ty, false),
        column(&right_col, LogicalType::Text, false),
    ];
    let mut fills = vec![left_fill, Fill::BridgeTarget(right_keys.clone())];
    for c in &t.columns {
        let (ty, fill) = match &c.ty {
            ColumnType::Metric(m) => {
                let i = plan
                    .metric_index(m)
                    .ok_or_else(|| unsupported(format!("metric `{m}`")))?;
                (LogicalType::Float, Fill::EntityMean(i))
            }
            ColumnType::Static(v) if v.contains(',') => (
                LogicalType::Text,
                Fill::Choice(
                    v.split(',')
                        .map(|s| Literal::Text(s.trim().to_owned()))
                        .collect(),
                ),
            ),
            ColumnType::Static(v) => {
                let l = Literal::parse(v);
                (l.ty(), Fill::Const(l))
            }
            ColumnType::Faker { kind, kwargs } => (
                if super::fakes::is_integer(kind) {
                    LogicalType::Int
                } else {
                    LogicalType::Text
                },
                Fill::Fake {
                    kind: kind.clone(),
                    kwargs: kwargs.clone(),
                },
            ),
            other => return Err(unsupported(format!("a column of type {other:?}"))),
        };
        columns.push(column(&c.name, ty, matches!(fill, Fill::EntityMean(_))));
        fills.push(fill);
    }
    Ok(TableSchema {
        id: 0,
        name: t.name.clone(),
        kind: t.kind,
        grain: t.grain,
        columns,
        primary_key: vec![left_col.clone(), right_col.clone()],
        foreign_keys: vec![
            ForeignKey {
                column: left_col,
                table: b.left.clone(),
                references: left_ref,
            },
            ForeignKey {
                column: right_col,
                table: b.right.clone(),
                references: right_ref,
            },
        ],
        fills,
        source: RowSource::Bridge(super::bridges::BridgeSource {
            plan: b,
            right_keys: right_keys.clone(),
            right_rows: *right_rows,
        }),
        keys: None,
    })
}

/// One column's logical type, nullability and fill.
fn column_fill(
    plan: &Plan,
    t: &TablePlan,
    c: &ColumnPlan,
    source: &RowSource,
    own: Option<&KeyFormat>,
    formats: &[(String, KeyFormat, u64)],
) -> Result<(LogicalType, bool, Fill), GenerateError> {
    let unsupported = |what: &str| {
        GenerateError::Unsupported(format!(
            "column `{}.{}` ({what}) is validated but not generated by this release",
            t.name, c.name
        ))
    };
    let on_fact = matches!(source, RowSource::EntityPeriods(_));
    let on_event = matches!(source, RowSource::Events(_));
    let target = |name: &str| plan.tables.iter().find(|x| x.name == name);
    let format_of = |name: &str| {
        formats
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, f, rows)| (f.clone(), *rows))
    };
    Ok(match &c.ty {
        ColumnType::Id => match (source, own) {
            (RowSource::Entities | RowSource::Versions(_), Some(f)) => {
                (LogicalType::Text, false, Fill::EntityKey(f.clone()))
            }
            (RowSource::SubEntities(_) | RowSource::Reference(_), Some(f)) => {
                (LogicalType::Text, false, Fill::RowKey(f.clone()))
            }
            (RowSource::Events(_), _) => {
                let prefix = t.key_prefix.as_deref().unwrap_or_default();
                let f = crate::keys::EventKeyFormat::new(prefix, plan.n_entities());
                (LogicalType::Text, false, Fill::EventKey(f))
            }
            _ => return Err(unsupported("an id on a per-entity-per-period fact")),
        },
        ColumnType::Ref(x) if x == "dim_date" && (on_fact || on_event) => {
            (LogicalType::Int, false, Fill::DateKey)
        }
        ColumnType::Ref(x)
            if on_event
                && target(x)
                    .is_some_and(|tt| tt.kind == TableKind::Fact && tt.trigger.is_some()) =>
        {
            let table = plan.tables.iter().position(|tt| tt.name == *x).unwrap_or(0);
            let prefix = plan.tables[table].key_prefix.as_deref().unwrap_or_default();
            let keys = crate::keys::EventKeyFormat::new(prefix, plan.n_entities());
            (LogicalType::Text, true, Fill::SiblingPick { table, keys })
        }
        ColumnType::Ref(x) => {
            let (Some(tt), Some((keys, rows))) = (target(x), format_of(x)) else {
                return Err(unsupported(&format!("a reference to `{x}`")));
            };
            let fill = match (tt.grain, source) {
                (Grain::PerEntity, RowSource::Reference(_)) => {
                    return Err(unsupported(
                        "a reference dimension referring to a unit dimension",
                    ));
                }
                (Grain::PerEntity, _) => Fill::EntityKey(keys),
                (Grain::PerReference, _) => Fill::RefPick { keys, rows },
                (Grain::Variable, RowSource::EntityPeriods(_) | RowSource::Events(_)) => {
                    Fill::SubPick {
                        keys,
                        per_entity: tt.rows_per_entity,
                    }
                }
                _ => {
                    return Err(unsupported(&format!(
                        "a reference to `{x}` from {}",
                        describe(t)
                    )));
                }
            };
            (LogicalType::Text, false, fill)
        }
        ColumnType::Metric(m) if on_fact => {
            let i = plan
                .metric_index(m)
                .ok_or_else(|| unsupported("a metric the plan does not have"))?;
            let ty = if plan.metrics[i].is_integer() {
                LogicalType::Int
            } else {
                LogicalType::Float
            };
            (ty, true, Fill::Metric(i))
        }
        ColumnType::Faker { kind, kwargs } => {
            let ty = if super::fakes::is_integer(kind) {
                LogicalType::Int
            } else {
                LogicalType::Text
            };
            let fill = Fill::Fake {
                kind: kind.clone(),
                kwargs: kwargs.clone(),
            };
            (ty, false, fill)
        }
        ColumnType::Pool(attr) if !matches!(source, RowSource::Reference(_)) => {
            (LogicalType::Text, true, Fill::Pool(attr.clone()))
        }
        ColumnType::SegmentCount if !on_fact && !matches!(source, RowSource::Reference(_)) => {
            (LogicalType::Int, false, Fill::SegmentCount)
        }
        ColumnType::Static(v) => match source {
            RowSource::Reference(_) => {
                let numbers: Vec<Literal> = v.split(',').map(Literal::parse).collect();
                if numbers.iter().all(|i| i.ty() == LogicalType::Float) {
                    (LogicalType::Float, false, Fill::Items(numbers))
                } else {
                    let texts = v.split(',').map(|s| Literal::Text(s.to_owned())).collect();
                    (LogicalType::Text, false, Fill::Items(texts))
                }
            }
            // A comma list is sampled: per row on facts and events, per
            // entity on dimensions.
            _ if v.contains(',') => {
                let items: Vec<Literal> = v.split(',').map(|s| Literal::parse(s.trim())).collect();
                let ty = if items.iter().all(|i| i.ty() == LogicalType::Float) {
                    LogicalType::Float
                } else {
                    LogicalType::Text
                };
                let items = if ty == LogicalType::Float {
                    items
                } else {
                    v.split(',')
                        .map(|s| Literal::Text(s.trim().to_owned()))
                        .collect()
                };
                (ty, false, Fill::Choice(items))
            }
            _ => {
                let l = Literal::parse(v);
                (l.ty(), false, Fill::Const(l))
            }
        },
        ColumnType::Range => {
            let r = c
                .range
                .ok_or_else(|| unsupported("a range without bounds"))?;
            let ty = if r.integer {
                LogicalType::Int
            } else {
                LogicalType::Float
            };
            (ty, false, Fill::Range(r))
        }
        ColumnType::Scd if matches!(source, RowSource::Versions(_)) => {
            (LogicalType::Text, false, Fill::ScdLabel)
        }
        ColumnType::Struct | ColumnType::Array if !on_event => match &c.nested {
            Some(n) => (LogicalType::Nested, false, Fill::Nested(n.clone())),
            None => return Err(unsupported("a nested column without its shape")),
        },
        ColumnType::Narrative if on_fact => match &c.narrative {
            Some(n) => (
                LogicalType::Text,
                false,
                Fill::Narrative(Box::new(n.clone())),
            ),
            None => return Err(unsupported("a narrative without its template")),
        },
        ColumnType::Geo(field) if !on_fact && !on_event => {
            use plotsim_config::dsl::column_type::GeoField as G;
            let ty = match field {
                G::Latitude | G::Longitude => LogicalType::Float,
                _ => LogicalType::Text,
            };
            (ty, false, Fill::Geo(*field))
        }
        ColumnType::Timestamp if on_fact => (LogicalType::Timestamp, false, Fill::Timestamp),
        ColumnType::Timestamp if on_event => (LogicalType::Timestamp, false, Fill::RowTime),
        ColumnType::Flag if on_event => (LogicalType::Bool, false, Fill::Flag),
        ColumnType::Bucket if !matches!(source, RowSource::Reference(_)) => {
            (LogicalType::Text, false, Fill::Bucket(c.labels.clone()))
        }
        other => return Err(unsupported(&format!("type {other:?} on {}", describe(t)))),
    })
}

/// Column order on disk: primary-key columns (in key order), then
/// foreign-key columns, then the rest, each group in declaration order.
fn order_columns(t: &mut TableSchema) {
    let rank = |name: &str| {
        if let Some(i) = t.primary_key.iter().position(|k| k == name) {
            (0, i)
        } else if t.foreign_keys.iter().any(|f| f.column == name) {
            (1, 0)
        } else {
            (2, 0)
        }
    };
    let mut order: Vec<usize> = (0..t.columns.len()).collect();
    order.sort_by_key(|&i| rank(&t.columns[i].name));
    t.columns = order.iter().map(|&i| t.columns[i].clone()).collect();
    t.fills = order.iter().map(|&i| t.fills[i].clone()).collect();
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
    let keys = KeyFormat::new(
        anchor.key_prefix.as_deref().unwrap_or_default(),
        plan.n_entities(),
    );
    let mut columns = vec![column(&pk, LogicalType::Text, false)];
    let mut fills = vec![Fill::EntityKey(keys.clone())];
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
        // An SCD anchor has one row per version: no unique key to refer to.
        foreign_keys: if anchor.columns.iter().any(|c| c.scd.is_some()) {
            Vec::new()
        } else {
            vec![ForeignKey {
                column: pk.clone(),
                table: anchor.name.clone(),
                references: pk,
            }]
        },
        fills,
        source: RowSource::Features(0..end),
        keys: Some(keys),
    }))
}

/// Facts and events referring to an SCD dimension get a `dim_row_id`
/// column (the version in force in the row's period), which is the foreign
/// key to it; the entity key column is then a plain column.
fn add_version_columns(plan: &Plan, tables: &mut [TableSchema]) {
    let scd: Vec<(String, ScdPlan)> = tables
        .iter()
        .filter_map(|t| match &t.source {
            RowSource::Versions(s) => Some((t.name.clone(), s.clone())),
            _ => None,
        })
        .collect();
    for (dim, plan_scd) in &scd {
        for (t, tp) in tables.iter_mut().zip(&plan.tables) {
            let refers = tp
                .columns
                .iter()
                .any(|c| matches!(&c.ty, ColumnType::Ref(x) if x == dim));
            if !refers {
                continue;
            }
            t.foreign_keys.retain(|f| f.table != *dim);
            if matches!(t.source, RowSource::EntityPeriods(_) | RowSource::Events(_)) {
                t.columns
                    .push(column("dim_row_id", LogicalType::Int, false));
                t.fills.push(Fill::VersionOf(plan_scd.clone()));
                t.foreign_keys.push(ForeignKey {
                    column: "dim_row_id".into(),
                    table: dim.clone(),
                    references: "dim_row_id".into(),
                });
            }
        }
    }
}

/// `<fact>_wide` for every per-entity-per-period fact: its columns, then
/// for each foreign key the dimension's other columns as `<dim>__<col>`
/// (an SCD dimension at the version in force for the row). Same rows as the
/// fact, built per block from the same batch.
fn wide_tables(tables: &[TableSchema]) -> Vec<TableSchema> {
    tables
        .iter()
        .filter(|t| t.kind == TableKind::Fact && matches!(t.source, RowSource::EntityPeriods(_)))
        .map(|t| {
            let mut columns = t.columns.clone();
            let mut joins = Vec::new();
            for fk in &t.foreign_keys {
                let Some(d) = tables.iter().find(|d| d.name == fk.table) else {
                    continue;
                };
                let cols: Vec<&ColumnSchema> = d
                    .columns
                    .iter()
                    .filter(|c| c.name != fk.references)
                    .collect();
                for c in &cols {
                    // A left join: nullable whatever the dimension says.
                    columns.push(column(&format!("{}__{}", d.name, c.name), c.ty, true));
                }
                joins.push(WideJoin {
                    dim: d.name.clone(),
                    column: fk.column.clone(),
                    key: fk.references.clone(),
                    columns: cols.iter().map(|c| c.name.clone()).collect(),
                });
            }
            TableSchema {
                id: 0,
                name: format!("{}_wide", t.name),
                kind: TableKind::Fact,
                grain: t.grain,
                fills: vec![Fill::Const(Literal::Text(String::new())); columns.len()],
                columns,
                primary_key: t.primary_key.clone(),
                foreign_keys: Vec::new(),
                source: RowSource::Wide(WidePlan {
                    fact: t.name.clone(),
                    joins,
                }),
                keys: None,
            }
        })
        .collect()
}

/// A CDC fact ends with `_inserted_at` and `_updated_at` (the row's period
/// label) and `_op` (`I`; quality issues touching a row will make it `U`).
fn add_cdc_columns(plan: &Plan, tables: &mut [TableSchema]) {
    for t in plan.tables.iter().filter(|t| t.cdc) {
        if let Some(s) = tables.iter_mut().find(|s| s.name == t.name) {
            for name in ["_inserted_at", "_updated_at"] {
                s.columns.push(column(name, LogicalType::Text, false));
                s.fills.push(Fill::PeriodLabel);
            }
            s.columns.push(column("_op", LogicalType::Text, false));
            s.fills.push(Fill::Const(Literal::Text("I".into())));
        }
    }
}

/// Foreign keys: every `ref.` column to a table with a single-column key.
fn foreign_keys(t: &TablePlan, all: &[(String, Vec<String>, bool)]) -> Vec<ForeignKey> {
    t.columns
        .iter()
        .filter_map(|c| {
            let ColumnType::Ref(target) = &c.ty else {
                return None;
            };
            let (name, pk, _) = all.iter().find(|(n, _, keyed)| n == target && *keyed)?;
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
