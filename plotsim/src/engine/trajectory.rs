//! Trajectories: an entity's position in [0, 1] per period, from its
//! archetype's shapes. Pure: no randomness.
//!
//! Each shape word is one or more curve segments with spans relative to its
//! phase; phases are delimited by the DSL's `@` periods. A late-arriving
//! entity's archetype is compressed into its active window. Transition
//! periods are exact: for an entity active over the whole window, `@ p` makes
//! the next shape start at period p (the original's floating-point floor put
//! many transitions one period early).

use plotsim_config::dsl::archetype::{ArchetypeSpec, CurveCall, CurveKind, Shape, ShapeSpec};

/// A curve on a segment's local axis t in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Curve {
    /// Min-max normalised logistic; falling when `rising` is false.
    Sigmoid {
        /// Midpoint on t.
        midpoint: f64,
        /// Steepness.
        steepness: f64,
        /// Rising (0 to 1) or falling.
        rising: bool,
    },
    /// exp(-rate·t), not normalised.
    ExpDecay {
        /// Rate.
        rate: f64,
    },
    /// `before` for t < threshold, else `after`.
    Step {
        /// Threshold on t.
        threshold: f64,
        /// Level before.
        before: f64,
        /// Level after.
        after: f64,
    },
    /// A constant level.
    Plateau {
        /// The level.
        level: f64,
    },
    /// center + amplitude·sin(2π·period·t).
    Oscillating {
        /// Full cycles per segment.
        period: f64,
        /// Amplitude.
        amplitude: f64,
        /// Centre.
        center: f64,
    },
    /// Running sum of (base + acceleration·t), min-max normalised.
    Compound {
        /// Base rate.
        base_rate: f64,
        /// Acceleration.
        acceleration: f64,
    },
    /// ceiling/(1+exp(-k·(t-midpoint))), min-max normalised to [0, ceiling].
    Logistic {
        /// Steepness.
        k: f64,
        /// Midpoint on t.
        midpoint: f64,
        /// Top of the normalised range.
        ceiling: f64,
    },
    /// base + amplitude·frac(t·period).
    Sawtooth {
        /// Number of teeth per segment.
        period: f64,
        /// Height of a tooth.
        amplitude: f64,
        /// Level at the start of each tooth.
        base: f64,
    },
}

impl From<&CurveCall> for Curve {
    fn from(c: &CurveCall) -> Curve {
        let g = |name: &str| c.get(name);
        match c.kind {
            CurveKind::Sigmoid => Curve::Sigmoid {
                midpoint: g("midpoint"),
                steepness: g("steepness"),
                rising: g("rising") != 0.0,
            },
            CurveKind::ExpDecay => Curve::ExpDecay { rate: g("rate") },
            CurveKind::Step => Curve::Step {
                threshold: g("threshold"),
                before: g("before"),
                after: g("after"),
            },
            CurveKind::Logistic => Curve::Logistic {
                k: g("k"),
                midpoint: g("midpoint"),
                ceiling: g("ceiling"),
            },
            CurveKind::Plateau => Curve::Plateau { level: g("level") },
            CurveKind::Oscillating => Curve::Oscillating {
                period: g("period"),
                amplitude: g("amplitude"),
                center: g("center"),
            },
            CurveKind::Compound => Curve::Compound {
                base_rate: g("base_rate"),
                acceleration: g("acceleration"),
            },
            CurveKind::Sawtooth => Curve::Sawtooth {
                period: g("period"),
                amplitude: g("amplitude"),
                base: g("base"),
            },
        }
    }
}

/// A curve over `[start, end)` of the archetype's unit interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CurveSegment {
    /// The curve.
    pub curve: Curve,
    /// Start as a fraction of the active window.
    pub start: f64,
    /// End as a fraction of the active window.
    pub end: f64,
    /// Index of the archetype shape (phase) this curve belongs to.
    pub phase: usize,
    /// With continuous joins: this curve starts a phase that continues from
    /// the previous phase's last level ([`continue_phase`]).
    pub rebase: bool,
}

