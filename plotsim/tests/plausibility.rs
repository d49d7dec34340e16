//! Our bundled templates mean what their segments say: per template, per
//! segment, the direction or band its label implies for two or three key
//! metrics, checked on generated data (fixed seeds; trends are compared
//! with three standard errors of the difference of means). And with their
//! `realism` block on, no continuous metric has more than 0.5 % of its
//! values on a range bound or a baseline band edge.

#![allow(missing_docs, clippy::unwrap_used)]

use std::collections::HashMap;

use plotsim::tables::ColumnData;
use plotsim::{Dataset, OutputFormat, Plan};

/// One template's data, read per (segment, metric).
struct Data {
    plan: Plan,
    data: Dataset,
    /// entity key -> segment.
    segment_of: HashMap<String, String>,
    /// date_key -> period index.
    period_of: HashMap<i64, usize>,
}

fn ints(c: &ColumnData) -> Vec<Option<i64>> {
    c.f64s().into_iter().map(|v| v.map(|x| x as i64)).collect()
}

impl Data {
    fn new(name: &str) -> Data {
        let plan = plotsim::templates::get(name).unwrap().plan().unwrap();
        let data = plotsim::generate(&plan).unwrap();
        let segment_of = data.manifest()["archetype_assignments"]
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
        let dates = ints(data.table("dim_date").unwrap().column("date_key").unwrap());
        let period_of = dates
            .iter()
            .enumerate()
            .map(|(i, d)| (d.unwrap(), i))
            .collect();
        Data {
            plan,
            data,
            segment_of,
            period_of,
        }
    }

    /// (period, value) of every non-null value of `metric` for `segment`,
    /// from the first table holding the metric's column.
    fn series(&self, segment: &str, metric: &str) -> Vec<(usize, f64)> {
        let key = format!("{}_id", self.plan.unit);
        for t in self.data.schema().tables() {
            let table = self.data.table(&t.name).unwrap();
            let (Some(v), Some(k), Some(d)) = (
                table.column(metric),
                table.column(&key),
                table.column("date_key"),
            ) else {
                continue;
            };
            let (v, k, d) = (v.f64s(), k.texts(), ints(d));
            return (0..table.rows())
                .filter(|&r| {
                    self.segment_of
                        .get(k[r].as_deref().unwrap_or(""))
                        .map(String::as_str)
                        == Some(segment)
                })
                .filter_map(|r| Some((self.period_of[&d[r]?], v[r]?)))
                .collect();
        }
        panic!("no table holds {metric} with {key} and date_key");
    }

    fn mean(&self, segment: &str, metric: &str) -> f64 {
        mean(&values(&self.series(segment, metric)))
    }

    /// Mean and standard error over periods [lo, hi).
    fn window(&self, segment: &str, metric: &str, lo: usize, hi: usize) -> (f64, f64) {
        let v: Vec<f64> = self
            .series(segment, metric)
            .into_iter()
            .filter(|(p, _)| (lo..hi).contains(p))
            .map(|(_, x)| x)
            .collect();
        let m = mean(&v);
        let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64;
        (m, (var / v.len() as f64).sqrt())
    }

    /// +1 if the last six periods' mean is above the first six's by more
    /// than three standard errors, -1 if below, 0 otherwise.
    fn trend(&self, segment: &str, metric: &str) -> i32 {
        let n = self.plan.window.n_periods as usize;
        let (a, sa) = self.window(segment, metric, 0, 6);
        let (b, sb) = self.window(segment, metric, n - 6, n);
        let se = (sa * sa + sb * sb).sqrt();
        if b - a > 3.0 * se {
            1
        } else if a - b > 3.0 * se {
            -1
        } else {
            0
        }
    }

    #[track_caller]
    fn below(&self, segment: &str, metric: &str, limit: f64) {
        let m = self.mean(segment, metric);
        assert!(
            m < limit,
            "{segment}: mean {metric} {m:.3} is not below {limit}"
        );
    }

    #[track_caller]
    fn above(&self, segment: &str, metric: &str, limit: f64) {
        let m = self.mean(segment, metric);
        assert!(
            m > limit,
            "{segment}: mean {metric} {m:.3} is not above {limit}"
        );
    }

    #[track_caller]
    fn rises(&self, segment: &str, metric: &str) {
        assert_eq!(
            self.trend(segment, metric),
            1,
            "{segment}: {metric} should rise"
        );
    }

    #[track_caller]
    fn falls(&self, segment: &str, metric: &str) {
        assert_eq!(
            self.trend(segment, metric),
            -1,
            "{segment}: {metric} should fall"
        );
    }

