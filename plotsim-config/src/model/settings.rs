//! Run-wide settings: `noise`, `output`, `locale` and `manifest`.

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;
use typed_builder::TypedBuilder;

use super::default_true;
use crate::words::{UnknownWord, word_enum};

word_enum! {
    /// Family of the additive noise.
    #[derive(Default)]
    pub enum NoiseFamily ("noise family") {
        /// Normal noise.
        #[default]
        Gaussian = "gaussian",
        /// Student-t noise (requires `degrees_of_freedom`).
        StudentT = "student_t",
        /// Laplace noise.
        Laplace = "laplace",
    }
}

word_enum! {
    /// A named noise level.
    pub enum NoisePreset ("noise preset") {
        /// No noise (alias `clean`).
        PerfectlyClean = "perfectly_clean" | "clean",
        /// sigma .03, outliers .01, nulls .005.
        SlightlyMessy = "slightly_messy",
        /// sigma .05, outliers .02, nulls .01 (alias `messy`).
        Realistic = "realistic" | "messy",
        /// sigma .10, outliers .05, nulls .03 (alias `very_messy`).
        Dirty = "dirty" | "very_messy",
    }
}

impl NoisePreset {
    /// Parses a preset name the way YAML does: trimmed, lower-cased, spaces as `_`.
    pub fn parse_loose(s: &str) -> Result<Self, UnknownWord> {
        let key = s.trim().to_lowercase().replace(' ', "_");
        key.parse().map_err(|_| {
            UnknownWord::new(
                "noise preset",
                s,
                &[
                    "perfectly_clean",
                    "clean",
                    "slightly_messy",
                    "realistic",
                    "messy",
                    "dirty",
                    "very_messy",
                ],
            )
        })
    }
}

/// Noise added to every metric value.
///
/// YAML accepts a preset name (`slightly_messy`) or a map; the builder accepts
/// a [`NoisePreset`] or a `Noise`.
///
/// # Example
/// ```
/// use plotsim_config::{Noise, NoisePreset};
/// let n: Noise = NoisePreset::SlightlyMessy.into();
/// assert_eq!(n.mcar_rate, 0.005);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TypedBuilder, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Noise {
    /// Standard deviation of the additive noise, 0-5.
    #[builder(default)]
    #[serde(default)]
    pub gaussian_sigma: f64,
    /// Share of cells replaced by outliers, 0-1.
    #[builder(default)]
    #[serde(default)]
    pub outlier_rate: f64,
    /// Share of cells set to null at random, 0-1.
    #[builder(default)]
    #[serde(default)]
    pub mcar_rate: f64,
    /// Scale the noise with the trajectory position.
    #[builder(default)]
    #[serde(default)]
    pub scale_with_trajectory: bool,
    /// `gaussian`, `student_t` or `laplace`.
    #[builder(default)]
    #[serde(default)]
    pub noise_family: NoiseFamily,
    /// Degrees of freedom (student_t only, at least 1).
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub degrees_of_freedom: Option<f64>,
}

impl From<NoisePreset> for Noise {
    fn from(p: NoisePreset) -> Self {
        let (gaussian_sigma, outlier_rate, mcar_rate) = match p {
            NoisePreset::PerfectlyClean => (0.0, 0.0, 0.0),
            NoisePreset::SlightlyMessy => (0.03, 0.01, 0.005),
            NoisePreset::Realistic => (0.05, 0.02, 0.01),
            NoisePreset::Dirty => (0.10, 0.05, 0.03),
        };
        Noise {
            gaussian_sigma,
            outlier_rate,
            mcar_rate,
            ..Noise::default()
        }
    }
}

/// Accepts a preset name or a map.
pub(crate) fn deserialize_noise<'de, D: Deserializer<'de>>(d: D) -> Result<Noise, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Noise;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a noise preset name or a map")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Noise, E> {
            NoisePreset::parse_loose(v)
                .map(Noise::from)
                .map_err(E::custom)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Noise, E> {
            Ok(Noise::default())
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Noise, A::Error> {
            Noise::deserialize(de::value::MapAccessDeserializer::new(map))
        }
    }
    d.deserialize_any(V)
}

#[cfg(feature = "schema")]
pub(crate) fn noise_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let map = g.subschema_for::<Noise>();
    let preset = g.subschema_for::<NoisePreset>();
    schemars::json_schema!({"anyOf": [preset, map]})
}

word_enum! {
    /// Output file format.
    #[derive(Default)]
    pub enum OutputFormat ("output format") {
        /// CSV files.
        #[default]
        Csv = "csv",
        /// Parquet files.
        Parquet = "parquet",
        /// JSON lines files.
        Jsonl = "jsonl",
        /// One SQL dump.
        Sql = "sql",
    }
}

word_enum! {
    /// SQL dialect of the dump.
    #[derive(Default)]
    pub enum SqlDialect ("SQL dialect") {
        /// PostgreSQL.
        #[default]
        Postgresql = "postgresql",
        /// MySQL.
        Mysql = "mysql",
        /// SQLite.
        Sqlite = "sqlite",
    }
}

