//! Our quantile functions against statrs over grids, and sample moments
//! against rand_distr / closed forms, with tolerances from sample size.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on purpose

use plotsim::engine::distribution::{self as dist, Marginal, beta, gamma, normal, poisson};
use plotsim::engine::rng::{Part, stream};
use statrs::distribution::{Beta, ContinuousCDF, DiscreteCDF, Gamma, Normal, Poisson};

/// Probabilities from 1e-12 to 1 - 1e-12, dense in both tails.
fn grid() -> Vec<f64> {
    let mut v = Vec::new();
    for e in 1..=12 {
        let p = 10f64.powi(-e);
        v.push(p);
        v.push(1.0 - p);
    }
    for i in 1..200 {
        v.push(i as f64 / 200.0);
    }
    v
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

#[test]
fn normal_quantile_matches_statrs() {
    let n = Normal::standard();
    for p in grid() {
        let ours = normal::quantile(p);
        let theirs = n.inverse_cdf(p);
        assert!(
            rel(ours, theirs) < 1e-9 || (ours - theirs).abs() < 1e-12,
            "p={p}: {ours} vs {theirs}"
        );
        // Round trip through our CDF.
        assert!(rel(normal::cdf(ours), p) < 1e-12, "p={p}");
    }
    assert!((normal::quantile(0.975) - 1.959_963_984_540_054).abs() < 1e-14);
    // The upper tail keeps precision that 1 - p would lose.
    assert!(rel(normal::quantile_tail(1e-20, false), 9.262_340_089_798_408) < 1e-9);
}

#[test]
fn gamma_quantile_matches_statrs() {
    for shape in [0.3, 0.8, 1.0, 2.0, 5.0, 17.5, 120.0] {
        let g = Gamma::new(shape, 1.0).unwrap();
        for p in grid() {
            let ours = gamma::quantile(shape, p, 1.0 - p);
            let theirs = g.inverse_cdf(p);
            // Agree to 1e-9, or ours is at least as accurate by statrs' own CDF
            // (statrs' inverse is off by up to ~1e-5 relative for shapes below 1).
            let closer = (g.cdf(ours) - p).abs() <= (g.cdf(theirs) - p).abs() + 1e-15;
            assert!(
                rel(ours, theirs) < 1e-9 || closer,
                "shape={shape} p={p}: {ours} vs {theirs}"
            );
            // And our value really has CDF p.
            let (pp, _) = gamma::incomplete(shape, ours);
            assert!(
                (pp - p).abs() < 1e-12 + 1e-10 * p,
                "shape={shape} p={p}: P={pp}"
            );
        }
    }
}

#[test]
fn beta_quantile_matches_statrs() {
    for (a, b) in [
        (2.0, 5.0),
        (0.5, 0.5),
        (1.0, 1.0),
        (8.0, 2.0),
        (0.7, 3.0),
        (30.0, 40.0),
    ] {
        let d = Beta::new(a, b).unwrap();
        for p in grid() {
            let ours = beta::quantile(a, b, p, 1.0 - p);
            let theirs = d.inverse_cdf(p);
            let closer = (d.cdf(ours) - p).abs() <= (d.cdf(theirs) - p).abs() + 1e-15;
            assert!(
                rel(ours, theirs) < 1e-9 || (ours - theirs).abs() < 1e-14 || closer,
                "a={a} b={b} p={p}: {ours} vs {theirs}"
            );
            // Its tail probability is right, up to how finely f64 resolves x
            // near 0 or 1.
            let resolution = 4.0 * f64::EPSILON / ours.min(1.0 - ours).max(1e-300);
            let (pp, qq) = beta::incomplete(a, b, ours);
            let (got, want) = if p < 0.5 { (pp, p) } else { (qq, 1.0 - p) };
            assert!(
                rel(got, want) < 1e-8 + resolution,
                "a={a} b={b} p={p}: tail {got} vs {want}"
            );
        }
    }
}

#[test]
fn poisson_quantile_matches_statrs() {
    for lambda in [0.05, 0.7, 2.5, 5.0, 29.0, 31.0, 250.0, 4000.0] {
        let d = Poisson::new(lambda).unwrap();
        for p in grid()
            .into_iter()
            .filter(|p| (1e-9..=1.0 - 1e-9).contains(p))
        {
            let ours = poisson::quantile(lambda, p, 1.0 - p);
            let theirs = d.inverse_cdf(p) as f64;
            if ours != theirs {
                // Only allowed at a CDF boundary within rounding.
                let k = ours.min(theirs) as u64;
                assert!(
                    (d.cdf(k) - p).abs() < 1e-12,
                    "lambda={lambda} p={p}: {ours} vs {theirs}"
                );
            }
        }
    }
}

/// The negative binomial CDF and quantile agree with statrs (size r = 1/d,
/// success probability r / (r + mu)).
#[test]
fn negative_binomial_matches_statrs() {
    use plotsim::engine::distribution::negbinomial;
    use statrs::distribution::NegativeBinomial;
    for (mu, d) in [
        (0.5, 0.2),
        (5.0, 1.0),
        (50.0, 0.5),
        (300.0, 0.05),
        (2000.0, 2.0),
    ] {
        let r = 1.0 / d;
        let nb = NegativeBinomial::new(r, r / (r + mu)).unwrap();
        for k in [0u64, 1, 3, 10, 49, 50, 51, 200, 1000] {
            let ours = negbinomial::cdf(mu, d, k as f64);
            assert!(
                (ours - nb.cdf(k)).abs() < 1e-9,
                "mu={mu} d={d} k={k}: {ours} vs {}",
                nb.cdf(k)
            );
        }
        for p in grid()
            .into_iter()
            .filter(|p| (1e-9..=1.0 - 1e-9).contains(p))
        {
            let k = negbinomial::quantile(mu, d, p);
            // The smallest k with F(k) >= p (within rounding at a boundary).
            assert!(nb.cdf(k as u64) >= p - 1e-9, "mu={mu} d={d} p={p}: {k}");
            if k > 0.0 {
                assert!(nb.cdf(k as u64 - 1) < p + 1e-9, "mu={mu} d={d} p={p}: {k}");
            }
        }
    }
}

/// Sample mean and variance of n draws.
fn moments(n: usize, mut f: impl FnMut() -> f64) -> (f64, f64) {
    let xs: Vec<f64> = (0..n).map(|_| f()).collect();
    let mean = xs.iter().sum::<f64>() / n as f64;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    (mean, var)
}

/// |sample mean - mu| within 5 standard errors.
fn assert_mean(name: &str, n: usize, mean: f64, mu: f64, var: f64) {
    let se = (var / n as f64).sqrt();
    assert!(
        (mean - mu).abs() < 5.0 * se,
        "{name}: mean {mean} vs {mu} (se {se})"
    );
}

#[test]
fn marginals_have_the_right_moments() {
    let n = 200_000;
    let mut s = stream(11, &[Part::Str("moments")]);
    // Gamma(k, mean c): variance c²/k.
    let (m, v) = moments(n, || {
        Marginal::Gamma { k: 2.5 }.value(s.normal(), 4.0, None)
    });
    assert_mean("gamma", n, m, 4.0, 16.0 / 2.5);
    assert!((v / (16.0 / 2.5) - 1.0).abs() < 0.03, "gamma var {v}");
    // Poisson(λ): mean = variance = λ.
    let (m, v) = moments(n, || Marginal::Poisson.value(s.normal(), 3.2, None));
    assert_mean("poisson", n, m, 3.2, 3.2);
    assert!((v / 3.2 - 1.0).abs() < 0.03, "poisson var {v}");
    // Lognormal median c, log-sd s: mean c·e^{s²/2}.
    let (m, v) = moments(n, || {
        Marginal::Lognorm { s: 0.5 }.value(s.normal(), 10.0, None)
    });
    assert_mean("lognorm", n, m, 10.0 * (0.125f64).exp(), v);
    // Beta(2,5) centred at c over [0, 1]: mean c.
    let (m, v) = moments(n, || {
        Marginal::Beta {
            alpha: 2.0,
            beta: 5.0,
            scale: 1.0,
        }
        .value(s.normal(), 0.5, Some((0.0, 1.0)))
    });
    assert_mean("beta", n, m, 0.5, v);
    assert!(
        (v / (10.0 / (49.0 * 8.0)) - 1.0).abs() < 0.03,
        "beta var {v}"
    );
    // Weibull without a range: c·W, mean c·Γ(1 + 1/k).
    let k: f64 = 1.5;
    let (m, v) = moments(n, || Marginal::Weibull { k }.value(s.normal(), 2.0, None));
    assert_mean("weibull", n, m, 2.0 * libm::tgamma(1.0 + 1.0 / k), v);
    // Noise families: Laplace(0,1) variance 2; Student-t(5) variance 5/3.
    let (m, v) = moments(n, || dist::laplace(s.uniform()));
    assert_mean("laplace", n, m, 0.0, 2.0);
    assert!((v / 2.0 - 1.0).abs() < 0.03, "laplace var {v}");
    let mut w = s.words();
    let (m, v) = moments(n, || dist::student_t(&mut w, 5.0));
    assert_mean("student_t", n, m, 0.0, 5.0 / 3.0);
    assert!((v / (5.0 / 3.0) - 1.0).abs() < 0.05, "student_t var {v}");
}

#[test]
fn samples_agree_with_rand_distr() {
    // Two-sample check of our gamma draws against rand_distr's (same mean and
    // variance within sampling error).
    use rand::SeedableRng;
    use rand_distr::Distribution;
    let n = 100_000;
    let mut s = stream(3, &[Part::Str("oracle")]);
    let (m1, v1) = moments(n, || {
        Marginal::Gamma { k: 3.0 }.value(s.normal(), 3.0, None)
    });
    let g = rand_distr::Gamma::new(3.0, 1.0).unwrap();
    let mut r = rand::rngs::ChaCha8Rng::seed_from_u64(3);
    let (m2, v2) = moments(n, || g.sample(&mut r));
    let se = ((v1 + v2) / n as f64).sqrt();
    assert!((m1 - m2).abs() < 5.0 * se, "{m1} vs {m2}");
    assert!((v1 / v2 - 1.0).abs() < 0.04, "{v1} vs {v2}");
}

#[test]
fn round_half_even() {
    assert_eq!(dist::round_half_even(2.5), 2.0);
    assert_eq!(dist::round_half_even(3.5), 4.0);
    assert_eq!(dist::round_half_even(-2.5), -2.0);
    assert_eq!(dist::round_half_even(2.4), 2.0);
    // The definition: nearest integer, a tie to the even one, sign kept.
    let reference = |x: f64| {
        if (x - x.trunc()).abs() == 0.5 {
            2.0 * (x / 2.0).round()
        } else {
            x.round()
        }
    };
    let mut s = stream(8, &[Part::Str("round")]);
    let mut cases = vec![
        0.0,
        -0.0,
        0.5,
        -0.5,
        1.5,
        -1.5,
        4503599627370495.5,
        4503599627370497.0,
    ];
    cases.extend([
        f64::INFINITY,
        f64::NEG_INFINITY,
        1e300,
        -1e300,
        f64::MIN_POSITIVE,
    ]);
    for i in 0..100_000 {
        let scale = 10f64.powi(i % 17 - 2);
        let x = (s.uniform() - 0.5) * scale;
        // Every tenth case a tie (k + 0.5 is exact below 2^52).
        cases.push(if i % 10 == 0 {
            x.trunc() + 0.5_f64.copysign(x)
        } else {
            x
        });
    }
    for x in cases {
        let (got, want) = (dist::round_half_even(x), reference(x));
        assert_eq!(got.to_bits(), want.to_bits(), "{x}: {got} vs {want}");
    }
    assert!(dist::round_half_even(f64::NAN).is_nan());
}

#[test]
fn quantile_tables_match_the_exact_functions() {
    let mut s = stream(5, &[Part::Str("tables")]);
    let cases = [
        Marginal::Beta {
            alpha: 2.0,
            beta: 5.0,
            scale: 1.0,
        },
        Marginal::Beta {
            alpha: 0.5,
            beta: 0.5,
            scale: 1.0,
        },
        Marginal::Beta {
            alpha: 8.0,
            beta: 1.5,
            scale: 1.0,
        },
        Marginal::Gamma { k: 0.4 },
        Marginal::Gamma { k: 3.0 },
        Marginal::Gamma { k: 50.0 },
    ];
    for m in cases {
        let sampler = dist::Sampler::new(m);
        let mut worst = 0.0f64;
        for i in 0..20_000 {
            // Random scores, plus the extremes of the clipped range.
            let z = match i {
                0 => dist::Z_CLIP,
                1 => -dist::Z_CLIP,
                _ => 2.5 * s.normal(),
            };
            let range = matches!(m, Marginal::Beta { .. }).then_some((0.0, 1.0));
            let exact = m.value(z, 0.3, range);
            let table = sampler.value(z, 0.3, range);
            worst = worst.max((table - exact).abs() / exact.abs().max(1e-3));
        }
        // 4097 points: the Hermite error scales with step^4 (8.2e-10 at
        // worst, for Beta(0.5, 0.5); 8193 points gave 16 times less).
        assert!(worst < 1e-9, "{m:?}: worst relative error {worst:e}");
    }
    // The Poisson's Φ table: the same counts as the exact CDF (a count
    // differs only when Φ(z) is within the table's 2e-13 of a step of the
    // Poisson CDF).
    let sampler = dist::Sampler::new(Marginal::Poisson);
    for i in 0..200_000 {
        let z = 2.5 * s.normal();
        let lambda = [0.3, 2.0, 7.5, 29.0, 31.0, 400.0][i % 6];
        let (exact, table) = (
            Marginal::Poisson.value(z, lambda, None),
            sampler.value(z, lambda, None),
        );
        assert_eq!(table, exact, "lambda {lambda}, z {z}");
    }
    let phi = dist::table::ZTable::new(dist::table::Shape::Uniform);
    let mut worst = 0.0f64;
    for i in 0..20_000 {
        let z = -dist::Z_CLIP + 2.0 * dist::Z_CLIP * i as f64 / 19_999.0;
        worst = worst.max((phi.eval(z) - normal::cdf(z)).abs());
    }
    assert!(worst < 2e-13, "Φ table: worst absolute error {worst:e}");
}

#[test]
fn normal_draws_follow_the_normal() {
    // Kolmogorov-Smirnov against Φ over 1M ziggurat draws: the 0.1 % critical
    // value of D is 1.95 / sqrt(n). The tail beyond the base layer (|z| >
    // 3.654, drawn by the exponential method) holds its share within 5
    // standard errors, and so does each wedge band.
    let n = 1_000_000;
    let mut s = stream(5, &[Part::Str("ziggurat")]);
    let mut xs: Vec<f64> = (0..n).map(|_| s.normal()).collect();
    xs.sort_by(f64::total_cmp);
    let d = xs
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let f = normal::cdf(x);
            (f - i as f64 / n as f64).max((i + 1) as f64 / n as f64 - f)
        })
        .fold(0.0, f64::max);
    assert!(d < 1.95 / (n as f64).sqrt(), "KS D = {d}");
    let count = |lo: f64, hi: f64| xs.iter().filter(|x| x.abs() > lo && x.abs() <= hi).count();
    for (lo, hi) in [
        (3.654, f64::INFINITY),
        (3.0, 3.654),
        (2.0, 2.5),
        (0.0, 0.05),
    ] {
        let p = 2.0 * (normal::cdf(hi) - normal::cdf(lo));
        let expected = p * n as f64;
        let se = (expected * (1.0 - p)).sqrt();
        let got = count(lo, hi) as f64;
        assert!(
            (got - expected).abs() < 5.0 * se,
            "|z| in ({lo}, {hi}]: {got} vs {expected:.1} (se {se:.1})"
        );
    }
    let positive = xs.iter().filter(|x| **x > 0.0).count() as f64;
    assert!((positive / n as f64 - 0.5).abs() < 5.0 * 0.5 / (n as f64).sqrt());
}
