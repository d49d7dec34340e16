//! Closed vocabularies ("words") of the configuration: metric types, polarities,
//! distribution families, granularities and so on.
//!
//! Every word enum parses from its YAML spelling with [`std::str::FromStr`]; an
//! unknown word gives an [`UnknownWord`] error that lists the valid words and,
//! for a near miss, suggests the closest one. The same parser backs serde, the
//! builder and (later) the derive macro, so every surface reports the same text.

use std::fmt;

/// An unknown word for a closed vocabulary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownWord {
    /// What kind of word was expected, e.g. `metric type`.
    pub what: &'static str,
    /// The word that was found.
    pub found: String,
    /// Every valid word.
    pub expected: Vec<&'static str>,
    /// The closest valid word, when the found word is a near miss.
    pub suggestion: Option<&'static str>,
}

impl UnknownWord {
    /// Builds the error for `found`, computing a "did you mean" suggestion.
    pub fn new(what: &'static str, found: &str, expected: &[&'static str]) -> Self {
        UnknownWord {
            what,
            found: found.to_owned(),
            expected: expected.to_vec(),
            suggestion: suggest(found, expected.iter().copied()),
        }
    }
}

impl fmt::Display for UnknownWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown {} `{}`; expected one of: {}",
            self.what,
            self.found,
            self.expected.join(", ")
        )?;
        if let Some(s) = self.suggestion {
            write!(f, " (did you mean `{s}`?)")?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownWord {}

/// Returns the candidate closest to `found` when it is a plausible typo.
///
/// A candidate qualifies when its normalised Damerau-Levenshtein similarity is
/// at least 0.7, or when one word contains the other (`lognormal` -> `lognorm`).
pub fn suggest<'a>(found: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = found.to_ascii_lowercase();
    let mut best: Option<(&'a str, f64)> = None;
    for c in candidates {
        if c == found {
            continue;
        }
        let mut score = strsim::normalized_damerau_levenshtein(&lower, c);
        if lower.len() >= 3 && (c.contains(lower.as_str()) || lower.contains(c)) {
            score = score.max(0.8);
        }
        if score >= 0.7 && best.is_none_or(|(_, b)| score > b) {
            best = Some((c, score));
        }
    }
    best.map(|(c, _)| c)
}

/// Defines a closed vocabulary enum with its YAML words, `FromStr`, `Display`,
/// serde and (with the `schema` feature) JSON Schema implementations.
macro_rules! word_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($what:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $word:literal $(| $alias:literal)* ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The YAML spelling of every variant, in declaration order.
            pub const WORDS: &'static [&'static str] = &[$($word),+];

            /// The YAML spelling of this variant.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::words::UnknownWord;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $( $word $(| $alias)* => Ok($name::$variant), )+
                    _ => Err($crate::words::UnknownWord::new($what, s, Self::WORDS)),
                }
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                s.parse().map_err(::serde::de::Error::custom)
            }
        }

        #[cfg(feature = "schema")]
        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                ::schemars::json_schema!({
                    "type": "string",
                    "enum": [$($word),+],
                })
            }
        }
    };
}
pub(crate) use word_enum;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_misses_only() {
        let words = ["score", "amount", "count", "index"];
        assert_eq!(suggest("amout", words), Some("amount"));
        assert_eq!(suggest("scroe", words), Some("score"));
        assert_eq!(suggest("zzzzzz", words), None);
        assert_eq!(suggest("lognormal", ["lognorm", "gamma"]), Some("lognorm"));
    }

    #[test]
    fn unknown_word_lists_choices() {
        let e = UnknownWord::new("metric type", "amout", &["score", "amount"]);
        assert_eq!(
            e.to_string(),
            "unknown metric type `amout`; expected one of: score, amount (did you mean `amount`?)"
        );
    }
}
