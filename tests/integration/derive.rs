//! `#[derive(plotsim::Generator)]` end to end: the derived route equals the
//! YAML route byte for byte, rows are deterministic across threads, plans
//! that do not fit are refused, and a property test over generated panels.

use std::collections::BTreeMap;
use std::path::Path;

use plotsim::proptest::panels;
use plotsim::{Config, Generator, OutputFormat, RunOptions};
use proptest::prelude::*;

/// Subscription companies.
#[derive(plotsim::Generator, Debug, Clone, PartialEq)]
#[plotsim(
    unit = "company",
    window(start = "2023-01", end = "2024-12", every = "monthly"),
    seed = 1729
)]
#[segment(name = "promising", count = 20, archetype = "growth")]
#[segment(
    name = "churners",
    count = 10,
    archetype = "flat > decline @ 10",
    seasonal_sensitivity = 0.5
)]
#[connection("mrr driven_by engagement")]
#[connection(metric_a = "support_tickets", metric_b = "engagement", coefficient = -0.3)]
#[seasonality(months = [11, 12], strength = 0.25)]
struct CompanyMonth {
    #[entity]
    company_id: String,
    #[period]
    month: plotsim::Period,
    #[segment_name]
    segment: String,
    #[metric(type = "score", polarity = "positive")]
    engagement: f64,
    #[metric(type = "amount", polarity = "positive", range = [50, 50000])]
    mrr: f64,
    #[metric(
        type = "count",
        polarity = "negative",
        follows = "engagement",
        delay = 2
    )]
    support_tickets: u32,
}

/// The same panel written as YAML.
const COMPANY_YAML: &str = r#"
about: Subscription companies.
unit: company
window: {start: 2023-01, end: 2024-12, every: monthly}
metrics:
  - {name: engagement, type: score, polarity: positive}
  - {name: mrr, type: amount, polarity: positive, range: [50, 50000]}
  - {name: support_tickets, type: count, polarity: negative, follows: engagement, delay: 2}
segments:
  - {name: promising, count: 20, archetype: growth}
  - {name: churners, count: 10, archetype: "flat > decline @ 10", seasonal_sensitivity: 0.5}
connections:
  - "mrr driven_by engagement"
  - {metric_a: support_tickets, metric_b: engagement, coefficient: -0.3}
seasonality:
  - {months: [11, 12], strength: 0.25}
seed: 1729
"#;

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect()
}

#[test]
fn derived_config_is_the_yaml_config() {
    let yaml = Config::from_yaml_str(COMPANY_YAML).unwrap();
    assert_eq!(CompanyMonth::config().to_yaml(), yaml.to_yaml());
    assert_eq!(CompanyMonth::config().seed, Some(1729));
}

#[test]
fn derived_rows_equal_the_yaml_fact_bit_for_bit() {
    let plan = Config::from_yaml_str(COMPANY_YAML)
        .unwrap()
        .validate()
        .unwrap();
    let data = plotsim::generate_with(&plan, Some(7), 64).unwrap();
    let fct = data.table("fct_company").unwrap();
    let rows = CompanyMonth::generate(7);
    assert_eq!(rows.len(), fct.rows());
    let text = |name: &str| fct.column(name).unwrap().texts();
    let floats = |name: &str| match fct.column(name).unwrap() {
        plotsim::tables::ColumnData::Float(v) => v.iter().map(|x| x.unwrap().to_bits()).collect(),
        other => panic!("{name}: {other:?}"),
    };
    let ints = |name: &str| match fct.column(name).unwrap() {
        plotsim::tables::ColumnData::Int(v) => v.iter().map(|x| *x.unwrap()).collect::<Vec<_>>(),
        other => panic!("{name}: {other:?}"),
    };
    let keys = text("company_id");
    let dates = ints("date_key");
    let engagement: Vec<u64> = floats("engagement");
    let mrr: Vec<u64> = floats("mrr");
    let tickets = ints("support_tickets");
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(Some(&r.company_id), keys[i].as_ref(), "row {i}");
        assert_eq!(i64::from(r.month.date_key()), dates[i], "row {i}");
        assert_eq!(r.engagement.to_bits(), engagement[i], "row {i}");
        assert_eq!(r.mrr.to_bits(), mrr[i], "row {i}");
        assert_eq!(i64::from(r.support_tickets), tickets[i], "row {i}");
    }
    assert_eq!(rows[0].segment, "promising");
    assert_eq!(rows.last().unwrap().segment, "churners");
}