/// The curve segments of one shape word, with spans relative to its phase.
fn recipe(shape: Shape) -> Vec<(Curve, f64, f64)> {
    match shape {
        Shape::Growth => vec![(
            Curve::Sigmoid {
                midpoint: 0.5,
                steepness: 6.0,
                rising: true,
            },
            0.0,
            1.0,
        )],
        Shape::Decline => vec![(Curve::ExpDecay { rate: 2.0 }, 0.0, 1.0)],
        Shape::Seasonal => vec![(
            Curve::Oscillating {
                period: 2.0,
                amplitude: 0.4,
                center: 0.5,
            },
            0.0,
            1.0,
        )],
        Shape::Flat => vec![(Curve::Plateau { level: 0.15 }, 0.0, 1.0)],
        Shape::SpikeThenCrash => vec![
            (
                Curve::Sigmoid {
                    midpoint: 0.3,
                    steepness: 10.0,
                    rising: true,
                },
                0.0,
                0.55,
            ),
            (
                Curve::Step {
                    threshold: 0.5,
                    before: 1.0,
                    after: 0.2,
                },
                0.55,
                0.65,
            ),
            (Curve::Plateau { level: 0.2 }, 0.65, 1.0),
        ],
        Shape::Accelerating => vec![(
            Curve::Compound {
                base_rate: 0.05,
                acceleration: 0.02,
            },
            0.0,
            1.0,
        )],
    }
}

/// The curve segments of an archetype over a window of `n_periods`, each
/// shape restarting its own curve (the original's joins).
pub fn segments(spec: &ArchetypeSpec, n_periods: u32) -> Vec<CurveSegment> {
    segments_with(spec, n_periods, false)
}

/// [`segments`], with `continuous` joins: each shape after the first starts
/// from the level where the previous one ended.
pub fn segments_with(spec: &ArchetypeSpec, n_periods: u32, continuous: bool) -> Vec<CurveSegment> {
    let n = f64::from(n_periods.max(1));
    let mut bounds = vec![0.0];
    bounds.extend(spec.transitions.iter().map(|&t| f64::from(t) / n));
    bounds.push(1.0);
    let mut out = Vec::new();
    for (j, shape) in spec.shapes.iter().enumerate() {
        let (ps, pe) = (bounds[j], bounds[j + 1]);
        let parts = match shape {
            ShapeSpec::Named(shape) => recipe(*shape),
            ShapeSpec::Curve(call) => vec![(Curve::from(call), 0.0, 1.0)],
        };
        for (k, (curve, rs, re)) in parts.into_iter().enumerate() {
            let pin = |r: f64| {
                if r == 0.0 {
                    ps
                } else if r == 1.0 {
                    pe
                } else {
                    ps + r * (pe - ps)
                }
            };
            out.push(CurveSegment {
                curve,
                start: pin(rs),
                end: pin(re),
                phase: j,
                rebase: continuous && j > 0 && k == 0,
            });
        }
    }
    out
}

fn minmax(values: &mut [f64], top: f64) {
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    if hi - lo >= 1e-12 {
        for v in values.iter_mut() {
            *v = (*v - lo) / (hi - lo) * top;
        }
    }
}

