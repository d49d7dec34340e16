//! Reading values out of attribute entries: each reader reports a wrong
//! kind of value (spanned on it) and returns `None`, so parsing goes on.

use proc_macro2::TokenStream;
use quote::ToTokens;
use std::str::FromStr;
use syn::ext::IdentExt;

use plotsim_config::words::{UnknownWord, suggest};

use super::Sp;
use crate::args::{Item, ItemKind, Items, Value};
use crate::ctxt::Ctxt;
use crate::symbol::Symbol;

/// The keyed entries of one attribute, checked against its vocabulary:
/// unknown keys (with a "did you mean") and duplicates are reported, and
/// the rest are returned with their symbol.
pub(super) fn keyed<'a>(
    cx: &Ctxt,
    what: &str,
    items: &'a [Item],
    allowed: &[Symbol],
) -> Vec<(Symbol, &'a Item)> {
    let mut out: Vec<(Symbol, &Item)> = Vec::new();
    for item in items {
        let Some(key) = &item.key else {
            cx.error_spanned_by(
                &item.tokens,
                format!("expected `key = value` in {what}, found a bare value"),
            );
            continue;
        };
        let Some(sym) = allowed.iter().copied().find(|s| key == s) else {
            let found = key.unraw().to_string();
            let found = found.as_str();
            let names: Vec<&str> = allowed.iter().map(|s| s.0).collect();
            let hint = suggest(found, names.iter().copied())
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            cx.error_spanned_by(
                key,
                format!(
                    "unknown key `{found}` in {what}; expected one of {}{hint}",
                    backticked(&names)
                ),
            );
            continue;
        };
        if let Some((_, first)) = out.iter().find(|(s, _)| *s == sym) {
            let mut e = syn::Error::new_spanned(key, format!("duplicate key `{sym}` in {what}"));
            e.combine(syn::Error::new_spanned(
                first.key.as_ref().map(ToTokens::to_token_stream),
                format!("`{sym}` first set here"),
            ));
            cx.syn_error(e);
            continue;
        }
        out.push((sym, item));
    }
    out
}

pub(super) fn backticked(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `= value` of an entry, or an error when it is a flag or a list.
pub(super) fn value<'a>(
    cx: &Ctxt,
    sym: Symbol,
    item: &'a Item,
    expected: &str,
) -> Option<&'a Value> {
    match &item.kind {
        ItemKind::Value(v) => Some(v),
        _ => {
            cx.error_spanned_by(
                &item.tokens,
                format!("`{sym}` needs a value: `{sym} = {expected}`"),
            );
            None
        }
    }
}

/// A string literal's text and tokens (`None` for other values).
pub(super) fn text(v: &Value) -> Option<Sp<String>> {
    match v {
        Value::Str(s) => Some(Sp {
            value: s.value(),
            tokens: s.to_token_stream(),
        }),
        _ => None,
    }
}

pub(super) fn string(cx: &Ctxt, sym: Symbol, item: &Item) -> Option<Sp<String>> {
    let v = value(cx, sym, item, "\"...\"")?;
    let s = text(v);
    if s.is_none() {
        cx.error_spanned_by(
            v,
            format!("`{sym}` expects a string literal, found {}", v.kind()),
        );
    }
    s
}

pub(super) fn float(cx: &Ctxt, sym: Symbol, item: &Item) -> Option<Sp<f64>> {
    match value(cx, sym, item, "a number")? {
        Value::Num(n) => Some(Sp {
            value: n.value,
            tokens: n.tokens.clone(),
        }),
        other => {
            cx.error_spanned_by(
                other,
                format!("`{sym}` expects a number, found {}", other.kind()),
            );
            None
        }
    }
}

pub(super) fn integer<T: TryFrom<u64>>(cx: &Ctxt, sym: Symbol, item: &Item) -> Option<Sp<T>> {
    let v = value(cx, sym, item, "an integer")?;
    let parsed = match v {
        Value::Num(n) => n.integer.and_then(|i| T::try_from(i).ok()),
        _ => None,
    };
    if parsed.is_none() {
        cx.error_spanned_by(
            v,
            format!(
                "`{sym}` expects a non-negative integer{}, found {}",
                match std::mem::size_of::<T>() {
                    4 => " up to 4294967295",
                    _ => " up to 18446744073709551615",
                },
                describe(v)
            ),
        );
    }
    parsed.map(|value| Sp {
        value,
        tokens: v.to_token_stream(),
    })
}

