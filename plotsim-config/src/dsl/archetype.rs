//! The archetype DSL: shape words joined by `>`, then one `@ <period>` per
//! transition, e.g. `growth > spike_then_crash > flat @ 6 @ 12`.

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

/// A parsed archetype: shapes in order and the period at which each next shape starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchetypeSpec {
    /// The shapes, in order.
    pub shapes: Vec<Shape>,
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
        if word.contains(char::is_whitespace) {
            return Err(DslError::new(
                pos,
                format!("`{word}` is not one shape word; separate shapes with `>`"),
            ));
        }
        shapes.push(
            word.parse::<Shape>()
                .map_err(|e| DslError::unknown(pos, e))?,
        );
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
