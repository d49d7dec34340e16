//! Planned tables: kind, grain, columns and keys.

use crate::dsl::column_type::ColumnType;

/// Kind of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKind {
    /// Dimension.
    Dimension,
    /// Fact.
    Fact,
    /// Event.
    Event,
    /// Bridge.
    Bridge,
}

/// Row grain of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grain {
    /// One row per period (dim_date).
    PerPeriod,
    /// One row per entity (or per version with SCD).
    PerEntity,
    /// A fixed list of rows.
    PerReference,
    /// One row per (entity, active period).
    PerEntityPerPeriod,
    /// Rows driven by a metric (variable facts, events, sub-entity dims).
    Variable,
    /// Children of a parent fact row.
    PerParentRow,
    /// Associations between two dimensions.
    Bridge,
}

/// A planned table.
#[derive(Debug, Clone, PartialEq)]
pub struct TablePlan {
    /// Table name.
    pub name: String,
    /// Kind.
    pub kind: TableKind,
    /// Grain.
    pub grain: Grain,
    /// Declared columns in order.
    pub columns: Vec<ColumnPlan>,
    /// Primary-key columns.
    pub primary_key: Vec<String>,
    /// Prefix of sequential keys (`<prefix>-NNN`), for tables with generated keys.
    pub key_prefix: Option<String>,
    /// Rows per entity of a sub-entity dimension (1 for other tables).
    pub rows_per_entity: u32,
    /// What makes an event table's rows (`None` for other tables).
    pub trigger: Option<TriggerPlan>,
    /// Whether a fact carries change-data-capture columns (`cdc: true`).
    pub cdc: bool,
    /// A bridge's sides and cardinality (`None` for other tables).
    pub bridge: Option<BridgePlan>,
    /// An event table's log file (`log_format`), when it has one.
    pub log: Option<LogPlan>,
}

/// An event log: one line per event row, `{column}` placeholders (with an
/// optional `:.Nf` precision) replaced by the row's values.
#[derive(Debug, Clone, PartialEq)]
pub struct LogPlan {
    /// The line template.
    pub format: String,
    /// The file name in the output directory (default `<event>.log`).
    pub file: String,
}

/// A bridge: per entity of the left dimension, between `min` and `max`
/// distinct rows of the right one, more for entities whose driver runs
/// higher.
#[derive(Debug, Clone, PartialEq)]
pub struct BridgePlan {
    /// The left dimension (one row per entity).
    pub left: String,
    /// The right dimension.
    pub right: String,
    /// Fewest associations per entity.
    pub min: u32,
    /// Most associations per entity.
    pub max: u32,
    /// The driver metric (index into [`Plan::metrics`](super::Plan::metrics));
    /// `None`: the trajectory position.
    pub driver: Option<usize>,
}

/// An event table's trigger, with the metric as an index into
/// [`Plan::metrics`](super::Plan::metrics).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TriggerPlan {
    /// `round_half_even(value x scale)` rows per entity and period.
    Proportional {
        /// The driver metric.
        metric: usize,
        /// Rows per unit of the driver's value.
        scale: f64,
    },
    /// One row at the first period ending `periods` consecutive periods
    /// strictly above (or below) `value`; a null resets the run.
    Threshold {
        /// The watched metric.
        metric: usize,
        /// `above` (true) or `below`.
        above: bool,
        /// The threshold.
        value: f64,
        /// Consecutive periods needed.
        periods: u32,
    },
    /// A uniform `[min, max]` rows per row of a parent table (a child fact),
    /// each with the parent row's entity and period.
    PerParentRow {
        /// Index of the parent table in [`Plan::tables`](super::Plan::tables).
        parent: usize,
        /// Fewest rows per parent row.
        min: u32,
        /// Most rows per parent row.
        max: u32,
    },
}

impl TablePlan {
    /// Planned rows: per period, per entity, per entity-period or per reference row;
    /// `None` for metric-driven grains.
    pub fn planned_rows(&self, n_entities: u64, n_periods: u32) -> Option<u64> {
        match self.grain {
            Grain::PerPeriod => Some(u64::from(n_periods)),
            Grain::PerEntity => Some(n_entities),
            Grain::PerEntityPerPeriod => Some(n_entities * u64::from(n_periods)),
            Grain::PerReference => Some(self.reference_rows()),
            Grain::Variable if self.kind == TableKind::Dimension => {
                Some(n_entities * u64::from(self.rows_per_entity))
            }
            Grain::Variable | Grain::PerParentRow | Grain::Bridge => None,
        }
    }

    /// Rows of a reference table: the longest `static.` comma list.
    pub fn reference_rows(&self) -> u64 {
        self.columns
            .iter()
            .filter_map(|c| match &c.ty {
                ColumnType::Static(v) => Some(v.split(',').count() as u64),
                _ => None,
            })
            .max()
            .unwrap_or(1)
    }
}

