//! Code generation. Runs only on a container whose config validated, and
//! cannot fail; on errors, [`derive`] emits them with a stub impl so that
//! calls to `T::generate` and friends do not add follow-on errors.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;

use plotsim_config::{Config, Connection, Metric, MetricType, Segment};

use crate::ast::{Container, Field};
use crate::attr::Role;
use crate::check;
use crate::ctxt::Ctxt;

/// The whole expansion: the impls, or the errors plus a stub.
pub(crate) fn derive(input: &syn::DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let container = Container::from_ast(&cx, input);
    let config = container.as_ref().and_then(|c| check::config(&cx, c));
    match (cx.check(), container, config) {
        (Ok(()), Some(c), Some(config)) => wrap(&krate(Some(&c)), impl_generator(&c, &config)),
        (Err(errors), container, _) => {
            // The field types are still checked, so one compile shows every mistake.
            let checks = container
                .as_ref()
                .filter(|_| input.generics.params.is_empty())
                .map(|c| type_checks(c));
            let stub = stub(input);
            let body = wrap(&krate(container.as_ref()), quote!(#stub #checks));
            quote!(#errors #body)
        }
        // Every path to a missing config reports an error; keep codegen total anyway.
        (Ok(()), container, _) => {
            let body = wrap(&krate(container.as_ref()), stub(input));
            quote! {
                ::core::compile_error!("plotsim-derive: the attributes could not be checked");
                #body
            }
        }
    }
}

/// The path of the plotsim crate: `#[plotsim(crate = "...")]` or `::plotsim`.
fn krate(c: Option<&Container<'_>>) -> TokenStream {
    match c.and_then(|c| c.attrs.krate.as_ref()) {
        Some(path) => path.value.to_token_stream(),
        None => quote!(::plotsim),
    }
}

/// The expansion inside `const _: () = { ... };`, with the plotsim crate
/// in scope as `__plotsim`.
fn wrap(krate: &TokenStream, body: TokenStream) -> TokenStream {
    quote! {
        #[doc(hidden)]
        const _: () = {
            use #krate as __plotsim;
            #body
        };
    }
}

/// The metric fields and their declared types, in field order.
fn metric_fields<'c>(c: &'c Container<'c>) -> Vec<(&'c Field<'c>, MetricType)> {
    c.fields
        .iter()
        .filter_map(|f| match &f.role {
            Some(Role::Metric(m)) => Some((f, m.kind.as_ref()?.value)),
            _ => None,
        })
        .collect()
}

/// The struct literal that builds a row from `cell`. Field types are never
/// named: each conversion is inferred from its field, so a field type is
/// checked (and a typo in it reported) in exactly one place. Fields without
/// a usable role get `unreachable!()` (only on the error path).
fn row_literal(c: &Container<'_>, cell: &Ident, nullable: bool) -> TokenStream {
    let ident = c.ident;
    let mut metric = 0usize;
    let inits = c.fields.iter().map(|f| {
        let name = f.ident;
        // A field with two roles is reported already; do not check its type
        // against either.
        let role = if f.conflict { None } else { f.role.as_ref() };
        let value = match role {
            Some(Role::Entity) => quote_spanned! {f.ty.span()=>
                __plotsim::fields::EntityField::from_entity(#cell.entity())
            },
            Some(Role::Period) => quote_spanned! {f.ty.span()=>
                __plotsim::fields::PeriodField::from_period(#cell.period())
            },
            Some(Role::SegmentName) => quote_spanned! {f.ty.span()=>
                __plotsim::fields::SegmentField::from_segment(#cell.segment())
            },
            Some(Role::Metric(m)) if m.kind.is_some() => {
                let i = metric;
                metric += 1;
                let kind = m.kind.as_ref().map_or(MetricType::Score, |k| k.value);
                let tr = Ident::new(field_trait(kind), Span::call_site());
                let convert = quote_spanned! {f.ty.span()=>
                    __plotsim::fields::#tr::from_cell(#cell, #i)
                };
                if nullable {
                    quote_spanned! {f.ty.span()=> __plotsim::fields::nullable(#convert) }
                } else {
                    convert
                }
            }
            _ => quote!(::core::unreachable!()),
        };
        quote!(#name: #value)
    });
    quote!(#ident { #(#inits),* })
}

fn impl_generator(c: &Container<'_>, config: &Config) -> TokenStream {
    let ident = c.ident;
    let config_tokens = config_tokens(config);
    let cell = Ident::new("__cell", Span::mixed_site());
    let row = row_literal(c, &cell, config.noise.mcar_rate > 0.0);
    let specs = metric_fields(c).into_iter().map(|(f, kind)| {
        let name = f.name();
        let kind = variant(&kind);
        quote! {
            __plotsim::__private::MetricField {
                name: #name,
                kind: __plotsim::__private::MetricType::#kind,
            }
        }
    });
    let inherent = inherent_methods(None);
    quote! {
        #[automatically_derived]
        impl __plotsim::Generator for #ident {
            fn config() -> __plotsim::Config {
                #config_tokens
            }

            fn __metrics() -> &'static [__plotsim::__private::MetricField] {
                const METRICS: &[__plotsim::__private::MetricField] = &[#(#specs),*];
                METRICS
            }

            fn __from_cell(#cell: &__plotsim::__private::Cell<'_>) -> Self {
                #row
            }
        }

        #[automatically_derived]
        impl #ident {
            #inherent
        }
    }
}

/// The inherent methods, so that no trait import is needed. Each delegates
/// to the trait, or (in the stub) is `body`.
fn inherent_methods(body: Option<&TokenStream>) -> TokenStream {
    let call = |method: TokenStream| match body {
        Some(b) => b.clone(),
        None => quote!(<Self as __plotsim::Generator>::#method),
    };
    let (config, generate, iter, dataset) = (
        call(quote!(config())),
        call(quote!(generate(seed))),
        call(quote!(iter(seed))),
        call(quote!(dataset(seed))),
    );
    quote! {
        /// The equivalent runtime config (`Config::to_yaml` exports it);
        /// its seed is the struct's `seed` attribute.
        #[allow(dead_code)]
        pub fn config() -> __plotsim::Config {
            #config
        }

        /// Every row of the panel for `seed` (which overrides the attribute seed).
        #[allow(dead_code)]
        pub fn generate(seed: ::core::primitive::u64) -> ::std::vec::Vec<Self> {
            #generate
        }

        /// The rows for `seed`, streamed with bounded memory.
        #[allow(dead_code)]
        pub fn iter(seed: ::core::primitive::u64) -> __plotsim::Rows<Self> {
            #iter
        }

        /// The whole dataset for `seed` in memory: tables and manifest.
        #[allow(dead_code)]
        pub fn dataset(seed: ::core::primitive::u64) -> __plotsim::Dataset {
            #dataset
        }
    }
}

/// The field-type checks on their own, for the error path (on success the
/// row constructor is the check), so that one compile shows every mistake.
fn type_checks(c: &Container<'_>) -> TokenStream {
    let nullable = c
        .attrs
        .noise
        .as_ref()
        .is_some_and(|n| n.noise.mcar_rate > 0.0);
    let cell = Ident::new("__cell", Span::mixed_site());
    let row = row_literal(c, &cell, nullable);
    let ident = c.ident;
    quote! {
        #[allow(dead_code, unreachable_code)]
        fn __plotsim_type_checks(#cell: &__plotsim::__private::Cell<'_>) -> #ident {
            #row
        }
    }
}

/// The stub emitted next to errors: same items, unreachable bodies. A
/// generic struct gets only the inherent methods (the trait impl would add
/// bound errors of its own).
fn stub(input: &syn::DeriveInput) -> TokenStream {
    let ident = &input.ident;
    let (impl_g, ty_g, where_g) = input.generics.split_for_impl();
    let unreachable = quote!(::core::unreachable!(
        "the Generator derive failed to compile"
    ));
    let trait_impl = input.generics.params.is_empty().then(|| {
        quote! {
            impl __plotsim::Generator for #ident {
                fn config() -> __plotsim::Config { #unreachable }
                fn __metrics() -> &'static [__plotsim::__private::MetricField] { &[] }
                fn __from_cell(_: &__plotsim::__private::Cell<'_>) -> Self { #unreachable }
            }
        }
    });
    let inherent = inherent_methods(Some(&unreachable));
    quote! {
        #trait_impl
        #[allow(unused_variables)]
        impl #impl_g #ident #ty_g #where_g {
            #inherent
        }
    }
}

/// The field trait of a metric type (its error message names the type).
fn field_trait(kind: MetricType) -> &'static str {
    match kind {
        MetricType::Score => "ScoreField",
        MetricType::Amount => "AmountField",
        MetricType::Count => "CountField",
        MetricType::Index => "IndexField",
    }
}

/// The runtime enum variant of a config word (`MetricType::Score` -> `Score`),
/// so that drift between the macro and the library fails to compile.
fn variant<T: std::fmt::Debug>(v: &T) -> Ident {
    Ident::new(&format!("{v:?}"), Span::call_site())
}

fn f64_tokens(v: f64) -> TokenStream {
    if v.is_nan() {
        return quote!(::core::f64::NAN);
    }
    if v.is_infinite() {
        return if v > 0.0 {
            quote!(::core::f64::INFINITY)
        } else {
            quote!(::core::f64::NEG_INFINITY)
        };
    }
    let lit = Literal::f64_suffixed(v.abs());
    if v.is_sign_negative() {
        quote!(-#lit)
    } else {
        quote!(#lit)
    }
}

fn opt<T>(v: Option<T>, f: impl FnOnce(T) -> TokenStream) -> TokenStream {
    match v {
        Some(v) => {
            let t = f(v);
            quote!(::core::option::Option::Some(#t))
        }
        None => quote!(::core::option::Option::None),
    }
}

fn string(s: &str) -> TokenStream {
    quote!(::std::string::String::from(#s))
}

/// Code that rebuilds `config` at run time.
fn config_tokens(config: &Config) -> TokenStream {
    let about = &config.about;
    let unit = &config.unit;
    let (start, end) = (&config.window.start, &config.window.end);
    let every = variant(&config.window.every);
    let metrics = config.metrics.iter().map(metric_tokens);
    let segments = config.segments.iter().map(segment_tokens);
    let connections = config.connections.iter().map(connection_tokens);
    let seasonality = config.seasonality.iter().map(|s| {
        let months = &s.months;
        let strength = f64_tokens(s.strength);
        quote!(__plotsim::__private::SeasonalEffect {
            months: ::std::vec![#(#months),*],
            strength: #strength,
        })
    });
    let n = &config.noise;
    let (sigma, outliers, mcar) = (
        f64_tokens(n.gaussian_sigma),
        f64_tokens(n.outlier_rate),
        f64_tokens(n.mcar_rate),
    );
    let scale = n.scale_with_trajectory;
    let family = variant(&n.noise_family);
    let dof = opt(n.degrees_of_freedom, f64_tokens);
    let seed = config.seed.map(|s| quote!(.seed(#s)));
    let lifecycle = config
        .lifecycle
        .as_ref()
        .map(|l| setter("lifecycle", &from_json(l)));
    let variation = config
        .variation
        .as_ref()
        .map(|v| setter("variation", &from_json(v)));
    let realism =
        (!config.realism.is_default()).then(|| setter("realism", &from_json(&config.realism)));
    let target = (config.correlation_target != Default::default())
        .then(|| setter("correlation_target", &from_json(&config.correlation_target)));
    quote! {
        __plotsim::Config::builder()
            .about(#about)
            .unit(#unit)
            .window(__plotsim::__private::Window::new(
                #start,
                #end,
                __plotsim::__private::Granularity::#every,
            ))
            .metrics(::std::vec![#(#metrics),*])
            .segments(::std::vec![#(#segments),*])
            .connections(::std::vec![#(#connections),*])
            .seasonality(::std::vec![#(#seasonality),*])
            .noise(__plotsim::__private::Noise {
                gaussian_sigma: #sigma,
                outlier_rate: #outliers,
                mcar_rate: #mcar,
                scale_with_trajectory: #scale,
                noise_family: __plotsim::__private::NoiseFamily::#family,
                degrees_of_freedom: #dof,
            })
            #seed
            #lifecycle
            #variation
            #realism
            #target
            .build()
    }
}

/// Code that reads `value` back from the JSON of its serde impl: the blocks
/// the derive reads through the model's serde impls (arrival, lifecycle,
/// ...) are rebuilt the same way, from what was checked at compile time.
fn from_json<T: serde::Serialize>(value: &T) -> TokenStream {
    let json = serde_json::to_string(value).unwrap_or_default();
    quote!(__plotsim::__private::from_json(#json))
}

/// `.name(value)` on a builder.
fn setter(name: &str, value: &TokenStream) -> TokenStream {
    let name = Ident::new(name, proc_macro2::Span::call_site());
    quote!(.#name(#value))
}

fn metric_tokens(m: &Metric) -> TokenStream {
    let name = string(&m.name);
    let kind = variant(&m.r#type);
    let polarity = variant(&m.polarity);
    let label = opt(m.label.as_deref(), string);
    let range = opt(m.range, |[lo, hi]| {
        let (lo, hi) = (f64_tokens(lo), f64_tokens(hi));
        quote!([#lo, #hi])
    });
    let follows = opt(m.follows.as_deref(), string);
    let delay = opt(m.delay, |d| quote!(#d));
    let decay_window = opt(m.decay_window, |d| quote!(#d));
    let kernel = variant(&m.decay_kernel);
    let sensitivity = f64_tokens(m.seasonal_sensitivity);
    let distribution = opt(m.distribution, |d| {
        let d = variant(&d);
        quote!(__plotsim::__private::Family::#d)
    });
    let params = opt(m.distribution_params.as_ref(), |p| {
        let pairs = p.iter().map(|(k, v)| {
            let v = f64_tokens(*v);
            quote!((#k, #v))
        });
        quote!(__plotsim::__private::params(&[#(#pairs),*]))
    });
    quote! {
        __plotsim::__private::Metric {
            name: #name,
            r#type: __plotsim::__private::MetricType::#kind,
            polarity: __plotsim::__private::Polarity::#polarity,
            label: #label,
            range: #range,
            follows: #follows,
            delay: #delay,
            decay_window: #decay_window,
            decay_kernel: __plotsim::__private::DecayKernel::#kernel,
            seasonal_sensitivity: #sensitivity,
            distribution: #distribution,
            distribution_params: #params,
        }
    }
}

fn segment_tokens(s: &Segment) -> TokenStream {
    let name = &s.name;
    let count = s.count;
    let archetype = &s.archetype;
    let sensitivity = f64_tokens(s.seasonal_sensitivity);
    let label = s.label.as_ref().map(|l| quote!(.label(#l)));
    let baseline = (!s.baseline.is_empty()).then(|| setter("baseline", &from_json(&s.baseline)));
    let attributes =
        (!s.attributes.is_empty()).then(|| setter("attributes", &from_json(&s.attributes)));
    let arrival = s.arrival.as_ref().map(|a| setter("arrival", &from_json(a)));
    let treatment = s
        .treatment
        .as_ref()
        .map(|t| setter("treatment", &from_json(t)));
    quote! {
        __plotsim::__private::Segment::builder()
            .name(#name)
            .count(#count)
            .archetype(#archetype)
            #label
            .seasonal_sensitivity(#sensitivity)
            #baseline
            #attributes
            #arrival
            #treatment
            .build()
    }
}

fn connection_tokens(c: &Connection) -> TokenStream {
    match c {
        Connection::Shorthand(s) => {
            let s = string(s);
            quote!(__plotsim::__private::Connection::Shorthand(#s))
        }
        Connection::Pair(p) => {
            let (a, b) = (string(&p.metric_a), string(&p.metric_b));
            let relationship = opt(p.relationship.as_deref(), string);
            let coefficient = opt(p.coefficient, f64_tokens);
            quote!(__plotsim::__private::Connection::Pair(
                __plotsim::__private::ConnectionPair {
                    metric_a: #a,
                    metric_b: #b,
                    relationship: #relationship,
                    coefficient: #coefficient,
                    target: ::core::option::Option::None,
                }
            ))
        }
    }
}
