//! Correlation matrices: assembly from declared pairs, the nearest
//! correlation matrix (Higham's alternating projections with Dykstra's
//! correction) within entry-wise limits, and Cholesky factors for the Gaussian copula. Matrices are
//! indexed by metric declaration order.

use nalgebra::{DMatrix, SymmetricEigen};
use std::ops::Range;

/// A symmetric matrix with unit diagonal and the given off-diagonal pairs.
pub fn assemble(m: usize, pairs: &[(usize, usize, f64)]) -> DMatrix<f64> {
    let mut a = DMatrix::identity(m, m);
    for &(i, j, r) in pairs {
        a[(i, j)] = r;
        a[(j, i)] = r;
    }
    a
}

/// The lower Cholesky factor, row-major, or `None` when the matrix is not
/// positive definite.
pub fn cholesky(a: &DMatrix<f64>) -> Option<Lower> {
    let c = a.clone().cholesky()?;
    let l = c.l();
    let m = a.nrows();
    let mut v = vec![0.0; m * m];
    for i in 0..m {
        for j in 0..=i {
            v[i * m + j] = l[(i, j)];
        }
    }
    Some(Lower { m, v })
}

/// A lower-triangular factor L (row-major); [`Lower::apply_series`] computes y = L·z.
#[derive(Debug, Clone, PartialEq)]
pub struct Lower {
    m: usize,
    v: Vec<f64>,
}

impl Lower {
    /// y = L·z in each period of `periods`, for metric-major series (metric
    /// `i`'s period `t` at `i * n + t`). Each score is the sum of its row's
    /// products in column order from -0.0 (as `Iterator::sum` adds), computed
    /// for a run of periods at a time.
    #[inline]
    pub fn apply_series(&self, z: &[f64], y: &mut [f64], n: usize, periods: Range<usize>) {
        for i in 0..self.m {
            let row = &self.v[i * self.m..i * self.m + i + 1];
            let out = &mut y[i * n..][periods.clone()];
            out.fill(-0.0);
            for (j, &l) in row.iter().enumerate() {
                for (o, &zj) in out.iter_mut().zip(&z[j * n..][periods.clone()]) {
                    *o += l * zj;
                }
            }
        }
    }
}

fn clip_eigen(a: &DMatrix<f64>, floor: f64) -> DMatrix<f64> {
    let e = SymmetricEigen::new(a.clone());
    let vals = e.eigenvalues.map(|x| x.max(floor));
    let v = &e.eigenvectors;
    let x = v * DMatrix::from_diagonal(&vals) * v.transpose();
    (&x + x.transpose()) * 0.5
}

/// Entry-wise limits of a latent (copula) correlation matrix: each declared
/// pair keeps the sign it was declared with (zero is the limit), every
/// undeclared pair stays at exactly 0, and the diagonal is 1.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    lo: DMatrix<f64>,
    hi: DMatrix<f64>,
}

impl Limits {
    /// Limits for the declared `pairs` `(a, b, coefficient)` of `m` metrics.
    pub fn declared(m: usize, pairs: &[(usize, usize, f64)]) -> Self {
        let mut lo = DMatrix::identity(m, m);
        let mut hi = DMatrix::identity(m, m);
        for &(i, j, r) in pairs {
            let (l, h) = sign_interval(r);
            lo[(i, j)] = l;
            lo[(j, i)] = l;
            hi[(i, j)] = h;
            hi[(j, i)] = h;
        }
        Limits { lo, hi }
    }

    /// The projection onto the limits (entry-wise clamp).
    fn clamp(&self, x: &DMatrix<f64>) -> DMatrix<f64> {
        x.zip_zip_map(&self.lo, &self.hi, |v, l, h| v.clamp(l, h))
    }
}

/// The latent values a pair declared as `r` may take: its sign, up to 0.999.
pub fn sign_interval(r: f64) -> (f64, f64) {
    if r > 0.0 {
        (0.0, 0.999)
    } else if r < 0.0 {
        (-0.999, 0.0)
    } else {
        (0.0, 0.0)
    }
}

/// The result of [`nearest_correlation`].
#[derive(Debug, Clone)]
pub struct Projection {
    /// The positive-definite correlation matrix.
    pub matrix: DMatrix<f64>,
    /// Whether the input had to change.
    pub adjusted: bool,
    /// Whether the alternating projections converged (false: the iterate
    /// after the last round was made positive definite by shrinking).
    pub converged: bool,
    /// Frobenius distance between the input and the result.
    pub distance: f64,
}

