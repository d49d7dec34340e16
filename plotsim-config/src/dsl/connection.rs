//! The connection shorthand: `"<metric_a> <word or coefficient> <metric_b>"`,
//! and the relationship vocabulary.

use super::{DslError, trim_at};
use crate::words::word_enum;

word_enum! {
    /// A relationship word and the correlation it stands for.
    pub enum Relationship ("relationship word") {
        /// +0.75
        Mirrors = "mirrors",
        /// +0.55
        DrivenBy = "driven_by",
        /// +0.40
        Related = "related",
        /// +0.20
        HintsAt = "hints_at",
        /// 0 (the pair is dropped)
        Independent = "independent",
        /// -0.20
        HintsAgainst = "hints_against",
        /// -0.40
        Resists = "resists",
        /// -0.55
        Opposes = "opposes",
        /// -0.75
        Inverts = "inverts",
    }
}

impl Relationship {
    /// The correlation coefficient of the word.
    pub fn coefficient(self) -> f64 {
        match self {
            Relationship::Mirrors => 0.75,
            Relationship::DrivenBy => 0.55,
            Relationship::Related => 0.40,
            Relationship::HintsAt => 0.20,
            Relationship::Independent => 0.0,
            Relationship::HintsAgainst => -0.20,
            Relationship::Resists => -0.40,
            Relationship::Opposes => -0.55,
            Relationship::Inverts => -0.75,
        }
    }
}

/// The middle token of a connection shorthand.
#[derive(Debug, Clone, PartialEq)]
pub enum Strength {
    /// A relationship word, not yet checked against the vocabulary.
    Word(String),
    /// A numeric coefficient, not yet range-checked.
    Number(f64),
}

/// A parsed connection shorthand with the character position of each token.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedConnection {
    /// First metric and its position.
    pub metric_a: (String, usize),
    /// Word or number and its position.
    pub strength: (Strength, usize),
    /// Second metric and its position.
    pub metric_b: (String, usize),
}

/// Parses `"a <word|number> b"`.
///
/// # Example
/// ```
/// use plotsim_config::dsl::connection::{parse, Strength};
/// let c = parse("nps 0.55 engagement").unwrap();
/// assert_eq!(c.strength.0, Strength::Number(0.55));
/// assert_eq!(c.metric_b, ("engagement".to_owned(), 9));
/// assert!(parse("mrr driven_by").is_err());
/// ```
pub fn parse(text: &str) -> Result<ParsedConnection, DslError> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().enumerate().peekable();
    while let Some((ci, (bi, c))) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        let mut end = bi + c.len_utf8();
        while let Some(&(_, (b2, c2))) = chars.peek() {
            if c2.is_whitespace() {
                break;
            }
            end = b2 + c2.len_utf8();
            chars.next();
        }
        tokens.push(trim_at(ci, &text[bi..end]));
    }
    if tokens.len() != 3 {
        let pos = tokens.get(3).map_or(text.chars().count(), |t| t.0);
        let mut e = DslError::new(
            pos,
            format!(
                "a connection needs exactly 3 tokens, found {}",
                tokens.len()
            ),
        );
        e.expected = Some("`<metric_a> <relationship word or coefficient> <metric_b>`".to_owned());
        return Err(e);
    }
    let (pa, a) = tokens[0];
    let (pm, m) = tokens[1];
    let (pb, b) = tokens[2];
    let strength = match m.parse::<f64>() {
        Ok(x) => Strength::Number(x),
        Err(_) => Strength::Word(m.to_owned()),
    };
    Ok(ParsedConnection {
        metric_a: (a.to_owned(), pa),
        strength: (strength, pm),
        metric_b: (b.to_owned(), pb),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_words_and_numbers() {
        let c = parse("  mrr   driven_by engagement").unwrap();
        assert_eq!(c.metric_a, ("mrr".to_owned(), 2));
        assert_eq!(c.strength, (Strength::Word("driven_by".into()), 8));
        assert_eq!(
            parse("a -0.4 b").unwrap().strength.0,
            Strength::Number(-0.4)
        );
        let e = parse("a b c d").unwrap_err();
        assert_eq!(e.position, 6);
        assert!(parse("").is_err());
    }
}
