//! The archetype DSL: shapes joined by `>`, then one `@ <period>` per
//! transition, e.g. `growth > spike_then_crash > flat @ 6 @ 12`.
//!
//! A shape is a named shape word (`growth`, `flat`, ...) or a call of one of
//! the eight engine curves with named parameters, e.g.
//! `sigmoid(midpoint=0.3, steepness=10) > plateau(level=0.2) @ 13`. A call
//! spans its whole phase; parameters left out take the curve's defaults
//! ([`CurveKind::params`]).

use super::{DslError, split_with_offsets, trim_at};
use crate::words::word_enum;

word_enum! {
    /// A named trajectory shape of the archetype DSL.
    pub enum Shape ("shape") {
        /// S-curve from 0 to 1.
        Growth = "growth",
        /// Exponential decay from 1 to about 0.135.
        Decline = "decline",
        /// Two sine cycles between 0.1 and 0.9.
        Seasonal = "seasonal",
        /// Constant 0.15.
        Flat = "flat",
        /// Rise to 1, hold, drop to 0.2.
        SpikeThenCrash = "spike_then_crash",
        /// Near-linear compounding ramp from 0 to 1.
        Accelerating = "accelerating",
    }
}

word_enum! {
    /// One of the engine's curves, callable in the DSL as `name(param=value, ...)`.
    pub enum CurveKind ("curve") {
        /// Min-max normalised logistic from 0 to 1 (falling with `rising=false`).
        Sigmoid = "sigmoid",
        /// exp(-rate·t), not normalised.
        ExpDecay = "exp_decay",
        /// `before` until `threshold`, then `after`.
        Step = "step",
        /// Logistic normalised to [0, ceiling].
        Logistic = "logistic",
        /// A constant level.
        Plateau = "plateau",
        /// center + amplitude·sin(2π·period·t).
        Oscillating = "oscillating",
        /// Running sum of (base_rate + acceleration·t), min-max normalised.
        Compound = "compound",
        /// base + amplitude·frac(t·period).
        Sawtooth = "sawtooth",
    }
}

impl CurveKind {
    /// The curve's parameters and their defaults, in canonical order. A
    /// boolean parameter (`rising`) is 1 for true and 0 for false.
    pub fn params(self) -> &'static [(&'static str, f64)] {
        match self {
            CurveKind::Sigmoid => &[("midpoint", 0.5), ("steepness", 10.0), ("rising", 1.0)],
            CurveKind::ExpDecay => &[("rate", 3.0)],
            CurveKind::Step => &[("threshold", 0.5), ("before", 1.0), ("after", 0.0)],
            CurveKind::Logistic => &[("k", 10.0), ("midpoint", 0.5), ("ceiling", 1.0)],
            CurveKind::Plateau => &[("level", 0.5)],
            CurveKind::Oscillating => &[("period", 2.0), ("amplitude", 0.2), ("center", 0.5)],
            CurveKind::Compound => &[("base_rate", 0.05), ("acceleration", 0.02)],
            CurveKind::Sawtooth => &[("period", 3.0), ("amplitude", 0.8), ("base", 0.1)],
        }
    }

    /// Whether the parameter takes `true` / `false`.
    pub fn is_flag(self, param: &str) -> bool {
        self == CurveKind::Sigmoid && param == "rising"
    }
}

/// A curve call: the curve and every parameter's value (defaults filled in),
/// in the order of [`CurveKind::params`].
#[derive(Debug, Clone, PartialEq)]
pub struct CurveCall {
    /// The curve.
    pub kind: CurveKind,
    /// Parameter values, one per entry of `kind.params()`.
    pub values: Vec<f64>,
}

impl CurveCall {
    /// The value of parameter `name` (its default when the call left it out).
    pub fn get(&self, name: &str) -> f64 {
        self.kind
            .params()
            .iter()
            .position(|(n, _)| *n == name)
            .and_then(|i| self.values.get(i).copied())
            .unwrap_or(f64::NAN)
    }