#[test]
fn derived_dataset_writes_the_same_files_as_running_the_yaml() {
    let dir = tempfile::tempdir().unwrap();
    let derived = CompanyMonth::dataset(99)
        .write(dir.path().join("derived"), OutputFormat::Csv)
        .unwrap();
    let plan = Config::from_yaml_str(COMPANY_YAML)
        .unwrap()
        .validate()
        .unwrap();
    let mut opts = RunOptions::new(dir.path().join("yaml"), &plan);
    opts.seed = Some(99);
    plotsim::run(&plan, &opts).unwrap();
    let (a, b) = (files(&derived), files(&dir.path().join("yaml")));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (name, bytes) in &a {
        assert!(
            bytes == &b[name],
            "{name} differs between the derive and the YAML route"
        );
    }
    assert!(a.contains_key("fct_company.csv") && a.contains_key("manifest.json"));
}

#[test]
fn seed_argument_wins_and_rows_do_not_depend_on_threads() {
    let pool = |n| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .unwrap()
    };
    let one = pool(1).install(|| CompanyMonth::generate(5));
    let two = pool(2).install(|| CompanyMonth::iter(5).collect::<Vec<_>>());
    assert_eq!(one, two);
    assert_ne!(one, CompanyMonth::generate(6));
    assert_eq!(CompanyMonth::generate(1729), CompanyMonth::generate(1729));
}

#[test]
fn iter_streams_in_fact_order() {
    let mut it = CompanyMonth::iter(3);
    let (lo, hi) = it.size_hint();
    assert_eq!((lo, hi), (0, Some(30 * 24)));
    let first: Vec<_> = it.by_ref().take(25).collect();
    assert_eq!(first[0].company_id, "c-001");
    assert_eq!(first[23].month.to_string(), "2024-12");
    assert_eq!(first[24].company_id, "c-002");
    assert_eq!(it.count(), 30 * 24 - 25);
}

/// Rows that need only the engagement metric.
#[derive(plotsim::Generator, Debug)]
#[plotsim(unit = "company", window(start = "2023-01", end = "2024-12"))]
#[segment(name = "all", count = 5, archetype = "growth")]
struct EngagementOnly {
    #[entity]
    company: String,
    #[period]
    month: plotsim::Period,
    #[metric(type = "score", polarity = "positive")]
    engagement: f64,
}

#[test]
fn rows_from_another_plan_map_fields_by_name() {
    // The company config has engagement among three metrics; with late
    // arrivals, rows exist only for active periods, as in the fact.
    let mut config = Config::from_yaml_str(COMPANY_YAML).unwrap();
    config.segments[1].arrival = Some(plotsim::Arrival::Uniform {
        start: 0,
        end: Some(20),
    });
    let plan = config.validate().unwrap();
    let rows = EngagementOnly::generate_from(&plan, 4).unwrap();
    let fct_rows = plotsim::generate_with(&plan, Some(4), 256)
        .unwrap()
        .table("fct_company")
        .unwrap()
        .rows();
    assert_eq!(rows.len(), fct_rows);
    assert!(rows.len() < 30 * 24);
    assert!(rows.iter().all(|r| (0.0..=1.0).contains(&r.engagement)));
    let _ = (&rows[0].company, rows[0].month);
}

#[test]
fn plans_that_do_not_fit_are_refused() {
    // No metric of the field's name.
    let other = Config::from_yaml_str(&COMPANY_YAML.replace("engagement", "activity"))
        .unwrap()
        .validate()
        .unwrap();
    let e = EngagementOnly::generate_from(&other, 1).unwrap_err();
    assert!(
        e.to_string().contains("field `engagement` has no metric"),
        "{e}"
    );
    // A count where the struct has a float.
    let count = Config::from_yaml_str(&COMPANY_YAML.replace(
        "{name: engagement, type: score, polarity: positive}",
        "{name: engagement, type: count, polarity: positive}",
    ))
    .unwrap()
    .validate()
    .unwrap();
    let e = EngagementOnly::generate_from(&count, 1).unwrap_err();
    assert!(e.to_string().contains("declared `score`"), "{e}");
    // Noise that nulls values, and a field that cannot hold a null.
    let mut messy = Config::from_yaml_str(COMPANY_YAML).unwrap();
    messy.noise = plotsim::NoisePreset::Realistic.into();
    let e = EngagementOnly::generate_from(&messy.validate().unwrap(), 1).unwrap_err();
    assert!(e.to_string().contains("not an `Option`"), "{e}");
}

