//! From the attribute model to a `plotsim_config::Config`, checked by the
//! very `Config::validate` the runtime uses. Each part of the config
//! remembers the tokens it came from, so every validation error is spanned
//! on its attribute (the field path picks the tokens).

use proc_macro2::TokenStream;
use quote::ToTokens;

use indexmap::IndexMap;
use plotsim_config::{
    Arrival, AttributeValues, BaselineLevel, Config, Connection, ConnectionPair, CorrelationTarget,
    Granularity, Lifecycle, Metric, MetricType, Polarity, Realism, SeasonalEffect, Segment,
    Treatment, ValidationError, Variation, Window,
};

use crate::ast::Container;
use crate::attr::{Block, MetricAttr, Role, Sp};
use crate::ctxt::Ctxt;
use crate::symbol::{
    ARRIVAL, ATTRIBUTES, BASELINE, CORRELATION_TARGET, LIFECYCLE, REALISM, TREATMENT, UNIT,
    VARIATION, WINDOW,
};

/// Where each part of the config was written.
struct Spans {
    entries: Vec<(String, TokenStream)>,
    root: TokenStream,
}

impl Spans {
    fn add(&mut self, path: impl Into<String>, tokens: &TokenStream) {
        self.entries.push((path.into(), tokens.clone()));
    }

    fn add_sp<T>(&mut self, path: String, sp: Option<&Sp<T>>) {
        if let Some(sp) = sp {
            self.add(path, &sp.tokens);
        }
    }

    /// Records block `b` at `path` (the config path of the block itself)
    /// with every entry inside it.
    fn add_block(&mut self, path: &str, b: &Block) {
        self.add(path, &b.tokens);
        for (rel, t) in &b.spans {
            let sep = if rel.starts_with('[') { "" } else { "." };
            self.add(format!("{path}{sep}{rel}"), t);
        }
    }

    /// The tokens of the longest recorded prefix of `path`.
    fn find(&self, path: &str) -> &TokenStream {
        self.entries
            .iter()
            .filter(|(p, _)| is_prefix(p, path))
            .max_by_key(|(p, _)| p.len())
            .map_or(&self.root, |(_, t)| t)
    }
}

