//! The ML workflow of the seed page on the in-memory dataset and the written
//! files: entity features over the training window, the holdout split, and
//! a classifier on the features that beats the majority baseline.

#![allow(missing_docs, clippy::unwrap_used)]

use std::collections::BTreeMap;

use plotsim::tables::{ColumnData, Table};
use plotsim::{Config, Dataset, Plan};

fn plan(extra: &str) -> Plan {
    let yaml = plotsim::templates::get("quickstart")
        .unwrap()
        .yaml
        .to_owned()
        + extra;
    Config::from_yaml_str(&yaml).unwrap().validate().unwrap()
}

const ML: &str = "entity_features: true\nholdout: {target: spend, periods: 4}\n";

fn f64_col(t: &Table, name: &str) -> Vec<Option<f64>> {
    t.column(name)
        .unwrap_or_else(|| panic!("{}.{name}", t.name))
        .f64s()
}

fn text_col(t: &Table, name: &str) -> Vec<String> {
    t.column(name)
        .unwrap()
        .texts()
        .into_iter()
        .map(Option::unwrap)
        .collect()
}

/// period index of each `date_key`.
fn period_of(data: &Dataset) -> BTreeMap<i64, usize> {
    let d = data.table("dim_date").unwrap();
    let keys = d.column("date_key").unwrap().i64s();
    let idx = d.column("period_index").unwrap().i64s();
    keys.iter()
        .zip(&idx)
        .map(|(k, i)| (k.unwrap(), i.unwrap() as usize))
        .collect()
}

#[test]
fn holdout_halves_partition_the_fact_at_the_cutoff() {
    let data = plotsim::generate(&plan(ML)).unwrap();
    assert_eq!(data.manifest()["holdout"]["cutoff_period_index"], 20);
    assert_eq!(data.manifest()["holdout"]["target_metric"], "spend");
    let periods = period_of(&data);
    let fact = data.table("fct_customer").unwrap();
    let train = data.table("fct_customer_train").unwrap();
    let hold = data.table("fct_customer_holdout").unwrap();
    // Every column in both halves, the target included.
    let names = |t: &Table| t.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(train), names(fact));
    assert_eq!(names(hold), names(fact));
    let side = |t: &Table| -> Vec<usize> {
        t.column("date_key")
            .unwrap()
            .i64s()
            .iter()
            .map(|k| periods[&k.unwrap()])
            .collect()
    };
    assert!(side(train).iter().all(|&p| p < 20));
    assert!(side(hold).iter().all(|&p| p >= 20));
    assert_eq!(train.rows() + hold.rows(), fact.rows());
    // The halves hold the fact's rows, in order, with the same values.
    let fact_periods = side(fact);
    for name in names(fact) {
        let all = fact.column(&name).unwrap().texts();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for (v, &p) in all.into_iter().zip(&fact_periods) {
            if p < 20 { a.push(v) } else { b.push(v) }
        }
        assert_eq!(a, train.column(&name).unwrap().texts(), "{name}");
        assert_eq!(b, hold.column(&name).unwrap().texts(), "{name}");
    }
}

/// An independent recomputation of the six aggregates from the training
/// fact: mean, population sd, OLS slope on the absolute period index, first,
/// last, peak period.
fn recompute(points: &[(usize, Option<f64>)]) -> [f64; 6] {
    let v: Vec<(f64, f64)> = points
        .iter()
        .filter_map(|&(x, v)| v.map(|v| (x as f64, v)))
        .collect();
    let n = v.len() as f64;
    let mean = v.iter().map(|p| p.1).sum::<f64>() / n;
    let xm = v.iter().map(|p| p.0).sum::<f64>() / n;
    let var = v.iter().map(|p| (p.1 - mean).powi(2)).sum::<f64>() / n;
    let cov: f64 = v.iter().map(|p| (p.0 - xm) * (p.1 - mean)).sum();
    let sxx: f64 = v.iter().map(|p| (p.0 - xm).powi(2)).sum();
    let peak = v
        .iter()
        .fold((f64::NAN, f64::NEG_INFINITY), |b, p| {
            if p.1 > b.1 { *p } else { b }
        })
        .0;
    let nan = f64::NAN;
    let at = |p: Option<&(usize, Option<f64>)>| p.and_then(|p| p.1).unwrap_or(nan);
    [
        mean,
        var.sqrt(),
        cov / sxx,
        at(points.first()),
        at(points.last()),
        peak,
    ]
}