/// Messy weekly shops: nulls, labels, parameters, decay, every connection form.
#[derive(plotsim::Generator, Debug, PartialEq)]
#[plotsim(about = "Messy shops", unit = "shop", window = ["2024-01-01", "2024-06-30", "weekly"], noise = "realistic", seed = 3)]
#[segment(name = "open", count = 6, archetype = "growth > flat @ 10", label = "Opened", seasonal_sensitivity = -0.0)]
#[segment(name = "closing", count = 4, archetype = "decline")]
#[connection("sales", 0.5, "visits")]
#[connection("returns", "resists", "sales")]
#[connection(metric_a = "rating", metric_b = "visits", relationship = "related")]
#[seasonality(months = [3], strength = -0.2)]
struct ShopWeek {
    #[entity]
    shop: String,
    #[period]
    week: plotsim::Period,
    #[metric(type = "count", polarity = "positive", label = "Visits")]
    visits: Option<u32>,
    #[metric(type = "amount", polarity = "positive", range = [10, 900], distribution = "gamma", params(shape = 2.5))]
    sales: Option<f64>,
    #[metric(
        type = "count",
        polarity = "negative",
        follows = "sales",
        delay = 2,
        decay_window = 3,
        decay_kernel = "linear"
    )]
    returns: Option<i16>,
    #[metric(type = "index", polarity = "positive", range = [-5, 5], seasonal_sensitivity = 0.5)]
    rating: Option<f32>,
}

const SHOP_YAML: &str = r#"
about: Messy shops
unit: shop
window: [2024-01-01, 2024-06-30, weekly]
noise: realistic
metrics:
  - {name: visits, type: count, polarity: positive, label: Visits}
  - {name: sales, type: amount, polarity: positive, range: [10, 900], distribution: gamma, distribution_params: {shape: 2.5}}
  - {name: returns, type: count, polarity: negative, follows: sales, delay: 2, decay_window: 3, decay_kernel: linear}
  - {name: rating, type: index, polarity: positive, range: [-5, 5], seasonal_sensitivity: 0.5}
segments:
  - {name: open, count: 6, archetype: "growth > flat @ 10", label: Opened, seasonal_sensitivity: -0.0}
  - {name: closing, count: 4, archetype: decline}
connections:
  - [sales, 0.5, visits]
  - [returns, resists, sales]
  - {metric_a: rating, metric_b: visits, relationship: related}
seasonality:
  - {months: [3], strength: -0.2}
seed: 3
"#;

#[test]
fn messy_derived_rows_equal_the_yaml_fact_with_nulls() {
    let yaml = Config::from_yaml_str(SHOP_YAML).unwrap();
    assert_eq!(ShopWeek::config().to_yaml(), yaml.to_yaml());
    let data = plotsim::generate_with(&yaml.validate().unwrap(), Some(11), 3).unwrap();
    let fct = data.table("fct_shop").unwrap();
    let rows = ShopWeek::generate(11);
    assert_eq!(rows.len(), fct.rows());
    let col = |name: &str| fct.column(name).unwrap();
    let as_f64 = |c: &plotsim::tables::ColumnData, i: usize| c.f64_at(i);
    let mut nulls = 0;
    for (i, r) in rows.iter().enumerate() {
        let fields = [
            r.visits.map(f64::from),
            r.sales,
            r.returns.map(f64::from),
            r.rating.map(f64::from),
        ];
        for (name, v) in ["visits", "sales", "returns", "rating"].iter().zip(fields) {
            let expected = as_f64(col(name), i);
            // `rating` is an f32 field: compare at f32 precision.
            let expected = if *name == "rating" {
                expected.map(|x| f64::from(x as f32))
            } else {
                expected
            };
            assert_eq!(
                v.map(f64::to_bits),
                expected.map(f64::to_bits),
                "{name} row {i}"
            );
            nulls += usize::from(v.is_none());
        }
    }
    assert!(nulls > 0, "the realistic preset nulls some values");
}

/// A tiny churn model: how much an entity's engagement fell from its first
/// to its last quarter of the window.
fn churn_score(engagement: &[f64]) -> f64 {
    let q = (engagement.len() / 4).max(1);
    let mean = |s: &[f64]| s.iter().sum::<f64>() / s.len() as f64;
    mean(&engagement[..q]) - mean(&engagement[engagement.len() - q..])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// Whatever the seed and segment sizes, the churn score ranks every
    /// declining company above every growing one.
    #[test]
    fn churn_score_ranks_decliners_above_growers(panel in panels::<CompanyMonth>()) {
        let mut by_company: BTreeMap<&str, (&str, Vec<f64>)> = BTreeMap::new();
        for r in &panel.rows {
            by_company
                .entry(&r.company_id)
                .or_insert_with(|| (&r.segment, Vec::new()))
                .1
                .push(r.engagement);
        }
        prop_assert_eq!(by_company.len() as u64, panel.entities());
        let scores = |segment: &str| -> Vec<f64> {
            by_company
                .values()
                .filter(|(s, _)| *s == segment)
                .map(|(_, e)| churn_score(e))
                .collect()
        };
        let (growers, churners) = (scores("promising"), scores("churners"));
        prop_assert!(!growers.is_empty() && !churners.is_empty());
        let lowest_churner = churners.iter().copied().fold(f64::INFINITY, f64::min);
        let highest_grower = growers.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        prop_assert!(
            lowest_churner > highest_grower,
            "churners {:?} vs growers {:?}", churners, growers
        );
    }
}

