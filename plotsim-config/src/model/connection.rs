//! The `connections` and `connection_phases` blocks.

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use typed_builder::TypedBuilder;

/// A correlation between two metrics.
///
/// YAML accepts three shapes: the shorthand string `"mrr driven_by engagement"`
/// (or `"nps 0.55 engagement"`), the list `[mrr, driven_by, engagement]`, and
/// the map `{metric_a, metric_b, relationship | coefficient}`. The shorthand
/// stays a string here and is parsed by validation (which reports positions
/// inside the string); the list becomes a [`ConnectionPair`].
///
/// # Example
/// ```
/// use plotsim_config::Connection;
/// let c: Connection = "mrr driven_by engagement".into();
/// assert_eq!(c, Connection::Shorthand("mrr driven_by engagement".into()));
/// let p = Connection::coefficient("nps", 0.55, "engagement");
/// assert!(matches!(p, Connection::Pair(_)));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Connection {
    /// `"<metric_a> <word or number> <metric_b>"`.
    Shorthand(String),
    /// The explicit map form.
    Pair(ConnectionPair),
}

impl Connection {
    /// A connection by vocabulary word (`mirrors`, `driven_by`, `related`, ...).
    pub fn relationship(
        a: impl Into<String>,
        word: impl Into<String>,
        b: impl Into<String>,
    ) -> Self {
        Connection::Pair(ConnectionPair {
            metric_a: a.into(),
            metric_b: b.into(),
            relationship: Some(word.into()),
            coefficient: None,
            target: None,
        })
    }

    /// A connection by numeric coefficient in [-1, 1].
    pub fn coefficient(a: impl Into<String>, coefficient: f64, b: impl Into<String>) -> Self {
        Connection::Pair(ConnectionPair {
            metric_a: a.into(),
            metric_b: b.into(),
            relationship: None,
            coefficient: Some(coefficient),
            target: None,
        })
    }
}

impl From<&str> for Connection {
    fn from(s: &str) -> Self {
        Connection::Shorthand(s.to_owned())
    }
}

impl From<String> for Connection {
    fn from(s: String) -> Self {
        Connection::Shorthand(s)
    }
}

impl From<ConnectionPair> for Connection {
    fn from(p: ConnectionPair) -> Self {
        Connection::Pair(p)
    }
}

/// The map form of a connection: exactly one of `relationship` or `coefficient`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TypedBuilder)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ConnectionPair {
    /// First metric.
    #[builder(setter(into))]
    pub metric_a: String,
    /// Second metric.
    #[builder(setter(into))]
    pub metric_b: String,
    /// Vocabulary word (`mirrors` .75 ... `inverts` -.75).
    #[builder(default, setter(into, strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationship: Option<String>,
    /// Numeric coefficient in [-1, 1].
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coefficient: Option<f64>,
    /// What the coefficient targets for this pair (default: the config's
    /// `correlation_target`).
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<CorrelationTarget>,
}

crate::words::word_enum! {
    /// What a declared correlation coefficient targets.
    #[derive(Default)]
    pub enum CorrelationTarget ("correlation target") {
        /// The pooled entity-period Pearson correlation (levels across
        /// entities and periods; what the original targets).
        #[default]
        Pooled = "pooled",
        /// The within-entity correlation: each entity's values demeaned by
        /// its own mean, pooled over entities (co-movement over time).
        WithinEntity = "within_entity",
    }
}

impl Serialize for Connection {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Connection::Shorthand(text) => s.serialize_str(text),
            Connection::Pair(p) => p.serialize(s),
        }
    }
}

/// The middle element of the list form: a word or a number (not a boolean).
enum Middle {
    Word(String),
    Number(f64),
}

impl<'de> Deserialize<'de> for Middle {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Middle;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a relationship word or a coefficient")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Middle, E> {
                Ok(match v.trim().parse::<f64>() {
                    Ok(x) => Middle::Number(x),
                    Err(_) => Middle::Word(v.to_owned()),
                })
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Middle, E> {
                Ok(Middle::Number(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Middle, E> {
                Ok(Middle::Number(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Middle, E> {
                Ok(Middle::Number(v as f64))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Middle, E> {
                Err(E::custom(format!(
                    "the middle of a connection list must be a relationship word or a coefficient, found the boolean {v}"
                )))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Connection {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Connection;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "a connection: \"a <word|number> b\", [a, word|number, b] or {metric_a, metric_b, relationship|coefficient}",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Connection, E> {
                Ok(Connection::Shorthand(v.to_owned()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Connection, A::Error> {
                let len_err = |n: usize| {
                    de::Error::custom(format!(
                        "a connection list must have exactly 3 elements [metric_a, word or coefficient, metric_b], found {n}"
                    ))
                };
                let a: String = seq.next_element()?.ok_or_else(|| len_err(0))?;
                let mid: Middle = seq.next_element()?.ok_or_else(|| len_err(1))?;
                let b: String = seq.next_element()?.ok_or_else(|| len_err(2))?;
                let mut extra = 3;
                while seq.next_element::<de::IgnoredAny>()?.is_some() {
                    extra += 1;
                }
                if extra != 3 {
                    return Err(len_err(extra));
                }
                Ok(match mid {
                    Middle::Word(w) => Connection::relationship(a, w, b),
                    Middle::Number(x) => Connection::coefficient(a, x, b),
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Connection, A::Error> {
                ConnectionPair::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(Connection::Pair)
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Connection {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Connection".into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let pair = g.subschema_for::<ConnectionPair>();
        schemars::json_schema!({
            "description": "\"a <word|number> b\", [a, word|number, b] or {metric_a, metric_b, relationship|coefficient}",
            "anyOf": [
                {"type": "string"},
                {"type": "array", "minItems": 3, "maxItems": 3},
                pair,
            ],
        })
    }
}

/// A period range with its own correlation pairs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TypedBuilder)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ConnectionPhase {
    /// First period of the phase.
    pub start_period: u32,
    /// Last period of the phase (inclusive).
    pub end_period: u32,
    /// The pairs in force during the phase (same forms as `connections`).
    #[builder(default)]
    #[serde(default)]
    pub connections: Vec<Connection>,
}
