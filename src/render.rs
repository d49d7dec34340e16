//! Rendering of config problems with the YAML source around them.

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};
use plotsim::{ConfigError, Location, ValidationError};
use std::fmt;
use std::io::IsTerminal;

/// One problem, shown with its source snippet.
#[derive(Debug)]
struct Problem {
    message: String,
    help: Option<String>,
    label: String,
    location: Option<Location>,
    /// Secondary places (`the type is set here`).
    notes: Vec<(String, Location)>,
    source: NamedSource<String>,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Problem {}

impl Diagnostic for Problem {
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.location
            .map(|_| &self.source as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let loc = self.location?;
        let text = self.source.inner();
        let primary = LabeledSpan::new(
            Some(self.label.clone()),
            loc.offset,
            token_len(text, loc.offset),
        );
        let notes = self.notes.iter().map(move |(note, l)| {
            LabeledSpan::new(Some(note.clone()), l.offset, token_len(text, l.offset))
        });
        Some(Box::new(std::iter::once(primary).chain(notes)))
    }
}

fn token_len(text: &str, offset: usize) -> usize {
    text.get(offset..)
        .map(|rest| {
            rest.find(['\n', ',', '}', ']'])
                .unwrap_or(rest.len())
                .max(1)
        })
        .unwrap_or(1)
}

fn handler() -> GraphicalReportHandler {
    let theme = if std::io::stdout().is_terminal() {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme).with_context_lines(1)
}

fn render(p: &Problem) -> String {
    let mut out = String::new();
    if handler().render_report(&mut out, p).is_err() {
        out = p.message.clone();
    }
    out
}

/// A validation error: headline `line:col path: message`, then the snippet.
pub(crate) fn validation_error(name: &str, text: &str, e: &ValidationError) -> String {
    let p = Problem {
        message: e.to_string(),
        help: None,
        label: e.path.to_string(),
        location: e.location,
        notes: e
            .notes
            .iter()
            .filter_map(|n| Some((n.text.clone(), n.location?)))
            .collect(),
        source: NamedSource::new(name, text.to_owned()),
    };
    render(&p)
}

/// A load error (YAML syntax or type), with its snippet when it has a position.
pub(crate) fn load_error(name: &str, text: &str, e: &ConfigError) -> String {
    let p = Problem {
        message: e.to_string(),
        help: None,
        label: "here".to_owned(),
        location: e.location(),
        notes: Vec::new(),
        source: NamedSource::new(name, text.to_owned()),
    };
    render(&p)
}
