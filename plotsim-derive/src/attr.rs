//! Attribute parsing: `#[plotsim]`, `#[segment]`, `#[connection]`,
//! `#[seasonality]` on the struct and `#[entity]`, `#[period]`,
//! `#[segment_name]`, `#[metric]` on fields, into a typed model.
//!
//! Nothing here returns a `Result`: every problem (unknown key, duplicate
//! key, wrong kind of value, unknown word) goes to the [`Ctxt`], spanned on
//! the offending token, and parsing goes on. Semantic rules are not checked
//! here; they are `Config::validate`'s job (see `check.rs`).

use proc_macro2::TokenStream;
use quote::ToTokens;
use std::str::FromStr;

use plotsim_config::words::{UnknownWord, suggest};
use plotsim_config::{
    DecayKernel, Family, Granularity, MetricType, Noise, NoiseFamily, NoisePreset, Polarity,
};

use crate::args::{Item, ItemKind, Items, Value};
use crate::ctxt::Ctxt;
use crate::symbol::*;

/// A value and the tokens it was written as.
pub(crate) struct Sp<T> {
    pub(crate) value: T,
    pub(crate) tokens: TokenStream,
}

/// `#[plotsim(...)]` plus the repeatable struct attributes.
#[derive(Default)]
pub(crate) struct ContainerAttrs {
    /// The first `#[plotsim(...)]` attribute, for errors about the whole config.
    pub(crate) plotsim: Option<TokenStream>,
    pub(crate) about: Option<Sp<String>>,
    pub(crate) unit: Option<Sp<String>>,
    pub(crate) window: Option<WindowAttr>,
    pub(crate) seed: Option<Sp<u64>>,
    pub(crate) noise: Option<NoiseAttr>,
    pub(crate) segments: Vec<SegmentAttr>,
    pub(crate) connections: Vec<ConnectionAttr>,
    pub(crate) seasonality: Vec<SeasonalityAttr>,
}

/// `window(start = "…", end = "…", every = "…")` or `window = ["…", "…"]`.
pub(crate) struct WindowAttr {
    pub(crate) tokens: TokenStream,
    pub(crate) start: Option<Sp<String>>,
    pub(crate) end: Option<Sp<String>>,
    pub(crate) every: Option<Sp<Granularity>>,
    /// A part failed to parse; the window is not checked further.
    pub(crate) broken: bool,
}

/// `noise = "preset"` or `noise(...)`.
pub(crate) struct NoiseAttr {
    pub(crate) tokens: TokenStream,
    pub(crate) noise: Noise,
    /// Tokens of each key set in `noise(...)`.
    pub(crate) keys: Vec<(Symbol, TokenStream)>,
    pub(crate) broken: bool,
}

/// `#[segment(...)]`.
pub(crate) struct SegmentAttr {
    pub(crate) tokens: TokenStream,
    pub(crate) name: Option<Sp<String>>,
    pub(crate) count: Option<Sp<u32>>,
    pub(crate) archetype: Option<Sp<String>>,
    pub(crate) label: Option<Sp<String>>,
    pub(crate) seasonal_sensitivity: Option<Sp<f64>>,
    pub(crate) broken: bool,
}

/// `#[connection("a driven_by b")]` or `#[connection(metric_a = …, metric_b = …, …)]`.
pub(crate) struct ConnectionAttr {
    pub(crate) tokens: TokenStream,
    pub(crate) shorthand: Option<Sp<String>>,
    pub(crate) metric_a: Option<Sp<String>>,
    pub(crate) metric_b: Option<Sp<String>>,
    pub(crate) relationship: Option<Sp<String>>,
    pub(crate) coefficient: Option<Sp<f64>>,
    pub(crate) broken: bool,
}

/// `#[seasonality(months = [11, 12], strength = 0.3)]`.
pub(crate) struct SeasonalityAttr {
    pub(crate) tokens: TokenStream,
    pub(crate) months: Option<Sp<Vec<u32>>>,
    pub(crate) strength: Option<Sp<f64>>,
    pub(crate) broken: bool,
}

/// The role of a field.
pub(crate) enum Role {
    Entity,
    Period,
    SegmentName,
    Metric(Box<MetricAttr>),
}

