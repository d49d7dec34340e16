//! The Python original's engine-direct dialect (`domain`, `time_window`,
//! `archetypes` with `curve_segments`, `entities`, `tables`, `correlations`,
//! ...), read into the builder model.
//!
//! [`crate::Config::from_yaml_str`] recognises the dialect and maps it here;
//! validation then runs on the mapped config as usual, and every error names
//! the engine field it came from (`metrics[0].value_range`, not
//! `metrics[0].range`) with its line and column. What the mapping does:
//!
//! | engine | builder |
//! |---|---|
//! | `domain.description` (or `name`), `domain.entity_type` | `about`, `unit` |
//! | `time_window {start, end, granularity}` | `window {start, end, every}` |
//! | metric `distribution` + `params` + `value_range` | `type` (poisson → count, beta → score, normal → index, lognorm / gamma / weibull → amount), `distribution`, `distribution_params`, `range` |
//! | metric `causal_lag {driver, lag_periods, decay, decay_window, decay_kernel}` | `follows`, `delay`, `decay_window`, `decay_kernel` |
//! | archetype `curve_segments` | an archetype of curve calls, e.g. `sigmoid(midpoint=0.3, ...) > plateau(level=0.2) @ 13`: segment boundaries `floor(end_pct · n)` become transition periods, empty segments are dropped |
//! | entity (one entity) | a segment of `count: 1` named after it (entity `<name>_0000`); `start_period` → explicit arrival; `overrides.inflection_month` moves the boundaries; `treatment_*` → a treatment of fraction 1 (or 0 for a group without lift) |
//! | `tables` (dim per_period / per_entity / per_reference, fact per_entity_per_period / variable, event variable) | `dimensions`, `facts`, `events`, with engine sources mapped to column types (`pk` → `id`, `fk:t.c` → `ref.t`, `metric:m` → `metric.m`, `generated:faker.x` → `faker.x`, `text:bucket:[..]` → `bucket`, `scd_type2` → `scd`, `threshold:..` → `flag` on a threshold event, ...) |
//! | `correlations`, `seasonal_effects`, `stages`, `holdout`, `entity_features` (with `enabled`) | `connections`, `seasonality`, `lifecycle`, `holdout`, `entity_features` |
//! | `noise`, `output`, `manifest`, `locale`, `seed` | the same |
//!
//! `generation_mode` and `compensate_correlations` are accepted and have no
//! effect: plotsim has one engine, and it always calibrates declared
//! correlations to the pooled target. Features of the dialect with no
//! builder counterpart yet (archetype `metric_overrides`, `bridges`,
//! `quality`, `multi_source`, `correlation_phases`, `cross_dim_fks`,
//! variable-grain dims, `derived:` / `pool:` / `narrative:` / `lag:` sources,
//! `pk_prefix`, lag `blend_weight` other than 1, stage hysteresis) are
//! refused with their field path.

use std::collections::{BTreeMap, HashMap};

use indexmap::IndexMap;
use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::dsl::archetype::{CurveCall, CurveKind};
use crate::error::FieldPath;
use crate::model::{
    Arrival, Column, Config, Connection, DecayKernel, DimPer, Dimension, EntityFeatures, Event,
    Fact, Family, Granularity, Holdout, Lifecycle, Locale, ManifestOptions, Metric, MetricType,
    Noise, Number, Output, Polarity, SeasonalEffect, Segment, Stage, Treatment, Trigger, Window,
};

