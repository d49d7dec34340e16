//! Error types of the configuration layer: where a problem is (a [`FieldPath`]
//! and, for configs read from YAML, a line and column), what was found and what
//! is allowed.

use std::borrow::Cow;
use std::fmt;

/// One step of a [`FieldPath`]: a mapping key or a sequence index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathSegment {
    /// A mapping key (`metrics`, `range`).
    Key(Cow<'static, str>),
    /// A sequence index (`[2]`).
    Index(usize),
}

/// The path of a field inside a config, displayed as `metrics[2].range`.
///
/// # Example
/// ```
/// use plotsim_config::FieldPath;
/// let p = FieldPath::root().key("metrics").index(2).key("range");
/// assert_eq!(p.to_string(), "metrics[2].range");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct FieldPath(Vec<PathSegment>);

impl FieldPath {
    /// The empty path (the whole config).
    pub fn root() -> Self {
        FieldPath(Vec::new())
    }

    /// This path extended by a mapping key.
    pub fn key(&self, key: impl Into<Cow<'static, str>>) -> Self {
        let mut v = self.0.clone();
        v.push(PathSegment::Key(key.into()));
        FieldPath(v)
    }

    /// This path extended by a sequence index.
    pub fn index(&self, i: usize) -> Self {
        let mut v = self.0.clone();
        v.push(PathSegment::Index(i));
        FieldPath(v)
    }

    pub(crate) fn from_segments(segments: Vec<PathSegment>) -> Self {
        FieldPath(segments)
    }

    /// The segments of the path, outermost first.
    pub fn segments(&self) -> &[PathSegment] {
        &self.0
    }

    /// The path without its last segment (the root stays the root).
    pub fn parent(&self) -> FieldPath {
        let mut v = self.0.clone();
        v.pop();
        FieldPath(v)
    }

    /// Parses the display form (`metrics[2].range`) back into a path.
    ///
    /// Used to map serde paths (which use the same notation) to source positions.
    pub fn parse(s: &str) -> FieldPath {
        let mut out = Vec::new();
        if s == "." || s.is_empty() {
            return FieldPath(out);
        }
        for part in s.split('.') {
            let (key, rest) = match part.find('[') {
                Some(i) => (&part[..i], &part[i..]),
                None => (part, ""),
            };
            if !key.is_empty() {
                out.push(PathSegment::Key(Cow::Owned(key.to_owned())));
            }
            for idx in rest.split('[').filter(|x| !x.is_empty()) {
                if let Ok(i) = idx.trim_end_matches(']').parse() {
                    out.push(PathSegment::Index(i));
                }
            }
        }
        FieldPath(out)
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(config)");
        }
        for (i, s) in self.0.iter().enumerate() {
            match s {
                PathSegment::Key(k) if i == 0 => f.write_str(k)?,
                PathSegment::Key(k) => write!(f, ".{k}")?,
                PathSegment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// A position in a YAML source: 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// Byte offset in the source.
    pub offset: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// One semantic problem in a config.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationError {
    /// Where: the field path, e.g. `metrics[2].range`.
    pub path: FieldPath,
    /// What is wrong, in words.
    pub message: String,
    /// The offending value as written, when there is one.
    pub found: Option<String>,
    /// What is allowed.
    pub expected: Option<String>,
    /// A "did you mean" suggestion for a near-miss word.
    pub suggestion: Option<String>,
    /// Line and column in the YAML source, when the config came from YAML.
    pub location: Option<Location>,
    /// Other places involved in the problem, each with a short note
    /// (`type = count set here`); tools show them as secondary labels.
    pub notes: Vec<Note>,
}

/// A secondary place involved in a [`ValidationError`].
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    /// Where.
    pub path: FieldPath,
    /// What is there, in a few words (`the type is set here`).
    pub text: String,
    /// Line and column in the YAML source, when the config came from YAML.
    pub location: Option<Location>,
}

impl ValidationError {
    /// A new error at `path` with `message`.
    pub fn new(path: FieldPath, message: impl Into<String>) -> Self {
        ValidationError {
            path,
            message: message.into(),
            found: None,
            expected: None,
            suggestion: None,
            location: None,
            notes: Vec::new(),
        }
    }

