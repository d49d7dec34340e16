//! The `segments[]` block: groups of entities sharing an archetype.

use indexmap::IndexMap;
use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;
use typed_builder::TypedBuilder;

use super::default_one;
use crate::words::word_enum;

word_enum! {
    /// Where in the metric's range a segment sits.
    pub enum BaselineLevel ("baseline level") {
        /// Upper third of the range.
        High = "high",
        /// Middle third of the range.
        Mid = "mid",
        /// Lower third of the range.
        Low = "low",
    }
}

word_enum! {
    /// Direction of a linear arrival schedule.
    #[derive(Default)]
    pub enum LinearDirection ("arrival direction") {
        /// More arrivals late in the span.
        #[default]
        Increasing = "increasing",
        /// More arrivals early in the span.
        Decreasing = "decreasing",
    }
}

/// One group of `count` entities following the same archetype.
///
/// # Example
/// ```
/// use plotsim_config::Segment;
/// let s = Segment::builder()
///     .name("churning")
///     .count(18)
///     .archetype("flat > decline @ 10")
///     .build();
/// assert!(s.attributes.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TypedBuilder)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Segment {
    /// Name: letters, digits and underscores; unique.
    #[builder(setter(into))]
    pub name: String,
    /// Number of entities (at least 1; the Python original requires 3).
    pub count: u32,
    /// Archetype DSL, e.g. `growth` or `flat > decline @ 10`.
    #[builder(setter(into))]
    pub archetype: String,
    /// Human label.
    #[builder(default, setter(into, strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Attribute values for `pool.<attr>` columns: a scalar or a list per key.
    #[builder(default)]
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub attributes: IndexMap<String, AttributeValues>,
    /// Per-metric baseline: `high`, `mid` or `low` third of the range.
    #[builder(default)]
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub baseline: IndexMap<String, BaselineLevel>,
    /// Multiplier on the global seasonality for this segment's entities.
    #[builder(default = 1.0)]
    #[serde(default = "default_one")]
    pub seasonal_sensitivity: f64,
    /// Arrival schedule (default: all entities active from period 0).
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arrival: Option<Arrival>,
    /// A/B treatment split.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub treatment: Option<Treatment>,
}

/// Attribute values of a segment: YAML gives a scalar or a list of scalars;
/// they are kept as strings (a scalar becomes a one-element list).
///
/// # Example
/// ```
/// use plotsim_config::AttributeValues;
/// let v: AttributeValues = vec!["na", "emea"].into();
/// assert_eq!(v.0, ["na", "emea"]);
/// let one: AttributeValues = "saas".into();
/// assert_eq!(one.0, ["saas"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct AttributeValues(pub Vec<String>);

impl From<&str> for AttributeValues {
    fn from(s: &str) -> Self {
        AttributeValues(vec![s.to_owned()])
    }
}

impl<S: Into<String>> From<Vec<S>> for AttributeValues {
    fn from(v: Vec<S>) -> Self {
        AttributeValues(v.into_iter().map(Into::into).collect())
    }
}

struct ScalarText(String);

impl<'de> Deserialize<'de> for ScalarText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor).map(ScalarText)
    }
}

struct ScalarVisitor;

impl Visitor<'_> for ScalarVisitor {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a scalar (string, number or boolean)")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Ok(format!("{v:?}"))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }
}

impl<'de> Deserialize<'de> for AttributeValues {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = AttributeValues;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a scalar or a list of scalars")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(AttributeValues(vec![v.to_owned()]))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(AttributeValues(vec![v.to_string()]))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(AttributeValues(vec![v.to_string()]))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(AttributeValues(vec![format!("{v:?}")]))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(AttributeValues(vec![v.to_string()]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(ScalarText(s)) = seq.next_element()? {
                    out.push(s);
                }
                Ok(AttributeValues(out))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for AttributeValues {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "AttributeValues".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A scalar or a non-empty list of scalars (kept as strings).",
            "anyOf": [
                {"type": ["string", "number", "boolean"]},
                {"type": "array", "items": {"type": ["string", "number", "boolean"]}, "minItems": 1},
            ],
        })
    }
}

/// When each entity of a segment becomes active (its `start_period`).
///
/// YAML: a map with `kind` (`uniform`, `linear`, `step`, `explicit`) and that
/// kind's fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case", try_from = "ArrivalMap")]
pub enum Arrival {
    /// One uniform integer draw per entity in `[start, end)`.
    Uniform {
        /// First possible start period.
        #[serde(default)]
        start: u32,
        /// End of the span (exclusive); default `max(1, n_periods - 2)`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        end: Option<u32>,
    },
    /// Triangular schedule: arrivals thicken toward one end of the span.
    Linear {
        /// First possible start period.
        #[serde(default)]
        start: u32,
        /// End of the span (exclusive); default `max(1, n_periods - 2)`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        end: Option<u32>,
        /// `increasing` (late-heavy) or `decreasing` (early-heavy).
        #[serde(default)]
        direction: LinearDirection,
    },
    /// Blocks of entities arriving at fixed periods.
    Step {
        /// The blocks; fractions sum to 1.
        blocks: Vec<StepBlock>,
    },
    /// One start period per entity.
    Explicit {
        /// Start periods, one per entity of the segment.
        start_periods: Vec<u32>,
    },
}

