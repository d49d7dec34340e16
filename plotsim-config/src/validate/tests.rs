//! The resolved parts a config validates to, and where typed errors land.

use crate::Config;
use crate::model::{
    Family, KeyScheme, LinearDirection, OutputFormat, QualityIssueKind, VolumeMode,
};
use crate::plan::{
    ArrivalPlan, FamilyParams, FeaturesPlan, HoldoutPlan, LifecyclePlan, ManifestPlan,
    NoiseDistribution, Plan, QualityPlan, StagePlan, TreatmentPlan, VolumePlan,
};

const BASE: &str = "\
about: test panel
unit: company
window: [2023-01, 2024-12]
metrics:
  - {name: engagement, type: score, polarity: positive}
  - {name: mrr, type: amount, polarity: positive, range: [50, 50000]}
  - {name: tickets, type: count, polarity: negative}
segments:
  - {name: growers, count: 10, archetype: growth}
  - {name: churners, count: 5, archetype: \"flat > decline @ 10\"}
";

fn plan(extra: &str) -> Plan {
    Config::from_yaml_str(&format!("{BASE}{extra}"))
        .expect("loads")
        .validate()
        .expect("valid")
}

/// (path, message) of every error.
fn errors(yaml: &str) -> Vec<(String, String)> {
    Config::from_yaml_str(yaml)
        .expect("loads")
        .validate()
        .expect_err("invalid")
        .errors()
        .iter()
        .map(|e| (e.path.to_string(), e.message.clone()))
        .collect()
}

#[test]
fn base_resolves_defaults() {
    let p = plan("seed: 9\n");
    assert_eq!(
        (p.about.as_str(), p.unit.as_str()),
        ("test panel", "company")
    );
    assert_eq!(p.lifecycle, None);
    assert!(p.seasonality.is_empty());
    assert_eq!(p.seasonality.factors, vec![0.0; 24]);
    assert!(p.quality.is_empty());
    assert_eq!((p.holdout.as_ref(), p.features.as_ref()), (None, None));
    assert_eq!(p.sources, None);
    let s = &p.settings;
    assert_eq!(s.noise.family, NoiseDistribution::Gaussian);
    assert_eq!(s.output.format, OutputFormat::Csv);
    assert_eq!(s.output.directory, "output");
    assert_eq!(
        s.manifest,
        ManifestPlan {
            include: true,
            trajectory_sample_rate: None
        }
    );
    assert_eq!(s.locales, vec!["en_US".to_owned()]);
    assert_eq!(s.seed, Some(9));
    assert!(p.segments.iter().all(|s| s.arrival_plan.is_none()));
    assert!(p.segments.iter().all(|s| s.treatment_plan.is_none()));
    assert_eq!(p.source_config(), &p.config);
}

#[test]
fn lifecycle_holdout_and_features_resolve_to_indices() {
    let p = plan(
        "lifecycle: {track: engagement, stages: [{trial: 0.0}, [active, 0.4], {name: loyal, threshold: 0.8}], enforce_order: true, downgrade_delay: 2}
holdout: {target: mrr, periods: 4}
entity_features: {metrics: [tickets, engagement, mrr], include_labels: false}
",
    );
    // Auto schema: dim_date, dim_company, fct_company (date_key, company_id, metrics).
    assert_eq!(
        p.lifecycle,
        Some(LifecyclePlan {
            track: 0,
            stages: vec![
                StagePlan {
                    name: "trial".into(),
                    threshold: 0.0
                },
                StagePlan {
                    name: "active".into(),
                    threshold: 0.4
                },
                StagePlan {
                    name: "loyal".into(),
                    threshold: 0.8
                },
            ],
            enforce_order: true,
            downgrade_delay: Some(2),
            stage_table: Some(2),
        })
    );
    assert_eq!(
        p.holdout,
        Some(HoldoutPlan {
            target: 1,
            periods: 4,
            min_training_periods: 3,
            cutoff: 20,
            tables: vec![2],
        })
    );
    // Declaration order, without the holdout target.
    assert_eq!(
        p.features,
        Some(FeaturesPlan {
            metrics: vec![0, 2],
            include_labels: false,
            anchor: Some(1),
        })
    );
}

#[test]
fn entity_features_true_takes_every_metric_on_a_fact() {
    let p = plan("entity_features: true\n");
    let f = p.features.expect("features");
    assert_eq!(f.metrics, vec![0, 1, 2]);
    assert!(f.include_labels);
}

#[test]
fn quality_issues_resolve_table_and_column() {
    let p = plan(
        "quality:
  - {table: fct_company, issue: null_injection, rate: 0.1, column: mrr, seed_offset: 4}
  - {table: fct_company, issue: volume_anomaly, rate: 0.2, mode: drop, periods: [3, 5]}
  - {table: fct_company, issue: volume_anomaly, rate: 0.3, mode: spike, period: 7}
  - {table: fct_company, issue: duplicate_rows, rate: 0.05}
",
    );
    assert_eq!(
        p.quality,
        vec![
            QualityPlan {
                kind: QualityIssueKind::NullInjection,
                table: 2,
                column: Some(3),
                rate: 0.1,
                seed_offset: 4,
                volume: None,
            },
            QualityPlan {
                kind: QualityIssueKind::VolumeAnomaly,
                table: 2,
                column: None,
                rate: 0.2,
                seed_offset: 0,
                volume: Some(VolumePlan {
                    mode: VolumeMode::Drop,
                    periods: vec![3, 5]
                }),
            },
            QualityPlan {
                kind: QualityIssueKind::VolumeAnomaly,
                table: 2,
                column: None,
                rate: 0.3,
                seed_offset: 0,
                volume: Some(VolumePlan {
                    mode: VolumeMode::Spike,
                    periods: vec![7]
                }),
            },
            QualityPlan {
                kind: QualityIssueKind::DuplicateRows,
                table: 2,
                column: None,
                rate: 0.05,
                seed_offset: 0,
                volume: None,
            },
        ]
    );
}

#[test]
fn arrival_and_treatment_resolve() {
    let yaml = BASE.replace(
        "  - {name: churners, count: 5, archetype: \"flat > decline @ 10\"}\n",
        "  - name: churners
    count: 5
    archetype: \"flat > decline @ 10\"
    arrival: {kind: linear, start: 2, direction: decreasing}
    treatment: {fraction: 0.5, lift_log_odds: 0.3, start_period: 6, target_metric: tickets}
  - name: late
    count: 3
    archetype: growth
    arrival: {kind: uniform, start: 1, end: 9}
    treatment: {fraction: 0.2, lift_log_odds: -0.1}
",
    );
    let p = Config::from_yaml_str(&yaml).unwrap().validate().unwrap();
    let churners = &p.segments[1];
    // The default end is max(1, n_periods - 2) = 22.
    assert_eq!(
        churners.arrival_plan,
        Some(ArrivalPlan::Linear {
            start: 2,
            end: 22,
            direction: LinearDirection::Decreasing
        })
    );
    assert_eq!(
        churners.treatment_plan,
        Some(TreatmentPlan {
            fraction: 0.5,
            lift_log_odds: 0.3,
            start_period: 6,
            treatment_label: "treatment".into(),
            control_label: "control".into(),
            target: Some(2),
        })
    );
    let late = &p.segments[2];
    assert_eq!(
        late.arrival_plan,
        Some(ArrivalPlan::Uniform { start: 1, end: 9 })
    );
    assert_eq!(late.treatment_plan.as_ref().map(|t| t.target), Some(None));
}

#[test]
fn seasonality_factors_sum_per_period() {
    let p = plan(
        "seasonality:\n  - {months: [12, 1], strength: 0.5}\n  - {months: [1], strength: 0.25}\n",
    );
    let f = &p.seasonality.factors;
    assert_eq!(f.len(), 24);
    assert_eq!(f[0], 0.75); // 2023-01
    assert_eq!(f[1], 0.0); // 2023-02
    assert_eq!(f[11], 0.5); // 2023-12
    assert_eq!(f[12], 0.75); // 2024-01
    assert_eq!(p.seasonality.effects.len(), 2);
}

#[test]
fn weekly_seasonality_takes_the_first_day_for_a_straddling_week() {
    // 2023-03-01 is a Wednesday: period 0 starts on Monday 2023-02-27.
    let yaml = BASE.replace(
        "window: [2023-01, 2024-12]",
        "window: {start: 2023-03-01, end: 2023-05-31, every: weekly}",
    ) + "seasonality: [{months: [2], strength: 1.0}, {months: [3], strength: 0.5}]\n";
    let p = Config::from_yaml_str(&yaml).unwrap().validate().unwrap();
    assert_eq!(p.seasonality.factors[0], 0.5);
    assert_eq!(p.seasonality.factors.len() as u32, p.window.n_periods);
}

#[test]
fn settings_and_sources_resolve() {
    let p = plan(
        "noise: {gaussian_sigma: 0.1, noise_family: student_t, degrees_of_freedom: 4}
output: {format: parquet, directory: out, partition_by: company_id}
locale: [en_US, fr_FR]
manifest: {trajectory_sample_rate: 0.5}
sources:
  - {name: crm, key_scheme: numeric}
  - {name: billing, name_drift_rate: 0.1}
",
    );
    let s = &p.settings;
    assert_eq!(
        s.noise.family,
        NoiseDistribution::StudentT {
            degrees_of_freedom: 4.0
        }
    );
    assert_eq!(s.noise.gaussian_sigma, 0.1);
    assert_eq!(s.output.format, OutputFormat::Parquet);
    assert_eq!(s.output.partition_by.as_deref(), Some("company_id"));
    assert_eq!(s.locales, vec!["en_US".to_owned(), "fr_FR".to_owned()]);
    assert_eq!(s.manifest.trajectory_sample_rate, Some(0.5));
    assert_eq!(s.seed, None);
    let src = p.sources.expect("sources");
    assert_eq!(src.unit_dim, 1);
    let names: Vec<(&str, &str, KeyScheme)> = src
        .sources
        .iter()
        .map(|s| (s.name.as_str(), s.table.as_str(), s.key_scheme))
        .collect();
    assert_eq!(
        names,
        vec![
            ("crm", "dim_company_crm", KeyScheme::Numeric),
            ("billing", "dim_company_billing", KeyScheme::PrefixPadded),
        ]
    );
    assert_eq!(src.sources[1].name_drift_rate, 0.1);
}

#[test]
fn window_errors_map_to_their_field() {
    let window = |w: &str| errors(&BASE.replace("window: [2023-01, 2024-12]", w));
    assert_eq!(
        window("window: [2023-13, 2024-12]"),
        vec![(
            "window.start".to_owned(),
            "month 13 is outside 1-12".to_owned()
        )]
    );
    assert_eq!(
        window("window: [2023-01, 2024-1]"),
        vec![(
            "window.end".to_owned(),
            "`2024-1` is not a date; expected YYYY-MM or YYYY-MM-DD".to_owned()
        )]
    );
    assert_eq!(
        window("window: [2024-01, 2023-12]"),
        vec![(
            "window".to_owned(),
            "the window ends (2023-12) before it starts (2024-01)".to_owned()
        )]
    );
}

#[test]
fn family_params_are_typed_numbers() {
    let p = plan("");
    let typed: Vec<FamilyParams> = p.metrics.iter().map(|m| m.family_params).collect();
    assert_eq!(
        typed,
        vec![
            FamilyParams::Beta {
                alpha: 2.0,
                beta: 5.0,
                scale: 1.0
            },
            FamilyParams::Lognorm {
                s: 0.85,
                loc: 0.0,
                scale: 25025.0
            },
            FamilyParams::Poisson {
                lambda: 5.0,
                dispersion: 0.0
            },
        ]
    );
    for m in &p.metrics {
        assert_eq!(m.family_params.family(), m.family);
    }
    let yaml = BASE.replace(
        "{name: tickets, type: count, polarity: negative}",
        "{name: tickets, type: amount, polarity: negative, range: [0, 90], distribution: weibull, distribution_params: {shape: 1.5}}",
    );
    let p = Config::from_yaml_str(&yaml).unwrap().validate().unwrap();
    assert_eq!(p.metrics[2].family, Family::Weibull);
    assert_eq!(
        p.metrics[2].family_params,
        FamilyParams::Weibull {
            shape: 1.5,
            scale: 1.0
        }
    );
}

#[test]
fn outliers_need_a_numeric_column_and_whole_row_issues_take_none() {
    let yaml = format!(
        "{BASE}dimensions:
  - {{name: dim_company, per: unit, columns: [{{name: company_id, type: id}}]}}
facts:
  - name: fct_company
    columns:
      - {{name: date_key, type: ref.dim_date}}
      - {{name: company_id, type: ref.dim_company}}
      - {{name: mrr, type: metric.mrr}}
      - {{name: plan, type: \"static.basic,pro\"}}
quality:
  - {{table: fct_company, issue: outliers, rate: 0.1, column: plan}}
  - {{table: fct_company, issue: outliers, rate: 0.1, column: mrr}}
  - {{table: fct_company, issue: duplicate_rows, rate: 0.1, column: mrr}}
  - {{table: fct_company, issue: outliers, rate: 0.1, column: \"*\"}}
"
    );
    let errs = errors(&yaml);
    assert_eq!(
        errs,
        vec![
            (
                "quality[0].column".to_owned(),
                "outliers need a numeric column".to_owned()
            ),
            (
                "quality[2].column".to_owned(),
                "`duplicate_rows` affects whole rows; drop `column`".to_owned()
            ),
        ]
    );
}