/// Whether `prefix` is `path` or an ancestor of it (`metrics[1]` of `metrics[1].range`).
pub(crate) fn is_prefix(prefix: &str, path: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.') || rest.starts_with('['))
}

/// The config of `c`, validated; `None` when there were errors (all
/// reported to `cx`).
pub(crate) fn config(cx: &Ctxt, c: &Container<'_>) -> Option<Config> {
    check_roles(cx, c);
    let mut spans = Spans {
        entries: Vec::new(),
        root: c
            .attrs
            .plotsim
            .clone()
            .unwrap_or_else(|| c.ident.to_token_stream()),
    };
    // Parts that failed to parse get a placeholder; errors under them are
    // dropped, since they would only repeat the parse error.
    let mut suppressed: Vec<String> = Vec::new();
    let config = build(cx, c, &mut spans, &mut suppressed);
    let window_ok = c.attrs.window.as_ref().is_some_and(|w| !w.broken);
    // A field without a role is not a metric: "no metrics" would only repeat that.
    let roleless = c.fields.iter().any(|f| f.role.is_none() || f.conflict);
    let errors = if window_ok {
        match config.validate() {
            Ok(_) if !cx.has_errors() => return Some(config),
            Ok(_) => return None,
            Err(errors) => errors.into_iter().collect(),
        }
    } else {
        window_independent_errors(&config)
    };
    for e in &errors {
        let path = e.path.to_string();
        if suppressed.iter().any(|s| is_prefix(s, &path)) || (roleless && path == "metrics") {
            continue;
        }
        cx.syn_error(to_syn(&spans, e));
    }
    None
}

/// Without a usable window (its error is reported), the errors that hold
/// whatever the window: those found both with a short monthly and with a
/// long daily placeholder window. Change points, lag caps and arrival
/// periods, which depend on the window, are left out.
fn window_independent_errors(config: &Config) -> Vec<ValidationError> {
    let with = |w: Window| {
        let mut c = config.clone();
        c.window = w;
        c.validate()
            .err()
            .map(|e| e.into_iter().collect::<Vec<_>>())
            .unwrap_or_default()
    };
    let short = with(Window::new("2000-01", "2000-12", Granularity::Monthly));
    let long = with(Window::new("2000-01-01", "2009-12-31", Granularity::Daily));
    short
        .into_iter()
        .filter(|e| !is_prefix("window", &e.path.to_string()))
        .filter(|e| {
            long.iter()
                .any(|l| l.path == e.path && l.message == e.message)
        })
        .collect()
}

/// The path of a key inside a block, relative to its segment or metric
/// (`segments[1].treatment.fraction` -> `treatment.fraction`); `None` for a
/// key of the segment or metric itself.
fn block_key(path: &str) -> Option<&str> {
    let rest = ["segments[", "metrics["]
        .iter()
        .find_map(|p| path.strip_prefix(p))
        .and_then(|r| r.split_once("]."))
        .map_or(path, |(_, r)| r);
    rest.contains('.').then_some(rest)
}

/// One validation error as a compile error, with its notes as secondary spans.
fn to_syn(spans: &Spans, e: &ValidationError) -> syn::Error {
    // Run-wide settings have no field to point at, and a key inside a block
    // (`treatment.fraction`) is clearer named: both go in the text. A
    // message that already names its key keeps its own wording.
    let path = e.path.to_string();
    let in_block = block_key(&path);
    let mut text = if ["window", "noise", "seed", "unit", "about"]
        .iter()
        .any(|p| is_prefix(p, &path))
    {
        format!("`{path}`: {}", e.message)
    } else if let Some(key) = in_block.filter(|k| !e.message.contains(&format!("`{k}`"))) {
        format!("`{key}`: {}", e.message)
    } else {
        e.message.clone()
    };
    if let Some(found) = &e.found {
        text.push_str(&format!("; found {found}"));
    }
    if let Some(expected) = &e.expected {
        text.push_str(&format!("; expected {expected}"));
    }
    if let Some(s) = &e.suggestion {
        text.push_str(&format!(" (did you mean `{s}`?)"));
    }
    let mut err = syn::Error::new_spanned(spans.find(&e.path.to_string()), text);
    for n in &e.notes {
        err.combine(syn::Error::new_spanned(
            spans.find(&n.path.to_string()),
            format!("{} (see the previous error)", n.text),
        ));
    }
    err
}

/// Exactly one `#[entity]` and one `#[period]`; at most one `#[segment_name]`.
fn check_roles(cx: &Ctxt, c: &Container<'_>) {
    type IsRole = fn(&Role) -> bool;
    let roles: [(&str, IsRole, bool); 3] = [
        ("#[entity]", |r| matches!(r, Role::Entity), true),
        ("#[period]", |r| matches!(r, Role::Period), true),
        ("#[segment_name]", |r| matches!(r, Role::SegmentName), false),
    ];
    for (what, is, required) in roles {
        // A field with two roles is reported already; it counts as present
        // but not as a second one.
        let with: Vec<_> = c
            .fields
            .iter()
            .filter(|f| f.role.as_ref().is_some_and(is))
            .collect();
        let single: Vec<_> = with.iter().filter(|f| !f.conflict).collect();
        if with.is_empty() && required {
            cx.error_spanned_by(
                c.ident,
                format!("no field is marked `{what}`; add it to the field that receives it"),
            );
        }
        for extra in single.iter().skip(1) {
            let mut e = syn::Error::new_spanned(
                extra.ident,
                format!("only one field can be marked `{what}`"),
            );
            e.combine(syn::Error::new_spanned(
                single[0].ident,
                "first marked here",
            ));
            cx.syn_error(e);
        }
    }
}

fn build(cx: &Ctxt, c: &Container<'_>, spans: &mut Spans, suppressed: &mut Vec<String>) -> Config {
    let a = &c.attrs;
    if a.plotsim.is_none() {
        cx.error_spanned_by(
            c.ident,
            "missing `#[plotsim(unit = \"...\", window(start = \"...\", end = \"...\"))]` on the struct",
        );
    } else if !a.plotsim_broken {
        if !a.plotsim_keys.contains(&UNIT) {
            cx.error_spanned_by(&spans.root, "`#[plotsim(...)]` is missing `unit`");
        }
        if !a.plotsim_keys.contains(&WINDOW) {
            cx.error_spanned_by(
                &spans.root,
                "`#[plotsim(...)]` is missing `window(start = \"...\", end = \"...\")`",
            );
        }
    }
    let about = a
        .about
        .as_ref()
        .map(|s| s.value.clone())
        .or_else(|| c.doc.clone())
        .unwrap_or_else(|| format!("{} rows", c.ident));
    spans.add(
        "about",
        &a.about
            .as_ref()
            .map_or_else(|| c.ident.to_token_stream(), |s| s.tokens.clone()),
    );
    spans.add_sp("unit".into(), a.unit.as_ref());
    let window = match &a.window {
        Some(w) => {
            spans.add("window", &w.tokens);
            spans.add_sp("window.start".into(), w.start.as_ref());
            spans.add_sp("window.end".into(), w.end.as_ref());
            spans.add_sp("window.every".into(), w.every.as_ref());
            Window::new(
                w.start.as_ref().map_or("2000-01", |s| &s.value),
                w.end.as_ref().map_or("2000-12", |s| &s.value),
                w.every.as_ref().map(|e| e.value).unwrap_or_default(),
            )
        }
        None => Window::new("2000-01", "2000-12", Default::default()),
    };
    spans.add("metrics", &c.ident.to_token_stream());
    spans.add("segments", &spans.root.clone());
    spans.add("connections", &c.ident.to_token_stream());
    spans.add("seasonality", &c.ident.to_token_stream());
    let metrics = metrics(c, spans, suppressed);
    let segments = segments(cx, c, spans, suppressed);
    let connections = connections(c, spans, suppressed);
    let seasonality = seasonality(c, spans, suppressed);
    let mut config = Config::builder()
        .about(about)
        .unit(a.unit.as_ref().map_or("unit", |u| &u.value))
        .window(window)
        .metrics(metrics)
        .segments(segments)
        .connections(connections)
        .seasonality(seasonality)
        .build();
    if let Some(n) = &a.noise {
        spans.add("noise", &n.tokens);
        for (sym, t) in &n.keys {
            spans.add(format!("noise.{sym}"), t);
        }
        if n.broken {
            suppressed.push("noise".into());
        }
        config.noise = n.noise.clone();
    }
    if let Some(seed) = &a.seed {
        spans.add("seed", &seed.tokens);
        config.seed = Some(seed.value);
    }
    for b in &a.blocks {
        let path = b.key.0;
        spans.add_block(path, b);
        let ok = match b.key {
            LIFECYCLE => b.typed::<Lifecycle>(cx).map(|v| config.lifecycle = Some(v)),
            VARIATION => b.typed::<Variation>(cx).map(|v| config.variation = Some(v)),
            REALISM => b.typed::<Realism>(cx).map(|v| config.realism = v),
            CORRELATION_TARGET => b
                .typed::<CorrelationTarget>(cx)
                .map(|v| config.correlation_target = v),
            _ => None,
        };
        if ok.is_none() {
            suppressed.push(path.into());
        }
    }
    config
}

fn metrics(c: &Container<'_>, spans: &mut Spans, suppressed: &mut Vec<String>) -> Vec<Metric> {
    c.fields
        .iter()
        .filter_map(|f| match &f.role {
            Some(Role::Metric(m)) => Some((f, m)),
            _ => None,
        })
        .enumerate()
        .map(|(i, (f, m))| {
            let p = format!("metrics[{i}]");
            record_metric(spans, &p, m);
            spans.add(format!("{p}.name"), &f.ident.to_token_stream());
            if m.broken {
                suppressed.push(p);
            }
            metric(f.name(), m)
        })
        .collect()
}

fn record_metric(spans: &mut Spans, p: &str, m: &MetricAttr) {
    spans.add(p, &m.tokens);
    spans.add_sp(format!("{p}.type"), m.kind.as_ref());
    spans.add_sp(format!("{p}.polarity"), m.polarity.as_ref());
    spans.add_sp(format!("{p}.range"), m.range.as_ref());
    spans.add_sp(format!("{p}.follows"), m.follows.as_ref());
    spans.add_sp(format!("{p}.delay"), m.delay.as_ref());
    spans.add_sp(format!("{p}.decay_window"), m.decay_window.as_ref());
    spans.add_sp(format!("{p}.decay_kernel"), m.decay_kernel.as_ref());
    spans.add_sp(format!("{p}.distribution"), m.distribution.as_ref());
    // Missing parameters are the distribution's business: point at it.
    match (&m.params, &m.distribution) {
        (Some(params), _) => spans.add(format!("{p}.distribution_params"), &params.tokens),
        (None, Some(d)) => spans.add(format!("{p}.distribution_params"), &d.tokens),
        (None, None) => {}
    }
    if let Some(params) = &m.params {
        for (k, _, t) in &params.value {
            spans.add(format!("{p}.distribution_params.{k}"), t);
        }
    }
    spans.add_sp(
        format!("{p}.seasonal_sensitivity"),
        m.seasonal_sensitivity.as_ref(),
    );
    spans.add_sp(format!("{p}.label"), m.label.as_ref());
}

fn metric(name: String, m: &MetricAttr) -> Metric {
    Metric {
        name,
        r#type: m.kind.as_ref().map_or(MetricType::Score, |k| k.value),
        polarity: m.polarity.as_ref().map_or(Polarity::Positive, |k| k.value),
        label: m.label.as_ref().map(|l| l.value.clone()),
        range: m.range.as_ref().map(|r| r.value),
        follows: m.follows.as_ref().map(|f| f.value.clone()),
        delay: m.delay.as_ref().map(|d| d.value),
        decay_window: m.decay_window.as_ref().map(|d| d.value),
        decay_kernel: m.decay_kernel.as_ref().map(|d| d.value).unwrap_or_default(),
        seasonal_sensitivity: m.seasonal_sensitivity.as_ref().map_or(1.0, |s| s.value),
        distribution: m.distribution.as_ref().map(|d| d.value),
        distribution_params: m
            .params
            .as_ref()
            .map(|p| p.value.iter().map(|(k, v, _)| (k.clone(), *v)).collect()),
    }
}

fn segments(
    cx: &Ctxt,
    c: &Container<'_>,
    spans: &mut Spans,
    suppressed: &mut Vec<String>,
) -> Vec<Segment> {
    c.attrs
        .segments
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let p = format!("segments[{i}]");
            spans.add(p.clone(), &s.tokens);
            spans.add_sp(format!("{p}.name"), s.name.as_ref());
            spans.add_sp(format!("{p}.count"), s.count.as_ref());
            spans.add_sp(format!("{p}.archetype"), s.archetype.as_ref());
            spans.add_sp(format!("{p}.label"), s.label.as_ref());
            spans.add_sp(
                format!("{p}.seasonal_sensitivity"),
                s.seasonal_sensitivity.as_ref(),
            );
            if s.broken {
                suppressed.push(p.clone());
            }
            let mut seg = Segment::builder()
                .name(
                    s.name
                        .as_ref()
                        .map_or(format!("segment_{i}"), |n| n.value.clone()),
                )
                .count(s.count.as_ref().map_or(3, |n| n.value))
                .archetype(s.archetype.as_ref().map_or("flat", |a| &a.value))
                .seasonal_sensitivity(s.seasonal_sensitivity.as_ref().map_or(1.0, |x| x.value))
                .build();
            seg.label = s.label.as_ref().map(|l| l.value.clone());
            for b in &s.blocks {
                let path = format!("{p}.{}", b.key);
                spans.add_block(&path, b);
                let ok = match b.key {
                    BASELINE => b
                        .typed::<IndexMap<String, BaselineLevel>>(cx)
                        .map(|v| seg.baseline = v),
                    ARRIVAL => b.typed::<Arrival>(cx).map(|v| seg.arrival = Some(v)),
                    TREATMENT => b.typed::<Treatment>(cx).map(|v| seg.treatment = Some(v)),
                    ATTRIBUTES => b
                        .typed::<IndexMap<String, AttributeValues>>(cx)
                        .map(|v| seg.attributes = v),
                    _ => None,
                };
                if ok.is_none() {
                    suppressed.push(path);
                }
            }
            seg
        })
        .collect()
}

