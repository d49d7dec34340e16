//! Quantile tables indexed by normal score.
//!
//! The beta and gamma marginals of a metric have a fixed shape (the centre
//! only shifts or scales them), so their quantile as a function of the normal
//! score z is one smooth curve per metric. It is tabulated from the exact
//! quantile functions on a uniform z grid over ±[`super::Z_CLIP`], with exact
//! derivatives (φ(z) / pdf(q)), and evaluated by cubic Hermite
//! interpolation: a few ns instead of a Newton iteration of incomplete
//! beta or gamma functions, with a relative error below 1e-9 (tested; the
//! worst case is a U-shaped beta near its ends; 4097 points of 16 bytes keep
//! the central part a run reads within 32 KiB, most of a core's L1 cache,
//! where 8193 points, 16 times more accurate, measured 6 % slower on the
//! benchmark). The normal CDF, a Poisson's probability of a score, is one
//! of these tables too ([`Shape::Uniform`]), within 2e-13 of `erfc`.
//!
//! Every grid point is a pure function of the shape parameters and its
//! index, so values stay reproducible however the table is filled: it is
//! filled lazily, one block of points the first time a draw lands in it (a
//! small run never pays for the far tails), and tables are shared per
//! process per shape ([`shared`]): every run, seed and `panels::<T>()` case
//! with the same marginals reuses them. In an unoptimised debug build,
//! building whole tables up front was the largest part of a small run's
//! set-up.

use std::sync::{Arc, Mutex, OnceLock, PoisonError};

/// Grid points of a table (`algorithm_version` 7; 8193 before).
const POINTS: usize = 4097;
/// Grid intervals per lazily filled block (a block holds `BLOCK + 1`
/// points: its last point is the next block's first).
const BLOCK: usize = 64;
/// Blocks of a table.
const BLOCKS: usize = (POINTS - 1) / BLOCK;

/// The (value, slope) grid points of one block. Held inline in its
/// `OnceLock`, so a point's address is a function of its index: the lookup
/// does not wait on a pointer load before the point's own.
type Block = [(f64, f64); BLOCK + 1];

/// A tabulated quantile function q(z).
#[derive(Debug)]
pub struct ZTable {
    shape: Shape,
    /// The log normalising constant of the density.
    ln_norm: f64,
    lo: f64,
    step: f64,
    /// `1 / step`: the grid position is a multiplication, not a division.
    inv_step: f64,
    /// (value, slope) per grid point, block by block.
    blocks: Box<[OnceLock<Block>]>,
}

impl PartialEq for ZTable {
    /// Tables of the same shape are equal (they hold the same points).
    fn eq(&self, other: &Self) -> bool {
        self.shape.key() == other.shape.key()
    }
}

impl ZTable {
    /// The (empty) table of `shape`.
    pub fn new(shape: Shape) -> Self {
        let ln_norm = match shape {
            Shape::Beta(a, b) => libm::lgamma(a) + libm::lgamma(b) - libm::lgamma(a + b),
            Shape::Gamma(k) => libm::lgamma(k),
            Shape::Uniform => 0.0,
        };
        ZTable {
            shape,
            ln_norm,
            lo: -super::Z_CLIP,
            step: 2.0 * super::Z_CLIP / (POINTS - 1) as f64,
            inv_step: (POINTS - 1) as f64 / (2.0 * super::Z_CLIP),
            blocks: (0..BLOCKS).map(|_| OnceLock::new()).collect(),
        }
    }

    /// Grid point `i`: the quantile at its z and the slope dq/dz there.
    fn point(&self, i: usize) -> (f64, f64) {
        let z = self.lo + self.step * i as f64;
        let (p, sf) = (super::normal::cdf(z), super::normal::sf(z));
        let lb = self.ln_norm;
        let (q, density) = match self.shape {
            Shape::Beta(a, b) => {
                let q = super::beta::quantile(a, b, p, sf);
                let d = libm::exp((a - 1.0) * libm::log(q) + (b - 1.0) * libm::log1p(-q) - lb);
                (q, d)
            }
            Shape::Gamma(k) => {
                let q = super::gamma::quantile(k, p, sf);
                (q, libm::exp((k - 1.0) * libm::log(q) - q - lb))
            }
            Shape::Uniform => (p, 1.0),
        };
        let phi = libm::exp(-0.5 * z * z) / (2.0 * std::f64::consts::PI).sqrt();
        let slope = if density > 0.0 && density.is_finite() {
            phi / density
        } else {
            0.0
        };
        (q, slope)
    }

    /// The points of block `b`, filled on first use.
    fn block(&self, b: usize) -> &Block {
        self.blocks[b].get_or_init(|| {
            let mut points = [(0.0, 0.0); BLOCK + 1];
            for (k, p) in points.iter_mut().enumerate() {
                *p = self.point(b * BLOCK + k);
            }
            points
        })
    }

    /// q(z), for z already clipped to the table's range.
    #[inline]
    pub fn eval(&self, z: f64) -> f64 {
        let t = ((z - self.lo) * self.inv_step).clamp(0.0, (POINTS - 1) as f64);
        // 0 <= t < 2^13: the signed conversion is exact (and one instruction).
        let i = (t as i64 as usize).min(POINTS - 2);
        let s = t - i as f64;
        let points = self.block(i / BLOCK);
        let j = i % BLOCK;
        let ((y0, d0), (y1, d1)) = (points[j], points[j + 1]);
        let (m0, m1) = (d0 * self.step, d1 * self.step);
        let s2 = s * s;
        let s3 = s2 * s;
        (2.0 * s3 - 3.0 * s2 + 1.0) * y0
            + (s3 - 2.0 * s2 + s) * m0
            + (-2.0 * s3 + 3.0 * s2) * y1
            + (s3 - s2) * m1
    }
}

/// The shape a table tabulates.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// Beta(a, b).
    Beta(f64, f64),
    /// Gamma(k, 1).
    Gamma(f64),
    /// Uniform(0, 1): its quantile at Φ(z) is Φ(z) itself, so this table is
    /// the normal CDF (for the Poisson's probability of a score).
    Uniform,
}

impl Shape {
    /// The exact bits of the parameters: equal keys build equal tables.
    fn key(self) -> (u8, u64, u64) {
        match self {
            Shape::Beta(a, b) => (0, a.to_bits(), b.to_bits()),
            Shape::Gamma(k) => (1, k.to_bits(), 0),
            Shape::Uniform => (2, 0, 0),
        }
    }
}

/// The table of `shape`, shared per process.
///
/// A table is a pure function of the shape's parameter bits, so a shared one
/// gives exactly the values a fresh one would. The cache keeps the most
/// recently made tables (a full table is 64 KiB).
pub fn shared(shape: Shape) -> Arc<ZTable> {
    /// Tables kept.
    const KEEP: usize = 64;
    type Entry = ((u8, u64, u64), Arc<ZTable>);
    static CACHE: Mutex<Vec<Entry>> = Mutex::new(Vec::new());
    let key = shape.key();
    let mut cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, t)) = cache.iter().find(|(k, _)| *k == key) {
        return Arc::clone(t);
    }
    if cache.len() >= KEEP {
        cache.remove(0);
    }
    // An empty table is cheap: making it under the lock costs nothing.
    let table = Arc::new(ZTable::new(shape));
    cache.push((key, Arc::clone(&table)));
    table
}