/// Two segments, no connections (no calibration): cheap panels to shrink.
#[derive(plotsim::Generator)]
#[plotsim(unit = "shop", window(start = "2024-01", end = "2024-06"))]
#[segment(name = "big", count = 12, archetype = "growth")]
#[segment(name = "small", count = 6, archetype = "decline")]
struct ShopMonth {
    #[entity]
    shop: String,
    #[period]
    month: plotsim::Period,
    #[metric(type = "count", polarity = "positive")]
    orders: u32,
}

#[test]
fn failing_panels_shrink_to_the_fewest_entities() {
    use proptest::test_runner::{
        Config as RunnerConfig, RngAlgorithm, TestError, TestRng, TestRunner,
    };
    let config = RunnerConfig {
        cases: 32,
        failure_persistence: None,
        ..RunnerConfig::default()
    };
    let rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    let mut runner = TestRunner::new_with_rng(config, rng);
    // Fails for every panel of 8 entities or more (segments of 1..=12 and 1..=6).
    let result = runner.run(&panels::<ShopMonth>(), |panel| {
        prop_assert!(
            panel
                .rows
                .iter()
                .all(|r| !r.shop.is_empty() && r.month.index() < 6 && r.orders < u32::MAX)
        );
        prop_assert!(panel.entities() < 8);
        Ok(())
    });
    match result {
        Err(TestError::Fail(_, panel)) => {
            assert_eq!(panel.entities(), 8, "{panel:?}");
            assert!(panel.segment_counts.iter().all(|(_, c)| *c >= 1));
            assert_eq!(panel.rows.len(), 8 * 6);
        }
        other => panic!("expected a shrunk failure, got {other:?}"),
    }
}

/// `panels_with` bounds counts, periods and seeds; a failure shrinks counts
/// and periods to the smallest failing panel and keeps its seed.
#[test]
fn bounded_panels_shrink_counts_and_periods_but_not_the_seed() {
    use plotsim::proptest::{PanelOptions, panels_with};
    use proptest::test_runner::{
        Config as RunnerConfig, RngAlgorithm, TestError, TestRng, TestRunner,
    };
    let config = RunnerConfig {
        cases: 32,
        failure_persistence: None,
        ..RunnerConfig::default()
    };
    let options = PanelOptions {
        counts: Some(1..=5),
        periods: Some(2..=6),
        seeds: Some(100..=199),
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    let first_seed = std::cell::Cell::new(None);
    // Fails once a panel has 3 or more periods and 3 or more entities.
    let result = runner.run(&panels_with::<ShopMonth>(options), |panel| {
        assert!((100..=199).contains(&panel.seed) && (2..=6).contains(&panel.periods));
        assert_eq!(
            panel.rows.len() as u64,
            panel.entities() * u64::from(panel.periods)
        );
        let fails = panel.periods >= 3 && panel.entities() >= 3;
        if fails && first_seed.get().is_none() {
            first_seed.set(Some(panel.seed));
        }
        prop_assert!(!fails);
        Ok(())
    });
    match result {
        Err(TestError::Fail(_, panel)) => {
            assert_eq!((panel.entities(), panel.periods), (3, 3), "{panel:?}");
            assert_eq!(
                Some(panel.seed),
                first_seed.get(),
                "the seed does not shrink"
            );
        }
        other => panic!("expected a shrunk failure, got {other:?}"),
    }
}

// Every segment and config block in the derive: `#[segments(...)]` with
// baseline, arrival, treatment and attributes; `#[connections(...)]`;
// lifecycle, variation, realism and the correlation target in
// `#[plotsim(...)]`.
/// Accounts with every block.
#[derive(plotsim::Generator, Debug, Clone, PartialEq)]
#[plotsim(
    unit = "account",
    window(start = "2023-01", end = "2024-12"),
    seed = 5,
    correlation_target = "within_entity",
    realism(range = "truncate", joins = "continuous"),
    variation(timing = 2, amplitude = 0.2, level = 0.05),
    lifecycle(
        track = "engagement",
        stages(trial = 0.0, active = 0.35, power = 0.7),
        enforce_order,
        downgrade_delay = 2
    )
)]
#[segments(
    enterprise(
        count = 6,
        archetype = "growth",
        label = "High value",
        baseline(mrr = "high", engagement = "mid"),
        attributes(region = ["na", "emea"], tier = "gold"),
        treatment(fraction = 0.5, lift_log_odds = 0.4, start_period = 6, target_metric = "engagement")
    ),
    starter(
        count = 8,
        archetype = "flat > decline @ 12",
        seasonal_sensitivity = 0.5,
        baseline(mrr = "low"),
        arrival(kind = "linear", start = 0, end = 12, direction = "decreasing")
    ),
    pilots(
        count = 4,
        archetype = "accelerating",
        arrival(kind = "step", blocks = [[0, 0.5], [6, 0.5]])
    )
)]
#[connections("mrr driven_by engagement", "tickets -0.3 engagement")]
struct AccountMonth {
    #[entity]
    account: String,
    #[period]
    month: plotsim::Period,
    #[segment_name]
    segment: String,
    #[metric(type = "score", polarity = "positive")]
    engagement: f64,
    #[metric(type = "amount", polarity = "positive", range = [50, 50000])]
    mrr: f64,
    #[metric(type = "count", polarity = "negative")]
    tickets: u32,
}