    /// Every continuous bounded metric has at most 0.5 % of its values on
    /// a bound or band edge (a third of the range), in the files a run
    /// writes (JSON lines: every table with a column of the metric, quality
    /// issues included).
    fn no_pile_ups(&self) {
        let dir = tempfile::tempdir().unwrap();
        let out = self
            .data
            .write(dir.path().join("out"), OutputFormat::Jsonl)
            .unwrap();
        let rows: Vec<serde_json::Map<String, serde_json::Value>> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
            .flat_map(|p| {
                let text = std::fs::read_to_string(p).unwrap();
                text.lines()
                    .map(|l| serde_json::from_str(l).unwrap())
                    .collect::<Vec<_>>()
            })
            .collect();
        for m in &self.plan.metrics {
            let Some((lo, hi)) = m.range else { continue };
            if m.is_integer() {
                continue;
            }
            let edges: Vec<f64> = (0..4)
                .map(|k| lo + (hi - lo) * f64::from(k) / 3.0)
                .collect();
            let v: Vec<f64> = rows
                .iter()
                .filter_map(|r| r.get(&m.name)?.as_f64())
                .collect();
            assert!(v.len() > 100, "{}: only {} values written", m.name, v.len());
            // Written values carry 4 decimals.
            let on = v
                .iter()
                .filter(|x| edges.iter().any(|e| (*x - e).abs() < 5e-5))
                .count();
            let share = on as f64 / v.len() as f64;
            assert!(
                share <= 0.005,
                "{}: {:.2} % on bounds",
                m.name,
                share * 100.0
            );
        }
    }
}

fn values(s: &[(usize, f64)]) -> Vec<f64> {
    s.iter().map(|(_, v)| *v).collect()
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

#[test]
fn health_segments_mean_their_labels() {
    let d = Data::new("health");
    d.below("well_managed", "bp_systolic", 130.0);
    d.below("well_managed", "a1c", 6.5);
    d.below("well_managed", "readmission_risk", 0.33);
    d.above("chronic_progressive", "bp_systolic", 160.0);
    d.above("chronic_progressive", "a1c", 8.0);
    d.rises("chronic_progressive", "bp_systolic");
    d.falls("recovering", "readmission_risk");
    d.below("pediatric_routine", "readmission_risk", 0.33);
    d.no_pile_ups();
}

#[test]
fn banking_segments_mean_their_labels() {
    let d = Data::new("banking");
    d.below("prime_borrower", "delinquency_risk", 0.3);
    d.below("prime_borrower", "default_risk", 0.33);
    d.above("prime_borrower", "payment_on_time", 0.67);
    d.rises("deteriorating", "delinquency_risk");
    d.falls("subprime_improving", "default_risk");
    d.above(
        "hnw",
        "account_balance",
        d.mean("mass_market", "account_balance"),
    );
    d.no_pile_ups();
}

#[test]
fn hr_segments_mean_their_labels() {
    let d = Data::new("hr");
    d.below("core_team", "absence_rate", 0.1);
    d.below("core_team", "attrition_risk", 0.33);
    d.above("core_team", "performance_score", 0.67);
    d.rises("disengaging", "attrition_risk");
    d.falls("disengaging", "engagement");
    d.rises("new_hire_ramp", "performance_score");
    d.no_pile_ups();
}

#[test]
fn saas_segments_mean_their_labels() {
    let d = Data::new("saas");
    d.above("enterprise_steady", "mrr", d.mean("churning", "mrr"));
    d.above("churning", "churn_risk", 0.67);
    d.rises("churning", "churn_risk");
    d.falls("churning", "engagement");
    d.rises("rapid_adopter", "engagement");
    d.no_pile_ups();
}

#[test]
fn marketing_segments_mean_their_labels() {
    let d = Data::new("marketing");
    d.falls("end_of_life", "revenue");
    d.rises("viral_compound", "revenue");
    d.rises("awareness_builder", "impressions");
    d.above("awareness_builder", "impressions", 10_000.0);
    d.no_pile_ups();
}

#[test]
fn retail_segments_mean_their_labels() {
    let d = Data::new("retail");
    d.falls("churning", "loyalty_score");
    d.rises("loyal_repeat", "repeat_purchase_rate");
    d.above("vip", "cart_value", 10.0 + 490.0 * 2.0 / 3.0);
    d.no_pile_ups();
}

#[test]
fn quickstart_churners_decline_from_their_plateau() {
    let d = Data::new("quickstart");
    let (before, _) = d.window("churning", "usage", 6, 12);
    let (at, _) = d.window("churning", "usage", 12, 14);
    assert!(
        at < before + 0.1,
        "no jump at the churn point: {before:.3} then {at:.3}"
    );
    d.falls("churning", "usage");
    d.no_pile_ups();
}
