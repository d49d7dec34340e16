//! Smaller optional blocks: lifecycle, seasonality, bridges, quality, holdout,
//! entity features and sources.

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;
use typed_builder::TypedBuilder;

use super::default_true;
use crate::words::word_enum;

/// Lifecycle stages tracked on one metric (YAML key `lifecycle` or `stages`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TypedBuilder)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Lifecycle {
    /// The tracked metric.
    #[builder(setter(into))]
    pub track: String,
    /// At least two stages with ascending thresholds in [0, 1].
    pub stages: Vec<Stage>,
    /// Stages may only move forward.
    #[builder(default)]
    #[serde(default)]
    pub enforce_order: bool,
    /// Periods below a stage's threshold before stepping back down (1-120).
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub downgrade_delay: Option<u32>,
}

/// One lifecycle stage. YAML accepts `{trial: 0.0}`, `[trial, 0.0]` and
/// `{name: trial, threshold: 0.0}`.
///
/// # Example
/// ```
/// use plotsim_config::Stage;
/// let s: Stage = ("active", 0.2).into();
/// assert_eq!(s.name, "active");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stage {
    /// Stage name; unique.
    pub name: String,
    /// Entry threshold in [0, 1].
    pub threshold: f64,
}

impl<S: Into<String>> From<(S, f64)> for Stage {
    fn from((name, threshold): (S, f64)) -> Self {
        Stage {
            name: name.into(),
            threshold,
        }
    }
}

impl<'de> Deserialize<'de> for Stage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Stage;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a stage: {name: threshold}, [name, threshold] or {name, threshold}")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Stage, A::Error> {
                let err = || de::Error::custom("a stage list must be [name, threshold]");
                let name: String = seq.next_element()?.ok_or_else(err)?;
                let threshold: f64 = seq.next_element()?.ok_or_else(err)?;
                if seq.next_element::<de::IgnoredAny>()?.is_some() {
                    return Err(err());
                }
                Ok(Stage { name, threshold })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Stage, A::Error> {
                let mut name: Option<String> = None;
                let mut threshold: Option<f64> = None;
                let mut shorthand: Option<(String, f64)> = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "name" if name.is_none() => name = Some(map.next_value()?),
                        "threshold" if threshold.is_none() => threshold = Some(map.next_value()?),
                        _ if shorthand.is_none() && name.is_none() && threshold.is_none() => {
                            shorthand = Some((key, map.next_value()?));
                        }
                        _ => {
                            return Err(de::Error::custom(format!(
                                "unexpected key `{key}` in a stage; write {{name: threshold}} or {{name, threshold}}"
                            )));
                        }
                    }
                }
                match (name, threshold, shorthand) {
                    (Some(name), Some(threshold), None) => Ok(Stage { name, threshold }),
                    (None, None, Some((name, threshold))) => Ok(Stage { name, threshold }),
                    _ => Err(de::Error::custom(
                        "a stage needs a name and a threshold: {name: threshold} or {name, threshold}",
                    )),
                }
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Stage {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Stage".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "{name: threshold}, [name, threshold] or {name, threshold}",
            "anyOf": [
                {
                    "type": "object",
                    "properties": {"name": {"type": "string"}, "threshold": {"type": "number"}},
                    "required": ["name", "threshold"],
                    "additionalProperties": false,
                },
                {"type": "object", "minProperties": 1, "maxProperties": 1, "additionalProperties": {"type": "number"}},
                {"type": "array", "minItems": 2, "maxItems": 2},
            ],
        })
    }
}

/// A seasonal effect: the listed calendar months get `strength` added to the
/// seasonal multiplier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TypedBuilder)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SeasonalEffect {
    /// Distinct months 1-12.
    pub months: Vec<u32>,
    /// Lift (negative = dip).
    pub strength: f64,
}

/// A many-to-many bridge table between two dimensions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TypedBuilder)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Bridge {
    /// Table name (SQL-safe identifier).
    #[builder(setter(into))]
    pub name: String,
    /// Left dimension (one row per entity).
    #[builder(setter(into))]
    pub left: String,
    /// Right dimension.
    #[builder(setter(into))]
    pub right: String,
    /// `[min, max]` associations per left row.
    pub cardinality: [u32; 2],
    /// Documentary driver metric.
    #[builder(default, setter(into, strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    /// Extra columns: `metric.`, `static.` or `faker.` types only.
    #[builder(default)]
    #[serde(default)]
    pub columns: Vec<BridgeColumn>,
}

/// A column of a bridge table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TypedBuilder)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct BridgeColumn {
    /// Column name.
    #[builder(setter(into))]
    pub name: String,
    /// `metric.<m>`, `static.<v>` or `faker.<kind>`.
    #[builder(setter(into))]
    pub r#type: String,
}

word_enum! {
    /// A kind of injected data-quality issue.
    pub enum QualityIssueKind ("quality issue") {
        /// Cells of a column become null.
        NullInjection = "null_injection",
        /// Copies of rows are inserted.
        DuplicateRows = "duplicate_rows",
        /// Values change type (numbers to strings and back).
        TypeMismatch = "type_mismatch",
        /// Rows get an `_arrival_period` later than their period.
        LateArrival = "late_arrival",
        /// Values move to a new `<col>_v2` column.
        SchemaDrift = "schema_drift",
        /// Rows of some periods are duplicated or dropped.
        VolumeAnomaly = "volume_anomaly",
        /// Numbers become ten times their value (a slipped decimal point).
        Outliers = "outliers",
    }
}

