//! The syntax inside the attributes: `key = value`, `key(...)`, bare `key`
//! and positional values, where a value is a string, a number (optionally
//! negative), a boolean or a `[list]`. Mirrors the shapes of the YAML.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::{Ident, LitBool, LitFloat, LitInt, LitStr, Token, bracketed, parenthesized};

/// One entry of an attribute's argument list.
pub(crate) struct Item {
    /// The key (`None` for a positional value such as `#[connection("...")]`).
    pub(crate) key: Option<Ident>,
    pub(crate) kind: ItemKind,
    /// The whole entry, for error spans.
    pub(crate) tokens: TokenStream,
}

pub(crate) enum ItemKind {
    /// `key`
    Flag,
    /// `key = value` or a positional value.
    Value(Value),
    /// `key(...)`
    List(Vec<Item>),
}

/// A value as written.
pub(crate) enum Value {
    Str(LitStr),
    Num(Num),
    Bool(LitBool),
    Array(Vec<Value>, TokenStream),
}

/// A numeric literal, possibly negated.
pub(crate) struct Num {
    pub(crate) value: f64,
    /// The exact value when it is a non-negative integer literal.
    pub(crate) integer: Option<u64>,
    pub(crate) tokens: TokenStream,
}

impl Value {
    /// What kind of value this is, for "found ..." messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Num(_) => "a number",
            Value::Bool(_) => "a boolean",
            Value::Array(..) => "a list",
        }
    }
}

impl ToTokens for Value {
    fn to_tokens(&self, out: &mut TokenStream) {
        match self {
            Value::Str(s) => s.to_tokens(out),
            Value::Num(n) => n.tokens.to_tokens(out),
            Value::Bool(b) => b.to_tokens(out),
            Value::Array(_, t) => t.to_tokens(out),
        }
    }
}

/// A whole argument list: `a = 1, b(c = "x"), "positional"`.
pub(crate) struct Items(pub(crate) Vec<Item>);

impl Parse for Items {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut items = Vec::new();
        while !input.is_empty() {
            items.push(parse_item(input)?);
            if input.is_empty() {
                break;
            }
            input.parse::<Token![,]>()?;
        }
        Ok(Items(items))
    }
}

fn parse_item(input: ParseStream<'_>) -> syn::Result<Item> {
    if !input.peek(Ident::peek_any) || input.peek(LitBool) {
        let value = parse_value(input)?;
        let tokens = value.to_token_stream();
        return Ok(Item {
            key: None,
            kind: ItemKind::Value(value),
            tokens,
        });
    }
    let key = Ident::parse_any(input)?;
    if input.peek(Token![=]) {
        let eq: Token![=] = input.parse()?;
        let value = parse_value(input)?;
        let tokens = quote!(#key #eq #value);
        Ok(Item {
            key: Some(key),
            kind: ItemKind::Value(value),
            tokens,
        })
    } else if input.peek(syn::token::Paren) {
        let content;
        let paren = parenthesized!(content in input);
        let inner: Items = content.parse()?;
        let mut tokens = key.to_token_stream();
        paren.surround(&mut tokens, |t| {
            t.extend(inner.0.iter().map(|i| i.tokens.clone()))
        });
        Ok(Item {
            key: Some(key),
            kind: ItemKind::List(inner.0),
            tokens,
        })
    } else {
        let tokens = key.to_token_stream();
        Ok(Item {
            key: Some(key),
            kind: ItemKind::Flag,
            tokens,
        })
    }
}

fn parse_value(input: ParseStream<'_>) -> syn::Result<Value> {
    let look = input.lookahead1();
    if look.peek(LitStr) {
        return Ok(Value::Str(input.parse()?));
    }
    if look.peek(LitBool) {
        return Ok(Value::Bool(input.parse()?));
    }
    if look.peek(Token![-]) || look.peek(LitInt) || look.peek(LitFloat) {
        return parse_number(input).map(Value::Num);
    }
    if look.peek(syn::token::Bracket) {
        let content;
        let bracket = bracketed!(content in input);
        let mut values = Vec::new();
        while !content.is_empty() {
            values.push(parse_value(&content)?);
            if content.is_empty() {
                break;
            }
            content.parse::<Token![,]>()?;
        }
        let mut tokens = TokenStream::new();
        bracket.surround(&mut tokens, |t| {
            for (i, v) in values.iter().enumerate() {
                if i > 0 {
                    t.extend(quote!(,));
                }
                v.to_tokens(t);
            }
        });
        return Ok(Value::Array(values, tokens));
    }
    Err(look.error())
}

fn parse_number(input: ParseStream<'_>) -> syn::Result<Num> {
    let neg: Option<Token![-]> = input.parse()?;
    let (value, integer, lit) = if input.peek(LitInt) {
        let lit: LitInt = input.parse()?;
        match lit.base10_parse::<u64>() {
            Ok(exact) => (exact as f64, Some(exact), lit.to_token_stream()),
            // Beyond u64: still a number where a float is expected; the
            // integer readers report it as out of range.
            Err(_) => (lit.base10_parse::<f64>()?, None, lit.to_token_stream()),
        }
    } else {
        let lit: LitFloat = input.parse()?;
        (lit.base10_parse::<f64>()?, None, lit.to_token_stream())
    };
    if !value.is_finite() {
        return Err(syn::Error::new_spanned(
            &lit,
            "number out of range: it does not fit a 64-bit float",
        ));
    }
    let tokens = quote!(#neg #lit);
    Ok(match neg {
        Some(_) => Num {
            value: -value,
            integer: None,
            tokens,
        },
        None => Num {
            value,
            integer,
            tokens,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(ts: TokenStream) -> Items {
        syn::parse2(ts).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn shapes() {
        let items = parse(
            quote!(type = "count", range = [50, -1.5], window(start = "2023-01"), flag, "pos"),
        );
        assert_eq!(items.0.len(), 5);
        assert!(matches!(&items.0[0].kind, ItemKind::Value(Value::Str(s)) if s.value() == "count"));
        let ItemKind::Value(Value::Array(v, _)) = &items.0[1].kind else {
            panic!("array")
        };
        assert!(matches!(&v[0], Value::Num(n) if n.integer == Some(50)));
        assert!(matches!(&v[1], Value::Num(n) if n.value == -1.5 && n.integer.is_none()));
        assert!(matches!(&items.0[2].kind, ItemKind::List(l) if l.len() == 1));
        assert!(matches!(items.0[3].kind, ItemKind::Flag));
        assert!(items.0[4].key.is_none());
    }

    #[test]
    fn rejects_paths_as_values() {
        assert!(syn::parse2::<Items>(quote!(type = count)).is_err());
    }
}
