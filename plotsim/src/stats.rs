//! Mergeable statistics shared by calibration and the answer key: pooled
//! co-moments (Chan et al.'s merge) and cell counters. Serialisable, so a
//! shard's partial state can be written and merged later.

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