/// A planned column.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnPlan {
    /// Column name.
    pub name: String,
    /// Parsed type.
    pub ty: ColumnType,
    /// The bounds of a `range` column.
    pub range: Option<RangePlan>,
    /// The labels of a `bucket` column.
    pub labels: Vec<String>,
    /// The tiers of an `scd` column.
    pub scd: Option<ScdPlan>,
    /// The template and lexicons of a `narrative` column.
    pub narrative: Option<NarrativePlan>,
    /// The shape of a `struct` or `array` column.
    pub nested: Option<NestedPlan>,
}

/// The scalar type of a nested field or element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NestedScalar {
    /// A 64-bit integer in 0-999.
    Int,
    /// A float in [0, 1).
    Float,
    /// A short token like `v00042` (`string`).
    Text,
    /// A boolean.
    Boolean,
}

impl NestedScalar {
    /// The scalar of a type name (`int`, `float`, `string`, `boolean`).
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "int" => Some(NestedScalar::Int),
            "float" => Some(NestedScalar::Float),
            "string" => Some(NestedScalar::Text),
            "boolean" => Some(NestedScalar::Boolean),
            _ => None,
        }
    }
}

/// The shape of a nested column.
#[derive(Debug, Clone, PartialEq)]
pub enum NestedPlan {
    /// An object per row with these fields, in order.
    Struct(Vec<(String, NestedScalar)>),
    /// A list per row of `length` elements.
    Array {
        /// The element type.
        element: NestedScalar,
        /// Elements per row (1-100).
        length: u32,
    },
}

/// A `narrative` column: literal text and slots; every row fills each slot
/// with one phrase of its segment's lexicon, at the band of the row's
/// trajectory position (`min(floor(p x bands), bands - 1)`).
#[derive(Debug, Clone, PartialEq)]
pub struct NarrativePlan {
    /// The template, cut into text and slots.
    pub pieces: Vec<TemplatePiece>,
    /// Slot names, in order of first appearance.
    pub slots: Vec<String>,
    /// Band names, lowest first.
    pub bands: Vec<String>,
    /// Phrases by segment (plan order), slot and band.
    pub phrases: Vec<Vec<Vec<Vec<String>>>>,
}

/// A piece of a narrative template.
#[derive(Debug, Clone, PartialEq)]
pub enum TemplatePiece {
    /// Text written as is.
    Text(String),
    /// A slot (index into [`NarrativePlan::slots`]).
    Slot(usize),
}

impl NarrativePlan {
    /// The band of a trajectory position.
    pub fn band(&self, position: f64) -> usize {
        let n = self.bands.len().max(1);
        ((position * n as f64).floor().max(0.0) as usize).min(n - 1)
    }

    /// The text of a row of segment `segment` at band `band`, `pick(n)`
    /// choosing one of `n` phrases for each slot in slot order.
    pub fn render(
        &self,
        segment: usize,
        band: usize,
        pick: &mut dyn FnMut(usize) -> usize,
    ) -> String {
        let Some(lexicon) = self.phrases.get(segment) else {
            return String::new();
        };
        let chosen: Vec<&str> = lexicon
            .iter()
            .map(|slot| match slot.get(band) {
                Some(p) if !p.is_empty() => p[pick(p.len()) % p.len()].as_str(),
                _ => "",
            })
            .collect();
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                TemplatePiece::Text(t) => out.push_str(t),
                TemplatePiece::Slot(i) => out.push_str(chosen.get(*i).copied().unwrap_or("")),
            }
        }
        out
    }
}

/// An `scd` column: tiers by trajectory position.
#[derive(Debug, Clone, PartialEq)]
pub struct ScdPlan {
    /// The metric named by `tracks` (index into [`Plan::metrics`](super::Plan::metrics)).
    pub tracks: usize,
    /// Tier labels, lowest first.
    pub tiers: Vec<String>,
    /// Thresholds between tiers (one fewer than the tiers, increasing in (0, 1)).
    pub at: Vec<f64>,
}

impl ColumnPlan {
    /// A column without type parameters.
    pub fn new(name: impl Into<String>, ty: ColumnType) -> Self {
        ColumnPlan {
            name: name.into(),
            ty,
            range: None,
            labels: Vec::new(),
            scd: None,
            narrative: None,
            nested: None,
        }
    }
}

/// The bounds of a `range` column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RangePlan {
    /// Lower bound.
    pub lo: f64,
    /// Upper bound (inclusive for integers, exclusive for floats).
    pub hi: f64,
    /// Whether both bounds are integers (the values are then integers).
    pub integer: bool,
}