#[test]
fn features_recompute_from_the_training_fact() {
    let data = plotsim::generate(&plan(ML)).unwrap();
    let features = data.entity_features().unwrap();
    assert_eq!(features.rows(), 100);
    let cols: Vec<&str> = features.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(cols[0], "customer_id");
    assert_eq!(
        cols[cols.len() - 2..],
        ["archetype", "final_trajectory_position"]
    );
    // The holdout target's six columns are dropped.
    assert!(!cols.iter().any(|c| c.starts_with("spend_")), "{cols:?}");
    let periods = period_of(&data);
    let train = data.table("fct_customer_train").unwrap();
    let keys = text_col(train, "customer_id");
    let when: Vec<usize> = train
        .column("date_key")
        .unwrap()
        .i64s()
        .iter()
        .map(|k| periods[&k.unwrap()])
        .collect();
    let ids = text_col(features, "customer_id");
    for metric in ["usage", "tickets", "renewal_score"] {
        let values = f64_col(train, metric);
        let mut by: BTreeMap<&str, Vec<(usize, Option<f64>)>> = BTreeMap::new();
        for ((k, &p), v) in keys.iter().zip(&when).zip(&values) {
            by.entry(k).or_default().push((p, *v));
        }
        for (stat_i, stat) in ["mean", "std", "slope", "first", "last", "peak_period"]
            .iter()
            .enumerate()
        {
            let written = f64_col(features, &format!("{metric}_{stat}"));
            for (id, w) in ids.iter().zip(&written) {
                let mut pts = by[id.as_str()].clone();
                pts.sort_by_key(|p| p.0);
                let want = recompute(&pts)[stat_i];
                let got = w.unwrap_or(f64::NAN);
                assert!(
                    (want.is_nan() && got.is_nan())
                        || (want - got).abs() <= 1e-9 * want.abs().max(1.0),
                    "{id} {metric}_{stat}: written {got}, recomputed {want}"
                );
            }
        }
    }
    // Labels: the segment, and the raw position at the last training period.
    let arche = text_col(features, "archetype");
    let assigned: BTreeMap<String, String> = data.manifest()["archetype_assignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["entity_id"].as_str().unwrap().to_owned(),
                a["archetype"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for (id, a) in ids.iter().zip(&arche) {
        assert_eq!(&assigned[id], a);
    }
    let final_pos = f64_col(features, "final_trajectory_position");
    let samples = data.manifest()["trajectory_samples"].as_array().unwrap();
    for s in samples.iter().filter(|s| s["period_index"] == 19) {
        let id = s["entity_id"].as_str().unwrap();
        let i = ids.iter().position(|x| x == id).unwrap();
        assert_eq!(final_pos[i], s["position"].as_f64());
    }
}

#[test]
fn features_without_holdout_cover_the_window_and_labels_can_be_dropped() {
    let data = plotsim::generate(&plan(
        "entity_features: {metrics: [spend, usage], include_labels: false}\n",
    ))
    .unwrap();
    let f = data.entity_features().unwrap();
    let cols: Vec<&str> = f.columns.iter().map(|c| c.name.as_str()).collect();
    // Declaration order (usage before spend), no labels.
    assert_eq!(cols[1], "usage_mean");
    assert_eq!(cols[7], "spend_mean");
    assert_eq!(cols.len(), 13);
    // Peak periods reach into the last months when there is no holdout.
    let peaks = f64_col(f, "usage_peak_period");
    assert!(peaks.iter().flatten().any(|&p| p >= 20.0));
    assert!(data.table("fct_customer_train").is_none());
}

/// Nearest centroid on standardised features, trained on even entities and
/// scored on odd ones.
fn nearest_centroid_accuracy(f: &Table) -> (f64, f64) {
    let labels = text_col(f, "archetype");
    let cols: Vec<Vec<f64>> = f
        .columns
        .iter()
        .filter(|c| matches!(c.data, ColumnData::Float(_)) && c.name != "final_trajectory_position")
        .map(|c| c.data.f64s().iter().map(|v| v.unwrap_or(0.0)).collect())
        .collect();
    let n = labels.len();
    let z: Vec<Vec<f64>> = cols
        .iter()
        .map(|c| {
            let m = c.iter().sum::<f64>() / n as f64;
            let sd = (c.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n as f64).sqrt();
            c.iter()
                .map(|x| if sd > 0.0 { (x - m) / sd } else { 0.0 })
                .collect()
        })
        .collect();
    let row = |i: usize| z.iter().map(|c| c[i]).collect::<Vec<f64>>();
    let mut centroids: BTreeMap<&str, (Vec<f64>, f64)> = BTreeMap::new();
    for i in (0..n).step_by(2) {
        let e = centroids
            .entry(&labels[i])
            .or_insert_with(|| (vec![0.0; z.len()], 0.0));
        for (a, b) in e.0.iter_mut().zip(row(i)) {
            *a += b;
        }
        e.1 += 1.0;
    }
    let (mut right, mut total) = (0.0, 0.0);
    let mut counts: BTreeMap<&str, f64> = BTreeMap::new();
    for i in (1..n).step_by(2) {
        let r = row(i);
        let best = centroids
            .iter()
            .map(|(l, (s, k))| {
                let d: f64 = s.iter().zip(&r).map(|(a, b)| (a / k - b).powi(2)).sum();
                (d, *l)
            })
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .unwrap()
            .1;
        right += f64::from(best == labels[i]);
        total += 1.0;
        *counts.entry(&labels[i]).or_default() += 1.0;
    }
    let majority = counts.values().cloned().fold(0.0, f64::max) / total;
    (right / total, majority)
}

/// Quickstart scaled to 600 customers, with the ML blocks and `extra`.
fn scaled(extra: &str) -> Plan {
    let yaml = plotsim::templates::get("quickstart")
        .unwrap()
        .yaml
        .replace("count: 40", "count: 240")
        .replace("count: 20", "count: 120")
        + ML
        + extra;
    Config::from_yaml_str(&yaml).unwrap().validate().unwrap()
}

/// The variation levels of the difficulty table in the README.
const LEVELS: [&str; 4] = [
    "",
    "variation: {timing: 2, amplitude: 0.2, level: 0.1, noise: 0.3, blend: 0.3}\n",
    "variation: {timing: 4, amplitude: 0.5, level: 0.2, noise: 0.6, blend: 0.6}\n",
    "variation: {timing: 8, amplitude: 1.0, level: 0.4, noise: 1.0, blend: 1.0}\n",
];

#[test]
fn accuracy_falls_toward_the_baseline_as_variation_rises() {
    let mut last = f64::INFINITY;
    for level in LEVELS {
        let data = plotsim::generate(&scaled(level)).unwrap();
        let (accuracy, majority) = nearest_centroid_accuracy(data.entity_features().unwrap());
        eprintln!("{level:?}: nearest centroid {accuracy:.3}, majority {majority:.3}");
        assert!(accuracy < last, "{level}: {accuracy} after {last}");
        last = accuracy;
    }
    // The strongest level is close to guessing the majority (300 scored
    // entities: a standard error of about 0.03).
    let (_, majority) = nearest_centroid_accuracy(
        plotsim::generate(&scaled(""))
            .unwrap()
            .entity_features()
            .unwrap(),
    );
    assert!(last < majority + 0.1, "{last} vs {majority}");
}

#[test]
fn variation_at_zero_changes_nothing_and_is_recorded() {
    let off = plotsim::generate(&plan("")).unwrap();
    let zero = plotsim::generate(&plan(
        "variation: {timing: 0, amplitude: 0, level: 0, noise: 0, blend: 0}\n",
    ))
    .unwrap();
    assert_eq!(off.table("fct_customer"), zero.table("fct_customer"));
    assert!(
        off.manifest()["archetype_assignments"][0]
            .get("variation")
            .is_none()
    );
    let on = plotsim::generate(&plan(
        "variation: {timing: 3, amplitude: 0.5, level: 0.2, noise: 0.5, blend: 0.5}\n",
    ))
    .unwrap();
    let a = on.manifest()["archetype_assignments"].as_array().unwrap();
    assert_eq!(a.len(), 100);
    let shifts: Vec<i64> = a
        .iter()
        .map(|x| x["variation"]["timing_shift"].as_i64().unwrap())
        .collect();
    assert!(shifts.iter().all(|s| s.abs() <= 3));
    assert!(shifts.iter().any(|&s| s != 0));
    for x in a {
        let v = &x["variation"];
        assert!(v["amplitude"].as_f64().unwrap().abs() <= 0.5);
        assert!(v["level"].as_f64().unwrap().abs() <= 0.2);
        assert!(v["blend_weight"].as_f64().unwrap() <= 0.5);
        assert_ne!(v["blend_with"], x["archetype"]);
    }
    // The recorded trajectories are the entity's own (varied) positions.
    let s = &on.manifest()["trajectory_samples"];
    let off_s = &off.manifest()["trajectory_samples"];
    assert_ne!(s, off_s);
    // Out-of-range knobs are validation errors naming the field.
    let e = Config::from_yaml_str(
        &(plotsim::templates::get("quickstart")
            .unwrap()
            .yaml
            .to_owned()
            + "variation: {amplitude: 1.5, timing: 24}\n"),
    )
    .unwrap()
    .validate()
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("variation.amplitude") && e.contains("1.5"),
        "{e}"
    );
    assert!(e.contains("variation.timing"), "{e}");
}

#[test]
fn a_classifier_on_the_features_beats_the_majority_baseline() {
    // 600 customers: 300 held-out entities, so a margin of 0.2 over the
    // baseline is about 7 standard errors.
    let plan = scaled("");
    let data = plotsim::generate(&plan).unwrap();
    let (accuracy, majority) = nearest_centroid_accuracy(data.entity_features().unwrap());
    eprintln!("nearest centroid {accuracy:.3}, majority {majority:.3}");
    assert!(
        accuracy > majority + 0.2,
        "accuracy {accuracy:.3} vs majority {majority:.3}"
    );
}

#[test]
#[ignore = "prints the one-knob table of the README"]
fn one_knob_at_a_time() {
    for knob in [
        "timing: 8",
        "amplitude: 1.0",
        "level: 0.4",
        "noise: 1.0",
        "blend: 1.0",
    ] {
        let data = plotsim::generate(&scaled(&format!("variation: {{{knob}}}\n"))).unwrap();
        let (accuracy, _) = nearest_centroid_accuracy(data.entity_features().unwrap());
        eprintln!("| `{{{knob}}}` | {accuracy:.3} |");
    }
}