/// `#[metric(...)]`.
pub(crate) struct MetricAttr {
    pub(crate) tokens: TokenStream,
    pub(crate) kind: Option<Sp<MetricType>>,
    pub(crate) polarity: Option<Sp<Polarity>>,
    pub(crate) range: Option<Sp<[f64; 2]>>,
    pub(crate) follows: Option<Sp<String>>,
    pub(crate) delay: Option<Sp<u32>>,
    pub(crate) decay_window: Option<Sp<u32>>,
    pub(crate) decay_kernel: Option<Sp<DecayKernel>>,
    pub(crate) distribution: Option<Sp<Family>>,
    pub(crate) params: Option<Sp<Vec<(String, f64, TokenStream)>>>,
    pub(crate) seasonal_sensitivity: Option<Sp<f64>>,
    pub(crate) label: Option<Sp<String>>,
    /// A key failed to parse or a required key is missing.
    pub(crate) broken: bool,
}

const PLOTSIM_KEYS: &[Symbol] = &[ABOUT, UNIT, WINDOW, SEED, NOISE];
const WINDOW_KEYS: &[Symbol] = &[START, END, EVERY];
const NOISE_KEYS: &[Symbol] = &[
    GAUSSIAN_SIGMA,
    OUTLIER_RATE,
    MCAR_RATE,
    SCALE_WITH_TRAJECTORY,
    NOISE_FAMILY,
    DEGREES_OF_FREEDOM,
];
const SEGMENT_KEYS: &[Symbol] = &[NAME, COUNT, ARCHETYPE, LABEL, SEASONAL_SENSITIVITY];
const CONNECTION_KEYS: &[Symbol] = &[METRIC_A, METRIC_B, RELATIONSHIP, COEFFICIENT];
const SEASONALITY_KEYS: &[Symbol] = &[MONTHS, STRENGTH];
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
/// Every struct-level attribute.
pub(crate) const STRUCT_ATTRS: &[Symbol] = &[PLOTSIM, SEGMENT, CONNECTION, SEASONALITY];
/// Every field-level attribute.
pub(crate) const FIELD_ATTRS: &[Symbol] = &[ENTITY, PERIOD, SEGMENT_NAME, METRIC];

/// The keyed entries of one attribute, checked against its vocabulary:
/// unknown keys (with a "did you mean") and duplicates are reported, and
/// the rest are returned with their symbol.
fn keyed<'a>(
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
            let found = key.to_string();
            let found = found.strip_prefix("r#").unwrap_or(&found);
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

fn backticked(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `= value` of an entry, or an error when it is a flag or a list.
fn value<'a>(cx: &Ctxt, sym: Symbol, item: &'a Item, expected: &str) -> Option<&'a Value> {
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

pub(crate) fn string(cx: &Ctxt, sym: Symbol, item: &Item) -> Option<Sp<String>> {
    match value(cx, sym, item, "\"...\"")? {
        Value::Str(s) => Some(Sp {
            value: s.value(),
            tokens: s.to_token_stream(),
        }),
        other => {
            cx.error_spanned_by(
                other,
                format!("`{sym}` expects a string literal, found {}", other.kind()),
            );
            None
        }
    }
}

