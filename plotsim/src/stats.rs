//! Mergeable statistics shared by calibration and the answer key: pooled
//! co-moments (Chan et al.'s merge) and cell counters. Serialisable, so a
//! shard's partial state can be written and merged later.

use plotsim_config::CorrelationTarget;

/// Pooled co-moments of two series; mergeable (Chan et al.).
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CoMoment {
    /// Observations.
    pub n: f64,
    mean_a: f64,
    mean_b: f64,
    m2a: f64,
    m2b: f64,
    cab: f64,
}

impl CoMoment {
    /// Adds one observation.
    pub fn add(&mut self, a: f64, b: f64) {
        self.n += 1.0;
        let da = a - self.mean_a;
        self.mean_a += da / self.n;
        let db = b - self.mean_b;
        self.mean_b += db / self.n;
        self.m2a += da * (a - self.mean_a);
        self.m2b += db * (b - self.mean_b);
        self.cab += da * (b - self.mean_b);
    }

    /// Merges another accumulator into this one.
    pub fn merge(&mut self, o: &CoMoment) {
        if o.n == 0.0 {
            return;
        }
        if self.n == 0.0 {
            *self = *o;
            return;
        }
        let n = self.n + o.n;
        let da = o.mean_a - self.mean_a;
        let db = o.mean_b - self.mean_b;
        self.m2a += o.m2a + da * da * self.n * o.n / n;
        self.m2b += o.m2b + db * db * self.n * o.n / n;
        self.cab += o.cab + da * db * self.n * o.n / n;
        self.mean_a += da * o.n / n;
        self.mean_b += db * o.n / n;
        self.n = n;
    }

    /// Pearson correlation (0 when either series is constant).
    pub fn correlation(&self) -> f64 {
        self.defined_correlation().unwrap_or(0.0)
    }

    /// Pearson correlation, or `None` when either series is constant.
    pub fn defined_correlation(&self) -> Option<f64> {
        let d = libm::sqrt(self.m2a * self.m2b);
        (d > 0.0).then(|| self.cab / d)
    }
}

/// The three correlations the answer key reports for a pair of metrics,
/// from one pass over each entity's periods:
///
/// - **pooled**: Pearson over every entity-period where both are present;
/// - **within-entity**: Pearson of the values demeaned per entity (each
///   entity's own co-moments, summed), i.e. how the two move together inside
///   an entity, without the between-entity spread;
/// - **first-difference**: Pearson of the period-to-period changes
///   `x[t] - x[t-1]`, `y[t] - y[t-1]`, over consecutive periods where both
///   are present in both periods (month-to-month co-movement).
///
/// Mergeable in any grouping of whole entities.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PairMoments {
    /// Pooled co-moments.
    pub pooled: CoMoment,
    within_m2a: f64,
    within_m2b: f64,
    within_cab: f64,
    /// Co-moments of the first differences.
    pub differences: CoMoment,
}

impl PairMoments {
    /// The moments of one entity's series `(x[t], y[t])`, in period order;
    /// `None` marks a period where either value is missing (a gap, which
    /// also breaks the chain of differences).
    pub fn of_entity(cells: impl Iterator<Item = Option<(f64, f64)>>) -> Self {
        let (a, b): (Vec<f64>, Vec<f64>) = cells.map(|c| c.unwrap_or((f64::NAN, f64::NAN))).unzip();
        let n = a.len();
        let values = [a, b].concat();
        EntitySeries::new(&values, n, None).pair(0, 1)
    }

    /// Merges the moments of other entities into these.
    pub fn merge(&mut self, o: &PairMoments) {
        self.pooled.merge(&o.pooled);
        self.within_m2a += o.within_m2a;
        self.within_m2b += o.within_m2b;
        self.within_cab += o.within_cab;
        self.differences.merge(&o.differences);
    }

    /// Pooled Pearson correlation (`None`: a constant series).
    pub fn pooled(&self) -> Option<f64> {
        self.pooled.defined_correlation()
    }

    /// Within-entity (demeaned) correlation (`None`: no variation inside entities).
    pub fn within_entity(&self) -> Option<f64> {
        let d = libm::sqrt(self.within_m2a * self.within_m2b);
        (d > 0.0).then(|| self.within_cab / d)
    }