pub(super) fn describe(v: &Value) -> String {
    match v {
        Value::Num(n) => n.tokens.to_string().replace(' ', ""),
        other => other.kind().to_owned(),
    }
}

pub(super) fn boolean(cx: &Ctxt, sym: Symbol, item: &Item) -> Option<Sp<bool>> {
    match value(cx, sym, item, "true")? {
        Value::Bool(b) => Some(Sp {
            value: b.value,
            tokens: b.to_token_stream(),
        }),
        other => {
            cx.error_spanned_by(
                other,
                format!("`{sym}` expects `true` or `false`, found {}", other.kind()),
            );
            None
        }
    }
}

/// A word from a fixed vocabulary, parsed by the runtime's own `FromStr`
/// (so the "expected one of" and "did you mean" texts are the YAML's).
pub(super) fn word<T: FromStr<Err = UnknownWord>>(
    cx: &Ctxt,
    sym: Symbol,
    item: &Item,
) -> Option<Sp<T>> {
    let s = string(cx, sym, item)?;
    match s.value.parse::<T>() {
        Ok(value) => Some(Sp {
            value,
            tokens: s.tokens,
        }),
        Err(e) => {
            cx.error_spanned_by(&s.tokens, format!("`{sym}`: {e}"));
            None
        }
    }
}

pub(super) fn range(cx: &Ctxt, sym: Symbol, item: &Item) -> Option<Sp<[f64; 2]>> {
    let v = value(cx, sym, item, "[min, max]")?;
    if let Value::Array(vals, tokens) = v
        && let [Value::Num(lo), Value::Num(hi)] = vals.as_slice()
    {
        return Some(Sp {
            value: [lo.value, hi.value],
            tokens: tokens.clone(),
        });
    }
    cx.error_spanned_by(
        v,
        format!(
            "`{sym}` expects two numbers `[min, max]`, found {}",
            v.kind()
        ),
    );
    None
}

pub(super) fn month_list(cx: &Ctxt, sym: Symbol, item: &Item) -> Option<Sp<Vec<u32>>> {
    let v = value(cx, sym, item, "[11, 12]")?;
    if let Value::Array(vals, tokens) = v {
        let months: Option<Vec<u32>> = vals
            .iter()
            .map(|m| match m {
                Value::Num(n) => n.integer.and_then(|i| u32::try_from(i).ok()),
                _ => None,
            })
            .collect();
        if let Some(value) = months {
            return Some(Sp {
                value,
                tokens: tokens.clone(),
            });
        }
    }
    cx.error_spanned_by(
        v,
        format!("`{sym}` expects a list of month numbers such as `[11, 12]`"),
    );
    None
}

/// Parses the arguments of an attribute, reporting a syntax error.
pub(super) fn items(cx: &Ctxt, attr: &syn::Attribute) -> Option<Vec<Item>> {
    let what = attr_name(attr);
    match &attr.meta {
        syn::Meta::List(list) => match syn::parse2::<Items>(list.tokens.clone()) {
            Ok(items) => Some(items.0),
            Err(e) => {
                cx.syn_error(e);
                None
            }
        },
        _ => {
            cx.error_spanned_by(attr, format!("expected `#[{what}(...)]`"));
            None
        }
    }
}

pub(super) fn attr_name(attr: &syn::Attribute) -> String {
    attr.path()
        .get_ident()
        .map(ToString::to_string)
        .unwrap_or_default()
}

/// Reports a required key that was not written at all (a key written with
/// a bad value has its own error already). Returns whether it is present.
pub(super) fn require(
    cx: &Ctxt,
    keys: &[(Symbol, &Item)],
    key: Symbol,
    tokens: &TokenStream,
    what: &str,
    hint: &str,
) -> bool {
    if keys.iter().any(|(s, _)| *s == key) {
        return true;
    }
    cx.error_spanned_by(tokens, format!("{what} is missing `{key}`{hint}"));
    false
}

/// Stores a parsed value; returns whether parsing succeeded.
pub(super) fn put<T>(slot: &mut Option<T>, v: Option<T>) -> bool {
    let ok = v.is_some();
    *slot = v;
    ok
}

/// Stores `v` in `slot`; returns whether the slot was already taken.
pub(super) fn set<T>(slot: &mut Option<T>, v: Option<T>) -> bool {
    if slot.is_some() {
        return v.is_some();
    }
    *slot = v;
    false
}
