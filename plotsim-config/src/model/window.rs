//! The `window` block: start, end and granularity of the panel.

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

use crate::words::word_enum;

word_enum! {
    /// Granularity of the periods (`every`).
    #[derive(Default)]
    pub enum Granularity ("granularity") {
        /// One period per calendar day.
        Daily = "daily",
        /// One period per ISO week.
        Weekly = "weekly",
        /// One period per calendar month (the default).
        #[default]
        Monthly = "monthly",
    }
}

/// The time window: `start` and `end` as `YYYY-MM` or `YYYY-MM-DD`, and `every`.
///
/// YAML accepts `{start, end, every}`, `[start, end]` (monthly) and
/// `[start, end, every]`; the builder accepts the same shapes as tuples.
///
/// # Example
/// ```
/// use plotsim_config::{Granularity, Window};
/// let w: Window = ("2023-01", "2024-12").into();
/// assert_eq!(w.every, Granularity::Monthly);
/// let d: Window = ("2024-01-01", "2024-03-31", Granularity::Daily).into();
/// assert_eq!(d.end, "2024-03-31");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Window {
    /// First period: `YYYY-MM` or `YYYY-MM-DD`.
    pub start: String,
    /// Last period (inclusive): `YYYY-MM` or `YYYY-MM-DD`.
    pub end: String,
    /// Granularity (default `monthly`).
    #[serde(default)]
    pub every: Granularity,
}

impl Window {
    /// A window from `start` to `end` with the given granularity.
    pub fn new(start: impl Into<String>, end: impl Into<String>, every: Granularity) -> Self {
        Window {
            start: start.into(),
            end: end.into(),
            every,
        }
    }
}

impl<S: Into<String>, E: Into<String>> From<(S, E)> for Window {
    fn from((s, e): (S, E)) -> Self {
        Window::new(s, e, Granularity::Monthly)
    }
}

impl<S: Into<String>, E: Into<String>> From<(S, E, Granularity)> for Window {
    fn from((s, e, g): (S, E, Granularity)) -> Self {
        Window::new(s, e, g)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WindowMap {
    start: DateText,
    end: DateText,
    #[serde(default)]
    every: Granularity,
}

/// A date bound: YAML may give `2023-01` (a string) or an unquoted number-like
/// scalar; any scalar is taken as its text.
struct DateText(String);

impl<'de> Deserialize<'de> for DateText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = DateText;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date as `YYYY-MM` or `YYYY-MM-DD`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<DateText, E> {
                Ok(DateText(v.to_owned()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<DateText, E> {
                Ok(DateText(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<DateText, E> {
                Ok(DateText(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Window {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Window;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "a window: `{start, end, every}`, `[start, end]` or `[start, end, every]`",
                )
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Window, A::Error> {
                let mut items: Vec<String> = Vec::new();
                while let Some(DateText(s)) = seq.next_element::<DateText>()? {
                    items.push(s);
                }
                match items.len() {
                    2 | 3 => {
                        let every = match items.get(2) {
                            Some(w) => w.parse().map_err(de::Error::custom)?,
                            None => Granularity::Monthly,
                        };
                        let mut it = items.into_iter();
                        let start = it.next().unwrap_or_default();
                        let end = it.next().unwrap_or_default();
                        Ok(Window { start, end, every })
                    }
                    n => Err(de::Error::custom(format!(
                        "window list must have 2 or 3 elements ([start, end] or [start, end, every]), found {n}"
                    ))),
                }
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Window, A::Error> {
                let m = WindowMap::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(Window {
                    start: m.start.0,
                    end: m.end.0,
                    every: m.every,
                })
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Window {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Window".into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let every = g.subschema_for::<Granularity>();
        schemars::json_schema!({
            "description": "The time window: {start, end, every}, [start, end] or [start, end, every]. Dates are YYYY-MM or YYYY-MM-DD.",
            "anyOf": [
                {
                    "type": "object",
                    "properties": {
                        "start": {"type": "string"},
                        "end": {"type": "string"},
                        "every": every,
                    },
                    "required": ["start", "end"],
                    "additionalProperties": false,
                },
                {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 3},
            ],
        })
    }
}
