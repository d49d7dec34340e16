//! Positions of config fields in their YAML source.
//!
//! When a config is read from YAML the source is indexed once: every mapping
//! key and sequence item gets its line and column under its [`FieldPath`].
//! Validation then attaches positions to its errors. A config built in code
//! has an empty map.

use std::collections::HashMap;
use std::sync::Arc;

use crate::error::{FieldPath, Location, PathSegment};

/// Field path -> position index of a YAML source. Not part of a config's value:
/// two configs compare equal whatever their source maps.
///
/// A config read from the engine-direct dialect also carries the translation
/// of its builder paths to the engine paths they came from, so errors name
/// the fields the user wrote.
#[derive(Clone, Default)]
pub(crate) struct SourceMap(
    Option<Arc<HashMap<FieldPath, Location>>>,
    Option<Arc<HashMap<FieldPath, FieldPath>>>,
);

impl PartialEq for SourceMap {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for SourceMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Some(m) if self.1.is_some() => {
                write!(f, "SourceMap({} positions, engine dialect)", m.len())
            }
            Some(m) => write!(f, "SourceMap({} positions)", m.len()),
            None => f.write_str("SourceMap(none)"),
        }
    }
}

/// YAML keys that are aliases of a model field: (field, alias).
const ALIASES: &[(&str, &str)] = &[("lifecycle", "stages"), ("for", "for_periods")];

impl SourceMap {
    #[cfg(feature = "yaml")]
    pub(crate) fn new(map: HashMap<FieldPath, Location>) -> Self {
        SourceMap(Some(Arc::new(map)), None)
    }

    /// This map with builder paths translated to the engine paths they came from.
    #[cfg(feature = "yaml")]
    pub(crate) fn with_translation(self, paths: HashMap<FieldPath, FieldPath>) -> Self {
        SourceMap(self.0, Some(Arc::new(paths)))
    }

    /// The path as the user wrote it: the longest translated prefix replaced
    /// by its engine path (unchanged for the builder dialect).
    pub(crate) fn translate(&self, path: &FieldPath) -> FieldPath {
        let Some(t) = &self.1 else {
            return path.clone();
        };
        let segs = path.segments();
        for len in (1..=segs.len()).rev() {
            let prefix = FieldPath::from_segments(segs[..len].to_vec());
            if let Some(engine) = t.get(&prefix) {
                let mut out = engine.clone();
                for s in &segs[len..] {
                    out = match s {
                        PathSegment::Key(k) => out.key(k.clone()),
                        PathSegment::Index(i) => out.index(*i),
                    };
                }
                return out;
            }
        }
        path.clone()
    }

    /// The position of `path`, or of its nearest ancestor present in the source.
    pub(crate) fn locate(&self, path: &FieldPath) -> Option<Location> {
        let map = self.0.as_ref()?;
        let mut p = path.clone();
        loop {
            if let Some(l) = map
                .get(&p)
                .or_else(|| map.get(&aliased(&p)))
                .or_else(|| map.get(&window_item(&p)?))
            {
                return Some(*l);
            }
            if p.segments().is_empty() {
                return None;
            }
            p = p.parent();
        }
    }
}

/// `window.start` / `window.end` / `window.every` of the list form `[start, end, every]`.
fn window_item(p: &FieldPath) -> Option<FieldPath> {
    match p.segments() {
        [PathSegment::Key(w), PathSegment::Key(k)] if w == "window" => {
            let i = ["start", "end", "every"].iter().position(|x| x == k)?;
            Some(FieldPath::root().key("window").index(i))
        }
        _ => None,
    }
}

fn aliased(p: &FieldPath) -> FieldPath {
    let mut out = FieldPath::root();
    for s in p.segments() {
        out = match s {
            PathSegment::Key(k) => {
                let k = ALIASES
                    .iter()
                    .find(|(f, _)| f == k)
                    .map_or(k.to_string(), |(_, a)| (*a).to_owned());
                out.key(k)
            }
            PathSegment::Index(i) => out.index(*i),
        };
    }
    out
}

/// Indexes a YAML source: every key and item under its path. Parse errors just
/// end the index (the deserializer reports them).
#[cfg(feature = "yaml")]
pub(crate) fn index_yaml(text: &str) -> SourceMap {
    use serde_saphyr::granit_parser::{Event, Parser};

    enum Frame {
        Map {
            path: FieldPath,
            key: Option<String>,
            expecting_key: bool,
        },
        Seq {
            path: FieldPath,
            next: usize,
        },
    }

    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let to_location = |line: usize, col: usize| -> Location {
        let start = line_starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(0);
        let rest = text.get(start..).unwrap_or("");
        let offset = start + rest.char_indices().nth(col).map_or(rest.len(), |(i, _)| i);
        Location {
            line,
            column: col + 1,
            offset,
        }
    };

    let mut map = HashMap::new();
    let mut stack: Vec<Frame> = Vec::new();
    for item in Parser::new_from_str(text) {
        let Ok((event, span)) = item else { break };
        let loc = to_location(span.start.line(), span.start.col());
        let is_node = matches!(
            event,
            Event::Scalar(..)
                | Event::SequenceStart(..)
                | Event::MappingStart(..)
                | Event::Alias(..)
        );
        let mut node_path = None;
        if is_node {
            match stack.last_mut() {
                None => node_path = Some(FieldPath::root()),
                Some(Frame::Seq { path, next }) => {
                    let p = path.index(*next);
                    *next += 1;
                    map.entry(p.clone()).or_insert(loc);
                    node_path = Some(p);
                }
                Some(Frame::Map {
                    path,
                    key,
                    expecting_key,
                }) => {
                    if *expecting_key {
                        *expecting_key = false;
                        *key = match &event {
                            Event::Scalar(s, ..) => {
                                map.entry(path.key(s.to_string())).or_insert(loc);
                                Some(s.to_string())
                            }
                            _ => None,
                        };
                        // A key that is itself a collection is not indexed.
                        node_path = Some(path.key("?"));
                    } else {
                        *expecting_key = true;
                        node_path = Some(match key {
                            Some(k) => path.key(k.clone()),
                            None => path.key("?"),
                        });
                    }
                }
            }
        }
        match event {
            Event::MappingStart(..) => stack.push(Frame::Map {
                path: node_path.unwrap_or_default(),
                key: None,
                expecting_key: true,
            }),
            Event::SequenceStart(..) => stack.push(Frame::Seq {
                path: node_path.unwrap_or_default(),
                next: 0,
            }),
            Event::MappingEnd | Event::SequenceEnd => {
                stack.pop();
            }
            _ => {}
        }
    }
    SourceMap::new(map)
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use super::*;

    #[test]
    fn indexes_block_and_flow_paths() {
        let text = "about: x\nmetrics:\n  - {name: a, type: score}\n  - name: b\n    range: [1, 2]\nstages:\n  track: a\n";
        let m = index_yaml(text);
        let at = |p: &str| m.locate(&FieldPath::parse(p)).map(|l| (l.line, l.column));
        assert_eq!(at("about"), Some((1, 1)));
        assert_eq!(at("metrics[0]"), Some((3, 5)));
        assert_eq!(at("metrics[0].type"), Some((3, 15)));
        assert_eq!(at("metrics[1].range"), Some((5, 5)));
        assert_eq!(at("metrics[1].range[1]"), Some((5, 16)));
        // Missing leaf: nearest ancestor.
        assert_eq!(at("metrics[1].follows"), Some((4, 5)));
        // Alias key.
        assert_eq!(at("lifecycle.track"), Some((7, 3)));
    }
}
