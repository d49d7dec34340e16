//! The declared schema: `dimensions`, `facts` and `events`.
//!
//! Column types (`ref.dim_date`, `metric.mrr`, `faker.company`, ...) stay
//! strings here; validation parses them.

use indexmap::IndexMap;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use typed_builder::TypedBuilder;

use crate::words::word_enum;

word_enum! {
    /// What a dimension has one row per.
    pub enum DimPer ("dimension grain") {
        /// One row per period (only `dim_date`).
        Period = "period",
        /// One row per entity of the unit.
        Unit = "unit",
    }
}

word_enum! {
    /// How an event table's rows are triggered.
    pub enum Trigger ("event trigger") {
        /// Row count per (entity, period) proportional to a metric value.
        Proportional = "proportional",
        /// One row when a metric stays above or below a value for N periods.
        Threshold = "threshold",
    }
}

/// A number as written: integer or float (a column `range: [1, 200]` is an
/// integer range, `[0, 0.4]` a float range).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    /// An integer literal.
    Int(i64),
    /// A float literal.
    Float(f64),
}

impl Number {
    /// The value as a float.
    pub fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Float(f) => f,
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(i) => write!(f, "{i}"),
            Number::Float(x) => write!(f, "{x}"),
        }
    }
}

impl From<i64> for Number {
    fn from(i: i64) -> Self {
        Number::Int(i)
    }
}

impl From<i32> for Number {
    fn from(i: i32) -> Self {
        Number::Int(i64::from(i))
    }
}

impl From<f64> for Number {
    fn from(x: f64) -> Self {
        Number::Float(x)
    }
}

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Number::Int(i) => s.serialize_i64(*i),
            Number::Float(x) => s.serialize_f64(*x),
        }
    }
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Number;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Number, E> {
                Ok(Number::Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Number, E> {
                i64::try_from(v)
                    .map(Number::Int)
                    .map_err(|_| E::custom("integer too large"))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Number, E> {
                Ok(Number::Float(v))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Number {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Number".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "number"})
    }
}

/// Narrative phrases: segment -> slot -> band -> phrases.
pub type Lexicons = IndexMap<String, IndexMap<String, IndexMap<String, Vec<String>>>>;

/// A column of a declared table. `type` is one of the column types of the
/// schema guide (`id`, `ref.<table>`, `metric.<m>`, `faker.<kind>`, `geo.<field>`,
/// `static.<value>`, `pool.<attr>`, `segment.count`, `range`, `timestamp`,
/// `flag`, `bucket`, `scd`, `narrative`, `struct`, `array`, and the `dim_date`
/// words `date`, `int`, `string`, `float`); the other fields belong to
/// particular types.
///
/// # Example
/// ```
/// use plotsim_config::Column;
/// let c = Column::new("company_id", "ref.dim_company");
/// assert_eq!(c.r#type, "ref.dim_company");
/// let seats = Column::builder().name("active_seats").r#type("range").range([1.into(), 200.into()]).build();
/// assert!(seats.range.is_some());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TypedBuilder)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Column {
    /// Column name (SQL-safe identifier).
    #[builder(setter(into))]
    pub name: String,
    /// Column type.
    #[builder(setter(into))]
    pub r#type: String,
    /// `scd`: the metric whose trajectory drives the tiers.
    #[builder(default, setter(into, strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracks: Option<String>,
    /// `scd`: tier labels, lowest first.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tiers: Option<Vec<String>>,
    /// `scd`: thresholds between tiers, one fewer than `tiers`, in (0, 1).
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Vec<f64>>,
    /// `bucket`: 2-20 unique labels.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<String>>,
    /// `narrative`: the text template with `{slot}` placeholders.
    #[builder(default, setter(into, strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// `narrative`: segment -> slot -> band -> phrases.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lexicons: Option<Lexicons>,
    /// `narrative`: band names (default low, mid, high).
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bands: Option<Vec<String>>,
    /// `struct`: field name -> `int`, `float`, `string` or `boolean`.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nested_schema: Option<IndexMap<String, String>>,
    /// `array`: element type.
    #[builder(default, setter(into, strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub array_element_type: Option<String>,
    /// `array`: length, 1-100 (default 3).
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub array_length: Option<u32>,
    /// `range`: `[lo, hi]`; integers give an integer column.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<[Number; 2]>,
}

impl Column {
    /// A column with a name and a type and no extra fields.
    pub fn new(name: impl Into<String>, r#type: impl Into<String>) -> Self {
        Column::builder().name(name).r#type(r#type).build()
    }
}

/// A declared dimension table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TypedBuilder)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Dimension {
    /// Table name (SQL-safe identifier).
    #[builder(setter(into))]
    pub name: String,
    /// Columns, at least one.
    pub columns: Vec<Column>,
    /// `period` (dim_date) or `unit`.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per: Option<DimPer>,
    /// A fixed reference table (rows from `static.` lists).
    #[builder(default)]
    #[serde(default)]
    pub reference: bool,
    /// Rows per entity of a sub-entity dimension.
    #[builder(default = 1)]
    #[serde(default = "default_count")]
    pub count: u32,
}

fn default_count() -> u32 {
    1
}

/// A declared fact table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TypedBuilder)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Fact {
    /// Table name (SQL-safe identifier).
    #[builder(setter(into))]
    pub name: String,
    /// Columns, at least one.
    pub columns: Vec<Column>,
    /// Informational list of metrics (columns come from `metric.<m>` types only).
    #[builder(default)]
    #[serde(default)]
    pub metrics: Vec<String>,
    /// Add change-data-capture columns.
    #[builder(default)]
    #[serde(default)]
    pub cdc: bool,
    /// Variable grain: rows per (entity, period) = driver value x scale.
    #[builder(default, setter(into, strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row_count_driver: Option<String>,
    /// Scale of the row-count driver (> 0).
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row_count_scale: Option<f64>,
    /// Child grain: the parent fact table.
    #[builder(default, setter(into, strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_table: Option<String>,
    /// Child grain: `[min, max]` children per parent row.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub children_per_row: Option<[u32; 2]>,
}

/// A declared event table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TypedBuilder)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Table name (SQL-safe identifier).
    #[builder(setter(into))]
    pub name: String,
    /// Columns, at least one.
    pub columns: Vec<Column>,
    /// `proportional` or `threshold`.
    pub trigger: Trigger,
    /// Proportional: the driving metric.
    #[builder(default, setter(into, strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    /// Proportional: rows per unit of the driver, in (0, 100].
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<f64>,
    /// Threshold: the watched metric.
    #[builder(default, setter(into, strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<String>,
    /// Threshold: fire when the value stays above this.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub above: Option<f64>,
    /// Threshold: fire when the value stays below this.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below: Option<f64>,
    /// Threshold: consecutive periods required (YAML `for` or `for_periods`; default 1).
    #[builder(default, setter(strip_option))]
    #[serde(
        default,
        alias = "for_periods",
        skip_serializing_if = "Option::is_none"
    )]
    pub r#for: Option<u32>,
    /// Log-line template rendered per event row.
    #[builder(default, setter(into, strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_format: Option<String>,
    /// File name of the log (requires `log_format`).
    #[builder(default, setter(into, strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_filename: Option<String>,
}