    /// Adds a secondary place involved in the problem, with a short note.
    pub fn note(mut self, path: FieldPath, note: impl Into<String>) -> Self {
        self.notes.push(Note {
            path,
            text: note.into(),
            location: None,
        });
        self
    }

    /// Records the offending value.
    pub fn found(mut self, found: impl fmt::Display) -> Self {
        self.found = Some(found.to_string());
        self
    }

    /// Records what is allowed.
    pub fn expected(mut self, expected: impl fmt::Display) -> Self {
        self.expected = Some(expected.to_string());
        self
    }

    /// Records a "did you mean" suggestion.
    pub fn suggestion(mut self, s: Option<impl fmt::Display>) -> Self {
        self.suggestion = s.map(|s| s.to_string());
        self
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(l) = self.location {
            write!(f, "{l}: ")?;
        }
        write!(f, "{}: {}", self.path, self.message)?;
        if let Some(found) = &self.found {
            write!(f, "; found {found}")?;
        }
        if let Some(e) = &self.expected {
            write!(f, "; expected {e}")?;
        }
        if let Some(s) = &self.suggestion {
            write!(f, " (did you mean `{s}`?)")?;
        }
        Ok(())
    }
}

/// Every semantic problem found by [`crate::Config::validate`], in config order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConfigErrors {
    errors: Vec<ValidationError>,
}

impl ConfigErrors {
    /// Wraps a list of errors.
    pub fn new(errors: Vec<ValidationError>) -> Self {
        ConfigErrors { errors }
    }

    /// The errors, in the order they were found.
    pub fn errors(&self) -> &[ValidationError] {
        &self.errors
    }

    /// Number of errors.
    pub fn len(&self) -> usize {
        self.errors.len()
    }

    /// Whether there is no error.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// The errors at exactly `path` (display form), for tests and tools.
    pub fn at(&self, path: &str) -> Vec<&ValidationError> {
        self.errors
            .iter()
            .filter(|e| e.path.to_string() == path)
            .collect()
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

impl IntoIterator for ConfigErrors {
    type Item = ValidationError;
    type IntoIter = std::vec::IntoIter<ValidationError>;
    fn into_iter(self) -> Self::IntoIter {
        self.errors.into_iter()
    }
}

/// A config that could not be read: I/O, YAML syntax or type errors (the first
/// one, with its position), or a file in the wrong dialect.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file `{path}`: {source}")]
    Io {
        /// The path that was read.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// YAML syntax error or a value of the wrong type or shape.
    #[error("{}", fmt_parse(.path.as_ref(), .location.as_ref(), .message))]
    Parse {
        /// Field path of the value, when known.
        path: Option<FieldPath>,
        /// Line and column of the problem.
        location: Option<Location>,
        /// What is wrong, found and allowed.
        message: String,
    },
}

fn fmt_parse(path: Option<&FieldPath>, loc: Option<&Location>, message: &str) -> String {
    let mut s = String::new();
    if let Some(l) = loc {
        s.push_str(&format!("{l}: "));
    }
    if let Some(p) = path.filter(|p| !p.segments().is_empty()) {
        s.push_str(&format!("{p}: "));
    }
    s.push_str(message);
    s
}

impl ConfigError {
    /// The position of the problem in the YAML source, when known.
    pub fn location(&self) -> Option<Location> {
        match self {
            ConfigError::Parse { location, .. } => *location,
            ConfigError::Io { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_display_and_parse_round_trip() {
        for s in [
            "metrics[2].range",
            "window",
            "segments[0].attributes.industry[1]",
        ] {
            assert_eq!(FieldPath::parse(s).to_string(), s);
        }
        assert_eq!(FieldPath::parse(".").segments().len(), 0);
    }

    #[test]
    fn error_display_names_path_found_expected() {
        let e = ValidationError::new(FieldPath::root().key("seed"), "out of range")
            .found(-5)
            .expected("a non-negative integer");
        assert_eq!(
            e.to_string(),
            "seed: out of range; found -5; expected a non-negative integer"
        );
    }
}