    /// The call as DSL text, every parameter written: `plateau(level=0.2)`.
    pub fn to_dsl(&self) -> String {
        let args: Vec<String> = self
            .kind
            .params()
            .iter()
            .zip(&self.values)
            .map(|((n, _), v)| {
                if self.kind.is_flag(n) {
                    format!("{n}={}", *v != 0.0)
                } else {
                    format!("{n}={v}")
                }
            })
            .collect();
        format!("{}({})", self.kind, args.join(", "))
    }
}

/// One shape of an archetype: a shape word or a curve call.
#[derive(Debug, Clone, PartialEq)]
pub enum ShapeSpec {
    /// A named shape word.
    Named(Shape),
    /// A curve call spanning the whole phase.
    Curve(CurveCall),
}

impl PartialEq<Shape> for ShapeSpec {
    fn eq(&self, other: &Shape) -> bool {
        matches!(self, ShapeSpec::Named(s) if s == other)
    }
}

/// A parsed archetype: shapes in order and the period at which each next shape starts.
#[derive(Debug, Clone, PartialEq)]
pub struct ArchetypeSpec {
    /// The shapes, in order.
    pub shapes: Vec<ShapeSpec>,
    /// Transition periods, strictly ascending; one fewer than `shapes`.
    pub transitions: Vec<u32>,
    /// Character position of each transition value (for later range errors).
    pub transition_positions: Vec<usize>,
}

/// Parses an archetype string. Range checks against the window are done by
/// [`ArchetypeSpec::check_periods`].
///
/// # Example
/// ```
/// use plotsim_config::dsl::archetype::{parse, Shape};
/// let a = parse("flat > decline @ 10").unwrap();
/// assert_eq!(a.shapes, [Shape::Flat, Shape::Decline]);
/// assert_eq!(a.transitions, [10]);
/// let e = parse("flat > declin @ 10").unwrap_err();
/// assert_eq!(e.position, 7);
/// ```
pub fn parse(spec: &str) -> Result<ArchetypeSpec, DslError> {
    if spec.trim().is_empty() {
        return Err(DslError::new(
            0,
            "the archetype is empty; write shapes such as `growth` or `flat > decline @ 10`",
        ));
    }
    if let Some(i) = spec.chars().position(|c| c == '+') {
        return Err(DslError::new(
            i,
            "layered patterns with `+` are not supported; chain shapes with `>` and `@ <period>`",
        ));
    }
    let parts = split_with_offsets(spec, '@');
    let (chain_at, chain) = parts[0];
    let mut shapes = Vec::new();
    for (at, piece) in split_with_offsets(chain, '>') {
        let (pos, word) = trim_at(chain_at + at, piece);
        if word.is_empty() {
            return Err(DslError::new(
                pos,
                "empty shape: every `>` needs a shape word on both sides",
            ));
        }
        if let Some(open) = word.find('(') {
            shapes.push(ShapeSpec::Curve(parse_call(pos, word, open)?));
            continue;
        }
        if word.contains(char::is_whitespace) {
            return Err(DslError::new(
                pos,
                format!("`{word}` is not one shape word; separate shapes with `>`"),
            ));
        }
        shapes.push(ShapeSpec::Named(
            word.parse::<Shape>()
                .map_err(|e| DslError::unknown(pos, e))?,
        ));
    }
    let mut transitions = Vec::new();
    let mut transition_positions = Vec::new();
    for &(at, piece) in &parts[1..] {
        let (pos, text) = trim_at(at, piece);
        if text.is_empty() {
            return Err(DslError::new(pos, "empty `@` clause: write `@ <period>`"));
        }
        let value = text.parse::<u32>().map_err(|_| {
            DslError::new(
                pos,
                format!("`{text}` is not a period; `@` takes a whole number such as `@ 10`"),
            )
        })?;
        transitions.push(value);
        transition_positions.push(pos);
    }
    if transitions.len() + 1 != shapes.len() {
        let pos = transition_positions
            .last()
            .copied()
            .unwrap_or(spec.chars().count().saturating_sub(1));
        return Err(DslError::new(
            pos,
            format!(
                "{} shape(s) need {} `@ <period>` transition(s), found {}",
                shapes.len(),
                shapes.len() - 1,
                transitions.len()
            ),
        ));
    }
    Ok(ArchetypeSpec {
        shapes,
        transitions,
        transition_positions,
    })
}

