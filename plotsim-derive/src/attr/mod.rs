//! Attribute parsing: `#[plotsim]`, `#[segment]`, `#[connection]`,
//! `#[seasonality]` on the struct and `#[entity]`, `#[period]`,
//! `#[segment_name]`, `#[metric]` on fields, into a typed model.
//!
//! Nothing here returns a `Result`: every problem (unknown key, duplicate
//! key, wrong kind of value, unknown word) goes to the [`Ctxt`], spanned on
//! the offending token, and parsing goes on. Semantic rules are not checked
//! here; they are `Config::validate`'s job (see `check.rs`).

mod block;
mod container;
mod field;
mod value;

pub(crate) use block::Block;
pub(crate) use field::role;

use proc_macro2::TokenStream;
use quote::ToTokens;

use plotsim_config::{
    DecayKernel, Family, Granularity, MetricType, Noise, NoiseFamily, NoisePreset, Polarity,
};

use crate::args::{Item, ItemKind, Value};
use crate::ctxt::Ctxt;
use crate::symbol::*;
use value::{
    attr_name, backticked, boolean, float, integer, items, keyed, month_list, put, range, require,
    set, string, text, word,
};

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
    /// Keys written in `#[plotsim(...)]` (also those whose value was wrong).
    pub(crate) plotsim_keys: Vec<Symbol>,
    /// A `#[plotsim(...)]` could not be parsed at all (its error is reported).
    pub(crate) plotsim_broken: bool,
    pub(crate) about: Option<Sp<String>>,
    /// `crate = "path"`: where plotsim is, for a renamed dependency.
    pub(crate) krate: Option<Sp<syn::Path>>,
    pub(crate) unit: Option<Sp<String>>,
    pub(crate) window: Option<WindowAttr>,
    pub(crate) seed: Option<Sp<u64>>,
    pub(crate) noise: Option<NoiseAttr>,
    /// `lifecycle(...)`, `variation(...)`, `realism(...)`,
    /// `correlation_target = "..."`: read with the model's serde impls.
    pub(crate) blocks: Vec<Block>,
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
    /// `baseline(...)`, `arrival(...)`, `treatment(...)`, `attributes(...)`.
    pub(crate) blocks: Vec<Block>,
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

/// Every struct-level attribute.
pub(crate) const STRUCT_ATTRS: &[Symbol] = &[
    PLOTSIM,
    SEGMENT,
    SEGMENTS,
    CONNECTION,
    CONNECTIONS,
    SEASONALITY,
];
/// Every field-level attribute.
pub(crate) const FIELD_ATTRS: &[Symbol] = &[ENTITY, PERIOD, SEGMENT_NAME, METRIC];