fn connections(
    c: &Container<'_>,
    spans: &mut Spans,
    suppressed: &mut Vec<String>,
) -> Vec<Connection> {
    c.attrs
        .connections
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let p = format!("connections[{i}]");
            spans.add(p.clone(), &a.tokens);
            if a.broken {
                suppressed.push(p.clone());
            }
            if let Some(s) = &a.shorthand {
                spans.add(p, &s.tokens);
                return Connection::Shorthand(s.value.clone());
            }
            spans.add_sp(format!("{p}.metric_a"), a.metric_a.as_ref());
            spans.add_sp(format!("{p}.metric_b"), a.metric_b.as_ref());
            spans.add_sp(format!("{p}.relationship"), a.relationship.as_ref());
            spans.add_sp(format!("{p}.coefficient"), a.coefficient.as_ref());
            Connection::Pair(ConnectionPair {
                metric_a: a
                    .metric_a
                    .as_ref()
                    .map(|m| m.value.clone())
                    .unwrap_or_default(),
                metric_b: a
                    .metric_b
                    .as_ref()
                    .map(|m| m.value.clone())
                    .unwrap_or_default(),
                relationship: a.relationship.as_ref().map(|r| r.value.clone()),
                coefficient: a.coefficient.as_ref().map(|r| r.value),
                target: None,
            })
        })
        .collect()
}