word_enum! {
    /// Direction of a volume anomaly.
    pub enum VolumeMode ("volume anomaly mode") {
        /// Duplicate rows of the target periods.
        Spike = "spike",
        /// Drop rows of the target periods.
        Drop = "drop",
    }
}

/// A data-quality issue injected into the written copy of a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TypedBuilder)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct QualityIssue {
    /// Target fact or event table.
    #[builder(setter(into))]
    pub table: String,
    /// The issue.
    pub issue: QualityIssueKind,
    /// Share of rows affected, in [0, 1].
    pub rate: f64,
    /// Target column (required for null_injection, type_mismatch, schema_drift;
    /// `*` means every non-key column).
    #[builder(default, setter(into, strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// Offset of this issue's random stream.
    #[builder(default)]
    #[serde(default)]
    pub seed_offset: u64,
    /// volume_anomaly: `spike` or `drop`.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<VolumeMode>,
    /// volume_anomaly: one target period.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<u32>,
    /// volume_anomaly: several target periods.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub periods: Option<Vec<u32>>,
}

/// Per-entity variation of the archetype trajectories: the difficulty knob.
/// Off by default (every entity of an archetype then follows the identical
/// curve, so labels are easy to recover from features). Each entity draws
/// its own variation from its own named stream, so turning it on moves no
/// other draw; the drawn values are recorded in the manifest.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, TypedBuilder)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Variation {
    /// Change points move by a whole number of periods drawn uniformly from
    /// `[-timing, timing]` per entity (kept inside the active window).
    #[builder(default)]
    #[serde(default)]
    pub timing: u32,
    /// Each entity's trajectory is stretched around 0.5 by `1 + a`, with `a`
    /// uniform in `[-amplitude, amplitude]` (0 to 1; at 1 a trend can vanish).
    #[builder(default)]
    #[serde(default)]
    pub amplitude: f64,
    /// Each entity's positions shift by a uniform in `[-level, level]` (0 to 1).
    #[builder(default)]
    #[serde(default)]
    pub level: f64,
    /// Each entity's jitter sigma is multiplied by `exp(noise * g)`, `g`
    /// standard normal (0 to 3).
    #[builder(default)]
    #[serde(default)]
    pub noise: f64,
    /// Each entity's trajectory mixes in another segment's archetype (drawn
    /// uniformly from the other segments) with a weight uniform in
    /// `[0, blend]` (0 to 1; near 1 some entities behave like another
    /// archetype, which pulls a classifier toward the majority baseline).
    #[builder(default)]
    #[serde(default)]
    pub blend: f64,
}

/// Temporal holdout: the last `periods` periods of every fact are split off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TypedBuilder)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Holdout {
    /// The metric to forecast.
    #[builder(setter(into))]
    pub target: String,
    /// Held-out periods (at least 1).
    pub periods: u32,
    /// Training periods that must remain (default 3).
    #[builder(default = 3)]
    #[serde(default = "default_min_training")]
    pub min_training_periods: u32,
}

fn default_min_training() -> u32 {
    3
}

/// The `_entity_features` table: one row per entity with per-metric summaries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TypedBuilder)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct EntityFeatures {
    /// Metrics to summarise (default: every numeric metric).
    #[builder(default)]
    #[serde(default)]
    pub metrics: Vec<String>,
    /// Add the `archetype` and `final_trajectory_position` label columns.
    #[builder(default = true)]
    #[serde(default = "default_true")]
    pub include_labels: bool,
}

impl Default for EntityFeatures {
    fn default() -> Self {
        EntityFeatures {
            metrics: Vec::new(),
            include_labels: true,
        }
    }
}

/// Accepts `entity_features: true` (defaults), `false` (none) or a map.
pub(crate) fn deserialize_entity_features<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<EntityFeatures>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<EntityFeatures>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("true, false or a map {metrics, include_labels}")
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(v.then(EntityFeatures::default))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            EntityFeatures::deserialize(de::value::MapAccessDeserializer::new(map)).map(Some)
        }
    }
    d.deserialize_any(V)
}

#[cfg(feature = "schema")]
pub(crate) fn entity_features_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let map = g.subschema_for::<EntityFeatures>();
    schemars::json_schema!({"anyOf": [{"type": "boolean"}, {"type": "null"}, map]})
}

word_enum! {
    /// Key scheme of a multi-source copy of the unit dimension.
    #[derive(Default)]
    pub enum KeyScheme ("key scheme") {
        /// `CUST-001` style keys.
        #[default]
        PrefixPadded = "prefix_padded",
        /// `1001` style keys.
        Numeric = "numeric",
        /// 5 hex characters.
        UuidShort = "uuid_short",
    }
}

/// A source system holding its own copy of the unit dimension.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TypedBuilder)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Source name (SQL-safe identifier); unique.
    #[builder(setter(into))]
    pub name: String,
    /// How the source keys its rows.
    #[builder(default)]
    #[serde(default)]
    pub key_scheme: KeyScheme,
    /// Share of rows whose name drifts, in [0, 1].
    #[builder(default)]
    #[serde(default)]
    pub name_drift_rate: f64,
    /// Share of rows whose attributes drift, in [0, 1].
    #[builder(default)]
    #[serde(default)]
    pub attribute_drift_rate: f64,
}