    /// First-difference correlation (`None`: no consecutive pairs or no change).
    pub fn first_difference(&self) -> Option<f64> {
        self.differences.defined_correlation()
    }

    /// The correlation a declared coefficient of `target` aims at.
    pub fn get(&self, target: CorrelationTarget) -> Option<f64> {
        match target {
            CorrelationTarget::Pooled => self.pooled(),
            CorrelationTarget::WithinEntity => self.within_entity(),
        }
    }

    /// Observations of `kind` (entity-periods).
    pub fn n(&self) -> f64 {
        self.pooled.n
    }
}

/// One entity's metric series, made ready for [`PairMoments`] of any pair:
/// per metric, each value shifted by the metric's first present value (so
/// plain sums stay exact enough: values inside one entity are close to each
/// other) with `0` where it is missing, and its presence as `1.0`/`0.0`.
///
/// A pair's sums are each metric's own sums over its own periods, less the
/// terms of the periods where the other metric is missing (usually none or
/// a few), plus the cross products: one short pass per pair.
#[derive(Debug, Clone)]
pub struct EntitySeries {
    n: usize,
    shifted: Vec<f64>,
    present: Vec<f64>,
    origin: Vec<f64>,
    /// Per metric, its level and difference terms over its own periods
    /// ([`Terms::own`]). Made on first use (calibration reads a few pairs
    /// only).
    own: Vec<std::cell::OnceCell<(Terms, Terms)>>,
    /// The periods where a metric is missing, metric after metric, in order;
    /// metric `k`'s are `absent[absent_at[k]..absent_at[k + 1]]`.
    absent: Vec<u32>,
    absent_at: Vec<usize>,
}

impl EntitySeries {
    /// The series of `values` (metric-major: metric `m`'s period `t` at
    /// `m * n + t`, NaN where missing), keeping only the periods where
    /// `periods` is set (`None`: all; a period left out breaks the chain of
    /// differences like a missing value).
    pub fn new(values: &[f64], n: usize, periods: Option<&[bool]>) -> Self {
        let m = values.len().checked_div(n).unwrap_or(0);
        let mut shifted = vec![0.0; m * n];
        let mut present = vec![0.0; m * n];
        let mut origin = vec![0.0; m];
        let mut absent = Vec::new();
        let mut absent_at = Vec::with_capacity(m + 1);
        for k in 0..m {
            absent_at.push(absent.len());
            let row = &values[k * n..(k + 1) * n];
            let keep = |t: usize, v: f64| !v.is_nan() && periods.is_none_or(|p| p[t]);
            let o = row
                .iter()
                .enumerate()
                .find(|&(t, &v)| keep(t, v))
                .map_or(0.0, |(_, &v)| v);
            origin[k] = o;
            for (t, &v) in row.iter().enumerate() {
                if keep(t, v) {
                    shifted[k * n + t] = v - o;
                    present[k * n + t] = 1.0;
                } else {
                    absent.push(t as u32);
                }
            }
        }
        absent_at.push(absent.len());
        EntitySeries {
            n,
            shifted,
            present,
            origin,
            own: vec![std::cell::OnceCell::new(); m],
            absent,
            absent_at,
        }
    }

    /// Metric `k`'s own level and difference terms (see `own`).
    fn own(&self, k: usize) -> (Terms, Terms) {
        *self.own[k].get_or_init(|| {
            let (x, p) = self.series(k);
            Terms::own(x, p)
        })
    }

    /// Metric `k`'s shifted values and presence.
    fn series(&self, k: usize) -> (&[f64], &[f64]) {
        let n = self.n;
        (&self.shifted[k * n..][..n], &self.present[k * n..][..n])
    }

    /// The periods where metric `k` is missing.
    fn absent(&self, k: usize) -> &[u32] {
        &self.absent[self.absent_at[k]..self.absent_at[k + 1]]
    }