fn seasonality(
    c: &Container<'_>,
    spans: &mut Spans,
    suppressed: &mut Vec<String>,
) -> Vec<SeasonalEffect> {
    c.attrs
        .seasonality
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let p = format!("seasonality[{i}]");
            spans.add(p.clone(), &s.tokens);
            spans.add_sp(format!("{p}.months"), s.months.as_ref());
            spans.add_sp(format!("{p}.strength"), s.strength.as_ref());
            if s.broken {
                suppressed.push(p);
            }
            SeasonalEffect {
                months: s
                    .months
                    .as_ref()
                    .map(|m| m.value.clone())
                    .unwrap_or_default(),
                strength: s.strength.as_ref().map_or(0.0, |x| x.value),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn prefixes_stop_at_path_boundaries() {
        assert!(is_prefix("metrics[1]", "metrics[1].range"));
        assert!(is_prefix("metrics[1]", "metrics[1]"));
        assert!(!is_prefix("metrics[1]", "metrics[12].range"));
        assert!(!is_prefix("window", "windows"));
    }

    #[test]
    fn errors_land_on_the_longest_recorded_prefix() {
        let mut spans = Spans {
            entries: Vec::new(),
            root: quote!(root),
        };
        spans.add("metrics[0]", &quote!(attr));
        spans.add("metrics[0].range", &quote!(range));
        assert_eq!(spans.find("metrics[0].range").to_string(), "range");
        assert_eq!(spans.find("metrics[0].follows").to_string(), "attr");
        assert_eq!(spans.find("segments[0]").to_string(), "root");
    }

    fn config_of(input: syn::DeriveInput) -> (Option<Config>, String) {
        let cx = Ctxt::new();
        let c = Container::from_ast(&cx, &input).expect("a struct");
        let config = config(&cx, &c);
        let errors = cx.check().err().map(|e| e.to_string()).unwrap_or_default();
        (config, errors)
    }

    #[test]
    fn a_valid_struct_gives_the_config() {
        let (config, errors) = config_of(syn::parse_quote! {
            /// Shops.
            #[plotsim(unit = "shop", window = ["2024-01", "2024-06"], seed = 5, noise = "clean")]
            #[segment(name = "a", count = 4, archetype = "growth")]
            struct Row {
                #[entity] shop: String,
                #[period] month: plotsim::Period,
                #[metric(type = "amount", polarity = "negative", range = [-5, 5.5])] r#type: f64,
            }
        });
        assert_eq!(errors, "");
        let config = config.expect("valid");
        assert_eq!(config.about, "Shops.");
        assert_eq!(config.seed, Some(5));
        assert_eq!(config.metrics[0].name, "type");
        assert_eq!(config.metrics[0].range, Some([-5.0, 5.5]));
        assert!(config.validate().is_ok());
    }

    #[test]
    fn parse_errors_do_not_repeat_as_validation_errors() {
        // The unknown type gets one error; the (placeholder) metric's rules
        // are not run, while the independent DSL error is still reported.
        let (config, errors) = config_of(syn::parse_quote! {
            #[plotsim(unit = "shop", window(start = "2024-01", end = "2024-06"))]
            #[segment(name = "a", count = 4, archetype = "grwth")]
            struct Row {
                #[entity] shop: String,
                #[period] month: plotsim::Period,
                #[metric(type = "amout", polarity = "positive")] sales: f64,
            }
        });
        assert!(config.is_none());
        assert_eq!(errors.matches("compile_error").count(), 2, "{errors}");
        assert!(errors.contains("did you mean `amount`"), "{errors}");
        assert!(errors.contains("unknown shape `grwth`"), "{errors}");
    }
}
