//! Nested blocks in attribute syntax: `arrival(kind = "linear", end = 12)`,
//! `baseline(mrr = "high")`, `attributes(region = ["na", "emea"])`,
//! `lifecycle(track = "engagement", stages(trial = 0.0, active = 0.3))`,
//! `realism(range = "truncate")`, `correlation_target = "within_entity"`.
//!
//! A block is turned into the JSON value its YAML would be (`key = value`
//! is a map entry, `key(...)` a nested map, a bare `key` is `true`,
//! `[...]` a list; `stages(...)` is the YAML's list of `{name: threshold}`
//! maps) and read with the model's own serde impls, so a block takes
//! exactly the YAML's keys, shapes and defaults. Every entry's tokens are
//! kept by path, so a type error inside a block, and a validation error on
//! one of its fields, lands on the entry that caused it.

use proc_macro2::TokenStream;
use quote::ToTokens;
use serde::de::DeserializeOwned;
use syn::ext::IdentExt;

use crate::args::{Item, ItemKind, Value};
use crate::check::is_prefix;
use crate::ctxt::Ctxt;
use crate::symbol::Symbol;

/// Keys whose `key(a = x, b = y)` is a YAML list of one-entry maps
/// (`[{a: x}, {b: y}]`), not a map: lifecycle stages in threshold order.
const LIST_OF_MAPS: &[&str] = &["stages"];

/// A block as written, read into the JSON value of its YAML.
pub(crate) struct Block {
    /// The block's key, e.g. `arrival`.
    pub(crate) key: Symbol,
    /// The whole entry (`arrival(...)`).
    pub(crate) tokens: TokenStream,
    /// The value its YAML would be, as JSON text (maps keep the order
    /// written, like YAML's).
    pub(crate) json: String,
    /// The tokens of every entry inside, by path relative to the block
    /// (`end`, `blocks[1]`, `stages[0]`).
    pub(crate) spans: Vec<(String, TokenStream)>,
}

impl Block {
    /// Reads entry `item` (keyed `key`) as a block; errors go to `cx`.
    pub(crate) fn parse(cx: &Ctxt, key: Symbol, item: &Item) -> Option<Block> {
        let mut spans = Vec::new();
        let value = match &item.kind {
            ItemKind::List(items) => {
                let list_of_maps = LIST_OF_MAPS.contains(&key.0);
                entries(cx, &key.to_string(), items, "", list_of_maps, &mut spans)?
            }
            ItemKind::Value(v) => json(v, "", &mut spans),
            ItemKind::Flag => Json::Bool(true),
        };
        Some(Block {
            key,
            tokens: item.tokens.clone(),
            json: value.to_string(),
            spans,
        })
    }

    /// The tokens of the longest recorded entry that `path` (relative to
    /// the block, as serde or validation spells it) starts with.
    pub(crate) fn span_of(&self, path: &str) -> &TokenStream {
        self.spans
            .iter()
            .filter(|(p, _)| is_prefix(p, path))
            .max_by_key(|(p, _)| p.len())
            .map_or(&self.tokens, |(_, t)| t)
    }

    /// The block read as `T` with the model's serde impl; a mismatch is
    /// reported on the entry it concerns, naming the field and what was
    /// expected.
    pub(crate) fn typed<T: DeserializeOwned>(&self, cx: &Ctxt) -> Option<T> {
        let mut de = serde_json::Deserializer::from_str(&self.json);
        match serde_path_to_error::deserialize::<_, T>(&mut de) {
            Ok(v) => Some(v),
            Err(e) => {
                let path = e.path().to_string();
                // The JSON text is ours: its line and column mean nothing to the user.
                let inner = e.inner().to_string();
                let inner = inner.rfind(" at line ").map_or(&inner[..], |i| &inner[..i]);
                let field = if path == "." {
                    format!("`{}`", self.key)
                } else {
                    format!("`{}.{path}`", self.key)
                };
                cx.error_spanned_by(self.span_of(&path), format!("{field}: {inner}"));
                None
            }
        }
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// The keyed entries of a block as a map (or, for `list_of_maps`, as a list
/// of one-entry maps in the order written).
fn entries(
    cx: &Ctxt,
    what: &str,
    items: &[Item],
    path: &str,
    list_of_maps: bool,
    spans: &mut Vec<(String, TokenStream)>,
) -> Option<Json> {
    let mut map: Vec<(String, Json)> = Vec::new();
    let mut list = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut ok = true;
    for item in items {
        let Some(key) = &item.key else {
            cx.error_spanned_by(
                &item.tokens,
                format!("expected `key = value` in `{what}(...)`, found a bare value"),
            );
            ok = false;
            continue;
        };
        let name = key.unraw().to_string();
        if names.contains(&name) {
            cx.error_spanned_by(key, format!("duplicate key `{name}` in `{what}(...)`"));
            ok = false;
            continue;
        }
        let here = if list_of_maps {
            format!("{path}[{}]", list.len())
        } else {
            join(path, &name)
        };
        spans.push((here.clone(), item.tokens.clone()));
        let value = match &item.kind {
            ItemKind::Flag => Json::Bool(true),
            ItemKind::Value(v) => json(v, &here, spans),
            ItemKind::List(inner) => {
                let nested = LIST_OF_MAPS.contains(&name.as_str());
                match entries(cx, &name, inner, &here, nested, spans) {
                    Some(v) => v,
                    None => {
                        ok = false;
                        continue;
                    }
                }
            }
        };
        names.push(name.clone());
        if list_of_maps {
            list.push(Json::Object(vec![(name, value)]));
        } else {
            map.push((name, value));
        }
    }
    let value = if list_of_maps {
        Json::Array(list)
    } else {
        Json::Object(map)
    };
    ok.then_some(value)
}

/// A value as JSON: a string, a number (an integer when written as one), a
/// boolean or a list.
fn json(v: &Value, path: &str, spans: &mut Vec<(String, TokenStream)>) -> Json {
    match v {
        Value::Str(s) => Json::String(s.value()),
        Value::Bool(b) => Json::Bool(b.value),
        Value::Num(n) => {
            let written = n.tokens.to_string();
            let integral = !written.contains(['.', 'e', 'E']) && n.value.fract() == 0.0;
            Json::Number(match n.integer {
                Some(u) => u.to_string(),
                // A negative integer stays an integer (`-2`, not `-2.0`).
                None if integral && n.value.abs() < 9.0e15 => format!("{}", n.value as i64),
                // Rust's shortest round-trip form is valid JSON for finite values.
                None => format!("{:?}", n.value),
            })
        }
        Value::Array(items, _) => Json::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, x)| {
                    let here = format!("{path}[{i}]");
                    spans.push((here.clone(), x.to_token_stream()));
                    json(x, &here, spans)
                })
                .collect(),
        ),
    }
}

/// The JSON a block is read from, with maps in the order written.
enum Json {
    Bool(bool),
    /// The number's JSON text.
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl std::fmt::Display for Json {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let quoted = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
        match self {
            Json::Bool(b) => write!(f, "{b}"),
            Json::Number(n) => f.write_str(n),
            Json::String(s) => f.write_str(&quoted(s)),
            Json::Array(items) => {
                f.write_str("[")?;
                for (i, x) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{x}")?;
                }
                f.write_str("]")
            }
            Json::Object(entries) => {
                f.write_str("{")?;
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{}:{v}", quoted(k))?;
                }
                f.write_str("}")
            }
        }
    }
}
