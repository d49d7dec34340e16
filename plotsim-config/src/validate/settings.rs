//! Rules for the run settings (`noise`, `output`, `locale`, `manifest`),
//! including the rules that combine them with the tables.

use super::{Ctx, check_range, root};
use crate::dsl::column_type::ColumnType;
use crate::error::ValidationError;
use crate::model::{NoiseFamily, OutputFormat, SqlDialect};
use crate::plan::{
    ColumnPlan, ManifestPlan, NoiseDistribution, NoisePlan, OutputPlan, Settings, TablePlan,
};

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

/// Checks the run settings; `None` when they have errors.
pub(super) fn check_settings(cx: &mut Ctx<'_>, ts: &[TablePlan]) -> Option<Settings> {
    let c = cx.config;
    let before = cx.errors.len();
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
    if cx.errors.len() != before {
        return None;
    }
    let family = match (n.noise_family, n.degrees_of_freedom) {
        (NoiseFamily::Gaussian, _) => NoiseDistribution::Gaussian,
        (NoiseFamily::Laplace, _) => NoiseDistribution::Laplace,
        (NoiseFamily::StudentT, d) => NoiseDistribution::StudentT {
            degrees_of_freedom: d?,
        },
    };
    Some(Settings {
        noise: NoisePlan {
            gaussian_sigma: n.gaussian_sigma,
            outlier_rate: n.outlier_rate,
            mcar_rate: n.mcar_rate,
            scale_with_trajectory: n.scale_with_trajectory,
            family,
        },
        output: OutputPlan {
            format: o.format,
            directory: o.directory.clone(),
            cell_budget: o.cell_budget,
            denormalized: o.denormalized,
            partition_by: o.partition_by.clone(),
            sql_dialect: o.sql_dialect,
        },
        manifest: ManifestPlan {
            include: c.manifest.include,
            trajectory_sample_rate: c.manifest.trajectory_sample_rate,
        },
        locales: c.locale.0.clone(),
        seed: c.seed,
        realism: c.realism,
    })
}