/// Where and how the dataset is written.
///
/// YAML accepts a format name (`parquet`) or a map.
///
/// # Example
/// ```
/// use plotsim_config::{Output, OutputFormat};
/// let o: Output = OutputFormat::Parquet.into();
/// assert_eq!(o.directory, "output");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TypedBuilder)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Output {
    /// File format (default csv).
    #[builder(default)]
    #[serde(default)]
    pub format: OutputFormat,
    /// Output directory (default `output`).
    #[builder(default = default_directory(), setter(into))]
    #[serde(default = "default_directory")]
    pub directory: String,
    /// Soft cell budget checked by `plotsim run` (0 disables it).
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cell_budget: Option<u64>,
    /// Also write wide (denormalised) copies of the facts.
    #[builder(default)]
    #[serde(default)]
    pub denormalized: bool,
    /// Parquet partition column.
    #[builder(default, setter(into, strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_by: Option<String>,
    /// SQL dialect (format sql only).
    #[builder(default)]
    #[serde(default)]
    pub sql_dialect: SqlDialect,
}

fn default_directory() -> String {
    "output".to_owned()
}

impl Default for Output {
    fn default() -> Self {
        Output::builder().build()
    }
}

impl From<OutputFormat> for Output {
    fn from(format: OutputFormat) -> Self {
        Output::builder().format(format).build()
    }
}

/// Accepts a format name or a map.
pub(crate) fn deserialize_output<'de, D: Deserializer<'de>>(d: D) -> Result<Output, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Output;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an output format name or a map")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Output, E> {
            v.trim()
                .to_lowercase()
                .parse::<OutputFormat>()
                .map(Output::from)
                .map_err(|_| E::custom(UnknownWord::new("output format", v, OutputFormat::WORDS)))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Output, E> {
            Ok(Output::default())
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Output, A::Error> {
            Output::deserialize(de::value::MapAccessDeserializer::new(map))
        }
    }
    d.deserialize_any(V)
}

#[cfg(feature = "schema")]
pub(crate) fn output_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let map = g.subschema_for::<Output>();
    let format = g.subschema_for::<OutputFormat>();
    schemars::json_schema!({"anyOf": [format, map]})
}

/// Fake-data locale(s). YAML accepts one name or a list; default `en_US`.
///
/// # Example
/// ```
/// use plotsim_config::Locale;
/// assert_eq!(Locale::default().0, ["en_US"]);
/// let l: Locale = vec!["en_US", "fr_FR"].into();
/// assert_eq!(l.0.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Locale(pub Vec<String>);

impl Default for Locale {
    fn default() -> Self {
        Locale(vec!["en_US".to_owned()])
    }
}

impl From<&str> for Locale {
    fn from(s: &str) -> Self {
        Locale(vec![s.to_owned()])
    }
}

impl<S: Into<String>> From<Vec<S>> for Locale {
    fn from(v: Vec<S>) -> Self {
        Locale(v.into_iter().map(Into::into).collect())
    }
}

impl<'de> Deserialize<'de> for Locale {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Locale;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a locale name or a list of locale names")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Locale, E> {
                Ok(Locale(vec![v.to_owned()]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Locale, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    out.push(s);
                }
                Ok(Locale(out))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Locale {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Locale".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1}],
        })
    }
}

/// What `manifest.json` includes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TypedBuilder)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ManifestOptions {
    /// Write `manifest.json` at all (default true).
    #[builder(default = true)]
    #[serde(default = "default_true")]
    pub include: bool,
    /// Share of entities whose trajectories are sampled, in (0, 1]. Omitted:
    /// every entity up to 1,000 entities, then a deterministic sample of 1,000.
    #[builder(default, setter(strip_option))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trajectory_sample_rate: Option<f64>,
}

impl Default for ManifestOptions {
    fn default() -> Self {
        ManifestOptions::builder().build()
    }
}

impl ManifestOptions {
    /// Whether these are the defaults (omitted from canonical YAML).
    pub fn is_default(&self) -> bool {
        *self == ManifestOptions::default()
    }
}

word_enum! {
    /// How values are kept inside a metric's range (and a baseline's band).
    #[derive(Default)]
    pub enum RangeHandling ("range handling") {
        /// Draw, then clamp to the range: the mass outside lands on the
        /// bounds (the Python original's behaviour).
        #[default]
        Clamp = "clamp",
        /// Draw inside the range through the truncated inverse CDF of the
        /// marginal; noise that would leave the range is reflected back and
        /// outliers land between the value and the bound: no probability
        /// mass on a bound.
        Truncate = "truncate",
    }
}

word_enum! {
    /// What happens to the position where one archetype shape hands over to the next.
    #[derive(Default)]
    pub enum JoinMode ("archetype joins") {
        /// Each shape starts its own curve afresh (the original's behaviour:
        /// `flat > decline` jumps from 0.15 to 1.0).
        #[default]
        Restart = "restart",
        /// Each shape starts from the level where the previous one ended
        /// (see the README for the exact rule).
        Continuous = "continuous",
    }
}

/// Realism settings. Every one defaults to the Python original's behaviour,
/// so a config written for it keeps its output; the bundled templates turn
/// them all on.
///
/// # Example
/// ```
/// use plotsim_config::{JoinMode, RangeHandling, Realism};
/// let r = Realism::builder().range(RangeHandling::Truncate).joins(JoinMode::Continuous).build();
/// assert!(!r.is_default());
/// assert!(Realism::default().is_default());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, TypedBuilder)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Realism {
    /// `clamp` (default) or `truncate`.
    #[builder(default)]
    #[serde(default)]
    pub range: RangeHandling,
    /// `restart` (default) or `continuous`.
    #[builder(default)]
    #[serde(default)]
    pub joins: JoinMode,
}

impl Realism {
    /// Whether every setting is the original's behaviour.
    pub fn is_default(&self) -> bool {
        *self == Realism::default()
    }
}
