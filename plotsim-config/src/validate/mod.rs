//! Validation: [`Config`] -> [`Plan`], or every problem at once.
//!
//! Checks are split the way serde's derive splits them: each block's own
//! rules live in its module (one per model block: `metrics`, `connections`,
//! `segments`, `lifecycle`, `seasonality`, `schema`, `bridges`, `quality`,
//! `ml`, `sources`, `settings`), and
//! rules that span blocks are named calls in [`check`]. Every check pushes
//! into one [`Ctx`]; nothing stops at the first error. Validation is pure: no
//! environment, no files, no cell budget.

mod bridges;
mod connections;
mod lifecycle;
mod metrics;
mod ml;
mod quality;
mod schema;
mod seasonality;
mod segments;
mod settings;
mod sources;

use crate::error::{ConfigErrors, FieldPath, ValidationError};
use crate::model::Config;
use crate::plan::{Plan, ResolvedWindow, TablePlan, WindowError};
use crate::words::suggest;

/// Accumulates errors and warnings while validating.
pub(crate) struct Ctx<'a> {
    pub(crate) config: &'a Config,
    errors: Vec<ValidationError>,
    pub(crate) warnings: Vec<String>,
}

impl<'a> Ctx<'a> {
    pub(crate) fn push(&mut self, e: ValidationError) {
        self.errors.push(e);
    }

    /// Pushes "unknown <what> `name`" with the list of known names and a suggestion.
    pub(crate) fn unknown_name<'n>(
        &mut self,
        path: FieldPath,
        what: &str,
        name: &str,
        known: impl IntoIterator<Item = &'n str> + Clone,
    ) {
        let list: Vec<&str> = known.clone().into_iter().collect();
        let expected = if list.is_empty() {
            format!("a declared {what} (none are declared)")
        } else {
            format!("one of: {}", list.join(", "))
        };
        self.push(
            ValidationError::new(path, format!("unknown {what} `{name}`"))
                .expected(expected)
                .suggestion(suggest(name, list.iter().copied())),
        );
    }

    /// Pushes "unknown metric `name`" listing the declared metrics.
    pub(crate) fn unknown_metric(&mut self, path: FieldPath, name: &str) {
        let config = self.config;
        self.unknown_name(
            path,
            "metric",
            name,
            config.metrics.iter().map(|m| m.name.as_str()),
        );
    }

    pub(crate) fn has_metric(&self, name: &str) -> bool {
        self.config.metrics.iter().any(|m| m.name == name)
    }
}

/// The planned table of that name.
pub(crate) fn table<'t>(tables: &'t [TablePlan], name: &str) -> Option<&'t TablePlan> {
    tables.iter().find(|t| t.name == name)
}

pub(crate) fn root() -> FieldPath {
    FieldPath::root()
}

/// Letters, digits and underscores, with at least one letter or digit
/// (metric, segment and bridge names).
pub(crate) fn is_simple_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && s.chars().any(|c| c.is_ascii_alphanumeric())
}

/// SQL-safe identifier: `[A-Za-z_][A-Za-z0-9_]{0,127}` (table and column names).
pub(crate) fn is_sql_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && s.len() <= 128
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

pub(crate) const SQL_IDENTIFIER: &str = "a SQL-safe identifier: [A-Za-z_][A-Za-z0-9_]{0,127} (no spaces, dots or path separators, no leading digit)";

/// Reports every value that occurs more than once, at each repeat's path.
pub(crate) fn check_unique<'n>(
    cx: &mut Ctx<'_>,
    what: &str,
    items: impl IntoIterator<Item = (FieldPath, &'n str)>,
) {
    let mut seen: Vec<(FieldPath, &str)> = Vec::new();
    for (path, name) in items {
        if let Some((first, _)) = seen.iter().find(|(_, n)| *n == name) {
            let first = first.clone();
            cx.push(
                ValidationError::new(path, format!("duplicate {what} `{name}`"))
                    .expected(format!("unique {what}s"))
                    .note(first, "first used here"),
            );
        } else {
            seen.push((path, name));
        }
    }
}