/// Evaluates a curve on `len` evenly spaced points of [0, 1] (t = 0 alone for len 1).
fn evaluate(curve: Curve, len: usize, out: &mut [f64]) {
    let t = |i: usize| {
        if len <= 1 {
            0.0
        } else {
            i as f64 / (len - 1) as f64
        }
    };
    match curve {
        Curve::Sigmoid {
            midpoint,
            steepness,
            rising,
        } => {
            for (i, o) in out.iter_mut().enumerate() {
                *o = 1.0 / (1.0 + libm::exp(-steepness * (t(i) - midpoint)));
            }
            minmax(out, 1.0);
            if !rising {
                for o in out.iter_mut() {
                    *o = 1.0 - *o;
                }
            }
        }
        Curve::ExpDecay { rate } => {
            for (i, o) in out.iter_mut().enumerate() {
                *o = libm::exp(-rate * t(i));
            }
        }
        Curve::Step {
            threshold,
            before,
            after,
        } => {
            for (i, o) in out.iter_mut().enumerate() {
                *o = if t(i) < threshold { before } else { after };
            }
        }
        Curve::Plateau { level } => out.fill(level),
        Curve::Oscillating {
            period,
            amplitude,
            center,
        } => {
            for (i, o) in out.iter_mut().enumerate() {
                *o = center + amplitude * libm::sin(2.0 * std::f64::consts::PI * period * t(i));
            }
        }
        Curve::Compound {
            base_rate,
            acceleration,
        } => {
            let mut sum = 0.0;
            for (i, o) in out.iter_mut().enumerate() {
                sum += base_rate + acceleration * t(i);
                *o = sum;
            }
            minmax(out, 1.0);
        }
        Curve::Logistic {
            k,
            midpoint,
            ceiling,
        } => {
            for (i, o) in out.iter_mut().enumerate() {
                *o = ceiling / (1.0 + libm::exp(-k * (t(i) - midpoint)));
            }
            minmax(out, ceiling);
        }
        Curve::Sawtooth {
            period,
            amplitude,
            base,
        } => {
            for (i, o) in out.iter_mut().enumerate() {
                let x = t(i) * period;
                *o = base + amplitude * (x - libm::floor(x));
            }
        }
    }
    for o in out.iter_mut() {
        *o = o.clamp(0.0, 1.0);
    }
}

/// Fills `out` (length n) with the positions of an entity arriving at
/// `start_period`; periods before arrival get NaN.
pub fn positions(segments: &[CurveSegment], start_period: u32, out: &mut [f64]) {
    positions_shifted(segments, start_period, 0, out);
}

/// [`positions`] with every change point moved by `shift` periods (kept in
/// order and inside the active window): the per-entity timing variation.
pub fn positions_shifted(
    segments: &[CurveSegment],
    start_period: u32,
    shift: i64,
    out: &mut [f64],
) {
    let n = out.len();
    let s = (start_period as usize).min(n);
    out[..s].fill(f64::NAN);
    let m = n - s;
    let mut bounds = Vec::with_capacity(segments.len() + 1);
    bounds.push(0usize);
    for seg in &segments[..segments.len().saturating_sub(1)] {
        let b = (libm::floor(seg.end.clamp(0.0, 1.0) * m as f64 + 1e-9) as i64 + shift)
            .clamp(0, m as i64) as usize;
        let b = b.clamp(*bounds.last().unwrap_or(&0), m);
        bounds.push(b);
    }
    bounds.push(m);
    let active = &mut out[s..];
    for (i, seg) in segments.iter().enumerate() {
        let (a, b) = (bounds[i], bounds[i + 1]);
        if b > a {
            evaluate(seg.curve, b - a, &mut active[a..b]);
        }
    }
    for (i, seg) in segments.iter().enumerate() {
        let start = bounds[i];
        if !seg.rebase || start == 0 {
            continue;
        }
        let end = segments[i..]
            .iter()
            .zip(&bounds[i + 1..])
            .take_while(|(x, _)| x.phase == seg.phase)
            .last()
            .map_or(start, |(_, &b)| b);
        if end > start {
            let level = active[start - 1];
            let first_len = bounds[i + 1] - start;
            continue_phase(&mut active[start..end], level, first_len);
        }
    }
}

