//! `trace_metric_cell` explains the cell the run wrote: for random (entity,
//! period, metric) cells of a config with treatment, late arrival, a lag,
//! seasonality, correlations, per-entity variation, outliers and MCAR
//! nulls, the traced value is
//! the value in the written fact file.

#![allow(missing_docs, clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::OnceLock;

use plotsim::{Config, Plan, RunOptions, Tracer};
use proptest::prelude::*;

const YAML: &str = "\
about: trace
unit: shop
seed: 99
window: [2023-01, 2024-12]
noise: {gaussian_sigma: 0.05, outlier_rate: 0.05, mcar_rate: 0.05}
variation: {timing: 2, amplitude: 0.3, level: 0.1, noise: 0.5, blend: 0.5}
seasonality:
  - {months: [11, 12], strength: 0.3}
metrics:
  - {name: visits, type: count, polarity: positive}
  - {name: revenue, type: amount, polarity: positive, range: [10, 900]}
  - {name: rating, type: score, polarity: positive, follows: visits, delay: 2}
  - {name: churn, type: score, polarity: negative}
connections:
  - revenue driven_by visits
  - churn opposes rating
segments:
  - name: early
    count: 30
    archetype: growth
    treatment: {fraction: 0.5, lift_log_odds: 1.5, start_period: 6}
  - name: late
    count: 20
    archetype: \"flat > decline @ 12\"
    arrival: {kind: uniform, start: 3, end: 15}
    treatment: {fraction: 0.4, lift_log_odds: -1.0, start_period: 4, target_metric: revenue}
";

struct Written {
    plan: &'static Plan,
    tracer: Tracer<'static>,
    /// (entity key, date_key) -> the fact row's fields.
    rows: HashMap<(String, String), Vec<String>>,
    header: Vec<String>,
    date_keys: Vec<String>,
}

fn written() -> &'static Written {
    static W: OnceLock<Written> = OnceLock::new();
    W.get_or_init(|| {
        let plan: &'static Plan = Box::leak(Box::new(
            Config::from_yaml_str(YAML).unwrap().validate().unwrap(),
        ));
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        plotsim::run(plan, &RunOptions::new(&dir, plan)).unwrap();
        let fact = std::fs::read_to_string(dir.join("fct_shop.csv")).unwrap();
        let mut lines = fact.lines();
        let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
        let rows = lines
            .map(|l| {
                let f: Vec<String> = l.split(',').map(String::from).collect();
                ((f[1].clone(), f[0].clone()), f)
            })
            .collect();
        let dates = std::fs::read_to_string(dir.join("dim_date.csv")).unwrap();
        let date_keys = dates
            .lines()
            .skip(1)
            .map(|l| l.split(',').next().unwrap().to_owned())
            .collect();
        Written {
            plan,
            tracer: Tracer::new(plan, 99).unwrap(),
            rows,
            header,
            date_keys,
        }
    })
}

/// The CSV text of a traced value (4 decimals for floats, integers as is).
fn as_csv(v: Option<f64>, integer: bool) -> String {
    match v {
        None => String::new(),
        Some(x) if integer => format!("{}", x as i64),
        Some(x) => format!("{x:.4}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn trace_equals_the_written_cell(entity in 0u64..50, period in 0usize..24, metric in 0usize..4) {
        let w = written();
        let key = format!("s-{:03}", entity + 1);
        let name = &w.plan.metrics[metric].name;
        let row = w.rows.get(&(key.clone(), w.date_keys[period].clone()));
        match w.tracer.trace(&key, period, name) {
            Ok(t) => {
                let row = row.expect("a traced cell has a row");
                let col = w.header.iter().position(|h| h == name).unwrap();
                let integer = w.plan.metrics[metric].is_integer();
                prop_assert_eq!(as_csv(t.realized_cell, integer), row[col].clone(), "{:?}", t);
                prop_assert_eq!(t.mcar_fired, t.realized_cell.is_none());
            }
            // Only a period before the entity's arrival has no trace, and no row.
            Err(e) => {
                prop_assert!(e.to_string().contains("arrives at period"), "{}", e);
                prop_assert!(row.is_none());
            }
        }
    }
}

#[test]
fn treated_lagged_outlier_and_null_cells_are_traced() {
    // Scan the traces until each special case has been seen (and checked
    // against the file by the same comparison).
    let w = written();
    let mut seen = [false; 5];
    for entity in 0..50u64 {
        let key = format!("s-{:03}", entity + 1);
        for period in 0..24 {
            for (m, metric) in w.plan.metrics.iter().enumerate() {
                let Ok(t) = w.tracer.trace(&key, period, &metric.name) else {
                    continue;
                };
                let row = &w.rows[&(key.clone(), w.date_keys[period].clone())];
                let col = w.header.iter().position(|h| *h == metric.name).unwrap();
                assert_eq!(as_csv(t.realized_cell, metric.is_integer()), row[col]);
                seen[0] |= t.treatment.as_ref().is_some_and(|x| x.applied);
                seen[1] |= t.lag.is_some() && t.effective_position != t.trajectory_position;
                seen[2] |= t.outlier_fired;
                seen[3] |= t.mcar_fired;
                seen[4] |= t.clamped != 0 && m == 1;
            }
        }
        if seen.iter().all(|&s| s) {
            return;
        }
    }
    panic!("not every case was traced: {seen:?}");
}

#[test]
fn trace_names_every_bad_argument() {
    let w = written();
    // The one-call form checks its arguments like the tracer.
    let e = plotsim::trace_metric_cell(w.plan, 99, "s-999", 40, "visitz")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("entity: no entity `s-999`; expected a key s-001..s-050"),
        "{e}"
    );
    assert!(
        e.contains("metric: no metric `visitz`; expected one of visits, revenue, rating, churn"),
        "{e}"
    );
    assert!(
        e.contains("period: 40 is outside the window; expected an index 0..=23"),
        "{e}"
    );
    // A manifest name works as well as a key.
    let by_name = w.tracer.trace("early_0004", 9, "revenue").unwrap();
    let by_key = plotsim::trace_metric_cell(w.plan, 99, "s-005", 9, "revenue").unwrap();
    assert_eq!(by_name, by_key);
}
