//! `_entity_features`: one row per entity with six aggregates per metric over
//! the entity's rows in the (training) window, folded block by block from
//! the same panels the facts are built from (no second pass over the facts).

use std::ops::Range;

use super::batch::RowBatch;
use super::column::{ColumnData, DictColumn, KeyColumn, Values};
use super::schema::{FeatureStat, Fill, TableSchema};
use crate::engine::panel::EntityPanel;
use plotsim_config::Plan;

/// The six aggregates of one metric for one entity (NaN where undefined).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FeatureStats {
    /// Mean of the non-null values.
    pub mean: f64,
    /// Population standard deviation (divisor n) of the non-null values.
    pub std: f64,
    /// Least-squares slope of value on absolute period index over the
    /// non-null values (per period); NaN with fewer than two of them.
    pub slope: f64,
    /// The value at the first row (NaN if that cell is null).
    pub first: f64,
    /// The value at the last row (NaN if that cell is null).
    pub last: f64,
    /// The period index of the largest non-null value (the earliest on a tie).
    pub peak_period: f64,
}

impl FeatureStats {
    fn get(&self, stat: FeatureStat) -> f64 {
        match stat {
            FeatureStat::Mean => self.mean,
            FeatureStat::Std => self.std,
            FeatureStat::Slope => self.slope,
            FeatureStat::First => self.first,
            FeatureStat::Last => self.last,
            FeatureStat::PeakPeriod => self.peak_period,
        }
    }
}

/// The aggregates of one entity's series: `points` are (absolute period
/// index, value) in ascending period order, a null as NaN.
///
/// # Example
/// ```
/// let s = plotsim::tables::feature_stats(&[(3, 1.0), (4, 3.0), (5, f64::NAN)]);
/// assert_eq!((s.mean, s.std, s.slope), (2.0, 1.0, 2.0));
/// assert_eq!((s.first, s.peak_period), (1.0, 4.0));
/// assert!(s.last.is_nan());
/// ```
pub fn feature_stats(points: &[(usize, f64)]) -> FeatureStats {
    let nan = f64::NAN;
    let (first, last) = match (points.first(), points.last()) {
        (Some(a), Some(b)) => (a.1, b.1),
        _ => (nan, nan),
    };
    let valid = || points.iter().filter(|(_, v)| !v.is_nan());
    let k = valid().count();
    if k == 0 {
        return FeatureStats {
            mean: nan,
            std: nan,
            slope: nan,
            first,
            last,
            peak_period: nan,
        };
    }
    let kf = k as f64;
    let mean = valid().map(|&(_, v)| v).sum::<f64>() / kf;
    let xbar = valid().map(|&(x, _)| x as f64).sum::<f64>() / kf;
    let (mut sxx, mut sxv, mut svv) = (0.0, 0.0, 0.0);
    let mut peak = (0usize, f64::NEG_INFINITY);
    for &(x, v) in valid() {
        let (dx, dv) = (x as f64 - xbar, v - mean);
        sxx += dx * dx;
        sxv += dx * dv;
        svv += dv * dv;
        if v > peak.1 {
            peak = (x, v);
        }
    }
    FeatureStats {
        mean,
        std: (svv / kf).sqrt(),
        slope: if k >= 2 && sxx > 0.0 { sxv / sxx } else { nan },
        first,
        last,
        peak_period: peak.0 as f64,
    }
}

/// The features rows of a block of entity panels over `periods`.
pub(crate) fn feature_rows(
    plan: &Plan,
    t: &TableSchema,
    panels: &[EntityPanel],
    periods: &Range<usize>,
) -> RowBatch {
    let n = plan.window.n_periods as usize;
    let rows = |p: &EntityPanel| super::facts::active_rows(p, periods, n);
    let mut stats: Vec<(usize, Vec<FeatureStats>)> = Vec::new();
    let mut columns = Vec::with_capacity(t.fills.len());
    for fill in &t.fills {
        columns.push(match fill {
            Fill::EntityKey(format) => ColumnData::Key(KeyColumn {
                format: format.clone(),
                ordinals: panels.iter().map(|p| p.entity.ordinal).collect(),
            }),
            &Fill::Feature { metric, stat } => {
                let i = match stats.iter().position(|(m, _)| *m == metric) {
                    Some(i) => i,
                    None => {
                        let per_entity = panels
                            .iter()
                            .map(|p| {
                                let series = &p.values[metric * n..(metric + 1) * n];
                                let points: Vec<(usize, f64)> =
                                    rows(p).map(|x| (x, series[x])).collect();
                                feature_stats(&points)
                            })
                            .collect();
                        stats.push((metric, per_entity));
                        stats.len() - 1
                    }
                };
                floats(stats[i].1.iter().map(|s| s.get(stat)))
            }
            Fill::Archetype => ColumnData::Dict(DictColumn {
                labels: plan.segments.iter().map(|s| s.name.clone()).collect(),
                codes: Values::from_values(
                    panels.iter().map(|p| p.entity.segment as u32).collect(),
                ),
            }),
            Fill::FinalPosition => floats(panels.iter().map(|p| {
                let r = rows(p);
                if r.is_empty() {
                    f64::NAN
                } else {
                    p.positions[r.end - 1]
                }
            })),
            // The schema gives the features table no other fill.
            _ => ColumnData::Text(panels.iter().map(|_| None).collect()),
        });
    }
    RowBatch {
        table: t.id,
        columns,
    }
}

/// A float column, NaN as null.
fn floats(values: impl Iterator<Item = f64>) -> ColumnData {
    let mut v = Values::new();
    for x in values {
        v.push((!x.is_nan()).then_some(x));
    }
    ColumnData::Float(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_match_their_definitions() {
        // v = 2x + 1 at x = 2..6 with x = 4 null.
        let pts = [(2, 5.0), (3, 7.0), (4, f64::NAN), (5, 11.0), (6, 13.0)];
        let s = feature_stats(&pts);
        assert_eq!(s.mean, 9.0);
        assert!((s.std - 10f64.sqrt()).abs() < 1e-12);
        assert!((s.slope - 2.0).abs() < 1e-12);
        assert_eq!((s.first, s.last, s.peak_period), (5.0, 13.0, 6.0));
    }

    #[test]
    fn ties_and_degenerate_series() {
        let s = feature_stats(&[(0, 4.0), (1, 1.0), (2, 4.0)]);
        assert_eq!(s.peak_period, 0.0);
        let one = feature_stats(&[(7, 2.0)]);
        assert_eq!((one.mean, one.std, one.peak_period), (2.0, 0.0, 7.0));
        assert!(one.slope.is_nan());
        let none = feature_stats(&[(0, f64::NAN)]);
        assert!(none.mean.is_nan() && none.std.is_nan() && none.peak_period.is_nan());
        let empty = feature_stats(&[]);
        assert!(empty.first.is_nan() && empty.last.is_nan());
    }
}