    /// The moments of metrics `a` and `b` over the entity's periods.
    pub fn pair(&self, a: usize, b: usize) -> PairMoments {
        let ((xa, pa), (xb, pb)) = (self.series(a), self.series(b));
        let ((la, da), (lb, db)) = (self.own(a), self.own(b));
        let (ea, eda) = Terms::of_gaps(xa, pa, self.absent(b));
        let (eb, edb) = Terms::of_gaps(xb, pb, self.absent(a));
        // The cross products, where both are present (in both periods, for
        // the differences).
        let (mut xy, mut dxy) = (0.0, 0.0);
        let (mut px, mut py, mut pw) = (0.0, 0.0, 0.0);
        for t in 0..self.n {
            let w = pa[t] * pb[t];
            let (x, y) = (xa[t] * pb[t], xb[t] * pa[t]);
            xy += x * y;
            let wd = w * pw;
            dxy += ((x - px) * wd) * ((y - py) * wd);
            (px, py, pw) = (x, y, w);
        }
        let level = Sums::paired(la.less(ea), lb.less(eb), xy);
        let diff = Sums::paired(da.less(eda), db.less(edb), dxy);
        let pooled = level.moments(self.origin[a], self.origin[b]);
        PairMoments {
            pooled,
            within_m2a: pooled.m2a,
            within_m2b: pooled.m2b,
            within_cab: pooled.cab,
            differences: diff.moments(0.0, 0.0),
        }
    }
}

/// The count, sum and sum of squares of some of a series' terms.
#[derive(Debug, Default, Clone, Copy)]
struct Terms {
    n: f64,
    x: f64,
    xx: f64,
}

impl Terms {
    fn add(&mut self, x: f64) {
        self.n += 1.0;
        self.x += x;
        self.xx += x * x;
    }

    /// A series' level and difference terms over its own periods: the
    /// first metric's sums of [`pass`] of the series with itself, by the
    /// same operations in the same order (so the same bits), without the
    /// second metric's copies.
    fn own(x: &[f64], p: &[f64]) -> (Terms, Terms) {
        let (mut level, mut diff) = (Terms::default(), Terms::default());
        let (mut px, mut pw) = (0.0, 0.0);
        for (&xt, &pt) in x.iter().zip(p) {
            let w = pt * pt;
            let v = xt * pt;
            level.n += w;
            level.x += v;
            level.xx += v * v;
            let wd = w * pw;
            let d = (v - px) * wd;
            diff.n += wd;
            diff.x += d;
            diff.xx += d * d;
            (px, pw) = (v, w);
        }
        (level, diff)
    }

    /// These terms without some of them.
    fn less(self, t: Terms) -> Terms {
        Terms {
            n: self.n - t.n,
            x: self.x - t.x,
            xx: self.xx - t.xx,
        }
    }

    /// The level and difference terms of a series (shifted values `x`,
    /// presence `p`) in the periods it has and another series misses
    /// (`gaps`, in order): a level at such a period, a difference ending at
    /// it or just after it.
    fn of_gaps(x: &[f64], p: &[f64], gaps: &[u32]) -> (Terms, Terms) {
        let (mut level, mut diff) = (Terms::default(), Terms::default());
        let mut next = 1;
        for &g in gaps {
            let g = g as usize;
            if p[g] > 0.0 {
                level.add(x[g]);
            }
            for t in g.max(next)..(g + 2).min(x.len()) {
                if p[t] > 0.0 && p[t - 1] > 0.0 {
                    diff.add(x[t] - x[t - 1]);
                }
            }
            next = next.max(g + 2);
        }
        (level, diff)
    }
}

/// Plain sums of weighted pairs (weights 0 or 1), turned into co-moments at
/// the end.
#[derive(Debug, Default, Clone, Copy)]
struct Sums {
    n: f64,
    x: f64,
    y: f64,
    xx: f64,
    yy: f64,
    xy: f64,
}

impl Sums {
    /// The sums of a pair from its two metrics' terms over the pair's
    /// periods (`a` for the first, `b` for the second) and its cross
    /// products.
    fn paired(a: Terms, b: Terms, xy: f64) -> Sums {
        Sums {
            n: a.n,
            x: a.x,
            y: b.x,
            xx: a.xx,
            yy: b.xx,
            xy,
        }
    }