const ACCOUNT_YAML: &str = r#"
about: Accounts with every block.
unit: account
window: {start: 2023-01, end: 2024-12}
seed: 5
correlation_target: within_entity
realism: {range: truncate, joins: continuous}
variation: {timing: 2, amplitude: 0.2, level: 0.05}
lifecycle:
  track: engagement
  stages: [{trial: 0.0}, {active: 0.35}, {power: 0.7}]
  enforce_order: true
  downgrade_delay: 2
metrics:
  - {name: engagement, type: score, polarity: positive}
  - {name: mrr, type: amount, polarity: positive, range: [50, 50000]}
  - {name: tickets, type: count, polarity: negative}
segments:
  - name: enterprise
    count: 6
    archetype: growth
    label: High value
    baseline: {mrr: high, engagement: mid}
    attributes: {region: [na, emea], tier: gold}
    treatment: {fraction: 0.5, lift_log_odds: 0.4, start_period: 6, target_metric: engagement}
  - name: starter
    count: 8
    archetype: "flat > decline @ 12"
    seasonal_sensitivity: 0.5
    baseline: {mrr: low}
    arrival: {kind: linear, start: 0, end: 12, direction: decreasing}
  - name: pilots
    count: 4
    archetype: accelerating
    arrival: {kind: step, blocks: [{period: 0, fraction: 0.5}, {period: 6, fraction: 0.5}]}
connections:
  - "mrr driven_by engagement"
  - "tickets -0.3 engagement"
"#;

#[test]
fn every_block_in_the_derive_is_the_yaml_config() {
    let yaml = Config::from_yaml_str(ACCOUNT_YAML).unwrap();
    assert_eq!(AccountMonth::config().to_yaml(), yaml.to_yaml());
    assert_eq!(AccountMonth::config(), yaml);
    // The blocks act: the high-value segment's revenue sits above the
    // starters', late arrivals have fewer rows, and the derived rows equal
    // the YAML route's fact.
    let rows = AccountMonth::generate(5);
    let data = plotsim::generate_with(&yaml.validate().unwrap(), Some(5), 1).unwrap();
    let fct = data.table("fct_account").unwrap();
    assert_eq!(rows.len(), fct.rows());
    let mrr = fct.column("mrr").unwrap();
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(Some(r.mrr), mrr.f64_at(i), "row {i}");
    }
    let mean = |seg: &str| {
        let v: Vec<f64> = rows
            .iter()
            .filter(|r| r.segment == seg)
            .map(|r| r.mrr)
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    // baseline: enterprise revenue in the upper third of [50, 50000], the
    // starters' in the lower third.
    assert!(mean("enterprise") > 33_000.0, "{}", mean("enterprise"));
    assert!(mean("starter") < 17_000.0, "{}", mean("starter"));
    // arrival: two pilots from period 0, two from period 6; starters
    // arrive over the first year (earlier ones more likely).
    let count = |seg: &str| rows.iter().filter(|r| r.segment == seg).count();
    assert_eq!(count("pilots"), 2 * 24 + 2 * 18);
    assert!(count("starter") < 8 * 24 && count("starter") > 8 * 12);
    assert_eq!(count("enterprise"), 6 * 24);
}