/// Reports an empty list (when `min` is 1) or one longer than `max`.
pub(crate) fn check_len(
    cx: &mut Ctx<'_>,
    path: FieldPath,
    what: &str,
    len: usize,
    min: usize,
    max: usize,
) {
    if len < min {
        cx.push(
            ValidationError::new(path, format!("no {what} are declared"))
                .expected(format!("at least {min}")),
        );
    } else if len > max {
        cx.push(
            ValidationError::new(path, format!("too many {what}"))
                .found(len)
                .expected(format!("at most {max}")),
        );
    }
}

/// Checks that a float is finite and within `[lo, hi]`.
pub(crate) fn check_range(cx: &mut Ctx<'_>, path: FieldPath, v: f64, lo: f64, hi: f64) {
    if !v.is_finite() || v < lo || v > hi {
        cx.push(
            ValidationError::new(path, "value out of range")
                .found(v)
                .expected(format!("a number in [{lo}, {hi}]")),
        );
    }
}

impl Config {
    /// Checks the config and resolves it into a [`Plan`].
    ///
    /// Every problem is reported at once, each with its field path, the value
    /// found, what is allowed and, for configs read from YAML, the line and
    /// column. A config that validates generates. Pure: no environment, files
    /// or cell budget are consulted.
    ///
    /// # Example
    /// ```
    /// use plotsim_config::Config;
    /// let yaml = "about: x\nunit: company\nwindow: [2023-01, 2023-12]\n\
    ///             metrics:\n  - {name: mrr, type: amount, polarity: positive}\n\
    ///             segments:\n  - {name: s, count: 0, archetype: growth}\n";
    /// let errors = Config::from_yaml_str(yaml).unwrap().validate().unwrap_err();
    /// assert_eq!(errors.len(), 2);
    /// assert_eq!(errors.errors()[0].path.to_string(), "metrics[0].range");
    /// assert_eq!(errors.errors()[0].location.unwrap().line, 5);
    /// ```
    pub fn validate(&self) -> Result<Plan, ConfigErrors> {
        let mut cx = Ctx {
            config: self,
            errors: Vec::new(),
            warnings: Vec::new(),
        };
        let plan = check(&mut cx);
        let Ctx {
            mut errors,
            warnings,
            ..
        } = cx;
        if errors.is_empty()
            && let Some(mut plan) = plan
        {
            plan.warnings = warnings;
            return Ok(plan);
        }
        // Every part that fails to resolve has reported why.
        debug_assert!(!errors.is_empty(), "a plan part failed without an error");
        for e in &mut errors {
            e.path = self.source_map.translate(&e.path);
            e.location = self.source_map.locate(&e.path);
            for n in &mut e.notes {
                n.path = self.source_map.translate(&n.path);
                n.location = self.source_map.locate(&n.path);
            }
        }
        // Source order reads best; errors without a position keep check order at the end.
        errors.sort_by_key(|e| {
            e.location
                .map_or((usize::MAX, usize::MAX), |l| (l.line, l.column))
        });
        Err(ConfigErrors::new(errors))
    }
}

