//! Field attributes: the roles `#[entity]`, `#[period]`, `#[segment_name]`
//! and `#[metric(...)]` with its keys.

use super::*;
use syn::ext::IdentExt;

const METRIC_KEYS: &[Symbol] = &[
    TYPE,
    POLARITY,
    RANGE,
    FOLLOWS,
    DELAY,
    DECAY_WINDOW,
    DECAY_KERNEL,
    DISTRIBUTION,
    PARAMS,
    SEASONAL_SENSITIVITY,
    LABEL,
];

/// The role of a field from its attributes; `None` (with an error) when it
/// has none or several.
///
/// A second role is reported and ignored (the first one stays, so the
/// field's other uses do not fail too); `conflict` tells the caller.
pub(crate) fn role(cx: &Ctxt, field: &syn::Field) -> (Option<Role>, bool) {
    let mut found: Option<(Role, &syn::Attribute)> = None;
    let mut conflict = false;
    for attr in &field.attrs {
        let Some(ident) = attr.path().get_ident() else {
            continue;
        };
        // A flag written with arguments is reported but keeps its role.
        let role = if *ident == ENTITY {
            flag(cx, attr);
            Role::Entity
        } else if *ident == PERIOD {
            flag(cx, attr);
            Role::Period
        } else if *ident == SEGMENT_NAME {
            flag(cx, attr);
            Role::SegmentName
        } else if *ident == METRIC {
            Role::Metric(Box::new(metric(cx, attr)))
        } else {
            if STRUCT_ATTRS.iter().any(|s| ident == s) {
                cx.error_spanned_by(
                    attr,
                    format!("`#[{ident}]` belongs on the struct, not on a field"),
                );
            }
            continue;
        };
        if let Some((_, first)) = &found {
            let mut e = syn::Error::new_spanned(
                attr,
                "a field has one role: `#[entity]`, `#[period]`, `#[segment_name]` or `#[metric(...)]`",
            );
            e.combine(syn::Error::new_spanned(
                first,
                "its role is already set here",
            ));
            cx.syn_error(e);
            conflict = true;
            continue;
        }
        found = Some((role, attr));
    }
    if found.is_none() {
        let what = field
            .ident
            .as_ref()
            .map_or_else(|| "this field".to_owned(), |i| format!("field `{i}`"));
        cx.error_spanned_by(
            field.ident.as_ref().map_or_else(|| field.ty.to_token_stream(), ToTokens::to_token_stream),
            format!("{what} has no plotsim role; add `#[entity]`, `#[period]`, `#[segment_name]` or `#[metric(type = \"...\", polarity = \"...\")]`"),
        );
    }
    (found.map(|(r, _)| r), conflict)
}

/// `#[entity]`-style attributes take no arguments.
fn flag(cx: &Ctxt, attr: &syn::Attribute) {
    if let syn::Meta::Path(_) = attr.meta {
        return;
    }
    cx.error_spanned_by(attr, format!("`#[{}]` takes no arguments", attr_name(attr)));
}

fn metric(cx: &Ctxt, attr: &syn::Attribute) -> MetricAttr {
    let mut m = MetricAttr {
        tokens: attr.to_token_stream(),
        kind: None,
        polarity: None,
        range: None,
        follows: None,
        delay: None,
        decay_window: None,
        decay_kernel: None,
        distribution: None,
        params: None,
        seasonal_sensitivity: None,
        label: None,
        broken: false,
    };
    let Some(items) = items(cx, attr) else {
        m.broken = true;
        return m;
    };
    let keys = keyed(cx, "#[metric(...)]", &items, METRIC_KEYS);
    for &(sym, it) in &keys {
        let ok = match sym {
            TYPE => put(&mut m.kind, word(cx, sym, it)),
            POLARITY => put(&mut m.polarity, word(cx, sym, it)),
            RANGE => put(&mut m.range, range(cx, sym, it)),
            FOLLOWS => put(&mut m.follows, string(cx, sym, it)),
            DELAY => put(&mut m.delay, integer(cx, sym, it)),
            DECAY_WINDOW => put(&mut m.decay_window, integer(cx, sym, it)),
            DECAY_KERNEL => put(&mut m.decay_kernel, word(cx, sym, it)),
            DISTRIBUTION => put(&mut m.distribution, word(cx, sym, it)),
            PARAMS => put(&mut m.params, params(cx, it)),
            SEASONAL_SENSITIVITY => put(&mut m.seasonal_sensitivity, float(cx, sym, it)),
            _ => put(&mut m.label, string(cx, sym, it)),
        };
        m.broken |= !ok;
    }
    let types: Vec<&str> = MetricType::ALL.iter().map(|t| t.as_str()).collect();
    let what = "`#[metric(...)]`";
    let type_hint = format!("; expected one of {}", backticked(&types));
    let has_type = require(cx, &keys, TYPE, &m.tokens, what, &type_hint);
    let polarity_hint = "; expected `positive` or `negative`";
    let has_polarity = require(cx, &keys, POLARITY, &m.tokens, what, polarity_hint);
    m.broken |= !(has_type && has_polarity);
    m
}

/// `params(s = 0.5, shape = 2)`: the distribution's parameters.
fn params(cx: &Ctxt, item: &Item) -> Option<Sp<Vec<(String, f64, TokenStream)>>> {
    let ItemKind::List(items) = &item.kind else {
        cx.error_spanned_by(
            &item.tokens,
            "`params` expects a list of numbers: `params(shape = 2.0)`",
        );
        return None;
    };
    let mut out = Vec::new();
    let mut ok = true;
    for it in items {
        let Some(key) = &it.key else {
            cx.error_spanned_by(&it.tokens, "`params` entries are `name = number`");
            ok = false;
            continue;
        };
        let name = key.unraw().to_string();
        match &it.kind {
            ItemKind::Value(Value::Num(n)) => out.push((name, n.value, it.tokens.clone())),
            _ => {
                cx.error_spanned_by(&it.tokens, format!("`params`: `{name}` expects a number"));
                ok = false;
            }
        }
    }
    ok.then(|| Sp {
        value: out,
        tokens: item.tokens.clone(),
    })
}
