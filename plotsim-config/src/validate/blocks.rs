//! Rules for bridges, quality issues, holdout, entity features, sources and
//! the run settings (noise, output, locale, manifest), including the rules
//! that combine them.

use super::{Ctx, SQL_IDENTIFIER, check_len, check_range, check_unique, is_sql_identifier, root};
use crate::dsl::column_type::{self, ColumnType};
use crate::error::ValidationError;
use crate::model::{NoiseFamily, OutputFormat, QualityIssueKind, SqlDialect};
use crate::plan::{ColumnPlan, Grain, TableKind, TablePlan};

fn table<'t>(tables: &'t [TablePlan], name: &str) -> Option<&'t TablePlan> {
    tables.iter().find(|t| t.name == name)
}

/// Whether a metric has a column on some fact.
fn on_a_fact(tables: &[TablePlan], metric: &str) -> bool {
    tables
        .iter()
        .filter(|t| t.kind == TableKind::Fact)
        .any(|t| {
            t.columns
                .iter()
                .any(|c| matches!(&c.ty, ColumnType::Metric(m) if m == metric))
        })
}

/// Checks bridges; returns their planned tables.
pub(super) fn check_bridges(cx: &mut Ctx<'_>, ts: &[TablePlan]) -> Option<Vec<TablePlan>> {
    let bridges = &cx.config.bridges;
    let before = cx.errors.len();
    check_len(cx, root().key("bridges"), "bridges", bridges.len(), 0, 20);
    check_unique(
        cx,
        "bridge name",
        bridges
            .iter()
            .enumerate()
            .map(|(i, b)| (root().key("bridges").index(i).key("name"), b.name.as_str())),
    );
    let auto_unit = format!("dim_{}", cx.config.unit);
    let n_entities: u64 = cx.config.segments.iter().map(|s| u64::from(s.count)).sum();
    let mut out = Vec::new();
    for (i, b) in bridges.iter().enumerate() {
        let p = root().key("bridges").index(i);
        if !is_sql_identifier(&b.name) {
            cx.push(
                ValidationError::new(p.key("name"), "not a valid bridge name")
                    .found(format!("`{}`", b.name))
                    .expected(SQL_IDENTIFIER),
            );
        }
        if let Some(t) = table(ts, &b.name) {
            cx.push(
                ValidationError::new(
                    p.key("name"),
                    format!("bridge name collides with table `{}`", t.name),
                )
                .expected("a name no table uses"),
            );
        }
        if b.left == b.right {
            cx.push(
                ValidationError::new(p.key("right"), "a bridge joins two different dimensions")
                    .found(format!("`{}` on both sides", b.left)),
            );
        }
        let mut right_rows = None;
        for (side, name) in [("left", &b.left), ("right", &b.right)] {
            let grain = match table(ts, name) {
                Some(t) if t.kind == TableKind::Dimension => Some((t.grain, t)),
                Some(_) => {
                    cx.push(ValidationError::new(
                        p.key(side),
                        format!("`{name}` is not a dimension"),
                    ));
                    continue;
                }
                None if *name == auto_unit => None,
                None => {
                    let dims: Vec<&str> = ts
                        .iter()
                        .filter(|t| t.kind == TableKind::Dimension)
                        .map(|t| t.name.as_str())
                        .collect();
                    cx.unknown_name(p.key(side), "dimension", name, dims.iter().copied());
                    continue;
                }
            };
            let g = grain.map_or(Grain::PerEntity, |(g, _)| g);
            if g == Grain::PerPeriod {
                cx.push(ValidationError::new(
                    p.key(side),
                    "a bridge cannot join the per-period `dim_date`",
                ));
            } else if side == "left" && g != Grain::PerEntity {
                cx.push(
                    ValidationError::new(p.key("left"), "the left side of a bridge must be a per-unit dimension (one row per entity)")
                        .found(format!("`{name}`")),
                );
            }
            if side == "right" {
                right_rows = match grain {
                    Some((Grain::PerReference, t)) => Some(t.reference_rows()),
                    Some((Grain::PerEntity, _)) | None => Some(n_entities),
                    _ => None,
                };
            }
        }
        let [lo, hi] = b.cardinality;
        if hi < 1 || lo > hi {
            cx.push(
                ValidationError::new(p.key("cardinality"), "invalid cardinality")
                    .found(format!("[{lo}, {hi}]"))
                    .expected("[min, max] with 0 <= min <= max and max >= 1"),
            );
        } else if let Some(rows) = right_rows.filter(|&r| u64::from(hi) > r) {
            cx.push(
                ValidationError::new(
                    p.key("cardinality"),
                    format!("max associations exceed the rows of `{}`", b.right),
                )
                .found(hi)
                .expected(format!("at most {rows}")),
            );
        }
        if let Some(d) = b.driver.as_deref().filter(|d| !cx.has_metric(d)) {
            cx.unknown_metric(p.key("driver"), d);
        }
        check_len(
            cx,
            p.key("columns"),
            "bridge columns",
            b.columns.len(),
            0,
            20,
        );
        let mut columns = Vec::new();
        for (j, c) in b.columns.iter().enumerate() {
            let cp = p.key("columns").index(j);
            if !is_sql_identifier(&c.name) {
                cx.push(
                    ValidationError::new(cp.key("name"), "not a valid column name")
                        .found(format!("`{}`", c.name))
                        .expected(SQL_IDENTIFIER),
                );
            }
            match column_type::parse(&c.r#type) {
                Ok(
                    ty @ (ColumnType::Metric(_) | ColumnType::Static(_) | ColumnType::Faker { .. }),
                ) => {
                    if let ColumnType::Metric(m) = &ty
                        && !cx.has_metric(m)
                    {
                        cx.unknown_metric(cp.key("type"), m);
                    }
                    columns.push(ColumnPlan {
                        name: c.name.clone(),
                        ty,
                    });
                }
                Ok(_) => cx.push(
                    ValidationError::new(
                        cp.key("type"),
                        "bridge columns take metric., static. or faker. types",
                    )
                    .found(format!("`{}`", c.r#type)),
                ),
                Err(e) => {
                    let mut err =
                        ValidationError::new(cp.key("type"), e.message).suggestion(e.suggestion);
                    if let Some(x) = e.expected {
                        err = err.expected(x);
                    }
                    cx.push(err);
                }
            }
        }
        check_unique(
            cx,
            "column name",
            b.columns
                .iter()
                .enumerate()
                .map(|(j, c)| (p.key("columns").index(j).key("name"), c.name.as_str())),
        );
        let key = |side: &str| format!("{}_id", side.strip_prefix("dim_").unwrap_or(side));
        out.push(TablePlan {
            name: b.name.clone(),
            kind: TableKind::Bridge,
            grain: Grain::Bridge,
            columns,
            primary_key: vec![key(&b.left), key(&b.right)],
            key_prefix: None,
            rows_per_entity: 1,
        });
    }
    (cx.errors.len() == before).then_some(out)
}

const PROTECTED: &[&str] = &["date_key", "period", "period_index", "period_label"];

pub(super) fn check_quality(cx: &mut Ctx<'_>, ts: &[TablePlan], n_periods: Option<u32>) {
    let issues = &cx.config.quality;
    check_len(
        cx,
        root().key("quality"),
        "quality issues",
        issues.len(),
        0,
        50,
    );
    for (i, q) in issues.iter().enumerate() {
        let p = root().key("quality").index(i);
        check_range(cx, p.key("rate"), q.rate, 0.0, 1.0);
        let volume = q.issue == QualityIssueKind::VolumeAnomaly;
        let needs_column = matches!(
            q.issue,
            QualityIssueKind::NullInjection
                | QualityIssueKind::TypeMismatch
                | QualityIssueKind::SchemaDrift
        );
        if needs_column && q.column.is_none() {
            cx.push(ValidationError::new(
                p.key("column"),
                format!("`{}` needs a `column`", q.issue),
            ));
        }
        if volume {
            if q.column.is_some() {
                cx.push(ValidationError::new(
                    p.key("column"),
                    "volume_anomaly affects whole rows; drop `column`",
                ));
            }
            if q.mode.is_none() {
                cx.push(
                    ValidationError::new(p.key("mode"), "volume_anomaly needs a `mode`")
                        .expected("spike or drop"),
                );
            }
            match (&q.period, &q.periods) {
                (Some(_), Some(_)) | (None, None) => cx.push(ValidationError::new(
                    p.key("period"),
                    "volume_anomaly needs exactly one of `period` or `periods`",
                )),
                (None, Some(ps)) if ps.is_empty() => cx.push(
                    ValidationError::new(p.key("periods"), "`periods` is empty")
                        .expected("at least one period"),
                ),
                _ => {}
            }
            let all: Vec<(Option<usize>, u32)> = q
                .period
                .map(|x| (None, x))
                .into_iter()
                .chain(
                    q.periods
                        .iter()
                        .flatten()
                        .enumerate()
                        .map(|(j, &x)| (Some(j), x)),
                )
                .collect();
            for (j, x) in all {
                if let Some(n) = n_periods.filter(|&n| x >= n) {
                    let path = match j {
                        Some(j) => p.key("periods").index(j),
                        None => p.key("period"),
                    };
                    cx.push(
                        ValidationError::new(path, "period outside the window")
                            .found(x)
                            .expected(format!("0-{}", n - 1)),
                    );
                }
            }
        } else {
            for (field, set) in [
                ("mode", q.mode.is_some()),
                ("period", q.period.is_some()),
                ("periods", q.periods.is_some()),
            ] {
                if set {
                    cx.push(ValidationError::new(
                        p.key(field),
                        format!("`{field}` applies to volume_anomaly only"),
                    ));
                }
            }
        }
        let Some(t) = table(ts, &q.table).or(None) else {
            let targets: Vec<&str> = ts
                .iter()
                .filter(|t| matches!(t.kind, TableKind::Fact | TableKind::Event))
                .map(|t| t.name.as_str())
                .collect();
            cx.unknown_name(
                p.key("table"),
                "fact or event table",
                &q.table,
                targets.iter().copied(),
            );
            continue;
        };
        if !matches!(t.kind, TableKind::Fact | TableKind::Event) {
            cx.push(
                ValidationError::new(p.key("table"), "quality issues target fact or event tables")
                    .found(format!(
                        "`{}` is a {}",
                        t.name,
                        if t.kind == TableKind::Bridge {
                            "bridge"
                        } else {
                            "dimension"
                        }
                    )),
            );
            continue;
        }
        if let Some(col) = &q.column {
            match t.columns.iter().find(|c| c.name == *col) {
                None => cx.unknown_name(
                    p.key("column"),
                    "column",
                    col,
                    t.columns.iter().map(|c| c.name.as_str()),
                ),
                Some(c)
                    if matches!(c.ty, ColumnType::Ref(_) | ColumnType::Id)
                        || PROTECTED.contains(&col.as_str()) =>
                {
                    cx.push(
                        ValidationError::new(
                            p.key("column"),
                            format!("column `{col}` is a key or period column and is protected"),
                        )
                        .expected("a non-key column"),
                    )
                }
                Some(_) => {}
            }
        }
    }
}

pub(super) fn check_holdout(cx: &mut Ctx<'_>, ts: &[TablePlan], n_periods: Option<u32>) {
    let Some(h) = &cx.config.holdout else { return };
    let p = root().key("holdout");
    if !cx.has_metric(&h.target) {
        cx.unknown_metric(p.key("target"), &h.target);
    } else if !on_a_fact(ts, &h.target) {
        cx.push(ValidationError::new(
            p.key("target"),
            format!("no fact table has a `{}` metric column", h.target),
        ));
    }
    if !(1..=10_000).contains(&h.periods) {
        cx.push(
            ValidationError::new(p.key("periods"), "holdout periods out of range")
                .found(h.periods)
                .expected("1-10000"),
        );
    }
    if h.min_training_periods < 1 {
        cx.push(
            ValidationError::new(
                p.key("min_training_periods"),
                "at least one training period is needed",
            )
            .found(0),
        );
    }
    if let Some(n) = n_periods
        && n < h.periods.saturating_add(h.min_training_periods)
    {
        cx.push(
            ValidationError::new(p.key("periods"), "too few training periods would remain")
                .found(format!(
                    "{} of {n} periods held out, {} left",
                    h.periods,
                    n.saturating_sub(h.periods)
                ))
                .expected(format!(
                    "at least {} training periods",
                    h.min_training_periods
                )),
        );
    }
    if !cx.config.quality.is_empty() {
        cx.push(
            ValidationError::new(
                p,
                "holdout cannot be combined with `quality` (the split must be clean)",
            )
            .expected("remove `quality` or `holdout`"),
        );
    }
}

pub(super) fn check_entity_features(cx: &mut Ctx<'_>, ts: &[TablePlan]) {
    let Some(f) = &cx.config.entity_features else {
        return;
    };
    let p = root().key("entity_features");
    if f.metrics.len() > 50 {
        cx.push(
            ValidationError::new(p.key("metrics"), "too many metrics")
                .found(f.metrics.len())
                .expected("at most 50"),
        );
    }
    for (i, m) in f.metrics.iter().enumerate() {
        if !cx.has_metric(m) {
            cx.unknown_metric(p.key("metrics").index(i), m);
        } else if !on_a_fact(ts, m) {
            cx.push(ValidationError::new(
                p.key("metrics").index(i),
                format!("no fact table has a `{m}` metric column"),
            ));
        }
    }
    if !cx.config.manifest.include {
        cx.push(
            ValidationError::new(
                p.clone(),
                "entity features are computed from the manifest, which is turned off",
            )
            .expected("`manifest: {include: true}`"),
        );
    }
    if !cx.config.quality.is_empty() {
        cx.push(
            ValidationError::new(
                p.clone(),
                "entity features cannot be combined with `quality`",
            )
            .expected("remove one of them"),
        );
    }
    if cx.config.output.format == OutputFormat::Sql {
        cx.push(
            ValidationError::new(p, "entity features are not written in the sql format")
                .expected("output format csv, parquet or jsonl"),
        );
    }
}

pub(super) fn check_sources(cx: &mut Ctx<'_>, ts: &[TablePlan]) {
    let sources = &cx.config.sources;
    if sources.is_empty() {
        return;
    }
    let p = root().key("sources");
    if sources.len() < 2 || sources.len() > 5 {
        cx.push(
            ValidationError::new(p.clone(), "multi-source needs 2 to 5 sources")
                .found(sources.len())
                .expected("0 sources, or 2-5"),
        );
    }
    check_unique(
        cx,
        "source name",
        sources
            .iter()
            .enumerate()
            .map(|(i, s)| (p.index(i).key("name"), s.name.as_str())),
    );
    let unit_dim = ts.iter().find(|t| t.grain == Grain::PerEntity);
    if unit_dim.is_none() {
        cx.push(ValidationError::new(
            p.clone(),
            "multi-source copies need a per-unit dimension",
        ));
    }
    for (i, s) in sources.iter().enumerate() {
        let sp = p.index(i);
        if !is_sql_identifier(&s.name) {
            cx.push(
                ValidationError::new(sp.key("name"), "not a valid source name")
                    .found(format!("`{}`", s.name))
                    .expected(SQL_IDENTIFIER),
            );
        }
        check_range(cx, sp.key("name_drift_rate"), s.name_drift_rate, 0.0, 1.0);
        check_range(
            cx,
            sp.key("attribute_drift_rate"),
            s.attribute_drift_rate,
            0.0,
            1.0,
        );
        if let Some(dim) = unit_dim {
            let copy = format!("{}_{}", dim.name, s.name);
            if table(ts, &copy).is_some() {
                cx.push(ValidationError::new(
                    sp.key("name"),
                    format!("the source copy `{copy}` collides with a table"),
                ));
            }
        }
    }
}

/// Whether values of a column can name partition directories (no floats, structs or arrays).
fn partitionable(c: &ColumnPlan, metrics: &[crate::model::Metric]) -> bool {
    use crate::dsl::column_type::GeoField;
    match &c.ty {
        ColumnType::Struct | ColumnType::Array => false,
        ColumnType::Geo(GeoField::Latitude | GeoField::Longitude) => false,
        ColumnType::Metric(m) => metrics.iter().find(|x| x.name == *m).is_some_and(|x| {
            x.distribution == Some(crate::model::Family::Poisson)
                || (x.distribution.is_none() && x.r#type == crate::model::MetricType::Count)
        }),
        _ => true,
    }
}

pub(super) fn check_settings(cx: &mut Ctx<'_>, ts: &[TablePlan]) {
    let c = cx.config;
    let n = &c.noise;
    let np = root().key("noise");
    check_range(cx, np.key("gaussian_sigma"), n.gaussian_sigma, 0.0, 5.0);
    check_range(cx, np.key("outlier_rate"), n.outlier_rate, 0.0, 1.0);
    check_range(cx, np.key("mcar_rate"), n.mcar_rate, 0.0, 1.0);
    match (n.noise_family, n.degrees_of_freedom) {
        (NoiseFamily::StudentT, None) => cx.push(
            ValidationError::new(
                np.key("degrees_of_freedom"),
                "student_t noise needs `degrees_of_freedom`",
            )
            .expected("a number >= 1"),
        ),
        (NoiseFamily::StudentT, Some(d)) if !(d >= 1.0 && d.is_finite()) => cx.push(
            ValidationError::new(
                np.key("degrees_of_freedom"),
                "degrees of freedom out of range",
            )
            .found(d)
            .expected(">= 1"),
        ),
        (NoiseFamily::Gaussian | NoiseFamily::Laplace, Some(_)) => cx.push(ValidationError::new(
            np.key("degrees_of_freedom"),
            format!(
                "`degrees_of_freedom` applies to student_t noise, not {}",
                n.noise_family
            ),
        )),
        _ => {}
    }
    let o = &c.output;
    let op = root().key("output");
    if o.directory.trim().is_empty() {
        cx.push(ValidationError::new(
            op.key("directory"),
            "the output directory is empty",
        ));
    }
    if o.sql_dialect != SqlDialect::Postgresql && o.format != OutputFormat::Sql {
        cx.push(
            ValidationError::new(
                op.key("sql_dialect"),
                "`sql_dialect` applies to the sql format",
            )
            .found(format!("{} with format {}", o.sql_dialect, o.format)),
        );
    }
    if let Some(col) = &o.partition_by {
        if o.format != OutputFormat::Parquet {
            cx.push(
                ValidationError::new(
                    op.key("partition_by"),
                    "`partition_by` needs format parquet",
                )
                .found(format!("format {}", o.format)),
            );
        }
        {
            let matches: Vec<&ColumnPlan> = ts
                .iter()
                .flat_map(|t| &t.columns)
                .filter(|c| c.name == *col)
                .collect();
            if matches.is_empty() {
                let names: Vec<&str> = ts
                    .iter()
                    .flat_map(|t| t.columns.iter().map(|c| c.name.as_str()))
                    .collect();
                cx.unknown_name(op.key("partition_by"), "column", col, names.iter().copied());
            } else if let Some(bad) = matches
                .iter()
                .find(|c| !partitionable(c, &cx.config.metrics))
            {
                cx.push(
                    ValidationError::new(
                        op.key("partition_by"),
                        "cannot partition by a float, struct or array column",
                    )
                    .found(format!("`{}`", bad.name))
                    .expected("a column of integers, strings, dates or booleans"),
                );
            }
        }
    }
    if c.locale.0.is_empty() {
        cx.push(
            ValidationError::new(root().key("locale"), "no locale given")
                .expected("a locale such as en_US"),
        );
    }
    for (i, l) in c.locale.0.iter().enumerate() {
        let ok = matches!(l.split_once('_'), Some((lang, country))
            if (2..=3).contains(&lang.len()) && lang.bytes().all(|c| c.is_ascii_lowercase())
                && country.len() == 2 && country.bytes().all(|c| c.is_ascii_uppercase()));
        if !ok {
            cx.push(
                ValidationError::new(root().key("locale").index(i), "not a locale name")
                    .found(format!("`{l}`"))
                    .expected("language_COUNTRY, e.g. en_US, fr_FR or fil_PH"),
            );
        }
    }
    if let Some(r) = c.manifest.trajectory_sample_rate
        && !(r > 0.0 && r <= 1.0)
    {
        cx.push(
            ValidationError::new(
                root().key("manifest").key("trajectory_sample_rate"),
                "sample rate out of range",
            )
            .found(r)
            .expected("a number in (0, 1]"),
        );
    }
}