/// The nearest positive-definite correlation matrix to `a` within `limits`
/// (unchanged when `a` already satisfies them and factorises).
///
/// Higham's alternating projections with Dykstra's correction, between the
/// positive-semidefinite cone and the box of `limits` (unit diagonal, declared
/// signs, undeclared pairs at 0); the identity lies in both, so a solution
/// always exists. The limit point is then made strictly positive definite by
/// shrinking toward the identity, `(1 - ε)·X + ε·I` with the smallest ε (from
/// 1e-9, doubling) that lets Cholesky succeed; shrinking keeps every limit.
pub fn nearest_correlation(a: &DMatrix<f64>, limits: &Limits) -> Projection {
    let inside = limits.clamp(a);
    if inside == *a && a.clone().cholesky().is_some() {
        return Projection {
            matrix: a.clone(),
            adjusted: false,
            converged: true,
            distance: 0.0,
        };
    }
    let m = a.nrows();
    let mut y = inside;
    let mut d = DMatrix::zeros(m, m);
    let mut converged = false;
    for it in 0..500 {
        let r = &y - &d;
        let x = clip_eigen(&r, 0.0);
        d = &x - &r;
        let next = limits.clamp(&x);
        let change = (&next - &y).norm() / next.norm().max(1e-300);
        y = next;
        if it > 0 && change < 1e-10 {
            converged = true;
            break;
        }
    }
    let identity = DMatrix::<f64>::identity(m, m);
    let mut eps = 0.0;
    let matrix = loop {
        let x = &y * (1.0 - eps) + &identity * eps;
        if x.clone().cholesky().is_some() || eps >= 1.0 {
            break x;
        }
        eps = if eps == 0.0 {
            1e-9
        } else {
            (eps * 2.0).min(1.0)
        };
    };
    Projection {
        distance: (&matrix - a).norm(),
        matrix,
        adjusted: true,
        converged,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psd_matrices_are_untouched_and_factor() {
        let pairs = [(0, 1, 0.5), (1, 2, -0.3)];
        let a = assemble(3, &pairs);
        let p = nearest_correlation(&a, &Limits::declared(3, &pairs));
        assert!(!p.adjusted);
        assert_eq!(p.distance, 0.0);
        let l = cholesky(&p.matrix).unwrap();
        let mut y = [0.0; 3];
        l.apply_series(&[1.0, 0.0, 0.0], &mut y, 1, 0..1);
        assert!((y[0] - 1.0).abs() < 1e-12 && (y[1] - 0.5).abs() < 1e-12);
    }

    #[test]
    fn non_psd_is_projected_to_a_nearby_correlation_matrix() {
        // The saas connections: pairwise fine, jointly infeasible.
        let pairs = [(0, 1, 0.9), (1, 2, 0.9), (0, 2, -0.9)];
        let a = assemble(3, &pairs);
        assert!(a.clone().cholesky().is_none());
        let p = nearest_correlation(&a, &Limits::declared(3, &pairs));
        assert!(p.adjusted && p.converged);
        assert!(cholesky(&p.matrix).is_some());
        for i in 0..3 {
            assert_eq!(p.matrix[(i, i)], 1.0);
        }
        // Symmetric problem: symmetric answer, close to the input, signs kept.
        assert!((p.matrix[(0, 1)] - p.matrix[(1, 2)]).abs() < 1e-6);
        assert!(p.matrix[(0, 1)] > 0.4 && p.matrix[(0, 2)] < -0.2);
        assert!((p.distance - (&p.matrix - &a).norm()).abs() < 1e-12);
    }

    #[test]
    fn undeclared_pairs_stay_at_zero_and_signs_hold() {
        // A star: one driver with four strong partners. Unconstrained Higham
        // fills the partner-partner entries; here they stay exactly 0.
        let pairs = [(0, 1, 0.9), (0, 2, -0.9), (0, 3, 0.8), (0, 4, -0.7)];
        let a = assemble(5, &pairs);
        assert!(a.clone().cholesky().is_none());
        let p = nearest_correlation(&a, &Limits::declared(5, &pairs));
        assert!(cholesky(&p.matrix).is_some());
        for i in 1..5 {
            for j in 1..5 {
                if i != j {
                    assert_eq!(p.matrix[(i, j)], 0.0, "({i},{j})");
                }
            }
        }
        for &(i, j, r) in &pairs {
            assert!(p.matrix[(i, j)] * r > 0.0, "sign of ({i},{j})");
        }
        // The star is feasible when the squares sum below 1: the projection
        // lands on that boundary.
        let s: f64 = (1..5).map(|j| p.matrix[(0, j)].powi(2)).sum();
        assert!(s < 1.0 && s > 0.99, "{s}");
    }

    #[test]
    fn entries_outside_their_sign_are_clamped_to_zero() {
        let pairs = [(0, 1, 0.5)];
        let mut a = assemble(2, &pairs);
        a[(0, 1)] = -0.4;
        a[(1, 0)] = -0.4;
        let p = nearest_correlation(&a, &Limits::declared(2, &pairs));
        assert_eq!(p.matrix[(0, 1)], 0.0);
    }
}
