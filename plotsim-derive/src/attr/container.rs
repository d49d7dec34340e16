//! Struct attributes: `#[plotsim(...)]` (unit, window, seed, noise, about,
//! crate, lifecycle, variation, realism, correlation_target), the segment
//! lists `#[segments(name(...), ...)]`, the connection lists
//! `#[connections("...", ...)]`, and the repeatable `#[segment]`,
//! `#[connection]`, `#[seasonality]`.

use super::*;
use syn::ext::IdentExt;

const PLOTSIM_KEYS: &[Symbol] = &[
    ABOUT,
    UNIT,
    WINDOW,
    SEED,
    NOISE,
    CRATE,
    LIFECYCLE,
    VARIATION,
    REALISM,
    CORRELATION_TARGET,
];
const WINDOW_KEYS: &[Symbol] = &[START, END, EVERY];
const NOISE_KEYS: &[Symbol] = &[
    GAUSSIAN_SIGMA,
    OUTLIER_RATE,
    MCAR_RATE,
    SCALE_WITH_TRAJECTORY,
    NOISE_FAMILY,
    DEGREES_OF_FREEDOM,
];
const SEGMENT_KEYS: &[Symbol] = &[
    NAME,
    COUNT,
    ARCHETYPE,
    LABEL,
    SEASONAL_SENSITIVITY,
    BASELINE,
    ARRIVAL,
    TREATMENT,
    ATTRIBUTES,
];
/// The keys of one entry of `#[segments(...)]`: those of `#[segment]` but
/// `name` (first there), which is the entry's own key.
const LISTED_SEGMENT_KEYS: &[Symbol] = SEGMENT_KEYS.split_at(1).1;
const CONNECTION_KEYS: &[Symbol] = &[METRIC_A, METRIC_B, RELATIONSHIP, COEFFICIENT];
const SEASONALITY_KEYS: &[Symbol] = &[MONTHS, STRENGTH];

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
                match items(cx, attr) {
                    Some(items) => out.plotsim_items(cx, &items),
                    None => out.plotsim_broken = true,
                }
            } else if *ident == SEGMENT {
                out.segments.push(segment(cx, attr));
            } else if *ident == SEGMENTS {
                out.segments.extend(segment_list(cx, attr));
            } else if *ident == CONNECTION {
                out.connections.push(connection(cx, attr));
            } else if *ident == CONNECTIONS {
                out.connections.extend(connection_list(cx, attr));
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
        let keys = keyed(cx, "#[plotsim(...)]", items, PLOTSIM_KEYS);
        for &(sym, item) in &keys {
            self.plotsim_keys.push(sym);
            let dup = match sym {
                ABOUT => set(&mut self.about, string(cx, sym, item)),
                UNIT => set(&mut self.unit, string(cx, sym, item)),
                SEED => set(&mut self.seed, integer(cx, sym, item)),
                CRATE => set(&mut self.krate, crate_path(cx, sym, item)),
                WINDOW => set(&mut self.window, Some(window(cx, item))),
                NOISE => set(&mut self.noise, Some(noise(cx, item))),
                _ => {
                    let dup = self.blocks.iter().any(|b| b.key == sym);
                    if !dup {
                        match Block::parse(cx, sym, item) {
                            Some(b) => self.blocks.push(b),
                            None => self.plotsim_broken = true,
                        }
                    }
                    dup
                }
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

/// `crate = "my_plotsim"`: a path to the plotsim crate.
fn crate_path(cx: &Ctxt, sym: Symbol, item: &Item) -> Option<Sp<syn::Path>> {
    let s = string(cx, sym, item)?;
    match syn::parse_str::<syn::Path>(&s.value) {
        Ok(mut path) => {
            // Resolve at the user's call site, with the literal's span.
            for seg in &mut path.segments {
                seg.ident.set_span(
                    s.tokens
                        .clone()
                        .into_iter()
                        .next()
                        .map_or_else(proc_macro2::Span::call_site, |t| t.span()),
                );
            }
            Some(Sp {
                value: path,
                tokens: s.tokens,
            })
        }
        Err(_) => {
            cx.error_spanned_by(
                &s.tokens,
                format!("`crate` expects a path such as `\"my_plotsim\"` or `\"::deps::plotsim\"`, found \"{}\"", s.value),
            );
            None
        }
    }
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
            let keys = keyed(cx, "window(...)", items, WINDOW_KEYS);
            for &(sym, it) in &keys {
                let ok = match sym {
                    START => put(&mut w.start, string(cx, sym, it)),
                    END => put(&mut w.end, string(cx, sym, it)),
                    _ => put(&mut w.every, word(cx, sym, it)),
                };
                w.broken |= !ok;
            }
            let what = "`window(...)`";
            let all = require(cx, &keys, START, &item.tokens, what, "")
                & require(cx, &keys, END, &item.tokens, what, "");
            w.broken |= !all;
        }
        ItemKind::Value(Value::Array(vals, _)) if (2..=3).contains(&vals.len()) => {
            let parts: Vec<Option<Sp<String>>> = vals
                .iter()
                .map(|v| {
                    let t = text(v);
                    if t.is_none() {
                        cx.error_spanned_by(
                            v,
                            "window entries are strings: `[\"2023-01\", \"2024-12\", \"monthly\"]`",
                        );
                    }
                    t
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
    w.broken |= w.start.is_none() || w.end.is_none();
    w
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
            let keys = keyed(cx, "noise(...)", items, NOISE_KEYS);
            for &(sym, it) in &keys {
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
    let tokens = attr.to_token_stream();
    match items(cx, attr) {
        Some(items) => segment_items(cx, tokens, None, &items),
        None => broken_segment(tokens),
    }
}

fn broken_segment(tokens: TokenStream) -> SegmentAttr {
    SegmentAttr {
        tokens,
        name: None,
        count: None,
        archetype: None,
        label: None,
        seasonal_sensitivity: None,
        blocks: Vec::new(),
        broken: true,
    }
}

/// `#[segments(growing(count = 18, archetype = "growth"), steady(...))]`:
/// one segment per entry, named by the entry's key. One attribute for all
/// segments keeps every entry's path distinct (`segments(growing(count))`),
/// which clippy's `duplicated_attributes` needs.
fn segment_list(cx: &Ctxt, attr: &syn::Attribute) -> Vec<SegmentAttr> {
    let Some(items) = items(cx, attr) else {
        return vec![broken_segment(attr.to_token_stream())];
    };
    items
        .iter()
        .filter_map(|item| match (&item.key, &item.kind) {
            (Some(key), ItemKind::List(inner)) => {
                let name = Sp {
                    value: key.unraw().to_string(),
                    tokens: key.to_token_stream(),
                };
                Some(segment_items(cx, item.tokens.clone(), Some(name), inner))
            }
            _ => {
                cx.error_spanned_by(
                    &item.tokens,
                    "`#[segments(...)]` lists segments as `name(count = 10, archetype = \"growth\", ...)`",
                );
                None
            }
        })
        .collect()
}

/// A segment's entries; `listed` is the name of a `#[segments(...)]` entry.
fn segment_items(
    cx: &Ctxt,
    tokens: TokenStream,
    listed: Option<Sp<String>>,
    items: &[Item],
) -> SegmentAttr {
    let (what, allowed) = if listed.is_some() {
        ("a `#[segments(...)]` entry", LISTED_SEGMENT_KEYS)
    } else {
        ("`#[segment(...)]`", SEGMENT_KEYS)
    };
    let mut s = broken_segment(tokens);
    s.broken = false;
    let keys = keyed(cx, what, items, allowed);
    for &(sym, it) in &keys {
        let ok = match sym {
            NAME => put(&mut s.name, string(cx, sym, it)),
            COUNT => put(&mut s.count, integer(cx, sym, it)),
            ARCHETYPE => put(&mut s.archetype, string(cx, sym, it)),
            LABEL => put(&mut s.label, string(cx, sym, it)),
            SEASONAL_SENSITIVITY => put(&mut s.seasonal_sensitivity, float(cx, sym, it)),
            _ => match Block::parse(cx, sym, it) {
                Some(b) => {
                    s.blocks.push(b);
                    true
                }
                None => false,
            },
        };
        s.broken |= !ok;
    }
    let all = match listed {
        Some(name) => {
            s.name = Some(name);
            true
        }
        None => require(cx, &keys, NAME, &s.tokens, what, ""),
    };
    let all = all
        & require(cx, &keys, COUNT, &s.tokens, what, "")
        & require(cx, &keys, ARCHETYPE, &s.tokens, what, "");
    s.broken |= !all;
    s
}

/// `#[connections("mrr driven_by engagement", "nps 0.55 engagement")]`:
/// shorthand strings, one connection each.
fn connection_list(cx: &Ctxt, attr: &syn::Attribute) -> Vec<ConnectionAttr> {
    let Some(items) = items(cx, attr) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| match (&item.key, &item.kind) {
            (None, ItemKind::Value(Value::Str(s))) => Some(ConnectionAttr {
                tokens: item.tokens.clone(),
                shorthand: Some(Sp {
                    value: s.value(),
                    tokens: s.to_token_stream(),
                }),
                metric_a: None,
                metric_b: None,
                relationship: None,
                coefficient: None,
                broken: false,
            }),
            _ => {
                cx.error_spanned_by(
                    &item.tokens,
                    "`#[connections(...)]` lists shorthand strings such as `\"mrr driven_by engagement\"` or `\"nps 0.55 engagement\"`",
                );
                None
            }
        })
        .collect()
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
    if items.iter().all(|i| i.key.is_none()) {
        list_connection(cx, &items, &mut c);
        return c;
    }
    let keys = keyed(cx, "#[connection(...)]", &items, CONNECTION_KEYS);
    for &(sym, it) in &keys {
        let ok = match sym {
            METRIC_A => put(&mut c.metric_a, string(cx, sym, it)),
            METRIC_B => put(&mut c.metric_b, string(cx, sym, it)),
            RELATIONSHIP => put(&mut c.relationship, string(cx, sym, it)),
            _ => put(&mut c.coefficient, float(cx, sym, it)),
        };
        c.broken |= !ok;
    }
    let what = "`#[connection(...)]`";
    let all = require(cx, &keys, METRIC_A, &c.tokens, what, "")
        & require(cx, &keys, METRIC_B, &c.tokens, what, "");
    c.broken |= !all;
    c
}

/// The YAML list form: `#[connection("a", "driven_by", "b")]` or
/// `#[connection("a", 0.4, "b")]`.
fn list_connection(cx: &Ctxt, items: &[Item], c: &mut ConnectionAttr) {
    let item_text = |v: &Item| match &v.kind {
        ItemKind::Value(v) => text(v),
        _ => None,
    };
    if let [a, mid, b] = items {
        c.metric_a = item_text(a);
        c.metric_b = item_text(b);
        match &mid.kind {
            ItemKind::Value(Value::Num(n)) => {
                c.coefficient = Some(Sp {
                    value: n.value,
                    tokens: n.tokens.clone(),
                });
            }
            _ => c.relationship = item_text(mid),
        }
        if c.metric_a.is_some()
            && c.metric_b.is_some()
            && (c.relationship.is_some() || c.coefficient.is_some())
        {
            return;
        }
    }
    cx.error_spanned_by(
        items.iter().map(|i| i.tokens.clone()).collect::<TokenStream>(),
        "`#[connection(...)]` expects a shorthand string (`\"mrr driven_by engagement\"`), three values (`\"mrr\", \"driven_by\", \"engagement\"` or `\"mrr\", 0.4, \"engagement\"`), or `metric_a = ..., metric_b = ..., relationship = ...`",
    );
    c.broken = true;
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
    let keys = keyed(cx, "#[seasonality(...)]", &items, SEASONALITY_KEYS);
    for &(sym, it) in &keys {
        let ok = match sym {
            MONTHS => put(&mut s.months, month_list(cx, sym, it)),
            _ => put(&mut s.strength, float(cx, sym, it)),
        };
        s.broken |= !ok;
    }
    let what = "`#[seasonality(...)]`";
    let all = require(cx, &keys, MONTHS, &s.tokens, what, "")
        & require(cx, &keys, STRENGTH, &s.tokens, what, "");
    s.broken |= !all;
    s
}