word_enum! {
    /// The kind of an arrival schedule.
    pub enum ArrivalKind ("arrival kind") {
        /// Uniform draws.
        Uniform = "uniform",
        /// Triangular draws.
        Linear = "linear",
        /// Fixed blocks.
        Step = "step",
        /// One period per entity.
        Explicit = "explicit",
    }
}

/// The flat YAML form of [`Arrival`]: every field of every kind, so type
/// errors inside keep their exact path and position; the kind's rules are
/// applied when converting.
#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "Arrival"))]
#[serde(deny_unknown_fields)]
struct ArrivalMap {
    /// `uniform`, `linear`, `step` or `explicit`.
    kind: ArrivalKind,
    /// uniform/linear: first possible start period (default 0).
    start: Option<u32>,
    /// uniform/linear: end of the span, exclusive (default max(1, n_periods - 2)).
    end: Option<u32>,
    /// linear: `increasing` (default) or `decreasing`.
    direction: Option<LinearDirection>,
    /// step: blocks of {period, fraction}, fractions summing to 1.
    blocks: Option<Vec<StepBlock>>,
    /// explicit: one start period per entity.
    start_periods: Option<Vec<u32>>,
}

impl TryFrom<ArrivalMap> for Arrival {
    type Error = String;
    fn try_from(m: ArrivalMap) -> Result<Self, String> {
        let kind = m.kind;
        let extra = |fields: &[(&str, bool)]| -> Result<(), String> {
            match fields.iter().find(|(_, set)| *set) {
                Some((f, _)) => Err(format!("`{f}` does not apply to a `{kind}` arrival")),
                None => Ok(()),
            }
        };
        match kind {
            ArrivalKind::Uniform | ArrivalKind::Linear => {
                extra(&[
                    ("blocks", m.blocks.is_some()),
                    ("start_periods", m.start_periods.is_some()),
                ])?;
                let (start, end) = (m.start.unwrap_or(0), m.end);
                if kind == ArrivalKind::Uniform {
                    extra(&[("direction", m.direction.is_some())])?;
                    Ok(Arrival::Uniform { start, end })
                } else {
                    Ok(Arrival::Linear {
                        start,
                        end,
                        direction: m.direction.unwrap_or_default(),
                    })
                }
            }
            ArrivalKind::Step => {
                extra(&[
                    ("start", m.start.is_some()),
                    ("end", m.end.is_some()),
                    ("direction", m.direction.is_some()),
                    ("start_periods", m.start_periods.is_some()),
                ])?;
                Ok(Arrival::Step {
                    blocks: m.blocks.ok_or("a `step` arrival needs `blocks`")?,
                })
            }
            ArrivalKind::Explicit => {
                extra(&[
                    ("start", m.start.is_some()),
                    ("end", m.end.is_some()),
                    ("direction", m.direction.is_some()),
                    ("blocks", m.blocks.is_some()),
                ])?;
                Ok(Arrival::Explicit {
                    start_periods: m
                        .start_periods
                        .ok_or("an `explicit` arrival needs `start_periods`")?,
                })
            }
        }
    }
}

/// One block of a step arrival schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TypedBuilder)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct StepBlock {
    /// Arrival period of the block.
    pub period: u32,
    /// Share of the segment in the block, in (0, 1].
    pub fraction: f64,
}

/// A/B treatment split within a segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TypedBuilder)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Treatment {
    /// Share of the segment in the treatment group, in [0, 1].
    pub fraction: f64,
    /// Lift on the log-odds of the trajectory position.
    pub lift_log_odds: f64,
    /// First treated period.
    #[builder(default)]
    #[serde(default)]
    pub start_period: u32,
    /// Label of the treated group.
    #[builder(default = default_treatment_label(), setter(into))]
    #[serde(default = "default_treatment_label")]
    pub treatment_label: String,
    /// Label of the control group.
    #[builder(default = default_control_label(), setter(into))]
    #[serde(default = "default_control_label")]
    pub control_label: String,
    /// Only this metric is lifted (default: all).
    #[builder(default, setter(into, strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_metric: Option<String>,
}

fn default_treatment_label() -> String {
    "treatment".to_owned()
}

fn default_control_label() -> String {
    "control".to_owned()
}