    /// The co-moments of the pairs, whose values were shifted by
    /// `(origin_a, origin_b)`.
    fn moments(&self, origin_a: f64, origin_b: f64) -> CoMoment {
        if self.n == 0.0 {
            return CoMoment::default();
        }
        let (ma, mb) = (self.x / self.n, self.y / self.n);
        CoMoment {
            n: self.n,
            mean_a: origin_a + ma,
            mean_b: origin_b + mb,
            m2a: (self.xx - self.x * ma).max(0.0),
            m2b: (self.yy - self.y * mb).max(0.0),
            cab: self.xy - self.x * mb,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference: the level and difference sums of two series (values
    /// shifted, 0 where missing; presence 1 or 0) in one pass over the periods,
    /// every sum accumulated term by term.
    fn pass(xa: &[f64], pa: &[f64], xb: &[f64], pb: &[f64]) -> (Sums, Sums) {
        let mut level = Sums::default();
        let mut diff = Sums::default();
        let (mut px, mut py, mut pw) = (0.0, 0.0, 0.0);
        for t in 0..xa.len() {
            // Missing values are 0 and their presence 0, so each product
            // is the value where both are present and 0 elsewhere.
            let w = pa[t] * pb[t];
            let x = xa[t] * pb[t];
            let y = xb[t] * pa[t];
            add(&mut level, w, x, y);
            let wd = w * pw;
            add(&mut diff, wd, (x - px) * wd, (y - py) * wd);
            (px, py, pw) = (x, y, w);
        }
        (level, diff)
    }

    fn add(s: &mut Sums, w: f64, x: f64, y: f64) {
        s.n += w;
        s.x += x;
        s.y += y;
        s.xx += x * x;
        s.yy += y * y;
        s.xy += x * y;
    }

    /// The reference moments of the pair `(a, b)` from [`pass`].
    fn reference(series: &EntitySeries, a: usize, b: usize) -> PairMoments {
        let (xa, pa) = series.series(a);
        let (xb, pb) = series.series(b);
        let (level, diff) = pass(xa, pa, xb, pb);
        PairMoments {
            pooled: level.moments(series.origin[a], series.origin[b]),
            differences: diff.moments(0.0, 0.0),
            ..PairMoments::default()
        }
    }

    /// Asserts that the level and difference moments of `got` equal those
    /// of `want` in count and within relative `tol` in every moment.
    fn assert_close(got: &PairMoments, want: &PairMoments, tol: f64, context: &str) {
        for (g, f) in [
            (got.pooled, want.pooled),
            (got.differences, want.differences),
        ] {
            assert_eq!(g.n, f.n, "{context}");
            for (x, y) in [
                (g.mean_a, f.mean_a),
                (g.mean_b, f.mean_b),
                (g.m2a, f.m2a),
                (g.m2b, f.m2b),
                (g.cab, f.cab),
            ] {
                assert!(
                    (x - y).abs() <= tol * (1.0 + y.abs()),
                    "{context}: {x} vs {y}"
                );
            }
        }
    }

    fn pearson(xs: &[f64], ys: &[f64]) -> f64 {
        let n = xs.len() as f64;
        let (mx, my) = (xs.iter().sum::<f64>() / n, ys.iter().sum::<f64>() / n);
        let sxy: f64 = xs.iter().zip(ys).map(|(x, y)| (x - mx) * (y - my)).sum();
        let sxx: f64 = xs.iter().map(|x| (x - mx).powi(2)).sum();
        let syy: f64 = ys.iter().map(|y| (y - my).powi(2)).sum();
        sxy / (sxx * syy).sqrt()
    }

    #[test]
    fn pair_sums_are_the_own_sums_less_the_other_metrics_gaps() {
        // Metrics 0 and 1 share their gaps (t = 0 inactive, t = 3 null);
        // metric 2 has its own, next to each other and at the window's end.
        let nan = f64::NAN;
        let values = [
            [nan, 1.5, 2.25, nan, 3.0, 2.0, 7.5, 0.25],
            [nan, 10.0, 12.5, nan, 11.0, 15.25, 9.0, 8.5],
            [nan, -1.0, nan, 0.5, nan, -3.0, 1.25, nan],
        ]
        .concat();
        let n = 8;
        let series = EntitySeries::new(&values, n, None);
        for a in 0..3 {
            for b in 0..3 {
                let full = reference(&series, a, b);
                let got = series.pair(a, b);
                if series.series(a).1 == series.series(b).1 {
                    // No gap to take out: the same terms in the same order.
                    assert_eq!(got.pooled, full.pooled, "pair ({a}, {b})");
                    assert_eq!(got.differences, full.differences, "pair ({a}, {b})");
                    continue;
                }
                assert_close(&got, &full, 1e-12, &format!("pair ({a}, {b})"));
            }
        }
        // Metric 2 with 0: both present at t = 1, 5, 6 only (t = 3 is a gap of
        // 0), and the differences need two consecutive periods: 5 -> 6 only.
        let m = series.pair(0, 2);
        assert_eq!((m.pooled.n, m.differences.n), (3.0, 1.0));
    }

    #[test]
    fn pair_sums_match_the_full_pass_on_random_gaps() {
        let mut state = 0x1234_5678_9abc_def0_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for case in 0..200 {
            let (m, n) = (4, 5 + case % 40);
            let rate = [0.0, 0.05, 0.3, 0.7][case % 4];
            let values: Vec<f64> = (0..m * n)
                .map(|_| {
                    let v = 100.0 * next() - 30.0;
                    if next() < rate { f64::NAN } else { v }
                })
                .collect();
            let series = EntitySeries::new(&values, n, None);
            for a in 0..m {
                for b in 0..m {
                    let context = format!("case {case} pair ({a}, {b})");
                    assert_close(
                        &series.pair(a, b),
                        &reference(&series, a, b),
                        1e-9,
                        &context,
                    );
                }
            }
        }
    }

    #[test]
    fn pair_moments_match_direct_formulas() {
        // Two entities; the second has a gap at t = 2.
        let e1 = [(1.0, 2.0), (2.0, 2.5), (4.0, 5.0), (3.0, 3.0)];
        let e2 = [
            (10.0, -1.0),
            (12.0, -3.0),
            (f64::NAN, 0.0),
            (11.0, -2.0),
            (15.0, -6.0),
        ];
        let cells = |e: &[(f64, f64)]| {
            e.iter()
                .map(|&(x, y)| (!x.is_nan() && !y.is_nan()).then_some((x, y)))
                .collect::<Vec<_>>()
        };
        let mut m = PairMoments::of_entity(cells(&e1).into_iter());
        m.merge(&PairMoments::of_entity(cells(&e2).into_iter()));
        let present: Vec<(f64, f64)> = e1
            .iter()
            .chain(&e2)
            .copied()
            .filter(|c| !c.0.is_nan())
            .collect();
        let (xs, ys): (Vec<f64>, Vec<f64>) = present.iter().copied().unzip();
        assert!((m.pooled().unwrap() - pearson(&xs, &ys)).abs() < 1e-12);
        // Within: demean each entity.
        let demean = |e: &[(f64, f64)]| {
            let p: Vec<_> = e.iter().copied().filter(|c| !c.0.is_nan()).collect();
            let n = p.len() as f64;
            let (mx, my) = (
                p.iter().map(|c| c.0).sum::<f64>() / n,
                p.iter().map(|c| c.1).sum::<f64>() / n,
            );
            p.into_iter()
                .map(move |(x, y)| (x - mx, y - my))
                .collect::<Vec<_>>()
        };
        let w: Vec<_> = demean(&e1).into_iter().chain(demean(&e2)).collect();
        let sxy: f64 = w.iter().map(|c| c.0 * c.1).sum();
        let sxx: f64 = w.iter().map(|c| c.0 * c.0).sum();
        let syy: f64 = w.iter().map(|c| c.1 * c.1).sum();
        assert!((m.within_entity().unwrap() - sxy / (sxx * syy).sqrt()).abs() < 1e-12);
        // Differences: e1 has 3; e2 has (t1-t0) and (t4-t3) only.
        let d = [
            (1.0, 0.5),
            (2.0, 2.5),
            (-1.0, -2.0),
            (2.0, -2.0),
            (4.0, -4.0),
        ];
        let (dx, dy): (Vec<f64>, Vec<f64>) = d.iter().copied().unzip();
        assert_eq!(m.differences.n, 5.0);
        assert!((m.first_difference().unwrap() - pearson(&dx, &dy)).abs() < 1e-12);
    }
}
