//! Text templates with `{name}` placeholders (narratives, event logs): the
//! one parser, so validation and generation read a template alike. `{{` and
//! `}}` are literal braces; `{name:spec}` carries a format spec after the
//! colon; an unclosed `{` is kept as text.

/// A piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Text written as is.
    Text(String),
    /// A placeholder: its name (trimmed) and the spec after `:`, if any.
    Field {
        /// The placeholder's name.
        name: String,
        /// The format spec (`.2f` in `{x:.2f}`).
        spec: Option<String>,
    },
}

/// The pieces of a template, adjacent text merged, no empty text.
///
/// # Example
/// ```
/// use plotsim_config::dsl::template::{Piece, parse};
/// let p = parse("{{id}} {id:.2f} done");
/// assert_eq!(p[0], Piece::Text("{id} ".into()));
/// assert_eq!(p[1], Piece::Field { name: "id".into(), spec: Some(".2f".into()) });
/// ```
pub fn parse(template: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                let mut inner = String::new();
                let mut closed = false;
                for c in chars.by_ref() {
                    if c == '}' {
                        closed = true;
                        break;
                    }
                    inner.push(c);
                }
                let (name, spec) = match inner.split_once(':') {
                    Some((n, s)) => (n.trim(), Some(s.to_owned())),
                    None => (inner.trim(), None),
                };
                if !closed || name.is_empty() {
                    text.push('{');
                    text.push_str(&inner);
                    if closed {
                        text.push('}');
                    }
                    continue;
                }
                if !text.is_empty() {
                    out.push(Piece::Text(std::mem::take(&mut text)));
                }
                out.push(Piece::Field {
                    name: name.to_owned(),
                    spec,
                });
            }
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        out.push(Piece::Text(text));
    }
    out
}

/// The placeholder names of a template, in order of first appearance.
pub fn names(template: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in parse(template) {
        if let Piece::Field { name, .. } = p
            && !out.contains(&name)
        {
            out.push(name);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn braces_specs_and_unclosed_placeholders() {
        assert_eq!(names("{a} and {b:.1f} and {a} {{c}}"), vec!["a", "b"]);
        assert_eq!(parse("open {x"), vec![Piece::Text("open {x".into())]);
        assert_eq!(parse("{ }"), vec![Piece::Text("{ }".into())]);
        assert!(parse("").is_empty());
    }
}