/// Parses `name(param=value, ...)` starting at character `pos` of the spec;
/// `open` is the byte offset of `(` in `word`.
fn parse_call(pos: usize, word: &str, open: usize) -> Result<CurveCall, DslError> {
    let name = word[..open].trim_end();
    let kind = name
        .parse::<CurveKind>()
        .map_err(|e| DslError::unknown(pos, e))?;
    let at = |byte: usize| pos + word[..byte].chars().count();
    let Some(inner) = word[open + 1..].strip_suffix(')') else {
        return Err(DslError::new(
            at(word.len().saturating_sub(1)),
            format!("`{name}(` is not closed; write `{name}(param=value, ...)`"),
        ));
    };
    let names: Vec<&str> = kind.params().iter().map(|(n, _)| *n).collect();
    let mut values: Vec<f64> = kind.params().iter().map(|(_, d)| *d).collect();
    let mut seen = vec![false; values.len()];
    let mut offset = open + 1;
    for arg in inner.split(',') {
        let arg_at = offset;
        offset += arg.len() + 1;
        let lead = arg.len() - arg.trim_start().len();
        let arg_pos = at(arg_at + lead);
        if arg.trim().is_empty() {
            if inner.trim().is_empty() {
                break;
            }
            return Err(DslError::new(
                arg_pos,
                "empty parameter: remove the extra `,`",
            ));
        }
        let Some((key, value)) = arg.split_once('=') else {
            return Err(DslError::new(
                arg_pos,
                format!("`{}` is not `param=value`", arg.trim()),
            ));
        };
        let key = key.trim();
        let Some(i) = names.iter().position(|n| *n == key) else {
            let mut e = DslError::new(arg_pos, format!("`{kind}` has no parameter `{key}`"));
            e.expected = Some(format!("one of: {}", names.join(", ")));
            e.suggestion = crate::words::suggest(key, names.iter().copied()).map(str::to_owned);
            return Err(e);
        };
        if seen[i] {
            return Err(DslError::new(
                arg_pos,
                format!("parameter `{key}` is given twice"),
            ));
        }
        seen[i] = true;
        let text = value.trim();
        let value_pos = at(arg_at
            + arg.find('=').map_or(0, |e| e + 1)
            + (value.len() - value.trim_start().len()));
        values[i] = if kind.is_flag(key) {
            match text {
                "true" => 1.0,
                "false" => 0.0,
                _ => {
                    let mut e = DslError::new(
                        value_pos,
                        format!("`{key}` takes true or false, found `{text}`"),
                    );
                    e.expected = Some("true or false".to_owned());
                    return Err(e);
                }
            }
        } else {
            match text.parse::<f64>() {
                Ok(v) if v.is_finite() => v,
                _ => {
                    return Err(DslError::new(
                        value_pos,
                        format!("`{key}` takes a number, found `{text}`"),
                    ));
                }
            }
        };
    }
    Ok(CurveCall { kind, values })
}

