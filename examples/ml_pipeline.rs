//! The ML workflow end to end: generate a dataset with entity features and a
//! temporal holdout, train a classifier on the features and score it against
//! the manifest's labels next to the majority baseline, then forecast the
//! held-out target per entity with a linear trend and report the error.
//!
//! Run with `cargo run --release --example ml_pipeline [-- VARIATION]`, where
//! VARIATION is a YAML `variation` block such as
//! `"{timing: 4, amplitude: 0.5, level: 0.2, noise: 0.6, blend: 0.6}"`.
//!
//! The config is the bundled saas template scaled six-fold (600 companies),
//! without its quality issues (features and a holdout need clean tables),
//! holding out the last 3 months of `mrr`. The classifier is a nearest
//! centroid on standardised features: short, no extra dependency, and
//! enough to rank difficulty.

use std::collections::BTreeMap;

use plotsim::tables::{ColumnData, Table};

/// (period index, value) points per company.
type Series = BTreeMap<String, Vec<(f64, f64)>>;

/// Errors of this example.
type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let variation = std::env::args().nth(1);
    let mut config = plotsim::templates::get("saas")
        .ok_or("the saas template is bundled")?
        .config()?;
    config.quality.clear();
    for s in &mut config.segments {
        s.count *= 6;
    }
    let mut yaml = config.to_yaml();
    yaml.push_str("entity_features: true\nholdout: {target: mrr, periods: 3}\n");
    if let Some(v) = &variation {
        yaml.push_str(&format!("variation: {v}\n"));
    }
    let plan = plotsim::Config::from_yaml_str(&yaml)?.validate()?;
    let data = plotsim::generate(&plan)?;
    let features = data.entity_features().ok_or("features were asked for")?;
    let cutoff = data.manifest()["holdout"]["cutoff_period_index"]
        .as_u64()
        .ok_or("manifest.holdout")?;
    println!(
        "{} companies, {} feature columns, training periods 0..{cutoff}, variation {}",
        features.rows(),
        features.columns.len() - 3,
        variation.as_deref().unwrap_or("off")
    );

    // Labels come from the manifest, the answer key (the features table has
    // them too).
    let labels: BTreeMap<String, String> = data.manifest()["archetype_assignments"]
        .as_array()
        .ok_or("archetype_assignments")?
        .iter()
        .filter_map(|a| {
            Some((
                a["entity_id"].as_str()?.to_owned(),
                a["archetype"].as_str()?.to_owned(),
            ))
        })
        .collect();
    let (accuracy, majority) = classify(features, &labels)?;
    println!(
        "classifier: nearest centroid accuracy {accuracy:.3} vs majority baseline {majority:.3}"
    );

    // Forecast: fit mrr ~ a + b * period on each company's training rows,
    // predict the held-out periods, compare with the holdout file's values.
    let train = data.table("fct_revenue_train").ok_or("train split")?;
    let hold = data.table("fct_revenue_holdout").ok_or("holdout split")?;
    let (mae, naive) = forecast(&data, train, hold)?;
    println!(
        "forecast of mrr over the {} held-out months: linear-trend MAE {mae:.2} vs last-value MAE {naive:.2}",
        data.manifest()["holdout"]["holdout_periods"]
    );
    Ok(())
}

/// Nearest centroid on standardised numeric features, trained on even rows
/// and scored on odd rows.
fn classify(
    f: &Table,
    labels: &BTreeMap<String, String>,
) -> Result<(f64, f64), Box<dyn std::error::Error>> {
    let ids: Vec<String> = f.columns[0].data.texts().into_iter().flatten().collect();
    let y: Vec<&str> = ids.iter().map(|i| labels[i].as_str()).collect();
    let x: Vec<Vec<f64>> = f
        .columns
        .iter()
        .filter(|c| matches!(c.data, ColumnData::Float(_)) && c.name != "final_trajectory_position")
        .map(|c| {
            let v: Vec<f64> = c.data.f64s().iter().map(|v| v.unwrap_or(0.0)).collect();
            let n = v.len() as f64;
            let m = v.iter().sum::<f64>() / n;
            let sd = (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n).sqrt();
            v.iter()
                .map(|x| if sd > 0.0 { (x - m) / sd } else { 0.0 })
                .collect()
        })
        .collect();
    let row = |i: usize| x.iter().map(|c| c[i]).collect::<Vec<f64>>();
    let mut centroids: BTreeMap<&str, (Vec<f64>, f64)> = BTreeMap::new();
    for i in (0..y.len()).step_by(2) {
        let c = centroids
            .entry(y[i])
            .or_insert_with(|| (vec![0.0; x.len()], 0.0));
        c.0.iter_mut().zip(row(i)).for_each(|(a, b)| *a += b);
        c.1 += 1.0;
    }
    let (mut right, mut total) = (0.0, 0.0);
    let mut counts: BTreeMap<&str, f64> = BTreeMap::new();
    for i in (1..y.len()).step_by(2) {
        let r = row(i);
        let guess = centroids
            .iter()
            .map(|(l, (s, k))| {
                (
                    s.iter()
                        .zip(&r)
                        .map(|(a, b)| (a / k - b).powi(2))
                        .sum::<f64>(),
                    *l,
                )
            })
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .ok_or("no classes")?
            .1;
        right += f64::from(guess == y[i]);
        total += 1.0;
        *counts.entry(y[i]).or_default() += 1.0;
    }
    let majority = counts.values().fold(0.0_f64, |a, &b| a.max(b)) / total;
    Ok((right / total, majority))
}

/// Per-company linear trend on the training rows, scored on the holdout
/// rows; also the last training value as a naive forecast.
fn forecast(
    data: &plotsim::Dataset,
    train: &Table,
    hold: &Table,
) -> Result<(f64, f64), Box<dyn std::error::Error>> {
    let dates = data.table("dim_date").ok_or("dim_date")?;
    let period: BTreeMap<i64, f64> = dates
        .column("date_key")
        .ok_or("date_key")?
        .i64s()
        .into_iter()
        .zip(dates.column("period_index").ok_or("period_index")?.i64s())
        .filter_map(|(k, i)| Some((k?, i? as f64)))
        .collect();
    let series = |t: &Table| -> Res<Series> {
        let keys = t.column("company_id").ok_or("company_id")?.texts();
        let when = t.column("date_key").ok_or("date_key")?.i64s();
        let spend = t.column("mrr").ok_or("mrr")?.f64s();
        let mut out = Series::new();
        for ((k, d), v) in keys.into_iter().zip(when).zip(spend) {
            if let (Some(k), Some(d), Some(v)) = (k, d, v) {
                out.entry(k).or_default().push((period[&d], v));
            }
        }
        Ok(out)
    };
    let (train, hold) = (series(train)?, series(hold)?);
    let (mut err, mut naive, mut n) = (0.0, 0.0, 0.0);
    for (id, pts) in &train {
        let k = pts.len() as f64;
        if k < 2.0 {
            continue;
        }
        let (mx, my) = (
            pts.iter().map(|p| p.0).sum::<f64>() / k,
            pts.iter().map(|p| p.1).sum::<f64>() / k,
        );
        let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
        let b = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum::<f64>() / sxx;
        let last = pts.last().map_or(my, |p| p.1);
        for &(x, v) in hold.get(id).into_iter().flatten() {
            err += (my + b * (x - mx) - v).abs();
            naive += (last - v).abs();
            n += 1.0;
        }
    }
    Ok((err / n, naive / n))
}
