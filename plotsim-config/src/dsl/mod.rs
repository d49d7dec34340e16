//! Parsers of the small languages inside config strings: the archetype DSL,
//! the connection shorthand and column types. Every parser is total: any
//! input gives a value or a [`DslError`] with the character position of the
//! problem inside the string.

pub mod archetype;
pub mod column_type;
pub mod connection;
pub mod template;

use std::fmt;

use crate::words::UnknownWord;

/// A parse error inside a DSL string.
#[derive(Debug, Clone, PartialEq)]
pub struct DslError {
    /// What is wrong.
    pub message: String,
    /// 0-based character position of the problem inside the string.
    pub position: usize,
    /// What is allowed, when it is a closed list.
    pub expected: Option<String>,
    /// The closest valid word, for a near miss.
    pub suggestion: Option<String>,
}

impl DslError {
    pub(crate) fn new(position: usize, message: impl Into<String>) -> Self {
        DslError {
            message: message.into(),
            position,
            expected: None,
            suggestion: None,
        }
    }

    pub(crate) fn unknown(position: usize, w: UnknownWord) -> Self {
        DslError {
            message: format!("unknown {} `{}`", w.what, w.found),
            position,
            expected: Some(format!("one of: {}", w.expected.join(", "))),
            suggestion: w.suggestion.map(str::to_owned),
        }
    }
}

impl fmt::Display for DslError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at character {})", self.message, self.position + 1)?;
        if let Some(e) = &self.expected {
            write!(f, "; expected {e}")?;
        }
        if let Some(s) = &self.suggestion {
            write!(f, " (did you mean `{s}`?)")?;
        }
        Ok(())
    }
}

/// Splits `s` on `sep`, giving each piece with its character offset.
pub(crate) fn split_with_offsets(s: &str, sep: char) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start_byte = 0;
    let mut start_char = 0;
    for (ci, (bi, c)) in s.char_indices().enumerate() {
        if c == sep {
            out.push((start_char, &s[start_byte..bi]));
            start_byte = bi + c.len_utf8();
            start_char = ci + 1;
        }
    }
    out.push((start_char, &s[start_byte..]));
    out
}

/// Trims `piece` (found at char offset `at`), returning the trimmed text and its offset.
pub(crate) fn trim_at(at: usize, piece: &str) -> (usize, &str) {
    let lead = piece.chars().take_while(|c| c.is_whitespace()).count();
    (at + lead, piece.trim())
}
