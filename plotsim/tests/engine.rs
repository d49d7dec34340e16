//! Statistical and structural tests of the engine through the public API,
//! with fixed seeds and tolerances derived from the sample.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on purpose

use plotsim::tables::{ColumnData, Table};
use plotsim::{Config, Dataset, Plan};

fn plan(yaml: &str) -> Plan {
    Config::from_yaml_str(yaml)
        .unwrap()
        .validate()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn floats(t: &Table, col: &str) -> Vec<Option<f64>> {
    match t.column(col).unwrap_or_else(|| panic!("no column {col}")) {
        c @ (ColumnData::Float(_) | ColumnData::Int(_)) => c.f64s(),
        other => panic!("{col} is not numeric: {other:?}"),
    }
}

fn texts(t: &Table, col: &str) -> Vec<String> {
    let c = t.column(col).unwrap();
    assert!(
        matches!(
            c,
            ColumnData::Text(_) | ColumnData::Key(_) | ColumnData::Dict(_)
        ),
        "{col} is not text: {c:?}"
    );
    c.texts()
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect()
}

/// Rows of the fact grouped by entity key, in order.
fn by_entity(fact: &Table, key: &str) -> Vec<Vec<usize>> {
    let keys = texts(fact, key);
    let mut out: Vec<Vec<usize>> = Vec::new();
    for (i, k) in keys.iter().enumerate() {
        if i == 0 || keys[i - 1] != *k {
            out.push(Vec::new());
        }
        out.last_mut().unwrap().push(i);
    }
    out
}

fn pearson(xs: &[(f64, f64)]) -> f64 {
    let n = xs.len() as f64;
    let (ma, mb) = xs
        .iter()
        .fold((0.0, 0.0), |(a, b), (x, y)| (a + x / n, b + y / n));
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in xs {
        sab += (x - ma) * (y - mb);
        saa += (x - ma).powi(2);
        sbb += (y - mb).powi(2);
    }
    sab / (saa * sbb).sqrt()
}

/// Pooled correlation of two fact columns and its delete-one-entity
/// jackknife standard error (cells of an entity are not independent).
fn correlation_with_se(fact: &Table, key: &str, a: &str, b: &str) -> (f64, f64) {
    let (va, vb) = (floats(fact, a), floats(fact, b));
    let groups = by_entity(fact, key);
    let pairs = |skip: Option<usize>| -> Vec<(f64, f64)> {
        groups
            .iter()
            .enumerate()
            .filter(|(g, _)| Some(*g) != skip)
            .flat_map(|(_, rows)| rows.iter().filter_map(|&r| Some((va[r]?, vb[r]?))))
            .collect()
    };
    let full = pearson(&pairs(None));
    let g = groups.len() as f64;
    let loo: Vec<f64> = (0..groups.len())
        .map(|i| pearson(&pairs(Some(i))))
        .collect();
    let mean = loo.iter().sum::<f64>() / g;
    let var = (g - 1.0) / g * loo.iter().map(|x| (x - mean).powi(2)).sum::<f64>();
    (full, var.sqrt())
}

const MIXED: &str = "\
about: engine test with mixed metric types
unit: account
window: [2022-01, 2024-12]
seed: 2024
noise: {gaussian_sigma: 0.03, outlier_rate: 0.0, mcar_rate: 0.01}
metrics:
  - {name: usage, type: score, polarity: positive}
  - {name: revenue, type: amount, polarity: positive, range: [10, 5000]}
  - {name: tickets, type: count, polarity: negative}
  - {name: health, type: index, polarity: positive, range: [0, 100]}
  - {name: margin, type: amount, polarity: positive, range: [20, 60]}
connections:
  - revenue driven_by usage
  - tickets opposes usage
  - health related revenue
  - margin -0.5 tickets
  - margin mirrors usage
segments:
  - {name: growers, count: 60, archetype: growth}
  - {name: fading, count: 50, archetype: \"flat > decline @ 12\"}
  - {name: cyclers, count: 40, archetype: seasonal}
  - {name: steady, count: 50, archetype: accelerating}
";

/// The correlation contract: a declared pair's latent (copula) value has the
/// declared sign or is 0; a feasible pair lands on its request; an
/// infeasible one stops at the boundary (latent 0 when the shared trajectory
/// alone already over-serves it).
#[test]
fn calibrated_correlations_keep_the_declared_sign_and_meet_feasible_requests() {
    let p = plan(MIXED);
    let data = plotsim::generate(&p).unwrap();
    let fact = data.table("fct_account").unwrap();
    let m = data.manifest();
    let mut feasible = 0;
    for c in m["correlations"].as_array().unwrap() {
        let (a, b) = (
            c["metric_a"].as_str().unwrap(),
            c["metric_b"].as_str().unwrap(),
        );
        let requested = c["requested"].as_f64().unwrap();
        let latent = c["calibrated"].as_f64().unwrap();
        assert!(
            latent * requested >= 0.0,
            "{a}~{b}: latent {latent} against {requested}"
        );
        let record = m["correlation_compensations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["metric_a"] == a && x["metric_b"] == b)
            .unwrap();
        let (r, se) = correlation_with_se(fact, "account_id", a, b);
        // The manifest's realised value is the same pooled correlation.
        assert!(
            (c["realized"].as_f64().unwrap() - r).abs() < 1e-5,
            "{a}~{b}: manifest {} vs {r}",
            c["realized"]
        );
        let bound = 0.05 + 3.0 * se;
        if record["infeasible"] == false {
            feasible += 1;
            assert!(
                (r - requested).abs() <= bound,
                "{a}~{b}: realised {r:.4} vs requested {requested} (bound {bound:.4})"
            );
        } else {
            let reach = record["reachable"].as_array().unwrap();
            let (lo, hi) = (reach[0].as_f64().unwrap(), reach[1].as_f64().unwrap());
            assert!(
                lo <= hi && !(lo..=hi).contains(&requested),
                "{a}~{b}: {lo}..{hi}"
            );
            if r.abs() > requested.abs() {
                // Over-served by the trajectory: no copula help at all.
                assert_eq!(latent, 0.0, "{a}~{b}");
            }
        }
    }
    assert!(feasible >= 1, "the config keeps a feasible pair");
}

/// Undeclared pairs get latent 0, so declaring connections leaves every
/// other pair's realised correlation where the trajectory alone puts it.
#[test]
fn undeclared_pairs_are_left_alone() {
    let with = plan(MIXED);
    let start = MIXED.find("connections:").unwrap();
    let end = MIXED.find("segments:").unwrap();
    let without = plan(&format!("{}{}", &MIXED[..start], &MIXED[end..]));
    let mw = plotsim::generate(&with).unwrap().manifest().clone();
    let mo = plotsim::generate(&without).unwrap().manifest().clone();
    let pairs = |m: &serde_json::Value| m["latent_correlations"].as_array().unwrap().clone();
    let (pw, po) = (pairs(&mw), pairs(&mo));
    assert_eq!(pw.len(), 10);
    let mut undeclared = 0;
    for (x, y) in pw.iter().zip(&po) {
        assert_eq!(
            (&x["metric_a"], &x["metric_b"]),
            (&y["metric_a"], &y["metric_b"])
        );
        if x["declared"].is_null() {
            undeclared += 1;
            assert_eq!(x["latent"], 0.0);
            let (a, b) = (
                x["realized_pooled"].as_f64().unwrap(),
                y["realized_pooled"].as_f64().unwrap(),
            );
            assert!(
                (a - b).abs() <= 0.05,
                "{} ~ {}: {a} vs {b}",
                x["metric_a"],
                x["metric_b"]
            );
        }
    }
    assert_eq!(undeclared, 5);
}

/// A pair the trajectory cannot serve alone: calibration gives it a latent
/// correlation of its own sign, and the metrics then move together month to
/// month (first differences), which the shared trajectory alone does not do.
#[test]
fn driven_pairs_move_together_month_to_month() {
    let yaml = "\
about: co-movement
unit: account
window: [2022-01, 2023-12]
seed: 77
noise: {gaussian_sigma: 0.02, outlier_rate: 0.0, mcar_rate: 0.0}
metrics:
  - {name: usage, type: score, polarity: positive}
  - {name: revenue, type: amount, polarity: positive, range: [0, 5000]}
  - {name: tickets, type: score, polarity: positive}
connections:
  - revenue 0.6 usage
  - tickets -0.3 usage
segments:
  - {name: a, count: 150, archetype: seasonal}
  - {name: b, count: 150, archetype: flat}
";
    let data = plotsim::generate(&plan(yaml)).unwrap();
    let m = data.manifest();
    for x in m["latent_correlations"].as_array().unwrap() {
        let Some(declared) = x["declared"].as_f64() else {
            continue;
        };
        let latent = x["latent"].as_f64().unwrap();
        let d = x["realized_first_difference"].as_f64().unwrap();
        let n = x["n_differences"].as_f64().unwrap();
        let se = 1.0 / n.sqrt();
        assert!(latent * declared > 0.0, "{x}");
        assert!(
            d * declared > 3.0 * se,
            "first differences follow the sign: {x}"
        );
    }
}

/// Every figure of `latent_correlations` equals the same statistic
/// recomputed from the written fact file (MCAR gaps included).
#[test]
fn manifest_pair_figures_match_the_written_fact() {
    // JSONL keeps 10 decimals (CSV rounds floats to 4).
    let p = plan(&format!("{MIXED}output: {{format: jsonl}}\n"));
    let dir = tempfile::tempdir().unwrap();
    let dir_path = dir.path().join("out");
    plotsim::run(&p, &plotsim::RunOptions::new(dir_path.clone(), &p)).unwrap();
    let text = std::fs::read_to_string(dir_path.join("fct_account.jsonl")).unwrap();
    let rows: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir_path.join("manifest.json")).unwrap())
            .unwrap();
    let mut checked = 0;
    for x in manifest["latent_correlations"].as_array().unwrap() {
        let (ia, ib) = (
            x["metric_a"].as_str().unwrap(),
            x["metric_b"].as_str().unwrap(),
        );
        let cell = |r: &serde_json::Value| -> Option<(f64, f64)> {
            Some((r[ia].as_f64()?, r[ib].as_f64()?))
        };
        let mut pooled = Vec::new();
        let (mut wab, mut waa, mut wbb) = (0.0, 0.0, 0.0);
        let mut diffs = Vec::new();
        let mut i = 0;
        while i < rows.len() {
            let mut j = i;
            while j < rows.len() && rows[j]["account_id"] == rows[i]["account_id"] {
                j += 1;
            }
            let cells: Vec<Option<(f64, f64)>> = rows[i..j].iter().map(cell).collect();
            let present: Vec<(f64, f64)> = cells.iter().flatten().copied().collect();
            let n = present.len() as f64;
            if n > 0.0 {
                let (ma, mb) = present
                    .iter()
                    .fold((0.0, 0.0), |(a, b), (x, y)| (a + x / n, b + y / n));
                for (x, y) in &present {
                    wab += (x - ma) * (y - mb);
                    waa += (x - ma).powi(2);
                    wbb += (y - mb).powi(2);
                }
            }
            for w in cells.windows(2) {
                if let (Some(p), Some(c)) = (w[0], w[1]) {
                    diffs.push((c.0 - p.0, c.1 - p.1));
                }
            }
            pooled.extend(present);
            i = j;
        }
        let close = |field: &str, v: f64| {
            let m = x[field].as_f64().unwrap();
            assert!((m - v).abs() < 2e-6, "{field} of {x}: recomputed {v}");
        };
        close("realized_pooled", pearson(&pooled));
        close("realized_within_entity", wab / (waa * wbb).sqrt());
        close("realized_first_difference", pearson(&diffs));
        assert_eq!(x["n_cells"].as_u64().unwrap(), pooled.len() as u64);
        assert_eq!(x["n_differences"].as_u64().unwrap(), diffs.len() as u64);
        checked += 1;
    }
    assert_eq!(checked, 10);
}

#[test]
fn non_psd_requests_are_projected_and_recorded() {
    // usage~tickets is negative, yet health would mirror both: not PSD.
    let yaml = MIXED.replace(
        "  - margin mirrors usage\n",
        "  - margin mirrors usage\n  - health mirrors usage\n  - health mirrors tickets\n",
    );
    let p = plan(&yaml);
    let prepared = plotsim::prepare(&p, p.config.seed.unwrap()).unwrap();
    assert!(
        prepared
            .pairs
            .iter()
            .any(|x| (x.projected - x.requested).abs() > 0.01)
    );
    let data = plotsim::generate(&p).unwrap();
    let adj = data.manifest()["correlation_adjustments"]
        .as_array()
        .expect("adjustments recorded");
    assert!(!adj.is_empty());
    for a in adj {
        assert!(a["achieved"].as_f64().unwrap().abs() <= 1.0);
    }
}

const LAGGED: &str = "\
about: lag test
unit: unit
window: [2021-01, 2024-12]
seed: 11
metrics:
  - {name: driver, type: score, polarity: positive}
  - {name: follower, type: score, polarity: positive, follows: driver, delay: 3}
segments:
  - {name: a, count: 80, archetype: seasonal}
  - {name: b, count: 80, archetype: \"growth > decline > growth @ 16 @ 32\"}
  - {name: c, count: 80, archetype: spike_then_crash}
";

#[test]
fn a_follower_peaks_at_its_delay() {
    let data = plotsim::generate(&plan(LAGGED)).unwrap();
    let fact = data.table("fct_unit").unwrap();
    let (d, f) = (floats(fact, "driver"), floats(fact, "follower"));
    let corr_at = |lag: usize| {
        let mut xs = Vec::new();
        for rows in by_entity(fact, "unit_id") {
            for i in (lag + 1)..rows.len() {
                let (Some(f1), Some(f0)) = (f[rows[i]], f[rows[i - 1]]) else {
                    continue;
                };
                let (Some(d1), Some(d0)) = (d[rows[i - lag]], d[rows[i - lag - 1]]) else {
                    continue;
                };
                xs.push((d1 - d0, f1 - f0));
            }
        }
        pearson(&xs)
    };
    let cc: Vec<f64> = (0..8).map(corr_at).collect();
    let best = (0..8).max_by(|&a, &b| cc[a].total_cmp(&cc[b])).unwrap();
    assert_eq!(best, 3, "cross-correlations by lag: {cc:?}");
}

#[test]
fn seasonality_lifts_configured_months_by_sensitivity() {
    let yaml = "\
about: seasonality test
unit: shop
window: [2020-01, 2023-12]
seed: 5
seasonality: [{months: [12], strength: 0.5}]
metrics:
  - {name: plain, type: amount, polarity: positive, range: [0, 100000], distribution: gamma, distribution_params: {shape: 20}}
  - {name: immune, type: amount, polarity: positive, range: [0, 100000], distribution: gamma, distribution_params: {shape: 20}, seasonal_sensitivity: 0}
  - {name: inverted, type: amount, polarity: positive, range: [0, 100000], distribution: gamma, distribution_params: {shape: 20}, seasonal_sensitivity: -1}
segments:
  - {name: s, count: 200, archetype: flat}
";
    let data = plotsim::generate(&plan(yaml)).unwrap();
    let fact = data.table("fct_shop").unwrap();
    let keys = floats(fact, "date_key");
    for (col, lift) in [("plain", 1.5), ("immune", 1.0), ("inverted", 0.5)] {
        let v = floats(fact, col);
        let (mut dec, mut rest) = (Vec::new(), Vec::new());
        for (k, x) in keys.iter().zip(&v) {
            let month = (k.unwrap() as i64 / 100) % 100;
            if let Some(x) = x {
                if month == 12 {
                    dec.push(*x)
                } else {
                    rest.push(*x)
                }
            }
        }
        let mean = |xs: &[f64]| xs.iter().sum::<f64>() / xs.len() as f64;
        let var = |xs: &[f64]| {
            let m = mean(xs);
            xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (xs.len() - 1) as f64
        };
        let ratio = mean(&dec) / mean(&rest);
        // Delta-method standard error of the ratio of two independent means.
        let se = ratio
            * (var(&dec) / (dec.len() as f64 * mean(&dec).powi(2))
                + var(&rest) / (rest.len() as f64 * mean(&rest).powi(2)))
            .sqrt();
        assert!(
            (ratio - lift).abs() < 4.0 * se,
            "{col}: December/other ratio {ratio:.4}, expected {lift} (se {se:.4})"
        );
    }
}

#[test]
fn shapes_and_manifest_positions() {
    let yaml = "\
about: shapes
unit: thing
window: [2022-01, 2023-12]
seed: 9
metrics: [{name: level, type: score, polarity: positive}]
segments:
  - {name: up, count: 30, archetype: growth}
  - {name: down, count: 30, archetype: decline}
";
    let p = plan(yaml);
    let data = plotsim::generate(&p).unwrap();
    let samples = data.manifest()["trajectory_samples"].as_array().unwrap();
    assert_eq!(samples.len(), 60 * 24);
    let pos = |entity: &str| -> Vec<f64> {
        samples
            .iter()
            .filter(|s| s["entity"] == entity)
            .map(|s| s["position"].as_f64().unwrap())
            .collect()
    };
    let up = pos("up_0000");
    let down = pos("down_0000");
    assert!(up.windows(2).all(|w| w[1] > w[0]) && up[0] == 0.0 && up[23] == 1.0);
    assert!(down.windows(2).all(|w| w[1] < w[0]) && down[0] == 1.0);
    // The manifest positions are the archetype curves.
    let spec = plotsim_config::dsl::archetype::parse("growth").unwrap();
    let mut curve = vec![0.0; 24];
    plotsim::engine::trajectory::positions(
        &plotsim::engine::trajectory::segments(&spec, 24),
        0,
        &mut curve,
    );
    assert_eq!(up, curve);
    // Metric values follow: first-year mean below second-year mean for growth.
    let fact = data.table("fct_thing").unwrap();
    let v = floats(fact, "level");
    let groups = by_entity(fact, "thing_id");
    let half = |g: &[Vec<usize>], first: bool| -> f64 {
        let xs: Vec<f64> = g
            .iter()
            .flat_map(|rows| if first { &rows[..12] } else { &rows[12..] })
            .filter_map(|&r| v[r])
            .collect();
        xs.iter().sum::<f64>() / xs.len() as f64
    };
    assert!(half(&groups[..30], true) < half(&groups[..30], false));
    assert!(half(&groups[30..], true) > half(&groups[30..], false));
}

#[test]
fn weibull_time_to_event_lengthens_without_piling_at_bounds() {
    let yaml = "\
about: time to renewal
unit: contract
window: [2022-01, 2023-12]
seed: 77
metrics:
  - {name: days_to_renewal, type: amount, polarity: positive, range: [1, 365], distribution: weibull, distribution_params: {shape: 1.5}}
segments:
  - {name: maturing, count: 400, archetype: growth}
";
    let data = plotsim::generate(&plan(yaml)).unwrap();
    let fact = data.table("fct_contract").unwrap();
    let v = floats(fact, "days_to_renewal");
    let groups = by_entity(fact, "contract_id");
    let quantile = |t: usize, q: f64| {
        let mut xs: Vec<f64> = groups.iter().filter_map(|rows| v[rows[t]]).collect();
        xs.sort_by(f64::total_cmp);
        xs[((xs.len() - 1) as f64 * q) as usize]
    };
    let medians: Vec<f64> = (0..24).step_by(4).map(|t| quantile(t, 0.5)).collect();
    let p90: Vec<f64> = (0..24).step_by(4).map(|t| quantile(t, 0.9)).collect();
    assert!(
        medians.windows(2).all(|w| w[1] > w[0]),
        "medians {medians:?}"
    );
    assert!(p90.windows(2).all(|w| w[1] > w[0]), "p90 {p90:?}");
    let at_bounds = v
        .iter()
        .flatten()
        .filter(|&&x| x <= 1.0 || x >= 365.0)
        .count() as f64
        / v.len() as f64;
    assert!(
        at_bounds < 0.03,
        "{:.1}% of values at the bounds",
        at_bounds * 100.0
    );
}

fn dataset_bytes(d: &Dataset) -> Vec<(String, String)> {
    d.tables()
        .iter()
        .map(|t| (t.name.clone(), plotsim::write::encode::csv::table_rows(t)))
        .collect()
}

#[test]
fn output_does_not_depend_on_batch_size() {
    let p = plan(MIXED);
    let a = plotsim::generate_with(&p, None, 7).unwrap();
    let b = plotsim::generate_with(&p, None, 256).unwrap();
    assert_eq!(dataset_bytes(&a), dataset_bytes(&b));
    assert_eq!(a.manifest(), b.manifest());
}

#[test]
fn appending_a_segment_leaves_other_entities_unchanged() {
    let base = "\
about: stability
unit: member
window: [2023-01, 2024-12]
seed: 31
noise: realistic
metrics:
  - {name: a, type: score, polarity: positive}
  - {name: b, type: count, polarity: negative}
  - {name: c, type: amount, polarity: positive, range: [5, 500], follows: a, delay: 1}
segments:
  - {name: first, count: 20, archetype: growth}
  - {name: second, count: 15, archetype: \"flat > decline @ 8\", arrival: {kind: uniform, start: 0, end: 6}}
";
    let more = format!("{base}  - {{name: third, count: 25, archetype: seasonal}}\n");
    let (x, y) = (
        plotsim::generate(&plan(base)).unwrap(),
        plotsim::generate(&plan(&more)).unwrap(),
    );
    let fx = plotsim::write::encode::csv::table_rows(x.table("fct_member").unwrap());
    let fy = plotsim::write::encode::csv::table_rows(y.table("fct_member").unwrap());
    // Entity keys are widths of the entity count (both runs < 1000), so rows compare directly.
    assert!(
        fy.starts_with(&fx),
        "the first 35 entities' fact rows changed"
    );
    let dx = plotsim::write::encode::csv::table_rows(x.table("dim_member").unwrap());
    assert!(
        plotsim::write::encode::csv::table_rows(y.table("dim_member").unwrap()).starts_with(&dx)
    );
}

#[test]
fn lifecycle_stages_follow_the_tracked_metric() {
    use plotsim::tables::stages;
    let stage = |name: &str, threshold| plotsim::plan::StagePlan {
        name: name.into(),
        threshold,
    };
    let l = |enforce: bool, delay: Option<u32>| plotsim::plan::LifecyclePlan {
        track: 0,
        stages: vec![
            stage("trial", 0.0),
            stage("active", 0.3),
            stage("power", 0.7),
        ],
        enforce_order: enforce,
        downgrade_delay: delay,
        stage_table: None,
    };
    let v = [
        Some(0.1),
        Some(0.5),
        Some(0.8),
        Some(0.2),
        None,
        Some(0.25),
        Some(0.9),
    ];
    assert_eq!(stages(&v, &l(false, None)), [0, 1, 2, 0, 0, 0, 2]);
    assert_eq!(stages(&v, &l(true, None)), [0, 1, 2, 2, 2, 2, 2]);
    // Two consecutive periods below `power` (0.2, then 0.25 after a null that keeps the stage).
    assert_eq!(stages(&v, &l(true, Some(2))), [0, 1, 2, 2, 2, 0, 2]);

    let yaml = "\
about: funnel
unit: user
window: [2023-01, 2024-12]
seed: 3
metrics: [{name: engagement, type: score, polarity: positive}]
lifecycle: {track: engagement, stages: [{trial: 0.0}, {active: 0.3}, {power: 0.7}], enforce_order: true}
segments: [{name: g, count: 10, archetype: growth}]
";
    let data = plotsim::generate(&plan(yaml)).unwrap();
    let fact = data.table("fct_user").unwrap();
    let stage = texts(fact, "stage");
    let rank = |s: &str| {
        ["trial", "active", "power"]
            .iter()
            .position(|x| *x == s)
            .unwrap()
    };
    for rows in by_entity(fact, "user_id") {
        assert!(
            rows.windows(2)
                .all(|w| rank(&stage[w[1]]) >= rank(&stage[w[0]])),
            "stages go backwards"
        );
        assert_eq!(stage[*rows.last().unwrap()], "power");
    }
}

#[test]
fn correlation_phases_hold_in_their_periods() {
    let yaml = "\
about: phases
unit: firm
window: [2021-01, 2024-12]
seed: 8
metrics:
  - {name: a, type: amount, polarity: positive, range: [0, 1000], distribution: gamma, distribution_params: {shape: 2}}
  - {name: b, type: amount, polarity: positive, range: [0, 1000], distribution: gamma, distribution_params: {shape: 2}}
connections: [\"a 0.6 b\"]
connection_phases:
  - {start_period: 24, end_period: 47, connections: [\"a -0.3 b\"]}
segments:
  - {name: f, count: 300, archetype: flat}
";
    let data = plotsim::generate(&plan(yaml)).unwrap();
    let fact = data.table("fct_firm").unwrap();
    let keys = floats(fact, "date_key");
    let (a, b) = (floats(fact, "a"), floats(fact, "b"));
    for (from, to, want) in [
        (20210101.0, 20221201.0, 0.6),
        (20230101.0, 20241201.0, -0.3),
    ] {
        let xs: Vec<(f64, f64)> = (0..keys.len())
            .filter(|&i| keys[i].is_some_and(|k| k >= from && k <= to))
            .filter_map(|i| Some((a[i]?, b[i]?)))
            .collect();
        let r = pearson(&xs);
        let se = (1.0 - want * want) / (xs.len() as f64).sqrt();
        assert!(
            (r - want).abs() < 0.05 + 3.0 * se,
            "phase {from}-{to}: {r} vs {want}"
        );
    }
    assert_eq!(data.manifest()["correlation_phases"][0]["n_pairs"], 1);
}

#[test]
fn decayed_lags_average_the_driver_with_kernel_weights() {
    use plotsim::engine::panel::{CellObserver, CellTrace, Draws, generate_entity};
    struct Effective(Vec<(usize, usize, f64)>);
    impl CellObserver for Effective {
        fn cell(&mut self, c: &CellTrace) {
            self.0.push((c.metric, c.period, c.effective_position));
        }
    }
    let yaml = "\
about: decay
unit: unit
window: [2023-01, 2024-12]
seed: 4
metrics:
  - {name: d, type: score, polarity: positive}
  - {name: g, type: score, polarity: positive, follows: d, delay: 2, decay_window: 3, decay_kernel: geometric}
  - {name: l, type: score, polarity: positive, follows: d, delay: 1, decay_window: 4, decay_kernel: linear}
segments: [{name: s, count: 3, archetype: seasonal}]
";
    let p = plan(yaml);
    let prepared = plotsim::prepare(&p, p.config.seed.unwrap()).unwrap();
    let e = prepared.entities.get(&p, 4, 0);
    let mut obs = Effective(Vec::new());
    generate_entity(&prepared.ctx, &prepared.factors, &e, Draws::Run, &mut obs);
    let eff = |m: usize, t: usize| obs.0.iter().find(|c| c.0 == m && c.1 == t).unwrap().2;
    for t in 6..24 {
        let (w, num): (f64, f64) = (0..3)
            .map(|s| (0.5f64.powi(s), 0.5f64.powi(s) * eff(0, t - 2 - s as usize)))
            .fold((0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1));
        assert!((eff(1, t) - num / w).abs() < 1e-12, "geometric at {t}");
        let (w, num): (f64, f64) = (0..4)
            .map(|s| ((4 - s) as f64, (4 - s) as f64 * eff(0, t - 1 - s)))
            .fold((0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1));
        assert!((eff(2, t) - num / w).abs() < 1e-12, "linear at {t}");
    }
}

#[test]
fn treatment_lifts_the_treated_arm() {
    let yaml = "\
about: trial
unit: patient
window: [2023-01, 2024-12]
seed: 21
metrics: [{name: adherence, type: score, polarity: positive}]
segments:
  - name: cohort
    count: 400
    archetype: flat
    treatment: {fraction: 0.25, lift_log_odds: 1.5, start_period: 12, treatment_label: drug, control_label: placebo}
";
    let data = plotsim::generate(&plan(yaml)).unwrap();
    let m = data.manifest();
    assert_eq!(m["treatment_cohorts"][0]["n_treated"], 100);
    let treated: Vec<String> = m["archetype_assignments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["treatment"]["group"] == "drug")
        .map(|a| a["entity_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(treated.len(), 100);
    let fact = data.table("fct_patient").unwrap();
    let (ids, keys, v) = (
        texts(fact, "patient_id"),
        floats(fact, "date_key"),
        floats(fact, "adherence"),
    );
    let mean = |arm: bool, after: bool| {
        let xs: Vec<f64> = (0..ids.len())
            .filter(|&i| {
                treated.contains(&ids[i]) == arm && (keys[i].unwrap() >= 20240101.0) == after
            })
            .filter_map(|i| v[i])
            .collect();
        xs.iter().sum::<f64>() / xs.len() as f64
    };
    // Before the start period the arms are alike; afterwards the treated arm is higher.
    assert!((mean(true, false) - mean(false, false)).abs() < 0.02);
    assert!(mean(true, true) > mean(false, true) + 0.1);
}

#[test]
fn a_score_uses_its_declared_range() {
    let yaml = "\
about: ratings
unit: shop
window: [2023-01, 2023-12]
seed: 6
metrics: [{name: stars, type: score, polarity: positive, range: [1, 5]}]
segments: [{name: s, count: 20, archetype: growth}]
";
    let data = plotsim::generate(&plan(yaml)).unwrap();
    let v: Vec<f64> = floats(data.table("fct_shop").unwrap(), "stars")
        .into_iter()
        .flatten()
        .collect();
    assert!(v.iter().all(|x| (1.0..=5.0).contains(x)));
    assert!(
        v.iter().any(|&x| x > 3.0),
        "values use the whole declared range"
    );
}

/// A count with a range: its Poisson mean follows the position from the
/// range minimum to about its maximum.
#[test]
fn a_count_with_a_range_scales_with_position() {
    let yaml = "\
about: scaled counts
unit: shop
window: [2022-01, 2023-12]
seed: 5
noise: {gaussian_sigma: 0.0, outlier_rate: 0.0, mcar_rate: 0.0}
metrics:
  - {name: orders, type: count, polarity: positive, range: [0, 300]}
segments:
  - {name: growers, count: 200, archetype: growth}
";
    let data = plotsim::generate(&plan(yaml)).unwrap();
    let fact = data.table("fct_shop").unwrap();
    let orders = floats(fact, "orders");
    let periods: Vec<f64> = floats(fact, "date_key")
        .into_iter()
        .map(Option::unwrap)
        .collect();
    let first = periods[0];
    let last = periods.iter().copied().fold(f64::MIN, f64::max);
    let mean_at = |k: f64| {
        let v: Vec<f64> = orders
            .iter()
            .zip(&periods)
            .filter(|(_, p)| **p == k)
            .map(|(o, _)| o.unwrap())
            .collect();
        (v.iter().sum::<f64>() / v.len() as f64, v.len() as f64)
    };
    // Growth starts at position 0 and ends at 1.
    let (m0, _) = mean_at(first);
    let (m1, n1) = mean_at(last);
    assert!(m0 < 1.0, "mean at position 0: {m0}");
    // Poisson(300) clamped at 300: mean about 300 - 0.4·sd (sd ≈ 17.3).
    let se = (300.0f64).sqrt() / n1.sqrt();
    assert!(
        (m1 - (300.0 - 0.399 * 300f64.sqrt())).abs() < 4.0 * se + 0.5,
        "mean at position 1: {m1}"
    );
    assert!(
        orders
            .iter()
            .all(|o| (0.0..=300.0).contains(&o.unwrap()) && o.unwrap().fract() == 0.0)
    );
}

/// Explicit families read their location params: a poisson's `lambda` is
/// the mean at position 1, a lognormal's `scale` its median there.
#[test]
fn explicit_families_take_location_params() {
    let yaml = "\
about: located families
unit: shop
window: [2022-01, 2023-12]
seed: 9
noise: {gaussian_sigma: 0.0, outlier_rate: 0.0, mcar_rate: 0.0}
metrics:
  - {name: visits, type: count, polarity: positive, distribution: poisson, distribution_params: {lambda: 200}}
  - {name: basket, type: amount, polarity: positive, range: [0, 1000000], distribution: lognorm, distribution_params: {s: 0.5, scale: 800}}
segments:
  - {name: top, count: 300, archetype: growth}
";
    // A growth's last period is position 1.
    let data = plotsim::generate(&plan(yaml)).unwrap();
    let fact = data.table("fct_shop").unwrap();
    let dates: Vec<f64> = floats(fact, "date_key")
        .into_iter()
        .map(Option::unwrap)
        .collect();
    let last = dates.iter().copied().fold(f64::MIN, f64::max);
    let at_end = |col: &str| -> Vec<f64> {
        floats(fact, col)
            .into_iter()
            .zip(&dates)
            .filter(|(_, d)| **d == last)
            .map(|(v, _)| v.unwrap())
            .collect()
    };
    let visits = at_end("visits");
    let n = visits.len() as f64;
    let mean = visits.iter().sum::<f64>() / n;
    assert!(
        (mean - 200.0).abs() < 4.0 * (200.0 / n).sqrt(),
        "visits mean {mean}"
    );
    let mut basket = at_end("basket");
    basket.sort_by(f64::total_cmp);
    let median = basket[basket.len() / 2];
    // Median of lognormal(ln 800, 0.5): sd of the sample median ≈ 1.2533·σ·800/√n.
    let se = 1.2533 * 0.5 * 800.0 / n.sqrt();
    assert!((median - 800.0).abs() < 4.0 * se, "basket median {median}");
}

/// Engine-direct curve segments become DSL transitions that reproduce the
/// original's stitching exactly: boundary `floor((end_pct + shift) · m)` of
/// the entity's active window `m`, for late arrivals and inflection
/// overrides too (plateaus make every boundary visible in the positions).
#[test]
fn engine_direct_curve_segments_stitch_like_the_engine() {
    let ends = [0.55, 0.65];
    let levels = [0.1, 0.5, 0.9];
    for n in [10u32, 22, 23, 24, 26, 39] {
        let starts = [0u32, 1, 5, 7];
        let entities: String = starts
            .iter()
            .flat_map(|&s| {
                [
                    format!("  - {{name: e{s}, archetype: three, start_period: {s}}}\n"),
                    format!(
                        "  - {{name: i{s}, archetype: three, start_period: {s}, overrides: {{inflection_month: 2}}}}\n"
                    ),
                ]
            })
            .collect();
        let end = format!("{}-{:02}", 2023 + (n - 1) / 12, (n - 1) % 12 + 1);
        let yaml = format!(
            "domain: {{name: t, entity_type: thing}}\ntime_window: {{start: 2023-01, end: {end}}}\nmetrics:\n  - {{name: m, distribution: beta, params: {{alpha: 2, beta: 5}}, polarity: positive}}\narchetypes:\n  - name: three\n    curve_segments:\n      - {{curve: plateau, params: {{level: 0.1}}, start_pct: 0.0, end_pct: 0.55}}\n      - {{curve: plateau, params: {{level: 0.5}}, start_pct: 0.55, end_pct: 0.65}}\n      - {{curve: plateau, params: {{level: 0.9}}, start_pct: 0.65, end_pct: 1.0}}\nentities:\n{entities}"
        );
        let plan = Config::from_yaml_str(&yaml)
            .unwrap_or_else(|e| panic!("{e}"))
            .validate()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plan.window.n_periods, n);
        for seg in &plan.segments {
            let start = seg.name[1..].parse::<u32>().unwrap();
            let m = n - start;
            let shift = if seg.name.starts_with('i') {
                2.0 / f64::from(m) - ends[0]
            } else {
                0.0
            };
            // The original's stitcher (with the spec's 1e-9 tolerance).
            let mut bounds = vec![0usize];
            for e in ends {
                let b = ((e + shift).clamp(0.0, 1.0) * f64::from(m) + 1e-9).floor() as usize;
                bounds.push(b.clamp(*bounds.last().unwrap(), m as usize));
            }
            bounds.push(m as usize);
            let mut expected = vec![f64::NAN; start as usize];
            for (j, level) in levels.iter().enumerate() {
                expected.extend(std::iter::repeat_n(*level, bounds[j + 1] - bounds[j]));
            }
            let mut got = vec![0.0; n as usize];
            plotsim::engine::trajectory::positions(
                &plotsim::engine::trajectory::segments(&seg.archetype, n),
                start,
                &mut got,
            );
            let same = got
                .iter()
                .zip(&expected)
                .all(|(a, b)| a == b || (a.is_nan() && b.is_nan()));
            assert!(
                same,
                "n {n}, {}: {} -> {got:?}, expected {expected:?}",
                seg.name, seg.archetype_text
            );
        }
    }
}

/// A config whose bounded metrics put a lot of mass outside their ranges and
/// baseline bands: a clamped run piles it onto the bounds.
fn bounded_config(realism: &str) -> String {
    format!(
        "about: bounds\nunit: shop\nseed: 5\nwindow: [2023-01, 2024-12]\n{realism}\
         noise: {{gaussian_sigma: 0.08, outlier_rate: 0.02, mcar_rate: 0.0}}\n\
         metrics:\n\
         \x20 - {{name: usage, type: score, polarity: positive}}\n\
         \x20 - {{name: revenue, type: amount, polarity: positive, range: [100, 5000]}}\n\
         \x20 - {{name: mood, type: index, polarity: positive, range: [0, 10]}}\n\
         \x20 - {{name: wait, type: amount, polarity: negative, range: [1, 90], distribution: weibull, distribution_params: {{shape: 1.5}}}}\n\
         \x20 - {{name: load, type: amount, polarity: positive, range: [0, 100], distribution: gamma, distribution_params: {{shape: 2, scale: 60}}}}\n\
         \x20 - {{name: orders, type: count, polarity: positive, range: [2, 40]}}\n\
         connections: [revenue driven_by usage]\n\
         segments:\n\
         \x20 - {{name: big, count: 60, archetype: growth, baseline: {{revenue: high, usage: high, mood: mid}}}}\n\
         \x20 - {{name: small, count: 60, archetype: \"flat > decline @ 12\", baseline: {{revenue: low}}}}\n"
    )
}

/// Share of each bounded metric's values exactly on a range bound or a
/// baseline band edge.
fn on_bounds(realism: &str) -> Vec<(String, f64)> {
    let plan = plan(&bounded_config(realism));
    let data = plotsim::generate(&plan).unwrap();
    let fact = data.table("fct_shop").unwrap();
    let mut out = Vec::new();
    for m in &plan.metrics {
        let Some((lo, hi)) = m.range else { continue };
        let edges: Vec<f64> = (0..4)
            .map(|k| lo + (hi - lo) * f64::from(k) / 3.0)
            .collect();
        let v: Vec<f64> = floats(fact, &m.name).into_iter().flatten().collect();
        assert!(
            v.iter().all(|x| (lo..=hi).contains(x)),
            "{} leaves its range",
            m.name
        );
        let on = v
            .iter()
            .filter(|x| edges.iter().any(|e| (*x - e).abs() < 1e-9))
            .count();
        out.push((m.name.clone(), on as f64 / v.len() as f64));
    }
    out
}

/// `realism: {range: truncate}` draws inside ranges and baseline bands: at
/// most 0.5 % of any continuous metric's values on a bound or band edge,
/// where clamping the same config puts several percent there (a count keeps
/// the probability of its bound values, less than clamping piles there).
#[test]
fn truncated_ranges_put_no_mass_on_bounds() {
    let clamped = on_bounds("");
    let truncated = on_bounds("realism: {range: truncate}\n");
    for ((name, c), (_, t)) in clamped.iter().zip(&truncated) {
        if name == "orders" {
            // A count keeps the probability of the bound values themselves
            // (P(X = 2) at a mean of 2 is large); only the tail beyond is gone.
            assert!(
                t < c,
                "orders: {:.2} % truncated vs {:.2} % clamped",
                t * 100.0,
                c * 100.0
            );
            continue;
        }
        assert!(
            *t <= 0.005,
            "{name}: {:.2} % on bounds with truncate",
            t * 100.0
        );
        if name != "wait" {
            assert!(
                *c > 0.02,
                "{name}: clamping should pile up ({:.2} %)",
                c * 100.0
            );
        }
    }
}

/// With continuous joins no trajectory jumps at a join (it starts at the
/// level the previous shape reached), `flat > decline` declines from its
/// plateau, and a shape with no room left (`growth > spike_then_crash`)
/// still crashes.
#[test]
fn continuous_joins_start_each_shape_where_the_last_ended() {
    use plotsim::engine::trajectory::{positions, segments, segments_with};
    for (dsl, n) in [
        ("flat > decline @ 12", 24u32),
        ("flat > growth @ 8", 24),
        ("growth > spike_then_crash > flat @ 6 @ 12", 24),
        ("decline > flat > growth @ 6 @ 14", 24),
        ("flat > spike_then_crash > flat @ 4 @ 12", 18),
        ("growth > seasonal @ 10", 36),
    ] {
        let spec = plotsim_config::dsl::archetype::parse(dsl).unwrap();
        let mut restart = vec![0.0; n as usize];
        positions(&segments(&spec, n), 0, &mut restart);
        let mut cont = vec![0.0; n as usize];
        positions(&segments_with(&spec, n, true), 0, &mut cont);
        let joins: Vec<usize> = spec.transitions.iter().map(|&t| t as usize).collect();
        let own_step = |x: &[f64], t: usize| -> f64 {
            // The largest step of the shape that starts at `t`, inside its phase.
            let end = joins.iter().find(|&&j| j > t).copied().unwrap_or(x.len());
            (t + 1..end)
                .map(|i| (x[i] - x[i - 1]).abs())
                .fold(0.0, f64::max)
        };
        for &t in &joins {
            let jump = (cont[t] - cont[t - 1]).abs();
            assert!(
                jump <= own_step(&restart, t) + 1e-12,
                "{dsl} at {t}: {cont:?}"
            );
            assert!(cont.iter().all(|p| (0.0..=1.0).contains(p)));
        }
        if dsl.starts_with("flat > decline") {
            assert!(
                cont[23] < 0.5 * cont[11] && cont[12] <= cont[11],
                "{cont:?}"
            );
        }
        if dsl.starts_with("growth > spike") {
            assert!(
                cont[5] == 1.0 && cont[11] < 0.3,
                "the crash is kept: {cont:?}"
            );
        }
    }
}

/// Within-entity correlation (each entity's values demeaned by its own
/// means, pooled) and its delete-one-entity jackknife standard error.
fn within_entity_with_se(fact: &Table, key: &str, a: &str, b: &str) -> (f64, f64) {
    let (va, vb) = (floats(fact, a), floats(fact, b));
    let demeaned: Vec<Vec<(f64, f64)>> = by_entity(fact, key)
        .iter()
        .map(|rows| {
            let xy: Vec<(f64, f64)> = rows
                .iter()
                .filter_map(|&r| Some((va[r]?, vb[r]?)))
                .collect();
            let n = xy.len() as f64;
            let (mx, my) = xy
                .iter()
                .fold((0.0, 0.0), |(s, t), (x, y)| (s + x / n, t + y / n));
            xy.iter().map(|(x, y)| (x - mx, y - my)).collect()
        })
        .collect();
    let r = |skip: Option<usize>| -> f64 {
        let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
        for (g, e) in demeaned.iter().enumerate() {
            if Some(g) == skip {
                continue;
            }
            for (x, y) in e {
                sxy += x * y;
                sxx += x * x;
                syy += y * y;
            }
        }
        sxy / (sxx * syy).sqrt()
    };
    let g = demeaned.len() as f64;
    let loo: Vec<f64> = (0..demeaned.len()).map(|i| r(Some(i))).collect();
    let mean = loo.iter().sum::<f64>() / g;
    let var = (g - 1.0) / g * loo.iter().map(|x| (x - mean).powi(2)).sum::<f64>();
    (r(None), var.sqrt())
}

/// `correlation_target: within_entity`: the coefficient is the within-entity
/// (demeaned) correlation, hit within 0.05 (plus three jackknife standard
/// errors) for every feasible request; the latent value keeps the declared
/// sign; a per-connection `target: pooled` keeps that pair pooled.
#[test]
fn within_entity_targets_are_met() {
    let yaml = MIXED
        .replace(
            "connections:\n  - revenue driven_by usage\n",
            "correlation_target: within_entity\nconnections:\n  - revenue driven_by usage\n",
        )
        .replace(
            "  - health related revenue\n",
            "  - health mirrors revenue\n",
        )
        .replace(
            "  - margin mirrors usage\n",
            "  - {metric_a: margin, metric_b: usage, relationship: mirrors, target: pooled}\n",
        );
    let p = plan(&yaml);
    let data = plotsim::generate(&p).unwrap();
    let fact = data.table("fct_account").unwrap();
    let m = data.manifest();
    let mut checked = 0;
    for rec in m["correlation_compensations"].as_array().unwrap() {
        let (a, b) = (
            rec["metric_a"].as_str().unwrap(),
            rec["metric_b"].as_str().unwrap(),
        );
        let requested = rec["user_target"].as_f64().unwrap();
        assert!(
            rec["copula_target"].as_f64().unwrap() * requested >= 0.0,
            "{a}~{b}"
        );
        let pooled_pair = a == "margin" && b == "usage";
        assert_eq!(
            rec["target"],
            if pooled_pair {
                "pooled"
            } else {
                "within_entity"
            }
        );
        if rec["infeasible"] == true {
            let reach = rec["reachable"].as_array().unwrap();
            let (lo, hi) = (reach[0].as_f64().unwrap(), reach[1].as_f64().unwrap());
            assert!(!(lo..=hi).contains(&requested), "{a}~{b}: {lo}..{hi}");
            continue;
        }
        let (r, se) = if pooled_pair {
            correlation_with_se(fact, "account_id", a, b)
        } else {
            within_entity_with_se(fact, "account_id", a, b)
        };
        let bound = 0.05 + 3.0 * se;
        assert!(
            (r - requested).abs() <= bound,
            "{a}~{b} ({}): realised {r:.4} vs requested {requested} (bound {bound:.4})",
            rec["target"]
        );
        checked += 1;
    }
    // The shared trajectory over-serves the rest within entities (they are
    // reported infeasible with latent 0, as the sign contract requires).
    assert!(checked >= 2, "only {checked} feasible pairs");
}

/// The README's table of requested vs realised correlations on the saas
/// template is generated here from the manifest (`PLOTSIM_BLESS=1` rewrites
/// it); the test fails when the table in the README is stale.
#[test]
fn readme_saas_correlation_table_is_current() {
    let plan = plotsim::templates::get("saas").unwrap().plan().unwrap();
    let data = plotsim::generate(&plan).unwrap();
    let m = data.manifest();
    let status = |a: &str, b: &str| -> &'static str {
        m["correlation_compensations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| {
                (c["metric_a"] == a && c["metric_b"] == b)
                    || (c["metric_a"] == b && c["metric_b"] == a)
            })
            .map_or("", |c| {
                if c["infeasible"] == true {
                    "infeasible"
                } else {
                    "met"
                }
            })
    };
    let f = |v: &serde_json::Value| v.as_f64().map_or("-".to_owned(), |x| format!("{x:+.2}"));
    let mut table = String::from(
        "| pair | requested | latent | pooled | within-entity | first differences | |\n|---|---|---|---|---|---|---|\n",
    );
    let mut rows: Vec<&serde_json::Value> = m["latent_correlations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["phase_index"].is_null())
        .collect();
    // Declared pairs first, then the undeclared ones.
    rows.sort_by_key(|r| r["declared"].is_null());
    for r in rows {
        let (a, b) = (
            r["metric_a"].as_str().unwrap(),
            r["metric_b"].as_str().unwrap(),
        );
        // Declared pairs move with their declared sign month to month (or
        // not at all, within three standard errors of a zero correlation).
        if let Some(d) = r["declared"].as_f64() {
            let fd = r["realized_first_difference"].as_f64().unwrap();
            let se = 1.0 / r["n_differences"].as_f64().unwrap().sqrt();
            assert!(
                fd * d.signum() >= -3.0 * se,
                "{a}~{b}: first differences {fd} against {d}"
            );
        }
        table.push_str(&format!(
            "| {a} ~ {b} | {} | {} | {} | {} | {} | {} |\n",
            f(&r["declared"]),
            f(&r["latent"]),
            f(&r["realized_pooled"]),
            f(&r["realized_within_entity"]),
            f(&r["realized_first_difference"]),
            if r["declared"].is_null() {
                "undeclared"
            } else {
                status(a, b)
            },
        ));
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    let (start, end) = (
        "<!-- saas-correlations:start -->\n",
        "<!-- saas-correlations:end -->",
    );
    let i = readme.find(start).expect("README marker") + start.len();
    let j = readme.find(end).expect("README marker");
    if std::env::var_os("PLOTSIM_BLESS").is_some() {
        std::fs::write(path, format!("{}{table}{}", &readme[..i], &readme[j..])).unwrap();
        return;
    }
    assert_eq!(
        &readme[i..j],
        table,
        "the README's saas correlation table is stale; rerun with PLOTSIM_BLESS=1"
    );
}

/// A poisson count with `dispersion: d` is over-dispersed: at a fixed
/// position its variance is `mean + d·mean²` (within three standard errors
/// of the sample variance, whose relative SE is about sqrt((kurtosis-1)/n)),
/// where the plain Poisson's is its mean.
#[test]
fn dispersion_over_disperses_counts() {
    let yaml = |params: &str| {
        format!(
            "about: d\nunit: shop\nseed: 8\nwindow: [2023-01, 2024-12]\nnoise: perfectly_clean\n\
             metrics:\n  - {{name: orders, type: count, polarity: positive, distribution: poisson, distribution_params: {params}}}\n\
             segments:\n  - {{name: s, count: 60, archetype: \"plateau(level=0.5)\"}}\n"
        )
    };
    for (params, d) in [
        ("{lambda: 100}", 0.0),
        ("{lambda: 100, dispersion: 0.5}", 0.5),
    ] {
        let plan = plan(&yaml(params));
        let data = plotsim::generate(&plan).unwrap();
        let v: Vec<f64> = floats(data.table("fct_shop").unwrap(), "orders")
            .into_iter()
            .flatten()
            .collect();
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        let want = 50.0 + d * 2500.0;
        // Kurtosis of the negative binomial of mean 50: 3 + 6d + 1/(50 (1 + 50 d))
        // (d = 0: the Poisson's 3 + 1/50); the sample variance's relative SE
        // is sqrt((kurtosis - 1) / n).
        let kurtosis = 3.0 + 6.0 * d + 1.0 / (50.0 * (1.0 + 50.0 * d));
        let rel_se = ((kurtosis - 1.0) / n).sqrt();
        assert!(
            (mean - 50.0).abs() < 3.0 * (want / n).sqrt(),
            "{params}: mean {mean}"
        );
        assert!(
            (var / want - 1.0).abs() < 3.0 * rel_se,
            "{params}: variance {var:.1} vs {want}"
        );
    }
}

/// `Period` exposes its calendar parts, and chrono is reachable through plotsim.
#[test]
fn periods_expose_their_calendar() {
    let plan = plotsim::templates::get("quickstart")
        .unwrap()
        .plan()
        .unwrap();
    let p = plan.window.period(13);
    let d: plotsim::chrono::NaiveDate = p.date();
    assert_eq!(d, p.start_date());
    assert_eq!((p.year(), p.month(), p.quarter()), (2025, 2, 1));
    assert_eq!(p.week(), plotsim::chrono::Datelike::iso_week(&d).week());
}