/// Runs every check in config order; returns the plan when every part resolved.
///
/// Each validator returns its resolved part, or `None` when that part has
/// errors (optional blocks return `Some(None)` when absent).
fn check(cx: &mut Ctx<'_>) -> Option<Plan> {
    let config = cx.config;
    // `about` and `unit` are non-empty; `unit` becomes part of table names.
    let header = check_header(cx);
    // The window parses and fits its granularity's cap.
    let window = check_window(cx);
    let n_periods = window.map(|w| w.n_periods);
    // Metrics: names, ranges, distributions, lags (targets, cycles, caps).
    let (metrics, lag_order) = metrics::check_metrics(cx, config.window.every);
    // Segments: names, counts, archetype DSL, baseline, arrival, treatment.
    let segments = segments::check_segments(cx, n_periods);
    // Connections and phases: shorthand, vocabulary, endpoints, duplicates, overlaps.
    let (correlations, phases) = connections::check_connections(cx, n_periods);
    // Lifecycle and seasonality.
    let lifecycle = lifecycle::check_lifecycle(cx);
    let seasonality = seasonality::check_seasonality(cx, window.as_ref());
    // Declared schema (or the auto schema), keys and name collisions.
    let tables = schema::check_schema(cx);
    // Bridges, quality, holdout, entity features, sources.
    let bridges = bridges::check_bridges(cx, &tables);
    let quality = quality::check_quality(cx, &tables, n_periods);
    let holdout = ml::check_holdout(cx, &tables, n_periods);
    let features = ml::check_entity_features(cx, &tables);
    let variation = ml::check_variation(cx, n_periods);
    let sources = sources::check_sources(cx, &tables);
    // Noise, output, locale, manifest settings and their cross-rules.
    let settings = settings::check_settings(cx, &tables);
    // Non-fatal findings.
    warn_builder_footguns(cx, n_periods);

    let (about, unit) = header?;
    // The stage column goes on a fact, known once the tables are planned.
    let lifecycle = lifecycle?.map(|mut l| {
        l.stage_table = config
            .lifecycle
            .as_ref()
            .and_then(|d| lifecycle::stage_table(&tables, &d.track));
        l
    });
    Some(Plan {
        config: config.clone(),
        about,
        unit,
        window: window?,
        metrics: metrics?,
        lag_order: lag_order?,
        segments: segments?,
        correlations: correlations?,
        phases: phases?,
        tables: schema::with_bridges(cx, tables, bridges?),
        auto_schema: config.dimensions.is_empty()
            && config.facts.is_empty()
            && config.events.is_empty(),
        lifecycle,
        seasonality: seasonality?,
        quality: quality?,
        variation: variation?,
        holdout: holdout?,
        features: features?,
        sources: sources?,
        settings: settings?,
        warnings: Vec::new(),
    })
}

/// Checks `about` and `unit`; returns them when both are valid.
fn check_header(cx: &mut Ctx<'_>) -> Option<(String, String)> {
    let c = cx.config;
    let before = cx.errors.len();
    if c.about.trim().is_empty() {
        cx.push(
            ValidationError::new(root().key("about"), "`about` is empty")
                .expected("a short description"),
        );
    }
    if !is_sql_identifier(&c.unit) {
        cx.push(
            ValidationError::new(
                root().key("unit"),
                "the unit is used in table and column names",
            )
            .found(format!("`{}`", c.unit))
            .expected(SQL_IDENTIFIER),
        );
    }
    (cx.errors.len() == before).then(|| (c.about.clone(), c.unit.clone()))
}

fn check_window(cx: &mut Ctx<'_>) -> Option<ResolvedWindow> {
    let w = &cx.config.window;
    match ResolvedWindow::resolve(&w.start, &w.end, w.every) {
        Ok(r) => Some(r),
        Err(e) => {
            let window = root().key("window");
            let (path, message) = match &e {
                WindowError::Start(b) => (window.key("start"), b.to_string()),
                WindowError::End(b) => (window.key("end"), b.to_string()),
                _ => (window, e.to_string()),
            };
            cx.push(ValidationError::new(path, message));
            None
        }
    }
}

/// The original's non-fatal builder warnings.
fn warn_builder_footguns(cx: &mut Ctx<'_>, n_periods: Option<u32>) {
    let c = cx.config;
    if let Some(n) = n_periods.filter(|&n| n < 24) {
        for s in &c.segments {
            if s.archetype
                .split(['>', '@'])
                .any(|w| w.trim() == "seasonal")
            {
                cx.warnings.push(format!(
                    "segment `{}` uses `seasonal` on a {n}-period window; two full cycles need at least 24 periods to show",
                    s.name
                ));
            }
        }
    }
    if c.segments.len() == 1 {
        cx.warnings.push(
            "only one segment is declared; archetype labels in the manifest will all be the same"
                .to_owned(),
        );
    }
    let strong = c.connections.iter().any(|conn| {
        let text = match conn {
            crate::model::Connection::Shorthand(s) => s.clone(),
            crate::model::Connection::Pair(p) => p.relationship.clone().unwrap_or_default(),
        };
        text.contains("mirrors") || text.contains("inverts")
    });
    if c.metrics.len() >= 8 && strong {
        cx.warnings.push(
            "with 8 or more metrics, `mirrors`/`inverts` pairs often make the correlation matrix infeasible; it will be projected".to_owned(),
        );
    }
}

#[cfg(all(test, feature = "yaml"))]
mod tests;