/// Top-level keys that only exist in the engine-direct dialect.
pub(crate) const ENGINE_KEYS: &[&str] = &[
    "domain",
    "time_window",
    "archetypes",
    "entities",
    "tables",
    "correlations",
    "seasonal_effects",
    "generation_mode",
    "compensate_correlations",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EngineConfig {
    domain: Domain,
    time_window: TimeWindow,
    #[serde(default)]
    seed: Option<u64>,
    metrics: Vec<EMetric>,
    archetypes: Vec<EArchetype>,
    entities: Vec<EEntity>,
    #[serde(default)]
    tables: Vec<ETable>,
    #[serde(default)]
    correlations: Vec<ECorrelation>,
    #[serde(default)]
    correlation_phases: Vec<IgnoredAny>,
    #[serde(default, deserialize_with = "crate::model::deserialize_noise")]
    noise: Noise,
    #[serde(default, deserialize_with = "crate::model::deserialize_output")]
    output: Output,
    #[serde(default)]
    manifest: ManifestOptions,
    #[serde(default)]
    stages: Option<EStages>,
    #[serde(default)]
    bridges: Vec<IgnoredAny>,
    #[serde(default)]
    quality: Option<EQuality>,
    #[serde(default)]
    entity_features: Option<EFeatures>,
    #[serde(default)]
    holdout: Option<EHoldout>,
    #[serde(default)]
    locale: Locale,
    #[serde(default)]
    seasonal_effects: Vec<SeasonalEffect>,
    #[serde(default)]
    multi_source: Option<IgnoredAny>,
    #[serde(default)]
    #[allow(dead_code)]
    compensate_correlations: Option<bool>,
    #[serde(default)]
    #[allow(dead_code)]
    generation_mode: Option<GenerationMode>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum GenerationMode {
    Serial,
    Vectorized,
    Auto,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Domain {
    name: String,
    #[serde(default)]
    description: Option<String>,
    entity_type: String,
    #[serde(default)]
    #[allow(dead_code)]
    entity_label: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TimeWindow {
    start: Scalar,
    end: Scalar,
    #[serde(default)]
    granularity: Granularity,
}

/// Any scalar, kept as its text (dates may be written unquoted).
struct Scalar(String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a date such as 2023-01")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.to_owned()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EMetric {
    name: String,
    #[serde(default)]
    label: Option<String>,
    distribution: Family,
    #[serde(default)]
    params: IndexMap<String, f64>,
    polarity: Polarity,
    #[serde(default)]
    value_range: Option<ValueRange>,
    #[serde(default)]
    causal_lag: Option<CausalLag>,
    #[serde(default = "one")]
    seasonal_sensitivity: f64,
}

fn one() -> f64 {
    1.0
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ValueRange {
    #[serde(default)]
    min: Option<f64>,
    #[serde(default)]
    max: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CausalLag {
    driver: String,
    lag_periods: u32,
    #[serde(default = "one")]
    blend_weight: f64,
    #[serde(default)]
    decay: bool,
    #[serde(default)]
    decay_window: Option<u32>,
    #[serde(default)]
    decay_kernel: DecayKernel,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EArchetype {
    name: String,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<String>,
    curve_segments: Vec<ECurveSegment>,
    #[serde(default)]
    metric_overrides: BTreeMap<String, IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ECurveSegment {
    curve: String,
    #[serde(default)]
    params: IndexMap<String, ParamValue>,
    start_pct: f64,
    end_pct: f64,
}

/// A curve parameter: a number or (for `rising`) a boolean.
#[derive(Deserialize, Clone, Copy)]
#[serde(untagged)]
enum ParamValue {
    Flag(bool),
    Number(f64),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EEntity {
    name: String,
    archetype: String,
    #[serde(default = "one_u32")]
    #[allow(dead_code)]
    size: u32,
    #[serde(default)]
    overrides: Option<EOverrides>,
    #[serde(default)]
    cross_dim_fks: BTreeMap<String, IgnoredAny>,
    #[serde(default = "one")]
    seasonal_sensitivity: f64,
    #[serde(default)]
    start_period: u32,
    #[serde(default)]
    treatment_group: Option<String>,
    #[serde(default)]
    treatment_lift_log_odds: Option<f64>,
    #[serde(default)]
    treatment_start_period: Option<u32>,
    #[serde(default)]
    treatment_target_metric: Option<String>,
}

fn one_u32() -> u32 {
    1
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EOverrides {
    #[serde(default)]
    inflection_month: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ETable {
    name: String,
    #[serde(rename = "type")]
    kind: TableKind,
    grain: Grain,
    columns: Vec<EColumn>,
    #[serde(default)]
    #[allow(dead_code)]
    primary_key: Option<IgnoredAny>,
    #[serde(default)]
    #[allow(dead_code)]
    foreign_keys: Vec<IgnoredAny>,
    #[serde(default)]
    row_count_source: Option<String>,
    #[serde(default = "one_u32")]
    count: u32,
    #[serde(default)]
    cdc: bool,
    #[serde(default)]
    log_format: Option<String>,
    #[serde(default)]
    log_filename: Option<String>,
    #[serde(default)]
    parent_table: Option<IgnoredAny>,
    #[serde(default)]
    children_per_row: Option<IgnoredAny>,
    #[serde(default)]
    pk_prefix: Option<IgnoredAny>,
}

#[derive(Deserialize, Clone, Copy, PartialEq)]
#[serde(rename_all = "snake_case")]
enum TableKind {
    Dim,
    Fact,
    Event,
}

#[derive(Deserialize, Clone, Copy, PartialEq)]
#[serde(rename_all = "snake_case")]
enum Grain {
    PerEntity,
    PerPeriod,
    PerReference,
    PerEntityPerPeriod,
    Variable,
    PerParentRow,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EColumn {
    name: String,
    #[allow(dead_code)]
    dtype: String,
    source: String,
    #[serde(default)]
    #[allow(dead_code)]
    pii_note: Option<String>,
    #[serde(default)]
    distribution: Option<IgnoredAny>,
    #[serde(default)]
    allow_outside_window: bool,
    #[serde(default)]
    scd_type2: Option<EScd>,
    #[serde(default)]
    value_pool: Option<IgnoredAny>,
    #[serde(default)]
    narrative: Option<IgnoredAny>,
    #[serde(default)]
    nested_schema: Option<IgnoredAny>,
    #[serde(default)]
    array_element_type: Option<IgnoredAny>,
    #[serde(default)]
    array_length: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EScd {
    trigger_metric: String,
    thresholds: Vec<f64>,
    labels: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ECorrelation {
    metric_a: String,
    metric_b: String,
    coefficient: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EStages {
    field: String,
    sequence: Vec<EStage>,
    #[serde(default)]
    enforce_order: bool,
    #[serde(default)]
    downgrade_delay: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EStage {
    name: String,
    threshold_enter: f64,
    #[serde(default)]
    threshold_exit: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EQuality {
    #[serde(default)]
    quality_issues: Vec<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EFeatures {
    #[serde(default)]
    enabled: bool,
    #[serde(default)]
    metrics: Vec<String>,
    #[serde(default = "yes")]
    include_labels: bool,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EHoldout {
    #[serde(default)]
    enabled: bool,
    #[serde(default)]
    target_metric: Option<String>,
    #[serde(default)]
    holdout_periods: u32,
    #[serde(default = "three")]
    min_training_periods: u32,
}

fn three() -> u32 {
    3
}

/// A field of the engine config that the mapping cannot carry.
pub(crate) struct Refusal {
    pub(crate) path: FieldPath,
    pub(crate) message: String,
}

/// Builder path -> engine path, for error messages and positions.
pub(crate) type Translation = HashMap<FieldPath, FieldPath>;

fn p(s: &str) -> FieldPath {
    FieldPath::parse(s)
}

struct Mapper {
    refusals: Vec<Refusal>,
    paths: Translation,
    /// Entity fields read by `derived:` dim columns, carried as segment attributes.
    derived: std::collections::BTreeSet<&'static str>,
}

impl Mapper {
    fn refuse(&mut self, path: FieldPath, message: impl Into<String>) {
        self.refusals.push(Refusal {
            path,
            message: message.into(),
        });
    }

    fn alias(&mut self, builder: FieldPath, engine: FieldPath) {
        self.paths.insert(builder, engine);
    }
}

impl EngineConfig {
    /// Maps the engine config onto the builder model, or lists every field
    /// that cannot be mapped.
    pub(crate) fn into_config(self) -> Result<(Config, Translation), Vec<Refusal>> {
        let mut m = Mapper {
            refusals: Vec::new(),
            paths: HashMap::new(),
            derived: Default::default(),
        };
        for (b, e) in [
            ("about", "domain"),
            ("unit", "domain.entity_type"),
            ("window", "time_window"),
            ("window.every", "time_window.granularity"),
            ("lifecycle", "stages"),
            ("lifecycle.track", "stages.field"),
            ("holdout.target", "holdout.target_metric"),
            ("holdout.periods", "holdout.holdout_periods"),
        ] {
            m.alias(p(b), p(e));
        }
        let n_periods = crate::plan::ResolvedWindow::resolve(
            &self.time_window.start.0,
            &self.time_window.end.0,
            self.time_window.granularity,
        )
        .ok()
        .map(|w| w.n_periods);
        let metrics: Vec<Metric> = self
            .metrics
            .iter()
            .enumerate()
            .filter_map(|(i, x)| map_metric(&mut m, i, x))
            .collect();
        let archetypes: HashMap<&str, Archetype> = self
            .archetypes
            .iter()
            .enumerate()
            .map(|(i, a)| (a.name.as_str(), check_archetype(&mut m, i, a)))
            .collect();
        let mut segments: Vec<Segment> = self
            .entities
            .iter()
            .enumerate()
            .filter_map(|(i, e)| map_entity(&mut m, i, e, &archetypes, n_periods))
            .collect();
        let connections = self
            .correlations
            .iter()
            .enumerate()
            .map(|(i, c)| {
                m.alias(
                    p(&format!("connections[{i}]")),
                    p(&format!("correlations[{i}]")),
                );
                Connection::coefficient(c.metric_a.clone(), c.coefficient, c.metric_b.clone())
            })
            .collect();
        let (dimensions, facts, events) = map_tables(&mut m, &self.tables);
        // `derived:<field>` dim columns read the entity's own field: a
        // one-value attribute of its one-entity segment.
        for (s, e) in segments.iter_mut().zip(&self.entities) {
            for &field in &m.derived {
                let value = match field {
                    "size" => e.size.to_string(),
                    "archetype" => e.archetype.clone(),
                    _ => e.name.clone(),
                };
                s.attributes.insert(field.to_owned(), value.as_str().into());
            }
        }
        for (i, _) in self.seasonal_effects.iter().enumerate() {
            m.alias(
                p(&format!("seasonality[{i}]")),
                p(&format!("seasonal_effects[{i}]")),
            );
        }
        let lifecycle = self.stages.as_ref().and_then(|s| map_stages(&mut m, s));
        if !self.correlation_phases.is_empty() {
            m.refuse(
                p("correlation_phases"),
                "correlation phases are not read from the engine dialect; write them as `connection_phases` in the builder dialect",
            );
        }
        if !self.bridges.is_empty() {
            m.refuse(
                p("bridges"),
                "bridges are not read from the engine dialect; declare them under `bridges` in the builder dialect",
            );
        }
        if self
            .quality
            .as_ref()
            .is_some_and(|q| !q.quality_issues.is_empty())
        {
            m.refuse(
                p("quality.quality_issues"),
                "quality issues are not read from the engine dialect; declare them under `quality` in the builder dialect",
            );
        }
        if self.multi_source.is_some() {
            m.refuse(
                p("multi_source"),
                "multi_source is not read from the engine dialect; declare `sources` in the builder dialect",
            );
        }
        let holdout = self
            .holdout
            .as_ref()
            .filter(|h| h.enabled)
            .map(|h| Holdout {
                target: h.target_metric.clone().unwrap_or_default(),
                periods: h.holdout_periods,
                min_training_periods: h.min_training_periods,
            });
        let entity_features = self
            .entity_features
            .as_ref()
            .filter(|f| f.enabled)
            .map(|f| EntityFeatures {
                metrics: f.metrics.clone(),
                include_labels: f.include_labels,
            });
        if !m.refusals.is_empty() {
            return Err(m.refusals);
        }
        let about = self
            .domain
            .description
            .clone()
            .filter(|d| !d.trim().is_empty())
            .unwrap_or_else(|| self.domain.name.clone());
        let config = Config {
            about,
            unit: self.domain.entity_type.clone(),
            window: Window::new(
                self.time_window.start.0.clone(),
                self.time_window.end.0.clone(),
                self.time_window.granularity,
            ),
            metrics,
            segments,
            connections,
            correlation_target: Default::default(),
            connection_phases: Vec::new(),
            lifecycle,
            dimensions,
            facts,
            events,
            seasonality: self.seasonal_effects,
            bridges: Vec::new(),
            quality: Vec::new(),
            variation: None,
            holdout,
            entity_features,
            sources: Vec::new(),
            noise: self.noise,
            output: self.output,
            locale: self.locale,
            seed: self.seed,
            manifest: self.manifest,
            realism: Default::default(),
            source_map: Default::default(),
        };
        Ok((config, m.paths))
    }
}

fn map_metric(m: &mut Mapper, i: usize, x: &EMetric) -> Option<Metric> {
    let at = |k: &str| p(&format!("metrics[{i}].{k}"));
    for (b, e) in [
        ("type", "distribution"),
        ("range", "value_range"),
        ("distribution_params", "params"),
        ("follows", "causal_lag.driver"),
        ("delay", "causal_lag.lag_periods"),
        ("decay_window", "causal_lag.decay_window"),
        ("decay_kernel", "causal_lag.decay_kernel"),
    ] {
        m.alias(at(b), at(e));
    }
    let r#type = match x.distribution {
        Family::Poisson => MetricType::Count,
        Family::Beta => MetricType::Score,
        Family::Normal => MetricType::Index,
        Family::Lognorm | Family::Gamma | Family::Weibull => MetricType::Amount,
    };
    let range = match &x.value_range {
        None => None,
        Some(ValueRange {
            min: Some(lo),
            max: Some(hi),
        }) => Some([*lo, *hi]),
        Some(_) => {
            m.refuse(
                at("value_range"),
                "a value_range needs both `min` and `max` here (open-ended ranges are not supported)",
            );
            return None;
        }
    };
    if r#type == MetricType::Count && range.is_some() {
        m.refuse(
            at("value_range"),
            "a poisson metric's value_range is not supported (counts are never negative; the mean follows `params.lambda`); remove value_range",
        );
        return None;
    }
    let (follows, delay, decay_window, decay_kernel) = match &x.causal_lag {
        None => (None, None, None, DecayKernel::default()),
        Some(l) => {
            if l.blend_weight != 1.0 {
                m.refuse(
                    at("causal_lag.blend_weight"),
                    format!(
                        "blend_weight {} is not supported; only 1 (the follower takes the driver's lagged position)",
                        l.blend_weight
                    ),
                );
            }
            let window = match (l.decay, l.decay_window) {
                (true, Some(w)) => Some(w),
                (true, None) => {
                    m.refuse(at("causal_lag.decay"), "decay: true needs a `decay_window`");
                    None
                }
                (false, _) => None,
            };
            (
                Some(l.driver.clone()),
                Some(l.lag_periods),
                window,
                l.decay_kernel,
            )
        }
    };
    Some(Metric {
        name: x.name.clone(),
        r#type,
        polarity: x.polarity,
        label: x.label.clone(),
        range,
        follows,
        delay,
        decay_window,
        decay_kernel,
        seasonal_sensitivity: x.seasonal_sensitivity,
        distribution: Some(x.distribution),
        distribution_params: Some(x.params.clone()),
    })
}

/// Checks an archetype's curve segments: 1-10, contiguous from 0 to 1 once
/// sorted by start, known curves and parameters.
/// An archetype checked once: its label and its curves in `start_pct`
/// order as (`end_pct`, DSL curve call).
struct Archetype {
    label: Option<String>,
    curves: Vec<(f64, String)>,
}

fn check_archetype(m: &mut Mapper, i: usize, a: &EArchetype) -> Archetype {
    let at = |k: &str| p(&format!("archetypes[{i}].{k}"));
    let mut checked = Archetype {
        label: a.label.clone(),
        curves: Vec::new(),
    };
    if let Some(metric) = a.metric_overrides.keys().next() {
        m.refuse(
            at(&format!("metric_overrides.{metric}")),
            "archetype metric_overrides are not read from the engine dialect; use a segment `baseline` in the builder dialect",
        );
    }
    if a.curve_segments.is_empty() || a.curve_segments.len() > 10 {
        m.refuse(
            at("curve_segments"),
            format!(
                "an archetype needs 1 to 10 curve segments, found {}",
                a.curve_segments.len()
            ),
        );
        return checked;
    }
    let mut order: Vec<usize> = (0..a.curve_segments.len()).collect();
    order.sort_by(|&x, &y| {
        a.curve_segments[x]
            .start_pct
            .total_cmp(&a.curve_segments[y].start_pct)
    });
    let mut prev_end = 0.0;
    for (k, &j) in order.iter().enumerate() {
        let s = &a.curve_segments[j];
        let seg = |f: &str| at(&format!("curve_segments[{j}].{f}"));
        if s.start_pct >= s.end_pct || s.start_pct < 0.0 || s.end_pct > 1.0 {
            m.refuse(
                seg("end_pct"),
                format!(
                    "a curve segment needs 0 <= start_pct < end_pct <= 1, found [{}, {}]",
                    s.start_pct, s.end_pct
                ),
            );
        } else if s.start_pct != prev_end {
            m.refuse(
                seg("start_pct"),
                format!(
                    "curve segments must cover [0, 1] without gaps or overlaps: this one starts at {} where the previous ended at {prev_end}",
                    s.start_pct
                ),
            );
        }
        prev_end = s.end_pct;
        if k + 1 == order.len() && s.end_pct != 1.0 {
            m.refuse(
                seg("end_pct"),
                format!(
                    "the last curve segment must end at 1.0, found {}",
                    s.end_pct
                ),
            );
        }
        match curve_call(s, j) {
            Ok(call) => checked.curves.push((s.end_pct, call.to_dsl())),
            Err((path, message)) => m.refuse(at(&path), message),
        }
    }
    checked
}

/// The segment's curve as a DSL curve call; on error the path below the
/// archetype and the message.
fn curve_call(s: &ECurveSegment, j: usize) -> Result<CurveCall, (String, String)> {
    let kind = s.curve.parse::<CurveKind>().map_err(|e| {
        let hint = e
            .suggestion
            .map(|w| format!(" (did you mean `{w}`?)"))
            .unwrap_or_default();
        (
            format!("curve_segments[{j}].curve"),
            format!(
                "unknown curve `{}`; expected one of: {}{hint}",
                s.curve,
                e.expected.join(", ")
            ),
        )
    })?;
    let names: Vec<&str> = kind.params().iter().map(|(n, _)| *n).collect();
    let mut values: Vec<f64> = kind.params().iter().map(|(_, d)| *d).collect();
    for (key, value) in &s.params {
        let path = format!("curve_segments[{j}].params.{key}");
        let Some(i) = names.iter().position(|n| n == key) else {
            let hint = crate::words::suggest(key, names.iter().copied())
                .map(|w| format!(" (did you mean `{w}`?)"))
                .unwrap_or_default();
            return Err((
                path,
                format!(
                    "`{kind}` has no parameter `{key}`; expected one of: {}{hint}",
                    names.join(", ")
                ),
            ));
        };
        values[i] = match (*value, kind.is_flag(key)) {
            (ParamValue::Flag(b), true) => f64::from(u8::from(b)),
            (ParamValue::Number(x), false) if x.is_finite() => x,
            (ParamValue::Number(x), true) => {
                return Err((path, format!("`{key}` takes true or false, found {x}")));
            }
            (ParamValue::Flag(b), false) => {
                return Err((path, format!("`{key}` takes a number, found {b}")));
            }
            (ParamValue::Number(x), false) => {
                return Err((path, format!("`{key}` takes a finite number, found {x}")));
            }
        };
    }
    Ok(CurveCall { kind, values })
}

/// The archetype DSL of one entity: the archetype's curve calls with the
/// segment boundaries of its active window turned into transition periods.
fn archetype_dsl(
    segs: &[(f64, String)],
    n_periods: u32,
    start_period: u32,
    inflection: Option<u32>,
) -> Option<String> {
    let n = i64::from(n_periods);
    let m = (n - i64::from(start_period)).max(1);
    // The engine's shift: the first boundary lands on the inflection period.
    let shift = match (inflection, segs.first()) {
        (Some(k), Some((first_end, _))) if segs.len() > 1 => f64::from(k) / m as f64 - first_end,
        _ => 0.0,
    };
    let mut bounds = vec![0i64];
    for (end, _) in &segs[..segs.len().checked_sub(1)?] {
        let x = (end + shift).clamp(0.0, 1.0);
        let b = ((x * m as f64 + 1e-9).floor() as i64).clamp(*bounds.last()?, m);
        bounds.push(b);
    }
    bounds.push(m);
    let mut calls = Vec::new();
    let mut transitions = Vec::new();
    for (j, (_, call)) in segs.iter().enumerate() {
        if bounds[j + 1] <= bounds[j] {
            continue;
        }
        if !calls.is_empty() {
            // The window period whose active-window boundary is bounds[j]
            // (exact under the stitcher's floor(t / n · m)).
            let b = bounds[j];
            transitions.push((b * n + m - 1) / m);
        }
        calls.push(call.as_str());
    }
    let mut dsl = calls.join(" > ");
    for t in transitions {
        dsl.push_str(&format!(" @ {t}"));
    }
    Some(dsl)
}

fn map_entity(
    m: &mut Mapper,
    i: usize,
    e: &EEntity,
    archetypes: &HashMap<&str, Archetype>,
    n_periods: Option<u32>,
) -> Option<Segment> {
    let at = |k: &str| p(&format!("entities[{i}].{k}"));
    let seg = |k: &str| p(&format!("segments[{i}].{k}"));
    m.alias(p(&format!("segments[{i}]")), p(&format!("entities[{i}]")));
    for (b, x) in [
        ("archetype", "archetype"),
        ("arrival", "start_period"),
        ("treatment.lift_log_odds", "treatment_lift_log_odds"),
        ("treatment.start_period", "treatment_start_period"),
        ("treatment.target_metric", "treatment_target_metric"),
        ("treatment", "treatment_group"),
        ("seasonal_sensitivity", "seasonal_sensitivity"),
    ] {
        m.alias(seg(b), at(x));
    }
    if let Some(col) = e.cross_dim_fks.keys().next() {
        m.refuse(
            at(&format!("cross_dim_fks.{col}")),
            "cross_dim_fks are not read from the engine dialect (reference keys are drawn per entity)",
        );
    }
    let Some(archetype) = archetypes.get(e.archetype.as_str()) else {
        let names: Vec<&str> = archetypes.keys().copied().collect();
        let hint = crate::words::suggest(&e.archetype, names.iter().copied())
            .map(|w| format!(" (did you mean `{w}`?)"))
            .unwrap_or_default();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        m.refuse(
            at("archetype"),
            format!(
                "unknown archetype `{}`; expected one of: {}{hint}",
                e.archetype,
                sorted.join(", ")
            ),
        );
        return None;
    };
    let inflection = e.overrides.as_ref().and_then(|o| o.inflection_month);
    // Without a parsable window the transitions cannot be placed; validation
    // reports the window.
    let dsl = archetype_dsl(
        &archetype.curves,
        n_periods.unwrap_or(1),
        e.start_period,
        inflection,
    )
    .unwrap_or_else(|| "plateau()".to_owned());
    let treatment = match (&e.treatment_group, e.treatment_lift_log_odds) {
        (None, None) => None,
        (group, Some(lift)) if lift != 0.0 => Some(Treatment {
            fraction: 1.0,
            lift_log_odds: lift,
            start_period: e.treatment_start_period.unwrap_or(0),
            treatment_label: group.clone().unwrap_or_else(|| "treatment".to_owned()),
            control_label: "control".to_owned(),
            target_metric: e.treatment_target_metric.clone(),
        }),
        (group, _) => Some(Treatment {
            fraction: 0.0,
            lift_log_odds: 0.0,
            start_period: e.treatment_start_period.unwrap_or(0),
            treatment_label: "treatment".to_owned(),
            control_label: group.clone().unwrap_or_else(|| "control".to_owned()),
            target_metric: e.treatment_target_metric.clone(),
        }),
    };
    Some(Segment {
        name: e.name.clone(),
        count: 1,
        archetype: dsl,
        label: archetype.label.clone(),
        attributes: IndexMap::new(),
        baseline: IndexMap::new(),
        seasonal_sensitivity: e.seasonal_sensitivity,
        arrival: (e.start_period > 0).then(|| Arrival::Explicit {
            start_periods: vec![e.start_period],
        }),
        treatment,
    })
}

fn map_stages(m: &mut Mapper, s: &EStages) -> Option<Lifecycle> {
    let mut stages = Vec::new();
    for (j, st) in s.sequence.iter().enumerate() {
        m.alias(
            p(&format!("lifecycle.stages[{j}]")),
            p(&format!("stages.sequence[{j}]")),
        );
        m.alias(
            p(&format!("lifecycle.stages[{j}].threshold")),
            p(&format!("stages.sequence[{j}].threshold_enter")),
        );
        let next = s.sequence.get(j + 1).map(|n| n.threshold_enter);
        if let Some(exit) = st.threshold_exit
            && Some(exit) != next
        {
            m.refuse(
                p(&format!("stages.sequence[{j}].threshold_exit")),
                format!(
                    "stage hysteresis (an exit threshold other than the next stage's entry) is not supported; found exit {exit}, next entry {}",
                    next.map_or("none".to_owned(), |n| n.to_string())
                ),
            );
        }
        stages.push(Stage {
            name: st.name.clone(),
            threshold: st.threshold_enter,
        });
    }
    Some(Lifecycle {
        track: s.field.clone(),
        stages,
        enforce_order: s.enforce_order,
        downgrade_delay: s.downgrade_delay,
    })
}

fn map_tables(m: &mut Mapper, tables: &[ETable]) -> (Vec<Dimension>, Vec<Fact>, Vec<Event>) {
    let (mut dims, mut facts, mut events) = (Vec::new(), Vec::new(), Vec::new());
    for (k, t) in tables.iter().enumerate() {
        let at = |f: &str| p(&format!("tables[{k}].{f}"));
        let (list, index) = match t.kind {
            TableKind::Dim => ("dimensions", dims.len()),
            TableKind::Fact => ("facts", facts.len()),
            TableKind::Event => ("events", events.len()),
        };
        m.alias(p(&format!("{list}[{index}]")), p(&format!("tables[{k}]")));
        for (f, refused) in [
            ("pk_prefix", t.pk_prefix.is_some()),
            ("parent_table", t.parent_table.is_some()),
            ("children_per_row", t.children_per_row.is_some()),
        ] {
            if refused {
                m.refuse(
                    at(f),
                    format!("`{f}` is not read from the engine dialect; declare the table in the builder dialect"),
                );
            }
        }
        if t.count != 1 {
            m.refuse(at("count"), "a table `count` other than 1 is not read from the engine dialect (variable-grain dims are not supported)");
        }
        let mut threshold: Option<(String, bool, f64, u32)> = None;
        let mut columns = Vec::new();
        for (j, c) in t.columns.iter().enumerate() {
            let cpath = |f: &str| p(&format!("tables[{k}].columns[{j}].{f}"));
            for (b, e) in [
                ("type", "source"),
                ("labels", "source"),
                ("range", "source"),
                ("tracks", "scd_type2.trigger_metric"),
                ("tiers", "scd_type2.labels"),
                ("at", "scd_type2.thresholds"),
            ] {
                m.alias(p(&format!("{list}[{index}].columns[{j}].{b}")), cpath(e));
            }
            for (f, refused) in [
                ("distribution", c.distribution.is_some()),
                ("allow_outside_window", c.allow_outside_window),
                ("value_pool", c.value_pool.is_some()),
                ("narrative", c.narrative.is_some()),
                ("nested_schema", c.nested_schema.is_some()),
                ("array_element_type", c.array_element_type.is_some()),
                ("array_length", c.array_length.is_some()),
            ] {
                if refused {
                    m.refuse(
                        cpath(f),
                        format!("column `{f}` is not read from the engine dialect"),
                    );
                }
            }
            match map_column(c, t.kind == TableKind::Dim && t.grain == Grain::PerEntity) {
                Ok(Mapped::Derived(field)) => {
                    m.derived.insert(field);
                    columns.push(Column::new(c.name.clone(), format!("pool.{field}")));
                }
                Ok(Mapped::Column(col)) => columns.push(*col),
                Ok(Mapped::Threshold(th)) => {
                    threshold = Some(th);
                    columns.push(Column::new(c.name.clone(), "flag"));
                }
                Err(message) => m.refuse(cpath("source"), message),
            }
        }
        let proportional = match &t.row_count_source {
            None => None,
            Some(src) => match parse_proportional(src) {
                Some(x) => Some(x),
                None => {
                    m.refuse(
                        at("row_count_source"),
                        format!("`{src}` is not `proportional:<metric>:scale:<x>`"),
                    );
                    None
                }
            },
        };
        match (t.kind, t.grain) {
            (TableKind::Dim, Grain::PerPeriod | Grain::PerEntity | Grain::PerReference) => {
                dims.push(Dimension {
                    name: t.name.clone(),
                    columns,
                    per: match t.grain {
                        Grain::PerPeriod => Some(DimPer::Period),
                        Grain::PerEntity => Some(DimPer::Unit),
                        _ => None,
                    },
                    reference: t.grain == Grain::PerReference,
                    count: 1,
                });
            }
            (TableKind::Fact, Grain::PerEntityPerPeriod | Grain::Variable) => {
                if t.grain == Grain::Variable && proportional.is_none() {
                    m.refuse(
                        at("row_count_source"),
                        "a variable-grain fact needs `row_count_source: proportional:<metric>:scale:<x>`",
                    );
                }
                facts.push(Fact {
                    name: t.name.clone(),
                    columns,
                    metrics: Vec::new(),
                    cdc: t.cdc,
                    row_count_driver: proportional.as_ref().map(|(d, _)| d.clone()),
                    row_count_scale: proportional.as_ref().map(|(_, s)| *s),
                    parent_table: None,
                    children_per_row: None,
                });
            }
            (TableKind::Event, Grain::Variable) => {
                let mut event = Event {
                    name: t.name.clone(),
                    columns,
                    trigger: Trigger::Proportional,
                    driver: None,
                    scale: None,
                    metric: None,
                    above: None,
                    below: None,
                    r#for: None,
                    log_format: t.log_format.clone(),
                    log_filename: t.log_filename.clone(),
                };
                match (proportional, threshold) {
                    (Some((driver, scale)), None) => {
                        event.driver = Some(driver);
                        event.scale = Some(scale);
                    }
                    (None, Some((metric, above, value, periods))) => {
                        event.trigger = Trigger::Threshold;
                        event.metric = Some(metric);
                        if above {
                            event.above = Some(value);
                        } else {
                            event.below = Some(value);
                        }
                        event.r#for = Some(periods);
                    }
                    (Some(_), Some(_)) => m.refuse(
                        at("row_count_source"),
                        "an event is either proportional (row_count_source) or a threshold event (a `threshold:` column), not both",
                    ),
                    (None, None) => m.refuse(
                        at("row_count_source"),
                        "an event needs `row_count_source: proportional:<metric>:scale:<x>` or a `threshold:` column",
                    ),
                }
                events.push(event);
            }
            (TableKind::Dim, _) => m.refuse(
                at("grain"),
                "dimension grains read from the engine dialect: per_period, per_entity, per_reference (variable-grain dims are not supported)",
            ),
            (TableKind::Fact, _) => m.refuse(
                at("grain"),
                "fact grains read from the engine dialect: per_entity_per_period, variable",
            ),
            (TableKind::Event, _) => m.refuse(at("grain"), "an event table's grain is `variable`"),
        }
    }
    (dims, facts, events)
}

enum Mapped {
    Column(Box<Column>),
    /// A `derived:` entity field on a per-entity dim.
    Derived(&'static str),
    /// metric, above (else below), value, periods.
    Threshold((String, bool, f64, u32)),
}

/// An engine column (dtype + source) as a builder column type.
fn map_column(c: &EColumn, per_entity_dim: bool) -> Result<Mapped, String> {
    let src = c.source.trim();
    if let Some(field) = src.strip_prefix("derived:") {
        return match field {
            "size" if per_entity_dim => Ok(Mapped::Derived("size")),
            "archetype" if per_entity_dim => Ok(Mapped::Derived("archetype")),
            "name" | "entity_name" if per_entity_dim => Ok(Mapped::Derived("entity_name")),
            _ => Err(format!(
                "source `{src}` is not read from the engine dialect; `derived:size`, `derived:archetype`, `derived:name` and `derived:entity_name` are read on per_entity dims"
            )),
        };
    }
    let name = c.name.clone();
    let simple = |ty: String| Ok(Mapped::Column(Box::new(Column::new(name.clone(), ty))));
    if src == "pk" {
        return simple("id".to_owned());
    }
    if let Some(target) = src.strip_prefix("fk:") {
        let table = target.split('.').next().unwrap_or(target);
        return simple(format!("ref.{table}"));
    }
    if let Some(metric) = src.strip_prefix("metric:") {
        return simple(format!("metric.{metric}"));
    }
    if let Some(v) = src.strip_prefix("static:") {
        return simple(format!("static.{v}"));
    }
    if let Some(g) = src.strip_prefix("generated:") {
        return match g {
            "date_key" => match c.dtype.as_str() {
                "date" | "int" | "string" | "float" | "id" => simple(c.dtype.clone()),
                other => Err(format!(
                    "a `generated:date_key` column needs dtype date, int, string, float or id, found `{other}`"
                )),
            },
            "timestamp" => simple("timestamp".to_owned()),
            _ if g.starts_with("faker.") || g.starts_with("geo.") => simple(g.to_owned()),
            _ => Err(format!(
                "source `{src}` is not read from the engine dialect; supported generated sources: date_key, timestamp, faker.<kind>, geo.<field>"
            )),
        };
    }
    if let Some(list) = src.strip_prefix("text:bucket:") {
        let labels: Vec<String> = list
            .trim()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .split(',')
            .map(|l| l.trim().trim_matches(['"', '\'']).to_owned())
            .filter(|l| !l.is_empty())
            .collect();
        let mut col = Column::new(name, "bucket");
        col.labels = Some(labels);
        return Ok(Mapped::Column(Box::new(col)));
    }
    if let Some(rest) = src.strip_prefix("range:") {
        let parts: Vec<&str> = rest.split(':').collect();
        let num = |s: &str| -> Option<Number> {
            s.trim()
                .parse::<i64>()
                .map(Number::Int)
                .ok()
                .or_else(|| s.trim().parse::<f64>().ok().map(Number::Float))
        };
        let (Some(lo), Some(hi)) = (
            parts.first().and_then(|s| num(s)),
            parts.get(1).and_then(|s| num(s)),
        ) else {
            return Err(format!("`{src}` is not `range:<min>:<max>`"));
        };
        let mut col = Column::new(name, "range");
        col.range = Some([lo, hi]);
        return Ok(Mapped::Column(Box::new(col)));
    }
    if src == "scd_type2" {
        let Some(scd) = &c.scd_type2 else {
            return Err("source `scd_type2` needs a `scd_type2` block".to_owned());
        };
        let metric = scd
            .trigger_metric
            .rsplit('.')
            .next()
            .unwrap_or(&scd.trigger_metric);
        let mut col = Column::new(name, "scd");
        col.tracks = Some(metric.to_owned());
        col.tiers = Some(scd.labels.clone());
        col.at = Some(scd.thresholds.clone());
        return Ok(Mapped::Column(Box::new(col)));
    }
    if let Some(rest) = src.strip_prefix("threshold:") {
        let parts: Vec<&str> = rest.split(':').collect();
        let parsed = match parts.as_slice() {
            [metric, dir @ ("above" | "below"), value, "for", periods] => value
                .parse::<f64>()
                .ok()
                .zip(periods.parse::<u32>().ok())
                .map(|(v, n)| ((*metric).to_owned(), *dir == "above", v, n)),
            [metric, dir @ ("above" | "below"), value] => value
                .parse::<f64>()
                .ok()
                .map(|v| ((*metric).to_owned(), *dir == "above", v, 1)),
            _ => None,
        };
        return parsed.map(Mapped::Threshold).ok_or_else(|| {
            format!("`{src}` is not `threshold:<metric>:<above|below>:<value>:for:<n>`")
        });
    }
    Err(format!(
        "source `{src}` is not read from the engine dialect; supported: pk, fk:<table>.<column>, metric:<m>, static:<value>, generated:date_key|timestamp|faker.<kind>|geo.<field>, text:bucket:[...], range:<min>:<max>, scd_type2, threshold:<m>:<above|below>:<v>:for:<n>"
    ))
}

/// `proportional:<metric>:scale:<x>` -> (metric, x).
fn parse_proportional(src: &str) -> Option<(String, f64)> {
    let rest = src.trim().strip_prefix("proportional:")?;
    let (metric, scale) = rest.split_once(":scale:")?;
    Some((metric.to_owned(), scale.trim().parse().ok()?))
}

/// The error text for refusals: the first one's message (its path is the
/// error's path), then every other refused field with its path.
pub(crate) fn refusal_message(refusals: &[Refusal]) -> String {
    let mut s = refusals
        .first()
        .map(|r| r.message.clone())
        .unwrap_or_default();
    if refusals.len() > 1 {
        s.push_str("\n  also not mapped from the engine dialect:");
        for r in &refusals[1..] {
            s.push_str(&format!("\n  {}: {}", r.path, r.message));
        }
    }
    s
}