/// Continuous joins: maps a phase's positions `c` so it starts at `level`
/// (where the previous phase ended) and keeps its shape inside [0, 1].
///
/// With `a` the phase's own first value, values at or below `a` are scaled
/// toward 0 (`level · c / a`) and values at or above `a` toward 1
/// (`level + (1 - level)(c - a)/(1 - a)`): a decline keeps its relative drop
/// from the new level, a rise still reaches the top, a plateau holds the
/// level reached. When that leaves no room (the level is already at the
/// bound the phase moves toward, e.g. `growth > spike_then_crash`), the
/// offset `level - a` fades out linearly over the phase's first curve
/// instead, and the rest of the shape is unchanged. Every step at the join is
/// then at most the shape's own step.
pub fn continue_phase(c: &mut [f64], level: f64, first_len: usize) {
    let Some(&a) = c.first() else { return };
    if (a - level).abs() < 1e-12 || level.is_nan() {
        return;
    }
    let map = |x: f64| {
        if x <= a {
            if a > 0.0 { level * x / a } else { level }
        } else if a < 1.0 {
            level + (1.0 - level) * (x - a) / (1.0 - a)
        } else {
            level
        }
    };
    let varies = c.iter().any(|&x| (x - a).abs() > 1e-12);
    let flattens = c.iter().all(|&x| (map(x) - level).abs() < 1e-12);
    if varies && flattens {
        let len = first_len.clamp(1, c.len());
        for (i, x) in c.iter_mut().enumerate() {
            let fade = if i < len && len > 1 {
                1.0 - i as f64 / (len - 1) as f64
            } else if i == 0 {
                1.0
            } else {
                0.0
            };
            *x = (*x + (level - a) * fade).clamp(0.0, 1.0);
        }
    } else {
        for x in c.iter_mut() {
            *x = map(*x).clamp(0.0, 1.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plotsim_config::dsl::archetype::parse;

    fn traj(dsl: &str, n: u32, start: u32) -> Vec<f64> {
        let spec = parse(dsl).unwrap();
        let mut out = vec![0.0; n as usize];
        positions(&segments(&spec, n), start, &mut out);
        out
    }

    #[test]
    fn growth_rises_decline_falls() {
        let g = traj("growth", 24, 0);
        assert_eq!(g[0], 0.0);
        assert_eq!(g[23], 1.0);
        assert!(g.windows(2).all(|w| w[1] > w[0]));
        let d = traj("decline", 24, 0);
        assert_eq!(d[0], 1.0);
        assert!((d[23] - (-2.0f64).exp()).abs() < 1e-12);
        assert!(d.windows(2).all(|w| w[1] < w[0]));
    }

    #[test]
    fn transitions_land_exactly() {
        // The original put these one period early (floor((p/n)·n) < p).
        for (p, n) in [(15u32, 22u32), (13, 23), (15, 26), (31, 39), (10, 24)] {
            let t = traj(&format!("flat > growth @ {p}"), n, 0);
            assert_eq!(t[p as usize - 1], 0.15, "p={p} n={n}");
            assert_eq!(t[p as usize], 0.0, "p={p} n={n}");
        }
    }

    #[test]
    fn late_arrival_compresses_the_archetype() {
        let t = traj("flat > decline @ 12", 24, 6);
        assert!(t[..6].iter().all(|v| v.is_nan()));
        // 6 + floor(0.5 · 18) = 15.
        assert_eq!(t[14], 0.15);
        assert_eq!(t[15], 1.0);
    }

    #[test]
    fn spike_then_crash_and_short_segments() {
        let t = traj("spike_then_crash", 20, 0);
        assert_eq!(t[0], 0.0);
        assert!(t.contains(&1.0));
        assert_eq!(*t.last().unwrap(), 0.2);
        // A one-period growth segment samples t = 0 only (raw sigmoid value).
        let one = traj("flat > growth @ 4", 5, 0);
        assert!((one[4] - 1.0 / (1.0 + 3.0f64.exp())).abs() < 1e-12);
        // seasonal on 5 periods aliases to a flat 0.5 (reproduced on purpose).
        assert!(
            traj("seasonal", 5, 0)
                .iter()
                .all(|v| (v - 0.5).abs() < 1e-12)
        );
    }
}