fn float(cx: &Ctxt, sym: Symbol, item: &Item) -> Option<Sp<f64>> {
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

fn integer<T: TryFrom<u64>>(cx: &Ctxt, sym: Symbol, item: &Item) -> Option<Sp<T>> {
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
                if std::mem::size_of::<T>() == 4 {
                    " below 2^32"
                } else {
                    ""
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

fn describe(v: &Value) -> String {
    match v {
        Value::Num(n) => n.tokens.to_string().replace(' ', ""),
        other => other.kind().to_owned(),
    }
}

fn boolean(cx: &Ctxt, sym: Symbol, item: &Item) -> Option<Sp<bool>> {
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
fn word<T: FromStr<Err = UnknownWord>>(cx: &Ctxt, sym: Symbol, item: &Item) -> Option<Sp<T>> {
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

fn range(cx: &Ctxt, sym: Symbol, item: &Item) -> Option<Sp<[f64; 2]>> {
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

fn month_list(cx: &Ctxt, sym: Symbol, item: &Item) -> Option<Sp<Vec<u32>>> {
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
fn items(cx: &Ctxt, attr: &syn::Attribute) -> Option<Vec<Item>> {
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

fn attr_name(attr: &syn::Attribute) -> String {
    attr.path()
        .get_ident()
        .map(ToString::to_string)
        .unwrap_or_default()
}

/// Records a required key that is missing.
fn require<T>(cx: &Ctxt, slot: &Option<T>, tokens: &TokenStream, what: &str, key: &str) -> bool {
    if slot.is_none() {
        cx.error_spanned_by(tokens, format!("{what} is missing `{key}`"));
        return false;
    }
    true
}

impl ContainerAttrs {
    /// Parses every struct attribute of `input` (others are left alone).
    pub(crate) fn from_ast(cx: &Ctxt, attrs: &[syn::Attribute]) -> Self {
        let mut out = ContainerAttrs::default();
        for attr in attrs {
            let Some(ident) = attr.path().get_ident() else {
                continue;
            };
            if *ident == PLOTSIM {
                if out.plotsim.is_none() {
                    out.plotsim = Some(attr.to_token_stream());
                }
                if let Some(items) = items(cx, attr) {
                    out.plotsim_items(cx, &items);
                }
            } else if *ident == SEGMENT {
                out.segments.push(segment(cx, attr));
            } else if *ident == CONNECTION {
                out.connections.push(connection(cx, attr));
            } else if *ident == SEASONALITY {
                out.seasonality.push(seasonality(cx, attr));
            } else if FIELD_ATTRS.iter().any(|s| ident == s) {
                cx.error_spanned_by(
                    attr,
                    format!("`#[{ident}]` belongs on a field, not on the struct"),
                );
            }
        }
        out
    }

    fn plotsim_items(&mut self, cx: &Ctxt, items: &[Item]) {
        for (sym, item) in keyed(cx, "#[plotsim(...)]", items, PLOTSIM_KEYS) {
            let dup = match sym {
                ABOUT => set(&mut self.about, string(cx, sym, item)),
                UNIT => set(&mut self.unit, string(cx, sym, item)),
                SEED => set(&mut self.seed, integer(cx, sym, item)),
                WINDOW => set(&mut self.window, Some(window(cx, item))),
                _ => set(&mut self.noise, Some(noise(cx, item))),
            };
            if dup {
                cx.error_spanned_by(
                    &item.tokens,
                    format!("`{sym}` is already set in another `#[plotsim(...)]`"),
                );
            }
        }
    }
}

/// Stores `v` in `slot`; returns whether the slot was already taken.
fn set<T>(slot: &mut Option<T>, v: Option<T>) -> bool {
    if slot.is_some() {
        return v.is_some();
    }
    *slot = v;
    false
}

fn window(cx: &Ctxt, item: &Item) -> WindowAttr {
    let mut w = WindowAttr {
        tokens: item.tokens.clone(),
        start: None,
        end: None,
        every: None,
        broken: false,
    };
    match &item.kind {
        ItemKind::List(items) => {
            for (sym, it) in keyed(cx, "window(...)", items, WINDOW_KEYS) {
                match sym {
                    START => w.start = string(cx, sym, it),
                    END => w.end = string(cx, sym, it),
                    _ => w.every = word(cx, sym, it),
                }
                w.broken |= cx_missing(&w, sym);
            }
        }
        ItemKind::Value(Value::Array(vals, _)) if (2..=3).contains(&vals.len()) => {
            let parts: Vec<Option<Sp<String>>> = vals
                .iter()
                .map(|v| match v {
                    Value::Str(s) => Some(Sp {
                        value: s.value(),
                        tokens: s.to_token_stream(),
                    }),
                    other => {
                        cx.error_spanned_by(
                            other,
                            "window entries are strings: `[\"2023-01\", \"2024-12\", \"monthly\"]`",
                        );
                        None
                    }
                })
                .collect();
            let mut parts = parts.into_iter();
            w.start = parts.next().flatten();
            w.end = parts.next().flatten();
            if let Some(Some(every)) = parts.next() {
                match every.value.parse::<Granularity>() {
                    Ok(g) => {
                        w.every = Some(Sp {
                            value: g,
                            tokens: every.tokens,
                        });
                    }
                    Err(e) => {
                        cx.error_spanned_by(&every.tokens, format!("`window`: {e}"));
                        w.broken = true;
                    }
                }
            }
        }
        _ => {
            cx.error_spanned_by(
                &item.tokens,
                "`window` expects `window(start = \"2023-01\", end = \"2024-12\", every = \"monthly\")` or `window = [\"2023-01\", \"2024-12\"]`",
            );
            w.broken = true;
            return w;
        }
    }
    let needed = require(cx, &w.start, &item.tokens, "`window`", "start")
        & require(cx, &w.end, &item.tokens, "`window`", "end");
    w.broken |= !needed;
    w
}

/// Whether the key just parsed into `w` failed (its slot stayed empty).
fn cx_missing(w: &WindowAttr, sym: Symbol) -> bool {
    match sym {
        START => w.start.is_none(),
        END => w.end.is_none(),
        _ => w.every.is_none(),
    }
}

fn noise(cx: &Ctxt, item: &Item) -> NoiseAttr {
    let mut n = NoiseAttr {
        tokens: item.tokens.clone(),
        noise: Noise::default(),
        keys: Vec::new(),
        broken: false,
    };
    match &item.kind {
        ItemKind::Value(Value::Str(s)) => match NoisePreset::parse_loose(&s.value()) {
            Ok(p) => n.noise = Noise::from(p),
            Err(e) => {
                cx.error_spanned_by(s, format!("`noise`: {e}"));
                n.broken = true;
            }
        },
        ItemKind::List(items) => {
            for (sym, it) in keyed(cx, "noise(...)", items, NOISE_KEYS) {
                let ok = match sym {
                    GAUSSIAN_SIGMA => float(cx, sym, it).map(|v| n.noise.gaussian_sigma = v.value),
                    OUTLIER_RATE => float(cx, sym, it).map(|v| n.noise.outlier_rate = v.value),
                    MCAR_RATE => float(cx, sym, it).map(|v| n.noise.mcar_rate = v.value),
                    SCALE_WITH_TRAJECTORY => {
                        boolean(cx, sym, it).map(|v| n.noise.scale_with_trajectory = v.value)
                    }
                    NOISE_FAMILY => {
                        word::<NoiseFamily>(cx, sym, it).map(|v| n.noise.noise_family = v.value)
                    }
                    _ => float(cx, sym, it).map(|v| n.noise.degrees_of_freedom = Some(v.value)),
                };
                n.broken |= ok.is_none();
                n.keys.push((sym, it.tokens.clone()));
            }
        }
        _ => {
            cx.error_spanned_by(
                &item.tokens,
                "`noise` expects a preset (`noise = \"realistic\"`) or `noise(gaussian_sigma = 0.05, mcar_rate = 0.01, ...)`",
            );
            n.broken = true;
        }
    }
    n
}

fn segment(cx: &Ctxt, attr: &syn::Attribute) -> SegmentAttr {
    let mut s = SegmentAttr {
        tokens: attr.to_token_stream(),
        name: None,
        count: None,
        archetype: None,
        label: None,
        seasonal_sensitivity: None,
        broken: false,
    };
    let Some(items) = items(cx, attr) else {
        s.broken = true;
        return s;
    };
    for (sym, it) in keyed(cx, "#[segment(...)]", &items, SEGMENT_KEYS) {
        let ok = match sym {
            NAME => {
                s.name = string(cx, sym, it);
                s.name.is_some()
            }
            COUNT => {
                s.count = integer(cx, sym, it);
                s.count.is_some()
            }
            ARCHETYPE => {
                s.archetype = string(cx, sym, it);
                s.archetype.is_some()
            }
            LABEL => {
                s.label = string(cx, sym, it);
                s.label.is_some()
            }
            _ => {
                s.seasonal_sensitivity = float(cx, sym, it);
                s.seasonal_sensitivity.is_some()
            }
        };
        s.broken |= !ok;
    }
    let what = "`#[segment(...)]`";
    let all = require(cx, &s.name, &s.tokens, what, "name")
        & require(cx, &s.count, &s.tokens, what, "count")
        & require(cx, &s.archetype, &s.tokens, what, "archetype");
    s.broken |= !all;
    s
}

fn connection(cx: &Ctxt, attr: &syn::Attribute) -> ConnectionAttr {
    let mut c = ConnectionAttr {
        tokens: attr.to_token_stream(),
        shorthand: None,
        metric_a: None,
        metric_b: None,
        relationship: None,
        coefficient: None,
        broken: false,
    };
    let Some(items) = items(cx, attr) else {
        c.broken = true;
        return c;
    };
    if let [only] = items.as_slice()
        && only.key.is_none()
    {
        match &only.kind {
            ItemKind::Value(Value::Str(s)) => {
                c.shorthand = Some(Sp {
                    value: s.value(),
                    tokens: s.to_token_stream(),
                });
            }
            _ => {
                cx.error_spanned_by(
                    &only.tokens,
                    "`#[connection(...)]` expects a string such as `\"mrr driven_by engagement\"`",
                );
                c.broken = true;
            }
        }
        return c;
    }
    for (sym, it) in keyed(cx, "#[connection(...)]", &items, CONNECTION_KEYS) {
        let ok = match sym {
            METRIC_A => {
                c.metric_a = string(cx, sym, it);
                c.metric_a.is_some()
            }
            METRIC_B => {
                c.metric_b = string(cx, sym, it);
                c.metric_b.is_some()
            }
            RELATIONSHIP => {
                c.relationship = string(cx, sym, it);
                c.relationship.is_some()
            }
            _ => {
                c.coefficient = float(cx, sym, it);
                c.coefficient.is_some()
            }
        };
        c.broken |= !ok;
    }
    let what = "`#[connection(...)]`";
    let all = require(cx, &c.metric_a, &c.tokens, what, "metric_a")
        & require(cx, &c.metric_b, &c.tokens, what, "metric_b");
    c.broken |= !all;
    c
}

fn seasonality(cx: &Ctxt, attr: &syn::Attribute) -> SeasonalityAttr {
    let mut s = SeasonalityAttr {
        tokens: attr.to_token_stream(),
        months: None,
        strength: None,
        broken: false,
    };
    let Some(items) = items(cx, attr) else {
        s.broken = true;
        return s;
    };
    for (sym, it) in keyed(cx, "#[seasonality(...)]", &items, SEASONALITY_KEYS) {
        let ok = match sym {
            MONTHS => {
                s.months = month_list(cx, sym, it);
                s.months.is_some()
            }
            _ => {
                s.strength = float(cx, sym, it);
                s.strength.is_some()
            }
        };
        s.broken |= !ok;
    }
    let what = "`#[seasonality(...)]`";
    let all = require(cx, &s.months, &s.tokens, what, "months")
        & require(cx, &s.strength, &s.tokens, what, "strength");
    s.broken |= !all;
    s
}

/// The role of a field from its attributes; `None` (with an error) when it
/// has none or several.
pub(crate) fn role(cx: &Ctxt, field: &syn::Field) -> Option<Role> {
    let mut found: Option<(Role, &syn::Attribute)> = None;
    let mut conflict = false;
    for attr in &field.attrs {
        let Some(ident) = attr.path().get_ident() else {
            continue;
        };
        let role = if *ident == ENTITY {
            flag(cx, attr).then_some(Role::Entity)
        } else if *ident == PERIOD {
            flag(cx, attr).then_some(Role::Period)
        } else if *ident == SEGMENT_NAME {
            flag(cx, attr).then_some(Role::SegmentName)
        } else if *ident == METRIC {
            Some(Role::Metric(Box::new(metric(cx, attr))))
        } else {
            if STRUCT_ATTRS.iter().any(|s| ident == s) {
                cx.error_spanned_by(
                    attr,
                    format!("`#[{ident}]` belongs on the struct, not on a field"),
                );
            }
            continue;
        };
        let Some(role) = role else { continue };
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
    if conflict {
        return None;
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
    found.map(|(r, _)| r)
}

/// `#[entity]`-style attributes take no arguments.
fn flag(cx: &Ctxt, attr: &syn::Attribute) -> bool {
    if let syn::Meta::Path(_) = attr.meta {
        return true;
    }
    cx.error_spanned_by(attr, format!("`#[{}]` takes no arguments", attr_name(attr)));
    false
}

#[allow(clippy::too_many_lines)]
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
    for (sym, it) in keyed(cx, "#[metric(...)]", &items, METRIC_KEYS) {
        let ok = match sym {
            TYPE => {
                m.kind = word(cx, sym, it);
                m.kind.is_some()
            }
            POLARITY => {
                m.polarity = word(cx, sym, it);
                m.polarity.is_some()
            }
            RANGE => {
                m.range = range(cx, sym, it);
                m.range.is_some()
            }
            FOLLOWS => {
                m.follows = string(cx, sym, it);
                m.follows.is_some()
            }
            DELAY => {
                m.delay = integer(cx, sym, it);
                m.delay.is_some()
            }
            DECAY_WINDOW => {
                m.decay_window = integer(cx, sym, it);
                m.decay_window.is_some()
            }
            DECAY_KERNEL => {
                m.decay_kernel = word(cx, sym, it);
                m.decay_kernel.is_some()
            }
            DISTRIBUTION => {
                m.distribution = word(cx, sym, it);
                m.distribution.is_some()
            }
            PARAMS => {
                m.params = params(cx, it);
                m.params.is_some()
            }
            SEASONAL_SENSITIVITY => {
                m.seasonal_sensitivity = float(cx, sym, it);
                m.seasonal_sensitivity.is_some()
            }
            _ => {
                m.label = string(cx, sym, it);
                m.label.is_some()
            }
        };
        m.broken |= !ok;
    }
    if m.kind.is_none() && !m.broken {
        cx.error_spanned_by(
            &m.tokens,
            format!(
                "`#[metric(...)]` is missing `type`; expected one of {}",
                backticked(
                    &MetricType::ALL
                        .iter()
                        .map(|t| t.as_str())
                        .collect::<Vec<_>>()
                )
            ),
        );
        m.broken = true;
    }
    if m.polarity.is_none() && !m.broken {
        cx.error_spanned_by(
            &m.tokens,
            "`#[metric(...)]` is missing `polarity`; expected `positive` or `negative`",
        );
        m.broken = true;
    }
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
        let name = key.to_string();
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
