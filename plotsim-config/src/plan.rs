//! The validated, resolved form of a [`Config`]: what the engine reads.
//!
//! A `Plan` has no "not checked yet" states: names are resolved to indices,
//! the window to a period count, DSL strings to their parsed form, metric
//! types to distribution families, and the schema to concrete tables.

use chrono::{Datelike, Duration, NaiveDate};
use indexmap::IndexMap;

use crate::dsl::archetype::ArchetypeSpec;
use crate::dsl::column_type::ColumnType;
use crate::model::{
    Arrival, BaselineLevel, Config, DecayKernel, Family, Granularity, MetricType, Polarity,
    Treatment,
};
use crate::period::{Period, add_months, iso_monday};

/// A validated config, ready for generation.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The config this plan was validated from.
    pub config: Config,
    /// The resolved window.
    pub window: ResolvedWindow,
    /// Metrics in declaration order.
    pub metrics: Vec<MetricPlan>,
    /// Metric indices in dependency order (every driver before its followers).
    pub lag_order: Vec<usize>,
    /// Segments in declaration order.
    pub segments: Vec<SegmentPlan>,
    /// Baseline correlation pairs with non-zero coefficients.
    pub correlations: Vec<CorrelationPair>,
    /// Correlation phases.
    pub phases: Vec<PhasePlan>,
    /// The tables that will be written.
    pub tables: Vec<TablePlan>,
    /// Whether the tables are the auto schema (no schema declared).
    pub auto_schema: bool,
    /// Non-fatal findings (the config is valid but probably not what was meant).
    pub warnings: Vec<String>,
}

impl Plan {
    /// Total number of entities.
    pub fn n_entities(&self) -> u64 {
        self.segments.iter().map(|s| u64::from(s.count)).sum()
    }

    /// Entity-period cells: entities x periods (the cell-budget measure).
    pub fn cells(&self) -> u64 {
        self.n_entities() * u64::from(self.window.n_periods)
    }

    /// Index of a metric by name.
    pub fn metric_index(&self, name: &str) -> Option<usize> {
        self.metrics.iter().position(|m| m.name == name)
    }

    /// A table by name.
    pub fn table(&self, name: &str) -> Option<&TablePlan> {
        self.tables.iter().find(|t| t.name == name)
    }
}

/// The window resolved to concrete dates and a period count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResolvedWindow {
    /// Granularity of the periods.
    pub granularity: Granularity,
    /// First day covered.
    pub first_day: NaiveDate,
    /// Last day covered (inclusive).
    pub last_day: NaiveDate,
    /// Anchor date of period 0.
    pub anchor: NaiveDate,
    /// Number of periods.
    pub n_periods: u32,
}

/// Longest window per granularity, in periods.
pub(crate) fn max_periods(g: Granularity) -> u32 {
    match g {
        Granularity::Monthly => 360,
        Granularity::Weekly => 1560,
        Granularity::Daily => 3650,
    }
}

impl ResolvedWindow {
    /// Resolves `start`/`end` (`YYYY-MM` or `YYYY-MM-DD`) at a granularity.
    ///
    /// A `YYYY-MM` start means the 1st of that month and a `YYYY-MM` end the
    /// last day of that month; a full date is used as given. Monthly windows
    /// count every month touched; weekly windows every ISO week touched.
    pub fn resolve(start: &str, end: &str, granularity: Granularity) -> Result<Self, String> {
        let first_day = parse_bound(start, false).map_err(|e| format!("start: {e}"))?;
        let last_day = parse_bound(end, true).map_err(|e| format!("end: {e}"))?;
        if last_day < first_day {
            return Err(format!(
                "the window ends ({end}) before it starts ({start})"
            ));
        }
        let (anchor, n) = match granularity {
            Granularity::Monthly => {
                let months = (last_day.year() - first_day.year()) * 12 + last_day.month() as i32
                    - first_day.month() as i32
                    + 1;
                (first_day.with_day(1).unwrap_or(first_day), months as i64)
            }
            Granularity::Weekly => {
                let a = iso_monday(first_day);
                let b = iso_monday(last_day);
                (a, (b - a).num_days() / 7 + 1)
            }
            Granularity::Daily => (first_day, (last_day - first_day).num_days() + 1),
        };
        let cap = max_periods(granularity);
        if n > i64::from(cap) {
            return Err(format!(
                "the window spans {n} {granularity} periods; at most {cap} are allowed"
            ));
        }
        Ok(ResolvedWindow {
            granularity,
            first_day,
            last_day,
            anchor,
            n_periods: n as u32,
        })
    }

