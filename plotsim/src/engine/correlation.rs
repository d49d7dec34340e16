//! Correlation matrices: assembly from declared pairs, the nearest
//! correlation matrix (Higham's alternating projections with Dykstra's
//! correction), and Cholesky factors for the Gaussian copula. Matrices are
//! indexed by metric declaration order.

use nalgebra::{DMatrix, SymmetricEigen};

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

/// A lower-triangular factor L (row-major); `apply` computes y = L·z.
#[derive(Debug, Clone, PartialEq)]
pub struct Lower {
    m: usize,
    v: Vec<f64>,
}

impl Lower {
    /// y = L·z.
    #[inline]
    pub fn apply(&self, z: &[f64], y: &mut [f64]) {
        for (i, yi) in y.iter_mut().enumerate().take(self.m) {
            let row = &self.v[i * self.m..i * self.m + i + 1];
            *yi = row.iter().zip(z).map(|(a, b)| a * b).sum();
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

/// Rescales to unit diagonal: D^-1/2 X D^-1/2.
fn unit_diagonal(x: &DMatrix<f64>) -> DMatrix<f64> {
    let m = x.nrows();
    let d: Vec<f64> = (0..m)
        .map(|i| 1.0 / libm::sqrt(x[(i, i)].max(1e-300)))
        .collect();
    let mut y = x.clone();
    for i in 0..m {
        for j in 0..m {
            y[(i, j)] *= d[i] * d[j];
        }
        y[(i, i)] = 1.0;
    }
    y
}

/// The result of [`nearest_correlation`].
#[derive(Debug, Clone)]
pub struct Projection {
    /// The positive-definite correlation matrix.
    pub matrix: DMatrix<f64>,
    /// Whether the input had to change.
    pub adjusted: bool,
    /// Whether Higham's iteration converged (false: eigenvalue clipping was used).
    pub converged: bool,
}

/// The nearest positive-definite correlation matrix to `a` (unchanged when
/// `a` already factorises).
pub fn nearest_correlation(a: &DMatrix<f64>) -> Projection {
    if a.clone().cholesky().is_some() {
        return Projection {
            matrix: a.clone(),
            adjusted: false,
            converged: true,
        };
    }
    let m = a.nrows();
    let mut y = (a + a.transpose()) * 0.5;
    let mut d = DMatrix::zeros(m, m);
    let mut converged = false;
    for it in 0..200 {
        let r = &y - &d;
        let x = clip_eigen(&r, 0.0);
        d = &x - &r;
        let mut next = x.clone();
        for i in 0..m {
            next[(i, i)] = 1.0;
        }
        let change = (&next - &y).norm() / next.norm().max(1e-300);
        y = next;
        if it > 0 && change < 1e-10 {
            converged = true;
            break;
        }
    }
    if converged {
        let fixed = unit_diagonal(&clip_eigen(&y, 2e-10));
        if fixed.clone().cholesky().is_some() {
            return Projection {
                matrix: fixed,
                adjusted: true,
                converged: true,
            };
        }
    }
    let fallback = unit_diagonal(&clip_eigen(&((a + a.transpose()) * 0.5), 1e-10));
    Projection {
        matrix: fallback,
        adjusted: true,
        converged: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psd_matrices_are_untouched_and_factor() {
        let a = assemble(3, &[(0, 1, 0.5), (1, 2, -0.3)]);
        let p = nearest_correlation(&a);
        assert!(!p.adjusted);
        let l = cholesky(&p.matrix).unwrap();
        let mut y = [0.0; 3];
        l.apply(&[1.0, 0.0, 0.0], &mut y);
        assert!((y[0] - 1.0).abs() < 1e-12 && (y[1] - 0.5).abs() < 1e-12);
    }

    #[test]
    fn non_psd_is_projected_to_a_nearby_correlation_matrix() {
        // The saas connections: pairwise fine, jointly infeasible.
        let a = assemble(3, &[(0, 1, 0.9), (1, 2, 0.9), (0, 2, -0.9)]);
        assert!(a.clone().cholesky().is_none());
        let p = nearest_correlation(&a);
        assert!(p.adjusted && p.converged);
        assert!(cholesky(&p.matrix).is_some());
        for i in 0..3 {
            assert_eq!(p.matrix[(i, i)], 1.0);
        }
        // Symmetric problem: symmetric answer, close to the input.
        assert!((p.matrix[(0, 1)] - p.matrix[(1, 2)]).abs() < 1e-8);
        assert!(p.matrix[(0, 1)] > 0.4 && p.matrix[(0, 2)] < -0.2);
    }
}