impl ArchetypeSpec {
    /// Checks the transitions against a window of `n_periods`: each in
    /// `[1, n_periods - 1]` and strictly ascending.
    pub fn check_periods(&self, n_periods: u32) -> Result<(), DslError> {
        if n_periods < 2 && !self.transitions.is_empty() {
            return Err(DslError::new(
                self.transition_positions[0],
                format!(
                    "a {n_periods}-period window has no room for a transition; use a single shape"
                ),
            ));
        }
        let mut prev = 0;
        for (&t, &pos) in self.transitions.iter().zip(&self.transition_positions) {
            if t < 1 || t + 1 > n_periods {
                let mut e =
                    DslError::new(pos, format!("transition period {t} is outside the window"));
                e.expected = Some(format!("a period in [1, {}]", n_periods.saturating_sub(1)));
                return Err(e);
            }
            if t <= prev {
                return Err(DslError::new(
                    pos,
                    format!(
                        "transition period {t} is not after the previous one ({prev}); periods must be strictly ascending"
                    ),
                ));
            }
            prev = t;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_chains() {
        let a = parse("growth > spike_then_crash > flat @ 6 @ 12").unwrap();
        assert_eq!(
            a.shapes,
            [Shape::Growth, Shape::SpikeThenCrash, Shape::Flat]
        );
        assert_eq!(a.transitions, [6, 12]);
        assert!(a.check_periods(24).is_ok());
        assert_eq!(
            parse("  accelerating ").unwrap().shapes,
            [Shape::Accelerating]
        );
    }

    #[test]
    fn parses_curve_calls() {
        let a = parse("sigmoid(midpoint=0.3, steepness=10) > plateau(level=0.2) @ 13").unwrap();
        assert_eq!(a.transitions, [13]);
        let ShapeSpec::Curve(c) = &a.shapes[0] else {
            panic!("not a call: {:?}", a.shapes[0]);
        };
        assert_eq!(c.kind, CurveKind::Sigmoid);
        assert_eq!(
            (c.get("midpoint"), c.get("steepness"), c.get("rising")),
            (0.3, 10.0, 1.0)
        );
        assert_eq!(
            c.to_dsl(),
            "sigmoid(midpoint=0.3, steepness=10, rising=true)"
        );
        assert_eq!(parse(&c.to_dsl()).unwrap().shapes[0], a.shapes[0]);
        let ShapeSpec::Curve(p) = &parse("plateau()").unwrap().shapes[0] else {
            panic!("not a call");
        };
        assert_eq!(p.get("level"), 0.5);
        let falling = parse("sigmoid(rising=false)").unwrap();
        assert!(matches!(&falling.shapes[0], ShapeSpec::Curve(c) if c.get("rising") == 0.0));
    }

    #[test]
    fn curve_call_errors_point_at_the_problem() {
        let e = parse("growth > sigmoid(midpont=0.3) @ 4").unwrap_err();
        assert_eq!(e.position, 17, "{e}");
        assert_eq!(e.suggestion.as_deref(), Some("midpoint"), "{e}");
        let e = parse("sigmod(midpoint=0.3)").unwrap_err();
        assert_eq!(e.position, 0);
        assert_eq!(e.suggestion.as_deref(), Some("sigmoid"), "{e}");
        let e = parse("plateau(level=high)").unwrap_err();
        assert_eq!(e.position, 14, "{e}");
        let e = parse("plateau(level=0.2").unwrap_err();
        assert!(e.message.contains("not closed"), "{e}");
        let e = parse("plateau(level=0.2, level=0.3)").unwrap_err();
        assert!(e.message.contains("twice"), "{e}");
        let e = parse("sigmoid(rising=yes)").unwrap_err();
        assert!(e.message.contains("true or false"), "{e}");
        let e = parse("step(0.5)").unwrap_err();
        assert!(e.message.contains("param=value"), "{e}");
    }

    #[test]
    fn reports_positions() {
        assert_eq!(parse("").unwrap_err().position, 0);
        assert_eq!(parse("growth + decline").unwrap_err().position, 7);
        assert_eq!(parse("growth > > flat @ 1 @ 2").unwrap_err().position, 9);
        let e = parse("flat > decline").unwrap_err();
        assert!(e.message.contains("need 1"), "{e}");
        let e = parse("flat > decline @ x").unwrap_err();
        assert_eq!(e.position, 17);
        let e = parse("flat > decline @ 10")
            .unwrap()
            .check_periods(10)
            .unwrap_err();
        assert!(e.to_string().contains("[1, 9]"), "{e}");
        let e = parse("a > b > c").unwrap_err();
        assert_eq!(e.position, 0);
        let e = parse("flat > growth > flat @ 8 @ 4")
            .unwrap()
            .check_periods(24)
            .unwrap_err();
        assert!(e.message.contains("ascending"));
    }
}