    /// The period at `index` (not checked against `n_periods`).
    pub fn period(&self, index: u32) -> Period {
        let start = match self.granularity {
            Granularity::Monthly => add_months(self.anchor, index),
            Granularity::Weekly => self.anchor + Duration::weeks(i64::from(index)),
            Granularity::Daily => self.anchor + Duration::days(i64::from(index)),
        };
        Period::new(self.granularity, index, start)
    }

    /// Every period of the window, in order.
    pub fn periods(&self) -> impl Iterator<Item = Period> + '_ {
        (0..self.n_periods).map(|i| self.period(i))
    }
}

fn parse_bound(s: &str, is_end: bool) -> Result<NaiveDate, String> {
    let bad = || format!("`{s}` is not a date; expected YYYY-MM or YYYY-MM-DD");
    let parts: Vec<&str> = s.trim().split('-').collect();
    let num = |p: &str, len: usize| -> Result<u32, String> {
        if p.len() == len && p.bytes().all(|b| b.is_ascii_digit()) {
            p.parse().map_err(|_| bad())
        } else {
            Err(bad())
        }
    };
    let (y, m, d) = match parts.as_slice() {
        [y, m] => (num(y, 4)?, num(m, 2)?, None),
        [y, m, d] => (num(y, 4)?, num(m, 2)?, Some(num(d, 2)?)),
        _ => return Err(bad()),
    };
    if !(1900..=2999).contains(&y) {
        return Err(format!("year {y} is outside 1900-2999"));
    }
    if !(1..=12).contains(&m) {
        return Err(format!("month {m} is outside 1-12"));
    }
    let first = NaiveDate::from_ymd_opt(y as i32, m, 1).ok_or_else(bad)?;
    match d {
        Some(d) => NaiveDate::from_ymd_opt(y as i32, m, d)
            .ok_or_else(|| format!("`{s}` is not a calendar date")),
        None if is_end => Ok(add_months(first, 1) - Duration::days(1)),
        None => Ok(first),
    }
}

/// A resolved metric.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricPlan {
    /// Name.
    pub name: String,
    /// Label (declared or derived from the name).
    pub label: String,
    /// Declared type.
    pub kind: MetricType,
    /// Polarity.
    pub polarity: Polarity,
    /// Value range, when bounded (`[0, 1]` for scores).
    pub range: Option<(f64, f64)>,
    /// Distribution family (explicit or chosen by type).
    pub family: Family,
    /// Family parameters (explicit, or the type's defaults).
    pub params: IndexMap<String, f64>,
    /// Whether the family was given explicitly.
    pub explicit_family: bool,
    /// Causal lag behind another metric.
    pub lag: Option<LagPlan>,
    /// Multiplier on the global seasonality.
    pub seasonal_sensitivity: f64,
}

impl MetricPlan {
    /// Whether values are integers (counts, and the poisson family).
    pub fn is_integer(&self) -> bool {
        self.family == Family::Poisson || self.kind == MetricType::Count
    }
}

/// A resolved `follows`/`delay`.
#[derive(Debug, Clone, PartialEq)]
pub struct LagPlan {
    /// Index of the driver metric.
    pub driver: usize,
    /// Delay in periods.
    pub delay: u32,
    /// Decay window in periods, when set.
    pub decay_window: Option<u32>,
    /// Decay weighting.
    pub decay_kernel: DecayKernel,
}

/// A resolved segment.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentPlan {
    /// Name.
    pub name: String,
    /// Label (declared or derived from the name).
    pub label: String,
    /// Number of entities.
    pub count: u32,
    /// Ordinal of the segment's first entity among all entities.
    pub first_entity: u64,
    /// The archetype DSL as written.
    pub archetype_text: String,
    /// The parsed archetype.
    pub archetype: ArchetypeSpec,
    /// Attribute values per key.
    pub attributes: IndexMap<String, Vec<String>>,
    /// Baseline level per metric index.
    pub baseline: Vec<(usize, BaselineLevel)>,
    /// Seasonal sensitivity of the segment's entities.
    pub seasonal_sensitivity: f64,
    /// Arrival schedule.
    pub arrival: Option<Arrival>,
    /// Treatment split.
    pub treatment: Option<Treatment>,
}

/// A correlation between two metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct CorrelationPair {
    /// First metric index (as declared).
    pub a: usize,
    /// Second metric index (as declared).
    pub b: usize,
    /// Requested coefficient.
    pub coefficient: f64,
}

/// A resolved correlation phase.
#[derive(Debug, Clone, PartialEq)]
pub struct PhasePlan {
    /// First period.
    pub start_period: u32,
    /// Last period (inclusive).
    pub end_period: u32,
    /// Pairs in force during the phase (empty = the baseline's).
    pub pairs: Vec<CorrelationPair>,
}

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
}
